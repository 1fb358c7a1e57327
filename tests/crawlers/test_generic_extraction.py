"""Extraction on pages nobody configured: headline, minute, body, as a reader sees them.

The figure `python -m bench.bench_extract` reports (generic path, beside trafilatura's defaults)
is pinned here as a minimum; each pattern fixture is also a test of its own.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from crawlers.extraction_checks import CHECKS, PATTERNS, Case, Found, check, generic, load_cases, pattern_cases, score
from crawlers.extract import extract_article
from crawlers.headline import strip_site_name
from crawlers.vndate import VN

# Measured 100% (232 of 232 checks on 58 pages; trafilatura's defaults 58.6%) when pinned; the
# goal the issue set is 95%.
MIN_SHARE = 0.97
MIN_SHARE_PER_CHECK = 0.95

PATTERN_CASES = pattern_cases()


def test_generic_path_passes_at_least_the_pinned_share_of_checks():
    result = score(load_cases(), generic)
    assert result.share >= MIN_SHARE, result.misses
    for name in CHECKS:
        assert result.passed[name] >= MIN_SHARE_PER_CHECK * result.total[name], (name, result.misses)


@pytest.mark.parametrize("case", PATTERN_CASES, ids=[c.name for c in PATTERN_CASES])
def test_pattern_fixture_is_extracted_as_a_reader_sees_it(case: Case):
    found = generic(case)
    results = check(case, found)
    assert set(results) == set(CHECKS)
    assert all(results.values()), {"failed": [k for k, ok in results.items() if not ok], "title": found.title,
                                   "published": found.published, "text": (found.text or "")[:300]}


def test_every_pattern_fixture_is_complete_and_indexed():
    index = (PATTERNS / "README.md").read_text(encoding="utf-8")
    assert len(PATTERN_CASES) >= 20
    for case in PATTERN_CASES:
        exp = case.expected
        assert exp["url"].startswith("https://") and exp["patterns"] and exp["title"] and exp["body"], case.name
        assert exp["published"] is None or dt.datetime.fromisoformat(exp["published"]).utcoffset() == dt.timedelta(hours=7)
        assert f"`{case.name}`" in index, f"{case.name} is missing from {PATTERNS / 'README.md'}"
    kinds = {p.split("-")[0] for c in PATTERN_CASES for p in c.expected["patterns"]}
    assert {"title", "time", "body", "portal"} <= kinds


@pytest.mark.parametrize("title, site, expected", [
    ("Giá thuê phòng trọ tăng sau Tết - VnExpress", "VnExpress", "Giá thuê phòng trọ tăng sau Tết"),
    ("Giá thuê phòng trọ tăng sau Tết - VnExpress Kinh doanh", "VnExpress", "Giá thuê phòng trọ tăng sau Tết"),
    ("Người dân chờ sổ đỏ | VietNamNet", "vietnamnet", "Người dân chờ sổ đỏ"),            # the host's brand
    ("Xe tải cày nát đường tỉnh – Tuổi Trẻ Online", "TUOI TRE ONLINE", "Xe tải cày nát đường tỉnh"),
    ("Ngập cục bộ sau mưa | Báo Đà Nẵng điện tử", "baodanang", "Ngập cục bộ sau mưa"),
    ("Hẻm ngập sâu - Báo Người Lao Động", "nld", "Hẻm ngập sâu"),                          # initials
    ("Báo Cần Thơ Online - Sạt lở bờ sông Ô Môn", "baocantho", "Sạt lở bờ sông Ô Môn"),     # a prefix
    ("Tin tổng hợp :: Cổng thông tin Bộ Y tế", "moh", "Tin tổng hợp"),                    # a portal's name
    ("TP.HCM - Vĩnh Long: thông xe cao tốc", "vnexpress", "TP.HCM - Vĩnh Long: thông xe cao tốc"),
])
def test_the_site_name_is_cut_from_a_title_and_nothing_else(title, site, expected):
    assert strip_site_name(title, [site]) == expected


def _page(head: str, body: str) -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


ARTICLE = ("<div class='content'><p>Đoạn thứ nhất của bài báo, đủ dài để được coi là nội dung, có dấu phẩy, và dấu chấm.</p>"
           "<p>Đoạn thứ hai của bài báo, cũng đủ dài, nói về việc người dân phản ánh với chính quyền.</p></div>")


def test_a_printed_minute_wins_over_a_declared_day_of_the_same_date():
    html = _page("<meta property='article:published_time' content='2026-03-12'>",
                 f"<h1>Công nhân mất việc không báo trước</h1><span class='time'>Thứ năm, 12/03/2026 16:25 (GMT+7)</span>{ARTICLE}")
    assert extract_article(html, "https://x.vn/a").published == dt.datetime(2026, 3, 12, 16, 25, tzinfo=VN)


def test_a_printed_date_of_another_day_does_not_override_a_declared_one():
    html = _page("<meta property='article:published_time' content='2026-03-12'>",
                 f"<h1>Công nhân mất việc không báo trước</h1><span class='time'>13/03/2026 16:25</span>{ARTICLE}")
    assert extract_article(html, "https://x.vn/a").published == dt.datetime(2026, 3, 12, 0, 0, tzinfo=VN)


def test_the_publication_label_wins_over_the_update_label_and_a_header_date():
    html = _page("", "<div class='top'>Thứ Hai, 30/03/2026</div><nav><a href='/'>Trang chủ</a></nav>"
                     "<div>Cập nhật: 19/03/2026 16:40</div><h1>Khu công nghiệp thiếu nhà ở cho công nhân</h1>"
                     f"<div>Ngày đăng: 19/03/2026 09:05</div>{ARTICLE}")
    assert extract_article(html, "https://x.vn/a").published == dt.datetime(2026, 3, 19, 9, 5, tzinfo=VN)


def test_json_ld_in_a_graph_in_utc_is_read_in_vietnam_time():
    ld = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Báo"},
                                                       {"@type": "NewsArticle", "datePublished": "2026-03-18T08:20:00+00:00"}]}
    html = _page(f"<script type='application/ld+json'>{json.dumps(ld)}</script>", f"<h1>Chợ đầu mối ùn ứ xe tải</h1>{ARTICLE}")
    assert extract_article(html, "https://x.vn/a").published == dt.datetime(2026, 3, 18, 15, 20, tzinfo=VN)


def test_a_portal_section_heading_is_not_the_title():
    html = _page("<title>Cổng thông tin điện tử tỉnh</title>",
                 "<ul><li><a href='/tin-tuc'>Tin tức - Sự kiện</a></li></ul><h1>Tin tức - Sự kiện</h1>"
                 f"<p class='title-news'>Tỉnh đối thoại với người dân vùng dự án khu kinh tế</p><p>21/11/2026</p>{ARTICLE}")
    assert extract_article(html, "https://tinh.gov.vn/a").title == "Tỉnh đối thoại với người dân vùng dự án khu kinh tế"


def test_the_body_continues_after_a_related_box_an_ad_and_in_a_second_block():
    html = _page("", "<h1>Người dân chờ sổ đỏ năm năm</h1><div class='detail'><div class='body'>"
                     "<p>Đoạn đầu tiên kể chuyện người dân nộp hồ sơ xin cấp giấy từ năm 2021, đến nay vẫn chờ.</p>"
                     "<div class='box-related'><a href='/a'>Tin liên quan về chuyện cấp sổ đỏ ở nhiều quận huyện</a></div>"
                     "<p>Đoạn thứ hai sau hộp tin liên quan, cán bộ trả lời khu đất nằm trong quy hoạch đường.</p>"
                     "<div class='ads-inarticle'>Quảng cáo</div>"
                     "<p>Đoạn thứ ba sau quảng cáo, văn phòng đăng ký đất đai thừa nhận việc giải quyết chậm.</p></div>"
                     "<div class='video-box'><video src='v.mp4'></video></div>"
                     "<div class='body'><p>Đoạn thứ tư ở khối nội dung thứ hai, ủy ban giao lập danh sách hồ sơ quá hạn.</p></div>"
                     "</div><footer><p>Bản quyền thuộc về báo, giấy phép số 1 do bộ cấp cho cơ quan chủ quản.</p></footer>")
    text = extract_article(html, "https://x.vn/a").text
    assert [line.split()[1] for line in text.splitlines()] == ["đầu", "thứ", "thứ", "thứ"]
    assert "Tin liên quan" not in text and "Quảng cáo" not in text and "Bản quyền" not in text


def test_the_checker_skips_a_leading_lead_and_counts_missing_paragraphs():
    case = Case("x", "https://x.vn/a", b"", None, {
        "title": "Tiêu đề", "published": "2026-03-07T08:47:00+07:00", "lead": "Sapo của bài.",
        "body": ["Câu một. Câu hai.", "Đoạn hai."], "body_excludes": ["Tin liên quan"]})
    at = dt.datetime(2026, 3, 7, 1, 47, 30, tzinfo=dt.timezone.utc)
    assert all(check(case, Found("Tiêu  đề", at, None, "Sapo của bài.\nCâu một. Câu hai.\nĐoạn hai.")).values())
    missing = check(case, Found("Tiêu đề", at, None, "Câu một. Câu hai.\nTin liên quan"))
    assert missing == {"title": True, "minute": True, "first_sentence": True, "body": False}
