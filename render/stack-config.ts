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

export function stackFileExists(projectDir: string, stack: string): boolean {
    return fs.existsSync(path.join(projectDir, `Pulumi.${stack}.yaml`));
}

/**
 * The config the Pulumi CLI hands the program for a stack: Pulumi.yaml defaults (in the project's namespace)
 * overlaid with Pulumi.<stack>.yaml, every value as a string (lists and objects as JSON text).
 */
export function stackConfig(stack: string, projectDir: string = findProjectDir()): Record<string, string> {
    const project = readProjectFile(projectDir, "Pulumi.yaml");
    const config: Record<string, string> = {};
    for (const [key, decl] of Object.entries<any>(project.config ?? {})) {
        if (decl?.default !== undefined) config[`${project.name}:${key}`] = asConfigString(decl.default);
    }
    for (const [key, value] of Object.entries<any>(readProjectFile(projectDir, `Pulumi.${stack}.yaml`)?.config ?? {})) {
        config[key] = asConfigString(value);
    }
    return config;
}

function asConfigString(value: unknown): string {
    return typeof value === "object" ? JSON.stringify(value) : String(value);
}
