"""Deciding how sure the bot is that a passage answers the question, 0..1. Below
`AnswerSettings.min_confidence` the bot declines rather than guess."""

from __future__ import annotations

import re

from ..core import AnswerType, Hit, Query, Span
from ..index import Index
from .extract import is_year
from .settings import AnswerSettings
from .units import Unit

_REASON_MARKERS_RE = re.compile(
    r"\b(karena\w*|dikarenakan|sebab\w*|disebabkan|menyebabkan|lantaran|berkat|akibat\w*|alasan\w*|"
    r"sehingga|makanya|maka|membuat|menjadikan|faktor\w*|agar|supaya|guna|demi|because|due to|reason)\b", re.I)


def confidence(coverage: float, share: float, span: Span | None, kind: AnswerType, settings: AnswerSettings) -> float:
    """How much of the question this passage answers: the share of the question's weight it
    covers, lowered when a typed question finds no answer of its type, or when the typed
    answer sits in a sentence that covers much less of the question than the passage does."""
    result = coverage
    if kind is not AnswerType.NONE:
        if span is None:
            result *= settings.no_person_penalty if kind is AnswerType.PERSON else settings.no_span_penalty
        else:
            result = min(result, share + settings.span_sentence_slack)
    return result


def semantic_lift(similarity: float, span: Span | None, kind: AnswerType, settings: AnswerSettings) -> float:
    """Confidence added for a passage far more similar to the question than the corpus at
    large (taken away for one barely above it); less when a typed question finds no answer."""
    lift = settings.semantic_confidence * (similarity - settings.semantic_neutral_z)
    if lift > 0 and span is None and kind is not AnswerType.NONE:
        lift *= settings.semantic_lift_without_span
    return lift


def absent_from_article(units: list[Unit], document: int, query: Query, index: Index) -> list[Unit]:
    """The names and years the question asks about that the passage's article never
    mentions: a passage on Malang's bid does not answer a question on Ambon, nor one on
    the 2017 meeting a question on 2018, however well its other words match. (A name
    missing from the passage alone only costs coverage: the article around it may be
    all about that place.)"""
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


def gives_reason(sentences: list[str], best: str) -> bool:
    """Whether the best sentence or the one after it gives a reason ("karena", "Sebab, ...",
    "X membuat Malang ...")."""
    if best not in sentences:
        return bool(_REASON_MARKERS_RE.search(best))
    i = sentences.index(best)
    return any(_REASON_MARKERS_RE.search(s) for s in sentences[i : i + 2])


def undecided(ranked: list[Hit], settings: AnswerSettings) -> bool:
    """Whether the words leave the answer open: the best passage covers the question only
    in part, or the runner-up is nearly as good. Clear cases skip the embedding (~10 ms)."""
    top = ranked[0]
    close = len(ranked) > 1 and ranked[1].score > top.score * (1 - settings.semantic_margin)
    return top.confidence < settings.semantic_gate or close
