"""Stage 1: make Vietnamese text comparable before anything counts words in it.

- Unicode NFC (crawled pages mix precomposed and combining tone marks);
- one tone-mark placement: the traditional one the press and the administrative names use
  ("hòa", "thủy", "khỏe"), so "hoà"/"hòa" and "thuỷ"/"thủy" become one form;
- HTML entities and stray tags decoded or dropped, whitespace collapsed;
- boilerplate lines ("Xem thêm", "Chia sẻ", photo credits) dropped;
- a language check so non-Vietnamese text is marked and skipped by the classifier.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Syllable-final "oa", "oe", "uy" carry the tone on the first vowel in the traditional
# convention ("hòa", "khỏe", "thủy"); the "new" convention puts it on the second ("hoà").
# Only open syllables differ: in "hoàng" or "thuyết" both conventions agree.
_TONED = {
    "a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ",
}
_TONE_OF = {
    "o": "òóỏõọ", "u": "ùúủũụ",
}


def _build_tone_table() -> list[tuple[re.Pattern, dict[str, str]]]:
    rules = []
    for pairs, guard in (((("o", "a"), ("o", "e")), ""), ((("u", "y"),), r"(?<![qQ])")):
        # "qu" is a consonant cluster: "quý" is already right, never "qúy" (hence the guard).
        mapping = {}
        for first, second in pairs:
            for case in (str.lower, str.upper):
                for i, toned in enumerate(_TONED[second]):
                    mapping[case(first) + case(toned)] = case(_TONE_OF[first][i]) + case(second)
        alternatives = "|".join(re.escape(k) for k in mapping)
        rules.append((re.compile(guard + f"({alternatives})" + r"(?![^\W\d_])"), mapping))
    return rules


_TONE_RULES = _build_tone_table()
_TAG = re.compile(r"<[^>]{1,300}>")
_SPACES = re.compile(r"[ \t\u00a0\u200b\u200c\u200d\ufeff]+")
_BOILERPLATE = re.compile(
    r"^\s*(xem thêm|xem tiếp|đọc thêm|tin liên quan|bài liên quan|chia sẻ|share|tweet|like|bình luận"
    r"|theo dõi .{0,30} trên|ảnh\s*:|video\s*:|nguồn\s*:|clip\s*:|>>|\(ảnh minh họa\)|ảnh minh họa"
    r"|bấm vào đây|click vào|tải ứng dụng|đăng ký nhận tin|quảng cáo|in bài|gửi bài|từ khóa|tags?\s*:)",
    re.IGNORECASE,
)
# Letters only Vietnamese uses (with their tone marks); English or Chinese text has almost none.
_VI_LETTERS = set(
    "ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
_VI_FUNCTION_WORDS = {
    "và", "của", "là", "có", "không", "được", "cho", "người", "các", "những", "một", "này",
    "đã", "với", "trong", "khi", "về", "đến", "tại", "theo", "thì", "mà", "cũng", "ko", "k",
    "dc", "đc", "ng", "mình", "nhé", "nha", "ạ", "vs", "bị", "ở", "ra", "vào", "nhưng",
}


def fix_tone_marks(text: str) -> str:
    for pattern, mapping in _TONE_RULES:
        text = pattern.sub(lambda m: mapping[m.group(1)], text)
    return text


def canonical_form(text: str) -> str:
    """NFC and one tone-mark convention: the same Vietnamese word is the same string however typed."""
    return fix_tone_marks(unicodedata.normalize("NFC", text))


def clean_line(line: str) -> str:
    line = html.unescape(html.unescape(line))
    line = _TAG.sub(" ", line)
    return _SPACES.sub(" ", line).strip()


def normalize_text(text: str | None) -> str:
    """NFC, one tone convention, entities decoded, whitespace collapsed, boilerplate lines dropped.

    Paragraph breaks survive as "\n" because the place finder weighs early paragraphs more.
    """
    if not text:
        return ""
    text = canonical_form(text)
    kept = []
    for raw in re.split(r"[\r\n]+|<br\s*/?>|</p>", text):
        line = clean_line(raw)
        if line and not is_boilerplate(line):
            kept.append(line)
    return "\n".join(kept)


def is_boilerplate(line: str) -> bool:
    # Short lines only: a real paragraph may well begin with "Chia sẻ với phóng viên...".
    return len(line) < 120 and bool(_BOILERPLATE.match(line))


def detect_language(text: str) -> str:
    """'vi', 'other' or 'empty'. Cheap and good enough to keep foreign pages out of the counts.

    Vietnamese text, even teencode without tone marks, is full of short function words;
    accented letters settle the rest.
    """
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 2:
        return "empty" if not words else ("vi" if set(words[0]) & _VI_LETTERS else "other")
    letters = [c for w in words for c in w]
    vi_share = sum(c in _VI_LETTERS for c in letters) / len(letters)
    function_share = sum(w in _VI_FUNCTION_WORDS for w in words) / len(words)
    if vi_share >= 0.04 or (function_share >= 0.08 and vi_share >= 0.005):
        return "vi"
    if function_share >= 0.15:  # unaccented teencode ("ko dc ng ta")
        return "vi"
    return "other"


@dataclass(frozen=True)
class NormalDoc:
    """A document ready for the later stages: cleaned parts plus the language verdict."""

    title: str
    lead: str
    text: str
    language: str

    @property
    def head(self) -> str:
        """Title and lead: where the press states what a story is about."""
        return f"{self.title}\n{self.lead}".strip()

    def full(self, body_chars: int | None = None) -> str:
        body = self.text if body_chars is None else self.text[:body_chars]
        return f"{self.title}\n{self.lead}\n{body}".strip()


def normalize_document(title: str | None, lead: str | None, text: str | None) -> NormalDoc:
    t, l, b = normalize_text(title), normalize_text(lead), normalize_text(text)
    sample = f"{t} {l} {b[:800]}"
    return NormalDoc(t, l, b, detect_language(sample))
