"""Alerts for flagged topics: rules -> outbox -> delivery, never the same alert twice.

`run_alerts` (1) checks the week's hot spots against the rules and writes each new alert and
its outbox rows in one transaction, (2) closes the database, delivers what is due (new alerts
and retries whose `next_attempt_at` has come), (3) records every outcome in one batch. A failed
delivery waits retry_base_s * 2^(attempts-1) before the next try and is given up with its
reason after `max_attempts`. The alert key is a hash of (rule, topic, province, period).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from core.settings import Settings
from core.timeutil import VN, vn_midnight
from pipeline.alerts import channels as ch
from pipeline.alerts.rules import EmailChannel, FileChannel, Rule, RuleFile, WebhookChannel, load_rules
from pipeline.digest.build import LEVEL_VI
from pipeline.hotspots import resolve_week
from core.taxonomy import load_topics, topic_name
from store import open_writer
from store import alerts as alert_store
from store import digests as digest_store
from store import hotspots as hotspot_store

log = logging.getLogger(__name__)
MAX_HEADLINES = 5


@dataclass
class AlertSummary:
    period: str
    created: int = 0
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"Alerts {self.period}: {self.created} new; deliveries {self.sent} sent, {self.failed} failed "
                f"(will retry), {self.gave_up} given up; {self.pending} waiting.")


def alert_key(rule: str, topic: str, province: str, period: str) -> str:
    return hashlib.sha256("\x1f".join((rule, topic, province, period)).encode("utf-8")).hexdigest()[:32]


def run_alerts(settings: Settings, now: dt.datetime | None = None, week: str | None = None,
               environ: Mapping[str, str] | None = None) -> AlertSummary:
    now = (now or dt.datetime.now(VN)).astimezone(VN)
    environ = ch.environment() if environ is None else environ
    rules = load_rules(settings.alerts.rules_file)
    for name, channel in rules.channels.items():
        if isinstance(channel, WebhookChannel):
            ch.check_webhook_transport(channel.url, settings.alerts.own_hosts, name)
    period, _ = resolve_week(week, now)
    summary = AlertSummary(period)
    with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
        alerts, outbox = new_alerts(store.con, rules, period, now)
        summary.created = alert_store.insert_alerts(store.con, alerts, outbox)
        due = alert_store.due_deliveries(store.con, now)
        pending = alert_store.outbox_rows(store.con)
    # Delivery talks to the network: the database is closed meanwhile, so other stages can write.
    results = [deliver_one(row, rules, settings, environ, now) for row in due.itertuples()]
    if results:
        with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
            alert_store.record_deliveries(store.con, pd.DataFrame(results))
            pending = alert_store.outbox_rows(store.con)
    for r in results:
        if r["status"] == "sent":
            summary.sent += 1
        elif r["status"] == "gave_up":
            summary.gave_up += 1
            summary.errors.append(f"{r['channel']}: {r['last_error']}")
        else:
            summary.failed += 1
            summary.errors.append(f"{r['channel']}: {r['last_error']}")
    summary.pending = int((pending["status"] == "pending").sum()) if len(pending) else 0
    log.info("%s", summary)
    for error in summary.errors:
        log.warning("alert delivery: %s", error)
    return summary


# ---------------------------------------------------------------- evaluation

def new_alerts(con, rules: RuleFile, period: str, now: dt.datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The alerts the rules ask for in this period, minus those already made or in cooldown."""
    hot = hotspot_store.hotspots_for_week(con, period)
    hot = hot[hot.level.isin(("new", "rising", "persistent"))]
    if hot.empty:
        return _frames([], [])
    headlines = _headlines(con, hot)
    longest = max(r.cooldown_hours for r in rules.rules)
    recent = alert_store.recent_alert_keys(con, now - dt.timedelta(hours=longest))
    topics = load_topics()
    alerts, outbox = [], []
    for rule in rules.rules:
        for cell in hot.itertuples():
            cell_headlines = headlines.get((cell.topic, cell.province), [])
            if not matches(rule, cell, cell_headlines):
                continue
            key = alert_key(rule.name, cell.topic, cell.province, period)
            if _cooling_down(recent, rule, cell, key, now):
                continue
            payload = make_payload(rule, cell, period, key, cell_headlines, topics, now)
            alerts.append({"alert_key": key, "rule": rule.name, "topic": cell.topic, "province": cell.province,
                           "period": period, "created_at": now, "payload": json.dumps(payload, ensure_ascii=False)})
            first_try = end_of_quiet_hours(rule, now)
            outbox.extend({"alert_key": key, "channel": f"{rules.channels[name].type}:{name}", "next_attempt_at": first_try}
                          for name in rule.channels)
    existing = alert_store.existing_alert_keys(con, [a["alert_key"] for a in alerts])
    return _frames([a for a in alerts if a["alert_key"] not in existing],
                   [o for o in outbox if o["alert_key"] not in existing])


def matches(rule: Rule, cell, cell_headlines: list[dict]) -> bool:
    if cell.topic not in rule.topics or cell.level not in rule.levels:
        return False
    if rule.provinces and cell.province not in rule.provinces:
        return False
    if cell.stories < rule.min_stories or (cell.score if pd.notna(cell.score) else 0.0) < rule.min_score:
        return False
    if rule.keywords:
        text = _fold(" ".join(h["headline"] or "" for h in cell_headlines))
        return any(_fold(k) in text for k in rule.keywords)
    return True


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _cooling_down(recent: pd.DataFrame, rule: Rule, cell, key: str, now: dt.datetime) -> bool:
    """An earlier alert (another period) for the same rule, topic and province within the cooldown."""
    if recent.empty or rule.cooldown_hours <= 0:
        return False
    since = now - dt.timedelta(hours=rule.cooldown_hours)
    same = recent[(recent.rule == rule.name) & (recent.topic == cell.topic) & (recent.province == cell.province)
                  & (recent.alert_key != key)]
    return bool((pd.to_datetime(same.created_at, utc=True) >= since).any())


def end_of_quiet_hours(rule: Rule, now: dt.datetime) -> dt.datetime:
    """When a delivery planned for `now` may happen: now, or the end of the rule's quiet hours."""
    window = rule.quiet_window()
    if window is None:
        return now
    start, end = window
    local = now.astimezone(VN)
    t = local.time()
    inside = (start <= t < end) if start <= end else (t >= start or t < end)
    if not inside:
        return now
    end_today = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return end_today if end_today > local else end_today + dt.timedelta(days=1)


def _headlines(con, hot: pd.DataFrame) -> dict[tuple[str, str], list[dict]]:
    monday = hot.week_start.iloc[0]
    monday = monday.date() if hasattr(monday, "date") else monday
    start = vn_midnight(monday)
    stories = digest_store.top_stories(con, start, start + dt.timedelta(weeks=1),
                                  cells=list(zip(hot.topic, hot.province)), per_group=MAX_HEADLINES)
    found: dict[tuple[str, str], list[dict]] = {}
    for s in stories.itertuples():
        links = sorted(({"source": l["source"], "url": l["url"]} for l in s.links), key=lambda l: (l["source"], l["url"]))
        found.setdefault((s.topic, s.province), []).append(
            {"headline": s.headline, "outlets": int(s.outlets), "documents": int(s.documents), "links": links})
    return found


def change_text(stories: int, baseline: float | None) -> tuple[float | None, str]:
    """(ratio, Vietnamese sentence) comparing a week's stories with the cell's usual level;
    the alert, the digest and the workbench say it the same way."""
    ratio = round(stories / baseline, 1) if baseline else None
    text = (f"{stories} sự việc so với mức thường thấy {baseline:.1f}/tuần (gấp {ratio:g} lần)".replace(".", ",")
            if baseline else f"{stories} sự việc, trước đây chưa có")
    return ratio, text


def make_payload(rule: Rule, cell, period: str, key: str, headlines: list[dict], topics, now: dt.datetime) -> dict:
    baseline = float(cell.baseline) if pd.notna(cell.baseline) else None
    ratio, text = change_text(int(cell.stories), baseline)
    return {
        "alert_key": key, "rule": rule.name, "period": period,
        "topic": cell.topic, "topic_name": topic_name(topics, cell.topic), "province": cell.province,
        "level": cell.level, "level_name": LEVEL_VI.get(cell.level, cell.level),
        "documents": int(cell.documents), "stories": int(cell.stories), "sources": int(cell.sources),
        "change": {"expected_stories": None if baseline is None else round(baseline, 2), "ratio": ratio,
                   "score": None if pd.isna(cell.score) else round(float(cell.score), 2), "text": text},
        "headlines": headlines[:MAX_HEADLINES],
        "created_at": now.isoformat(timespec="seconds"),
    }


def _frames(alerts: list[dict], outbox: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = pd.DataFrame(alerts, columns=["alert_key", "rule", "topic", "province", "period", "created_at", "payload"])
    o = pd.DataFrame(outbox, columns=["alert_key", "channel", "next_attempt_at"])
    return a, o


# ---------------------------------------------------------------- delivery

def deliver_one(row, rules: RuleFile, settings: Settings, environ: Mapping[str, str], now: dt.datetime) -> dict:
    """One attempt for one outbox row; returns its new state (status, attempts, next try, error)."""
    attempts = int(row.attempts) + 1
    _, _, name = row.channel.partition(":")
    channel = rules.channels.get(name)
    result = {"alert_key": row.alert_key, "channel": row.channel, "attempts": attempts,
              "next_attempt_at": None, "last_error": None, "sent_at": None}
    if channel is None:
        return {**result, "status": "gave_up",
                "last_error": f"gave up: channel `{name}` is no longer defined in the alert rules file"}
    try:
        payload = json.loads(row.payload)
        if isinstance(channel, FileChannel):
            ch.deliver_file(channel, payload, settings)
        elif isinstance(channel, EmailChannel):
            ch.deliver_email(channel, payload, settings, environ)
        elif isinstance(channel, WebhookChannel):
            ch.deliver_webhook(channel, payload, settings, environ, ch.delivery_id(row.alert_key, row.channel))
    except ch.DeliveryError as exc:
        if attempts >= settings.alerts.max_attempts:
            return {**result, "status": "gave_up", "last_error": f"gave up after {attempts} attempts: {exc}"}
        wait = settings.alerts.retry_base_s * 2 ** (attempts - 1)
        retry_at = now + dt.timedelta(seconds=wait)
        rule = next((r for r in rules.rules if r.name == payload.get("rule")), None)
        if rule is not None:  # a retry must respect the quiet hours the first attempt respected
            retry_at = end_of_quiet_hours(rule, retry_at)
        return {**result, "status": "pending", "last_error": str(exc), "next_attempt_at": retry_at}
    return {**result, "status": "sent", "sent_at": now}
