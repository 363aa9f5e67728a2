"""English questions: the bundled English–Indonesian dictionary and how the bot uses it."""

from uccn_bot import english
from uccn_bot.question import parse_question


def test_base_forms_of_regular_english_endings():
    assert "industry" in english.base_forms("industries")
    assert "praise" in english.base_forms("praised")
    assert "report" in english.base_forms("reports")
    assert english.base_forms("is") == ["is"]  # too short to have an ending


def test_translations_come_from_the_dictionary():
    assert "kementerian" in english.translations("ministry")
    assert "laporan" in english.translations("reports")
    assert english.translations("qwertyuiop") == ()


def test_an_english_word_the_corpus_lacks_is_met_by_its_translation(bot):
    query = parse_question("Which ministry supported the creative week in Pekalongan?", bot.index)
    assert query.english and dict(query.translations)["ministry"] == ("kementerian",)
    unit = next(u for u in bot._units(query) if u.terms == ("ministry",))
    assert not unit.known and unit.alternatives == {"kementerian": unit.weight}
    hits = bot.search("Which ministry supported the creative week in Pekalongan?", 5)
    assert any("Kementerian" in h.passage.text for h in hits)


def test_indonesian_questions_are_not_translated(bot):
    assert parse_question("kementerian apa yang mendukung Pekalongan", bot.index).translations == ()
