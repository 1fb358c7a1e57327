"""A transaction that fails reports its own error, even when the ROLLBACK after it fails too."""
import duckdb
import pytest

from store.db import transaction


def test_the_original_error_survives_a_failing_rollback():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER)")
    with pytest.raises(ValueError, match="the real cause"):
        with transaction(con):
            con.execute("INSERT INTO t VALUES (1)")
            con.execute("COMMIT")  # the transaction is gone, so the ROLLBACK on the way out fails
            raise ValueError("the real cause")


def test_an_error_rolls_the_batch_back():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER)")
    with pytest.raises(RuntimeError):
        with transaction(con):
            con.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
