-- Creates the database a restore goes into, beside the live one, as the backup's was: owner, encoding, locale and
-- privileges from its manifest (the roles they name exist: the backup's globals are replayed first). geostack-backup
-- runs it connected to postgres, with -v staging=<name>; $BACKUP_MANIFEST names the backup's manifest.
\set ON_ERROR_STOP on
\set QUIET on
\set manifest `cat "$BACKUP_MANIFEST"`
SELECT format('DROP DATABASE IF EXISTS %I', :'staging') \gexec
CREATE TEMP TABLE properties AS
    SELECT d->>'owner' AS owner, d->>'encoding' AS encoding, d->>'collate' AS lc_collate, d->>'ctype' AS lc_ctype,
           nullif(d->>'acl', '')::aclitem[] AS acl
    FROM (SELECT :'manifest'::jsonb->'database' AS d) backup;
SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L',
              :'staging', owner, encoding, lc_collate, lc_ctype) FROM properties \gexec
-- Without explicit privileges a database lets PUBLIC connect; explicit ones replace that default.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'staging') FROM properties WHERE acl IS NOT NULL \gexec
SELECT format('GRANT %s ON DATABASE %I TO %s', a.privilege_type, :'staging',
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)
FROM properties, aclexplode(acl) a \gexec
