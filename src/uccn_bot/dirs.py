"""Where uccn-bot keeps its files for a user: the XDG base directories
(https://specifications.freedesktop.org/basedir-spec/), under a `uccn-bot` folder."""

from __future__ import annotations

import os
from pathlib import Path

_XDG = {"cache": ("XDG_CACHE_HOME", (".cache",)), "data": ("XDG_DATA_HOME", (".local", "share"))}


def user_dir(kind: str) -> Path:
    """`$XDG_CACHE_HOME/uccn-bot` (kind "cache", default ~/.cache) or `$XDG_DATA_HOME/uccn-bot`
    (kind "data", default ~/.local/share)."""
    variable, fallback = _XDG[kind]
    base = os.environ.get(variable) or os.path.join(os.path.expanduser("~"), *fallback)
    return Path(base) / "uccn-bot"
