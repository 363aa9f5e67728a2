"""`AnswerSettings`: every number the answering stages decide by, each with its reason.

They are config keys (`answer:` in the YAML) and what `tools/sweep_settings.py` calibrates.
The values were set on the development questions (tests/qa/dev*.yaml) and the benchmarks'
train/valid splits, never on the test set.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerSettings:
    # -- what is returned -------------------------------------------------------------------
    passages: int = 5  # passages returned per answer (the first is the cited answer)
    candidates: int = 30  # BM25 candidates that are reranked
    min_confidence: float = 0.5  # below this the bot declines instead of guessing
    max_question_chars: int = 500  # longer questions are cut (and the person is told)

    # -- ranking (retrieval → reranking) ----------------------------------------------------
    coverage_weight: float = 1.0  # share of the question a passage covers
    sentence_weight: float = 1.0  # share of the question its best sentence covers
    type_weight: float = 0.5  # the best sentence holds an answer of the asked type
    rerank_pool: int = 10  # at least this many cheap-scored candidates get the full (sentence) scoring ...
    rerank_pool_per_passage: int = 2  # ... or this many per passage asked for, whichever is more
    unknown_weight: float = 0.6  # weight of a word no passage has, as a share of the rarest term's
    english_unknown_weight: float = 0.25  # ... in an English question (a word the glossary lacks)
    thesaurus_weight: float = 0.3  # share of a word's weight a thesaurus synonym of it earns (0 = off)

    # -- reading (best sentence, short answer) -----------------------------------------------
    sentence_floor: float = 0.6  # a short answer's sentence covers at least this share of the best sentence's ...
    sentence_floor_min: float = 0.3  # ... and at least this share of the question: a far-off date answers nothing
    span_strength_slack: float = 0.5  # spans this much less sure than the surest still compete on nearness
    near_words: int = 5  # a question word within this many words counts as near an answer

    # -- deciding (confidence, decline) ------------------------------------------------------
    no_span_penalty: float = 0.5  # confidence factor: a kapan/berapa/di mana question, but no date/number/place
    no_person_penalty: float = 0.85  # ... a siapa question, but no name (it may ask for a group)
    span_sentence_slack: float = 0.15  # a short answer's sentence must cover the question nearly as well
    no_reason_factor: float = 0.5  # confidence kept when a kenapa question's answer gives no reason
    absent_name_factor: float = 0.5  # confidence kept when the passage's article never names a place/name asked

    # -- semantic similarity (when the index has embeddings) ---------------------------------
    semantic: bool = True  # use passage embeddings when the index has them
    semantic_gate: float = 0.6  # below this lexical confidence the embeddings are consulted
    semantic_margin: float = 0.05  # ... and also when the runner-up scores within this share
    semantic_weight: float = 0.3  # score added per standard deviation of similarity
    semantic_candidates: int = 10  # most similar passages added to the candidates
    semantic_confidence: float = 0.2  # confidence added per standard deviation of similarity ...
    semantic_neutral_z: float = 2.5  # ... above this (below it, taken away)
    semantic_lift_without_span: float = 0.75  # share of that lift kept when a typed question finds no answer of its type

    # -- the answer model (a trained reader; see docs/reader.md) ---------------------------
    reader: bool = True  # read the best candidates with the answer model when it is installed
    reader_passages: int = 2  # best-ranked passages the model reads: the best one, the next only when it is vetoed ...
    reader_sentences: int = 3  # ... each by its sentences that cover the question best (cost grows with both: ~3-6 ms a sentence here)
    reader_weight: float = 0.0  # ranking score added per unit of the model's probability (0: 1.0 moved hit@1 within ±2 points, both ways)
    reader_confidence: float = 0.0  # share of the confidence that is the model's probability (0: 0.3 answered more and declined less)
    reader_min_confidence: float = 0.5  # with the model, below this the bot declines
    reader_veto: float = 0.01  # the model's probability under which a passage is declined however sure the rules are (docs/quality.md)
    reader_span_min: float = 0.5  # for an untyped question the model's span is the short answer when it is this sure ...
    reader_span_words: int = 12  # ... and the span is at most this many words ...
    reader_span_read_min: float = 0.1  # ... in a sentence the model reads at least this likely to answer
    reader_typed_span_words: int = 8  # ... for kapan/berapa/siapa/di mana, at most this many (a date, a number, a name)
    reader_value_sentences: int = 2  # a kapan/berapa question whose read sentences give no date/number: read this many more that hold one
    reader_value_below: float = 0.9  # ... also when they give one but the model reads them below this (and not below the veto)
    reader_no_value_veto: float = 0.2  # the veto for a kapan/berapa passage in which neither rules nor model find a date/number
    reader_vote_min: float = 0.3  # where the best passages disagree, one the model reads below this has that share of a vote on the short answer and shows as no conflict (0: off)
    reader_typed_span_min: float = 0.5  # for kapan/berapa/siapa/di mana the model's span replaces the rules' answer when it is this sure (above 1: never)

    # -- agreement between sources -----------------------------------------------------------
    voters: int = 5  # the best passages that may vote on the short answer
    voter_confidence: float = 0.75  # a voter is at least this share as sure as the best passage ...
    voter_sentence: float = 0.8  # ... and its sentence covers at least this share of the best voter's
    precise_score: float = 0.95  # agreeing passages scoring within this share: the most precise wording leads
