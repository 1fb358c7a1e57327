"""`dulun train | classify | evaluate | label | enrich`."""
from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from core.errors import UserError
from dulun.appstate import state

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("train", help=TRAIN_HELP)(train)
    app.command("classify", help=CLASSIFY_HELP)(classify)
    app.command("evaluate", help=EVALUATE_HELP)(evaluate)
    app.command("label", help=LABEL_HELP)(label)
    app.command("enrich", help=ENRICH_HELP)(enrich)


TRAIN_HELP = """Train the topic model and the follow-up role model from the shipped seed sets
plus the analysts' corrections (topic labels from `dulun label` and the workbench, role
corrections from the workbench's issue pages).

Each new model becomes current; `enrichments.model_version` and `doc_roles.model_version` record
which model tagged what. Documents read before keep their tags: corrections count where they
were made, the new models for what comes next.

Example: dulun train

Example (the role model alone, after correcting roles in the workbench): dulun train --only roles

Example (add 500 rule-labeled crawled documents): dulun train --weak 500
"""
CLASSIFY_HELP = """Tag topics and provinces for documents in a JSON-lines file (id, title, sapo, text;
optionally kind: press, post or petition, and default_province), exactly as `dulun enrich` tags
stored documents.

Prints one JSON line per input: id, topics, scores, provinces.

Example: dulun classify --input articles.jsonl > tagged.jsonl
"""
EVALUATE_HELP = """Score the tagger against a labeled JSON-lines file (gold topics and provinces).

Prints one JSON object: micro_f1, macro_f1, per_topic, none_precision, province_f1 (with its
precision, recall and the naive baseline's figures), docs_per_s;
when the gold rows carry `confidence` (high/low), also by_confidence: clear documents vs close cases.

Example: dulun evaluate --gold ../shared/eval/dev.jsonl

Example (the YAML rules alone): dulun evaluate --gold ../shared/eval/dev.jsonl --rules-only
"""
LABEL_HELP = """Show the enriched documents the model is least sure about and record your topic labels.

For each document type topic ids separated by spaces or commas (e.g. `land complaints`),
`none` for no topic, Enter to skip, `q` to stop. The next `dulun train` uses the labels.
Answers may come from stdin: printf 'land\\nnone\\nq\\n' | dulun label

Example: dulun label --count 20
"""
ENRICH_HELP = """Enrich every stored document that has no current enrichment (topics, provinces, stories).

Example: dulun enrich
"""


def _settings(ctx: typer.Context):
    return state(ctx).settings


def _read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise UserError(f"Input file {path} does not exist.")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise UserError(f"Line {n} of {path} is not valid JSON.") from None
            if not isinstance(row, dict) or "id" not in row:
                raise UserError(f"Line {n} of {path} needs an object with an `id`.")
            rows.append(row)
    return rows


def _inputs(rows: list[dict]):
    from core.records import DocInput

    return [DocInput(str(r["id"]), r.get("title") or "", r.get("sapo") or r.get("lead") or "", r.get("text") or "",
                     r.get("default_province"), kind=r.get("kind")) for r in rows]


def _predict(settings, rows: list[dict], rules_only: bool):
    from nlp.api import load_enricher, run_parallel
    from pipeline.enrichment import ensure_model

    enricher = load_enricher(settings, ensure_model(settings))
    started = time.perf_counter()
    if rules_only:
        results = enricher.enrich(_inputs(rows), rules_only=True, with_signature=False)
    else:
        results = run_parallel(enricher, _inputs(rows), settings.nlp.workers, max(16, min(settings.nlp.batch_size, len(rows) // max(1, settings.nlp.workers) + 1)))
    return results, time.perf_counter() - started, enricher.model_version


def train(
    ctx: typer.Context,
    weak: int = typer.Option(0, "--weak", min=0, help="Add up to this many crawled documents labeled by confident rules."),
    no_labels: bool = typer.Option(False, "--no-labels", help="Ignore analysts' corrections (seed sets only)."),
    only: Optional[str] = typer.Option(None, "--only", help="Train one model: topics or roles."),
) -> None:
    if only not in (None, "topics", "roles"):
        raise UserError(f"--only must be topics or roles, not {only!r}: dulun train --only roles.")
    if weak and only == "roles":
        raise UserError("--weak adds rule-labeled documents to the topic model; drop it or --only roles.")
    settings = _settings(ctx)
    if only != "roles":
        from pipeline.enrichment import train as train_model

        with console.status("Training the topic model..."):
            started = time.perf_counter()
            model = train_model(settings, weak=weak, include_labels=not no_labels)
        counts = model.meta.get("training_counts", {})
        console.print(f"Topic model {model.version} trained in {time.perf_counter() - started:.1f} s from {counts}; now current.")
        print(model.version)
    if only != "topics":
        from pipeline.followup import train_roles

        with console.status("Training the role model..."):
            started = time.perf_counter()
            model = train_roles(settings, include_labels=not no_labels)
        console.print(f"Role model {model.version} trained in {time.perf_counter() - started:.1f} s from "
                      f"{model.meta.get('training_sources')} ({model.meta.get('training_counts')}); now current.")
        print(model.version)


def classify(
    ctx: typer.Context,
    input: Path = typer.Option(..., "--input", "-i", help="JSON-lines file: id, title, sapo, text."),
    rules_only: bool = typer.Option(False, "--rules-only", help="Use the YAML rules alone."),
) -> None:
    rows = _read_jsonl(input)
    results, _, _ = _predict(_settings(ctx), rows, rules_only)
    out = sys.stdout
    for r in results:
        out.write(json.dumps({"id": r.id, "topics": r.topics, "scores": r.scores, "provinces": r.provinces,
                              "language": r.language}, ensure_ascii=False) + "\n")


def evaluate(
    ctx: typer.Context,
    gold: Path = typer.Option(..., "--gold", "-g", help="JSON-lines file with gold topics and provinces."),
    rules_only: bool = typer.Option(False, "--rules-only", help="Score the YAML rules alone."),
) -> None:
    from nlp.evaluate import naive_province_baseline, score, score_by_confidence
    from nlp.provinces import Gazetteer

    rows = _read_jsonl(gold)
    for n, row in enumerate(rows, 1):
        if "topics" not in row:
            raise UserError(f"Document {row['id']} in {gold} has no gold `topics`.")
    results, seconds, version = _predict(_settings(ctx), rows, rules_only)
    predictions = [{"id": r.id, "topics": r.topics, "provinces": r.provinces} for r in results]
    report = score(rows, predictions)
    by_confidence = score_by_confidence(rows, predictions)
    if by_confidence:
        report["by_confidence"] = by_confidence
    report["province_naive_baseline"] = naive_province_baseline(rows, Gazetteer.load())
    report["docs_per_s"] = round(len(rows) / seconds, 1) if seconds else 0.0
    report["model_version"] = "rules-only" if rules_only else version
    report["documents"] = len(rows)
    print(json.dumps(report, ensure_ascii=False, indent=1))


def label(
    ctx: typer.Context,
    count: int = typer.Option(10, "--count", "-n", min=1, help="How many documents to show."),
) -> None:
    from pipeline.enrichment import label_session

    label_session(_settings(ctx), count, sys.stdin, sys.stdout)


def enrich(ctx: typer.Context) -> None:
    from pipeline.enrichment import enrich_pending

    summary = enrich_pending(_settings(ctx), progress=sys.stderr.isatty())
    console.print(
        f"Enriched {summary.documents} documents with {summary.model_version} in {summary.seconds:.1f} s "
        f"({summary.docs_per_s:.0f}/s); {summary.not_vietnamese} not Vietnamese; "
        f"{summary.stories_new} new stories, {summary.stories_joined} joined an existing story."
    )
