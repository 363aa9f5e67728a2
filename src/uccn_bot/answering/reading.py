"""Reading a passage for the question: the sentence that best answers it and, for a typed
question (kapan, berapa, siapa, di mana), the short answer in it."""

from __future__ import annotations

import re
from typing import NamedTuple

from ..core import AnswerType, Query, Span
from ..index import Index
from .analysed import AnalysedPassage
from .settings import AnswerSettings
from .short_answer import ShortAnswers
from .units import Unit, covered

_ANAPHORA_RE = re.compile(r"\b(tersebut|yaitu|yakni|antara lain|meliputi|adalah|berikut|ini|itu)\b", re.I)
_ANAPHORA_CHARS = 60  # a sentence points back when its opening words say so


class Reading(NamedTuple):
    sentence: str  # the highlight
    share: float  # share of the question's weight the sentence covers
    span: Span | None  # the short answer, when the question asks for one and the sentence gives it


def best_sentence(analysed: AnalysedPassage, units: list[Unit], total: float, query: Query, source: str,
                  absent: list[Unit], index: Index, short_answers: ShortAnswers,
                  settings: AnswerSettings) -> Reading:
    """An answer span only counts in a sentence that matches the question nearly as well as
    the best one: a date three sentences away from the matched words answers nothing.
    `source` is the article's news outlet, folded (never an answer)."""
    shares = [covered(units, terms) / total for terms in analysed.sentence_terms]
    if not shares:
        return Reading("", 0.0, None)
    best_share = max(shares)
    best = Reading(analysed.sentences[shares.index(best_share)], best_share, None)
    if query.answer_type is AnswerType.NONE:
        return best
    floor = max(settings.sentence_floor * best_share, settings.sentence_floor_min)
    # The answer must be about the question's subject: the focus word must be in the
    # answer's sentence ("siapa wali kota Ambon" is not answered by the mayor of
    # Pekalongan two sentences on).
    focus = _focus(units, analysed.terms, absent, index)
    need_focus = focus is not None
    focus_group = _name_group(query, focus) if need_focus else frozenset()
    for i, (sentence, share) in enumerate(zip(analysed.sentences, shares)):
        terms = analysed.sentence_terms[i]
        if share < floor and i > 0 and shares[i - 1] >= floor and _continues(analysed.sentences[i - 1], sentence):
            share = shares[i - 1]  # "Kota-kota tersebut adalah Icheon, ...": the list answers the sentence before
            terms = terms | analysed.sentence_terms[i - 1]
        if share < floor or (need_focus and focus_group.isdisjoint(terms)):
            continue
        if best.span and share <= best.share and not query.plural:
            continue
        span = short_answers.span(sentence, query, source)
        if span and (best.span is None or _better(span, share, best.span, best.share, query.plural)):
            best = Reading(sentence, share, span)
    return best


def _focus(units: list[Unit], present: frozenset[str], absent: list[Unit], index: Index) -> str | None:
    """What the question is most specifically about, as a term an answer's sentence must
    have: a name the question asks about that the passage's article never mentions
    (then no sentence answers), else the rarest question term the passage has. An
    ordinary word the passage lacks ("anak" where it says "kaum muda") has cost it
    coverage already. A synonym phrase counts as its group's term."""
    for unit in absent:
        if index.names.intersection(unit.terms + (unit.shared,)):
            return unit.shared or unit.terms[0]
    terms = [t for u in units if u.known for t in ((u.shared,) if u.shared and index.knows(u.shared) else u.terms)
             if index.knows(t) and t in present]
    return max(terms, key=index.idf) if terms else None


def _name_group(query: Query, focus: str) -> frozenset[str]:
    """The focus with the rest of the name it belongs to in the question: "Kapan Robert
    Kevin Rose mendirikan Revision3" is answered by "Rose mendirikan Revision3 pada
    April 2005", where "kevin" is the rarest word but only "Rose" is written."""
    return next((group for group in query.names if focus in group), frozenset([focus]))


def _continues(previous: str, sentence: str) -> bool:
    """Whether `sentence` carries on from `previous` (a list after "berikut:", or a sentence
    that points back with "tersebut", "yaitu", "yakni"...)."""
    return previous.rstrip().endswith(":") or bool(_ANAPHORA_RE.search(sentence[:_ANAPHORA_CHARS]))


def _better(span: Span, share: float, best: Span, best_share: float, plural: bool) -> bool:
    """Whether a sentence's answer beats the best so far: the sentence that matches the
    question better, or, for a list question, the one that names more answers."""
    if plural:
        return (span.value.count(" | "), share) > (best.value.count(" | "), best_share)
    return share > best_share
