"""A fault-injecting HTTP proxy on 127.0.0.1, put between the bot and the Bot API stand-in.

It forwards each request (HTTP/1.1, keep-alive, bodies with Content-Length, as python-telegram-
bot sends them) to the upstream and the response back, unless told otherwise:

    proxy.refuse(5.0)                  # the API is unreachable for 5 s: the listening socket is
                                       # closed (connections are refused) and open ones are cut
    proxy.fault("sendMessage", "drop") # the next sendMessage reaches the API, its response never
                                       # comes back (the connection stalls until the bot gives up)
    proxy.fault("sendMessage", "reset", times=3)   # cut the connection instead of forwarding
    proxy.fault(None, "stall")         # any method: never forward, never answer
    proxy.fault("sendMessage", "drop", chat=7001)  # only a request for that chat (its chat_id)

Modes: "reset" (RST, nothing forwarded), "stall" (nothing forwarded, no answer), "drop"
(forwarded, the response swallowed, the connection held open), "drop-reset" (forwarded, the
response swallowed, the connection reset). `events` records (monotonic time, method, what
happened) for every request.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

MODES = ("reset", "stall", "drop", "drop-reset")


@dataclass
class _Rule:
    method: str | None
    mode: str
    left: int
    chat: int | None = None


class _Closed(Exception):
    pass


def _abort(sock: socket.socket | None) -> None:
    """Close with a TCP reset (SO_LINGER 0), waking any thread blocked on it."""
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _chat_of(request: bytes) -> int | None:
    """The chat_id of a Bot API request (a form-encoded or JSON body, or the query string)."""
    head, _, body = request.partition(b"\r\n\r\n")
    request_line, *header_lines = head.split(b"\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (h.partition(b":") for h in header_lines)}
    try:
        if b"json" in headers.get(b"content-type", b"").lower():
            value = json.loads(body or b"{}").get("chat_id")
        else:
            query = request_line.split(b" ", 2)[1].partition(b"?")[2]
            fields = {**parse_qs(query.decode("latin-1")), **parse_qs(body.decode("utf-8"))}
            value = fields.get("chat_id", [None])[-1]
        return int(value) if value is not None else None
    except (ValueError, TypeError, AttributeError, IndexError):
        return None


def _read_message(sock: socket.socket, buffer: bytearray) -> bytes:
    """One HTTP message (head and Content-Length body) from `sock`; raises _Closed at EOF."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise _Closed()
        buffer += chunk
    end = buffer.index(b"\r\n\r\n") + 4
    head = bytes(buffer[:end])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding":
            raise ValueError("chunked bodies are not supported by the fault proxy")
    while len(buffer) < end + length:
        chunk = sock.recv(65536)
        if not chunk:
            raise _Closed()
        buffer += chunk
    message = bytes(buffer[: end + length])
    del buffer[: end + length]
    return message


class FaultProxy:
    """The proxy; `base_url` is what the bot's telegram.base_url should be."""

    def __init__(self, upstream_port: int, host: str = "127.0.0.1"):
        self.upstream = (host, upstream_port)
        self.host = host
        self.port = 0
        self.events: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._stopped = False
        self._timer: threading.Timer | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    # -- control ------------------------------------------------------------------------

    def start(self) -> "FaultProxy":
        self._listen()
        return self

    def stop(self) -> None:
        self._stopped = True
        if self._timer:
            self._timer.cancel()
        self._close_listener()
        self._cut_all()

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def refuse(self, seconds: float | None = None) -> None:
        """Go unreachable: refuse new connections, cut open ones; come back after `seconds`."""
        self._close_listener()
        self._cut_all()
        self._note("-", "down")
        if seconds is not None:
            self._timer = threading.Timer(seconds, self.restore)
            self._timer.daemon = True
            self._timer.start()

    def restore(self) -> None:
        """Accept connections again (on the same port)."""
        if not self._stopped and self._listener is None:
            self._listen()
            self._note("-", "up")

    @property
    def down(self) -> bool:
        return self._listener is None

    def fault(self, method: str | None, mode: str, times: int = 1, chat: int | None = None) -> None:
        """Apply `mode` to the next `times` requests of `method` (None: of any method), or only
        to those for `chat` when it is given (so a fault meant for one chat's first send cannot
        be taken by another chat's request that happens to arrive first)."""
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; expected one of {MODES}")
        with self._lock:
            self._rules.append(_Rule(method, mode, times, chat))

    def clear(self) -> None:
        """Forget the faults not yet applied."""
        with self._lock:
            self._rules.clear()

    def count(self, what: str, method: str | None = None) -> int:
        with self._lock:
            return sum(1 for _, m, w in self.events if w == what and (method is None or m == method))

    # -- the work -----------------------------------------------------------------------

    def _note(self, method: str, what: str) -> None:
        with self._lock:
            self.events.append((time.monotonic(), method, what))

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(256)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), name="faultproxy-accept", daemon=True).start()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below
            except OSError:
                pass
            listener.close()

    def _cut_all(self) -> None:
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            _abort(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self._listener is not listener:  # went down meanwhile
                _abort(client)
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets.add(client)
            threading.Thread(target=self._serve, args=(client,), name="faultproxy-conn", daemon=True).start()

    def _take(self, method: str, request: bytes) -> str | None:
        with self._lock:
            chat = _chat_of(request) if any(rule.chat is not None for rule in self._rules) else None
            for rule in self._rules:
                if rule.method in (None, method) and rule.left > 0 and rule.chat in (None, chat):
                    rule.left -= 1
                    if rule.left == 0:
                        self._rules.remove(rule)
                    return rule.mode
        return None

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        inbound, outbound = bytearray(), bytearray()
        try:
            while True:
                request = _read_message(client, inbound)
                path = request.split(b" ", 2)[1].decode("latin-1")
                method = path.split("?", 1)[0].rsplit("/", 1)[-1]
                mode = self._take(method, request)
                if mode in ("reset", "stall"):
                    self._note(method, mode)
                    if mode == "reset":
                        _abort(client)
                    else:
                        self._hold(client)
                    return
                if upstream is None:
                    upstream = socket.create_connection(self.upstream)
                    upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    with self._lock:
                        self._sockets.add(upstream)
                upstream.sendall(request)
                response = _read_message(upstream, outbound)
                if mode in ("drop", "drop-reset"):
                    self._note(method, mode)
                    if mode == "drop-reset":
                        _abort(client)
                    else:
                        self._hold(client)
                    return
                client.sendall(response)
                self._note(method, "ok")
        except (_Closed, OSError, ValueError):
            pass
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with self._lock:
                        self._sockets.discard(sock)
                    try:
                        sock.close()
                    except OSError:
                        pass

    @staticmethod
    def _hold(client: socket.socket) -> None:
        """Keep the connection open and silent until the other side (or `refuse`) closes it."""
        try:
            while client.recv(65536):
                pass
        except OSError:
            pass
