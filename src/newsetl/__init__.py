"""newsetl: scheduled news ingestion into a DuckDB warehouse.

Plain functions over plain data (see `newsetl.models`); the Prefect flows in
`flows/` only orchestrate them.
"""

__version__ = "0.1.0"
