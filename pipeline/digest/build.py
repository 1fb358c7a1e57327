"""The digest's content as plain data (the JSON output), read from the store.

HTML and Markdown are renderings of exactly this dictionary, so the three files say the same.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from core.settings import Settings
from core.timeutil import VN, vn_midnight, week_label, week_start
from core.taxonomy import Topic, topic_name
from pipeline.detect import detect_now, window_name
from pipeline.followup import response_rates, states_as_of
from pipeline.followup.states import detail_vi
from store import detections
from store import digests as digest_store
from store import hotspots as hotspot_store
from store.detections import refresh_story_index

LEVEL_VI = {"new": "Mới xuất hiện", "rising": "Đang tăng", "persistent": "Kéo dài", "cooling": "Đang giảm"}
PROBLEM_VI = {"failed": "Lần thu thập gần nhất thất bại", "errors": "Có trang lỗi ở lần thu thập gần nhất",
              "silent": "Không có tin mới"}
RUN_STATUS_VI = {"ok": "thành công", "failed": "thất bại", "interrupted": "bị ngắt", "running": "đang chạy"}


class DayCounts:
    """Where the daily digest's counts come from: DuckDB through `store.digests` (the digest
    stage). The workbench passes its own, read from the search index's read model, with the
    same frames."""

    def __init__(self, con):
        self.con = con

    def daily_totals(self, day: dt.date) -> pd.DataFrame:
        return digest_store.daily_totals(self.con, day)

    def top_stories(self, day: dt.date, per_group: int) -> pd.DataFrame:
        return digest_store.top_stories(self.con, vn_midnight(day), vn_midnight(day + dt.timedelta(days=1)),
                                        per_group=per_group)

    def new_places(self, day: dt.date, lookback_days: int) -> pd.DataFrame:
        return digest_store.new_places(self.con, day, lookback_days)

    def weekly_story_series(self, cells, last_week_start: dt.date, weeks: int) -> dict:
        return hotspot_store.weekly_story_series(self.con, cells, last_week_start, weeks)


def daily_content(con, settings: Settings, day: dt.date, topics: dict[str, Topic], now: dt.datetime,
                  detect: bool = True, counts: DayCounts | None = None, role_rules=None) -> dict[str, Any]:
    """The daily digest. `detect=False` leaves out "rising now", which detects afresh at `now`
    (and may bring the detection index up to date): the workbench reads the stored run instead.
    `role_rules`: follow-up's rules when the caller keeps them loaded (else read from their file)."""
    cfg = settings.digest
    counts = counts or DayCounts(con)
    totals = _totals(counts.daily_totals(day), day, topics)
    hot_week = hotspot_store.latest_hotspot_week(con, day)
    hotspots = (hotspot_entries(con, hot_week, topics, cfg.trend_weeks, series=counts.weekly_story_series)
                if hot_week else [])
    stories = counts.top_stories(day, cfg.top_stories)
    content = {
        "kind": "daily",
        "period": day.isoformat(),
        "title": f"Bản tin dư luận ngày {day:%d/%m/%Y}",
        "generated_at": now.astimezone(VN).isoformat(timespec="seconds"),
        "totals": totals["all"],
        "topic_totals": totals["topics"],
        "hotspot_week": hot_week,
        "hotspots": hotspots,
        "topics": _topic_sections(stories, topics, totals["topics"]),
        "new_places": [
            {"topic": r.topic, "topic_name": topic_name(topics, r.topic), "province": r.province,
             "documents": int(r.documents), "stories": int(r.stories), "headline": r.headline, "url": r.url}
            for r in counts.new_places(day, cfg.new_place_lookback_days).itertuples()
        ],
        "source_health": _source_health(digest_store.source_health(con, now, cfg.silent_days)),
        "followup": followup_lists(con, settings, topics, min(now, vn_midnight(day + dt.timedelta(days=1))),
                                   rules=role_rules),
    }
    if detect:
        content["rising_now"] = rising_now(con, settings, topics, now)
    return content


def weekly_content(con, settings: Settings, iso_week: str, monday: dt.date, topics: dict[str, Topic],
                   now: dt.datetime) -> dict[str, Any]:
    cfg = settings.digest
    hotspots = hotspot_entries(con, iso_week, topics, cfg.trend_weeks)
    cells = [(h["topic"], h["province"]) for h in hotspots if h["level"] != "cooling"]
    start, end = vn_midnight(monday), vn_midnight(monday + dt.timedelta(weeks=1))
    stories = digest_store.top_stories(con, start, end, cells=cells, per_group=cfg.top_stories) if cells else pd.DataFrame()
    by_cell: dict[tuple[str, str], list] = {}
    for row in stories.itertuples():
        by_cell.setdefault((row.topic, row.province), []).append(story_entry(row))
    for h in hotspots:
        h["stories_list"] = by_cell.get((h["topic"], h["province"]), [])
    all_cells = hotspot_store.hotspots_for_week(con, iso_week, flagged_only=False)
    return {
        "kind": "weekly",
        "period": iso_week,
        "title": f"Điểm nóng dư luận tuần {iso_week} ({monday:%d/%m} – {monday + dt.timedelta(days=6):%d/%m/%Y})",
        "generated_at": now.astimezone(VN).isoformat(timespec="seconds"),
        "totals": {"cells": int(len(all_cells)), "documents": int(all_cells["documents"].sum()) if len(all_cells) else 0,
                   "flagged": sum(1 for h in hotspots if h["level"] != "cooling")},
        "hotspot_week": iso_week,
        "hotspots": hotspots,
        "response_rates": response_rate_table(con, settings, topics, min(now, end)),
    }


MAX_FOLLOWUP_ITEMS = 20


def followup_lists(con, settings: Settings, topics: dict[str, Topic], as_of: dt.datetime,
                   rules=None) -> dict[str, Any]:
    """Issues raised in the last `followup.list_days` and still unanswered after the first of
    `followup.unanswered_days`, oldest first; and those answered but not resolved. Only issues
    with a province and a topic: the digest counts by province x topic, and a thread whose topic
    is still unknown (a report no topic was recognised in) waits until a member gives it one."""
    cfg = settings.followup
    since = as_of - dt.timedelta(days=cfg.list_days)
    states = [s for s in states_as_of(con, settings, as_of, active_since=since, rules=rules)
              if s.raised_at >= since and s.province and s.topic and s.raised_in_public]
    first = cfg.unanswered_days[0]
    waiting = sorted((s for s in states if s.state == "raised" and s.unanswered_after), key=lambda s: s.raised_at)
    answered = sorted((s for s in states if s.state == "answered"), key=lambda s: s.answered_at)

    def entry(s) -> dict[str, Any]:
        return {
            "thread_id": s.thread_id, "topic": s.topic,
            "topic_name": topic_name(topics, s.topic),
            "province": s.province, "headline": s.headline, "url": s.url, "documents": s.documents,
            "raised_at": _iso(s.raised_at), "answered_at": _iso(s.answered_at),
            "days_waiting": int((as_of - s.raised_at).total_seconds() // 86400),
            "days_since_answer": int((as_of - s.answered_at).total_seconds() // 86400) if s.answered_at else None,
            "answered_how": detail_vi(s.answered_how), "unanswered_after": s.unanswered_after,
        }

    return {"at": _iso(as_of), "unanswered_days": first, "list_days": cfg.list_days,
            "unanswered": [entry(s) for s in waiting[:MAX_FOLLOWUP_ITEMS]], "unanswered_total": len(waiting),
            "answered_unresolved": [entry(s) for s in answered[:MAX_FOLLOWUP_ITEMS]],
            "answered_unresolved_total": len(answered)}


def response_rate_table(con, settings: Settings, topics: dict[str, Topic], as_of: dt.datetime) -> dict[str, Any]:
    """Per province x topic, the issues raised in the `followup.rate_days` before `as_of`: how
    many, the share answered and resolved, median days to the first answer and to resolution."""
    start = as_of - dt.timedelta(days=settings.followup.rate_days)
    states = states_as_of(con, settings, as_of, active_since=start)
    table = response_rates(states, start, as_of)
    rows = [{**{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()},
             "topic_name": topic_name(topics, r["topic"])} for r in table.to_dict(orient="records")]
    raised = int(table.raised.sum()) if len(table) else 0
    totals = {"raised": raised, "answered": int(table.answered.sum()) if raised else 0,
              "resolved": int(table.resolved.sum()) if raised else 0}
    totals["response_rate"] = round(totals["answered"] / raised, 3) if raised else None
    totals["resolution_rate"] = round(totals["resolved"] / raised, 3) if raised else None
    return {"start": _iso(start), "end": _iso(as_of), "days": settings.followup.rate_days, "rows": rows, "totals": totals}


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(VN).isoformat(timespec="minutes") if value is not None else None


def rising_now(con, settings: Settings, topics: dict[str, Topic], now: dt.datetime) -> dict[str, Any]:
    """What the rolling detection flags at `now` (the digest's own moment): each cell's most
    significant window, since when its wave has been followed, and its leading story."""
    refresh_story_index(con, dt.datetime.now(dt.timezone.utc))
    rows = detect_now(con, now, settings.hotspots)
    flagged = rows[rows.best & rows.flagged].sort_values("score", ascending=False) if len(rows) else rows
    since = {(e.topic, e.province): e.opened_at for e in detections.open_episodes(con).itertuples()}
    leading: dict[tuple[str, str], dict] = {}
    for hours, cells in (flagged.groupby("window_hours") if len(flagged) else []):
        stories = digest_store.top_stories(con, now - dt.timedelta(hours=int(hours)), now,
                                           cells=list(zip(cells.topic, cells.province)), per_group=1, as_of=now)
        for story in stories.itertuples():
            link = next((l["url"] for l in sorted(story.links, key=lambda l: l["source"])), None)
            leading[(story.topic, story.province)] = {"headline": story.headline, "url": link,
                                                      "outlets": int(story.outlets)}
    cells = []
    for r in flagged.itertuples():
        opened = since.get((r.topic, r.province))
        cells.append({
            "topic": r.topic, "topic_name": topic_name(topics, r.topic), "province": r.province,
            "level": r.level, "level_name": LEVEL_VI.get(r.level, r.level),
            "window_hours": int(r.window_hours), "window_name": window_name(int(r.window_hours)),
            "stories": int(r.stories), "expected": round(float(r.baseline), 2),
            "documents": None if pd.isna(r.documents) else int(r.documents),
            "sources": None if pd.isna(r.sources) else int(r.sources),
            "since": None if opened is None else pd.Timestamp(opened).tz_convert(VN).isoformat(timespec="minutes"),
            "story": leading.get((r.topic, r.province)),
        })
    return {"at": now.astimezone(VN).isoformat(timespec="minutes"), "cells": cells}


def _totals(frame: pd.DataFrame, day: dt.date, topics: dict[str, Topic]) -> dict[str, Any]:
    columns = ("documents", "stories", "sources")
    sums: dict[tuple[str | None, bool], dict[str, int]] = {}  # (topic, on the day) -> column sums
    if not frame.empty:
        days = pd.to_datetime(frame.published_day).dt.date
        keep = days <= day
        grouped = frame[keep].assign(on_day=(days == day)[keep], topic=frame.topic[keep].fillna("")) \
            .groupby(["topic", "on_day"])[list(columns)].sum()
        sums = {(t or None, bool(on)): {c: int(v) for c, v in row.items()} for (t, on), row in grouped.iterrows()}

    def summary(topic: str | None) -> dict[str, Any]:
        today, before = sums.get((topic, True), {}), sums.get((topic, False), {})
        out = {}
        for column in columns:
            out[column] = int(today.get(column, 0))
            out[f"{column}_avg7"] = round(float(before.get(column, 0)) / 7.0, 1)
        avg = out["documents_avg7"]
        out["change_pct"] = None if avg == 0 else round(100.0 * (out["documents"] - avg) / avg)
        return out

    per_topic = [{"topic": tid, "topic_name": topic_name(topics, tid), **summary(tid)} for tid in topics]
    per_topic.sort(key=lambda e: (-e["stories"], -e["stories_avg7"], e["topic"]))
    return {"all": summary(None), "topics": per_topic}


def hotspot_entries(con, iso_week: str, topics: dict[str, Topic], trend_weeks: int,
                    series=None) -> list[dict[str, Any]]:
    """The week's flagged cells with their weekly trend (`series`: the stories per week, by
    default counted in DuckDB)."""
    rows = hotspot_store.hotspots_for_week(con, iso_week)
    if rows.empty:
        return []
    year, number = (int(x) for x in iso_week.split("-W"))
    monday = week_start(year, number)
    cells = list(zip(rows.topic, rows.province))
    series = (series or (lambda *args: hotspot_store.weekly_story_series(con, *args)))(cells, monday, trend_weeks)
    labels = [week_label(monday - dt.timedelta(weeks=trend_weeks - 1 - i)) for i in range(trend_weeks)]
    result = []
    for r in rows.itertuples():
        baseline = None if r.baseline is None or math.isnan(r.baseline) else round(float(r.baseline), 2)
        result.append({
            "topic": r.topic, "topic_name": topic_name(topics, r.topic), "province": r.province,
            "level": r.level, "level_name": LEVEL_VI.get(r.level, r.level),
            "documents": int(r.documents), "stories": int(r.stories), "sources": int(r.sources),
            "baseline": baseline, "score": None if pd.isna(r.score) else round(float(r.score), 1),
            "p_value": None if pd.isna(r.p_value) else float(r.p_value),
            "trend": series[(r.topic, r.province)], "trend_weeks": labels,
        })
    return result


def story_entry(row) -> dict[str, Any]:
    links = sorted(({"source": l["source"], "url": l["url"], "title": l["title"]} for l in row.links),
                   key=lambda l: (l["source"], l["url"]))
    first_seen = row.first_seen
    return {
        "story": row.story, "headline": row.headline, "outlets": int(row.outlets), "documents": int(row.documents),
        "first_seen": None if pd.isna(first_seen) else pd.Timestamp(first_seen).tz_convert(VN).isoformat(timespec="minutes"),
        "links": links,
    }


def _topic_sections(stories: pd.DataFrame, topics: dict[str, Topic], topic_totals: list[dict]) -> list[dict]:
    by_topic: dict[str, list] = {}
    for row in stories.itertuples():
        by_topic.setdefault(row.topic, []).append(story_entry(row))
    return [
        {"topic": t["topic"], "topic_name": t["topic_name"], "stories_today": t["stories"],
         "stories_avg7": t["stories_avg7"], "stories": by_topic.get(t["topic"], [])}
        for t in topic_totals if t["topic"] in by_topic
    ]


def _source_health(frame: pd.DataFrame) -> list[dict[str, Any]]:
    def when(value) -> str | None:
        return None if pd.isna(value) else pd.Timestamp(value).tz_convert(VN).isoformat(timespec="minutes")

    return [
        {"source": r.source, "problem": r.problem, "problem_name": PROBLEM_VI[r.problem],
         "last_status": RUN_STATUS_VI.get(r.last_status, r.last_status) if isinstance(r.last_status, str) else None,
         "last_run_at": when(r.last_run_at), "pages_failed": int(r.pages_failed),
         "causes": r.causes if isinstance(r.causes, str) else None, "last_new": when(r.last_new)}
        for r in frame.itertuples()
    ]
