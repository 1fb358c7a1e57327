"""Publication times as Vietnamese sites print them."""
from __future__ import annotations

import datetime as dt

import pytest

from crawlers.vndate import VN, parse_vn_datetime


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
