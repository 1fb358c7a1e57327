"""The one pipeline definition: every stage, what it reads and writes, how it runs, when.

`dulun run` runs PIPELINE in order, `dulun job <stage>` runs one stage's job (the stage and
the stages that follow it), and `dulun schedule` starts each stage that has a clock on it:

    crawl -> enrich -> followup -> detect -> search-index -> hotspots -> digest (daily) -> weekly-digest -> alerts
                                                                                     (retention apart)

A stage is the name of what it does, the tables it reads and writes (documentation, and what
`dulun job` and the scheduler print), its entry function, and when it runs unattended: on its
own clock (`clock`), and/or right after other stages in the same job (`follows`). Adding a
stage is one entry here, placed in PIPELINE where it runs.

The cycle: a crawl that stored documents starts the enrich job, which is enrich -> followup ->
detect -> search-index -> alerts (followup, detect and the search index follow enrich, alerts
follow detect), all at the job's one moment, so the alerts are about what detection found and
where each issue thread stands at that moment. The
enrich job also runs on its own clock, so windows slide and waves end when nothing new arrives.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Literal

from core.errors import UserError
from core.settings import Settings
from core.timeutil import VN


@dataclass(frozen=True)
class Moment:
    """What one run of the stages is about: when it is, and what the user narrowed it to."""

    now: dt.datetime
    sources: list[str] | None = None       # crawl: these sources (default: all in the sources file)
    sources_file: Path | None = None
    proxy: str | None = None               # crawl through this HTTP proxy (the demo's fixture site)
    week: str | None = None                # hot spots, weekly digest, alerts; default: the last complete week
    day: dt.date | None = None             # daily digest; default: yesterday

    @classmethod
    def at(cls, now: dt.datetime | None = None, **narrowed) -> "Moment":
        return cls(now=now or dt.datetime.now(VN), **narrowed)

    def with_week(self, week: str) -> "Moment":
        return replace(self, week=week)


@dataclass(frozen=True)
class Clock:
    """When `dulun schedule` starts a stage's job on its own.

    `every`: one job per source at the source's `interval_minutes` ("per-source"), or the name
    of a [schedule] setting: `*_every_minutes` (an interval) or `*_cron` (a crontab line in
    Asia/Ho_Chi_Minh). `late_ok`: a report still runs once when the machine woke up late
    (schedule.report_misfire_grace_s), instead of being skipped."""

    every: str
    late_ok: bool = False
    when: Callable[[Settings], bool] = lambda settings: True


@dataclass(frozen=True)
class Stage:
    name: str
    summary: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    run: Callable[[Settings, Moment], object]
    clock: Clock | None = None
    follows: tuple[str, ...] = ()          # in a job, runs right after these stages
    then_when_stored: str | None = None    # the scheduler starts this stage's job next when new documents came in
    needs_source: bool = False             # `dulun job` runs it for one --source


# ---------------------------------------------------------------- entry functions
# Imported when a stage runs, so `dulun --help` does not load Scrapy, scikit-learn or underthesea.


def _crawl(settings: Settings, at: Moment) -> object:
    from crawlers.api import crawl

    return crawl(settings, sources=at.sources, sources_file=at.sources_file, now=at.now, proxy=at.proxy)


def _enrich(settings: Settings, at: Moment) -> object:
    from pipeline.enrichment import enrich_pending

    return enrich_pending(settings, now=at.now)


def _detect(settings: Settings, at: Moment) -> object:
    from pipeline.detect import run_detect

    return run_detect(settings, now=at.now)


def _search_index(settings: Settings, at: Moment) -> object:
    from store.search_index import update_index

    return update_index(settings.database)


def _followup(settings: Settings, at: Moment) -> object:
    from pipeline.followup import run_followup

    return run_followup(settings, now=at.now)


def _hotspots(settings: Settings, at: Moment) -> object:
    from pipeline.hotspots import run_hotspots

    return run_hotspots(settings, week=at.week, now=at.now)


def _daily_digest(settings: Settings, at: Moment) -> object:
    from pipeline.digest import run_daily_digest

    return run_daily_digest(settings, day=at.day, now=at.now)


def _weekly_digest(settings: Settings, at: Moment) -> object:
    from pipeline.digest import run_weekly_digest

    return run_weekly_digest(settings, week=at.week, now=at.now)


def _alerts(settings: Settings, at: Moment) -> object:
    from pipeline.alerts import run_alerts

    return run_alerts(settings, now=at.now)


def _retention(settings: Settings, at: Moment) -> object:
    from pipeline.retention import run_retention

    return run_retention(settings, now=at.now)


# ---------------------------------------------------------------- the stages, in order

CRAWL = Stage(
    "crawl", "new and changed pages of the public sources",
    reads=("sources", "documents", "http_validators"),
    writes=("documents", "document_versions", "crawl_runs", "fetch_failures", "http_validators", "sources"),
    run=_crawl, clock=Clock("per-source"), then_when_stored="enrich", needs_source=True,
)
ENRICH = Stage(
    "enrich", "topics, provinces and stories of every document without a current enrichment",
    reads=("documents", "labels", "nlp_story_signatures"),
    writes=("enrichments", "nlp_story_signatures", "models"),
    run=_enrich, clock=Clock("enrich_every_minutes"),
)
FOLLOWUP = Stage(
    "followup", "each new document's role (report, response, resolution) and the issue thread it joins or opens",
    reads=("documents", "enrichments", "doc_roles", "role_labels", "issue_threads", "thread_members"),
    writes=("doc_roles", "issue_threads", "thread_members", "models"),
    # After every enrichment and before detection, so threads are current when the cycle's
    # alerts (and the digests) read them.
    run=_followup, follows=("enrich",),
)
DETECT = Stage(
    "detect", "what is rising now: every topic x province over the trailing 24 h, 72 h and 7 days; episodes",
    reads=("documents", "enrichments", "detect_stories", "detect_episodes"),
    writes=("detect_stories", "detect_index_state", "detections", "detection_runs", "detect_episodes"),
    run=_detect, follows=("enrich",),
)
SEARCH_INDEX = Stage(
    "search-index", "the workbench's search index and read model brought up to date (a file beside the database)",
    reads=("documents", "enrichments"), writes=(),
    # After every enrichment, and after retention empties old posts' text.
    run=_search_index, follows=("enrich", "retention"),
)
HOTSPOTS = Stage(
    "hotspots", "the last complete week's hot spots (detection's model for the 7 days ending Sunday 24:00)",
    reads=("documents", "enrichments", "detect_stories", "hotspots"), writes=("detect_stories", "hotspots"),
    run=_hotspots, clock=Clock("hotspots_cron", late_ok=True),
)
DIGEST = Stage(
    "digest", "yesterday's digest (HTML, Markdown, JSON), with what is rising now",
    reads=("documents", "enrichments", "hotspots", "detect_stories", "detect_episodes", "crawl_runs",
           "fetch_failures", "sources"),
    writes=("detect_stories", "digests"),
    run=_daily_digest, clock=Clock("digest_cron", late_ok=True),
)
WEEKLY_DIGEST = Stage(
    "weekly-digest", "the last complete week's hot-spot digest",
    reads=("documents", "enrichments", "hotspots"), writes=("digests",),
    run=_weekly_digest, follows=("hotspots",),
)
ALERTS = Stage(
    "alerts", "alert rules against the waves detection found (episodes) and issues left unanswered; deliveries due through the outbox",
    reads=("detections", "detect_episodes", "documents", "enrichments", "issue_threads", "thread_members",
           "doc_roles", "role_labels", "portal_statuses", "alerts", "alert_outbox"),
    writes=("alerts", "alert_outbox", "detections", "detect_episodes"),
    # Right after detection (the cycle) and after new weekly reports; and on its own clock, for
    # retries and the end of quiet hours (detecting first when no detection is at its moment).
    run=_alerts, clock=Clock("alerts_every_minutes"), follows=("weekly-digest", "detect"),
)
RETENTION = Stage(
    "retention", "drop the raw text of old posts (counts, topics and places stay)",
    reads=("documents",), writes=("documents", "document_versions"),
    run=_retention, clock=Clock("retention_cron", late_ok=True, when=lambda s: s.retention.post_text_days is not None),
)

PIPELINE: tuple[Stage, ...] = (CRAWL, ENRICH, FOLLOWUP, DETECT, SEARCH_INDEX, HOTSPOTS, DIGEST, WEEKLY_DIGEST, ALERTS)
STAGES: dict[str, Stage] = {s.name: s for s in (*PIPELINE, RETENTION)}


def stage(name: str) -> Stage:
    try:
        return STAGES[name]
    except KeyError:
        raise UserError(f"Unknown stage {name!r}; choose one of {', '.join(STAGES)}.") from None


def job_of(name: str) -> list[Stage]:
    """What `dulun job <name>` runs: the stage, then every stage that follows it (and those that
    follow them), in pipeline order."""
    first = stage(name)
    chosen = {first.name}
    for later in PIPELINE:
        if any(before in chosen for before in later.follows):
            chosen.add(later.name)
    return [first] + [s for s in PIPELINE if s.name in chosen and s is not first]


def clocked(settings: Settings) -> list[Stage]:
    """The stages `dulun schedule` starts on their own clock with these settings."""
    return [s for s in STAGES.values() if s.clock is not None and s.clock.when(settings)]


def clock_kind(clock: Clock) -> Literal["per-source", "interval", "cron"]:
    if clock.every == "per-source":
        return "per-source"
    return "interval" if clock.every.endswith("_every_minutes") else "cron"
