"""Queries that are other inflections of real stories' words, for stemming recall tests.

Run as a script it prints them for an archive::

    python tests/support/stemqueries.py archive/news.db

For each story in a stemmed language (German, French, Spanish...), a query
is a word of another story of the same language that has the same stem as a
word of this story's title or body but is written differently, and is not
in this story at all (``Regierungen`` for a story that says only
``Regierung``). Searching for it must find the story: only the stems tie the
two together.
"""

from __future__ import annotations

import random
import sqlite3
import sys
from collections import defaultdict

from aggregator.search.stemming import STEM_LANGUAGES, stem_word, tokens

MIN_LETTERS = 5  # shorter words are mostly function words


def _words(text: str) -> set[str]:
    return {w.lower() for w in tokens(text) if w.isalpha()}


def queries(
    conn: sqlite3.Connection, *, seed: int = 18, per_story: int = 2
) -> list[tuple[str, int, str]]:
    """``(query, story id, language)``: up to ``per_story`` queries for each story
    in a stemmed language."""
    rng = random.Random(seed)
    rows = conn.execute(
        "SELECT id, lang, title, body FROM stories WHERE lang IN"
        f" ({', '.join('?' * len(STEM_LANGUAGES))}) ORDER BY id",
        list(STEM_LANGUAGES),
    ).fetchall()
    forms: dict[tuple[str, str], set[str]] = defaultdict(set)  # (lang, stem) -> words
    texts = {}
    for story_id, lang, title, body in rows:
        words = _words(f"{title}\n{body}")
        texts[story_id] = words
        for word in words:
            if len(word) >= MIN_LETTERS:
                forms[(lang, stem_word(word, lang))].add(word)
    out: list[tuple[str, int, str]] = []
    for story_id, lang, title, _ in rows:
        words = texts[story_id]
        # Words of the title first (what readers remember), then of the body.
        ordered = sorted(w for w in _words(title) if len(w) >= MIN_LETTERS)
        ordered += sorted(w for w in words - set(ordered) if len(w) >= MIN_LETTERS)
        picked = 0
        for word in ordered:
            others = sorted(forms[(lang, stem_word(word, lang))] - words)
            if others:
                out.append((rng.choice(others), story_id, lang))
                picked += 1
                if picked == per_story:
                    break
    return out


if __name__ == "__main__":
    with sqlite3.connect(sys.argv[1]) as db:
        for query, story_id, lang in queries(db):
            print(f"{story_id}\t{lang}\t{query}")
