"""Chat Indonesian → standard Indonesian, for the words of a question the corpus lacks.

People type "ngerayain", "nyambut", "dateng", "yg" where the articles write "merayakan",
"menyambut", "datang", "yang". Two sources, tried in order:

1. the colloquial lexicon Kamus Alay (Salsabila et al. 2018, ~4,300 entries, shipped by the
   `indoNLP` package), for the common spellings;
2. colloquial affixes undone by rule (nge-/ny-/ng-/n-/m- prefixes, -in suffix), accepted
   only when what is left is a root word in Sastrawi's dictionary: "nyambut" → "sambut",
   "ngetop" → "top", "nendang" → "tendang", "ngedukungin" → "dukung".

Articles are not rewritten: they are written in standard Indonesian, and a rule that fires
on an article's word would change its terms for no gain.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from .text import is_root_word

logger = logging.getLogger(__name__)

# (colloquial prefix, what the standard root starts with instead): "nyari" → "cari",
# "nyambut" → "sambut", "nulis" → "tulis", "mikir" → "pikir", "ngajak" → "ajak".
_PREFIXES = (
    ("nge", ""), ("ny", "s"), ("ny", "c"), ("ng", ""), ("ng", "k"), ("ng", "h"), ("n", "t"),
    ("m", "p"), ("ke", ""), ("di", ""),
)
_SUFFIXES = ("in", "an", "kan", "")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    try:
        from indoNLP.preprocessing.slang_data import SLANG_DATA
    except Exception as exc:  # the bot still works on standard spellings without it
        logger.warning("colloquial lexicon unavailable (%s: %s)", type(exc).__name__, exc)
        return {}
    return {k.lower(): v.lower() for k, v in SLANG_DATA.items() if isinstance(v, str)}


def standard_form(word: str) -> str | None:
    """The standard spelling of a chat word ("ngerayain" → "merayakan", "nyambut" →
    "sambut"), or None when it has none."""
    mapped = _lexicon().get(word)
    if mapped and mapped != word:
        return mapped
    if len(word) < 4 or not word.isalpha():
        return None
    for suffix in _SUFFIXES:
        if not word.endswith(suffix):
            continue
        stem = word[: len(word) - len(suffix)]
        for prefix, initial in _PREFIXES:
            if stem.startswith(prefix) and len(stem) - len(prefix) >= 3:
                root = initial + stem[len(prefix):]
                if root != word and is_root_word(root):
                    return root
        if suffix and len(stem) >= 3 and is_root_word(stem):
            return stem
    return None
