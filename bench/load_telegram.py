"""Load test of `uccn-bot telegram`: the real bot process against a local Bot API stand-in.

    python bench/load_telegram.py                      # 50 users x 20 questions, burst
    python bench/load_telegram.py --mode closed        # each user waits for the answer first
    python bench/load_telegram.py --mode paced --rate 20   # 20 questions a second in total
    python bench/load_telegram.py --users 10 --questions 5 --json /tmp/load.json

The stand-in (tests/botapi_standin.py) serves the Bot API on 127.0.0.1; the bot is started as
`python -m uccn_bot telegram` with `telegram.base_url` pointing at it, exactly as in production
except for the address. The questions are the real ones of tests/qa/*.yaml (answerable and
unanswerable), spread over the users.

  burst   every user sends all their questions at once (interleaved across users), so the bot
          gets them as fast as getUpdates hands them out (up to 100 per call);
  closed  every user sends a question, waits for the reply, then sends the next;
  paced   the questions arrive at --rate per second in total (interleaved across users), to
          show the latency below saturation.

Latency is measured per question, inside the stand-in, from the moment getUpdates hands the
update to the bot to the moment the first sendMessage replying to it arrives (the bot quotes
the question it answers). A question without a reply within --timeout is lost. The rate limit
is set to exactly the questions per user (20 in a 60 s window by default), so legitimate
traffic at the limit must not be throttled. The exit status is 1 if anything was lost, throttled
or answered with an apology.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

from botapi_standin import TOKEN, BotApiStandin, BotProcess  # noqa: E402

APOLOGY_START = "Maaf, terjadi kesalahan"
THROTTLED = "terlalu banyak pertanyaan"


def questions() -> list[str]:
    """The questions of the Q&A files, test set first."""
    found = []
    for name in ("uccn.yaml", "dev.yaml", "dev_hard.yaml"):
        path = REPO / "tests" / "qa" / name
        if path.exists():
            found += [item["q"] for item in yaml.safe_load(path.read_text(encoding="utf-8")) if item.get("q")]
    return found


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores{', ' + model if model else ''}; {platform.system()} {platform.release()}; " \
           f"Python {platform.python_version()}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20, help="questions per user")
    parser.add_argument("--mode", choices=["burst", "closed", "paced"], default="burst")
    parser.add_argument("--rate", type=float, default=20.0, help="questions per second in total (--mode paced)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the last reply")
    parser.add_argument("--cache-dir", help="index cache (default: the usual one, so a warm cache is reused)")
    parser.add_argument("--no-semantic", action="store_true", help="BM25 only (index.semantic: false)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--answer", action="append", default=[], metavar="NAME=VALUE",
                        help="an answer setting for the bot (answer.NAME in its config), e.g. reader_sentences=3; repeatable")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (bot log, feedback log)")
    args = parser.parse_args(argv)

    from uccn_bot.index import default_cache_dir

    work = Path(tempfile.mkdtemp(prefix="uccn-load-"))
    pool = questions()
    total = args.users * args.questions
    with BotApiStandin() as standin:
        api = standin.api
        config = work / "config.yaml"
        config.write_text(
            f"index:\n  cache_dir: {args.cache_dir or default_cache_dir()}\n"
            + ("  semantic: false\n" if args.no_semantic else "")
            + f"telegram:\n  base_url: {standin.base_url}\n  feedback_log: {work / 'feedback.jsonl'}\n"
            f"  rate_limit: {args.questions}\n  rate_window: 60\n  poll_timeout: 10\n"
            "logging:\n  level: WARNING\n"
            + ("answer:\n" + "".join(f"  {name}: {value}\n" for name, _, value in (a.partition("=") for a in args.answer))
               if args.answer else ""), encoding="utf-8")
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN)
        started = time.monotonic()
        bot = BotProcess(api, str(config), str(work / "bot.log"), env)
        try:
            bot.wait_ready(timeout=600)  # a cold cache builds the index (and its embeddings) first
            startup = time.monotonic() - started
            warm = api.send_text(999_999, pool[0])  # loads lazily initialised parts; not counted
            api.wait_reply(warm, 60)

            users = [1_000 + u for u in range(args.users)]
            plan = {u: [pool[(i * args.questions + j) % len(pool)] for j in range(args.questions)]
                    for i, u in enumerate(users)}
            pushed: dict[int, tuple[int, float]] = {}  # update id -> (user, push time)
            t0 = time.monotonic()
            if args.mode in ("burst", "paced"):
                n = 0
                for j in range(args.questions):
                    for u in users:
                        if args.mode == "paced":
                            time.sleep(max(0.0, t0 + n / args.rate - time.monotonic()))
                        update_id = api.send_text(u, plan[u][j])
                        pushed[update_id] = (u, time.monotonic())
                        n += 1
            else:
                lock = threading.Lock()

                def user_loop(u: int) -> None:
                    for text in plan[u]:
                        update_id = api.send_text(u, text)
                        with lock:
                            pushed[update_id] = (u, time.monotonic())
                        try:
                            api.wait_reply(update_id, args.timeout)
                        except TimeoutError:
                            return

                threads = [threading.Thread(target=user_loop, args=(u,)) for u in users]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            deadline = time.monotonic() + args.timeout
            for update_id in pushed:
                try:
                    api.wait_reply(update_id, max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    pass
            replies = {update_id: api.first_reply(update_id) for update_id in pushed}
            sending_done = time.monotonic()
        finally:
            status = bot.stop()
    bot_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    bot_cpu_s = bot_cpu.ru_utime + bot_cpu.ru_stime

    latencies, since_push, lost, apologies, throttled, declined = [], [], [], 0, 0, 0
    for update_id, call in replies.items():
        if call is None:
            lost.append(update_id)
            continue
        latencies.append(call.at - api.handed_out[update_id])
        since_push.append(call.at - pushed[update_id][1])
        apologies += call.text.startswith(APOLOGY_START)
        throttled += THROTTLED in call.text.lower()
        declined += "/help" in call.text and not call.buttons
    last_reply = max((c.at for c in replies.values() if c is not None), default=t0)
    first_out = min((api.handed_out[u] for u in replies if u in api.handed_out), default=t0)
    span = last_reply - first_out
    figures = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "mode": args.mode,
        "rate_per_s": args.rate if args.mode == "paced" else None,
        "users": args.users,
        "questions": total,
        "semantic": not args.no_semantic,
        "answered": len(latencies),
        "lost": len(lost),
        "declined": declined,
        "apologies": apologies,
        "throttled": throttled,
        "latency_p50_ms": round(1000 * percentile(latencies, 0.50), 1),
        "latency_p95_ms": round(1000 * percentile(latencies, 0.95), 1),
        "latency_max_ms": round(1000 * max(latencies, default=float("nan")), 1),
        "push_to_reply_p50_ms": round(1000 * percentile(since_push, 0.50), 1),
        "push_to_reply_p95_ms": round(1000 * percentile(since_push, 0.95), 1),
        "throughput_per_s": round(len(latencies) / span, 1) if span > 0 else None,
        "wall_s": round(sending_done - t0, 2),
        "startup_s": round(startup, 2),
        "exit_status": status,
        "latency_mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else None,
        "bot_cpu_s": round(bot_cpu_s, 1),  # start-up and warm-up included
    }
    print(f"uccn-bot telegram load test, {figures['date']}, {figures['machine']}")
    rate = f" at {args.rate:g}/s" if args.mode == "paced" else ""
    print(f"mode {args.mode}{rate}: {args.users} users x {args.questions} questions = {total} "
          f"(semantic {'on' if figures['semantic'] else 'off'}; bot ready in {figures['startup_s']} s)")
    print(f"answered {figures['answered']}/{total} (declined {declined}), lost {figures['lost']}, "
          f"apologies {apologies}, throttled {throttled}")
    print(f"update -> reply: p50 {figures['latency_p50_ms']} ms, p95 {figures['latency_p95_ms']} ms, "
          f"max {figures['latency_max_ms']} ms")
    print(f"push -> reply:   p50 {figures['push_to_reply_p50_ms']} ms, p95 {figures['push_to_reply_p95_ms']} ms")
    print(f"throughput {figures['throughput_per_s']} answers/s ({figures['wall_s']} s wall); "
          f"bot CPU {figures['bot_cpu_s']} s; bot exit status {status}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if args.keep:
        print(f"work directory: {work}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 1 if lost or apologies or throttled or status != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
