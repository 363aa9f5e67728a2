"""`Bot.answer(question) -> Answer`: the one call every front end makes.

    question → parse (type, terms, typo repair) → rank (retrieve, read, decide) → agree → Answer

Each stage is a module of its own: `question` (parse), `ranking` (BM25 candidates reranked),
`reading` and `short_answer` (best sentence, short answer), `deciding` (confidence, decline),
`agreement` (the vote between sources). `Bot` composes them and owns what is kept per index.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

from ..core import Answer, Hit, Query
from ..index import Index
from .agreement import agree
from .analysed import PassageAnalyses
from .question import parse_question
from .ranking import Ranker
from .reader_pass import AnswerModel, ReaderPass
from .settings import AnswerSettings
from .short_answer import ShortAnswers, shown
from .words import WordClasses

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


class Bot:
    """Answers questions from one `Index`. Thread-safe for concurrent `answer` calls."""

    def __init__(self, index: Index, settings: AnswerSettings = AnswerSettings(),
                 reader: Callable[[], AnswerModel | None] | None = None):
        """`reader` provides the answer model (called once, on first use); None answers by the rules alone."""
        self.index = index
        self.settings = settings
        self.words = WordClasses(index)
        self.short_answers = ShortAnswers(index, self.words, settings)
        analyses = PassageAnalyses(index)
        self.reader = ReaderPass(index, analyses, self.short_answers, settings, reader)
        self.ranker = Ranker(index, settings, analyses, self.short_answers, self.reader)

    @property
    def min_confidence(self) -> float:
        """The decline threshold: the model's when it reads, else the rules'."""
        return self.settings.reader_min_confidence if self.reader.active else self.settings.min_confidence

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

        hits = self.ranker.rank(query, limit)
        if not hits:
            return Answer(question=text, answered=False, answer_type=query.answer_type.value,
                          corrections=query.corrections, message=MESSAGES["not_found"], notice=notice)
        hits, conflicts = agree(hits, query, self.settings, self.min_confidence)
        hits, conflicts = [_shown(h, query) for h in hits[:limit]], [_shown(h, query) for h in conflicts]
        top = hits[0]
        confidence = top.confidence
        answered = confidence >= self.min_confidence
        return Answer(
            question=text,
            answered=answered,
            passages=tuple(hits) if answered else (),
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
        return agree(self.ranker.rank(query, passages), query, self.settings, self.min_confidence)[0][:passages] if query.terms else []


def _shown(hit: Hit, query: Query) -> Hit:
    """The hit with its short answer as it is shown (`short_answer.shown`)."""
    return replace(hit, short_answer=shown(hit.short_answer, query)) if hit.short_answer else hit
