"""The answering core: question → ranked, read and decided passages → `Answer`.
Knows nothing of terminals or Telegram; see `bot.Bot` for how the stages compose."""

from .bot import Bot
from .settings import AnswerSettings

__all__ = ["AnswerSettings", "Bot"]
