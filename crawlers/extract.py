"""Article extraction: text, title, time, lead, byline and canonical URL from one HTML page.

Generic first, so a source nobody configured still comes out right: the headline the reader
sees (`headline.py`: h1, og:title and `<title>` reconciled, the site's name removed), the
publication time to the minute (`pubtime.py`: meta tags, JSON-LD, dates printed near the
headline), the body across inline boxes and split blocks (`mainbody.py`), with trafilatura
as the fallback for a body nothing else finds. A source's CSS selectors, when given, win for
their field. Everything leaves here NFC-normalised: legacy pages often arrive decomposed
(windows-1258 stores tone marks as combining characters) and the same word must compare equal
downstream.
"""
from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawlers.headline import find_headline
from crawlers.htmltext import drop_element, meta_content, nfc, nfc_text, node_text
from crawlers.jsonld import ld_article, ld_author, ld_objects
from crawlers.legacyfonts import keep_soft_hyphens, to_unicode
from crawlers.mainbody import find_body, find_lead
from crawlers.pubtime import find_published
from crawlers.vndate import parse_vn_datetime

__all__ = ["Decoded", "Extracted", "decode_html", "drop_element", "extract_article", "is_value_query", "nfc",
           "nfc_text", "node_text", "select", "strip_controls"]


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


def select(sel, query: str):
    """An entry's selector: XPath when it starts like one (`//a[@class='x']/@href`), else CSS."""
    query = query.strip()
    return sel.xpath(query) if query.startswith(("/", "(", "./")) else sel.css(query)


def is_value_query(query: str) -> bool:
    """Does the selector pick values (`::attr(x)`, `::text`, `/@href`, `text()`) rather than elements?"""
    return "::" in query or bool(re.search(r"(/@[\w:-]+|text\(\))\s*$", query.strip()))


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
    ld_items = ld_objects(sel)
    ld = ld_article(ld_items)
    result = Extracted()
    result.title = nfc(_css_text(sel, _get(selectors, "title")))
    result.lead = (
        nfc(_css_text(sel, _get(selectors, "lead")))
        or nfc(meta_content(sel, "og:description") or meta_content(sel, "description"))
        or nfc(ld.get("description"))
    )
    result.published = parse_vn_datetime(_css_text(sel, _get(selectors, "published")))
    result.byline = nfc(_css_text(sel, _get(selectors, "byline"))) or nfc(ld_author(ld)) or nfc(meta_content(sel, "author"))
    result.canonical_url = _canonical(sel, url)
    body_query = _get(selectors, "body")
    if not (result.title and result.published and result.lead and body_query):
        _fill_generic(result, sel, url, ld_items, with_body=not body_query)
    if body_query:
        result.text = _blocks_text(sel, body_query)  # changes the tree: after the generic path
        if not result.text:
            body = find_body(sel.root)
            result.text = nfc_text("\n".join(body.paragraphs)) if body else None
    if use_trafilatura and (not result.text or not result.title or not result.published):
        _fill_from_trafilatura(result, html, url)
    if not result.title:
        result.title = nfc(sel.css("h1").xpath("string()").get()) or nfc(sel.css("title::text").get())
    result.text = _without_title(_without_lead(result.text, result.lead), result.title)
    if result.published is None:
        result.notes.append("no_date")
    if font:
        _convert_legacy_font(result, "vni" if (font[1] or font[2] or "").upper().startswith("VNI") else "tcvn3")
    return result


def _fill_generic(result: Extracted, sel: Selector, url: str, ld_items: list[dict[str, Any]], with_body: bool) -> None:
    """The fields selectors did not give, as for a source nobody configured."""
    body = find_body(sel.root)
    headline = find_headline(sel, url, ld_article(ld_items), body.first if body else None)
    result.title = result.title or (headline.text if headline else None)
    result.lead = result.lead or find_lead(sel.root, headline.element if headline else None)
    anchor = headline.element if headline and headline.element is not None else (body.first if body else None)
    result.published = result.published or find_published(sel, ld_items, anchor)
    if with_body and body:
        result.text = nfc_text("\n".join(body.paragraphs))


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


_LEGACY_FONT = re.compile(r"""font-family\s*:\s*["']?(\.Vn[A-Za-z]+|VNI-[A-Za-z]+)|<font[^>]+face=["']?(\.Vn|VNI-)""", re.IGNORECASE)


def _canonical(sel: Selector, url: str) -> str:
    href = sel.css("link[rel='canonical']::attr(href)").get() or meta_content(sel, "og:url")
    if not href:
        return url
    absolute = urljoin(url, href.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else url


def _without_title(text: str | None, title: str | None) -> str | None:
    """A body read from the page can start with the headline itself."""
    if not text or not title:
        return text
    first, _, rest = text.partition("\n")
    return rest if first.strip() == title.strip() and rest.strip() else text


def _without_lead(text: str | None, lead: str | None) -> str | None:
    """Some pages repeat the lead as the body's first paragraph; keep it once (in `lead`)."""
    if not text or not lead:
        return text
    first, _, rest = text.partition("\n")
    if first.strip() == lead.strip() and rest.strip():
        return rest
    return text


