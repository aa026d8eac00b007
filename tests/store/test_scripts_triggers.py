"""The triggers that note stories for ``stories_cjk`` note exactly the stories with such text.

They test cheap conditions before the full pattern; whatever the text, the
stories they note must be those :func:`has_no_space_script` finds, whether a
story is inserted, updated or deleted by our code or by plain SQL.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.search.scripts import NO_SPACE_RANGES, has_no_space_script
from aggregator.store.archive import SCHEMA_VERSION, Archive

# Text that looks like news in many scripts: ASCII, Latin with typographic quotes and
# dashes, Cyrillic, Greek, Arabic, emoji, symbols, and a character of each no-space script.
_EDGES = [chr(c) for a, b in NO_SPACE_RANGES for c in (a - 1, a, b, b + 1)]
_LATIN = st.one_of(
    st.sampled_from("abc XYZ 0123 .,;'\"<>&"),
    st.sampled_from("éüßñ’“”–—…•€™←→∑"),
    st.sampled_from("жЖѢαΩعربي"),
)
_CHARS = st.one_of(
    _LATIN,
    st.sampled_from("😀🚀🇺"),
    st.sampled_from(_EDGES),
    st.characters(min_codepoint=0x20, max_codepoint=0x10FFFF, exclude_categories=("Cs",)),
)
# Latin-like text with at most the edges of the ranges: no emoji or CJK elsewhere
# that would let a wrong cheap test pass for the wrong reason.
_TEXT = st.text(_CHARS, max_size=40) | st.text(_LATIN | st.sampled_from(_EDGES), max_size=40)


_TEMPLATE: list[bytes] = []


def _archive(tmp_path: Path) -> Path:
    """A new, empty archive (a copy of one made once: the property test makes hundreds)."""
    db = tmp_path / "news.db"
    if not _TEMPLATE:
        Archive(db).close()
        _TEMPLATE.append(db.read_bytes())
    db.write_bytes(_TEMPLATE[0])
    return db


def _noted(conn: sqlite3.Connection) -> set[int]:
    rows = conn.execute("SELECT story_id FROM stories_cjk_pending").fetchall()
    conn.execute("DELETE FROM stories_cjk_pending")
    return {r[0] for r in rows}


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=8))
def test_inserts_updates_and_deletes_note_the_stories_with_such_text(
    rows: list[tuple[str, str]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = _archive(Path(tmp))
        conn = sqlite3.connect(db, isolation_level=None)
        want: set[int] = set()
        for i, (title, body) in enumerate(rows, start=1):
            conn.execute(
                "INSERT INTO stories (id, category, title, body, published)"
                " VALUES (?, 'WORLD', ?, ?, '2024-05-01T00:00:00Z')",
                (i, title, body),
            )
            if has_no_space_script(title) or has_no_space_script(body):
                want.add(i)
        assert _noted(conn) == want
        # An update is noted when the old or the new text has such a script.
        for i, (title, body) in enumerate(rows, start=1):
            conn.execute("UPDATE stories SET body = ? WHERE id = ?", (title + body, i))
        changed = {
            i
            for i, (title, body) in enumerate(rows, start=1)
            if has_no_space_script(title) or has_no_space_script(body)
        }
        assert _noted(conn) == changed
        conn.execute("DELETE FROM stories")
        assert _noted(conn) == changed
        conn.close()


def test_long_latin_text_with_one_such_character_at_its_end(tmp_path: Path) -> None:
    db = _archive(tmp_path)
    tails = ("", "東", "ก", "ᄀ", "\U00020000", "\u3005", "\u0dff", "\u2e7f")
    with sqlite3.connect(db, isolation_level=None) as conn:
        for emoji in ("", "🚀 "):
            body = f"“Quotes” — dashes… and €uros, Ελληνικά, русский, ™ → {emoji}" * 60
            for tail in tails:
                conn.execute(
                    "INSERT INTO stories (category, title, body, published)"
                    " VALUES ('WORLD', 'Title', ?, '2024-05-01T00:00:00Z')",
                    (body + tail,),
                )
            assert len(_noted(conn)) == sum(map(has_no_space_script, tails)) == 5, emoji


def test_older_archives_get_the_new_triggers(tmp_path: Path) -> None:
    db = _archive(tmp_path)
    with sqlite3.connect(db) as conn:  # triggers as schema 5 left them
        conn.execute("DROP TRIGGER stories_cjk_ai")
        conn.execute(
            "CREATE TRIGGER stories_cjk_ai AFTER INSERT ON stories WHEN new.body GLOB '*[東]*'"
            " BEGIN INSERT INTO stories_cjk_pending (story_id) VALUES (new.id); END"
        )
        conn.execute("PRAGMA user_version = 5")
    with Archive(db) as archive:
        version = archive.conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == SCHEMA_VERSION
    with sqlite3.connect(db, isolation_level=None) as conn:
        sql = conn.execute(
            "SELECT group_concat(sql) FROM sqlite_master WHERE name LIKE 'stories_cjk_a_'"
        ).fetchone()[0]
        assert sql.count("CAST(") >= 6  # every trigger tests lengths first
        conn.execute(
            "INSERT INTO stories (id, category, title, body, published)"
            " VALUES (1, 'WORLD', 'ソウル', 'text', '2024-05-01T00:00:00Z')"
        )
        assert _noted(conn) == {1}
