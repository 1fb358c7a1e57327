"""The workbench's pages. Each handler reads through one short read-only connection
(`Workbench.reader`) and renders a Jinja template with autoescape on; crawled text is never
marked safe. SQL lives in `store/` (`store.web`, `store.digests`, `store.hotspots`, `store.search_index`)."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import urllib.parse
from typing import Any

import pandas as pd
from scipy import stats
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from core.errors import UserError
from core.timeutil import VN, parse_date, parse_iso_week, week_label, week_start
from dulun.web import charts
from dulun.web.query import highlight, phrase_text, place_phrases, search_phrases
from dulun.web.security import csrf_ok, csrf_token
from pipeline.digest.build import LEVEL_VI, daily_content, hotspot_entries, story_entry
from pipeline import followup
from pipeline.followup.states import ROLE_VI, STATE_VI, detail_vi
from store import corrections as correction_queue
from store import followup as followup_store
from core.timeutil import vn_midnight
from store import digests as digest_store
from store import hotspots as hotspot_store
from store import search_index
from store import web as queries

LEVEL_MEANING_VI = {
    "new": "Lần đầu xuất hiện: trong lịch sử gần đây địa bàn này chưa có sự việc nào thuộc chủ đề này.",
    "rising": "Tăng bất thường tuần này; tuần trước chưa bị đánh dấu.",
    "persistent": "Bất thường tuần này và cả tuần trước: làn sóng đang kéo dài.",
    "cooling": "Tuần trước bất thường, tuần này đã trở lại gần mức thường thấy.",
}
KIND_VI = {"press": "Báo chí", "post": "Bài đăng diễn đàn", "petition": "Phản ánh, kiến nghị"}
DELIVERY_VI = {"pending": "đang chờ gửi", "sent": "đã gửi", "gave_up": "đã dừng gửi"}
SEARCH_PAGE = 20
REVIEW_COUNT = 20


def wb(request: Request):
    return request.app.state.workbench


@contextlib.contextmanager
def read_model(workbench):
    """The search index's read model (a period's documents by rowid range, a topic or province
    by tag) when it exists, else None: pages then count in DuckDB instead."""
    path = search_index.index_path(workbench.database)
    if not search_index.exists(path):
        yield None
        return
    con = search_index.connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


class ReadModelCounts:
    """The daily digest's counts (`pipeline.digest.build.DayCounts`) from the search index's
    read model: a day is a rowid range and stories over days are its day cells, so Today never
    joins a million documents with their enrichments."""

    def __init__(self, model):
        self.model = model

    def daily_totals(self, day: dt.date) -> pd.DataFrame:
        return search_index.daily_totals(self.model, day)

    def top_stories(self, day: dt.date, per_group: int) -> pd.DataFrame:
        return search_index.top_stories(self.model, day, per_group)

    def new_places(self, day: dt.date, lookback_days: int) -> pd.DataFrame:
        return search_index.new_places(self.model, day, lookback_days)

    def weekly_story_series(self, cells, last_week_start: dt.date, weeks: int) -> dict:
        return search_index.weekly_story_series(self.model, cells, last_week_start, weeks)


@contextlib.contextmanager
def day_counts(workbench):
    """The read model's counts when the search index has its day cells, else None (DuckDB counts)."""
    with read_model(workbench) as model:
        yield ReadModelCounts(model) if model is not None and search_index.day_cells_ready(model) else None


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    workbench = wb(request)
    context.update(request=request, user=getattr(request.state, "user", None), csrf=csrf_token(request.session),
                   topics=workbench.topics, provinces=workbench.provinces, now=workbench.now(),
                   kind_vi=KIND_VI, level_vi=LEVEL_VI)
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status_code)


def bad_request(message: str) -> HTTPException:
    return HTTPException(400, message)


def _param_date(request: Request, name: str) -> dt.date | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        return parse_date(value, name)
    except UserError as exc:
        raise bad_request(str(exc)) from None


def _param_week(request: Request, name: str = "week") -> str | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        year, number = parse_iso_week(value)
    except UserError as exc:
        raise bad_request(str(exc)) from None
    return f"{year}-W{number:02d}"


def _param_choice(request: Request, name: str, allowed) -> str | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise bad_request(f"Giá trị {name}={value!r} không hợp lệ.")
    return value


def url(path: str, **params) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", [])}
    return path + ("?" + urllib.parse.urlencode(clean, doseq=True) if clean else "")


def cell_url(week: str | None, topic: str, province: str) -> str:
    return url("/hotspots/cell", week=week, topic=topic, province=province)


def _monday(iso_week: str) -> dt.date:
    year, number = parse_iso_week(iso_week)
    return week_start(year, number)


# ---------------------------------------------------------------- Today

def today_content(workbench, day: dt.date) -> dict:
    """The day's digest content, computed once per database state (and kept warm for the
    default day by the background thread: `warm_pages`)."""
    now = workbench.now()

    def make() -> dict:
        with day_counts(workbench) as counts, workbench.reader() as store:
            rising_now(workbench, store)  # the page shows it too: read on the same connection
            return daily_content(store.con, workbench.settings, day, workbench.topics, now, detect=False, counts=counts,
                                 role_rules=role_rules_of(workbench))

    return workbench.memo.get_or_make(("today", day, now.replace(minute=0, second=0, microsecond=0),
                                       workbench.data_version()), make)


def default_day(workbench) -> dt.date:
    return workbench.now().date() - dt.timedelta(days=1)  # the last complete day, as the digest


def today(request: Request) -> Response:
    workbench = wb(request)
    day = _param_date(request, "day") or default_day(workbench)
    content = today_content(workbench, day)
    return render(request, "today.html.j2", d=content, day=day, cell_url=cell_url, rising=rising_now(workbench),
                  prev_day=day - dt.timedelta(days=1), next_day=day + dt.timedelta(days=1))


def warm_pages(workbench) -> None:
    """After the database changed, compute what the pages everyone opens first need (Today's
    digest, the map's 8-week heat map, the review list) before anyone asks."""
    today_content(workbench, default_day(workbench))
    rising_now(workbench)
    _heat_frame(workbench, _this_monday(workbench))
    review_items(workbench)


# ---------------------------------------------------------------- Rising now (rolling detection)

def _instant(value) -> dt.datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def rising_now(workbench, store=None) -> dict:
    """What the rolling detection flags as of its newest stored run, and every open episode
    (pipeline.detect stores both every cycle): read, never recomputed, once per database state;
    on `store`'s connection when one is open already."""
    from pipeline.detect import window_name

    def make() -> dict:
        with contextlib.nullcontext(store) if store is not None else workbench.reader() as reader:
            detected_at, rows = queries.rising_now(reader.con)
        cells = []
        for r in rows.to_dict("records"):
            hours = None if pd.isna(r["window_hours"]) else int(r["window_hours"])
            cells.append({
                "topic": r["topic"], "topic_name": workbench.topics[r["topic"]].vi if r["topic"] in workbench.topics else r["topic"],
                "province": r["province"], "flagged": bool(r["flagged"]),
                "level": r["level"] if isinstance(r["level"], str) and r["flagged"] else None,
                "window_name": window_name(hours) if hours else None,
                "stories": None if pd.isna(r["stories"]) else int(r["stories"]),
                "expected": _number(r["baseline"]),
                "since": _instant(r["opened_at"]), "escalated_at": _instant(r["escalated_at"]),
                "last_flagged_at": _instant(r["last_flagged_at"]), "detected_at": _instant(r["detected_at"]),
                "url": cell_url(None, r["topic"], r["province"]),
            })
        # The detect stage keeps only its newest run: a pinned moment before it (a replay read
        # back) would be shown what was found later, so the page says so instead of the cells.
        later = detected_at is not None and pd.Timestamp(detected_at).to_pydatetime() > workbench.now()
        return {"at": _instant(detected_at), "cells": [] if later else cells, "after_now": later,
                "now": _instant(workbench.now())}

    return workbench.memo.get_or_make(("rising", workbench.data_version()), make)


EPISODE_EVENT_VI = {"opened": "Bắt đầu theo dõi (lần đầu vượt ngưỡng)", "escalated": "Tăng mạnh thêm",
                    "cooling": "Đã hạ nhiệt", "closed": "Kết thúc đợt (không còn vượt ngưỡng)",
                    "last_flagged": "Lần gần nhất còn vượt ngưỡng"}


def episode_history(episodes: pd.DataFrame) -> list[dict]:
    """Each episode of a cell as a list of dated events: opened, escalated, cooling (from its
    alerts), last flagged and closed."""
    from pipeline.detect import window_name

    out = []
    for e in episodes.to_dict("records"):
        events = [("opened", _instant(e["opened_at"]),
                   f"{int(e['open_stories'])} sự việc trong {window_name(int(e['open_window_hours']))}"
                   if pd.notna(e["open_stories"]) and pd.notna(e["open_window_hours"]) else "")]
        seen = set()
        for a in (e["alert_events"] if e["alert_events"] is not None else []):
            if a["kind"] in ("escalated", "cooling") and a["kind"] not in seen:
                seen.add(a["kind"])
                events.append((a["kind"], _instant(a["detected_at"]), ""))
        closed = _instant(e["closed_at"])
        if closed is not None:
            events.append(("last_flagged", _instant(e["last_flagged_at"]), ""))
            if "cooling" not in seen:
                events.append(("closed", closed, ""))
        events.sort(key=lambda ev: ev[1] or dt.datetime.max.replace(tzinfo=dt.timezone.utc))
        out.append({
            "episode_id": int(e["episode_id"]), "open": closed is None,
            "level": e["level"] if isinstance(e["level"], str) else None,
            "week_stories": None if pd.isna(e["week_stories"]) else int(e["week_stories"]),
            "peak_week_stories": None if pd.isna(e["peak_week_stories"]) else int(e["peak_week_stories"]),
            "tipping": _instant(e["tipping_published_at"]), "last_flagged_at": _instant(e["last_flagged_at"]),
            "events": [{"kind": k, "name": EPISODE_EVENT_VI[k], "at": at, "note": note} for k, at, note in events],
        })
    return out


# ---------------------------------------------------------------- Hot spots

def hotspots(request: Request) -> Response:
    workbench = wb(request)
    week = _param_week(request)
    with day_counts(workbench) as counts, workbench.reader() as store:
        rising = rising_now(workbench, store)
        weeks = queries.hotspot_weeks(store.con)
        week = week or hotspot_store.latest_hotspot_week(store.con, workbench.now().date())
        entries = hotspot_entries(store.con, week, workbench.topics, workbench.settings.digest.trend_weeks,
                                  series=counts.weekly_story_series if counts else None) if week else []
    return render(request, "hotspots.html.j2", week=week, weeks=weeks.to_dict("records"), entries=entries,
                  cell_url=cell_url, rising=rising)


def hotspot_cell(request: Request) -> Response:
    workbench = wb(request)
    topic = _param_choice(request, "topic", workbench.topics)
    province = request.query_params.get("province", "").strip()
    if not topic or not province:
        raise bad_request("Cần chọn chủ đề (topic) và tỉnh/thành (province).")
    cfg = workbench.settings.hotspots
    with workbench.reader() as store:
        week = _param_week(request) or hotspot_store.latest_hotspot_week(store.con, workbench.now().date())
        if week is None:
            week = week_label(workbench.now().date())
        monday = _monday(week)
        first_day = monday - dt.timedelta(weeks=cfg.baseline_weeks)
        cell = queries.hotspot_cell(store.con, week, topic, province)
        history = queries.cell_history(store.con, topic, province, week, 12)
        episodes = episode_history(queries.cell_episodes(store.con, topic, province))
        windows = _detection_windows(queries.cell_detections(store.con, topic, province))
    start, week_start_at = vn_midnight(first_day), vn_midnight(monday)
    end = week_start_at + dt.timedelta(weeks=1)
    with read_model(workbench) as model:
        if model is not None:
            by_day = {day: n for day, (n, _) in search_index.daily_counts(model, topic, province, start, end).items()}
            story_list = search_index.cell_stories(model, topic, province, week_start_at, end)
        else:
            with workbench.reader() as store:
                daily = queries.cell_daily_counts(store.con, topic, province, first_day, monday + dt.timedelta(days=6))
                stories = digest_store.top_stories(store.con, week_start_at, end, cells=[(topic, province)], per_group=30)
            by_day = dict(zip(pd.to_datetime(daily["day"]).dt.date, daily["stories"])) if not daily.empty else {}
            story_list = [story_entry(r) for r in stories.itertuples()]
    days = [first_day + dt.timedelta(days=i) for i in range((monday + dt.timedelta(days=7) - first_day).days)]
    baseline = _number(cell.get("baseline")) if cell else None
    band = _daily_band(baseline)
    chart = charts.daily_band(days, [int(by_day.get(d, 0)) for d in days], *band, focus_from=monday,
                              title=f"Sự việc mỗi ngày: {workbench.topics[topic].vi} – {province}")
    explanation = _explain(cell, cfg) if cell else None
    levels = dict(zip(history.iso_week, history.level)) if not history.empty else {}
    weekly = [{"week": week_label(first_day + dt.timedelta(weeks=k)),
               "stories": sum(int(by_day.get(first_day + dt.timedelta(weeks=k, days=d), 0)) for d in range(7))}
              for k in range(cfg.baseline_weeks + 1)]
    for entry in weekly:
        level = levels.get(entry["week"])
        entry["level"] = level if isinstance(level, str) else None
    baseline_weeks = [week_label(monday - dt.timedelta(weeks=k)) for k in range(1, cfg.baseline_weeks + 1)]
    return render(request, "cell.html.j2", week=week, topic=topic, province=province, cell=cell, chart=chart,
                  explanation=explanation, stories=story_list, episodes=episodes, windows=windows,
                  weekly=weekly, band=band, baseline_weeks=baseline_weeks,
                  phrases_url=url("/hotspots/cell/phrases", week=week, topic=topic, province=province))


def _detection_windows(rows: pd.DataFrame) -> list[dict]:
    """The cell in the newest detection run: each trailing window's stories against the expected."""
    from pipeline.detect import window_name

    return [{"window_name": window_name(int(r["window_hours"])), "stories": int(r["stories"]),
             "expected": _number(r["baseline"]), "flagged": bool(r["flagged"]), "best": bool(r["best"]),
             "level": r["level"] if isinstance(r["level"], str) else None, "detected_at": _instant(r["detected_at"])}
            for r in rows.to_dict("records")]


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _daily_band(weekly_baseline: float | None) -> tuple[float | None, float | None, float | None]:
    """(expected, low, high) stories per day: the weekly expectation spread over seven days,
    and the 5%-95% range a Poisson count with that mean keeps to."""
    if weekly_baseline is None:
        return None, None, None
    mean = weekly_baseline / 7
    return round(mean, 2), float(stats.poisson.ppf(0.05, mean)), float(stats.poisson.ppf(0.95, mean))


def _explain(cell: dict, cfg) -> list[str]:
    """Why the cell was (or was not) flagged, in the words the alert uses."""
    from pipeline.alerts import change_text

    stories, level = int(cell["stories"]), cell.get("level")
    baseline = _number(cell.get("baseline"))
    p = _number(cell.get("p_value"))
    lines = [f"Tuần này: {change_text(stories, baseline)[1]}; {int(cell['documents'])} tin bài từ {int(cell['sources'])} nguồn."]
    if p is not None:
        odds = f"khoảng 1 trên {1 / p:,.0f}".replace(",", ".") if p > 0 else "gần như bằng 0"
        lines.append(f"Nếu địa bàn vẫn như thường lệ, xác suất có từ {stories} sự việc trở lên là {odds} (p = {p:.2g}).")
    lines.append(f"Ngưỡng đánh dấu: ít nhất {cfg.min_stories} sự việc và p ≤ {cfg.max_p_value:g}, so với {cfg.baseline_weeks} tuần trước đó "
                 "của chính ô này (có làm trơn theo mức chung của chủ đề).")
    lines.append(LEVEL_MEANING_VI.get(level, "Không bị đánh dấu: số sự việc nằm trong mức thường thấy."))
    return lines


def hotspot_phrases(request: Request) -> Response:
    """The phrases that set the cell's week apart (the notebooks' helper), as a fragment; slow
    for big cells, so the cell page loads it after it has answered, and it is kept per data state."""
    from pipeline.analysis import key_phrases

    workbench = wb(request)
    topic = _param_choice(request, "topic", workbench.topics)
    province = request.query_params.get("province", "").strip()
    week = _param_week(request)
    if not (topic and province and week):
        raise bad_request("Cần chủ đề, tỉnh/thành và tuần.")
    monday = _monday(week)
    baseline = [week_label(monday - dt.timedelta(weeks=k)) for k in range(1, workbench.settings.hotspots.baseline_weeks + 1)]

    def make():
        with workbench.gate.reading():
            return key_phrases(workbench.database, topic, province, week, baseline).to_dict("records")

    table = workbench.memo.get_or_make(("phrases", topic, province, week, workbench.data_version()), make)
    return render(request, "phrases.html.j2", phrases=table)


# ---------------------------------------------------------------- Map

PERIODS = {"7": 7, "30": 30, "90": 90}


def map_page(request: Request) -> Response:
    workbench = wb(request)
    topic = _param_choice(request, "topic", workbench.topics)
    measure = _param_choice(request, "measure", ("stories", "level")) or "stories"
    days = PERIODS[_param_choice(request, "days", PERIODS) or "7"]
    now = workbench.now()
    end = vn_midnight(now.date())
    this_monday = _this_monday(workbench)
    heat_start = this_monday - dt.timedelta(weeks=8)
    with workbench.reader() as store:
        week = _param_week(request) or hotspot_store.latest_hotspot_week(store.con, now.date())
        if measure == "level" and week:
            levels_frame = queries.province_levels(store.con, week, topic)
            levels = dict(zip(levels_frame.province, levels_frame.level))
            values = {p: int(n) for p, n in zip(levels_frame.province, levels_frame.stories)}
        else:
            levels = None
    if measure != "level" or not week:
        with read_model(workbench) as model:
            if model is not None:
                values = search_index.province_counts(model, end - dt.timedelta(days=days), end, topic)
            else:
                with workbench.reader() as store:
                    counts = queries.province_counts(store.con, end - dt.timedelta(days=days), end, topic)
                values = {p: int(n) for p, n in zip(counts.province, counts.stories)}
    heat = _heat_frame(workbench, this_monday)
    links = {p: (cell_url(week, topic, p) if topic and measure == "level" else url("/search", province=p, topic=topic))
             for p in charts.TILES}
    tile_title = ("Mức điểm nóng tuần " + (week or "–")) if measure == "level" else f"Sự việc trong {days} ngày qua"
    tile_svg = charts.tile_map(values, tile_title, links, levels)
    heat_values = heat
    by_province = _totals_by(heat_values, 0)
    rows = [(p, p) for p in sorted(charts.TILES, key=lambda p: (-by_province.get(p, 0), p))]
    columns = [(t, short_topic_name(workbench.topics[t].vi)) for t in workbench.topics]
    last_week = week_label(this_monday - dt.timedelta(weeks=1))
    heat_links = {(p, t): cell_url(last_week, t, p) for (p, t) in heat_values}
    heat_svg = charts.heat_map(rows, columns, heat_values, "Sự việc theo tỉnh/thành và chủ đề, 8 tuần qua", heat_links)
    return render(request, "map.html.j2", topic=topic, measure=measure, days=str(days), week=week, tile_svg=tile_svg,
                  legend=charts.legend(max(values.values(), default=0), "sự việc") if measure == "stories" else None,
                  heat_svg=heat_svg, heat_from=heat_start, heat_to=this_monday - dt.timedelta(days=1),
                  level_fill=charts.LEVEL_FILL, heat_legend=charts.legend(max(heat_values.values(), default=0), "sự việc"))


def _this_monday(workbench) -> dt.date:
    today_ = workbench.now().date()
    return today_ - dt.timedelta(days=today_.weekday())


def _heat_frame(workbench, this_monday: dt.date) -> dict[tuple[str, str], int]:
    """Stories per (province, topic) over the 8 weeks before this week: the same for every map
    view, so computed once per database state."""
    start, end = vn_midnight(this_monday - dt.timedelta(weeks=8)), vn_midnight(this_monday)

    def make():
        with read_model(workbench) as model:
            if model is not None:
                return search_index.topic_province_counts(model, start, end)
        with workbench.reader() as store:
            frame = queries.topic_province_weeks(store.con, start, end)
        return {(r.province, r.topic): int(r.stories) for r in frame.itertuples()}

    return workbench.memo.get_or_make(("heat", this_monday, workbench.data_version()), make)


def short_topic_name(name: str) -> str:
    """"Lao động, đình công, nợ lương" -> "Lao động": column headings must stay short."""
    return name.split(",")[0].strip()


def _totals_by(values: dict[tuple[str, str], int], position: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in values.items():
        out[key[position]] = out.get(key[position], 0) + value
    return out


# ---------------------------------------------------------------- Search

def search(request: Request) -> Response:
    workbench = wb(request)
    params = request.query_params
    text = params.get("q", "").strip()[:300]
    places = tuple(workbench.provinces)
    phrases = search_phrases(text, places) if text else []
    start, end = _param_date(request, "from"), _param_date(request, "to")
    page = max(1, min(500, int(params.get("page", "1")) if params.get("page", "1").isdigit() else 1))
    query = search_index.SearchQuery(
        phrases=phrases, topic=_param_choice(request, "topic", workbench.topics),
        province=_param_choice(request, "province", workbench.provinces),
        source=params.get("source", "").strip() or None,
        kind=_param_choice(request, "kind", KIND_VI),
        start=vn_midnight(start) if start else None,
        end=vn_midnight(end + dt.timedelta(days=1)) if end else None,
        limit=SEARCH_PAGE, offset=(page - 1) * SEARCH_PAGE, places=place_phrases(phrases, places))
    path = search_index.index_path(workbench.database)
    result, sources, ready = None, [], search_index.exists(path)
    if ready:
        con = search_index.connect(path, read_only=True)
        try:
            sources = search_index.indexed_sources(con)
            if not query.empty:
                result = search_index.search(con, query)
        finally:
            con.close()
    hits = []
    for hit in (result.hits if result else []):
        hits.append({"hit": hit, "title": highlight(hit.title, phrases),
                     "excerpt": highlight(hit.lead or hit.body, phrases, width=260),
                     "published": hit.published_at.astimezone(VN)})
    chart = charts.week_bars(result.weeks, "Số tin khớp theo tuần") if result and result.weeks else None
    base = {k: v for k, v in params.items() if k != "page"}
    pages = math.ceil(result.total / SEARCH_PAGE) if result else 0
    return render(request, "search.html.j2", q=text, query=query, phrases=phrase_text(phrases), result=result,
                  hits=hits, chart=chart, sources=sources, index_ready=ready, index_status=workbench.index_status,
                  page=page, pages=pages, page_url=lambda n: url("/search", **base, page=n), start=start, end=end)


# ---------------------------------------------------------------- Story and document

def story(request: Request) -> Response:
    workbench = wb(request)
    story_id = request.path_params["story_id"]
    with read_model(workbench) as model:
        members = search_index.story_members(model, story_id) if model is not None else None
    with workbench.reader() as store:  # members from the read model: a point lookup, not a scan
        mentions = (queries.documents_with_tags(store.con, members) if members
                    else queries.story_mentions(store.con, story_id))
    if mentions.empty:
        raise HTTPException(404, "Không có sự việc này.")
    rows = mentions.to_dict("records")
    published = [r["published_at"] for r in rows if pd.notna(r["published_at"])]
    fetched = [r["fetched_at"] for r in rows if pd.notna(r["fetched_at"])]
    topics = sorted({t for r in rows for t in (r["topics"] if r["topics"] is not None else [])})
    provinces = sorted({p for r in rows for p in (r["provinces"] if r["provinces"] is not None else [])})
    by_day: dict[dt.date, int] = {}
    for when in published:
        day = pd.Timestamp(when).tz_convert(VN).date()
        by_day[day] = by_day.get(day, 0) + 1
    headline = next((r["title"] for r in rows if r["title"]), story_id)
    with workbench.reader() as store:
        thread = followup_store.thread_of_story(store.con, story_id)
    return render(request, "story.html.j2", story_id=story_id, headline=headline, rows=rows, thread_id=thread,
                  outlets=sorted({r["source"] for r in rows}), topics_seen=topics, provinces_seen=provinces,
                  first_seen=min(published) if published else None, last_seen=max(published) if published else None,
                  first_fetched=min(fetched) if fetched else None,
                  by_day=sorted(by_day.items()))


def document(request: Request) -> Response:
    workbench = wb(request)
    doc_id = request.path_params["doc_id"]
    with workbench.reader() as store:
        doc = queries.document(store.con, doc_id)
        thread = followup_store.threads_of_documents(store.con, [doc_id]).get(doc_id)
        role = followup_store.role_of(store.con, doc_id, workbench.now())
    if doc is None:
        raise HTTPException(404, "Không có tin bài này.")
    queued = [c for c in correction_queue.pending(workbench.database) if c.doc_id == doc_id]
    return render(request, "document.html.j2", doc=doc, queued=queued[-1] if queued else None,
                  scores=sorted(doc.scores.items(), key=lambda kv: -kv[1]), thread_id=thread,
                  role=role, role_vi=ROLE_VI, detail_vi=detail_vi)


# ---------------------------------------------------------------- Follow-up: issues and their timelines

def _queued_role_docs(workbench) -> set[str]:
    """Documents whose role correction waits in the queue (the writer was busy): shown as queued."""
    return {doc_id for _, doc_id, _, _ in correction_queue.pending_roles(workbench.database)}


def role_rules_of(workbench):
    return workbench.memo.get_or_make(("role-rules",), lambda: followup.role_rules(workbench.settings))


def issue(request: Request) -> Response:
    """One issue thread as it stood at the workbench's now: where it stands (raised, answered,
    resolved, with times) and its timeline, each document with its role, and what a petition
    portal showed."""
    workbench = wb(request)
    thread_id = request.path_params["thread_id"]
    now = workbench.now()
    with workbench.reader() as store:
        found = followup.states_as_of(store.con, workbench.settings, now, rules=role_rules_of(workbench),
                                      thread_ids=[thread_id])
        members = followup_store.thread_documents(store.con, now, [thread_id])
        petitions = members.doc_id[members.kind == "petition"].tolist()
        portal = followup_store.portal_observations(store.con, now, petitions)
    if not found:
        raise HTTPException(404, "Không có sự việc được theo dõi này (hoặc chưa có tin nào tính đến lúc này).")
    state = found[0]
    timeline = [{"when": r.published_at, "kind": "doc", "role": r.role, "detail": r.detail, "doc_id": r.doc_id,
                 "title": r.title, "source": r.source, "doc_kind": r.kind, "url": r.url, "corrected": bool(r.corrected)}
                for r in members.itertuples()]
    rules = role_rules_of(workbench)
    for r in portal.itertuples():
        meaning = rules.portal_state(r.status)
        timeline.append({"when": r.status_at if pd.notna(r.status_at) else r.observed_at, "kind": "portal",
                         "status": r.status, "state": meaning.state if meaning else None, "doc_id": r.doc_id})
    timeline.sort(key=lambda e: pd.Timestamp(e["when"]))
    queued = _queued_role_docs(workbench)
    return render(request, "issue.html.j2", s=state, timeline=timeline, state_vi=STATE_VI, role_vi=ROLE_VI,
                  detail_vi=detail_vi, stories=sorted(set(members.story_id)), thread_id=thread_id,
                  role_queued=queued & set(members.doc_id), saved=request.query_params.get("saved"))


async def correct_role(request: Request) -> Response:
    """One analyst's correction of a document's role in its issue thread: queued durably and
    applied through the single writer like topic corrections (`correct`), so the issue page it
    redirects to shows the role and the thread's state recomputed with it."""
    workbench = wb(request)
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        raise HTTPException(403, "Thiếu hoặc sai mã chống giả mạo (CSRF); tải lại trang rồi thử lại.")
    thread_id = request.path_params["thread_id"]
    doc_id, role = str(form.get("doc_id", "")), str(form.get("role", ""))
    if role not in ROLE_VI:
        raise bad_request(f"Vai trò {role[:40]!r} không hợp lệ; chọn một trong: {', '.join(ROLE_VI.values())}.")
    with workbench.reader() as store:
        in_thread = followup_store.threads_of_documents(store.con, [doc_id]).get(doc_id) == thread_id
    if not in_thread:
        raise bad_request("Tin bài này không thuộc vấn đề đang xem.")
    # Dated by the workbench's clock, the moment the issue page computes states at.
    correction_queue.enqueue_role(workbench.database, doc_id, role, workbench.now())
    from starlette.concurrency import run_in_threadpool

    applied = await run_in_threadpool(workbench.apply_corrections)
    saved = "1" if applied else "queued"
    if form.get("back") == "review":   # corrected from the review list: back to the next one
        return RedirectResponse(f"/issues/review?saved={saved}", status_code=303)
    return RedirectResponse(f"/issue/{urllib.parse.quote(thread_id)}?saved={saved}", status_code=303)


ROLE_REVIEW_COUNT = 50


def role_review(request: Request) -> Response:
    """The documents of the issues of the last `followup.list_days` whose role the model was
    least sure of, each with the role form: a correction here teaches the next `dulun train`."""
    workbench = wb(request)
    now = workbench.now()
    since = now - dt.timedelta(days=workbench.settings.followup.list_days)
    with workbench.reader() as store:
        rows = followup_store.unsure_roles(store.con, now, since, ROLE_REVIEW_COUNT)
    queued = _queued_role_docs(workbench)
    items = [r for r in rows.to_dict("records") if r["doc_id"] not in queued]
    return render(request, "role_review.html.j2", items=items, role_vi=ROLE_VI, kind_vi=KIND_VI,
                  list_days=workbench.settings.followup.list_days, saved=request.query_params.get("saved"))


def issues(request: Request) -> Response:
    """The issues raised in the last `followup.list_days`, newest first, by state."""
    workbench = wb(request)
    chosen = _param_choice(request, "state", ("raised", "answered", "resolved"))
    now = workbench.now()
    since = now - dt.timedelta(days=workbench.settings.followup.list_days)
    with workbench.reader() as store:
        states = followup.states_as_of(store.con, workbench.settings, now, rules=role_rules_of(workbench),
                                       active_since=since)
    # A thread whose topic is still unknown is counted nowhere (the lists are by province x topic):
    # it shows once a member gives it a topic; `dulun followup --list --json` lists it with topic null.
    states = [s for s in states if s.raised_at >= since and s.topic]
    # Threads an official action or background news opened are nobody's raised issue: they would
    # read as 'answered' the minute they appeared. Kept a click away, like the rates leave them out.
    opened_officially = sum(not s.raised_in_public for s in states)
    with_official = request.query_params.get("all") == "1"
    states = [s for s in states if with_official or s.raised_in_public]
    counts = {name: sum(s.state == name for s in states) for name in STATE_VI}
    shown = sorted((s for s in states if not chosen or s.state == chosen), key=lambda s: s.raised_at, reverse=True)
    return render(request, "issues.html.j2", states=shown[:200], total=len(shown), counts=counts, chosen=chosen,
                  state_vi=STATE_VI, detail_vi=detail_vi, list_days=workbench.settings.followup.list_days,
                  opened_officially=opened_officially, with_official=with_official)


async def correct(request: Request) -> Response:
    """One correction of a document's topics and provinces: queued durably, applied through the
    single writer now if it is free, else as soon as it is (the page never waits long)."""
    workbench = wb(request)
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        raise HTTPException(403, "Thiếu hoặc sai mã chống giả mạo (CSRF); tải lại trang rồi thử lại.")
    doc_id = request.path_params["doc_id"]
    topics = [t for t in form.getlist("topic") if t in workbench.topics]
    provinces = [p for p in form.getlist("province") if p in workbench.provinces]
    if form.get("action") == "confirm":  # one click: the model's tags are right
        with workbench.reader() as store:
            doc = queries.document(store.con, doc_id)
        if doc is None:
            raise HTTPException(404, "Không có tin bài này.")
        topics = [t for t in doc.topics if t in workbench.topics]
        provinces = [p for p in doc.provinces if p in workbench.provinces]
    else:
        with workbench.reader() as store:
            if not queries.documents_exist(store.con, [doc_id]):
                raise HTTPException(404, "Không có tin bài này.")
    correction_queue.enqueue(workbench.database, doc_id, topics, provinces, dt.datetime.now(dt.timezone.utc))
    from starlette.concurrency import run_in_threadpool

    applied = await run_in_threadpool(workbench.apply_corrections)
    if request.headers.get("HX-Request"):
        return render(request, "label_saved.html.j2", applied=applied, topics_saved=topics, provinces_saved=provinces,
                      doc_id=doc_id)
    return RedirectResponse(f"/doc/{urllib.parse.quote(doc_id)}?saved={'1' if applied else 'queued'}", status_code=303)


# ---------------------------------------------------------------- Sources, alerts, review

def sources(request: Request) -> Response:
    workbench = wb(request)
    now = workbench.now()
    with workbench.reader() as store:
        overview = queries.source_overview(store.con, now)
        causes = queries.failures_by_cause(store.con, now - dt.timedelta(days=7))
        health = digest_store.source_health(store.con, now, workbench.settings.digest.silent_days)
    problems = dict(zip(health.source, health.problem)) if not health.empty else {}
    return render(request, "sources.html.j2", overview=overview.to_dict("records"), causes=causes.to_dict("records"),
                  problems=problems, silent_days=workbench.settings.digest.silent_days)


def alerts(request: Request) -> Response:
    workbench = wb(request)
    with workbench.reader() as store:
        frame = queries.alert_outbox(store.con)
    rows = []
    for r in frame.to_dict("records"):
        payload = json.loads(r["payload"]) if r["payload"] else {}
        deliveries = [d for d in (r["deliveries"] if r["deliveries"] is not None else []) if d.get("channel")]
        rows.append({**r, "p": payload, "deliveries": deliveries})
    return render(request, "alerts.html.j2", rows=rows, delivery_vi=DELIVERY_VI, cell_url=cell_url)


REVIEW_DAYS = 14
REVIEW_POOL = 1000  # the most recently enriched unlabeled documents the ranking looks at


def review_items(workbench) -> tuple[list[dict], dict]:
    """The least-sure recent documents, ranked as `dulun label` ranks them, and the label
    counts: computed once per database state (and kept warm, like Today)."""
    from nlp.label import uncertainty

    def make():
        with workbench.reader() as store:
            since = workbench.now() - dt.timedelta(days=REVIEW_DAYS)
            candidates = queries.review_candidates(store.con, since, REVIEW_POOL)
            labels = queries.label_status(store.con)
        candidates.sort(key=lambda c: (uncertainty(c["scores"], workbench.thresholds), c["doc_id"]))
        return candidates[:REVIEW_COUNT * 3], labels

    return workbench.memo.get_or_make(("review", workbench.data_version()), make)


def review(request: Request) -> Response:
    workbench = wb(request)
    candidates, labels = review_items(workbench)
    queued = correction_queue.pending(workbench.database)
    queued_ids = {c.doc_id for c in queued}
    items = []
    for c in [c for c in candidates if c["doc_id"] not in queued_ids][:REVIEW_COUNT]:
        scores = {t: float(s) for t, s in (c["scores"] or {}).items()}
        closest = min(scores.items(), key=lambda kv: abs(kv[1] - workbench.thresholds.get(kv[0], 0.5))) if scores else None
        items.append({**c, "closest": closest, "top": sorted(scores.items(), key=lambda kv: -kv[1])[:4]})
    return render(request, "review.html.j2", items=items, labels=labels, queued=len(queued))
