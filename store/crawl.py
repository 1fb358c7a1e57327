"""The crawler's own SQL: conditional-GET validators and the seen-URL set.

Documents, runs and failures go through `store.documents` and `store.runs`; this module only
holds what the crawler alone needs to be incremental.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Sequence

import duckdb
import pyarrow as pa


@dataclass(frozen=True)
class Validators:
    url: str
    source: str
    etag: str | None
    last_modified: str | None


def load_validators(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Validators]:
    rows = con.execute(
        "SELECT url, source, etag, last_modified FROM http_validators WHERE source = ?", [source]
    ).fetchall()
    return {row[0]: Validators(*row) for row in rows}


def save_validators(con: duckdb.DuckDBPyConnection, validators: Sequence[Validators]) -> None:
    """Upsert a batch of validators in one statement."""
    if not validators:
        return
    latest = {v.url: v for v in validators}
    table = pa.table(
        {
            "url": [v.url for v in latest.values()],
            "source": [v.source for v in latest.values()],
            "etag": pa.array([v.etag for v in latest.values()], pa.string()),
            "last_modified": pa.array([v.last_modified for v in latest.values()], pa.string()),
        }
    )
    con.register("incoming_validators", table)
    try:
        con.execute(
            """
            INSERT INTO http_validators (url, source, etag, last_modified, updated_at)
            SELECT url, source, etag, last_modified, now() FROM incoming_validators
            ON CONFLICT (url) DO UPDATE SET
                source = excluded.source, etag = excluded.etag,
                last_modified = excluded.last_modified, updated_at = excluded.updated_at
            """
        )
    finally:
        con.unregister("incoming_validators")


def source_urls(con: duckdb.DuckDBPyConnection, source: str) -> set[str]:
    """Canonical URLs a source has already stored: the crawler never fetches them again."""
    return {row[0] for row in con.execute("SELECT url FROM documents WHERE source = ?", [source]).fetchall()}


def other_sources_urls(con: duckdb.DuckDBPyConnection, source: str, domains: Sequence[str]) -> set[str]:
    """Canonical URLs other sources stored on these domains (or their subdomains): pages a source
    must not fetch again, since the first source to store a URL keeps it. Only the domains a
    source may fetch from can collide, so the set stays as small as the source's own."""
    if not domains:
        return set()
    rows = con.execute(
        """
        WITH d AS (SELECT url, lower(regexp_extract(url, '^[a-z]+://([^/:?#]+)', 1)) AS host
                   FROM documents WHERE source <> ?)
        SELECT url FROM d, (SELECT unnest(?::VARCHAR[]) AS domain) allowed
        WHERE d.host = allowed.domain OR d.host LIKE '%.' || allowed.domain
        """,
        [source, [dom.lower() for dom in domains]],
    ).fetchall()
    return {row[0] for row in rows}


def save_source_configs(con: duckdb.DuckDBPyConnection, configs: Sequence[dict]) -> None:
    """Keep the validated entry of every crawled source in `sources` (one set-based upsert)."""
    if not configs:
        return
    table = pa.table(
        {
            "name": [c["name"] for c in configs],
            "spider": [c["spider"] for c in configs],
            "doc_kind": [c["kind"] for c in configs],
            "home_url": pa.array([(c.get("start_urls") or [None])[0] for c in configs], pa.string()),
            "default_province": pa.array([c.get("province") for c in configs], pa.string()),
            "config": [json.dumps(c, ensure_ascii=False, default=str) for c in configs],
        }
    )
    con.register("incoming_sources", table)
    try:
        con.execute(
            """
            INSERT INTO sources (name, spider, doc_kind, home_url, default_province, config, updated_at)
            SELECT name, spider, doc_kind, home_url, default_province, config::JSON, now() FROM incoming_sources
            ON CONFLICT (name) DO UPDATE SET
                spider = excluded.spider, doc_kind = excluded.doc_kind, home_url = excluded.home_url,
                default_province = excluded.default_province, config = excluded.config,
                updated_at = excluded.updated_at
            """
        )
    finally:
        con.unregister("incoming_sources")


def run_rows(con: duckdb.DuckDBPyConnection, run_ids: Sequence[int]) -> list[tuple]:
    """The recorded crawl runs, for the parent's summary."""
    if not run_ids:
        return []
    placeholders = ", ".join("?" for _ in run_ids)
    return con.execute(
        f"SELECT run_id, source, status, pages_ok, pages_failed, skipped_seen, items_stored, failures "
        f"FROM crawl_runs WHERE run_id IN ({placeholders}) ORDER BY run_id",
        list(run_ids),
    ).fetchall()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def last_started_runs(con: duckdb.DuckDBPyConnection) -> dict[str, dt.datetime]:
    """When each source's latest completed (ok or failed) run started: the polling clock."""
    return dict(con.execute(
        "SELECT source, max(started_at) FROM crawl_runs WHERE status IN ('ok', 'failed') GROUP BY source"
    ).fetchall())
