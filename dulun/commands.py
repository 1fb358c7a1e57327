"""Commands that belong to no single stage: init, status."""
from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from store import open_reader, open_writer
from store.db import latest_version
from store.status import status_report

console = Console()


def register(app: typer.Typer) -> None:
    app.command("init", help="Create or migrate the database.\n\nExample: dulun init")(init)
    app.command("status", help="Row counts, last crawl runs, failures by cause, the alert outbox.\n\nExample: dulun status")(status)


def init(ctx: typer.Context) -> None:
    from dulun.cli import state

    settings = state(ctx).settings
    with open_writer(settings.database, settings.lock_timeout_s) as store:
        console.print(f"Database {store.path} is at schema version {latest_version()}.")


def status(ctx: typer.Context) -> None:
    from dulun.cli import state

    settings = state(ctx).settings
    with open_reader(settings.database) as store:
        report = status_report(store.con)
    print_status(report, str(settings.database))
    _print_schedule_section(settings)


def _print_schedule_section(settings) -> None:
    """Next run times, last job results and job failures, when the ops module is installed."""
    try:
        from pipeline.ops_cli import print_schedule_status
    except ModuleNotFoundError:
        return
    print_schedule_status(settings, out=console)


def print_status(report, db: str) -> None:
    console.print(f"[bold]{db}[/] (schema {report.schema_version})")
    counts = Table("table", "rows", title="Rows")
    for name, n in report.row_counts.items():
        counts.add_row(name, f"{n:,}")
    console.print(counts)
    _table("Documents by source", ("source", "kind", "documents", "newest"), report.documents_by_source)
    _table("Last crawl runs", ("source", "status", "started", "finished", "ok", "failed", "seen", "stored"), report.last_runs)
    _table("Failures by cause", ("source", "cause", "count", "last"), report.failures_by_cause)
    _table("Hot spots", ("week", "level", "cells"), report.hotspot_levels)
    _table("Alert outbox", ("channel", "status", "alerts", "max attempts", "last error"), report.outbox)


def _table(title: str, headers: tuple[str, ...], rows: list[tuple]) -> None:
    table = Table(*headers, title=title)
    for row in rows:
        table.add_row(*("" if v is None else str(v)[:19] if hasattr(v, "isoformat") else str(v) for v in row))
    if not rows:
        table.add_row(*(["(none)"] + [""] * (len(headers) - 1)))
    console.print(table)
