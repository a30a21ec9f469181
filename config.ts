import * as pulumi from "@pulumi/pulumi";
import { type GeoStackArgs, GEOSTACK_SPEC, geoStackProblems, InvalidInputError, type Arg, type GeoStackSwarmArgs, GEOSTACK_SWARM_SPEC } from "./components";
import { type ArgEntries, problem, resolve, type Rule } from "./components/shared/args";

/**
 * The stack config layer: reads `geostack:*` values (strings, as the engine passes them) into `GeoStackArgs`. It
 * parses kinds, refuses unknown keys, and turns Pulumi.yaml's "unset" defaults ("" and 0) into unset; every rule
 * is GeoStack's own, named as the user wrote the key.
 */
export const CONFIG_NAMESPACE = "geostack";

/** `geostack:platform` picks the component: `docker` (one Docker host, GeoStack) or `swarm` (GeoStackSwarm). */
export const PLATFORMS = ["docker", "swarm"] as const;
export type Platform = (typeof PLATFORMS)[number];
export const PLATFORM_KEY = "platform";

const GEOSTACK_KEYS = Object.keys(GEOSTACK_SPEC.args).filter((key) => key !== "namePrefix");
/** The swarm's own keys (its node hosts, its NFS export); the others it shares with GeoStack. */
export const SWARM_ONLY_KEYS = Object.keys(GEOSTACK_SWARM_SPEC.args).filter((key) => key !== "namePrefix" && !GEOSTACK_KEYS.includes(key));

/** Every `geostack:*` key: GeoStack's args but `namePrefix` (the program derives it from project and stack), the platform, the swarm's own. */
export const CONFIG_KEYS = [...GEOSTACK_KEYS, PLATFORM_KEY, ...SWARM_ONLY_KEYS] as string[];

// biome-ignore lint/suspicious/noExplicitAny: only the entry's kind, presence, default and secrecy are read here
const PLATFORM_ENTRY: Arg<any> = { presence: "default", kind: "string", default: "docker" };
/** The spec entry a config key is read with: GeoStack's, else GeoStackSwarm's (for the swarm's own keys). */
// biome-ignore lint/suspicious/noExplicitAny: entries of any value type
export function configEntry(key: string): Arg<any> {
    if (key === PLATFORM_KEY) return PLATFORM_ENTRY;
    return (GEOSTACK_SPEC.args as ArgEntries)[key] ?? (GEOSTACK_SWARM_SPEC.args as ArgEntries)[key];
}

const EXPECTED_KIND: Record<Arg<unknown>["kind"], string> = {
    string: "a string",
    integer: "a whole number",
    boolean: "true or false",
    array: "a list of strings",
};

function parse(kind: Arg<unknown>["kind"], raw: string): string | number | boolean | string[] | undefined {
    const text = raw.trim();
    switch (kind) {
        case "string":
            return raw;
        case "array":
            // The engine passes a YAML list as JSON text.
            try {
                const list: unknown = JSON.parse(text);
                return Array.isArray(list) && list.every((item) => typeof item === "string") ? list : undefined;
            } catch {
                return undefined;
            }
        case "boolean":
            return text === "true" ? true : text === "false" ? false : undefined;
        case "integer":
            return /^-?\d+$/.test(text) ? Number(text) : undefined;
    }
}

/** Pulumi.yaml gives an optional key a default ("" or 0) because the CLI requires a key without one; it means unset. */
const isUnsetDefault = (value: unknown) => value === "" || value === 0;

/** What a stack's config is read into: the platform, and the args of its component. */
export type PlatformConfig = { platform: "docker"; args: GeoStackArgs } | { platform: "swarm"; args: GeoStackSwarmArgs };

/** The single-host GeoStack's args from raw config values, or one error naming every bad key, its value and what is expected. */
export function parseStackConfig(raw: Record<string, string | undefined>): GeoStackArgs {
    const config = parsePlatformConfig(raw);
    if (config.platform !== "docker")
        throw new InvalidInputError([`${CONFIG_NAMESPACE}:${PLATFORM_KEY} is swarm: read it with parsePlatformConfig`], "Invalid GeoStack stack configuration");
    return config.args;
}

/**
 * The platform and its component's args from raw config values, or one error naming every bad key. A key the
 * platform does not read must be left unset (or at its default, as Pulumi.yaml passes it): set, it would be ignored.
 */
export function parsePlatformConfig(raw: Record<string, string | undefined>): PlatformConfig {
    const name = (key: string) => `${CONFIG_NAMESPACE}:${key}`;
    const problems: string[] = [];
    const platform = (raw[PLATFORM_KEY] ?? "docker") as Platform;
    if (!PLATFORMS.includes(platform)) {
        const expected = `one of ${PLATFORMS.join(", ")}: docker runs GeoStack on one Docker host, swarm runs GeoStackSwarm on a Docker Swarm`;
        throw new InvalidInputError([problem(name(PLATFORM_KEY), platform, expected)], "Invalid GeoStack stack configuration");
    }
    const read = (platform === "swarm" ? Object.keys(GEOSTACK_SWARM_SPEC.args) : GEOSTACK_KEYS).filter((key) => key !== "namePrefix");
    for (const key of Object.keys(raw)) {
        // The value is not shown: a misspelt secret key (`--secret registryPasword`) would print the secret.
        if (!CONFIG_KEYS.includes(key)) problems.push(`${name(key)} is not a GeoStack key (value not shown); GeoStack reads ${CONFIG_KEYS.join(", ")}`);
    }
    const args: Record<string, unknown> = {};
    const unreadable: string[] = [];
    for (const key of CONFIG_KEYS) {
        if (key === PLATFORM_KEY) continue;
        const entry = configEntry(key);
        const given = raw[key];
        if (given === undefined) continue;
        const value = parse(entry.kind, given);
        if (value === undefined) {
            problems.push(`${name(key)} = ${entry.secret ? "(secret, not shown)" : JSON.stringify(given)}: expected ${EXPECTED_KIND[entry.kind]}`);
            unreadable.push(key);
        } else if (!read.includes(key)) {
            const isDefault = isUnsetDefault(value) || (entry.presence === "default" && JSON.stringify(entry.default) === JSON.stringify(value));
            if (!isDefault)
                problems.push(
                    `${name(key)} = ${entry.secret ? "(secret, not shown)" : JSON.stringify(value)}: expected it unset, since ${name(PLATFORM_KEY)} is ${platform}, which does not read it`,
                );
        } else if (!(entry.presence === "optional" && isUnsetDefault(value))) args[key] = value;
    }
    if (platform === "swarm") {
        const rules = GEOSTACK_SWARM_SPEC.rules.filter((rule) => !rule.keys.some((key) => unreadable.includes(key)));
        problems.push(...resolve({ args: GEOSTACK_SWARM_SPEC.args, rules: rules as Rule<typeof GEOSTACK_SWARM_SPEC.args>[] }, args, name).problems);
    } else problems.push(...geoStackProblems(args as unknown as GeoStackArgs, name, unreadable));
    if (problems.length > 0) throw new InvalidInputError(problems, "Invalid GeoStack stack configuration");
    return platform === "swarm" ? { platform, args: args as unknown as GeoStackSwarmArgs } : { platform, args: args as unknown as GeoStackArgs };
}

/** Reads this stack's `geostack:*` config from the Pulumi engine. */
export function loadStackConfig(): PlatformConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    return parsePlatformConfig(raw);
}

/**
 * The host an explicit docker-build provider must get, if one is needed: the GeoServer image is built by the engine
 * that then runs it by image ID. docker-build's provider reads `docker-build:host` (else DOCKER_HOST), never
 * `docker:host`, so when only `docker:host` names the Docker host, the image builder is given that host. Two different
 * hosts would build on one and fail to run on the other: refused.
 */
export function imageBuildHost(config: Record<string, string> = pulumi.runtime.allConfig()): string | undefined {
    const dockerHost = config["docker:host"] || undefined;
    const buildHost = config["docker-build:host"] || undefined;
    if (buildHost !== undefined && buildHost !== dockerHost) {
        const expected = `${dockerHost === undefined ? "unset, as docker:host is" : `docker:host's ${JSON.stringify(dockerHost)}`}: the GeoServer image must be built by the Docker engine that runs it; leave docker-build:host unset and the program follows docker:host`;
        throw new InvalidInputError([problem("docker-build:host", buildHost, expected)], "Invalid Docker host configuration");
    }
    return buildHost === undefined ? dockerHost : undefined;
}
