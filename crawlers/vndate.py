"""Publication times as Vietnamese sites write them, read as tz-aware datetimes.

Handles ISO 8601 (meta tags, JSON-LD, `<time datetime>`), RFC 822 (RSS `pubDate`), and the
Vietnamese strings printed on pages:

    "Thứ hai, 15/3/2023, 09:58 (GMT+7)"      VnExpress
    "15/03/2023 09:58", "23/11/2026 07:30 GMT+7"   Tuổi Trẻ, Thanh Niên, Người Lao Động
    "Chủ nhật, 22/11/2026 - 20:15"           Dân trí, VietNamNet
    "08:00 | 22/11/2026", "22/11/2026 | 15:30"     provincial papers
    "Ngày 21/11/2026", "ngày 21 tháng 11 năm 2026"  portals (date only: midnight)

A time without an offset is Asia/Ho_Chi_Minh, the time zone every one of these sites prints.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import re
import unicodedata

from core.timeutil import VN

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:năm|,)?\s*(\d{4})", re.IGNORECASE)
_HM = re.compile(r"(?<!\d)(\d{1,2})\s*[:hg]\s*(\d{2})(?:\s*:\s*(\d{2}))?(?!\d)")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def parse_vn_datetime(text: str | None, tz: dt.tzinfo = VN) -> dt.datetime | None:
    """The first date (and time) in `text`, tz-aware; None when there is no date at all."""
    if not text:
        return None
    text = unicodedata.normalize("NFC", " ".join(str(text).split()))
    return _iso(text, tz) or _rfc822(text) or _vietnamese(text, tz)


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


def _vietnamese(text: str, tz: dt.tzinfo) -> dt.datetime | None:
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
    hour, minute, second = _time_of_day(rest)
    zone = _offset(rest) or tz
    return dt.datetime(date.year, date.month, date.day, hour, minute, second, tzinfo=zone)


def _time_of_day(text: str) -> tuple[int, int, int]:
    for match in _HM.finditer(text):
        hour, minute = int(match[1]), int(match[2])
        second = int(match[3]) if match[3] else 0
        if hour < 24 and minute < 60 and second < 60:
            return hour, minute, second
    return 0, 0, 0


def _offset(text: str) -> dt.tzinfo | None:
    match = _GMT.search(text)
    if not match:
        return None
    sign = 1 if match[1] == "+" else -1
    delta = dt.timedelta(hours=int(match[2]), minutes=int(match[3] or 0))
    if delta == dt.timedelta(hours=7):
        return VN
    return dt.timezone(sign * delta)
