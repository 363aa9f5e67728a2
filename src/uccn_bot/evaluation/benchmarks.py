"""External Indonesian QA benchmarks as a corpus + Q&A file, for `uccn-bot eval --benchmark`.

Every context of the benchmark becomes one article of a pooled corpus, and every question
an item whose target is its own article *and* its answer string (`doc` + `answers` in the
Q&A format), so a passage elsewhere that happens to contain the same words does not count.
Another context that repeats the whole sentence holding the answer counts too (FacQA's
contexts overlap).
The data is read from the path given; nothing of it is stored in this repository.

    facqa   FacQA (IndoNLU), CSV of token lists with B/I/O answer labels
    tydiqa  TyDi QA GoldP Indonesian, SQuAD-style JSON
    idkmrc  IDK-MRC, SQuAD-style JSON whose `is_impossible` questions must be declined
"""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

import yaml

from ..corpus import CorpusError
from ..passages import split_sentences

SOURCES = {"facqa": "FacQA (IndoNLU)", "tydiqa": "TyDi QA GoldP (id)", "idkmrc": "IDK-MRC"}


def convert(name: str, data: str | Path, out_dir: Path) -> tuple[Path, Path]:
    """Write `out_dir/corpus/*.txt` and `out_dir/qa.yaml`; return both paths."""
    path = Path(data)
    if not path.is_file():
        raise CorpusError(path, None, "benchmark data file not found")
    try:
        pairs = _read_facqa(path) if name == "facqa" else _read_squad(path)
    except (ValueError, KeyError, TypeError, SyntaxError, json.JSONDecodeError) as exc:
        raise CorpusError(path, None, f"not a {SOURCES[name]} file: {exc}") from None
    corpus = out_dir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    pairs = list(pairs)
    ids: dict[str, str] = {}
    for context, _, _ in pairs:
        if context not in ids:
            ids[context] = f"{name}-{len(ids):05d}"
            _write_article(corpus / f"{ids[context]}.txt", ids[context], context, SOURCES[name])
    items = []
    for context, question, answers in pairs:
        item = {"q": question, "answers": answers, "kind": "fact" if answers else "unanswerable"}
        if answers:
            docs = [ids[context]] + [ids[c] for c in _repeats(context, answers, ids) if c != context]
            item["doc"] = docs[0] if len(docs) == 1 else docs
        items.append(item)
    qa = out_dir / "qa.yaml"
    qa.write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return corpus, qa


def _repeats(context: str, answers: list[str], contexts) -> list[str]:
    """Contexts that repeat the sentence holding the answer in `context`. FacQA's contexts
    are overlapping windows of the same news stories, so the answer's sentence often stands
    in two of them, and a passage from either answers the question."""
    folded = [a.casefold() for a in answers]
    sentence = next((s for s in split_sentences(context) if any(a in s.casefold() for a in folded)), None)
    if sentence is None or len(sentence.split()) < 6:
        return []
    return [c for c in contexts if sentence in c]


def _write_article(path: Path, doc_id: str, context: str, source: str) -> None:
    words = context.split()
    title = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    front = yaml.safe_dump({"id": doc_id, "title": title, "source": source}, allow_unicode=True, width=1000)
    path.write_text(f"---\n{front}---\n\n{context.strip()}\n", encoding="utf-8")


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    text = re.sub(r"\s+([,.;:?!)\]%])", r"\1", text)
    return re.sub(r"([(\[])\s+", r"\1", text)


def _read_facqa(path: Path):
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            question = _detokenize(ast.literal_eval(row["question"]))
            tokens = ast.literal_eval(row["passage"])
            labels = ast.literal_eval(row["seq_label"])
            spans, current = [], []
            for token, label in zip(tokens, labels):
                if label == "B" or (label == "I" and not current):
                    if current:
                        spans.append(current)
                    current = [token]
                elif label == "I":
                    current.append(token)
                elif current:
                    spans.append(current)
                    current = []
            if current:
                spans.append(current)
            yield _detokenize(tokens), question, [_detokenize(s) for s in spans]


def _read_squad(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data["data"]
    for entry in data:
        paragraphs = entry.get("paragraphs", [entry])
        for paragraph in paragraphs:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                answers = [] if qa.get("is_impossible") else sorted({a["text"] for a in qa.get("answers", []) if a["text"].strip()})
                yield context, qa["question"], answers
