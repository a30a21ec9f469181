-- Opens the snapshot the dump is taken in, and describes the database as that snapshot sees it: the manifest's row
-- counts and invalid geometries are those of the dump, not of a moment before or after it. geostack-backup runs it
-- with psql against the server, in the background; the environment names the work directory ($BACKUP_WORK) and
-- this directory ($BACKUP_SQL_DIR). It holds the snapshot open until $BACKUP_WORK/dump-done exists.
\set ON_ERROR_STOP on
\set QUIET on
\set user_tables `cat "$BACKUP_SQL_DIR/user-tables.sql"`
\set geometry_columns `cat "$BACKUP_SQL_DIR/geometry-columns.sql"`
\set invalid_geometries `cat "$BACKUP_SQL_DIR/invalid-geometries.sql"`
\set work `printf %s "$BACKUP_WORK"`
-- ST_IsValid reports every invalid geometry as a NOTICE.
SET client_min_messages = warning;
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SELECT pg_export_snapshot() \g (format=unaligned tuples_only=on) :work/snapshot.tmp
-- Renamed once written, so pg_dump never reads half an identifier.
\! mv "$BACKUP_WORK/snapshot.tmp" "$BACKUP_WORK/snapshot"

SELECT to_regclass('geometry_columns') IS NOT NULL AS has_postgis \gset
SELECT json_build_object('name', d.datname, 'owner', pg_get_userbyid(d.datdba), 'encoding', pg_encoding_to_char(d.encoding),
                         'collate', d.datcollate, 'ctype', d.datctype, 'acl', coalesce(d.datacl::text, ''))
FROM pg_database d WHERE d.datname = current_database() \g (format=unaligned tuples_only=on) :work/database.json
SELECT coalesce(json_agg(t ORDER BY t.schema, t."table"), '[]') FROM (:user_tables) t \g (format=unaligned tuples_only=on) :work/tables.json
-- pg_dump leaves out who owns an extension (and its tables, spatial_ref_sys): a restore creates them as these owners.
SELECT json_agg(json_build_object('name', extname, 'owner', pg_get_userbyid(extowner), 'schema', extnamespace::regnamespace::text,
                                  'relocatable', extrelocatable, 'version', extversion) ORDER BY oid)
FROM pg_extension \g (format=unaligned tuples_only=on) :work/extensions.json
\if :has_postgis
SELECT json_build_object('version', current_setting('server_version'),
                         'postgis', (SELECT extversion FROM pg_extension WHERE extname = 'postgis'),
                         'postgisFull', postgis_full_version()) \g (format=unaligned tuples_only=on) :work/server.json
SELECT coalesce(json_agg(c ORDER BY c.schema, c."table", c."column"), '[]')
FROM (SELECT g.*, :invalid_geometries AS invalid FROM (:geometry_columns) g) c \g (format=unaligned tuples_only=on) :work/geometry.json
\else
SELECT json_build_object('version', current_setting('server_version'), 'postgis', NULL, 'postgisFull', NULL) \g (format=unaligned tuples_only=on) :work/server.json
SELECT '[]' \g (format=unaligned tuples_only=on) :work/geometry.json
\endif

\! until [ -e "$BACKUP_WORK/dump-done" ]; do sleep 0.2; done
COMMIT;
