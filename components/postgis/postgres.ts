/** Facts about PostgreSQL and the postgis/postgis image that the component and its tests rely on. */
import type { Check } from "../shared/args";
import { parseImageReference } from "../shared/image-ref";

export const POSTGRES_PORT = 5432;
export const POSTGRES_SUPERUSER = "postgres";

/** The PostgreSQL major of a `postgis/postgis` style tag (`17-3.5`, `18-3.6-alpine`), or undefined. */
export function postgresMajorOf(image: string): number | undefined {
    const match = parseImageReference(image)?.tag?.match(/^(\d{2})-\d+\.\d+/);
    return match ? Number(match[1]) : undefined;
}

/**
 * The image's postgres user: uid/gid 70 in the alpine variants, 999 in the Debian ones (docker-library/postgres
 * Dockerfiles), as strings for the container's `user` and the uploads' owner.
 */
export function postgresUserOf(image: string): { uid: string; gid: string } {
    const id = /alpine/.test(parseImageReference(image)?.tag ?? "") ? "70" : "999";
    return { uid: id, gid: id };
}

/** PostgreSQL 18 images keep the cluster one level up and refuse to start on a volume at the old path. */
export function postgresDataPath(major: number): string {
    return major >= 18 ? "/var/lib/postgresql" : "/var/lib/postgresql/data";
}

export const postgisImage: Check<string> = (value) => {
    const major = postgresMajorOf(value);
    return major !== undefined && major >= 14
        ? undefined
        : "a postgis/postgis image whose tag starts with the PostgreSQL major, 14 or later (e.g. postgis/postgis:17-3.5)";
};
