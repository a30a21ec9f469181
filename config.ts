import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
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

/** The keys whose values are secrets (a registry token): set them with `pulumi config set --secret`. */
export const SECRET_CONFIG_KEYS = CONFIG_KEYS.filter((key) => configEntry(key)?.secret);

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

/** What the engine says about the config besides the `geostack:*` values. */
export interface ConfigContext {
    /** The `geostack:` keys (without the namespace) set with `pulumi config set --secret`. */
    secretKeys?: string[];
    /** Every key of other namespaces, in full (`docker:host`), where a misspelt namespace would hide one of ours. */
    otherKeys?: string[];
    /** The stack, and the prefix `<project>-<stack>` every name gets. */
    stack?: { name: string; namePrefix: string };
}

const SECRET_NOT_SHOWN = "(secret, not shown)";

/** The values a secret key may leave in a message or a resource input: the raw text, and each item of a list. */
export function secretValuesOf(raw: Record<string, string | undefined>, secretKeys: string[]): string[] {
    const values = secretKeys.flatMap((key) => {
        const value = raw[key];
        if (value === undefined || value === "") return [];
        const list = parse("array", value);
        return [value, ...(Array.isArray(list) ? list : [])];
    });
    return [...new Set(values.filter((value) => value !== ""))];
}

function redact(problem: string, secrets: string[]): string {
    // Longest first, and each value both as written and as JSON prints it.
    return [...secrets]
        .sort((a, b) => b.length - a.length)
        .reduce((text, secret) => text.split(JSON.stringify(secret)).join(SECRET_NOT_SHOWN).split(secret).join(SECRET_NOT_SHOWN), problem);
}

/** One edit (insert, delete, replace) at a time: how far a namespace is from ours. */
function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
    }
    return previous[b.length];
}

/** A key GeoStack would silently ignore though it was meant for GeoStack: a namespace close to ours, or one of our key names. */
function misplacedKeyProblem(fullKey: string): string | undefined {
    const colon = fullKey.indexOf(":");
    const [namespace, key] = [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
    const ours = (CONFIG_KEYS as string[]).includes(key);
    if (namespace === CONFIG_NAMESPACE || !(ours || editDistance(namespace.toLowerCase(), CONFIG_NAMESPACE) <= 2)) return undefined;
    return `${fullKey} is not read (value not shown): its namespace is "${namespace}", not "${CONFIG_NAMESPACE}"; ${
        ours ? `set ${CONFIG_NAMESPACE}:${key} instead` : `GeoStack reads ${CONFIG_NAMESPACE}:<key> for ${CONFIG_KEYS.join(", ")}`
    }`;
}

/** What a stack's config is read into: the platform, and the args of its component. */
export type PlatformConfig = { platform: "docker"; args: GeoStackArgs } | { platform: "swarm"; args: GeoStackSwarmArgs };

/** The single-host GeoStack's args from raw config values, or one error naming every bad key, its value (never a secret's) and what is expected. */
export function parseStackConfig(raw: Record<string, string | undefined>, context: ConfigContext = {}): GeoStackArgs {
    const config = parsePlatformConfig(raw, context);
    if (config.platform !== "docker")
        throw new InvalidInputError([`${CONFIG_NAMESPACE}:${PLATFORM_KEY} is swarm: read it with parsePlatformConfig`], "Invalid GeoStack stack configuration");
    return config.args;
}

/**
 * The platform and its component's args from raw config values, or one error naming every bad key (never a secret's
 * value). A key the platform does not read must be left unset (or at its default, as Pulumi.yaml passes it): set, it
 * would be ignored.
 */
export function parsePlatformConfig(raw: Record<string, string | undefined>, context: ConfigContext = {}): PlatformConfig {
    const name = (key: string) => `${CONFIG_NAMESPACE}:${key}`;
    const problems: string[] = [];
    const secretKeys = context.secretKeys ?? [];
    const secrets = secretValuesOf(raw, secretKeys);
    const fail = (found: string[]) =>
        new InvalidInputError(
            found.map((p) => redact(p, secrets)),
            "Invalid GeoStack stack configuration",
        );
    const platform = (raw[PLATFORM_KEY] ?? "docker") as Platform;
    if (!PLATFORMS.includes(platform)) {
        const expected = `one of ${PLATFORMS.join(", ")}: docker runs GeoStack on one Docker host, swarm runs GeoStackSwarm on a Docker Swarm`;
        throw fail([problem(name(PLATFORM_KEY), platform, expected)]);
    }
    const read = (platform === "swarm" ? Object.keys(GEOSTACK_SWARM_SPEC.args) : GEOSTACK_KEYS).filter((key) => key !== "namePrefix");
    for (const key of context.otherKeys ?? []) {
        const found = misplacedKeyProblem(key);
        if (found) problems.push(found);
    }
    for (const key of SECRET_CONFIG_KEYS) {
        if (context.secretKeys === undefined || (raw[key] ?? "") === "" || secretKeys.includes(key)) continue;
        const [what, placeholder] = key === "registryPassword" ? ["a registry token", "<token>"] : ["a password or key", "<value>"];
        problems.push(
            `${name(key)} is set in plain text (value not shown): ${what} must be a secret; remove it from the stack file and run pulumi config set --secret ${key} ${placeholder}`,
        );
    }
    if (context.stack !== undefined) {
        const expected = GEOSTACK_SPEC.args.namePrefix.check?.(context.stack.namePrefix);
        if (expected !== undefined) {
            problems.push(
                `the stack name ${JSON.stringify(context.stack.name)} makes the name prefix ${JSON.stringify(context.stack.namePrefix)} (<project>-<stack>): expected ${expected}; use another stack name`,
            );
        }
    }
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
        const isSecret = entry.secret || secretKeys.includes(key);
        if (value === undefined) {
            problems.push(`${name(key)} = ${isSecret ? SECRET_NOT_SHOWN : JSON.stringify(given)}: expected ${EXPECTED_KIND[entry.kind]}`);
            unreadable.push(key);
        } else if (!read.includes(key)) {
            const isDefault = isUnsetDefault(value) || (entry.presence === "default" && JSON.stringify(entry.default) === JSON.stringify(value));
            if (!isDefault)
                problems.push(
                    `${name(key)} = ${isSecret ? SECRET_NOT_SHOWN : JSON.stringify(value)}: expected it unset, since ${name(PLATFORM_KEY)} is ${platform}, which does not read it`,
                );
        } else if (!(entry.presence === "optional" && isUnsetDefault(value))) args[key] = value;
    }
    if (platform === "swarm") {
        const rules = GEOSTACK_SWARM_SPEC.rules.filter((rule) => !rule.keys.some((key) => unreadable.includes(key)));
        problems.push(...resolve({ args: GEOSTACK_SWARM_SPEC.args, rules: rules as Rule<typeof GEOSTACK_SWARM_SPEC.args>[] }, args, name).problems);
    } else problems.push(...geoStackProblems(args as unknown as GeoStackArgs, name, unreadable));
    // A rule may quote any value it judges: none of a secret key's values reaches the message.
    if (problems.length > 0) throw fail(problems);
    return platform === "swarm" ? { platform, args: args as unknown as GeoStackSwarmArgs } : { platform, args: args as unknown as GeoStackArgs };
}

// Not in the SDK's typings, but how its own Config tells a `--secret` value from a plain one.
const isConfigSecret = (runtimeConfig as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;

export type StackConfig = (
    | { platform: "docker"; args: GeoStackArgs & { namePrefix: string } }
    | { platform: "swarm"; args: GeoStackSwarmArgs & { namePrefix: string } }
) & {
    /** The values of the keys set with `--secret`: whatever input or output holds one must stay a secret. */
    secretValues: string[];
};

/** Reads this stack's `geostack:*` config from the Pulumi engine, with its secret keys and the stack's name prefix. */
export function loadStackConfig(): StackConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, string> = {};
    const otherKeys: string[] = [];
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
        else otherKeys.push(key);
    }
    const secretKeys = Object.keys(raw).filter((key) => isConfigSecret(`${prefix}${key}`));
    const namePrefix = `${pulumi.getProject()}-${pulumi.getStack()}`;
    const config = parsePlatformConfig(raw, { secretKeys, otherKeys, stack: { name: pulumi.getStack(), namePrefix } });
    const secretValues = secretValuesOf(raw, secretKeys);
    return config.platform === "swarm"
        ? { platform: "swarm", args: { ...config.args, namePrefix }, secretValues }
        : { platform: "docker", args: { ...config.args, namePrefix }, secretValues };
}

/** Whether a value (a string, or anything holding strings) holds one of `secrets`. */
export function holdsSecret(value: unknown, secrets: string[]): boolean {
    if (typeof value === "string") return secrets.some((secret) => value.includes(secret));
    if (Array.isArray(value)) return value.some((item) => holdsSecret(item, secrets));
    if (typeof value === "object" && value !== null) return Object.values(value).some((item) => holdsSecret(item, secrets));
    return false;
}

function keptSecret(value: unknown, secrets: string[]): pulumi.Output<unknown> {
    const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<string>);
    return output.apply((plain) => (holdsSecret(plain, secrets) ? pulumi.secret(plain) : plain));
}

/**
 * A key set with `--secret` stays a secret whatever the key: every resource input holding its value is a secret in
 * the state (a transformation of GeoStack's, run for it and each of its children before they are registered).
 */
export function keepSecretInputs(secrets: string[]): pulumi.ResourceTransformation {
    return ({ props, opts }) => ({
        props: secrets.length === 0 ? props : Object.fromEntries(Object.entries(props).map(([key, value]) => [key, keptSecret(value, secrets)])),
        opts,
    });
}

/** The component's outputs, each a secret when it holds a `--secret` value (so are the stack outputs read from it). */
export function keepSecretOutputs<T extends object>(component: T, secrets: string[]): T {
    if (secrets.length === 0) return component;
    return new Proxy(component, {
        get: (target, property, receiver) => {
            const value = Reflect.get(target, property, receiver);
            return pulumi.Output.isInstance(value) ? keptSecret(value, secrets) : value;
        },
    });
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
