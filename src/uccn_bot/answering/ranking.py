"""Ranking: BM25 candidates reranked by how much of the question a passage covers, how much
its best sentence covers (answers tend to sit in one sentence) and whether that sentence
holds an answer of the asked type; when the words alone are not decisive, semantic
similarity joins in and brings the passages the words missed."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..core import Hit, Query
from ..index import Index
from ..text import fold
from .analysed import PassageAnalyses
from .deciding import absent_from_article, confidence, gives_reason, semantic_lift, undecided
from .reader_pass import ReaderPass
from .reading import best_sentence
from .settings import AnswerSettings
from .short_answer import ShortAnswers
from .units import Unit, covered, question_units


class Ranker:
    """Ranks an index's passages for a query; each `Hit` carries its reading and confidence."""

    def __init__(self, index: Index, settings: AnswerSettings, analyses: PassageAnalyses,
                 short_answers: ShortAnswers, reader: ReaderPass | None = None):
        self.index = index
        self.settings = settings
        self.analyses = analyses
        self.short_answers = short_answers
        self.reader = reader

    def units(self, query: Query) -> list[Unit]:
        return question_units(query, self.index, self.settings)

    def rank(self, query: Query, wanted: int) -> list[Hit]:
        """The reranked passages for `query`, best first (enough for `wanted` answers)."""
        s = self.settings
        units = self.units(query)
        # A word the corpus lacks is searched for by its thesaurus synonyms ("tamu" → "pengunjung").
        stand_ins = sorted({t for u in units if not u.known for t in u.alternatives})
        candidates = self.index.search(list(query.terms) + stand_ins, s.candidates)
        total = sum(u.weight for u in units) or 1.0
        top_bm25 = (candidates[0][1] if candidates else 0.0) or 1.0

        # First pass: BM25 plus passage coverage (cheap); second pass adds sentences.
        scored = []
        for number, bm25 in candidates:
            coverage = covered(units, self.analyses(number).terms) / total
            scored.append((bm25 / top_bm25 + s.coverage_weight * coverage, number, bm25, coverage))
        scored.sort(key=lambda x: (-x[0], x[1]))
        pool = scored[: max(s.rerank_pool, s.rerank_pool_per_passage * wanted)]
        ranked = sorted((self.hit(number, bm25, top_bm25, coverage, units, total, query)
                         for _, number, bm25, coverage in pool), key=_order)
        if self._semantic_ready and (not ranked or undecided(ranked, s)):
            known = {number: (bm25, coverage) for _, number, bm25, coverage in scored}
            lexical = [number for _, number, _, _ in pool]
            ranked = self._semantic(query, lexical, known, top_bm25, units, total) or ranked
        if self.reader is not None:
            ranked = self.reader.apply(query, units, total, ranked)
        return ranked

    def hit(self, number: int, bm25: float, top_bm25: float, coverage: float, units: list[Unit], total: float,
            query: Query, similarity: float | None = None) -> Hit:
        """A scored candidate: BM25 relative to the best candidate, plus coverage, best sentence,
        answer type and (when consulted) semantic similarity."""
        s = self.settings
        analysed = self.analyses(number)
        document = self.index.document_of(number)
        absent = absent_from_article(units, document, query, self.index)
        source = fold(self.index.documents[document].source)
        sentence, share, span = best_sentence(analysed, units, total, query, source, absent, self.index,
                                              self.short_answers, s)
        score = bm25 / top_bm25 + s.coverage_weight * coverage + s.sentence_weight * share + s.type_weight * (span is not None)
        sure = confidence(coverage, share, span, query.answer_type, s)
        if similarity is not None:
            score += s.semantic_weight * similarity
            sure = min(1.0, max(0.0, sure + semantic_lift(similarity, span, query.answer_type, s)))
        # After similarity: being on topic does not make up for a name the article never
        # mentions. A one-passage document says too little to tell what it is about.
        if absent and len(self.index.document_passages(document)) > 1:
            sure *= s.absent_name_factor
        if query.why and not gives_reason(analysed.sentences, sentence):
            sure *= s.no_reason_factor
        return Hit(passage=self.index.passage(number), score=score, bm25=bm25, coverage=coverage, highlight=sentence,
                   short_answer=span.text if span else None, answer_value=span.value if span else None,
                   sentence_coverage=share, confidence=sure, similarity=similarity)

    def _semantic(self, query: Query, lexical: list[int], known: dict[int, tuple[float, float]],
                  top_bm25: float, units: list[Unit], total: float) -> list[Hit] | None:
        """Rerank with the question's similarity to every passage (as a z-score against the
        whole corpus), adding the most similar passages the words missed. A passage far more
        similar to the question than the corpus at large gains confidence, one barely above
        it loses some (calibrated on the development sets)."""
        from .. import semantic

        vector = semantic.embed_query(query.text)
        if vector is None:
            return None
        sims = self.index.embeddings @ vector
        z = (sims - sims.mean()) / (sims.std() or 1.0)
        numbers = set(lexical) | set(np.argsort(-z)[: self.settings.semantic_candidates].tolist())
        hits = []
        for n in numbers:  # a passage the words missed has no BM25 score; its coverage is computed
            bm25, coverage = known.get(n) or (0.0, covered(units, self.analyses(n).terms) / total)
            hits.append(self.hit(n, bm25, top_bm25, coverage, units, total, query, float(z[n])))
        return sorted(hits, key=_order)

    @cached_property
    def _semantic_ready(self) -> bool:
        if not self.settings.semantic or self.index.embeddings is None:
            return False
        from .. import semantic

        return semantic.available()


def _order(hit: Hit):
    return (-hit.score, hit.passage.doc_id, hit.passage.position)



