"""Alerts about waves (and issues left unanswered): rules -> outbox -> delivery, never the same
message twice.

`run_alerts` (1) makes sure the rolling detection (pipeline.detect) is at `now`, reusing the
cycle's own run when it is, (2) checks every open or recently ended episode against the rules
and writes each new message and its outbox rows in one transaction, (3) closes the database,
delivers what is due (new messages and retries whose `next_attempt_at` has come), (4) records
every outcome in one batch.

One wave in one cell is one episode, and each rule sends at most three messages about it:
`opened` when the episode first matches the rule (a flagged window with the rule's level,
stories and score), `escalated` once when its stories over the last 7 days reach
`hotspots.escalation_factor` times (and at least `min_stories` more than) what they were at that
alert, and `cooling` when the episode ends. The alert key is a hash of (rule, topic, province,
episode and message), so a message is never made twice.

A rule of `type: unanswered` is about follow-up's issue threads instead (`unanswered.py`): one
message per thread still without a public answer `days` days after it was raised, keyed by
(rule, topic, province, thread).

Quiet hours and cooldowns act on delivery, not detection: a message made in quiet hours waits
for them to end; an opening message for a new episode within a rule's cooldown after another
one for the same place is recorded but `suppressed` (and so are its follow-ups). A failed
delivery waits retry_base_s * 2^(attempts-1) before the next try and is given up with its reason
after `max_attempts`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import pandas as pd

from core.settings import HotspotSettings, Settings
from core.taxonomy import load_topics, topic_name
from core.timeutil import VN
from nlp.roles import RoleRules
from pipeline.alerts import channels as ch
from pipeline.alerts import unanswered
from pipeline.alerts.rules import EmailChannel, FileChannel, Rule, RuleFile, WebhookChannel, load_rules
from pipeline.detect import detect_and_record, later_moment_seen, window_name
from pipeline.digest.build import LEVEL_VI
from pipeline.followup import role_rules, states_as_of
from store import alerts as alert_store
from store import detections
from store import digests as digest_store
from store import open_writer

log = logging.getLogger(__name__)
MAX_HEADLINES = 5


@dataclass
class AlertSummary:
    detected_at: str
    created: int = 0
    suppressed: int = 0
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        held = f" ({self.suppressed} held back by a cooldown)" if self.suppressed else ""
        return (f"Alerts at {self.detected_at}: {self.created} new{held}; deliveries {self.sent} sent, "
                f"{self.failed} failed (will retry), {self.gave_up} given up; {self.pending} waiting.")


def alert_key(rule: str, topic: str, province: str, period: str) -> str:
    return hashlib.sha256("\x1f".join((rule, topic, province, period)).encode("utf-8")).hexdigest()[:32]


def episode_key(rule: str, topic: str, province: str, episode_id: int, kind: str) -> str:
    return alert_key(rule, topic, province, f"episode-{episode_id}:{kind}")


def run_alerts(settings: Settings, now: dt.datetime | None = None,
               environ: Mapping[str, str] | None = None, rules: RuleFile | None = None) -> AlertSummary:
    """Detect at `now` (unless this moment's detection is stored), evaluate, deliver. `rules`:
    already loaded ones, else the settings' rules file."""
    now = (now or dt.datetime.now(VN)).astimezone(VN)
    environ, rules = _prepared(settings, environ, rules)
    with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
        summary, due = _evaluate(store.con, settings, rules, now)
        pending = alert_store.pending_count(store.con)
    # Delivery talks to the network: the database is closed meanwhile, so other stages can write.
    results = [deliver_one(row, rules, settings, environ, now) for row in due.itertuples()]
    if results:
        with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
            alert_store.record_deliveries(store.con, pd.DataFrame(results))
            pending = alert_store.pending_count(store.con)
    _tally(summary, results, pending)
    _log(summary, logging.INFO)
    return summary


def replay_alerts(settings: Settings, moments: Iterable[dt.datetime], environ: Mapping[str, str] | None = None,
                  rules: RuleFile | None = None) -> list[AlertSummary]:
    """`run_alerts` at each moment in turn (a replay such as the demo's, hour after hour), on one
    writer connection held throughout: nothing else writes meanwhile, and closing and reopening
    the database twice a cycle would cost more than the cycle. Deliveries happen with it held."""
    environ, rules = _prepared(settings, environ, rules)
    roles = role_rules(settings) if any(r.type == unanswered.KIND for r in rules.rules) else None
    summaries = []
    with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
        for now in moments:
            now = now.astimezone(VN)
            summary, due = _evaluate(store.con, settings, rules, now, roles)
            results = [deliver_one(row, rules, settings, environ, now) for row in due.itertuples()]
            if results:
                alert_store.record_deliveries(store.con, pd.DataFrame(results))
            _tally(summary, results, alert_store.pending_count(store.con))
            _log(summary, logging.INFO if summary.created or summary.suppressed or results else logging.DEBUG)
            summaries.append(summary)
    return summaries


def _prepared(settings: Settings, environ: Mapping[str, str] | None,
              rules: RuleFile | None) -> tuple[Mapping[str, str], RuleFile]:
    environ = ch.environment() if environ is None else environ
    rules = rules or load_rules(settings.alerts.rules_file)
    for name, channel in rules.channels.items():
        if isinstance(channel, WebhookChannel):
            ch.check_webhook_transport(channel.url, settings.alerts.own_hosts, name)
    return environ, rules


def _evaluate(con, settings: Settings, rules: RuleFile, now: dt.datetime,
              roles: RoleRules | None = None) -> tuple[AlertSummary, pd.DataFrame]:
    """Detection at `now` (reusing the cycle's own run when it is there), the new messages and
    their outbox rows written in one transaction; returns the deliveries now due. `roles`: the
    follow-up role rules when already read (a replay reads them once)."""
    summary = AlertSummary(now.isoformat(timespec="seconds"))
    if detections.latest_run_at(con) != now:
        detect_and_record(con, now, settings.hotspots)
    alerts, outbox = new_alerts(con, rules, settings.hotspots, now)
    waiting, waiting_outbox = unanswered_alerts(con, settings, rules, now, roles)
    if len(waiting) and later_moment_seen(con, now):
        # Replays go forward, as episodes do: a later moment already saw what became of these
        # issues (an answer fetched since), so an earlier moment alerts about none of them.
        log.info("Alerts at %s: %d unanswered-issue alert(s) held back: a later moment was already seen.",
                 now.isoformat(timespec="seconds"), len(waiting))
        waiting = waiting.iloc[0:0]
    if len(waiting):
        alerts, outbox = pd.concat([alerts, waiting], ignore_index=True), pd.concat([outbox, waiting_outbox], ignore_index=True)
    made = alert_store.insert_alerts(con, alerts, outbox)
    held = set(outbox.loc[outbox.status == "suppressed", "alert_key"])
    summary.suppressed = sum(key in held for key in made)
    summary.created = len(made) - summary.suppressed
    return summary, alert_store.due_deliveries(con, now)


def _tally(summary: AlertSummary, results: list[dict], pending: int) -> None:
    for r in results:
        if r["status"] == "sent":
            summary.sent += 1
        elif r["status"] == "gave_up":
            summary.gave_up += 1
            summary.errors.append(f"{r['channel']}: {r['last_error']}")
        else:
            summary.failed += 1
            summary.errors.append(f"{r['channel']}: {r['last_error']}")
    summary.pending = pending


def _log(summary: AlertSummary, level: int) -> None:
    log.log(level, "%s", summary)
    for error in summary.errors:
        log.warning("alert delivery: %s", error)


# ---------------------------------------------------------------- evaluation

FOLLOW_UP_DAYS = 30  # an episode that ended longer ago than this gets no cooling note any more


def new_alerts(con, rules: RuleFile, cfg: HotspotSettings, now: dt.datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The messages the rules ask for about the current episodes, not made before."""
    episodes = detections.episodes_since(con, now - dt.timedelta(days=FOLLOW_UP_DAYS))
    episodes = episodes[pd.to_datetime(episodes.opened_at, utc=True) <= pd.Timestamp(now)]
    if episodes.empty:
        return _frames([], [])
    made = alert_store.episode_alerts(con, episodes.episode_id.tolist())
    current = detections.latest_detections(con)
    topics = load_topics()
    context = _Context(con, now, topics)
    longest = max((r.cooldown_hours for r in rules.rules if r.type == "wave"), default=0.0)
    recent_openings = alert_store.last_opening_alerts(con, now - dt.timedelta(hours=longest))
    alerts, outbox = [], []
    for rule in rules.rules:
        if rule.type != "wave":
            continue
        for ep in episodes.itertuples():
            if ep.topic not in rule.topics or (rule.provinces and ep.province not in rule.provinces):
                continue
            mine = made[(made.rule == rule.name) & (made.episode_id == ep.episode_id)]
            kinds = set(mine.kind)
            message = None
            if pd.isna(ep.closed_at):
                if "opened" not in kinds:
                    message = _opening(rule, ep, current, context)
                elif "escalated" not in kinds:
                    message = _escalation(rule, ep, current, mine, context, cfg)
            elif "opened" in kinds and "cooling" not in kinds:
                message = _cooling(rule, ep, mine, context)
            if message is None:
                continue
            kind, payload, window = message
            key = episode_key(rule.name, ep.topic, ep.province, int(ep.episode_id), kind)
            payload = {**payload, "alert_key": key, "rule": rule.name, "kind": kind, "kind_name": KIND_VI[kind],
                       "episode_id": int(ep.episode_id), "period": _period(ep.opened_at),
                       "detected_at": _iso(now), "opened_at": _iso(ep.opened_at),
                       "tipping_story_published_at": _iso(ep.tipping_published_at), "created_at": _iso(now)}
            reason = _held_back(rule, ep, kind, mine, recent_openings, con, now)
            alerts.append({"alert_key": key, "rule": rule.name, "topic": ep.topic, "province": ep.province,
                           "period": payload["period"], "created_at": now, "kind": kind,
                           "episode_id": int(ep.episode_id), "detected_at": now,
                           "tipping_published_at": _timestamp(ep.tipping_published_at),
                           "payload": json.dumps(payload, ensure_ascii=False)})
            first_try = end_of_quiet_hours(rule, now)
            outbox.extend({"alert_key": key, "channel": f"{rules.channels[name].type}:{name}",
                           "status": "suppressed" if reason else "pending", "reason": reason,
                           "next_attempt_at": None if reason else first_try}
                          for name in rule.channels)
    return _frames(alerts, outbox)


KIND_VI = {"opened": "Cảnh báo mới", "escalated": "Tăng mạnh thêm", "cooling": "Đã hạ nhiệt",
           unanswered.KIND: unanswered.KIND_NAME}


def unanswered_alerts(con, settings: Settings, rules: RuleFile, now: dt.datetime,
                      roles: RoleRules | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The messages the `unanswered` rules ask for: issue threads still without an answer
    `days` days after they were raised (as they stood at `now`), not made before."""
    which = unanswered.candidates(rules.rules, now)
    if which is None:
        return _frames([], [])
    states = states_as_of(con, settings, now, rules=roles, **which)
    topics = load_topics()
    alerts, outbox = [], []
    for rule in rules.rules:
        for state in states:
            if not unanswered.due(rule, state, now):
                continue
            key = alert_key(rule.name, state.topic, state.province, f"thread-{state.thread_id}:{unanswered.KIND}")
            payload = {**unanswered.payload(rule, state, now, topics), "alert_key": key}
            alerts.append({"alert_key": key, "rule": rule.name, "topic": state.topic, "province": state.province,
                           "period": payload["period"], "created_at": now, "kind": unanswered.KIND,
                           "episode_id": None, "detected_at": now, "tipping_published_at": None,
                           "payload": json.dumps(payload, ensure_ascii=False)})
            first_try = end_of_quiet_hours(rule, now)
            outbox.extend({"alert_key": key, "channel": f"{rules.channels[name].type}:{name}", "status": "pending",
                           "reason": None, "next_attempt_at": first_try} for name in rule.channels)
    return _frames(alerts, outbox)


class _Context:
    """Headlines and window counts, read once per cell and window while rules are checked."""

    def __init__(self, con, now: dt.datetime, topics):
        self.con, self.now, self.topics = con, now, topics
        self._headlines: dict[tuple[str, str, int], list[dict]] = {}

    def headlines(self, topic: str, province: str, window_hours: int) -> list[dict]:
        key = (topic, province, int(window_hours))
        if key not in self._headlines:
            start = self.now - dt.timedelta(hours=int(window_hours))
            stories = digest_store.top_stories(self.con, start, self.now, cells=[(topic, province)],
                                               per_group=MAX_HEADLINES, as_of=self.now)
            found = []
            for s in stories.itertuples():
                links = sorted(({"source": l["source"], "url": l["url"]} for l in s.links),
                               key=lambda l: (l["source"], l["url"]))
                found.append({"headline": s.headline, "outlets": int(s.outlets), "documents": int(s.documents),
                              "links": links})
            self._headlines[key] = found
        return self._headlines[key]


def _opening(rule: Rule, ep, current: pd.DataFrame, context: _Context):
    """The episode's most significant flagged window that satisfies the rule, if any."""
    rows = current[(current.topic == ep.topic) & (current.province == ep.province) & current.flagged]
    rows = rows[rows.level.isin(rule.levels) & (rows.stories >= rule.min_stories)
                & (rows.score.fillna(0.0) >= rule.min_score)]
    for row in rows.sort_values(["score", "window_hours"], ascending=[False, True]).itertuples():
        headlines = context.headlines(ep.topic, ep.province, row.window_hours)
        if not rule.mentioned_in(" ".join(h["headline"] or "" for h in headlines)):
            continue
        return "opened", _window_payload(ep, row, headlines, context), row
    return None


def _escalation(rule: Rule, ep, current: pd.DataFrame, mine: pd.DataFrame, context: _Context, cfg: HotspotSettings):
    """One follow-up when the wave's 7-day stories have grown by the escalation factor."""
    opened = json.loads(mine[mine.kind == "opened"].payload.iloc[0])
    before = int(opened.get("week_stories") or opened.get("stories") or 0)
    now_stories = int(ep.week_stories or 0)
    if now_stories < cfg.escalation_factor * before or now_stories < before + rule.min_stories:
        return None
    rows = current[(current.topic == ep.topic) & (current.province == ep.province) & current.flagged]
    if rows.empty:
        return None
    row = rows.sort_values(["window_hours"]).iloc[-1]
    headlines = context.headlines(ep.topic, ep.province, int(row.window_hours))
    payload = _window_payload(ep, row, headlines, context)
    payload["previous_week_stories"] = before
    payload["change"]["text"] = (f"{now_stories} sự việc trong 7 ngày, gấp {now_stories / max(before, 1):.1f} lần "
                                 f"lúc cảnh báo ({before})").replace(".", ",")
    return "escalated", payload, row


def _cooling(rule: Rule, ep, mine: pd.DataFrame, context: _Context):
    headlines = context.headlines(ep.topic, ep.province, 168)
    opened = json.loads(mine[mine.kind == "opened"].payload.iloc[0])
    docs = detections.window_documents(context.con, context.now - dt.timedelta(days=7), context.now, context.now,
                                       [(ep.topic, ep.province)])
    payload = {
        "topic": ep.topic, "topic_name": topic_name(context.topics, ep.topic), "province": ep.province,
        "level": "cooling", "level_name": LEVEL_VI["cooling"], "window_hours": 168, "window_name": window_name(168),
        "stories": int(ep.week_stories or 0), "week_stories": int(ep.week_stories or 0),
        "documents": int(docs.documents.sum()) if len(docs) else 0,
        "sources": int(docs.sources.sum()) if len(docs) else 0,
        "peak_week_stories": int(ep.peak_week_stories or 0),
        "change": {"expected_stories": None, "ratio": None, "score": None,
                   "text": (f"không còn bất thường từ {_local(ep.last_flagged_at)}; đỉnh {int(ep.peak_week_stories or 0)} "
                            f"sự việc trong 7 ngày (lúc cảnh báo: {opened.get('stories')} sự việc trong "
                            f"{opened.get('window_name', '')})")},
        "closed_at": _iso(ep.closed_at), "headlines": headlines[:MAX_HEADLINES],
    }
    return "cooling", payload, None


def _window_payload(ep, row, headlines: list[dict], context: _Context) -> dict:
    baseline = float(row.baseline) if pd.notna(row.baseline) else None
    window = window_name(int(row.window_hours))
    ratio, text = change_text(int(row.stories), baseline, window)
    return {
        "topic": ep.topic, "topic_name": topic_name(context.topics, ep.topic), "province": ep.province,
        "level": row.level, "level_name": LEVEL_VI.get(row.level, row.level),
        "window_hours": int(row.window_hours), "window_name": window,
        "stories": int(row.stories), "week_stories": int(ep.week_stories or row.stories),
        "documents": None if pd.isna(row.documents) else int(row.documents),
        "sources": None if pd.isna(row.sources) else int(row.sources),
        "change": {"expected_stories": None if baseline is None else round(baseline, 2), "ratio": ratio,
                   "score": None if pd.isna(row.score) else round(float(row.score), 2), "text": text},
        "headlines": headlines[:MAX_HEADLINES],
    }


def _held_back(rule: Rule, ep, kind: str, mine: pd.DataFrame, recent: pd.DataFrame, con, now: dt.datetime) -> str | None:
    """Why this message is recorded but not sent (a cooldown), or None."""
    if kind == "opened":
        if rule.cooldown_hours <= 0 or recent.empty:
            return None
        since = pd.Timestamp(now) - pd.Timedelta(hours=rule.cooldown_hours)
        other = recent[(recent.rule == rule.name) & (recent.topic == ep.topic) & (recent.province == ep.province)
                       & (recent.episode_id.fillna(-1) != ep.episode_id)
                       & (pd.to_datetime(recent.created_at, utc=True) >= since)]
        if other.empty:
            return None
        last = pd.to_datetime(other.created_at, utc=True).max()
        return f"cooldown: an alert for {rule.name}, {ep.topic}, {ep.province} was made at {_local(last)}"
    opening = mine[mine.kind == "opened"]
    states = alert_store.outbox_rows(con)
    states = states[states.alert_key.isin(opening.alert_key)]
    if len(states) and (states.status == "suppressed").all():
        return "cooldown: the opening alert of this episode was held back"
    return None


def _period(opened_at) -> str:
    return pd.Timestamp(opened_at).tz_convert(VN).strftime("%Y-%m-%dT%H%M")


def _local(value) -> str:
    return pd.Timestamp(value).tz_convert(VN).strftime("%d/%m/%Y %H:%M")


def _timestamp(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _iso(value) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).tz_convert(VN).isoformat(timespec="seconds")


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


def change_text(stories: int, baseline: float | None, window: str | None = None) -> tuple[float | None, str]:
    """(ratio, Vietnamese sentence) comparing a window's stories with the cell's usual level for
    it (`window`: "24 giờ", "3 ngày", ...; None: an ISO week); the alert, the digest and the
    workbench say it the same way."""
    ratio = round(stories / baseline, 1) if baseline else None
    span = f" trong {window} qua" if window else ""
    usual = f"{baseline:.1f}" + ("" if window else "/tuần") if baseline else ""
    text = (f"{stories} sự việc{span} so với mức thường thấy {usual} (gấp {ratio:g} lần)".replace(".", ",")
            if baseline else f"{stories} sự việc{span}, trước đây chưa có")
    return ratio, text


def _frames(alerts: list[dict], outbox: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = pd.DataFrame(alerts, columns=["alert_key", "rule", "topic", "province", "period", "created_at", "kind",
                                      "episode_id", "detected_at", "tipping_published_at", "payload"])
    o = pd.DataFrame(outbox, columns=["alert_key", "channel", "status", "reason", "next_attempt_at"])
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
