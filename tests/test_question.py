"""Reading a question: words typed together or apart, English words, epithets."""

from uccn_bot.question import is_english, parse_question


def test_two_words_typed_as_one_are_split(bot):
    query = parse_question("kotakembar itu maksudnya apa", bot.index)
    assert ("kotakembar", "kota kembar") in query.corrections and "kota_kembar" in query.terms


def test_english_words_are_not_repaired_into_indonesian_ones(bot):
    query = parse_question("What do member cities have to send to UNESCO every year?", bot.index)
    assert is_english(list(query.words)) and query.english
    assert not any(typed == "send" for typed, _ in query.corrections)  # not "seni"
    assert "send" in query.unknown and "every" not in query.unknown  # "every" is a stop word


def test_percent_sign_and_word_meet(bot):
    assert "persen" in bot.index.bm25.vocab  # the corpus writes "20%"
    assert "persen" in parse_question("berapa persen pekerja muda", bot.index).terms


def test_an_epithet_reaches_the_place_it_names(bot):
    assert "pekalongan" in parse_question("kapan kota batik jadi kota kreatif", bot.index).terms
    query = parse_question("kunjungan dari negeri gajah putih", bot.index)
    assert "thailand" in query.terms and not query.unknown
    assert bot.search("kunjungan dari negeri gajah putih", 1)[0].passage.doc_id.startswith("liputan6-thailand")


def test_agreeing_sources_lead_with_the_most_precise_answer(bot):
    answer = bot.answer("Kapan Pekalongan jadi Kota Kreatif?")
    assert answer.short_answer == "1 Desember 2014", answer.to_json()
