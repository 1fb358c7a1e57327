"""The article's body on a page nobody wrote selectors for.

Trafilatura, tuned for precision, stops at the first box that interrupts an article (related
links, an image caption table, a quote, an ad slot) and misses a body split into two blocks.
Here the page is read as text blocks (paragraphs, list items, lines between `<br>`), skipping
boxes that are not the article's text: elements named like boilerplate (related, ads, caption,
comments, tags, ...), navigation, and blocks that are mostly links. Each remaining block scores
its container (readability's idea: the element that holds most sentence-like text), and the
best container is taken with the containers that follow it and read like article text too
(a second content block after a video or a documents box).

Nothing is removed from the page: callers keep using the same tree for title and time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawlers.htmltext import fold, tidy
from crawlers.vndate import read_vn_time

_SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "button", "select", "option",
              "textarea", "input", "nav", "aside", "figure", "figcaption", "video", "audio", "canvas",
              "object", "embed", "map", "head", "title", "meta", "link"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "footer", "ul", "ol", "li", "dl", "dt",
               "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "thead", "tbody",
               "tfoot", "tr", "address", "center", "hr", "form", "fieldset", "body"}
_PARAGRAPH_TAGS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt"}
_CELL_TAGS = {"td", "th"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Boxes inside or around articles that are not the article's text. Long names match anywhere in
# the class/id/type run together ("box-tin-lien-quan" -> "boxtinlienquan"), short ones as words.
_BOILERPLATE_PARTS = (
    "related", "relate", "lienquan", "xemthem", "docthem", "readmore", "seealso", "recommend", "suggest",
    "othernews", "tinkhac", "cungchuyenmuc", "morenews", "mostread", "docnhieu", "xemnhieu", "tinmoi",
    "ticker", "caption", "gallery", "comment", "binhluan", "quangcao", "advert", "adsbygoogle", "sponsor",
    "banner", "sidebar", "breadcrumb", "footer", "social", "newsletter", "subscribe", "popup", "cookie",
    "quote", "trichdan", "video", "embed", "attach", "dinhkem", "rating", "keyword",
)
_BOILERPLATE_WORDS = {"ads", "ad", "adv", "qc", "tag", "tags", "share", "menu", "nav", "header", "vote",
                      "poll", "print", "email", "widget", "author"}
_LEAD_PARTS = ("sapo", "summary", "chapeau", "chappeau", "description", "tomtat", "excerpt", "standfirst")
_LEAD_WORDS = {"lead", "intro", "desc", "brief"}


def _name_pattern(words: set[str], parts: tuple[str, ...]) -> re.Pattern:
    """Whole words of an element's names, or parts anywhere in them run together."""
    return re.compile(" (?:" + "|".join(sorted(words)) + ") |" + "|".join(parts))


_BOILERPLATE = _name_pattern(_BOILERPLATE_WORDS, _BOILERPLATE_PARTS)
_LEAD = _name_pattern(_LEAD_WORDS, _LEAD_PARTS)
_AD_LABELS = {"quangcao", "advertisement", "qc", "ads", "sponsored", "taitro"}
_MIN_BLOCK = 25          # characters: shorter blocks are labels, bylines, buttons
_MAX_LINK_SHARE = 0.3    # a block more linked than this is navigation, not prose


@dataclass
class Block:
    text: str
    owner: object              # the lxml element the text was flushed in
    link_chars: int = 0

    @property
    def link_share(self) -> float:
        return self.link_chars / max(1, len(self.text))

    @property
    def is_prose(self) -> bool:
        heading = isinstance(self.owner.tag, str) and self.owner.tag.lower() in _HEADING_TAGS
        return (len(self.text) >= _MIN_BLOCK and self.link_share < _MAX_LINK_SHARE and not heading
                and not is_date_line(self.text))


@dataclass
class Body:
    paragraphs: list[str]
    first: object | None = None        # the element holding the first paragraph (where the body starts)
    containers: list = field(default_factory=list)


def find_body(root) -> Body | None:
    """The article's paragraphs from an lxml tree, or None when nothing reads like an article."""
    body = root.find(".//body")
    body = body if body is not None else root
    total = len(" ".join(body.itertext()))
    blocks = _Reader(total).read(body)
    scores = _container_scores(blocks)
    if not scores:
        return None
    best = max(scores, key=lambda el: scores[el])
    containers = [best] + _continuations(best, blocks)
    inside = [b for b in blocks if any(_within(b.owner, c) for c in containers)]
    kept = [b for b in inside if _kept(b)]
    if not any(b.is_prose for b in kept):
        return None
    return Body([b.text for b in kept], kept[0].owner, containers)


def is_date_line(text: str) -> bool:
    """A short line that is only a date stamp ("Cập nhật: 20/11/2026 10:15")."""
    return len(text) <= 60 and read_vn_time(text) is not None and len(re.sub(r"[\d\W_]", "", text)) <= 25


# --- reading the page as blocks ------------------------------------------------------------

class _Reader:
    def __init__(self, total_chars: int):
        self.total = total_chars
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.link_chars = 0
        self.owners: list = []
        self.in_link = 0

    def read(self, element) -> list[Block]:
        self.owners.append(element)
        self._walk(element)
        self._flush()
        return self.blocks

    def _walk(self, element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if tag is None or tag in _SKIP_TAGS or _is_boilerplate(element, self.total):
            return
        if tag == "br":
            self._flush()
            return
        block = tag in _BLOCK_TAGS
        if block:
            self._flush()
            self.owners.append(element)
        self.in_link += tag == "a"
        self._add(element.text)
        for child in element:
            self._walk(child)
            if tag in ("tr",) or (isinstance(child.tag, str) and child.tag.lower() in _CELL_TAGS):
                self._add(" ")
            self._add(child.tail)
        self.in_link -= tag == "a"
        if block:
            self._flush()
            self.owners.pop()

    def _add(self, text: str | None) -> None:
        if text:
            self.buffer.append(text)
            if self.in_link:
                self.link_chars += len(text.strip())

    def _flush(self) -> None:
        text = tidy("".join(self.buffer))
        if text:
            self.blocks.append(Block(text, self.owners[-1], min(self.link_chars, len(text))))
        self.buffer, self.link_chars = [], 0


def _is_boilerplate(element, total_chars: int) -> bool:
    """Page furniture, or the lead (kept apart from the body, as `lead`)."""
    names = _names(element)
    if not (element.tag.lower() in ("header", "footer") or (names and (_BOILERPLATE.search(names) or _LEAD.search(names)))):
        return False
    # A wrapper named like a sidebar can still hold the whole article (VnExpress's "sidebar-1"):
    # one around the headline or most of the page's text is not a box.
    if element.tag.lower() != "h1" and element.find(".//h1") is not None:
        return False
    return len(" ".join(element.itertext())) < 0.5 * total_chars


def is_lead_box(element) -> bool:
    """The element a page marks as its lead ("sapo", "summary", "chapeau", "description")."""
    names = _names(element)
    return bool(names and _LEAD.search(names))


def find_lead(root, after=None) -> str | None:
    """The text of the first element marked as the lead (after the headline, when it is known),
    when it reads like one."""
    elements = after.xpath("following::*") if after is not None else root.iter()
    for element in elements:
        if isinstance(element.tag, str) and element.tag.lower() not in ("meta", "html", "body") and is_lead_box(element):
            text = tidy(" ".join(element.itertext()))
            if text and 40 <= len(text) <= 800:
                return text
    return None


def _names(element) -> str:
    """class, id and type as " word word squashedword ": whole words and run-together names."""
    raw = " ".join(element.get(a, "") for a in ("class", "id", "type")).lower()
    if not raw.strip():
        return ""
    words = re.split(r"[^a-z0-9]+", raw)
    return " " + " ".join(words) + " " + re.sub(r"[^a-z0-9]+", "", raw) + " "


# --- choosing the article's containers ----------------------------------------------------

def _container_scores(blocks: list[Block]) -> dict:
    """Each element's share of sentence-like text, discounted by how much of its text is links
    (a list of teasers with their sapos holds prose too, but mostly links)."""
    per_owner: dict = {}
    chars: dict = {}
    links: dict = {}
    for block in blocks:
        per_owner[block.owner] = per_owner.get(block.owner, 0) + 1
        for element in (block.owner, *block.owner.iterancestors()):
            chars[element] = chars.get(element, 0) + len(block.text)
            links[element] = links.get(element, 0) + block.link_chars
    holders = {id(b): _holder(b, per_owner) for b in blocks}
    prose: dict = {}
    linked_headlines: dict = {}
    for block in blocks:
        holder = holders[id(block)]
        prose[holder] = prose.get(holder, 0) + block.is_prose
        if block.link_share >= 0.5 and len(block.text.split()) >= 6:
            for element in {holder, block.owner}:
                linked_headlines[element] = linked_headlines.get(element, 0) + 1
    scores: dict = {}
    for block in blocks:
        holder = holders[id(block)]
        # A teaser: a linked headline with a sentence or two under it, in a list of other articles.
        if not block.is_prose or (linked_headlines.get(holder) and prose[holder] <= 2):
            continue
        points = 1 + block.text.count(",") + min(len(block.text) / 100, 3)
        for share, element in ((1.0, holder), (0.5, holder.getparent())):
            if element is not None:
                scores[element] = scores.get(element, 0) + share * points
    return {el: score * (1 - links.get(el, 0) / max(1, chars.get(el, 0))) for el, score in scores.items()}


def _holder(block: Block, per_owner: dict):
    """The element a block scores: a paragraph's parent; for text lines between <br>, their box."""
    owner = block.owner
    tag = owner.tag.lower() if isinstance(owner.tag, str) else ""
    holder = owner.getparent() if tag in _PARAGRAPH_TAGS or per_owner[owner] == 1 else owner
    return owner if holder is None else holder


def _continuations(best, blocks: list[Block]) -> list:
    """Blocks after the best container, up to two levels up, that read like more of the article."""
    found = []
    level = best
    for _ in range(3):
        for sibling in level.itersiblings():
            if isinstance(sibling.tag, str) and _reads_like_article(sibling, blocks):
                found.append(sibling)
        level = level.getparent()
        if level is None:
            break
    return found


def _reads_like_article(element, blocks: list[Block]) -> bool:
    inside = [b for b in blocks if _within(b.owner, element)]
    chars = sum(len(b.text) for b in inside)
    links = sum(b.link_chars for b in inside)
    return chars > 0 and links / chars < 0.25 and any(b.is_prose and len(b.text) >= 60 for b in inside)


def _within(element, container) -> bool:
    return element is container or any(a is container for a in element.iterancestors())


def _kept(block: Block) -> bool:
    if block.link_share >= 0.5 or is_date_line(block.text):
        return False
    return fold(block.text) not in _AD_LABELS
