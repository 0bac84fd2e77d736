"""The pipeline: what the flows in `flows/` call.

Joins the domains: an item is extracted (`page`) and enriched (`enrich`),
turned into rows and loaded (`store`); archive files are read (`archive`)
and web sources fetched (`web`). Plain functions over dataclasses, no
Prefect at import time. It may import every domain package; nothing but
`newsetl.cli` and `flows/` imports it.
"""
