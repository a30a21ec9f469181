-- Creates the database a restore goes into, beside the live one. Its owner, encoding, locale and privileges are the
-- live database's (what the deployment set up), or the backup's when there is no live database. geostack-backup runs
-- it connected to postgres, with -v db=<live> -v staging=<new>; $BACKUP_MANIFEST names the backup's manifest.
\set ON_ERROR_STOP on
\set QUIET on
\set manifest `cat "$BACKUP_MANIFEST"`
SELECT format('DROP DATABASE IF EXISTS %I', :'staging') \gexec
CREATE TEMP TABLE properties AS
    SELECT pg_get_userbyid(datdba) AS owner, pg_encoding_to_char(encoding) AS encoding, datcollate AS lc_collate,
           datctype AS lc_ctype, datacl AS acl
    FROM pg_database WHERE datname = :'db'
    UNION ALL
    SELECT d->>'owner', d->>'encoding', d->>'collate', d->>'ctype', nullif(d->>'acl', '')::aclitem[]
    FROM (SELECT :'manifest'::jsonb->'database' AS d) backup
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db');
SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L',
              :'staging', owner, encoding, lc_collate, lc_ctype) FROM properties \gexec
-- Without explicit privileges a database lets PUBLIC connect; explicit ones replace that default.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'staging') FROM properties WHERE acl IS NOT NULL \gexec
SELECT format('GRANT %s ON DATABASE %I TO %s', a.privilege_type, :'staging',
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)
FROM properties, aclexplode(acl) a \gexec
