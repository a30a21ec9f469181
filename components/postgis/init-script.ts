// First-init script for the postgis/postgis container. Pure module: no Pulumi
// imports, so it can be unit-tested and run against a real PostgreSQL.

export const GIS_DATABASE = "gis";
/** Owns `gis`, its schema `public` and the PostGIS extension; nobody logs in as it and no role is its member. */
export const GIS_OWNER_ROLE = "gis_owner";
/** The login role GeoServer (and whoever loads data) uses: its own tables in `gis`, nothing else. */
export const GEOSERVER_DB_ROLE = "geoserver";
/**
 * GeoServer's JNDI pool and a few desktop or loading sessions; the rest of PostgreSQL's 100 connections stay free
 * for maintenance and backups.
 */
export const GEOSERVER_CONNECTION_LIMIT = 40;
/** Names a file holding the geoserver role's password (like the image's own `POSTGRES_PASSWORD_FILE`). */
export const GEOSERVER_DB_PASSWORD_FILE_ENV = "GEOSERVER_DB_PASSWORD_FILE";
export const POSTGIS_INIT_SCRIPT_PATH = "/docker-entrypoint-initdb.d/20-geostack.sh";

/**
 * Bash script for /docker-entrypoint-initdb.d/. The image runs it once, on first init, after its own 10_postgis.sh,
 * as the superuser over the unix socket, while the server listens nowhere else. The content is static: the geoserver
 * password is read from the file GEOSERVER_DB_PASSWORD_FILE names, inside psql, so it is never on a command line or
 * in the environment, and the session stops logging statements before the one that carries it.
 */
export function postgisInitScript(): string {
    return `#!/usr/bin/env bash
# GeoStack first-init: roles ${GIS_OWNER_ROLE} (owner, no login) and ${GEOSERVER_DB_ROLE} (login), database ${GIS_DATABASE} with PostGIS.
set -euo pipefail

password_file="\${${GEOSERVER_DB_PASSWORD_FILE_ENV}:-}"
if [ -z "$password_file" ] || [ ! -r "$password_file" ] || [ ! -s "$password_file" ]; then
  echo "20-geostack.sh: ${GEOSERVER_DB_PASSWORD_FILE_ENV} must name a readable, non-empty file; refusing to create role ${GEOSERVER_DB_ROLE} without a password" >&2
  exit 1
fi
export GEOSTACK_PASSWORD_FILE="$password_file"

psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
-- The password is read here, by psql (its trailing newline dropped), and quoted by psql (:'...'): it appears in no
-- command line, no environment and no shell-spliced SQL.
\\set geoserver_password \`cat "$GEOSTACK_PASSWORD_FILE"\`

-- A failed statement is logged with its text (log_min_error_statement), and so is every statement under
-- log_statement = 'all' or log_min_duration_statement: none of that for the statement holding the password.
SET log_statement = 'none';
SET log_min_error_statement = 'panic';
SET log_min_duration_statement = -1;
CREATE ROLE ${GEOSERVER_DB_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  CONNECTION LIMIT ${GEOSERVER_CONNECTION_LIMIT} PASSWORD :'geoserver_password';
\\unset geoserver_password
RESET log_statement;
RESET log_min_error_statement;
RESET log_min_duration_statement;

CREATE ROLE ${GIS_OWNER_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE ${GIS_DATABASE} OWNER ${GIS_OWNER_ROLE};
REVOKE ALL ON DATABASE ${GIS_DATABASE} FROM PUBLIC;
-- Connect only: no CREATE (no schemas, no extensions) and no TEMPORARY.
GRANT CONNECT ON DATABASE ${GIS_DATABASE} TO ${GEOSERVER_DB_ROLE};

-- Every other database (postgres, template1, the image's template_postgis) is for the superuser alone.
SELECT format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', datname) FROM pg_database WHERE datname <> '${GIS_DATABASE}'
\\gexec

\\connect ${GIS_DATABASE}
ALTER SCHEMA public OWNER TO ${GIS_OWNER_ROLE};
REVOKE ALL ON SCHEMA public FROM PUBLIC;
-- Its tables go in public, beside PostGIS (what GeoServer's stores and ogr2ogr expect): it owns those, and so may
-- read, change and drop them (WFS-T, reloading data), but not the schema, PostGIS or anyone else's tables.
GRANT USAGE, CREATE ON SCHEMA public TO ${GEOSERVER_DB_ROLE};

-- PostGIS is not a trusted extension: ${GIS_OWNER_ROLE} is a superuser only inside this transaction, to create it as
-- its owner (spatial_ref_sys and the functions included).
BEGIN;
ALTER ROLE ${GIS_OWNER_ROLE} SUPERUSER;
SET LOCAL ROLE ${GIS_OWNER_ROLE};
CREATE EXTENSION postgis;
RESET ROLE;
ALTER ROLE ${GIS_OWNER_ROLE} NOSUPERUSER;
COMMIT;
SQL
`;
}
