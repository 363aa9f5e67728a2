"""Indonesian synonyms from LibreOffice's thesaurus (th_id_ID_v2, LGPL-2.1; see
data/THESAURUS.md): "tamu" ↔ "pengunjung", "kendala" ↔ "hambatan".

A paraphrase often swaps one word for its synonym; an exact-match index misses it and the
bot then declines an answer that is right in front of it. The thesaurus lists senses, not
meanings in context, so a synonym only counts as part of a match (see
`AnswerSettings.thesaurus_weight`), never as the word itself.
"""

from __future__ import annotations

from functools import lru_cache

from .bundled import read_lines

DATA = "th_id_ID_v2.dat.gz"


@lru_cache(maxsize=1)
def _entries() -> tuple[list[str], dict[str, tuple[int, int]]]:
    """The file's lines and, for each headword, where its sense lines are. Only this index
    is built up front (a fraction of parsing every entry: a first answer pays for it)."""
    lines = read_lines(DATA, "the thesaurus")
    where: dict[str, tuple[int, int]] = {}
    i = 1  # the first line names the encoding
    while i < len(lines):
        head, _, count = lines[i].partition("|")
        senses = int(count) if count.isdigit() else 0
        if head and not head.startswith("["):
            where.setdefault(head.strip().lower(), (i + 1, i + 1 + senses))
        i += 1 + senses
    return lines, where


@lru_cache(maxsize=4096)
def synonyms(word: str) -> frozenset[str]:
    """One-word synonyms of `word` (folded, lower case) over all its senses, antonyms left
    out; an empty set when the thesaurus lacks it."""
    lines, where = _entries()
    if word not in where:
        return frozenset()
    start, end = where[word]
    found = set()
    for line in lines[start:end]:
        if line.startswith("[ant]"):
            continue
        found.update(w.strip().lower() for w in line.split("|")[1:])
    return frozenset(w for w in found if w and " " not in w and w != word)
