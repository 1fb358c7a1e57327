"""Extraction quality on pages nobody configured: dulun's generic path vs trafilatura's defaults.

    python -m bench extract
    python -m bench.bench_extract --misses          # also list every failed check

Writes bench/results/extract.json.

Pages: every article page of the configured sources' fixtures (crawlers/fixtures/sites/*, feed,
sitemap and listing sources) read WITHOUT their per-site selectors, plus the pattern fixtures
(crawlers/fixtures/patterns/*: outlets nobody configured, each reproducing a markup pattern).

Subject: `crawlers.extract.extract_article(html, url, selectors=None)`, the path every source
without selectors takes (`dulun extract` without --source).
Baseline, same run, same pages: bare `trafilatura.extract(html, url=url)` for the body and
`trafilatura.extract_metadata(html, default_url=url)` for title, date (a day, read as midnight
in Asia/Ho_Chi_Minh) and description (its lead).

Four checks per page, passed or failed (crawlers/extraction_checks.py). Texts are compared
after normalising: NFC, no-break spaces as spaces, runs of white space as one, no space before
. , ; : ! ? ) or after (.
- title: the extracted title equals the expected headline.
- minute: the extracted publication time, converted to +07:00 and cut to the minute, equals
  the expected one; when the page prints no time (expected null), nothing may be extracted.
- first_sentence: the expected body's first sentence (its first paragraph up to the first
  . ? ! or … followed by a space, or the whole paragraph) is at the very start of the extracted
  body, after skipping leading paragraphs equal to the lead (expected or extracted).
- body: at least 90% of the expected paragraphs occur, each whole, in the extracted body (its
  paragraphs joined by one space), and no string of the case's body_excludes/text_excludes
  (related links, ads, captions' credits, footers) occurs in it.
Reported: the share of checks passed, per check and in total, for both extractors. Goal: the
generic path >= 95%.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crawlers.extract import decode_html  # noqa: E402
from crawlers.extraction_checks import CHECKS, Case, Found, generic, load_cases, score  # noqa: E402
from crawlers.vndate import parse_vn_datetime  # noqa: E402

RESULTS = REPO / "bench" / "results" / "extract.json"
GOAL = 0.95


def trafilatura_defaults(case: Case) -> Found:
    import trafilatura

    html = decode_html(case.body, case.content_type).text
    text = trafilatura.extract(html, url=case.url)
    meta = trafilatura.extract_metadata(html, default_url=case.url)
    if meta is None:
        return Found(None, None, None, text)
    return Found(meta.title, parse_vn_datetime(meta.date), meta.description, text)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="list every failed check of both extractors")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON report (default {RESULTS.relative_to(REPO)})")
    args = parser.parse_args(argv)

    cases = load_cases()
    generic_score = score(cases, generic)
    baseline_score = score(cases, trafilatura_defaults)
    import trafilatura

    report = {
        "pages": len(cases),
        "site_fixture_pages": sum("/" in c.name for c in cases),
        "pattern_fixture_pages": sum("/" not in c.name for c in cases),
        "generic": generic_score.as_dict(),
        "trafilatura_defaults": baseline_score.as_dict(),
        "goal": GOAL,
        "trafilatura": trafilatura.__version__,
        "python": platform.python_version(),
        "date": dt.date.today().isoformat(),
        "generic_misses": generic_score.misses,
    }
    if args.misses:
        report["trafilatura_misses"] = baseline_score.misses
    _print(report, generic_score, baseline_score, args.misses)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"results written to {args.out}")
    return report


def _print(report: dict, subject, baseline, misses: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("check", "generic path", "trafilatura defaults",
                  title=f"Extraction on {report['pages']} pages nobody configured (same run)")
    for name in CHECKS:
        table.add_row(name, _cell(subject.passed[name], subject.total[name]), _cell(baseline.passed[name], baseline.total[name]))
    table.add_row("total", _cell(sum(subject.passed.values()), sum(subject.total.values())),
                  _cell(sum(baseline.passed.values()), sum(baseline.total.values())))
    console = Console()
    console.print(table)
    for label, result in (("generic", subject), ("trafilatura", baseline)) if misses else (("generic", subject),):
        for miss in result.misses:
            print(f"  [{label}] {miss['case']}: {miss['check']} -> {miss['got']!r}")


def _cell(passed: int, total: int) -> str:
    return f"{passed}/{total} ({passed / max(1, total):.1%})"


if __name__ == "__main__":
    main()
