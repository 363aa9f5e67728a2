"""`safe_load` for every YAML text the bot reads (configuration, word lists, corpus front matter, Q&A
files): PyYAML's safe loader in its C form (libyaml) when the installed PyYAML has it; the bundled word
lists load about six times faster, some 40 ms of every start. A text the C loader rejects is read again by
the pure-Python loader, whose error names the line where the problem is (libyaml's names where it noticed,
often the line after): messages stay "file:line: problem" as before."""

from __future__ import annotations

import yaml

_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str):
    """The document in `text`, as `yaml.safe_load` reads it (the same types, the same errors)."""
    try:
        return yaml.load(text, Loader=_FAST)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        if _FAST is yaml.SafeLoader:
            raise
    return yaml.safe_load(text)  # raises PyYAML's own error, with its line mark
