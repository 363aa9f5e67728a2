"""Indonesian analysis: normalisation, stop words, stems, protected names, synonyms."""

from uccn_bot.corpus import load_corpus
from uccn_bot.core import AnswerType
from uccn_bot.answering.question import answer_type
from uccn_bot.text import Analyzer, find_proper_nouns, fold, tokenize

from conftest import CORPUS

A = Analyzer()


def test_reduplication_and_compounds_normalise():
    assert A.words("kota-kota") == ["kota"]
    assert A.words("Walikota") == ["wali", "kota"] == A.words("wali kota")
    assert A.terms("kerjasama") == A.terms("kerja sama")


def test_case_accents_and_numbers():
    assert fold("Angoulême POPAYÁN") == "angouleme popayan"
    assert tokenize("tumbuh dari 3,82% ke 5,89 %") == ["tumbuh", "dari", "3,82", "persen", "ke", "5,89", "persen"]


def test_question_words_are_stop_words_but_still_type_the_question():
    assert A.terms("kapan berapa siapa di mana apa") == []
    assert answer_type("Kapan Pekalongan jadi Kota Kreatif?") is AnswerType.DATE
    assert answer_type("tahun berapa uccn dibentuk") is AnswerType.DATE
    assert answer_type("tahun berapakah uccn dibentuk") is AnswerType.DATE
    assert answer_type("brp jumlah anggota") is AnswerType.NUMBER
    assert answer_type("siapa wali kota malang") is AnswerType.PERSON
    assert answer_type("di mana rakernas apeksi") is AnswerType.PLACE
    assert answer_type("When did it start?") is AnswerType.DATE
    assert answer_type("apa itu uccn") is AnswerType.NONE


def test_affixes_share_a_stem():
    assert A.terms("ditetapkan") == A.terms("penetapan")
    assert A.terms("bergabung") == A.terms("tergabung")
    assert A.terms("jejaring") == A.terms("jaringan")


def test_proper_nouns_of_the_corpus_are_protected_from_the_stemmer():
    assert A.terms("Pekalongan") == ["kalong"]  # what Sastrawi does on its own
    found = find_proper_nouns([d.body for d in load_corpus(CORPUS)], A)
    assert "pekalongan" in found.protected
    protected = Analyzer(protected=found.protected)
    assert protected.terms("Kota Pekalongan") == ["kota", "pekalongan"]


def test_names_are_words_capitalised_mid_sentence_not_in_title_case_headings():
    found = find_proper_nouns(["Kota Ambon dan kota Malang.", "Ambon menyanyi di Malang, lalu Ambon lagi.",
                               "Pekerjaan Dan Upah", "upah kerja di Jakarta"], A)
    assert {"ambon", "malang", "jakarta"} <= found.names
    assert "upah" not in found.names  # capitalised only in a heading, lower case elsewhere
    assert "menyanyi" not in found.names
    assert {"ambon", "malang"} <= found.places  # "Kota Ambon", "di Malang"


def test_a_name_in_brackets_after_a_name_is_a_place():
    found = find_proper_nouns(["Kota-kota itu adalah Aswan (Mesir) dan Santa Fe (Amerika Serikat).",
                               "Pemimpinnya Boonlert Buranupakorn datang."], A)
    assert {"mesir", "amerika", "serikat"} <= found.places
    assert "boonlert" not in found.places


def test_a_name_designated_as_a_city_is_a_place():
    found = find_proper_nouns(["Seperti Bandung sebagai Kota Desain, Ambon sebagai Kota Musik.",
                               "Kata Anton sebagai ketua."], A)
    assert "ambon" in found.places
    assert "anton" not in found.places


def test_stems_are_cached():
    a = Analyzer()
    a.terms("merekomendasikan pembangunan")
    assert a._stem_cache["merekomendasikan"] == "rekomendasi"
    assert "pembangunan" in a._stem_cache


def test_synonyms_meet_in_one_term():
    assert A.terms("kendala") == A.terms("tantangan")
    assert "kota_pintar" in A.terms("smart city") and "kota_pintar" in A.terms("kota pintar")
    assert "uccn" in A.terms("Jejaring Kota Kreatif UNESCO") and "uccn" in A.terms("UCCN")
    # a phrase with a stop word is matched as written: "tak terbatas" is not "terbatas"
    assert "selamanya" in A.terms("periode yang tak terbatas")
    assert "selamanya" not in A.terms("sumber daya terbatas")


def test_english_key_terms_reach_indonesian_terms():
    assert set(A.terms("creative city")) >= set(A.terms("kota kreatif"))
    assert A.terms("members") == A.terms("anggota")


def test_chat_spellings():
    assert A.words("gmn yg dmn") == ["bagaimana", "yang", "di", "mana"]


def test_epithets_are_replaced_by_the_name_they_stand_for():
    analyzer = Analyzer(protected=frozenset({"pekalongan"}))
    words, terms = analyzer.analyse("Sudah sewindu Kota Batik tergabung, kata warga negeri ginseng")
    assert "pekalongan" in terms and "batik" not in terms
    assert {"korea", "selatan", "korea_selatan"} <= set(terms) and "ginseng" not in terms
    assert "batik" in analyzer.terms("kain batik dari kota itu")  # only the whole phrase is a name
