"""All stages once, in order: the `dulun run` pass and the offline `dulun demo`.

Both walk dulun.stages.PIPELINE; each stage's entry point opens and releases the single
writer itself.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from rich.console import Console

from core.settings import Settings
from core.timeutil import last_complete_week, local_today, week_label, week_range
from dulun.stages import CRAWL, HOTSPOTS, PIPELINE, WEEKLY_DIGEST, Moment, Stage


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
    """crawl -> enrich -> hot spots -> daily digest (yesterday) -> weekly digest -> alerts, the
    weekly ones for the last complete week."""
    at = Moment.at(now, sources=sources, sources_file=sources_file)
    at = at.with_week(last_complete_week(local_today(at.now)))
    report = PassReport()
    step = _stepper(console or Console(stderr=True), report)
    for stage in PIPELINE:
        step(_title(stage, at), lambda stage=stage: stage.run(settings, at))
    return report


def _title(stage: Stage, at: Moment) -> str:
    return f"{stage.name} {at.week}" if stage in (HOTSPOTS, WEEKLY_DIGEST) and at.week else stage.name


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


def run_demo(settings: Settings, now: dt.datetime | None = None, console: Console | None = None) -> PassReport:
    """Serve the bundled fixture site on 127.0.0.1, run every stage of the pipeline against it,
    report where things are. Hot spots are computed for every week of the fixture."""
    from crawlers.demo_site.server import DEMO_ADDRESS, DEMO_NOW, serve_demo_site

    console = console or Console(stderr=True)
    settings = demo_settings(settings)
    today = local_today(now or DEMO_NOW)
    at = Moment.at(now or DEMO_NOW, day=today - dt.timedelta(days=1), week=last_complete_week(today))
    report = PassReport()
    step = _stepper(console, report)
    with serve_demo_site(address=DEMO_ADDRESS) as site:
        console.print(f"fixture site {site.base_url} served by {site.proxy_url}", highlight=False)
        fixture = replace(at, sources_file=site.sources_file, proxy=site.proxy_url)
        step(CRAWL.name, lambda: CRAWL.run(settings, fixture))
        # What the fixture meant each item to be about: notebook 3 scores the model against it.
        shutil.copyfile(site.expected_file, settings.database.parent / "demo_expected.json")
    for stage in PIPELINE:
        if stage is CRAWL:
            continue
        if stage is HOTSPOTS:
            # Every week of the fixture, oldest first: levels (persistent, cooling) look at the week before.
            for week in week_range(week_label(first_published_day(settings) or today), at.week):
                step(_title(stage, at.with_week(week)), lambda week=week: stage.run(settings, at.with_week(week)))
            continue
        step(_title(stage, at), lambda stage=stage: stage.run(settings, at))
    _print_where(console, settings)
    return report


def first_published_day(settings: Settings) -> dt.date | None:
    from store import open_reader
    from store.hotspots import first_published_day as first_day

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
