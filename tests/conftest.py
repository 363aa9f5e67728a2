"""Shared fixtures: one index cache for the whole run, the bundled corpus, a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory) -> Path:
    """An XDG cache home for the session: the bundled corpus is indexed once, not per test."""
    path = Path(os.environ.get("XDG_CACHE_HOME") or tmp_path_factory.mktemp("xdg-cache"))
    os.environ["XDG_CACHE_HOME"] = str(path)
    return path


@pytest.fixture(scope="session")
def bot(cache_home):
    from uccn_bot import load_config, open_bot

    return open_bot(load_config())


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
