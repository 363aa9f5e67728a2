"""Shared fixtures: one index cache for the whole run, the bundled corpus, a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


_XDG_DIRS = {"XDG_CACHE_HOME": "xdg-cache", "XDG_DATA_HOME": "xdg-data"}
_session_home: str | None = None


def pytest_configure(config) -> None:
    """Point the XDG cache and data homes at a temporary directory before any test runs, so
    no test (whatever its order, and whatever the person running `make test` has exported)
    writes an index into their real ~/.cache or a history into ~/.local/share."""
    global _session_home
    _session_home = tempfile.mkdtemp(prefix="uccn-bot-tests-")
    for name, sub in _XDG_DIRS.items():
        os.environ[name] = os.path.join(_session_home, sub)
        os.makedirs(os.environ[name], exist_ok=True)
    # Loading the answer model costs ~1.5 s per process: the CLI, REPL and Telegram tests run
    # without it unless they are about it (they pass UCCN_BOT_READER=1).
    os.environ.setdefault("UCCN_BOT_READER", "0")


def pytest_unconfigure(config) -> None:
    if _session_home:
        shutil.rmtree(_session_home, ignore_errors=True)


@pytest.fixture(scope="session")
def cache_home() -> Path:
    """An XDG cache home for the session: the bundled corpus is indexed once, not per test."""
    return Path(os.environ["XDG_CACHE_HOME"])


@pytest.fixture(scope="session")
def bot(cache_home):
    """The bot on the bundled corpus answering by its rules alone: what the rule tests check.
    (tests/test_reader_pass.py gives it stand-in models; test_cli runs the product as shipped.)"""
    from dataclasses import replace

    from uccn_bot import load_config, open_bot

    config = load_config()
    return open_bot(config, replace(config.answer, reader=False))


@pytest.fixture
def run_cli(cache_home, tmp_path):
    """Run `python -m uccn_bot ARGS...` as a real subprocess; returns CompletedProcess."""

    def run(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 120):
        full_env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "XDG_DATA_HOME": str(tmp_path / "data")}
        full_env.pop("TELEGRAM_BOT_TOKEN", None)
        full_env.update(env or {})
        return subprocess.run([sys.executable, "-m", "uccn_bot", *args], capture_output=True, text=True,
                              input=input, env=full_env, timeout=timeout, cwd=ROOT)

    return run

