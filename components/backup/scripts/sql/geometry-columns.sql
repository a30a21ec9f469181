-- Every geometry column of an ordinary table, with its declared type and SRID. Needs PostGIS (the callers check that
-- it is installed); invalid-geometries.sql counts what ST_IsValid rejects in each.
SELECT g.f_table_schema::text AS schema,
       g.f_table_name::text AS "table",
       g.f_geometry_column::text AS "column",
       g.type::text AS type,
       g.srid AS srid
FROM geometry_columns g
JOIN pg_namespace n ON n.nspname = g.f_table_schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = g.f_table_name
WHERE c.relkind = 'r'
