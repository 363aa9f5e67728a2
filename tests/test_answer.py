"""Answers on the bundled corpus: citations, short answers, conflicts, declines, bad input."""

import pytest

from uccn_bot.answering import AnswerSettings, Bot
from uccn_bot.answering.extract import find_spans, fits_measure
from uccn_bot.core import AnswerType, Span
from uccn_bot.answering.question import parse_question


def test_pekalongan_question_is_answered_with_2014_and_a_citation(bot):
    answer = bot.answer("Kapan Pekalongan jadi Kota Kreatif?")
    assert answer.answered
    first = answer.passages[0]
    assert "2014" in first.passage.text and "2014" in answer.short_answer
    assert first.passage.document.source and first.passage.document.title
    assert answer.highlight in first.passage.text


def test_conflicting_sources_are_reported(bot):
    answer = bot.answer("Kapan Pekalongan ditetapkan sebagai Kota Kreatif UNESCO?")
    assert "2014" in answer.short_answer
    assert any("2015" in c.short_answer for c in answer.conflicts)


@pytest.mark.parametrize("question", ["siapa presiden pertama amerika serikat", "resep nasi goreng yang enak",
                                      "skor persib vs persija kemarin"])
def test_out_of_domain_questions_are_declined(bot, question):
    answer = bot.answer(question)
    assert not answer.answered and answer.passages == () and answer.message.startswith("Maaf")


@pytest.mark.parametrize("question, key", [("", "kosong"), ("   ", "kosong"), ("😀🎉🙏", "kata-kata"), ("?!…", "kata-kata"),
                                           ("apa itu?", "terlalu umum")])
def test_bad_input_gets_a_clear_message(bot, question, key):
    answer = bot.answer(question)
    assert not answer.answered and key in answer.message


def test_very_long_question_is_cut_and_said_so(bot):
    answer = bot.answer("kapan pekalongan jadi kota kreatif " + "lagi " * 3000)
    assert answer.notice and "500" in answer.notice
    assert len(answer.question) <= 500


def test_html_and_markdown_characters_are_just_text(bot):
    answer = bot.answer("<b>Kapan</b> *Pekalongan* & [kota](kreatif) `jadi`?")
    assert answer.answered and "2014" in answer.passages[0].passage.text


@pytest.mark.parametrize("question, expected", [
    ("berapa jumlah kota anggota UCCN saat ini", "246"),
    ("siapa wali kota Malang", "Anton"),
    ("di mana Rakernas Apeksi diadakan", "Malang"),
    ("kapan UCCN dibentuk", "2004"),
])
def test_short_answers_by_question_type(bot, question, expected):
    answer = bot.answer(question)
    assert answer.answered and expected in (answer.short_answer or ""), answer.to_json()


def test_typos_are_repaired_and_reported(bot):
    answer = bot.answer("kapan pekalogan jd kota kreatf")
    assert ("pekalogan", "pekalongan") in answer.corrections
    assert answer.answered and "2014" in answer.passages[0].passage.text


def test_english_question(bot):
    answer = bot.answer("When did Pekalongan become a UNESCO creative city?")
    assert answer.answered and "2014" in answer.passages[0].passage.text


def test_json_contract(bot):
    data = bot.answer("Apa itu smart city?").to_json()
    assert {"question", "answered", "passages", "short_answer", "highlight", "conflicts"} <= set(data)
    assert {"text", "doc_id", "title", "source", "date", "score"} <= set(data["passages"][0])


def test_passages_are_ranked_best_first_and_distinct(bot):
    hits = bot.answer("kerja sama internasional antar anggota UCCN", passages=5).passages
    assert len(hits) == 5 and len({h.passage.id for h in hits}) == 5


@pytest.mark.parametrize("question, expected", [
    ("Kapan Imagawa Yoshimoto lahir?", "1519"), ("Kapan Imagawa Yoshimoto meninggal?", "1560"),
    ("Kapan Sima Qian wafat?", "90 SM"), ("kapan Bowes-Lyon meninggal", "30 Maret 2002"),
])
def test_a_life_span_answers_birth_with_its_first_date_and_death_with_its_last(bot, question, expected):
    from uccn_bot.answering.question import parse_question

    sentence = {"Imagawa": "Imagawa Yoshimoto (今川 義元, 1519-1560) adalah seorang daimyo.",
                "Sima": "Sima Qian (145 SM - 90 SM) adalah seorang sejarawan.",
                "Bowes-Lyon": "Elizabeth Bowes-Lyon (lahir 4 Agustus 1900 – wafat 30 Maret 2002) adalah istri Raja."}
    text = next(v for k, v in sentence.items() if k in question)
    query = parse_question(question, bot.index)
    assert bot.short_answers.span(text, query).text == expected


def test_a_list_in_the_next_sentence_answers_the_sentence_before(bot):
    # "... memberikan rekomendasi kepada Kota Pekalongan ... Kota-kota tersebut adalah Icheon City (Korea), ..."
    answer = bot.answer("kota mana saja yang memberikan rekomendasi kepada Pekalongan?")
    assert answer.answered and "Icheon" in answer.passages[0].passage.text


def _two_articles(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    filler = " ".join(["Kota ini terus menggelar festival musik dan pameran kerajinan bagi warganya."] * 6)
    (root / "malang.md").write_text(
        "---\nid: malang\ntitle: Malang\nsource: Uji\n---\n\n"
        f"Wali Kota Malang, Sutiaji, menyatakan kotanya siap menjadi kota kreatif. {filler}\n\n"
        f"Kampung tematik tumbuh di banyak sudut kota. {filler}\n", encoding="utf-8")
    (root / "ambon.md").write_text(
        "---\nid: ambon\ntitle: Ambon\nsource: Uji\n---\n\n"
        f"Kota Ambon dikenal sebagai kota musik di Indonesia timur sejak 2019. {filler}\n\n"
        f"Banyak penyanyi terkenal lahir di Ambon. {filler}\n", encoding="utf-8")
    return root


def test_an_article_that_never_names_the_place_asked_about_does_not_answer(tmp_path):
    from uccn_bot.index import IndexSettings, open_index

    index = open_index(_two_articles(tmp_path), IndexSettings(semantic=False), tmp_path / "cache")
    assert "ambon" in index.names and "malang" in index.names
    bot = Bot(index)
    assert bot.answer("siapa wali kota Malang?").short_answer == "Sutiaji"
    assert not bot.answer("siapa wali kota Ambon?").answered  # only Malang's article has a mayor
    assert Bot(index, AnswerSettings(absent_name_factor=1.0)).answer("siapa wali kota Ambon?").answered
    # a year counts as a name: Malang's article never mentions 2019
    assert not bot.answer("siapa wali kota Malang pada 2019?").answered
    assert Bot(index, AnswerSettings(absent_name_factor=1.0)).answer("siapa wali kota Malang pada 2019?").answered


def test_a_name_given_in_full_is_found_by_the_part_the_article_writes(tmp_path):
    from uccn_bot.index import IndexSettings, open_index

    root = _two_articles(tmp_path)
    filler = " ".join(["Pelaut itu berlayar jauh ke timur bersama kapal dagang Belanda."] * 6)
    (root / "adams.md").write_text(
        "---\nid: adams\ntitle: Adams\nsource: Uji\n---\n\n"
        f"Adams dilahirkan di Gillingham pada tahun 1564. {filler}\n", encoding="utf-8")
    bot = Bot(open_index(root, IndexSettings(semantic=False), tmp_path / "cache"))
    # the article never writes "William": the name is still the one asked about
    assert bot.answer("Dimana William Adams lahir?").short_answer == "Gillingham"
    assert bot.answer("Kapan William Adams lahir?").short_answer == "1564"
    assert not bot.answer("Dimana William Shakespeare lahir?").answered


def test_an_honorific_is_no_role(bot):
    from uccn_bot.answering.question import parse_question

    sentence = "Semua anak harus diimunisasi, kata Dr David Heymann, Perwakilan Direktur Jenderal WHO."
    query = parse_question("siapa nama perwakilan direktur jenderal WHO", bot.index)
    assert bot.short_answers.span(sentence, query).text.endswith("David Heymann")


def test_a_leader_asked_about_may_have_any_title(bot):
    from uccn_bot.answering.question import parse_question

    sentence = "Kota kreatif tersebut menarik perhatian Wali Kota Nonsan, Hwang Myeong-seon."
    query = parse_question("siapa pemimpin kota dari Nonsan", bot.index)
    assert bot.short_answers.span(sentence, query).text == "Hwang Myeong-seon"
    query = parse_question("siapa ketua umum dari Nonsan", bot.index)  # a specific title must fit
    assert bot.short_answers.span(sentence, query) is None


def test_of_two_names_the_one_next_to_the_question_answers(bot):
    from uccn_bot.answering.question import parse_question

    question = "Siapakah yang menjuarai Kejuaraan Dunia tunggal putra?"
    sentence = "Indonesia punya juara dunia: tunggal putra Tommy Sugiarto dan ganda campuran Lilyana Natsir."
    query = parse_question(question, bot.index)
    assert bot.short_answers.span(sentence, query).text == "Tommy Sugiarto"


def test_a_span_left_with_only_ordinary_words_is_no_answer(bot):
    from uccn_bot.answering.question import parse_question

    query = parse_question("dimanakah makam Pangeran Diponegoro?", bot.index)
    span = bot.short_answers.span("dimakamkan di Makassar, tepatnya di Jalan Diponegoro.", query)
    assert span.text == "Makassar"


def test_similarity_lifts_a_typed_question_without_an_answer_of_its_type_less(bot):
    from uccn_bot.answering.question import parse_question

    def lift(question: str, number: int) -> float:
        query = parse_question(question, bot.index)
        units = bot.ranker.units(query)
        total = sum(u.weight for u in units)
        plain = bot.ranker.hit(number, 1.0, 1.0, 0.3, units, total, query)
        similar = bot.ranker.hit(number, 1.0, 1.0, 0.3, units, total, query, similarity=3.5)
        assert similar.confidence < 1.0
        return similar.confidence - plain.confidence

    number = next(i for i in range(len(bot.index)) if "kampung tematik" in bot.index.passage(i).text
                  and not find_spans(bot.index.passage(i).text, AnswerType.DATE))
    full = bot.settings.semantic_confidence * (3.5 - bot.settings.semantic_neutral_z)
    assert abs(lift("bagaimana kampung tematik di Malang tumbuh", number) - full) < 1e-6
    kept = lift("kapan kampung tematik di Malang tumbuh", number)  # on topic, but no date
    assert abs(kept - bot.settings.semantic_lift_without_span * full) < 1e-6


def test_a_place_is_no_person(bot):
    assert bot.words.is_place("Jepang") and bot.words.is_place("Amerika Serikat")
    assert not bot.words.is_place("Mochammad Saelany Machfudz")
    sentence = "Kota itu bekerja sama dengan Jepang dan Korea Selatan."
    query = parse_question("siapa presiden pertama amerika serikat", bot.index)
    assert bot.short_answers.span(sentence, query) is None


def test_a_person_answer_has_the_title_asked_about(bot):
    assert bot.answer("siapa walikota pekalongan").conflicts == ()  # his deputy is no second opinion
    query = parse_question("siapa ketua umum apeksi", bot.index)
    assert bot.short_answers.span("Wali Kota Malang, M Anton menyatakan siap.", query) is None
    query = parse_question("siapa kepala daerah malang", bot.index)  # a synonym of "wali kota"
    assert bot.short_answers.span("Wali Kota Malang, M Anton menyatakan siap.", query).text == "M Anton"


def test_an_organisation_is_not_the_official_asked_about(bot):
    from uccn_bot.answering.extract import looks_like_organisation

    assert looks_like_organisation("Dindagkop-UKM") and looks_like_organisation("Dewan Kerajinan Nasional")
    assert looks_like_organisation("APEGA") and looks_like_organisation("Komisi Nasional Indonesia UNESCO")
    assert not looks_like_organisation("Mochammad Saelany Machfudz")
    assert not looks_like_organisation("HA Afzan Arslan Djunaid")  # initials
    query = parse_question("siapa menteri koperasi saat pameran digelar", bot.index)
    sentence = "Dinas Perdagangan dan Koperasi (Dindagkop-UKM) menggelar pameran itu."
    assert bot.short_answers.span(sentence, query) is None


def test_the_news_outlet_in_a_dateline_is_no_answer(bot):
    query = parse_question("siapa yang melakukan studi banding ke Pekalongan", bot.index)
    sentence = "Liputan6.com, Pekalongan - Tim Inisiasi melakukan studi banding."
    assert bot.short_answers.span(sentence, query, source="liputan6.com") is None


@pytest.mark.parametrize("question, span, expected", [
    ("Kapan Partai Komunis didirikan?", "tahun 1948", "1948"),  # "tahun" only says it is a year
    ("Kapan HootSuite didirikan?", "bulan November 2008", "November 2008"),
    ("Kapan Kaisar Zhongzong lahir?", "(26 November 656", "26 November 656"),  # a bracket the span cut in half
    ("Kapan film itu dirilis?", "(2001)", "2001"),
    ("tahun berapakah Huo Yuanjia meninggal?", "9 Agustus 1910", "1910"),  # asked for the year: the year
    ("Kapan Huo Yuanjia meninggal?", "9 Agustus 1910", "9 Agustus 1910"),
    ("rakernas itu thn brp", "Selasa 18 Juli 2017", "2017"),
    ("Berapa jumlah kecamatan di Kabupaten Serang?", "29 kecamatan", "29"),  # the noun the question names
    ("berapakah jumlah populasi di Seoul?", "10 juta penduduk", "10 juta penduduk"),  # a noun it does not
    ("Berapa kali Gayoom menjadi presiden?", "tujuh kali", "tujuh"),
    ("ada berapa kepala daerah yg ngumpul di balai kota malang", "98 wali kota", "98 wali kota"),  # not all asked
    ("Siapa yang menggunakan kapal induk?", "Angkatan Laut Kekaisaran Jepang (Kaigun",
     "Angkatan Laut Kekaisaran Jepang"),
    ("Apakah album pertama band itu?", '"Tidak Jelas"', "Tidak Jelas"),
    ("Apa isi perjanjian itu?", "pasal (a) dan (b)", "pasal (a) dan (b)"),  # brackets that close stay
])
def test_a_short_answer_is_shown_as_the_answer_alone(bot, question, span, expected):
    from uccn_bot.answering.short_answer import shown

    assert shown(span, parse_question(question, bot.index)) == expected


def test_answers_are_shown_without_the_words_the_question_already_says(bot):
    assert bot.answer("UCCN didirikan tahun berapa?").short_answer == "2004"
    assert bot.answer("berapa jumlah kota anggota UCCN saat ini").short_answer == "246"
