"""Fingerprints of the keys the stored data depends on (key_fingerprints), never the keys."""
from __future__ import annotations

import duckdb


def recorded_fingerprint(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    rows = con.execute("SELECT fingerprint FROM key_fingerprints WHERE name = ?", [name]).fetchall()
    return rows[0][0] if rows else None


def record_fingerprint(con: duckdb.DuckDBPyConnection, name: str, fingerprint: str) -> None:
    """Remember the first key's fingerprint; an existing record is never replaced."""
    con.execute("INSERT INTO key_fingerprints VALUES (?, ?, now()) ON CONFLICT (name) DO NOTHING", [name, fingerprint])
