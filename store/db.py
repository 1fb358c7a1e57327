"""Connections, the single-writer lock and numbered migrations.

DuckDB lets one process write a database file at a time. Every writing command goes through
`open_writer`, which first takes an advisory lock on `<db>.lock` (waiting up to the settings'
`lock_timeout_s`), so a second writer waits, then exits with one clear sentence. Readers
(digests from the CLI, notebooks) use `open_reader`, which never writes.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterator

import duckdb

from dulun.errors import UserError

TIMEZONE = "Asia/Ho_Chi_Minh"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The first column of the first row. Reads the whole result: DuckDB 2 refuses further work
    (register, sql) on a connection whose last result was only partly fetched."""
    result = con.execute(sql, params or []).fetchall()
    return result[0][0] if result else None


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def available_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("store.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def latest_version() -> int:
    return available_migrations()[-1].version


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
    if not exists:
        return 0
    return scalar(con, "SELECT coalesce(max(version), 0) FROM schema_version")


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None) -> list[int]:
    """Apply every migration above the current version (up to `target`); returns those applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    current = schema_version(con)
    applied = []
    for migration in available_migrations():
        if migration.version <= current or (target is not None and migration.version > target):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, now())", [migration.version, migration.name]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied


def _configure(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute(f"SET TimeZone = '{TIMEZONE}'")
    return con


class WriterLock:
    """An advisory file lock next to the database: one writing dulun process at a time."""

    def __init__(self, db_path: Path, timeout_s: float):
        self.path = Path(str(db_path) + ".lock")
        self.timeout_s = timeout_s
        self._fh = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+")
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fh)
                    fh.close()
                    raise UserError(
                        f"Another dulun process{holder} is writing to {self.path.with_suffix('')}; "
                        f"waited {self.timeout_s:g} s, try again when it finishes."
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def _read_holder(fh) -> str:
    fh.seek(0)
    pid = fh.read().strip()
    return f" (pid {pid})" if pid.isdigit() else ""


@dataclass
class Store:
    """An open database: `con` for the store's functions, `path` for messages."""

    con: duckdb.DuckDBPyConnection
    path: Path
    read_only: bool
    _lock: WriterLock | None = field(default=None, repr=False)

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            if self._lock is not None:
                self._lock.release()


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return _configure(duckdb.connect(str(path), read_only=read_only))
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" in message.lower():
            raise UserError(f"Database {path} is busy in another process; try again shortly.") from None
        if "read-only" in message.lower() or "permission" in message.lower():
            raise UserError(f"Database {path} cannot be opened for writing: {message.splitlines()[0]}") from None
        raise UserError(f"Database {path} cannot be opened: {message.splitlines()[0]}") from None


@contextlib.contextmanager
def open_writer(path: Path, lock_timeout_s: float = 30.0, migrate_to_latest: bool = True) -> Iterator[Store]:
    """The one writing connection: takes the writer lock, migrates, and releases both on exit."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = WriterLock(path, lock_timeout_s)
    lock.acquire()
    try:
        con = _connect(path, read_only=False)
    except BaseException:
        lock.release()
        raise
    store = Store(con=con, path=path, read_only=False, _lock=lock)
    try:
        if migrate_to_latest:
            migrate(con)
        yield store
        con.execute("CHECKPOINT")
    finally:
        store.close()


@contextlib.contextmanager
def open_reader(path: Path) -> Iterator[Store]:
    """A read-only connection; a missing or unmigrated database is a clear user error."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"No database at {path}; run `dulun init` (or `dulun demo`) first.")
    store = Store(con=_connect(path, read_only=True), path=path, read_only=True)
    try:
        if schema_version(store.con) < latest_version():
            raise UserError(f"Database {path} is at an older schema; run `dulun init` to migrate it.")
        yield store
    finally:
        store.close()
