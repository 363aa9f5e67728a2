"""The question as weighted units of meaning, and how much of it a set of terms covers.

A unit is a term, or a synonym phrase with its group's term ("kepala daerah" ~ "wali kota").
Known units weigh their idf; a word no passage has weighs as a share of the rarest term's
(it only counts against); a thesaurus synonym or an English word's translation earns part
of the unit's weight where the word itself is missing.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping, NamedTuple

from .. import thesaurus
from ..core import Query
from ..index import Index
from .settings import AnswerSettings


class Unit(NamedTuple):
    """One thing the question asks about: a term, or a synonym phrase with its group term."""

    terms: tuple[str, ...]
    shared: str | None
    weight: float  # idf; a word the corpus lacks weighs as much as the rarest term
    known: bool  # whether any passage has it
    alternatives: Mapping[str, float] = MappingProxyType({})  # thesaurus synonyms' terms → what meeting one earns


def question_units(query: Query, index: Index, settings: AnswerSettings) -> list[Unit]:
    """The question's meaning units with weights: known terms (or synonym phrases)
    weighted by idf, words the corpus lacks weighted as the rarest term."""
    analyzer = index.analyzer
    raw = analyzer.units(list(query.words))
    related = thesaurus_terms(query, index) if settings.thesaurus_weight > 0 else {}
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
        known = [t for t in unit if index.knows(t)]
        shared_known = shared is not None and index.knows(shared)
        if known:
            weight = sum(index.idf(t) for t in known)
        elif shared_known:
            weight = index.idf(shared)
        else:
            # No passage has it: it only counts against. An English word may just be one
            # the glossary cannot translate, so it counts less.
            share = settings.english_unknown_weight if query.english else settings.unknown_weight
            weight = index.max_idf * share
        weight = max(weight, 1e-6)
        alternatives = {}
        if shared is None and len(unit) == 1 and unit[0] in translated and not known:
            # An English word weighs as its likeliest translation, which meets it in full.
            alternatives = {t: index.idf(t) for t in translated[unit[0]]}
            weight = max(alternatives.values())
        elif shared is None and len(unit) == 1:
            # A synonym earns part of the word's weight, never more than its own (idf)
            # weight: meeting a common word ("hidup" for "nasi") says little.
            alternatives = {t: min(weight, index.idf(t)) * settings.thesaurus_weight
                            for t in related.get(unit[0], ())}
        units.append(Unit(unit, shared, weight, bool(known) or shared_known, alternatives))
    return units


def thesaurus_terms(query: Query, index: Index) -> dict[str, frozenset[str]]:
    """Question term → corpus terms of its thesaurus synonyms ("tamu" → "unjung", the
    term of "pengunjung"), for content words only."""
    analyzer = index.analyzer
    stopwords = analyzer.lexicon.stopwords
    related: dict[str, frozenset[str]] = {}
    for word in query.words:
        term = analyzer.term(word)
        if term is None or term in related:
            continue
        words = thesaurus.synonyms(word) | thesaurus.synonyms(term)
        terms = {t for w in words if w not in stopwords for t in analyzer.terms_of([w])}
        related[term] = frozenset(t for t in terms if t and t != term and index.knows(t))
    return related


def covered(units: list[Unit], terms: frozenset[str]) -> float:
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
