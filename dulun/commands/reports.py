"""`dulun hotspots`, `dulun digest`, `dulun alerts`: what analysts and the board see."""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console

from core.timeutil import parse_date
from dulun.appstate import state

console = Console()

HOTSPOTS_HELP = """Compute the weekly hot spots (topic x province) and store them.

Each cell's stories this week are compared with the same place's own trailing weeks; unusual
cells are marked new, rising, persistent or cooling. Recomputing a week replaces it.
Weeks are ISO weeks in Asia/Ho_Chi_Minh.

Examples:

  dulun hotspots                    # the last complete week

  dulun hotspots --week 2026-W47
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

ALERTS_HELP = """Check the hot spots against the alert rules and deliver new alerts.

Rules (pipeline/alert_rules.yaml, or alerts.rules_file in dulun.toml) name flagged topics,
optional provinces and keywords, thresholds, quiet hours, cooldown and channels (file, e-mail,
webhook). Each alert goes to the outbox first, then out; failed deliveries are retried later
with growing waits and shown in `dulun status`. The same alert is never sent twice.

Examples:

  dulun alerts                      # the last complete week's hot spots

  DULUN_SMTP_USER=bantin DULUN_SMTP_PASSWORD=... dulun alerts --week 2026-W47
"""


def register(app: typer.Typer) -> None:
    app.command("hotspots", help=HOTSPOTS_HELP)(hotspots)
    app.command("digest", help=DIGEST_HELP)(digest)
    app.command("alerts", help=ALERTS_HELP)(alerts)


def hotspots(
    ctx: typer.Context,
    week: Optional[str] = typer.Option(None, "--week", "-w", help="ISO week, e.g. 2026-W47 (default: the last complete week)."),
) -> None:
    from pipeline.hotspots import run_hotspots

    summary = run_hotspots(state(ctx).settings, week=week)
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
    week: Optional[str] = typer.Option(None, "--week", "-w", help="ISO week whose hot spots to check (default: the last complete week)."),
) -> None:
    from pipeline.alerts import run_alerts

    summary = run_alerts(state(ctx).settings, week=week)
    console.print(str(summary), highlight=False, soft_wrap=True)
    for error in summary.errors:
        console.print(f"  {error}", highlight=False, soft_wrap=True)
