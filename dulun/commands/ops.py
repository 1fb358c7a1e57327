"""Commands for running dulun unattended: schedule, job, retention, export, backup."""
from __future__ import annotations

import datetime as dt
import json
import signal
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from core.errors import UserError
from core.settings import Settings
from dulun.appstate import state

console = Console()


def register(app: typer.Typer) -> None:
    app.command("schedule", help=SCHEDULE_HELP)(schedule)
    app.command("job", help=JOB_HELP)(job)
    app.command("retention", help=RETENTION_HELP)(retention)
    app.command("export", help=EXPORT_HELP)(export)
    app.command("backup", help=BACKUP_HELP)(backup)


def _settings(ctx: typer.Context) -> tuple[Settings, str | None]:
    app_state = state(ctx)
    config = app_state.config
    return app_state.settings, str(Path(config).resolve()) if config else None


SCHEDULE_HELP = """Run every stage on its schedule until stopped (SIGTERM or Ctrl-C).

Crawls each source at its own interval_minutes and enriches after new documents arrive (and
every enrich_every_minutes); hot spots weekly, followed by the weekly digest and the alerts;
the daily digest every morning; alert deliveries that are due every alerts_every_minutes;
retention nightly. Cron expressions come from the [schedule] settings, in Asia/Ho_Chi_Minh. Each job runs in a child
`dulun job` process, one at a time. The schedule is kept in <data_dir>/schedule.sqlite, so a
restart resumes it; after a sleep each job runs at most once.

Example: dulun --config /etc/dulun/dulun.toml schedule
"""


def schedule(
    ctx: typer.Context,
    list_only: bool = typer.Option(False, "--list", help="Sync and print the schedule with next run times, then exit."),
) -> None:
    from dulun.schedule import build_scheduler, job_specs, run_scheduler, scheduler_lock, sync_jobs

    settings, config = _settings(ctx)
    if list_only:
        with scheduler_lock(settings):
            scheduler = build_scheduler(settings, run_jobs=False)
            scheduler.start(paused=True)
            try:
                sync_jobs(scheduler, job_specs(settings, config))
            finally:
                scheduler.shutdown(wait=False)
        print_schedule_status(settings, results=False)
        return
    run_scheduler(settings, config)


JOB_HELP = """Run one stage now, in this process, the way the scheduler's child does.

Stages (dulun/stages.py): crawl (needs --source; the scheduler enriches next when it stored
something), enrich (then detect and alerts: one cycle, one moment), detect (then alerts),
hotspots (then the weekly digest and alerts), digest (yesterday's), weekly-digest (then
alerts), alerts, retention. Prints one JSON summary line; on SIGTERM it finishes the current
step and exits 75.

Example: dulun job crawl --source vnexpress-thoi-su
"""


def job(
    ctx: typer.Context,
    stage: str = typer.Argument(..., help="crawl | enrich | hotspots | digest | weekly-digest | alerts | retention"),
    source: Optional[str] = typer.Option(None, "--source", help="The source to crawl (crawl only)."),
    parent_pid: Optional[int] = typer.Option(None, "--parent-pid", hidden=True,
                                             help="Stop at once when this process, our parent, dies."),
) -> None:
    from core.processes import die_with_parent
    from dulun.jobs import EXIT_STOPPED, StopRequest, crawl_activity_lock, print_summary, run_stage_here
    from dulun.stages import CRAWL

    settings, _ = _settings(ctx)
    stop = StopRequest()
    try:
        with stop.installed():
            if parent_pid:
                # SIGHUP, not SIGTERM: with the scheduler gone nobody waits for the current step,
                # so the job stops now (SIGHUP raises Stopped: children stopped, runs marked).
                die_with_parent(parent_pid, signal.SIGHUP)
            if stage == CRAWL.name:
                with crawl_activity_lock(settings):
                    summary = run_stage_here(settings, stage, source, stop)
            else:
                summary = run_stage_here(settings, stage, source, stop)
    except UserError as exc:
        print_summary({"stage": stage, "ok": False, "cause": "user_error", "error": str(exc)})
        raise
    except Exception as exc:
        cause = getattr(exc, "cause", None) or type(exc).__name__  # ProcessFailed: e.g. crawl_killed_SIGKILL
        print_summary({"stage": stage, "ok": False, "cause": cause, "error": str(exc)[:500]})
        raise
    print_summary(summary)
    if summary.get("stopped"):
        raise typer.Exit(EXIT_STOPPED)


RETENTION_HELP = """Drop the raw text of posts and petitions older than retention.post_text_days.

Counts, topics and places stay (titles, dates and enrichments are kept); earlier versions of
those documents are removed too, and the file is rewritten so the dropped text does not
survive in its free blocks. Kinds come from retention.kinds (default: post, petition).
Backups in <data_dir>/backups older than retention.backup_days (30) are deleted.

Example: dulun retention --dry-run
"""


def retention(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say which cut-off would apply."),
) -> None:
    from pipeline.retention import retention_cutoff, run_retention

    settings, _ = _settings(ctx)
    cutoff = retention_cutoff(settings)
    if dry_run:
        if cutoff is None:
            console.print("Text retention is off (retention.post_text_days is not set).")
        else:
            console.print(f"Would drop the raw text of {', '.join(settings.retention.kinds)} documents published before {cutoff:%Y-%m-%d %H:%M %Z}.")
        return
    counts = run_retention(settings)
    if cutoff is None:
        console.print("Text retention is off (retention.post_text_days is not set).")
    else:
        rewritten = "; the database file was rewritten without it" if counts.compacted else ""
        console.print(f"Dropped the raw text of {counts.documents} document(s) and {counts.versions} earlier version(s) "
                      f"published before {cutoff:%Y-%m-%d}{rewritten}.")
    if counts.backups_removed:
        console.print(f"Deleted {counts.backups_removed} backup(s) older than {settings.retention.backup_days} days.")

EXPORT_HELP = """Write documents with their topics and places as Parquet, partitioned by published day.

Files land in OUT/published_day=YYYY-MM-DD/ (default OUT: <data_dir>/export), readable by
pandas, DuckDB, Spark or R. Bylines and author hashes are never exported.

Example: dulun export --since 2026-11-01 --out /srv/share/dulun-parquet
"""


def export(
    ctx: typer.Context,
    since: str = typer.Option(..., "--since", help="First published day to include, YYYY-MM-DD (Asia/Ho_Chi_Minh)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output directory."),
) -> None:
    from core.timeutil import parse_date
    from pipeline.export import export_parquet

    settings, _ = _settings(ctx)
    summary = export_parquet(settings, parse_date(since, "--since date"), out)
    console.print(f"Exported {summary.rows} document(s) published since {summary.since} to {summary.out_dir}.")


BACKUP_HELP = """Make a consistent copy of the database and check that it opens with the same rows.

Waits for the writer lock (so no job writes meanwhile), folds the write-ahead log in, copies the
file, and verifies the copy. Default OUT: <data_dir>/backups/dulun-YYYYMMDD-HHMMSS.duckdb.

Example: dulun backup --out /srv/backup/dulun-2026-11-23.duckdb
"""


def backup(
    ctx: typer.Context,
    out: Optional[Path] = typer.Option(None, "--out", help="Path of the copy (must not exist)."),
) -> None:
    from pipeline.export import backup as make_backup

    settings, _ = _settings(ctx)
    summary = make_backup(settings, out)
    console.print(
        f"Backup {summary.path} ({summary.bytes / 1e6:.1f} MB) verified: "
        f"{summary.tables.get('documents', 0)} documents, {len(summary.tables)} tables."
    )


# ---------------------------------------------------------------------------------------------
# The `dulun status` section


def print_schedule_status(settings: Settings, results: bool = True, out: Console | None = None) -> None:
    """Next run times, each job's last result, and job failures by cause (from the job store)."""
    from dulun.schedule import TZ
    from store.ops import job_failures_by_cause, last_job_results, next_run_times

    out = out or console
    path = settings.jobstore_path
    runs = next_run_times(path, TZ)
    table = Table("job", "next run (Asia/Ho_Chi_Minh)", title=f"Schedule ({path})")
    for job_id, when in runs:
        table.add_row(job_id, f"{when:%Y-%m-%d %H:%M}" if when else "paused")
    if not runs:
        table.add_row("(not scheduled yet: run `dulun schedule`)", "")
    out.print(table)
    if not results:
        return
    last = Table("job", "outcome", "cause", "finished", "summary", title="Last job results")
    for job_id, _stage, outcome, cause, finished, summary in last_job_results(path):
        last.add_row(job_id, outcome, cause or "", _local(finished), _short(summary))
    if not last.rows:
        last.add_row("(none)", "", "", "", "")
    out.print(last)
    fails = Table("stage", "cause", "count", "last", title="Job failures by cause")
    for stage, cause, count, finished in job_failures_by_cause(path):
        fails.add_row(stage, cause, str(count), _local(finished))
    if not fails.rows:
        fails.add_row("(none)", "", "", "")
    out.print(fails)


def _local(iso: str | None) -> str:
    from dulun.schedule import TZ

    if not iso:
        return ""
    return f"{dt.datetime.fromisoformat(iso).astimezone(TZ):%Y-%m-%d %H:%M}"


def _short(summary: str | None) -> str:
    try:
        data = json.loads(summary or "")
    except ValueError:
        return (summary or "")[:60]
    if isinstance(data, dict):
        if data.get("error"):
            return str(data["error"])[:60]
        parts = [f"stored={data['stored']}"] if data.get("stored") else []
        parts += list((data.get("steps") or {}).keys())
        return ", ".join(parts)[:60]
    return str(data)[:60]

