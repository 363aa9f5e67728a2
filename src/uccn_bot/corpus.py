"""Read a directory of `.md`/`.txt` articles into `Document`s.

A file may start with YAML front matter between `---` lines (keys: id, title, source, date,
url). Without it the first non-empty line is the title and the file name the id. Anything
wrong with a file is reported as a `CorpusError` naming the file and line, because the person
fixing it needs exactly that and nothing else.

A file or directory that cannot be read at all (permissions, a binary file among the
articles) does not take the rest of the corpus down with it: it is left out with one warning
naming it, and recorded in a `CorpusReport` so callers can tell (`Index.skipped`). A file that
is not UTF-8 but has no NUL bytes is read as Windows-1252 (Latin-1 for the bytes that has no
character for), with a warning.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml

from .core import Document
from .yaml_safe import safe_load

logger = logging.getLogger(__name__)

SUFFIXES = (".md", ".txt")
FRONT_MATTER_KEYS = ("id", "title", "source", "date", "url")
_ID_RE = re.compile(r"^[\w][\w.-]*$")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# No word is longer than this; a run-on "token" (a base64 data-URI image, a minified line, a
# 200 KB string) is cut to its head and tail around "…" wherever it would be shown, indexed
# or embedded: left whole, one such token made indexing take minutes.
MAX_TOKEN_CHARS = 64
MAX_FIELD_CHARS = 200  # title and source, as shown under every answer
MAX_URL_CHARS = 2000  # longer is no link a browser or Telegram takes
_LONG_TOKEN_RE = re.compile(r"\S{%d,}" % (MAX_TOKEN_CHARS + 1))


class CorpusError(ValueError):
    """A corpus file that cannot be read; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")


@dataclass
class CorpusReport:
    """What reading a corpus left out (`skipped`) or read with a fallback encoding
    (`recoded`), as path -> reason. Each path is warned about once however often the corpus is
    read (the index reads it twice); `quiet` records without warning (for the cache key)."""

    quiet: bool = False
    skipped: dict[str, str] = field(default_factory=dict)
    recoded: dict[str, str] = field(default_factory=dict)
    read_errors: int = 0  # files that could be listed but not read: maybe passing, so not cached

    def skip(self, path: Path | str, reason: str) -> None:
        if str(path) not in self.skipped:
            self.skipped[str(path)] = reason
            if not self.quiet:
                logger.warning("%s: %s; skipped", path, reason)

    def recode(self, path: Path | str, note: str) -> None:
        if str(path) not in self.recoded:
            self.recoded[str(path)] = note
            if not self.quiet:
                logger.warning("%s: %s", path, note)


class _Unreadable(Exception):
    """A file left out of the corpus (the message says why)."""


def load_corpus(directory: Path | str, report: CorpusReport | None = None) -> list[Document]:
    """Load every `.md`/`.txt` file under `directory` (recursively, hidden files skipped)."""
    documents = list(iter_corpus(directory, report))
    if not documents:
        raise CorpusError(directory, None, "no .md or .txt articles found")
    return documents


def iter_corpus(directory: Path | str, report: CorpusReport | None = None,
                files: list[Path] | None = None) -> Iterator[Document]:
    """The documents of `directory` one at a time, so a big corpus never sits in memory whole.
    Files and directories that cannot be read are skipped and recorded in `report`; `files`
    is the list `scan_corpus` found, when the caller has it already."""
    root = Path(directory)
    if not root.is_dir():
        raise CorpusError(root, None, "corpus directory not found")
    report = report if report is not None else CorpusReport()
    seen: dict[str, str] = {}
    for path in files if files is not None else scan_corpus(root, report):
        try:
            doc = load_document(path, report)
        except _Unreadable as exc:
            report.skip(path, str(exc))
            continue
        except OSError as exc:
            report.read_errors += 1
            report.skip(path, f"cannot read it ({exc.strerror or type(exc).__name__})")
            continue
        if not doc.body.strip():
            report.skip(path, "no text after the front matter")
            continue
        if doc.id in seen:
            raise CorpusError(path, 1, f"duplicate id {doc.id!r} (also used by {seen[doc.id]})")
        seen[doc.id] = str(path)
        yield doc


def corpus_files(directory: Path | str) -> list[Path]:
    """The files `load_corpus` reads, in a stable order; none when `directory` cannot be
    listed (as `Path.rglob` gives, which this replaced)."""
    try:
        return scan_corpus(directory, CorpusReport(quiet=True))
    except CorpusError:
        return []


def scan_corpus(directory: Path | str, report: CorpusReport) -> list[Path]:
    """The `.md`/`.txt` files under `directory` in a stable order, hidden files and
    directories left out; a subdirectory that cannot be listed is recorded in `report`.
    Symbolic links to files are followed, to directories not (as `Path.rglob` does)."""
    root = Path(directory)
    found: list[Path] = []
    try:
        _scan(root, found, report, top=True)
    except (FileNotFoundError, NotADirectoryError):
        raise CorpusError(root, None, "corpus directory not found") from None
    except OSError as exc:
        raise CorpusError(root, None, f"cannot read the corpus directory ({exc.strerror or type(exc).__name__})") from None
    return sorted(found)


def _scan(folder: Path, found: list[Path], report: CorpusReport, top: bool = False) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        if top:
            raise
        report.skip(folder, f"cannot list this directory ({exc.strerror or type(exc).__name__})")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                _scan(path, found, report)
            elif entry.is_file() and path.suffix.lower() in SUFFIXES:
                found.append(path)
        except OSError as exc:
            report.skip(path, f"cannot read it ({exc.strerror or type(exc).__name__})")


def load_document(path: Path, report: CorpusReport | None = None) -> Document:
    """Parse one file; raise `CorpusError` with its line number when it is malformed, and
    `OSError` when it cannot be read."""
    text = _read_text(path, report if report is not None else CorpusReport())
    meta, body = _split_front_matter(path, text)
    body = body.strip("\n")
    doc_id = _text_field(path, meta, "id", text) or _slug(path.stem)
    title = _text_field(path, meta, "title", text)
    if not title and not meta:
        title, body = _title_from_body(body)  # a plain text file: its first line is the title
    title = _capped(trim_long_tokens(title or doc_id), MAX_FIELD_CHARS)
    if not _ID_RE.match(doc_id):
        raise CorpusError(path, _key_line(text, "id"), f"id {doc_id!r} may only hold letters, digits, '.', '_' and '-'")
    return Document(
        id=doc_id,
        title=title,
        source=_capped(trim_long_tokens(_text_field(path, meta, "source", text)), MAX_FIELD_CHARS),
        date=_date_field(path, meta, text),
        url=_url_field(path, meta, text),
        body=body,
        path=str(path),
    )


def _read_text(path: Path, report: CorpusReport) -> str:
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise _Unreadable("starts like UTF-16 text but is not") from None
    if b"\0" in raw:
        raise _Unreadable("a binary file (it holds NUL bytes), not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            text, encoding = raw.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, encoding = raw.decode("latin-1"), "Latin-1"
        report.recode(path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}); read as {encoding}, "
                            "save the file as UTF-8 to be sure")
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
        meta = safe_load(block) if block.strip() else {}
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


def _capped(text: str, limit: int) -> str:
    """text cut at a word boundary to at most `limit` characters (with "…"): a title or source is shown
    with every answer, and one runaway line must not fill a chat message."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut) + "…"


def _url_field(path: Path, meta: dict, text: str) -> str:
    """The url, left out (with a warning) when it is too long to be a link: a cut URL would be a wrong one."""
    url = _text_field(path, meta, "url", text)
    if len(url) > MAX_URL_CHARS:
        logger.warning("%s:%s: url of %d characters left out (at most %d)", path, _key_line(text, "url"),
                       len(url), MAX_URL_CHARS)
        return ""
    return url


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


def trim_long_tokens(text: str) -> str:
    """`text` with every run of more than `MAX_TOKEN_CHARS` non-space characters cut to
    its first 48 and last 15 characters around "…" (so a link keeps its site, an image its
    closing bracket)."""
    if len(text) <= MAX_TOKEN_CHARS:
        return text
    return _LONG_TOKEN_RE.sub(lambda m: f"{m.group()[:48]}…{m.group()[-15:]}", text)


def _slug(name: str) -> str:
    slug = re.sub(r"[^\w.-]+", "-", name.strip()).strip("-")
    return slug or "document"
