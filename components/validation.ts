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
    /^\d+\.\d+\.(\d+|x)(-[A-Za-z0-9.]+)?$/.test(value) ? undefined : "a GeoServer release such as 2.28.2 or 3.0.1";

export const isUserName: Check<string> = (value) =>
    /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/.test(value) ? undefined : "a user name of letters, digits, '_', '.', '-', starting with a letter";

export const isTcpPort: Check<number> = (value) =>
    Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : "an integer TCP port from 1 to 65535";

export function isMemoryMb(role: keyof typeof MIN_MEMORY_MB): Check<number> {
    const min = MIN_MEMORY_MB[role];
    return (value) =>
        Number.isInteger(value) && value >= min && value <= 1_048_576 ? undefined : `a whole number of MiB, at least ${min}`;
}
