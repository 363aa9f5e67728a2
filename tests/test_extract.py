"""Extraction: the regex grammar that finds dates, numbers, names and places in a sentence
(`answering.extract`), through `find_spans` and its helpers."""

import pytest

from uccn_bot.answering import AnswerSettings, Bot
from uccn_bot.answering.extract import find_spans, fits_measure
from uccn_bot.core import AnswerType, Span
from uccn_bot.answering.question import parse_question


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


def test_a_count_or_a_footnote_is_not_a_date():
    assert find_spans("acara itu dihadiri 1500 peserta", AnswerType.DATE) == []
    assert [s.text for s in find_spans("acara itu dihadiri 1500 peserta", AnswerType.NUMBER)] == ["1500 peserta"]
    assert [s.text for s in find_spans("lahir tahun 384 SM.[1] Ayahnya", AnswerType.NUMBER)] == []


def test_a_month_or_a_weekday_is_no_name(bot):
    sentence = "Dinas menggelar Pekan Kreatif Nusantara mulai tanggal 30 November-4 Desember 2022, Selasa lalu."
    names = [s.text for s in find_spans(sentence, AnswerType.PERSON, bot.words.is_common_word)]
    assert not any(n.startswith(("November", "Desember", "Selasa")) for n in names)


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


def test_a_language_label_in_brackets_is_no_name(bot):
    sentence = "Gereja itu (English: Assyrian Church of the East) berdiri di Irak."
    assert "English" not in [s.text for s in find_spans(sentence, AnswerType.PERSON, bot.words.is_common_word)]


@pytest.mark.parametrize("sentence", ["forum ini terselenggara sebagai salah satu untuk meningkatkan UMKM",
                                      "menurut orang nomor satu di Pemkot Malang ini"])
def test_a_number_word_that_counts_nothing_is_no_answer(sentence):
    assert find_spans(sentence, AnswerType.NUMBER) == []


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
