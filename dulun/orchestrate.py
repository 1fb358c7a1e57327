"""All stages once, in order: the `dulun run` pass and the offline `dulun demo`.

Stages are called only through their entry points (crawlers.api, nlp.api, pipeline.*), each of
which opens and releases the single writer itself.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rich.console import Console

from dulun.settings import Settings
from dulun.timeutil import VN, last_complete_week, week_label


@dataclass
class StageOutcome:
    stage: str
    summary: object


@dataclass
class PassReport:
    outcomes: list[StageOutcome] = field(default_factory=list)

    def add(self, stage: str, summary: object) -> None:
        self.outcomes.append(StageOutcome(stage, summary))


def run_once(
    settings: Settings,
    now: dt.datetime | None = None,
    sources: list[str] | None = None,
    sources_file: Path | None = None,
    console: Console | None = None,
) -> PassReport:
    """crawl -> enrich -> hot spots (last complete week) -> daily digest (yesterday) -> alerts."""
    from crawlers.api import crawl
    from nlp.api import enrich_pending, ensure_model
    from pipeline.alerts import run_alerts
    from pipeline.digest import run_daily_digest, run_weekly_digest
    from pipeline.hotspots import run_hotspots
    from store.search_index import update_index

    console = console or Console(stderr=True)
    now = now or dt.datetime.now(VN)
    week = last_complete_week(now.astimezone(VN).date())
    report = PassReport()
    step = _stepper(console, report)
    step("crawl", lambda: crawl(settings, sources=sources, sources_file=sources_file, now=now))
    step("model", lambda: ensure_model(settings))
    step("enrich", lambda: enrich_pending(settings, now=now))
    step("search index", lambda: update_index(settings.database))
    step(f"hot spots {week}", lambda: run_hotspots(settings, week=week, now=now))
    step("daily digest", lambda: run_daily_digest(settings, now=now))
    step(f"weekly digest {week}", lambda: run_weekly_digest(settings, week=week, now=now))
    step("alerts", lambda: run_alerts(settings, now=now))
    return report


def _stepper(console: Console, report: PassReport) -> Callable[[str, Callable[[], object]], object]:
    def step(name: str, work: Callable[[], object]) -> object:
        with console.status(f"[bold]{name}[/] ..."):
            started = dt.datetime.now()
            summary = work()
        seconds = (dt.datetime.now() - started).total_seconds()
        console.print(f"[green]✓[/] {name} ({seconds:.1f} s): {_describe(summary)}", highlight=False)
        report.add(name, summary)
        return summary

    return step


def _describe(summary: object) -> str:
    if isinstance(summary, list):
        return "; ".join(_describe(s) for s in summary) or "nothing to do"
    if hasattr(summary, "describe"):
        return summary.describe()
    if type(summary).__str__ is not object.__str__:
        return str(summary)
    if dataclasses.is_dataclass(summary):
        # Only what happened: zero counts and empty maps are noise on a terminal.
        fields = {k: v for k, v in dataclasses.asdict(summary).items() if v not in (0, 0.0, None, {}, [], "")}
        return " ".join(f"{k}={_short(v)}" for k, v in fields.items())
    return str(summary)


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


def demo_settings(settings: Settings) -> Settings:
    """The demo crawls a local fixture site: no politeness delays needed against 127.0.0.1."""
    crawl = settings.crawl.model_copy(update={"download_delay": 0.0, "autothrottle": False, "retries": 1,
                                              "timeout_s": 10.0})
    return settings.model_copy(update={"crawl": crawl})


def weeks_between(first: dt.date, last_week: str) -> list[str]:
    weeks, day = [], first - dt.timedelta(days=first.isoweekday() - 1)
    while True:
        label = week_label(day)
        weeks.append(label)
        if label == last_week:
            return weeks
        day += dt.timedelta(days=7)


def run_demo(settings: Settings, now: dt.datetime | None = None, console: Console | None = None) -> PassReport:
    """Serve the bundled fixture site on 127.0.0.1, run every real stage against it, report where things are."""
    from crawlers.api import crawl
    from crawlers.demo_site.server import DEMO_ADDRESS, DEMO_NOW, serve_demo_site
    from nlp.api import enrich_pending, ensure_model
    from pipeline.alerts import run_alerts
    from pipeline.digest import run_daily_digest, run_weekly_digest
    from pipeline.hotspots import run_hotspots
    from store.search_index import update_index

    console = console or Console(stderr=True)
    settings = demo_settings(settings)
    now = now or DEMO_NOW
    today = now.astimezone(VN).date()
    last_week = last_complete_week(today)
    report = PassReport()
    step = _stepper(console, report)
    with serve_demo_site(address=DEMO_ADDRESS) as site:
        console.print(f"fixture site {site.base_url} served by {site.proxy_url}", highlight=False)
        step("crawl", lambda: crawl(settings, sources_file=site.sources_file, now=now, proxy=site.proxy_url))
        # What the fixture meant each item to be about: notebook 3 scores the model against it.
        shutil.copyfile(site.expected_file, settings.database.parent / "demo_expected.json")
    step("model", lambda: ensure_model(settings))
    step("enrich", lambda: enrich_pending(settings, now=now))
    step("search index", lambda: update_index(settings.database))
    # Every week of the fixture, oldest first: levels (persistent, cooling) look at the week before.
    for week in weeks_between(first_published_day(settings) or today, last_week):
        step(f"hot spots {week}", lambda week=week: run_hotspots(settings, week=week, now=now))
    step("daily digest", lambda: run_daily_digest(settings, day=today - dt.timedelta(days=1), now=now))
    step(f"weekly digest {last_week}", lambda: run_weekly_digest(settings, week=last_week, now=now))
    step("alerts", lambda: run_alerts(settings, now=now))
    _print_where(console, settings)
    return report


def first_published_day(settings: Settings) -> dt.date | None:
    from store import open_reader
    from store.outputs import first_published_day as first_day

    with open_reader(settings.database) as store:
        return first_day(store.con)


def workbench_command(settings: Settings, now: dt.datetime) -> str:
    """The one command that opens the workbench on this database, its clock pinned to `now`."""
    env = "" if settings.data_dir == Path("data") and settings.db_path is None else f"DULUN_DATA_DIR={settings.data_dir} "
    if settings.db_path is not None:
        env += f"DULUN_DB_PATH={settings.db_path} "
    return f"{env}.venv/bin/dulun serve --now {now.isoformat()}"


def _print_where(console: Console, settings: Settings) -> None:
    console.print()
    console.print("[bold]Where everything is[/]")
    console.print(f"  database        {settings.database}  (dulun status)", highlight=False)
    console.print(f"  digests         {settings.digest_dir}/", highlight=False)
    console.print(f"  alerts (file)   {settings.alert_outbox_dir}/", highlight=False)
    console.print(f"  models          {settings.model_dir}/", highlight=False)
    console.print("  notebooks       notebooks/  (make notebooks)", highlight=False)
