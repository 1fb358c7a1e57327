"""TCVN3 (ABC) and VNI text to Unicode.

Pages drawn in a legacy Vietnamese font (".VnTime", "VNI-Times") carry their tone marks as
Latin-1 characters that only the font draws as Vietnamese: as characters, "Th\u00ad¬ng m¹i" is
mojibake for "Thương mại". The tables below are the standard ones (the vietunicode charset
tables, as used by Unikey's converter); they were cross-checked letter by letter against two
independent public converters. Conversion works line by line and leaves alone any line that
already holds Vietnamese Unicode letters, because a page often mixes a legacy-font block with
Unicode menus and captions.
"""
from __future__ import annotations

import re
import unicodedata

# Unicode lower-case letters, in the order of the TCVN3 codes below.
_VN_LOWER = ("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
_TCVN3_LOWER = ("µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ")
# TCVN3 has codes for the seven base capitals; toned capitals are written as the capital
# letter (or one of these) followed by the lower-case tone code.
_TCVN3_CAPITALS = {"¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư"}
# TCVN3's "ư" is the soft hyphen, which HTML extractors drop as invisible: it is kept through
# extraction as a printable character news text never uses.
KEPT_SOFT_HYPHEN = "\u2042"  # ⁂, printable (extractors keep it), never in news text
_SOFT_HYPHEN = re.compile(r"\xad|&shy;|&#173;|&#x[aA][dD];")

# VNI writes a base letter followed by a mark character.
_VNI_MARKS = {  # mark -> (combining diacritics it stands for)
    "ø": "\u0300", "ù": "\u0301", "û": "\u0309", "õ": "\u0303", "ï": "\u0323",  # tones
    "â": "\u0302", "ê": "\u0306",                                              # ^ and breve
    "á": "\u0302\u0301", "à": "\u0302\u0300", "å": "\u0302\u0309", "ã": "\u0302\u0303", "ä": "\u0302\u0323",
    "é": "\u0306\u0301", "è": "\u0306\u0300", "ú": "\u0306\u0309", "ü": "\u0306\u0303", "ë": "\u0306\u0323",
}
# VNI's own single characters (lower and upper case).
# (ì and í are VNI's own codes for themselves.)
_VNI_SINGLE = {"ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
               "æ": "ỉ", "Æ": "Ỉ", "ò": "ị", "Ò": "Ị", "ó": "ĩ", "Ó": "Ĩ", "î": "ỵ", "Î": "Ỵ"}
_VNI_UPPER_MARKS = {k.upper(): v for k, v in _VNI_MARKS.items()}

# Letters only Unicode Vietnamese has: a line holding one is already Unicode.
_UNICODE_VN = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
# Characters Vietnamese Unicode text never uses but TCVN3 text is full of.
_TCVN3_ONLY = re.compile("[µ¸¶·¹¨»¾¼½Æ©ÇÈÉË®ÐÎÏÑªÖ×ØÜÞßåæçëîïñö÷øûüþ¡¢§£¤¥¦«¬\u00ad\u2042]")
_VNI_PAIR = re.compile("[aeiouyAEIOUYôöÔÖ][øùûõïâêáàåãäéèúüëØÙÛÕÏÂÊÁÀÅÃÄÉÈÚÜË]")


_TCVN3 = {**dict(zip(_TCVN3_LOWER, _VN_LOWER, strict=True)), **_TCVN3_CAPITALS, KEPT_SOFT_HYPHEN: "ư"}


def _tcvn3_line(line: str) -> str:
    out: list[str] = []
    for ch in line:
        converted = _TCVN3.get(ch, ch)
        if ch in _TCVN3 and out and _joins_capital(out[-1], converted):
            out[-1] = converted.upper()  # a capital followed by a tone code is one letter: "A¸" -> "Á"
            continue
        out.append(converted)
    return "".join(out)


def _joins_capital(capital: str, toned: str) -> bool:
    """'A' + 'á', 'Ê' + 'ế': the lower-case letter is the capital's own letter with a tone."""
    if not (capital.isupper() and toned.islower()) or toned == "đ":
        return False
    base = unicodedata.normalize("NFD", capital.lower())
    full = unicodedata.normalize("NFD", toned)
    return len(full) > len(base) and full.startswith(base)


def _vni_line(line: str) -> str:
    out: list[str] = []
    for ch in line:
        marks = _VNI_MARKS.get(ch) or _VNI_UPPER_MARKS.get(ch)
        if marks and out and out[-1].lower() in "aeiouyơư" and out[-1].isalpha():
            out[-1] = unicodedata.normalize("NFC", out[-1] + marks)
            continue
        out.append(_VNI_SINGLE.get(ch, ch))
    return "".join(out)


def keep_soft_hyphens(html: str) -> str:
    """The page with its soft hyphens (TCVN3 "ư") made visible to the extractor."""
    return _SOFT_HYPHEN.sub(KEPT_SOFT_HYPHEN, html)


def looks_legacy(line: str, charset: str) -> bool:
    """Whether a line is legacy-font text (and not Unicode Vietnamese already)."""
    if _UNICODE_VN.search(line):
        return False
    if charset == "tcvn3":
        return _TCVN3_ONLY.search(line) is not None
    return len(_VNI_PAIR.findall(line)) >= 2


def to_unicode(text: str | None, charset: str) -> tuple[str | None, int]:
    """(`text` with its legacy-font lines converted, how many lines were converted)."""
    if not text:
        return text, 0
    convert = _tcvn3_line if charset == "tcvn3" else _vni_line
    lines, converted = [], 0
    for line in text.split("\n"):
        if looks_legacy(line, charset):
            line = convert(line)
            converted += 1
        lines.append(line)
    return "\n".join(lines).replace(KEPT_SOFT_HYPHEN, "\xad"), converted
