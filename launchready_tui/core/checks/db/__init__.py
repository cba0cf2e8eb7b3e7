"""The `data` family: check kinds that read a real PostgreSQL (stage 4 and stage 5).

Shared parts, private to the family: `_connect` (where the URL comes from and a
read-only, time-bounded session), `_sql` (pglast: literals removed, columns a statement
filters, joins and orders by), `_stats` (pg_stat_statements and table statistics),
`_plan` (generic-plan EXPLAIN and HypoPG proof). One module per kind: `queries`,
`indexes`, `route_queries`, `cache`, `access`. None of them ever writes.
"""
