"""Training and validation examples for the answer reader, from the shared benchmarks.

- TyDi QA id and IDK-MRC (SQuAD-style JSON): each context is split into sentences. The sentence holding the
  gold answer start is a positive (with the answer's character span inside the sentence); the other sentences
  of the same context that share most words with the question are hard negatives; for unanswerable IDK-MRC
  questions, their best-overlapping sentences are negatives.
- FacQA (CSV of token lists + BIO labels): the short passage is the text, a positive with its span; one other
  passage (drawn with a fixed seed) is an easy negative.

Only TRAIN splits are used for training; valid splits for model selection and the figures in docs/reader.md.
"""

from __future__ import annotations

import ast
import csv
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from uccn_bot.answering.reader_pass import QUESTION_WORDS

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"

_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")

STOP = set(
    "yang dan di ke dari apa siapa kapan dimana mana berapa bagaimana mengapa kenapa apakah adalah itu ini "
    "dengan untuk pada dalam oleh atau tahun sebagai tersebut the of".split()
)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of text (split after . ! ? before a capital/digit)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _SPLIT.finditer(text):
        end = m.start()
        # keep closing quotes/brackets with the sentence
        while end < m.end() and not text[end].isspace():
            end += 1
        if text[pos:end].strip():
            out.append(_trim(text, pos, end))
        pos = m.end()
    if text[pos:].strip():
        out.append(_trim(text, pos, len(text)))
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def words(t: str) -> set[str]:
    return {w for w in re.findall(r"\w+", t.lower()) if w not in STOP}


@dataclass
class Pair:
    """One training pair: question, text, label, answer span in text characters (positives only)."""

    question: str
    text: str
    label: float
    span: tuple[int, int] | None = None
    source: str = ""


@dataclass
class ValidQuestion:
    """A validation question with all sentences of its context."""

    question: str
    texts: list[str]
    gold: int | None  # index of the sentence holding the answer, None if unanswerable
    answers: list[str] = field(default_factory=list)
    source: str = ""


def _squad(path: Path) -> list[dict]:
    d = json.loads(path.read_text(encoding="utf-8"))
    return d["data"] if isinstance(d, dict) else d


def squad_examples(path: Path, source: str, n_hard: int = 2, n_hard_unans: int | None = 2, limit: int = 0):
    """Training pairs and validation questions from a SQuAD-style file (TyDi QA id / IDK-MRC). Negatives: an
    answerable question's `n_hard` and an unanswerable one's `n_hard_unans` (None: all) other sentences sharing most
    words with it."""
    pairs: list[Pair] = []
    valid: list[ValidQuestion] = []
    contexts = _squad(path)
    for c in contexts[:limit] if limit else contexts:
        ctx = c["context"]
        ss = sentences(ctx)
        if not ss:
            continue
        stexts = [ctx[a:b] for a, b in ss]
        swords = [words(t) for t in stexts]
        for qa in c["qas"]:
            q = qa["question"].strip()
            imp = bool(qa.get("is_impossible")) or not qa.get("answers")
            qw = words(q)
            gold = None
            span = None
            answers = []
            if not imp:
                a0 = qa["answers"][0]
                st = a0["answer_start"]
                en = st + len(a0["text"])
                answers = [a["text"] for a in qa["answers"]]
                for i, (a, b) in enumerate(ss):
                    if a <= st < b:
                        gold = i
                        if en <= b:
                            span = (st - a, en - a)
                        break
                if gold is None:
                    continue
            order = sorted((i for i in range(len(ss)) if i != gold), key=lambda i: (-len(qw & swords[i]), i))
            valid.append(ValidQuestion(q, stexts, gold, answers, source))
            if gold is not None:
                pairs.append(Pair(q, stexts[gold], 1.0, span, source))
            for i in order[: (n_hard_unans if imp else n_hard)]:
                pairs.append(Pair(q, stexts[i], 0.0, None, source))
    return pairs, valid


def _facqa_rows(path: Path):
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            q = ast.literal_eval(row["question"])
            p = ast.literal_eval(row["passage"])
            lab = ast.literal_eval(row["seq_label"])
            yield q, p, lab


def facqa_examples(path: Path, seed: int = 0, limit: int = 0, negatives: str = "random"):
    """FacQA: passage (tokens joined by spaces) = text, positive with span; one other passage negative: a random
    one, or with `negatives="similar"` the one sharing most words with the question among those that do not hold
    its answer (news on the same topic that does not say it: the kind of passage the bot must decline)."""
    rows = []
    for n, (q, p, lab) in enumerate(_facqa_rows(path)):
        if limit and n >= limit:
            break
        text = ""
        starts = []
        for tok in p:
            if text:
                text += " "
            starts.append(len(text))
            text += tok
        b = next((i for i, x in enumerate(lab) if x == "B"), None)
        if b is None:
            continue
        e = b
        while e + 1 < len(lab) and lab[e + 1] == "I":
            e += 1
        span = (starts[b], starts[e] + len(p[e]))
        rows.append((" ".join(q), text, span))
    rng = random.Random(seed)
    pairs = []
    valid = []
    passage_words = [words(text) for _, text, _ in rows] if negatives == "similar" else []
    for i, (q, text, span) in enumerate(rows):
        pairs.append(Pair(q, text, 1.0, span, "facqa"))
        if negatives == "similar":
            qw, answer = words(q), text[span[0] : span[1]].lower()
            j = max((k for k in range(len(rows)) if k != i and answer not in rows[k][1].lower()),
                    key=lambda k: (len(qw & passage_words[k]), -k), default=None)
        else:
            j = rng.randrange(len(rows) - 1)
            j = j + 1 if j >= i else j
        if j is not None:
            pairs.append(Pair(q, rows[j][1], 0.0, None, "facqa"))
        valid.append(ValidQuestion(q, [text], 0, [text[span[0] : span[1]]], "facqa"))
    return pairs, valid


# A question's leading question word, as chat often puts it at the end instead ("kapan X" → "X kapan"); the
# same words the runtime puts back in front. "apakah" (yes/no) and "apa saja" (a list) stay: "X apakah" is not
# how anyone asks.
_WH_LEAD = re.compile(rf"^(?!apakah |apa saja )({QUESTION_WORDS})(?:kah)?\s+(.+)$")


def wh_last(question: str) -> str:
    """The question with its leading question word moved to the end, its "-kah" dropped: "siapakah pendiri X" →
    "pendiri X siapa", as people type in chat ("X diadain kapan"). Other questions unchanged. The shipped
    model, trained on question words in front, read IDK-MRC valid questions in this form less well (AUC 0.813
    against 0.845 in lower case, docs/reader.md)."""
    m = _WH_LEAD.match(question)
    return f"{m.group(2)} {m.group(1)}" if m else question


# A name or a number in a question: a run of capitalised or numeric tokens ("Konfederasi Jerman", "1945").
_ENTITY_TOKEN = r"(?:[A-Z][\w'’.-]*|\d[\d.,]*)"
_ENTITY = re.compile(rf"(?<![\w-]){_ENTITY_TOKEN}(?:\s+{_ENTITY_TOKEN})*")


def question_entities(question: str) -> list[tuple[int, str]]:
    """(offset, text) of the names and numbers in a question, its first word left out (capitalised only
    because it starts the question: "Kelompok hewan apakah ...")."""
    first = re.match(r"\s*\S+", question)
    skip = first.end() if first else 0
    out = []
    for m in _ENTITY.finditer(question):
        toks = [t for t in re.finditer(r"\S+", m.group(0)) if m.start() + t.start() >= skip]
        if toks:
            a, b = m.start() + toks[0].start(), m.start() + toks[-1].end()
            text = question[a:b].rstrip("?.,")
            if text:
                out.append((a, text))
    return out


def _entity_kind(text: str) -> str:
    if re.fullmatch(r"1\d{3}|20\d{2}", text):
        return "year"
    return "number" if text[0].isdigit() else "name"


def swap_negatives(pairs: list[Pair], share: float, seed: int = 0) -> list[Pair]:
    """Unanswerable pairs made from answerable ones: in a share of the positives, a name or number of the
    question that its sentence holds is replaced by another question's name, year or number that the sentence
    does not hold ("Siapa pendiri Cape Town?" → "Siapa pendiri Walt Disney Animation Studios?" against the
    sentence on Cape Town's founder). The shipped model read such questions as answered far too often (on 300
    IDK-MRC / TyDi QA valid questions: AUC 0.843 between the real and the swapped question on the same
    sentence, 41% of the swapped above 0.1): on topic, but about something else, as in "siapa wali kota Ambon"
    against a sentence on Pekalongan's mayor."""
    pool: dict[str, list[str]] = {"name": [], "year": [], "number": []}
    for p in pairs:
        for _, e in question_entities(p.question):
            pool[_entity_kind(e)].append(e)
    rng = random.Random(seed)
    out = []
    for p in pairs:
        if p.label <= 0 or rng.random() >= share:
            continue
        low = p.text.lower()
        held = [(at, e) for at, e in question_entities(p.question) if e.lower() in low]
        if not held:
            continue
        rng.shuffle(held)
        for at, e in held:  # the first that another question's name, year or number can stand in for
            kind = pool[_entity_kind(e)]
            choices = [o for o in rng.sample(kind, min(20, len(kind))) if o.lower() not in low and o.lower() != e.lower()]
            if choices:
                out.append(Pair(p.question[:at] + choices[0] + p.question[at + len(e):], p.text, 0.0, None, p.source))
                break
    return out


def train_pairs(bench: Path = BENCH, seed: int = 0, limit: int = 0, n_hard: int = 2,
                facqa_negatives: str = "random", n_hard_unans: int | None = 2) -> list[Pair]:
    """All training pairs (limit: only the first `limit` contexts / rows of each file, for --tiny; n_hard: hard
    negatives per answerable question; n_hard_unans: an unanswerable one's best-overlapping sentences, None for every
    sentence of its context (the bot takes the best reading over the sentences it reads, so any of them may be the
    one scored too high); facqa_negatives: see `facqa_examples`)."""
    pairs: list[Pair] = []
    pairs += squad_examples(bench / "idk_mrc" / "idkmrc_train.json", "idk_mrc", n_hard, n_hard_unans, limit=limit)[0]
    pairs += squad_examples(bench / "tydiqa_id" / "tydiqa_train.json", "tydiqa", n_hard, n_hard_unans, limit=limit)[0]
    pairs += facqa_examples(bench / "facqa" / "train_preprocess.csv", seed, limit=limit, negatives=facqa_negatives)[0]
    return pairs


def valid_questions(bench: Path = BENCH, limit: int = 0) -> dict[str, list[ValidQuestion]]:
    return {
        "idk_mrc": squad_examples(bench / "idk_mrc" / "idkmrc_valid.json", "idk_mrc", limit=limit)[1],
        "tydiqa": squad_examples(bench / "tydiqa_id" / "tydiqa_valid.json", "tydiqa", limit=limit)[1],
        "facqa": facqa_examples(bench / "facqa" / "valid_preprocess.csv", limit=limit)[1],
    }
