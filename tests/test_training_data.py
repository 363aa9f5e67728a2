"""training/data.py's question forms, which need no torch: what the augmentation feeds the model must be a
question people would type."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training.data import Pair, question_entities, swap_negatives, wh_last  # noqa: E402


@pytest.mark.parametrize("question, typed", [
    ("kapan pekalongan jadi kota kreatif", "pekalongan jadi kota kreatif kapan"),
    ("siapakah pendiri kota jakarta", "pendiri kota jakarta siapa"),  # "-kah" is not chat
    ("di mana letak kota ambon", "letak kota ambon di mana"),
    ("berapa jumlah penduduk malang", "jumlah penduduk malang berapa"),
    ("apa nama sungai terpanjang", "nama sungai terpanjang apa"),
])
def test_the_question_word_goes_last_as_in_chat(question, typed):
    assert wh_last(question) == typed


@pytest.mark.parametrize("question", [
    "apakah bandung kota desain",  # yes/no: "... apakah" is not how anyone asks
    "apa saja kriteria kota kreatif",
    "pekalongan jadi kota kreatif kapan",  # already last
    "kapan",  # nothing to move it behind
])
def test_other_questions_stay_as_they_are(question):
    assert wh_last(question) == question


def test_a_similar_facqa_negative_is_news_on_the_topic_that_does_not_hold_the_answer(tmp_path):
    from training.data import facqa_examples

    def row(question, passage, answer):
        words = passage.split()
        start = words.index(answer.split()[0])
        labels = ["O"] * len(words)
        labels[start] = "B"
        for k in range(1, len(answer.split())):
            labels[start + k] = "I"
        return {"question": repr(question.split()), "passage": repr(words), "seq_label": repr(labels)}

    import csv

    rows = [row("Siapa wali kota Pekalongan yang membuka forum batik ?",
                "Forum batik dibuka wali kota Pekalongan Afzan Arslan di Pekalongan", "Afzan Arslan"),
            row("Berapa kota anggota jejaring ?", "Jejaring itu kini beranggotakan 246 kota", "246"),
            row("Kapan forum itu digelar ?", "Forum batik wali kota Pekalongan digelar Rabu di gedung", "Rabu"),
            row("Siapa pembuka pameran di Malang ?", "Afzan Arslan juga membuka pameran batik", "Afzan")]
    path = tmp_path / "facqa.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["question", "passage", "seq_label"])
        writer.writeheader()
        writer.writerows(rows)
    pairs, _ = facqa_examples(path, negatives="similar")
    negative = pairs[1]
    assert negative.label == 0.0 and negative.question.startswith("Siapa wali kota Pekalongan")
    # the forum passage shares most words and lacks the answer; the pameran one holds "Afzan Arslan": never it
    assert negative.text.startswith("Forum batik wali kota Pekalongan digelar")
    assert [p.text for p in facqa_examples(path, negatives="random")[0][1::2]] != [p.text for p in pairs[1::2]]


def test_every_sentence_of_an_unanswerable_context_can_be_a_negative(tmp_path):
    import json

    from training.data import squad_examples

    context = "Kota A terkenal. Kota A punya sungai. Kota A ramai pada 1990. Kota B sepi."
    data = {"data": [{"context": context, "qas": [
        {"question": "Kapan Kota A didirikan?", "is_impossible": True, "answers": []},
        {"question": "Kapan Kota A ramai?", "answers": [{"text": "1990", "answer_start": context.index("1990")}]},
    ]}]}
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    unans = lambda pairs: [p for p in pairs if p.question.startswith("Kapan Kota A didirikan")]  # noqa: E731
    two, _ = squad_examples(path, "idk_mrc", n_hard=1, n_hard_unans=2)
    every, _ = squad_examples(path, "idk_mrc", n_hard=1, n_hard_unans=None)
    assert len(unans(two)) == 2 and len(unans(every)) == 4  # the context's four sentences, all label 0
    assert all(p.label == 0.0 for p in unans(every))
    answerable = lambda pairs: [p for p in pairs if p.question.startswith("Kapan Kota A ramai")]  # noqa: E731
    assert len(answerable(every)) == len(answerable(two)) == 2  # the answer's sentence and one hard negative


def test_a_questions_names_and_numbers_but_not_its_first_word():
    assert [e for _, e in question_entities("Kelompok hewan apa yang ditemukan di Pulau Komodo pada 1910?")] == [
        "Pulau Komodo", "1910"]
    assert [e for _, e in question_entities("siapa wali kota malang")] == []


def test_a_swapped_question_asks_about_something_its_sentence_does_not_hold():
    pairs = [
        Pair("Siapa pendiri Cape Town?", "Cape Town didirikan oleh Jan van Riebeeck pada 1652.", 1.0, (26, 42), "idk_mrc"),
        Pair("Kapan Gunung Merapi meletus?", "Gunung Merapi meletus pada tahun 2010.", 1.0, (32, 37), "idk_mrc"),
        Pair("Berapa penduduk Kota Malang pada 2019?", "Pada 2019 penduduk Kota Malang 870.000 jiwa.", 1.0, (31, 38), "idk_mrc"),
        Pair("Siapa pendiri Cape Town?", "Kota itu terletak di Afrika Selatan.", 0.0, None, "idk_mrc"),
        Pair("Siapa presiden Kenya?", "Ia lahir di Nairobi.", -1.0, (12, 19), "tydiqa"),  # span-only: no score target
    ]
    swapped = swap_negatives(pairs, 1.0, seed=0)
    assert len(swapped) == 3  # one from each scored positive, none from negatives or span-only pairs
    for new, old in zip(swapped, pairs):
        assert new.label == 0.0 and new.span is None and new.text == old.text and new.source == old.source
        assert new.question != old.question and len(new.question.split()) >= 3
        changed = set(new.question.rstrip("?").split()) - set(old.question.rstrip("?").split())
        assert changed and not any(w.lower() in new.text.lower() for w in changed)
    assert swap_negatives(pairs, 0.0) == []
    assert swap_negatives(pairs, 1.0, seed=0) == swapped  # fixed seed, fixed pairs
