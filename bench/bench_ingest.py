"""Ingest: documents into DuckDB as one batched, idempotent upsert vs one INSERT per row."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from bench.harness import Comparison, measure
from store import open_writer
from store.documents import upsert_documents
from core.records import Document

VN = dt.timezone(dt.timedelta(hours=7))
PARAGRAPH = (
    "Sáng nay, hàng trăm công nhân Công ty TNHH may mặc tại huyện Thủy Nguyên (Hải Phòng) đã "
    "ngừng việc tập thể để phản đối việc công ty chậm trả lương và nợ bảo hiểm xã hội nhiều tháng. "
)


def synthetic_documents(n: int) -> list[Document]:
    base = dt.datetime(2026, 9, 7, 8, 0, tzinfo=VN)
    return [
        Document(
            url=f"https://bench.example.vn/bai-viet/{i}.html",
            source=f"bench-{i % 20}",
            kind="press",
            title=f"Công nhân ngừng việc vì bị nợ lương, bài số {i}",
            lead="Công nhân đồng loạt ngừng việc, yêu cầu công ty trả lương đúng hạn.",
            text=PARAGRAPH * 12,
            published_at=base + dt.timedelta(minutes=7 * i),
            fetched_at=base + dt.timedelta(minutes=7 * i + 30),
            byline="Phóng viên",
        )
        for i in range(n)
    ]


def row_by_row(path: Path, docs: list[Document]) -> None:
    """The naive way: one INSERT statement per document."""
    with open_writer(path) as store:
        for d in docs:
            store.con.execute(
                "INSERT INTO documents (doc_id, source, kind, url, title, lead, text, byline, published_at, "
                "fetched_at, updated_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (doc_id) DO NOTHING",
                [d.doc_id, d.source, d.kind, d.url, d.title, d.lead, d.text, d.byline, d.published_at,
                 d.fetched_at, d.fetched_at, d.content_hash],
            )


def batched(path: Path, docs: list[Document], batch_size: int = 5000) -> None:
    with open_writer(path) as store:
        for start in range(0, len(docs), batch_size):
            upsert_documents(store.con, docs[start:start + batch_size])


def run(args) -> list[Comparison]:
    n_batched, n_naive = (5_000, 500) if getattr(args, "quick", False) else (50_000, 3_000)
    docs = synthetic_documents(n_batched)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subject = measure("batched upsert (Arrow, 5,000 a batch)", n_batched, lambda: batched(tmp / "b.duckdb", docs))
        baseline = measure("row-by-row INSERT", n_naive, lambda: row_by_row(tmp / "n.duckdb", docs[:n_naive]))
        rerun = measure("re-ingest (all unchanged)", n_batched, lambda: batched(tmp / "b.duckdb", docs))
    return [Comparison("ingest documents", "docs", subject, baseline,
                       extra={"reingest_docs_per_s": rerun.rate})]
