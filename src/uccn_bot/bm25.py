"""BM25 with rank-bm25's `BM25Okapi` scores, precomputed so a query touches only its postings.

rank-bm25 scores a query by looping over every passage:

    score(q, d) = Σ_{t in q} idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
    idf(t)      = ln(N − df(t) + 0.5) − ln(df(t) + 0.5), floored at ε·mean(idf) when negative

Every factor except the query is fixed once the corpus is, so this module stores the
per-(term, passage) weight in a term → postings table (CSR). A query then adds up the
postings of its terms — repeated terms count again, as in rank-bm25 — and passages without
any query term keep rank-bm25's score of 0. `tests/test_bm25.py` and `bench/` check the
scores against rank-bm25 itself.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np


@dataclass(frozen=True)
class BM25Params:
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25  # rank-bm25's idf floor: negative idfs become ε · mean idf


@dataclass
class SparseBM25:
    """Term → (passage ids, weights) postings with BM25Okapi weights."""

    vocab: dict[str, int]
    idf: np.ndarray  # float64[n_terms]
    indptr: np.ndarray  # int64[n_terms + 1]: postings of term t are [indptr[t], indptr[t+1])
    postings: np.ndarray  # int32[nnz]: passage ids, ascending within a term
    weights: np.ndarray  # float64[nnz]
    doc_len: np.ndarray  # int32[n_docs]
    params: BM25Params

    @property
    def n_docs(self) -> int:
        return int(self.doc_len.shape[0])

    @classmethod
    def build(
        cls,
        corpus: Iterable[Sequence[str]],
        params: BM25Params = BM25Params(),
        progress: Callable[[int], None] | None = None,
    ) -> "SparseBM25":
        """Index tokenised passages, read once and one at a time. Memory stays near the size
        of the postings themselves: only (term, passage, tf) triples are kept, sorted by term,
        and the weights are computed in slices."""
        vocab: dict[str, int] = {}
        chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        buf_terms: list[np.ndarray] = []
        buf_tfs: list[np.ndarray] = []
        buf_docs: list[np.ndarray] = []
        buffered = 0
        lengths = array("i")
        n = 0

        def flush() -> None:
            chunks.append((np.concatenate(buf_terms), np.concatenate(buf_docs), np.concatenate(buf_tfs)))
            buf_terms.clear(), buf_docs.clear(), buf_tfs.clear()

        for n, tokens in enumerate(corpus, start=1):
            lengths.append(len(tokens))
            if tokens:
                ids = np.fromiter(map(lambda t: vocab.setdefault(t, len(vocab)), tokens), dtype=np.int32, count=len(tokens))
                uniq, counts = np.unique(ids, return_counts=True)
                buf_terms.append(uniq)
                buf_tfs.append(counts.astype(np.int32))
                buf_docs.append(np.full(uniq.shape[0], n - 1, dtype=np.int32))
                buffered += uniq.shape[0]
                if buffered > 2_000_000:
                    flush()
                    buffered = 0
            if progress is not None and n % 10_000 == 0:
                progress(n)
        if buf_terms:
            flush()
        if n == 0:
            raise ValueError("cannot build a BM25 index over no passages")
        if progress is not None:
            progress(n)

        term_ids = np.concatenate([c[0] for c in chunks]) if chunks else np.zeros(0, np.int32)
        order = np.argsort(term_ids, kind="stable")  # stable: passage ids stay ascending per term
        df = np.bincount(term_ids, minlength=len(vocab))
        del term_ids
        postings = np.concatenate([c[1] for c in chunks])[order] if chunks else np.zeros(0, np.int32)
        tfs = np.concatenate([c[2] for c in chunks])[order] if chunks else np.zeros(0, np.int32)
        chunks.clear()
        del order

        doc_len = np.frombuffer(lengths, dtype=np.int32).copy()
        avgdl = float(doc_len.sum()) / n
        idf = okapi_idf(df, n, params.epsilon)
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        norm = params.k1 * (1 - params.b + params.b * doc_len / avgdl) if avgdl else np.full(n, params.k1)
        term_of = np.repeat(np.arange(len(vocab), dtype=np.int32), df)
        weights = np.empty(postings.shape[0], dtype=np.float64)
        step = 4_000_000
        for lo in range(0, postings.shape[0], step):
            hi = lo + step
            tf = tfs[lo:hi].astype(np.float64)
            weights[lo:hi] = idf[term_of[lo:hi]] * (tf * (params.k1 + 1) / (tf + norm[postings[lo:hi]]))
        return cls(vocab, idf, indptr, postings, weights, doc_len, params)

    def query_ids(self, terms: Iterable[str]) -> dict[int, int]:
        """Known query terms as {term id: how many times it occurs}."""
        counts: dict[int, int] = {}
        for term in terms:
            tid = self.vocab.get(term)
            if tid is not None:
                counts[tid] = counts.get(tid, 0) + 1
        return counts

    def scores(self, terms: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """(passage ids, scores) of every passage holding at least one query term."""
        counts = self.query_ids(terms)
        if not counts:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        spans = [(self.indptr[t], self.indptr[t + 1], m) for t, m in counts.items()]
        total = sum(int(e - s) for s, e, _ in spans)
        if total * 8 < self.n_docs:
            # Few postings: gather and sum them (sorting costs less than touching every passage).
            ids = np.concatenate([self.postings[s:e] for s, e, _ in spans])
            w = np.concatenate([self.weights[s:e] * m if m != 1 else self.weights[s:e] for s, e, m in spans])
            if len(spans) == 1:
                return ids, w
            uniq, inverse = np.unique(ids, return_inverse=True)
            return uniq, np.bincount(inverse, weights=w, minlength=uniq.shape[0])
        dense = np.zeros(self.n_docs)
        for s, e, m in spans:
            dense[self.postings[s:e]] += self.weights[s:e] * m  # postings of one term are unique
        touched = np.zeros(self.n_docs, dtype=bool)
        for s, e, _ in spans:
            touched[self.postings[s:e]] = True
        ids = np.flatnonzero(touched).astype(np.int32)
        return ids, dense[ids]

    def top(self, terms: Iterable[str], k: int = 10) -> list[tuple[int, float]]:
        """The k best (passage id, score) pairs, best first; ties go to the earlier passage."""
        ids, scores = self.scores(terms)
        if ids.shape[0] == 0:
            return []
        if ids.shape[0] > k:
            keep = np.argpartition(-scores, k - 1)[:k]
            # Passages tied with the k-th score may sit outside `keep`; include them all.
            kth = scores[keep].min()
            keep = np.flatnonzero(scores >= kth)
            ids, scores = ids[keep], scores[keep]
        order = np.lexsort((ids, -scores))[:k]
        return [(int(ids[i]), float(scores[i])) for i in order]

    def get_scores(self, terms: Sequence[str]) -> np.ndarray:
        """Scores of all passages, like rank-bm25's `get_scores` (for checks, not for serving)."""
        out = np.zeros(self.n_docs)
        ids, scores = self.scores(terms)
        out[ids] = scores
        return out


def okapi_idf(df: np.ndarray, n_docs: int, epsilon: float) -> np.ndarray:
    """rank-bm25's BM25Okapi idf, floor included."""
    df = df.astype(np.float64)
    idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
    if idf.shape[0]:
        floor = epsilon * (idf.sum() / idf.shape[0])
        idf = np.where(idf < 0, floor, idf)
    return idf
