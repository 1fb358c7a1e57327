"""`dulun crawl` and `dulun extract`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

from core.errors import UserError
from dulun.appstate import state

console = Console()

CRAWL_HELP = """Crawl public sources (politely: robots.txt, 1-2 requests per site, backoff) into the database.

Only pages not stored yet are fetched; feeds are asked "changed since?" first.

Examples:

  dulun crawl                                   # every source in the sources file

  dulun crawl --source vnexpress-thoi-su --source voz-diem-bao

  dulun crawl --sources-file my-sources.yaml --source my-portal

  dulun crawl --due                             # only sources whose polling interval has passed
"""

EXTRACT_HELP = """Extract one saved article page and print JSON (title, published, lead, text, byline...).

Example:

  dulun extract saved/article.html --url https://vnexpress.net/some-story-4851234.html

  dulun extract saved/article.html --url https://vnexpress.net/x-1.html --source vnexpress-thoi-su
"""


IMPORT_HELP = """Import documents from a JSONL file: one JSON object per line with url, title,
sapo (optional), text, published_at (with its zone), fetched_at (optional, default now),
source, kind (press, post or petition) and author (optional; stored only as a salted hash).

For archives and other collectors' output (news-please, Media Cloud exports reshaped to these
fields). Idempotent like a crawl: the same URL is the same row. A bad line is reported with
its line number and reason (and in `dulun status`); every good line is still imported. Run
`dulun enrich` afterwards.

Example:

  dulun import archive-2026-11.jsonl

  dulun import export.jsonl --now 2026-11-20T14:00+07:00    # default fetch time for lines without one
"""


def register(app: typer.Typer) -> None:
    app.command("crawl", help=CRAWL_HELP)(crawl_command)
    app.command("extract", help=EXTRACT_HELP)(extract_command)
    app.command("import", help=IMPORT_HELP)(import_command)


def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="JSONL file, one document per line."),
    now: Optional[str] = typer.Option(None, "--now", help="Fetch time for lines without `fetched_at` (ISO, with its zone). Default: now."),
) -> None:
    from core.timeutil import parse_now
    from crawlers.importer import import_file

    summary = import_file(state(ctx).settings, file, now=parse_now(now) if now else None)
    console.print(str(summary), highlight=False, soft_wrap=True)


def crawl_command(
    ctx: typer.Context,
    source: Optional[List[str]] = typer.Option(None, "--source", "-s", help="Source name (repeatable). Default: all."),
    sources_file: Optional[Path] = typer.Option(None, "--sources-file", help="Sources YAML. Default: settings, else the packaged crawlers/sources.yaml."),
    base: Optional[str] = typer.Option(None, "--base", help="Replace {base} in start URLs (a local or mirror site, then allowed too), e.g. http://127.0.0.1:8000; a loopback or private host must be in crawl.own_hosts."),
    due: bool = typer.Option(False, "--due", help="Only sources whose interval_minutes has passed since their last run."),
) -> None:
    from crawlers.api import crawl, due_sources
    settings = state(ctx).settings
    if due:
        due_names = due_sources(settings, sources_file=sources_file)
        source = [n for n in (source or due_names) if n in due_names]
        if not source:
            console.print("No source is due yet.")
            return
    with console.status("Crawling..."):
        summaries = crawl(settings, sources=source or None, sources_file=sources_file, base=base)
    print_summaries(summaries)


def print_summaries(summaries) -> None:
    table = Table("source", "status", "fetched", "skipped (seen)", "failed", "stored", "causes", title="Crawl")
    for s in summaries:
        causes = ", ".join(f"{cause} {n}" for cause, n in sorted(s.failures.items(), key=lambda kv: -kv[1]))
        table.add_row(s.source, s.status, str(s.pages_ok), str(s.skipped_seen), str(s.pages_failed),
                      str(s.items_stored), causes or "-")
    console.print(table)


def extract_command(
    file: Path = typer.Argument(..., help="A saved HTML page."),
    url: str = typer.Option(..., "--url", help="The page's address (resolves relative links, helps metadata)."),
    content_type: Optional[str] = typer.Option(None, "--content-type", help="The Content-Type header it was served with, if known."),
    source: Optional[str] = typer.Option(None, "--source", help="Use this source's selectors (from the sources file)."),
    sources_file: Optional[Path] = typer.Option(None, "--sources-file", help="Sources YAML for --source."),
) -> None:
    from crawlers.extract import decode_html, extract_article
    from crawlers.sources import load_sources, select_sources

    if not file.is_file():
        raise UserError(f"No file at {file}; give the path of a saved HTML page.")
    selectors = select_sources(load_sources(sources_file), [source])[0].selectors if source else None
    decoded = decode_html(file.read_bytes(), content_type)
    result = extract_article(decoded.text, url, selectors)
    result.encoding = decoded.encoding
    if decoded.repaired:
        result.notes.append("encoding_repaired")
    typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
