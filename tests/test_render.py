"""Rendering: terminal text and Telegram HTML say the same thing; HTML is escaped and fits."""

import re
from dataclasses import replace

from uccn_bot.core import Answer, Hit
from uccn_bot.corpus import Document
from uccn_bot.core import Passage
from uccn_bot.frontends.render import Style, format_date, plain, telegram_messages


def fake_answer(text: str, highlight: str) -> Answer:
    doc = Document(id="d", title="Judul <Tes> & Co", source="Sumber", date="2016-03-10", url="https://contoh.id/a?b=1&c=2", body="")
    hit = Hit(passage=Passage(id="d#0", doc_id="d", position=0, text=text, section="", document=doc), score=1.0, bm25=1.0,
              coverage=1.0, highlight=highlight, short_answer="1 Desember 2014")
    return Answer(question="q", answered=True, passages=(hit,), short_answer="1 Desember 2014", highlight=highlight)


def test_dates_in_indonesian():
    assert format_date("2016-03-10") == "10 Maret 2016"
    assert format_date("2014-12") == "Desember 2014" and format_date("") == "tanpa tanggal"


def test_plain_text_marks_the_best_sentence_without_escape_codes():
    answer = fake_answer("Awal. Kalimat terbaik. Akhir.", "Kalimat terbaik.")
    out = plain(answer)
    assert "**Kalimat terbaik.**" in out and "\x1b[" not in out
    assert "— Judul <Tes> & Co — Sumber, 10 Maret 2016" in out
    assert "\x1b[1;33mKalimat terbaik.\x1b[0m" in plain(answer, style=Style(color=True))


def test_telegram_html_is_escaped():
    answer = fake_answer("Teks <b>bukan tag</b> & simbol. Kalimat terbaik.", "Kalimat terbaik.")
    (message,) = telegram_messages(answer)
    assert "&lt;b&gt;bukan tag&lt;/b&gt; &amp; simbol." in message
    assert "<b>Kalimat terbaik.</b>" in message and "Judul &lt;Tes&gt; &amp; Co" in message
    assert 'href="https://contoh.id/a?b=1&amp;c=2"' in message


def test_telegram_messages_never_exceed_the_limit_and_keep_tags_whole():
    sentence = "Kalimat panjang dengan <karakter> & khusus yang harus di-escape. "
    text = (sentence * 60 + "\n\n") * 3
    answer = fake_answer(text.strip(), sentence.strip())
    messages = telegram_messages(answer, limit=1000)
    assert len(messages) > 3
    for m in messages:
        assert len(m) <= 1000
        assert m.count("<b>") == m.count("</b>") and m.count("<i>") == m.count("</i>")
        assert not re.search(r"&[a-z]*$", m)  # no entity cut in half


def test_a_conflict_says_whether_it_is_another_source_or_the_same_article():
    answer = fake_answer("Kota ini ditetapkan pada 1 Desember 2014. Akhir.", "Kota ini ditetapkan pada 1 Desember 2014.")
    cited = answer.passages[0]
    same = replace(cited, passage=replace(cited.passage, id="d#3", position=3), short_answer="1 Desember 2015")
    other_doc = replace(cited.passage.document, id="e", title="Artikel Lain")
    other = replace(cited, passage=replace(cited.passage, id="e#0", doc_id="e", document=other_doc), short_answer="2015")
    both = replace(answer, conflicts=(same, other))
    out = plain(both)
    assert "Catatan: bagian lain artikel ini menyebut 1 Desember 2015" in out
    assert "Catatan: sumber lain menyebut 2015 — Artikel Lain" in out
    (message,) = telegram_messages(both)
    assert "⚠️ Bagian lain artikel ini menyebut <b>1 Desember 2015</b>" in message
    assert "⚠️ Sumber lain menyebut <b>2015</b>" in message
