"""When an article was published, to the minute, on a page nobody wrote selectors for.

Two kinds of source:
- declared: meta tags (article:published_time, og:published_time, pubdate, publishdate,
  DC.date.issued, dcterms.issued, itemprop datePublished, ... in any letter case), JSON-LD
  datePublished (in an @graph, an array, or one object; article types first), elements with
  itemprop="datePublished";
- printed: dates in short texts of the page ("Thứ bảy, 7/3/2026, 08:47 (GMT+7)", "08:47
  07/03/2026", "7/3/2026 - 08:47", "Cập nhật: ...", "ngày 7 tháng 3 năm 2026", `<time datetime>`),
  leaving out the dates of teasers (beside a linked headline in a list of other articles);
  those near the headline first (within 25 elements: the article's header, not the page's
  date or a sidebar); there, one labelled as the publication ("Ngày đăng", "Xuất bản") before
  an unlabelled one before one labelled as an update ("Cập nhật"), then the nearest.

A declared time with the minute wins. A declared day only (or a midnight that stands for one)
gives way to a printed time of the same day; a printed date that disagrees with the declared
day loses. A printed day without a time takes the minute of another printed time of that day.
A time without an offset is Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from crawlers.htmltext import tidy
from crawlers.jsonld import is_article
from crawlers.vndate import VN, Stamp, read_vn_time

_PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time", "published_time",
    "article:published", "pubdate", "publishdate", "publish-date", "publish_date", "datepublished",
    "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "parsely-pub-date",
    "sailthru.date", "date",
)
_DATE_IN_TEXT = re.compile(
    r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{4}-\d{1,2}-\d{1,2}|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}", re.IGNORECASE)
_UPDATED = re.compile(r"cập nhật|update|sửa lúc|chỉnh sửa|modified", re.IGNORECASE)
_PUBLISHED = re.compile(r"ngày đăng|đăng lúc|đăng ngày|đăng:|xuất bản|phát hành|published|posted", re.IGNORECASE)
_HOLDERS = {"li", "p", "div", "td", "article", "section", "dd", "tr"}  # where a teaser's date sits with its link
_SKIPPED_TAGS = {"script", "style", "noscript", "template", "title", "option", "textarea"}
_SHORT = 120  # characters: a date line, not a paragraph that mentions a date
_NEAR = 25    # elements from the headline: the article's own header


@dataclass
class Printed:
    stamp: Stamp
    rank: int        # 0 labelled as the publication, 1 unlabelled, 2 labelled as an update
    distance: int    # elements between it and the headline


def find_published(sel, ld_items: list[dict], anchor=None) -> dt.datetime | None:
    """`sel`: the page's parsel Selector; `ld_items`: every JSON-LD object on it; `anchor`: the
    headline's lxml element (printed dates are read nearest to it)."""
    declared = declared_times(sel, ld_items)
    with_minute = [s for s in declared if _has_minute(s)]
    if with_minute:
        return with_minute[0].value
    day = declared[0].value.astimezone(VN).date() if declared else None
    printed = printed_times(sel.root, anchor)
    if day is not None:
        printed = [p for p in printed if p.stamp.value.astimezone(VN).date() == day]
    if not printed:
        return declared[0].value if declared else None
    best = printed[0]
    if not _has_minute(best.stamp):
        same_day = [p for p in printed if _has_minute(p.stamp) and p.stamp.value.date() == best.stamp.value.date()]
        if same_day:
            return same_day[0].stamp.value
    return best.stamp.value


def declared_times(sel, ld_items: list[dict]) -> list[Stamp]:
    found = []
    metas = {}
    for meta in sel.root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _PUBLISHED_META and meta.get("content"):
            metas.setdefault(key, meta.get("content"))
    found += [metas[k] for k in _PUBLISHED_META if k in metas]
    articles = [i for i in ld_items if is_article(i)] + [i for i in ld_items if not is_article(i)]
    for item in articles:
        found += [item[k] for k in ("datePublished", "dateCreated") if isinstance(item.get(k), str)]
    for element in sel.root.xpath("//*[@itemprop='datePublished'][not(self::meta)]"):
        found.append(element.get("content") or element.get("datetime") or tidy(" ".join(element.itertext())))
    stamps = [read_vn_time(value) for value in found]
    return [s for s in stamps if s]


def printed_times(root, anchor=None) -> list[Printed]:
    """Dates printed in short texts of the page, best first."""
    body = root.find(".//body")
    body = body if body is not None else root
    order = {el: i for i, el in enumerate(body.iter())}
    where = order.get(anchor, 0) if anchor is not None else 0
    found, seen = [], set()
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag.lower() in _SKIPPED_TAGS or element in seen:
            continue
        texts = [element.get("datetime")] if element.tag.lower() == "time" else []
        own = (element.text or "") + " ".join(child.tail or "" for child in element)
        if not texts and not _DATE_IN_TEXT.search(own):
            continue
        text = tidy(" ".join(element.itertext())) or ""
        if len(text) > _SHORT or _beside_a_linked_headline(element):
            continue
        texts.append(_published_part(text))
        if not re.search(r"\d{1,2}\s*[:hg]\s*\d{2}", text):
            parent = element.getparent()
            around = tidy(" ".join(parent.itertext())) if parent is not None else None
            if around and len(around) <= _SHORT and len(_DATE_IN_TEXT.findall(around)) == 1:
                texts.append(_published_part(around))
        stamps = [s for s in (read_vn_time(t) for t in texts if t) if s]
        if not stamps:
            continue
        stamp = next((s for s in stamps if s.has_time), stamps[0])
        seen.update(element.iter())
        found.append(Printed(stamp, _label_rank(text), abs(order[element] - where)))
    # Near the headline first; there, the publication's label before none before an update's.
    return sorted(found, key=lambda p: (p.distance > _NEAR, p.rank, p.distance))


def _beside_a_linked_headline(element) -> bool:
    """The date of a teaser in a list of other articles ("Tin khác: <a>...</a> (03/03/2026)")."""
    holder = element
    while holder is not None and isinstance(holder.tag, str) and holder.tag.lower() not in _HOLDERS:
        holder = holder.getparent()
    if holder is None:
        return False
    return any(len((tidy(" ".join(a.itertext())) or "").split()) >= 6 for a in holder.iter("a"))


def _published_part(text: str) -> str:
    """The part before an update label, when a publication date comes first."""
    match = _UPDATED.search(text)
    if match and _DATE_IN_TEXT.search(text[: match.start()]):
        return text[: match.start()]
    return text


def _label_rank(text: str) -> int:
    updated = _UPDATED.search(text)
    published = _PUBLISHED.search(text)
    if published and (not updated or published.start() < updated.start()):
        return 0
    return 2 if updated else 1


def _has_minute(stamp: Stamp) -> bool:
    """A time of day, and not the midnight some sites write for "this day"."""
    local = stamp.value.astimezone(VN)
    return stamp.has_time and (local.hour, local.minute, local.second) != (0, 0, 0)
