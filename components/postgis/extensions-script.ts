// The second first-init script of the postgis/postgis container: the optional PostgreSQL extensions GeoStack creates
// in `gis`. Pure module, beside init-script.ts (which creates the roles and the database, and which this one follows).
import type { Check } from "../shared/args";
import { parseImageReference } from "../shared/image-ref";
import { GEOSERVER_DB_ROLE, GIS_DATABASE } from "./init-script";

/** After 20-geostack.sh: the image's entrypoint runs /docker-entrypoint-initdb.d/ in name order. */
export const POSTGIS_EXTENSIONS_SCRIPT_PATH = "/docker-entrypoint-initdb.d/30-extensions.sh";

interface OptionalExtension {
    /** The schemas of its own it creates; the others' objects go into `public`. */
    schemas: readonly string[];
    /** Schemas its functions find their types and tables in only through the search path. */
    searchPath?: readonly string[];
}

/**
 * The optional extensions. postgis/postgis images carry every one but pgrouting, which pgrouting/pgrouting's images
 * (built on them) add.
 */
export const OPTIONAL_EXTENSIONS: Readonly<Record<string, OptionalExtension>> = {
    postgis_raster: { schemas: [] },
    postgis_topology: { schemas: ["topology"] },
    fuzzystrmatch: { schemas: [] },
    // Needs fuzzystrmatch, which CASCADE creates with it; its functions name tiger's types unqualified.
    postgis_tiger_geocoder: { schemas: ["tiger", "tiger_data"], searchPath: ["tiger"] },
    pgrouting: { schemas: [] },
};

export const postgisExtensionList: Check<string[]> = (names) => {
    const unknown = names.filter((name) => !Object.keys(OPTIONAL_EXTENSIONS).includes(name));
    return unknown.length === 0 ? undefined : `names of ${Object.keys(OPTIONAL_EXTENSIONS).join(", ")}; unknown: ${unknown.join(", ")}`;
};

/** Why `image` cannot have one of `extensions`, when that is known from its name. */
export function missingFromImage(image: string, extensions: readonly string[]): string | undefined {
    const repository = parseImageReference(image)?.repository;
    return extensions.includes("pgrouting") && (repository === "postgis/postgis" || repository === "docker.io/postgis/postgis")
        ? `an image with pgRouting for pgrouting: postgis/postgis images have no pgRouting; pgrouting/pgrouting's (e.g. pgrouting/pgrouting:17-3.5-3.8) are built on them and add it`
        : undefined;
}

const sqlList = (names: readonly string[]) => names.map((name) => `'${name}'`).join(", ");

/**
 * Bash script for /docker-entrypoint-initdb.d/, run once on first init as the superuser over the unix socket, after
 * 20-geostack.sh. It refuses before creating anything when the image lacks one of them (a failed init script leaves an
 * initialised cluster that the next start does not init again, so it must fail loudly and first). They are created by
 * the role that owns PostGIS there (20-geostack.sh decides which: the superuser, or a role of its own), so one role
 * owns every extension object and the login role geoserver none; none of them is a trusted extension, so a role other
 * than the superuser is one inside the transaction only. geoserver may then read their schemas, as it reads public.
 */
export function postgisExtensionsScript(extensions: readonly string[]): string {
    const names = [...new Set(extensions)].sort();
    const schemas = names.flatMap((name) => OPTIONAL_EXTENSIONS[name]?.schemas ?? []);
    const searchPath = names.flatMap((name) => OPTIONAL_EXTENSIONS[name]?.searchPath ?? []);
    const grants = schemas
        .map((schema) => `GRANT USAGE ON SCHEMA ${schema} TO ${GEOSERVER_DB_ROLE};\nGRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${GEOSERVER_DB_ROLE};`)
        .join("\n");
    return `#!/usr/bin/env bash
# GeoStack first-init: the optional extensions ${names.join(", ")} in ${GIS_DATABASE}.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" --dbname ${GIS_DATABASE} <<'SQL'
DO $check$
DECLARE
  missing text;
BEGIN
  SELECT string_agg(wanted, ', ') INTO missing FROM unnest(ARRAY[${sqlList(names)}]) AS wanted
    WHERE wanted NOT IN (SELECT name FROM pg_available_extensions);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION '30-extensions.sh: this image has no % extension; nothing was created', missing;
  END IF;
END
$check$;

SELECT pg_get_userbyid(extowner) AS owner FROM pg_extension WHERE extname = 'postgis' \\gset
SELECT CASE WHEN rolsuper THEN 'true' ELSE 'false' END AS owner_is_superuser FROM pg_roles WHERE rolname = :'owner' \\gset

BEGIN;
\\if :owner_is_superuser
\\else
ALTER ROLE :"owner" SUPERUSER;
\\endif
SET LOCAL ROLE :"owner";
${names.map((name) => `CREATE EXTENSION IF NOT EXISTS ${name} CASCADE;`).join("\n")}
RESET ROLE;
\\if :owner_is_superuser
\\else
ALTER ROLE :"owner" NOSUPERUSER;
\\endif
COMMIT;
${grants}${searchPath.length === 0 ? "" : `\nALTER DATABASE ${GIS_DATABASE} SET search_path = "$user", public, ${searchPath.join(", ")};`}
SQL
`;
}
