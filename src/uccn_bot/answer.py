"""`Bot.answer(question) -> Answer`: the one call every front end makes.

    question → parse (type, terms, typo repair) → BM25 candidates → rerank → decline or answer

Reranking adds to the BM25 score how much of the question a passage covers, how much of it one
sentence covers (answers tend to sit in one sentence), and whether that sentence holds an
answer of the asked-for type. A question whose best passage covers too little of it is
declined rather than answered with a guess. When the best passages give different short
answers (the Liputan6 article says both 2015 and 2014), the answer most passages agree on
leads and the others are reported as conflicts, each with its citation.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Mapping, NamedTuple

import numpy as np

from . import thesaurus
from .extract import (CLASSIFIERS, TITLES, Span, counted_noun, find_spans, fits_measure, is_initials,
                      is_name, is_year, life_date, looks_like_organisation, titles_before)
from .index import Index, searchable_text
from .passages import Passage, split_sentences
from .question import AnswerType, Query, parse_question
from .text import fold, is_root_word

EXAMPLE_QUESTION = "Kapan Pekalongan menjadi Kota Kreatif UNESCO?"
MESSAGES = {
    "empty": f"Pertanyaannya masih kosong. Coba tanyakan, misalnya: “{EXAMPLE_QUESTION}”",
    "no_words": "Saya hanya bisa membaca pertanyaan yang berupa kata-kata. "
    f"Coba tulis pertanyaan Anda dalam bahasa Indonesia, misalnya: “{EXAMPLE_QUESTION}”",
    "too_general": "Pertanyaannya terlalu umum untuk saya cari. Sebutkan kota, tahun, atau topiknya, "
    "misalnya: “Apa misi Jejaring Kota Kreatif UNESCO?”",
    "not_found": "Maaf, saya belum menemukan jawabannya di artikel-artikel yang saya punya. "
    "Saya hanya menjawab dari isi artikel itu, jadi saya tidak mau menebak.",
    "truncated": "Pertanyaan Anda sangat panjang; saya hanya membaca {limit} karakter pertamanya.",
}


@dataclass(frozen=True)
class AnswerSettings:
    """How answers are chosen. The weights and the decline threshold were set on the
    development questions (tests/qa/dev.yaml), never on the test set."""

    passages: int = 5  # passages returned per answer (the first is the cited answer)
    candidates: int = 30  # BM25 candidates that are reranked
    min_confidence: float = 0.5  # below this the bot declines (see `_confidence`)
    max_question_chars: int = 500
    coverage_weight: float = 1.0
    sentence_weight: float = 1.0
    type_weight: float = 0.5
    no_span_penalty: float = 0.5  # a kapan/berapa/di mana question, but no date/number/place
    no_person_penalty: float = 0.85  # a siapa question, but no name (it may ask for a group)
    unknown_weight: float = 0.6  # weight of a word no passage has, as a share of the rarest term's
    english_unknown_weight: float = 0.25  # ... in an English question (a word the glossary lacks)
    span_sentence_slack: float = 0.15  # a short answer's sentence must cover the question nearly as well
    thesaurus_weight: float = 0.3  # share of a word's weight a thesaurus synonym of it earns (0 = off)
    no_reason_factor: float = 0.5  # confidence kept when a kenapa question's answer gives no reason
    absent_name_factor: float = 0.5  # confidence kept when the passage's article never names a place/name asked
    semantic: bool = True  # use passage embeddings when the index has them
    semantic_gate: float = 0.6  # below this lexical confidence the embeddings are consulted
    semantic_margin: float = 0.05  # ... and also when the runner-up scores within this share
    semantic_weight: float = 0.3  # score added per standard deviation of similarity
    semantic_candidates: int = 10  # most similar passages added to the candidates
    semantic_confidence: float = 0.2  # confidence added per standard deviation of similarity ...
    semantic_neutral_z: float = 2.5  # ... above this (below it, taken away)
    semantic_lift_without_span: float = 0.75  # share of that lift kept when a typed question finds no answer of its type


@dataclass(frozen=True)
class Hit:
    """One passage found for a question."""

    passage: Passage
    score: float  # final ranking score
    bm25: float
    coverage: float  # share of the question's weight found in the passage (0..1)
    highlight: str  # the sentence that best answers the question
    short_answer: str | None = None
    answer_value: str | None = field(default=None, compare=False)
    sentence_coverage: float = 0.0  # share of the question found in the highlight alone
    confidence: float = 0.0  # how sure the bot is that this passage answers the question
    similarity: float | None = None  # semantic similarity to the question (z-score), when used

    def to_json(self) -> dict:
        p, doc = self.passage, self.passage.document
        return {
            "passage_id": p.id,
            "doc_id": p.doc_id,
            "title": doc.title if doc else "",
            "source": doc.source if doc else "",
            "date": doc.date if doc else "",
            "url": doc.url if doc else "",
            "section": p.section,
            "text": p.text,
            "score": round(self.score, 6),
            "bm25": round(self.bm25, 6),
            "coverage": round(self.coverage, 4),
            "confidence": round(self.confidence, 4),
            "sentence_coverage": round(self.sentence_coverage, 4),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "highlight": self.highlight,
            "short_answer": self.short_answer,
        }


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    passages: tuple[Hit, ...] = ()
    short_answer: str | None = None
    highlight: str | None = None
    conflicts: tuple[Hit, ...] = ()  # best passages that give a different short answer
    answer_type: str = AnswerType.NONE.value
    confidence: float = 0.0
    corrections: tuple[tuple[str, str], ...] = ()
    message: str | None = None  # why nothing was answered, for the person asking
    notice: str | None = None  # something the person should know even when answered

    @property
    def best(self) -> Hit | None:
        return self.passages[0] if self.passages else None

    def to_json(self) -> dict:
        """The `ask --json` contract: keep these names stable."""
        return {
            "question": self.question,
            "answered": self.answered,
            "short_answer": self.short_answer,
            "highlight": self.highlight,
            "answer_type": self.answer_type,
            "confidence": round(self.confidence, 4),
            "conflicts": [
                {"short_answer": c.short_answer, "passage_id": c.passage.id, "doc_id": c.passage.doc_id,
                 "title": c.passage.document.title if c.passage.document else "",
                 "source": c.passage.document.source if c.passage.document else "",
                 "date": c.passage.document.date if c.passage.document else "",
                 "highlight": c.highlight}
                for c in self.conflicts
            ],
            "corrections": [{"typed": a, "read_as": b} for a, b in self.corrections],
            "message": self.message,
            "notice": self.notice,
            "passages": [h.to_json() for h in self.passages],
        }


@dataclass
class _Analysed:
    """A passage's terms and sentences, analysed once and kept (passages never change)."""

    terms: frozenset[str]
    sentences: list[str]
    sentence_terms: list[frozenset[str]]


class Bot:
    """Answers questions from one `Index`. Thread-safe for concurrent `answer` calls."""

    def __init__(self, index: Index, settings: AnswerSettings = AnswerSettings()):
        self.index = index
        self.settings = settings
        self._analysed: OrderedDict[int, _Analysed] = OrderedDict()
        self._analysed_lock = threading.Lock()
        self._max_idf = float(index.bm25.idf.max()) if index.bm25.idf.shape[0] else 1.0

    # -- the public call -----------------------------------------------------------------

    def answer(self, question: str, passages: int | None = None) -> Answer:
        """Answer `question` with up to `passages` cited passages (best first)."""
        limit = self.settings.passages if passages is None else max(1, passages)
        text = " ".join(str(question).split())
        notice = None
        if len(text) > self.settings.max_question_chars:
            cut = text[: self.settings.max_question_chars]
            text = cut.rsplit(" ", 1)[0] if " " in cut else cut
            notice = MESSAGES["truncated"].format(limit=self.settings.max_question_chars)
        if not text:
            return Answer(question=text, answered=False, message=MESSAGES["empty"], notice=notice)
        if not re.search(r"\w", text):
            return Answer(question=text, answered=False, message=MESSAGES["no_words"], notice=notice)

        query = parse_question(text, self.index)
        if not query.terms:
            key = "not_found" if query.unknown else "too_general"
            return Answer(question=text, answered=False, answer_type=query.answer_type.value,
                          corrections=query.corrections, message=MESSAGES[key], notice=notice)

        hits = self._rank(query, limit)
        if not hits:
            return Answer(question=text, answered=False, answer_type=query.answer_type.value,
                          corrections=query.corrections, message=MESSAGES["not_found"], notice=notice)
        hits, conflicts = self._agree(hits, query)
        top = hits[0]
        confidence = top.confidence
        answered = confidence >= self.settings.min_confidence
        return Answer(
            question=text,
            answered=answered,
            passages=tuple(hits[:limit]) if answered else (),
            short_answer=top.short_answer if answered else None,
            highlight=top.highlight if answered else None,
            conflicts=tuple(conflicts) if answered else (),
            answer_type=query.answer_type.value,
            confidence=confidence,
            corrections=query.corrections,
            message=None if answered else MESSAGES["not_found"],
            notice=notice,
        )

    def search(self, question: str, passages: int = 10) -> list[Hit]:
        """The ranked passages for `question` without deciding whether to answer
        (evaluation uses this to measure ranking apart from declining)."""
        text = " ".join(str(question).split())[: self.settings.max_question_chars]
        if not re.search(r"\w", text):
            return []
        query = parse_question(text, self.index)
        return self._agree(self._rank(query, passages), query)[0][:passages] if query.terms else []

    # -- ranking -------------------------------------------------------------------------

    def _rank(self, query: Query, wanted: int) -> list[Hit]:
        """BM25 candidates reranked by coverage, best sentence and answer type; when the
        words alone are not decisive, semantic similarity joins in (see `_semantic`)."""
        s = self.settings
        units = self._units(query)
        # A word the corpus lacks is searched for by its thesaurus synonyms ("tamu" → "pengunjung").
        stand_ins = sorted({t for u in units if not u.known for t in u.alternatives})
        candidates = self.index.search(list(query.terms) + stand_ins, s.candidates)
        total = sum(u.weight for u in units) or 1.0
        top_bm25 = (candidates[0][1] if candidates else 0.0) or 1.0

        # First pass: BM25 plus passage coverage (cheap); second pass adds sentences.
        scored = []
        for number, bm25 in candidates:
            coverage = _covered(units, self._analyse(number).terms) / total
            scored.append((bm25 / top_bm25 + s.coverage_weight * coverage, number, bm25, coverage))
        scored.sort(key=lambda x: (-x[0], x[1]))
        ranked = sorted((self._hit(number, bm25, top_bm25, coverage, units, total, query)
                         for _, number, bm25, coverage in scored[: max(10, 2 * wanted)]), key=_order)
        if self._semantic_ready and (not ranked or self._undecided(ranked)):
            known = {number: (bm25, coverage) for _, number, bm25, coverage in scored}
            lexical = [number for _, number, _, _ in scored[: max(10, 2 * wanted)]]
            ranked = self._semantic(query, lexical, known, top_bm25, units, total) or ranked
        return ranked

    def _hit(self, number: int, bm25: float, top_bm25: float, coverage: float, units, total: float,
             query: Query, similarity: float | None = None) -> Hit:
        """A scored candidate: BM25 relative to the best candidate, plus coverage, best sentence,
        answer type and (when consulted) semantic similarity."""
        s = self.settings
        analysed = self._analyse(number)
        document = int(self.index.arrays["passage_doc"][number])
        absent = self._absent_from_article(units, document, query)
        sentence, share, span = self._best_sentence(analysed, units, total, query, document, absent)
        score = bm25 / top_bm25 + s.coverage_weight * coverage + s.sentence_weight * share + s.type_weight * (span is not None)
        confidence = self._confidence(coverage, share, span, query.answer_type)
        if similarity is not None:
            score += s.semantic_weight * similarity
            lift = s.semantic_confidence * (similarity - s.semantic_neutral_z)
            if lift > 0 and span is None and query.answer_type is not AnswerType.NONE:
                lift *= s.semantic_lift_without_span
            confidence = min(1.0, max(0.0, confidence + lift))
        # After similarity: being on topic does not make up for a name the article never
        # mentions. A one-passage document says too little to tell what it is about.
        if absent and len(self.index.document_passages(document)) > 1:
            confidence *= s.absent_name_factor
        if query.why and not _gives_reason(analysed.sentences, sentence):
            confidence *= s.no_reason_factor
        return Hit(self.index.passage(number), score, bm25, coverage, sentence,
                   span.text if span else None, span.value if span else None, share, confidence,
                   similarity)

    def _absent_from_article(self, units: list[_Unit], document: int, query: Query) -> list[_Unit]:
        """The names and years the question asks about that the passage's article never
        mentions: a passage on Malang's bid does not answer a question on Ambon, nor one on
        the 2017 meeting a question on 2018, however well its other words match. (A name
        missing from the passage alone only costs coverage: the article around it may be
        all about that place.)"""
        index = self.index
        absent = []
        for unit in units:
            terms = [t for t in (*unit.terms, unit.shared) if t]
            named = unit.known and index.names.intersection(terms) or any(is_year(t) for t in terms)
            if named and not any(index.document_mentions(document, t) for t in terms):
                # "William Adams" is not absent from an article that calls him "Adams"
                rest = {t for group in query.names if group.intersection(terms) for t in group} - set(terms)
                if not any(index.document_mentions(document, t) for t in rest):
                    absent.append(unit)
        return absent

    def _undecided(self, ranked: list[Hit]) -> bool:
        """Whether the words leave the answer open: the best passage covers the question only
        in part, or the runner-up is nearly as good. Clear cases skip the embedding (~10 ms)."""
        top = ranked[0]
        close = len(ranked) > 1 and ranked[1].score > top.score * (1 - self.settings.semantic_margin)
        return top.confidence < self.settings.semantic_gate or close

    def _semantic(self, query: Query, lexical: list[int], known: dict[int, tuple[float, float]],
                  top_bm25: float, units, total: float) -> list[Hit] | None:
        """Rerank with the question's similarity to every passage (as a z-score against the
        whole corpus), adding the most similar passages the words missed. A passage far more
        similar to the question than the corpus at large gains confidence, one barely above
        it loses some (calibrated on the development sets)."""
        from . import semantic

        vector = semantic.embed_query(query.text)
        if vector is None:
            return None
        sims = self.index.embeddings @ vector
        z = (sims - sims.mean()) / (sims.std() or 1.0)
        s = self.settings
        numbers = set(lexical) | set(np.argsort(-z)[: s.semantic_candidates].tolist())
        hits = []
        for n in numbers:  # a passage the words missed has no BM25 score; its coverage is computed
            bm25, coverage = known.get(n) or (0.0, _covered(units, self._analyse(n).terms) / total)
            hits.append(self._hit(n, bm25, top_bm25, coverage, units, total, query, float(z[n])))
        return sorted(hits, key=_order)

    @cached_property
    def _semantic_ready(self) -> bool:
        if not self.settings.semantic or self.index.embeddings is None:
            return False
        from . import semantic

        return semantic.available()

    def _confidence(self, coverage: float, share: float, span: Span | None, kind: AnswerType) -> float:
        """How much of the question this passage answers, 0..1: the share of the question's
        weight it covers, lowered when a typed question finds no answer of its type, or when
        the typed answer sits in a sentence that covers much less of the question than the
        passage does."""
        s = self.settings
        confidence = coverage
        if kind is not AnswerType.NONE:
            if span is None:
                confidence *= s.no_person_penalty if kind is AnswerType.PERSON else s.no_span_penalty
            else:
                confidence = min(confidence, share + s.span_sentence_slack)
        return confidence

    def _units(self, query: Query) -> list[_Unit]:
        """The question's meaning units with weights: known terms (or synonym phrases)
        weighted by idf, words the corpus lacks weighted as the rarest term."""
        idf, vocab = self.index.bm25.idf, self.index.bm25.vocab
        analyzer = self.index.analyzer
        raw = analyzer.units(list(query.words))
        related = self._thesaurus_terms(query) if self.settings.thesaurus_weight > 0 else {}
        translated = {analyzer.term(word): terms for word, terms in query.translations}
        seen: set[tuple[str, ...]] = set()
        units = []
        for unit, shared in raw:
            if shared and len(unit) == 1:  # a one-word synonym is just its group's term
                unit, shared = (shared,), None
            key = (shared,) if shared else unit
            if key in seen:
                continue
            seen.add(key)
            known = [t for t in unit if t in vocab]
            if known:
                weight = sum(float(idf[vocab[t]]) for t in known)
            elif shared in vocab:
                weight = float(idf[vocab[shared]])
            else:
                # No passage has it: it only counts against. An English word may just be one
                # the glossary cannot translate, so it counts less.
                share = self.settings.english_unknown_weight if query.english else self.settings.unknown_weight
                weight = self._max_idf * share
            weight = max(weight, 1e-6)
            alternatives = {}
            if shared is None and len(unit) == 1 and unit[0] in translated and not known:
                # An English word weighs as its likeliest translation, which meets it in full.
                alternatives = {t: float(idf[vocab[t]]) for t in translated[unit[0]]}
                weight = max(alternatives.values())
            elif shared is None and len(unit) == 1:
                # A synonym earns part of the word's weight, never more than its own (idf)
                # weight: meeting a common word ("hidup" for "nasi") says little.
                alternatives = {t: min(weight, float(idf[vocab[t]])) * self.settings.thesaurus_weight
                                for t in related.get(unit[0], ())}
            units.append(_Unit(unit, shared, weight, bool(known) or shared in vocab, alternatives))
        return units

    def _thesaurus_terms(self, query: Query) -> dict[str, frozenset[str]]:
        """Question term → corpus terms of its thesaurus synonyms ("tamu" → "unjung", the
        term of "pengunjung"), for content words only."""
        analyzer, vocab = self.index.analyzer, self.index.bm25.vocab
        stopwords = analyzer.lexicon.stopwords
        related: dict[str, frozenset[str]] = {}
        for word in query.words:
            term = analyzer.term(word)
            if term is None or term in related:
                continue
            words = thesaurus.synonyms(word) | thesaurus.synonyms(term)
            terms = {t for w in words if w not in stopwords for t in analyzer.terms_of([w])}
            related[term] = frozenset(t for t in terms if t and t != term and t in vocab)
        return related

    def _best_sentence(self, analysed: _Analysed, units, total: float, query: Query, document: int,
                       absent: list[_Unit]):
        """(sentence, share of the question it covers, answer span or None). An answer span
        only counts in a sentence that matches the question nearly as well as the best one:
        a date three sentences away from the matched words answers nothing."""
        shares = [_covered(units, terms) / total for terms in analysed.sentence_terms]
        if not shares:
            return "", 0.0, None
        best_share = max(shares)
        question_words = set(query.words)
        source = fold(self.index.documents[document].source)
        best = (analysed.sentences[shares.index(best_share)], best_share, None)
        if query.answer_type is AnswerType.NONE:
            return best
        floor = max(0.6 * best_share, 0.3)
        # The answer must be about the question's subject: the focus word must be in the
        # answer's sentence ("siapa wali kota Ambon" is not answered by the mayor of
        # Pekalongan two sentences on).
        focus = self._focus(units, analysed.terms, absent)
        need_focus = focus is not None
        focus_group = self._name_group(query, focus) if need_focus else frozenset()
        for i, (sentence, share) in enumerate(zip(analysed.sentences, shares)):
            terms = analysed.sentence_terms[i]
            if share < floor and i > 0 and shares[i - 1] >= floor and _continues(analysed.sentences[i - 1], sentence):
                share = shares[i - 1]  # "Kota-kota tersebut adalah Icheon, ...": the list answers the sentence before
                terms = terms | analysed.sentence_terms[i - 1]
            if share < floor or (need_focus and focus_group.isdisjoint(terms)):
                continue
            if best[2] and share <= best[1] and not query.plural:
                continue
            span = self._span(sentence, query, question_words, source)
            if span and (best[2] is None or _better(span, share, best[2], best[1], query.plural)):
                best = (sentence, share, span)
        return best

    def _focus(self, units: list[_Unit], present: frozenset[str], absent: list[_Unit]) -> str | None:
        """What the question is most specifically about, as a term an answer's sentence must
        have: a name the question asks about that the passage's article never mentions
        (then no sentence answers), else the rarest question term the passage has. An
        ordinary word the passage lacks ("anak" where it says "kaum muda") has cost it
        coverage already. A synonym phrase counts as its group's term."""
        vocab, idf = self.index.bm25.vocab, self.index.bm25.idf
        for unit in absent:
            if self.index.names.intersection(unit.terms + (unit.shared,)):
                return unit.shared or unit.terms[0]
        terms = [t for u in units if u.known for t in ((u.shared,) if u.shared in vocab else u.terms)
                 if t in vocab and t in present]
        return max(terms, key=lambda t: idf[vocab[t]]) if terms else None

    @staticmethod
    def _name_group(query: Query, focus: str) -> frozenset[str]:
        """The focus with the rest of the name it belongs to in the question: "Kapan Robert
        Kevin Rose mendirikan Revision3" is answered by "Rose mendirikan Revision3 pada
        April 2005", where "kevin" is the rarest word but only "Rose" is written."""
        return next((group for group in query.names if focus in group), frozenset([focus]))

    def _span(self, sentence: str, query: Query, question_words: set[str], source: str = "") -> Span | None:
        """The sentence's answer of the asked type: of the spans the patterns are surest of,
        the one nearest the question's words (see `_nearness`), or for a question that asks
        for a list, all of them ("Parma, Chengdu, Popayán"); for a birth or a death, the
        first or last date of a life span. Words of the question are trimmed from a name's
        edges ("Pekalongan Mochammad Saelany" → "Mochammad Saelany"): the answer is never
        what was asked about, nor the article's own news outlet. "Berapa persen" takes only
        a percentage, "berapa lama" only a length of time, "berapa luas" only an area."""
        kind, plural = query.answer_type, query.plural
        spans = []
        for sp in find_spans(sentence, kind, self._is_common_word):
            if kind is AnswerType.NUMBER and not (fits_measure(sp, query.measure) and self._counts(sp, query, sentence)):
                continue
            if kind is AnswerType.PERSON and (self._is_place(sp.text) or not self._same_title(sentence, sp, query)):
                continue  # "Jepang" is no one's name; the mayor is not the chair asked about
            if source and sp.value in source:
                continue  # the news outlet's dateline ("Liputan6.com, Pekalongan -") answers nothing
            if kind in (AnswerType.PERSON, AnswerType.PLACE):
                sp = self._trim(sentence, sp, question_words)
            if sp and not set(self.index.analyzer.words(sp.text)) <= question_words:
                spans.append(sp)
        if not spans:
            return None
        if query.life and not plural:
            chosen = life_date(sentence, spans, query.life)
            if chosen:
                return chosen  # "kapan X meninggal" and "(1519–1560)": 1560
        strongest = max(sp.strength for sp in spans)
        if plural:  # the list: each name once, of those the patterns are surest of
            spans = list({sp.value: sp for sp in reversed(spans) if sp.strength == strongest}.values())[::-1]
            if len(spans) > 1:
                return Span(", ".join(sp.text for sp in spans), spans[0].start, spans[-1].end, kind,
                            " | ".join(sp.value for sp in spans), strongest)
        surest = [sp for sp in spans if sp.strength > strongest - 0.5]
        if len(surest) == 1:
            return surest[0]
        near = self._nearness(sentence, query)
        return max(surest, key=lambda sp: (near(sp), sp.end - sp.start))

    def _nearness(self, sentence: str, query: Query):
        """How close a span stands to the question's words in the sentence: each question
        term nearby counts by its idf, less the farther it is. Of two equally sure answers,
        the one beside what was asked about answers it ("tunggal putra Tommy Sugiarto dan
        ganda campuran Lilyana Natsir" for the men's singles; "144 km, 19 km di antaranya
        melewati Kecamatan Tejakula" for Tejakula)."""
        analyzer, vocab, idf = self.index.analyzer, self.index.bm25.vocab, self.index.bm25.idf
        asked = set(query.terms)
        tokens = [(m.start(), m.end(), analyzer.term(fold(m.group(0)))) for m in re.finditer(r"[\w’'-]+", sentence)]
        anchors = [(i, float(idf[vocab[t]])) for i, (_, _, t) in enumerate(tokens) if t in asked and t in vocab]

        def nearness(span: Span) -> float:
            inside = [i for i, (a, b, _) in enumerate(tokens) if a < span.end and b > span.start]
            if not inside:
                return 0.0
            best: dict[str, float] = {}
            for i, weight in anchors:
                if inside[0] <= i <= inside[-1]:
                    continue
                gap = inside[0] - i if i < inside[0] else i - inside[-1]
                if gap <= _NEAR:
                    term = tokens[i][2]
                    best[term] = max(best.get(term, 0.0), weight / gap)
            return sum(best.values())

        return nearness

    def _counts(self, span: Span, query: Query, sentence: str) -> bool:
        """Whether a number counts what the question counts: "berapa negara" is not answered
        by "tujuh bidang" (a bare number or a percentage may answer anything). The counted
        noun may run on past the span: "98 wali kota" counts "kepala daerah"."""
        if not query.counts:
            return True
        analyzer = self.index.analyzer
        nouns = counted_noun(span)
        if nouns and (fold(nouns[0]) in CLASSIFIERS or query.counts.split()[0] in CLASSIFIERS):
            return True  # "572.000 orang" counts the victims asked about; "berapa orang anggota"
        if nouns:
            nouns = nouns + re.findall(r"[\w-]+", sentence[span.end : span.end + 30])[:1]
        found = set(analyzer.terms_of(analyzer.words(" ".join(nouns))))
        return not found or not found.isdisjoint(self._counted_terms(query.counts))

    def _counted_terms(self, counts: str) -> frozenset[str]:
        """Terms of what is counted: a synonym phrase as a whole ("kepala daerah" is
        "wali kota"), else its first word, with that word's thesaurus synonyms."""
        analyzer = self.index.analyzer
        words = counts.split()
        units = analyzer.units(words)
        if units and (units[0][1] is not None or len(units[0][0]) > 1):
            return frozenset(units[0][0] + ((units[0][1],) if units[0][1] else ()))
        terms = set(analyzer.terms_of(words[:1]))
        terms.update(t for w in thesaurus.synonyms(words[0]) for t in analyzer.terms_of([w]))
        return frozenset(terms)

    def _trim(self, sentence: str, span: Span, question_words: set[str]) -> Span | None:
        """The span without the question's own words at its edges, nor the ordinary words
        that then stand there ("Han Barat Liu Xiu" → "Liu Xiu", "Jalan Diponegoro" → nothing)."""
        words = list(re.finditer(r"\S+", span.text))
        asked = [set(self.index.analyzer.words(w.group(0))) <= question_words for w in words]
        if any(asked):
            asked = [a or not (is_name(w.group(0), self._is_common_word) or is_initials(w.group(0)))
                     for a, w in zip(asked, words)]
        first = next((i for i, a in enumerate(asked) if not a), None)
        if first is None:
            return None
        last = len(asked) - 1 - next(i for i, a in enumerate(reversed(asked)) if not a)
        if first == 0 and last == len(words) - 1:
            return span
        start, end = span.start + words[first].start(), span.start + words[last].end()
        text = sentence[start:end].rstrip(".,")
        return Span(text, start, start + len(text), span.kind, fold(text), span.strength)

    def _same_title(self, sentence: str, span: Span, query: Query) -> bool:
        """Whether a name's title fits the one asked about: "siapa ketua umum Apeksi" is not
        answered by "Wali Kota Malang, M Anton", nor "siapa wali kota" by his deputy
        ("Wakil Wali Kota"), nor by an organisation. True when either side names no title;
        synonyms count as one ("kepala daerah" is "wali kota")."""
        theirs = titles_before(sentence, span.start)
        words = list(query.words)
        first = next((i for i, w in enumerate(words) if w in TITLES), None)
        if first is not None and looks_like_organisation(span.text):
            return False  # "siapa menteri ..." asks for a person, not "Dindagkop-UKM"
        if not theirs or first is None:
            return True
        asked = words[first : first + 3]
        if ("wakil" in asked) != ("wakil" in theirs):
            return False
        if asked[0] in _ANY_LEADER:
            return True  # "pemimpin kota dari Korea" may be its "Wali Kota"
        terms = self.index.analyzer.terms_of
        return not set(terms(asked)).isdisjoint(terms(theirs))

    def _is_place(self, text: str) -> bool:
        """Whether every word of a name is one the corpus writes as a place."""
        words = [fold(w) for w in re.findall(r"\w+", text)]
        return bool(words) and all(w in self.index.places for w in words)

    def _is_common_word(self, word: str) -> bool:
        """Ordinary vocabulary, not a name: stop words, words the lexicon rewrites ("Pemkot" is
        "pemerintah kota", not a person), and Indonesian root words with their derivations."""
        lexicon = self.index.analyzer.lexicon
        if word in lexicon.stopwords or word in lexicon.english or word in lexicon.slang or word in lexicon.compounds:
            return True
        if word in self._abbreviations:
            return True
        return is_root_word(word) or is_root_word(self.index.analyzer.stem(word))

    @cached_property
    def _abbreviations(self) -> frozenset[str]:
        """Synonyms that shorten ordinary words ("rakernas" is "rapat kerja nasional"): common
        nouns however they are capitalised, never a person's name."""
        lexicon = self.index.analyzer.lexicon

        def ordinary(phrase: str) -> bool:
            words = phrase.split()
            return len(words) > 1 and all(w in lexicon.stopwords or is_root_word(w) for w in words)

        return frozenset(w for group in lexicon.synonyms if any(ordinary(p) for p in group)
                         for w in group if " " not in w)

    def _agree(self, hits: list[Hit], query: Query) -> tuple[list[Hit], list[Hit]]:
        """Let the passages vote on the short answer; the best-supported answer leads (in its
        most precise wording) and strong passages that disagree become conflicts."""
        if not hits or query.answer_type is AnswerType.NONE or not hits[0].short_answer or query.plural:
            return hits, []  # a list question has many right answers: other ones are no conflict
        # Only passages whose answer sentence matches the question about as well as the best
        # one's may vote: a date in an unrelated sentence is not a second opinion.
        floor = max(self.settings.min_confidence, 0.75 * hits[0].confidence)
        sentence_floor = 0.8 * max(h.sentence_coverage for h in hits[:5])
        voters = [h for h in hits[:5]
                  if h.short_answer and h.confidence >= floor and h.sentence_coverage >= sentence_floor]
        groups: dict[str, list[Hit]] = {}
        for hit in voters:
            groups.setdefault(_comparable(hit.answer_value or ""), []).append(hit)
        if not groups:
            return hits, []
        ranked = sorted(groups.values(), key=lambda g: (-len({h.passage.id for h in g}), -sum(h.score for h in g)))
        # Of passages that agree and score about the same, the most precise answer leads:
        # "1 Desember 2014" says more than "2014".
        best = ranked[0][0].score
        leader = max((h for h in ranked[0] if h.score >= 0.95 * best), key=lambda h: len(h.answer_value or ""))
        ordered = [leader] + [h for h in hits if h is not leader]
        conflicts = [group[0] for group in ranked[1:]]
        return ordered, conflicts

    def _analyse(self, number: int) -> _Analysed:
        with self._analysed_lock:
            cached = self._analysed.get(number)
            if cached is not None:
                self._analysed.move_to_end(number)
                return cached
        analyzer = self.index.analyzer
        passage = self.index.passage(number)
        sentences = split_sentences(passage.text)
        result = _Analysed(
            terms=frozenset(analyzer.terms(searchable_text(passage))),
            sentences=sentences,
            sentence_terms=[frozenset(analyzer.terms(s)) for s in sentences],
        )
        with self._analysed_lock:
            self._analysed[number] = result
            if len(self._analysed) > 4096:
                self._analysed.popitem(last=False)
        return result


_ANY_LEADER = {"pemimpin", "pimpinan", "tokoh"}  # titles that ask for whoever leads, whatever their title
_NEAR = 5  # words within which a question word counts as near an answer


_ANAPHORA_RE = re.compile(r"\b(tersebut|yaitu|yakni|antara lain|meliputi|adalah|berikut|ini|itu)\b", re.I)


_REASON_MARKERS_RE = re.compile(
    r"\b(karena\w*|dikarenakan|sebab\w*|disebabkan|menyebabkan|lantaran|berkat|akibat\w*|alasan\w*|"
    r"sehingga|makanya|maka|membuat|menjadikan|faktor\w*|agar|supaya|guna|demi|because|due to|reason)\b", re.I)


def _gives_reason(sentences: list[str], best: str) -> bool:
    """Whether the best sentence or the one after it gives a reason ("karena", "Sebab, ...",
    "X membuat Malang ...")."""
    if best not in sentences:
        return bool(_REASON_MARKERS_RE.search(best))
    i = sentences.index(best)
    return any(_REASON_MARKERS_RE.search(s) for s in sentences[i : i + 2])


def _continues(previous: str, sentence: str) -> bool:
    """Whether `sentence` carries on from `previous` (a list after "berikut:", or a sentence
    that points back with "tersebut", "yaitu", "yakni"...)."""
    return previous.rstrip().endswith(":") or bool(_ANAPHORA_RE.search(sentence[:60]))


def _better(span: Span, share: float, best: Span, best_share: float, plural: bool) -> bool:
    """Whether a sentence's answer beats the best so far: the sentence that matches the
    question better, or, for a list question, the one that names more answers."""
    if plural:
        return (span.value.count(" | "), share) > (best.value.count(" | "), best_share)
    return share > best_share


def _order(hit: Hit):
    return (-hit.score, hit.passage.doc_id, hit.passage.position)


class _Unit(NamedTuple):
    """One thing the question asks about: a term, or a synonym phrase with its group term."""

    terms: tuple[str, ...]
    shared: str | None
    weight: float  # idf; a word the corpus lacks weighs as much as the rarest term
    known: bool  # whether any passage has it
    alternatives: Mapping[str, float] = MappingProxyType({})  # thesaurus synonyms' terms → what meeting one earns


def _covered(units: list[_Unit], terms: frozenset[str]) -> float:
    """Weight of the question units found in a set of terms; a unit met only by a
    thesaurus synonym counts for part of its weight."""
    total = 0.0
    for u in units:
        if (u.shared and u.shared in terms) or all(t in terms for t in u.terms):
            total += u.weight
        elif u.alternatives:
            met = u.alternatives.keys() & terms
            if met:
                total += max(u.alternatives[t] for t in met)
    return total


def _comparable(value: str) -> str:
    """Answers that agree compare equal: a full date agrees with its year."""
    match = re.match(r"^(\d{4})(-\d{2}-\d{2})?$", value)
    if match:
        return match.group(1)
    return fold(re.sub(r"[^\w,.]+", " ", value)).strip()

