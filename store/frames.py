"""Handing a DataFrame or an Arrow table to one set-based statement (kept apart from `store.db`
so that every store module can use it, `store.corrections` included, which `store.db` imports)."""
from __future__ import annotations

import duckdb


def register(con: duckdb.DuckDBPyConnection, name: str, frame) -> None:
    """Register a DataFrame or Arrow table for one set-based statement. DuckDB 2 refuses while
    an earlier statement's result is unfinished (fetchone() leaves it so, e.g. in migrations),
    so a trivial fully fetched query closes it first."""
    con.execute("SELECT 1").fetchall()
    con.register(name, frame)
