-- Compares a restored database with the manifest written when its backup was taken, and prints the verdict as one
-- line of JSON: {"result": "passed" or "failed", "problems": [...], counts}. geostack-backup runs it in the drill's
-- scratch copy and in a database restored for real before that one replaces the live one. The environment names the
-- manifest ($BACKUP_MANIFEST) and this directory ($BACKUP_SQL_DIR). -v same_postgis=off accepts another PostGIS
-- release (a restore into a newer PostgreSQL major brings the newer image's); -v count_invalid=off leaves out the
-- ST_IsValid count, the one check that reads every geometry (a restore of a backup whose drill made it already).
\set ON_ERROR_STOP on
\set QUIET on
\if :{?same_postgis}
\else
\set same_postgis on
\endif
\if :{?count_invalid}
\else
\set count_invalid on
\endif
\set manifest `cat "$BACKUP_MANIFEST"`
\set user_tables `cat "$BACKUP_SQL_DIR/user-tables.sql"`
\set geometry_columns `cat "$BACKUP_SQL_DIR/geometry-columns.sql"`
\set invalid_geometries `cat "$BACKUP_SQL_DIR/invalid-geometries.sql"`
SET client_min_messages = warning;

CREATE TEMP TABLE manifest AS SELECT :'manifest'::jsonb AS m, :'same_postgis'::boolean AS same_postgis;
CREATE TEMP TABLE restored_tables AS :user_tables;
SELECT to_regclass('geometry_columns') IS NOT NULL AS has_postgis \gset
\if :has_postgis
\if :count_invalid
CREATE TEMP TABLE restored_geometry AS SELECT g.*, :invalid_geometries AS invalid FROM (:geometry_columns) g;
\else
CREATE TEMP TABLE restored_geometry AS SELECT g.*, NULL::bigint AS invalid FROM (:geometry_columns) g;
\endif
\else
CREATE TEMP TABLE restored_geometry (schema text, "table" text, "column" text, type text, srid integer, invalid bigint);
\endif

WITH expected_tables AS (
    SELECT t.* FROM manifest, jsonb_to_recordset(m->'tables') AS t(schema text, "table" text, owner text, acl text, rows bigint)
), expected_geometry AS (
    SELECT g.* FROM manifest, jsonb_to_recordset(m->'geometryColumns') AS g(schema text, "table" text, "column" text, type text, srid integer, invalid bigint)
), expected_extensions AS (
    SELECT x.* FROM manifest, jsonb_to_recordset(m->'extensions') AS x(name text, owner text, schema text)
), restored_extensions AS (
    SELECT extname AS name, pg_get_userbyid(extowner) AS owner, extnamespace::regnamespace::text AS schema FROM pg_extension
), restored_postgis AS (
    SELECT (SELECT extversion FROM pg_extension WHERE extname = 'postgis') AS version
), problems(problem) AS (
    SELECT format('%I.%I: backed up, not restored', e.schema, e."table")
    FROM expected_tables e LEFT JOIN restored_tables r USING (schema, "table") WHERE r."table" IS NULL
    UNION ALL
    SELECT format('%I.%I: restored, not in the backup', r.schema, r."table")
    FROM restored_tables r LEFT JOIN expected_tables e USING (schema, "table") WHERE e."table" IS NULL
    UNION ALL
    SELECT format('%I.%I: %s rows restored, %s backed up', schema, "table", r.rows, e.rows)
    FROM expected_tables e JOIN restored_tables r USING (schema, "table") WHERE r.rows <> e.rows
    UNION ALL
    SELECT format('%I.%I: owned by %s, backed up owned by %s', schema, "table", r.owner, e.owner)
    FROM expected_tables e JOIN restored_tables r USING (schema, "table") WHERE r.owner <> e.owner
    UNION ALL
    SELECT format('%I.%I: privileges %s, backed up %s', schema, "table", nullif(r.acl, ''), nullif(e.acl, ''))
    FROM expected_tables e JOIN restored_tables r USING (schema, "table") WHERE r.acl <> e.acl
    UNION ALL
    SELECT format('%I.%I.%I: geometry column backed up, not restored', e.schema, e."table", e."column")
    FROM expected_geometry e LEFT JOIN restored_geometry r USING (schema, "table", "column") WHERE r."column" IS NULL
    UNION ALL
    SELECT format('%I.%I.%I: %s(%s) restored, %s(%s) backed up', schema, "table", "column", r.type, r.srid, e.type, e.srid)
    FROM expected_geometry e JOIN restored_geometry r USING (schema, "table", "column") WHERE (r.type, r.srid) <> (e.type, e.srid)
    UNION ALL
    SELECT format('%I.%I.%I: %s invalid geometries restored (ST_IsValid), %s backed up', schema, "table", "column", r.invalid, e.invalid)
    FROM expected_geometry e JOIN restored_geometry r USING (schema, "table", "column") WHERE r.invalid IS NOT NULL AND r.invalid <> e.invalid
    UNION ALL
    SELECT format('extension %s: %s', e.name, CASE WHEN r.name IS NULL THEN 'backed up, not restored'
                  ELSE format('owned by %s in %s, backed up owned by %s in %s', r.owner, r.schema, e.owner, e.schema) END)
    FROM expected_extensions e LEFT JOIN restored_extensions r USING (name)
    WHERE r.name IS NULL OR (r.owner, r.schema) <> (e.owner, e.schema)
    UNION ALL
    SELECT format('PostGIS %s restored, %s backed up', coalesce(r.version, 'missing'), coalesce(m->'server'->>'postgis', 'missing'))
    FROM manifest, restored_postgis r WHERE same_postgis AND r.version IS DISTINCT FROM m->'server'->>'postgis'
)
SELECT json_build_object(
    'result', CASE WHEN count(*) = 0 THEN 'passed' ELSE 'failed' END,
    'problems', coalesce(json_agg(problem ORDER BY problem), '[]'),
    'tables', (SELECT count(*) FROM restored_tables),
    'rows', (SELECT coalesce(sum(rows), 0) FROM restored_tables),
    'geometryColumns', (SELECT count(*) FROM restored_geometry),
    'invalidGeometries', (SELECT sum(invalid) FROM restored_geometry),
    'postgis', (SELECT version FROM restored_postgis))
FROM problems;
