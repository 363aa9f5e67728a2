"""The Telegram adapter's plumbing, apart from its handlers: token and webhook checks,
a log filter that keeps the token out of logs, the per-user rate limit, the feedback log,
the memory of which answer a message shows, Bot API retries and per-chat update ordering."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import time
import warnings
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Literal
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import (
    BadRequest,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseUpdateProcessor
from telegram.request import HTTPXRequest

from ..config import TOKEN_ENV, Config
from ..core import Answer

logger = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{30,}")
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
RECENT_ANSWERS = 5000  # answer messages whose buttons still work
SEND_RETRIES = 3  # extra attempts for a Bot API call that failed before reaching Telegram
MAX_RETRY_WAIT = 30.0


# --- configuration checks ------------------------------------------------------------------


class TelegramSetupError(Exception):
    """A problem with the Telegram settings, worded for the person running the bot."""


def check_token(token: str) -> str:
    """The token, or `TelegramSetupError` when it is missing or does not look like one."""
    if not token:
        raise TelegramSetupError(f"no Telegram bot token: set {TOKEN_ENV} (or telegram.token in the config); "
                                 "@BotFather gives you one")
    if not TOKEN_RE.fullmatch(token):
        raise TelegramSetupError(f"the Telegram bot token is malformed (from {TOKEN_ENV} or telegram.token): "
                                 "expected digits, a colon and 30 or more letters, digits, '-' or '_', "
                                 "like 110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    return token


@dataclass(frozen=True)
class WebhookPlan:
    """How to serve a webhook: where Telegram posts and where the local server listens."""

    url: str
    listen: str
    port: int
    path: str
    secret_token: str


def webhook_plan(config: Config) -> WebhookPlan | None:
    """The webhook to run, or None for long polling; `TelegramSetupError` for bad settings."""
    hook = config.telegram.webhook
    if not hook.url:
        return None
    parts = urlsplit(hook.url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise TelegramSetupError(f"telegram.webhook.url must be an https:// URL, not {hook.url!r}")
    if parts.scheme == "http":
        logger.warning("telegram.webhook.url is plain http; api.telegram.org only delivers to https URLs")
    if not 0 < hook.port < 65536:
        raise TelegramSetupError(f"telegram.webhook.port must be between 1 and 65535, not {hook.port}")
    secret = hook.secret_token
    if secret and not SECRET_RE.fullmatch(secret):
        raise TelegramSetupError("telegram.webhook.secret_token may only hold 1-256 letters, digits, '_' and '-'")
    if not secret:
        secret = secrets.token_urlsafe(32)  # Telegram echoes it in every request: others cannot post updates
        logger.info("no telegram.webhook.secret_token set; using a random one for this run")
    path = (hook.path or parts.path).strip("/")
    return WebhookPlan(hook.url, hook.listen, hook.port, path, secret)


# --- logging hygiene -----------------------------------------------------------------------


class LogHygiene(logging.Filter):
    """Redacts the token from every log line, and keeps the library's retry-loop tracebacks
    out of the log when `run_telegram` reports the cause in one line itself."""

    def __init__(self, token: str):
        super().__init__("")
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name.startswith("telegram") and "Aborting" in str(record.msg) \
                and record.getMessage().startswith("Network Retry Loop"):  # bootstrap gave up: reported by us
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args, record.exc_info, record.exc_text = None, None, None
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        return True


def install_log_hygiene(token: str) -> None:
    """Put `LogHygiene` on every root handler and keep httpx (which logs URLs) at WARNING."""
    hygiene = LogHygiene(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(hygiene)
    for name in ("httpx", "httpcore"):
        noisy = logging.getLogger(name)
        if noisy.getEffectiveLevel() < logging.WARNING:
            noisy.setLevel(logging.WARNING)


# --- the adapter's bookkeeping ---------------------------------------------------------------


class RateLimiter:
    """At most `limit` questions per user in any `window` seconds (a sliding window). The
    first message over the limit gets a notice; later ones in the same flood are dropped."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._times: dict[int, deque[float]] = {}
        self._noticed: set[int] = set()
        self._checks = 0

    def check(self, user_id: int) -> Literal["allow", "notice", "drop"]:
        if self.limit <= 0:
            return "allow"
        now = self.clock()
        self._checks += 1
        if self._checks % 1000 == 0:
            self._forget_idle(now)
        times = self._times.setdefault(user_id, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._noticed.discard(user_id)
            return "allow"
        if user_id in self._noticed:
            return "drop"
        self._noticed.add(user_id)
        return "notice"

    def _forget_idle(self, now: float) -> None:
        idle = [u for u, t in self._times.items() if not t or t[-1] <= now - self.window]
        for user_id in idle:
            del self._times[user_id]
            self._noticed.discard(user_id)


class FeedbackLog:
    """Appends feedback and unanswered questions to a JSONL file, one object per line. User
    ids are stored as a salted hash (the salt lives next to the log, made on first use). A
    failed write is logged and never reaches the person asking."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._salt = self._load_salt()

    def _load_salt(self) -> bytes:
        if self.path is None:
            return secrets.token_bytes(16)
        salt_file = self.path.with_name(self.path.name + ".salt")
        try:
            if salt_file.exists():
                return bytes.fromhex(salt_file.read_text(encoding="ascii").strip())
            salt_file.parent.mkdir(parents=True, exist_ok=True)
            salt = secrets.token_bytes(16)
            salt_file.write_text(salt.hex() + "\n", encoding="ascii")
            salt_file.chmod(0o600)
            return salt
        except (OSError, ValueError) as exc:
            logger.warning("feedback salt %s unusable (%s); user hashes will change on restart", salt_file, exc)
            return secrets.token_bytes(16)

    def user_hash(self, user_id: int) -> str:
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]

    def record(self, *, user_id: int, chat_type: str, question: str, passage_id: str | None, verdict: str) -> None:
        """Append one event; `verdict` is "up", "down" or "unanswered"."""
        if self.path is None:
            return
        entry = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "user": self.user_hash(user_id),
            "chat_type": chat_type,
            "question": question,
            "passage_id": passage_id,
            "verdict": verdict,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as out:
                    out.write(line)
        except OSError as exc:
            logger.warning("could not append to the feedback log %s: %s", self.path, exc)


@dataclass
class Shown:
    """What an answer message shows: which passage of which answer, and who voted on it."""

    answer: Answer
    which: int
    chat_type: str
    parts: int = 1  # messages this passage took (only a one-message answer is edited in place)
    voters: set[str] = field(default_factory=set)

    @property
    def passage_id(self) -> str | None:
        hits = self.answer.passages
        return hits[self.which].passage.id if self.which < len(hits) else None


class RecentAnswers:
    """The last `size` answer messages by (chat id, message id), so their buttons work."""

    def __init__(self, size: int = RECENT_ANSWERS):
        self.size = size
        self._items: OrderedDict[tuple[int, int], Shown] = OrderedDict()

    def put(self, chat_id: int, message_id: int, shown: Shown) -> None:
        self._items[(chat_id, message_id)] = shown
        self._items.move_to_end((chat_id, message_id))
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def get(self, chat_id: int, message_id: int) -> Shown | None:
        return self._items.get((chat_id, message_id))

    def __len__(self) -> int:
        return len(self._items)


# --- the network: retries and per-chat ordering -----------------------------------------------


class RetryingRequest(HTTPXRequest):
    """HTTPXRequest that retries a Bot API call when Telegram asks to wait (429) or the call
    failed before Telegram handled it (connection refused, 5xx). getUpdates is left to the
    Updater's own retry loop; a timeout is not retried, as the message may have gone out."""

    def __init__(self, *args, retries: int = SEND_RETRIES, backoff: float = 0.5, **kwargs):
        super().__init__(*args, **kwargs)
        self.retries, self.backoff = retries, backoff

    async def post(self, url: str, request_data=None, *args, **kwargs):
        method = url.rsplit("/", 1)[-1]
        attempt = 0
        while True:
            try:
                return await super().post(url, request_data, *args, **kwargs)
            except RetryAfter as exc:
                if method == "getUpdates" or attempt >= self.retries:
                    raise
                wait = min(MAX_RETRY_WAIT, _seconds(exc) + 0.1)
                error: TelegramError = exc
            except (TimedOut, BadRequest):
                raise
            except NetworkError as exc:
                if method == "getUpdates" or attempt >= self.retries:
                    raise
                wait, error = self.backoff * 2**attempt, exc
            attempt += 1
            logger.warning("Bot API %s failed (%s); retry %d of %d in %.1f s", method, error, attempt,
                           self.retries, wait)
            await asyncio.sleep(wait)


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # `retry_after` warns while PTB moves from int to timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Processes updates of different chats concurrently and those of one chat in order, so
    one slow answer never holds up other people and one person's answers never overtake."""

    def __init__(self, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
