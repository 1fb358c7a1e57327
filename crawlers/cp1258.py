"""Writing windows-1258 the way legacy Vietnamese pages do, for fixtures and tests.

windows-1258 has the Vietnamese base letters (â ê ô ơ ư ă đ) but stores tone marks as combining
characters, so each character is decomposed just enough to be encodable.
"""
from __future__ import annotations

import unicodedata


def to_cp1258(text: str) -> bytes:
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        # Compose the base with whichever single mark gives a letter the code page has (â, ơ...),
        # keep the other mark (the tone) as a combining character.
        for keep in [None, *marks]:
            rest = [m for m in marks if m is not keep] if keep else marks
            head = unicodedata.normalize("NFC", base + (keep or ""))
            try:
                out += head.encode("cp1258") + "".join(rest).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise ValueError(f"cannot encode {char!r}")
    return bytes(out)
