"""What kind of word a token is, by the index's lexicon and corpus: ordinary vocabulary, a
name, a place. Short answers need it to tell "Wali Kota" (a title) from "M Anton" (a name)."""

from __future__ import annotations

import re
from functools import cached_property

from ..index import Index
from ..text import fold, is_root_word

_CACHE_SIZE = 8192  # words remembered per index (a memo, not a behaviour)


class WordClasses:
    """Word classes for one index. The memo lives on the instance, so dropping the index
    (a Telegram /reload) frees it."""

    def __init__(self, index: Index):
        self.index = index
        self._common: dict[str, bool] = {}

    def is_common_word(self, word: str) -> bool:
        """Ordinary vocabulary, not a name: stop words, words the lexicon rewrites ("Pemkot" is
        "pemerintah kota", not a person), and Indonesian root words with their derivations."""
        known = self._common.get(word)
        if known is None:
            known = self._common_word(word)
            if len(self._common) >= _CACHE_SIZE:
                self._common.clear()
            self._common[word] = known
        return known

    def _common_word(self, word: str) -> bool:
        lexicon = self.index.analyzer.lexicon
        if word in lexicon.stopwords or word in lexicon.english or word in lexicon.slang or word in lexicon.compounds:
            return True
        if word in self.abbreviations:
            return True
        return is_root_word(word) or is_root_word(self.index.analyzer.stem(word))

    @cached_property
    def abbreviations(self) -> frozenset[str]:
        """Synonyms that shorten ordinary words ("rakernas" is "rapat kerja nasional"): common
        nouns however they are capitalised, never a person's name."""
        lexicon = self.index.analyzer.lexicon

        def ordinary(phrase: str) -> bool:
            words = phrase.split()
            return len(words) > 1 and all(w in lexicon.stopwords or is_root_word(w) for w in words)

        return frozenset(w for group in lexicon.synonyms if any(ordinary(p) for p in group)
                         for w in group if " " not in w)

    def is_place(self, text: str) -> bool:
        """Whether every word of a name is one the corpus writes as a place."""
        words = [fold(w) for w in re.findall(r"\w+", text)]
        return bool(words) and all(w in self.index.places for w in words)
