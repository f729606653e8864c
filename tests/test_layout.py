"""The layout of DESIGN.md holds: no import circle, tools below the chapter, small modules, no machine paths.

The import graph is read from the source (an AST walk, lazy imports inside functions included), so
a circle fails here before it can bite at run time.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("derivations", "numeric")
#: DESIGN.md: "a module a reader holds in one or two screens (~400 lines at most)".
MAX_LINES = 400
#: The chapter's rooms: one module or package per topic.  The tools (DESIGN.md: chain, calculus)
#: never import them, nor the machinery that checks the chapter (registry, check builders, report, CLI).
CHAPTER = ("activations", "layers", "backprop", "initialization", "stability", "training", "note")
MACHINERY = ("claims", "checking", "report", "cli")
TOOLS = ("chain", "calculus")


def _modules() -> dict[str, Path]:
    """Every module of the two packages, by dotted name (a package by its ``__init__``)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports anywhere in its source (top level or inside functions)."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    edges = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import sub` imports the submodule pkg.sub when there is one, else a name of pkg.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # `import numeric.mlp.x` -> the module that exists
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
    return edges


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_lazy_and_relative_imports():
    edges = _imports("derivations.claims", MODULES["derivations.claims"])
    assert "derivations.check" in edges  # `from .check import ...` at the top
    lazy = [m for m, e in GRAPH.items() if m.startswith("derivations.") and "numeric.activations" in e]
    assert lazy, "the chapter imports numeric inside functions; the reader must see those imports"


def test_no_import_circles():
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize("tool", TOOLS)
def test_a_tool_never_imports_the_chapter_or_its_machinery(tool):
    below = {f"derivations.{m}" for m in CHAPTER + MACHINERY}
    offending = {
        (m, t)
        for m, edges in GRAPH.items()
        if m == f"derivations.{tool}" or m.startswith(f"derivations.{tool}.")
        for t in edges
        if any(t == b or t.startswith(b + ".") for b in below)
    }
    assert not offending, f"the {tool} tool imports the chapter: {sorted(offending)}"


def test_numeric_never_imports_sympy_or_derivations():
    offending = []
    for name, path in MODULES.items():
        if not name.startswith("numeric"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            offending += [(name, n) for n in names if n.split(".")[0] in ("sympy", "derivations")]
    assert offending == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_fits_in_two_screens(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines; split it by subject"


def _tracked_files() -> list[Path]:
    """The files git tracks (every file below the root outside a checkout, e.g. an unpacked sdist)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True).stdout
        return [ROOT / p for p in out.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".hypothesis", ".pytest_cache", "__pycache__"}
        return [
            p
            for p in ROOT.rglob("*")
            if p.is_file() and not skip & set(p.parts) and not any(s.startswith(".venv") for s in p.parts)
        ]


#: What an absolute path of a developer's machine looks like (assembled, so this file does not match).
MACHINE_PATH = re.compile(
    "|".join(
        [
            r"(?<![\w.~-])/" + "(?:work|root|tmp|opt|srv|mnt)" + r"/[\w.-]",
            r"(?<![\w.~-])/" + "(?:home|Users)" + r"/[\w.-]+/",
            r"\b[A-Z]:\\" + r"(?:Users|Documents and Settings)\\",
            r"/" + r"(?:venv|\.venv[\w-]*)" + r"/(?:bin|lib)/",
        ]
    )
)


def test_the_path_pattern_matches_machine_paths_only():
    for path in (
        "/" + "work/venv",
        "/" + "home/ada/x",
        "C:" + "\\Users\\ada",
        "x/" + "venv/bin/python",
        "/" + "root/.cache",
    ):
        assert MACHINE_PATH.search(path), path
    for fine in (
        "tests/test_cli.py",
        "https://example.org/" + "work/x",
        "numeric/init.py",
        "~/data/fashion-mnist",
        "a/b",
    ):
        assert not MACHINE_PATH.search(fine), fine


def test_no_tracked_file_names_a_path_of_this_machine():
    hits = []
    for path in _tracked_files():
        if path.suffix in (".png", ".gz") or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if match := MACHINE_PATH.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r}")
    assert hits == []
