"""Sweep answer settings over the development sets (and optionally the external benchmarks).

Usage:
    python tools/sweep_settings.py unknown_weight=0.6,1.0 thesaurus_weight=0.3,0.5
    python tools/sweep_settings.py semantic_lift_without_span=0.5,0.75 --benchmarks ../shared/benchmarks

Why a script: every threshold in `AnswerSettings` was chosen by comparing settings side by
side on the development sets (tests/qa/dev*.yaml, Indonesian items) and checking the
external benchmarks did not fall; this reruns that comparison in one process, one index per
corpus, with `uccn_bot.evaluate` doing the scoring. The test set (tests/qa/uccn.yaml) is
deliberately not offered: it is for measuring, not for choosing.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import logging
import sys
import tempfile
from pathlib import Path

from uccn_bot import load_config, open_bot
from uccn_bot.app import load_reader
from uccn_bot.answering import AnswerSettings, Bot
from uccn_bot.evaluation.evaluate import bot_system, evaluate, load_qa

ROOT = Path(__file__).resolve().parents[1]
DEV_SETS = ("dev", "dev_hard", "dev_extra")
BENCHMARKS = {"facqa": "facqa/valid_preprocess.csv", "tydiqa": "tydiqa_id/tydiqa_valid.json",
              "idkmrc": "idk_mrc/idkmrc_valid.json"}


def grid(specs: list[str]) -> list[dict]:
    """'name=v1,v2' arguments → every combination, as AnswerSettings overrides."""
    names = {f.name: f.type for f in dataclasses.fields(AnswerSettings)}
    axes = []
    for spec in specs:
        name, _, values = spec.partition("=")
        if name not in names or not values:
            raise SystemExit(f"not a setting=values pair: {spec!r} (settings: {', '.join(sorted(names))})")
        cast = int if names[name] in (int, "int") else float
        axes.append([(name, cast(v)) for v in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)] or [{}]


class MemoModel:
    """The answer model with its readings kept per (question, sentence): settings that only
    weigh the readings differently cost no second reading."""

    def __init__(self, model):
        self.model, self.seen = model, {}

    def read(self, question: str, texts: list[str]):
        todo = list(dict.fromkeys(t for t in texts if (question, t) not in self.seen))
        if todo:
            for text, reading in zip(todo, self.model.read(question, todo)):
                self.seen[(question, text)] = reading
        return [self.seen[(question, t)] for t in texts]


def line(name: str, report) -> str:
    m = report.indonesian or report.overall
    out = f"{name}: hit@1 {m.hit1:.3f} f-decl {m.false_decline:.3f}"
    out += f" c-decl {m.correct_decline:.3f}" if m.correct_decline is not None else f" MRR {m.mrr10:.3f}"
    return out + (f" short {m.short_answer_match:.3f} (exact {m.short_answer_exact:.3f}) of {m.short_answers}"
                  f" ({m.short_answer_shown:.2f} of hits)"
                  if m.short_answers else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", nargs="*", help="name=v1,v2,... (AnswerSettings fields)")
    parser.add_argument("--benchmarks", metavar="DIR", help="also run FacQA, TyDi QA id and IDK-MRC from DIR")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions of each set")
    parser.add_argument("--no-reader", action="store_true", help="rules only (the bot without the answer model)")
    parser.add_argument("--model", metavar="NPZ", help="an answer model other than the bundled one (a candidate)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    config = load_config()
    corpora = [(name, open_bot(config), load_qa(ROOT / "tests" / "qa" / f"{name}.yaml")) for name in DEV_SETS]
    if args.benchmarks:
        from uccn_bot.evaluation.benchmarks import convert

        work = Path(tempfile.mkdtemp(prefix="uccn-sweep-"))
        for name, data in BENCHMARKS.items():
            corpus, qa = convert(name, Path(args.benchmarks) / data, work / name)
            corpora.append((name, open_bot(config.with_corpus(corpus)), load_qa(qa)))
    if args.no_reader:
        model = None
    elif args.model:
        from uccn_bot.reader import Reader

        model = Reader.load(args.model)
        if model is None:
            raise SystemExit(f"cannot load the answer model {args.model}")
    else:
        model = load_reader()
    memo = MemoModel(model) if model is not None else None
    for overrides in grid(args.settings):
        settings = dataclasses.replace(config.answer, **overrides)
        reader = None if args.no_reader else (lambda: memo)
        results = [line(name, evaluate("uccn-bot", bot_system(Bot(base.index, settings, reader=reader)),
                                       items[: args.limit] if args.limit else items))
                   for name, base, items in corpora]
        print(overrides or "defaults", *results, sep="\n  ", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
