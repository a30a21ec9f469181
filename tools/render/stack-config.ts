import { parseStackConfig, SECRET_CONFIG_KEYS } from "../../config";
import { findProjectDir, readProjectFile } from "./project";

export { findProjectDir, isUsageError, programOf, projectName, readProjectFile, stackFileExists, UsageError } from "./project";

/**
 * Secrets an operator sets on a real stack with `pulumi config set --secret` (or in an ESC environment), so that no
 * committed stack file need hold them, and `secure:` ciphertext in a stack file, cannot be read offline. Runs here
 * (render, tests) give every `secure:` value this stand-in, and every secret config key the stack needs and its file
 * leaves unset (its absence is one of the problems GeoStack finds with the stack's config), whatever the stack.
 * Either way they stay secrets.
 */
export const STAND_IN_SECRET = "stand-in-secret";

function stackFile(projectDir: string, stack: string): Record<string, unknown> {
    return readProjectFile(projectDir, `Pulumi.${stack}.yaml`)?.config ?? {};
}

const isEncrypted = (value: unknown) => typeof value === "object" && value !== null && "secure" in value;

/** The full keys (`geostack:registryPassword`) of the secret keys a stack's config lacks (or has as Pulumi.yaml's "") although it needs them. */
function neededSecretKeys(namespace: string, config: Record<string, string>): string[] {
    const raw = Object.fromEntries(
        Object.entries(config)
            .filter(([key]) => key.startsWith(`${namespace}:`))
            .map(([key, value]) => [key.slice(namespace.length + 1), value]),
    );
    let problems: string[] = [];
    try {
        parseStackConfig(raw);
    } catch (err) {
        problems = (err as { problems?: string[] }).problems ?? [];
    }
    return SECRET_CONFIG_KEYS.map((key) => `${namespace}:${key}`).filter((key) => !config[key] && problems.some((p) => p.includes(key)));
}

/** The keys of `config` the program must be told are secret, as the CLI tells it of values set with `--secret`. */
export function secretKeysOf(stack: string, projectDir: string, config: Record<string, string>): string[] {
    const namespace = readProjectFile(projectDir, "Pulumi.yaml").name;
    const encrypted = Object.entries(stackFile(projectDir, stack))
        .filter(([, value]) => isEncrypted(value))
        .map(([key]) => key);
    const secret = SECRET_CONFIG_KEYS.map((key) => `${namespace}:${key}`);
    return [...new Set([...encrypted, ...secret])].filter((key) => key in config && (encrypted.includes(key) || config[key] === STAND_IN_SECRET));
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
    for (const [key, value] of Object.entries(stackFile(projectDir, stack))) config[key] = isEncrypted(value) ? STAND_IN_SECRET : asConfigString(value);
    for (const key of neededSecretKeys(project.name, config)) config[key] = STAND_IN_SECRET;
    return config;
}

function asConfigString(value: unknown): string {
    return typeof value === "object" ? JSON.stringify(value) : String(value);
}
