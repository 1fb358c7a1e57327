"""Commands that belong to no single stage: init, status, run, demo."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dulun.appstate import state
from store import open_reader, open_writer
from store.db import latest_version
from store.status import status_report

console = Console()


def register(app: typer.Typer) -> None:
    app.command("init", help="Create or migrate the database.\n\nExample: dulun init")(init)
    app.command("status", help="Row counts, last crawl runs, failures by cause, the alert outbox.\n\nExample: dulun status")(status)
    app.command("run", help=RUN_HELP)(run)
    app.command("demo", help=DEMO_HELP)(demo)


RUN_HELP = """All stages once, in the order of dulun/stages.py: crawl, enrich, detect (what is
rising now), hot spots (last complete week), daily digest (yesterday), weekly digest (last
complete week), alerts (about the waves detection found).

--now runs the pass as of that moment (ISO, with its zone): the crawl stamps what it fetches
from then on, and the cycle after it (enrich, detect, alerts, reports) counts only what was
published and fetched by the time the crawl ended.

Example: dulun run --source vnexpress-thoi-su --source baohaiphong

Example: dulun run --now 2026-11-20T14:00+07:00
"""

DEMO_HELP = """The whole pipeline offline: serves a bundled fixture site on 127.0.0.1 and replays
its last 14 days on a simulated clock (the real spiders poll it every hour; enrichment,
detection and alerts run for every hour), then computes every week's hot spots, writes the
digests, and prints when each alert fired relative to the planted wave's stories. Alerts go to
the file channel. Its 'today' is pinned to the fixture's dates, so the output is reproducible.

Example: dulun demo            (then: dulun status, open data/digests/*.html)

Example: DULUN_DATA_DIR=/tmp/demo dulun demo
"""


def init(ctx: typer.Context) -> None:
    settings = state(ctx).settings
    with open_writer(settings.database, settings.lock_timeout_s) as store:
        console.print(f"Database {store.path} is at schema version {latest_version()}.")


def run(
    ctx: typer.Context,
    source: list[str] = typer.Option(None, "--source", "-s", help="Only this source (repeatable)."),
    sources_file: Path = typer.Option(None, "--sources-file", help="Sources YAML instead of the configured one."),
    now: str = typer.Option(None, "--now", help="Run as of this moment (ISO, with its zone), on a clock that runs on from it."),
) -> None:
    from core.timeutil import parse_now
    from dulun.orchestrate import run_once

    moment = parse_now(now) if now else None
    run_once(state(ctx).settings, now=moment, sources=source or None, sources_file=sources_file)


def demo(
    ctx: typer.Context,
    today: str = typer.Option(None, "--today", help="Pin 'today' (YYYY-MM-DD); default: the fixture's own date."),
) -> None:
    import datetime as dt

    from crawlers.demo_site.server import DEMO_NOW
    from dulun.orchestrate import run_demo, workbench_command
    from core.timeutil import VN, parse_date

    now = DEMO_NOW
    if today:
        now = dt.datetime.combine(parse_date(today, "--today"), dt.time(8, 0), tzinfo=VN)
    settings = state(ctx).settings
    run_demo(settings, now=now)
    console.print("Demo finished. Open the workbench (then http://127.0.0.1:8765/):")
    console.print(workbench_command(settings, now), highlight=False, soft_wrap=True, markup=False)


def status(ctx: typer.Context) -> None:
    settings = state(ctx).settings
    with open_reader(settings.database) as store:
        report = status_report(store.con, db_path=settings.database)
    print_status(report, str(settings.database))
    _print_schedule_section(settings)


def _print_schedule_section(settings) -> None:
    """Next run times, last job results and job failures."""
    from dulun.commands.ops import print_schedule_status

    print_schedule_status(settings, out=console)


def print_status(report, db: str) -> None:
    console.print(f"[bold]{db}[/] (schema {report.schema_version})")
    counts = Table("table", "rows", title="Rows")
    for name, n in report.row_counts.items():
        counts.add_row(name, f"{n:,}")
    console.print(counts)
    _table("Documents by source", ("source", "kind", "documents", "newest"), report.documents_by_source)
    _table("Last crawl runs", ("source", "status", "started", "finished", "ok", "failed", "seen", "stored",
                               "less polite"), report.last_runs)
    _table("Failures by cause", ("source", "cause", "count", "last"), report.failures_by_cause)
    _table("Hot spots", ("week", "level", "cells"), report.hotspot_levels)
    _table("Waves (rolling detection)", ("topic", "province", "opened", "last checked", "level", "window h",
                                         "stories", "7-day stories", "ended"), report.waves)
    _table("Alert outbox", ("channel", "status", "alerts", "max attempts", "last error"), report.outbox)
    _table("Analysts' labels", ("", "count"), list(report.labels.items()))


def _table(title: str, headers: tuple[str, ...], rows: list[tuple]) -> None:
    table = Table(*headers, title=title)
    for row in rows:
        table.add_row(*("" if v is None else str(v)[:19] if hasattr(v, "isoformat") else str(v) for v in row))
    if not rows:
        table.add_row(*(["(none)"] + [""] * (len(headers) - 1)))
    console.print(table)
