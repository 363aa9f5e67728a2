"""Delivery under faults: the real `uccn-bot telegram` process, talking to the Bot API stand-in
through a fault-injecting proxy on 127.0.0.1 (tests/faultproxy.py) that refuses connections,
resets them, stalls, and drops responses (the request reaches the API, the response never
comes back). Time runs faster: UCCN_TELEGRAM_TIME_SCALE=0.15 shrinks the bot's backoff, retry
deadline and timeouts alike, and the outages are shrunk by the same factor, so "30 s" takes
4.5 s. bench/faults_telegram.py plays the same scenarios in real time (and a SIGKILL during a
burst of 50).

What must hold: no question is lost, none is answered only with an apology, and a reply whose
response was lost is resent at most once."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from botapi_standin import TOKEN, BotApiStandin, BotProcess
from faultproxy import FaultProxy

REPO = Path(__file__).resolve().parents[1]
SCALE = 0.15
QUESTION = "Kapan Pekalongan jadi Kota Kreatif?"
FOLLOW_UP = "Kapan UCCN dibentuk?"
APOLOGY = "Maaf, terjadi kesalahan"
TIMEOUT = 20


def write_config(path: Path, base_url: str, workdir: Path) -> Path:
    path.write_text(
        f"corpus:\n  path: {workdir / 'corpus'}\n"
        f"index:\n  cache_dir: {workdir / 'cache'}\n  semantic: false\n"
        f"telegram:\n  base_url: {base_url}\n  feedback_log: {workdir / 'feedback.jsonl'}\n"
        "  rate_limit: 100\n  rate_window: 60\n  poll_timeout: 10\n"
        "logging:\n  level: INFO\n",
        encoding="utf-8")
    return path


class Rig:
    """Stand-in, proxy and the bot process behind it (replaced when a test kills it)."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.standin = BotApiStandin().start()
        self.api = self.standin.api
        self.proxy = FaultProxy(self.standin.port).start()
        self.config = write_config(workdir / "faults.yaml", self.proxy.base_url, workdir)
        self.env = dict(os.environ, XDG_CACHE_HOME=str(workdir / "xdg-cache"), PYTHONUNBUFFERED="1",
                        TELEGRAM_BOT_TOKEN=TOKEN, UCCN_TELEGRAM_TIME_SCALE=str(SCALE))
        self.runs = 0
        self.bot = self.start()

    def start(self) -> BotProcess:
        self.runs += 1
        bot = BotProcess(self.api, str(self.config), str(self.workdir / f"bot{self.runs}.log"), self.env)
        bot.wait_ready(timeout=60)
        return bot

    def close(self) -> None:
        self.bot.stop()
        self.proxy.stop()
        self.standin.stop()

    def wait_handed_out(self, ids: list[int], timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not all(i in self.api.handed_out for i in ids):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot did not fetch updates {ids} within {timeout} s")
            time.sleep(0.01)

    def outcome(self, ids: list[int]) -> dict[int, list[str]]:
        """update id -> the texts of every reply quoting its message."""
        return {i: [c.text for c in self.api.replies_to(i)] for i in ids}

    def apologies(self, chats) -> list[str]:
        return [c.text for chat in chats for c in self.api.sent(chat) if c.text.startswith(APOLOGY)]


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("tg-faults")
    shutil.copytree(REPO / "corpus", workdir / "corpus")
    rig = Rig(workdir)
    yield rig
    rig.close()


def answered(texts: list[str]) -> bool:
    return any("2014" in t for t in texts)


def test_a_lost_response_is_resent_once_and_never_apologised_for(rig):
    """Each fault on the first send to a chat: response dropped (connection held, or reset),
    connection reset before forwarding, request stalled. Every question is answered, at most
    twice, and the next question of each chat is answered after it (chats are in order)."""
    api, proxy = rig.api, rig.proxy
    modes = ["drop", "drop-reset", "reset", "stall"]
    chats = [7001 + i for i in range(len(modes))]
    for mode, chat in zip(modes, chats):  # each on that chat's first send, whatever arrives first
        proxy.fault("sendMessage", mode, chat=chat)
    firsts = [api.send_text(chat, QUESTION) for chat in chats]
    follow_ups = [api.send_text(chat, FOLLOW_UP) for chat in chats]
    for update_id in follow_ups:
        assert "2004" in api.wait_reply(update_id, TIMEOUT).text
    replies = rig.outcome(firsts)
    assert all(answered(texts) and 1 <= len(texts) <= 2 for texts in replies.values()), replies
    assert not rig.apologies(chats)
    assert proxy.count("drop") + proxy.count("drop-reset") == 2 and proxy.count("stall") == proxy.count("reset") == 1


def test_questions_pending_at_a_sigkill_are_answered_after_the_restart(rig):
    """The bot fetched and confirmed 10 questions, then is killed before it could answer them
    (its sends stall): after the restart each is answered, once."""
    api, proxy = rig.api, rig.proxy
    proxy.fault("sendMessage", "stall", times=10_000)
    ids = [api.send_text(7101 + i % 5, QUESTION) for i in range(10)]
    api.wait_fetched(ids[-1], TIMEOUT)  # confirmed: Telegram will not hand them out again
    time.sleep(0.3)  # some are being answered, their sends stalled
    rig.bot.proc.send_signal(signal.SIGKILL)
    rig.bot.proc.wait(TIMEOUT)
    rig.bot.stop()
    proxy.clear()
    assert not any(rig.outcome(ids).values())  # nothing got through before the kill
    rig.bot = rig.start()
    for update_id in ids:
        api.wait_reply(update_id, TIMEOUT)
    replies = rig.outcome(ids)
    assert all(answered(texts) and len(texts) == 1 for texts in replies.values()), replies
    assert "left pending at the last stop" in rig.bot.log()


@pytest.mark.parametrize("outage", [5, 30])
def test_answers_outlive_a_bot_api_outage(rig, outage):
    """20 questions, then the Bot API is unreachable for `outage` seconds (scaled) while their
    answers are being sent: all 20 answered, no apology."""
    api, proxy = rig.api, rig.proxy
    chats = [7200 + 100 * outage + i for i in range(20)]
    ids = [api.send_text(chat, QUESTION) for chat in chats]
    rig.wait_handed_out(ids)
    proxy.refuse(outage * SCALE)
    down = time.monotonic()
    for update_id in ids:
        api.wait_reply(update_id, outage * SCALE + TIMEOUT)
    replies = rig.outcome(ids)
    assert all(answered(texts) for texts in replies.values()), replies
    assert not rig.apologies(chats)
    late = [c for chat in chats for c in api.sent(chat) if c.at > down + outage * SCALE]
    assert late, "no answer was held up by the outage: the scenario did not happen"
