/** Pure parsing of Docker image references. */

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
