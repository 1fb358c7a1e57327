"""Alerts' SQL: the alerts made, and the outbox that delivers them.

An alert and its outbox rows are written in one transaction before any delivery is tried;
deliveries update the outbox in one batched statement per round.
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from store.db import register, transaction


def recent_alert_keys(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> pd.DataFrame:
    return con.execute(
        "SELECT alert_key, rule, topic, province, period, created_at FROM alerts WHERE created_at >= ?", [since]
    ).df()


def existing_alert_keys(con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    register(con, "wanted_keys", pa.table({"alert_key": list(keys)}))
    try:
        return {r[0] for r in con.execute("SELECT a.alert_key FROM alerts a JOIN wanted_keys USING (alert_key)").fetchall()}
    finally:
        con.unregister("wanted_keys")


def insert_alerts(con: duckdb.DuckDBPyConnection, alerts: pd.DataFrame, outbox: pd.DataFrame) -> int:
    """Alerts and their outbox rows in one transaction, before any delivery is tried; a key that
    already exists is skipped (the same rule, topic, province and period is never sent twice)."""
    if alerts.empty:
        return 0
    register(con, "incoming_alerts", alerts)
    register(con, "incoming_outbox", outbox)
    try:
        with transaction(con):
            added = con.execute(
                """
                INSERT INTO alerts (alert_key, rule, topic, province, period, created_at, payload)
                SELECT alert_key, rule, topic, province, period, created_at, CAST(payload AS JSON) FROM incoming_alerts
                ON CONFLICT DO NOTHING RETURNING alert_key
                """
            ).fetchall()
            con.execute(
                """
                INSERT INTO alert_outbox (alert_key, channel, status, attempts, next_attempt_at)
                SELECT alert_key, channel, 'pending', 0, next_attempt_at FROM incoming_outbox
                ON CONFLICT DO NOTHING
                """
            )
    finally:
        con.unregister("incoming_alerts")
        con.unregister("incoming_outbox")
    return len(added)


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


def outbox_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT o.*, a.rule, a.topic, a.province, a.period FROM alert_outbox o JOIN alerts a USING (alert_key) ORDER BY a.created_at"
    ).df()
