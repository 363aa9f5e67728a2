"""`uccn-bot telegram` end to end: the real process, pointed by `telegram.base_url` at a
Bot API stand-in on 127.0.0.1 (tests/botapi_standin.py). Tests push updates to the stand-in
and assert on what the bot sends back; nothing touches the internet. One bot process serves
most tests (each uses its own user ids); start-up, shutdown, token and webhook tests run
their own."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from botapi_standin import TOKEN, BotApiStandin, BotProcess

REPO = Path(__file__).resolve().parents[1]
QUESTION = "Kapan Pekalongan jadi Kota Kreatif?"
UNANSWERABLE = "Berapa harga tiket pesawat ke Bali?"
ADMIN = 1001
RATE_LIMIT = 5
TIMEOUT = 15  # generous: a slow CI machine; every wait ends as soon as the reply arrives

NEW_ARTICLE = """---
id: uji-kota-zamrud
title: Kota Zamrud Resmi Jadi Kota Kreatif
source: Warta Uji
date: '2031-05-02'
url: https://example.org/zamrud
---

Kota Zamrud ditetapkan sebagai Kota Kreatif UNESCO bidang gastronomi pada 2 Mei 2031 bersama dua belas kota lain.

Wali Kota Zamrud menyambut penetapan itu dengan festival kuliner selama sepekan.
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tg-e2e")
    shutil.copytree(REPO / "corpus", root / "corpus")
    return root


def write_config(path: Path, base_url: str, workdir: Path, telegram: str = "") -> Path:
    path.write_text(
        f"corpus:\n  path: {workdir / 'corpus'}\n"
        f"index:\n  cache_dir: {workdir / 'cache'}\n  semantic: false\n"
        f"telegram:\n  base_url: {base_url}\n  feedback_log: {workdir / 'feedback.jsonl'}\n"
        f"  admins: [{ADMIN}]\n  rate_limit: {RATE_LIMIT}\n  rate_window: 60\n  poll_timeout: 10\n{telegram}"
        "logging:\n  level: INFO\n",
        encoding="utf-8")
    return path


def bot_env(workdir: Path, token: str | None = TOKEN) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(workdir / "xdg-cache"), PYTHONUNBUFFERED="1")
    env.pop("TELEGRAM_BOT_TOKEN", None)
    if token is not None:
        env["TELEGRAM_BOT_TOKEN"] = token
    return env


@pytest.fixture(scope="module")
def standin():
    with BotApiStandin() as server:
        yield server


@pytest.fixture(scope="module")
def bot_process(standin, workdir):
    """The bot process every test below shares (verbose: -vv logs at DEBUG, so the test at the
    end checks the token never appears even there)."""
    config = write_config(workdir / "bot.yaml", standin.base_url, workdir)
    process = BotProcess(standin.api, str(config), str(workdir / "bot.log"), bot_env(workdir), args=("-vv",))
    try:
        process.wait_ready(timeout=TIMEOUT)
    except BaseException:
        process.stop()
        raise
    yield process
    status = process.stop()
    log = process.log()
    assert status == 0, log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert log.count("Traceback") == log.count("error while handling update"), log  # only from the error handler


def ask(api, user: int, text: str, **kw):
    """Send `text` as `user`; return the first reply to it."""
    return api.wait_reply(api.send_text(user, text, **kw), TIMEOUT)


def wait_processed(api, user: int, answer_call) -> None:
    """Wait until the bot has handled everything `user` sent so far: updates of one chat are
    handled in order, so a button pressed now is answered only after all of them."""
    message = api.stored_message(answer_call.params["chat_id"], answer_call.result["message_id"])
    query = api.press(user, message, "up")
    api.wait_call(lambda c: c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query, TIMEOUT)


# --- the acceptance checks ---------------------------------------------------------------------


def test_start(bot_process, standin):
    reply = ask(standin.api, 11, "/start")
    assert "Halo" in reply.text and "Kapan Pekalongan menjadi Kota Kreatif UNESCO?" in reply.text


def test_question_is_answered_with_2014_and_the_source(bot_process, standin):
    reply = ask(standin.api, 12, QUESTION)
    assert "2014" in reply.text and "Liputan6.com" in reply.text
    assert "<b>" in reply.params["text"] and reply.params["parse_mode"] == "HTML"
    assert [b["text"] for b in reply.buttons] == ["Jawaban lain", "👍", "👎"]


def test_unanswerable_question_is_declined_kindly(bot_process, standin):
    reply = ask(standin.api, 13, UNANSWERABLE)
    assert "Maaf" in reply.text and "/help" in reply.text and not reply.buttons


def test_sticker_photo_and_voice_get_asked_for_text(bot_process, standin):
    api = standin.api
    for push in (api.send_sticker, api.send_photo, api.send_voice):
        reply = api.wait_reply(push(14), TIMEOUT)
        assert "kirim pertanyaan dalam bentuk teks" in reply.text


def test_markup_and_ampersand_in_a_question(bot_process, standin):
    api = standin.api
    for text in ("Apa itu <b>UCCN</b> & kota kreatif?", "<b>Kapan</b> & Pekalongan jadi Kota Kreatif?", "a <i> & b"):
        reply = ask(api, 15, text)
        assert reply.error is None  # the stand-in parses the HTML the way Telegram does
    assert not [c for c in api.calls_of("sendMessage", 15) if c.error]


def test_very_long_question_is_cut_politely(bot_process, standin):
    reply = ask(standin.api, 16, QUESTION + " " + "mohon dijelaskan dengan rinci " * 200)
    assert "sangat panjang" in reply.text and len(reply.params["text"]) <= 4096


def test_more_button_and_thumbs_up(bot_process, standin, workdir):
    api = standin.api
    answer = ask(api, 17, QUESTION)
    message = api.stored_message(17, answer.result["message_id"])
    mark = len(api.calls)
    query = api.press(17, message, "more")
    edit = api.wait_call(lambda c: c.method == "editMessageText", TIMEOUT, after=mark)
    assert edit.error is None and edit.params["message_id"] == answer.result["message_id"]
    assert edit.text != answer.text and "—" in edit.text  # another passage, with its citation
    api.wait_call(lambda c: c.method == "answerCallbackQuery" and c.params["callback_query_id"] == query, TIMEOUT)

    query = api.press(17, api.stored_message(17, answer.result["message_id"]), "up")
    ack = api.wait_call(lambda c: c.method == "answerCallbackQuery" and c.params["callback_query_id"] == query, TIMEOUT)
    assert ack.error is None and "Terima kasih" in ack.params["text"]
    entries = [json.loads(line) for line in (workdir / "feedback.jsonl").read_text(encoding="utf-8").splitlines()]
    (vote,) = [e for e in entries if e["verdict"] == "up" and e["question"] == QUESTION]
    assert vote["passage_id"] and vote["user"] != "17" and vote["chat_type"] == "private"


def test_flood_from_one_user_gets_exactly_one_notice(bot_process, standin):
    api = standin.api
    ids = [api.send_text(18, f"{QUESTION} ({i})") for i in range(3 * RATE_LIMIT)]
    first = api.wait_reply(ids[0], TIMEOUT)
    wait_processed(api, 18, first)
    replies = api.sent(18)
    notices = [c for c in replies if "terlalu banyak pertanyaan" in c.text.lower()]
    assert len(notices) == 1 and "coba lagi sebentar lagi" in notices[0].text.lower()
    assert len(replies) == RATE_LIMIT + 1
    assert api.update_of(18, notices[0].quoted) == ids[RATE_LIMIT]  # the first message over the limit
    assert ask(api, 19, QUESTION).error is None  # other users are unaffected


def test_group_chat_answers_only_what_is_meant_for_the_bot(bot_process, standin):
    api = standin.api
    group = api.group_chat(-100777)
    ignored = api.send_text(20, QUESTION, chat=group)
    sticker = api.send_sticker(20, chat=group)
    other_bot = api.send_text(20, "/help@other_bot", chat=group)
    reply = ask(api, 20, f"@{api.username} {QUESTION}", chat=group)
    assert "2014" in reply.text
    for update_id in (ignored, sticker, other_bot):  # handled before the mention (same chat, in order)
        assert not api.replies_to(update_id)
    bot_message = api.stored_message(group["id"], reply.result["message_id"])
    assert "Hwang" in ask(api, 21, "Siapa Wali Kota Nonsan yang datang ke Malang?", chat=group,
                          reply_to=bot_message).text
    assert "/sumber" in ask(api, 21, f"/help@{api.username}", chat=group).text


def test_reload_is_admin_only_and_picks_up_new_articles(bot_process, standin, workdir):
    api = standin.api
    question = "Kapan Kota Zamrud ditetapkan sebagai Kota Kreatif UNESCO?"
    assert "2031" not in ask(api, 22, question).text
    (workdir / "corpus" / "uji-kota-zamrud.md").write_text(NEW_ARTICLE, encoding="utf-8")
    assert "hanya untuk admin" in ask(api, 22, "/reload").text
    assert "dimuat ulang" in ask(api, ADMIN, "/reload").text
    reply = ask(api, 22, question)
    assert "2031" in reply.text and "Warta Uji" in reply.text
    assert "Warta Uji" in ask(api, 22, "/sumber").text


def test_bot_api_failures_are_retried_or_apologised_for(bot_process, standin):
    api = standin.api
    mark = len(api.calls)
    api.fail("getUpdates", status=502)  # the next poll fails: the library polls again
    first = ask(api, 23, QUESTION)
    api.wait_call(lambda c: c.method == "getUpdates" and c.error is not None, TIMEOUT, after=mark)
    assert "2014" in ask(api, 23, QUESTION).text and first.error is None

    api.fail("sendMessage", status=502, times=2)  # a send that fails before Telegram handles it: retried
    reply = ask(api, 24, QUESTION)
    assert "2014" in reply.text and len([c for c in api.calls_of("sendMessage", 24) if c.error]) == 2

    api.fail("sendMessage", status=400, description="Bad Request: something unexpected")
    update = api.send_text(25, QUESTION)
    apology = api.wait_call(lambda c: c.method == "sendMessage" and c.error is None and c.params["chat_id"] == 25,
                            TIMEOUT)
    assert apology.text.startswith("Maaf, terjadi kesalahan") and api.update_of(25, apology.quoted) == update


# --- processes of their own --------------------------------------------------------------------


def test_sigterm_stops_the_bot_cleanly(workdir):
    with BotApiStandin() as server:
        config = write_config(workdir / "sigterm.yaml", server.base_url, workdir)
        process = BotProcess(server.api, str(config), str(workdir / "sigterm.log"), bot_env(workdir))
        try:
            process.wait_ready(timeout=TIMEOUT)
            assert "2014" in ask(server.api, 30, QUESTION).text
        finally:
            started = time.monotonic()
            status = process.stop(timeout=10)
        assert status == 0 and time.monotonic() - started < 5, process.log()
        assert "Traceback" not in process.log()


@pytest.mark.parametrize("token, expected", [
    (None, "no Telegram bot token"),
    ("not-a-token", "malformed"),
    ("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-WRONG", "rejected the token"),
])
def test_token_problems_exit_with_one_clear_line(workdir, token, expected):
    with BotApiStandin() as server:
        config = write_config(workdir / "token.yaml", server.base_url, workdir)
        process = BotProcess(server.api, str(config), str(workdir / "token.log"), bot_env(workdir, token))
        try:
            status = process.proc.wait(TIMEOUT)
        finally:
            process.stop()
        log = process.log()
    lines = [line for line in log.splitlines() if line.startswith("uccn-bot:")]
    assert status == 1 and len(lines) == 1 and expected in lines[0], log
    assert "Traceback" not in log and (token is None or token not in log)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_update(port: int, update: dict, secret: str | None) -> int:
    """POST `update` to the bot's webhook; the HTTP status (retries while the server starts)."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(f"http://127.0.0.1:{port}/hook", data=json.dumps(update).encode(),
                                     headers=headers, method="POST")
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_webhook_mode(workdir):
    port = free_port()
    with BotApiStandin() as server:
        api = server.api
        webhook = (f"  webhook:\n    url: http://127.0.0.1:{port}/hook\n    listen: 127.0.0.1\n"
                   f"    port: {port}\n    secret_token: s3cret-Token_1\n")
        config = write_config(workdir / "webhook.yaml", server.base_url, workdir, webhook)
        process = BotProcess(api, str(config), str(workdir / "webhook.log"), bot_env(workdir))
        try:
            hook = process.wait_ready("setWebhook", timeout=TIMEOUT)
            assert hook.params["url"] == f"http://127.0.0.1:{port}/hook"
            assert hook.params["secret_token"] == "s3cret-Token_1"
            assert set(hook.params["allowed_updates"]) == {"message", "callback_query"}

            update_id = api.send_text(40, QUESTION)
            assert post_update(port, api.pushed[update_id], "s3cret-Token_1") == 200
            assert "2014" in api.wait_reply(update_id, TIMEOUT).text

            forged = api.send_text(41, QUESTION)
            assert post_update(port, api.pushed[forged], "wrong-secret") == 403
            assert post_update(port, api.pushed[forged], None) == 403
            assert not api.replies_to(forged) and not api.calls_of("getUpdates")  # rejected at the door; no polling
        finally:
            status = process.stop()
        assert status == 0, process.log()
        assert "Traceback" not in process.log() and TOKEN not in process.log()
