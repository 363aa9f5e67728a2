"""Corpus loading: the bundled articles, optional front matter, and errors that name file and line."""

from pathlib import Path

import pytest

from uccn_bot.corpus import CorpusError, load_corpus, load_document

from conftest import CORPUS


def test_bundled_corpus_has_every_seed_article_with_metadata():
    docs = {d.id: d for d in load_corpus(CORPUS)}
    assert len(docs) == 5
    liputan6 = docs["liputan6-thailand-belajar-kota-kreatif-pekalongan"]
    assert liputan6.source == "Liputan6.com" and liputan6.date == "2016-03-10"
    assert liputan6.title == "Thailand Belajar Soal Kota Kreatif ke Pekalongan"
    # both dates stay, as the article prints them
    assert "1 Desember 2015" in liputan6.body and "1 Desember 2014" in liputan6.body


@pytest.mark.parametrize("chrome", ["Video Terkini", "Copyright ©", "rendering in", "WhatsApp", "A A A"])
def test_site_boilerplate_is_gone(chrome):
    for doc in load_corpus(CORPUS):
        assert chrome not in doc.body, doc.id


def test_txt_without_front_matter_takes_title_from_first_line(tmp_path):
    (tmp_path / "catatan-kota.txt").write_text("Catatan Kota Ambon\n\nAmbon adalah Kota Musik.\n", encoding="utf-8")
    (doc,) = load_corpus(tmp_path)
    assert (doc.id, doc.title, doc.source, doc.date) == ("catatan-kota", "Catatan Kota Ambon", "", "")
    assert doc.body == "Ambon adalah Kota Musik."


def test_hidden_files_and_other_suffixes_are_skipped(tmp_path):
    (tmp_path / "a.md").write_text("Judul\n\nIsi.\n", encoding="utf-8")
    (tmp_path / ".draft.md").write_text("Draf\n\nRahasia.\n", encoding="utf-8")
    (tmp_path / "gambar.png").write_bytes(b"\x89PNG")
    assert [d.id for d in load_corpus(tmp_path)] == ["a"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("---\nid: a\ntitle: [tidak ditutup\n---\nIsi.\n", 3, "malformed front matter"),
        ("---\nid: a\ntitle: Judul\nIsi tanpa penutup.\n", 1, "never closed"),
        ("---\nid: a\ndate: 10 Maret 2016\n---\nIsi.\n", 3, "not an ISO date"),
        ("---\nid: a b c\n---\nIsi.\n", 2, "may only hold"),
        ("---\n- daftar\n---\nIsi.\n", 2, "mapping"),
    ],
)
def test_malformed_front_matter_names_file_and_line(tmp_path, text, line, words):
    path = write(tmp_path / "rusak.md", text)
    with pytest.raises(CorpusError) as err:
        load_document(path)
    assert err.value.line == line
    assert f"rusak.md:{line}" in str(err.value) and words in str(err.value)


def test_non_utf8_file_is_read_as_latin1_with_a_warning_naming_the_line(tmp_path, caplog):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Judul\n\nBaris dua\nKota Malang \u00e9".encode("latin-1"))
    (doc,) = load_corpus(tmp_path)
    assert doc.body.endswith("Kota Malang \u00e9")
    assert "latin1.txt: not valid UTF-8 (byte 0xe9 on line 4)" in caplog.text


def test_duplicate_ids_are_an_error(tmp_path):
    write(tmp_path / "a.md", "---\nid: sama\n---\nSatu.\n")
    write(tmp_path / "b.md", "---\nid: sama\n---\nDua.\n")
    with pytest.raises(CorpusError, match="duplicate id 'sama'"):
        load_corpus(tmp_path)


def test_empty_or_missing_directory_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="no .md or .txt"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "tidak-ada")


def test_runaway_title_source_and_url_are_capped_not_shown_whole(tmp_path, caplog):
    words = " ".join(["panjang"] * 2000)
    (tmp_path / "a.md").write_text(
        f"---\ntitle: {words}\nsource: {words}\nurl: https://example.org/{'x' * 5000}\n---\nIsi artikel.\n",
        encoding="utf-8")
    doc = load_document(tmp_path / "a.md")
    assert len(doc.title) <= 200 and doc.title.endswith("…") and doc.title.startswith("panjang panjang")
    assert len(doc.source) <= 200 and doc.source.endswith("…")
    assert doc.url == "" and "a.md:4: url of 5020 characters left out" in caplog.text
    assert doc.body == "Isi artikel."
