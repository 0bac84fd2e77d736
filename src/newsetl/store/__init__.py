"""Storage: the DuckDB warehouse (schema, migrations, loads, runs, ledgers), the rows
an article becomes, and what reads the warehouse back (search, export, report).

It may import `newsetl.models`, `newsetl.urls` and `newsetl.archive` (item
hashes), never extraction or the web.
"""
