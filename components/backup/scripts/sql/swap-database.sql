-- Swaps a restored database in for the live one. No new session may open on the live database, the open ones end
-- (GeoServer's connection pool reconnects, to the restored one), and both renames commit together. geostack-backup
-- runs it connected to postgres, with -v db=<live> -v staging=<restored> -v previous=<the live one's new name>.
\set ON_ERROR_STOP on
\set QUIET on
SELECT EXISTS (SELECT FROM pg_database WHERE datname = :'db') AS live \gset
\if :live
SELECT format('ALTER DATABASE %I WITH ALLOW_CONNECTIONS false', :'db') \gexec
SELECT set_config('geostack.db', :'db', false), set_config('geostack.staging', :'staging', false),
       set_config('geostack.previous', :'previous', false) \g /dev/null
DO $$
BEGIN
    -- Ending a session takes a moment: the rename is tried until no session is left.
    FOR attempt IN 1..50 LOOP
        PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_setting('geostack.db') AND pid <> pg_backend_pid();
        BEGIN
            EXECUTE format('ALTER DATABASE %I RENAME TO %I', current_setting('geostack.db'), current_setting('geostack.previous'));
            EXIT;
        EXCEPTION WHEN object_in_use THEN
            IF attempt = 50 THEN
                RAISE;
            END IF;
            PERFORM pg_sleep(0.2);
        END;
    END LOOP;
    EXECUTE format('ALTER DATABASE %I RENAME TO %I', current_setting('geostack.staging'), current_setting('geostack.db'));
    EXECUTE format('ALTER DATABASE %I WITH ALLOW_CONNECTIONS true', current_setting('geostack.previous'));
END
$$;
\else
SELECT format('ALTER DATABASE %I RENAME TO %I', :'staging', :'db') \gexec
\endif
