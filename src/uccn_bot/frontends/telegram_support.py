"""The Telegram adapter's plumbing, apart from its handlers: token and webhook checks,
a log filter that keeps the token out of logs, the per-user rate limit, the feedback log,
the memory of which answer a message shows, Bot API retries and per-chat update ordering."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import random
import re
import secrets
import threading
import time
import warnings
from collections import OrderedDict, deque
from dataclasses import astuple, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Literal
from urllib.parse import urlsplit

import httpx
from telegram import Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import BaseUpdateProcessor
from telegram.request import HTTPXRequest

from ..config import TOKEN_ENV, Config
from ..core import Answer
from .telegram_journal import Journal

logger = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{30,}")
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
RECENT_ANSWERS = 5000  # answer messages whose buttons still work
SEND_RETRIES = 3  # quick retries of a call that did not reach Telegram, before the bot runs or while it stops
TIME_SCALE_ENV = "UCCN_TELEGRAM_TIME_SCALE"  # multiplies every DeliveryTimings figure (tests)


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


class Unreachable(NetworkError):
    """A Bot API call that never reached Telegram: refused, unroutable or answered 5xx until
    the retry budget ran out (or the bot began to stop). Nothing was delivered."""


class DeliveryUncertain(TimedOut):
    """A Bot API call that may have reached Telegram (its response was lost), resent once,
    and the resend's outcome is unknown too. It may have been delivered: never apologise."""


@dataclass(frozen=True)
class DeliveryTimings:
    """How long sends wait and retry. `scaled` shrinks them all alike, so a test can play a
    30 s outage in 3 s (the environment variable UCCN_TELEGRAM_TIME_SCALE does it for a bot
    process)."""

    backoff: float = 0.5  # first wait after a failure; doubles each time ...
    max_backoff: float = 8.0  # ... up to this (then jittered between half and all of it)
    deadline: float = 600.0  # give up a call that has not reached Telegram after this long
    connect_timeout: float = 10.0
    read_timeout: float = 15.0  # no response by then: maybe delivered (resent at most once)
    write_timeout: float = 15.0
    pool_timeout: float = 10.0

    def scaled(self, factor: float) -> "DeliveryTimings":
        return DeliveryTimings(*(value * factor for value in astuple(self)))

    @classmethod
    def from_env(cls, environ=os.environ) -> "DeliveryTimings":
        raw = environ.get(TIME_SCALE_ENV, "").strip()
        try:
            factor = float(raw) if raw else 1.0
        except ValueError:
            factor = 1.0
        if not 0 < factor <= 1000:
            logger.warning("ignoring %s=%r (expected a positive number)", TIME_SCALE_ENV, raw)
            factor = 1.0
        return cls().scaled(factor) if factor != 1.0 else cls()


def never_reached_telegram(error: BaseException) -> bool:
    """Whether a failed call certainly did not reach Telegram, so resending it cannot
    duplicate anything: the connection was never made (refused, connect timeout, no free
    connection in the pool) or Telegram answered with a server error."""
    cause = error.__cause__
    if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return True
    if isinstance(error, (TimedOut, BadRequest)) or cause is not None:
        return False  # a read timeout, a reset after sending, anything unknown: maybe delivered
    return isinstance(error, NetworkError)  # an HTTP error status, 502 and the like


class RetryingRequest(HTTPXRequest):
    """HTTPXRequest that keeps Bot API calls from being lost to an outage.

    A call that never reached Telegram (connection refused, connect timeout, 5xx) or was told
    to wait (429) is retried with exponential backoff and jitter until `timings.deadline`. A
    call that may have reached it (read timeout, connection reset after sending, a dropped
    response) is resent once at most; if that fails too, `DeliveryUncertain` says so. While
    `patient()` is false (before the bot runs, and once it is stopping) a call gets only
    `retries` quick retries, so start-up fails fast and shutdown does not hang. getUpdates is
    left to the Updater's own retry loop; `on_updates` sees each batch it returns before the
    Updater can confirm it to Telegram (the journal records them there)."""

    def __init__(self, *args, timings: DeliveryTimings | None = None, retries: int = SEND_RETRIES,
                 patient: Callable[[], bool] = lambda: True,
                 on_updates: Callable[[list[dict]], None] | None = None, **kwargs):
        self.timings = timings or DeliveryTimings()
        for name in ("connect_timeout", "read_timeout", "write_timeout", "pool_timeout"):
            kwargs.setdefault(name, getattr(self.timings, name))
        super().__init__(*args, **kwargs)
        self.retries, self.patient, self.on_updates = retries, patient, on_updates

    async def post(self, url: str, request_data=None, *args, **kwargs):
        method = url.rsplit("/", 1)[-1]
        if method == "getUpdates":
            result = await super().post(url, request_data, *args, **kwargs)
            if self.on_updates and result:
                self.on_updates(result)
            return result
        started = time.monotonic()
        attempt, uncertain = 0, None
        while True:
            try:
                return await super().post(url, request_data, *args, **kwargs)
            except RetryAfter as exc:
                wait, error = _seconds(exc) + 0.1, exc
            except (BadRequest, Forbidden, InvalidToken, Conflict, ChatMigrated) as exc:
                if uncertain:  # the first try may have gone through: this says nothing new
                    raise DeliveryUncertain(f"{method}: {uncertain}; resent: {exc}") from exc
                raise
            except NetworkError as exc:  # TimedOut included
                if not never_reached_telegram(exc):
                    if uncertain:
                        raise DeliveryUncertain(f"{method}: {uncertain}; resent: {exc}") from exc
                    uncertain = exc  # resend once: at least once beats perhaps never
                    logger.warning("Bot API %s may have gone through (%s); resending once", method,
                                   _describe(exc))
                    continue
                wait, error = self._backoff(attempt), exc
            attempt += 1
            patient = self.patient()
            out_of_time = time.monotonic() + wait - started > self.timings.deadline
            if (patient and out_of_time) or (not patient and attempt > self.retries):
                if uncertain:
                    raise DeliveryUncertain(f"{method}: {uncertain}; resent: {error}") from error
                raise Unreachable(f"{method} did not reach Telegram in {time.monotonic() - started:.1f} s "
                                  f"({attempt} tries): {_describe(error)}") from error
            log = logger.warning if attempt == 1 or attempt % 10 == 0 else logger.info
            log("Bot API %s failed (%s); try %d in %.1f s", method, _describe(error), attempt + 1, wait)
            await self._sleep(wait)

    def _backoff(self, attempt: int) -> float:
        """Exponential, capped, with jitter (half to all of it), so a crowd of sends waiting
        out one outage does not come back in a single wave."""
        ceiling = min(self.timings.max_backoff, self.timings.backoff * 2**attempt)
        return ceiling * random.uniform(0.5, 1.0)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but stop waiting as soon as the bot starts stopping (checked every 0.2 s)."""
        end = time.monotonic() + seconds
        was_patient = self.patient()
        while (left := end - time.monotonic()) > 0:
            await asyncio.sleep(min(left, 0.2))
            if was_patient and not self.patient():
                return


def _describe(error: BaseException) -> str:
    cause = error.__cause__
    return f"{type(error).__name__}: {error}" + (f" <- {type(cause).__name__}" if cause is not None else "")


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # `retry_after` warns while PTB moves from int to timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Processes updates of different chats concurrently and those of one chat in order, so
    one slow answer never holds up other people and one person's answers never overtake."""

    def __init__(self, max_concurrent_updates: int = 256, journal: Journal | None = None):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self.journal = journal  # a message is answered once, and marked done when it was

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        raw = update.to_dict() if self.journal and isinstance(update, Update) and update.message else None
        if raw is not None and not self.journal.claim(raw):
            coroutine.close()  # Telegram delivered it again (after a crash or a lost confirmation)
            logger.info("update %s: its message is answered already; skipped", update.update_id)
            return
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
            if raw is not None:  # not when cancelled: then it stays pending for the next start
                self.journal.finish(raw)
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
