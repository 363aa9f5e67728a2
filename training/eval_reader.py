"""Valid-split figures of the shipped reader through the numpy runtime (src/uccn_bot/reader.py).

    .venv/bin/python training/eval_reader.py                 # the bundled model, all valid questions
    .venv/bin/python training/eval_reader.py --limit 200     # quicker, a fixed sample per split
    .venv/bin/python training/eval_reader.py --parity runs/reader/ckpt_full_s6_j1.pt   # needs torch

Per split (IDK-MRC valid, TyDi QA id valid, FacQA valid), each question read against all sentences of its
context (FacQA: its one passage):
- question AUC: answerable vs unanswerable, by the highest sentence score (IDK-MRC only: TyDi/FacQA have none)
- gold first: the sentence holding the answer is ranked first (answerable questions)
- span EM / F1 (SQuAD normalisation, best over gold answers): the span of the top-ranked sentence ("e2e"), and
  the span read in the gold sentence ("gold sentence")
- unanswerable questions whose best sentence scores under 0.5 (IDK-MRC)
--typed lower: every question lower-cased without its closing "?" first, as many people type them (a model
trained on the benchmarks' capitalised questions may read those very differently; docs/reader.md).
--dev: the development files instead (tests/qa/dev*.yaml, Indonesian questions, never the test set): every
answerable question whose first passage (`Bot.search` on the bundled corpus) holds its answer against every
unanswerable question, by the best reading over the sentences of that first passage, the question as the bot
gives it to the model (standard spelling, a question word typed last put first). The own domain's
answerability, which the valid splits do not show (docs/reader.md).
--parity CKPT also runs the PyTorch model of that checkpoint on the same pairs and prints the max abs
difference of the scores (probabilities) against the numpy runtime.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from training.data import BENCH, valid_questions  # noqa: E402
from uccn_bot.reader import QUESTION_FORMS, Reader, question_form  # noqa: E402


def auc(y, s) -> float:
    y = np.asarray(y)
    s = np.asarray(s, dtype=np.float64)
    pos, neg = s[y == 1], s[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    gt = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(gt / (len(pos) * len(neg)))


def norm_answer(s: str) -> str:
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    return " ".join(s.split())


def f1(pred: str, gold: str) -> float:
    p, g = norm_answer(pred).split(), norm_answer(gold).split()
    common = Counter(p) & Counter(g)
    n = sum(common.values())
    if not p or not g or n == 0:
        return float(p == g)
    pr, rc = n / len(p), n / len(g)
    return 2 * pr * rc / (pr + rc)


def em(pred: str, gold: str) -> float:
    return float(norm_answer(pred) == norm_answer(gold))


def evaluate(reader: Reader, vqs, name: str) -> dict:
    ys, best, hits = [], [], []
    e2e_em, e2e_f1, g_em, g_f1, unans_low = [], [], [], [], []
    t0 = time.time()
    for v in vqs:
        rs = reader.read(v.question, v.texts)
        sc = [r.score for r in rs]
        top = int(np.argmax(sc))
        best.append(max(sc))
        ys.append(0 if v.gold is None else 1)
        if v.gold is None:
            unans_low.append(max(sc) < 0.5)
            continue
        hits.append(top == v.gold)
        for r, t, E, F in ((rs[top], v.texts[top], e2e_em, e2e_f1), (rs[v.gold], v.texts[v.gold], g_em, g_f1)):
            pred = t[r.span[0] : r.span[1]] if r.span else ""
            E.append(max(em(pred, a) for a in v.answers))
            F.append(max(f1(pred, a) for a in v.answers))
    out = {
        "questions": len(vqs),
        "answerable": int(sum(ys)),
        "question_auc": auc(ys, best),
        "gold_first": float(np.mean(hits)) if hits else float("nan"),
        "span_em_e2e": float(np.mean(e2e_em)) if e2e_em else float("nan"),
        "span_f1_e2e": float(np.mean(e2e_f1)) if e2e_f1 else float("nan"),
        "span_em_gold_sentence": float(np.mean(g_em)) if g_em else float("nan"),
        "span_f1_gold_sentence": float(np.mean(g_f1)) if g_f1 else float("nan"),
        "unanswerable_below_0.5": float(np.mean(unans_low)) if unans_low else float("nan"),
        "seconds": time.time() - t0,
    }
    print(f"{name}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in out.items()),
          flush=True)
    return out


def parity(reader: Reader, ckpt: Path, vqs, n: int = 40) -> float:
    """Max abs difference of scores (probabilities): PyTorch model of ckpt vs the numpy runtime."""
    import torch

    from training.model import JointReader, Lower

    st = torch.load(ckpt, weights_only=False)
    e5 = reader.e5
    model = JointReader(e5, st["level"], st["joint"])
    model.load_state_dict(st["model"])
    model.eval()
    lower = Lower(e5, st["level"])
    tok = reader.tok
    diff = 0.0
    for v in vqs[:n]:
        q = [tok.bos] + tok.encode(v.question)[0][: reader.max_q] + [tok.eos]
        ts = [[tok.bos] + tok.encode(t)[0][: reader.max_t] + [tok.eos] for t in v.texts]
        with torch.no_grad():
            qs = lower([q])[0]
            tst = lower(ts)
            L = len(q) + max(len(t) for t in ts)
            x = torch.zeros(len(ts), L, qs.shape[1])
            mask = torch.zeros(len(ts), L, dtype=torch.bool)
            for i, t in enumerate(tst):
                x[i, : len(q)] = qs
                x[i, len(q) : len(q) + len(t)] = t
                mask[i, : len(q) + len(t)] = True
            sc, _, _ = model(x, mask)
        p_torch = torch.sigmoid(sc).numpy()
        p_np = np.array([r.score for r in reader.read(v.question, v.texts)])
        diff = max(diff, float(np.abs(p_torch - p_np).max()))
    print(f"parity ({min(n, len(vqs))} questions): max |score_torch - score_numpy| = {diff:.2e}")
    return diff


def latency(reader: Reader, vqs, runs: int = 40) -> dict:
    """Median ms (wall and CPU) to read 8 sentences of 35-45 tokens for one question, in one call."""
    sents = [t for v in vqs for t in v.texts if 35 <= len(reader.tok.encode(t)[0]) <= 45]
    qs = [v.question for v in vqs]
    rng = random.Random(0)
    wall, cpu = [], []
    for i in range(runs):
        texts = rng.sample(sents, 8)
        t, c = time.perf_counter(), time.process_time()
        reader.read(qs[i], texts)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    ms = lambda v: 1e3 * float(np.median(v))  # noqa: E731
    out = {"ms_median": ms(wall), "cpu_ms_median": ms(cpu), "ms_p90": 1e3 * float(np.percentile(wall, 90))}
    print("latency, 8 sentences of 35-45 tokens: " + ", ".join(f"{k} {v:.1f}" for k, v in out.items()), flush=True)
    return out


def dev_auc(reader: Reader, sets=("dev", "dev_hard", "dev_extra")) -> dict:
    """The development files' answerability AUC (see --dev), with the median best reading of each side."""
    import logging

    from uccn_bot import load_config, open_bot
    from uccn_bot.answering import Bot
    from uccn_bot.answering.question import parse_question
    from uccn_bot.evaluation.evaluate import is_hit, load_qa

    logging.disable(logging.WARNING)
    bot = Bot(open_bot(load_config()).index, reader=None)
    ys, scores = [], []
    for name in sets:
        for item in load_qa(ROOT / "tests" / "qa" / f"{name}.yaml"):
            if item.kind == "english":
                continue
            hits = bot.search(item.q, 1)
            if not hits or (item.answerable and not is_hit(item, hits[0].passage.doc_id, hits[0].passage.text)):
                continue
            question = bot.reader.standard_question(parse_question(" ".join(item.q.split()), bot.index))
            sentences = [t for t in bot.reader.analyses(bot.index.passage_number(hits[0].passage)).sentences if t.strip()]
            ys.append(int(item.answerable))
            scores.append(max(r.score for r in reader.read(question, sentences)))
    y, s = np.array(ys), np.array(scores)
    out = {"questions": len(y), "answerable": int(y.sum()), "auc": auc(y, s),
           "median_answerable": float(np.median(s[y == 1])), "median_unanswerable": float(np.median(s[y == 0]))}
    print(f"development files: {out['answerable']} answerable (first passage holds the answer) vs "
          f"{len(y) - out['answerable']} unanswerable: AUC {out['auc']:.3f}, median best reading "
          f"{out['median_answerable']:.3f} / {out['median_unanswerable']:.3f}", flush=True)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=None, help="model file (default: the bundled one)")
    ap.add_argument("--bench", type=Path, default=BENCH)
    ap.add_argument("--limit", type=int, default=0, help="fixed random sample of this many questions per split")
    ap.add_argument("--splits", default="idk_mrc,tydiqa,facqa")
    ap.add_argument("--parity", type=Path, default=None, help="a training checkpoint to compare against")
    ap.add_argument("--typed", choices=QUESTION_FORMS, default="as typed",
                    help="lower: the questions lower-cased, without the closing '?' (as people often type)")
    ap.add_argument("--latency", action="store_true", help="also time reading 8 sentences for one question")
    ap.add_argument("--dev", action="store_true", help="the development files' answerability AUC instead")
    args = ap.parse_args(argv)
    reader = Reader.load(args.model)
    if reader is None:
        sys.exit("no reader (see the warning above)")
    if args.dev:
        return {"dev": dev_auc(reader)}
    vq = valid_questions(args.bench)
    res = {}
    for name in [s for s in args.splits.split(",") if s]:
        qs = vq[name]
        if args.limit and len(qs) > args.limit:
            qs = random.Random(1).sample(qs, args.limit)
        qs = [replace(v, question=question_form(v.question, args.typed)) for v in qs]
        res[name] = evaluate(reader, qs, name)
    if args.parity:
        parity(reader, args.parity, vq["idk_mrc"])
    if args.latency:
        latency(reader, vq["idk_mrc"])
    return res


if __name__ == "__main__":
    main()
