"""Extraction from single pages: generic first (meta, JSON-LD, trafilatura), selectors to help."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import unicodedata

import pytest

from crawlers.cp1258 import to_cp1258
from crawlers.extract import decode_html, extract_article
from crawlers.fixture_server import FIXTURES


VN7 = dt.timezone(dt.timedelta(hours=7))


def _page(name: str, path: str) -> str:
    return (FIXTURES / name / "site" / path).read_text(encoding="utf-8")


def test_generic_extraction_of_a_vnexpress_article_without_selectors():
    html = _page("vnexpress-thoi-su", "hai-phong-mo-rong-tuyen-xe-buyt-noi-khu-cong-nghiep-trang-due-4851234.html")
    found = extract_article(html, "https://vnexpress.net/x-4851234.html")
    assert found.title == "Hải Phòng mở rộng tuyến xe buýt nối khu công nghiệp Tràng Duệ"
    assert found.published == dt.datetime(2026, 11, 22, 9, 58, tzinfo=VN7)  # meta pubdate
    assert found.lead.startswith("Thành phố bổ sung ba tuyến xe buýt")
    assert found.byline == "Lê Tân"  # JSON-LD author
    assert "khu công nghiệp Tràng Duệ" in found.text and "Copyright" not in found.text
    assert found.canonical_url.endswith("-4851234.html")


def test_json_ld_date_without_offset_is_vietnam_time():
    html = '<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"Tiêu đề","datePublished":"2026-11-22T06:45:00"}</script></head><body><p>Nội dung bài.</p></body></html>'
    found = extract_article(html, "https://example.vn/a")
    assert found.published == dt.datetime(2026, 11, 22, 6, 45, tzinfo=VN7)
    assert found.title == "Tiêu đề"


def test_a_page_without_any_date_says_so():
    found = extract_article("<html><body><h1>Không ngày</h1><p>Chỉ có nội dung.</p></body></html>", "https://x.vn/a")
    assert found.published is None and "no_date" in found.notes


def test_windows_1258_is_decoded_and_normalised_to_nfc():
    body = to_cp1258('<html><head><meta charset="windows-1258"><title>Người dân phản ánh</title></head>'
                  '<body><h1>Người dân phản ánh</h1><p>Nước sạch thiếu ở Quảng Ngãi.</p></body></html>')
    decoded = decode_html(body, "text/html")
    assert decoded.encoding == "cp1258" and not decoded.repaired
    found = extract_article(decoded.text, "https://x.vn/a")
    assert found.title == "Người dân phản ánh"
    assert unicodedata.is_normalized("NFC", found.title)


def test_wrong_declared_encodings_are_repaired_and_reported():
    utf8 = '<html><head><meta charset="windows-1258"></head><body>Phản ánh</body></html>'.encode()
    assert decode_html(utf8, "text/html").repaired  # utf-8 bytes declared as windows-1258
    legacy = to_cp1258("<html><body>Phản ánh</body></html>")
    decoded = decode_html(legacy, "text/html; charset=utf-8")  # windows-1258 bytes under a utf-8 header
    assert decoded.repaired and unicodedata.normalize("NFC", decoded.text).endswith("Phản ánh</body></html>")


def test_garbage_and_empty_pages_do_not_raise():
    for html in ("", "<<<>>>", "<html><body>", "\x00\x01binary"):
        extract_article(html, "https://x.vn/a")


def test_dulun_extract_prints_json(tmp_path):
    page = FIXTURES / "dantri-xa-hoi" / "site" / "xa-hoi" / "nguoi-dan-phan-anh-bai-rac-qua-tai-gay-o-nhiem-20261122201500123.htm"
    out = subprocess.run([sys.executable, "-m", "dulun", "extract", str(page), "--url", "https://dantri.com.vn/xa-hoi/a.htm"],
                         capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    assert data["title"] == "Người dân phản ánh bãi rác quá tải gây ô nhiễm"
    assert data["published"] == "2026-11-22T20:15:00+07:00"
    assert data["lead"].startswith("Mùi hôi từ bãi rác") and "nước rỉ rác" in data["text"]


def test_dulun_extract_of_a_missing_file_is_one_sentence(tmp_path):
    run = subprocess.run([sys.executable, "-m", "dulun", "extract", str(tmp_path / "nope.html"), "--url", "https://x.vn/a"],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "No file at" in run.stderr and "Traceback" not in run.stderr


def test_dulun_extract_can_use_a_sources_selectors():
    page = FIXTURES / "vietnamnet-thoi-su" / "site" / "giao-vien-hop-dong-o-quang-ngai-cho-luong-tu-thang-9-2450877.html"
    out = subprocess.run([sys.executable, "-m", "dulun", "extract", str(page), "--url", "https://vietnamnet.vn/a-2450877.html",
                          "--source", "vietnamnet-thoi-su"], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    assert data["published"] == "2026-11-21T16:40:00+07:00" and data["byline"] == "Hà Nguyên"


# Legacy-font text as the fonts' own tables encode it (the same sentence in both), checked
# against public converters' examples: TCVN3 "hép møt tÕt" is "hộp mứt tết", VNI
# "Xin chaøo caùc baïn" is "Xin chào các bạn".
SENTENCE = "Người dân phản ánh tình trạng ô nhiễm ở Quảng Ngãi"
TCVN3 = "Ng\xadêi d©n ph¶n ¸nh t×nh tr¹ng « nhiÔm ë Qu¶ng Ng·i"
VNI = "Ngöôøi daân phaûn aùnh tình traïng oâ nhieãm ôû Quaûng Ngaõi"


@pytest.mark.parametrize("legacy, charset, expected", [
    (TCVN3, "tcvn3", SENTENCE),
    ("hép møt tÕt", "tcvn3", "hộp mứt tết"),
    ("Uñy ban nh©n d©n tØnh §¾k L¾k", "tcvn3", "Ủy ban nhân dân tỉnh Đắk Lắk"),
    (VNI, "vni", SENTENCE),
    ("Xin chaøo caùc baïn", "vni", "Xin chào các bạn"),
    ("UÛy ban nhaân daân tænh Ñaék Laék", "vni", "Ủy ban nhân dân tỉnh Đắk Lắk"),
])
def test_legacy_font_text_becomes_unicode(legacy, charset, expected):
    from crawlers.legacyfonts import to_unicode
    assert to_unicode(legacy, charset) == (expected, 1)


def test_a_unicode_line_on_a_legacy_font_page_is_left_alone():
    from crawlers.legacyfonts import to_unicode
    mixed = f"Trang chủ | Tin tức\n{TCVN3}"
    assert to_unicode(mixed, "tcvn3") == (f"Trang chủ | Tin tức\n{SENTENCE}", 1)


@pytest.mark.parametrize("font, legacy", [(".VnTime", TCVN3), ("VNI-Times", VNI)])
def test_a_legacy_font_page_is_stored_in_unicode(font, legacy):
    paragraph = " ".join([legacy] * 5)
    html = (f'<html><head><title>x</title></head><body><article><h1 style="font-family:{font}">{legacy}</h1>'
            f'<div style="font-family:{font}"><p>{paragraph}.</p><p>{paragraph}!</p></div></article></body></html>')
    found = extract_article(html, "https://x.vn/a")  # through trafilatura, which drops soft hyphens
    assert found.title == SENTENCE
    assert found.text.splitlines()[-1] == " ".join([SENTENCE] * 5) + "!"
    assert any(n.startswith("legacy_font_converted") for n in found.notes)
    assert "legacy_font_encoding" not in found.notes


def test_legacy_font_text_that_is_not_recognised_stays_flagged():
    html = '<html><body><h1>Tin</h1><p style="font-family:.VnTime">Tin tuc</p></body></html>'
    assert "legacy_font_encoding" in extract_article(html, "https://x.vn/a").notes
    assert "legacy_font_encoding" not in extract_article("<p style='font-family:Arial'>Chữ</p>", "https://x.vn/a").notes




def test_control_characters_and_terminal_escapes_are_stripped():
    from crawlers.extract import strip_controls

    raw = "Người dân\x1b[2J\x1b[31m phản ánh\x07 ngập\x1b]0;pwned\x07 úng\u202e\x00\r\nDòng hai\tcột"
    assert strip_controls(raw) == "Người dân phản ánh ngập úng\nDòng hai\tcột"
    assert strip_controls(None) is None
