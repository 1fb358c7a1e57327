"""Article extraction: text, title, time, lead, byline and canonical URL from one HTML page.

Generic first: meta tags and JSON-LD (what the sites publish for search engines), then
trafilatura for the main text. A source's CSS selectors only help where the generic path
misses (a date printed only in the page, a body trafilatura trims). Everything leaves here
NFC-normalised: legacy pages often arrive decomposed (windows-1258 stores tone marks as
combining characters) and the same word must compare equal downstream.
"""
from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawlers.legacyfonts import keep_soft_hyphens, to_unicode
from crawlers.vndate import parse_vn_datetime

_DATE_META = (
    "meta[property='article:published_time']::attr(content)",
    "meta[itemprop='datePublished']::attr(content)",
    "meta[name='pubdate']::attr(content)",
    "meta[name='publishdate']::attr(content)",
    "meta[name='article:published_time']::attr(content)",
    "meta[property='og:published_time']::attr(content)",
    "meta[name='dc.date.issued']::attr(content)",
    "time[itemprop='datePublished']::attr(datetime)",
    "[itemprop='datePublished']::attr(content)",
)


@dataclass
class Decoded:
    text: str
    encoding: str
    repaired: bool = False  # the declared encoding was wrong and another one was used


@dataclass
class Extracted:
    title: str | None = None
    published: dt.datetime | None = None
    lead: str | None = None
    text: str | None = None
    byline: str | None = None
    canonical_url: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "encoding_repaired", "no_date"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data


def nfc(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", value).replace("\xa0", " ").split())
    return cleaned or None


# Terminal escape sequences (CSI like ESC[2J, OSC like ESC]0;title BEL), then any control
# character left: C0 except tab and newline, DEL, C1, and the bidi embedding/override/isolate
# marks that make text display differently from what it says.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(value: str | None) -> str | None:
    """Crawled text without control characters: they would reach analysts' terminals (`dulun
    label`) and logs. Carriage returns become newlines; tabs and newlines stay."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", value))


def node_text(sel) -> str | None:
    """An element's text with a space at element boundaries (`<span>Quảng Ngãi</span>Chính`)."""
    text = " ".join(sel.xpath(".//text()").getall())
    return re.sub(r"\s+([.,;:!?)])", r"\1", " ".join(text.split())) or None


def select(sel, query: str):
    """An entry's selector: XPath when it starts like one (`//a[@class='x']/@href`), else CSS."""
    query = query.strip()
    return sel.xpath(query) if query.startswith(("/", "(", "./")) else sel.css(query)


def is_value_query(query: str) -> bool:
    """Does the selector pick values (`::attr(x)`, `::text`, `/@href`, `text()`) rather than elements?"""
    return "::" in query or bool(re.search(r"(/@[\w:-]+|text\(\))\s*$", query.strip()))


def drop_element(element) -> None:
    """Remove an lxml element but keep its tail text (lxml's `remove` would drop it too)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def nfc_text(value: str | None) -> str | None:
    """NFC, paragraphs kept as lines, runs of spaces collapsed."""
    if value is None:
        return None
    lines = [" ".join(line.split()) for line in unicodedata.normalize("NFC", value).replace("\xa0", " ").splitlines()]
    text = "\n".join(line for line in lines if line)
    return text or None


# --- decoding ---------------------------------------------------------------------------

def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Bytes to text, trusting the BOM, then the HTTP header, then `<meta charset>`; a
    declaration that does not fit the bytes (a utf-8 page served as windows-1258, or the
    reverse) is repaired, not obeyed, and reported so `dulun status` can show it."""
    bom = read_bom(body)
    if bom[0]:
        return Decoded(body[len(bom[1]):].decode(bom[0], errors="replace"), bom[0])
    declared = [e for e in (http_content_type_encoding(content_type or ""), html_body_declared_encoding(body)) if e]
    declared = [c for c in (_python_codec(e) for e in declared) if c]
    for encoding in dict.fromkeys(declared):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue  # e.g. a header saying utf-8 on windows-1258 bytes: try the page's own claim
        if encoding != "utf-8" and _looks_like_utf8(body):
            break  # bytes decode under a single-byte code page too, but are really utf-8
        return Decoded(text, encoding, repaired=encoding != declared[0])
    for encoding in ("utf-8", "cp1258"):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        repaired = bool(declared) and declared[0] != encoding
        return Decoded(text, encoding, repaired)
    return Decoded(body.decode("utf-8", errors="replace"), "utf-8", True)


def _python_codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _looks_like_utf8(body: bytes) -> bool:
    """Valid utf-8 containing multi-byte sequences: a single-byte decode would be mojibake."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(b >= 0x80 for b in body)


# --- extraction -------------------------------------------------------------------------

def extract_article(html: str, url: str, selectors: Any = None, use_trafilatura: bool = True) -> Extracted:
    """Everything the store needs from one article page. `selectors` is a source's
    `Selectors` (or None); missing fields stay None, nothing raises on odd markup."""
    font = _LEGACY_FONT.search(html or "")
    if font:
        html = keep_soft_hyphens(html)
    sel = Selector(text=html or "<html></html>")
    ld = _json_ld(sel)
    result = Extracted()
    result.title = nfc(_css_text(sel, _get(selectors, "title"))) or nfc(_meta(sel, "og:title")) or nfc(ld.get("headline"))
    result.lead = (
        nfc(_css_text(sel, _get(selectors, "lead")))
        or nfc(_meta(sel, "og:description") or _meta(sel, "description"))
        or nfc(ld.get("description"))
    )
    result.published = (
        parse_vn_datetime(_css_text(sel, _get(selectors, "published")))
        or _first_date(sel.css(q).get() for q in _DATE_META)
        or parse_vn_datetime(ld.get("datePublished"))
        or _date_in_page(sel)
    )
    result.byline = nfc(_css_text(sel, _get(selectors, "byline"))) or nfc(_ld_author(ld)) or nfc(_meta(sel, "author"))
    result.canonical_url = _canonical(sel, url)
    body = _get(selectors, "body")
    result.text = _blocks_text(sel, body) if body else None
    if use_trafilatura and (not result.text or not result.title or not result.published):
        _fill_from_trafilatura(result, html, url)
    if not result.title:
        result.title = nfc(sel.css("h1").xpath("string()").get()) or nfc(sel.css("title::text").get())
    result.text = _without_lead(result.text, result.lead)
    if result.published is None:
        result.notes.append("no_date")
    if font:
        _convert_legacy_font(result, "vni" if (font[1] or font[2] or "").upper().startswith("VNI") else "tcvn3")
    return result


def _convert_legacy_font(result: Extracted, charset: str) -> None:
    """TCVN3 (.VnTime) and VNI (VNI-Times) text is Vietnamese only when drawn in that font; as
    characters it is mojibake. Its lines are converted to Unicode; a page whose font is legacy
    but whose text could not be recognised stays flagged, so `dulun status` shows it."""
    converted = 0
    for name in ("title", "lead", "text", "byline"):
        value, lines = to_unicode(getattr(result, name), charset)
        setattr(result, name, value)
        converted += lines
    result.notes.append(f"legacy_font_converted_{charset}" if converted else "legacy_font_encoding")


def _fill_from_trafilatura(result: Extracted, html: str, url: str) -> None:
    import trafilatura  # imported here: loading it costs ~0.5 s and only extraction needs it

    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            favor_precision=True, deduplicate=False,
        )
    except Exception:  # trafilatura gives up on some broken markup; the selectors may still have worked
        doc = None
    if doc is None:
        return
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    result.text = result.text or nfc_text(data.get("text"))
    result.title = result.title or nfc(data.get("title"))
    if result.published is None and data.get("date"):
        # trafilatura/htmldate give a day only; midnight in Vietnam is honest about that
        result.published = parse_vn_datetime(data["date"])
    result.byline = result.byline or nfc(data.get("author"))


def _get(selectors: Any, name: str) -> str | None:
    if selectors is None:
        return None
    if isinstance(selectors, dict):
        return selectors.get(name)
    return getattr(selectors, name, None)


def _css_text(sel: Selector, query: str | None) -> str | None:
    """Text of the first match; `::attr(x)` / `::text` queries return that value instead."""
    if not query:
        return None
    try:
        found = select(sel, query)
    except Exception:  # a bad selector in an entry must not stop the crawl
        return None
    if not found:
        return None
    if is_value_query(query):
        return " ".join(v for v in found.getall() if v.strip()) or None
    return node_text(found[0])


def _blocks_text(sel: Selector, query: str) -> str | None:
    try:
        roots = select(sel, query)
    except Exception:
        return None
    if not roots:
        return None
    root = roots[0]
    for junk in root.css("script, style, figure, noscript"):
        drop_element(junk.root)
    # Outermost blocks only, so a <p> inside a <blockquote> is not counted twice.
    blocks = root.xpath(
        ".//*[self::p or self::h2 or self::h3 or self::h4 or self::li or self::blockquote or self::pre or self::tr]"
        "[not(ancestor::li or ancestor::blockquote or ancestor::tr)]"
    )
    blocks = [node_text(b) for b in blocks]
    paragraphs = [nfc(b) for b in blocks]
    text = "\n".join(p for p in paragraphs if p)
    return text or nfc_text(root.xpath("string()").get())


def _meta(sel: Selector, name: str) -> str | None:
    return sel.css(f"meta[property='{name}']::attr(content), meta[name='{name}']::attr(content)").get()


def _first_date(values) -> dt.datetime | None:
    for value in values:
        parsed = parse_vn_datetime(value)
        if parsed:
            return parsed
    return None


_LEGACY_FONT = re.compile(r"""font-family\s*:\s*["']?(\.Vn[A-Za-z]+|VNI-[A-Za-z]+)|<font[^>]+face=["']?(\.Vn|VNI-)""", re.IGNORECASE)
_DATE_PLACES = "time, [class*='date'], [class*='time'], [class*='publish']"


def _date_in_page(sel: Selector) -> dt.datetime | None:
    """A Vietnamese date printed in a date-ish element ("Cập nhật: 20/11/2026 10:15")."""
    for element in sel.css(_DATE_PLACES)[:12]:
        found = parse_vn_datetime(element.attrib.get("datetime")) or parse_vn_datetime(node_text(element))
        if found:
            return found
    return None


def _json_ld(sel: Selector) -> dict[str, Any]:
    """The article object of the page's JSON-LD (NewsArticle / Article / BlogPosting)."""
    for raw in sel.css("script[type='application/ld+json']::text").getall():
        try:
            data = json.loads(raw.strip(), strict=False)
        except ValueError:
            continue
        for item in _ld_items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k in ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle") for k in kinds):
                return item
    return {}


def _ld_items(data: Any):
    if isinstance(data, list):
        for entry in data:
            yield from _ld_items(entry)
    elif isinstance(data, dict):
        yield data
        if isinstance(data.get("@graph"), list):
            yield from _ld_items(data["@graph"])


def _ld_author(ld: dict[str, Any]) -> str | None:
    author = ld.get("author")
    if isinstance(author, list):
        names = [a.get("name") if isinstance(a, dict) else str(a) for a in author]
        return ", ".join(n for n in names if n) or None
    if isinstance(author, dict):
        return author.get("name")
    return author if isinstance(author, str) else None


def _canonical(sel: Selector, url: str) -> str:
    href = sel.css("link[rel='canonical']::attr(href)").get() or _meta(sel, "og:url")
    if not href:
        return url
    absolute = urljoin(url, href.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else url


def _without_lead(text: str | None, lead: str | None) -> str | None:
    """Some pages repeat the lead as the body's first paragraph; keep it once (in `lead`)."""
    if not text or not lead:
        return text
    first, _, rest = text.partition("\n")
    if first.strip() == lead.strip() and rest.strip():
        return rest
    return text


