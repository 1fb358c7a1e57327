"""Connections, the single-writer lock and numbered migrations.

DuckDB lets one process write a database file at a time. Every writing command goes through
`open_writer`, which first takes an advisory lock on `<db>.lock` (waiting up to the settings'
`lock_timeout_s`), so a second writer waits, then exits with one clear sentence. Readers
(digests from the CLI, notebooks) use `open_reader`, which never writes.

DuckDB also refuses a read-only connection from another process while a writer has the file
open, so `open_reader` retries for a few seconds and then says which process is writing. Long
jobs (a crawl) therefore use `writer_session`: the lock for the whole job, the file only for
each short batch, so readers (the workbench's pages, `dulun status`) get in between batches.
The advisory lock is an flock: the kernel drops it when its holder dies, even on kill -9, so
a crashed writer never leaves a stale lock.

Every writer, when it opens the file, first applies the workbench's queued corrections
(`store.corrections`): a correction made while a crawl held the writer is saved by whoever
writes next.

Disk trouble (a full disk, a read-only file or mount) becomes one UserError sentence. DuckDB
commits through its write-ahead log, so a failed or killed write leaves the file as it was at
the last commit; the next writer replays the log. A damaged file (truncated, a block
overwritten, not a DuckDB file at all) is one sentence too, saying what to do.

Commands that only read or compute open with `create=False` (or `open_reader`): a missing
database means `dulun init` was never run or the data folder is mistyped, and an empty
database created there would make every answer a silent "nothing found".
"""
from __future__ import annotations

import contextlib
import errno
import logging
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterator

import duckdb

from core.errors import UserError
from core.filelock import FileLock
from core.timeutil import TIMEZONE
from store import corrections
from store.frames import register  # noqa: F401  (the store modules import it from here)
from store.current import current_enrichments_sql

READER_WAIT_S = 10.0
DatabaseError = duckdb.Error  # what callers outside the store catch, without importing DuckDB
_LOG = logging.getLogger(__name__)
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


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK on any error. A failing ROLLBACK (the transaction is already
    gone, e.g. after a failed COMMIT on a full disk) must not hide the error that caused it.

    Inside a caller's transaction it joins that one: the caller's COMMIT or ROLLBACK covers this
    work too, so a store function that keeps itself atomic can also be one step of a larger
    atomic change (a crawl's batch and the run's count of it)."""
    if in_transaction(con):
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """True inside an explicit BEGIN: there every statement shares one transaction id, while in
    autocommit each gets its own. (A second BEGIN would tell too, but it aborts the transaction
    it finds, and DuckDB's Python API does not say whether one is open.)"""
    first, second = (con.execute("SELECT txid_current()").fetchall()[0][0] for _ in range(2))
    return first == second


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
        with transaction(con):
            con.execute(_with_definitions(migration.sql))
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, now())", [migration.version, migration.name]
            )
        applied.append(migration.version)
    return applied


def _with_definitions(sql: str) -> str:
    """A migration may name a definition kept in code: `{{current_enrichments}}`."""
    return sql.replace("{{current_enrichments}}", current_enrichments_sql())


# What DuckDB says when the file itself is damaged (checked in lower case).
_DAMAGE_MARKERS = ("corrupt database file", "could not read enough bytes", "not a valid duckdb database file",
                   "failure while replaying wal")


def damage(exc: BaseException) -> str | None:
    """DuckDB's first line when `exc` says the database file is damaged, else None."""
    text = str(exc)
    if isinstance(exc, duckdb.Error) and any(marker in text.lower() for marker in _DAMAGE_MARKERS):
        return text.splitlines()[0] if text else type(exc).__name__
    return None


def damaged_database(path: Path, detail: str) -> UserError:
    return UserError(
        f"Database {path} is damaged ({detail.rstrip('.')}); restore the last good copy made by `dulun backup` "
        f"(in {Path(path).parent / 'backups'} unless you chose --out) in its place, or move it aside and run "
        "`dulun init` to start an empty one."
    )


def require_database(path: Path) -> None:
    """A command that reads or computes needs the database to exist already (see the module doc)."""
    if not Path(path).is_file():
        raise UserError(f"No database at {path}; run `dulun init` (or `dulun demo`) first, or check the data "
                        "folder (data_dir in the settings file, DULUN_DATA_DIR).")


def _configure(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute(f"SET TimeZone = '{TIMEZONE}'")
    return con


class WriterLock:
    """An advisory file lock next to the database: one writing dulun process at a time."""

    def __init__(self, db_path: Path, timeout_s: float):
        self.path = Path(str(db_path) + ".lock")
        self.timeout_s = timeout_s
        self._lock = FileLock(self.path)

    def acquire(self) -> None:
        def waiting(holder: str) -> None:
            _LOG.info("Waiting up to %g s for the writer%s to finish with %s.", self.timeout_s, holder, self.database)

        try:
            got = self._lock.acquire(self.timeout_s, on_wait=waiting)
        except OSError as exc:
            raise UserError(
                f"Cannot create the writer lock {self.path}: {_os_reason(exc)}; "
                "the database directory must be writable for dulun to write."
            ) from None
        if not got:
            raise UserError(
                f"Another dulun process{self._lock.holder()} is writing to {self.database}; "
                f"waited {self.timeout_s:g} s, try again when it finishes."
            )

    @property
    def database(self) -> Path:
        return Path(str(self.path)[: -len(".lock")])

    @property
    def held(self) -> bool:
        return self._lock.held

    def __enter__(self) -> "WriterLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def release(self) -> None:
        self._lock.release()


def _os_reason(exc: BaseException) -> str:
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC:
        return "the disk is full"
    if code == errno.EROFS:
        return "the file system is read-only"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def disk_problem(exc: BaseException) -> str | None:
    """A plain reason when an error (or the error it happened while handling) means the disk
    cannot take writes, else None. The chain matters: a failed COMMIT is often followed by a
    failing ROLLBACK, whose exception then hides the disk error in `__context__`."""
    seen = 0
    while exc is not None and seen < 5:
        reason = _disk_reason(exc)
        if reason:
            return reason
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _disk_reason(exc: BaseException) -> str | None:
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or "no space left" in text or "disk is full" in text:
        return "the disk is full"
    if code == errno.EROFS or "read-only file system" in text:
        return "the file system is read-only"
    if code in (errno.EACCES, errno.EPERM) or "permission denied" in text or "operation not permitted" in text:
        return "permission denied"
    if "read-only" in text and "cannot" in text:
        return "the database is read-only"
    return None


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
    except duckdb.Error as exc:
        if damage(exc):
            raise damaged_database(path, damage(exc)) from None
        if not isinstance(exc, duckdb.IOException):
            raise
        message = str(exc)
        if "conflicting lock" in message.lower() or "could not set lock" in message.lower():
            raise DatabaseBusy(path, _pid_in(message)) from None
        reason = disk_problem(exc)
        if reason:
            what = "reading" if read_only else "writing"
            raise UserError(f"Database {path} cannot be opened for {what}: {reason}.") from None
        raise UserError(f"Database {path} cannot be opened: {message.splitlines()[0]}") from None


class DatabaseBusy(UserError):
    """Another process has the DuckDB file open for writing."""

    def __init__(self, path: Path, pid: str | None):
        self.path, self.pid = path, pid
        who = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"Database {path} is open for writing by {who}; DuckDB lets readers in only between "
            "writes, so try again when it finishes (or read a copy made by `dulun backup`)."
        )


def _pid_in(message: str) -> str | None:
    match = re.search(r"PID (\d+)", message)
    return match[1] if match else None


@contextlib.contextmanager
def open_writer(path: Path, lock_timeout_s: float = 30.0, migrate_to_latest: bool = True,
                create: bool = True) -> Iterator[Store]:
    """The one writing connection: takes the writer lock, migrates, and releases both on exit.
    `create=False`: a missing database is a UserError instead of a new empty one.

    A full disk or a read-only file inside the block becomes one UserError sentence; DuckDB has
    rolled the failed transaction back, so everything committed before stays intact.
    """
    path = Path(path)
    if not create:
        require_database(path)
    lock = WriterLock(path, lock_timeout_s)
    lock.acquire()
    try:
        with _writing(path, lock_timeout_s, migrate_to_latest, poll_s=0.2) as store:
            store._lock = lock
            yield store
    finally:
        lock.release()


@contextlib.contextmanager
def _writing(path: Path, wait_s: float, migrate_to_latest: bool, poll_s: float) -> Iterator[Store]:
    """The DuckDB file open for writing (the caller holds the writer lock), checkpointed and
    closed on exit; disk trouble becomes one sentence."""
    con = _connect_as_writer(path, wait_s, poll_s)
    store = Store(con=con, path=path, read_only=False)
    try:
        try:
            if migrate_to_latest:
                migrate(con)
            if corrections.queue_path(path).is_file():  # whoever writes next applies queued corrections
                corrections.apply_pending(con, path)
            yield store
            con.execute("CHECKPOINT")
        except (duckdb.Error, OSError) as exc:
            if damage(exc):
                raise damaged_database(path, damage(exc)) from None
            reason = disk_problem(exc)
            if reason is None:
                raise
            raise UserError(
                f"Writing to database {path} failed: {reason}; the write was rolled back and "
                "everything committed before is intact."
            ) from None
    finally:
        with contextlib.suppress(duckdb.Error):
            con.close()


class WriterSession:
    """A long job's writing: the writer lock for the whole job, the database file only per batch.

    DuckDB lets no other process open a file while one process has it open for writing, so a
    job that kept its connection (a crawl runs for minutes) would lock every reader out: pages
    of `dulun serve`, `dulun status`, notebooks. Holding the lock keeps writers serialised as
    before; opening the file for each batch (a crawl's 20 items or 2 seconds) lets readers in
    between batches, and readers are short, so a batch waits for them at most briefly.
    """

    def __init__(self, path: Path, lock_timeout_s: float, kept: Store | None = None):
        self.path = Path(path)
        self.lock_timeout_s = lock_timeout_s
        self.batches = 0
        self._kept = kept

    @contextlib.contextmanager
    def batch(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._kept is not None:
            self.batches += 1
            yield self._kept.con
            return
        with _writing(self.path, self.lock_timeout_s, migrate_to_latest=False, poll_s=BATCH_POLL_S) as store:
            self.batches += 1
            yield store.con


BATCH_POLL_S = 0.02


@contextlib.contextmanager
def writer_session(path: Path, lock_timeout_s: float = 30.0, keep_open: bool = False) -> Iterator[WriterSession]:
    """Take the writer lock for a whole job and migrate once; open the file with `session.batch()`.

    `keep_open`: one connection for every batch, for a job nobody reads from while it runs (a
    replay such as the demo's hundreds of polls, where opening the file per batch would cost
    more than the batches)."""
    path = Path(path)
    lock = WriterLock(path, lock_timeout_s)
    lock.acquire()
    try:
        with _writing(path, lock_timeout_s, migrate_to_latest=True, poll_s=BATCH_POLL_S) as store:
            if keep_open:
                yield WriterSession(path, lock_timeout_s, kept=store)
        if not keep_open:
            yield WriterSession(path, lock_timeout_s)
    finally:
        lock.release()


def _connect_as_writer(path: Path, wait_s: float, poll_s: float = 0.2) -> duckdb.DuckDBPyConnection:
    """Holding our lock, the file can still be open in a reader (a notebook): wait for it briefly."""
    try:
        return _connect_when_free(path, read_only=False, wait_s=wait_s, poll_s=poll_s)
    except DatabaseBusy as busy:
        who = f"pid {busy.pid}" if busy.pid else "another process"
        raise UserError(
            f"Database {path} is open in {who} (a notebook or reader?); close it and try again."
        ) from None


def _connect_when_free(path: Path, read_only: bool, wait_s: float, poll_s: float = 0.2) -> duckdb.DuckDBPyConnection:
    """Connect, retrying while another process holds the file, for up to `wait_s` seconds."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return _connect(path, read_only=read_only)
        except DatabaseBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(poll_s)


@contextlib.contextmanager
def open_reader(path: Path, wait_s: float = READER_WAIT_S, poll_s: float = 0.2) -> Iterator[Store]:
    """A read-only connection; a missing or unmigrated database is a clear user error.

    While a writer has the file open DuckDB refuses readers from other processes, so this
    retries every `poll_s` for up to `wait_s` seconds before saying which process is writing.
    """
    path = Path(path)
    require_database(path)
    store = Store(con=_connect_when_free(path, read_only=True, wait_s=wait_s, poll_s=poll_s), path=path, read_only=True)
    try:
        if schema_version(store.con) < latest_version():
            raise UserError(f"Database {path} is at an older schema; run `dulun init` to migrate it.")
        yield store
    except duckdb.Error as exc:
        if damage(exc):
            raise damaged_database(path, damage(exc)) from None
        raise
    finally:
        store.close()

