"""`dulun followup`: for every issue raised in public, was it answered, was it resolved, how fast."""
from __future__ import annotations

import datetime as dt
import json
from typing import Optional

import typer
from rich.console import Console

from core.errors import UserError
from core.timeutil import VN, parse_now
from dulun.appstate import state

console = Console()

FOLLOWUP_HELP = """Follow issues through public signals: a problem reported (press, forum, petition
portal), an authority's answer (received, inspecting, dialogue, instructed, a written reply, a
portal's status), its resolution (wages paid, pollution cleaned up, land handed over, or a
reasoned rejection).

Without --list or --rates: the pipeline stage. Every enriched document not yet read gets its
role (report, response, resolution, none) and joins or opens an issue thread: the documents of
one issue in one province and topic, naming the same things (a company, a factory, a road, a
commune), within followup.window_days (60). Threads are kept and grow; nothing is recomputed.

--now T: as of that moment (ISO, with its zone): only documents published AND fetched by then
count, and portal statuses seen by then.

Examples:

  dulun followup                               # read new documents, link them into threads

  dulun followup --list --json                 # one JSON line per thread: topic, province, state, times

  dulun followup --list --state raised --now 2026-11-20T08:00+07:00

  dulun followup --rates --days 90             # response and resolution rates by province x topic
"""


def register(app: typer.Typer) -> None:
    app.command("followup", help=FOLLOWUP_HELP)(followup)


def followup(
    ctx: typer.Context,
    list_: bool = typer.Option(False, "--list", help="List the threads and where each stands instead of reading new documents."),
    rates: bool = typer.Option(False, "--rates", help="Response and resolution rates by province x topic."),
    as_json: bool = typer.Option(False, "--json", help="With --list or --rates: one JSON object per line."),
    now: Optional[str] = typer.Option(None, "--now", help="As of this moment (ISO with its zone), e.g. 2026-11-20T08:00+07:00."),
    state_filter: Optional[str] = typer.Option(None, "--state", help="With --list: only raised, answered or resolved threads."),
    days: Optional[int] = typer.Option(None, "--days", min=1, help="With --rates: threads raised in this many days before now (default: followup.rate_days)."),
) -> None:
    settings = state(ctx).settings
    moment = parse_now(now) if now else dt.datetime.now(VN)
    if as_json and not (list_ or rates):
        raise UserError("--json goes with --list or --rates: dulun followup --list --json.")
    if state_filter and state_filter not in ("raised", "answered", "resolved"):
        raise UserError(f"--state must be raised, answered or resolved, not {state_filter!r}.")
    if list_ or rates:
        from pipeline.followup import response_rates, states_as_of
        from store import open_reader

        with open_reader(settings.database) as store:
            states = states_as_of(store.con, settings, moment)
        if list_:
            chosen = [s for s in states if not state_filter or s.state == state_filter]
            chosen.sort(key=lambda s: (s.raised_at, s.thread_id))
            if as_json:
                for s in chosen:
                    print(json.dumps(list_row(s), ensure_ascii=False))
            else:
                print_threads(chosen)
            return
        start = moment - dt.timedelta(days=days or settings.followup.rate_days)
        table = response_rates(states, start, moment)
        if as_json:
            for row in table.to_dict(orient="records"):
                print(json.dumps({k: (None if v != v else v) for k, v in row.items()}, ensure_ascii=False))
        else:
            print_rates(table, start, moment)
        return
    from dulun.stages import FOLLOWUP, Moment

    summary = FOLLOWUP.run(settings, Moment.at(moment))
    console.print(str(summary), highlight=False, soft_wrap=True)


def list_row(s) -> dict:
    """What `--list --json` prints for one thread."""
    row = s.as_json()
    keys = ("thread_id", "topic", "province", "state", "raised_at", "answered_at", "resolved_at", "documents",
            "headline", "url", "answered_how", "resolved_how", "unanswered_after", "days_to_answer",
            "days_to_resolution", "last_at")
    return {k: row[k] for k in keys}


def print_threads(states) -> None:
    from rich.table import Table

    table = Table("raised", "topic", "province", "state", "answered", "resolved", "docs", "headline", title="Issue threads")
    for s in states:
        mark = f" ({s.unanswered_after}+ days)" if s.unanswered_after else ""
        table.add_row(f"{s.raised_at:%Y-%m-%d}", s.topic or "?", s.province or "?", s.state + mark,
                      f"{s.answered_at:%Y-%m-%d}" if s.answered_at else "", f"{s.resolved_at:%Y-%m-%d}" if s.resolved_at else "",
                      str(s.documents), s.headline[:70])
    if not states:
        table.add_row("(none)", *[""] * 7)
    console.print(table)


def print_rates(frame, start: dt.datetime, end: dt.datetime) -> None:
    from rich.table import Table

    table = Table("province", "topic", "raised", "answered", "resolved", "response rate", "resolution rate",
                  "median days to answer", "median days to resolution",
                  title=f"Threads raised {start:%Y-%m-%d} to {end:%Y-%m-%d}, as of {end:%Y-%m-%d %H:%M}")
    for r in frame.itertuples():
        table.add_row(r.province, r.topic, str(r.raised), str(r.answered), str(r.resolved), f"{r.response_rate:.0%}",
                      f"{r.resolution_rate:.0%}", _num(r.median_days_to_answer), _num(r.median_days_to_resolution))
    if frame.empty:
        table.add_row("(none)", *[""] * 8)
    console.print(table)


def _num(value) -> str:
    return "" if value != value else f"{value:.1f}"
