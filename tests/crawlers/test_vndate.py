"""Publication times as Vietnamese sites print them."""
from __future__ import annotations

import datetime as dt

import pytest

from crawlers.vndate import VN, parse_vn_datetime, read_vn_time


@pytest.mark.parametrize("text, expected", [
    ("Thứ hai, 15/3/2023, 09:58 (GMT+7)", "2023-03-15T09:58:00+07:00"),  # VnExpress
    ("15/03/2023 09:58", "2023-03-15T09:58:00+07:00"),
    ("23/11/2026 07:30 GMT+7", "2026-11-23T07:30:00+07:00"),  # Tuổi Trẻ
    ("22/11/2026 06:45 GMT+07:00", "2026-11-22T06:45:00+07:00"),  # Thanh Niên
    ("Chủ nhật, 22/11/2026 - 20:15", "2026-11-22T20:15:00+07:00"),  # Dân trí, VietNamNet
    ("08:00 | 22/11/2026", "2026-11-22T08:00:00+07:00"),  # time first
    ("22/11/2026 | 15:30", "2026-11-22T15:30:00+07:00"),
    ("Cập nhật: 20/11/2026 10:15", "2026-11-20T10:15:00+07:00"),
    ("Ngày 21/11/2026", "2026-11-21T00:00:00+07:00"),  # a day only: midnight in Vietnam
    ("ngày 21 tháng 11 năm 2026", "2026-11-21T00:00:00+07:00"),
    ("2026-11-22 20:15", "2026-11-22T20:15:00+07:00"),  # <time datetime> without offset
    ("2026-11-22T21:14:05+0700", "2026-11-22T21:14:05+07:00"),  # XenForo
    ("2023-03-15T02:58:00Z", "2023-03-15T09:58:00+07:00"),
    ("Sun, 22 Nov 2026 09:58:00 +0700", "2026-11-22T09:58:00+07:00"),  # RSS pubDate
    ("Sun, 22 Nov 2026 07:30:00 GMT+7", "2026-11-22T07:30:00+07:00"),
    ("Sun, 22 Nov 2026 14:00:00 GMT", "2026-11-22T21:00:00+07:00"),
    ("Thứ bảy, 7/3/2026, 08:47 (GMT+7)", "2026-03-07T08:47:00+07:00"),
    ("07/03/2026 08:47", "2026-03-07T08:47:00+07:00"),
    ("08:47 07/03/2026", "2026-03-07T08:47:00+07:00"),
    ("7/3/2026 - 08:47", "2026-03-07T08:47:00+07:00"),
    ("Thứ Bảy, 08:47, 14/03/2026", "2026-03-14T08:47:00+07:00"),  # VOV: time before date
    ("Chủ Nhật, 15-03-2026, 05:30", "2026-03-15T05:30:00+07:00"),
    ("17/03/2026, 08:47", "2026-03-17T08:47:00+07:00"),
    ("16-03-2026 - 02:47 PM", "2026-03-16T14:47:00+07:00"),  # CafeF: 12-hour clock
    ("16-03-2026 - 12:05 AM", "2026-03-16T00:05:00+07:00"),
    ("02:47 CH 16/03/2026", "2026-03-16T14:47:00+07:00"),  # chiều / sáng
    ("07/03/2026 lúc 15:40", "2026-03-07T15:40:00+07:00"),
    ("Thứ Bảy, ngày 21 tháng 3 năm 2026 - 18:30", "2026-03-21T18:30:00+07:00"),
    ("22/03/2026 06:00", "2026-03-22T06:00:00+07:00"),  # in JSON-LD, not ISO
])
def test_vietnamese_and_standard_date_strings(text, expected):
    parsed = parse_vn_datetime(text)
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed == dt.datetime.fromisoformat(expected)


def test_decomposed_unicode_is_read_like_composed():
    decomposed = "Chu\u0309 nhâ\u0323t, 22/11/2026 - 20:15"
    assert parse_vn_datetime(decomposed) == dt.datetime(2026, 11, 22, 20, 15, tzinfo=VN)


@pytest.mark.parametrize("text", [None, "", "không có ngày", "31/02/2026 10:00", "Số 12/34"])
def test_no_date_or_an_impossible_one_is_none(text):
    assert parse_vn_datetime(text) is None


@pytest.mark.parametrize("text, has_time", [
    ("Thứ bảy, 7/3/2026, 08:47 (GMT+7)", True),
    ("Cập nhật: 20/03/2026 07:15", True),
    ("2026-03-12T00:00:00+07:00", True),     # a midnight that was written: the caller decides
    ("Ngày 26/03/2026", False),
    ("ngày 7 tháng 3 năm 2026", False),
    ("2026-03-12", False),
])
def test_read_vn_time_says_whether_the_text_gave_a_time_of_day(text, has_time):
    stamp = read_vn_time(text)
    assert stamp is not None and stamp.has_time is has_time
    assert stamp.value == parse_vn_datetime(text)
