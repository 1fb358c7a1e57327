"""One writer at a time: a second writer waits, then says clearly who holds the database."""
import os

import pytest

from core.errors import UserError
from store import open_reader, open_writer
from store.db import WriterLock


def test_a_second_writer_gives_up_with_a_clear_sentence(tmp_path):
    db = tmp_path / "dulun.duckdb"
    holder = WriterLock(db, timeout_s=0)
    holder.acquire()
    try:
        with pytest.raises(UserError, match=rf"Another dulun process \(pid {os.getpid()}\) is writing"):
            with open_writer(db, lock_timeout_s=0.3):
                pass
    finally:
        holder.release()
    with open_writer(db, lock_timeout_s=0.3) as store:  # free again
        assert store.con.execute("SELECT 1").fetchone() == (1,)


def test_reading_a_missing_database_says_what_to_do(tmp_path):
    with pytest.raises(UserError, match="No database at .*run `dulun init`"):
        with open_reader(tmp_path / "nothing.duckdb"):
            pass
