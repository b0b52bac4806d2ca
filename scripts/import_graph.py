"""Print voiceguide's import graph (every import, at any depth in a module) and its cycles.

    python scripts/import_graph.py [PACKAGE_DIR]      # default: voiceguide/ beside this script

One line per module: the voiceguide modules it imports. Then every import cycle between modules
(strongly connected components of more than one module), and the five largest modules by lines.
Used for the issue-13 note (before/after the application layer); needs only the standard library.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules this file imports (from-imports of names resolve to a module when
    the name is a submodule)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != "voiceguide":
                found.add(name)
    return found


def graph(root: Path) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    known = set(files)
    return {name: imports(path, known) - {name} for name, path in files.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one member."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "voiceguide"
    edges = graph(root)
    for name in sorted(edges):
        short = sorted(m.removeprefix("voiceguide.") for m in edges[name])
        print(f"{name.removeprefix('voiceguide.')}: {', '.join(short) or '-'}")
    print("\ncycles:")
    for comp in cycles(edges) or [["none"]]:
        print("  " + " <-> ".join(m.removeprefix("voiceguide.") for m in comp))
    sizes = sorted(((len(p.read_text().splitlines()), p) for p in root.rglob("*.py")), reverse=True)
    print("\nlargest modules (lines):")
    for lines, path in sizes[:5]:
        print(f"  {lines:5d}  {path.relative_to(root.parent)}")


if __name__ == "__main__":
    main()
