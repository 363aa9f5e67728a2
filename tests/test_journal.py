"""The Telegram journal (uccn_bot.frontends.telegram_journal) on its own: what is pending survives reopening,
a message is claimed once however often it is delivered, done entries lose their text."""

from __future__ import annotations

import sqlite3

from uccn_bot.frontends.telegram_journal import JOURNAL_NAME, Journal, journal_for


def update(update_id: int, chat: int = 5, message: int | None = None, text: str = "kapan uccn dibentuk") -> dict:
    return {"update_id": update_id, "message": {"message_id": message or 1000 + update_id, "date": 0,
                                                "chat": {"id": chat, "type": "private"}, "text": text}}


def test_pending_survives_reopening_and_done_is_not_answered_again(tmp_path):
    path = tmp_path / JOURNAL_NAME
    journal = Journal(path, bot_id=42)
    journal.received([update(1), update(2), update(3), {"update_id": 4, "callback_query": {"id": "q"}}])
    assert journal.claim(update(1)) and journal.claim(update(2))
    journal.finish(update(1))
    journal.close()  # 2 was being answered, 3 not yet: a crash here

    again = Journal(path, bot_id=42)
    assert [u["update_id"] for u in again.pending()] == [2, 3]
    assert not again.claim(update(1))  # delivered once more by Telegram: answered already
    assert again.claim(update(2)) and not again.claim(update(2))  # the replay and a redelivery
    assert not again.claim(update(7, message=1002))  # the same message under another update id
    again.finish(update(2))
    assert [u["update_id"] for u in again.pending()] == [3]
    payloads = sqlite3.connect(path).execute("SELECT payload FROM updates WHERE done IS NOT NULL").fetchall()
    assert payloads == [(None,), (None,)]  # the questions answered are not kept
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_reply_that_never_got_out_stays_pending(tmp_path):
    journal = Journal(tmp_path / JOURNAL_NAME, bot_id=42)
    assert journal.claim(update(1))  # a webhook update: recorded when claimed
    journal.keep(update(1))
    journal.finish(update(1))
    assert [u["update_id"] for u in journal.pending()] == [1]


def test_other_bots_and_callback_queries_are_apart(tmp_path):
    path = tmp_path / JOURNAL_NAME
    Journal(path, bot_id=1).received([update(1)])
    assert Journal(path, bot_id=2).pending() == []
    assert Journal(path, bot_id=2).claim({"update_id": 9, "callback_query": {"id": "q"}})


def test_journal_lives_next_to_the_feedback_log(tmp_path):
    journal = journal_for(tmp_path / "logs" / "feedback.jsonl", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    assert journal.path == tmp_path / "logs" / JOURNAL_NAME and journal.bot_id == 123456789
    assert journal_for("", "123:abc") is None
