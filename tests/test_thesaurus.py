"""The bundled Indonesian thesaurus and what the bot makes of it."""

from uccn_bot import thesaurus
from uccn_bot.answering import AnswerSettings, Bot
from uccn_bot.answering.question import parse_question


def test_synonyms_are_one_word_and_leave_antonyms_out():
    assert {"pengunjung", "pelawat"} <= thesaurus.synonyms("tamu")
    assert "kekal" in thesaurus.synonyms("abadi") and "sementara" not in thesaurus.synonyms("abadi")
    assert all(" " not in w for w in thesaurus.synonyms("abad"))  # "seratus tahun" is left out
    assert thesaurus.synonyms("tidakadakatasepertiini") == frozenset()


def test_a_synonym_earns_part_of_a_words_weight(bot):
    query = parse_question("apa tujuan lawatan tim Chiang Mai ke Pekalongan", bot.index)
    unit = next(u for u in bot.ranker.units(query) if u.terms == ("lawat",))
    assert not unit.known and "studi_banding" in unit.alternatives  # lawatan ~ kunjungan ~ studi banding
    assert 0 < unit.alternatives["studi_banding"] <= unit.weight * bot.settings.thesaurus_weight
    off = Bot(bot.index, AnswerSettings(thesaurus_weight=0.0))
    assert not next(u for u in off.ranker.units(query) if u.terms == ("lawat",)).alternatives


def test_a_synonym_never_earns_more_than_its_own_weight(bot):
    idf, vocab = bot.index.bm25.idf, bot.index.bm25.vocab
    query = parse_question("bagaimana cara masak nasi goreng yang enak", bot.index)
    credits = [(t, c) for u in bot.ranker.units(query) for t, c in u.alternatives.items()]
    assert credits
    assert all(c <= bot.settings.thesaurus_weight * float(idf[vocab[t]]) + 1e-9 for t, c in credits)


def test_a_word_the_corpus_lacks_is_searched_for_by_its_synonyms(bot):
    hits = bot.search("lawatan ke Pekalongan", 3)
    assert hits and any("studi banding" in h.passage.text.lower() or "kunjungan" in h.passage.text.lower() for h in hits)
    off = Bot(bot.index, AnswerSettings(thesaurus_weight=0.0))
    assert [h.passage.id for h in off.search("lawatan ke Pekalongan", 3)] != [h.passage.id for h in hits]


def test_a_missing_word_list_is_a_warning_not_a_crash(caplog):
    from uccn_bot.bundled import read_lines

    assert read_lines("no-such-list.gz", "the test list") == []
    assert "the test list is off" in caplog.text
