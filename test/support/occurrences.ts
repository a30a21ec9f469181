import { isSecret } from "../../tools/render/mocks";

export interface Occurrence {
    /** Where in the value, e.g. `registry.password`. */
    path: string;
    /** Whether it sits inside a Pulumi secret (and so is encrypted in state). */
    secret: boolean;
}

/** Every string inside `value` (inputs as the engine got them, secret markers kept) that contains `needle`. */
export function occurrences(value: unknown, needle: string, path = "", secret = false): Occurrence[] {
    if (isSecret(value)) return occurrences(value.value, needle, path, true);
    if (typeof value === "string") return value.includes(needle) ? [{ path, secret }] : [];
    if (Array.isArray(value)) return value.flatMap((item, i) => occurrences(item, needle, `${path}[${i}]`, secret));
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, item]) => occurrences(item, needle, path ? `${path}.${key}` : key, secret));
    }
    return [];
}
