"""Chat Indonesian in questions: the lexicon, colloquial affixes, and what is left alone."""

import pytest

from uccn_bot.informal import standard_form
from uccn_bot.answering.question import parse_question


@pytest.mark.parametrize("chat, standard", [
    ("ngerayain", "merayakan"),  # Kamus Alay
    ("yg", "yang"),
    ("nyambut", "sambut"),  # ny- + vowel is s- + vowel
    ("nyari", "mencari"),  # the lexicon first
    ("nyiramin", "siram"),  # and -in goes
    ("nendang", "tendang"),  # n- for t-
    ("ngetop", "top"),  # nge- before a short root
    ("ngadainin", None),  # nothing that is a root word is left
])
def test_standard_forms(chat, standard):
    assert standard_form(chat) == standard


def test_questions_read_chat_words_as_standard_ones(bot):
    query = parse_question("siapa aja yg ngedukung pekalongan", bot.index)
    assert ("ngedukung", "mendukung") in query.corrections and ("yg", "yang") not in query.corrections
    assert not query.unknown and "mendukung" in query.words


def test_standard_words_the_corpus_lacks_are_not_rewritten(bot):
    query = parse_question("siapa yang menyambut tamu dari thailand", bot.index)
    assert "tamu" in query.words and not query.corrections  # not "tama", the nearest corpus word
    # "makanan" would become "pakan" (fodder) by the m- → p- rule; a dictionary word is left alone.
    query = parse_question("berapa harga makanan di pekalongan", bot.index)
    assert "makanan" in query.words and not any(typed == "makanan" for typed, _ in query.corrections)
