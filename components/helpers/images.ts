/** Pure parsing of Docker image references: what PostGIS major a tag runs, and where that major keeps its data. */

export interface ImageReference {
    repository: string;
    tag?: string;
    digest?: string;
}

const REPOSITORY = /^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses `repository[:tag][@sha256:digest]`; undefined when it is not a valid reference. */
export function parseImageReference(ref: string): ImageReference | undefined {
    const [nameAndTag, digest, ...rest] = ref.split("@");
    if (rest.length > 0 || (digest !== undefined && !DIGEST.test(digest))) return undefined;
    const lastSlash = nameAndTag.lastIndexOf("/");
    const colon = nameAndTag.lastIndexOf(":");
    const hasTag = colon > lastSlash;
    const repository = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
    const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
    if (!REPOSITORY.test(repository) || (tag !== undefined && !TAG.test(tag))) return undefined;
    return { repository, tag, digest };
}

/**
 * The registry host a repository names (`ghcr.io` in `ghcr.io/acme/geoserver`), as Docker reads it: a first path
 * component with a dot or a port, or `localhost`. Undefined for a name without one (Docker Hub, or a local name).
 */
export function registryHostOf(repository: string): string | undefined {
    const slash = repository.indexOf("/");
    if (slash < 0) return undefined;
    const first = repository.slice(0, slash);
    return first.includes(".") || first.includes(":") || first === "localhost" ? first : undefined;
}

/** The PostgreSQL major of a `postgis/postgis` style tag (`17-3.5`, `18-3.6-alpine`), or undefined. */
export function postgresMajorOf(image: string): number | undefined {
    const match = parseImageReference(image)?.tag?.match(/^(\d{2})-\d+\.\d+/);
    return match ? Number(match[1]) : undefined;
}

/** PostgreSQL 18 images keep the cluster one level up and refuse to start on a volume at the old path. */
export function postgresDataPath(major: number): string {
    return major >= 18 ? "/var/lib/postgresql" : "/var/lib/postgresql/data";
}

/** `[major, minor, patch]` of a traefik tag such as `v3.6.26` or `3.6.26`, or undefined when not pinned to a patch. */
export function traefikVersionOf(image: string): [number, number, number] | undefined {
    const match = parseImageReference(image)?.tag?.match(/^v?(\d+)\.(\d+)\.(\d+)$/);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}
