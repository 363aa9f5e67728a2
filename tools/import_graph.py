"""Print the import graph of src/uccn_bot (module → the package modules it imports), and
exit 1 on a cycle. `docs/architecture.md` shows its output; tests/test_architecture.py
checks the same rules."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "uccn_bot"


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts) or "uccn_bot"


def imports(path: Path) -> set[str]:
    """The package modules `path` imports, at any depth of the file (inside functions too)."""
    name = module_name(path)
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    package = [p for p in package if p != "uccn_bot"]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else list(package)
            target = ".".join(base + ([node.module] if node.module else []))
            if node.module:
                found.add(target)
            else:
                found.update(".".join(base + [a.name]) for a in node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            found.update(n[len("uccn_bot."):] for n in names if n and n.startswith("uccn_bot."))
    known = {module_name(p) for p in PACKAGE.rglob("*.py")}
    return {m if m in known else m.rsplit(".", 1)[0] for m in found if m and (m in known or m.rsplit(".", 1)[0] in known)}


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) - {module_name(p)} for p in sorted(PACKAGE.rglob("*.py"))}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in g:
        if v not in index:
            visit(v)
    return out


def main() -> int:
    g = graph()
    for module, deps in g.items():
        print(f"{module:32} → {', '.join(sorted(deps)) or '-'}")
    found = cycles(g)
    for group in found:
        print("cycle:", " ↔ ".join(group), file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
