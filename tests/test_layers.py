"""The package layering that each sub-package's docstring states, enforced.

Domains sit side by side and import only the shared base (`models`, `urls`)
and what their docstring names; `pipeline` joins them; only `cli` (and
`flows/`) sit above it. An import that breaks this fails here, naming it.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "newsetl"

BASE = {"models", "urls"}
# package -> the newsetl packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "models": set(),
    "urls": set(),
    "page": BASE,
    "enrich": BASE,
    "archive": BASE,
    "web": BASE | {"archive"},
    "store": BASE | {"archive"},
    "pipeline": BASE | {"page", "enrich", "archive", "web", "store"},
    "cli": BASE | {"page", "enrich", "archive", "web", "store", "pipeline"},
    "__init__": set(),
}


def _package(path: Path) -> str:
    return path.relative_to(SRC).with_suffix("").parts[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, newsetl package) of every newsetl import in the file, top-level or not."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "newsetl" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def test_every_module_belongs_to_a_known_package() -> None:
    unknown = {_package(p) for p in SRC.rglob("*.py")} - set(ALLOWED)
    assert not unknown, f"packages without a layering rule: {unknown}"


def test_imports_follow_the_layers() -> None:
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        package = _package(path)
        for line, imported in _imports(path):
            if imported != package and imported not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(SRC)}:{line}: {package} imports {imported}")
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_extraction_never_imports_storage_or_the_web() -> None:
    for package in ("page", "enrich"):
        for path in (SRC / package).rglob("*.py"):
            assert not {p for _, p in _imports(path)} & {"store", "web", "pipeline"}, path


def test_the_package_graph_has_no_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        package = _package(path)
        graph.setdefault(package, set()).update(
            p for _, p in _imports(path) if p != package)
    seen: set[str] = set()

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, "import cycle: " + " -> ".join((*stack, node))
        if node in seen:
            return
        for nxt in graph.get(node, ()):
            visit(nxt, (*stack, node))
        seen.add(node)

    for node in graph:
        visit(node, ())
