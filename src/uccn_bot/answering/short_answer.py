"""The short answer inside one sentence: of the spans `extract` finds for the asked type,
the one that answers this question (the right count, title and place, nearest the
question's words), or for a list question all of them."""

from __future__ import annotations

import re

from .. import thesaurus
from ..core import AnswerType, Query, Span
from ..index import Index
from ..text import fold
from .extract import (CLASSIFIERS, TITLES, WORDS, counted_noun, find_spans, fits_measure, is_initials, is_name,
                      life_date, looks_like_organisation, split_count, titles_before)
from .settings import AnswerSettings
from .words import WordClasses

_COUNTED_NOUN_CHARS = 30  # a count's noun may run on this far past the number ("98 wali kota")


class ShortAnswers:
    """Picks short answers for one index."""

    def __init__(self, index: Index, words: WordClasses, settings: AnswerSettings):
        self.index = index
        self.words = words
        self.settings = settings

    def spans(self, sentence: str, kind: AnswerType) -> list[Span]:
        """Every span of `kind` in the sentence, as the patterns find them."""
        return find_spans(sentence, kind, self.words.is_common_word)

    def span(self, sentence: str, query: Query, source: str = "") -> Span | None:
        """The sentence's answer of the asked type: of the spans the patterns are surest of,
        the one nearest the question's words (see `_nearness`), or for a question that asks
        for a list, all of them ("Parma, Chengdu, Popayán"); for a birth or a death, the
        first or last date of a life span. Words of the question are trimmed from a name's
        edges ("Pekalongan Mochammad Saelany" → "Mochammad Saelany"): the answer is never
        what was asked about, nor the article's own news outlet (`source`, folded). "Berapa
        persen" takes only a percentage, "berapa lama" only a length of time, "berapa luas"
        only an area."""
        kind, plural = query.answer_type, query.plural
        question_words = set(query.words)
        spans = []
        for sp in self.spans(sentence, kind):
            if kind is AnswerType.NUMBER and not (fits_measure(sp, query.measure) and self.counts(sp, query, sentence)):
                continue
            if kind is AnswerType.PERSON and (self.words.is_place(sp.text) or not self._same_title(sentence, sp, query)):
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
                return Span(text=", ".join(sp.text for sp in spans), start=spans[0].start, end=spans[-1].end,
                            kind=kind, value=" | ".join(sp.value for sp in spans), strength=strongest)
        surest = [sp for sp in spans if sp.strength > strongest - self.settings.span_strength_slack]
        if len(surest) == 1:
            return surest[0]
        near = self._nearness(sentence, query)
        return max(surest, key=lambda sp: (near(sp), sp.end - sp.start))

    def counts(self, span: Span, query: Query, sentence: str) -> bool:
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
            nouns = nouns + re.findall(r"[\w-]+", sentence[span.end : span.end + _COUNTED_NOUN_CHARS])[:1]
        found = set(analyzer.terms_of(analyzer.words(" ".join(nouns))))
        return not found or not found.isdisjoint(self._counted_terms(query.counts))

    def _nearness(self, sentence: str, query: Query):
        """How close a span stands to the question's words in the sentence: each question
        term nearby counts by its idf, less the farther it is. Of two equally sure answers,
        the one beside what was asked about answers it ("tunggal putra Tommy Sugiarto dan
        ganda campuran Lilyana Natsir" for the men's singles; "144 km, 19 km di antaranya
        melewati Kecamatan Tejakula" for Tejakula)."""
        analyzer, index = self.index.analyzer, self.index
        asked = set(query.terms)
        near_words = self.settings.near_words
        tokens = [(m.start(), m.end(), analyzer.term(fold(m.group(0)))) for m in re.finditer(r"[\w’'-]+", sentence)]
        anchors = [(i, index.idf(t)) for i, (_, _, t) in enumerate(tokens) if t in asked and index.knows(t)]

        def nearness(span: Span) -> float:
            inside = [i for i, (a, b, _) in enumerate(tokens) if a < span.end and b > span.start]
            if not inside:
                return 0.0
            best: dict[str, float] = {}
            for i, weight in anchors:
                if inside[0] <= i <= inside[-1]:
                    continue
                gap = inside[0] - i if i < inside[0] else i - inside[-1]
                if gap <= near_words:
                    term = tokens[i][2]
                    best[term] = max(best.get(term, 0.0), weight / gap)
            return sum(best.values())

        return nearness

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
            asked = [a or not (is_name(w.group(0), self.words.is_common_word) or is_initials(w.group(0)))
                     for a, w in zip(asked, words)]
        first = next((i for i, a in enumerate(asked) if not a), None)
        if first is None:
            return None
        last = len(asked) - 1 - next(i for i, a in enumerate(reversed(asked)) if not a)
        if first == 0 and last == len(words) - 1:
            return span
        start, end = span.start + words[first].start(), span.start + words[last].end()
        text = sentence[start:end].rstrip(".,")
        return Span(text=text, start=start, end=start + len(text), kind=span.kind, value=fold(text),
                    strength=span.strength)

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
        if asked[0] in WORDS["any_leader"]:
            return True  # "pemimpin kota dari Korea" may be its "Wali Kota"
        terms = self.index.analyzer.terms_of
        return not set(terms(asked)).isdisjoint(terms(theirs))


_OPENERS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_DATE_WORD = re.compile(r"^(?i:tahun|bulan)\s+(?=\d|[A-Z])")  # "tahun 1948", "bulan November"
_ASKS_YEAR = re.compile(r"\b(?:tahun|thn)\s+(?:berapa|brp)", re.I)  # "tahun berapakah ... lahir?"
# "9 Agustus 1910", "Selasa, 18 Juli 2017": a full date, whose year a "tahun berapa" question asks for
_FULL_DATE = re.compile(r"^(?:[^\W\d]+,?\s+)?\d{1,2}\s+[^\W\d]+\.?\s+(\d{3,4}(?:\s+(?:SM|M|Masehi))?)$")


def shown(text: str, query: Query) -> str:
    """A short answer as it is shown: the answer itself, as a reader of the passage would quote it.

    - Brackets and quotes that the span cut in half go: "(26 November 656" → "26 November 656", "(415)" →
      "415", "Angkatan Laut Kekaisaran Jepang (Kaigun" → "Angkatan Laut Kekaisaran Jepang".
    - A date loses the word that only says it is one: "tahun 1948" → "1948", "bulan November 2008" →
      "November 2008" (the question asked "kapan"; the highlighted sentence still says "tahun"); a question
      that asks "tahun berapa" is given the year of a full date ("9 Agustus 1910" → "1910").
    - A count loses the noun after it when the question already names all of it: "berapa jumlah kecamatan" →
      "29", not "29 kecamatan"; "10 juta penduduk" for "berapa populasi" keeps its noun, and "98 wali kota"
      for "berapa kepala daerah ... di balai kota" keeps both its words.
    Answers of the public QA benchmarks are written the same way (docs/quality.md)."""
    text = _unbracketed(text.strip().strip(",;:").strip()) or text
    if query.answer_type is AnswerType.DATE:
        text = _DATE_WORD.sub("", text) or text
        full = _FULL_DATE.match(text)
        if full and _ASKS_YEAR.search(query.text):
            text = full.group(1)
    elif query.answer_type is AnswerType.NUMBER and query.measure is None:  # a count, not "berapa persen"
        count, after = split_count(text)
        if after and all(fold(w) in query.words for w in after):  # the whole noun, not "98 wali" of "98 wali kota"
            text = count
    return text


def _unbracketed(text: str) -> str:
    """`text` without the brackets or quotes at its edges that enclose it whole or are left unclosed, and
    cut before a bracket opened inside and never closed."""
    while len(text) > 1:
        first, last = text[0], text[-1]
        if first in _OPENERS and last == _OPENERS[first] and _closed(text[1:-1]):
            text = text[1:-1].strip()
        elif first in _OPENERS and _OPENERS[first] not in text:
            text = text[1:].lstrip()
        elif last in _CLOSERS and _CLOSERS[last] not in text:
            text = text[:-1].rstrip()
        elif first == last == '"' and text.count('"') == 2:
            text = text[1:-1].strip()
        elif first == '"' and text.count('"') == 1:
            text = text[1:].lstrip()
        elif last == '"' and text.count('"') == 1:
            text = text[:-1].rstrip()
        else:
            break
    for opener, closer in _OPENERS.items():
        at = text.rfind(opener)
        if at > 0 and closer not in text[at:]:
            text = text[:at].rstrip(" ,;:")
    return text


def _closed(text: str) -> bool:
    """Whether every bracket in `text` is closed in order (so "(a) dan (b)" is not one pair)."""
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
