-- Every geometry column of an ordinary table, with its declared type and SRID and how many of its values
-- ST_IsValid rejects. Needs PostGIS in the search path (the callers check that it is installed).
SELECT g.f_table_schema::text AS schema,
       g.f_table_name::text AS "table",
       g.f_geometry_column::text AS "column",
       g.type::text AS type,
       g.srid AS srid,
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM %I.%I WHERE NOT ST_IsValid(%I)',
                                  g.f_table_schema, g.f_table_name, g.f_geometry_column), false, true, '')))[1]::text::bigint AS invalid
FROM geometry_columns g
JOIN pg_namespace n ON n.nspname = g.f_table_schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = g.f_table_name
WHERE c.relkind = 'r'
