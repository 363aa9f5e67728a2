"""Indonesian synonyms from LibreOffice's thesaurus (th_id_ID_v2, LGPL-2.1; see
data/THESAURUS.md): "tamu" ↔ "pengunjung", "kendala" ↔ "hambatan".

A paraphrase often swaps one word for its synonym; an exact-match index misses it and the
bot then declines an answer that is right in front of it. The thesaurus lists senses, not
meanings in context, so a synonym only counts as part of a match (see
`AnswerSettings.thesaurus_weight`), never as the word itself.
"""

from __future__ import annotations

from functools import lru_cache

from .bundled import read_text

DATA = "th_id_ID_v2.dat.gz"


@lru_cache(maxsize=1)
def _text() -> str:
    """The whole file in lower case, a newline before every line. A question looks up a handful of words, so each
    is found by a string search for its headword line ("kota|3") rather than through an index of all ~30,000
    headwords, which took ~40 ms of a cold start to build."""
    return "\n" + read_text(DATA, "the thesaurus").lower()


@lru_cache(maxsize=4096)
def synonyms(word: str) -> frozenset[str]:
    """One-word synonyms of `word` (folded, lower case) over all its senses, antonyms left
    out; an empty set when the thesaurus lacks it."""
    text = _text()
    # A headword line is "word|number of sense lines"; sense lines start with "[n]|", "[v]|", "[ant]|" ..., so
    # only a headword line starts with the word and a number (one sense line lacks its "[n]": "khatib|penceramah").
    # The file's first line names its encoding.
    at = text.find("\n", 1)
    while word and at >= 0:
        at = text.find(f"\n{word}|", at)
        if at < 0:
            break
        start = at + len(word) + 2
        end = text.find("\n", start)
        count = text[start:end] if end >= 0 else ""
        if count.isdigit():
            return _senses(_lines_after(text, end, int(count)), word)
        at = start
    return frozenset()


def _lines_after(text: str, end: int, n: int) -> list[str]:
    """The `n` lines after the newline at `end` (without slicing off the rest of the file)."""
    lines = []
    for _ in range(n):
        nxt = text.find("\n", end + 1)
        lines.append(text[end + 1 : nxt if nxt >= 0 else len(text)])
        if nxt < 0:
            break
        end = nxt
    return lines


def _senses(lines: list[str], word: str) -> frozenset[str]:
    """The one-word synonyms in a headword's sense lines ("[n]|era|kala|..."), antonyms ("[ant]|...") left out."""
    found = {w.strip() for line in lines if not line.startswith("[ant]") for w in line.split("|")[1:]}
    return frozenset(w for w in found if w and " " not in w and w != word)
