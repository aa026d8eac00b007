"""Search in scripts written without spaces, snippets from the article, and ``latest``.

The corpus tests poll the corpus's Chinese, Japanese, Korean and Thai feeds
from a server on 127.0.0.1 through the CLI, then search for pieces of the
stories' own text, cut by ``tests/support/scriptqueries.py``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, make_config_text
from support.httpserver import FeedServer
from support.scriptqueries import RUN, queries

from aggregator.cli.main import cli
from aggregator.models import Story
from aggregator.search.query import to_fts5, uses_scripts
from aggregator.search.scripts import (
    NO_SPACE_RANGES,
    has_no_space_script,
    index_text,
    no_space_at,
    no_space_block_end,
    query_text,
)
from aggregator.store.archive import Archive
from aggregator.store.search import latest, search

SCRIPT_FEEDS = (
    "real-feeds/geekpark__feeder-rss_geekpark.xml",  # Chinese (GeekPark)
    "problem-feeds/encoding/kc0011_gb2312__netnewswire-kc0011.rss",  # Chinese, GB2312
    "problem-feeds/feedparser-tests/illformed/chardet__eucjp.xml",  # Japanese
    "problem-feeds/feedparser-tests/illformed/chardet__euckr.xml",  # Korean
    "problem-feeds/feedparser-tests/illformed/chardet__tis620.xml",  # Thai
    "real-feeds/guardian-world_2022__feeder-rss_theguardian.xml",  # English, for contrast
)


@pytest.fixture(scope="module")
def script_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An archive of the corpus feeds above, polled through the CLI (read only by the tests)."""
    if not (CORPUS / "real-feeds").is_dir():
        pytest.skip(f"feed corpus not found at {CORPUS} (set AGGREGATOR_CORPUS)")
    folder = tmp_path_factory.mktemp("scripts")
    with FeedServer() as server:
        for i, name in enumerate(SCRIPT_FEEDS):
            server.add(f"/f{i}.xml", (CORPUS / name).read_bytes())
        feeds = [{"url": server.url(f"/f{i}.xml"), "category": "world"} for i in range(6)]
        config = folder / "aggregator.toml"
        text = make_config_text(feeds, archive={"path": str(folder / "news.db")})
        config.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["--config", str(config), "fetch", "--json"])
    assert result.exit_code == 0, result.stderr
    assert all(r["outcome"] != "error" for r in json.loads(result.stdout)), result.stdout
    yield folder / "news.db"


def _found(db: Path, query: str) -> set[int]:
    return {hit.id for hit in search(db, query, limit=500).hits}


def test_corpus_queries_find_their_stories(script_archive: Path) -> None:
    with sqlite3.connect(script_archive) as conn:
        cases = queries(conn)
        langs = {r[0] for r in conn.execute("SELECT DISTINCT lang FROM stories")}
    assert len(cases) >= 100
    assert {"zh", "ja", "ko", "th"} <= langs  # the four scripts are all there
    missed = [
        (q, story_id) for q, story_id, _ in cases if story_id not in _found(script_archive, q)
    ]
    recall = 1 - len(missed) / len(cases)
    assert recall >= 0.95, missed[:20]
    by_kind = {kind for _, _, kind in cases}
    assert by_kind == {"title", "body", "char", "mixed"}


def test_words_the_old_index_missed(script_archive: Path) -> None:
    # Counted by hand (grep) in the GeekPark feed: these words are in that many stories.
    with sqlite3.connect(script_archive) as conn:
        for word in ("极客", "三星", "芯片"):
            expected = {
                r[0]
                for r in conn.execute(
                    "SELECT id FROM stories WHERE instr(title, ?) OR instr(body, ?)", (word, word)
                )
            }
            assert len(expected) >= 5
            assert _found(script_archive, word) == expected, word
            # unicode61 alone keeps whole runs as tokens: most are not found there
            old = conn.execute(
                "SELECT count(*) FROM stories_fts WHERE stories_fts MATCH ?", (f'"{word}"',)
            ).fetchone()[0]
            assert old < len(expected)


def test_korean_word_with_its_particle_and_thai_inside_a_run(script_archive: Path) -> None:
    with sqlite3.connect(script_archive) as conn:
        rows = conn.execute("SELECT id, title || ' ' || body, lang FROM stories").fetchall()
    for lang in ("ko", "th"):
        story_id, text, _ = next(r for r in rows if r[2] == lang)
        run = max(RUN.findall(text), key=len)
        assert len(run) >= 4
        middle = run[1:3]  # not a word on its own in the text: inside a longer run
        assert story_id in _found(script_archive, middle), (lang, middle)


def test_mixed_script_queries(script_archive: Path) -> None:
    hits = search(script_archive, "苹果 iPhone", limit=50).hits
    assert hits
    for hit in hits:
        assert uses_scripts("苹果 iPhone")
        with sqlite3.connect(script_archive) as conn:
            title, body = conn.execute(
                "SELECT title, body FROM stories WHERE id = ?", (hit.id,)
            ).fetchone()
        text = (title + " " + body).lower()
        assert "苹果" in text and "iphone" in text
    # A Chinese word OR an English one: the English stories are found too.
    either = _found(script_archive, "三星 OR Trump")
    assert either & _found(script_archive, "Trump")
    # An exclusion in the other script
    assert _found(script_archive, "苹果 -iPhone") == _found(script_archive, "苹果") - _found(
        script_archive, "苹果 iPhone"
    )


def test_highlights_mark_the_query_in_every_script(script_archive: Path) -> None:
    for query in ("芯片", "三星 5nm", "한글", "ゲーム", "Trump"):
        hits = search(script_archive, query, limit=20).hits
        assert hits, query
        words = {w.lower() for w in query.split()}
        for hit in hits:
            marked = {hit.snippet[a:b].lower() for a, b in hit.highlights}
            assert marked, (query, hit.snippet)
            assert marked <= words, (query, marked)


def test_search_reads_and_never_writes(script_archive: Path) -> None:
    before = hashlib.sha256(script_archive.read_bytes()).hexdigest()
    search(script_archive, "芯片 OR chip")
    latest(script_archive, limit=5)
    assert hashlib.sha256(script_archive.read_bytes()).hexdigest() == before


# -- the pairs, through a real FTS5 table -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "三星电子发布新款芯片",
        "東京タワーの夜景",
        "서울에서 만나요",
        "ภาษาไทยง่ายนิดเดียว",
        "Galaxy S21 由三星制造",
        "iPhone12発売",
    ],
)
def test_every_substring_is_found_and_others_are_not(text: str, tmp_path: Path) -> None:
    from aggregator.search.query import FTS_TOKENIZE

    conn = sqlite3.connect(tmp_path / "t.db")
    quoted = FTS_TOKENIZE.replace("'", "''")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize='{quoted}', content='')")
    conn.execute("INSERT INTO t (rowid, body) VALUES (1, ?)", (index_text(text),))
    conn.execute("INSERT INTO t (rowid, body) VALUES (2, ?)", (index_text("无关的内容 unrelated"),))
    for run in RUN.findall(text):
        for size in range(1, len(run) + 1):
            for start in range(len(run) - size + 1):
                piece = run[start : start + size]
                after = run[start + size : start + size + 1]
                if _is_mark(piece[0]) or (after and _is_mark(after)):
                    continue  # a Thai vowel or tone mark cut from its letter
                got = [
                    r[0]
                    for r in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (to_fts5(piece),))
                ]
                assert got == [1], piece
    # Not a substring: its pairs do not stand next to each other.
    shuffled = RUN.findall(text)[0][::-1]
    if shuffled not in text and len(shuffled) > 2:
        assert not conn.execute("SELECT 1 FROM t WHERE t MATCH ?", (to_fts5(shuffled),)).fetchall()


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def test_query_text_of_other_scripts_is_unchanged() -> None:
    for text in ("rust", "C++", "Ünïcödé", "Новости", "الذكاء", ""):
        assert query_text(text) == (text, False)
        assert index_text(text) == text
        assert not has_no_space_script(text)
    assert query_text("中") == ("中", True)
    assert query_text("東京") == ("東京", False)


# -- the index follows every write ------------------------------------------------------


def _story(title: str, body: str, url: str) -> Story:
    from datetime import UTC, datetime

    return Story(
        category="WORLD",
        title=title,
        body=body,
        questions=("Why?", "Who?", "How?"),
        published=datetime(2024, 5, 1, tzinfo=UTC),
        url=url,
    )


def _cjk_check(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO stories_cjk (stories_cjk) VALUES ('integrity-check')")
        assert conn.execute("SELECT count(*) FROM stories_cjk_pending").fetchone()[0] == 0


def test_updates_deletes_and_other_writers(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with Archive(db) as archive:
        archive.import_stories([_story("东京新闻", "今天东京下雨了。", "https://a.example/1")])
    assert len(_found(db, "下雨")) == 1
    with sqlite3.connect(db) as conn:  # a writer without our code: only SQL triggers run
        conn.execute("UPDATE stories SET body = '今天东京下雪了。' WHERE id = 1")
        conn.execute(
            "INSERT INTO stories (id, category, title, body, published) VALUES"
            " (2, 'WORLD', '大阪新闻', '大阪晴天', '2024-05-02T00:00:00Z')"
        )
        conn.execute(
            "INSERT INTO stories (id, category, title, body, published) VALUES"
            " (3, 'WORLD', 'plain English', 'nothing else', '2024-05-02T00:00:00Z')"
        )
    with Archive(db) as archive:  # the next write brings the index up to date
        archive.import_stories([_story("news", "more news", "https://a.example/4")])
    _cjk_check(db)
    assert _found(db, "下雨") == set()
    assert _found(db, "下雪") == {1}
    assert _found(db, "晴天") == {2}
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM stories WHERE id = 2")
        conn.execute("UPDATE stories SET body = 'now English only' WHERE id = 1")
    with Archive(db) as archive:
        archive.import_stories([_story("more", "and more", "https://a.example/5")])
        assert archive.integrity_errors() == []
    _cjk_check(db)
    assert _found(db, "晴天") == set()
    assert _found(db, "下雪") == set()
    assert _found(db, "东京") == {1}  # still in its title


def test_migration_indexes_older_archives(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with Archive(db) as archive:
        archive.import_stories([_story("北京新闻", "北京的天气很好", "https://a.example/1")])
    with sqlite3.connect(db) as conn:  # back to schema 2, as an older version left it
        for table in ("stories_cjk", "stories_stem"):
            for trigger in ("ai", "ad", "au"):
                conn.execute(f"DROP TRIGGER {table}_{trigger}")
        for table in ("stories_cjk", "stories_cjk_pending", "stories_stem_pending"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("ALTER TABLE stories DROP COLUMN lang")
        conn.execute("PRAGMA user_version = 2")
    with Archive(db):
        pass
    assert _found(db, "天气") == {1}
    _cjk_check(db)


def test_the_second_index_comes_with_the_first_story_that_needs_it(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    english = [
        _story(f"Story {i}", f"English text number {i}", f"https://a.example/{i}")
        for i in range(50)
    ]
    with Archive(db) as archive:
        archive.import_stories(english)
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        pages = (
            conn.execute("SELECT count(*) FROM dbstat WHERE name LIKE 'stories_cjk%'").fetchone()[0]
            if _has_dbstat(conn)
            else 1
        )
    assert {n for n in names if n.startswith("stories_cjk")} == {"stories_cjk_pending"}
    assert pages == 1  # the empty queue of the triggers only
    assert _found(db, "下雨") == set()  # a query in the script reads no missing table
    assert len(_found(db, "English")) == 50
    with Archive(db) as archive:
        archive.import_stories([_story("东京新闻", "今天东京下雨了。", "https://b.example/1")])
    assert _found(db, "下雨") == {51}
    _cjk_check(db)


def _has_dbstat(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1")
    except sqlite3.Error:
        return False
    return True


# -- snippets ----------------------------------------------------------------------------


def _document(title: str, body: str, questions: tuple[str, str, str]) -> str:
    lines = ["TECHNOLOGY", "", title, "", "Mon Apr 21 2025", body.strip(), "", "questions", ""]
    lines += [f"    {q}" for q in questions]
    return "\n".join([*lines, "", "actions"]) + "\n"


def test_snippets_come_from_the_article_when_it_matches(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    runner = CliRunner()
    docs = {
        # One mention inside a long sentence of the body, two in the questions:
        # snippet(stories_fts, -1, ...) picks the questions for this one.
        "body.txt": _document(
            "Aquarium news",
            "filler words here and " * 30 + "scientists studied the zebrafish in a tank and"
            " " + "more filler and " * 10 + "the end.",
            ("Will zebrafish replace mice?", "Is zebrafish safe?", "When?"),
        ),
        "questions.txt": _document(
            "Zoo news",
            "The zoo opened a new enclosure this week. " + "Filler words here. " * 30,
            ("Will the okapi like it?", "Who pays for it?", "When does it open?"),
        ),
        "title.txt": _document(
            "Gecko escapes again",
            "An animal left its cage at night. " + "Filler words here. " * 30,
            ("Is the gecko safe?", "Who let it out?", "Will it come back?"),
        ),
    }
    for name, text in docs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = runner.invoke(cli, ["--db", str(db), "import", str(tmp_path / name)])
        assert result.exit_code == 0, result.stderr
    body_hit = search(db, "zebrafish").hits[0]
    assert "scientists studied the zebrafish" in body_hit.snippet  # the body, not the questions
    assert [body_hit.snippet[a:b] for a, b in body_hit.highlights] == ["zebrafish"]
    title_hit = search(db, "gecko").hits[0]
    assert title_hit.snippet.startswith("Gecko escapes")
    question_hit = search(db, "okapi").hits[0]
    assert "Will the okapi like it?" in question_hit.snippet  # nothing else matches


# -- latest ------------------------------------------------------------------------------


def test_latest_lists_the_newest_with_filters_and_pages(script_archive: Path) -> None:
    runner = CliRunner()
    args = ["--db", str(script_archive)]
    result = runner.invoke(cli, [*args, "latest", "--json", "--limit", "100"])
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    with sqlite3.connect(script_archive) as conn:
        newest = [
            r[0] for r in conn.execute("SELECT id FROM stories ORDER BY published DESC, id DESC")
        ]
        by_lang = dict(conn.execute("SELECT id, lang FROM stories").fetchall())
    assert [h["id"] for h in hits] == newest[:100]
    assert all(h["lang"] == by_lang[h["id"]] for h in hits)
    page2 = json.loads(
        runner.invoke(cli, [*args, "latest", "--json", "--limit", "7", "--page", "2"]).stdout
    )
    assert [h["id"] for h in page2] == newest[7:14]
    # query-less search is the same list
    same = json.loads(
        runner.invoke(cli, [*args, "search", "--json", "--limit", "7", "--page", "2"]).stdout
    )
    assert same == page2
    # --feed (by title), --since
    feed = json.loads(runner.invoke(cli, [*args, "latest", "--json", "--feed", "Guardian"]).stdout)
    assert feed and all("Guardian" in " ".join(h["sources"]) for h in feed)
    since = json.loads(
        runner.invoke(
            cli, [*args, "latest", "--json", "--since", "2022-01-01", "--limit", "100"]
        ).stdout
    )
    assert since and all(h["published"] >= "2022-01-01" for h in since)
    assert len(since) < len(hits)
    text = runner.invoke(cli, [*args, "latest", "--category", "nosuch"])
    assert text.exit_code == 0 and "No stories match" in text.stdout
    bad = runner.invoke(cli, [*args, "latest", "--since", "yesterday-ish"])
    assert bad.exit_code != 0 and "Error:" in bad.stderr and "Traceback" not in bad.stderr


def test_latest_on_a_missing_archive_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "latest"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no archive at")
    assert not (tmp_path / "none.db").exists()


def test_show_json_has_the_language(script_archive: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(script_archive, copy)
    with sqlite3.connect(copy) as conn:
        story_id, lang = conn.execute("SELECT id, lang FROM stories WHERE lang = 'zh'").fetchone()
    result = CliRunner().invoke(cli, ["--db", str(copy), "show", str(story_id), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["lang"] == lang == "zh"


def test_search_reads_an_archive_no_writer_has_migrated_yet(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with Archive(db) as archive:
        archive.import_stories([_story("北京 news", "北京 weather is fine", "https://a.example/1")])
    with sqlite3.connect(db) as conn:  # schema 2, as an older version left it
        for table in ("stories_cjk", "stories_stem"):
            for trigger in ("ai", "ad", "au"):
                conn.execute(f"DROP TRIGGER {table}_{trigger}")
        for table in ("stories_cjk", "stories_cjk_pending", "stories_stem_pending"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("ALTER TABLE stories DROP COLUMN lang")
        conn.execute("PRAGMA user_version = 2")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    hits = search(db, "weather").hits
    assert [(h.id, h.lang) for h in hits] == [(1, "")]
    assert _found(db, "北京") == {1}  # a whole run, as the old index has it
    assert [h.id for h in latest(db).hits] == [1]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.parametrize(
    ("token", "at"),
    [("apple与铜", 5), ("privacy", -1), ("서울에서", 0), ("naïve", -1), ("x2ถนน", 2), ("", -1)],
)
def test_where_a_glued_token_turns_into_such_a_script(token: str, at: int) -> None:
    # What the prefix listing steps over: a Latin word glued to such text by unicode61.
    assert no_space_at(token) == at
    if at >= 0:
        end = no_space_block_end(token[at])
        block = next((a, b) for a, b in NO_SPACE_RANGES if a <= ord(token[at]) <= b)
        assert end == block[1]
        assert has_no_space_script(chr(end)) and not has_no_space_script(chr(end + 1))


def test_the_block_end_of_a_latin_letter_is_an_error() -> None:
    with pytest.raises(ValueError):
        no_space_block_end("a")
