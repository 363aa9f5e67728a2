"""training/data.py's question forms, which need no torch: what the augmentation feeds the model must be a
question people would type."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training.data import wh_last  # noqa: E402


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
