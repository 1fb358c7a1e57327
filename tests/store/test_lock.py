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


def test_a_session_opens_the_file_per_batch_unless_kept_open_for_a_replay(tmp_path):
    """Per batch, readers get in between; a replay nobody reads keeps one connection, holds the
    lock throughout and leaves every batch's rows committed."""
    from store.db import writer_session

    db = tmp_path / "dulun.duckdb"
    with writer_session(db, lock_timeout_s=0.3) as session:
        with session.batch() as first:
            pass
        with session.batch() as second:
            pass
        assert first is not second
        with open_reader(db) as reader:  # the file is closed between batches
            assert reader.con.execute("SELECT 1").fetchone() == (1,)
    with writer_session(db, lock_timeout_s=0.3, keep_open=True) as session:
        with session.batch() as first:
            first.execute("CREATE TABLE t (x INTEGER)")
        with session.batch() as second:
            second.execute("INSERT INTO t VALUES (1)")
        assert first is second
        with pytest.raises(UserError, match="Another dulun process"):
            with open_writer(db, lock_timeout_s=0.1):
                pass
    with open_reader(db) as reader:
        assert reader.con.execute("SELECT x FROM t").fetchall() == [(1,)]
