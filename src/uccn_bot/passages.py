"""Split a `Document` into passages a person can read in one chat bubble.

The text is first read as blocks (headings, list items, paragraphs), then grouped so that
a heading stays with what it introduces and a list stays with its heading, and finally packed
into passages of roughly `min_words`..`max_words` words. Oversized lists are cut between
items with the heading repeated on every piece; oversized paragraphs are cut between
sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .core import Document, Passage
from .corpus import trim_long_tokens

_ITEM_RE = re.compile(
    r"^(?:[-–—•*·▪]\s+|\(?[a-z]\)\s+|[a-z]\.\s+|\d{1,2}[.)]\s+|[IVXLC]{1,6}\.\s+)", re.IGNORECASE
)
_NUMBERED_RE = re.compile(r"^(?:\d{1,2}[.)]|[IVXLC]{1,6}\.|[a-z][.)])\s+", re.IGNORECASE)
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
_SENTENCE_END = ('.', '!', '?', '"', '”', '’', ')', ';')
_SENTENCE_BREAK_RE = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_SHORT_LEAD = 25  # words; a list's intro this short is repeated on every piece of the list
_ABBREVIATIONS = {"dll", "dsb", "dkk", "no", "dr", "prof", "ir", "jl", "st", "mr", "mrs", "vs", "hlm", "tel"}


@dataclass
class _Block:
    kind: str  # "heading" | "item" | "para"
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class _Group:
    """Blocks that belong together: optional heading/intro lines, then a paragraph or a list."""

    lead: list[_Block]
    body: list[_Block]
    section: str

    @property
    def blocks(self) -> list[_Block]:
        return self.lead + self.body

    @property
    def words(self) -> int:
        return sum(b.words for b in self.blocks)


def split_document(doc: Document, min_words: int = 40, max_words: int = 150) -> list[Passage]:
    """Split `doc` into passages; every word of the body lands in exactly one passage
    (headings of oversized lists are repeated on each piece)."""
    groups = _group(_blocks(doc.body))
    pieces: list[list[_Block]] = []
    sections: list[str] = []
    for chunk, section in _pack(groups, min_words, max_words):
        pieces.append(chunk)
        sections.append(section)
    passages = []
    for position, (blocks, section) in enumerate(zip(pieces, sections)):
        text = _join(blocks)
        if blocks and blocks[0].kind == "heading" and blocks[0].text == section:
            section = ""
        passages.append(
            Passage(
                id=f"{doc.id}#{position}",
                doc_id=doc.id,
                position=position,
                text=text,
                section=section,
                document=doc,
            )
        )
    return passages


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, with list lines kept as their own sentences."""
    sentences: list[str] = []
    for line in text.split("\n"):
        start = 0
        for match in _SENTENCE_BREAK_RE.finditer(line):
            before = line[start : match.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            initials = all(len(part) <= 1 for part in last.split("."))
            if initials or last in _ABBREVIATIONS:  # "J.K. Rowling", "M. Anton", "dll. Kota"
                continue
            sentences.append(line[start : match.end()].strip())
            start = match.end()
        if line[start:].strip():
            sentences.append(line[start:].strip())
    return sentences


# --- reading blocks ----------------------------------------------------------------------


def _blocks(body: str) -> list[_Block]:
    raw: list[str] = []
    for line in body.split("\n"):
        stripped = trim_long_tokens(" ".join(line.split()))
        if not stripped:
            raw.append("")
            continue
        prev = next((r for r in reversed(raw) if r), None)
        # A line that starts in lower case right after an unfinished line continues it
        # (hard-wrapped text, or an item broken over a blank line).
        if prev is not None and stripped[0].islower() and not prev.endswith(_SENTENCE_END + (":",)) \
                and not _ITEM_RE.match(stripped):
            while raw and not raw[-1]:
                raw.pop()
            raw[-1] = f"{raw[-1]} {stripped}"
            continue
        raw.append(stripped)
    lines = [r for r in raw if r]
    blocks: list[_Block] = []
    for i, line in enumerate(lines):
        blocks.append(_Block(_kind(lines, i), line))
    return blocks


def _kind(lines: list[str], i: int) -> str:
    line = lines[i]
    if _MD_HEADING_RE.match(line):
        return "heading"
    short = len(line.split()) <= 12 and not line.endswith((".", ",", ";", "!", "?"))
    numbered = _NUMBERED_RE.match(line)
    if numbered:
        # "4. Kota Kreatif Bidang Gastronomi" followed by a paragraph or by "a." items is a
        # heading; "1. Tokyo, Jepang & Los Angeles, AS" among other numbered lines is an item.
        marker = _marker_style(line)
        neighbours = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
        in_run = any(_NUMBERED_RE.match(n) and _marker_style(n) == marker for n in neighbours)
        return "heading" if short and not in_run else "item"
    if _ITEM_RE.match(line):
        return "item"
    if short and not line.endswith(":") and i + 1 < len(lines):
        return "heading"
    return "para"


def _marker_style(line: str) -> str:
    marker = line.split(maxsplit=1)[0]
    if marker[0].isdigit():
        return "digit"
    if re.match(r"^[IVXLC]+\.$", marker) and len(marker) > 2:
        return "roman"
    return "letter" if len(marker.rstrip(".)").lstrip("(")) == 1 else "roman"


# --- grouping and packing ----------------------------------------------------------------


def _group(blocks: list[_Block]) -> list[_Group]:
    groups: list[_Group] = []
    lead: list[_Block] = []
    section = ""
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "heading":
            lead.append(block)
            section = _strip_marks(block.text)
            i += 1
            continue
        if block.kind == "para" and block.text.endswith(":") and i + 1 < len(blocks):
            lead.append(block)  # "... bertujuan untuk:" introduces what follows
            i += 1
            continue
        if block.kind == "item":
            j = i
            while j < len(blocks) and blocks[j].kind == "item":
                j += 1
            groups.append(_Group(lead, blocks[i:j], section))
            i = j
        else:
            groups.append(_Group(lead, [block], section))
            i += 1
        lead = []
    if lead:  # trailing headings with nothing under them
        groups.append(_Group([], lead, section))
    return groups


def _pack(groups: list[_Group], min_words: int, max_words: int):
    """Yield (blocks, section) chunks: whole groups merged up to `min_words`, never past
    `max_words`, and oversized groups cut into pieces."""
    pieces: list[tuple[list[_Block], str, bool]] = []  # (blocks, section, starts_with_heading)
    for group in groups:
        for blocks in _fit(group, max_words):
            pieces.append((blocks, group.section, blocks[0].kind == "heading"))

    chunks: list[tuple[list[_Block], str]] = []
    current: list[_Block] = []
    section = ""
    stub = min_words * 3 // 4
    for blocks, piece_section, headed in pieces:
        size = _words(current)
        if current and headed and size < stub and chunks and chunks[-1][1] == section \
                and _words(chunks[-1][0]) + size <= max_words:
            # A stub ending a section joins what it ends rather than the next heading.
            chunks[-1] = (chunks[-1][0] + current, chunks[-1][1])
            current, size = [], 0
        # Start a new passage once this one is big enough, when the next piece would
        # overflow it, or at a heading (unless what came before is a mere stub).
        if current and (size >= min_words or size + _words(blocks) > max_words or (headed and size >= stub)):
            chunks.append((current, section))
            current = []
        if not current:
            section = piece_section
        current = current + blocks
    if current:
        chunks.append((current, section))

    # A short last piece of a run joins the chunk before it when both fit together.
    merged: list[tuple[list[_Block], str]] = []
    for blocks, sec in chunks:
        if merged and _words(blocks) < min_words and blocks[0].kind != "heading" \
                and _words(merged[-1][0]) + _words(blocks) <= max_words:
            merged[-1] = (merged[-1][0] + blocks, merged[-1][1])
            continue
        merged.append((blocks, sec))
    return merged


def _words(blocks: list[_Block]) -> int:
    return sum(b.words for b in blocks)


def _fit(group: _Group, max_words: int) -> list[list[_Block]]:
    """Cut a group that is too long: lists between items, paragraphs between sentences.
    Every piece of a list starts with the list's heading (and its intro line when short),
    so an item is never read without knowing what it is an item of."""
    if group.words <= max_words:
        return [group.blocks]
    is_list = group.body[0].kind == "item"
    lead_words = sum(b.words for b in group.lead)
    repeat = [b for b in group.lead if is_list and (b.kind == "heading" or lead_words <= _SHORT_LEAD)]
    budget = max_words - max(sum(b.words for b in repeat), 0)
    units: list[_Block] = []
    for block in group.body:
        if block.words <= budget:
            units.append(block)
        else:
            runs = _sentence_runs(block.text, budget)
            units.extend(_Block(block.kind if i == 0 else "para", run) for i, run in enumerate(runs))
    pieces: list[list[_Block]] = []
    current: list[_Block] = list(group.lead)
    fresh = current == repeat  # nothing but the repeated prefix in `current` yet
    for unit in units:
        if not fresh and sum(b.words for b in current) + unit.words > max_words:
            pieces.append(current)
            current, fresh = list(repeat), True
        current.append(unit)
        fresh = False
    pieces.append(current)
    return pieces


def _sentence_runs(text: str, budget: int) -> list[str]:
    """Consecutive sentences of `text` packed into runs of at most `budget` words,
    balanced so that the last run is not a stub."""
    sentences = []
    for sentence in split_sentences(text):
        words = sentence.split()
        # A single sentence longer than a passage (tables, run-ons) is cut between words.
        sentences.extend(" ".join(words[i : i + budget]) for i in range(0, len(words), budget))
    total = sum(len(s.split()) for s in sentences)
    n_runs = max(1, -(-total // budget))
    target = total / n_runs
    runs: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        size = sum(len(s.split()) for s in current)
        if current and (size + len(sentence.split()) > budget or size >= target):
            runs.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        runs.append(" ".join(current))
    return runs


def _join(blocks: list[_Block]) -> str:
    out = ""
    for prev, block in zip([None] + blocks[:-1], blocks):
        if prev is None:
            out = block.text
        elif prev.kind == "para" and block.kind == "para":
            out += "\n\n" + block.text
        else:
            out += "\n" + block.text
    return out


def _strip_marks(heading: str) -> str:
    return _MD_HEADING_RE.sub("", heading).strip()
