"""Retrieval benchmark: plain rank-bm25 against uccn-bot's sparse BM25, from the seed corpus to 1M passages.

    python bench/bench_retrieval.py                          # seed corpus, 1k, 10k, 100k, 1m
    python bench/bench_retrieval.py --sizes 1k --queries 20  # smoke run (< 1 min)
    python bench/bench_retrieval.py --sizes seed,10k,100k --json /tmp/bench.json

For every size it generates (once, cached under --workdir) a synthetic Indonesian-like corpus
(`bench/synth.py`) and its queries, then measures, each phase in its own process so that peak
memory belongs to that phase alone:

  build   `open_index` on an empty cache: wall time (hashing + splitting + analysis + postings +
          writing the cache), peak RSS (VmHWM), size of the cache directory on disk.
  serve   `open_index` on the warm cache, then (b) `index.bm25.top(terms, 10)` for every query
          (the median of --repeats runs per query) and `Bot(index).answer(question)`; peak RSS.
  plain   (a) `rank_bm25.BM25Okapi(tokens).get_scores(terms)` + top-10, where `tokens` are the
          index's own analysed tokens (`index.analyzer.terms(searchable_text(passage))`) and
          `terms` the same analysed query terms; (a) and (b) are timed interleaved, query by
          query, in the same process, so machine noise hits both alike; the speed-up is
          p50(a) / p50(b) over those queries. The check compares, for every query timed, the
          top-10 of (a) and (b) (passages with score 0 left out, ties to the lower passage
          number) id by id with scores within 1e-9, and all passages' scores (max |a - b|).
  cold    `uccn-bot ask --corpus DIR --json "question"` as a fresh process with the warm
          cache (XDG_CACHE_HOME), median wall time of --cold-runs runs after one untimed run.

"seed" is the bundled corpus (`corpus/`) with 40 real questions, where the full answer path
(`Bot.answer`) is what the figures are about.

Plain rank-bm25 keeps a Python dict per passage and scores every passage for every query; at
large sizes it is timed on as many queries as fit in --plain-budget seconds (reported), and
skipped above --plain-max-passages. Nothing is extrapolated: what was not run says so.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

TOLERANCE = 1e-9
K = 10

SEED_QUESTIONS = [
    "Kapan Pekalongan menjadi Kota Kreatif UNESCO?",
    "Kapan UCCN pertama kali dibentuk?",
    "Apa saja tujuh bidang kreatif dalam jejaring kota kreatif UNESCO?",
    "Pekalongan diakui sebagai kota kreatif di bidang apa?",
    "Berapa kota yang ditetapkan bersama Pekalongan pada tahun 2015?",
    "Kota mana saja yang merekomendasikan Pekalongan kepada UNESCO?",
    "Berapa pertumbuhan ekonomi Kota Pekalongan pada tahun 2013?",
    "Siapa pimpinan tim inisiasi kota kreatif Chiang Mai?",
    "Mengapa Chiang Mai datang ke Pekalongan?",
    "Apa itu Nusantara Creative City Forum?",
    "Siapa Wali Kota Pekalongan yang membuka NCCF?",
    "Apa yang harus dilakukan pelaku UMKM agar tetap bersaing?",
    "Kota mana saja di Indonesia yang tergabung dalam jejaring kota kreatif UNESCO?",
    "Kapan Rakernas Apeksi diadakan di Malang?",
    "Berapa wali kota yang datang ke Rakernas Apeksi?",
    "Siapa Wali Kota Malang saat Rakernas Apeksi?",
    "Apa manfaat ekonomi bagi kota anggota UCCN?",
    "Apa tantangan kerja sama internasional antar kota kreatif?",
    "Apa misi jejaring kota kreatif UNESCO?",
    "Apa tujuan jejaring kota kreatif UNESCO?",
    "Apa kriteria kota kreatif bidang film?",
    "Apa kriteria kota kreatif bidang gastronomi?",
    "Apa syarat kota kreatif bidang kerajinan dan kesenian rakyat?",
    "Kota mana yang menjadi kota kreatif bidang literatur?",
    "Festival film apa yang diadakan di Turin?",
    "Bagaimana kota kreatif membantu pembangunan berkelanjutan?",
    "Apa saja pengungkit kota kreatif?",
    "Berapa persen lapangan kerja kota dari industri kreatif?",
    "Apakah keanggotaan kota kreatif UNESCO bisa dicabut?",
    "Laporan apa yang wajib diberikan kota kreatif kepada UNESCO?",
    "Lembaga nasional apa saja yang mendukung Pekalongan?",
    "Sejak kapan Pekalongan fokus mengembangkan batik?",
    "Pertukaran seniman musik apa yang diadakan tahun 2019?",
    "Proyek bersama apa yang dikerjakan kota gastronomi pada 2018?",
    "Apa hasil penelitian UNESCO tahun 2015 tentang kota kreatif?",
    "Bagaimana Malang melibatkan masyarakat dalam pembangunan kota?",
    "Siapa saja yang hadir di NCCF di Pekalongan?",
    "kota kreatif unesco pekalongan batik",
    "apa peran kota kreatif dalam ekonomi kreatif",
    "Apa yang dimaksud dengan smart city?",
]


# --- small helpers -----------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_bytes() -> int:
    """This process's peak resident set (VmHWM), in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rss_bytes(field: str = "VmRSS") -> int:
    """Current resident set (or another /proc/self/status field such as RssAnon), in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class RssSampler:
    """Samples VmRSS in a thread, to tell *when* in a phase the peak happens."""

    def __init__(self, every: float = 0.5):
        self.every, self.samples, self.mark = every, [], ""
        self._stop = threading.Event()
        self._start = time.perf_counter()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.wait(self.every):
            self.samples.append((round(time.perf_counter() - self._start, 2), rss_bytes(), self.mark,
                                 rss_bytes("RssAnon")))

    def summary(self) -> dict:
        if not self.samples:
            return {}
        t, peak, mark, _ = max(self.samples, key=lambda s: s[1])
        step = max(1, len(self.samples) // 40)
        return {"peak_at_s": t, "peak_rss": peak, "peak_during": mark,
                "peak_anon_rss": max(s[3] for s in self.samples),  # without the mmapped index files
                "timeline": [[s[0], round(s[1] / 2**20), s[2]] for s in self.samples[::step]]}


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def pct(values, q: float) -> float | None:
    return float(np.percentile(values, q)) if len(values) else None


def stats_ms(ns_values) -> dict:
    ms = np.asarray(ns_values, dtype=np.float64) / 1e6
    if not ms.size:
        return {"n": 0}
    return {"n": int(ms.size), "p50": float(np.median(ms)), "p95": pct(ms, 95), "mean": float(ms.mean()),
            "max": float(ms.max())}


def top_k_dense(scores: np.ndarray, k: int = K) -> list[tuple[int, float]]:
    """Top-k of a dense score vector: score 0 left out, best first, ties to the lower id."""
    ids = np.flatnonzero(scores)
    if ids.shape[0] > k:
        sub = scores[ids]
        kth = sub[np.argpartition(-sub, k - 1)[:k]].min()
        ids = ids[sub >= kth]
    sub = scores[ids]
    order = np.lexsort((ids, -sub))[:k]
    return [(int(ids[i]), float(sub[i])) for i in order]


def compare_top(a: list[tuple[int, float]], b: list[tuple[int, float]], tol: float = TOLERANCE) -> str:
    """'same' (ids equal, scores within tol), 'tie-order' (differs only among passages whose
    scores are within tol of each other) or 'DIFFERENT'."""
    b = [(i, s) for i, s in b if s != 0]
    if len(a) != len(b) or any(abs(sa - sb) > tol for (_, sa), (_, sb) in zip(a, b)):
        return "DIFFERENT"
    if [i for i, _ in a] == [i for i, _ in b]:
        return "same"
    for (ia, sa), (ib, sb) in zip(a, b):
        if ia != ib:
            tied_b = {i for i, s in b if abs(s - sa) <= tol}
            tied_a = {i for i, s in a if abs(s - sb) <= tol}
            if ia not in tied_b and ib not in tied_a:
                return "DIFFERENT"
    return "tie-order"


def load_queries(path: Path, n: int) -> list[str]:
    return [q["text"] for q in json.loads(path.read_text(encoding="utf-8"))[:n]]


# --- phases (each runs in its own process: `--phase NAME --phase-args JSON`) --------------


def index_settings(a: dict):
    """The project's default index settings, with passage embeddings off unless asked for."""
    from dataclasses import fields, replace

    from uccn_bot.index import IndexSettings

    settings = IndexSettings()
    if not a.get("semantic", True) and "semantic" in {f.name for f in fields(settings)}:
        settings = replace(settings, semantic=False)
    return settings


def phase_build(a: dict) -> dict:
    from uccn_bot.index import cache_key, open_index

    cache_root = Path(a["cache_root"])
    shutil.rmtree(cache_root, ignore_errors=True)
    settings = index_settings(a)
    started = time.perf_counter()
    key = cache_key(a["corpus"], settings)
    hash_s = time.perf_counter() - started
    progress_log = []
    state = {"last": time.perf_counter(), "t0": 0.0}
    tty = sys.stderr.isatty()

    def progress(done, total):
        now = time.perf_counter()
        elapsed = now - state["t0"]
        if not progress_log or now - state["last"] > (1.0 if tty else 15.0):
            state["last"] = now
            progress_log.append((round(elapsed, 2), done))
            rate = done / elapsed if elapsed else 0
            of = f"/{total:,}" if total else ""
            sys.stderr.write(f"{chr(13) if tty else '  '}indexing {done:,}{of} passages  {elapsed:6.1f} s  "
                             f"{rate:,.0f}/s  rss {rss_bytes() / 2**20:,.0f} MiB" + ("" if tty else "\n"))
            sys.stderr.flush()

    profiler = None
    if a.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
    with RssSampler() as sampler:
        state["t0"] = time.perf_counter()
        sampler.mark = "open_index"
        if profiler:
            profiler.enable()
        index = open_index(a["corpus"], settings, cache_root, progress)
        if profiler:
            profiler.disable()
        build_s = time.perf_counter() - state["t0"]
    if tty:
        sys.stderr.write("\n")
    out = {
        "build_s": build_s,
        "hash_s": hash_s,
        "passages": len(index),
        "documents": len(index.documents),
        "terms": len(index.bm25.vocab),
        "postings": int(index.bm25.postings.shape[0]),
        "protected": len(index.analyzer.protected),
        "disk_bytes": dir_size(cache_root / key),
        "disk_files": {p.name: p.stat().st_size for p in sorted((cache_root / key).iterdir())},
        "peak_rss": peak_rss_bytes(),
        "progress": progress_log[-20:],
        "memory": sampler.summary(),
    }
    if profiler:
        import pstats

        path = Path(a["profile"])
        profiler.dump_stats(path)
        out["profile"] = str(path)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        out["profile_top"] = stream.getvalue()
    return out


def _open_warm(a: dict):
    from uccn_bot.index import open_index

    rebuilt = []
    started = time.perf_counter()
    index = open_index(a["corpus"], index_settings(a), Path(a["cache_root"]), lambda d, t: rebuilt.append(d))
    load_s = time.perf_counter() - started
    if rebuilt:
        log("  warning: the cache was not warm; the index was rebuilt")
    return index, load_s, bool(rebuilt)


def phase_serve(a: dict) -> dict:
    from uccn_bot.answering import Bot

    with RssSampler() as sampler:
        sampler.mark = "load"
        index, load_s, rebuilt = _open_warm(a)
        rss_loaded = rss_bytes()
        questions = a["queries"]
        sampler.mark = "analyse queries"
        terms = [index.analyzer.terms(q) for q in questions]
        top = index.bm25.top
        for t in terms:  # warm-up: page in the postings the queries touch
            top(t, K)
        gc.collect()
        sampler.mark = "queries"
        times = np.zeros((a["repeats"], len(terms)), dtype=np.int64)
        clock = time.perf_counter_ns
        for r in range(a["repeats"]):
            for j, t in enumerate(terms):
                t0 = clock()
                top(t, K)
                times[r, j] = clock() - t0
        per_query = np.median(times, axis=0)
        results = [top(t, K) for t in terms]
        Path(a["results"]).write_text(json.dumps(results))

        sampler.mark = "answers"
        from uccn_bot.app import load_reader

        n_answer = min(len(questions), a["answer_queries"])
        reader = load_reader()
        # The same questions answered by the rules alone and with the answer model, interleaved
        # question by question so that the machine's noise falls on both alike.
        bots = {"rules": Bot(index)} | ({"reader": Bot(index, reader=lambda: reader)} if reader else {})
        first = {name: [] for name in bots}
        warm = {name: np.zeros((a["repeats"], n_answer), dtype=np.int64) for name in bots}
        answered = 0
        for q in questions[:n_answer]:
            for name, bot in bots.items():
                t0 = clock()
                ans = bot.answer(q)
                first[name].append(clock() - t0)
                answered += ans.answered if name == "rules" else 0
        for r in range(a["repeats"]):
            for j, q in enumerate(questions[:n_answer]):
                for name, bot in bots.items():
                    t0 = clock()
                    bot.answer(q)
                    warm[name][r, j] = clock() - t0
        reader_times = {f"answer_{name}_{kind}": stats_ms(v if kind == "first" else np.median(v, axis=0))
                        for name in bots if name != "rules" for kind, v in (("first", first[name]), ("warm", warm[name]))}
        first, warm = first["rules"], warm["rules"]
    n_terms = [len(t) for t in terms]
    embeddings = getattr(index, "embeddings", None)
    return {
        "load_s": load_s,
        "semantic": embeddings is not None and getattr(embeddings, "size", 0) > 0,  # passage embeddings in the index
        "rebuilt": rebuilt,
        "passages": len(index),
        "rss_after_load": rss_loaded,
        "peak_rss": peak_rss_bytes(),
        "query_terms_mean": float(np.mean(n_terms)) if n_terms else 0.0,
        "sparse": stats_ms(per_query),
        "answer_first": stats_ms(first),
        "answer_warm": stats_ms(np.median(warm, axis=0)) if n_answer else {"n": 0},
        "answered": answered,
        **reader_times,
        "slowest_question": questions[int(np.argmax(np.median(warm, axis=0)))] if n_answer else None,
        "memory": sampler.summary(),
    }


def phase_plain(a: dict) -> dict:
    import rank_bm25
    from uccn_bot.index import searchable_text

    with RssSampler() as sampler:
        sampler.mark = "load"
        index, load_s, rebuilt = _open_warm(a)
        n = len(index)
        sampler.mark = "analyse passages"
        started = time.perf_counter()
        analyzer = index.analyzer
        tokens = [analyzer.terms(searchable_text(index.passage(i))) for i in range(n)]
        analyse_s = time.perf_counter() - started
        lengths_match = bool(np.array_equal(np.fromiter(map(len, tokens), dtype=np.int64, count=n),
                                            np.asarray(index.bm25.doc_len, dtype=np.int64)))
        sampler.mark = "BM25Okapi()"
        started = time.perf_counter()
        plain = rank_bm25.BM25Okapi(tokens, k1=index.bm25.params.k1, b=index.bm25.params.b,
                                    epsilon=index.bm25.params.epsilon)
        construct_s = time.perf_counter() - started
        rss_built = rss_bytes()
        del tokens
        gc.collect()
        gc.freeze()  # millions of rank-bm25 dicts: keep the collector from rescanning them mid-timing

        questions = a["queries"]
        terms = [analyzer.terms(q) for q in questions]
        stored_b = json.loads(Path(a["results"]).read_text()) if Path(a["results"]).exists() else None
        sparse = index.bm25
        for t in terms:  # warm-up, as in the serve phase: page in the postings the queries touch
            sparse.top(t, K)
        clock = time.perf_counter_ns

        # Budget: estimate the cost of one plain query, then decide how many queries and repeats.
        sampler.mark = "queries"
        t0 = clock()
        top_k_dense(plain.get_scores(terms[0]))
        one = (clock() - t0) / 1e9
        repeats = a["repeats"]
        budget = a["budget_s"]
        if one * len(terms) * repeats > budget:
            repeats = 1
        n_q = len(terms) if one * len(terms) <= budget else max(min(10, len(terms)), int(budget / max(one, 1e-9)))
        a_ns = np.zeros((repeats, n_q), dtype=np.int64)
        b_ns = np.zeros((repeats, n_q), dtype=np.int64)
        checks = {"same": 0, "tie-order": 0, "DIFFERENT": 0}
        first_bad = None
        max_diff = 0.0
        stored_mismatch = 0
        for j in range(n_q):
            t = terms[j]
            for r in range(repeats):
                if (j + r) % 2 == 0:  # alternate which side goes first
                    t0 = clock(); dense = plain.get_scores(t); top_a = top_k_dense(dense); t1 = clock()
                    top_b = sparse.top(t, K); t2 = clock()
                    a_ns[r, j], b_ns[r, j] = t1 - t0, t2 - t1
                else:
                    t0 = clock(); top_b = sparse.top(t, K); t1 = clock()
                    dense = plain.get_scores(t); top_a = top_k_dense(dense); t2 = clock()
                    b_ns[r, j], a_ns[r, j] = t1 - t0, t2 - t1
            verdict = compare_top(top_a, top_b)
            checks[verdict] += 1
            if verdict == "DIFFERENT" and first_bad is None:
                first_bad = {"query": questions[j], "terms": t, "plain": top_a, "sparse": top_b}
            diff = np.abs(dense - sparse.get_scores(t))
            max_diff = max(max_diff, float(diff.max()) if diff.size else 0.0)
            if stored_b is not None and [tuple(x) for x in stored_b[j]] != [tuple(x) for x in top_b]:
                stored_mismatch += 1
    a_med, b_med = np.median(a_ns, axis=0), np.median(b_ns, axis=0)
    return {
        "load_s": load_s,
        "rebuilt": rebuilt,
        "analyse_s": analyse_s,
        "construct_s": construct_s,
        "tokens_match_index": lengths_match,
        "rss_after_construct": rss_built,
        "peak_rss": peak_rss_bytes(),
        "queries_timed": n_q,
        "queries_total": len(terms),
        "repeats": repeats,
        "plain": stats_ms(a_med),
        "sparse": stats_ms(b_med),
        "speedup_p50": float(np.median(a_med) / np.median(b_med)),
        "speedup_per_query_median": float(np.median(a_med / np.maximum(b_med, 1))),
        "check": checks,
        "check_ok": checks["DIFFERENT"] == 0 and lengths_match,
        "max_abs_score_diff": max_diff,
        "serve_results_mismatch": stored_mismatch,
        "first_difference": first_bad,
        "memory": sampler.summary(),
    }


PHASES = {"build": phase_build, "serve": phase_serve, "plain": phase_plain}


def run_phase(name: str, args: dict, timeout: float | None = None) -> dict:
    """Run one phase in a fresh interpreter and return its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name]
    started = time.perf_counter()
    proc = subprocess.run(cmd, input=json.dumps(args), stdout=subprocess.PIPE, text=True, timeout=timeout)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"phase {name} failed with status {proc.returncode}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = wall
    return result


# --- cold start ----------------------------------------------------------------------------


def cli_command() -> list[str]:
    exe = Path(sys.executable).with_name("uccn-bot")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "uccn_bot"]


def cold_start(corpus: Path, xdg: Path, question: str, runs: int, timeout: float, semantic: bool = True) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(xdg))
    cmd = cli_command() + ["ask", "--corpus", str(corpus), "--json", question]
    if not semantic:  # the same settings as the index the build phase made
        config = xdg / "no-semantic.yaml"
        config.write_text("index:\n  semantic: false\n", encoding="utf-8")
        cmd += ["--config", str(config)]
    before = sorted(p.name for p in (xdg / "uccn-bot").iterdir())
    times, ok = [], True
    for i in range(runs + 1):
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"skipped": f"`uccn-bot ask` took over {timeout:.0f} s: it is not using the warm cache"}
        elapsed = time.perf_counter() - t0
        if i == 0 and sorted(p.name for p in (xdg / "uccn-bot").iterdir()) != before:
            # The CLI computed another cache key (the code or its settings changed after the
            # build phase) and built a new index: timing that would not be a cold start.
            return {"skipped": "`uccn-bot ask` rebuilt the index instead of loading the warm cache"}
        try:
            json.loads(proc.stdout)
        except ValueError:
            ok = False
        if proc.returncode != 0:
            ok = False
            log(f"  uccn-bot ask failed: {proc.stderr.strip()[:300]}")
        if i:  # the first run only warms the page cache
            times.append(elapsed)
    after = sorted(p.name for p in (xdg / "uccn-bot").iterdir())
    base = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import uccn_bot.frontends.cli"], env=env, check=True)
        base.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "runs": len(times),
            "ok": ok and before == after, "cache_untouched": before == after,
            "import_only_s": statistics.median(base)}


# --- driver --------------------------------------------------------------------------------


def machine_info() -> dict:
    info = {"python": platform.python_version(), "cores": os.cpu_count(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0]
        info["memory_gib"] = round(int(mem.split()[1]) / 2**20, 1)
    except OSError:
        pass
    import rank_bm25  # noqa: F401
    from importlib.metadata import version

    info["numpy"] = np.__version__
    info["rank_bm25"] = version("rank-bm25")
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "src"],
                               capture_output=True, text=True)
        info["commit"] = rev.stdout.strip() + ("+dirty src" if dirty.stdout.strip() else "")
    except OSError:
        pass
    return info


def measure(label: str, corpus: Path, queries: list[str], args, workdir: Path, n_passages: int,
            semantic: bool = True) -> dict:
    name = corpus.parent.name if corpus.name == "docs" else corpus.name
    xdg = workdir / "cache" / name
    cache_root = xdg / "uccn-bot"
    results_path = workdir / "results" / f"{name}.sparse-top10.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    common = {"corpus": str(corpus), "cache_root": str(cache_root), "queries": queries,
              "results": str(results_path), "repeats": args.repeats, "semantic": semantic}
    row: dict = {"label": label, "corpus": str(corpus), "queries": len(queries), "semantic_setting": semantic}

    if args.reuse_index and cache_root.is_dir() and any(cache_root.iterdir()):
        log(f"[{label}] build: reusing the cache in {cache_root}")
        row["build"] = {"reused": True}
    else:
        log(f"[{label}] build ...")
        build_args = {**common}
        if args.profile_build:
            build_args["profile"] = str(workdir / "results" / f"{name}.build.prof")
        row["build"] = run_phase("build", build_args)
        b = row["build"]
        log(f"[{label}] built {b['passages']:,} passages, {b['terms']:,} terms in {b['build_s']:.1f} s, "
            f"{b['disk_bytes'] / 2**20:,.1f} MiB on disk, peak {b['peak_rss'] / 2**20:,.0f} MiB")
        if b.get("profile_top"):
            log(b["profile_top"])

    log(f"[{label}] serve: {len(queries)} queries x {args.repeats} ...")
    row["serve"] = run_phase("serve", {**common, "answer_queries": args.answer_queries})
    s = row["serve"]
    log(f"[{label}] sparse p50 {s['sparse']['p50']:.3f} ms, p95 {s['sparse']['p95']:.3f} ms; "
        f"answer p50 {s['answer_warm'].get('p50', float('nan')):.2f} ms; load {s['load_s']:.2f} s, "
        f"peak {s['peak_rss'] / 2**20:,.0f} MiB")

    if args.plain_max_passages is not None and n_passages > args.plain_max_passages:
        row["plain"] = {"skipped": f"{n_passages:,} passages > --plain-max-passages {args.plain_max_passages:,}"}
        log(f"[{label}] plain rank-bm25: skipped ({row['plain']['skipped']})")
    else:
        log(f"[{label}] plain rank-bm25 (budget {args.plain_budget:.0f} s of queries) ...")
        try:
            row["plain"] = run_phase("plain", {**common, "budget_s": args.plain_budget})
            p = row["plain"]
            log(f"[{label}] plain p50 {p['plain']['p50']:.2f} ms vs sparse {p['sparse']['p50']:.3f} ms: "
                f"x{p['speedup_p50']:.0f} on {p['queries_timed']} queries; top-10 {p['check']}, "
                f"max |diff| {p['max_abs_score_diff']:.1e}; peak {p['peak_rss'] / 2**20:,.0f} MiB")
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            row["plain"] = {"skipped": f"failed: {exc}"}
            log(f"[{label}] plain rank-bm25 failed: {exc}")

    if args.cold_runs:
        log(f"[{label}] cold start: uccn-bot ask x {args.cold_runs} ...")
        build_s = row["build"].get("build_s") or 0.0
        row["cold"] = cold_start(corpus, xdg, queries[0], args.cold_runs, max(60.0, build_s / 2), semantic)
        if "skipped" in row["cold"]:
            log(f"[{label}] cold start not measured: {row['cold']['skipped']}")
        else:
            log(f"[{label}] cold start median {row['cold']['median_s']:.2f} s "
                f"(python + import alone {row['cold']['import_only_s']:.2f} s)")
            slowest = s.get("slowest_question")
            if slowest and slowest != queries[0]:
                # The question whose answer took longest in-process (one that consults the
                # embeddings, when there are any): its cold start loads everything.
                row["cold_slowest"] = cold_start(corpus, xdg, slowest, args.cold_runs, max(60.0, build_s / 2), semantic)
                row["cold_slowest"]["question"] = slowest
                if "median_s" in row["cold_slowest"]:
                    log(f"[{label}] cold start of the slowest question ({slowest!r}) median "
                        f"{row['cold_slowest']['median_s']:.2f} s")
    return row


def fmt(v, spec: str, missing: str = "-") -> str:
    return missing if v is None else format(v, spec)


def serve_peak(s: dict) -> str:
    """Peak RSS of the serving process, with the part that is not the mmapped index files."""
    if "peak_rss" not in s:
        return "-"
    anon = s.get("memory", {}).get("peak_anon_rss")
    return f"{s['peak_rss'] / 2**20:,.0f}" + (f" ({anon / 2**20:,.0f} anon)" if anon else "")


def table(rows: list[dict]) -> str:
    head = ["size", "passages", "build s", "disk MiB", "build peak MiB", "serve peak MiB", "cold start s (slowest q)",
            "plain p50/p95 ms", "sparse p50/p95 ms", "speed-up p50", "top-10 check", "serving p50/p95 ms",
            "answer p50/p95 ms"]
    lines = [head]
    for r in rows:
        b, s, p, c = r.get("build", {}), r.get("serve", {}), r.get("plain", {}), r.get("cold", {})
        if "skipped" in p or not p:
            plain_col, sparse_col, speed, check = "not run", \
                f"{fmt(s['sparse'].get('p50'), '.3f')}/{fmt(s['sparse'].get('p95'), '.3f')}", "-", \
                "not run"
        else:
            plain_col = f"{p['plain']['p50']:.2f}/{p['plain']['p95']:.2f}"
            if p["queries_timed"] < p["queries_total"]:
                plain_col += f" ({p['queries_timed']} q)"
            sparse_col = f"{p['sparse']['p50']:.3f}/{p['sparse']['p95']:.3f}"
            speed = f"{p['speedup_p50']:.0f}x" if p["speedup_p50"] >= 10 else f"{p['speedup_p50']:.1f}x"
            ch = p["check"]
            check = (f"{'OK' if p['check_ok'] else 'FAIL'} {ch['same'] + ch['tie-order']}/{p['queries_timed']}"
                     + (f" ({ch['tie-order']} tie-order)" if ch["tie-order"] else ""))
        aw = s.get("answer_warm", {})
        lines.append([
            r["label"],
            f"{s.get('passages', b.get('passages', 0)):,}",
            "reused" if b.get("reused") else fmt(b.get("build_s"), ".1f"),
            fmt(b["disk_bytes"] / 2**20 if "disk_bytes" in b else None, ",.1f"),
            fmt(b["peak_rss"] / 2**20 if "peak_rss" in b else None, ",.0f"),
            serve_peak(s),
            fmt(c.get("median_s"), ".2f", "not run") + (f" / {r['cold_slowest']['median_s']:.2f}"
                                                        if r.get("cold_slowest", {}).get("median_s") else ""),
            plain_col,
            sparse_col,
            speed,
            check,
            f"{fmt(s.get('sparse', {}).get('p50'), '.3f')}/{fmt(s.get('sparse', {}).get('p95'), '.3f')}",
            f"{fmt(aw.get('p50'), '.2f')}/{fmt(aw.get('p95'), '.2f')}",
        ])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(str(v).ljust(w) for v, w in zip(line, widths)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="seed,1k,10k,100k,1m",
                        help="comma-separated: seed (the bundled corpus), 1k, 10k, 100k, 1m or a number of passages")
    parser.add_argument("--queries", type=int, default=200, help="queries per synthetic size (default 200)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per query; the median counts (default 3)")
    parser.add_argument("--answer-queries", type=int, default=50, help="queries also sent through Bot.answer (default 50)")
    parser.add_argument("--plain-budget", type=float, default=150.0,
                        help="seconds of plain rank-bm25 queries per size; fewer queries are timed past it (default 150)")
    parser.add_argument("--plain-max-passages", type=int, default=None,
                        help="skip plain rank-bm25 above this many passages (default: always run it)")
    parser.add_argument("--cold-runs", type=int, default=5, help="timed `uccn-bot ask` runs (default 5; 0 skips)")
    parser.add_argument("--workdir", default="/tmp/uccn-bench", help="generated corpora, caches and results")
    parser.add_argument("--rng-seed", type=int, default=13, help="seed of the synthetic corpora")
    parser.add_argument("--types", type=int, default=synth.DEFAULT_TYPES, help="vocabulary of the synthetic corpora")
    parser.add_argument("--seed-corpus", default=str(REPO / "corpus"), help="the real corpus for the 'seed' row")
    parser.add_argument("--semantic", action="store_true",
                        help="index synthetic corpora with the default settings, passage embeddings included "
                             "(up to index.semantic_max_passages; ~0.3 s a passage here). By default they are "
                             "indexed with semantic matching off: the figures are about BM25 retrieval, and "
                             "embeddings of word salad mean nothing. The seed corpus always uses the defaults.")
    parser.add_argument("--reuse-index", action="store_true", help="keep an existing index cache (build not measured)")
    parser.add_argument("--profile-build", action="store_true", help="cProfile the build phase (.prof in workdir/results)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # a child process: read arguments from stdin, print one JSON line
        result = PHASES[args.phase](json.loads(sys.stdin.read()))
        print(json.dumps(result))
        return 0

    workdir = Path(args.workdir).expanduser().resolve()
    if workdir == REPO or REPO in workdir.parents:
        parser.error("--workdir must be outside the repository")
    workdir.mkdir(parents=True, exist_ok=True)
    labels = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    started = time.perf_counter()
    report = {"machine": machine_info(), "args": {k: v for k, v in vars(args).items() if k != "phase"}, "sizes": []}
    for label in labels:
        if label == "seed":
            corpus = Path(args.seed_corpus).resolve()
            row = measure("seed", corpus, SEED_QUESTIONS, args, workdir, 0)
        else:
            n = synth.parse_size(label)
            root, manifest = synth.ensure_corpus(workdir, n, args.rng_seed, args.types, args.queries, log=log)
            queries = load_queries(root / "queries.json", args.queries)
            row = measure(synth.size_label(n), root / "docs", queries, args, workdir, n, semantic=args.semantic)
            row["corpus_manifest"] = manifest
        report["sizes"].append(row)
        if args.json:  # written after every size, so a long run leaves something behind
            Path(args.json).write_text(json.dumps(report, indent=1))
    report["total_s"] = time.perf_counter() - started
    text = table(report["sizes"])
    print()
    print(text)
    seed = next((r for r in report["sizes"] if r["label"] == "seed"), None)
    if seed:
        s, c = seed["serve"], seed.get("cold", {})
        slow = seed.get("cold_slowest", {})
        print(f"\nseed corpus, {len(SEED_QUESTIONS)} questions: Bot.answer p50 {s['answer_warm']['p50']:.2f} ms, "
              f"p95 {s['answer_warm']['p95']:.2f} ms warm (first answer p50 {s['answer_first']['p50']:.2f} ms, "
              f"p95 {s['answer_first']['p95']:.2f} ms); semantic matching {'on' if s.get('semantic') else 'off'}; "
              f"cold start of `uccn-bot ask` {fmt(c.get('median_s'), '.2f')} s"
              + (f", {slow['median_s']:.2f} s for the slowest question" if slow.get("median_s") else "")
              + f" (python + import alone {fmt(c.get('import_only_s'), '.2f')} s)")
        if "answer_reader_warm" in s:
            rw, rf = s["answer_reader_warm"], s["answer_reader_first"]
            print(f"with the answer model, the same questions side by side: p50 {rw['p50']:.2f} ms, p95 {rw['p95']:.2f} ms "
                  f"warm (first answer p50 {rf['p50']:.2f} ms, p95 {rf['p95']:.2f} ms); "
                  f"{rw['p50'] / max(s['answer_warm']['p50'], 1e-9):.1f}x the rules' p50")
    info = report["machine"]
    print(f"\n{info.get('cpu', '?')}, {info['cores']} cores, {info.get('memory_gib', '?')} GiB, Python {info['python']}, "
          f"numpy {info['numpy']}, rank-bm25 {info['rank_bm25']}, uccn-bot {info.get('commit', '?')}; "
          f"total {report['total_s']:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
        print(f"figures written to {args.json}")
    stale = [r["label"] for r in report["sizes"]
             if r.get("serve", {}).get("rebuilt") or r.get("plain", {}).get("rebuilt")]
    if stale:
        print(f"WARNING: the index had to be rebuilt after the build phase for {', '.join(stale)} (the code or "
              "settings changed mid-run?); load times and memory of those rows include a build", file=sys.stderr)
    failed = [r["label"] for r in report["sizes"] if r.get("plain", {}).get("check_ok") is False]
    if failed:
        print(f"TOP-10 CHECK FAILED for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
