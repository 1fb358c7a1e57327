"""`dulun export` (Parquet for other tools) and `dulun backup` (a consistent copy)."""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.errors import UserError
from core.settings import Settings
from core.timeutil import VN
from store import open_reader, open_writer
from store.db import DatabaseError, disk_problem, require_database
from store.ops import checkpoint, export_documents_parquet, file_fingerprint, fingerprint, fsync_file

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportSummary:
    out_dir: Path
    rows: int
    since: dt.date


def export_parquet(settings: Settings, since: dt.date, out_dir: Path | None = None) -> ExportSummary:
    """Documents published on or after `since` (Asia/Ho_Chi_Minh) with their current enrichment,
    as Parquet files under `<out>/published_day=YYYY-MM-DD/`."""
    require_database(settings.database)  # before making an export folder beside a database that is not there
    out_dir = Path(out_dir or settings.data_dir / "export")
    start = dt.datetime.combine(since, dt.time(), VN)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with open_reader(settings.database) as store:
            rows = export_documents_parquet(store.con, out_dir, start)
    except (OSError, DatabaseError) as exc:
        raise UserError(f"Export to {out_dir} failed: {disk_problem(exc) or str(exc).splitlines()[0]}.") from None
    return ExportSummary(out_dir, rows, since)


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    bytes: int
    tables: dict[str, int]


def backups_dir(settings: Settings) -> Path:
    """Where `dulun backup` writes by default, and where retention expires old backups."""
    return settings.data_dir / "backups"


def backup(settings: Settings, out: Path | None = None, now: dt.datetime | None = None) -> BackupSummary:
    """Copy the database while holding the writer lock (after a CHECKPOINT), then prove the copy opens
    and holds the same rows. The copy appears under its final name only when complete."""
    require_database(settings.database)  # likewise for the backups folder
    now = now or dt.datetime.now(VN)
    out = Path(out or backups_dir(settings) / f"dulun-{now:%Y%m%d-%H%M%S}.duckdb")
    if out.exists():
        raise UserError(f"Backup target {out} already exists; choose another --out.")
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open_writer(settings.database, settings.lock_timeout_s) as store:
            checkpoint(store.con)
            expected = fingerprint(store.con)
            # Still holding the writer lock and with the log folded in, the file is a consistent copy.
            shutil.copyfile(store.path, partial)
            fsync_file(partial)
        copied = _verify(partial, expected)
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserError(f"Backup to {out} failed: {disk_problem(exc) or str(exc).splitlines()[0]}.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(out, out.stat().st_size, copied)


def _verify(path: Path, expected: dict[str, int]) -> dict[str, int]:
    found = file_fingerprint(path)
    if found != expected:
        raise UserError(f"The backup copy {path} does not match the database ({found} vs {expected}); nothing was kept.")
    return found
