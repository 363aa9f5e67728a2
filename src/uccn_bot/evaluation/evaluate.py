"""`uccn-bot eval`: answer quality on a Q&A file, for the bot and a naive baseline side by side.

Q&A file: a YAML list of `{q, answers, kind}` (optionally `doc`, the id of the article the
answer must come from, or a list of such ids). An answerable item is a hit at rank r when the
r-th passage the user is shown contains one of `answers` (case-insensitive), and comes from
(one of) `doc` when given; a
declined question shows nothing, so it counts as a miss. An unanswerable item (no answers)
passes when the bot declines.

The naive baseline is what one gets in ten lines: rank-bm25 over blank-line paragraphs with
lower-case `\\w+` tokens and nothing else; it declines only when no word matches at all.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import yaml

from ..answering import Bot
from ..app import open_bot
from ..config import Config
from ..corpus import CorpusError, load_corpus
from ..yaml_safe import safe_load

KINDS = ("fact", "paraphrase", "morphology", "typo", "english", "unanswerable")
DEFAULT_QA = Path(__file__).resolve().parents[3] / "tests" / "qa" / "uccn.yaml"
K = 10


@dataclass(frozen=True)
class QAItem:
    q: str
    answers: tuple[str, ...]
    kind: str
    docs: tuple[str, ...] = ()  # articles the answer must come from (any article when empty)

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class Ranked:
    """What a system showed for one question: whether it answered, and its passages."""

    answered: bool
    passages: tuple[tuple[str, str], ...]  # (doc_id, text), best first
    short_answer: str | None = None


@dataclass
class Outcome:
    item: QAItem
    answered: bool
    rank: int | None  # 1-based rank of the first passage holding an answer, among those shown
    ranking_rank: int | None  # the same in the full ranking, declines ignored
    first_words: int  # length of the first passage shown
    first_passage: str = ""
    short_answer: str | None = None

    @property
    def passed(self) -> bool:
        if self.item.answerable:
            return self.rank == 1
        return not self.answered


@dataclass
class Metrics:
    n: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    mrr10: float = 0.0
    ranking_hit1: float = 0.0  # hit@1 of the ranking alone, as if nothing were declined
    ranking_mrr10: float = 0.0
    false_decline: float = 0.0
    correct_decline: float | None = None
    n_unanswerable: int = 0
    max_first_words: int = 0
    mean_first_words: float = 0.0
    short_answers: int = 0  # hits at rank 1 shown with a short answer
    short_answer_shown: float | None = None  # ... as a share of the hits at rank 1
    short_answer_match: float | None = None  # ... whose short answer and an expected answer contain one another
    short_answer_exact: float | None = None  # ... whose short answer is an expected answer (case, spaces, edge punctuation aside)


@dataclass
class Report:
    system: str
    overall: Metrics
    per_kind: dict[str, Metrics]
    outcomes: list[Outcome] = field(repr=False, default_factory=list)
    seconds: float = 0.0
    indonesian: Metrics | None = None  # every kind but "english", when the file has English items


def load_qa(path: str | Path) -> list[QAItem]:
    """Read and check a Q&A file; problems name the file and the item."""
    file = Path(path)
    try:
        raw = safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusError(file, None, "Q&A file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CorpusError(file, mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, list):
        raise CorpusError(file, None, "expected a YAML list of {q, answers, kind} items")
    items = []
    for n, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
            raise CorpusError(file, None, f"item {n}: needs a 'q' string")
        answers = entry.get("answers") or []
        if not isinstance(answers, list) or not all(isinstance(a, (str, int, float)) for a in answers):
            raise CorpusError(file, None, f"item {n}: 'answers' must be a list of strings")
        kind = str(entry.get("kind") or ("fact" if answers else "unanswerable"))
        docs = entry.get("doc") or []
        docs = [docs] if isinstance(docs, str) else docs
        if not isinstance(docs, list) or not all(isinstance(d, str) for d in docs):
            raise CorpusError(file, None, f"item {n}: 'doc' must be an article id or a list of them")
        items.append(QAItem(entry["q"], tuple(str(a) for a in answers), kind, tuple(docs)))
    return items


def is_hit(item: QAItem, doc_id: str, text: str) -> bool:
    if item.docs and doc_id not in item.docs:
        return False
    folded = text.casefold()
    return any(a.casefold() in folded for a in item.answers)


def evaluate(system: str, ask: Callable[[str], tuple[Ranked, Ranked]], items: list[QAItem]) -> Report:
    """Run every item through `ask`, which returns (what the user is shown, the full ranking)."""
    started = time.perf_counter()
    outcomes = []
    for item in items:
        shown, ranking = ask(item.q)
        rank = _rank(item, shown.passages) if shown.answered else None
        first = shown.passages[0][1] if shown.answered and shown.passages else ""
        outcomes.append(Outcome(item, shown.answered, rank, _rank(item, ranking.passages), len(first.split()),
                                first, shown.short_answer))
    per_kind = {kind: _metrics([o for o in outcomes if o.item.kind == kind])
                for kind in sorted({o.item.kind for o in outcomes}, key=lambda k: (KINDS + (k,)).index(k))}
    indonesian = _metrics([o for o in outcomes if o.item.kind != "english"]) if "english" in per_kind else None
    return Report(system, _metrics(outcomes), per_kind, outcomes, time.perf_counter() - started, indonesian)


def _rank(item: QAItem, passages) -> int | None:
    if not item.answerable:
        return None
    for r, (doc_id, text) in enumerate(passages[:K], start=1):
        if is_hit(item, doc_id, text):
            return r
    return None


def _metrics(outcomes: list[Outcome]) -> Metrics:
    answerable = [o for o in outcomes if o.item.answerable]
    unanswerable = [o for o in outcomes if not o.item.answerable]
    m = Metrics(n=len(answerable), n_unanswerable=len(unanswerable))
    if answerable:
        m.hit1 = sum(o.rank == 1 for o in answerable) / len(answerable)
        m.hit3 = sum(o.rank is not None and o.rank <= 3 for o in answerable) / len(answerable)
        m.mrr10 = sum(1 / o.rank for o in answerable if o.rank) / len(answerable)
        m.ranking_hit1 = sum(o.ranking_rank == 1 for o in answerable) / len(answerable)
        m.ranking_mrr10 = sum(1 / o.ranking_rank for o in answerable if o.ranking_rank) / len(answerable)
        m.false_decline = sum(not o.answered for o in answerable) / len(answerable)
    if unanswerable:
        m.correct_decline = sum(not o.answered for o in unanswerable) / len(unanswerable)
    short = [o for o in answerable if o.rank == 1 and o.short_answer]
    hits = sum(o.rank == 1 for o in answerable)
    if hits:
        m.short_answer_shown = len(short) / hits
    if short:
        m.short_answers = len(short)
        m.short_answer_match = sum(_short_answer_matches(o) for o in short) / len(short)
        m.short_answer_exact = sum(_short_answer_matches(o, exact=True) for o in short) / len(short)
    shown = [o.first_words for o in outcomes if o.answered and o.first_words]
    if shown:
        m.max_first_words = max(shown)
        m.mean_first_words = round(statistics.mean(shown), 1)
    return m


def _short_answer_matches(o: Outcome, exact: bool = False) -> bool:
    """Whether a short answer agrees with an expected answer: one contains the other
    ("2014" in "1 Desember 2014", "Taufik Hidayat" in "tunggal putra Taufik Hidayat"), or
    with `exact`, they are the same."""
    def norm(text: str) -> str:
        return " ".join(text.casefold().split()).strip(" .,;:")

    short = norm(o.short_answer)
    expected = [norm(x) for x in o.item.answers]
    return short in expected if exact else any(short in a or a in short for a in expected)


# --- the two systems ---------------------------------------------------------------------


def bot_system(bot) -> Callable[[str], tuple[Ranked, Ranked]]:
    def ask(question: str) -> tuple[Ranked, Ranked]:
        answer = bot.answer(question, passages=K)
        shown = Ranked(answer.answered, tuple((h.passage.doc_id, h.passage.text) for h in answer.passages),
                       answer.short_answer)
        if answer.answered:
            return shown, shown
        ranking = bot.search(question, K)
        return shown, Ranked(True, tuple((h.passage.doc_id, h.passage.text) for h in ranking))

    return ask


class NaiveBaseline:
    """rank-bm25 over blank-line paragraphs with lower-case `\\w+` tokens, nothing else."""

    def __init__(self, corpus_dir: str | Path):
        from rank_bm25 import BM25Okapi

        self.paragraphs: list[tuple[str, str]] = []
        for doc in load_corpus(corpus_dir):
            for para in re.split(r"\n\s*\n", doc.body):
                if para.strip():
                    self.paragraphs.append((doc.id, para.strip()))
        self.bm25 = BM25Okapi([self.tokens(p) for _, p in self.paragraphs])

    @staticmethod
    def tokens(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    def ask(self, question: str) -> tuple[Ranked, Ranked]:
        import numpy as np

        scores = self.bm25.get_scores(self.tokens(question))
        order = np.argsort(-scores, kind="stable")[:K]
        passages = tuple(self.paragraphs[i] for i in order if scores[i] > 0)
        ranked = Ranked(bool(passages), passages)
        return ranked, ranked


# --- the command -------------------------------------------------------------------------


def run_eval(args, config: Config) -> int:
    with tempfile.TemporaryDirectory(prefix="uccn-bench-") as tmp:
        if args.benchmark:
            from .benchmarks import convert

            if not args.data:
                print("uccn-bot: --benchmark needs --data PATH (the benchmark's valid file)", file=sys.stderr)
                return 2
            corpus_dir, qa_file = convert(args.benchmark, args.data, Path(tmp))
            config = config.with_corpus(corpus_dir)
            label = f"{args.benchmark} ({args.data})"
        else:
            qa_file = Path(args.qa) if args.qa else DEFAULT_QA
            label = str(qa_file)
        items = load_qa(qa_file)
        if args.limit:
            items = items[: args.limit]
        if args.no_decline:
            config = replace(config, answer=replace(config.answer, min_confidence=0.0))
        bot = open_bot(config)
        reports = [evaluate("uccn-bot", bot_system(bot), items)]
        if bot.reader.active:  # the same index, answered by the rules alone: what the model adds
            reports.append(evaluate("uccn-bot without reader", bot_system(Bot(bot.index, bot.settings)), items))
        reports.append(evaluate("naive BM25", NaiveBaseline(config.corpus_path).ask, items))

    if args.json:
        print(json.dumps(report_json(label, str(config.corpus_path), reports), ensure_ascii=False, indent=2))
    else:
        print(format_reports(label, str(config.corpus_path), reports))
    return 0


def report_json(label: str, corpus: str, reports: list[Report]) -> dict:
    return {
        "qa": label,
        "corpus": corpus,
        "systems": {
            r.system: {
                "overall": asdict(r.overall),
                "indonesian": asdict(r.indonesian) if r.indonesian else None,
                "per_kind": {k: asdict(m) for k, m in r.per_kind.items()},
                "seconds": round(r.seconds, 3),
                "failures": [_failure(o) for o in r.outcomes if not o.passed],
            }
            for r in reports
        },
    }


def _failure(o: Outcome) -> dict:
    return {"q": o.item.q, "kind": o.item.kind, "answers": list(o.item.answers), "answered": o.answered,
            "rank": o.rank, "first_passage": o.first_passage[:300], "short_answer": o.short_answer}


def _pct(x: float | None) -> str:
    return "   –" if x is None else f"{x:4.2f}"


def format_reports(label: str, corpus: str, reports: list[Report]) -> str:
    lines = [f"Q&A: {label}", f"corpus: {corpus}", ""]
    header = f"{'':14}" + "".join(f"{r.system:>40}" for r in reports)
    lines.append(header)
    sub = f"{'kind':14}" + "".join(f"{'n':>5}{'hit@1':>7}{'hit@3':>7}{'MRR@10':>8}{'f-decl':>7}{'c-decl':>7}" for _ in reports)
    lines.append(sub)
    kinds = list(reports[0].per_kind) + ["ALL"] + (["ALL Indonesian"] if reports[0].indonesian else [])
    for kind in kinds:
        row = f"{kind:14}"
        for r in reports:
            m = r.overall if kind == "ALL" else r.indonesian if kind == "ALL Indonesian" else r.per_kind[kind]
            n = m.n if m.n else m.n_unanswerable
            answerable = m.n > 0
            row += (f"{n:>5}{_pct(m.hit1 if answerable else None):>7}{_pct(m.hit3 if answerable else None):>7}"
                    f"{_pct(m.mrr10 if answerable else None):>8}{_pct(m.false_decline if answerable else None):>7}"
                    f"{_pct(m.correct_decline):>7}")
        lines.append(row)
    lines.append("")
    lines.append("hit@k, MRR@10: answerable questions, counting what the user is shown (a decline is a miss).")
    lines.append("f-decl: answerable questions declined; c-decl: unanswerable questions declined.")
    if reports[0].indonesian:
        lines.append("ALL Indonesian: every kind but english.")
    for r in reports:
        o = r.overall
        lines.append(f"{r.system}: ranking alone hit@1 {o.ranking_hit1:.2f}, MRR@10 {o.ranking_mrr10:.2f}; first passage shown "
                     f"max {o.max_first_words} words, mean {o.mean_first_words}; "
                     + (f"short answers {o.short_answers} ({o.short_answer_shown:.2f} of the hits), agreeing with an expected answer "
                        f"{o.short_answer_match:.2f} (exactly {o.short_answer_exact:.2f}); " if o.short_answers else "") +
                     f"{1000 * r.seconds / max(1, len(r.outcomes)):.1f} ms/question")
    failures = [o for o in reports[0].outcomes if not o.passed]
    lines.append("")
    lines.append(f"{reports[0].system} failures ({len(failures)}):")
    for o in failures:
        if o.item.answerable:
            what = "declined" if not o.answered else f"rank {o.rank}" if o.rank else "not in top 10"
            lines.append(f"  [{o.item.kind}] {o.item.q!r} → {what}; wanted {list(o.item.answers)[:3]}")
            if o.answered:
                lines.append(f"      got: {o.first_passage[:140]!r}")
        else:
            lines.append(f"  [{o.item.kind}] {o.item.q!r} → answered: {o.first_passage[:140]!r}")
    return "\n".join(lines)
