import * as pulumi from "@pulumi/pulumi";
import { type GeoStackArgs, GEOSTACK_SPEC, geoStackProblems, InvalidInputError, type Arg } from "./components";
import { problem } from "./components/shared/args";

/**
 * The stack config layer: reads `geostack:*` values (strings, as the engine passes them) into `GeoStackArgs`. It
 * parses kinds, refuses unknown keys, and turns Pulumi.yaml's "unset" defaults ("" and 0) into unset; every rule
 * is GeoStack's own, named as the user wrote the key.
 */
export const CONFIG_NAMESPACE = "geostack";

/** Every `geostack:*` key: GeoStack's args but `namePrefix`, which the program derives from project and stack. */
export const CONFIG_KEYS = Object.keys(GEOSTACK_SPEC.args).filter((key) => key !== "namePrefix") as (keyof GeoStackArgs)[];

/** The keys whose values are secrets (a registry token): set them with `pulumi config set --secret`. */
export const SECRET_CONFIG_KEYS = CONFIG_KEYS.filter((key) => GEOSTACK_SPEC.args[key].secret);

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

/** GeoStack's args from raw config values, or one error naming every bad key, its value and what is expected. */
export function parseStackConfig(raw: Record<string, string | undefined>): GeoStackArgs {
    const name = (key: string) => `${CONFIG_NAMESPACE}:${key}`;
    const problems: string[] = [];
    const args: Record<string, unknown> = {};
    const unreadable: string[] = [];
    for (const key of Object.keys(raw)) {
        // The value is not shown: a misspelt secret key (`--secret registryPasword`) would print the secret.
        if (!(CONFIG_KEYS as string[]).includes(key))
            problems.push(`${name(key)} is not a GeoStack key (value not shown); GeoStack reads ${CONFIG_KEYS.join(", ")}`);
    }
    for (const key of CONFIG_KEYS) {
        // biome-ignore lint/suspicious/noExplicitAny: only the entry's kind, presence and secrecy are read here
        const entry: Arg<any> = GEOSTACK_SPEC.args[key];
        const given = raw[key];
        if (given === undefined) continue;
        const value = parse(entry.kind, given);
        if (value === undefined) {
            problems.push(`${name(key)} = ${entry.secret ? "(secret, not shown)" : JSON.stringify(given)}: expected ${EXPECTED_KIND[entry.kind]}`);
            unreadable.push(key);
        } else if (!(entry.presence === "optional" && isUnsetDefault(value))) args[key] = value;
    }
    problems.push(...geoStackProblems(args as unknown as GeoStackArgs, name, unreadable));
    if (problems.length > 0) throw new InvalidInputError(problems, "Invalid GeoStack stack configuration");
    return args as unknown as GeoStackArgs;
}

/** Reads this stack's `geostack:*` config from the Pulumi engine. */
export function loadStackConfig(): GeoStackArgs {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    return parseStackConfig(raw);
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
