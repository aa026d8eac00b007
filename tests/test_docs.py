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


# Links between the documents: ``[text](target)`` where the target is a file of the
# repository, a heading of it (``file.md#anchor``) or a heading of the same file
# (``#anchor``). Code (fenced blocks and inline spans) is not read: a TOML comment
# is no heading and ``[link=...](...)`` in an example is no link.
DOCUMENTS = ("README.md", "docs")
_FENCE_RE = re.compile(r"^(```|~~~)")
_CODE_SPAN_RE = re.compile(r"`[^`\n]*`")
_LINK_RE = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")


def _prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks, with inline code spans left out."""
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE_RE.match(line.strip()):
            fenced = not fenced
            lines.append("")
            continue
        lines.append("" if fenced else _CODE_SPAN_RE.sub("", line))
    return lines


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    """Every heading's anchor in a Markdown file; a repeated heading's gets -1, -2, ..."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in _prose_lines(path.read_text(encoding="utf-8")):
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        slug = _slug(match.group(1))
        anchors.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return anchors


def _documents() -> list[Path]:
    found = []
    for name in DOCUMENTS:
        path = ROOT / name
        found += sorted(path.rglob("*.md")) if path.is_dir() else [path]
    return found


def _broken_links(path: Path) -> list[str]:
    broken = []
    lines = _prose_lines(path.read_text(encoding="utf-8"))
    for number, line in enumerate(lines, 1):
        for target in _LINK_RE.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not a file
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)}:{number}: {target}"
            if not linked.is_relative_to(ROOT):
                broken.append(f"{where} (outside the repository)")
            elif not linked.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and (linked.suffix != ".md" or anchor not in _anchors(linked)):
                broken.append(f"{where} (no such heading)")
    return broken


def test_link_checker_reads_links_and_headings(tmp_path: Path) -> None:
    assert _slug("PostgreSQL and several workers") == "postgresql-and-several-workers"
    assert _slug("events_eval.py") == "events_evalpy"
    assert _slug("12. Tests and benchmarks") == "12-tests-and-benchmarks"
    assert _slug("dedupe_eval.py, dedupe_scale.py and ingest_order.py") == (
        "dedupe_evalpy-dedupe_scalepy-and-ingest_orderpy"
    )
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n## Part\n\n## Part\n\n```toml\n# not a heading\n```\n\n"
        "[ok](#part-1) [ok](#title) [gone](#not-a-heading) [gone](missing.md)\n"
        "`[link=x](#nowhere)` [web](https://example.com/#x)\n",
        encoding="utf-8",
    )
    assert _anchors(page) == {"title", "part", "part-1"}
    lines = _prose_lines(page.read_text(encoding="utf-8"))
    targets = [t for line in lines for t in _LINK_RE.findall(line)]
    assert targets == [
        "#part-1",
        "#title",
        "#not-a-heading",
        "missing.md",
        "https://example.com/#x",
    ]


def test_every_relative_link_and_anchor_of_the_documents_resolves() -> None:
    documents = _documents()
    assert ROOT / "README.md" in documents and ROOT / "docs" / "benchmarks.md" in documents
    broken = [hit for path in documents for hit in _broken_links(path)]
    assert not broken, "links to no file or heading of the repository:\n" + "\n".join(broken)


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, f"README.md has no section '## {title}'"
    return match.group(1)


def test_readme_benchmark_table_names_scripts_that_exist() -> None:
    section = _readme_section("Benchmarks")
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert rows, "the README's Benchmarks section has no table"
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header == ["figure", "goal", "current", "script"]
    assert all(set(cell.strip()) <= set("-:") for cell in rows[1].strip("|").split("|"))
    missing = []
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        assert len(cells) == 4, f"a row of the benchmarks table has {len(cells)} cells: {row}"
        scripts = re.findall(r"benchmarks/([\w.]+\.py)", cells[3])
        assert len(scripts) == 1, f"a row must name one script of benchmarks/: {row}"
        if not (ROOT / "benchmarks" / scripts[0]).is_file():
            missing.append(scripts[0])
    assert not missing, f"the README's table names scripts benchmarks/ does not hold: {missing}"
    assert "(docs/benchmarks.md)" in section


def test_readme_quick_start_is_make_run_and_make_test() -> None:
    section = _readme_section("Quick start")
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the Quick start has no sh block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]
