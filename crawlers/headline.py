"""The headline a reader sees, on a page nobody wrote selectors for.

Pages name their article in several places that disagree: `<title>` and `og:title` often carry
the site's name ("... - VnExpress", "... | VietNamNet"), `og:title` is sometimes a shorter
social-media variant, a portal's `<h1>` (and `<title>`) may be its section ("Tin tức - Sự
kiện") or its own name while the document's title sits in a `<p>`, `<span>` or `<td>` with a
"title" class. The rules, in order:

1. a visible heading (h1 first, then h2/h3 and elements with a title-like class) that agrees
   with an article-level name (og:title, twitter:title, JSON-LD headline, DC.title);
2. one that agrees with `<title>`;
3. the first h1 that is not a section heading, a logo or the site's name, unless it is short
   and a longer title-like element follows it before the body (a section over a document);
4. the title-like element nearest before the body;
5. the article-level name, then `<title>`, with the site's name removed.

"Agrees" means equal once case and spaces are ignored, or equal to the other with the site's
name cut at a separator (" - ", " | ", " – ", " — ", " :: ", " » "), or one part of it at a
separator when that part is most of it (an unknown site name; a section's name is not). A
heading is a section heading when the same text is a link elsewhere on the page (menus and
breadcrumbs name sections). The site's name comes from og:site_name, application-name, JSON-LD publisher and the host
("vnexpress.net" -> vnexpress), compared without tone marks or spaces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawlers.htmltext import element_text, fold, meta_content, nfc

_SEPARATOR = r"\s+(?:-|\||–|—|::|»|·)\s+"
_SPLIT = re.compile(f"({_SEPARATOR})")
_TITLE_CLASS = re.compile(r"title|tieude|tieu-de|tieu_de|headline|heading|tentin|ten-tin|subject", re.IGNORECASE)
_NOT_TITLE_CLASS = re.compile(r"sapo|summary|desc|lead|chapeau|intro|brief|excerpt|box|cate|portlet|widget|block|"
                              r"sub-?title|kicker|supertitle", re.IGNORECASE)
_HOST_SUFFIXES = (".com.vn", ".gov.vn", ".org.vn", ".edu.vn", ".net.vn", ".vn", ".com", ".net", ".org", ".info")
# Vietnamese portals name themselves "Cổng thông tin điện tử ..." / "Trang thông tin ...".
_PORTAL_NAME = re.compile(r"^(congthongtin|congttdt|trangthongtin|trangttdt)")


@dataclass
class Headline:
    text: str
    element: object | None = None   # the visible element it was read from, if any


def find_headline(sel, url: str, ld: dict, body_start=None) -> Headline | None:
    """`sel`: the page's parsel Selector; `ld`: its JSON-LD article object; `body_start`: the
    lxml element where the body begins (portal titles are looked for just before it)."""
    names = site_names(sel, url, ld)
    article_names = [t for t in (meta_content(sel, "og:title"), meta_content(sel, "twitter:title"), _str(ld.get("headline")),
                                 meta_content(sel, "dc.title")) if t]
    page_title = nfc(sel.css("title::text").get())
    order = {el: i for i, el in enumerate(sel.root.iter())}
    candidates = _visible_candidates(sel.root)
    h1_first = [c for c in candidates if c.element.tag == "h1"] + [c for c in candidates if c.element.tag != "h1"]
    for candidate in h1_first:
        if any(_agrees(candidate.text, name, names) for name in article_names):
            return candidate
    # From here on, a heading that is also a link elsewhere (a menu, a breadcrumb) is a section's.
    link_texts = {_key(t) for t in (element_text(a) for a in sel.root.iter("a")) if t}
    own = [c for c in h1_first if _key(c.text) not in link_texts and not _names_site(c.text, names)]
    for candidate in own:
        if _agrees(candidate.text, page_title, names):
            return candidate
    start = order.get(body_start, len(order))
    before_body = [c for c in own if order[c.element] < start and _plausible(c.text)]
    h1s = [c for c in own if c.element.tag == "h1" and _plausible(c.text)]
    if h1s:
        later = [c for c in before_body if order[c.element] > order[h1s[0].element] and c.element.tag != "h1"]
        # A short h1 followed by a longer title-like element is a section heading over a document.
        if later and len(h1s[0].text.split()) < 6 and len(later[-1].text.split()) >= 6:
            return later[-1]
        return h1s[0]
    if before_body and body_start is not None:
        return before_body[-1]
    for name in article_names + ([page_title] if page_title else []):
        cleaned = strip_site_name(name, names)
        if cleaned and not _names_site(cleaned, names):
            return Headline(cleaned)
    return None


def site_names(sel, url: str, ld: dict) -> list[str]:
    names = [meta_content(sel, key) for key in ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")]
    publisher = ld.get("publisher")
    if isinstance(publisher, dict):
        names.append(_str(publisher.get("name")))
    host = urlsplit(url).hostname or ""
    for suffix in _HOST_SUFFIXES:
        if host.endswith(suffix):
            host = host[: -len(suffix)]
            break
    names.append(host.rsplit(".", 1)[-1])
    return [n.lstrip("@") for n in names if n]


def strip_site_name(title: str | None, names: list[str]) -> str | None:
    """`title` without leading or trailing parts that name the site."""
    parts = _SPLIT.split(nfc(title) or "")  # text, separator, text, ...
    first, last = 0, len(parts) - 1
    while last > first and is_site_name(parts[last], names):
        last -= 2
    while first < last and is_site_name(parts[first], names):
        first += 2
    return nfc("".join(parts[first: last + 1]))


def is_site_name(part: str, names: list[str]) -> bool:
    key = fold(part)
    if not key:
        return False
    if _PORTAL_NAME.match(key):
        return True
    initials = "".join(fold(w)[:1] for w in part.split())
    for name in names:
        known = fold(name)
        if len(known) < 3:
            continue
        if key == known or key.startswith(known) or (known.startswith(key) and len(key) >= 4):
            return True
        if known.endswith(key) and len(key) >= 5:
            return True
        # The host's name inside a longer brand ("tuoitre" in "Tuổi Trẻ Online"), or its initials
        # ("nld": Báo Người Lao Động); short names only whole, not inside ordinary words.
        if (len(known) >= 5 and known in key and len(part.split()) <= 6) or (known in initials and len(known) >= 3):
            return True
    return False


# --- helpers ------------------------------------------------------------------------------

def _visible_candidates(root) -> list[Headline]:
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        classy = " ".join(element.get(a, "") for a in ("class", "id"))
        if tag not in ("h1", "h2", "h3") and not (_TITLE_CLASS.search(classy) and tag not in ("a", "meta", "title", "body", "html")):
            continue
        if _NOT_TITLE_CLASS.search(classy) and tag != "h1":
            continue
        if _in_skipped_part(element) or _link_only(element):
            continue
        text = element_text(element)
        if not text or len(text) < 10 or len(text) > 300:
            continue
        found.append(Headline(text, element))
    return found


def _in_skipped_part(element) -> bool:
    return any(isinstance(a.tag, str) and a.tag.lower() in ("nav", "footer", "aside", "a", "head", "figure")
               for a in element.iterancestors())


def _link_only(element) -> bool:
    """A logo or a list of links, not a headline."""
    text = element_text(element) or ""
    linked = " ".join(t for a in element.iter("a") for t in [element_text(a)] if t)
    return bool(linked) and len(linked) >= 0.8 * len(text)


def _names_site(text: str, names: list[str]) -> bool:
    key = fold(text)
    return bool(_PORTAL_NAME.match(key)) or any(key == fold(name) for name in names)


def _plausible(text: str) -> bool:
    words = text.split()
    return 3 <= len(words) <= 60 and not (text.endswith(".") and not text.endswith(".."))


def _agrees(visible: str, name: str | None, names: list[str]) -> bool:
    if not name:
        return False
    a, b, stripped = _key(visible), _key(name), _key(strip_site_name(name, names))
    if not a or not b:
        return False
    if a in (b, stripped):
        return True
    # One part of a name split at separators, the site's name unrecognised: the part must be most
    # of it, so a section ("Thời sự" in "Thời sự - ...") does not agree.
    return bool(re.fullmatch(f"(?:.*{_SEPARATOR})?{re.escape(a)}(?:{_SEPARATOR}.*)?", b)) and len(a) >= 0.5 * len(stripped)


def _key(text: str | None) -> str:
    return " ".join((nfc(text) or "").casefold().split())


def _str(value) -> str | None:
    return nfc(value) if isinstance(value, str) else None
