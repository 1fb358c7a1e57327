"""A transaction that fails reports its own error, even when the ROLLBACK after it fails too; a
transaction opened inside another joins it, so a store function that keeps itself atomic can be one
step of a caller's atomic change (a crawl's batch and the run's count of it)."""
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


def test_a_transaction_inside_another_commits_only_with_the_outer_one():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER)")
    reader = con.cursor()  # another connection to the same database sees only committed rows
    with transaction(con):
        with transaction(con):
            con.execute("INSERT INTO t VALUES (1)")
        assert reader.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
        con.execute("INSERT INTO t VALUES (2)")
    assert reader.execute("SELECT count(*) FROM t").fetchall() == [(2,)]


def test_an_error_after_an_inner_transaction_rolls_its_work_back_too():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER)")
    with pytest.raises(RuntimeError):
        with transaction(con):
            with transaction(con):
                con.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("the run's count could not be written")
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
