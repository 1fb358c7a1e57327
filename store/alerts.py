"""Alerts' SQL: the alerts made (about episodes of the rolling detection, store/detections.py),
and the outbox that delivers them.

An alert and its outbox rows are written in one transaction before any delivery is tried;
deliveries update the outbox in one batched statement per round.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from store.db import register, transaction


def episode_alerts(con: duckdb.DuckDBPyConnection, episode_ids: Sequence[int]) -> pd.DataFrame:
    """Alerts already made for these episodes (rule, kind, when, and the payload's numbers)."""
    if not episode_ids:
        return pd.DataFrame(columns=["alert_key", "rule", "episode_id", "kind", "created_at", "payload"])
    register(con, "wanted_episodes", pa.table({"episode_id": pa.array([int(i) for i in episode_ids], pa.int64())}))
    try:
        return con.execute(
            """SELECT a.alert_key, a.rule, a.episode_id, a.kind, a.created_at, CAST(a.payload AS VARCHAR) AS payload
               FROM alerts a JOIN wanted_episodes USING (episode_id)""").df()
    finally:
        con.unregister("wanted_episodes")


def last_opening_alerts(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> pd.DataFrame:
    """Opening alerts (of any episode, and weekly alerts of earlier versions) created since
    `since` and not themselves held back: the rules' cooldowns look at these."""
    return con.execute(
        """SELECT a.alert_key, a.rule, a.topic, a.province, a.episode_id, a.created_at
           FROM alerts a LEFT JOIN alert_outbox o USING (alert_key)
           WHERE a.created_at >= ? AND (a.kind = 'opened' OR a.kind IS NULL)
           GROUP BY ALL
           HAVING NOT coalesce(bool_and(o.status = 'suppressed'), false)""",
        [since],
    ).df()


def insert_alerts(con: duckdb.DuckDBPyConnection, alerts: pd.DataFrame, outbox: pd.DataFrame) -> list[str]:
    """Alerts and their outbox rows in one transaction, before any delivery; a key that exists is
    skipped, so the same message is never made twice. Outbox rows may start `suppressed` (a
    rule's cooldown) with the reason in `last_error`. Returns the keys added."""
    if alerts.empty:
        return []
    register(con, "incoming_alerts", alerts)
    register(con, "incoming_outbox", outbox)
    try:
        with transaction(con):
            added = con.execute(
                """
                INSERT INTO alerts (alert_key, rule, topic, province, period, created_at, payload, kind, episode_id,
                                    detected_at, tipping_published_at)
                SELECT alert_key, rule, topic, province, period, created_at, CAST(payload AS JSON), kind, episode_id,
                       detected_at, tipping_published_at
                FROM incoming_alerts
                ON CONFLICT DO NOTHING RETURNING alert_key
                """
            ).fetchall()
            con.execute(
                """
                INSERT INTO alert_outbox (alert_key, channel, status, attempts, next_attempt_at, last_error)
                SELECT alert_key, channel, status, 0, next_attempt_at, reason FROM incoming_outbox
                ON CONFLICT DO NOTHING
                """
            )
    finally:
        con.unregister("incoming_alerts")
        con.unregister("incoming_outbox")
    return [row[0] for row in added]


def alert_list(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every alert in the outbox with its delivery state per channel, oldest first."""
    rows = con.execute(
        """SELECT a.alert_key, a.rule, a.topic, a.province, a.period, a.kind, a.episode_id, a.created_at,
                  a.detected_at, a.tipping_published_at, CAST(a.payload AS VARCHAR) AS payload,
                  list({'channel': o.channel, 'status': o.status, 'attempts': o.attempts,
                        'sent_at': o.sent_at, 'next_attempt_at': o.next_attempt_at, 'last_error': o.last_error}
                       ORDER BY o.channel) FILTER (WHERE o.channel IS NOT NULL) AS deliveries
           FROM alerts a LEFT JOIN alert_outbox o USING (alert_key)
           GROUP BY ALL ORDER BY a.created_at, a.alert_key"""
    ).fetchall()
    names = ["alert_key", "rule", "topic", "province", "period", "kind", "episode_id", "created_at", "detected_at",
             "tipping_published_at", "payload", "deliveries"]
    out = []
    for row in rows:
        item = dict(zip(names, row))
        item["payload"] = json.loads(item["payload"]) if item["payload"] else {}
        item["deliveries"] = item["deliveries"] or []
        out.append(item)
    return out


def due_deliveries(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> pd.DataFrame:
    return con.execute(
        """
        SELECT o.alert_key, o.channel, o.attempts, CAST(a.payload AS VARCHAR) AS payload
        FROM alert_outbox o JOIN alerts a USING (alert_key)
        WHERE o.status = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= $now)
        ORDER BY a.created_at, o.alert_key, o.channel
        """,
        {"now": now},
    ).df()


def record_deliveries(con: duckdb.DuckDBPyConnection, results: pd.DataFrame) -> None:
    """One batched update of the outbox after a delivery round (status, attempts, next try, error)."""
    if results.empty:
        return
    results = results.assign(
        next_attempt_at=pd.to_datetime(results["next_attempt_at"], utc=True),
        sent_at=pd.to_datetime(results["sent_at"], utc=True),
        last_error=results["last_error"].astype(object),
    )
    register(con, "delivery_results", results)
    try:
        con.execute(
            """
            UPDATE alert_outbox SET status = r.status, attempts = r.attempts,
                   next_attempt_at = r.next_attempt_at, last_error = r.last_error, sent_at = r.sent_at
            FROM delivery_results r
            WHERE alert_outbox.alert_key = r.alert_key AND alert_outbox.channel = r.channel
            """
        )
    finally:
        con.unregister("delivery_results")


def pending_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM alert_outbox WHERE status = 'pending'").fetchall()[0][0]


def outbox_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT o.*, a.rule, a.topic, a.province, a.period FROM alert_outbox o JOIN alerts a USING (alert_key) ORDER BY a.created_at"
    ).df()
