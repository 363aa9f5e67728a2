"""A stand-in for the Telegram Bot API, for offline tests of `uccn-bot telegram`.

`FakeBotApi` is the API itself, without a network: it keeps chats, messages and pending
updates, answers the methods the bot calls (getMe, deleteWebhook, setWebhook, getUpdates with
long polling, sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
setMyCommands), checks what the real API checks (HTML that parses, at most 4096 characters,
a callback query answered once, "message is not modified"), records every call and can be
told to fail the next calls of a method. `BotApiStandin` serves it over HTTP on 127.0.0.1,
the way api.telegram.org does (`/bot<token>/<method>`, form-encoded or JSON bodies, replies
`{"ok": true, "result": ...}`), so the real bot process can be pointed at it with
`telegram.base_url`.

Tests push updates (`send_text`, `send_sticker`, `press`, ...) and wait for what the bot sends
(`wait_call`, `replies_to`). For latency measurements, `handed_out` holds the monotonic time
at which each update was first handed to the bot by getUpdates.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from html import unescape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-test"
BOT_ID = 123456789
BOT_USERNAME = "uccn_test_bot"
TEXT_LIMIT = 4096

_JSON_FIELDS = {"reply_markup", "reply_parameters", "link_preview_options", "commands", "allowed_updates",
                "entities", "scope"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "max_connections", "update_id"}
_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span", "tg-spoiler",
         "blockquote", "tg-emoji"}


class ApiError(Exception):
    """An error reply of the Bot API: HTTP status, description, optional parameters."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class Call:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when it arrived
    result: Any = None
    error: str | None = None  # the description, when the call was answered with an error

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def quoted(self) -> int | None:
        """The message id this message replies to, if any."""
        reply = self.params.get("reply_parameters") or {}
        return reply.get("message_id") if isinstance(reply, dict) else None

    @property
    def buttons(self) -> list[dict]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class _Fault:
    status: int
    description: str
    retry_after: int | None
    left: int


@dataclass
class FakeBotApi:
    """The Bot API's behaviour, thread-safe, without a network."""

    token: str = TOKEN
    bot_id: int = BOT_ID
    username: str = BOT_USERNAME
    calls: list[Call] = field(default_factory=list)
    handed_out: dict[int, float] = field(default_factory=dict)  # update_id -> monotonic time
    webhook: dict[str, Any] = field(default_factory=dict)
    pushed: dict[int, dict] = field(default_factory=dict)  # every update ever pushed, by id

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._updates: list[dict] = []  # pending, in order
        self._ids = itertools.count(1)  # update ids
        self._message_ids = itertools.count(1000)
        self._messages: dict[tuple[int, int], dict] = {}
        self._message_update: dict[tuple[int, int], int] = {}
        self._update_message: dict[int, tuple[int, int]] = {}
        self._first_reply: dict[tuple[int, int], Call] = {}  # (chat id, message id) -> first reply to it
        self._chats: dict[int, dict] = {}
        self._answered_queries: set[str] = set()
        self._faults: dict[str, list[_Fault]] = {}
        self._closed = False

    # -- what tests do -------------------------------------------------------------------

    @property
    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "UCCN Test", "username": self.username}

    def user(self, user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"Pengguna{user_id}", "language_code": "id"}

    def private_chat(self, user_id: int) -> dict:
        return {"id": user_id, "type": "private", "first_name": f"Pengguna{user_id}"}

    def group_chat(self, chat_id: int = -100123, title: str = "Grup Kota Kreatif") -> dict:
        return {"id": chat_id, "type": "supergroup", "title": title}

    def push(self, update: dict) -> int:
        """Queue a raw update (an `update_id` is assigned); return its id."""
        with self._cond:
            update_id = next(self._ids)
            update = {"update_id": update_id, **update}
            message = update.get("message")
            if message:
                key = (message["chat"]["id"], message["message_id"])
                self._messages[key] = message
                self._message_update[key] = update_id
                self._update_message[update_id] = key
                self._chats[message["chat"]["id"]] = message["chat"]
            self._updates.append(update)
            self.pushed[update_id] = update
            self._cond.notify_all()
        return update_id

    def message(self, user_id: int, chat: dict | None = None, reply_to: dict | None = None, **content) -> dict:
        """A message from `user_id` (in their private chat unless `chat` is given)."""
        chat = chat or self.private_chat(user_id)
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                   "from": self.user(user_id), **content}
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def send_text(self, user_id: int, text: str, chat: dict | None = None, reply_to: dict | None = None) -> int:
        """The user sends `text`; commands and @mentions get their entities, as Telegram adds them."""
        content: dict[str, Any] = {"text": text}
        entities = text_entities(text)
        if entities:
            content["entities"] = entities
        return self.push({"message": self.message(user_id, chat, reply_to, **content)})

    def send_sticker(self, user_id: int, chat: dict | None = None) -> int:
        sticker = {"file_id": "CAACAgIAAxkBAAEB", "file_unique_id": "AgADsticker", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "😀"}
        return self.push({"message": self.message(user_id, chat, sticker=sticker)})

    def send_photo(self, user_id: int, chat: dict | None = None, caption: str | None = None) -> int:
        photo = [{"file_id": "AgACAgIAAxkBAAEphoto", "file_unique_id": "AQADphoto", "width": 90, "height": 90}]
        extra = {"caption": caption} if caption else {}
        return self.push({"message": self.message(user_id, chat, photo=photo, **extra)})

    def send_voice(self, user_id: int, chat: dict | None = None) -> int:
        voice = {"file_id": "AwACAgIAAxkBAAEvoice", "file_unique_id": "AgADvoice", "duration": 3}
        return self.push({"message": self.message(user_id, chat, voice=voice)})

    def press(self, user_id: int, message: dict, data: str) -> str:
        """The user presses the inline button with callback `data` under the bot's `message`;
        return the callback query id."""
        query_id = f"cbq{next(self._ids)}"
        self.push({"callback_query": {"id": query_id, "from": self.user(user_id), "message": message,
                                      "chat_instance": f"ci{message['chat']['id']}", "data": data}})
        return query_id

    def stored_message(self, chat_id: int, message_id: int) -> dict:
        """A message as the API knows it now (the bot's messages after their edits)."""
        with self._cond:
            return json.loads(json.dumps(self._messages[(chat_id, message_id)]))

    def update_of(self, chat_id: int, message_id: int) -> int | None:
        with self._cond:
            return self._message_update.get((chat_id, message_id))

    def fail(self, method: str, status: int = 502, description: str = "Bad Gateway", times: int = 1,
             retry_after: int | None = None) -> None:
        """Answer the next `times` calls of `method` with an error."""
        with self._cond:
            self._faults.setdefault(method, []).append(_Fault(status, description, retry_after, times))

    def pending(self) -> int:
        with self._cond:
            return len(self._updates)

    def close(self) -> None:
        """Release any long poll in progress (the server is stopping)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # -- looking at what the bot did -----------------------------------------------------

    def calls_of(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if (method is None or c.method == method)
                    and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Successful sendMessage calls (to `chat_id`)."""
        return [c for c in self.calls_of("sendMessage", chat_id) if c.error is None]

    def replies_to(self, update_id: int) -> list[Call]:
        """Successful sendMessage calls that quote the message of update `update_id`."""
        with self._cond:
            keys = [k for k, u in self._message_update.items() if u == update_id]
        if not keys:
            return []
        chat_id, message_id = keys[0]
        return [c for c in self.sent(chat_id) if c.quoted == message_id]

    def wait_call(self, predicate: Callable[[Call], bool], timeout: float = 10.0, after: int = 0) -> Call:
        """The first call (from index `after` on) that satisfies `predicate`; waits for it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self.calls[after:]:
                    if predicate(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(f"{c.method}({c.text[:40]!r})" for c in self.calls[after:][-8:])
                    raise TimeoutError(f"no matching Bot API call within {timeout} s; last calls: {seen}")
                self._cond.wait(left)

    def first_reply(self, update_id: int) -> Call | None:
        """The first message that quoted the message of update `update_id`, if any yet."""
        with self._cond:
            return self._first_reply.get(self._update_message.get(update_id))

    def wait_reply(self, update_id: int, timeout: float = 10.0) -> Call:
        """The first message that quotes the message of update `update_id`; waits for it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            key = self._update_message[update_id]
            while key not in self._first_reply:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(f"{c.method}({c.text[:40]!r})" for c in self.calls[-8:])
                    raise TimeoutError(f"no reply to update {update_id} within {timeout} s; last calls: {seen}")
                self._cond.wait(left)
            return self._first_reply[key]

    def wait_fetched(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot has confirmed update `update_id` (asked for a later offset)."""
        self.wait_call(lambda c: c.method == "getUpdates" and (c.params.get("offset") or 0) > update_id, timeout)

    # -- the API ---------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Run one API call; return its result or raise `ApiError`."""
        started = time.monotonic()
        if method == "getUpdates":  # recorded on arrival (the bot is polling), then long-polled
            call = Call(method, params, started)
            self._record(call)
            try:
                updates = self._get_updates(params)
            except ApiError as exc:
                call.error = exc.description
                raise
            call.result = len(updates)
            return updates
        with self._cond:
            call = Call(method, params, started)
            try:
                fault = self._take_fault(method)
                if fault:
                    raise ApiError(fault.status, fault.description,
                                   {"retry_after": fault.retry_after} if fault.retry_after else None)
                handler = getattr(self, f"_api_{method}", None)
                if handler is None:
                    raise ApiError(404, "Not Found: method not found")
                call.result = handler(params)
                if method == "sendMessage" and call.quoted is not None:
                    self._first_reply.setdefault((params.get("chat_id"), call.quoted), call)
                return call.result
            except ApiError as exc:
                call.error = exc.description
                raise
            finally:
                self.calls.append(call)
                self._cond.notify_all()

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _take_fault(self, method: str) -> _Fault | None:
        faults = self._faults.get(method)
        if not faults:
            return None
        fault = faults[0]
        fault.left -= 1
        if fault.left <= 0:
            faults.pop(0)
        return fault

    def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = min(int(params.get("limit") or 100), 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self._cond:
            fault = self._take_fault("getUpdates")
            if fault:
                raise ApiError(fault.status, fault.description)
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch = self._updates[:limit]
            now = time.monotonic()
            for update in batch:
                self.handed_out.setdefault(update["update_id"], now)
            return batch

    def _api_getMe(self, params: dict) -> dict:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    def _api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = {}
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._updates.clear()
        return True

    def _api_setWebhook(self, params: dict) -> bool:
        self.webhook = dict(params)
        return True

    def _api_getWebhookInfo(self, params: dict) -> dict:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    def _api_setMyCommands(self, params: dict) -> bool:
        return True

    def _api_sendChatAction(self, params: dict) -> bool:
        return True

    def _api_sendMessage(self, params: dict) -> dict:
        chat_id = params.get("chat_id")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        text = self._checked_text(params)
        reply = params.get("reply_parameters") or {}
        if reply and (chat_id, reply.get("message_id")) not in self._messages and not reply.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                   "from": self.bot_user, "text": text}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _api_editMessageText(self, params: dict) -> dict:
        message = self._editable(params)
        text = self._checked_text(params)
        markup = params.get("reply_markup")
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    def _api_editMessageReplyMarkup(self, params: dict) -> dict:
        message = self._editable(params)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        return message

    def _api_answerCallbackQuery(self, params: dict) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id in self._answered_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: text is too long")
        self._answered_queries.add(query_id)
        return True

    def _editable(self, params: dict) -> dict:
        key = (params.get("chat_id"), params.get("message_id"))
        message = self._messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _checked_text(self, params: dict) -> str:
        text = str(params.get("text", ""))
        if str(params.get("parse_mode", "")).upper() == "HTML":
            problem, visible = check_html(text)
            if problem:
                raise ApiError(400, f"Bad Request: can't parse entities: {problem}")
            text = visible
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return text


def text_entities(text: str) -> list[dict]:
    """The entities Telegram adds to a typed message: a leading /command, @mentions."""
    entities = []

    def utf16(i: int) -> int:
        return len(text[:i].encode("utf-16-le")) // 2

    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16(command.end())})
    for m in re.finditer(r"(?<![\w/])@[A-Za-z][A-Za-z0-9_]{4,31}", text):
        entities.append({"type": "mention", "offset": utf16(m.start()), "length": utf16(m.end()) - utf16(m.start())})
    return entities


_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_TAG_RE = re.compile(r"<(/?)([a-z][a-z0-9-]*)((?:\s+[a-z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>")


def check_html(text: str) -> tuple[str | None, str]:
    """Parse Telegram's HTML parse mode: (the problem or None, the visible text). Every `<`,
    `>` and `&` outside a supported tag or entity is an error, as are unclosed or crossed tags."""
    stack: list[str] = []
    visible: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = _TAG_RE.match(text, i)
            if not m or m.group(2) not in _TAGS:
                return f"unsupported start tag at byte offset {i}", ""
            closing, tag = m.group(1) == "/", m.group(2)
            if closing:
                if not stack or stack[-1] != tag:
                    return f"unmatched end tag at byte offset {i}, expected \"</{stack[-1] if stack else ''}>\"", ""
                stack.pop()
            else:
                stack.append(tag)
            i = m.end()
        elif ch == "&":
            m = _ENTITY_RE.match(text, i)
            if not m:
                return f"character entity expected at byte offset {i}", ""
            visible.append(unescape(m.group(0)))
            i = m.end()
        elif ch == ">":
            return f"unexpected end tag at byte offset {i}", ""
        else:
            visible.append(ch)
            i += 1
    if stack:
        return f"can't find end tag corresponding to start tag \"{stack[-1]}\"", ""
    return None, "".join(visible)


def decode_params(raw: dict[str, str]) -> dict[str, Any]:
    """Form fields as python-telegram-bot sends them (objects as JSON strings) → values."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _JSON_FIELDS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        elif key in _INT_FIELDS and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        params[key] = value
    return params


class BotApiStandin:
    """`FakeBotApi` over HTTP on 127.0.0.1 (a thread), like api.telegram.org.

        with BotApiStandin() as api:
            ...  # run the bot with telegram.base_url = api.base_url
    """

    def __init__(self, api: FakeBotApi | None = None, port: int = 0):
        self.api = api or FakeBotApi()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, as from a real server

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                standin._serve(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, format: str, *args) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="botapi-standin", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> "BotApiStandin":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.api.close()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "BotApiStandin":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?", 1)[0]
        m = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if not m:
            return self._reply(request, HTTPStatus.NOT_FOUND, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = m.groups()
        if token != self.api.token:
            return self._reply(request, HTTPStatus.UNAUTHORIZED,
                               {"ok": False, "error_code": 401, "description": "Unauthorized"})
        kind = request.headers.get("Content-Type", "")
        try:
            if "json" in kind:
                raw = json.loads(body or b"{}")
                params = {k: v for k, v in raw.items()}
            else:
                raw_form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
                params = decode_params({k: v[-1] for k, v in raw_form.items()})
            if "?" in request.path:
                query = parse_qs(request.path.split("?", 1)[1], keep_blank_values=True)
                params.update(decode_params({k: v[-1] for k, v in query.items()}))
            result = self.api.call(method, params)
        except ApiError as exc:
            payload = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                payload["parameters"] = exc.parameters
            return self._reply(request, exc.status, payload)
        self._reply(request, HTTPStatus.OK, {"ok": True, "result": result})

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the bot gave up waiting (it is stopping)
            pass


class BotProcess:
    """The real `uccn-bot telegram` in a child process (stderr to a file, so a chatty log never
    blocks it). `wait_ready()` waits until it polls (or, for a webhook, has set it)."""

    def __init__(self, api: FakeBotApi, config_path: str, log_path: str, env: dict | None = None,
                 args: tuple[str, ...] = ()):
        import os
        import subprocess
        import sys

        self.api = api
        self.log_path = log_path
        self._mark = len(api.calls)
        self._log = open(log_path, "wb")
        run_env = dict(os.environ if env is None else env)
        self.proc = subprocess.Popen([sys.executable, "-m", "uccn_bot", "telegram", "--config", config_path, *args],
                                     env=run_env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, method: str = "getUpdates", timeout: float = 30.0) -> Call:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.api.wait_call(lambda c: c.method == method, timeout=0.2, after=self._mark)
            except TimeoutError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the bot exited with {self.proc.returncode}:\n{self.log()}") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the bot did not call {method} within {timeout} s:\n{self.log()}") from None

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then the exit status (killed after `timeout` seconds: status -9)."""
        import signal
        import subprocess

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()
