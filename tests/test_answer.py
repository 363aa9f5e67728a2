"""Answers on the bundled corpus: citations, short answers, conflicts, declines, bad input."""

import pytest

from uccn_bot.answering import AnswerSettings, Bot
from uccn_bot.core import Span
from uccn_bot.answering.extract import find_spans, fits_measure
from uccn_bot.core import AnswerType
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


@pytest.mark.parametrize("sentence, kind, expected", [
    ("ditetapkan pada 1 Desember 2014 bersama 27 kota", AnswerType.DATE, "1 Desember 2014"),
    ("menggelar forum pada Rabu (30/11).", AnswerType.DATE, "Rabu (30/11)"),
    ("mulai tanggal 30 November-4 Desember 2022.", AnswerType.DATE, "30 November-4 Desember 2022"),
    ("terdapat 246 kota anggota jejaring", AnswerType.NUMBER, "246 kota"),
    ("naik dari 3,82% hingga tahun 2013", AnswerType.NUMBER, "3,82%"),
    ("Wali Kota Malang, M Anton menyatakan", AnswerType.PERSON, "M Anton"),
    # older and partial dates, as encyclopaedic prose writes them
    ("Aristoteles lahir di Stagira tahun 384 SM.[1] Ayahnya", AnswerType.DATE, "tahun 384 SM"),
    ("kerajaan Islam yang pernah berdiri pada abad ke-17.", AnswerType.DATE, "abad ke-17"),
    ("diperingati pada tanggal 25 Desember setiap tahun", AnswerType.DATE, "25 Desember"),
    ("mendirikan Revision3 pada bulan April 2005.", AnswerType.DATE, "bulan April 2005"),
    ("lahir pada Februari 1118 di Damaskus", AnswerType.DATE, "Februari 1118"),
    ("Presiden Vietnam Utara (1954–1969).", AnswerType.DATE, "1954–1969"),
    # magnitudes keep their units, written apart or attached
    ("Sardinia memiliki luas wilayah 24.090km² dan populasi 1.650.000 jiwa.", AnswerType.NUMBER, "24.090km²"),
    ("Bangunan seluas 500 meter persegi ini", AnswerType.NUMBER, "500 meter persegi"),
    ("dengan berat 188 metrik ton, persenjataan", AnswerType.NUMBER, "188 metrik ton"),
    ("menyiapkan anggaran Rp 1,5 miliar untuk festival", AnswerType.NUMBER, "Rp 1,5 miliar"),
])
def test_typed_spans(bot, sentence, kind, expected):
    spans = find_spans(sentence, kind, bot.words.is_common_word)
    assert expected in [s.text for s in spans]


def test_a_year_is_not_a_count():
    assert [s.text for s in find_spans("penelitian pada tahun 2015 menemukan", AnswerType.NUMBER)] == []


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


def test_a_count_or_a_footnote_is_not_a_date():
    assert find_spans("acara itu dihadiri 1500 peserta", AnswerType.DATE) == []
    assert [s.text for s in find_spans("acara itu dihadiri 1500 peserta", AnswerType.NUMBER)] == ["1500 peserta"]
    assert [s.text for s in find_spans("lahir tahun 384 SM.[1] Ayahnya", AnswerType.NUMBER)] == []


def test_a_month_or_a_weekday_is_no_name(bot):
    sentence = "Dinas menggelar Pekan Kreatif Nusantara mulai tanggal 30 November-4 Desember 2022, Selasa lalu."
    names = [s.text for s in find_spans(sentence, AnswerType.PERSON, bot.words.is_common_word)]
    assert not any(n.startswith(("November", "Desember", "Selasa")) for n in names)


def test_a_list_in_the_next_sentence_answers_the_sentence_before(bot):
    # "... memberikan rekomendasi kepada Kota Pekalongan ... Kota-kota tersebut adalah Icheon City (Korea), ..."
    answer = bot.answer("kota mana saja yang memberikan rekomendasi kepada Pekalongan?")
    assert answer.answered and "Icheon" in answer.passages[0].passage.text


def test_an_abbreviation_the_lexicon_knows_is_no_name(bot):
    sentence = "Untuk merayakannya, Pemkot menggelar Nusantara Creative City Forum (NCCF) secara hybrid."
    assert "Pemkot" not in [s.text for s in find_spans(sentence, AnswerType.PERSON, bot.words.is_common_word)]


@pytest.mark.parametrize("span, measure, fits", [
    ("20%", "percent", True), ("15-29", "percent", False), ("sewindu", "duration", True),
    ("lima hari", "duration", True), ("27 kota", "duration", False), ("27 kota", None, True),
    ("24.090km²", "area", True), ("41.330 ha", "area", True), ("1.650.000 jiwa", "area", False),
    ("3.726 m dpl", "length", True), ("514 km", "length", True), ("41.330 ha", "length", False),
    ("188 metrik ton", "weight", True), ("Rp 1,5 miliar", "money", True), ("30 °C", "temperature", True),
    ("lima hari", None, False),
])
def test_a_number_fits_what_the_question_measures(span, measure, fits):
    assert fits_measure(Span(text=span, start=0, end=len(span), kind=AnswerType.NUMBER, value=span), measure) is fits


def test_a_length_of_time_stands_alone():
    spans = find_spans("Hingga kini, sudah sewindu, Kota Batik tergabung", AnswerType.NUMBER)
    assert [s.text for s in spans] == ["sewindu"]


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
    assert bot.answer("Kapan William Adams lahir?").short_answer == "tahun 1564"
    assert not bot.answer("Dimana William Shakespeare lahir?").answered


@pytest.mark.parametrize("sentence, kind, expected", [
    ("novel yang ditulis oleh Pramoedya Ananta Toer.", AnswerType.PERSON, ["Pramoedya Ananta Toer"]),
    # an ordinary word written as part of a name stays in it; a place word does not
    ("sebuah novel Indonesia yang ditulis oleh Marah Rusli.", AnswerType.PERSON, ["Marah Rusli"]),
    ("menurut Presiden Sukarno Hatta kemarin", AnswerType.PERSON, ["Sukarno Hatta"]),
    ("Pria kelahiran Malang, 8 Desember 1965 ini adalah", AnswerType.PLACE, ["Malang"]),
    ("meraih emas di Helsinki, Finlandia, Sabtu (13/8).", AnswerType.PLACE, ["Helsinki", "Finlandia"]),
    ("yakni di Sao Paolo (Brasil) 25 September", AnswerType.PLACE, ["Sao Paolo", "Brasil"]),
    ("13 SM Herodes menjadikan anak sulungnya", AnswerType.PERSON, ["Herodes"]),
])
def test_names_by_their_neighbours(bot, sentence, kind, expected):
    assert [s.text for s in find_spans(sentence, kind, bot.words.is_common_word)] == expected


def test_an_abbreviation_of_ordinary_words_is_no_name(bot):
    sentence = "Wali Kota Malang menjadi tuan rumah Rakernas Apeksi tahun ini."
    assert "Rakernas" not in [s.text for s in find_spans(sentence, AnswerType.PERSON, bot.words.is_common_word)]
    assert "rakernas" in bot.words.abbreviations and "pekalongan" not in bot.words.abbreviations


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


def test_a_language_label_in_brackets_is_no_name(bot):
    sentence = "Gereja itu (English: Assyrian Church of the East) berdiri di Irak."
    assert "English" not in [s.text for s in find_spans(sentence, AnswerType.PERSON, bot.words.is_common_word)]


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


@pytest.mark.parametrize("sentence", ["forum ini terselenggara sebagai salah satu untuk meningkatkan UMKM",
                                      "menurut orang nomor satu di Pemkot Malang ini"])
def test_a_number_word_that_counts_nothing_is_no_answer(sentence):
    assert find_spans(sentence, AnswerType.NUMBER) == []


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


def test_a_spelt_out_abbreviation_is_no_place():
    sentence = "Dinas Perdagangan, Koperasi, dan Usaha Kecil Menengah (Dindagkop-UKM) menggelar pameran"
    assert find_spans(sentence, AnswerType.PLACE) == []
    spans = find_spans("kota seperti Chengdu (China) dan Parma (Italia)", AnswerType.PLACE)
    surest = max(s.strength for s in spans)
    assert [s.text for s in spans if s.strength == surest] == ["Chengdu", "Parma"]  # a list of cities
    assert [s.text for s in spans if s.strength < surest] == ["China", "Italia"]  # where they lie


def test_a_name_with_its_abbreviation_in_brackets_is_no_place():
    sentence = "menghadiri Rapat Kerja Nasional (Rakernas) Apeksi di Kota Malang"
    assert [s.text for s in find_spans(sentence, AnswerType.PLACE)] == ["Kota Malang"]


def test_place_questions_name_the_kind_of_place():
    from uccn_bot.answering.question import answer_type

    assert answer_type("pamerannya di gedung mana") is AnswerType.PLACE
    assert answer_type("rombongan itu datang dari mana") is AnswerType.PLACE
    assert answer_type("Jakarta jadi kota kreatif sebagai kota apa") is AnswerType.NONE  # a kind, not a place


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
