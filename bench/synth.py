"""Synthetic Indonesian-like corpora and queries for the retrieval benchmark.

The corpus is meant to cost the index what a real Indonesian news archive would:

* Vocabulary: function words at the top ranks (yang, dan, di, ...), then Indonesian root
  words (Sastrawi's own dictionary of roots when it is installed, syllable-built roots
  otherwise), their affixed forms (meN-, di-, ber-, ter-, peN-...-an, ke-...-an, -kan, -i, -an,
  -nya, with the nasal assimilation of meN-/peN- so the stemmer has real work), made-up
  syllable words, and capitalised proper names (some ending in -an/-ang/-ong, which the
  stemmer would mangle, so proper-noun protection has work too).
* Frequencies: Zipf–Mandelbrot, p(rank) ∝ 1 / (rank + 2.7) ** 1.07, sampled with numpy.
  Small corpora see only the head of the vocabulary; the number of distinct words grows
  with the corpus, as in real text.
* Passages: paragraphs of 40–150 words (the splitter's bounds, so one paragraph is one
  passage), in sentences of 5–22 words with a capital at the start and a full stop at the
  end, a number now and then, a `## heading` every 15–30 paragraphs; 100–1000 paragraphs per
  file, each file with YAML front matter.
* Queries: 2–8 words, mostly mid-frequency words taken from one actual passage (in its
  order, as typed: lower case, names capitalised), sometimes with a very common content
  word, an off-topic word or a leading question word.

Everything is deterministic for a given seed. Run `python bench/synth.py --help` to write a
corpus by hand; `bench_retrieval.py` calls `ensure_corpus`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GENERATOR_VERSION = 1  # bump when the output changes: cached corpora are keyed on it
ZIPF_EXPONENT = 1.07
ZIPF_OFFSET = 2.7
DEFAULT_TYPES = 150_000

# The most frequent Indonesian words are function words; they take the top ranks.
FUNCTION_WORDS = (
    "yang dan di ini itu dengan untuk dari dalam tidak ke pada akan juga adalah oleh "
    "sebagai karena atau ada bisa telah sudah lebih para saat tersebut mereka kami kita "
    "ia dia sangat hanya bahwa namun serta jika agar hingga antara setiap secara masih "
    "banyak baru lain harus dapat kata menurut sejak bagi tetapi maka tahun kepada seperti "
    "setelah sebelum yakni yaitu pun lagi belum sendiri semua selain"
).split()
QUESTION_WORDS = ("apa", "bagaimana", "mengapa", "siapa", "kapan", "berapa", "di mana", "apakah")
SOURCES = ("Kabar Kota", "Warta Nusantara", "Suara Pesisir", "Harian Kreatif", "Jurnal Budaya", "Berita Daerah")

_CONSONANTS = list("bcdfghjklmnprstwy")
_CONSONANT_P = np.array([8, 3, 8, 1, 5, 3, 4, 9, 7, 6, 7, 8, 8, 9, 8, 3, 3], dtype=float)
_VOWELS = list("aiueo")
_VOWEL_P = np.array([38, 18, 18, 14, 12], dtype=float)
_CODAS = ["", "", "", "", "n", "ng", "r", "t", "k", "l", "s", "h", "m"]
_NAME_ENDINGS = ["an", "ang", "ong", "o", "a", "i", "un", "ar", "ta", "ra"]


# --- vocabulary --------------------------------------------------------------------------


@dataclass
class Vocabulary:
    words: list[str]  # by rank: words[0] is the most frequent
    capitalised: list[str]  # the form at the start of a sentence (names are always capitalised)
    kind: np.ndarray  # int8 per rank: 0 function word, 1 root, 2 affixed form, 3 made-up word, 4 name
    cdf: np.ndarray  # float64 cumulative Zipf probabilities

    FUNCTION, ROOT, AFFIXED, MADE_UP, NAME = range(5)

    def __len__(self) -> int:
        return len(self.words)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        ids = np.searchsorted(self.cdf, rng.random(n), side="right")
        return np.minimum(ids, len(self.words) - 1)


def _sastrawi_roots() -> list[str]:
    try:
        import Sastrawi.Stemmer.StemmerFactory as factory
    except ImportError:
        return []
    path = Path(factory.__file__).parent / "data" / "kata-dasar.txt"
    try:
        words = path.read_text(encoding="utf-8").split()
    except OSError:
        return []
    return sorted({w for w in words if w.isalpha() and w.isascii() and w.islower() and 3 <= len(w) <= 12})


def _syllable_words(rng: np.random.Generator, n: int, min_syl: int = 2, max_syl: int = 4) -> list[str]:
    cp, vp = _CONSONANT_P / _CONSONANT_P.sum(), _VOWEL_P / _VOWEL_P.sum()
    out = []
    for n_syl in rng.integers(min_syl, max_syl + 1, size=n):
        cons = rng.choice(_CONSONANTS, size=n_syl, p=cp)
        vows = rng.choice(_VOWELS, size=n_syl, p=vp)
        word = "".join(c + v for c, v in zip(cons, vows))
        if rng.random() < 0.35:
            word += _CODAS[int(rng.integers(len(_CODAS)))]
        out.append(word)
    return out


def _nasal(prefix: str, root: str) -> str:
    """meN-/peN- with Indonesian nasal assimilation: tulis → menulis, sapu → menyapu."""
    head = root[0]
    if head in "aiueo":
        return prefix + "ng" + root
    if head in "bfv":
        return prefix + "m" + root
    if head == "p":
        return prefix + "m" + root[1:]
    if head in "cdjz":
        return prefix + "n" + root
    if head == "t":
        return prefix + "n" + root[1:]
    if head in "gh":
        return prefix + "ng" + root
    if head == "k":
        return prefix + "ng" + root[1:]
    if head == "s":
        return prefix + "ny" + root[1:]
    return prefix + root


_AFFIXES = (
    lambda r: _nasal("me", r),
    lambda r: _nasal("me", r) + "kan",
    lambda r: _nasal("me", r) + "i",
    lambda r: "di" + r,
    lambda r: "di" + r + "kan",
    lambda r: "ber" + r,
    lambda r: "ter" + r,
    lambda r: _nasal("pe", r) + "an",
    lambda r: "ke" + r + "an",
    lambda r: r + "an",
    lambda r: r + "nya",
    lambda r: "per" + r + "an",
    lambda r: "se" + r,
    lambda r: "di" + r + "nya",
)
_AFFIX_P = np.array([10, 8, 3, 9, 6, 7, 4, 5, 4, 6, 7, 2, 2, 2], dtype=float)


def make_vocabulary(seed: int, n_types: int = DEFAULT_TYPES) -> Vocabulary:
    """`n_types` distinct words ordered by rank (deterministic for a seed)."""
    rng = np.random.default_rng([seed, 0xB0CAB])
    roots = _sastrawi_roots()
    if len(roots) < 5000:
        roots = sorted(set(roots) | set(_syllable_words(rng, 20_000, 2, 3)))
    function = list(FUNCTION_WORDS)
    taken = set(function)
    pools: dict[int, list[str]] = {Vocabulary.ROOT: [], Vocabulary.AFFIXED: [], Vocabulary.MADE_UP: [], Vocabulary.NAME: []}

    def add(kind: int, word: str) -> None:
        if word not in taken and word.isalpha():
            taken.add(word)
            pools[kind].append(word)

    for root in roots:
        add(Vocabulary.ROOT, root)
    affix_p = _AFFIX_P / _AFFIX_P.sum()
    for root in roots:  # 0–5 affixed forms per root, ~2.4 on average
        for a in rng.choice(len(_AFFIXES), size=int(rng.poisson(2.4)), p=affix_p):
            add(Vocabulary.AFFIXED, _AFFIXES[a](root))
    n_content = n_types - len(function)
    n_names = n_content // 12
    for word in _syllable_words(rng, n_names * 2):
        if len(pools[Vocabulary.NAME]) >= n_names:
            break
        add(Vocabulary.NAME, word + _NAME_ENDINGS[int(rng.integers(len(_NAME_ENDINGS)))])
    while sum(len(p) for p in pools.values()) < n_content:
        missing = n_content - sum(len(p) for p in pools.values())
        for word in _syllable_words(rng, missing + 1000):
            add(Vocabulary.MADE_UP, word)
            if rng.random() < 0.3:  # made-up roots get affixes too
                add(Vocabulary.AFFIXED, _AFFIXES[int(rng.choice(len(_AFFIXES), p=affix_p))](word))

    # Rank: roots tend to be commoner than their derived forms, made-up words rarer still.
    bias = {Vocabulary.ROOT: 1.0, Vocabulary.AFFIXED: 2.2, Vocabulary.NAME: 2.5, Vocabulary.MADE_UP: 4.0}
    words, kinds, keys = [], [], []
    for kind, pool in pools.items():
        words.extend(pool)
        kinds.extend([kind] * len(pool))
        keys.append(rng.random(len(pool)) * bias[kind])
    order = np.argsort(np.concatenate(keys), kind="stable")[:n_content]
    words = function + [words[i] for i in order]
    kind = np.concatenate([np.zeros(len(function), dtype=np.int8), np.asarray(kinds, dtype=np.int8)[order]])
    capitalised = [w[:1].upper() + w[1:] for w in words]
    for i in np.flatnonzero(kind == Vocabulary.NAME):
        words[i] = capitalised[i]
    p = 1.0 / (np.arange(len(words)) + ZIPF_OFFSET) ** ZIPF_EXPONENT
    cdf = np.cumsum(p / p.sum())
    cdf[-1] = 1.0
    return Vocabulary(words, capitalised, kind, cdf)


# --- corpus ------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    """'1k' → 1000, '1m' → 1000000, '300' → 300."""
    t = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if mult > 1 else t) * mult)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def corpus_name(n_passages: int, seed: int, n_types: int) -> str:
    return f"synth-{size_label(n_passages)}-s{seed}-v{n_types}-g{GENERATOR_VERSION}"


def _paragraph_lengths(rng: np.random.Generator, n: int) -> np.ndarray:
    # 40–150 words, mean ≈ 84 (most real passages are short paragraphs, some run long).
    return (40 + np.floor(rng.beta(2.0, 3.0, size=n) * 111)).astype(np.int64)


def _title(vocab: Vocabulary, rng: np.random.Generator, n_words: int) -> str:
    ids = vocab.sample(rng, n_words * 3)
    ids = [i for i in ids if vocab.kind[i] != Vocabulary.FUNCTION][:n_words] or [len(vocab) // 2]
    return " ".join(vocab.capitalised[i] for i in ids)


def write_corpus(
    directory: Path,
    n_passages: int,
    vocab: Vocabulary,
    seed: int,
    n_queries: int = 200,
    progress=None,
) -> dict:
    """Write `n_passages` paragraphs as .md files under `directory/docs/` and
    `directory/queries.json`; returns the manifest (also written as manifest.json, last)."""
    rng = np.random.default_rng([seed, n_passages, 0xC0B5])
    directory.mkdir(parents=True, exist_ok=True)
    docs = directory / "docs"
    docs.mkdir(exist_ok=True)
    query_passages = np.sort(rng.choice(n_passages, size=n_queries, replace=n_queries > n_passages))
    query_ids: dict[int, np.ndarray] = {}
    wanted = set(query_passages.tolist())
    words_list, caps = vocab.words, vocab.capitalised
    n_words = n_files = 0
    passage = 0
    started = time.perf_counter()
    while passage < n_passages:
        n_par = min(int(rng.integers(100, 1001)), n_passages - passage)
        lengths = _paragraph_lengths(rng, n_par)
        heading_at = set(np.cumsum(rng.integers(15, 31, size=n_par // 15 + 1)).tolist())
        ids = vocab.sample(rng, int(lengths.sum()))
        tokens = [words_list[i] for i in ids.tolist()]
        numbers = rng.random(len(tokens)) < 0.012
        for j in np.flatnonzero(numbers).tolist():
            tokens[j] = str(int(rng.integers(1990, 2025))) if rng.random() < 0.6 else f"{int(rng.integers(1, 100))},{int(rng.integers(10, 100))}%"
        paragraphs = []
        start = 0
        for k, length in enumerate(lengths.tolist()):
            end = start + length
            global_k = passage + k
            if global_k in wanted:
                query_ids[global_k] = ids[start:end]
            # Sentences of 5–22 words; none shorter than 5 at the end of a paragraph.
            sentences = []
            s = start
            while s < end:
                e = min(end, s + int(rng.integers(5, 23)))
                if end - e < 5:
                    e = end
                first = caps[ids[s]]  # capitalised, and never a number (it would read as a list item)
                body = tokens[s + 1 : e]
                if len(body) > 6 and rng.random() < 0.4:
                    body[int(rng.integers(2, len(body) - 2))] += ","
                sentences.append(" ".join([first, *body]) + ".")
                s = e
            text = " ".join(sentences)
            if k in heading_at and length <= 140:
                text = f"## {_title(vocab, rng, int(rng.integers(2, 5)))}\n\n{text}"
            paragraphs.append(text)
            start = end
        n_words += int(lengths.sum())
        doc_id = f"doc-{n_files:06d}"
        date = f"{int(rng.integers(2000, 2025))}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
        front = (f"---\nid: {doc_id}\ntitle: {_title(vocab, rng, int(rng.integers(3, 8)))}\n"
                 f"source: {SOURCES[int(rng.integers(len(SOURCES)))]}\ndate: '{date}'\n---\n\n")
        sub = docs / f"{n_files // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"{doc_id}.md").write_text(front + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        n_files += 1
        passage += n_par
        if progress is not None:
            progress(passage, n_passages)

    queries = make_queries(vocab, [(int(p), query_ids[int(p)]) for p in query_passages], rng)
    (directory / "queries.json").write_text(json.dumps(queries, ensure_ascii=False, indent=0), encoding="utf-8")
    manifest = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "passages": n_passages,
        "files": n_files,
        "words": n_words,
        "vocabulary_types": len(vocab),
        "queries": len(queries),
        "seconds": round(time.perf_counter() - started, 2),
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


_QUERY_LENGTHS = np.arange(2, 9)
_QUERY_LENGTH_P = np.array([12, 22, 24, 18, 12, 7, 5], dtype=float)


def make_queries(vocab: Vocabulary, passages: list[tuple[int, np.ndarray]], rng: np.random.Generator) -> list[dict]:
    """One query per (passage number, word ids): 2–8 words as a person would type them."""
    lp = _QUERY_LENGTH_P / _QUERY_LENGTH_P.sum()
    common = np.flatnonzero((vocab.kind != Vocabulary.FUNCTION) & (np.arange(len(vocab)) < 400))
    mid = np.flatnonzero(vocab.kind != Vocabulary.FUNCTION)
    mid = mid[(mid >= 100) & (mid < 40_000)]
    out = []
    for number, ids in passages:
        length = int(rng.choice(_QUERY_LENGTHS, p=lp))
        question_word = length >= 3 and rng.random() < 0.3
        want = length - question_word
        seen: dict[int, int] = {}
        for pos, i in enumerate(ids.tolist()):
            if vocab.kind[i] != Vocabulary.FUNCTION:
                seen.setdefault(i, pos)
        content = np.array(sorted(seen, key=seen.get), dtype=np.int64)
        pool = content[(content >= 100) & (content < 40_000)]
        if pool.shape[0] < want:
            pool = content
        chosen = sorted(rng.choice(pool, size=min(want, pool.shape[0]), replace=False).tolist(), key=seen.get)
        kind = "passage"
        if chosen and rng.random() < 0.25:
            chosen[int(rng.integers(len(chosen)))] = int(rng.choice(common))
            kind = "passage+common"
        elif chosen and rng.random() < 0.1:
            chosen[int(rng.integers(len(chosen)))] = int(rng.choice(mid))
            kind = "passage+offtopic"
        words = [vocab.words[i] for i in chosen]
        if question_word:
            words.insert(0, QUESTION_WORDS[int(rng.integers(len(QUESTION_WORDS)))])
        out.append({"text": " ".join(words), "passage": number, "kind": kind})
    return out


def ensure_corpus(workdir: Path, n_passages: int, seed: int = 13, n_types: int = DEFAULT_TYPES,
                  n_queries: int = 200, log=print) -> tuple[Path, dict]:
    """The corpus directory for these parameters, generated unless already complete."""
    root = workdir / "corpora" / corpus_name(n_passages, seed, n_types)
    manifest_path = root / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("queries", 0) >= n_queries:
            return root, manifest
    shutil.rmtree(root, ignore_errors=True)
    log(f"generating {size_label(n_passages)} passages in {root} ...")
    vocab = make_vocabulary(seed, n_types)
    last = [time.perf_counter()]

    def progress(done, total):
        if time.perf_counter() - last[0] > 10:
            last[0] = time.perf_counter()
            log(f"  {done:,}/{total:,} passages written")

    manifest = write_corpus(root, n_passages, vocab, seed, n_queries, progress)
    log(f"  done: {manifest['files']} files, {manifest['words']:,} words in {manifest['seconds']} s")
    return root, manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="passages: 1k, 10k, 100k, 1m or a number")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--types", type=int, default=DEFAULT_TYPES, help="vocabulary size")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", default="/tmp/uccn-bench")
    args = parser.parse_args(argv)
    root, manifest = ensure_corpus(Path(args.workdir), parse_size(args.size), args.seed, args.types, args.queries)
    print(root / "docs")
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
