"""The sparse BM25 must score exactly as rank-bm25's BM25Okapi does."""

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from uccn_bot.bm25 import SparseBM25


def random_corpus(seed: int, n_docs: int = 800, vocab: int = 400):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    weights = [1 / (i + 1) for i in range(vocab)]  # Zipf-like, so some idfs go negative
    docs = [rng.choices(words, weights, k=rng.randint(0, 60)) for _ in range(n_docs)]
    return rng, words, docs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_match_rank_bm25(seed):
    rng, words, docs = random_corpus(seed)
    reference, sparse = BM25Okapi(docs), SparseBM25.build(docs)
    for _ in range(100):
        query = rng.choices(words, k=rng.randint(1, 6)) + ["never-seen"]
        query += query[:1]  # a repeated term counts twice, as in rank-bm25
        np.testing.assert_allclose(sparse.get_scores(query), reference.get_scores(query), rtol=0, atol=1e-9)


def test_top_k_is_rank_bm25_order_with_ties_to_the_earlier_passage():
    rng, words, docs = random_corpus(7)
    reference, sparse = BM25Okapi(docs), SparseBM25.build(docs)
    for _ in range(50):
        query = rng.choices(words, k=3)
        scores = reference.get_scores(query)
        expected = [i for i in np.lexsort((np.arange(len(docs)), -scores)) if scores[i] > 0][:10]
        assert [i for i, _ in sparse.top(query, 10)] == expected


def test_duplicate_documents_tie_in_order():
    sparse = SparseBM25.build([["a", "b"], ["c"], ["a", "b"], ["a", "b"]])
    assert [i for i, _ in sparse.top(["a"], 2)] == [0, 2]


def test_unknown_terms_and_empty_corpus():
    sparse = SparseBM25.build([["a"], ["b"]])
    assert sparse.top(["zzz"], 5) == []
    with pytest.raises(ValueError):
        SparseBM25.build([])
