"""Dates and ISO weeks in Asia/Ho_Chi_Minh, parsed from user input with clear errors."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dulun.errors import UserError

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"Bad {what} {text!r}: use YYYY-MM-DD, for example 2026-11-23.") from None


def parse_iso_week(text: str) -> tuple[int, int]:
    match = _WEEK.match(text.strip())
    if not match:
        raise UserError(f"Bad week {text!r}: use YYYY-Www, for example 2026-W47.")
    year, week = int(match[1]), int(match[2])
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


def last_complete_week(today: dt.date) -> str:
    return week_label(today - dt.timedelta(days=today.isoweekday()))
