"""The composition root: every front end opens the bot here, from a `Config`.

    Config ──▶ open_index (corpus → passages → index cache) ──▶ Bot(index, settings)

Front ends (the CLI, the REPL, Telegram, evaluation) import this module and `render`, never
each other. `UserError` is a problem a person can fix, reported in one line.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from .answering import AnswerSettings, Bot
from .config import Config
from .index import Index, open_index


class UserError(Exception):
    """A problem to report in one line, without a traceback."""


def open_bot(config: Config, answer_settings: AnswerSettings | None = None) -> Bot:
    """Load (or build) the index for `config` and wrap it in a `Bot` (with the answer model
    when `answer.reader` is on and the model is installed)."""
    settings = answer_settings or config.answer
    return Bot(load_index(config), settings, reader=load_reader if reader_wanted(settings) else None)


def reader_wanted(settings: AnswerSettings) -> bool:
    """`answer.reader`, unless the environment says UCCN_BOT_READER=0 (as UCCN_BOT_THREADS sets
    the embedder's threads): the test suite answers most of its subprocess questions without
    the model, which costs about 1.5 s to load in every process."""
    return settings.reader and os.environ.get("UCCN_BOT_READER", "1") != "0"


def load_reader():
    """The answer model (`uccn_bot.reader`), loaded once per process; None, with one warning
    in the log, when it is missing or its file is damaged: the bot then answers by its rules."""
    try:
        from .reader import Reader
    except ImportError:  # an installation without the model runtime
        return None
    return Reader.load()


def answering_mode(config: Config) -> str:
    """Which way questions are answered, for `uccn-bot index`."""
    if not reader_wanted(config.answer):
        return "rules only (answer.reader is off)"
    reader = load_reader()
    if reader is None:
        return "rules only (the answer model is not available; see the log)"
    return f"answer model + rules ({reader.describe()})"


def load_index(config: Config) -> Index:
    """The configured corpus's index, from the cache or built (with a progress line on a terminal)."""
    corpus = Path(config.corpus_path)
    if not corpus.is_dir():
        raise UserError(f"corpus directory not found: {corpus}")
    progress = progress_bar() if sys.stderr.isatty() else None
    index = open_index(corpus, config.index, config.cache_dir, progress)
    if progress:
        progress(None, None)
    return index


def progress_bar():
    """A one-line progress counter on stderr, shown only when indexing takes a while."""
    state = {"start": time.perf_counter(), "shown": False}

    def update(done, total):
        if done is None:
            if state["shown"]:
                sys.stderr.write("\n")
            return
        elapsed = time.perf_counter() - state["start"]
        if not state["shown"] and elapsed < 2.0:
            return
        state["shown"] = True
        rate = done / elapsed if elapsed else 0.0
        sys.stderr.write(f"\rindexing: {done:,} passages, {elapsed:5.1f} s ({rate:,.0f}/s)")
        sys.stderr.flush()

    return update
