"""The answer-model stage (answering/reader_pass.py) with a stand-in model, so what is tested
is how the bot uses a model's readings, not the model."""

from dataclasses import dataclass, replace

import pytest

from uccn_bot.answering import AnswerSettings, Bot
from uccn_bot.answering.question import parse_question
from uccn_bot.answering.reader_pass import question_word_first


@dataclass(frozen=True)
class Reading:
    score: float
    span: tuple[int, int] | None
    span_score: float


class Model:
    """Says a sentence answers when it holds `needle`; the span is the needle."""

    def __init__(self, needle: str | None):
        self.needle, self.calls = needle, []

    def read(self, question, texts):
        self.calls.append((question, list(texts)))
        out = []
        for t in texts:
            at = t.find(self.needle) if self.needle else -1
            out.append(Reading(0.95, (at, at + len(self.needle)), 0.9) if at >= 0 else Reading(0.001, None, 0.0))
        return out


def bot_with(bot, model, **overrides):
    return Bot(bot.index, replace(AnswerSettings(), **overrides), reader=lambda: model)


def test_the_model_picks_the_sentence_and_its_span_is_the_short_answer(bot):
    model = Model("27 kota dari 19 negara")
    answer = bot_with(bot, model).answer("Berapa kota yang ditetapkan bersama Pekalongan?")
    assert answer.answered and "27 kota dari 19 negara" in answer.highlight
    assert answer.short_answer.startswith("27 kota")  # the fuller of the rules' answer and the model's span
    (question, texts), *vetting = model.calls  # one batch for the passage's sentences ...
    assert question == "Berapa kota yang ditetapkan bersama Pekalongan?" and len(texts) <= 4 * 4
    for _, voters in vetting:  # ... and at most one for the passages below that give another number
        assert len(voters) <= AnswerSettings().voters and not set(voters) & set(texts)
    assert len(vetting) <= 1


def test_nothing_said_is_declined_though_the_words_match(bot):
    question = "Kapan Pekalongan jadi Kota Kreatif?"
    assert bot.answer(question).answered  # the rules alone answer it
    answer = bot_with(bot, Model(None), reader_confidence=1.0).answer(question)  # the model alone decides
    assert not answer.answered and answer.message


def test_the_veto_declines_what_the_rules_are_sure_of_only_when_the_model_reads_nothing(bot):
    question = "Kapan Pekalongan jadi Kota Kreatif?"
    # the rules' share alone (0.7 x 1.0) clears the threshold: without a veto the bot answers
    assert bot_with(bot, Model(None), reader_confidence=0.3, reader_min_confidence=0.4,
                    reader_veto=0.0).answer(question).answered
    vetoed = bot_with(bot, Model(None), reader_confidence=0.3, reader_min_confidence=0.4, reader_veto=0.1)
    assert not vetoed.answer(question).answered
    said = bot_with(bot, Model("1 Desember 2014"), reader_confidence=0.3, reader_min_confidence=0.4, reader_veto=0.1)
    assert said.answer(question).answered


def test_without_a_model_the_rules_answer_as_before(bot):
    question = "Kapan Pekalongan jadi Kota Kreatif?"
    rules = bot.answer(question).to_json()
    assert bot_with(bot, None).answer(question).to_json() == rules
    off = Model("2014")
    assert bot_with(bot, off, reader=False).answer(question).to_json() == rules and not off.calls


def test_the_model_is_asked_for_once_and_only_when_needed(bot):
    asked = []

    def provider():
        asked.append(1)
        return Model("2014")

    fresh = Bot(bot.index, AnswerSettings(), reader=provider)
    assert not asked
    fresh.answer("Kapan Pekalongan jadi Kota Kreatif?")
    fresh.answer("Apa misi Jejaring Kota Kreatif UNESCO?")
    assert asked == [1]


def test_an_untyped_question_gets_the_models_span_only_when_it_is_short_and_sure(bot):
    question = "Apa yang diharapkan dari kerja sama Pekalongan dan Chiang Mai?"
    sure = bot_with(bot, Model("Pekalongan"), reader_span_min=0.5).answer(question)
    assert sure.short_answer == "Pekalongan"
    unsure = bot_with(bot, Model("Pekalongan"), reader_span_min=0.95).answer(question)
    assert unsure.short_answer is None


def test_a_typed_question_the_rules_cannot_answer_takes_the_models_span_if_it_holds_the_type(bot, monkeypatch):
    question = "Kapan Pekalongan mendapat rekomendasi dari lembaga nasional?"
    assert bot.answer(question).short_answer is None  # the rules pick no date for it
    # the model's span holds no date: no short answer rather than a wrong kind of one
    assert bot_with(bot, Model("berbagai lembaga nasional")).answer(question).short_answer is None
    # where the rules pick nothing but the model's span is a date, the model's span is the answer
    dated = bot_with(bot, Model("1 Desember 2014"))
    monkeypatch.setattr(dated.short_answers, "span", lambda *a, **k: None)
    answer = dated.answer("Kapan Pekalongan jadi Kota Kreatif?")
    assert answer.short_answer == "1 Desember 2014" and "1 Desember 2014" in answer.highlight


def test_the_next_passages_are_read_only_when_the_best_one_says_nothing(bot):
    question = "Kapan Pekalongan jadi Kota Kreatif?"
    said = Model("2014")
    assert bot_with(bot, said).answer(question).answered
    (_, first), *vetting = said.calls  # the best passage says it: one reading of its sentences; of the passages
    assert len(vetting) == 1            # below, only the answer sentences of those that vote, as they disagree
    assert 0 < len(vetting[0][1]) < AnswerSettings().voters and not set(first) & set(vetting[0][1])
    silent = Model(None)
    assert not bot_with(bot, silent).answer(question).answered
    first, rest = silent.calls  # it says nothing: the next passages are read too, and none answers unread
    assert first[1] and rest[1] and not set(first[1]) & set(rest[1])


def test_a_question_declined_whatever_the_model_reads_is_not_read(bot):
    question = "Siapa pelatih tim sepak bola Pekalongan?"
    rules = bot_with(bot, None, reader_min_confidence=0.5).answer(question)
    assert not rules.answered and rules.confidence < 0.5  # no passage is sure enough to answer or to vote
    model = Model("Pekalongan")  # would read every sentence as an answer ...
    assert not bot_with(bot, model).answer(question).answered and not model.calls  # ... but is not asked
    # when the model's probability is part of the confidence, it could lift a passage: then it reads
    lifted = Model("Pekalongan")
    bot_with(bot, lifted, reader_confidence=0.9).answer(question)
    assert lifted.calls


def test_a_typed_question_shows_the_models_sure_span_in_the_fuller_wording(bot):
    question = "Siapa wali kota Pekalongan?"
    rules = bot_with(bot, Model("Djunaid"), reader_typed_span_min=1.1).answer(question).short_answer
    assert rules == "HA Afzan Arslan Djunaid"
    # the model's span and the rules' answer agree (one holds the other): the fuller wording is shown
    assert bot_with(bot, Model("Djunaid")).answer(question).short_answer == rules
    fuller = "Wali Kota Pekalongan HA Afzan Arslan Djunaid"
    assert bot_with(bot, Model(fuller)).answer(question).short_answer == fuller
    # where they differ, the model's sure span stands; an unsure one does not
    assert bot_with(bot, Model("forum ini")).answer(question).short_answer == "forum ini"
    assert bot_with(bot, Model("forum ini"), reader_typed_span_min=0.95).answer(question).short_answer == rules


def test_a_typed_questions_answer_keeps_its_type_and_its_vote(bot):
    question = "Kapan Pekalongan jadi Kota Kreatif?"
    # a span without a date never replaces the rules' date
    assert bot_with(bot, Model("27 kota dari 19 negara")).answer(question).short_answer == "1 Desember 2014"
    # the year alone agrees with the rules' date: the date is shown, and it votes as the rules read it
    answer = bot_with(bot, Model("2014")).answer(question)
    assert answer.short_answer == "1 Desember 2014" and answer.passages[0].answer_value == bot.answer(question).passages[0].answer_value


def test_the_model_reads_the_question_in_standard_spelling(bot):
    model = Model("2014")
    answer = bot_with(bot, model).answer("kapan pekalogan jadi kota kreatif yg diakui unesco")
    assert ("pekalogan", "pekalongan") in answer.corrections  # shown to the user as a repair
    assert model.calls and {question for question, _ in model.calls} == {
        "kapan pekalongan jadi kota kreatif yang diakui unesco"}  # the repair and the chat spelling put in
    formal = Model("2014")
    bot_with(bot, formal).answer("Kapan Pekalongan jadi Kota Kreatif?")
    assert formal.calls[0][0] == "Kapan Pekalongan jadi Kota Kreatif?"  # standard text is read as typed


def test_the_model_reads_a_question_word_typed_last_in_front(bot):
    model = Model("2014")
    bot_with(bot, model).answer("pekalongan jadi kota kreatif tahun brp?")
    assert model.calls[0][0] == "berapa pekalongan jadi kota kreatif tahun?"  # "brp" spelt out, then put first
    inside = Model("2014")
    bot_with(bot, inside).answer("kota mana yang jadi kota kreatif batik")
    assert inside.calls[0][0] == "kota mana yang jadi kota kreatif batik"  # not last: left where it is


@pytest.mark.parametrize("typed, read", [
    ("UCCN didirikan tahun berapa?", "berapa UCCN didirikan tahun?"),
    ("syarat kota kreatif apa saja", "apa saja syarat kota kreatif"),  # "saja" asks for a list: it goes along
    ("jumlah umkm di pekalongan ada berapa sih", "berapa jumlah umkm di pekalongan ada"),  # a particle drops
    ("malang sama nonsan mirip, apa tuh", "apa malang sama nonsan mirip"),
    ("kota mana yang jadi kota desain", "kota mana yang jadi kota desain"),
    ("siapa", "siapa"),
])
def test_a_question_word_typed_last_is_put_first(typed, read):
    assert question_word_first(typed) == read


class Scores:
    """Reads a sentence at the score of the first of `scores`' needles it holds (else `default`); the span is
    that needle."""

    def __init__(self, scores: dict[str, float], default: float = 0.001):
        self.scores, self.default, self.calls = scores, default, []

    def read(self, question, texts):
        self.calls.append((question, list(texts)))
        out = []
        for t in texts:
            hit = next(((n, p) for n, p in self.scores.items() if n in t), None)
            out.append(Reading(hit[1], (t.find(hit[0]), t.find(hit[0]) + len(hit[0])), 0.9) if hit
                       else Reading(self.default, None, 0.0))
        return out


def _giri(tmp_path):
    from uccn_bot.index import IndexSettings, open_index

    root = tmp_path / "corpus"
    root.mkdir()
    (root / "giri.md").write_text(
        "---\nid: giri\ntitle: Sunan Giri\nsource: Uji\n---\n\n"
        "Sunan Giri mendirikan kerajaan Giri Kedaton di Gresik, Jawa Timur. "
        "Sunan Giri adalah murid Sunan Ampel yang memimpin Giri Kedaton. "
        "Pesantren itu ramai didatangi santri dari berbagai pulau. "
        "Kerajaan itu berdiri pada tahun 1487.\n", encoding="utf-8")
    return open_index(root, IndexSettings(semantic=False), tmp_path / "cache")


def test_a_typed_question_reads_on_where_the_passage_holds_its_type(tmp_path):
    index = _giri(tmp_path)
    question = "kapan Sunan Giri mendirikan Giri Kedaton?"
    found = Scores({"1487": 0.9}, default=0.3)
    answer = Bot(index, AnswerSettings(), reader=lambda: found).answer(question)
    first, more = found.calls  # the sentences covering the question best hold no date: one more reading ...
    assert not any("1487" in t for t in first[1]) and [t for t in more[1] if "1487" in t]
    assert answer.answered and "1487" in answer.highlight and "1487" in answer.short_answer  # ... says it
    off = Scores({"1487": 0.9}, default=0.3)
    assert Bot(index, AnswerSettings(reader_value_sentences=0), reader=lambda: off).answer(question).short_answer is None
    assert len(off.calls) == 1


def test_a_typed_question_whose_passage_gives_no_value_is_held_to_a_higher_veto(bot):
    question = "berapa anggaran yang dihabiskan untuk Rakernas Apeksi 2017 di Malang?"
    assert bot.answer(question).answered and bot.answer(question).short_answer is None  # the rules: no sum of money
    unsure = Scores({}, default=0.1)  # reads every sentence at 0.1: above the veto, no number anywhere
    assert not bot_with(bot, unsure).answer(question).answered
    assert bot_with(bot, Scores({}, default=0.1), reader_no_value_veto=0.0).answer(question).answered
    assert bot_with(bot, Scores({}, default=0.6)).answer(question).answered  # read as saying it: answered


def test_only_passages_the_model_reads_as_saying_it_vote_or_conflict(bot):
    question = "pekalongan jadi kota kreatif unesco thn brp"
    model = Scores({"2014": 0.9}, default=0.2)  # on topic everywhere; only the 2014 sentences say it
    off = bot_with(bot, model, reader_vote_min=0).answer(question)
    assert off.answered and off.conflicts  # every other year in the best passages is shown as a conflict
    vetted = bot_with(bot, Scores({"2014": 0.9}, default=0.2)).answer(question)
    assert vetted.answered and "2014" in vetted.short_answer and not vetted.conflicts
    assert "2014" in vetted.passages[0].highlight  # the cited passage is one the model read as saying it
    genuine = bot_with(bot, Scores({"Desember 2014": 0.9, "Desember 2015": 0.9}, default=0.2)).answer(question)
    # a second opinion stays one (shown as the year "thn brp" asks for)
    assert [c.short_answer for c in genuine.conflicts] == ["2015"]
    assert [c.answer_value for c in genuine.conflicts] == ["2015-12-01"]


def test_a_typed_answer_the_model_is_unsure_of_is_checked_against_the_passages_other_values(bot):
    question = "waktu lockdown berapa banyak museum di dunia yg tutup"

    def read(model):
        return [t for _, texts in model.calls for t in texts]

    def best_passage(model, **settings):  # the passage read, as the reader pass leaves it (before the vote)
        reader_bot = bot_with(bot, model, **settings)
        hits = reader_bot.ranker.rank(parse_question(question, reader_bot.index), 5)
        return next(h for h in hits if h.reading is not None and "90% museum" in h.passage.text)

    sure = Scores({"90% museum": 0.95}, default=0.3)
    assert best_passage(sure).short_answer.startswith("90%")
    assert not any("100-190 juta" in t for t in read(sure))  # sure of it: the passage's other values stay unread
    unsure = Scores({"90% museum": 0.4, "100-190 juta": 0.8}, default=0.3)  # another of its numbers reads better
    hit = best_passage(unsure)
    assert any("100-190 juta" in t for t in read(unsure))
    assert "100-190 juta" in hit.highlight and "100-190 juta" in hit.short_answer and hit.reading == 0.8
    kept = best_passage(Scores({"90% museum": 0.4, "100-190 juta": 0.8}, default=0.3), reader_value_below=0.0)
    assert kept.short_answer.startswith("90%") and kept.reading == 0.4


def test_a_span_may_be_longer_for_an_untyped_question_than_for_a_typed_one(bot):
    span = "Kota Pekalongan sebagai Kota Kreatif UNESCO juga atas dasar rekomendasi"  # ten words
    untyped = "Apa dasar terpilihnya Kota Pekalongan sebagai Kota Kreatif UNESCO?"
    assert bot_with(bot, Model(span)).answer(untyped).short_answer == span
    assert bot_with(bot, Model(span), reader_span_words=8).answer(untyped).short_answer is None
    typed = "Siapa yang merekomendasikan Kota Pekalongan sebagai Kota Kreatif UNESCO?"
    assert bot_with(bot, Model(span)).answer(typed).short_answer != span  # a name is not ten words long
    assert bot_with(bot, Model(span), reader_typed_span_words=12).answer(typed).short_answer == span


def test_the_rules_typed_answer_does_not_stand_in_a_sentence_the_model_vetoes(bot):
    question = "Siapa wali kota Pekalongan?"
    # the model reads another sentence (without a name) best: the rules' answer and sentence stand ...
    kept = bot_with(bot, Scores({"Djunaid": 0.05, "Pelaku UMKM": 0.3})).answer(question)
    assert kept.short_answer == "HA Afzan Arslan Djunaid" and "Djunaid" in kept.highlight
    # ... unless the model reads their sentence below the veto: then it is not shown as the answer
    vetoed = bot_with(bot, Scores({"Djunaid": 0.005, "Pelaku UMKM": 0.3})).answer(question)
    assert vetoed.answered and "Pelaku UMKM" in vetoed.highlight
    assert vetoed.short_answer != "HA Afzan Arslan Djunaid"


def test_an_untyped_questions_span_comes_only_from_a_sentence_read_as_answering(bot):
    question = "Apa yang diharapkan dari kerja sama Pekalongan dan Chiang Mai?"
    assert bot_with(bot, Scores({"Pekalongan": 0.5})).answer(question).short_answer == "Pekalongan"
    doubted = bot_with(bot, Scores({"Pekalongan": 0.05})).answer(question)
    assert doubted.answered and doubted.short_answer is None
    assert bot_with(bot, Scores({"Pekalongan": 0.05}), reader_span_read_min=0.0).answer(question).short_answer == "Pekalongan"
