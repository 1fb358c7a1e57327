"""Retention: raw text of old posts and petitions is dropped (counts, topics and places stay),
the database file is rewritten so the dropped text does not survive in its free blocks, and
backups older than `retention.backup_days` are deleted."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings
from core.timeutil import VN
from pipeline.export import backups_dir
from store import open_writer
from store.ops import compact_database, drop_old_text

LOG = logging.getLogger(__name__)
BACKUP_PATTERN = "dulun-*.duckdb*"  # what `dulun backup` writes by default (and its .partial leftovers)


@dataclass(frozen=True)
class RetentionSummary:
    documents: int = 0  # documents whose raw text was dropped now
    versions: int = 0  # earlier versions of those documents removed
    compacted: bool = False  # the file was rewritten so the dropped text is gone from it
    backups_removed: int = 0


def retention_cutoff(settings: Settings, now: dt.datetime | None = None) -> dt.datetime | None:
    """Documents published before this instant lose their raw text; None when retention is off."""
    days = settings.retention.post_text_days
    if days is None:
        return None
    now = now or dt.datetime.now(VN)
    return now - dt.timedelta(days=days)


def run_retention(settings: Settings, now: dt.datetime | None = None) -> RetentionSummary:
    cutoff = retention_cutoff(settings, now)
    documents = versions = 0
    compacted = False
    if cutoff is None:
        LOG.info("Text retention is off (retention.post_text_days is not set); no text dropped.")
    else:
        with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
            counts = drop_old_text(store.con, cutoff, settings.retention.kinds)
        documents, versions = counts.documents, counts.versions
        LOG.info(
            "Retention: dropped raw text of %d %s document(s) published before %s and %d earlier version(s).",
            documents, "/".join(settings.retention.kinds), cutoff.date().isoformat(), versions,
        )
        if (documents or versions) and settings.retention.compact:
            compact_database(settings.database, settings.lock_timeout_s)
            compacted = True
            LOG.info("Retention: rewrote %s so the dropped text is gone from the file too.", settings.database)
    removed = expire_backups(settings, now)
    return RetentionSummary(documents, versions, compacted, removed)


def expire_backups(settings: Settings, now: dt.datetime | None = None) -> int:
    """Delete backups in <data_dir>/backups older than retention.backup_days: a backup keeps the
    text retention drops, so it must not outlive it by more than that. Backups written elsewhere
    with `--out` are the operator's to manage."""
    days = settings.retention.backup_days
    folder = backups_dir(settings)
    if days is None or not folder.is_dir():
        return 0
    oldest = (now or dt.datetime.now(VN)).timestamp() - days * 86400
    removed = 0
    for backup in sorted(folder.glob(BACKUP_PATTERN)):
        if backup.is_file() and backup.stat().st_mtime < oldest:
            backup.unlink()
            removed += 1
            LOG.info("Retention: deleted backup %s (older than %d days).", backup, days)
    return removed
