import { isIP } from "node:net";
import { MIN_MEMORY_MB } from "./defaults";
import { knownExtensions, releaseLineOf, unknownExtensions } from "./geoserver-extensions";
import { parseImageReference, postgresMajorOf, registryHostOf, traefikVersionOf } from "./images";

/**
 * Checks shared by the stack config and the components' args. Each returns what is expected when the value
 * is wrong, or undefined when it is fine; `requireValid` turns the problems into one error.
 */
export type Check<T> = (value: T) => string | undefined;

export class InvalidInputError extends Error {
    constructor(readonly problems: string[], context: string) {
        super(`${context}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "InvalidInputError";
    }
}

/** Formats one problem: the key, the value as given, and what is expected. */
export function problem(key: string, value: unknown, expected: string): string {
    return `${key} = ${JSON.stringify(value)}: expected ${expected}`;
}

/** Throws one error listing every problem, so nothing is created from a half-valid input. */
export function requireValid(context: string, problems: (string | undefined)[]): void {
    const found = problems.filter((p): p is string => p !== undefined);
    if (found.length > 0) throw new InvalidInputError(found, context);
}

export function check<T>(key: string, value: T, rule: Check<T>): string | undefined {
    const expected = rule(value);
    return expected === undefined ? undefined : problem(key, value, expected);
}

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const isDomain: Check<string> = (value) => {
    const labels = value.split(".");
    const ok = value.length <= 253 && labels.length >= 2 && labels.every((l) => HOST_LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]);
    return ok ? undefined : "a lower-case DNS name such as geostack.example.org (no scheme, port, path or IP address)";
};

export const isImageReference: Check<string> = (value) =>
    parseImageReference(value) ? undefined : "a Docker image reference such as registry/name:tag";

export const isImageRepository: Check<string> = (value) => {
    const ref = parseImageReference(value);
    return ref && ref.tag === undefined && ref.digest === undefined
        ? undefined
        : "a lower-case image repository without tag or digest, such as ghcr.io/<owner>/geoserver";
};

/** A repository the program can push to: the provider needs the registry host in the name. */
export const isPushableRepository: Check<string> = (value) =>
    isImageRepository(value) === undefined && registryHostOf(value) !== undefined
        ? undefined
        : "a repository that starts with its registry host, such as ghcr.io/<owner>/geoserver, to push to";

/** Platforms the official GeoServer image is published for. */
export const IMAGE_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;

export const isImagePlatform: Check<string> = (value) =>
    (IMAGE_PLATFORMS as readonly string[]).includes(value) ? undefined : `one of ${IMAGE_PLATFORMS.join(", ")}`;

export function isExtensionList(geoserverVersion: string): Check<string[]> {
    return (names) => {
        const unknown = unknownExtensions(geoserverVersion, names);
        return unknown.length === 0
            ? undefined
            : `official GeoServer ${releaseLineOf(geoserverVersion)} extension names; unknown: ${unknown.join(", ")}; known: ${knownExtensions(geoserverVersion).join(", ")}`;
    };
}

export const isHttpsUrl: Check<string> = (value) =>
    /^https:\/\/[^\s/$.?#][^\s]*$/.test(value) ? undefined : "an https:// URL, such as https://github.com/<owner>/geostack";

export const isPostgisImage: Check<string> = (value) => {
    const major = postgresMajorOf(value);
    return major !== undefined && major >= 14
        ? undefined
        : "a postgis/postgis image whose tag starts with the PostgreSQL major, 14 or later (e.g. postgis/postgis:17-3.5)";
};

export const isSupportedTraefik: Check<string> = (value) => {
    const version = traefikVersionOf(value);
    const ok = version !== undefined && version[0] === 3 && (version[1] > 6 || (version[1] === 6 && version[2] >= 1));
    return ok ? undefined : "a traefik v3 image pinned to a patch release, v3.6.1 or later (older ones cannot talk to Docker Engine 29+)";
};

export const isGeoserverVersion: Check<string> = (value) =>
    /^\d+\.\d+\.(\d+|x)(-[A-Za-z0-9.]+)?$/.test(value) ? undefined : "a GeoServer release such as 2.28.4 or 3.0.1";

export const isNamePrefix: Check<string> = (value) =>
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(value)
        ? undefined
        : "a prefix for Docker names: letters, digits, '_', '.', '-', starting with a letter or digit (e.g. geostack-dev)";

export const isUserName: Check<string> = (value) =>
    /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/.test(value) ? undefined : "a user name of letters, digits, '_', '.', '-', starting with a letter";

export const isTcpPort: Check<number> = (value) =>
    Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : "an integer TCP port from 1 to 65535";

export function isMemoryMb(role: keyof typeof MIN_MEMORY_MB): Check<number> {
    const min = MIN_MEMORY_MB[role];
    return (value) =>
        Number.isInteger(value) && value >= min && value <= 1_048_576 ? undefined : `a whole number of MiB, at least ${min}`;
}

// Reserved for local use or documentation (RFC 2606, 6761, 6762, 8375, ICANN's .internal): Let's Encrypt cannot
// validate them, so asking it for a certificate only burns rate limit.
const UNCERTIFIABLE_SUFFIXES = ["localhost", "local", "test", "internal", "example", "invalid", "home.arpa"];

/** A DNS name Let's Encrypt can issue a certificate for: public, at least two labels, not an IP address. */
export const isCertifiableDomain: Check<string> = (value) => {
    const reserved = UNCERTIFIABLE_SUFFIXES.find((suffix) => value === suffix || value.endsWith(`.${suffix}`));
    return isDomain(value) === undefined && reserved === undefined
        ? undefined
        : `a public DNS name Let's Encrypt can certify (not an IP address, a single label or a name under .${UNCERTIFIABLE_SUFFIXES.join(", .")}); set tls to false for a laptop`;
};

export const isEmail: Check<string> = (value) =>
    /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(value) ? undefined : "an e-mail address such as admin@example.org";

/** Empty (not needed) or an e-mail address. */
export const isOptionalEmail: Check<string> = (value) => (value === "" ? undefined : isEmail(value));

function isCidr(value: string): boolean {
    const [address, prefix, ...rest] = value.split("/");
    if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
    const bits = address.includes("%") ? 0 : isIP(address);
    return bits !== 0 && Number(prefix) <= (bits === 4 ? 32 : 128);
}

export const isCidrList: Check<string[]> = (value) => {
    const bad = value.filter((entry) => !isCidr(entry));
    return bad.length === 0
        ? undefined
        : `IPv4 or IPv6 ranges in CIDR notation, such as 203.0.113.0/24 or 2001:db8::/32 (not CIDRs: ${bad.map((b) => JSON.stringify(b)).join(", ")})`;
};

export const isRequestRate: Check<number> = (value) =>
    Number.isInteger(value) && value >= 1 && value <= 1_000_000 ? undefined : "a whole number of requests, at least 1";

/** The edge settings whose validity depends on each other. */
export interface EdgeSettings {
    domain: string;
    tls: boolean;
    acmeEmail: string;
    adminAllowlist: string[];
    dashboard: boolean;
}

/**
 * Checks between edge settings; `keyName` turns a setting into the name the user wrote (a config key or an argument).
 * Settings that are missing (or already invalid on their own) are skipped, so each mistake is reported once.
 */
export function edgeCrossKeyProblems(settings: Partial<EdgeSettings>, keyName: (setting: keyof EdgeSettings) => string = (s) => s): (string | undefined)[] {
    const { domain, tls, acmeEmail, adminAllowlist, dashboard } = settings;
    return [
        tls === true && acmeEmail === ""
            ? problem(keyName("acmeEmail"), acmeEmail, `an e-mail address for the Let's Encrypt account, since ${keyName("tls")} is true`)
            : undefined,
        tls === true && domain !== undefined && isDomain(domain) === undefined
            ? check(keyName("domain"), domain, (value: string) => {
                  const expected = isCertifiableDomain(value);
                  return expected && `${expected}, since ${keyName("tls")} is true`;
              })
            : undefined,
        dashboard === true && adminAllowlist !== undefined && adminAllowlist.length === 0
            ? problem(keyName("adminAllowlist"), adminAllowlist, `at least one CIDR, since ${keyName("dashboard")} is true and the dashboard is only served to the admin allowlist`)
            : undefined,
    ];
}

/**
 * Every check of the edge arguments a component was given, on their own and across each other (config.ts runs the
 * same checks per key through CONFIG_KEYS). Arguments left out are not checked.
 */
export function edgeArgumentProblems(args: Partial<EdgeSettings & { rateLimitAverage: number; rateLimitBurst: number }>): (string | undefined)[] {
    const given = <T>(key: string, value: T | undefined, rule: Check<T>) => (value === undefined ? undefined : check(key, value, rule));
    return [
        given("acmeEmail", args.acmeEmail, isOptionalEmail),
        given("adminAllowlist", args.adminAllowlist, isCidrList),
        given("rateLimitAverage", args.rateLimitAverage, isRequestRate),
        given("rateLimitBurst", args.rateLimitBurst, isRequestRate),
        ...edgeCrossKeyProblems(args),
    ];
}
