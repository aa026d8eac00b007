"""Comments and docs explain the code with what the repository holds.

A maintainer has this repository and nothing else: a comment that says
"(issue 8)" or "see DESIGN.md" points at a tracker or a file they cannot
read. The reasons belong in the comment itself, or in ``docs/design.md``
(pointed at as "see docs/design.md, <section>"). These tests also check that
the document exists, that the README links it, and that every section a
comment points at is a heading of the document.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESIGN = ROOT / "docs" / "design.md"
CHECKED = ("aggregator", "tests", "benchmarks")
SUFFIXES = frozenset({".py", ".md", ".txt", ".toml", ".cfg", ".html", ".j2", ".jinja"})

# "issue 8", "Issue 6 asks", "issues 4", "issue #12"; not a quoted example such as
# the headline "Issue 41" (a double quote right before it). The design document's
# own name is lower case, so the outside file's upper-case name is told apart.
_ISSUE_RE = re.compile(r'(?<!")\b[Ii]ssues? #?\d+')
_OUTSIDE_DOC_RE = re.compile(r"\bDESIGN\.md\b")
_POINTER_RE = re.compile(r"docs/design\.md, ([A-Z][\w -]*[\w])")


def _files() -> list[Path]:
    me = Path(__file__).resolve()
    found = []
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*")):
            if (
                path.is_file()
                and path.suffix in SUFFIXES
                and path.resolve() != me
                and not any(p.startswith(".") or p == "__pycache__" for p in path.parts)
            ):
                found.append(path)
    return found


def _mentions(pattern: re.Pattern[str]) -> list[str]:
    hits = []
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return hits


def test_the_checked_folders_are_read() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _files()}
    assert "aggregator/store/archive.py" in names
    assert "benchmarks/startup.py" in names
    assert "tests/test_docs.py" not in names


def test_patterns_tell_pointers_from_prose() -> None:
    assert _ISSUE_RE.search("pool: every later poll would fail (issue 8).")
    assert _ISSUE_RE.search("Issue 6 asks that search start fast")
    assert _ISSUE_RE.search("see issues 4 and 5, and issue #12")
    assert not _ISSUE_RE.search('titles that disagree ("Issue 41" / "Issue 42")')
    assert not _ISSUE_RE.search("an issue of the magazine, 42 pages")
    assert _OUTSIDE_DOC_RE.search("The layout (see ``DESIGN.md``)")
    assert not _OUTSIDE_DOC_RE.search("see docs/design.md, Start-up time")


def test_no_pointer_to_issue_numbers() -> None:
    hits = _mentions(_ISSUE_RE)
    assert not hits, "say why instead of pointing at an issue:\n" + "\n".join(hits)


def test_no_pointer_to_design_documents_outside_the_repository() -> None:
    hits = _mentions(_OUTSIDE_DOC_RE)
    assert not hits, "point at docs/design.md instead:\n" + "\n".join(hits)


def test_design_document_is_linked_and_pointers_name_its_sections() -> None:
    text = DESIGN.read_text(encoding="utf-8")
    headings = {
        re.sub(r"^\d+\.\s*", "", line.lstrip("#").strip())
        for line in text.splitlines()
        if line.startswith("#")
    }
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/design.md" in readme
    pointers = set()
    for path in _files():
        pointers |= set(_POINTER_RE.findall(path.read_text(encoding="utf-8", errors="replace")))
    missing = sorted(p for p in pointers if p not in headings)
    assert not missing, f"sections pointed at but not in docs/design.md: {missing}"
