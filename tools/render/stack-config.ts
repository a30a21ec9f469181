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
 * Secrets an operator sets on a real stack with `pulumi config set --secret`, so that no committed stack file holds
 * them: offline runs (render, tests) stand in for them. Values in a stack file as `secure:` ciphertext cannot be
 * decrypted offline either and get the same stand-in. Either way they stay secrets.
 */
export const STAND_IN_SECRETS: Record<string, Record<string, string>> = {
    prod: { "geostack:registryPassword": "stand-in-registry-token" },
};
export const STAND_IN_SECRET = "stand-in-secret";

/** The keys of `config` the program must be told are secret, as the CLI tells it of values set with `--secret`. */
export function secretKeysOf(stack: string, projectDir: string, config: Record<string, string>): string[] {
    const encrypted = Object.entries<any>(readProjectFile(projectDir, `Pulumi.${stack}.yaml`)?.config ?? {})
        .filter(([, value]) => typeof value === "object" && value !== null && "secure" in value)
        .map(([key]) => key);
    return [...new Set([...encrypted, ...Object.keys(STAND_IN_SECRETS[stack] ?? {})])].filter((key) => key in config);
}

/**
 * The config the Pulumi CLI hands the program for a stack: Pulumi.yaml defaults (in the project's namespace)
 * overlaid with Pulumi.<stack>.yaml and the stood-in secrets, every value as a string (lists and objects as JSON text).
 */
export function stackConfig(stack: string, projectDir: string = findProjectDir()): Record<string, string> {
    const project = readProjectFile(projectDir, "Pulumi.yaml");
    const config: Record<string, string> = {};
    for (const [key, decl] of Object.entries<any>(project.config ?? {})) {
        if (decl?.default !== undefined) config[`${project.name}:${key}`] = asConfigString(decl.default);
    }
    for (const [key, value] of Object.entries<any>(readProjectFile(projectDir, `Pulumi.${stack}.yaml`)?.config ?? {})) {
        const encrypted = typeof value === "object" && value !== null && "secure" in value;
        config[key] = encrypted ? STAND_IN_SECRET : asConfigString(value);
    }
    return { ...config, ...STAND_IN_SECRETS[stack] };
}

/** A command-line mistake: the commands print it with their usage line and exit 2. */
export class UsageError extends Error {}

/** util.parseArgs's own mistakes (unknown option, missing value) count as usage errors too. */
export function isUsageError(err: unknown): err is Error {
    return err instanceof UsageError || String((err as { code?: string })?.code).startsWith("ERR_PARSE_ARGS");
}

function asConfigString(value: unknown): string {
    return typeof value === "object" ? JSON.stringify(value) : String(value);
}
