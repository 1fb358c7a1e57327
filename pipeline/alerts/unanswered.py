"""Alert rules of type `unanswered`: an issue raised in public, in a rule's topics and places,
that nobody answered within `days` days (follow-up's thread states, pipeline.followup).

One message per rule and issue thread, made at the first cycle after the thread's mark passed
(the thread still without an answer then); the alert key is a hash of (rule, topic, province,
thread), so it is never made twice. An issue whose mark passed more than `look_back_days` ago is
left to the daily digest's list: a first run, or a restart after an outage, does not send the
whole backlog. Threads are about issues: the message names the topic, the place, the issue's
first headline and how many documents it has, never who raised it.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from core.taxonomy import Topic, topic_name
from core.timeutil import VN
from pipeline.alerts.rules import Rule
from pipeline.followup import ThreadState

KIND = "unanswered"
KIND_NAME = "Chưa được trả lời"


def candidates(rules: Iterable[Rule], now: dt.datetime) -> dict | None:
    """Which threads any `unanswered` rule could ask about at `now` (the filters of
    `states_as_of`: raised between the longest look-back and the shortest mark, in the rules'
    topics), so an hourly cycle reads only those; None: there is no such rule."""
    chosen = [r for r in rules if r.type == KIND]
    if not chosen:
        return None
    return {"active_since": now - dt.timedelta(days=max(r.days + r.look_back_days for r in chosen)),
            "raised_before": now - dt.timedelta(days=min(r.days for r in chosen)),
            "topics": sorted({t for r in chosen for t in r.topics})}


def due(rule: Rule, state: ThreadState, now: dt.datetime) -> bool:
    """Whether `rule` asks for a message about this thread at `now`: in its topics and places,
    still only raised, its mark passed within the rule's look-back. Only an issue raised in public
    waits for an answer: a thread opened by an official action or by background news does not."""
    if rule.type != KIND or state.state != "raised" or not state.raised_in_public or not state.topic or not state.province:
        return False
    if state.topic not in rule.topics or (rule.provinces and state.province not in rule.provinces):
        return False
    if state.documents < rule.min_documents:
        return False
    waited = now - state.raised_at
    if not dt.timedelta(days=rule.days) <= waited < dt.timedelta(days=rule.days + rule.look_back_days):
        return False
    return rule.mentioned_in(state.headline)


def payload(rule: Rule, state: ThreadState, now: dt.datetime, topics: dict[str, Topic]) -> dict:
    """What the board receives (the outbox's JSON; channels render it)."""
    return {
        "kind": KIND, "kind_name": KIND_NAME, "rule": rule.name, "days": rule.days,
        "topic": state.topic, "topic_name": topic_name(topics, state.topic), "province": state.province,
        "thread_id": state.thread_id, "raised_at": _iso(state.raised_at), "last_at": _iso(state.last_at),
        "documents": state.documents, "days_waiting": int((now - state.raised_at).total_seconds() // 86400),
        "headline": state.headline, "url": state.url,
        "period": state.raised_at.astimezone(VN).strftime("%Y-%m-%dT%H%M"),
        "detected_at": _iso(now), "created_at": _iso(now),
    }


def subject(payload: dict) -> str:
    return (f"[dulun] {payload['kind_name']} sau {payload['days']} ngày: {payload['topic_name']} – "
            f"{payload['province']}")


def message_lines(payload: dict) -> list[str]:
    raised = dt.datetime.fromisoformat(payload["raised_at"]).strftime("%H:%M %d/%m/%Y")
    checked = dt.datetime.fromisoformat(payload["detected_at"]).strftime("%H:%M %d/%m/%Y")
    return [
        f"Phản ánh lần đầu: {raised} (giờ Việt Nam) · {payload['documents']} tin bài về vụ việc",
        f"Đến {checked} ({payload['days_waiting']} ngày sau) chưa thấy cơ quan chức năng hay bên liên quan trả lời.",
        "", "Tin phản ánh:", f"1. {payload['headline']}", f"   {payload['url']}",
    ]


def _iso(value: dt.datetime) -> str:
    return value.astimezone(VN).isoformat(timespec="seconds")
