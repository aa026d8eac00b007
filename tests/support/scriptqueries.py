"""Queries cut from real stories in scripts written without spaces, for recall tests.

Run as a script it prints them for an archive::

    python tests/support/scriptqueries.py archive/news.db

Each query is a piece of a story's own title or body: a substring of one of
its runs of Chinese, Japanese, Korean or Thai text (1-4 characters, where
such texts have their words), optionally with a Latin word of the same story
("mixed"). Searching for it must find that story.
"""

from __future__ import annotations

import random
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Iterator

from aggregator.search.scripts import NO_SPACE_RANGES

_CLASS = "".join(f"{chr(a)}-{chr(b)}" for a, b in NO_SPACE_RANGES)
RUN = re.compile(f"[{_CLASS}]+")
LATIN = re.compile(r"\b[A-Za-z][A-Za-z0-9]{2,}\b")


def _is_mark(char: str) -> bool:
    """A Thai vowel or tone mark (and the like): not a query on its own."""
    return unicodedata.category(char).startswith("M")


def stories(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """``(id, title, body)`` of each story with text in such a script."""
    for story_id, title, body in conn.execute("SELECT id, title, body FROM stories ORDER BY id"):
        if RUN.search(title) or RUN.search(body):
            yield story_id, title, body


def queries(conn: sqlite3.Connection, *, seed: int = 15) -> list[tuple[str, int, str]]:
    """``(query, story id, kind)`` for every such story: kind ``title``, ``body``,
    ``char`` (one character) or ``mixed`` (with a Latin word of the story)."""
    rng = random.Random(seed)
    out: list[tuple[str, int, str]] = []
    for story_id, title, body in stories(conn):
        for kind, text, count in (("title", title, 2), ("body", body, 3)):
            runs = [m.group() for m in RUN.finditer(text) if len(m.group()) >= 2]
            for _ in range(count if runs else 0):
                run = rng.choice(runs)
                size = rng.randint(2, min(4, len(run)))
                start = rng.randrange(len(run) - size + 1)
                cut = run[start : start + size]
                if all(_is_mark(c) for c in cut):
                    continue  # a Thai vowel and tone mark alone: nobody types that
                out.append((cut, story_id, kind))
        chars = [c for c in "".join(RUN.findall(title + body)) if not _is_mark(c)]
        if chars:
            out.append((rng.choice(chars), story_id, "char"))
        latin = LATIN.findall(title + " " + body)
        runs = [r for r in RUN.findall(body) if len(r) >= 2]
        if latin and runs:
            run = rng.choice(runs)
            out.append((f"{run[:2]} {rng.choice(latin)}", story_id, "mixed"))
    return out


if __name__ == "__main__":
    with sqlite3.connect(sys.argv[1]) as db:
        for query, story_id, kind in queries(db):
            print(f"{story_id}\t{kind}\t{query}")
