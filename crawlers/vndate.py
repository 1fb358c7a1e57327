"""Publication times as Vietnamese sites write them, read as tz-aware datetimes.

Handles ISO 8601 (meta tags, JSON-LD, `<time datetime>`), RFC 822 (RSS `pubDate`), and the
Vietnamese strings printed on pages:

    "Thứ hai, 15/3/2023, 09:58 (GMT+7)"      VnExpress
    "15/03/2023 09:58", "23/11/2026 07:30 GMT+7"   Tuổi Trẻ, Thanh Niên, Người Lao Động
    "Chủ nhật, 22/11/2026 - 20:15"           Dân trí, VietNamNet
    "08:00 | 22/11/2026", "22/11/2026 | 15:30"     provincial papers
    "16-03-2026 - 02:47 PM", "02:47 CH"      business papers (12-hour clock, SA/CH in Vietnamese)
    "Ngày 21/11/2026", "ngày 21 tháng 11 năm 2026"  portals (date only: midnight)

A time without an offset is Asia/Ho_Chi_Minh, the time zone every one of these sites prints.
`read_vn_time` also says whether the text gave a time of day, so a caller can prefer a source
with the minute over one with the day only.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import re
import unicodedata
from dataclasses import dataclass

from core.timeutil import VN

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:năm|,)?\s*(\d{4})", re.IGNORECASE)
_HM = re.compile(r"(?<!\d)(\d{1,2})\s*[:hg]\s*(\d{2})(?:\s*:\s*(\d{2}))?(?!\d)(?:\s*([AaPp][Mm]|SA|CH)\b)?")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class Stamp:
    value: dt.datetime
    has_time: bool  # False: the text gave a day only and `value` is that day's midnight


def parse_vn_datetime(text: str | None, tz: dt.tzinfo = VN) -> dt.datetime | None:
    """The first date (and time) in `text`, tz-aware; None when there is no date at all."""
    stamp = read_vn_time(text, tz)
    return stamp.value if stamp else None


def read_vn_time(text: str | None, tz: dt.tzinfo = VN) -> Stamp | None:
    """Like `parse_vn_datetime`, and whether a time of day was given."""
    if not text:
        return None
    text = unicodedata.normalize("NFC", " ".join(str(text).split()))
    value = _iso(text, tz) or _rfc822(text)
    if value:
        return Stamp(value, True)
    return _vietnamese(text, tz)


def _iso(text: str, tz: dt.tzinfo) -> dt.datetime | None:
    if not _ISO.match(text):
        return None
    candidate = text.strip().replace("Z", "+00:00")
    # "+0700" (XenForo, some CMSs) is not accepted by fromisoformat before 3.11 in every form.
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", candidate)
    try:
        value = dt.datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _rfc822(text: str) -> dt.datetime | None:
    if not re.match(r"^\s*([A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        return None
    # Some CMSs write "GMT+7" where RFC 822 wants "+0700".
    text = _GMT.sub(lambda m: f"{m[1]}{int(m[2]):02d}{int(m[3] or 0):02d}", text)
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if value.tzinfo is None:  # "-0000" means "zone unknown"; the sites are in Vietnam
        value = value.replace(tzinfo=VN)
    return value


def _vietnamese(text: str, tz: dt.tzinfo) -> Stamp | None:
    match = _DMY.search(text) or _WORDS.search(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.search(text)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    rest = text[: match.start()] + " " + text[match.end():]
    time_of_day = _time_of_day(rest)
    hour, minute, second = time_of_day or (0, 0, 0)
    zone = _offset(rest) or tz
    return Stamp(dt.datetime(date.year, date.month, date.day, hour, minute, second, tzinfo=zone), time_of_day is not None)


def _time_of_day(text: str) -> tuple[int, int, int] | None:
    for match in _HM.finditer(text):
        hour, minute = int(match[1]), int(match[2])
        second = int(match[3]) if match[3] else 0
        half = (match[4] or "").upper()
        if half and not 1 <= hour <= 12:
            continue
        if half in ("PM", "CH") and hour != 12:
            hour += 12
        elif half in ("AM", "SA") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            return hour, minute, second
    return None


def _offset(text: str) -> dt.tzinfo | None:
    match = _GMT.search(text)
    if not match:
        return None
    sign = 1 if match[1] == "+" else -1
    delta = dt.timedelta(hours=int(match[2]), minutes=int(match[3] or 0))
    if delta == dt.timedelta(hours=7):
        return VN
    return dt.timezone(sign * delta)
