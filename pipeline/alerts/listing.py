"""`dulun alerts --list`: every alert in the outbox with its delivery state, as plain rows."""
from __future__ import annotations

import datetime as dt

from core.settings import Settings
from core.timeutil import VN
from store import open_reader
from store.alerts import alert_list


def alert_rows(settings: Settings) -> list[dict]:
    """One dict per alert: what it is about, when it was detected, and its delivery state."""
    with open_reader(settings.database) as store:
        alerts = alert_list(store.con)
    return [_row(a) for a in alerts]


def _row(alert: dict) -> dict:
    payload = alert["payload"]
    deliveries = [{**d, "sent_at": _iso(d["sent_at"]), "next_attempt_at": _iso(d["next_attempt_at"])}
                  for d in alert["deliveries"]]
    return {
        "rule": alert["rule"], "topic": alert["topic"], "province": alert["province"],
        "kind": alert["kind"], "episode_id": alert["episode_id"],
        "level": payload.get("level"), "window": _window(payload), "stories": payload.get("stories"),
        "documents": payload.get("documents"), "sources": payload.get("sources"),
        "detected_at": _iso(alert["detected_at"]) or payload.get("created_at"),
        "tipping_story_published_at": _iso(alert["tipping_published_at"]),
        "created_at": _iso(alert["created_at"]), "period": alert["period"],
        "delivery": _state(deliveries), "deliveries": deliveries, "alert_key": alert["alert_key"],
        # an `unanswered` alert: its issue thread and since when it waits
        "thread_id": payload.get("thread_id"), "raised_at": payload.get("raised_at"), "headline": payload.get("headline"),
    }


def _window(payload: dict) -> str | None:
    if payload.get("kind") == "unanswered":
        return f"{payload['days']}d"
    hours = payload.get("window_hours")
    if hours is None:
        return payload.get("period")  # a weekly alert of an earlier version: its ISO week
    return f"{hours}h"


def _state(deliveries: list[dict]) -> str:
    """sent (every channel), suppressed, gave_up, pending, or mixed."""
    states = {d["status"] for d in deliveries}
    if not states:
        return "none"
    return states.pop() if len(states) == 1 else "mixed"


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(VN).isoformat(timespec="seconds")
    return str(value)
