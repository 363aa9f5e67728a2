"""The `uccn-bot` command: ask, repl, eval, telegram, index, sources.

Each subcommand is a thin adapter: it loads the configuration and the index, then hands
questions to `Bot.answer` and renders the `Answer` for its medium. Errors a person can fix (a
malformed corpus file, a bad config key, a missing token) are printed as one clear line and
exit with status 1; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path

from ..app import UserError, answering_mode, load_index, open_bot
from ..config import Config, ConfigError, load_config
from ..corpus import CorpusError
from .render import Style, plain, source_lines

logger = logging.getLogger("uccn_bot")

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        config = load_config(args.config).with_corpus(getattr(args, "corpus", None))
        _setup_logging(config, args.verbose)
        return args.handler(args, config)
    except (UserError, ConfigError, CorpusError) as exc:
        print(f"uccn-bot: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # `uccn-bot ... | head`
        sys.stderr.close()
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="YAML configuration (see config.example.yaml)")
    common.add_argument("--corpus", metavar="DIR", help="directory of .md/.txt articles (default: the bundled corpus)")
    common.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")

    parser = argparse.ArgumentParser(
        prog="uccn-bot",
        description="Tanya-jawab berbahasa Indonesia tentang Jejaring Kota Kreatif UNESCO, dengan sumber.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", parents=[common], help="answer one question and exit")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print one JSON object (stable fields)")
    ask.add_argument("-k", "--passages", type=_positive, default=None, metavar="N",
                     help="passages to return and print (default: return 5, print the best)")
    ask.set_defaults(handler=cmd_ask)

    repl = sub.add_parser("repl", parents=[common], help="interactive questions in the terminal (reads a pipe too)")
    repl.set_defaults(handler=cmd_repl)

    ev = sub.add_parser("eval", parents=[common], help="measure answer quality on a Q&A file")
    ev.add_argument("--qa", metavar="FILE", help="Q&A YAML file (default tests/qa/uccn.yaml)")
    ev.add_argument("--json", action="store_true", help="print all figures as JSON")
    ev.add_argument("--benchmark", choices=["facqa", "tydiqa", "idkmrc"], help="evaluate on an external benchmark instead")
    ev.add_argument("--data", metavar="PATH", help="the benchmark's data file (with --benchmark)")
    ev.add_argument("--limit", type=int, default=None, metavar="N", help="use only the first N questions")
    ev.add_argument("--no-decline", action="store_true",
                    help="never decline (compare ranking alone, e.g. with the baseline on external benchmarks)")
    ev.set_defaults(handler=cmd_eval)

    tg = sub.add_parser("telegram", parents=[common], help="run the Telegram bot (token from TELEGRAM_BOT_TOKEN)")
    tg.set_defaults(handler=cmd_telegram)

    ix = sub.add_parser("index", parents=[common], help="build (or check) the index cache and print its figures")
    ix.set_defaults(handler=cmd_index)

    src = sub.add_parser("sources", parents=[common], help="list the articles in the corpus")
    src.set_defaults(handler=cmd_sources)
    return parser


def _positive(value: str) -> int:
    """An argparse type: a whole number of 1 or more (so `-k 0` is a usage error, exit 2)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {value!r}")
    return number


def _setup_logging(config: Config, verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose == 1 else getattr(logging, config.log_level)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))  # its INFO lines would log the token URL


# --- commands ----------------------------------------------------------------------------


def cmd_ask(args, config: Config) -> int:
    bot = open_bot(config)
    answer = bot.answer(args.question, passages=args.passages)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    elif not answer.answered:
        print(plain(answer, style=Style(color=sys.stdout.isatty())))
    else:
        print(_passages_text(answer, args.passages or 1, args.question, Style(color=sys.stdout.isatty())))
    return EXIT_OK


def _passages_text(answer, k: int, question: str, style: Style) -> str:
    """The best `k` passages, and how to see the rest (plain() only counts them)."""
    hits = answer.passages
    shown = min(k, len(hits))
    parts = [plain(replace(answer, passages=hits[: i + 1], **({"notice": None} if i else {})), which=i, style=style)
             for i in range(shown)]
    if shown > 1:
        parts = [style.dim(f"[passage {i + 1} dari {len(hits)}]") + "\n" + p for i, p in enumerate(parts)]
    text = "\n\n".join(parts)
    if shown < len(hits):
        quoted = shlex.quote(question) if len(question) <= 80 else '"…"'
        text += "\n" + style.dim(f"({len(hits) - shown} passage lain tersedia — uccn-bot ask -k {len(hits)} "
                                 f"{quoted} untuk melihatnya)")
    return text


def cmd_repl(args, config: Config) -> int:
    from .repl import run_repl

    return run_repl(config, open_bot(config))


def cmd_eval(args, config: Config) -> int:
    from ..evaluation.evaluate import run_eval

    return run_eval(args, config)


def cmd_telegram(args, config: Config) -> int:
    from .telegram_bot import run_telegram

    return run_telegram(config)


def cmd_index(args, config: Config) -> int:
    started = time.perf_counter()
    index = load_index(config)
    elapsed = time.perf_counter() - started
    print(f"corpus:    {config.corpus_path} ({len(index.documents)} articles, {len(index)} passages)")
    print(f"terms:     {index.term_count:,} ({index.postings_count:,} postings)")
    print(f"cache:     {Path(config.cache_dir) / index.key} ({'loaded' if index.from_cache else 'built'} in {elapsed:.2f} s)")
    print(f"protected: {', '.join(sorted(index.analyzer.protected)) or '-'}")
    print(f"names:     {len(index.names):,}; places: {', '.join(sorted(index.places)[:12]) or '-'}"
          f"{' …' if len(index.places) > 12 else ''}")
    print(f"answering: {answering_mode(config)}")
    for path, note in index.recoded:
        print(f"re-encoded: {path} ({note})")
    for path, reason in index.skipped:
        print(f"skipped:   {path} ({reason})")
    # A partial corpus still serves questions, but a build script should notice it.
    return EXIT_ERROR if index.skipped else EXIT_OK


def cmd_sources(args, config: Config) -> int:
    bot = open_bot(config)
    for line in source_lines(bot.index):
        print(line)
    return EXIT_OK



if __name__ == "__main__":
    sys.exit(main())
