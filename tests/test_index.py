"""The index cache: reused when nothing changed, rebuilt when the corpus changes or the cache is damaged."""

import json
import logging

import numpy as np
import pytest

from uccn_bot import index as index_module
from uccn_bot.index import IndexSettings, cache_key, open_index

SETTINGS = IndexSettings(semantic=False)  # embeddings are covered elsewhere; keep these fast


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.md").write_text("---\nid: a\ntitle: Pekalongan\nsource: Uji\n---\n\n"
                               "Kota Pekalongan ditetapkan sebagai Kota Kreatif UNESCO pada 1 Desember 2014.\n",
                               encoding="utf-8")
    (root / "b.txt").write_text("Malang\n\nRakernas Apeksi digelar di Kota Malang pada Juli 2017.\n", encoding="utf-8")
    return root


def test_second_open_reuses_the_cache(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = open_index(corpus, SETTINGS, cache)
    monkeypatch.setattr(index_module, "build_index", lambda *a, **k: pytest.fail("rebuilt a valid cache"))
    second = open_index(corpus, SETTINGS, cache)
    assert len(second) == len(first) and second.passage(0).text == first.passage(0).text
    assert second.bm25.top(["malang"], 1) == first.bm25.top(["malang"], 1)
    assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []  # no temp dirs left behind


def test_the_cache_keeps_the_stems_so_a_new_process_does_not_stem_again(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    built = open_index(corpus, SETTINGS, cache)
    stems = built.analyzer.stems_of(built.words)
    assert "tetap" in stems  # "ditetapkan" was stemmed while building
    loaded = open_index(corpus, SETTINGS, cache)
    assert loaded.analyzer.stems_of(loaded.words) == stems
    from uccn_bot import text
    monkeypatch.setattr(text, "_stemmer", lambda: pytest.fail("the stemmer ran for a word of the corpus"))
    assert loaded.analyzer.stem("ditetapkan") == "tetap"
    # nor for the lexicon's synonym phrases, which the build stemmed too ("kesusastraan" ~ "sastra")
    assert loaded.analyzer._synonym_table and loaded.analyzer.stem("kesusastraan") == built.analyzer.stem("kesusastraan")


def test_a_cache_without_the_synonym_stems_still_loads(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    open_index(corpus, SETTINGS, cache)
    strings_file = cache / cache_key(corpus, SETTINGS) / "strings.json"
    strings = json.loads(strings_file.read_text(encoding="utf-8"))
    del strings["more_stems"]  # as written before they were kept
    strings_file.write_text(json.dumps(strings), encoding="utf-8")
    _reseal(strings_file.parent)
    monkeypatch.setattr(index_module, "build_index", lambda *a, **k: pytest.fail("rebuilt a valid cache"))
    assert open_index(corpus, SETTINGS, cache).analyzer.stem("kesusastraan") == "susastra"


def _reseal(entry):
    """meta.json made to match the cache's files again, as a writer would have sealed them."""
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    for name, record in meta["files"].items():
        record["size"] = (entry / name).stat().st_size
        record[index_module._CHECKSUM] = index_module._file_checksum(entry / name)
    meta["checksum"] = index_module._manifest_checksum(meta)
    (entry / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def test_changing_the_corpus_or_settings_changes_the_key(corpus):
    key = cache_key(corpus, SETTINGS)
    assert cache_key(corpus, IndexSettings(semantic=False, max_words=100)) != key
    (corpus / "b.txt").write_text("Malang\n\nKota Malang berubah.\n", encoding="utf-8")
    assert cache_key(corpus, SETTINGS) != key


def test_changed_corpus_is_reindexed(corpus, tmp_path):
    cache = tmp_path / "cache"
    assert open_index(corpus, SETTINGS, cache).bm25.top(["ambon"], 1) == []
    (corpus / "c.md").write_text("Ambon\n\nAmbon adalah Kota Musik.\n", encoding="utf-8")
    assert open_index(corpus, SETTINGS, cache).bm25.top(["ambon"], 1) != []


@pytest.mark.parametrize("damage", ["truncate-array", "garbage-meta", "pickled-array", "missing-file", "wrong-shape",
                                    "bad-stems"])
def test_damaged_cache_is_rebuilt(corpus, tmp_path, caplog, damage):
    cache = tmp_path / "cache"
    good = open_index(corpus, SETTINGS, cache)
    entry = cache / cache_key(corpus, SETTINGS)
    if damage == "truncate-array":
        data = (entry / "postings.npy").read_bytes()
        (entry / "postings.npy").write_bytes(data[: len(data) // 2])
    elif damage == "garbage-meta":
        (entry / "meta.json").write_text("{not json", encoding="utf-8")
    elif damage == "pickled-array":
        np.save(entry / "weights.npy", np.array([object()], dtype=object), allow_pickle=True)
    elif damage == "missing-file":
        (entry / "strings.json").unlink()
    elif damage == "bad-stems":
        strings = json.loads((entry / "strings.json").read_text(encoding="utf-8"))
        strings["more_stems"] = ["not", "a", "table"]
        (entry / "strings.json").write_text(json.dumps(strings), encoding="utf-8")
        _reseal(entry)  # sizes and checksums made to match: the content itself must be refused
    else:
        meta = json.loads((entry / "meta.json").read_text())
        meta["passages"] += 5
        (entry / "meta.json").write_text(json.dumps(meta))
    with caplog.at_level(logging.WARNING):
        rebuilt = open_index(corpus, SETTINGS, cache)
    assert "rebuilding" in caplog.text
    assert rebuilt.bm25.top(["malang"], 1) == good.bm25.top(["malang"], 1)
    # and the rebuilt cache is good again
    assert open_index(corpus, SETTINGS, cache).passage(0).text == good.passage(0).text


def test_unwritable_cache_dir_still_answers(corpus, tmp_path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    index = open_index(corpus, SETTINGS, blocker / "cache")
    assert len(index) == 2


def test_passage_text_and_citation_survive_the_cache(corpus, tmp_path):
    cache = tmp_path / "cache"
    open_index(corpus, SETTINGS, cache)
    loaded = open_index(corpus, SETTINGS, cache)
    p = loaded.passage(0)
    assert p.document.title == "Pekalongan" and p.document.source == "Uji" and "2014" in p.text
