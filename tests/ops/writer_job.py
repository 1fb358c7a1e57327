"""A small crawl-shaped writer for the crash-safety tests (run as a real subprocess).

It does what a crawl does to the store: closes runs a killed predecessor left 'running',
opens a crawl run, stores documents in batches through `store.documents.upsert_documents`
(one short writer session per batch), and finishes the run. Document i is always the same
page, so a rerun must reach exactly `batches * batch_size` documents, none duplicated.

On SIGTERM it finishes the batch it is writing and exits 75 (like `dulun job`).

Usage: python writer_job.py DB --batches N --batch-size M [--pause S] [--source NAME]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from dulun.jobs import EXIT_STOPPED, StopRequest, print_summary
from store import open_writer
from store.documents import upsert_documents
from core.records import CrawlRunResult, Document
from store.runs import finish_run, mark_interrupted_runs, start_run

PUBLISHED = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def page(i: int) -> Document:
    """The same page every time: URL, title and a long-ish body derived from i only."""
    return Document(
        url=f"http://127.0.0.1/tin/{i}.html",
        source="writer-test",
        kind="press",
        title=f"Tin số {i}: công nhân đình công đòi lương",
        lead=f"Tóm tắt {i}",
        text=(f"Nội dung bài {i}. " * 40).strip(),
        fetched_at=PUBLISHED + dt.timedelta(hours=1),
        published_at=PUBLISHED + dt.timedelta(minutes=i % 600),
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--pause", type=float, default=0.0)
    parser.add_argument("--lock-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    stop = StopRequest()
    with stop.installed():
        with open_writer(args.db, args.lock_timeout) as store:
            mark_interrupted_runs(store.con)
            run_id = start_run(store.con, "writer-test")
        stored = 0
        for b in range(args.batches):
            if stop.requested:
                print_summary({"stage": "writer", "stopped": True, "batches": b})
                return EXIT_STOPPED
            docs = [page(i) for i in range(b * args.batch_size, (b + 1) * args.batch_size)]
            with open_writer(args.db, args.lock_timeout) as store:
                stored += upsert_documents(store.con, docs).inserted
            print(f"batch {b} committed", flush=True)
            time.sleep(args.pause)
        with open_writer(args.db, args.lock_timeout) as store:
            finish_run(store.con, run_id, CrawlRunResult(items_stored=stored))
    print_summary({"stage": "writer", "stored": stored, "batches": args.batches})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
