"""Where each issue stands, as of a moment: raised, answered, resolved, each with its time; and
how fast issues are answered and resolved, by province and topic.

Pure: a thread's members (with their roles) and the petition statuses seen by then in, states
and figures out. The store reads only what was published and fetched (statuses: seen) by the
moment, so the same functions answer for today and for any replayed `--now`.

A thread is
* raised when its first document was published;
* answered at the first response or resolution among its documents, or when a petition portal
  first showed a status that means an authority took it up (`portal_statuses` in the role
  rules: forwarded, being handled, answered), at the date the portal gives, else when seen;
* resolved at its first resolution, or when a portal first showed it settled. Resolved implies
  answered (at the latest then). A report after the resolution stays in the timeline; the
  thread stays resolved from its first resolution.
An issue is *raised in public* only when its thread starts with a problem report, or with a
petition (a petition raises an issue whatever its words). A thread that starts with an official
action (an arrest, an inspection, a resolution with no report seen before it) is kept and shown
as what it is, but it is no issue raised: it stays out of the response and resolution rates'
denominators and out of the "unanswered" and "answered, not resolved" lists, else every such
item would count as an issue answered the minute it was raised.
"unanswered after N days": a thread raised in public with no answer N days (each of
`followup.unanswered_days`, 7 and 14 by default) after it was raised.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from nlp.roles import RoleRules

ANSWERING = ("response", "resolution")
# What digests, alerts and the workbench call states and details, in Vietnamese.
STATE_VI = {"raised": "Chưa được trả lời", "answered": "Đã trả lời, chưa giải quyết", "resolved": "Đã giải quyết"}
ROLE_VI = {"report": "Phản ánh", "response": "Trả lời, xử lý", "resolution": "Giải quyết", "none": "Tin liên quan"}
DETAIL_VI = {
    "received": "tiếp nhận", "inspecting": "kiểm tra, xác minh", "dialogue": "đối thoại", "instructed": "chỉ đạo xử lý",
    "replied": "trả lời, cam kết", "sanctioned": "xử phạt, đình chỉ", "paid": "đã chi trả", "handed_over": "đã bàn giao",
    "cleaned_up": "đã khắc phục ô nhiễm", "repaired": "đã sửa chữa, khôi phục", "removed": "đã tháo dỡ, di dời, dẹp bỏ",
    "refunded": "đã hoàn trả", "rejected": "kết luận không có cơ sở", "done": "đã giải quyết", "negated": "",
}


def detail_vi(detail) -> str:
    """A detail code in Vietnamese; nothing (None, a missing value) -> ""."""
    if not isinstance(detail, str) or not detail:
        return ""
    if detail.startswith("portal: "):
        return f"cổng phản ánh: {detail[len('portal: '):]}"
    return DETAIL_VI.get(detail, detail)


@dataclass
class ThreadState:
    thread_id: str
    topic: str | None
    province: str | None
    state: str                      # raised / answered / resolved
    raised_at: dt.datetime
    answered_at: dt.datetime | None
    resolved_at: dt.datetime | None
    documents: int
    headline: str
    url: str
    last_at: dt.datetime
    answered_how: str | None = None   # the first answer's detail (inspecting, dialogue, ..., or a portal's)
    resolved_how: str | None = None   # the remedy (paid, repaired, ..., rejected)
    unanswered_after: int | None = None  # the largest of followup.unanswered_days passed without an answer
    raised_in_public: bool = True   # starts with a report or a petition (not with an official action)

    @property
    def days_to_answer(self) -> float | None:
        return _days(self.answered_at - self.raised_at) if self.answered_at else None

    @property
    def days_to_resolution(self) -> float | None:
        return _days(self.resolved_at - self.raised_at) if self.resolved_at else None

    def as_json(self) -> dict:
        row = asdict(self)
        for key in ("raised_at", "answered_at", "resolved_at", "last_at"):
            row[key] = row[key].isoformat(timespec="seconds") if row[key] is not None else None
        row["days_to_answer"] = self.days_to_answer
        row["days_to_resolution"] = self.days_to_resolution
        return row


def _days(delta: dt.timedelta) -> float:
    return round(max(delta.total_seconds(), 0.0) / 86400, 2)


def thread_states(members: pd.DataFrame, portal: pd.DataFrame, rules: RoleRules, now: dt.datetime,
                  unanswered_days: list[int], tz: dt.tzinfo) -> list[ThreadState]:
    """One state per thread that has a visible document by `now` (`members` and `portal` as the
    store reads them as of `now`)."""
    if members.empty:
        return []
    answers = _portal_answers(portal, rules)
    states = []
    for thread_id, docs in members.groupby("thread_id", sort=False):
        docs = docs.sort_values(["published_at", "doc_id"])
        times = pd.to_datetime(docs.published_at, utc=True)
        raised = times.iloc[0]
        answered, answered_how = _first(docs, times, ANSWERING)
        resolved, resolved_how = _first(docs, times, ("resolution",))
        for doc_id in docs.doc_id[docs.kind == "petition"]:
            for state, when, detail in answers.get(doc_id, []):
                if answered is None or when < answered:
                    answered, answered_how = when, detail
                if state == "resolved" and (resolved is None or when < resolved):
                    resolved, resolved_how = when, detail
        if resolved is not None and (answered is None or resolved < answered):
            answered, answered_how = resolved, resolved_how
        state = "resolved" if resolved is not None else "answered" if answered is not None else "raised"
        waited = pd.Timestamp(now) - raised
        overdue = [n for n in unanswered_days if state == "raised" and waited >= pd.Timedelta(days=n)]
        first = docs.iloc[0]
        raised_in_public = first.role == "report" or first.kind == "petition"
        if not raised_in_public:
            overdue = []
        headline_row = _headline(docs)
        states.append(ThreadState(
            thread_id=thread_id, topic=_text(docs.topic.iloc[0]), province=_text(docs.province.iloc[0]),
            state=state, raised_at=_local(raised, tz), answered_at=_local(answered, tz),
            resolved_at=_local(resolved, tz), documents=len(docs), headline=headline_row.title or "",
            url=headline_row.url, last_at=_local(times.iloc[-1], tz), answered_how=answered_how,
            resolved_how=resolved_how, unanswered_after=max(overdue) if overdue else None,
            raised_in_public=bool(raised_in_public),
        ))
    return states


def _first(docs: pd.DataFrame, times: pd.Series, roles: tuple[str, ...]):
    hit = docs.role.isin(roles).to_numpy()
    if not hit.any():
        return None, None
    i = int(hit.argmax())
    detail = docs.detail.iloc[i]
    return times.iloc[i], (detail if isinstance(detail, str) else None)


def _portal_answers(portal: pd.DataFrame, rules: RoleRules) -> dict[str, list[tuple[str, pd.Timestamp, str | None]]]:
    """doc id -> (state, when, detail) of each status that answers or resolves, in time order."""
    out: dict[str, list] = {}
    for row in portal.itertuples():
        meaning = rules.portal_state(row.status)
        if meaning is None or meaning.state == "raised":
            continue
        when = row.status_at if pd.notna(row.status_at) else row.observed_at
        # Said as the portal said it: an analyst sees that the answer is the portal's status.
        out.setdefault(row.doc_id, []).append((meaning.state, pd.Timestamp(when).tz_convert("UTC"),
                                                f"portal: {row.status}"))
    return out


def _headline(docs: pd.DataFrame):
    """The first report's title (what the issue is), else the first document's."""
    reports = docs[docs.role == "report"]
    return (reports if len(reports) else docs).iloc[0]


def _local(value, tz) -> dt.datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).tz_convert(tz).to_pydatetime()


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------- by province and topic

RATE_COLUMNS = ["province", "topic", "raised", "answered", "resolved", "response_rate", "resolution_rate",
                "median_days_to_answer", "median_days_to_resolution"]


def response_rates(states: list[ThreadState], start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """Per province x topic, the threads raised in [start, end): how many, the share answered and
    resolved by `end` (the states are as of `end`), and the median days from raised to the
    first answer and to resolution among those answered (resolved). Recent threads have had
    less time: a period's rates grow while its threads age. Threads without a province or a
    topic, and threads that start with an official action (no issue raised in public), are not
    counted."""
    rows = [s for s in states if s.raised_in_public and s.province and s.topic and start <= s.raised_at < end]
    if not rows:
        return pd.DataFrame(columns=RATE_COLUMNS)
    frame = pd.DataFrame({
        "province": [s.province for s in rows], "topic": [s.topic for s in rows],
        "answered": [s.answered_at is not None for s in rows], "resolved": [s.resolved_at is not None for s in rows],
        "to_answer": [s.days_to_answer for s in rows], "to_resolution": [s.days_to_resolution for s in rows],
    })
    grouped = frame.groupby(["province", "topic"], sort=True)
    out = pd.DataFrame({
        "raised": grouped.size(),
        "answered": grouped.answered.sum(),
        "resolved": grouped.resolved.sum(),
        "median_days_to_answer": grouped.to_answer.median(),
        "median_days_to_resolution": grouped.to_resolution.median(),
    }).reset_index()
    out["response_rate"] = (out.answered / out.raised).round(3)
    out["resolution_rate"] = (out.resolved / out.raised).round(3)
    for column in ("median_days_to_answer", "median_days_to_resolution"):
        out[column] = out[column].astype(float).round(1)
    out[["raised", "answered", "resolved"]] = out[["raised", "answered", "resolved"]].astype(int)
    return out.sort_values(["raised", "province", "topic"], ascending=[False, True, True])[RATE_COLUMNS].reset_index(drop=True)
