"""uccn-bot: answers Indonesian questions about the UNESCO Creative Cities Network from a
corpus of articles, always citing the passage it answers from.

    from uccn_bot import open_bot, load_config
    bot = open_bot(load_config())
    answer = bot.answer("Kapan Pekalongan jadi Kota Kreatif?")
"""

__version__ = "0.1.0"

import os  # noqa: E402

# One BLAS thread: the answer model's small matrices gain nothing from a second one, and on a
# busy machine its spin-waiting made reads up to ten times slower (docs/reader.md). Set before
# numpy loads; a caller's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# No thread pool in the tokenizer either: a helper thread started from the main thread may be
# the one the kernel hands Ctrl-C to, and the REPL waiting in readline would not notice it.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from .answering import AnswerSettings, Bot  # noqa: E402
from .app import open_bot  # noqa: E402
from .config import Config, load_config  # noqa: E402
from .core import Answer, Hit  # noqa: E402

__all__ = ["Answer", "AnswerSettings", "Bot", "Hit", "Config", "load_config", "open_bot", "__version__"]
