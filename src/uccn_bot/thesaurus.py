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
def table() -> dict[str, frozenset[str]]:
    """Headword → its one-word synonyms over all senses (antonyms left out). Empty, with
    a warning in the log, when the data file cannot be read."""
    lines = read_lines(DATA, "the thesaurus")
    synonyms: dict[str, set[str]] = {}
    head = None
    for line in lines[1:]:  # the first line names the encoding
        if not line.startswith("["):
            head = line.split("|", 1)[0].strip().lower()
            continue
        if head is None or line.startswith("[ant]"):
            continue
        words = {w.strip().lower() for w in line.split("|")[1:]}
        synonyms.setdefault(head, set()).update(w for w in words if w and " " not in w and w != head)
    return {head: frozenset(words) for head, words in synonyms.items()}


def synonyms(word: str) -> frozenset[str]:
    """One-word synonyms of `word` (folded, lower case), or an empty set."""
    return table().get(word, frozenset())
