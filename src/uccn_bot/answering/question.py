"""Understanding a question: what kind of answer it wants, and which terms to search for.

Question words (kapan, berapa, siapa, di mana, and their English and chat forms) decide the
expected answer type; they are stop words for matching. A word the corpus has never seen is
read, in this order, as a chat form of a standard word ("ngerayain" → "merayakan", see
`informal`), as two words typed together ("kotakembar") or one typed apart ("olah raga"),
or as a misspelling of the nearest corpus word when the edit is small ("pekalogan" →
"pekalongan"). A real Indonesian word the corpus lacks is left alone: it then counts against
the answers that lack it. So is a word of an English question, but the corpus terms of its
dictionary translations stand in for it ("ministry" → "kementerian", see `english`).
"""

from __future__ import annotations

import re

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from ..core import AnswerType, Query
from ..english import base_forms, translations
from ..index import Index
from ..informal import standard_form
from ..text import fold, is_root_word


# Checked in this order: "tahun berapa" asks for a date, not a number.
_TYPE_PATTERNS = [
    (AnswerType.DATE, r"\b(kapan\w*|kpn|sejak kapan|(tahun|tanggal|tgl|thn|bulan|hari) (berapa\w*|brp|apa)|when|what year|what date|which day)\b"),
    (AnswerType.NUMBER, r"\b(berapa\w*|brp|jumlah\w*|jml|how many|how much|what percentage)\b"),
    (AnswerType.PERSON, r"\b(siapa\w*|who|whom)\b"),
    (AnswerType.PLACE, r"\b(di ?mana\w*|dmn|dimanakah|(ke|dari) ?mana|lokasi\w*|where|"
                       r"(kota|daerah|provinsi|kabupaten|wilayah|kawasan|tempat|gedung|pulau|benua|desa|kampung|negeri)\w* mana|"
                       r"negara (mana|apa)|which (city|cities|country|countries))\b"),
]
_TYPE_RES = [(t, re.compile(p)) for t, p in _TYPE_PATTERNS]


def _folded(question: str) -> str:
    """The question folded and with its spaces evened out, as the patterns below read it."""
    return " ".join(fold(question).split())


def answer_type(question: str) -> AnswerType:
    """The kind of answer a question asks for, from its question words."""
    text = _folded(question)
    for kind, pattern in _TYPE_RES:
        if pattern.search(text):
            return kind
    return AnswerType.NONE


_LIST_RE = re.compile(r"\b(apa|siapa|mana|kapan|berapa)\s*(saja|aja|sajakah|aj)\b|\b(which|what) (cities|countries|ones)\b|\bwho (are|were)\b")


def asks_for_list(question: str) -> bool:
    """Whether the question asks for several answers ("kota mana saja", "siapa aja")."""
    return bool(_LIST_RE.search(_folded(question)))


_MEASURE_RES = [
    # a percentage the question gives ("kenaikan sebesar 25 persen") is no percentage it asks for
    ("percent", re.compile(r"(?<!\d)(?<!\d )(?:%|\b(?:persen\w*|prosentase|persentase|percent\w*)\b)")),
    ("duration", re.compile(r"\b(se)?(berapa\w*|brp) (lama|tahun|bulan|minggu|pekan|hari|jam|dekade|usia|umur)(kah|nya)?\b|"
                            r"\b(usia|umur)\w* (berapa|brp)\b|\bhow (long|old)\b")),
]
# Magnitudes: "berapa luas ...", "tingginya berapa", "how far". The answer must carry a unit
# of the same kind ("24.090 km²", not "1.650.000 jiwa").
_MAGNITUDES = {
    "area": r"luas|luasnya",
    "length": r"panjang|panjangnya|tinggi|tingginya|ketinggian|ketinggiannya|jarak|jaraknya|lebar|lebarnya|"
              r"kedalaman|kedalamannya|diameter|far|tall|high|deep|wide",
    "weight": r"berat|beratnya|bobot|bobotnya|massa|heavy",
    "money": r"harga|harganya|anggaran|anggarannya|biaya|biayanya|nilai|nilainya|dana|modal|omzet|omset|gaji|"
             r"pendapatan|penghasilan|kerugian|devisa|cost|price",
    "speed": r"kecepatan|kecepatannya|laju|fast",
    "temperature": r"suhu|suhunya|temperatur|hot|cold",
}
_MEASURE_RES += [(name, re.compile(rf"\b(?:(?:berapa\w*|brp|how)\s+(?:{words})\b|(?:{words})\s+(?:\w+\s+)?(?:berapa|brp)\b)"))
                 for name, words in _MAGNITUDES.items()]
_DURATION_WORDS = {"lama", "lamanya", "long"}  # "berapa lama" asks how long; "lama" is no topic


_BIRTH_RE = re.compile(r"\b(lahir|kelahiran|dilahirkan|born|birth)\b")
_DEATH_RE = re.compile(r"\b(meninggal|wafat|wafatnya|tewas|mangkat|gugur|died|death)\b")


def life_event(question: str) -> str | None:
    """"birth" or "death" when a question asks when someone was born or died."""
    text = _folded(question)
    if _BIRTH_RE.search(text):
        return "birth"
    return "death" if _DEATH_RE.search(text) else None


_REASON_RE = re.compile(r"\b(kenapa|mengapa|knp|ngapa|napa|apa sebab\w*|apa alasan\w*|alasan\w* apa|why|what made)\b")


def asks_why(question: str) -> bool:
    """Whether the question asks for a reason ("kenapa", "mengapa", "apa alasannya")."""
    return bool(_REASON_RE.search(_folded(question)))


_COUNTED_RES = [  # "berapa (jumlah) kota ...", "jumlah umkm ... ada berapa"
    re.compile(r"\b(?:se)?(?:berapa|brp)(?:\s+(?:jumlah|jml|banyak|banyaknya))?\s+(\w+)"),
    re.compile(r"\b(?:jumlah|jml|banyaknya)\s+(\w+)"),
]
# "how many cities ...", its noun already in Indonesian ("how many kota"): that word alone (what follows is English)
_COUNTED_EN = re.compile(r"\bhow\s+many\s+(\w+)")


_NOT_COUNTED = {"persen", "lama", "lamanya", "tahun", "bulan", "hari", "jam", "minggu", "pekan", "usia", "umur",
                "banyak", "jumlah", "sih", "ya", "aja", "saja", "kah", "brp", "berapa",
                # magnitudes, not things counted
                "luas", "nilai", "anggaran", "biaya", "harga", "jarak", "tinggi", "berat", "skor", "suhu", "besar",
                "kapasitas", "ukuran", "kecepatan", "waktu", "kadar", "volume", "daya", "produksi"}


def counted(words: list[str], stopwords: frozenset[str] = frozenset()) -> str | None:
    """The thing a berapa question counts, as the (up to two) words that name it
    ("berapa kota dari" → "kota", "ada berapa kepala daerah" → "kepala daerah"; an English question's, translated:
    "how many kota are" → "kota"), or None
    for a magnitude ("berapa luas") or when it names none."""
    text = " ".join(words)
    for pattern in (_COUNTED_EN, *_COUNTED_RES):
        for match in pattern.finditer(text):
            word = match.group(1)
            if len(word) > 5 and word.endswith("kah"):
                word = word[:-3]  # "berapa orangkah"
            if word in stopwords or word.isdigit() or word in _NOT_COUNTED:
                continue
            if pattern is _COUNTED_EN:  # what follows the noun is English
                return word
            after = text[match.end() :].split()[:1]
            return " ".join([word] + [w for w in after if w not in stopwords and not w.isdigit()])
    return None


def measure(question: str) -> str | None:
    """What a berapa question measures, when it says: "percent", "duration" or a magnitude
    ("area", "length", "weight", "money", "temperature", "speed")."""
    text = _folded(question)
    return next((name for name, pattern in _MEASURE_RES if pattern.search(text)), None)


def parse_question(question: str, index: Index) -> Query:
    """Analyse a question against `index`: type, repaired words, search terms."""
    analyzer = index.analyzer
    words: list[str] = []
    corrections: list[tuple[str, str]] = []
    unknown: list[str] = []
    translated: list[tuple[str, tuple[str, ...]]] = []
    typed = analyzer.words(question)
    english = is_english(typed)
    for word in typed:
        if analyzer.term(word) is None or word.isdigit() or _known(word, index):
            words.append(word)
            continue
        if words and not english and _joined(words[-1], word, index):
            corrections.append((f"{words[-1]} {word}", words[-1] + word))  # "olah raga" → "olahraga"
            words[-1] += word
            continue
        # An English word the glossary lacks is no misspelt Indonesian one ("send" ≠ "seni"):
        # it is looked up in the English dictionary instead ("ministry" → "kementerian").
        if english:
            # A base form the corpus writes is a loanword ("programme" → "program", "festivals")
            fixed = next((f for f in base_forms(word)[1:] if _known(f, index)), None)
            found = () if fixed else _translations(word, index)
            if found:
                translated.append((word, found))
        else:
            fixed = _standard(word, index) or split_compound(word, index) or repair(word, index)
        if fixed is not None:
            corrections.append((word, fixed))
            words.extend(fixed.split())
        else:
            words.append(word)
            unknown.append(word)
    asked = measure(question)
    if asked == "duration":
        words = [w for w in words if w not in _DURATION_WORDS]
        unknown = [w for w in unknown if w not in _DURATION_WORDS]
    terms = analyzer.terms_of(words)
    if unknown:  # a word of a synonym phrase the corpus knows ("negeri gajah putih") is known
        phrased = {t for unit, shared in analyzer.units(words) if shared and index.knows(shared) for t in unit}
        unknown = [w for w in unknown if analyzer.term(w) not in phrased]
    kind = answer_type(question)
    return Query(
        text=question.strip(),
        answer_type=kind,
        plural=asks_for_list(question),
        measure=asked,
        why=asks_why(question),
        counts=counted(words, analyzer.lexicon.stopwords) if asked is None else None,
        words=tuple(words),
        terms=tuple(terms),
        unknown=tuple(unknown),
        corrections=tuple(corrections),
        english=english,
        translations=tuple(translated),
        names=name_groups(question, index),
        life=life_event(question) if kind is AnswerType.DATE else None,
    )


def name_groups(question: str, index: Index) -> tuple[frozenset[str], ...]:
    """The names in a question, each as the set of its words' terms: runs of words the
    corpus writes as names, or that the question capitalises and that are no Indonesian
    words ("Dimana William Adams lahir" → {william, adams}; "Kota Bandung" → {bandung})."""
    analyzer = index.analyzer
    groups, current = [], set()
    for i, match in enumerate(re.finditer(r"[\w’'-]+", question)):
        token = match.group(0)
        word = fold(token)
        term = analyzer.term(word)
        named = term is not None and (term in index.names or (i > 0 and token[:1].isupper() and not word.isdigit()
                                                               and not is_root_word(word)))
        if named:
            current.add(term)
        elif current:
            groups.append(frozenset(current))
            current = set()
    if current:
        groups.append(frozenset(current))
    return tuple(groups)


_ENGLISH = frozenset("the of is are was were did does do what which who when where how why and to for than from "
                     "with have has had its their this that these those into about after before between".split())


def is_english(words: list[str]) -> bool:
    """Whether a question is written in English: two or more English function words that
    Indonesian does not use."""
    return sum(w in _ENGLISH for w in words) >= 2


def _known(word: str, index: Index) -> bool:
    """Whether the corpus has this word's term (directly or through a synonym group)."""
    analyzer = index.analyzer
    terms = analyzer.terms(word)
    return bool(terms) and all(index.knows(t) for t in terms)


def _standard(word: str, index: Index) -> str | None:
    """The standard form of a chat word, when the corpus knows it (or it is a stop word)."""
    analyzer = index.analyzer
    if is_root_word(analyzer.stem(word)):
        return None  # a standard word the corpus simply lacks ("penduduk")
    form = standard_form(word)
    if form is None:
        return None
    words = analyzer.words(form)
    if words and all(analyzer.term(w) is None or _known(w, index) for w in words):
        return " ".join(words)
    return None


def _translations(word: str, index: Index) -> tuple[str, ...]:
    """The corpus terms of an English word's Indonesian translations ("ministry" →
    "kementerian"); every sense the corpus has, since the question does not say which."""
    analyzer = index.analyzer
    terms = []
    for phrase in translations(word):
        found = [t for t in analyzer.terms(phrase) if index.knows(t)]
        terms.extend(t for t in found[:1] if t not in terms)
    return tuple(terms)


def split_compound(word: str, index: Index) -> str | None:
    """Two corpus words typed as one ("kotakembar" → "kota kembar", "antaranggota" →
    "antar anggota"), or None. Both halves must be corpus words of three letters or more;
    the most even split wins."""
    if len(word) < 6 or not word.isalpha() or is_root_word(index.analyzer.stem(word)):
        return None
    splits = [(word[:i], word[i:]) for i in range(3, len(word) - 2)]
    good = [(a, b) for a, b in splits if _corpus_word(a, index) and _corpus_word(b, index)]
    if not good:
        return None
    a, b = max(good, key=lambda ab: min(len(ab[0]), len(ab[1])))
    return f"{a} {b}"


def _joined(previous: str, word: str, index: Index) -> bool:
    """Whether the corpus writes two typed words as one ("olah raga" → "olahraga")."""
    joined = previous + word
    return previous.isalpha() and word.isalpha() and len(joined) >= 6 \
        and index.analyzer.term(joined) is not None and _known(joined, index)


def _corpus_word(word: str, index: Index) -> bool:
    analyzer = index.analyzer
    return analyzer.term(word) is not None and _known(word, index) or word in analyzer.lexicon.stopwords and len(word) >= 4


def repair(word: str, index: Index) -> str | None:
    """The corpus word closest to a misspelt `word`, or None when nothing is close enough.
    Allowed edits grow with length: one for 4–7 letters, two from 8 (a swap counts as one).
    Among equally close words, a dropped letter is the likelier slip ("tujan" → "tujuan",
    not "tuan"), then a word with the same first letter, then the more frequent word."""
    if len(word) < 4 or not word.isalpha() or is_root_word(word) or is_root_word(index.analyzer.stem(word)):
        return None  # a real word the corpus lacks ("tamu") is no misspelling of "tama"
    limit = 1 if len(word) < 8 else 2
    words, counts = index.spelling
    matches = process.extract(word, words, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None)
    if not matches:
        return None
    best = min(matches, key=lambda m: (m[1], len(m[0]) < len(word), m[0][:1] != word[:1], -int(counts[m[2]])))
    candidate = best[0]
    if index.analyzer.term(candidate) is None or _known(candidate, index):
        return candidate  # a stop word ("jumlh" → "jumlah") simply drops out of the search
    return None

