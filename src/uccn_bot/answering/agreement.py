"""Agreement between sources: the best passages vote on the short answer. The answer most
passages give leads (in its most precise wording); strong passages that disagree are
reported as conflicts, each with its citation (one article says 2015, others 2014)."""

from __future__ import annotations

import re

from ..core import AnswerType, Hit, Query
from ..text import fold
from .settings import AnswerSettings


def voters(hits: list[Hit], query: Query, settings: AnswerSettings, min_confidence: float) -> list[Hit]:
    """The passages that vote on the short answer: of the best `voters`, those with an answer, as sure as
    `min_confidence` (the bot's decline threshold) and nearly as sure as the best one, whose answer sentence
    matches the question about as well as the best one's (a date in an unrelated sentence is not a second
    opinion). None for a question that asks for no typed answer, or for a list (many right answers)."""
    if not hits or query.answer_type is AnswerType.NONE or not hits[0].short_answer or query.plural:
        return []
    floor = max(min_confidence, settings.voter_confidence * hits[0].confidence)
    candidates = hits[: settings.voters]
    sentence_floor = settings.voter_sentence * max(h.sentence_coverage for h in candidates)
    return [h for h in candidates
            if h.short_answer and h.confidence >= floor and h.sentence_coverage >= sentence_floor]


def agree(hits: list[Hit], query: Query, settings: AnswerSettings, min_confidence: float) -> tuple[list[Hit], list[Hit]]:
    """(hits with the best-supported answer first, conflicting hits), by the vote of `voters`."""
    voting = voters(hits, query, settings, min_confidence)
    groups: dict[str, list[Hit]] = {}
    for hit in voting:
        groups.setdefault(comparable(hit.answer_value or ""), []).append(hit)
    if not groups:
        return hits, []
    # When the answer model has read every voter's sentence (it does where they disagree), a passage whose
    # sentence it reads below `reader_vote_min` has only that share of a vote: a year from a sentence on
    # another event counts next to nothing.
    read = settings.reader_vote_min > 0 and all(h.reading is not None for h in voting)

    def votes(group: list[Hit]) -> float:
        return sum(min(1.0, h.reading / settings.reader_vote_min) for h in group) if read else 0.0

    ranked = sorted(groups.values(), key=lambda g: (-votes(g), -len({h.passage.id for h in g}), -sum(h.score for h in g)))
    # Of passages that agree and score (or read) about the same, the most precise answer leads:
    # "1 Desember 2014" says more than "2014".
    strength = (lambda h: h.reading) if read else (lambda h: h.score)
    best = max(strength(h) for h in ranked[0])
    leader = max((h for h in ranked[0] if strength(h) >= settings.precise_score * best), key=lambda h: len(h.answer_value or ""))
    ordered = [leader] + [h for h in hits if h is not leader]
    if not read:
        return ordered, [group[0] for group in ranked[1:]]
    # a conflict is a passage the model reads as saying the answer, not merely as holding a year
    conflicts = [max(group, key=lambda h: h.reading) for group in ranked[1:]]
    return ordered, [h for h in conflicts if h.reading >= settings.reader_vote_min]


def comparable(value: str) -> str:
    """Answers that agree compare equal: a full date agrees with its year."""
    match = re.match(r"^(\d{4})(-\d{2}-\d{2})?$", value)
    if match:
        return match.group(1)
    return fold(re.sub(r"[^\w,.]+", " ", value)).strip()
