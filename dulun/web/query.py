"""What an analyst types into the search box, as phrases the search index understands.

Vietnamese writes a word as one or more syllables ("đình công", "Hải Phòng"); searching the
syllables apart would match "quyết định ... công ty ... hai ... phòng". So:
- a part in double quotes is one phrase, as typed;
- text with tone marks goes through underthesea's word segmenter, and each word becomes a
  phrase of its syllables ("đình công hải phòng" -> "dinh cong" AND "hai phong");
- text typed without tone marks (the segmenter cannot read it) is paired syllable by syllable,
  since most Vietnamese words have two ("dinh cong hai phong" -> "dinh cong" AND "hai phong").
Every phrase is folded (lower case, no tone marks, đ -> d), like the index.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

from store.search_index import fold

MAX_PHRASES = 12
# Function words that, alone and without tone marks, would match nearly every document
# ("o" is ở, ô, ơ...): dropped when the query has other words.
_ALONE_STOP = frozenset("o a va cua la cac nhung tai voi cho trong the thi ma de do vi".split())
_QUOTED = re.compile(r'"([^"]*)"')
_SYLLABLE = re.compile(r"[^\W_]+")


def search_phrases(text: str, places: tuple[str, ...] = ()) -> list[list[str]]:
    """Phrases of folded syllables; `places` (province names) are kept whole when typed
    without tone marks ("ho chi minh" is one phrase, not "ho chi" + "minh")."""
    known = sorted((_syllables(p) for p in places), key=len, reverse=True)
    phrases = [_syllables(quoted) for quoted in _QUOTED.findall(text or "")]
    rest = _QUOTED.sub(" ", text or "")
    for part in re.split(r"[,;.!?:()\[\]]+", rest):
        if not _syllables(part):
            continue
        if fold(part) == part.lower():  # no tone marks, no đ: the segmenter cannot help
            phrases += _pairs(_syllables(part), known)
        else:
            phrases += _join_places([s for s in (_syllables(word) for word in _words(part)) if s], known)
    if any(len(p) > 1 or p[0] not in _ALONE_STOP for p in phrases if p):
        phrases = [p for p in phrases if p and (len(p) > 1 or p[0] not in _ALONE_STOP)]
    unique = []
    for phrase in phrases:
        if phrase and phrase not in unique:
            unique.append(phrase)
    return unique[:MAX_PHRASES]


def _pairs(syllables: list[str], known: list[list[str]]) -> list[list[str]]:
    def place_at(i: int) -> list[str] | None:
        return next((k for k in known if k and syllables[i:i + len(k)] == k), None)

    out, i = [], 0
    while i < len(syllables):
        place = place_at(i)
        if place:
            step = len(place)
        elif i + 1 < len(syllables) and place_at(i + 1):
            step = 1  # the next syllable starts a place name: do not pair across it
        else:
            step = min(2, len(syllables) - i)
        out.append(syllables[i:i + step])
        i += step
    return out


def _join_places(words: list[list[str]], known: list[list[str]]) -> list[list[str]]:
    """Merge consecutive words that together spell a province: the segmenter does not know
    lower-case place names ("hồ", "chí minh")."""
    out, i = [], 0
    while i < len(words):
        for j in range(len(words), i + 1, -1):
            merged = [syllable for word in words[i:j] for syllable in word]
            if merged in known:
                out.append(merged)
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    return out


def place_phrases(phrases: list[list[str]], provinces: tuple[str, ...]) -> dict[str, str]:
    """Which phrases name a province: joined syllables -> the province's name."""
    by_key = {" ".join(_syllables(p)): p for p in provinces}
    return {" ".join(ph): by_key[" ".join(ph)] for ph in phrases if " ".join(ph) in by_key}


def _syllables(text: str) -> list[str]:
    return _SYLLABLE.findall(fold(text))


def _words(text: str) -> list[str]:
    from underthesea import word_tokenize  # loads a CRF model once per process

    return word_tokenize(text)


def phrase_text(phrases: list[list[str]]) -> str:
    """How the query was read, for the page: "dinh cong" + "hai phong"."""
    return " + ".join(f"“{' '.join(p)}”" for p in phrases)


def highlight(text: str | None, phrases: list[list[str]], width: int | None = None) -> Markup:
    """`text` escaped, with every occurrence of a phrase in <mark>; with `width`, an excerpt of
    about that many characters around the first occurrence."""
    text = text or ""
    tokens = list(_SYLLABLE.finditer(text))
    folded = [fold(t[0]) for t in tokens]
    spans = []
    for i in range(len(tokens)):
        for phrase in phrases:
            if folded[i:i + len(phrase)] == phrase:
                spans.append((tokens[i].start(), tokens[i + len(phrase) - 1].end()))
                break
    start, end = 0, len(text)
    if width is not None and len(text) > width:
        first = spans[0][0] if spans else 0
        start = max(0, first - width // 3)
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(text), start + width)
    out, at = [], start
    for s, e in spans:
        if s < at or e > end:
            continue
        out.append(escape(text[at:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        at = e
    out.append(escape(text[at:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return Markup(prefix) + Markup("").join(out) + Markup(suffix)
