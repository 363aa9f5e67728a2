"""The evaluation: Q&A file checks, metrics arithmetic, the naive baseline, benchmark conversion."""

import json

import pytest
import yaml

from uccn_bot.evaluation.benchmarks import convert
from uccn_bot.corpus import CorpusError
from uccn_bot.evaluation.evaluate import NaiveBaseline, QAItem, Ranked, evaluate, load_qa

from conftest import CORPUS, ROOT


def test_shipped_qa_files_are_valid_and_large_enough():
    test = load_qa(ROOT / "tests" / "qa" / "uccn.yaml")
    dev = load_qa(ROOT / "tests" / "qa" / "dev.yaml")
    assert len(test) >= 100 and sum(not i.answerable for i in test) >= 15
    assert {i.kind for i in test} == {"fact", "paraphrase", "morphology", "typo", "unanswerable", "english"}
    assert not {i.q for i in test} & {i.q for i in dev}  # tuning never sees a test question


def test_malformed_qa_file(tmp_path):
    path = tmp_path / "qa.yaml"
    path.write_text("- {answers: [x]}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="item 1"):
        load_qa(path)


def test_metrics_arithmetic():
    items = [QAItem("a", ("x",), "fact"), QAItem("b", ("y",), "fact"), QAItem("c", (), "unanswerable"),
             QAItem("d", ("z",), "typo")]
    shown = {
        "a": Ranked(True, (("d1", "has x"),)),
        "b": Ranked(True, (("d1", "nothing"), ("d2", "nope"), ("d3", "y here"))),
        "c": Ranked(False, ()),
        "d": Ranked(False, ()),
    }
    report = evaluate("t", lambda q: (shown[q], shown[q]), items)
    o = report.overall
    assert (o.n, o.hit1, o.hit3) == (3, 1 / 3, 2 / 3)
    assert o.mrr10 == pytest.approx((1 + 1 / 3) / 3)
    assert o.false_decline == pytest.approx(1 / 3) and o.correct_decline == 1.0
    assert report.per_kind["typo"].hit1 == 0.0
    assert report.indonesian is None  # no English items: no separate figure


def test_short_answers_are_checked_against_the_expected_answers():
    items = [QAItem("a", ("1 Desember 2014",), "fact"), QAItem("b", ("Taufik Hidayat",), "fact"),
             QAItem("c", ("246 kota",), "fact"), QAItem("d", ("x",), "fact")]
    shown = {
        "a": Ranked(True, (("d1", "pada 1 Desember 2014"),), "2014"),  # a part of the answer agrees
        "b": Ranked(True, (("d1", "Taufik Hidayat dan Lilyana Natsir"),), "Lilyana Natsir"),
        "c": Ranked(True, (("d1", "ada 246 kota"),), "246  Kota"),  # case and spacing do not matter
        "d": Ranked(True, (("d1", "x"),)),  # no short answer: not counted
    }
    o = evaluate("t", lambda q: (shown[q], shown[q]), items).overall
    assert (o.short_answers, o.short_answer_match) == (3, pytest.approx(2 / 3))
    assert o.short_answer_exact == pytest.approx(1 / 3)  # only "246  Kota" is an expected answer as it is


def test_indonesian_figure_leaves_english_questions_out():
    items = [QAItem("a", ("x",), "fact"), QAItem("b", ("x",), "english"), QAItem("c", (), "unanswerable")]
    shown = {"a": Ranked(True, (("d", "x"),)), "b": Ranked(True, (("d", "no"),)), "c": Ranked(False, ())}
    report = evaluate("t", lambda q: (shown[q], shown[q]), items)
    assert report.overall.hit1 == 0.5
    assert (report.indonesian.n, report.indonesian.hit1, report.indonesian.correct_decline) == (1, 1.0, 1.0)


def test_doc_field_requires_the_right_article():
    item = QAItem("q", ("x",), "fact", docs=("d2",))
    report = evaluate("t", lambda q: (Ranked(True, (("d1", "x"), ("d2", "x"))),) * 2, [item])
    assert report.overall.hit1 == 0.0 and report.overall.mrr10 == 0.5
    either = QAItem("q", ("x",), "fact", docs=("d3", "d1"))
    assert evaluate("t", lambda q: (Ranked(True, (("d1", "x"),)),) * 2, [either]).overall.hit1 == 1.0


def test_doc_field_may_list_articles(tmp_path):
    qa = tmp_path / "qa.yaml"
    qa.write_text('- {q: a, answers: [x], doc: d1}\n- {q: b, answers: [y], doc: [d1, d2]}\n', encoding="utf-8")
    assert [i.docs for i in load_qa(qa)] == [("d1",), ("d1", "d2")]
    qa.write_text("- {q: a, answers: [x], doc: {d: 1}}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="item 1: 'doc'"):
        load_qa(qa)


def test_naive_baseline_ranks_paragraphs():
    baseline = NaiveBaseline(CORPUS)
    shown, _ = baseline.ask("Kapan Pekalongan ditetapkan sebagai Kota Kreatif UNESCO")
    assert shown.answered and "Pekalongan" in shown.passages[0][1]
    assert not baseline.ask("zzzz qqqq")[0].answered


def test_benchmark_conversion(tmp_path):
    squad = tmp_path / "mini.json"
    squad.write_text('[{"context": "Jakarta adalah ibu kota Indonesia.", "qas": ['
                     '{"question": "Apa ibu kota Indonesia?", "is_impossible": false, "answers": [{"text": "Jakarta", "answer_start": 0}]},'
                     '{"question": "Siapa presiden?", "is_impossible": true, "answers": []}]}]', encoding="utf-8")
    corpus, qa = convert("idkmrc", squad, tmp_path / "out")
    items = yaml.safe_load(qa.read_text(encoding="utf-8"))
    assert items[0] == {"q": "Apa ibu kota Indonesia?", "answers": ["Jakarta"], "kind": "fact", "doc": "idkmrc-00000"}
    assert items[1]["kind"] == "unanswerable"
    assert len(list(corpus.iterdir())) == 1

    facqa = tmp_path / "f.csv"
    facqa.write_text('question,passage,seq_label\n"[\'Siapa\', \'dia\', \'?\']","[\'Dia\', \'adalah\', \'Budi\', \'Santoso\', \'.\']",'
                     '"[\'O\', \'O\', \'B\', \'I\', \'O\']"\n', encoding="utf-8")
    _, qa = convert("facqa", facqa, tmp_path / "out2")
    (item,) = yaml.safe_load(qa.read_text(encoding="utf-8"))
    assert item["q"] == "Siapa dia?" and item["answers"] == ["Budi Santoso"]


def test_benchmark_counts_a_context_that_repeats_the_answer_sentence(tmp_path):
    sentence = "Pelatihnya adalah Nick Bollettieri dari Bradenton di Florida."
    squad = tmp_path / "overlap.json"
    squad.write_text(json.dumps([
        {"context": f"Sharapova pindah ke Amerika. {sentence}", "qas": [
            {"question": "Siapa pelatihnya?", "answers": [{"text": "Nick Bollettieri", "answer_start": 0}]}]},
        {"context": f"{sentence} Dia juara Wimbledon.", "qas": [{"question": "?", "is_impossible": True}]},
        {"context": "Nick Bollettieri melatih banyak pemain lain.", "qas": [{"question": "?", "is_impossible": True}]},
    ]), encoding="utf-8")
    _, qa = convert("tydiqa", squad, tmp_path / "out")
    item = yaml.safe_load(qa.read_text(encoding="utf-8"))[0]
    assert item["doc"] == ["tydiqa-00000", "tydiqa-00001"]  # not the third: it only shares the name
