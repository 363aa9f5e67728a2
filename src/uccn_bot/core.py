"""The core vocabulary: what every stage passes to the next and every front end renders.

    Document ──split──▶ Passage ──index──▶ Hit ──decide──▶ Answer
    question ──parse──▶ Query (AnswerType) ──read a sentence──▶ Span

All are frozen dataclasses built with keyword arguments, so adding a field never shifts
another. `Answer.to_json()` is the `ask --json` contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True, kw_only=True)
class Document:
    """One article: where it came from and its cleaned text."""

    id: str
    title: str
    source: str
    date: str  # ISO date (YYYY, YYYY-MM or YYYY-MM-DD) or "" when the article gives none
    url: str
    body: str
    path: str = ""


@dataclass(frozen=True, kw_only=True)
class Passage:
    """A citable piece of a document."""

    id: str
    doc_id: str
    position: int
    text: str
    section: str = ""  # the heading this passage falls under, when it does not start with it
    document: Document | None = field(default=None, compare=False, repr=False)

    @property
    def words(self) -> int:
        return len(self.text.split())


class AnswerType(str, Enum):
    DATE = "date"  # kapan
    NUMBER = "number"  # berapa
    PERSON = "person"  # siapa
    PLACE = "place"  # di mana
    NONE = "none"  # apa, mengapa, bagaimana: the passage itself is the answer


@dataclass(frozen=True, kw_only=True)
class Query:
    """A question as the answering stages read it (see `answering.question.parse_question`)."""

    text: str  # the question as asked (trimmed)
    answer_type: AnswerType
    words: tuple[str, ...]  # normalised words after typo repair, stop words included
    terms: tuple[str, ...]  # index terms to search for
    unknown: tuple[str, ...]  # content words the corpus does not have, even after repair
    corrections: tuple[tuple[str, str], ...]  # (as typed, repaired)
    english: bool = False  # written in English (its unknown words are untranslated, not absent)
    plural: bool = False  # asks for a list ("kota mana saja", "siapa saja")
    translations: tuple[tuple[str, tuple[str, ...]], ...] = ()  # English word → corpus terms of its translations
    counts: str | None = None  # what a berapa question counts ("berapa kota" → "kota")
    why: bool = False  # asks for a reason: the answer must give one ("karena", "sebab")
    measure: str | None = None  # "percent", "duration", "area", "length", "weight", "money", "temperature" or None
    names: tuple[frozenset[str], ...] = ()  # terms of each name the question gives ("William Adams" → {william, adams})
    life: str | None = None  # "birth" or "death" when it asks when someone was born or died


@dataclass(frozen=True, kw_only=True)
class Span:
    """A short answer inside a sentence: `sentence[start:end] == text`."""

    text: str
    start: int
    end: int
    kind: AnswerType
    value: str  # comparable form: a year, a date, a number, a folded name
    strength: float = 1.0  # how sure the pattern is that this is the right kind of thing


@dataclass(frozen=True, kw_only=True)
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
    reading: float | None = field(default=None, compare=False)  # the answer model's probability that the highlight answers, when it read it

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


@dataclass(frozen=True, kw_only=True)
class Answer:
    """What every front end renders: a cited answer, or a decline with the reason."""

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
