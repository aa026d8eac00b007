"""The package's architecture, checked from the source with :mod:`ast`."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import aggregator

PACKAGE_DIR = Path(aggregator.__file__).parent

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
