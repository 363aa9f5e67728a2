"""The answer model's pass over the best candidates: does a sentence say the answer, and
where in it is the answer? It reorders the best passages, decides how sure the bot is (the
model's probability, blended with the word rules'), picks the highlighted sentence and gives
the short answer: the model's span when it is sure of it, in the fuller wording where the
typed rules agree with it ("1 Desember 2014" over "2014", and read as a date it can vote with
"2014"). The model reads the question in standard spelling ("brp" → "berapa"), a question word typed
last put first. For kapan/berapa it reads on to where the passage gives a date or number when what it read
gave none (or one it is unsure of), and where the passages that vote on the short answer disagree it reads
their sentences, so that each vote weighs its reading (`agreement`).

The model itself (`uccn_bot.reader`) is optional: without it the bot answers as the rules
decide. It is loaded lazily, once per process."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from typing import Callable, Protocol, Sequence

from ..core import AnswerType, Hit, Query, Span
from ..index import Index
from ..text import fold
from .agreement import comparable, voters
from .analysed import AnalysedPassage, PassageAnalyses
from .settings import AnswerSettings
from .short_answer import ShortAnswers
from .units import Unit, covered


class Reading(Protocol):
    score: float  # probability that the text answers the question
    span: tuple[int, int] | None  # the answer's character offsets in the text
    span_score: float


class AnswerModel(Protocol):
    def read(self, question: str, texts: list[str]) -> Sequence[Reading]: ...


_WORD = re.compile(r"\w+")
_VALUES = (AnswerType.DATE, AnswerType.NUMBER)  # the asked types a pattern recognises: a date, a number
# The question words a question may begin or end with (training moves them the other way: training/data.py).
QUESTION_WORDS = r"kapan|siapa|berapa|di ?mana|ke ?mana|dari ?mana|mengapa|kenapa|bagaimana|apa"
# A question word at the end, as chat often puts it ("UCCN didirikan tahun berapa?", "itu siapa"), maybe with
# "saja" (kept: it asks for a list) or a particle after it (dropped: "brp sih", "gimana ya").
_WH_LAST = re.compile(rf"^(.+?)\s+({QUESTION_WORDS})(\s+saja)?(?:\s+(?:sih|ya|yah|dong|tuh|nih|deh))*\s*([?!.]*)$",
                      re.IGNORECASE)


class ReaderPass:
    """Applies an answer model to ranked hits. `model` is a provider called once, on first use."""

    def __init__(self, index: Index, analyses: PassageAnalyses, short_answers: ShortAnswers,
                 settings: AnswerSettings, model: Callable[[], AnswerModel | None] | None):
        self.index = index
        self.analyses = analyses
        self.short_answers = short_answers
        self.settings = settings
        self._provider = model if settings.reader else None
        self._model: AnswerModel | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> AnswerModel | None:
        if self._provider is not None:
            with self._lock:
                if self._provider is not None:
                    self._model, self._provider = self._provider(), None
        return self._model

    @property
    def active(self) -> bool:
        return self.model is not None

    def apply(self, query: Query, units: list[Unit], total: float, hits: list[Hit]) -> list[Hit]:
        """The best hits reread by the model and reordered; the rest as they were. The model reads the best
        passage, and the next `reader_passages` - 1 only when it reads nothing there that says the answer (one
        of them may): most questions cost one passage's reading (the same answers as reading three at once, in
        half the time; docs/quality.md). When nothing read says it, the passages below are not trusted more:
        an unread one must not answer by the rules' word alone (through the agreement vote)."""
        model = self.model
        s = self.settings
        top = hits[: s.reader_passages]
        if model is None or not top or self._declined_anyway(hits):
            return hits
        question = self.standard_question(query)
        reread, best = self._read(model, question, query, units, total, top[:1])
        rest, others = top[1:], hits[len(top):]
        if best is not None and best < s.reader_veto:  # nothing read in the best passage says it
            rest, more = self._read(model, question, query, units, total, rest)
            best = best if more is None else max(best, more)
            if best < s.reader_veto:  # nor in the next ones: the passages below are held to that
                others = [replace(h, confidence=min(h.confidence, best)) for h in others]
        ordered = sorted(reread + rest, key=lambda h: (-h.score, h.passage.doc_id, h.passage.position)) + others
        return self._vet_voters(model, question, query, ordered)

    def _vet_voters(self, model: AnswerModel, question: str, query: Query, hits: list[Hit]) -> list[Hit]:
        """Where the passages that may vote on the short answer (`agreement`) disagree, the model reads the
        answer sentences of those it has not read yet (one batch), so that each vote weighs what the model reads
        there: a year from a sentence on another event ("pertumbuhan ekonomi ... sejak tahun 2005") is no second
        opinion on when Pekalongan became a creative city."""
        s = self.settings
        voting = voters(hits, query, s, s.reader_min_confidence) if s.reader_vote_min else []
        unread = [h for h in voting if h.reading is None]
        if not unread or len({comparable(h.answer_value or "") for h in voting}) < 2:
            return hits
        readings = dict(zip(map(id, unread), model.read(question, [h.highlight for h in unread])))
        return [replace(h, reading=readings[id(h)].score) if id(h) in readings else h for h in hits]

    def _declined_anyway(self, hits: list[Hit]) -> bool:
        """Whether the question is declined whatever the model reads: no passage that may answer or vote
        (`voters`) could reach the decline threshold even at the model's full probability. Such questions
        would cost the most to read (the model would likely veto the best passage and read the next)."""
        s = self.settings
        most = s.reader_confidence + (1 - s.reader_confidence) * max(h.confidence for h in hits[: s.voters])
        return most < s.reader_min_confidence

    def _read(self, model: AnswerModel, question: str, query: Query, units: list[Unit], total: float,
              hits: list[Hit]) -> tuple[list[Hit], float | None]:
        """`hits` reread in one batch with `question` (as the model reads it), and the best probability read in
        them (None: nothing read)."""
        plans = [self._candidates(hit, units, total) for hit in hits]
        texts = [sentence for plan in plans for sentence, _ in plan]
        if not texts:
            return list(hits), None
        readings = model.read(question, texts)
        reread, at, best = [], 0, max(r.score for r in readings)
        for hit, plan in zip(hits, plans):
            found = list(readings[at : at + len(plan)])
            at += len(plan)
            if not plan:
                reread.append(hit)
                continue
            new = self._reread(hit, plan, found, query)
            more = self._value_sentences(new, query, units, total, plan)
            if more:  # a kapan/berapa question, no date/number in what was read: read where the passage has one
                extra = model.read(question, [sentence for sentence, _ in more])
                best = max(best, *(r.score for r in extra))
                new = self._reread(hit, plan + more, found + list(extra), query)
            reread.append(new)
        return reread, best

    def _value_sentences(self, hit: Hit, query: Query, units: list[Unit], total: float,
                         plan: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """For a kapan/berapa question whose reading found no date or number (or one the model is unsure of): the
        passage's other sentences in which the rules find one of the asked kind (at most `reader_value_sentences`,
        those covering the question best), with their share.
        The sentences covering most of the question often only name the subject ("Sunan Giri adalah ..."), and
        the year is a sentence further on ("... lahir pada 1442")."""
        s = self.settings  # (read on only where the passage is not vetoed: the reading must not decide declining)
        unsure = hit.reading is not None and s.reader_veto <= hit.reading < s.reader_value_below
        if (hit.short_answer and not unsure) or query.answer_type not in _VALUES or not s.reader_value_sentences:
            return []
        read = {sentence for sentence, _ in plan}
        analysed, shares = self._shares(hit, units, total)
        source = _source(hit)
        found = [(sentence, share) for sentence, share in zip(analysed.sentences, shares)
                 if sentence not in read and sentence.strip() and self.short_answers.span(sentence, query, source)]
        found.sort(key=lambda x: -x[1])
        return found[: s.reader_value_sentences]

    def standard_question(self, query: Query) -> str:
        """The question as the model reads it: in standard spelling, with the lexicon's chat spellings ("brp" →
        "berapa", "yg" → "yang") and the bot's typo repairs ("ekonmi" → "ekonomi") put in for the words typed in
        lower case, and a question word typed last put first. The model was trained on standard Indonesian
        (docs/quality.md)."""
        fixes = dict(query.corrections)
        slang = self.index.analyzer.lexicon.slang

        def standard(match: re.Match) -> str:
            word = match.group(0)
            if word[:1].isupper():  # a capitalised word is a name or a title more often than a typo or chat:
                return word         # "Gayo" is no misspelt "gaya", "Dr." no "dari"
            return slang.get(word) or fixes.get(word) or word

        return question_word_first(_WORD.sub(standard, query.text))

    def _candidates(self, hit: Hit, units: list[Unit], total: float) -> list[tuple[str, float]]:
        """(sentence, share of the question it covers) for the sentences the model reads: those
        covering the question best, and the rules' highlight, in passage order."""
        analysed, shares = self._shares(hit, units, total)
        order = sorted(range(len(shares)), key=lambda i: (-shares[i], i))[: self.settings.reader_sentences]
        chosen = set(order)
        if hit.highlight in analysed.sentences:
            chosen.add(analysed.sentences.index(hit.highlight))
        return [(analysed.sentences[i], shares[i]) for i in sorted(chosen) if analysed.sentences[i].strip()]

    def _shares(self, hit: Hit, units: list[Unit], total: float) -> tuple[AnalysedPassage, list[float]]:
        """The hit's passage as analysed, and the share of the question each of its sentences covers."""
        analysed = self.analyses(self.index.passage_number(hit.passage))
        return analysed, [covered(units, terms) / total for terms in analysed.sentence_terms]

    def _reread(self, hit: Hit, plan: list[tuple[str, float]], readings: Sequence[Reading], query: Query) -> Hit:
        s = self.settings
        best = max(range(len(plan)), key=lambda i: (readings[i].score, -i))
        sentence, share = plan[best]
        reading = readings[best]
        read_score = reading.score  # the highlight's (`Hit.reading`)
        span = self._short_answer(sentence, reading, query, hit)
        rules_read = next((r.score for (text, _), r in zip(plan, readings) if text == hit.highlight), read_score)
        if span is None and hit.short_answer and query.answer_type is not AnswerType.NONE and rules_read >= s.reader_veto:
            # The rules found an answer of the asked type where the model found none it is sure
            # of: their sentence and answer stand (on the own questions the rules read types better),
            # unless the model vetoes that sentence ("Unesco" for "siapa presiden Indonesia sekarang?").
            sentence, share, span_text, span_value = hit.highlight, hit.sentence_coverage, hit.short_answer, hit.answer_value
            read_score = rules_read
        else:
            if span is None and query.answer_type is not AnswerType.NONE:
                span = self._model_span(sentence, reading, query)  # no rule picks an answer of the asked type here
            span_text, span_value = (span.text, span.value) if span else (None, None)
        if span_text and query.answer_type is not AnswerType.NONE and not query.plural:
            span_text, span_value = self._typed_model_span(sentence, plan, readings, query, span_text, span_value)
        confidence = s.reader_confidence * reading.score + (1 - s.reader_confidence) * hit.confidence
        veto = s.reader_veto
        if not span_text and query.answer_type in _VALUES:
            veto = max(veto, s.reader_no_value_veto)
        if reading.score < veto:
            # on topic by its words, but the model reads no sentence here that says the answer
            confidence = min(confidence, reading.score)
        return replace(
            hit,
            score=hit.score + s.reader_weight * reading.score,
            confidence=confidence,
            highlight=sentence,
            sentence_coverage=share,
            short_answer=span_text,
            answer_value=span_value,
            reading=read_score,
        )

    def _short_answer(self, sentence: str, reading: Reading, query: Query, hit: Hit) -> Span | None:
        """For a typed question (kapan, berapa, siapa, di mana) the rules' answer in the model's
        sentence: they know the types, the model tells which sentence. For any other question the
        model's span, when it is sure of it and it is short: "Jawaban singkat" must be short."""
        if query.answer_type is not AnswerType.NONE:
            return self.short_answers.span(sentence, query, _source(hit))
        if reading.score < self.settings.reader_span_read_min:
            return None  # a span in a sentence the model doubts answers at all is mostly a wrong short answer
        return self._model_span(sentence, reading, query)

    def _typed_model_span(self, sentence: str, plan: list[tuple[str, float]], readings: Sequence[Reading],
                          query: Query, text: str, value: str | None) -> tuple[str, str | None]:
        """The short answer of a typed question once the rules have found one in `sentence`: the model's span
        there when it is sure of it (`reader_typed_span_min`) and short. Where the two agree (one holds the
        other: "Brawijaya" in "Prabu Brawijaya") the fuller wording is shown and the rules' comparable value
        kept for the vote between passages; where they differ the model's span stands (on the valid splits it
        agreed with the gold answer twice as often as the rules' answer did; docs/quality.md)."""
        at = next((i for i, (t, _) in enumerate(plan) if t == sentence), None)
        if at is None or readings[at].span_score < self.settings.reader_typed_span_min:
            return text, value
        model = self._model_span(sentence, readings[at], query)
        if model is None:
            return text, value
        a, b = fold(model.text), fold(text)
        if a in b or b in a:  # they agree: the fuller wording ("1 Desember 2014", "Prabu Brawijaya")
            return max(model.text, text, key=len), value
        return model.text, model.value

    def _model_span(self, sentence: str, reading: Reading, query: Query) -> Span | None:
        """The model's span when it is sure of it, it is short and, for a date or a number, it holds
        one (the date and number patterns find it in the span: its value is that date's or number's, as
        comparable in the vote between passages as the rules' own answers)."""
        if reading.span is None or reading.span_score < self.settings.reader_span_min:
            return None
        start, end = reading.span
        text = sentence[start:end].strip(" ,.;:")
        words = self.settings.reader_span_words if query.answer_type is AnswerType.NONE else self.settings.reader_typed_span_words
        if not text or len(text.split()) > words:
            return None
        value = fold(text)
        if query.answer_type in _VALUES:
            found = self.short_answers.spans(text, query.answer_type)
            if not found:
                return None
            value = found[0].value
        start = sentence.index(text, start)
        return Span(text=text, start=start, end=start + len(text), kind=query.answer_type, value=value,
                    strength=reading.span_score)


def _source(hit: Hit) -> str:
    """The news outlet of the hit's article, folded: never a short answer itself."""
    return fold(hit.passage.document.source) if hit.passage.document else ""


def question_word_first(question: str) -> str:
    """A question word typed last, put first: "UCCN didirikan tahun berapa?" → "berapa UCCN didirikan tahun?",
    "syarat kota kreatif apa saja" → "apa saja syarat kota kreatif", "jumlah umkm ada berapa sih" → "berapa
    jumlah umkm ada". The benchmarks the model was trained on ask with the question word in front (6 of their
    1,477 valid questions end with one; a third of the development files' do), and it reads that order better:
    on the development files the answer's sentence against an unanswerable question's best, AUC 0.767 → 0.801."""
    match = _WH_LAST.match(question)
    return f"{match.group(2)}{match.group(3) or ''} {match.group(1).rstrip(' ,;:')}{match.group(4)}" if match else question
