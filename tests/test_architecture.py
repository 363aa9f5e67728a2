"""The layout tells the truth: no import cycles, the core knows no front end, front ends
do not import each other (the CLI only launches the REPL and the Telegram bot)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools" / "import_graph.py")
import_graph = importlib.util.module_from_spec(spec)
spec.loader.exec_module(import_graph)

GRAPH = import_graph.graph()
FRONT_ENDS = {"frontends.cli", "frontends.repl", "frontends.telegram_bot"}


def test_no_import_cycles():
    assert import_graph.cycles(GRAPH) == []


def test_the_core_imports_no_front_end_and_no_evaluation():
    for module, deps in GRAPH.items():
        if module.startswith(("frontends", "evaluation", "__main__")) or module == "uccn_bot":
            continue
        assert not {d for d in deps if d.startswith(("frontends", "evaluation"))}, module


def test_front_ends_do_not_import_each_other():
    for module in FRONT_ENDS - {"frontends.cli"}:
        assert not GRAPH[module] & FRONT_ENDS, module
    # the launcher starts the others; it takes nothing from them but their entry points
    assert GRAPH["frontends.cli"] & FRONT_ENDS == {"frontends.repl", "frontends.telegram_bot"}


def test_the_import_graph_sees_imports_inside_functions():
    assert "frontends.repl" in GRAPH["frontends.cli"]  # imported lazily, inside cmd_repl
