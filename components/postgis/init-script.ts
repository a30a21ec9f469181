// First-init script for the postgis/postgis container. Pure module: no Pulumi
// imports, so it can be unit-tested and run against a real PostgreSQL.

export const GIS_DATABASE = "gis";
export const GEOSERVER_DB_ROLE = "geoserver";
export const GEOSERVER_DB_PASSWORD_ENV = "GEOSERVER_DB_PASSWORD";
export const POSTGIS_INIT_SCRIPT_PATH = "/docker-entrypoint-initdb.d/20-geostack.sh";

/**
 * Bash script for /docker-entrypoint-initdb.d/. The image runs it once, on
 * first init, after its own 10_postgis.sh, while the server listens only on
 * its unix socket. The content is static: the geoserver password comes from
 * the container env var GEOSERVER_DB_PASSWORD at run time.
 */
export function postgisInitScript(): string {
    return `#!/usr/bin/env bash
# GeoStack first-init: role ${GEOSERVER_DB_ROLE}, database ${GIS_DATABASE} with PostGIS.
set -euo pipefail

if [ -z "\${${GEOSERVER_DB_PASSWORD_ENV}:-}" ]; then
  echo "20-geostack.sh: ${GEOSERVER_DB_PASSWORD_ENV} is empty or unset; refusing to create role ${GEOSERVER_DB_ROLE} without a password" >&2
  exit 1
fi

# The password goes in as a psql variable and psql quotes it (:'geoserver_password'),
# so bash never splices it into SQL text; the heredoc is quoted for the same reason.
psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password \\
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \\
  -v geoserver_password="$${GEOSERVER_DB_PASSWORD_ENV}" <<'SQL'
CREATE ROLE ${GEOSERVER_DB_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'geoserver_password';

-- As owner, ${GEOSERVER_DB_ROLE} also owns schema public there (pg_database_owner),
-- so it can create its tables without further grants.
CREATE DATABASE ${GIS_DATABASE} OWNER ${GEOSERVER_DB_ROLE};
REVOKE CONNECT, TEMPORARY ON DATABASE ${GIS_DATABASE} FROM PUBLIC;
GRANT CONNECT ON DATABASE ${GIS_DATABASE} TO ${GEOSERVER_DB_ROLE};

-- ${GIS_DATABASE} is cloned from template1, which 10_postgis.sh leaves without PostGIS;
-- creating the extension needs the superuser.
\\connect ${GIS_DATABASE}
CREATE EXTENSION IF NOT EXISTS postgis;
SQL
`;
}
