"""The package's architecture, checked from the source: no import cycles, imports only
downwards, and no SQL outside ``store``.

Every module of ``aggregator`` is parsed with :mod:`ast`; imports count at any
depth (a lazy import inside a function is still a dependency), except those in
an ``if TYPE_CHECKING:`` block, which never run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import aggregator

PACKAGE_DIR = Path(aggregator.__file__).parent

# The layers, lowest first. A module's layer is its subpackage, or "foundation"
# for the top-level modules that everything may use; the entry points belong
# with the command line.
FOUNDATION = {"errors", "models", "timeutil", "tomlfile", "defaults", "libc"}
ENTRY = {"_entry", "__main__"}

_DOMAIN = {"foundation", "story", "dedupe", "search", "questions", "ingest"}
_SERVICES = _DOMAIN | {"store", "poll", "digest"}

# What each layer may import (its own layer included). "store.search" is the
# one store module the command line may use directly: the fast search path.
ALLOWED: dict[str, set[str]] = {
    "foundation": {"foundation"},
    "story": {"foundation", "story"},
    "dedupe": {"foundation", "dedupe"},
    "search": {"foundation", "search"},
    "questions": {"foundation", "story", "questions"},
    "ingest": {"foundation", "story", "dedupe", "questions", "ingest"},
    "store": _DOMAIN | {"store"},
    "poll": _DOMAIN | {"store", "poll"},
    "digest": _DOMAIN | {"store", "digest"},
    "app": _SERVICES | {"app"},
    "cli": {"foundation", "story", "search", "store.search", "app", "cli"},
}

# Presentation renders what it is given: it never reaches up into the
# application or down into the store.
PRESENTATION = ("aggregator.cli.output", "aggregator.digest.formats")
PRESENTATION_FORBIDDEN = ("aggregator.app", "aggregator.store")


def module_name(path: Path) -> str:
    """The dotted name of a source file of the package."""
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements at any depth, skipping the body of ``if TYPE_CHECKING:``."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
        return
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        children: list[ast.AST] = list(node.orelse)
    else:
        children = list(ast.iter_child_nodes(node))
    for child in children:
        yield from _import_nodes(child)


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports.

    Relative imports are resolved, and ``from pkg import mod`` counts as importing ``pkg.mod``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets = []
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                targets.append(submodule if submodule in modules else source)
        for target in targets:
            # ``import a.b.c`` where only ``a.b`` is ours still depends on ``a.b``.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def all_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group, found by removing each found cycle's first edge."""
    graph = {k: set(v) for k, v in graph.items()}
    cycles = []
    while cycle := find_cycle(graph):
        cycles.append(cycle)
        graph[cycle[0]].discard(cycle[1])
    return cycles


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "foundation"  # the package's own __init__: errors and models only
    if len(parts) == 2 and parts[1] in FOUNDATION:
        return "foundation"
    if len(parts) == 2 and parts[1] in ENTRY:
        return "cli"
    return parts[1]


def test_the_graph_sees_lazy_relative_and_submodule_imports() -> None:
    graph = import_graph()
    # A top-level import, a lazy one inside a function, ``from pkg import module``.
    assert "aggregator.errors" in graph["aggregator.tomlfile"]
    assert "aggregator.cli.search" in graph["aggregator._entry"]
    assert "aggregator.models" in graph["aggregator"]
    # The layer table names every subpackage there is.
    assert {layer_of(m) for m in graph} <= set(ALLOWED)


def test_the_cycle_finder_finds_every_cycle_and_only_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": {"d", "a"}, "f": {"a"}}
    cycles = all_cycles(graph)
    assert [c[0] for c in cycles] == ["a", "d"]
    assert cycles[0] == ["a", "b", "c", "a"]
    assert all_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycles() -> None:
    cycles = all_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_layers_only_import_downwards() -> None:
    wrong = []
    for module, targets in sorted(import_graph().items()):
        allowed = ALLOWED[layer_of(module)]
        for target in sorted(targets):
            layer = layer_of(target)
            if layer in allowed or (layer == "store" and target[len("aggregator.") :] in allowed):
                continue
            wrong.append(f"{module} ({layer_of(module)}) imports {target} ({layer})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_presentation_does_not_import_the_application_or_the_store() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, targets in sorted(import_graph().items())
        if module.startswith(PRESENTATION)
        for target in sorted(targets)
        if target.startswith(PRESENTATION_FORBIDDEN)
    ]
    assert not wrong, "\n".join(wrong)


# An SQL statement: its keyword in capitals, then what must follow it in SQL
# ("SELECT ... FROM", "INSERT INTO", "UPDATE t SET" ...). Prose that starts
# with such a word ("Select the feeds ...") does not have both.
_SQL_RE = re.compile(
    r"""\s*(?:
        SELECT\s.*?\bFROM\s
      | SELECT\s+(?:COUNT|EXISTS|\d|\?|1\b)
      | INSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\s
      | REPLACE\s+INTO\s
      | UPDATE\s+(?:OR\s+[A-Z]+\s+)?\[?\w+\]?\s+SET\s
      | DELETE\s+FROM\s
      | CREATE\s+(?:UNIQUE\s+|VIRTUAL\s+|TEMP\s+|TEMPORARY\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\s
      | DROP\s+(?:TABLE|INDEX|VIEW|TRIGGER)\s
      | ALTER\s+TABLE\s
      | PRAGMA\s+\w+
      | WITH\s+(?:RECURSIVE\s+)?\w+(?:\s*\([^)]*\))?\s+AS\s*\(
      | BEGIN(?:\s+(?:DEFERRED|IMMEDIATE|EXCLUSIVE))?(?:\s+TRANSACTION)?\s*;?\s*$
      | (?:COMMIT|ROLLBACK|VACUUM|ANALYZE)\s*;?\s*$
    )""",
    re.VERBOSE | re.DOTALL,
)


def is_sql(text: str) -> bool:
    """Whether a string constant is an SQL statement."""
    return _SQL_RE.match(text) is not None


def package_modules() -> Iterator[tuple[str, Path]]:
    """``(dotted name, path)`` of every module of the package."""
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def string_constants(source: str) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of every string literal that is not a docstring.

    Adjacent literals are one constant already; an f-string's text is read
    with each replacement field as ``?``.
    """
    tree = ast.parse(source)
    skip = _docstrings(tree)
    inside_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                inside_fstring.add(id(value))
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    parts.append("?")
            yield node.lineno, "".join(parts)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and id(node) not in inside_fstring
        ):
            yield node.lineno, node.value


def test_the_sql_detector_tells_statements_from_prose() -> None:
    statements = [
        "SELECT COUNT(*) FROM stories",
        "SELECT id, url FROM stories WHERE url_key = ? ORDER BY id LIMIT 16",
        "  SELECT s.id\n  FROM sources s",
        "INSERT OR IGNORE INTO sources (story_id) VALUES (?)",
        "UPDATE feeds SET enabled = 0 WHERE id = ?",
        "DELETE FROM story_bands",
        "CREATE INDEX stories_url_key ON stories (url_key)",
        "CREATE VIRTUAL TABLE [stories_fts] USING FTS5 (title)",
        "PRAGMA user_version",
        "WITH recent AS (SELECT id FROM stories) SELECT * FROM recent",
        "BEGIN IMMEDIATE",
        "COMMIT",
        "SELECT 1",
    ]
    prose = [
        "Select the feeds to poll from the config.",
        "Update the feed's state after a poll",
        "With --json, print the stories from the archive as JSON",
        "select",
        "DELETE",
        "Begin with the newest story",
        "Commit message",
        "updated",
        "SELECTED from 3 feeds",
    ]
    assert [s for s in statements if not is_sql(s)] == []
    assert [p for p in prose if is_sql(p)] == []


def test_string_constants_skip_docstrings_and_read_fstrings() -> None:
    source = (
        'def f(table):\n    """SELECT x FROM y is fine in a docstring."""\n'
        '    return f"SELECT COUNT(*) FROM {table}"\n'
    )
    found = [text for _, text in string_constants(source)]
    assert found == ["SELECT COUNT(*) FROM ?"]


def test_no_sql_outside_store() -> None:
    """Every SQL statement of the package lives in ``aggregator.store``."""
    modules = list(package_modules())
    assert any(name == "aggregator.store.archive" for name, _ in modules)
    in_store = 0
    offenders: list[str] = []
    for name, path in modules:
        for line, text in string_constants(path.read_text(encoding="utf-8")):
            if not is_sql(text):
                continue
            if name == "aggregator.store" or name.startswith("aggregator.store."):
                in_store += 1
            else:
                first = text.strip().splitlines()[0][:60]
                offenders.append(f"{name}:{line}: {first}")
    assert in_store > 50, "the detector no longer sees the store's own SQL"
    assert offenders == []
