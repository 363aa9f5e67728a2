"""Read a directory of `.md`/`.txt` articles into `Document`s.

A file may start with YAML front matter between `---` lines (keys: id, title, source, date,
url). Without it the first non-empty line is the title and the file name the id. Anything
wrong with a file is reported as a `CorpusError` naming the file and line, because the person
fixing it needs exactly that and nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from pathlib import Path
from typing import Iterator

import yaml

from .core import Document

logger = logging.getLogger(__name__)

SUFFIXES = (".md", ".txt")
FRONT_MATTER_KEYS = ("id", "title", "source", "date", "url")
_ID_RE = re.compile(r"^[\w][\w.-]*$")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class CorpusError(ValueError):
    """A corpus file that cannot be read; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")


def load_corpus(directory: Path | str) -> list[Document]:
    """Load every `.md`/`.txt` file under `directory` (recursively, hidden files skipped)."""
    documents = list(iter_corpus(directory))
    if not documents:
        raise CorpusError(directory, None, "no .md or .txt articles found")
    return documents


def iter_corpus(directory: Path | str) -> Iterator[Document]:
    """The documents of `directory` one at a time, so a big corpus never sits in memory whole."""
    root = Path(directory)
    if not root.is_dir():
        raise CorpusError(root, None, "corpus directory not found")
    seen: dict[str, str] = {}
    for path in corpus_files(root):
        doc = load_document(path)
        if not doc.body.strip():
            logger.warning("%s: no text after the front matter; skipped", path)
            continue
        if doc.id in seen:
            raise CorpusError(path, 1, f"duplicate id {doc.id!r} (also used by {seen[doc.id]})")
        seen[doc.id] = str(path)
        yield doc


def corpus_files(directory: Path | str) -> list[Path]:
    """The files `load_corpus` reads, in a stable order (used for the cache key)."""
    return sorted(_corpus_files(Path(directory)))


def _corpus_files(root: Path):
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            yield path


def load_document(path: Path) -> Document:
    """Parse one file; raise `CorpusError` with its line number when it is malformed."""
    text = _read_text(path)
    meta, body = _split_front_matter(path, text)
    body = body.strip("\n")
    doc_id = _text_field(path, meta, "id", text) or _slug(path.stem)
    title = _text_field(path, meta, "title", text)
    if not title and not meta:
        title, body = _title_from_body(body)  # a plain text file: its first line is the title
    title = title or doc_id
    if not _ID_RE.match(doc_id):
        raise CorpusError(path, _key_line(text, "id"), f"id {doc_id!r} may only hold letters, digits, '.', '_' and '-'")
    return Document(
        id=doc_id,
        title=title,
        source=_text_field(path, meta, "source", text),
        date=_date_field(path, meta, text),
        url=_text_field(path, meta, "url", text),
        body=body,
        path=str(path),
    )


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CorpusError(path, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _split_front_matter(path: Path, text: str) -> tuple[dict, str]:
    """Return (metadata, body); a file without front matter is all body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise CorpusError(path, 1, "front matter opened with '---' is never closed")
    block = "\n".join(lines[1:end])
    try:
        meta = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for the opening '---', +1 for 1-based
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CorpusError(path, line, f"malformed front matter: {problem}") from None
    if not isinstance(meta, dict):
        raise CorpusError(path, 2, "front matter must be a mapping of 'key: value' lines")
    unknown = sorted(set(map(str, meta)) - set(FRONT_MATTER_KEYS))
    if unknown:
        logger.info("%s: ignoring unknown front matter keys %s", path, unknown)
    return meta, "\n".join(lines[end + 1 :])


def _key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return None


def _text_field(path: Path, meta: dict, key: str, text: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise CorpusError(path, _key_line(text, key), f"'{key}' must be a single line of text")
    return " ".join(str(value).split())


def _date_field(path: Path, meta: dict, text: str) -> str:
    value = meta.get("date")
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    value = str(value).strip()
    if not _DATE_RE.match(value):
        raise CorpusError(path, _key_line(text, "date"), f"date {value!r} is not an ISO date such as 2014-12-01")
    return value


def _title_from_body(body: str) -> tuple[str, str]:
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if line.strip():
            title = line.strip().lstrip("#").strip()
            return title, "\n".join(lines[i + 1 :]).strip("\n")
    return "", body


def _slug(name: str) -> str:
    slug = re.sub(r"[^\w.-]+", "-", name.strip()).strip("-")
    return slug or "document"
