"""Retention: raw text of old posts is dropped, while counts, topics and places stay."""
from __future__ import annotations

import datetime as dt
import logging

from core.settings import Settings
from core.timeutil import VN
from store import open_writer
from store.ops import RetentionCounts, drop_old_text

LOG = logging.getLogger(__name__)


def retention_cutoff(settings: Settings, now: dt.datetime | None = None) -> dt.datetime | None:
    """Documents published before this instant lose their raw text; None when retention is off."""
    days = settings.retention.post_text_days
    if days is None:
        return None
    now = now or dt.datetime.now(VN)
    return now - dt.timedelta(days=days)


def run_retention(settings: Settings, now: dt.datetime | None = None) -> RetentionCounts:
    cutoff = retention_cutoff(settings, now)
    if cutoff is None:
        LOG.info("Retention is off (retention.post_text_days is not set); nothing dropped.")
        return RetentionCounts()
    with open_writer(settings.database, settings.lock_timeout_s) as store:
        counts = drop_old_text(store.con, cutoff, settings.retention.kinds)
    LOG.info(
        "Retention: dropped raw text of %d %s document(s) published before %s and %d earlier version(s).",
        counts.documents, "/".join(settings.retention.kinds), cutoff.date().isoformat(), counts.versions,
    )
    return counts
