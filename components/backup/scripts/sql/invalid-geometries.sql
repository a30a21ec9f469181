-- An expression: how many values of the geometry column g (a row of geometry-columns.sql) ST_IsValid rejects.
(xpath('/row/n/text()',
       query_to_xml(format('SELECT count(*) AS n FROM %I.%I WHERE NOT ST_IsValid(%I)', g.schema, g."table", g."column"),
                    false, true, '')))[1]::text::bigint
