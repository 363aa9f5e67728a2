"""Run `uccn-bot ARGS...` with paths made unreadable, for tests that run as root.

    python tests/fault_inject.py ask --corpus DIR "question"

with UCCN_FAULT_UNREADABLE set to paths joined by os.pathsep. Root reads a `chmod 000`
file anyway, so a permission test as root would pass without exercising anything; this
makes the operating-system calls Python reads through (open and os.open for files,
os.scandir and os.listdir for directories) fail with the PermissionError a real
`chmod 000` gives an ordinary user, and then runs the real command line. `stat` still
works on those paths, as it does for an ordinary user.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import sys

ENV = "UCCN_FAULT_UNREADABLE"


def _denied(path) -> bool:
    if isinstance(path, int):  # a file descriptor: already opened
        return False
    try:
        target = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return False
    return target in _PATHS


def _guard(function):
    def guarded(path=".", *args, **kwargs):
        if _denied(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
        return function(path, *args, **kwargs)

    return guarded


def install(paths: list[str]) -> None:
    global _PATHS
    _PATHS = {os.path.realpath(p) for p in paths if p}
    opener = _guard(builtins.open)
    builtins.open = io.open = opener
    os.open = _guard(os.open)
    os.scandir = _guard(os.scandir)
    os.listdir = _guard(os.listdir)


_PATHS: set[str] = set()

if __name__ == "__main__":
    install(os.environ.get(ENV, "").split(os.pathsep))
    from uccn_bot.frontends.cli import main

    sys.exit(main(sys.argv[1:]))
