-- The tables a backup must bring back, each with its owner, its privileges and its row count: every ordinary table
-- (partitions included, their parents not, so no row is counted twice) outside the system schemas. Read by the
-- snapshot the dump is taken in, and again by the drill in the restored copy: the same query on both sides.
SELECT n.nspname AS schema,
       c.relname AS "table",
       pg_get_userbyid(c.relowner) AS owner,
       coalesce(c.relacl::text, '') AS acl,
       -- A count per table in one read-only query: query_to_xml runs the dynamic SELECT without a function of our own.
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS rows
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname <> 'information_schema'
  AND n.nspname !~ '^pg_'
