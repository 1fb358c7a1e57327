"""The DuckDB store: schema, migrations and the only code in dulun that writes SQL.

Open it with `open_writer` (takes the single-writer lock, migrates) or `open_reader`
(read-only, fails clearly when the database does not exist yet).
"""
from store.db import Store, open_reader, open_writer, writer_session

__all__ = ["Store", "open_reader", "open_writer", "writer_session"]
