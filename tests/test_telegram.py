"""The Telegram adapter with python-telegram-bot's network replaced: a `BaseRequest` subclass
hands every Bot API call to `FakeBotApi` (tests/botapi_standin.py), which checks it as the
real API would (HTML that parses, 4096 characters, callback queries answered once). Updates
go through the real `Application` and its handlers; the index is the bundled corpus, built
once into a temp cache."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from telegram import Bot as TgBot
from telegram import Update
from telegram.error import TimedOut
from telegram.request import BaseRequest

from botapi_standin import TOKEN, ApiError, BotApiStandin, Call, FakeBotApi, check_html, decode_params, text_entities
from uccn_bot.frontends import telegram_bot as tb
from uccn_bot.frontends import telegram_support as ts
from uccn_bot.core import Answer, Hit
from uccn_bot.app import open_bot
from uccn_bot.config import Config, load_config
from uccn_bot.core import Document
from uccn_bot.corpus import CorpusError
from uccn_bot.core import Passage
from uccn_bot.frontends.render import TELEGRAM_LIMIT, pack_lines

QUESTION = "Kapan Pekalongan jadi Kota Kreatif?"
UNANSWERABLE = "Berapa harga tiket pesawat ke Bali?"


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_config(tmp_path_factory) -> Config:
    root = tmp_path_factory.mktemp("tg-unit")
    (root / "config.yaml").write_text(
        "index:\n  cache_dir: cache\n  semantic: false\n"
        "telegram:\n  rate_limit: 20\n  rate_window: 60\n  admins: [1001]\n  feedback_log: feedback.jsonl\n",
        encoding="utf-8")
    return load_config(root / "config.yaml")


@pytest.fixture(scope="module")
def qa(base_config):
    return open_bot(base_config)


@pytest.fixture
def config(base_config, tmp_path) -> Config:
    return replace(base_config, telegram=replace(base_config.telegram, feedback_log=str(tmp_path / "feedback.jsonl")))


class FakeRequest(BaseRequest):
    """The request layer of python-telegram-bot, answering from a `FakeBotApi` in memory."""

    def __init__(self, api: FakeBotApi):
        self.api = api

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url, method, request_data=None, read_timeout=None, write_timeout=None,
                         connect_timeout=None, pool_timeout=None) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = decode_params(request_data.json_parameters if request_data else {})
        try:
            payload = {"ok": True, "result": self.api.call(name, params)}
            status = 200
        except ApiError as exc:
            payload = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                payload["parameters"] = exc.parameters
            status = exc.status
        return status, json.dumps(payload).encode()


class Harness:
    """The real Application over `FakeRequest`; `text()`, `press()`... deliver updates and
    return the Bot API calls they caused."""

    def __init__(self, config: Config, qa, loader=None):
        self.api = FakeBotApi()
        self.loop = asyncio.new_event_loop()
        self.app = tb.build_application(config, qa, TOKEN, request=FakeRequest(self.api),
                                        get_updates_request=FakeRequest(self.api), updater=False, loader=loader)
        self.loop.run_until_complete(self.app.initialize())
        self.offset = 0

    @property
    def state(self) -> tb.BotState:
        return self.app.bot_data[tb.STATE]

    def deliver(self) -> list[Call]:
        start = len(self.api.calls)
        updates = self.api.call("getUpdates", {"offset": self.offset, "timeout": 0})
        for data in updates:
            self.offset = data["update_id"] + 1
            self.loop.run_until_complete(self.app.process_update(Update.de_json(data, self.app.bot)))
        return [c for c in self.api.calls[start:] if c.method != "getUpdates"]

    def text(self, user: int, text: str, **kw) -> list[Call]:
        self.api.send_text(user, text, **kw)
        return self.deliver()

    def press(self, user: int, call: Call, data: str) -> list[Call]:
        message = self.api.stored_message(call.params["chat_id"], call.result["message_id"])
        self.api.press(user, message, data)
        return self.deliver()

    def close(self) -> None:
        self.loop.run_until_complete(self.app.shutdown())
        self.loop.close()


@pytest.fixture
def harness(config, qa):
    h = Harness(config, qa)
    yield h
    h.close()


def sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage"]


def feedback_lines(config: Config) -> list[dict]:
    path = Path(config.telegram.feedback_log)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "987654", "abc:defghijklmnopqrstuvwxyz0123456789", "987654:short",
                                   "987654:ABC DEF1234ghIkl-zyx57W2v1u123ew11", "987654:ABC-DEF1234ghIkl-zyx57W2v1u123ew11\n"])
def test_missing_or_malformed_tokens_are_refused_without_echoing_them(token):
    with pytest.raises(ts.TelegramSetupError) as info:
        ts.check_token(token)
    message = str(info.value)
    assert "TELEGRAM_BOT_TOKEN" in message
    assert not token or token.strip() not in message


def test_a_well_formed_token_is_accepted():
    assert ts.check_token(TOKEN) == TOKEN
    assert ts.check_token("1:" + "a" * 30)


def test_webhook_plan(base_config):
    assert ts.webhook_plan(base_config) is None
    hook = replace(base_config.telegram.webhook, url="https://bot.example.org/tg/hook", port=8443, secret_token="s3cret_-X")
    plan = ts.webhook_plan(replace(base_config, telegram=replace(base_config.telegram, webhook=hook)))
    assert (plan.path, plan.port, plan.secret_token, plan.url) == ("tg/hook", 8443, "s3cret_-X", hook.url)
    generated = ts.webhook_plan(replace(base_config, telegram=replace(base_config.telegram,
                                                                       webhook=replace(hook, secret_token=""))))
    assert len(generated.secret_token) >= 32 and ts.SECRET_RE.fullmatch(generated.secret_token)
    for bad in (replace(hook, url="ftp://x/y"), replace(hook, secret_token="no spaces!"), replace(hook, port=70000)):
        with pytest.raises(ts.TelegramSetupError):
            ts.webhook_plan(replace(base_config, telegram=replace(base_config.telegram, webhook=bad)))


def test_log_hygiene_redacts_the_token_and_drops_retry_loop_tracebacks():
    hygiene = ts.LogHygiene(TOKEN)
    record = logging.LogRecord("httpx", logging.WARNING, __file__, 1, "POST %s failed", (f"https://x/bot{TOKEN}/getMe",), None)
    assert hygiene.filter(record) and TOKEN not in record.getMessage() and "<token>" in record.getMessage()
    try:
        raise RuntimeError(f"url bot{TOKEN}/getMe")
    except RuntimeError as exc:
        info = (type(exc), exc, exc.__traceback__)
    record = logging.LogRecord("telegram.ext.Application", logging.ERROR, __file__, 1, "boom", (), info)
    hygiene.filter(record)
    assert TOKEN not in record.exc_text and "Traceback" in record.exc_text
    record = logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, "%s Invalid token. Aborting retry loop.",
                               ("Network Retry Loop (Bootstrap Initialize Application):",), info)
    hygiene.filter(record)
    assert record.exc_info is None and TOKEN not in record.getMessage() and "RuntimeError" in record.getMessage()


# --- bookkeeping -------------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_sliding_window_gives_one_notice_per_flood():
    clock = Clock()
    limiter = ts.RateLimiter(3, 60.0, clock)
    verdicts = []
    for _ in range(6):
        verdicts.append(limiter.check(7))
        clock.now += 1
    assert verdicts == ["allow"] * 3 + ["notice", "drop", "drop"]
    assert limiter.check(8) == "allow"  # per user
    clock.now = 1000.0 + 60.0  # the first question leaves the window: one more is allowed
    assert limiter.check(7) == "allow"
    assert limiter.check(7) == "notice"  # a new flood, a new (single) notice
    assert limiter.check(7) == "drop"
    assert all(ts.RateLimiter(0, 60.0).check(7) == "allow" for _ in range(100))


def test_rate_limiter_forgets_idle_users():
    clock = Clock()
    limiter = ts.RateLimiter(2, 10.0, clock)
    for user in range(999):
        limiter.check(user)
    clock.now += 11
    limiter.check(5000)  # the 1000th check sweeps
    assert len(limiter._times) == 1


def test_feedback_log_hashes_users_and_survives_concurrent_writes(tmp_path):
    log = ts.FeedbackLog(tmp_path / "logs" / "feedback.jsonl")

    def write(n: int) -> None:
        for i in range(200):
            log.record(user_id=n, chat_type="private", question=f"pertanyaan {n} {i} " + "x" * 500,
                       passage_id=f"doc#{i}", verdict="up")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = (tmp_path / "logs" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 1600
    assert set(entries[0]) == {"time", "user", "chat_type", "question", "passage_id", "verdict"}
    assert {e["user"] for e in entries} == {log.user_hash(n) for n in range(8)}
    assert all(e["user"] != str(n) for e in entries for n in range(8))
    assert ts.FeedbackLog(tmp_path / "logs" / "feedback.jsonl").user_hash(3) == log.user_hash(3)  # salt kept


def test_feedback_log_write_failure_is_only_logged(tmp_path, caplog):
    (tmp_path / "dir.jsonl").mkdir()
    log = ts.FeedbackLog(tmp_path / "dir.jsonl")
    log.record(user_id=1, chat_type="private", question="q", passage_id=None, verdict="unanswered")
    assert "could not append" in caplog.text
    ts.FeedbackLog(None).record(user_id=1, chat_type="private", question="q", passage_id=None, verdict="up")


def test_recent_answers_are_bounded():
    recent = ts.RecentAnswers(size=3)
    for i in range(5):
        recent.put(1, i, ts.Shown(Answer(question="q", answered=False), 0, "private"))
    assert len(recent) == 3 and recent.get(1, 0) is None and recent.get(1, 4) is not None


def test_chat_ordered_processor_keeps_order_in_a_chat_and_overlaps_chats():
    from telegram import Chat, Message
    from datetime import datetime

    async def main():
        processor = ts.ChatOrderedProcessor()
        log: list[str] = []

        def update(chat_id: int, n: int) -> Update:
            message = Message(n, datetime.now(), Chat(chat_id, "private"), text="x")
            return Update(n, message=message)

        async def work(tag: str, delay: float):
            log.append(f"start {tag}")
            await asyncio.sleep(delay)
            log.append(f"end {tag}")

        await asyncio.gather(
            processor.process_update(update(1, 1), work("a1", 0.05)),
            processor.process_update(update(1, 2), work("a2", 0.0)),
            processor.process_update(update(2, 3), work("b1", 0.0)),
        )
        return log, processor._locks

    log, locks = asyncio.run(main())
    assert log.index("end a1") < log.index("start a2")  # one chat: in order
    assert log.index("end b1") < log.index("end a1")  # another chat: not held up
    assert not locks  # nothing kept for idle chats


def test_pack_lines_and_hint_stay_within_the_limit():
    lines = [f"• artikel {i} " + "x" * 300 for i in range(40)]
    packed = pack_lines(lines)
    assert len(packed) > 1 and all(len(m) <= TELEGRAM_LIMIT for m in packed)
    assert "\n".join(packed) == "\n".join(lines)
    assert tb.with_hint(["a"], "hint") == ["a\n\nhint"]
    assert tb.with_hint(["a" * 4090], "hint") == ["a" * 4090 + "\n\nhint"]  # exactly 4096
    assert tb.with_hint(["a" * 4091], "hint") == ["a" * 4091, "hint"]


def test_standin_html_check_is_as_strict_as_telegram():
    assert check_html("<b>a</b> &amp; <i>b</i> <a href=\"https://x?a=1&amp;b=2\">c</a>") == (None, "a & b c")
    for bad in ("a & b", "<b>a", "a <x> b", "1 < 2", "<b><i>a</b></i>", "a > b"):
        assert check_html(bad)[0], bad
    assert text_entities("/start@uccn_test_bot hi @someone")[0] == {"type": "bot_command", "offset": 0, "length": 20}


# --- commands ----------------------------------------------------------------------------------


def test_start_greets_in_indonesian_with_example_questions(harness):
    (reply,) = sent(harness.text(42, "/start"))
    assert "Halo" in reply.text and "Jejaring Kota Kreatif UNESCO" in reply.text
    assert sum(q in reply.text for q in tb.EXAMPLES) == len(tb.EXAMPLES) >= 2


def test_the_start_examples_are_answered(qa):
    for example in tb.EXAMPLES:
        assert qa.answer(example).answered, example


def test_help_about_and_sources(harness, qa):
    (help_reply,) = sent(harness.text(42, "/help"))
    assert "/sumber" in help_reply.text and "@uccn_test_bot" in help_reply.text and "Jawaban lain" in help_reply.text
    (about,) = sent(harness.text(42, "/tentang"))
    assert "bukan" in about.text and str(len(qa.index.documents)) in about.text
    (sources,) = sent(harness.text(42, "/sumber"))
    assert "Liputan6.com" in sources.text and "10 Maret 2016" in sources.text
    assert sources.text.count("• ") == len(qa.index.documents)


def test_unknown_command_points_to_help(harness):
    (reply,) = sent(harness.text(42, "/cuaca"))
    assert "/help" in reply.text


# --- questions ---------------------------------------------------------------------------------


def test_question_gets_short_answer_passage_citation_and_buttons(harness):
    (reply,) = sent(harness.text(42, QUESTION))
    assert "2014" in reply.text and "Liputan6.com" in reply.text
    assert "<b>Kota Pekalongan ditetapkan" in reply.params["text"]  # the best sentence in bold
    assert reply.quoted is not None  # it answers this message
    assert [b["text"] for b in reply.buttons] == ["Jawaban lain", "👍", "👎"]
    assert reply.params["parse_mode"] == "HTML"
    assert harness.state.recent.get(42, reply.result["message_id"]).which == 0


def test_decline_is_friendly_suggests_help_and_is_logged(harness, config):
    (reply,) = sent(harness.text(42, UNANSWERABLE))
    assert "Maaf" in reply.text and "/help" in reply.text and not reply.buttons
    (entry,) = feedback_lines(config)
    assert entry["verdict"] == "unanswered" and entry["question"] == UNANSWERABLE and entry["passage_id"] is None
    assert entry["user"] != "42" and entry["chat_type"] == "private"


def test_markup_and_ampersands_from_the_user_are_escaped(harness):
    for text in ("Apa itu <b>UCCN</b> & kota kreatif?", "<i>&amp; <script>", "a < b > c & d"):
        calls = harness.text(42, text)
        assert sent(calls) and all(c.error is None for c in calls), text  # FakeBotApi parses the HTML


def test_very_long_question_is_cut_politely(harness):
    calls = harness.text(42, "Kapan Pekalongan jadi Kota Kreatif? " + "tolong jelaskan " * 400)
    text = " ".join(c.text for c in sent(calls))
    assert "sangat panjang" in text
    assert all(len(c.params["text"]) <= TELEGRAM_LIMIT for c in sent(calls))


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
def test_non_text_messages_ask_for_text(harness, kind):
    getattr(harness.api, f"send_{kind}")(42)
    (reply,) = sent(harness.deliver())
    assert "kirim pertanyaan dalam bentuk teks" in reply.text


def test_edited_messages_are_not_answered_again(harness):
    message = harness.api.message(42, text=QUESTION)
    harness.api.push({"edited_message": {**message, "edit_date": int(time.time())}})
    assert not sent(harness.deliver())


def test_flood_gets_exactly_one_notice(harness):
    replies = []
    for i in range(25):
        replies += sent(harness.text(77, f"{QUESTION} {i}"))
    notices = [c for c in replies if "terlalu banyak pertanyaan" in c.text.lower()]
    assert len(notices) == 1 and "coba lagi sebentar lagi" in notices[0].text.lower()
    assert len(replies) == 21  # 20 answers and the notice; the rest dropped silently
    assert sent(harness.text(78, QUESTION))  # others are not affected


# --- groups ------------------------------------------------------------------------------------


def test_group_answers_mentions_replies_and_commands_only(harness):
    api = harness.api
    group = api.group_chat()
    assert not sent(harness.text(5, QUESTION, chat=group))
    assert not sent(harness.text(5, "/help@other_bot", chat=group))
    api.send_sticker(5, chat=group)
    assert not sent(harness.deliver())

    (mentioned,) = sent(harness.text(5, f"@{api.username} {QUESTION}", chat=group))
    assert "2014" in mentioned.text and mentioned.quoted
    bot_message = api.stored_message(group["id"], mentioned.result["message_id"])
    (replied,) = sent(harness.text(6, "Siapa Wali Kota Nonsan yang datang ke Malang?", chat=group, reply_to=bot_message))
    assert "Hwang" in replied.text
    assert sent(harness.text(5, "/start", chat=group))
    assert sent(harness.text(5, f"/sumber@{api.username}", chat=group))


# --- buttons -----------------------------------------------------------------------------------


def test_more_button_edits_the_answer_to_the_next_passage_until_none_is_left(harness):
    (answer,) = sent(harness.text(42, QUESTION))
    shown = harness.state.recent.get(42, answer.result["message_id"])
    total = len(shown.answer.passages)
    assert total > 1
    texts = [answer.text]
    for n in range(1, total):
        calls = harness.press(42, answer, "more")
        (edit,) = [c for c in calls if c.method == "editMessageText"]
        assert edit.error is None and edit.params["message_id"] == answer.result["message_id"]
        texts.append(edit.text)
        labels = [b["text"] for b in edit.buttons]
        assert labels == (["Jawaban lain", "👍", "👎"] if n < total - 1 else ["👍", "👎"])
    assert len(set(texts)) == total
    calls = harness.press(42, answer, "more")
    (done,) = [c for c in calls if c.method == "answerCallbackQuery"]
    assert done.params["text"] == tb.NO_MORE and not [c for c in calls if c.method == "editMessageText"]


def test_votes_are_logged_once_per_user_and_passage(harness, config):
    (answer,) = sent(harness.text(42, QUESTION))
    (ack,) = harness.press(42, answer, "up")
    assert ack.method == "answerCallbackQuery" and ack.params["text"] == tb.THANKS and ack.error is None
    (again,) = harness.press(42, answer, "down")
    assert again.params["text"] == tb.ALREADY_VOTED
    harness.press(43, answer, "down")
    votes = [e for e in feedback_lines(config) if e["verdict"] in ("up", "down")]
    assert [e["verdict"] for e in votes] == ["up", "down"]
    assert votes[0]["passage_id"].startswith("liputan6-") and votes[0]["question"] == QUESTION
    assert votes[0]["user"] != votes[1]["user"]


def test_buttons_of_forgotten_answers_say_so(harness):
    (answer,) = sent(harness.text(42, QUESTION))
    harness.state.recent._items.clear()  # as after a restart
    (ack,) = harness.press(42, answer, "more")
    assert ack.params["text"] == tb.EXPIRED


def long_answer(qa) -> Answer:
    """An answer whose passage is far longer than one Telegram message."""
    doc = Document(id="panjang", title="Artikel <Panjang> & Lebar", source="Sumber & Co", date="2020-01-02", url="", body="")
    text = " ".join(f"Kalimat nomor {i} tentang kota kreatif & <budaya>." for i in range(400))
    passages = [Passage(id=f"panjang#{i}", doc_id="panjang", position=i, text=text, document=doc) for i in range(2)]
    hits = tuple(Hit(passage=p, score=1.0, bm25=1.0, coverage=1.0, highlight="Kalimat nomor 7 tentang kota kreatif & <budaya>.") for p in passages)
    return Answer(question="pertanyaan panjang", answered=True, passages=hits, short_answer="2020", highlight=hits[0].highlight)


def test_long_answers_are_split_with_the_buttons_under_the_last_part(harness, qa):
    class LongQA:
        index = qa.index

        def answer(self, question, passages=None):
            return long_answer(qa)

    harness.state.qa = LongQA()
    calls = sent(harness.text(42, "apa saja"))
    assert len(calls) >= 2 and all(c.error is None and len(c.params["text"]) <= TELEGRAM_LIMIT for c in calls)
    assert calls[0].quoted and not calls[1].quoted
    assert not any(c.buttons for c in calls[:-1]) and calls[-1].buttons
    more = harness.press(42, calls[-1], "more")  # a multi-part answer is sent again, not edited
    assert not [c for c in more if c.method == "editMessageText"] and len(sent(more)) >= 2


# --- reload ------------------------------------------------------------------------------------


def test_reload_is_for_admins_and_swaps_the_index(config, qa):
    loaded = []

    def loader(cfg):
        loaded.append(cfg)
        return open_bot(cfg)

    h = Harness(config, qa, loader=loader)
    try:
        (refused,) = sent(h.text(42, "/reload"))
        assert "hanya untuk admin" in refused.text and not loaded
        (done,) = sent(h.text(1001, "/reload"))
        assert "dimuat ulang" in done.text and len(loaded) == 1 and h.state.qa is not qa
    finally:
        h.close()


def test_a_reloaded_bot_and_its_index_are_freed(config):
    """Nothing module-level (a cache keyed on a bound method, say) keeps the old Bot alive."""
    import gc
    import weakref

    h = Harness(config, open_bot(config), loader=open_bot)
    try:
        for question in (QUESTION, "Siapa wali kota Pekalongan?", "Di mana Rakernas Apeksi digelar?"):
            assert sent(h.text(42, question))  # the answering caches fill up
        old_bot, old_index = weakref.ref(h.state.qa), weakref.ref(h.state.qa.index)
        (done,) = sent(h.text(1001, "/reload"))
        assert "dimuat ulang" in done.text
        assert sent(h.text(42, QUESTION))
        gc.collect()
        assert old_bot() is None and old_index() is None
    finally:
        h.close()


def test_a_failed_reload_keeps_the_old_index(config, qa):
    def broken(cfg):
        raise CorpusError("corpus/x.md", 3, "front matter is not valid YAML <here>")

    h = Harness(config, qa, loader=broken)
    try:
        (reply,) = sent(h.text(1001, "/reload"))
        assert "Gagal" in reply.text and "&lt;here&gt;" in reply.params["text"] and h.state.qa is qa
        assert "2014" in sent(h.text(42, QUESTION))[0].text
    finally:
        h.close()


def test_watcher_reloads_after_the_corpus_changes(tmp_path, config, qa):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Judul\n\nIsi artikel.\n", encoding="utf-8")
    reloads = []
    state = tb.BotState(config=replace(config, corpus_path=corpus), qa=qa, limiter=ts.RateLimiter(0, 1),
                        feedback=ts.FeedbackLog(None), loader=lambda cfg: reloads.append(cfg) or qa)

    async def main():
        task = asyncio.create_task(tb.watch_corpus(state, interval=0.05))
        await asyncio.sleep(0.2)
        assert not reloads
        (corpus / "b.md").write_text("# Baru\n\nArtikel baru.\n", encoding="utf-8")
        for _ in range(100):
            await asyncio.sleep(0.05)
            if reloads:
                break
        await asyncio.sleep(0.2)
        task.cancel()

    asyncio.run(main())
    assert len(reloads) == 1


# --- errors and the network --------------------------------------------------------------------


def test_an_error_while_answering_gets_an_apology_not_silence(harness, qa, caplog):
    class BrokenQA:
        index = qa.index

        def answer(self, question, passages=None):
            raise RuntimeError("index exploded")

    harness.state.qa = BrokenQA()
    (reply,) = sent(harness.text(42, QUESTION))
    assert reply.text == tb.APOLOGY and "Traceback" not in reply.text
    assert "index exploded" in caplog.text  # the operator sees it in the log


def test_a_rejected_send_gets_an_apology(harness):
    harness.api.fail("sendMessage", status=400, description="Bad Request: something odd")
    calls = sent(harness.text(42, QUESTION))
    assert calls[0].error and calls[1].text == tb.APOLOGY


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB's own RetryAfter.__init__ warns about int seconds
def test_retrying_request_retries_server_errors_and_flood_waits_but_not_timeouts():
    async def main(api: FakeBotApi, base_url: str):
        request = ts.RetryingRequest(connection_pool_size=4, timings=ts.DeliveryTimings(backoff=0.05, deadline=1.5))
        bot = TgBot(TOKEN, base_url=base_url, request=request)
        async with bot:
            chat = api.private_chat(9)
            api.send_text(9, "halo")  # the stand-in learns the chat
            api.fail("sendMessage", status=502, times=2)
            started = time.monotonic()
            await bot.send_message(9, "satu")
            api.fail("sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1)
            await bot.send_message(9, "dua")
            elapsed = time.monotonic() - started
            api.fail("sendMessage", status=502, times=1000)  # Telegram down for longer than the deadline
            with pytest.raises(ts.Unreachable):
                await bot.send_message(9, "tiga")
            api.fail("sendMessage", status=502, times=0)
            return chat, elapsed

    with BotApiStandin() as standin:
        _, elapsed = asyncio.run(main(standin.api, standin.base_url))
        calls = standin.api.calls_of("sendMessage")
    outcomes = [(c.text, c.error is None) for c in calls]
    assert outcomes[:6] == [("satu", False), ("satu", False), ("satu", True), ("dua", False), ("dua", True),
                            ("tiga", False)]
    assert len(calls) > 6 and not any(ok for text, ok in outcomes[5:]) and elapsed >= 1.0


def test_retrying_request_resends_a_timed_out_call_once_and_then_says_it_may_have_arrived():
    class TimingOut(ts.RetryingRequest):
        attempts = 0

        async def do_request(self, *args, **kwargs):
            TimingOut.attempts += 1
            raise TimedOut()

    async def main():
        request = TimingOut()
        await request.initialize()
        try:
            with pytest.raises(ts.DeliveryUncertain):
                await request.post("http://127.0.0.1:9/botX/sendMessage")
        finally:
            await request.shutdown()

    asyncio.run(main())
    assert TimingOut.attempts == 2
