"""Time in Asia/Ho_Chi_Minh: the one zone, ISO weeks, and dates parsed from user input with clear errors.

Every stage counts days and ISO weeks in this zone; this module is the only place that names it.
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from core.errors import UserError

TIMEZONE = "Asia/Ho_Chi_Minh"
VN = ZoneInfo(TIMEZONE)
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")
# The years dulun reasons about. Stages reach a couple of years back (baselines, trends) and a
# week ahead from the day or week they are given; inside these years that never leaves the
# calendar (year 1 to 9999), so a day or week outside them is one sentence, not an OverflowError.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"Bad {what} {text!r}: use YYYY-MM-DD, for example 2026-11-23.") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UserError(f"The {what} {text} is out of range: give a day from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31.")
    return day


def parse_iso_week(text: str) -> tuple[int, int]:
    match = _WEEK.match(text.strip())
    if not match:
        raise UserError(f"Bad week {text!r}: use YYYY-Www, for example 2026-W47.")
    year, week = int(match[1]), int(match[2])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UserError(f"The week {text} is out of range: give a week of the years {FIRST_YEAR} to {LAST_YEAR}.")
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise UserError(f"Bad week {text!r}: {year} has no ISO week {week}.") from None
    return year, week


def week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(year: int, week: int) -> dt.date:
    return dt.date.fromisocalendar(year, week, 1)


def week_monday(label: str) -> dt.date:
    """The Monday of an ISO week label such as 2026-W47 (a bad label is a UserError)."""
    return week_start(*parse_iso_week(label))


def week_range(first: str, last: str) -> list[str]:
    """Every ISO week label from `first` to `last` inclusive."""
    day, end, weeks = week_monday(first), week_monday(last), []
    while day <= end:
        weeks.append(week_label(day))
        day += dt.timedelta(days=7)
    return weeks


def last_complete_week(today: dt.date) -> str:
    return week_label(today - dt.timedelta(days=today.isoweekday()))


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Asia/Ho_Chi_Minh (of `now`, default: the clock)."""
    return (now or dt.datetime.now(VN)).astimezone(VN).date()


def vn_midnight(day: dt.date) -> dt.datetime:
    """The first instant of `day` in Asia/Ho_Chi_Minh."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=VN)


def parse_now(text: str, what: str = "--now") -> dt.datetime:
    """An ISO timestamp that names its zone, for replaying the world as it was at that moment."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"Bad {what} {text!r}: use an ISO timestamp with its zone, "
                        "for example 2026-11-20T14:00+07:00.") from None
    if value.tzinfo is None:
        raise UserError(f"Bad {what} {text!r}: say which zone it is in, for example 2026-11-20T14:00+07:00.")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise UserError(f"The {what} moment {text} is out of range: give a moment in the years {FIRST_YEAR} to {LAST_YEAR}.")
    return value


class Clock:
    """`now()` for one pass of the pipeline: the real time, or a simulated one that starts at
    `start` and runs at the speed of real time (a replay: every stage sees a later moment than
    the stage before it, as in a real cycle)."""

    def __init__(self, start: dt.datetime | None = None):
        if start is not None and start.tzinfo is None:
            raise UserError("A simulated clock needs a time zone, for example 2026-11-20T14:00+07:00.")
        self.start = start
        self._started = dt.datetime.now(dt.timezone.utc)

    def now(self) -> dt.datetime:
        if self.start is None:
            return dt.datetime.now(VN)
        return (self.start + (dt.datetime.now(dt.timezone.utc) - self._started)).astimezone(VN)


# Public holidays in Việt Nam (the press publishes less, like on a Sunday): fixed dates every
# year, and the lunar ones (Tết: the eve to the fourth day; the Hùng Kings' day) by year.
# Extend the lunar table as years come.
FIXED_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 1), (9, 2))
LUNAR_NEW_YEAR = {2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17),
                  2027: dt.date(2027, 2, 6), 2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13),
                  2030: dt.date(2030, 2, 3)}
HUNG_KINGS_DAY = {2024: dt.date(2024, 4, 18), 2025: dt.date(2025, 4, 7), 2026: dt.date(2026, 4, 26)}


def vn_holidays(first: dt.date, last: dt.date) -> set[dt.date]:
    """Public holidays between `first` and `last` (inclusive)."""
    found: set[dt.date] = set()
    for year in range(first.year, last.year + 1):
        found.update(dt.date(year, m, d) for m, d in FIXED_HOLIDAYS)
        if year in LUNAR_NEW_YEAR:
            found.update(LUNAR_NEW_YEAR[year] + dt.timedelta(days=k) for k in range(-1, 4))
        if year in HUNG_KINGS_DAY:
            found.add(HUNG_KINGS_DAY[year])
    return {day for day in found if first <= day <= last}
