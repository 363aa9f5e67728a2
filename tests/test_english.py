"""English questions: the bundled English–Indonesian dictionary and how the bot uses it."""

from uccn_bot import english
from uccn_bot.answering.question import parse_question


def test_base_forms_of_regular_english_endings():
    assert "industry" in english.base_forms("industries")
    assert "praise" in english.base_forms("praised")
    assert "report" in english.base_forms("reports")
    assert english.base_forms("is") == ["is"]  # too short to have an ending
    assert "economic" in english.base_forms("economically")
    assert "fast" in english.base_forms("faster")
    assert "program" in english.base_forms("programme")  # British spelling


def test_a_question_with_few_function_words_is_still_english():
    from uccn_bot.answering.question import is_english

    assert is_english("did creative cities grow faster than other cities".split())
    assert not is_english("kota kreatif di indonesia tumbuh lebih cepat".split())


def test_an_english_word_the_corpus_writes_as_a_loanword_is_kept(bot):
    query = parse_question("When did UNESCO start the Creative Cities programme?", bot.index)
    assert ("programme", "program") in query.corrections and "program" in query.terms


def test_translations_come_from_the_dictionary():
    assert "kementerian" in english.translations("ministry")
    assert "laporan" in english.translations("reports")
    assert english.translations("qwertyuiop") == ()


def test_an_english_word_the_corpus_lacks_is_met_by_its_translation(bot):
    query = parse_question("Which ministry supported the creative week in Pekalongan?", bot.index)
    assert query.english and dict(query.translations)["ministry"] == ("kementerian",)
    unit = next(u for u in bot.ranker.units(query) if u.terms == ("ministry",))
    assert not unit.known and unit.alternatives == {"kementerian": unit.weight}
    hits = bot.search("Which ministry supported the creative week in Pekalongan?", 5)
    assert any("Kementerian" in h.passage.text for h in hits)


def test_indonesian_questions_are_not_translated(bot):
    assert parse_question("kementerian apa yang mendukung Pekalongan", bot.index).translations == ()
