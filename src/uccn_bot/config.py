"""Configuration: a YAML file (see config.example.yaml) plus the environment for secrets.

Every key has a default, so no file is needed to run on the bundled corpus. Unknown keys and
wrong types are errors that name the key: a typo in a config file should not silently fall
back to a default. Relative paths are read relative to the config file.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from .answering.settings import AnswerSettings
from .bm25 import BM25Params
from .index import IndexSettings, default_cache_dir
from .yaml_safe import safe_load

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
DEFAULT_BASE_URL = "https://api.telegram.org/bot"


class ConfigError(ValueError):
    """A configuration problem, worded for the person editing the file."""


@dataclass(frozen=True)
class WebhookConfig:
    url: str = ""  # public HTTPS URL Telegram posts updates to; empty = long polling
    listen: str = "0.0.0.0"
    port: int = 8443
    secret_token: str = ""
    path: str = ""  # URL path the local server answers on (defaults to the path of `url`)


@dataclass(frozen=True)
class TelegramConfig:
    token: str = ""  # TELEGRAM_BOT_TOKEN in the environment wins over this
    base_url: str = DEFAULT_BASE_URL
    admins: tuple[int, ...] = ()  # user ids allowed to /reload
    feedback_log: str = "feedback.jsonl"
    rate_limit: int = 20  # questions per user ...
    rate_window: float = 60.0  # ... per this many seconds
    reload_on_change: bool = False  # watch the corpus directory and reload when it changes
    poll_timeout: int = 30
    webhook: WebhookConfig = WebhookConfig()


@dataclass(frozen=True)
class Config:
    corpus_path: Path = field(default_factory=lambda: default_corpus_dir())
    cache_dir: Path = field(default_factory=default_cache_dir)
    index: IndexSettings = IndexSettings()
    answer: AnswerSettings = AnswerSettings()
    telegram: TelegramConfig = TelegramConfig()
    history_file: Path | None = None
    log_level: str = "WARNING"
    source: str = ""  # the file this came from, for messages

    def with_corpus(self, path: str | Path | None) -> "Config":
        return self if path is None else replace(self, corpus_path=Path(path).expanduser())

    def telegram_token(self) -> str:
        return os.environ.get(TOKEN_ENV, "").strip() or self.telegram.token.strip()


def default_corpus_dir() -> Path:
    """The bundled corpus: `corpus/` of the source checkout, else `./corpus`."""
    checkout = Path(__file__).resolve().parents[2] / "corpus"
    return checkout if checkout.is_dir() else Path("corpus")


def load_config(path: str | Path | None = None) -> Config:
    """Read `path` (or return the defaults when None)."""
    if path is None:
        return Config()
    file = Path(path).expanduser()
    try:
        raw = safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {file}") from None
    except IsADirectoryError:
        raise ConfigError(f"{file}: is a directory, not a config file") from None
    except OSError as exc:  # unreadable (permissions), an I/O error, a name too long...
        raise ConfigError(f"{file}: cannot read the config file ({exc.strerror or type(exc).__name__})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not valid UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark else str(file)
        raise ConfigError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected 'key: value' sections at the top level")
    return _from_mapping(raw, file)


_SECTIONS = {"corpus", "index", "analysis", "answer", "telegram", "repl", "logging"}


def _from_mapping(raw: dict, file: Path) -> Config:
    base = file.parent
    _check_keys(raw, _SECTIONS, "", file)
    corpus = _section(raw, "corpus", {"path"}, file)
    index = _section(raw, "index", {"cache_dir", "min_words", "max_words", "k1", "b", "epsilon", "semantic",
                                    "semantic_max_passages"}, file)
    analysis = _section(raw, "analysis", {"stemming", "synonyms", "protected_words", "lexicon", "synonyms_file"}, file)
    answer = _section(raw, "answer", {f.name for f in fields(AnswerSettings)}, file)
    telegram = _section(raw, "telegram", {f.name for f in fields(TelegramConfig)}, file)
    repl = _section(raw, "repl", {"history_file"}, file)
    logging_ = _section(raw, "logging", {"level"}, file)

    def path_of(value: Any, key: str) -> Path | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise ConfigError(f"{file}: {key} must be a path")
        p = Path(value).expanduser()
        return p if p.is_absolute() else (base / p)

    defaults = IndexSettings()
    bm25 = BM25Params(
        k1=_number(index, "k1", BM25Params.k1, file, "index"),
        b=_number(index, "b", BM25Params.b, file, "index"),
        epsilon=_number(index, "epsilon", BM25Params.epsilon, file, "index"),
    )
    lexicon = path_of(analysis.get("lexicon"), "analysis.lexicon")
    synonyms_file = path_of(analysis.get("synonyms_file"), "analysis.synonyms_file")
    for key, word_file in (("analysis.lexicon", lexicon), ("analysis.synonyms_file", synonyms_file)):
        _check_readable(word_file, key, file)
    if lexicon or synonyms_file:  # a broken word list is a config error, named, not a traceback later
        from .text import Lexicon

        try:
            Lexicon.load(str(lexicon) if lexicon else None, str(synonyms_file) if synonyms_file else None)
        except (ValueError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{file}: analysis word lists: {exc}") from None
    protected = analysis.get("protected_words") or []
    if not isinstance(protected, list) or not all(isinstance(w, str) for w in protected):
        raise ConfigError(f"{file}: analysis.protected_words must be a list of words")
    index_settings = IndexSettings(
        min_words=int(_number(index, "min_words", defaults.min_words, file, "index")),
        max_words=int(_number(index, "max_words", defaults.max_words, file, "index")),
        bm25=bm25,
        stemming=_bool(analysis, "stemming", defaults.stemming, file, "analysis"),
        synonyms=_bool(analysis, "synonyms", defaults.synonyms, file, "analysis"),
        protected_words=tuple(protected),
        lexicon_path=str(lexicon) if lexicon else None,
        synonyms_path=str(synonyms_file) if synonyms_file else None,
        semantic=_bool(index, "semantic", defaults.semantic, file, "index"),
        semantic_max_passages=int(_number(index, "semantic_max_passages", defaults.semantic_max_passages, file, "index")),
    )
    if index_settings.min_words < 1 or index_settings.max_words < index_settings.min_words:
        raise ConfigError(f"{file}: index.min_words must be at least 1 and at most index.max_words")

    answer_settings = _scalars(AnswerSettings(), answer, [f.name for f in fields(AnswerSettings)], file, "answer")

    webhook_raw = telegram.get("webhook") or {}
    if not isinstance(webhook_raw, dict):
        raise ConfigError(f"{file}: telegram.webhook must be a section of keys")
    _check_keys(webhook_raw, {f.name for f in fields(WebhookConfig)}, "telegram.webhook.", file)
    webhook = _scalars(WebhookConfig(), webhook_raw, [f.name for f in fields(WebhookConfig)], file, "telegram.webhook")
    admins = telegram.get("admins") or []
    if not isinstance(admins, list) or not all(isinstance(a, int) and not isinstance(a, bool) for a in admins):
        raise ConfigError(f"{file}: telegram.admins must be a list of numeric Telegram user ids")
    tg_defaults = TelegramConfig()
    feedback = path_of(telegram.get("feedback_log", tg_defaults.feedback_log), "telegram.feedback_log")
    tg = replace(
        _scalars(tg_defaults, telegram, ["token", "base_url", "rate_limit", "rate_window", "reload_on_change",
                                         "poll_timeout"], file, "telegram"),
        admins=tuple(admins),
        feedback_log=str(feedback) if feedback else "",
        webhook=webhook,
    )
    tg = replace(tg, base_url=tg.base_url or DEFAULT_BASE_URL)
    level = str(logging_.get("level", "WARNING")).upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"{file}: logging.level must be DEBUG, INFO, WARNING or ERROR")
    corpus_path = path_of(corpus.get("path"), "corpus.path") or default_corpus_dir()
    return Config(
        corpus_path=corpus_path,
        cache_dir=path_of(index.get("cache_dir"), "index.cache_dir") or default_cache_dir(),
        index=index_settings,
        answer=answer_settings,
        telegram=tg,
        history_file=path_of(repl.get("history_file"), "repl.history_file"),
        log_level=level,
        source=str(file),
    )


def _check_readable(path: Path | None, key: str, file: Path) -> None:
    """A file the index reads later: say now, in one line, when it cannot be read (a
    directory, a missing or unreadable file), rather than with a traceback when indexing."""
    if path is None:
        return
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ConfigError(f"{file}: {key}: cannot read {path} ({exc.strerror or type(exc).__name__})") from None


def _check_keys(mapping: dict, allowed: set[str], prefix: str, file: Path) -> None:
    unknown = sorted(str(k) for k in mapping if k not in allowed)
    if unknown:
        raise ConfigError(f"{file}: unknown key {prefix}{unknown[0]} (known: {', '.join(sorted(allowed))})")


def _section(raw: dict, name: str, allowed: set[str], file: Path) -> dict:
    value = raw.get(name) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{file}: '{name}' must be a section of 'key: value' lines")
    _check_keys(value, allowed, f"{name}.", file)
    return value


# What each numeric key may hold: (whole number?, lowest, highest); None = no bound. A value
# out of range is an error naming the key, not a bot that silently declines everything
# (answer.min_confidence: 7) or a limiter that counts half questions (telegram.rate_limit: 1.5).
# A number key not listed here (a new AnswerSettings field) must be finite and not negative,
# and whole when its default is.
_RANGES: dict[str, tuple[bool, float | None, float | None]] = {
    "index.min_words": (True, 1, None),
    "index.max_words": (True, 1, None),
    "index.k1": (False, 0, None),
    "index.b": (False, 0, 1),
    "index.epsilon": (False, 0, None),
    "index.semantic_max_passages": (True, 0, None),
    "answer.passages": (True, 1, None),
    "answer.candidates": (True, 1, None),
    "answer.min_confidence": (False, 0, 1),
    "answer.max_question_chars": (True, 1, None),
    "answer.coverage_weight": (False, 0, None),
    "answer.sentence_weight": (False, 0, None),
    "answer.type_weight": (False, 0, None),
    "answer.no_span_penalty": (False, 0, 1),
    "answer.no_person_penalty": (False, 0, 1),
    "answer.unknown_weight": (False, 0, None),
    "answer.english_unknown_weight": (False, 0, None),
    "answer.span_sentence_slack": (False, 0, 1),
    "answer.thesaurus_weight": (False, 0, 1),
    "answer.no_reason_factor": (False, 0, 1),
    "answer.absent_name_factor": (False, 0, 1),
    "answer.semantic_gate": (False, 0, 1),
    "answer.semantic_margin": (False, 0, 1),
    "answer.semantic_weight": (False, 0, None),
    "answer.semantic_candidates": (True, 0, None),
    "answer.semantic_confidence": (False, 0, None),
    "answer.semantic_neutral_z": (False, None, None),  # a z-score: below zero is meaningful
    "answer.semantic_lift_without_span": (False, 0, 1),
    "answer.rerank_pool": (True, 1, None),
    "answer.rerank_pool_per_passage": (True, 1, None),
    "answer.sentence_floor": (False, 0, 1),
    "answer.sentence_floor_min": (False, 0, 1),
    "answer.span_strength_slack": (False, 0, None),
    "answer.near_words": (True, 1, None),
    "answer.reader_passages": (True, 1, None),
    "answer.reader_sentences": (True, 1, None),
    "answer.reader_weight": (False, 0, None),
    "answer.reader_confidence": (False, 0, 1),
    "answer.reader_min_confidence": (False, 0, 1),
    "answer.reader_veto": (False, 0, 1),
    "answer.reader_span_min": (False, 0, 1),
    "answer.reader_span_words": (True, 1, None),
    "answer.reader_span_read_min": (False, 0, 1),
    "answer.reader_typed_span_words": (True, 1, None),
    "answer.reader_typed_span_min": (False, 0, None),  # above 1: the rules' typed answer always stands
    "answer.reader_value_sentences": (True, 0, None),
    "answer.reader_value_below": (False, 0, None),  # above 1: always read on
    "answer.reader_no_value_veto": (False, 0, 1),
    "answer.reader_vote_min": (False, 0, 1),
    "answer.voters": (True, 1, None),
    "answer.voter_confidence": (False, 0, 1),
    "answer.voter_sentence": (False, 0, 1),
    "answer.precise_score": (False, 0, 1),
    "telegram.rate_limit": (True, 0, None),  # 0 = no limit
    "telegram.rate_window": (False, 0, None),  # and not 0 itself (_POSITIVE)
    "telegram.poll_timeout": (True, 0, None),
    "telegram.webhook.port": (True, 1, 65535),
}
_POSITIVE = {"telegram.rate_window"}  # real numbers that must be above their lowest bound


def _number(section: dict, key: str, default, file: Path, prefix: str):
    value = section.get(key, default)
    name = f"{prefix}.{key}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{file}: {name} must be a number, not {value!r}")
    whole, low, high = _RANGES.get(name, (isinstance(default, int) and not isinstance(default, bool), 0, None))
    if not math.isfinite(value):
        raise ConfigError(f"{file}: {name} must be a finite number, not {value!r}")
    if whole and value != int(value):
        raise ConfigError(f"{file}: {name} must be a whole number, not {value!r}")
    if (low is not None and value < low) or (high is not None and value > high) or (name in _POSITIVE and value <= low):
        if name in _POSITIVE:
            wanted = f"more than {low:g}"
        elif low is not None and high is not None:
            wanted = f"between {low:g} and {high:g}"
        elif low is not None:
            wanted = "positive" if low > 0 and whole else f"at least {low:g}"
        else:
            wanted = f"at most {high:g}"
        raise ConfigError(f"{file}: {name} must be {wanted}, not {value!r}")
    return int(value) if whole else value


def _scalars(defaults, section: dict, names: list[str], file: Path, prefix: str):
    """`defaults` (a settings dataclass) with the section's values for `names`, each read and
    checked by the type of its default: the defaults are written once, in the dataclass."""
    values = {}
    for name in names:
        default = getattr(defaults, name)
        if isinstance(default, bool):
            values[name] = _bool(section, name, default, file, prefix)
        elif isinstance(default, (int, float)):
            values[name] = type(default)(_number(section, name, default, file, prefix))
        else:
            values[name] = _str(section, name, default, file, prefix)
    return replace(defaults, **values)


def _bool(section: dict, key: str, default: bool, file: Path, prefix: str) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{file}: {prefix}.{key} must be true or false, not {value!r}")
    return value


def _str(section: dict, key: str, default: str, file: Path, prefix: str) -> str:
    value = section.get(key, default)
    if value is None:
        return default
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ConfigError(f"{file}: {prefix}.{key} must be text, not {value!r}")
    return str(value)
