"""A full disk or a read-only database gives one clear sentence, and the file stays readable
with everything committed before. Uses a real small tmpfs mount (skips where mounting is not
allowed: not root, or no mount(8))."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from core.errors import UserError
from store import open_reader, open_writer
from store.documents import upsert_documents
from writer_job import page  # conftest puts tests/ops on sys.path

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 6 MB tmpfs, so 'disk full' is real, and remountable read-only."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount(8) to make a small or read-only file system")
    where = tmp_path / "disk"
    where.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(where)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def count(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
    finally:
        con.close()


def test_a_full_disk_is_one_sentence_and_the_committed_documents_survive(small_disk):
    db = small_disk / "dulun.duckdb"
    with open_writer(db, 1) as store:
        upsert_documents(store.con, [page(i) for i in range(200)])
    with pytest.raises(UserError) as caught:
        with open_writer(db, 1) as store:
            upsert_documents(store.con, [page(i) for i in range(200, 20000)])  # ~30 MB of text on a 6 MB disk
    assert str(caught.value) == (
        f"Writing to database {db} failed: the disk is full; the write was rolled back and "
        "everything committed before is intact."
    )
    assert count(db) == 200
    with open_writer(db, 1) as store:  # and after freeing nothing, a small write still works
        upsert_documents(store.con, [page(i) for i in range(200, 210)])
    assert count(db) == 210


def test_a_full_disk_through_the_cli_exits_2_without_a_traceback(small_disk, tmp_path):
    db = small_disk / "dulun.duckdb"
    with open_writer(db, 1) as store:
        upsert_documents(store.con, [page(i) for i in range(100)])
    filler = small_disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)  # fill to the brim
    config = tmp_path / "dulun.toml"
    config.write_text(f'db_path = "{db}"\nlock_timeout_s = 1\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run([sys.executable, "-m", "dulun", "--config", str(config), "backup", "--out", str(small_disk / "copy.duckdb")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "the disk is full" in result.stderr and "Traceback" not in result.stderr
    assert not (small_disk / "copy.duckdb").exists() and not (small_disk / "copy.duckdb.partial").exists()
    filler.unlink()
    assert count(db) == 100


def test_a_read_only_file_system_refuses_writers_clearly_and_still_serves_readers(small_disk):
    db = small_disk / "dulun.duckdb"
    with open_writer(db, 1) as store:
        upsert_documents(store.con, [page(i) for i in range(50)])
    (small_disk / "dulun.duckdb.lock").unlink()
    remount = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True)
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
    with pytest.raises(UserError) as caught:
        with open_writer(db, 1):
            pass
    assert "the file system is read-only" in str(caught.value)
    with open_reader(db) as store:
        assert store.con.execute("SELECT count(*) FROM documents").fetchall()[0][0] == 50


def test_a_database_file_made_immutable_is_refused_for_writing_in_one_sentence(tmp_path):
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr(1): root ignores file modes, only the immutable flag stops it")
    db = tmp_path / "dulun.duckdb"
    with open_writer(db, 1) as store:
        upsert_documents(store.con, [page(i) for i in range(20)])
    flagged = subprocess.run(["chattr", "+i", str(db)], capture_output=True, text=True)
    if flagged.returncode != 0:
        pytest.skip(f"this file system has no immutable flag: {flagged.stderr.strip()}")
    try:
        with pytest.raises(UserError) as caught:
            with open_writer(db, 1) as store:
                upsert_documents(store.con, [page(i) for i in range(20, 40)])
        assert str(db) in str(caught.value)
        assert "Traceback" not in str(caught.value)
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=False)
    assert count(db) == 20
