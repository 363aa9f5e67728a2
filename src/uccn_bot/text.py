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
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Iterable

import yaml

from .yaml_safe import safe_load

ANALYSIS_VERSION = 6  # bump when the code below changes the terms it produces

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:[-'’][^\W_]+)*")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_CAPITALISED_RE = re.compile(r"(?<![\w.])([A-Z][a-z]{2,})\b")
_LOWERCASE_RE = re.compile(r"(?<![\w-])[a-z]{2,}(?![\w-])")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;\"“(]\s*|\n\s*)$")
_AFTER_LOWERCASE_RE = re.compile(r"[a-z,] $")
_AFTER_PLACE_WORD_RE = re.compile(r"\b(?:di|ke|[Kk]ota|[Kk]abupaten|[Pp]rovinsi|[Nn]egara) $")
_AS_A_CITY_RE = re.compile(r"\s+sebagai\s+[Kk]ota\b")  # "Ambon sebagai Kota Musik"
_BRACKETED_RE = re.compile(r"\(([A-Z][a-z]+(?: [A-Z][a-z]+)?)\)")  # "(Mesir)", "(Amerika Serikat)"


@dataclass(frozen=True)
class Lexicon:
    """The word lists behind the analysis (see data/lexicon.yaml and data/synonyms.yaml)."""

    stopwords: frozenset[str]
    slang: dict[str, str]
    compounds: dict[str, str]
    english: dict[str, str]
    stem_overrides: dict[str, str]
    synonyms: tuple[tuple[str, ...], ...]
    epithets: dict[str, str] = field(default_factory=dict)  # "kota batik" → "pekalongan"

    @classmethod
    def default(cls) -> "Lexicon":
        return cls.load()

    @classmethod
    def load(cls, lexicon_path: str | None = None, synonyms_path: str | None = None) -> "Lexicon":
        """The bundled word lists, or the files given; read once per process."""
        return _load_lexicon(lexicon_path, synonyms_path)

    @classmethod
    def _read(cls, lexicon_path: str | None, synonyms_path: str | None) -> "Lexicon":
        lex = _read_yaml(lexicon_path, "lexicon.yaml") or {}
        groups = _read_yaml(synonyms_path, "synonyms.yaml") or []
        if not isinstance(lex, dict):
            raise ValueError(f"{lexicon_path}: must map list names (slang, keep_words...) to their words")
        if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
            raise ValueError(f"{synonyms_path}: must be a list of synonym groups (lists of words)")
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
            epithets=_lower_map(lex.get("epithets")),
        )

    def fingerprint(self) -> str:
        blob = json.dumps(
            [sorted(self.stopwords), self.slang, self.compounds, self.english, self.stem_overrides,
             self.synonyms, self.epithets],
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
            try:
                return safe_load(fh.read())
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                where = f"{path}:{mark.line + 1}" if mark is not None else path
                raise ValueError(f"{where}: not valid YAML ({getattr(e, 'problem', None) or e})") from None
    return safe_load(resources.files("uccn_bot.data").joinpath(default_name).read_text("utf-8"))


def _words_list(lex: dict, key: str) -> list[str]:
    words = lex.get(key) or []
    bad = [w for w in words if not isinstance(w, str)]
    if bad:  # YAML reads a bare on/off/yes/no as a boolean
        raise ValueError(f"lexicon {key}: {bad} are not words; quote them")
    return words


def _lower_map(mapping) -> dict[str, str]:
    if mapping is not None and not isinstance(mapping, dict):
        raise ValueError(f"lexicon: expected a mapping of words, found {mapping!r:.40}")
    return {str(k).lower(): str(v).lower() for k, v in (mapping or {}).items()}


def fold(text: str) -> str:
    """Lower case without accents: "Angoulême" → "angouleme", "Popayán" → "popayan"."""
    text = text.lower()
    if text.isascii():
        return text
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def tokenize(text: str) -> list[str]:
    """Folded tokens: words (hyphenated compounds kept whole) and numbers ("3,82"); "%" is
    read as the word "persen", as a question would write it."""
    return _TOKEN_RE.findall(fold(text).replace("%", " persen "))


@dataclass
class Analyzer:
    """Turns text into index terms. Instances cache per-word results, so reuse one."""

    lexicon: Lexicon = field(default_factory=Lexicon.default)
    protected: frozenset[str] = frozenset()  # folded words never stemmed (proper nouns)
    stemming: bool = True
    synonyms: bool = True
    _cache: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict, repr=False)
    _stem_cache: dict[str, str] = field(default_factory=dict, repr=False)

    def fingerprint(self) -> str:
        """Everything that decides the terms, hashed: part of the index cache key."""
        blob = json.dumps(
            [ANALYSIS_VERSION, self.lexicon.fingerprint(), sorted(self.protected), self.stemming, self.synonyms]
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    # -- words and terms -----------------------------------------------------------------

    def analyse(self, text: str) -> tuple[list[str], list[str]]:
        """(normalised words, index terms) of `text` from one pass over its tokens."""
        words: list[str] = []
        terms: list[str] = []
        cache = self._cache
        for token in tokenize(text):
            got = cache.get(token)
            if got is None:
                normal = tuple(self._normalise(token))
                got = cache[token] = (normal, tuple(t for w in normal if (t := self.term(w))))
            words.extend(got[0])
            terms.extend(got[1])
        return self._phrases(words, terms)

    def terms_of(self, words: list[str]) -> list[str]:
        """Index terms of already normalised words (after typo repair, say)."""
        return self._phrases(words, [t for w in words if (t := self.term(w))])[1]

    def _phrases(self, words: list[str], terms: list[str]) -> tuple[list[str], list[str]]:
        """The steps that read several words at once: epithets replaced, synonym phrases met."""
        if self._epithet_table and not self._epithet_table.keys().isdisjoint(words):
            words = self._name_epithets(words)
            terms = [t for w in words if (t := self.term(w))]
        if self.synonyms and self._may_match(words, terms):
            terms = self._flatten(self.units(words))
        return words, terms

    def words(self, text: str) -> list[str]:
        """Normalised words, stop words included (question typing and typo repair need them)."""
        return self.analyse(text)[0]

    def terms(self, text: str) -> list[str]:
        """Index terms of `text`: what BM25 sees, for passages and questions alike."""
        return self.analyse(text)[1]

    def _normalise(self, token: str) -> list[str]:
        lex = self.lexicon
        if "-" in token or "'" in token or "’" in token:
            parts = [p for p in re.split(r"[-'’]", token) if p]
            if len(set(parts)) == 1:  # reduplication: "kota-kota" → "kota"
                parts = parts[:1]
            return [w for p in parts for w in self._normalise(p)]
        for table in (lex.slang, lex.compounds, lex.english):
            if token in table:
                return table[token].split()
        return [token]

    def term(self, word: str) -> str | None:
        """The index term of one normalised word, or None for a stop word."""
        if word in self.lexicon.stopwords or len(word) < 2 and not word.isdigit():
            return None
        return self.stem(word)

    def stems_of(self, words: list[str]) -> list[str]:
        """The stems this analyser has worked out for `words` ("" where it has none): kept with the
        index, so that a new process does not run the stemmer again (about 0.2 s of a cold start)."""
        return [self._stem_cache.get(w, "") for w in words]

    def stems_beyond(self, words: list[str]) -> dict[str, str]:
        """The stems worked out for words other than `words` (the lexicon's synonym phrases, stemmed while
        building): kept with the index too, so that a first question does not stem them again (~30 ms)."""
        listed = set(words)
        return {w: s for w, s in self._stem_cache.items() if w not in listed}

    def remember_stems(self, words: list[str], stems: list[str]) -> None:
        """Take stems saved by `stems_of` (same order as `words`)."""
        self._stem_cache.update((w, s) for w, s in zip(words, stems) if s)

    def stem(self, word: str) -> str:
        if word in self.lexicon.stem_overrides:
            return self.lexicon.stem_overrides[word]
        if not self.stemming or word in self.protected or not word.isalpha():
            return word
        got = self._stem_cache.get(word)
        if got is None:
            got = self._stem_cache[word] = _stemmer().stem(word) or word
        return got

    # -- epithets ------------------------------------------------------------------------
    #
    # "Kota Batik" is a name for Pekalongan, not a city of batik: an epithet is replaced by
    # the name it stands for (its words do not keep their own meaning, as a synonym's do).

    def _name_epithets(self, words: list[str]) -> list[str]:
        table = self._epithet_table
        out: list[str] = []
        i = 0
        while i < len(words):
            for phrase, name in table.get(words[i], ()):
                if tuple(words[i : i + len(phrase)]) == phrase:
                    out.extend(name)
                    i += len(phrase)
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    @cached_property
    def _epithet_table(self) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
        pairs = ((self._phrase_words(phrase), self._phrase_words(name)) for phrase, name in self.lexicon.epithets.items())
        return _by_first_word((words, named) for words, named in pairs if words and named)

    def _phrase_words(self, phrase: str) -> tuple[str, ...]:
        return tuple(w for token in tokenize(phrase) for w in self._normalise(token))

    # -- synonyms ------------------------------------------------------------------------
    #
    # A synonym phrase is matched on keys: the term of a content word, or "=word" for a stop
    # word, so "tak terbatas" stays different from "terbatas" while "ditetapkan" still matches
    # "penetapan" through the shared stem.

    def _key(self, word: str) -> str:
        return self.term(word) or f"={word}"

    def units(self, words: list[str]) -> list[tuple[tuple[str, ...], str | None]]:
        """Normalised words cut into (content terms, shared term) units: a synonym phrase
        with its group's term, every other content word alone with None; stop words outside
        phrases are dropped."""
        table = self._synonym_table if self.synonyms else {}
        keys = [self._key(w) for w in words]
        units: list[tuple[tuple[str, ...], str | None]] = []
        i = 0
        while i < len(keys):
            for phrase, shared in table.get(keys[i], ()):
                if tuple(keys[i : i + len(phrase)]) == phrase:
                    units.append((tuple(k for k in phrase if not k.startswith("=")) or (shared,), shared))
                    i += len(phrase)
                    break
            else:
                if not keys[i].startswith("="):
                    units.append(((keys[i],), None))
                i += 1
        return units

    @staticmethod
    def _flatten(units: list[tuple[tuple[str, ...], str | None]]) -> list[str]:
        """Terms for the index: a one-word phrase becomes its group's term; a longer phrase
        keeps its words and adds the group's term."""
        out: list[str] = []
        for terms, shared in units:
            if shared is None:
                out.extend(terms)
            elif len(terms) == 1:
                out.append(shared)
            else:
                out.extend(terms)
                out.append(shared)
        return out

    def _may_match(self, words: list[str], terms: list[str]) -> bool:
        """Cheap test before the phrase scan (most passages hold no synonym at all)."""
        table = self._synonym_table
        return bool(table) and not (table.keys().isdisjoint(terms) and self._stop_starts.isdisjoint(words))

    @cached_property
    def _stop_starts(self) -> frozenset[str]:
        return frozenset(k[1:] for k in self._synonym_table if k.startswith("="))

    @cached_property
    def _synonym_table(self) -> dict[str, list[tuple[tuple[str, ...], str]]]:
        entries = []
        for group in self.lexicon.synonyms:
            phrases = [keys for member in group if (keys := tuple(self._key(w) for w in self._phrase_words(member)))]
            if len(phrases) < 2:
                continue
            shared = "_".join(k.lstrip("=") for k in phrases[0] if not k.startswith("=")) or phrases[0][0].lstrip("=")
            entries.extend((keys, shared) for keys in phrases)
        return _by_first_word(entries)


def _by_first_word(entries) -> dict:
    """(phrase, payload) pairs as a table from a phrase's first word to its entries, the
    longest phrase first (the longest match wins)."""
    table: dict = {}
    for phrase, payload in entries:
        table.setdefault(phrase[0], []).append((phrase, payload))
    for candidates in table.values():
        candidates.sort(key=lambda c: -len(c[0]))
    return table


@dataclass(frozen=True)
class ProperNouns:
    """The corpus's names, found from how it capitalises words."""

    names: frozenset[str]  # folded words nearly always capitalised after a lower-case word
    protected: frozenset[str]  # capitalised words the stemmer would change ("Pekalongan")
    places: frozenset[str] = frozenset()  # names written as places: "di Ambon", "Aswan (Mesir)"


def find_proper_nouns(texts: Iterable[str], analyzer: Analyzer, min_count: int = 2, ratio: float = 0.9) -> ProperNouns:
    """Words that are nearly always capitalised mid-sentence, in one pass. Those the stemmer
    would change are protected from it: names like "Pekalongan" must not be stemmed into
    "kalong". Names count only when capitalised right after a lower-case word, so headings
    in Title Case ("Pekerjaan Dan Upah") add none. Names written after "di", "ke", "Kota",
    before "sebagai kota" or in brackets after a name ("Aswan (Mesir)") are places."""
    capitalised: Counter[str] = Counter()
    after_lowercase: Counter[str] = Counter()
    lowercase: Counter[str] = Counter()
    placed: set[str] = set()
    for text in texts:
        for match in _CAPITALISED_RE.finditer(text):
            start = match.start()
            before = text[max(0, start - 3) : start]
            if not _SENTENCE_START_RE.search(before):
                capitalised[fold(match.group(1))] += 1
                if _AFTER_LOWERCASE_RE.search(before):
                    after_lowercase[fold(match.group(1))] += 1
            bracketed = _BRACKETED_RE.match(text, start - 1) if before.endswith(" (") else None
            if bracketed and _CAPITALISED_RE.search(text, max(0, start - 40), start - 1):
                placed.update(fold(w) for w in bracketed.group(1).split())  # "Santa Fe (Amerika Serikat)"
            elif _AFTER_PLACE_WORD_RE.search(text, max(0, start - 10), start) or _AS_A_CITY_RE.match(text, match.end()):
                placed.add(fold(match.group(1)))  # "di Ambon", "Kota Malang", "Ambon sebagai Kota Musik"
        lowercase.update(_LOWERCASE_RE.findall(text))
    stopwords = analyzer.lexicon.stopwords
    plain = Analyzer(analyzer.lexicon, frozenset(), analyzer.stemming, synonyms=False)
    protected = set()
    for word, count in capitalised.items():
        if count < min_count or count / (count + lowercase.get(word, 0)) < ratio:
            continue
        if word not in stopwords and plain.stem(word) != word:
            protected.add(word)
    names = {word for word, count in after_lowercase.items()
             if word not in stopwords and count / (count + lowercase.get(word, 0)) >= ratio}
    places = {w for w in placed if w in names or (w not in lowercase and w not in stopwords)}
    return ProperNouns(frozenset(names), frozenset(protected), frozenset(places))


def is_root_word(word: str) -> bool:
    """Whether Sastrawi's dictionary of Indonesian root words has `word` (tells a real word
    the corpus lacks from a misspelling or a chat form)."""
    return _stemmer().delegatedStemmer.dictionary.contains(word)


_STEMMER = None


def _stemmer():
    """Sastrawi's stemmer, created on first use (importing it costs time the REPL's first
    answer should not pay when every word is already cached)."""
    global _STEMMER
    if _STEMMER is None:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        _STEMMER = StemmerFactory().create_stemmer()
    return _STEMMER
