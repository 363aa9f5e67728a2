"""A passage's terms and sentences, analysed once and kept: passages never change, and the
same passages come back question after question."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..index import Index, searchable_text
from ..passages import split_sentences

CACHE_SIZE = 4096  # passages kept analysed (a memo, not a behaviour)


@dataclass(frozen=True)
class AnalysedPassage:
    terms: frozenset[str]
    sentences: list[str]
    sentence_terms: list[frozenset[str]]


class PassageAnalyses:
    """`analyses(number) -> AnalysedPassage`, thread-safe, least recently used dropped first."""

    def __init__(self, index: Index, size: int = CACHE_SIZE):
        self.index = index
        self.size = size
        self._kept: OrderedDict[int, AnalysedPassage] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, number: int) -> AnalysedPassage:
        with self._lock:
            cached = self._kept.get(number)
            if cached is not None:
                self._kept.move_to_end(number)
                return cached
        analyzer = self.index.analyzer
        passage = self.index.passage(number)
        sentences = split_sentences(passage.text)
        result = AnalysedPassage(
            terms=frozenset(analyzer.terms(searchable_text(passage))),
            sentences=sentences,
            sentence_terms=[frozenset(analyzer.terms(s)) for s in sentences],
        )
        with self._lock:
            self._kept[number] = result
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return result
