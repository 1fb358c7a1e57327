"""Text out of HTML elements, normalised the way the rest of dulun compares text."""
from __future__ import annotations

import re
import unicodedata


def nfc(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", value).replace("\xa0", " ").split())
    return cleaned or None


def nfc_text(value: str | None) -> str | None:
    """NFC, paragraphs kept as lines, runs of spaces collapsed."""
    if value is None:
        return None
    lines = [" ".join(line.split()) for line in unicodedata.normalize("NFC", value).replace("\xa0", " ").splitlines()]
    text = "\n".join(line for line in lines if line)
    return text or None


def node_text(sel) -> str | None:
    """An element's text with a space at element boundaries (`<span>Quảng Ngãi</span>Chính`)."""
    return element_text(sel.root)


def element_text(element) -> str | None:
    """`node_text` for an lxml element."""
    return tidy(" ".join(element.xpath(".//text()")))


def tidy(text: str | None) -> str | None:
    """Runs of white space as one space, none before closing punctuation; NFC."""
    if not text:
        return None
    text = unicodedata.normalize("NFC", text.replace("\xa0", " "))
    return re.sub(r"\s+([.,;:!?)])", r"\1", " ".join(text.split())) or None


def fold(text: str | None) -> str:
    """Letters and digits only, lower case, without diacritics ("Báo Đà Nẵng" -> "baodanang"),
    for comparing names written with and without tone marks or spaces."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed.casefold() if c.isalnum() and not unicodedata.combining(c))


def meta_content(sel, name: str) -> str | None:
    """A `<meta>` tag's content by property or name, in any letter case ("DC.title", "dc.title")."""
    lower = "translate({},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
    query = f"//meta[{lower.format('@property')}=$n or {lower.format('@name')}=$n]/@content"
    return nfc(sel.xpath(query, n=name.lower()).get())


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
