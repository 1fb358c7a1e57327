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
