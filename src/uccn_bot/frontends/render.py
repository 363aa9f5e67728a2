"""Turning an `Answer` into text for a medium: plain or ANSI terminal text, Telegram HTML.

The core decides what to say (short answer, passage, best sentence, citation, conflicts);
these functions only decide how it looks, so every front end says the same thing.
"""

from __future__ import annotations

import html
import re
import shutil
import textwrap
from dataclasses import dataclass

from ..core import Answer, Hit, Passage
from ..index import Index

_MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
              "Oktober", "November", "Desember"]
TELEGRAM_LIMIT = 4096


def format_date(iso: str) -> str:
    """"2016-03-10" → "10 Maret 2016"; partial dates as far as they go; "" → "tanpa tanggal"."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", iso or "")
    if not match:
        return iso or "tanpa tanggal"
    year, month, day = match.groups()
    if not month:
        return year
    name = _MONTHS_ID[int(month) - 1] if 1 <= int(month) <= 12 else month
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"


def citation(passage: Passage) -> str:
    """"Title — Source, 10 Maret 2016" for a passage."""
    doc = passage.document
    if doc is None:
        return passage.doc_id
    return citation_of(doc)


def source_lines(index: Index) -> list[str]:
    """One line per article: title — source, date (passages)."""
    return [f"• {citation_of(doc)} ({n} passage)" for doc, n in zip(index.documents, index.passage_counts())]


def citation_of(doc) -> str:
    """"Title — Source, 10 Maret 2016" for a document."""
    return f"{doc.title} — {doc.source or 'sumber tidak disebutkan'}, {format_date(doc.date)}"


def highlight_parts(hit: Hit) -> list[tuple[str, bool]]:
    """The passage text cut into (text, is_highlight) parts."""
    text, sentence = hit.passage.text, hit.highlight
    at = text.find(sentence) if sentence else -1
    if at < 0:
        return [(text, False)]
    parts = [(text[:at], False), (sentence, True), (text[at + len(sentence):], False)]
    return [p for p in parts if p[0]]


# --- terminal ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """ANSI styling for a terminal, or none for pipes and files."""

    color: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def accent(self, text: str) -> str:
        return self._wrap("1;36", text)

    def warn(self, text: str) -> str:
        return self._wrap("33", text)

    def mark(self, text: str) -> str:
        """The best sentence: bold yellow on a terminal, **between stars** in plain text."""
        return self._wrap("1;33", text) if self.color else f"**{text}**"


def plain(answer: Answer, which: int = 0, style: Style = Style(), width: int | None = None) -> str:
    """The answer as terminal text: short answer, passage number `which` with its best
    sentence marked, citation, and notes on conflicts and corrected spellings."""
    lines: list[str] = []
    if answer.notice:
        lines.append(style.warn(answer.notice))
    if not answer.answered:
        lines.append(answer.message or "")
        return "\n".join(lines)
    hits = answer.passages
    if which >= len(hits):
        return "Tidak ada passage lain untuk pertanyaan ini."
    hit = hits[which]
    wrap_width = width or (min(shutil.get_terminal_size((100, 20)).columns, 100) if style.color else 0)
    if answer.corrections and which == 0:
        fixes = ", ".join(f"{a} → {b}" for a, b in answer.corrections)
        lines.append(style.dim(f"(dibaca sebagai: {fixes})"))
    short = answer.short_answer if which == 0 else hit.short_answer
    if short:
        lines.append(f"{style.accent('Jawaban singkat:')} {style.bold(short)}")
        lines.append("")
    if hit.passage.section:
        lines.append(style.dim(f"[{hit.passage.section}]"))
    body = "".join(style.mark(t) if marked else t for t, marked in highlight_parts(hit))
    for paragraph in body.split("\n"):
        if wrap_width and paragraph:
            lines.extend(textwrap.wrap(paragraph, wrap_width - 2, initial_indent="  ", subsequent_indent="  "))
        else:
            lines.append(f"  {paragraph}" if paragraph else "")
    lines.append("")
    lines.append(style.dim(f"— {citation(hit.passage)}"))
    if hit.passage.document and hit.passage.document.url:
        lines.append(style.dim(f"  {hit.passage.document.url}"))
    if which == 0 and answer.conflicts:
        lines.append("")
        for c in answer.conflicts:
            lines.append(style.warn(f"Catatan: {conflict_source(hit, c)} menyebut {c.short_answer!s} — {citation(c.passage)}:"))
            lines.append(style.dim(f"  “{c.highlight}”"))
    if len(hits) > 1 and which + 1 < len(hits):
        lines.append(style.dim(f"({len(hits) - which - 1} passage lain tersedia)"))
    return "\n".join(lines)


def conflict_source(cited: Hit, conflict: Hit) -> str:
    """Who disagrees with the cited passage: another source, or another part of the same article (an article
    that gives two dates is worth a note too, but "another source" would be untrue)."""
    return "bagian lain artikel ini" if conflict.passage.doc_id == cited.passage.doc_id else "sumber lain"


# --- Telegram ----------------------------------------------------------------------------


def esc(text: str) -> str:
    """Escape text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def telegram_messages(answer: Answer, which: int = 0, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The answer as Telegram HTML messages, each within `limit` characters. Everything
    from the corpus or the user is escaped; long passages are split between paragraphs or
    sentences before markup is added, so no tag is ever cut in half."""
    items: list[tuple[str, str]] = []  # (what joins it to the previous item, HTML)
    if answer.notice:
        items.append(("\n\n", f"<i>{esc(answer.notice)}</i>"))
    if not answer.answered:
        items += [("" if i else "\n\n", esc(p)) for i, p in enumerate(_pieces(answer.message or "", limit))]
        return pack(items, limit)
    hits = answer.passages
    if which >= len(hits):
        return ["Tidak ada passage lain untuk pertanyaan ini."]
    hit = hits[which]
    if answer.corrections and which == 0:
        fixes = ", ".join(f"{a} → {b}" for a, b in answer.corrections)
        items.append(("\n\n", f"<i>Dibaca sebagai: {esc(fixes)}</i>"))
    short = answer.short_answer if which == 0 else hit.short_answer
    if short:
        items.append(("\n\n", f"<b>Jawaban singkat:</b> {esc(short)}"))
    if hit.passage.section:
        items.append(("\n\n", f"<i>[{esc(hit.passage.section)}]</i>"))
    joiner = "\n\n"
    for text, marked in highlight_parts(hit):
        for piece in _pieces(text, limit - 16):
            items.append((joiner, f"<b>{esc(piece)}</b>" if marked else esc(piece)))
            joiner = ""
    doc = hit.passage.document
    items.append(("\n\n", f"<i>— {esc(citation(hit.passage))}</i>"))
    if doc and doc.url:
        items.append(("\n", f'<a href="{html.escape(doc.url, quote=True)}">Baca artikel aslinya</a>'))
    if which == 0:
        for c in answer.conflicts:
            items.append(("\n\n", f"⚠️ {conflict_source(hit, c).capitalize()} menyebut <b>{esc(c.short_answer or '')}</b> — "
                                   f"<i>{esc(citation(c.passage))}</i>"))
    return pack(items, limit)


def _pieces(text: str, limit: int, size=lambda t: len(esc(t))) -> list[str]:
    """Cut plain text into pieces of at most `limit` characters that join back into `text`:
    between paragraphs first, then lines, sentences, words, and only as a last resort
    inside a word."""
    if size(text) <= limit:
        return [text]
    for pattern in (r"(?<=\n\n)", r"(?<=\n)", r"(?<=[.!?] )", r"(?<= )"):
        parts = [p for p in re.split(pattern, text) if p]
        if len(parts) > 1 and all(size(p) <= limit for p in parts):
            out, current = [], ""
            for part in parts:
                if current and size(current + part) > limit:
                    out.append(current)
                    current = ""
                current += part
            return out + [current] if current else out
    step = max(1, limit // 6)  # "&" escapes to five characters: stay under the limit regardless
    return [text[i : i + step] for i in range(0, len(text), step)]


def pack_lines(lines: list[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join HTML lines into as few messages as fit `limit` (a line is never split)."""
    return pack([("\n", line) for line in lines], limit) if lines else []


def pack(items: list[tuple[str, str]], limit: int) -> list[str]:
    """Join HTML items into as few messages as fit `limit`; a joiner is dropped where a
    new message starts."""
    messages: list[str] = []
    current = ""
    for joiner, fragment in items:
        if not fragment:
            continue
        candidate = current + joiner + fragment if current else fragment
        if len(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            messages.append(current.strip())
        current = fragment
    if current.strip():
        messages.append(current.strip())
    return messages or [""]
