"""`dulun hotspots`, `dulun digest`, `dulun alerts`: what analysts and the board see."""
from __future__ import annotations

import json
from typing import Optional

import typer
from rich.console import Console

from core.timeutil import parse_date, parse_now
from dulun.appstate import state

console = Console()

HOTSPOTS_HELP = """Hot spots (topic x province against each place's own history): the weekly table,
or the rolling detection that every cycle runs.

Weekly: each cell's stories in an ISO week (Asia/Ho_Chi_Minh) against the same place's trailing
weeks; unusual cells are marked new, rising, persistent or cooling; stored for the digests.
Recomputing a week replaces it.

Rolling (--now or --rolling): the trailing 24 hours, 72 hours and 7 days ending at that moment,
each against the cell's history of windows that long, counting only documents published AND
fetched by then; flagged cells open episodes that alerts are about. --now replays the past.

Examples:

  dulun hotspots                    # the last complete week

  dulun hotspots --week 2026-W47

  dulun hotspots --rolling          # what is rising right now

  dulun hotspots --now 2026-11-20T14:00+07:00
"""

DIGEST_HELP = """Write the digest as HTML (self-contained, prints well), Markdown and JSON.

The daily digest shows the day's totals against the trailing 7-day average, the hot spots with
their trend, the top stories per topic with links to every outlet, places where a topic
appears for the first time, and sources that failed or went silent. The weekly digest shows
one week's hot spots with their stories. Files go to <data_dir>/digests/.

Examples:

  dulun digest                      # yesterday (Asia/Ho_Chi_Minh)

  dulun digest --date 2026-11-22

  dulun digest --week 2026-W47      # the weekly hot-spot digest
"""

ALERTS_HELP = """Check the waves the rolling detection found against the alert rules and deliver.

Rules (pipeline/alert_rules.yaml, or alerts.rules_file in dulun.toml) name flagged topics,
optional provinces and keywords, thresholds, quiet hours, cooldown and channels (file, e-mail,
webhook). One wave in one place is one episode: an alert when it first matches a rule, one
escalation when it grows, a cooling note when it ends; never the same message twice. Each goes
to the outbox first, then out; failed deliveries are retried with growing waits.

Examples:

  dulun alerts                      # detect now, evaluate the rules, deliver

  dulun alerts --now 2026-11-20T14:00+07:00      # replay: the world as it was then

  dulun alerts --list --json        # every alert in the outbox, one JSON object per line
"""


def register(app: typer.Typer) -> None:
    app.command("hotspots", help=HOTSPOTS_HELP)(hotspots)
    app.command("digest", help=DIGEST_HELP)(digest)
    app.command("alerts", help=ALERTS_HELP)(alerts)


def hotspots(
    ctx: typer.Context,
    week: Optional[str] = typer.Option(None, "--week", "-w", help="ISO week, e.g. 2026-W47 (default: the last complete week)."),
    now: Optional[str] = typer.Option(None, "--now", help="Rolling detection as of this moment (ISO, with its zone); with --week, the weekly table as it could be computed then."),
    rolling: bool = typer.Option(False, "--rolling", help="Rolling detection at the current time."),
) -> None:
    from dulun.stages import DETECT, HOTSPOTS, Moment

    settings = state(ctx).settings
    moment = parse_now(now) if now else None
    weekly = week or not (moment or rolling)
    stage = HOTSPOTS if weekly else DETECT
    summary = stage.run(settings, Moment.at(moment, week=week))
    console.print(str(summary), highlight=False, soft_wrap=True)


def digest(
    ctx: typer.Context,
    date: Optional[str] = typer.Option(None, "--date", "-d", help="Day, YYYY-MM-DD (default: yesterday in Asia/Ho_Chi_Minh)."),
    week: Optional[str] = typer.Option(None, "--week", "-w", help="Write the weekly hot-spot digest for this ISO week instead."),
) -> None:
    from core.errors import UserError
    from pipeline.digest import run_daily_digest, run_weekly_digest

    settings = state(ctx).settings
    if date and week:
        raise UserError("Give either --date (daily digest) or --week (weekly digest), not both.")
    if week:
        summary = run_weekly_digest(settings, week=week)
    else:
        summary = run_daily_digest(settings, day=parse_date(date) if date else None)
    console.print(str(summary), highlight=False, soft_wrap=True)
    console.print(f"  Markdown: {summary.md_path}\n  JSON: {summary.json_path}", highlight=False, soft_wrap=True)


def alerts(
    ctx: typer.Context,
    now: Optional[str] = typer.Option(None, "--now", help="Evaluate as of this moment (ISO, with its zone), e.g. 2026-11-20T14:00+07:00."),
    list_: bool = typer.Option(False, "--list", help="List every alert in the outbox instead of evaluating."),
    as_json: bool = typer.Option(False, "--json", help="With --list: one JSON object per line."),
) -> None:
    from core.errors import UserError
    from dulun.stages import ALERTS, Moment

    settings = state(ctx).settings
    if as_json and not list_:
        raise UserError("--json goes with --list: dulun alerts --list --json.")
    if list_:
        from pipeline.alerts.listing import alert_rows

        rows = alert_rows(settings)
        if as_json:
            for row in rows:
                print(json.dumps(row, ensure_ascii=False))
        else:
            print_alert_table(rows)
        return
    summary = ALERTS.run(settings, Moment.at(parse_now(now) if now else None))
    console.print(str(summary), highlight=False, soft_wrap=True)
    for error in summary.errors:
        console.print(f"  {error}", highlight=False, soft_wrap=True)


def print_alert_table(rows: list[dict]) -> None:
    from rich.table import Table

    table = Table("detected", "rule", "topic", "province", "kind", "level", "window", "stories", "delivery",
                  title="Alerts")
    for r in rows:
        table.add_row(r["detected_at"] or "", r["rule"], r["topic"], r["province"] or "", r["kind"] or "weekly",
                      r["level"] or "", r["window"] or "", str(r["stories"] or ""), r["delivery"])
    if not rows:
        table.add_row("(none)", *[""] * 8)
    console.print(table)
