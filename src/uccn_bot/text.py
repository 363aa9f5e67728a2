"""Indonesian text analysis: the same steps for articles and for questions.

    text → words   lower case, accents off, chat spellings and English key terms mapped,
                   "walikota" → "wali kota", "kota-kota" → "kota"
    words → terms  stop words out, Sastrawi stems (cached; proper nouns left alone, since
                   every common Indonesian stemmer turns "Pekalongan" into "kalong"),
                   synonym groups add a shared term

Everything that changes the terms is part of `Analyzer.fingerprint()`, which keys the index
cache.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Iterable

import yaml

ANALYSIS_VERSION = 3  # bump when the code below changes the terms it produces

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:[-'’][^\W_]+)*")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_CAPITALISED_RE = re.compile(r"(?<![\w.])([A-Z][a-z]{2,})\b")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;\"“(]\s*|\n\s*)$")


@dataclass(frozen=True)
class Lexicon:
    """The word lists behind the analysis (see data/lexicon.yaml and data/synonyms.yaml)."""

    stopwords: frozenset[str]
    slang: dict[str, str]
    compounds: dict[str, str]
    english: dict[str, str]
    stem_overrides: dict[str, str]
    synonyms: tuple[tuple[str, ...], ...]

    @classmethod
    def default(cls) -> "Lexicon":
        return cls.load()

    @classmethod
    def load(cls, lexicon_path: str | None = None, synonyms_path: str | None = None) -> "Lexicon":
        """The bundled word lists, or the files given; read once per process."""
        return _load_lexicon(lexicon_path, synonyms_path)

    @classmethod
    def _read(cls, lexicon_path: str | None, synonyms_path: str | None) -> "Lexicon":
        lex = _read_yaml(lexicon_path, "lexicon.yaml")
        groups = _read_yaml(synonyms_path, "synonyms.yaml") or []
        from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

        base = set(StopWordRemoverFactory().get_stop_words())
        stop = (base - set(_words_list(lex, "keep_words"))) | set(_words_list(lex, "extra_stopwords"))
        return cls(
            stopwords=frozenset(w.lower() for w in stop),
            slang=_lower_map(lex.get("slang")),
            compounds=_lower_map(lex.get("compounds")),
            english=_lower_map(lex.get("english")),
            stem_overrides=_lower_map(lex.get("stem_overrides")),
            synonyms=tuple(tuple(str(p).lower() for p in group) for group in groups),
        )

    def fingerprint(self) -> str:
        blob = json.dumps(
            [sorted(self.stopwords), self.slang, self.compounds, self.english, self.stem_overrides,
             self.synonyms],
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@lru_cache(maxsize=8)
def _load_lexicon(lexicon_path: str | None, synonyms_path: str | None) -> Lexicon:
    return Lexicon._read(lexicon_path, synonyms_path)


def _read_yaml(path: str | None, default_name: str):
    if path:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    return yaml.safe_load(resources.files("uccn_bot.data").joinpath(default_name).read_text("utf-8"))


def _words_list(lex: dict, key: str) -> list[str]:
    words = lex.get(key) or []
    bad = [w for w in words if not isinstance(w, str)]
    if bad:  # YAML reads a bare on/off/yes/no as a boolean
        raise ValueError(f"lexicon {key}: {bad} are not words; quote them")
    return words


def _lower_map(mapping) -> dict[str, str]:
    return {str(k).lower(): str(v).lower() for k, v in (mapping or {}).items()}


def fold(text: str) -> str:
    """Lower case without accents: "Angoulême" → "angouleme", "Popayán" → "popayan"."""
    text = text.lower()
    if text.isascii():
        return text
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def tokenize(text: str) -> list[str]:
    """Folded tokens: words (hyphenated compounds kept whole) and numbers ("3,82")."""
    return _TOKEN_RE.findall(fold(text))


@dataclass
class Analyzer:
    """Turns text into index terms. Instances cache per-word results, so reuse one."""

    lexicon: Lexicon = field(default_factory=Lexicon.default)
    protected: frozenset[str] = frozenset()  # folded words never stemmed (proper nouns)
    stemming: bool = True
    synonyms: bool = True
    _cache: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _stem_cache: dict[str, str] = field(default_factory=dict, repr=False)

    def fingerprint(self) -> str:
        """Everything that decides the terms, hashed: part of the index cache key."""
        blob = json.dumps(
            [ANALYSIS_VERSION, self.lexicon.fingerprint(), sorted(self.protected), self.stemming, self.synonyms]
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    # -- words ---------------------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        """Normalised words, stop words included (question typing and typo repair need them)."""
        out: list[str] = []
        for token in tokenize(text):
            out.extend(self._normalise(token))
        return out

    def _normalise(self, token: str) -> list[str]:
        lex = self.lexicon
        if token in lex.stem_overrides and "-" in token:
            return [token]
        if "-" in token or "'" in token or "’" in token:
            parts = [p for p in re.split(r"[-'’]", token) if p]
            if len(set(parts)) == 1:  # reduplication: "kota-kota" → "kota"
                parts = parts[:1]
            return [w for p in parts for w in self._normalise(p)]
        for table in (lex.slang, lex.compounds, lex.english):
            if token in table:
                return table[token].split()
        return [token]

    # -- terms ---------------------------------------------------------------------------

    def terms(self, text: str) -> list[str]:
        """Index terms of `text`: what BM25 sees, for passages and questions alike."""
        terms: list[str] = []
        cache = self._cache
        for token in tokenize(text):
            got = cache.get(token)
            if got is None:
                got = cache[token] = tuple(t for w in self._normalise(token) if (t := self.term(w)))
            terms.extend(got)
        return self.add_synonyms(terms) if self.synonyms else terms

    def term(self, word: str) -> str | None:
        """The index term of one normalised word, or None for a stop word."""
        if word in self.lexicon.stopwords or len(word) < 2 and not word.isdigit():
            return None
        return self.stem(word)

    def stem(self, word: str) -> str:
        if word in self.lexicon.stem_overrides:
            return self.lexicon.stem_overrides[word]
        if not self.stemming or word in self.protected or not word.isalpha():
            return word
        got = self._stem_cache.get(word)
        if got is None:
            got = self._stem_cache[word] = _stemmer().stem(word) or word
        return got

    def add_synonyms(self, terms: list[str]) -> list[str]:
        """Apply synonym groups: a one-word member becomes the group's term; a longer
        member keeps its words and adds the group's term."""
        if self._synonym_table.keys().isdisjoint(terms):
            return terms
        out: list[str] = []
        for unit, shared in self.synonym_units(terms):
            if shared is None:
                out.extend(unit)
            elif len(unit) == 1:
                out.append(shared)
            else:
                out.extend(unit)
                out.append(shared)
        return out

    def synonym_units(self, terms: list[str]) -> list[tuple[tuple[str, ...], str | None]]:
        """`terms` cut into (phrase, shared term) units: a synonym phrase found in the text
        with its group's term, every other term alone with None."""
        table = self._synonym_table
        units: list[tuple[tuple[str, ...], str | None]] = []
        i = 0
        while i < len(terms):
            for phrase, shared in table.get(terms[i], ()):
                if tuple(terms[i : i + len(phrase)]) == phrase:
                    units.append((phrase, shared))
                    i += len(phrase)
                    break
            else:
                units.append(((terms[i],), None))
                i += 1
        return units

    @cached_property
    def _synonym_table(self) -> dict[str, list[tuple[tuple[str, ...], str]]]:
        plain = Analyzer(self.lexicon, self.protected, self.stemming, synonyms=False)
        table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for group in self.lexicon.synonyms:
            phrases = []
            for member in group:
                words = plain.words(member)
                terms = tuple(plain.terms(member))
                if not terms or (len(terms) == 1 and len(words) > 1):
                    continue  # a phrase that analyses to nothing (or to one common word) would misfire
                phrases.append(terms)
            if len(phrases) < 2:
                continue
            shared = "_".join(phrases[0])
            for terms in phrases:
                table.setdefault(terms[0], []).append((terms, shared))
        for candidates in table.values():
            candidates.sort(key=lambda c: -len(c[0]))  # longest phrase wins
        return table


def find_proper_nouns(texts: Iterable[str], analyzer: Analyzer, min_count: int = 2, ratio: float = 0.9) -> frozenset[str]:
    """Words that are nearly always capitalised mid-sentence and that the stemmer would
    change: names like "Pekalongan" that must not be stemmed into "kalong"."""
    capitalised: dict[str, int] = {}
    for text in texts:
        for match in _CAPITALISED_RE.finditer(text):
            if _SENTENCE_START_RE.search(text[max(0, match.start() - 3) : match.start()]):
                continue
            word = fold(match.group(1))
            capitalised[word] = capitalised.get(word, 0) + 1
    if not capitalised:
        return frozenset()
    lowercase: dict[str, int] = {}
    candidates = set(capitalised)
    for text in texts:
        for token in re.findall(r"\b[a-z][a-z]+\b", text):
            if token in candidates:
                lowercase[token] = lowercase.get(token, 0) + 1
    plain = Analyzer(analyzer.lexicon, frozenset(), analyzer.stemming, synonyms=False)
    names = set()
    for word, count in capitalised.items():
        if count < min_count or count / (count + lowercase.get(word, 0)) < ratio:
            continue
        if word in analyzer.lexicon.stopwords:
            continue
        if plain.stem(word) != word:
            names.add(word)
    return frozenset(names)


_STEMMER = None


def _stemmer():
    """Sastrawi's stemmer, created on first use (importing it costs time the REPL's first
    answer should not pay when every word is already cached)."""
    global _STEMMER
    if _STEMMER is None:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        _STEMMER = StemmerFactory().create_stemmer()
    return _STEMMER
