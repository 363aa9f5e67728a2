"""Passages: chat-bubble sized, and structure kept (headings with their lists)."""

from uccn_bot.corpus import Document, load_corpus
from uccn_bot.passages import split_document, split_sentences

from conftest import CORPUS


def all_passages():
    return [p for d in load_corpus(CORPUS) for p in split_document(d)]


def test_passages_fit_a_chat_bubble():
    words = [p.words for p in all_passages()]
    assert max(words) <= 150
    assert sum(w >= 40 for w in words) / len(words) >= 0.9  # a few short sections stay short
    assert min(words) >= 20


def test_numbered_heading_stays_with_its_list_items():
    (gastronomi,) = [p for p in all_passages() if "4. Kota Kreatif Bidang Gastronomi" in p.text]
    assert gastronomi.text.startswith("4. Kota Kreatif Bidang Gastronomi")
    assert "a. Masyarakat memiliki keahlian memasak" in gastronomi.text
    assert "h. Memelihara apresiasi publik" in gastronomi.text


def test_long_list_is_cut_between_items_with_the_heading_repeated():
    items = "\n\n".join(f"{c}. Kriteria nomor {i} yang cukup panjang untuk diuji dengan beberapa kata tambahan lagi."
                        for i, c in enumerate("abcdefghijklmnop"))
    doc = Document(id="d", title="Judul", source="", date="", url="", body=f"Misi Kota\n\n{items}")
    passages = split_document(doc, 40, 60)
    assert len(passages) > 1
    for p in passages:
        assert p.text.startswith("Misi Kota\n") and p.words <= 60
    assert sum(p.text.count("Kriteria nomor") for p in passages) == 16  # every item exactly once


def test_every_word_of_a_document_lands_in_a_passage():
    for doc in load_corpus(CORPUS):
        body_words = doc.body.split()
        passage_words = " ".join(p.text for p in split_document(doc)).split()
        assert set(body_words) <= set(passage_words), doc.id


def test_short_paragraphs_merge_with_neighbours():
    doc = Document(id="d", title="J", source="", date="", url="", body="Satu dua tiga.\n\nEmpat lima enam.\n\n" + "kata " * 50 + ".")
    (first, *_rest) = split_document(doc)
    assert "Satu dua tiga." in first.text and "Empat lima enam." in first.text


def test_passages_carry_document_and_position():
    p = all_passages()[3]
    assert p.id == f"{p.doc_id}#{p.position}" and p.document is not None and p.document.title


def test_sentence_split_keeps_abbreviations_together():
    text = "Penulis terkenal seperti J.K. Rowling berasal dari kota ini. Kota ini indah.\nb. Butir daftar"
    assert split_sentences(text) == [
        "Penulis terkenal seperti J.K. Rowling berasal dari kota ini.", "Kota ini indah.", "b. Butir daftar"]
