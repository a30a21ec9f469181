import * as pulumi from "@pulumi/pulumi";
import {
    DEFAULT_GEOSERVER_ADMIN_USER,
    DEFAULT_GEOSERVER_VERSION,
    DEFAULT_IMAGE_PLATFORM,
    DEFAULT_IMAGE_REPOSITORY,
    DEFAULT_MEMORY_MB,
    DEFAULT_POSTGIS_IMAGE,
    DEFAULT_RATE_LIMIT,
    DEFAULT_TRAEFIK_IMAGE,
} from "./components/helpers/defaults";
import {
    Check,
    check,
    edgeCrossKeyProblems,
    isCidrList,
    isDomain,
    isExtensionList,
    isGeoserverVersion,
    isHttpsUrl,
    isImagePlatform,
    isImageReference,
    isImageRepository,
    isMemoryMb,
    isOptionalEmail,
    isPostgisImage,
    isRequestRate,
    isPushableRepository,
    isSupportedTraefik,
    isTcpPort,
    isUserName,
    problem,
    requireValid,
} from "./components/helpers/validation";

export const CONFIG_NAMESPACE = "geostack";

/** The stack configuration, validated and typed; every key is declared with the same default in Pulumi.yaml. */
export interface StackConfig {
    domain: string;
    geoserverVersion: string;
    postgisImage: string;
    traefikImage: string;
    geoserverAdminUser: string;
    /** Undefined when 0 (the default): PostGIS is not published at all. */
    publishDatabasePort?: number;
    protectData: boolean;
    postgisMemoryMb: number;
    geoserverMemoryMb: number;
    traefikMemoryMb: number;
    tls: boolean;
    /** Empty when not given; required (checked) when `tls`. */
    acmeEmail: string;
    acmeStaging: boolean;
    adminAllowlist: string[];
    rateLimitAverage: number;
    rateLimitBurst: number;
    dashboard: boolean;
    /** Where the GeoServer image is built into (and pushed to, with pushImage). */
    imageRepository: string;
    pushImage: boolean;
    /** Undefined when empty. */
    registryUsername?: string;
    /** A Pulumi secret; undefined when empty. */
    registryPassword?: pulumi.Output<string>;
    geoserverExtensions: string[];
    imagePlatform: string;
    /** A prebuilt image to run instead of building one; undefined when empty (the default: build). */
    geoserverImage?: string;
    /** Undefined when empty. */
    imageSource?: string;
}

const isPublishPort: Check<number> = (value) =>
    value === 0 || isTcpPort(value) === undefined ? undefined : "0 (publish nothing) or a TCP port from 1 to 65535, bound to 127.0.0.1";

const emptyOr =
    (rule: Check<string>): Check<string> =>
    (value) =>
        value === "" || rule(value) === undefined ? undefined : `"" or ${rule(value)}`;

const isToken: Check<string> = (value) => (/^\S*$/.test(value) ? undefined : "no whitespace");

type Kind = "string" | "integer" | "boolean" | "array";
interface KeySpec {
    kind: Kind;
    /** Undefined: the key is required. */
    default?: string | number | boolean | string[];
    check?: Check<any>;
    /**
     * The program handles the value as a Pulumi secret, and never prints it. Pulumi.yaml does not declare such a key
     * `secret: true`: Pulumi then rejects its plaintext default "" in every stack that leaves it unset (dev).
     */
    secret?: boolean;
}

/** Every `geostack:*` key the program reads. A test holds Pulumi.yaml's declarations equal to this table. */
export const CONFIG_KEYS: Record<keyof StackConfig, KeySpec> = {
    domain: { kind: "string", check: isDomain },
    geoserverVersion: { kind: "string", default: DEFAULT_GEOSERVER_VERSION, check: isGeoserverVersion },
    postgisImage: { kind: "string", default: DEFAULT_POSTGIS_IMAGE, check: isPostgisImage },
    traefikImage: { kind: "string", default: DEFAULT_TRAEFIK_IMAGE, check: isSupportedTraefik },
    geoserverAdminUser: { kind: "string", default: DEFAULT_GEOSERVER_ADMIN_USER, check: isUserName },
    publishDatabasePort: { kind: "integer", default: 0, check: isPublishPort },
    protectData: { kind: "boolean", default: false },
    postgisMemoryMb: { kind: "integer", default: DEFAULT_MEMORY_MB.postgis, check: isMemoryMb("postgis") },
    geoserverMemoryMb: { kind: "integer", default: DEFAULT_MEMORY_MB.geoserver, check: isMemoryMb("geoserver") },
    traefikMemoryMb: { kind: "integer", default: DEFAULT_MEMORY_MB.traefik, check: isMemoryMb("traefik") },
    tls: { kind: "boolean", default: false },
    acmeEmail: { kind: "string", default: "", check: isOptionalEmail },
    acmeStaging: { kind: "boolean", default: false },
    adminAllowlist: { kind: "array", default: [], check: isCidrList },
    rateLimitAverage: { kind: "integer", default: DEFAULT_RATE_LIMIT.average, check: isRequestRate },
    rateLimitBurst: { kind: "integer", default: DEFAULT_RATE_LIMIT.burst, check: isRequestRate },
    dashboard: { kind: "boolean", default: false },
    imageRepository: { kind: "string", default: DEFAULT_IMAGE_REPOSITORY, check: isImageRepository },
    pushImage: { kind: "boolean", default: false },
    registryUsername: { kind: "string", default: "", check: isToken },
    registryPassword: { kind: "string", default: "", secret: true },
    geoserverExtensions: { kind: "array", default: [] },
    imagePlatform: { kind: "string", default: DEFAULT_IMAGE_PLATFORM, check: isImagePlatform },
    geoserverImage: { kind: "string", default: "", check: emptyOr(isImageReference) },
    imageSource: { kind: "string", default: "", check: emptyOr(isHttpsUrl) },
};

function parse(kind: Kind, raw: string): string | number | boolean | string[] | undefined {
    const text = raw.trim();
    if (kind === "string") return raw;
    if (kind === "array") {
        // The engine passes a YAML list as JSON text.
        try {
            const list: unknown = JSON.parse(text);
            return Array.isArray(list) && list.every((item) => typeof item === "string") ? list : undefined;
        } catch {
            return undefined;
        }
    }
    if (kind === "boolean") return text === "true" ? true : text === "false" ? false : undefined;
    return /^-?\d+$/.test(text) ? Number(text) : undefined;
}

const EXPECTED_KIND: Record<Kind, string> = { string: "a string", integer: "a whole number", boolean: "true or false", array: "a list of strings" };

/**
 * Validates raw `geostack:*` values (as the Pulumi engine passes them: strings) and returns the typed config,
 * or throws one error naming every bad key, its value and what is expected.
 */
export function parseStackConfig(raw: Record<string, string | undefined>): StackConfig {
    const problems: (string | undefined)[] = [];
    const values: Record<string, unknown> = {};
    const known = Object.keys(CONFIG_KEYS);
    for (const key of Object.keys(raw)) {
        // The value is not shown: a misspelt secret key (`--secret registryPasword`) would print the secret.
        if (!known.includes(key)) problems.push(`${CONFIG_NAMESPACE}:${key} is not a GeoStack key (value not shown); GeoStack reads ${known.join(", ")}`);
    }
    for (const [key, spec] of Object.entries(CONFIG_KEYS) as [string, KeySpec][]) {
        const fullKey = `${CONFIG_NAMESPACE}:${key}`;
        const given = raw[key];
        if (given === undefined) {
            if (spec.default === undefined) problems.push(`${fullKey} is required (set it with \`pulumi config set ${key} <value>\`)`);
            values[key] = spec.default;
            continue;
        }
        const value = parse(spec.kind, given);
        if (value === undefined) {
            problems.push(problem(fullKey, spec.secret ? "(secret)" : given, EXPECTED_KIND[spec.kind]));
            continue;
        }
        const keyProblem = spec.check && check(fullKey, value, spec.check);
        problems.push(keyProblem);
        // A value wrong on its own is not checked against the others, so each mistake is reported once.
        if (!keyProblem) values[key] = value;
    }
    problems.push(...edgeCrossKeyProblems(values, (key) => `${CONFIG_NAMESPACE}:${key}`), ...crossKeyProblems(values));
    requireValid("Invalid GeoStack stack configuration (nothing was created)", problems);
    const config = values as unknown as Record<keyof StackConfig, any>;
    return {
        ...config,
        publishDatabasePort: config.publishDatabasePort || undefined,
        registryUsername: config.registryUsername || undefined,
        registryPassword: config.registryPassword ? pulumi.secret(config.registryPassword as string) : undefined,
        geoserverImage: config.geoserverImage || undefined,
        imageSource: config.imageSource || undefined,
    };
}

/** Checks that involve several keys; a key whose own value was bad is left out of them. */
function crossKeyProblems(values: Record<string, any>): (string | undefined)[] {
    const key = (name: keyof StackConfig) => `${CONFIG_NAMESPACE}:${name}`;
    const has = (name: keyof StackConfig) => values[name] !== undefined;
    const problems: (string | undefined)[] = [];
    if (has("geoserverExtensions") && has("geoserverVersion")) {
        problems.push(check(key("geoserverExtensions"), values.geoserverExtensions, isExtensionList(values.geoserverVersion)));
    }
    if (values.pushImage === true) {
        const missing = (["registryUsername", "registryPassword"] as const).filter((name) => has(name) && values[name] === "");
        if (missing.length > 0) {
            problems.push(
                problem(key("pushImage"), true, `${missing.map(key).join(" and ")} to be set: the registry login (see README, "Logging in to ghcr.io")`),
            );
        }
        if (has("imageRepository")) problems.push(check(key("imageRepository"), values.imageRepository, isPushableRepository));
    }
    if (values.geoserverImage) {
        if (values.pushImage === true) problems.push(problem(key("pushImage"), true, `false when ${key("geoserverImage")} is set: nothing is built`));
        if (values.geoserverExtensions?.length > 0) {
            problems.push(
                problem(key("geoserverExtensions"), values.geoserverExtensions, `[] when ${key("geoserverImage")} is set: extensions are baked in at build time`),
            );
        }
    }
    return problems;
}

/** Reads this stack's `geostack:*` config from the Pulumi engine and validates it. */
export function loadStackConfig(): StackConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    return parseStackConfig(raw);
}
