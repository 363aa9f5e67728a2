"""`uccn-bot repl`: questions in the terminal, pleasant for a person and safe for a pipe.

With a terminal on stdin it greets, prompts, edits lines with readline and keeps a history
file; with a pipe on stdin it answers each non-empty line and exits at EOF, printing no
greeting, prompt or escape codes, so `echo "kapan uccn dibentuk" | uccn-bot repl` is a script.
Both modes share one `Session`, so a command behaves the same in either. Nothing the user
types (or a core bug) ends in a traceback: errors become one line and the loop goes on.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import re
import shutil
import signal
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ..config import Config
from ..dirs import user_dir
from ..core import Answer
from .render import Style, plain, source_lines

logger = logging.getLogger("uccn_bot.repl")

EXAMPLES = ("Kapan Pekalongan jadi Kota Kreatif?", "Apa misi Jejaring Kota Kreatif UNESCO?")
MAX_K = 10
HISTORY_LENGTH = 1000
MAX_HISTORY_CHARS = 500  # a history entry is cut here: the bot reads no further (answer.max_question_chars)
COMMANDS = ("/help", "/lagi", "/sumber", "/k", "/json", "/quit")
ALIASES = {"/bantuan": "/help", "/?": "/help", "/keluar": "/quit", "/exit": "/quit"}
DECLINED_HINT = "Ketik /sumber untuk melihat artikel yang saya punya, atau /help untuk bantuan."


@dataclass
class Reply:
    """What one input line produced. A `note` is about the session rather than the corpus
    (settings, mistakes in a command); in piped mode notes go to stderr so stdout stays data."""

    text: str = ""
    note: bool = False
    quit: bool = False


class Session:
    """The REPL state shared by both modes: settings and the last answer for /lagi."""

    def __init__(self, bot, style: Style, passages: int, interactive: bool, wrap: bool = False):
        self.bot = bot
        self.style = style
        self.default_passages = max(1, passages)  # what the core returns, so /lagi has pages
        self.interactive = interactive
        self.wrap = wrap  # fit passages to the terminal's width (never in a pipe)
        self.k = 1
        self.json = False
        self.last: Answer | None = None
        self.shown = 0  # passages of `last` already shown

    def handle(self, line: str) -> Reply:
        if line.startswith("/"):
            return self.command(line)
        return self.ask(line)

    # -- questions ---------------------------------------------------------------------

    def ask(self, question: str) -> Reply:
        answer = self.bot.answer(question, passages=max(self.k, self.default_passages))
        self.last, self.shown = answer, 0
        if self.json:
            self.shown = min(self.k, len(answer.passages))
            return Reply(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        if not answer.answered:
            return Reply(plain(answer, style=self.style) + "\n" + self.style.dim(DECLINED_HINT))
        return Reply(self.page())

    def page(self) -> str:
        """The next `k` passages of the last answer. Only the page's last passage keeps the
        "(N passage lain tersedia)" line, and only the first the notice, so nothing repeats."""
        answer, style = self.last, self.style
        hits = answer.passages
        start, end = self.shown, min(self.shown + self.k, len(answer.passages))
        parts = []
        for i in range(start, end):
            view = answer if i == end - 1 else replace(answer, passages=hits[: i + 1])
            if i > 0:
                view = replace(view, notice=None)
            text = plain(view, which=i, style=style, width=self.width())
            if i > 0 or self.k > 1:
                text = style.dim(f"[passage {i + 1} dari {len(hits)}]") + "\n" + text
            parts.append(text)
        self.shown = end
        if self.interactive and end < len(hits):
            parts[-1] += "\n" + style.dim("Ketik /lagi untuk passage berikutnya.")
        return "\n\n".join(parts)

    def width(self) -> int | None:
        """Asked at each answer, so a resized window is honoured."""
        return min(shutil.get_terminal_size((100, 20)).columns, 100) if self.wrap else None

    # -- commands ----------------------------------------------------------------------

    def command(self, line: str) -> Reply:
        name, *args = line.split()
        name = name.lower()
        if re.fullmatch(r"/k\d+", name):  # "/k3" is what a hurried user types
            name, args = "/k", [name[2:], *args]
        name = ALIASES.get(name, name)
        handler = {
            "/help": self.help, "/lagi": self.more, "/sumber": self.sources,
            "/k": self.set_k, "/json": self.toggle_json, "/quit": lambda args: Reply(quit=True),
        }.get(name)
        if handler is None:
            close = difflib.get_close_matches(name, COMMANDS + tuple(ALIASES), n=1, cutoff=0.6)
            guess = f" Maksud Anda {close[0]}?" if close else ""
            return Reply(f"Perintah {name} tidak dikenal.{guess} Ketik /help untuk daftar perintah.", note=True)
        return handler(args)

    def help(self, args) -> Reply:
        s = self.style
        rows = [
            ("/help", "daftar perintah ini"),
            ("/lagi", "passage berikutnya untuk pertanyaan terakhir"),
            ("/sumber", "artikel-artikel yang menjadi sumber jawaban"),
            ("/k N", f"tampilkan N passage terbaik per jawaban, 1–{self.max_k()} (sekarang {self.k})"),
            ("/json", f"keluaran JSON mentah nyala/mati (sekarang {'nyala' if self.json else 'mati'})"),
            ("/quit", "keluar (juga Ctrl-D)"),
        ]
        lines = [s.bold("Perintah:")] + [f"  {s.accent(f'{c:<8}')} {d}" for c, d in rows]
        lines.append(f"Selain perintah, ketik pertanyaan biasa, misalnya: {EXAMPLES[0]}")
        if self.interactive:
            lines.append(s.dim("Ctrl-C mengosongkan baris; Ctrl-C dua kali atau Ctrl-D untuk keluar."))
        return Reply("\n".join(lines))

    def more(self, args) -> Reply:
        if self.last is None:
            return Reply("Belum ada pertanyaan. Tanyakan sesuatu dulu; /lagi lalu menampilkan "
                         "passage berikutnya.", note=True)
        if not self.last.answered:
            return Reply("Pertanyaan terakhir tidak terjawab, jadi tidak ada passage untuk ditampilkan.", note=True)
        total = len(self.last.passages)
        if self.shown >= total:
            return Reply(f"Tidak ada passage lain untuk pertanyaan ini (semua {total} sudah ditampilkan).", note=True)
        if self.json:
            start = self.shown
            self.shown = min(start + self.k, total)
            hits = self.last.passages[start:self.shown]
            return Reply(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2))
        return Reply(self.page())

    def sources(self, args) -> Reply:
        lines = source_lines(self.bot.index)
        return Reply("\n".join([self.style.bold(f"Artikel dalam korpus ({len(lines)}):"), *lines]))

    def max_k(self) -> int:
        try:
            return max(1, min(MAX_K, len(self.bot.index)))
        except Exception:  # an index without a length: the fixed cap is still safe
            return MAX_K

    def set_k(self, args) -> Reply:
        top = self.max_k()
        if not args:
            return Reply(f"Sekarang {self.k} passage per jawaban. Ubah dengan /k N (N antara 1 dan {top}).", note=True)
        if len(args) > 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= top:
            return Reply(f"/k perlu satu angka antara 1 dan {top}, misalnya /k 3 (sekarang {self.k}).", note=True)
        self.k = int(args[0])
        return Reply(f"Oke, {self.k} passage per jawaban.", note=True)

    def toggle_json(self, args) -> Reply:
        choice = args[0].lower() if args else ""
        if choice in ("on", "nyala", "1"):
            self.json = True
        elif choice in ("off", "mati", "0"):
            self.json = False
        elif not choice:
            self.json = not self.json
        else:
            return Reply("Pakai /json saja (bergantian), atau /json on / /json off.", note=True)
        return Reply(f"Keluaran JSON {'nyala' if self.json else 'mati'}.", note=True)


# --- entry point -------------------------------------------------------------------------


def run_repl(config: Config, bot) -> int:
    """Run the REPL on stdin/stdout until EOF or /quit; returns the exit status."""
    if sys.stdin is None:  # started with stdin closed: nothing to answer
        return 0
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:  # odd bytes or a non-UTF-8 locale must cost a "?" rather than a crash
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass
    interactive = sys.stdin.isatty()
    style = Style(color=interactive and _color_wanted())
    session = Session(bot, style, config.answer.passages, interactive, wrap=interactive and sys.stdout.isatty())
    try:
        if interactive:
            return _interactive(session, history_path(config),
                                getattr(config.answer, "max_question_chars", MAX_HISTORY_CHARS))
        return _piped(session)
    except BrokenPipeError:  # `... | uccn-bot repl | head`: the reader has gone, so have we
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # Ctrl-C while a pipe is being answered
        return 130


def history_path(config: Config) -> Path:
    """`repl.history_file` from the config, else the XDG data dir (~/.local/share)."""
    if config.history_file:
        return Path(config.history_file)
    return user_dir("data") / "history"


def _color_wanted() -> bool:
    """Colour on a terminal unless NO_COLOR (no-color.org) or a dumb terminal says no."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _respond(session: Session, line: str) -> Reply:
    """`session.handle`, with any unexpected error turned into one line instead of a traceback."""
    try:
        return session.handle(line)
    except Exception as exc:  # a bug in the core must not end the session
        logger.debug("error while handling %r", line, exc_info=True)
        return Reply(f"Maaf, terjadi kesalahan saat memproses baris itu ({type(exc).__name__}: {exc}). "
                     "Coba pertanyaan lain.", note=True)


# --- piped mode --------------------------------------------------------------------------


def _piped(session: Session) -> int:
    """One answer per non-empty line, separated for a reader; stdin read as bytes so
    invalid UTF-8 becomes U+FFFD instead of an exception."""
    wrote = False
    for number, raw in enumerate(sys.stdin.buffer):
        line = raw.decode("utf-8", errors="replace").strip()
        if number == 0:
            line = line.lstrip("\ufeff").strip()  # a BOM from a Windows editor
        if not line:
            continue
        reply = _respond(session, line)
        if reply.quit:
            break
        if not reply.text:
            continue
        if reply.note:
            print(reply.text, file=sys.stderr, flush=True)
            continue
        if wrote:  # a blank line between JSON values keeps the output a valid JSON stream
            sys.stdout.write("\n" if session.json else "\n---\n")
        sys.stdout.write(reply.text + "\n")
        sys.stdout.flush()  # a program on the other end of the pipe is waiting for it
        wrote = True
    return 0


# --- interactive mode --------------------------------------------------------------------


def _interactive(session: Session, history: Path, max_chars: int = MAX_HISTORY_CHARS) -> int:
    s = session.style
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # Started from a shell that ignores Ctrl-C for background jobs (`cmd &` in a script, some
        # CI runners): the person at this terminal still expects Ctrl-C to clear the line.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    has_readline, save_history = _setup_readline(history, max_chars)
    warm_up = _WarmUp(session.bot)
    print(_greeting(session))
    prompt = s.accent("tanya> ")
    if has_readline:
        prompt = _readline_safe(prompt)
    interrupted = False
    try:
        while True:
            try:
                line = input(prompt).strip()
                interrupted = False
                if not line:
                    continue
                if has_readline:
                    _remember(line, max_chars)
                warm_up.finish()
                reply = _respond(session, line)
                if reply.quit:
                    break
                if reply.text:
                    print(reply.text + "\n", flush=True)
            except KeyboardInterrupt:
                if has_readline and _line_buffer():  # Ctrl-C on a typed line clears it, nothing more
                    interrupted = False
                    print()
                    continue
                if interrupted:
                    print()
                    break
                interrupted = True
                print("\n" + s.dim("(Ctrl-C sekali lagi atau Ctrl-D untuk keluar)"))
            except EOFError:
                print()
                break
    finally:
        if save_history:
            save_history()
    print(s.dim("Sampai jumpa!"))
    return 0


class _WarmUp:
    """Answers an example question in the background while the person reads the greeting:
    the first answer pays one-off costs (stemming the passages it reads, loading the
    embedding model) that should not land on their first question. Log records from that
    thread are held back and replayed before the first reply, so a warning never lands in
    the middle of the prompt line."""

    NAME = "uccn-bot-warm-up"

    def __init__(self, bot):
        self._held: list[logging.LogRecord] = []
        self._handlers = list(logging.getLogger().handlers)
        for handler in self._handlers:
            handler.addFilter(self._hold)
        self._thread: threading.Thread | None = threading.Thread(
            target=self._run, args=(bot,), name=self.NAME, daemon=True)
        # Ctrl-C must reach the main thread, which waits in readline's select(): a SIGINT
        # the kernel hands to this thread would not wake it. The thread inherits the mask.
        block = getattr(signal, "pthread_sigmask", None)
        previous = block(signal.SIG_BLOCK, {signal.SIGINT}) if block else None
        try:
            self._thread.start()
        finally:
            if block:
                block(signal.SIG_SETMASK, previous)

    def _hold(self, record: logging.LogRecord) -> bool:
        if record.threadName != self.NAME:
            return True
        if not any(r is record for r in self._held):
            self._held.append(record)
        return False

    @staticmethod
    def _run(bot) -> None:
        try:
            bot.answer(EXAMPLES[0])
        except Exception:  # the real question will meet (and report) the same problem
            logger.debug("warm-up answer failed", exc_info=True)

    def finish(self) -> None:
        """Wait for the warm-up (a quick typist's first question would wait for the same
        work anyway) and let its log records through."""
        if self._thread is None:
            return
        self._thread.join()
        self._thread = None
        for handler in self._handlers:
            handler.removeFilter(self._hold)
        for record in self._held:
            logging.getLogger(record.name).handle(record)


def _greeting(session: Session) -> str:
    s = session.style
    examples = "\n".join(f"  {s.accent('›')} {q}" for q in EXAMPLES)
    return (f"{s.bold('uccn-bot')} — tanya-jawab tentang Jejaring Kota Kreatif UNESCO, dengan sumber.\n"
            f"Contoh pertanyaan:\n{examples}\n"
            f"{s.dim('Ketik /help untuk daftar perintah; Ctrl-D untuk keluar.')}\n")


def _readline_safe(prompt: str) -> str:
    """Mark escape codes as zero-width (\\001…\\002) so readline measures the prompt right."""
    return re.sub(r"(\x1b\[[0-9;]*m)", "\001\\1\002", prompt)


def _line_buffer() -> str:
    """What is typed on the prompt line (still there when Ctrl-C interrupts `input`)."""
    import readline

    return readline.get_line_buffer()


def _remember(line: str, max_chars: int) -> None:
    """Add `line` to the history, cut to `max_chars` (readline's own adding is off: it would
    keep a pasted 100 KB question whole, in memory and in the history file)."""
    import readline

    readline.add_history(line[:max_chars])


def _setup_readline(path: Path, max_chars: int = MAX_HISTORY_CHARS) -> tuple[bool, Callable[[], None] | None]:
    """Load history and tab completion. Returns whether readline is there at all and the
    function that saves the history (None when it cannot be saved)."""
    try:
        import readline
    except ImportError:  # a Python built without it: plain input() still works
        return False, None
    readline.set_history_length(HISTORY_LENGTH)
    readline.set_auto_history(False)  # `_remember` adds each line, bounded
    names = sorted(COMMANDS + tuple(ALIASES))

    def complete(text: str, state: int):
        matches = [n for n in names if n.startswith(text.lower())] if text.startswith("/") else []
        return matches[state] if state < len(matches) else None

    readline.set_completer(complete)
    readline.set_completer_delims(" \t\n")
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            readline.read_history_file(str(path))
            for i in range(readline.get_current_history_length()):  # entries saved before the cut
                item = readline.get_history_item(i + 1) or ""
                if len(item) > max_chars:
                    readline.replace_history_item(i, item[:max_chars])
        with open(path, "a", encoding="utf-8"):  # fail now, not after the session
            pass
    except OSError as exc:
        _warn(f"riwayat tidak akan disimpan ({path}: {exc.strerror or exc})")
        return True, None

    def save() -> None:
        try:
            readline.write_history_file(str(path))
        except OSError as exc:
            _warn(f"riwayat tidak tersimpan ({path}: {exc.strerror or exc})")

    return True, save


def _warn(message: str) -> None:
    print(f"uccn-bot: {message}", file=sys.stderr)
