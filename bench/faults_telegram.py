"""Delivery of `uccn-bot telegram` under Bot API faults, in real time.

    python bench/faults_telegram.py                   # every scenario (about 4 minutes)
    python bench/faults_telegram.py --only outage-5 sigkill-burst
    python bench/faults_telegram.py --scale 0.15      # time-scaled, as tests/test_faults_telegram.py

The real bot process talks to the Bot API stand-in (tests/botapi_standin.py) through the
fault-injecting proxy (tests/faultproxy.py) on 127.0.0.1. Scenarios:

  outage-N       20 questions from 20 users; as soon as the bot has fetched them the API is
                 unreachable (connections refused, open ones cut) for N seconds (5, 30, 60)
  drop           the first send's response is dropped: the API got it, the bot hears nothing
                 and the connection stays open (read timeout); the same with a reset instead
                 (drop-reset); the connection reset before the request is forwarded (reset);
                 the request held and never forwarded (stall). One chat each, with a follow-up
                 question that is answered only after the first (chats are in order).
  sigkill-burst  a burst of 50 questions (10 users x 5); SIGKILL once 10 replies are out;
                 restart; every question must be answered.
  sigterm-outage 3 questions fetched, then the API unreachable; SIGTERM 3 s into the outage
                 (the bot must stop promptly), the API back, restart: all 3 answered.

For each: questions, answered, lost (no reply at all), answered only with an apology,
apologies sent (also those after an answer), duplicates (a question answered more than once)
and the longest wait for a first reply.
Exit status 1 if any question was lost or any apology was sent.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

from botapi_standin import TOKEN, BotApiStandin, BotProcess  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402

QUESTION = "Kapan Pekalongan jadi Kota Kreatif?"
FOLLOW_UP = "Kapan UCCN dibentuk?"
APOLOGY = "Maaf, terjadi kesalahan"
SCENARIOS = ["outage-5", "outage-30", "outage-60", "drop", "sigkill-burst", "sigterm-outage"]


class Rig:
    def __init__(self, work: Path, scale: float):
        self.work, self.scale = work, scale
        self.standin = BotApiStandin().start()
        self.api = self.standin.api
        self.proxy = FaultProxy(self.standin.port).start()
        self.config = work / "config.yaml"
        self.config.write_text(
            f"corpus:\n  path: {REPO / 'corpus'}\n"
            f"index:\n  cache_dir: {work / 'cache'}\n  semantic: false\n"
            f"telegram:\n  base_url: {self.proxy.base_url}\n  feedback_log: {work / 'feedback.jsonl'}\n"
            "  rate_limit: 100\n  rate_window: 60\n  poll_timeout: 10\n"
            "logging:\n  level: INFO\n", encoding="utf-8")
        self.env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, PYTHONUNBUFFERED="1",
                        UCCN_TELEGRAM_TIME_SCALE=str(scale))
        self.runs = 0
        self.bot = self.start()
        self.next_chat = 10_000

    def start(self) -> BotProcess:
        self.runs += 1
        bot = BotProcess(self.api, str(self.config), str(self.work / f"bot{self.runs}.log"), self.env)
        bot.wait_ready(timeout=300)
        return bot

    def chats(self, n: int) -> list[int]:
        self.next_chat += 1000
        return [self.next_chat + i for i in range(n)]

    def close(self) -> int:
        status = self.bot.stop()
        self.proxy.stop()
        self.standin.stop()
        return status

    def wait_handed_out(self, ids, timeout=60.0) -> None:
        deadline = time.monotonic() + timeout
        while not all(i in self.api.handed_out for i in ids) and time.monotonic() < deadline:
            time.sleep(0.005)

    def wait_replies(self, ids, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for i in ids:
            try:
                self.api.wait_reply(i, max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                pass

    def tally(self, name: str, ids: list[int], chats: list[int], started: float, settle: float = 0.0,
              **extra) -> dict:
        time.sleep(settle)  # let late duplicates or apologies show
        replies = {i: self.api.replies_to(i) for i in ids}
        answered = [i for i, r in replies.items() if any(not c.text.startswith(APOLOGY) for c in r)]
        only_apology = [i for i, r in replies.items() if r and i not in answered]
        apologies = sum(1 for chat in chats for c in self.api.sent(chat) if c.text.startswith(APOLOGY))
        firsts = [min(c.at for c in r) for r in replies.values() if r]
        answers = {i: [c for c in r if not c.text.startswith(APOLOGY)] for i, r in replies.items()}
        return {"scenario": name, "questions": len(ids), "answered": len(answered),
                "lost": sum(1 for r in replies.values() if not r), "only_apology": len(only_apology),
                "apologies": apologies, "duplicates": sum(1 for a in answers.values() if len(a) > 1),
                "longest_wait_s": round(max(firsts) - started, 1) if firsts else None, **extra}


def outage(rig: Rig, seconds: float) -> dict:
    chats = rig.chats(20)
    ids = [rig.api.send_text(chat, QUESTION) for chat in chats]
    rig.wait_handed_out(ids)
    down = seconds * rig.scale
    rig.proxy.refuse(down)
    started = time.monotonic()
    rig.wait_replies(ids, down + 120 * rig.scale + 30)
    before = sum(1 for chat in chats for c in rig.api.sent(chat) if c.at < started)
    return rig.tally(f"outage-{seconds:g}", ids, chats, started, settle=1.0, outage_s=down,
                     answered_before_the_outage=before)


def drops(rig: Rig) -> list[dict]:
    results = []
    for mode in ("drop", "drop-reset", "reset", "stall"):
        (chat,) = rig.chats(1)
        rig.proxy.fault("sendMessage", mode)
        started = time.monotonic()
        first = rig.api.send_text(chat, QUESTION)
        follow = rig.api.send_text(chat, FOLLOW_UP)
        rig.wait_replies([first, follow], 120 * rig.scale + 30)
        results.append(rig.tally(mode, [first, follow], [chat], started, settle=0.5))
    return results


def sigkill_burst(rig: Rig) -> dict:
    chats = rig.chats(10)
    ids = [rig.api.send_text(chats[i % 10], QUESTION) for i in range(50)]
    started = time.monotonic()
    deadline = started + 60
    while sum(1 for i in ids if rig.api.first_reply(i)) < 10 and time.monotonic() < deadline:
        time.sleep(0.002)
    rig.bot.proc.send_signal(signal.SIGKILL)
    rig.bot.proc.wait(30)
    rig.bot.stop()
    before = sum(1 for i in ids if rig.api.first_reply(i))
    confirmed = max((c.params.get("offset") or 0 for c in rig.api.calls_of("getUpdates")), default=0)
    rig.bot = rig.start()
    rig.wait_replies(ids, 120)
    return rig.tally("sigkill-burst", ids, chats, started, settle=1.0, answered_before_the_kill=before,
                     confirmed_before_the_kill=sum(1 for i in ids if i < confirmed))


def sigterm_outage(rig: Rig) -> dict:
    chats = rig.chats(3)
    ids = [rig.api.send_text(chat, QUESTION) for chat in chats]
    rig.wait_handed_out(ids)
    rig.proxy.refuse()
    started = time.monotonic()
    time.sleep(3 * rig.scale)
    stopping = time.monotonic()
    status = rig.bot.stop(timeout=60)
    stop_s = round(time.monotonic() - stopping, 1)
    rig.proxy.restore()
    rig.bot = rig.start()
    rig.wait_replies(ids, 60)
    return rig.tally("sigterm-outage", ids, chats, started, settle=1.0, stop_s=stop_s, stop_status=status)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="time scale for the bot and the outages")
    parser.add_argument("--only", nargs="*", choices=SCENARIOS, help="run only these scenarios")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (bot logs, journal)")
    args = parser.parse_args(argv)
    chosen = args.only or SCENARIOS
    work = Path(tempfile.mkdtemp(prefix="uccn-faults-"))
    rig = Rig(work, args.scale)
    results = []
    try:
        for name in chosen:
            if name.startswith("outage-"):
                results.append(outage(rig, float(name.split("-")[1])))
            elif name == "drop":
                results += drops(rig)
            elif name == "sigkill-burst":
                results.append(sigkill_burst(rig))
            else:
                results.append(sigterm_outage(rig))
            print(json.dumps(results[-1]), flush=True)
    finally:
        status = rig.close()
    print(f"\nuccn-bot telegram under faults, {time.strftime('%Y-%m-%d %H:%M')}, time scale {args.scale:g}, "
          f"bot exit status {status}")
    print("| fault | questions | answered | lost | only an apology | apologies | duplicates | longest wait |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['scenario']} | {r['questions']} | {r['answered']} | {r['lost']} | {r['only_apology']} "
              f"| {r['apologies']} | {r['duplicates']} | {r['longest_wait_s']} s |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.keep:
        print(f"work directory: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if any(r["lost"] or r["apologies"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
