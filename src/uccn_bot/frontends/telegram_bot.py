"""`uccn-bot telegram`: the same answers on Telegram, with python-telegram-bot 22.

Every text message in a private chat (and, in groups, every message that mentions the bot or
replies to it) is a question: `Bot.answer` runs in a worker thread so the event loop stays
responsive, and the `Answer` is rendered by `render.telegram_messages` (HTML, escaped, split
under Telegram's 4096 characters). Inline buttons under an answer show the next passage
("Jawaban lain") or record 👍/👎 feedback in a JSONL log; declined questions go to the same
log, so both can become new test questions.

Long polling is the default; `telegram.webhook.url` switches to a webhook. The token comes from
TELEGRAM_BOT_TOKEN or `telegram.token` and is never logged (a log filter redacts it as well).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from ..answering import Bot
from ..app import UserError, open_bot
from ..config import DEFAULT_BASE_URL, TOKEN_ENV, Config
from ..core import Answer
from ..corpus import corpus_files
from .render import TELEGRAM_LIMIT, esc, pack_lines, source_lines, telegram_messages
from .telegram_support import (
    ChatOrderedProcessor,
    FeedbackLog,
    RateLimiter,
    RecentAnswers,
    DeliveryTimings,
    DeliveryUncertain,
    RetryingRequest,
    Shown,
    TelegramSetupError,
    Unreachable,
    check_token,
    install_log_hygiene,
    webhook_plan,
)
from .telegram_journal import Journal, journal_for

logger = logging.getLogger(__name__)

STATE = "uccn"  # key of the shared `BotState` in application.bot_data
# Answers run in this many threads: the answer model's matrix products release the GIL, so two threads on two
# cores answered 1.7x as many questions a second as one (docs/telegram.md); the rules alone gained less.
ANSWER_THREADS = max(1, min(4, os.cpu_count() or 1))
MAX_SOURCES_SHOWN = 100  # /sumber lists at most this many articles
WATCH_INTERVAL = 5.0  # seconds between checks of the corpus directory (telegram.reload_on_change)

# --- what the bot says -----------------------------------------------------------------------

EXAMPLES = (
    "Kapan Pekalongan menjadi Kota Kreatif UNESCO?",
    "Apa misi Jejaring Kota Kreatif UNESCO?",
    "Siapa Wali Kota Nonsan yang datang ke Malang?",
)
START_TEXT = (
    "Halo, {name}! 👋 Saya <b>uccn-bot</b>. Saya menjawab pertanyaan tentang "
    "<b>Jejaring Kota Kreatif UNESCO</b> (UNESCO Creative Cities Network) dari kumpulan artikel, "
    "selalu dengan kutipan dan sumbernya.\n\n"
    "Coba tanyakan, misalnya:\n{examples}\n\n"
    "Ketik /help untuk panduan atau /sumber untuk daftar artikel."
)
HELP_TEXT = (
    "<b>Cara bertanya</b>\n"
    "Kirim pertanyaan dalam bahasa Indonesia sebagai pesan teks biasa. Saya mencarinya di artikel "
    "yang saya punya, lalu mengirim jawaban singkat, kutipan dengan kalimat terpenting dalam "
    "<b>huruf tebal</b>, dan sumbernya. Sebutkan kota, tahun, atau topiknya agar lebih tepat.\n\n"
    "<b>Tombol di bawah jawaban</b>\n"
    "• <i>Jawaban lain</i>: kutipan berikutnya dari artikel\n"
    "• 👍 / 👎: beri tahu saya apakah jawabannya membantu\n\n"
    "<b>Perintah</b>\n"
    "/start: sapaan dan contoh pertanyaan\n"
    "/help: panduan ini\n"
    "/sumber: daftar artikel yang saya gunakan\n"
    "/tentang: apa saya ini, dan apa yang bukan\n\n"
    "<b>Di grup</b>\n"
    "Sebut {mention} dalam pertanyaan atau balas pesan saya; pesan lain di grup saya abaikan.\n\n"
    "Contoh: <i>{example}</i>"
)
ABOUT_TEXT = (
    "<b>Tentang uccn-bot</b>\n"
    "Saya bot tanya-jawab tentang Jejaring Kota Kreatif UNESCO. Saya hanya menjawab dari "
    "{articles} artikel di daftar /sumber, dan setiap jawaban menyertakan kutipan serta sumbernya "
    "supaya bisa Anda periksa sendiri.\n\n"
    "<b>Saya bukan</b> chatbot serba tahu dan bukan layanan resmi UNESCO. Saya tidak menebak: kalau "
    "jawabannya tidak ada di artikel, saya bilang begitu. Artikel bisa keliru atau sudah usang, jadi "
    "periksa sumbernya untuk hal yang penting.\n\n"
    "<b>Privasi</b>: pertanyaan yang belum terjawab dan penilaian 👍/👎 dicatat tanpa nama "
    "(ID pengguna disamarkan) untuk memperbaiki jawaban saya."
)
SOURCES_HEADER = "<b>Artikel yang saya gunakan</b> ({count}):"
SOURCES_MORE = "… dan {count} artikel lainnya."
DECLINE_HINT = "Ketik /help untuk tips bertanya dan contoh pertanyaan, atau /sumber untuk melihat artikel yang saya punya."
NOT_TEXT = ("Maaf, saya hanya bisa membaca teks. Silakan kirim pertanyaan dalam bentuk teks, misalnya: "
            "<i>{example}</i>")
RATE_LIMITED = "Maaf, terlalu banyak pertanyaan dalam waktu singkat. Coba lagi sebentar lagi, ya."
UNKNOWN_COMMAND = "Perintah itu tidak saya kenal. Ketik /help untuk melihat perintah yang ada, atau langsung kirim pertanyaan Anda."
APOLOGY = "Maaf, terjadi kesalahan saat memproses pesan Anda. Silakan coba lagi sebentar lagi."
NO_MORE = "Tidak ada jawaban lain untuk pertanyaan ini."
EXPIRED = "Jawaban ini sudah kedaluwarsa. Silakan kirim pertanyaannya lagi."
THANKS = "Terima kasih atas masukannya!"
ALREADY_VOTED = "Masukan Anda untuk jawaban ini sudah dicatat."
RELOAD_DENIED = "Maaf, /reload hanya untuk admin bot ini."
RELOAD_BUSY = "Korpus sedang dimuat ulang; tunggu sebentar."
RELOAD_DONE = "Korpus dimuat ulang: {articles} artikel, {passages} passage ({seconds:.1f} detik)."
RELOAD_FAILED = "Gagal memuat ulang korpus; korpus lama tetap dipakai.\n<code>{error}</code>"
MORE_BUTTON = "Jawaban lain"
COMMANDS = (
    ("start", "Sapaan dan contoh pertanyaan"),
    ("help", "Cara bertanya"),
    ("sumber", "Daftar artikel yang digunakan"),
    ("tentang", "Apa bot ini, dan apa yang bukan"),
)


@dataclass
class BotState:
    """What the handlers share: the answering core and the adapter's bookkeeping."""

    config: Config
    qa: Bot
    limiter: RateLimiter
    feedback: FeedbackLog
    recent: RecentAnswers = field(default_factory=RecentAnswers)
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="uccn-answer"))
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loader: Callable[[Config], Bot] | None = None  # how /reload opens the corpus (app.open_bot)
    watcher: asyncio.Task | None = None
    journal: Journal | None = None  # questions received and not yet answered (survives a crash)

    async def answer(self, question: str) -> Answer:
        """`Bot.answer` in the worker thread, so the event loop keeps serving other chats."""
        qa = self.qa  # the Bot of this moment: a reload swaps the attribute, never mutates it
        return await asyncio.get_running_loop().run_in_executor(self.executor, qa.answer, question)

    async def reload(self) -> tuple[Bot, float]:
        """Open the corpus again off the event loop and swap it in; (new Bot, seconds)."""
        started = time.perf_counter()
        async with self.reload_lock:
            qa = await asyncio.to_thread(self.loader or open_bot, self.config)
            self.qa = qa
        seconds = time.perf_counter() - started
        logger.info("corpus reloaded: %d articles, %d passages in %.2f s", len(qa.index.documents), len(qa.index), seconds)
        return qa, seconds


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return context.bot_data[STATE]


# --- which messages are for the bot -------------------------------------------------------------


def mentions_bot(message: Message, username: str | None, bot_id: int) -> bool:
    """Whether `message` @mentions the bot (in its text or caption)."""
    for entities in (message.parse_entities(), message.parse_caption_entities()):
        for entity, text in entities.items():
            if entity.type == MessageEntity.MENTION and username and text[1:].lower() == username.lower():
                return True
            if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
                return True
    return False


def command_target(message: Message) -> str | None:
    """The bot a leading /command@name names, or None for a bare /command."""
    text = message.text or message.caption or ""
    match = re.match(r"/\w+@(\w+)", text)
    return match.group(1) if match else None


class AddressedToBot(filters.MessageFilter):
    """Messages meant for the bot: all in private chats; in groups, commands not addressed to
    another bot, messages that @mention the bot and replies to the bot's messages."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        if message.text and message.text.startswith("/"):
            target = command_target(message)
            return target is None or target.lower() == (bot.username or "").lower()
        reply = message.reply_to_message
        if reply and reply.from_user and reply.from_user.id == bot.id:
            return True
        return mentions_bot(message, bot.username, bot.id)


ADDRESSED = AddressedToBot(name="AddressedToBot")
NEW_MESSAGE = filters.UpdateType.MESSAGE  # edited messages and channel posts are not questions


def question_text(message: Message, username: str | None) -> str:
    """The question in `message`, without the @mention of the bot."""
    text = message.text or ""
    if username:
        text = re.sub(rf"(?i)(?<!\w)@{re.escape(username)}\b", " ", text)
    return " ".join(text.split())


# --- sending ---------------------------------------------------------------------------------


def keyboard(shown: Shown) -> InlineKeyboardMarkup:
    """The buttons under an answer: the next passage (if any) and 👍/👎."""
    row = []
    if shown.which + 1 < len(shown.answer.passages):
        row.append(InlineKeyboardButton(MORE_BUTTON, callback_data="more"))
    row += [InlineKeyboardButton("👍", callback_data="up"), InlineKeyboardButton("👎", callback_data="down")]
    return InlineKeyboardMarkup([row])


def with_hint(parts: list[str], hint: str) -> list[str]:
    """`parts` with `hint` (HTML) after the last one, or as a message of its own when it does not fit."""
    if len(parts[-1]) + 2 + len(hint) <= TELEGRAM_LIMIT:
        return parts[:-1] + [f"{parts[-1]}\n\n{hint}"]
    return parts + [hint]


async def reply(message: Message, parts: list[str], markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Send `parts` in reply to `message` (the first quotes it), the keyboard under the last.
    Returns the last message sent, or None when whether it arrived is unknown (its response
    was lost twice): the parts after such a one are still sent, as it has likely arrived."""
    sent = None
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        try:
            sent = await message.reply_html(part, do_quote=i == 0, reply_markup=markup if last else None)
        except DeliveryUncertain as exc:
            logger.warning("part %d of %d of a reply may not have arrived (%s); going on", i + 1, len(parts), exc)
            sent = None
    return sent


# --- command handlers --------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a welcome with example questions when the command /start is issued."""
    user = update.effective_user
    examples = "\n".join(f"• <i>{esc(q)}</i>" for q in EXAMPLES)
    name = esc(user.first_name) if user and user.first_name else "Sobat"
    await reply(update.effective_message, [START_TEXT.format(name=name, examples=examples)])


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask when the command /help is issued."""
    mention = f"@{esc(context.bot.username)}" if context.bot.username else "nama bot ini"
    await reply(update.effective_message, [HELP_TEXT.format(mention=mention, example=esc(EXAMPLES[0]))])


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the articles in the corpus, with source and date, when the command /sumber is issued."""
    lines = source_lines(state_of(context).qa.index)
    shown = [esc(line) for line in lines[:MAX_SOURCES_SHOWN]]
    if len(lines) > MAX_SOURCES_SHOWN:
        shown.append(esc(SOURCES_MORE.format(count=len(lines) - MAX_SOURCES_SHOWN)))
    await reply(update.effective_message, pack_lines([SOURCES_HEADER.format(count=len(lines))] + shown))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot is and is not when the command /tentang is issued."""
    articles = len(state_of(context).qa.index.documents)
    await reply(update.effective_message, [ABOUT_TEXT.format(articles=articles)])


async def reload_corpus(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reload the corpus for an admin (telegram.admins) when the command /reload is issued."""
    state, message = state_of(context), update.effective_message
    user = update.effective_user
    if user is None or user.id not in state.config.telegram.admins:
        logger.info("refused /reload from a non-admin")
        await reply(message, [esc(RELOAD_DENIED)])
        return
    if state.reload_lock.locked():
        await reply(message, [esc(RELOAD_BUSY)])
        return
    try:
        qa, seconds = await state.reload()
    except Exception as exc:  # CorpusError, UserError, a broken cache...: keep serving the old index
        logger.warning("corpus reload failed: %s", exc)
        await reply(message, [RELOAD_FAILED.format(error=esc(str(exc))[:3000])])
        return
    await reply(message, [esc(RELOAD_DONE.format(articles=len(qa.index.documents), passages=len(qa.index),
                                                  seconds=seconds))])


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help when a command the bot does not know arrives."""
    await reply(update.effective_message, [esc(UNKNOWN_COMMAND)])


# --- message handlers ----------------------------------------------------------------------------


async def ignore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop here: a group message that is not meant for the bot."""
    raise ApplicationHandlerStop


async def rate_limit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let a user's message through unless they are over the rate limit (one notice per flood)."""
    state, user = state_of(context), update.effective_user
    if user is None:
        return
    verdict = state.limiter.check(user.id)
    if verdict == "allow":
        return
    if verdict == "notice":
        logger.info("rate limit: user %s is over %d messages in %g s", state.feedback.user_hash(user.id),
                    state.limiter.limit, state.limiter.window)
        await reply(update.effective_message, [esc(RATE_LIMITED)])
    else:
        logger.info("rate limit: dropped a message from user %s", state.feedback.user_hash(user.id))
    raise ApplicationHandlerStop


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message: the short answer, the cited passage and its source."""
    state, message, user = state_of(context), update.effective_message, update.effective_user
    text = question_text(message, context.bot.username)
    started = time.perf_counter()
    answer = await state.answer(text)
    parts = telegram_messages(answer, 0)
    chat_type = message.chat.type
    if not answer.answered:
        parts = with_hint(parts, esc(DECLINE_HINT))
        if answer.question and user:
            await asyncio.to_thread(state.feedback.record, user_id=user.id, chat_type=chat_type,
                                    question=answer.question, passage_id=None, verdict="unanswered")
        await reply(message, parts)
    else:
        shown = Shown(answer, 0, chat_type, parts=len(parts))
        sent = await reply(message, parts, keyboard(shown))
        if sent is not None:  # else its buttons say "expired": which message it is, is unknown
            state.recent.put(sent.chat_id, sent.message_id, shown)
    logger.info("question (%d chars) %s in %.0f ms", len(text), "answered" if answer.answered else "declined",
                (time.perf_counter() - started) * 1000)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for the question as text when a sticker, photo, voice note or file arrives."""
    await reply(update.effective_message, [NOT_TEXT.format(example=esc(EXAMPLES[0]))])


# --- inline buttons ------------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the next passage, or record 👍/👎, when a button under an answer is pressed."""
    state, query = state_of(context), update.callback_query
    message = query.message
    shown = state.recent.get(message.chat.id, message.message_id) if message else None
    if shown is None:
        await query.answer(EXPIRED)
        return
    if query.data == "more":
        await _show_next(state, query, shown)
    elif query.data in ("up", "down"):
        voter = state.feedback.user_hash(query.from_user.id)
        if voter in shown.voters:
            await query.answer(ALREADY_VOTED)
            return
        shown.voters.add(voter)
        await asyncio.to_thread(state.feedback.record, user_id=query.from_user.id, chat_type=shown.chat_type,
                                question=shown.answer.question, passage_id=shown.passage_id, verdict=query.data)
        await query.answer(THANKS)
    else:
        await query.answer()


async def _show_next(state: BotState, query, shown: Shown) -> None:
    """Edit the answer to show the next passage (or send it, when it takes several messages)."""
    following = shown.which + 1
    if following >= len(shown.answer.passages):
        await query.answer(NO_MORE)
        return
    parts = telegram_messages(shown.answer, following)
    nxt = Shown(shown.answer, following, shown.chat_type, parts=len(parts))
    await query.answer()
    message = query.message
    if len(parts) == 1 and shown.parts == 1 and isinstance(message, Message):
        try:
            await query.edit_message_text(parts[0], reply_markup=keyboard(nxt))
            state.recent.put(message.chat.id, message.message_id, nxt)
            return
        except BadRequest as exc:  # too old to edit, or deleted: send it instead
            logger.info("could not edit an answer (%s); sending the next passage", exc)
    sent = None
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        sent = await query.get_bot().send_message(message.chat.id, part, reply_markup=keyboard(nxt) if last else None)
    state.recent.put(sent.chat_id, sent.message_id, nxt)


# --- errors ----------------------------------------------------------------------------------


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and apologise to the user instead of going silent."""
    error = context.error
    if update is None:  # polling or webhook trouble: the library retries on its own
        if isinstance(error, Conflict):
            logger.error("another instance is getting updates with this token (%s)", error)
        elif isinstance(error, (NetworkError, TimedOut)):
            logger.warning("Bot API unreachable (%s); retrying", error)
        else:
            logger.error("error outside an update: %s", error, exc_info=error)
        return
    if isinstance(error, Forbidden):  # the user blocked the bot or left the group
        logger.info("cannot send to a chat: %s", error)
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # Delivery trouble, not a failed answer: the reply may have arrived (a lost response),
        # or nothing gets through (then neither would an apology). Unreachable: it stays in
        # the journal, to be answered at the next start.
        state = context.bot_data.get(STATE)
        if isinstance(error, Unreachable) and isinstance(update, Update) and state and state.journal:
            state.journal.keep(update.to_dict())
        logger.error("could not deliver the reply to update %s: %s",
                     update.update_id if isinstance(update, Update) else None, error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query:
            await update.callback_query.answer(APOLOGY)
        elif update.effective_message:
            await update.effective_message.reply_html(esc(APOLOGY), do_quote=True)
    except TelegramError as exc:
        logger.warning("could not send the apology either: %s", exc)


# --- the application ---------------------------------------------------------------------------


def build_application(config: Config, qa: Bot, token: str, *, request: BaseRequest | None = None,
                      get_updates_request: BaseRequest | None = None, updater: bool = True,
                      loader: Callable[[Config], Bot] | None = None, journal: Journal | None = None,
                      timings: DeliveryTimings | None = None) -> Application:
    """The Application with its handlers and shared state (`request` replaces the network in
    tests). With a `journal`, every message update is recorded when getUpdates returns it and
    marked done once answered; `timings` (default: from the environment) pace send retries."""
    tg = config.telegram
    timings = timings or DeliveryTimings.from_env()
    running: list[Application] = []  # sends are patient only while the bot runs (not at start-up or stop)
    patient = lambda: bool(running) and running[0].running  # noqa: E731
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(tg.base_url or DEFAULT_BASE_URL)
        .defaults(Defaults(parse_mode=ParseMode.HTML, allow_sending_without_reply=True,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(ChatOrderedProcessor(journal=journal))
        .request(request or RetryingRequest(connection_pool_size=64, timings=timings, patient=patient))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if get_updates_request is None and journal is not None and updater:
        get_updates_request = RetryingRequest(connection_pool_size=1, connect_timeout=5.0, read_timeout=5.0,
                                              write_timeout=5.0, pool_timeout=1.0, on_updates=journal.received)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if not updater:
        builder = builder.updater(None)
    app = builder.build()
    running.append(app)
    app.bot_data[STATE] = BotState(config=config, qa=qa, limiter=RateLimiter(tg.rate_limit, tg.rate_window),
                                   feedback=FeedbackLog(tg.feedback_log or None), loader=loader, journal=journal)
    add_handlers(app)
    return app


def add_handlers(app: Application) -> None:
    """Group -2 ignores group chatter, -1 applies the rate limit, 0 answers."""
    app.add_handler(MessageHandler(NEW_MESSAGE & filters.ChatType.GROUPS & ~ADDRESSED, ignore), group=-2)
    app.add_handler(MessageHandler(NEW_MESSAGE & (filters.TEXT | filters.ATTACHMENT), rate_limit), group=-1)
    for name, callback in (("start", start), ("help", help_command), ("sumber", sources), ("tentang", about),
                           ("reload", reload_corpus)):
        app.add_handler(CommandHandler(name, callback, filters=NEW_MESSAGE))
    app.add_handler(MessageHandler(NEW_MESSAGE & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(NEW_MESSAGE & filters.TEXT, question))
    app.add_handler(MessageHandler(NEW_MESSAGE & filters.ATTACHMENT, not_text))
    app.add_handler(CallbackQueryHandler(button))
    app.add_error_handler(error_handler)


async def _post_init(app: Application) -> None:
    """Register the command menu and start watching the corpus, once connected."""
    try:
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    except TelegramError as exc:
        logger.warning("could not set the command menu: %s", exc)
    state: BotState = app.bot_data[STATE]
    if state.config.telegram.reload_on_change:
        state.watcher = asyncio.create_task(watch_corpus(state), name="uccn:watch-corpus")
    logger.info("@%s is up (%d articles, %d passages)", app.bot.username, len(state.qa.index.documents),
                len(state.qa.index))
    if state.journal:  # questions a crash (or an outage at the last stop) left unanswered: first in line
        pending = state.journal.pending()
        for raw in pending:
            await app.update_queue.put(Update.de_json(raw, app.bot))
        if pending:
            logger.warning("answering %d question(s) left pending at the last stop", len(pending))


async def _post_stop(app: Application) -> None:
    """Stop watching the corpus."""
    state: BotState = app.bot_data[STATE]
    if state.watcher:
        state.watcher.cancel()


async def _post_shutdown(app: Application) -> None:
    """Let the answering thread go; close the journal."""
    state: BotState = app.bot_data[STATE]
    state.executor.shutdown(wait=False, cancel_futures=True)
    if state.journal:
        state.journal.close()


def corpus_signature(path: Path) -> tuple:
    """Names, sizes and modification times of the corpus files: it changes when they do."""
    root = Path(path)
    return tuple((str(p.relative_to(root)), st.st_size, st.st_mtime_ns) for p in corpus_files(root)
                 for st in [p.stat()])


async def watch_corpus(state: BotState, interval: float = WATCH_INTERVAL) -> None:
    """Reload the corpus when its files change and then stay unchanged for one more check."""
    path = Path(state.config.corpus_path)
    loaded = previous = await asyncio.to_thread(corpus_signature, path)
    while True:
        await asyncio.sleep(interval)
        try:
            current = await asyncio.to_thread(corpus_signature, path)
        except OSError as exc:
            logger.warning("cannot read the corpus directory %s: %s", path, exc)
            continue
        if current != loaded and current == previous and not state.reload_lock.locked():
            logger.info("corpus changed on disk; reloading")
            try:
                await state.reload()
            except Exception as exc:  # keep the old index; try again after the next change
                logger.warning("corpus reload failed: %s", exc)
            loaded = current
        previous = current


def run_telegram(config: Config) -> int:
    """Run the bot until SIGINT/SIGTERM: long polling, or a webhook when telegram.webhook.url is set."""

    try:
        token = check_token(config.telegram_token())
        plan = webhook_plan(config)
    except TelegramSetupError as exc:
        raise UserError(str(exc)) from None
    install_log_hygiene(token)
    qa = open_bot(config)  # CorpusError / UserError reach cli.main as one clear line
    app = build_application(config, qa, token, loader=open_bot,
                            journal=journal_for(config.telegram.feedback_log, token))
    allowed = [Update.MESSAGE, Update.CALLBACK_QUERY]
    asyncio.set_event_loop(asyncio.new_event_loop())  # run_* closes the loop it runs on
    try:
        if plan is None:
            logger.info("getting updates by long polling from %s", _redacted(config.telegram.base_url))
            app.run_polling(timeout=config.telegram.poll_timeout, bootstrap_retries=3, allowed_updates=allowed)
        else:
            logger.info("serving a webhook on %s:%d/%s for %s", plan.listen, plan.port, plan.path, plan.url)
            app.run_webhook(listen=plan.listen, port=plan.port, url_path=plan.path, webhook_url=plan.url,
                            secret_token=plan.secret_token, bootstrap_retries=3, allowed_updates=allowed)
    except InvalidToken:
        raise UserError(f"the Bot API at {_redacted(config.telegram.base_url)} rejected the token "
                        f"(check {TOKEN_ENV} or telegram.token)") from None
    except (NetworkError, TimedOut) as exc:
        raise UserError(f"cannot reach the Bot API at {_redacted(config.telegram.base_url)}: {exc}") from None
    except OSError as exc:  # the webhook port is taken, or not ours to bind
        raise UserError(f"cannot start the webhook server on {plan.listen}:{plan.port}: {exc}" if plan
                        else str(exc)) from None
    return 0


def _redacted(base_url: str) -> str:
    return base_url.split("{token}")[0] if "{token}" in base_url else base_url


__all__ = ["run_telegram", "build_application", "check_token", "webhook_plan", "RateLimiter", "FeedbackLog",
           "RecentAnswers", "ChatOrderedProcessor", "RetryingRequest"]
