"""English words in Indonesian, for English questions: FreeDict's English–Indonesian
dictionary (eng-ind, built from Wiktionary by WikDict; CC-BY-SA-3.0, see data/ENGLISH.md).

The glossary in lexicon.yaml maps the domain's key terms everywhere; this dictionary is
only consulted for a word of an English question that the corpus lacks ("ministry" →
"kementerian"), and only a translation the corpus has is taken.
"""

from __future__ import annotations

from functools import lru_cache

from .bundled import read_lines

DATA = "eng-ind.tsv.gz"


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[str, ...]]:
    """English headword → Indonesian translations, in the dictionary's order. Empty, with a
    warning in the log, when the data file cannot be read."""
    lines = read_lines(DATA, "the English dictionary")
    entries = (line.split("\t", 1) for line in lines if line and not line.startswith("#"))
    return {head: tuple(t for t in rest.split("|") if t) for head, rest in entries}


def translations(word: str) -> tuple[str, ...]:
    """Indonesian translations of an English word, trying its base forms ("praised" →
    "praise", "industries" → "industry"); empty when the dictionary lacks it."""
    entries = table()
    for form in base_forms(word.lower()):
        if form in entries:
            return entries[form]
    return ()


def base_forms(word: str) -> list[str]:
    """The word and what regular English endings or British spellings may have been added
    to ("industries" → "industry", "economically" → "economic", "programme" → "program")."""
    forms = [word]
    for ending, replacements in (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ied", ("y",)),
                                 ("ed", ("", "e")), ("ing", ("", "e")), ("ically", ("ic", "y")), ("ly", ("",)),
                                 ("er", ("", "e")), ("est", ("", "e")), ("ic", ("y",)),
                                 ("mme", ("m",)), ("our", ("or",)), ("ise", ("ize",)), ("tre", ("ter",))):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            forms.extend(word[: -len(ending)] + r for r in replacements)
    return list(dict.fromkeys(forms))
