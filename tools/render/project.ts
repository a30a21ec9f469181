/** A project's files, read without loading its code (render:diff's parent process needs no more). */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The directory holding Pulumi.yaml, searched upwards from `start` (this module sits in render/ or bin/render/). */
export function findProjectDir(start: string = __dirname): string {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml in ${start} or any directory above it`);
    }
}

export function readProjectFile(projectDir: string, file: string): any {
    return parse(fs.readFileSync(path.join(projectDir, file), "utf8"));
}

export function projectName(projectDir: string): string {
    return readProjectFile(projectDir, "Pulumi.yaml").name;
}

/** A checkout's program, as Pulumi.yaml's `main` names it (this project's main.cjs, which runs index.ts). */
export function programOf(projectDir: string): string {
    return path.join(projectDir, String(readProjectFile(projectDir, "Pulumi.yaml").main ?? "index.ts"));
}

export function stackFileExists(projectDir: string, stack: string): boolean {
    return fs.existsSync(path.join(projectDir, `Pulumi.${stack}.yaml`));
}

/** A command-line mistake: the commands print it with their usage line and exit 2. */
export class UsageError extends Error {}

/** util.parseArgs's own mistakes (unknown option, missing value) count as usage errors too. */
export function isUsageError(err: unknown): err is Error {
    return err instanceof UsageError || String((err as { code?: string })?.code).startsWith("ERR_PARSE_ARGS");
}
