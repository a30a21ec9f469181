-- Creates a backup's extensions in the database a restore goes into, before pg_restore, each as the role that owned
-- it: pg_dump writes CREATE EXTENSION without the owner, so the extension and its tables (PostGIS's spatial_ref_sys)
-- would otherwise become the restoring superuser's. A role that is not a superuser gets SUPERUSER for the one
-- transaction that creates it, as GeoStack's init script does for gis_owner. Run in that database, as a superuser;
-- $BACKUP_MANIFEST names the manifest.
\set ON_ERROR_STOP on
\set QUIET on
\set manifest `cat "$BACKUP_MANIFEST"`
SET client_min_messages = warning;
SELECT CASE WHEN r.rolsuper THEN format('CREATE EXTENSION IF NOT EXISTS %I%s CASCADE', e.name, s.clause)
            ELSE format('BEGIN; ALTER ROLE %1$I SUPERUSER; SET LOCAL ROLE %1$I; CREATE EXTENSION IF NOT EXISTS %2$I%3$s CASCADE; '
                        'RESET ROLE; ALTER ROLE %1$I NOSUPERUSER; COMMIT', e.owner, e.name, s.clause) END
FROM jsonb_array_elements(:'manifest'::jsonb->'extensions') WITH ORDINALITY AS x(extension, n)
CROSS JOIN LATERAL (SELECT x.extension->>'name' AS name, x.extension->>'owner' AS owner, x.extension->>'schema' AS schema,
                           (x.extension->>'relocatable')::boolean AS relocatable) e
JOIN pg_roles r ON r.rolname = e.owner
-- An extension whose control file names its schema creates it; the others go where they were.
CROSS JOIN LATERAL (SELECT CASE WHEN e.relocatable OR to_regnamespace(e.schema) IS NOT NULL THEN format(' SCHEMA %I', e.schema) ELSE '' END AS clause) s
ORDER BY x.n \gexec
