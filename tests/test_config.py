"""Configuration: the example documents every key, typos are errors, the environment wins."""

import pytest

from uccn_bot.config import Config, ConfigError, load_config

from conftest import ROOT


def test_example_config_loads_and_matches_the_defaults():
    config = load_config(ROOT / "config.example.yaml")
    defaults = Config()
    assert config.answer == defaults.answer
    assert config.index == defaults.index
    assert config.telegram.rate_limit == 20 and config.telegram.webhook.port == 8443
    assert config.corpus_path == ROOT / "corpus"


def test_every_answer_setting_is_documented_in_the_example():
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    from dataclasses import fields

    from uccn_bot.answering import AnswerSettings

    for f in fields(AnswerSettings):
        assert f"  {f.name}:" in text, f.name


@pytest.mark.parametrize("text, words", [
    ("answr:\n  passages: 3\n", "unknown key answr"),
    ("answer:\n  passages: banyak\n", "answer.passages must be a number"),
    ("index:\n  semantic: ya\n", "index.semantic must be true or false"),
    ("telegram:\n  admins: [alice]\n", "telegram.admins"),
    ("corpus: [\n", "not valid YAML"),
])
def test_config_errors_name_the_key(tmp_path, text, words):
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=words):
        load_config(path)


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    path = tmp_path / "sub" / "c.yaml"
    path.parent.mkdir()
    path.write_text("corpus:\n  path: artikel\n", encoding="utf-8")
    assert load_config(path).corpus_path == tmp_path / "sub" / "artikel"


def test_token_from_environment_wins(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text("telegram:\n  token: '1:from-file'\n", encoding="utf-8")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert load_config(path).telegram_token() == "1:from-file"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "2:from-env")
    assert load_config(path).telegram_token() == "2:from-env"


@pytest.mark.parametrize(
    "lexicon, words",
    [
        ("slang: [a, b\n  x: : :\n", ["badlex.yaml:2", "not valid YAML"]),
        ("keep_words: [yes]\n", ["keep_words", "quote them"]),
        ("slang: 5\n", ["mapping"]),
        ("- 5\n", ["badlex.yaml", "must map"]),
    ],
)
def test_a_broken_lexicon_is_a_config_error_naming_the_file(tmp_path, lexicon, words):
    (tmp_path / "badlex.yaml").write_text(lexicon, encoding="utf-8")
    cfg = tmp_path / "config.yaml"
    cfg.write_text("analysis:\n  lexicon: badlex.yaml\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    for w in words:
        assert w in str(err.value)
