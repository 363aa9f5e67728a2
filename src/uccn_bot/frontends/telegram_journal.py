"""A small local journal of the Telegram questions received and not yet answered.

Long polling confirms updates to Telegram as soon as the next getUpdates asks for a later
offset, which happens before they are answered: a crash in between would lose them. So every
message update is recorded here (SQLite in WAL mode, next to the feedback log) when getUpdates
returns it, before the Updater can confirm it, and marked done once its reply went out. On
start-up the bot answers whatever is still pending. Telegram may also hand out again updates
whose confirmation the crash cut short; messages are recognised by (chat id, message id), so
a message is answered once per journal, not once per delivery.

The guarantee is therefore *at least once*: a crash after the reply went out but before the
done mark leaves it pending, and it is answered again after the restart. Done entries keep
only their ids (the question text is cleared) and are forgotten after `KEEP_DONE` seconds,
well past the 24 hours Telegram keeps an unconfirmed update.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

KEEP_DONE = 3 * 24 * 3600.0
JOURNAL_NAME = "telegram-journal.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    bot_id     INTEGER NOT NULL,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    update_id  INTEGER NOT NULL,
    received   REAL    NOT NULL,
    done       REAL,               -- when the reply went out; NULL while pending
    payload    TEXT,               -- the update as JSON; cleared once done
    PRIMARY KEY (bot_id, chat_id, message_id)
);
CREATE INDEX IF NOT EXISTS pending ON updates (bot_id, done, update_id);
"""


def message_key(update: dict) -> tuple[int, int] | None:
    """(chat id, message id) of a new-message update; None for anything else (button presses,
    edits), which are not journalled: a press is only meaningful while its answer is known."""
    message = update.get("message") if isinstance(update, dict) else None
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    if "id" not in chat or "message_id" not in message:
        return None
    return int(chat["id"]), int(message["message_id"])


class Journal:
    """The journal of one bot (`bot_id`, the number before the colon of its token). Methods are
    quick (one short transaction) and thread-safe; a failing disk is logged, never raised."""

    def __init__(self, path: str | Path, bot_id: int, clock=time.time):
        self.path = Path(path)
        self.bot_id = bot_id
        self.clock = clock
        self._lock = threading.Lock()
        self._claimed: set[tuple[int, int]] = set()  # being answered by this process
        self._kept: set[tuple[int, int]] = set()  # not delivered: stay pending for the next start
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # survives a killed process; fsync at checkpoints
        self._db.executescript(_SCHEMA)
        try:
            self.path.chmod(0o600)  # questions are personal
        except OSError:
            pass
        self._forget_old()

    # -- writing ---------------------------------------------------------------------------

    def received(self, updates: list[dict]) -> None:
        """Record a batch as getUpdates returned it (before it is confirmed to Telegram)."""
        rows = []
        now = self.clock()
        for update in updates:
            key = message_key(update)
            if key and "update_id" in update:
                rows.append((self.bot_id, *key, int(update["update_id"]), now, json.dumps(update)))
        if rows:
            self._write("INSERT OR IGNORE INTO updates (bot_id, chat_id, message_id, update_id, received, payload) "
                        "VALUES (?, ?, ?, ?, ?, ?)", rows)

    def claim(self, update: dict) -> bool:
        """Whether to answer `update` now: False when its message was answered already or is
        being answered in this process (a second delivery of it). Records it if it is new
        (a webhook update arrives here first)."""
        key = message_key(update)
        if key is None:
            return True
        with self._lock:
            if key in self._claimed:
                return False
            try:
                row = self._db.execute("SELECT done FROM updates WHERE bot_id = ? AND chat_id = ? AND message_id = ?",
                                       (self.bot_id, *key)).fetchone()
                if row is None:
                    self._db.execute("INSERT OR IGNORE INTO updates (bot_id, chat_id, message_id, update_id, "
                                     "received, payload) VALUES (?, ?, ?, ?, ?, ?)",
                                     (self.bot_id, *key, int(update.get("update_id") or 0), self.clock(),
                                      json.dumps(update)))
            except sqlite3.Error as exc:
                logger.warning("journal %s unusable (%s); answering without it", self.path, exc)
                row = None
            if row is not None and row[0] is not None:
                return False
            self._claimed.add(key)
            return True

    def keep(self, update: dict) -> None:
        """Leave `update` pending after it is handled: its reply never reached Telegram."""
        key = message_key(update)
        if key:
            with self._lock:
                self._kept.add(key)

    def finish(self, update: dict) -> None:
        """The reply to `update` went out (or was not needed): mark it done, drop its text."""
        key = message_key(update)
        if key is None:
            return
        with self._lock:
            self._claimed.discard(key)
            if key in self._kept:
                self._kept.discard(key)
                return
        self._write("UPDATE updates SET done = ?, payload = NULL WHERE bot_id = ? AND chat_id = ? AND message_id = ?",
                    [(self.clock(), self.bot_id, *key)])

    # -- reading ---------------------------------------------------------------------------

    def pending(self) -> list[dict]:
        """The updates received and not yet answered, oldest first."""
        try:
            with self._lock:
                rows = self._db.execute("SELECT payload FROM updates WHERE bot_id = ? AND done IS NULL "
                                        "AND payload IS NOT NULL ORDER BY update_id, received",
                                        (self.bot_id,)).fetchall()
        except sqlite3.Error as exc:
            logger.warning("cannot read the journal %s: %s", self.path, exc)
            return []
        return [json.loads(payload) for (payload,) in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- housekeeping ----------------------------------------------------------------------

    def _write(self, sql: str, rows: list[tuple]) -> None:
        try:
            with self._lock:
                self._db.execute("BEGIN")
                self._db.executemany(sql, rows)
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            logger.warning("could not write to the journal %s: %s", self.path, exc)
            try:
                with self._lock:
                    self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _forget_old(self) -> None:
        self._write("DELETE FROM updates WHERE done IS NOT NULL AND done < ?", [(self.clock() - KEEP_DONE,)])


def journal_for(feedback_log: str | Path | None, token: str) -> Journal | None:
    """The journal next to the feedback log (None, with a warning, when there is no feedback
    log or the journal cannot be opened: the bot then answers without one)."""
    if not feedback_log:
        logger.warning("no telegram.feedback_log, so no journal: questions pending at a crash are lost")
        return None
    path = Path(feedback_log).with_name(JOURNAL_NAME)
    try:
        return Journal(path, int(token.split(":", 1)[0]))
    except (sqlite3.Error, OSError, ValueError) as exc:
        logger.warning("cannot open the journal %s (%s); questions pending at a crash are lost", path, exc)
        return None
