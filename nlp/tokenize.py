"""Stage 2: underthesea word segmentation, and the plain syllables the cheap features use.

Vietnamese writes one syllable per space-separated token; words are one or more syllables
("thu_hồi", "giải_phóng_mặt_bằng"). underthesea's CRF segmenter finds them; it is the
slowest step of enrichment, so callers tokenize only the part of a document the classifier reads.
"""
from __future__ import annotations

import re

_SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)
_WORDLIKE = re.compile(r"\w")


def word_tokens(text: str) -> list[str]:
    """Lower-cased underthesea words, syllables joined by "_", punctuation dropped."""
    if not text.strip():
        return []
    from underthesea import word_tokenize  # imported lazily: it loads a CRF model

    return [w.lower().replace(" ", "_") for w in word_tokenize(text) if _WORDLIKE.search(w)]


def syllables(text: str) -> list[str]:
    return _SYLLABLE.findall(text.lower())
