"""The front ends: thin adapters that take a question from their medium, call
`Bot.answer` (opened by `uccn_bot.app`) and render the `Answer` with `render`.
None imports another."""
