"""`uccn-bot repl` as its users meet it: a real pseudo-terminal for the interactive mode
(pexpect) and a subprocess with a pipe for the scripted one. Caches and history live in temp
dirs so the tests never touch the developer's home."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

QUESTION = "Kapan Pekalongan jadi Kota Kreatif?"
PROMPT = "tanya> "
SEPARATOR = "\n---\n"
TIMEOUT = 20  # generous: CI machines are slow and shared; a pass takes well under a second


@pytest.fixture(scope="module")
def repl_cache(tmp_path_factory) -> Path:
    """One index cache for the whole module, built up front so every test starts warm.
    The tests run without passage embeddings (`index.semantic: false`): building them takes
    tens of seconds and nothing in the REPL depends on how passages are ranked."""
    cache = tmp_path_factory.mktemp("cache")
    (cache / "config.yaml").write_text("index:\n  semantic: false\n", encoding="utf-8")
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), XDG_DATA_HOME=str(cache / "data"))
    subprocess.run([sys.executable, "-m", "uccn_bot", "index", "--config", str(cache / "config.yaml")],
                   env=env, check=True, capture_output=True, timeout=120)
    return cache


@pytest.fixture
def env(repl_cache, tmp_path) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(repl_cache), XDG_DATA_HOME=str(tmp_path / "data"),
               UCCN_TEST_CONFIG=str(repl_cache / "config.yaml"),  # read by `command`, not the bot
               TERM="xterm", INPUTRC=os.devnull)  # no personal inputrc (vi mode) in the way
    env.pop("NO_COLOR", None)
    return env


def command(env: dict, *args: str) -> list[str]:
    """`python -m uccn_bot repl` with the test configuration unless `args` bring their own."""
    config = [] if "--config" in args else ["--config", env["UCCN_TEST_CONFIG"]]
    return ["-m", "uccn_bot", "repl", *config, *args]


def pipe(env: dict, data: bytes | str, *args: str) -> subprocess.CompletedProcess:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return subprocess.run([sys.executable, *command(env, *args)], input=data, env=env,
                          capture_output=True, timeout=TIMEOUT)


def spawn(env: dict, *args: str, prompt: bool = True):
    child = pexpect.spawn(sys.executable, command(env, *args), env=env, encoding="utf-8",
                          dimensions=(50, 120), timeout=TIMEOUT)
    if prompt:
        child.expect_exact(PROMPT)
    return child


def ask(child, line: str) -> str:
    """Send a line; return everything printed before the next prompt."""
    child.sendline(line)
    child.expect_exact(PROMPT)
    return child.before


def interrupt(child) -> None:
    """Ctrl-C, a moment after the prompt shows, as a person's would be. Sent the instant the
    prompt's text appears it can beat readline into its wait for input (CPython's readline
    checks signals only when select() is interrupted), and it is then noticed at the next key."""
    time.sleep(0.3)
    child.sendcontrol("c")


def visible(text: str) -> str:
    """`text` without ANSI escape codes."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


# --- piped mode --------------------------------------------------------------------------


def test_piped_question_is_answered_without_prompt_or_escape_codes(env):
    result = pipe(env, QUESTION + "\n")
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0
    assert "2014" in out and "Liputan6.com" in out  # answer and its citation
    assert "\x1b" not in out
    assert PROMPT not in out and "Contoh pertanyaan" not in out
    assert result.stderr == b""


def test_piped_answers_each_line_and_skips_empty_ones(env):
    result = pipe(env, f"\n{QUESTION}\n\n   \nkapan uccn dibentuk\n")
    parts = result.stdout.decode("utf-8").split(SEPARATOR)
    assert result.returncode == 0
    assert len(parts) == 2
    assert "2014" in parts[0] and "2004" in parts[1]


def test_piped_bad_input_never_crashes(env):
    lines = [b"?!?...", b"kapan " * 2000, b"\xff\xfe kapan \xc3\x28 uccn", b"\x00", b"kapan uccn dibentuk"]
    result = pipe(env, b"\r\n".join(lines) + b"\r\n")
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert result.returncode == 0
    assert "Traceback" not in out + err
    parts = out.split(SEPARATOR)
    assert len(parts) == len(lines)
    assert "kata-kata" in parts[0]  # only punctuation: the core asks for words
    assert "sangat panjang" in parts[1]  # 12,000 characters: read in part, said so
    assert "2004" in parts[-1]  # and the session is still fine afterwards


def test_piped_declined_answer_hints_at_sources_and_help(env):
    out = pipe(env, "zzzz qqqq xxxx\n").stdout.decode("utf-8")
    assert "Maaf" in out and "/sumber" in out and "/help" in out


def test_piped_commands_sources_k_and_lagi(env):
    result = pipe(env, f"/sumber\n/k 0\n/k 2\n{QUESTION}\n/lagi\n/lagi\n/lagi\n/lagi\n")
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    sources, first, second, third, *rest = out.split(SEPARATOR)
    assert result.returncode == 0
    assert sources.count("•") == 5 and "Liputan6.com, 10 Maret 2016" in sources
    assert "[passage 1 dari 5]" in first and "[passage 2 dari 5]" in first and "2014" in first
    assert "[passage 3 dari 5]" in second and "[passage 4 dari 5]" in second
    assert "[passage 5 dari 5]" in third and "passage 6" not in third
    assert rest == []  # the last /lagi has nothing left: a note, not output
    assert "antara 1 dan 10" in err  # /k 0 explained (notes go to stderr in a pipe)
    assert "Tidak ada passage lain" in err
    assert "\x1b" not in out + err


def json_values(text: str) -> list:
    """Every JSON value in a stream of them separated by whitespace (what `jq` reads)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while text[at:].strip():
        at += len(text[at:]) - len(text[at:].lstrip())
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return values


def test_piped_json_stream_quit_and_unknown_command(env):
    lines = ["/json", QUESTION, "/lagii", "/lagi", "kapan uccn dibentuk", "/quit", "kapan uccn dibentuk"]
    result = pipe(env, "\n".join(lines) + "\n")
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    first, more, second = json_values(out)  # nothing after /quit was answered
    assert result.returncode == 0
    assert first["answered"] and "2014" in first["short_answer"]
    assert first["passages"][0]["source"] == "Liputan6.com"
    assert more == [first["passages"][1]]  # /lagi: the next passage, as JSON too
    assert "2004" in second["short_answer"]
    assert "tidak dikenal" in err and "/lagi?" in err


# --- interactive mode (pseudo-terminal) ----------------------------------------------------


def test_interactive_session(env, tmp_path):
    child = spawn(env)
    greeting = child.before
    assert "Contoh pertanyaan" in greeting and QUESTION in greeting and "/help" in greeting

    out = ask(child, QUESTION)
    assert "2014" in out and "Liputan6.com" in out
    assert "\x1b[" in out and "**" not in out  # best sentence emphasised with colour, not stars
    assert "/lagi" in out

    out = ask(child, "/lagi")
    assert "[passage 2 dari 5]" in out and "Jawaban singkat" in out
    for _ in range(3):
        ask(child, "/LAGI")
    assert "Tidak ada passage lain" in ask(child, "/lagi")

    out = ask(child, "/sumber")
    assert out.count("•") == 5 and "Teknopreneur.com" in out

    assert "antara 1 dan 10" in ask(child, "/k 11")
    assert "Maksud Anda /sumber?" in ask(child, "/sumbr")
    assert "/json" in ask(child, "/help")
    assert visible(ask(child, "")).strip() == ""  # an empty line is just a new prompt

    child.send("abc def")
    child.expect_exact("abc def")  # echoed: readline has it before Ctrl-C arrives
    interrupt(child)  # a typed line: Ctrl-C clears it and the session goes on
    child.expect_exact(PROMPT)
    assert "2004" in ask(child, "kapan uccn dibentuk")  # the cleared line did not stick

    child.sendcontrol("d")
    child.expect_exact("Sampai jumpa")
    assert finish(child) == 0

    history = (tmp_path / "data" / "uccn-bot" / "history").read_text(encoding="utf-8").splitlines()
    assert QUESTION in history and "/lagi" in history and "kapan uccn dibentuk" in history
    assert not any("abc def" in line for line in history)


def test_interactive_ctrl_c_twice_exits_cleanly(env):
    child = spawn(env)
    interrupt(child)
    child.expect_exact("Ctrl-C sekali lagi")
    child.expect_exact(PROMPT)
    interrupt(child)
    child.expect_exact("Sampai jumpa")
    assert finish(child) == 0
    assert "Traceback" not in child.before


def test_interactive_history_is_recalled_with_up_arrow(env, tmp_path):
    history = tmp_path / "data" / "uccn-bot" / "history"
    history.parent.mkdir(parents=True)
    history.write_text(QUESTION + "\n", encoding="utf-8")
    child = spawn(env)
    child.send("\x1b[A")  # up arrow
    child.expect_exact(QUESTION)
    child.send("\r")
    child.expect_exact("2014")
    child.expect_exact(PROMPT)
    child.sendline("/quit")
    assert finish(child) == 0


def test_interactive_no_color_and_unwritable_history(env, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    config = tmp_path / "config.yaml"
    config.write_text(f"index:\n  semantic: false\nrepl:\n  history_file: {blocker / 'history'}\n", encoding="utf-8")
    child = spawn(dict(env, NO_COLOR="1"), "--config", str(config), prompt=False)
    child.expect_exact("riwayat tidak akan disimpan")  # a warning, not a crash
    child.expect_exact(PROMPT)
    out = ask(child, QUESTION)
    assert "2014" in out and "**" in out  # emphasis without colour: stars
    assert "\x1b[1" not in out and "\x1b[2m" not in out and "\x1b[3" not in out
    child.sendcontrol("d")
    assert finish(child) == 0
    assert "Traceback" not in child.before


def test_interactive_ctrl_c_clears_a_typed_line_and_two_on_an_empty_line_exit(env, tmp_path):
    child = spawn(env)
    assert "2014" in ask(child, QUESTION)  # the warm-up is over: each Ctrl-C meets readline waiting
    interrupt(child)  # on an empty line: the first of two
    child.expect_exact("Ctrl-C sekali lagi")
    child.expect_exact(PROMPT)
    child.send("kapan uccn")
    child.expect_exact("kapan uccn")
    interrupt(child)  # on a typed line: clears it, does not exit (it used to, as the second Ctrl-C)
    child.expect_exact(PROMPT)
    assert "2004" in ask(child, "kapan uccn dibentuk")  # the cleared text did not stick to the line
    interrupt(child)
    child.expect_exact("Ctrl-C sekali lagi")
    child.expect_exact(PROMPT)
    interrupt(child)  # two in a row on an empty line: exit
    child.expect_exact("Sampai jumpa")
    assert finish(child) == 0
    history = (tmp_path / "data" / "uccn-bot" / "history").read_text(encoding="utf-8").splitlines()
    assert history == [QUESTION, "kapan uccn dibentuk"]


def test_interactive_history_keeps_only_bounded_entries(env, tmp_path):
    history = tmp_path / "data" / "uccn-bot" / "history"
    history.parent.mkdir(parents=True)
    history.write_text("lama " * 20_000 + "\n", encoding="utf-8")  # saved by an older version
    huge = QUESTION + " " + "mohon dijelaskan " * 1_200  # 20 KB pasted at the prompt (100 KB: the same, slower)
    child = spawn(env)
    for start in range(0, len(huge), 2_000):  # typed in pieces, reading the echo, so no pty buffer fills up
        child.send(huge[start:start + 2_000])
        while True:
            try:
                child.read_nonblocking(1_000_000, timeout=0.05)
            except pexpect.TIMEOUT:
                break
    child.sendline("")
    child.expect_exact("sangat panjang", timeout=60)
    child.expect_exact(PROMPT)
    child.sendcontrol("d")
    child.expect_exact("Sampai jumpa")
    assert finish(child) == 0
    entries = history.read_text(encoding="utf-8").splitlines()
    assert len(entries) == 2 and all(len(e) <= 500 for e in entries), [len(e) for e in entries]
    assert entries[1].startswith(QUESTION)


def test_ctrl_c_works_though_the_parent_ignored_it(env):
    """A REPL started by a shell script's `cmd &` inherits SIGINT ignored; Ctrl-C must still work."""
    import signal

    child = pexpect.spawn(sys.executable, command(env), env=env, encoding="utf-8", dimensions=(50, 120),
                          timeout=TIMEOUT, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    child.expect_exact(PROMPT)
    interrupt(child)
    child.expect_exact("Ctrl-C sekali lagi")
    child.expect_exact(PROMPT)
    interrupt(child)
    child.expect(pexpect.EOF)
