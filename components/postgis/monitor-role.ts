// Second first-init step of the postgis/postgis container: the monitoring's login role. Pure module, like
// init-script.ts, which it follows (the entrypoint runs /docker-entrypoint-initdb.d/ in name order).

/** postgres_exporter's login: a member of pg_monitor (statistics and settings), able to connect to `postgres` only. */
export const MONITOR_DB_ROLE = "geostack_monitor";
/** The database it connects to: the cluster-wide statistics are visible from any one, and `gis` stays closed to it. */
export const MONITOR_DATABASE = "postgres";
export const MONITOR_CONNECTION_LIMIT = 3;
export const MONITOR_DB_PASSWORD_FILE_ENV = "GEOSTACK_MONITOR_PASSWORD_FILE";
export const MONITOR_ROLE_SCRIPT_PATH = "/docker-entrypoint-initdb.d/30-geostack-monitor.sh";

/**
 * Creates the role on a new cluster whether or not monitoring is on, so turning it on later needs no SQL by hand.
 * The password is read by psql from the file MONITOR_DB_PASSWORD_FILE_ENV names, with statement logging off.
 */
export function monitorRoleScript(): string {
    return `#!/usr/bin/env bash
# GeoStack first-init: the monitoring role ${MONITOR_DB_ROLE} (pg_monitor, connects to ${MONITOR_DATABASE} only).
set -euo pipefail

password_file="\${${MONITOR_DB_PASSWORD_FILE_ENV}:-}"
if [ -z "$password_file" ] || [ ! -r "$password_file" ] || [ ! -s "$password_file" ]; then
  echo "30-geostack-monitor.sh: ${MONITOR_DB_PASSWORD_FILE_ENV} must name a readable, non-empty file; refusing to create role ${MONITOR_DB_ROLE} without a password" >&2
  exit 1
fi
export GEOSTACK_PASSWORD_FILE="$password_file"

psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\\set monitor_password \`cat "$GEOSTACK_PASSWORD_FILE"\`
SET log_statement = 'none';
SET log_min_error_statement = 'panic';
SET log_min_duration_statement = -1;
CREATE ROLE ${MONITOR_DB_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  CONNECTION LIMIT ${MONITOR_CONNECTION_LIMIT} PASSWORD :'monitor_password';
\\unset monitor_password
RESET log_statement;
RESET log_min_error_statement;
RESET log_min_duration_statement;
GRANT pg_monitor TO ${MONITOR_DB_ROLE};
-- 20-geostack.sh revoked CONNECT on every database but gis from PUBLIC; this role gets back ${MONITOR_DATABASE} alone.
GRANT CONNECT ON DATABASE ${MONITOR_DATABASE} TO ${MONITOR_DB_ROLE};
SQL
`;
}
