"""Finding answers of a given type inside a sentence: dates, numbers, people, places.

Patterns are written for Indonesian news prose ("1 Desember 2014", "Rabu (30/11)",
"246 kota", "3,82%", "lima kota", "Wali Kota Malang, M Anton", "di Kota Malang"). Each span
carries a `value` used to compare answers across sources ("2014" and "1 Desember 2014"
agree; "2015" does not).
"""

from __future__ import annotations

import re
from importlib import resources

from ..core import AnswerType, Span
from ..text import fold
from ..yaml_safe import safe_load

_MONTHS = {
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11, "desember": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12,
}
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad)"
_CALENDAR_WORDS = {m for m in _MONTHS if len(m) > 3} | {"senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu",
                                                      "minggu", "ahad", "sm", "masehi", "hijriah"}
_YEAR = r"(?:1[89]\d{2}|20\d{2})"  # a bare number read as a year
_ANY_YEAR = r"(?:\d{3,4})"  # a year where the words around say so ("tahun 384", "Februari 1118")
_ERA = r"(?:SM|M|Masehi|H|Hijriah|Hijriyah|Saka|BC|BCE|AD|CE)\b\.?"
_DATE_RES = [  # of overlapping matches the longest wins
    re.compile(rf"\b\d{{1,2}}(?:\s+{_MONTH})?\s*[-–]\s*\d{{1,2}}\s+{_MONTH}\s+{_YEAR}\b", re.I),
    re.compile(rf"\b(?:{_WEEKDAY},?\s+)?\d{{1,2}}\s+{_MONTH}\s+{_ANY_YEAR}\b(?:\s*{_ERA})?", re.I),
    re.compile(rf"\b(?:bulan\s+)?{_MONTH}\s+{_ANY_YEAR}\b(?:\s*{_ERA})?", re.I),
    re.compile(rf"(?:\b{_WEEKDAY}\s+)?\(\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\)", re.I),
    re.compile(rf"\b(?:tahun\s+)?{_YEAR}(?:\s*[-–]\s*{_YEAR})?\b(?:\s*{_ERA})?", re.I),
    # older and other dates: "tahun 384 SM", "37 SM", "abad ke-17", "1990-an", "25 Desember"
    re.compile(rf"\btahun\s+{_ANY_YEAR}\b(?:\s*{_ERA})?", re.I),
    re.compile(rf"\b\d{{1,4}}\s*(?:SM|BC|BCE|Masehi|Hijriah|Saka)\b", re.I),
    re.compile(r"\babad\s+(?:ke[-\s]?)?(?:\d{1,2}|[IVXL]+)\b(?:\s*(?:SM|M|Masehi))?", re.I),
    re.compile(r"\b(?:tahun\s+)?(?:\d{2}|\d{4})-?an\b", re.I),
    re.compile(rf"\b\d{{1,2}}\s+{_MONTH}(?![\w.])", re.I),
    re.compile(rf"\bbulan\s+{_MONTH}(?![\w.])", re.I),
    re.compile(r"\b1[0-7]\d{2}\b(?!\s*[a-z%]|[.,]\d)"),  # a bare older year, unless it counts something
]
_NUMBER_WORDS = (
    r"(?:(?:dua|tiga|empat|lima|enam|tujuh|delapan|sembilan)\s+(?:belas|puluh|ratus|ribu)(?:\s+\w+)?|"
    r"satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|seribu|sejuta|"
    r"sewindu|sedekade|satu dekade|setengah|setahun|sebulan|seminggu|sepekan|sehari|seabad)"
)
_DURATION_RE = re.compile(r"\b(tahun|bulan|minggu|pekan|hari|jam|dekade|windu|abad|years?|months?|weeks?|days?|"
                          r"decades?|setahun|sebulan|seminggu|sepekan|sehari|sewindu|sedekade|seabad)\b", re.I)
_NUMBER_RES = [
    re.compile(r"\b\d+(?:[.,]\d+)?\s*%?\s*[-–]\s*\d+(?:[.,]\d+)?\s*(?:%|persen\b)"),
    re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|persen\b)"),
    re.compile(r"(?:US\$|Rp\.?\s*|\$\s?|€\s?)?\b\d+(?:[.,]\d+)*(?:\s*(?:[-–]|sampai|hingga)\s*\d+(?:[.,]\d+)*)?"
               r"(?:\s+(?:juta|ribu|miliar|triliun))?"
               r"(?:\s?(?:km[²³23]|m[²³23]|cm[²³23]?|°\s?[CFK]?)(?!\w)|\s+[a-zA-Z]+|(?<=\d)[a-zA-Z]{1,3}\b)?"
               r"(?:\s+(?:persegi|kubik|dpl|ton|per\s+jam))?"),
    re.compile(rf"\b{_NUMBER_WORDS}\s+[a-zA-Z]+", re.I),
    re.compile(r"\b(?:sewindu|sedekade|seabad|setahun|sebulan|seminggu|sepekan)\b", re.I),  # a length on its own
]
# The vocabulary of the grammar (titles, classifiers, words that make a place or an
# organisation) is data: data/answer_words.yaml, one list per key, each with its reason.
WORDS = {key: frozenset(words) for key, words in
         safe_load(resources.files("uccn_bot").joinpath("data", "answer_words.yaml").read_text("utf-8")).items()}
TITLES, HONORIFICS, CLASSIFIERS = WORDS["titles"], WORDS["honorifics"], WORDS["classifiers"]
_PERSON_AFTER, _PLACE_BEFORE, _LOCATIVE = WORDS["person_after"], WORDS["place_before"], WORDS["locative"]
_NOT_A_NOUN, _KINDS_OF_THINGS, _ORGANISATION_WORDS = WORDS["not_a_noun"], WORDS["kinds_of_things"], WORDS["organisation_words"]

_NAME_TOKEN = r"(?:[A-Z](?:\.[A-Z])*\.|[A-Z][\w’'-]*)"
_NAME_RUN_RE = re.compile(rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN})*")
# The grammar reads a name's title and role from at most four words before it and three
# after it; these character windows bound that look so a long sentence costs no more.
_CONTEXT_BEFORE, _CONTEXT_AFTER = 60, 40
_DATELINE_RE = re.compile(rf",\s*{_WEEKDAY}\b", re.I)  # "Stockholm, Rabu - ...": the news dateline's place
_IN_COUNTRY_RE = re.compile(r" \((?![^)\s]*[A-Z][^)\s]*[A-Z])[A-Z][a-z]")  # "(Thailand)", not "(Dindagkop-UKM)"


def find_spans(sentence: str, kind: AnswerType, is_common_word=None) -> list[Span]:
    """All spans of `kind` in `sentence`, in order. `is_common_word(folded)` tells ordinary
    vocabulary from names (needed for people and places)."""
    if kind is AnswerType.DATE:
        return _dates(sentence)
    if kind is AnswerType.NUMBER:
        return _numbers(sentence)
    if kind in (AnswerType.PERSON, AnswerType.PLACE):
        return _names(sentence, kind, is_common_word or (lambda w: False))
    return []


def _non_overlapping(candidates: list[Span]) -> list[Span]:
    taken: list[Span] = []
    for span in sorted(candidates, key=lambda s: (-(s.end - s.start), s.start)):
        if all(span.end <= t.start or span.start >= t.end for t in taken):
            taken.append(span)
    return sorted(taken, key=lambda s: s.start)


def _dates(sentence: str) -> list[Span]:
    spans = []
    for pattern in _DATE_RES:
        for m in pattern.finditer(sentence):
            text = m.group(0).strip().rstrip(".")
            spans.append(Span(text=text, start=m.start(), end=m.start() + len(text), kind=AnswerType.DATE, value=_date_value(text)))
    return _non_overlapping(spans)


_RANGE_DASH_RE = re.compile(r"\s*(?:\[\d+\])*\s*[-–—]\s*(?:(?:wafat|meninggal|m\.|sekitar|kurang lebih|skt\.|c\.)\s+)*")


def life_date(sentence: str, spans: list[Span], event: str) -> Span | None:
    """The birth or death date of a life span written "(1519–1560)", "(145 SM - 90 SM)" or
    "(lahir 4 Agustus 1900 – wafat 30 Maret 2002)": the first date for a birth, the last for
    a death. None when the sentence has no such pair."""
    pairs = []
    for a, b in zip(spans, spans[1:]):
        if _RANGE_DASH_RE.fullmatch(sentence[a.end : b.start]):
            pairs.append((a, b))
    for span in spans:  # one span holding the range: "1519-1560"
        m = re.fullmatch(r"(.+?)\s*[-–—]\s*(.+)", span.text)
        if m and re.fullmatch(r"(?:tahun\s+)?\d{3,4}(?:\s*(?:SM|M|Masehi))?", m.group(1)):
            first = Span(text=m.group(1), start=span.start, end=span.start + len(m.group(1)), kind=span.kind,
                         value=_date_value(m.group(1)))
            second_start = span.start + m.start(2)
            second = Span(text=m.group(2), start=second_start, end=span.end, kind=span.kind, value=_date_value(m.group(2)))
            pairs.append((first, second))
    if not pairs:
        return None
    first, last = pairs[0]
    return first if event == "birth" else last


def _date_value(text: str) -> str:
    folded = fold(text)
    year = re.findall(r"\b\d{3,4}\b", folded)
    months = [(_MONTHS[w.rstrip(".")]) for w in re.findall(r"[a-z]+\.?", folded) if w.rstrip(".") in _MONTHS]
    days = re.findall(r"\b(\d{1,2})\b", folded)
    if year and months and days and "-" not in folded and "–" not in folded:
        return f"{year[-1]}-{months[-1]:02d}-{int(days[0]):02d}"
    if year:
        return year[-1]
    return re.sub(r"^(?:tahun|bulan)\s+", "", folded)  # "tahun 372" says "372"


_QUANTITY_WORD_RE = re.compile(rf"[\d.,%–-]+|{_NUMBER_WORDS}|persen|juta|ribu|miliar|triliun|rp|us|belas|puluh|ratus|"
                               r"sekitar|lebih|kurang", re.I)


def split_count(text: str) -> tuple[str, list[str]]:
    """A number's words and the words after them: "29 kecamatan" → ("29", ["kecamatan"]), "10 juta penduduk" →
    ("10 juta", ["penduduk"]), "3,82%" → ("3,82%", []); a text with no quantity word → (text, [])."""
    words = text.split()
    last = max((i for i, w in enumerate(words) if _QUANTITY_WORD_RE.fullmatch(w)), default=None)
    return (text, []) if last is None else (" ".join(words[: last + 1]), words[last + 1 :])


def counted_noun(span: Span) -> list[str]:
    """The (up to two) words a number span counts: "27 kota" → ["kota"], "tujuh bidang" →
    ["bidang"], "3,82%" → []."""
    return [w for w in re.findall(r"[\w%.,–-]+", span.text) if not _QUANTITY_WORD_RE.fullmatch(w)][:2]


def is_year(term: str) -> bool:
    """Whether an index term is a year ("2017")."""
    return bool(re.fullmatch(_YEAR, term))


_UNIT_RES = {
    "area": re.compile(r"km[²2]|m[²2]|\bha\b|hektar\w*|persegi|\bacres?\b|\bare\b", re.I),
    "length": re.compile(r"(?<![a-z])(km|kilometer|m|meter|cm|sentimeter|mm|milimeter|mil|miles?|kaki|ft|feet|inci|"
                         r"inch\w*|mdpl|dpl|yard|depa)\b", re.I),
    "weight": re.compile(r"(?<![a-z])(kg|kilogram|ton|gram|g|gr|pon|pounds?|lbs?|kuintal|ons)\b", re.I),
    "money": re.compile(r"rp\b|rupiah|dolar|dollar|us\$|\$|€|euro|yen|won|ringgit|yuan|juta|miliar|triliun|ribu", re.I),
    "temperature": re.compile(r"°|derajat|celsius|fahrenheit|kelvin", re.I),
    "speed": re.compile(r"(km|kilometer|meter|mil|knot|mph)\b.*(jam|detik|/)|knot|mph|km/j", re.I),
}


def fits_measure(span: Span, measure: str | None) -> bool:
    """Whether a number answers what the question measures: a percentage for "berapa
    persen", a length of time ("sewindu", "lima hari") for "berapa lama" and only for it
    ("berapa pengunjung" is not answered by "lima hari"), a unit of the kind asked for a
    magnitude ("berapa luas" takes "24.090 km²", not "1.650.000 jiwa")."""
    if measure == "percent":
        return bool(re.search(r"%|persen", span.text, re.I))
    if measure in _UNIT_RES:
        return bool(_UNIT_RES[measure].search(span.text))
    return bool(_DURATION_RE.search(span.text)) == (measure == "duration")


def _numbers(sentence: str) -> list[Span]:
    spans = []
    dates = _dates(sentence)
    for pattern in _NUMBER_RES:
        for m in pattern.finditer(sentence):
            text = m.group(0).strip()
            start, end = m.start(), m.start() + len(m.group(0).rstrip())
            words = text.split()
            if len(words) > 1 and fold(words[-1]) in _MONTHS:
                continue  # "1 Desember" is part of a date
            if sentence[max(0, start - 1) : start] == "[" and sentence[end : end + 1] == "]":
                continue  # "[1]" marks a footnote
            if any(d.start <= start < d.end for d in dates):
                continue  # a day or year inside a date ("Rabu (30/11)") is not a count
            digits = re.match(r"\d+", text)
            if digits and re.fullmatch(_YEAR, digits.group(0)) and not text.endswith(("%", "persen")):
                continue  # "2015" is a year, not a count, even before a word ("2015 menemukan")
            if words[0].isalpha() and _not_a_count(sentence, start, words):
                continue  # "salah satu", "orang nomor satu di", "satu untuk": no count of anything
            if len(words) > 1 and (fold(words[-1]) in ("tahun", "hingga", "sampai") or fold(words[-1]) in _NOT_A_NOUN):
                text, end = " ".join(words[:-1]), start + len(" ".join(words[:-1]))
            spans.append(Span(text=text, start=start, end=end, kind=AnswerType.NUMBER, value=_number_value(text)))
    return _non_overlapping(spans)




def _not_a_count(sentence: str, start: int, words: list[str]) -> bool:
    """Whether a number word counts nothing: "salah satu", "nomor satu", or no noun after it."""
    before = re.findall(r"\w+", sentence[max(0, start - 12) : start])
    if before and fold(before[-1]) in ("salah", "nomor", "no", "ke"):
        return True
    return len(words) > 1 and fold(words[1]) in _NOT_A_NOUN


def _number_value(text: str) -> str:
    return fold(re.sub(r"\s+", " ", text))


def _names(sentence: str, kind: AnswerType, is_common_word) -> list[Span]:
    spans = []
    for m in _NAME_RUN_RE.finditer(sentence):
        tokens = list(re.finditer(r"\S+", m.group(0)))
        # Trim ordinary capitalised words ("Wali Kota Malang") from the edges of the run.
        names = [is_name(t.group(0), is_common_word) for t in tokens]
        if kind is AnswerType.PERSON:
            if not any(names):
                continue
            first = names.index(True)
            last = len(names) - 1 - names[::-1].index(True)
            # keep initials just before the name ("M Anton", "HA Afzan"), and ordinary words
            # that are part of it ("Marah Rusli", "Taufik Hidayat" next to a name)
            while first > 0 and _joins_before(tokens[first - 1].group(0), sentence_start=not m.start() and first == 1):
                first -= 1
            while last < len(tokens) - 1 and _joins_name(tokens[last + 1].group(0)):
                last += 1
            tokens = tokens[first : last + 1]
        if not tokens:
            continue
        start = m.start() + tokens[0].start()
        end = m.start() + tokens[-1].end()
        text = sentence[start:end].rstrip(".,")
        end = start + len(text)
        if m.start() == 0 and len(tokens) == 1 and not any(names):
            continue  # a lone capitalised word opening the sentence is just a sentence start
        before = [fold(w) for w in re.findall(r"[\w’'-]+", sentence[max(0, start - _CONTEXT_BEFORE) : start])][-4:]
        after = [fold(w) for w in re.findall(r"[\w’'-]+", sentence[end : end + _CONTEXT_AFTER])][:3]
        if sentence[end : end + 1] == ":" and sentence.count("(", 0, start) > sentence.count(")", 0, start):
            continue  # "(English: Battle of Jericho)", "(Hanzi: ...)": a label, not a name
        # "ditulis oleh Marah Rusli": the doer of a passive verb is often the person asked for
        person = (not (TITLES | HONORIFICS).isdisjoint(before) or not _PERSON_AFTER.isdisjoint(after)
                  or before[-1:] == ["oleh"])
        # "Chiang Mai (Thailand)" is a place; "Usaha Kecil Menengah (UKM)" is spelt out, not placed
        place = (bool(before and before[-1] in _PLACE_BEFORE) or _in_country(sentence, text, end)
                 or (not before and bool(_DATELINE_RE.match(sentence, end))))
        if kind is AnswerType.PERSON:
            strength = 1.0 + person - place
            if strength <= 0:
                continue
        else:
            # "di Helsinki, Finlandia", "di Sao Paolo (Brasil)": what stands in apposition to a
            # place is the larger place it lies in
            placed_in = spans and re.fullmatch(r"\s*[,(]\s*", sentence[spans[-1].end : start])
            if all(fold(t.group(0)).strip(".,()") in _CALENDAR_WORDS for t in tokens):
                continue  # "di Helsinki, Sabtu (13/8)": a day, not a place
            if placed_in:  # just below the place it qualifies: a list of cities leaves the countries out
                strength = spans[-1].strength - 0.01
            elif not place and not (before and before[-1] in _LOCATIVE):
                continue
            else:
                strength = 1.0 + (bool(before) and before[-1] in _LOCATIVE) - person
            if strength <= 0:
                continue
        spans.append(Span(text=text, start=start, end=end, kind=kind, value=fold(text), strength=strength))
    return spans


def _in_country(sentence: str, name: str, end: int) -> bool:
    """Whether a name is followed by the country it lies in: "Chiang Mai (Thailand)", but
    not "Rapat Kerja Nasional (Rakernas)", whose bracket abbreviates it."""
    match = _IN_COUNTRY_RE.match(sentence, end)
    if not match:
        return False
    bracketed = sentence[end + 2 : end + 3]
    return not (len(name.split()) > 1 and bracketed.upper() == name[:1].upper())


def _joins_before(token: str, sentence_start: bool) -> bool:
    """Whether the token before a name belongs to it: initials ("M Anton"), or an ordinary
    word written as part of the name, unless it merely opens the sentence."""
    if fold(token) in _CALENDAR_WORDS:
        return False
    return is_initials(token) or (not sentence_start and _joins_name(token))


def _joins_name(token: str) -> bool:
    """Whether a capitalised ordinary word next to a name is part of it: not a title or
    honorific, a place, organisation or calendar word, a kind of thing ("Stadion"), or an
    acronym."""
    word = fold(token.strip(".,;:()\"“”"))
    return word.isalpha() and not token.isupper() and word not in _NOT_PART_OF_NAME




def titles_before(sentence: str, start: int) -> list[str]:
    """The words just before a name, from its title on ("Wakil Wali Kota Pekalongan"
    before "Mochammad Saelany" gives ["wakil", "wali", "kota", "pekalongan"]); empty when
    no title word stands there."""
    words = [fold(w) for w in re.findall(r"[\w’'-]+", sentence[max(0, start - _CONTEXT_BEFORE) : start])][-4:]
    first = next((i for i, w in enumerate(words) if w in TITLES), None)
    return [] if first is None else [w for w in words[first:] if w not in HONORIFICS]


_NOT_PART_OF_NAME = _KINDS_OF_THINGS | TITLES | HONORIFICS | _ORGANISATION_WORDS | _PLACE_BEFORE | _CALENDAR_WORDS


def looks_like_organisation(text: str) -> bool:
    """Whether a name is an organisation's: an acronym ("Dindagkop-UKM", "APEGA") or a
    name with an organisation word ("Dewan Kerajinan Nasional")."""
    tokens = re.findall(r"[\w’'-]+", text)
    acronym = any(sum(c.isupper() for c in t) >= 2 and (len(t) >= 4 or "-" in t or len(tokens) == 1) for t in tokens)
    return acronym or any(fold(t) in _ORGANISATION_WORDS for t in tokens)  # "HA Afzan" has initials, not an acronym


def is_initials(token: str) -> bool:
    """"M", "HA", "R.A.": initials that stand before a name."""
    return bool(re.fullmatch(r"(?:[A-Z]\.?){1,3}", token))


def is_name(token: str, is_common_word) -> bool:
    """Whether a capitalised token is a name rather than an ordinary word ("Wali", "Kota").
    `is_common_word(folded)` decides ordinary vocabulary; the caller owns any cache of it
    (a module-level cache keyed on a bound method would keep its whole index alive)."""
    word = fold(token.strip(".,;:()\"“”’'"))
    if not word or not word[0].isalpha():
        return False
    if token.isupper() and len(token.strip(".")) > 1:  # UNESCO, CCI, DMC: organisations, not people
        return False
    parts = word.split("-")
    if len(parts) == 2 and parts[0] == parts[1]:
        word = parts[0]  # "Kota-kota" is the plural of an ordinary word
    if parts[0].rstrip(".") in _CALENDAR_WORDS:
        return False  # "November-4", "Selasa": a date, not a name
    return not is_common_word(word)
