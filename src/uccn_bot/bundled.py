"""The word lists bundled in uccn_bot/data that are too big for YAML (gzip text)."""

from __future__ import annotations

import gzip
import logging
from importlib import resources

logger = logging.getLogger(__name__)


def read_lines(name: str, what: str) -> list[str]:
    """The lines of data/`name` (gzip, UTF-8); empty, with a warning naming `what` in
    the log, when the file is missing or damaged: the bot then answers without it."""
    return read_text(name, what).splitlines()


def read_text(name: str, what: str) -> str:
    """The text of data/`name` (gzip, UTF-8); empty, with a warning as `read_lines`."""
    try:
        raw = resources.files("uccn_bot").joinpath("data", name).read_bytes()
        return gzip.decompress(raw).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        logger.warning("%s is off (%s: %s)", what, type(exc).__name__, exc)
        return ""
