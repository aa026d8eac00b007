"""Search by stem in the languages with a stemmer other than English (``stories_stem``).

A German, French or Spanish story is found by another inflection of its
words; English stories are found exactly as before (Porter, in
``stories_fts``); the index follows every write, and other tools still find
``stories_fts``.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from conftest import CORPUS, make_config_text
from support.httpserver import FeedServer
from support.stemqueries import queries

from aggregator.cli.main import cli
from aggregator.models import Story
from aggregator.search.query import to_fts5
from aggregator.search.stemming import STEM_LANGUAGES, stem_text, stemmer_check
from aggregator.store import stem_index
from aggregator.store.archive import Archive
from aggregator.store.search import search

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

STEM_FEEDS = (
    "real-feeds/golem_2017__feeder-golem-de.xml",  # German
    "real-feeds/heise-developer_2016__rss-parser-heise.atom",
    "real-feeds/heise_2013__picofeed-heise.rdf",
    "real-feeds/sameday-2017-01-07_codehollow/Rss20Spiegel.xml",
    "real-feeds/sameday-2017-01-07_codehollow/Rss20FazNet.xml",
    "real-feeds/sameday-2017-01-07_codehollow/Rss20DaStandardAt.xml",  # German (Austria)
    "real-feeds/lemonde_2018__feeder-rss_lemonde.xml",  # French
    "real-feeds/pcinpact_2013__picofeed-pcinpact.xml",
    "real-feeds/sameday-2017-01-07_codehollow/Rss10Minutos20.xml",  # Spanish
    "problem-feeds/encoding/20minutos-catalunya_mojibake__codehollow.xml",
)

TEXTS = {
    "de": (
        "Die Bundesregierung plant neue Häuser für Familien",
        "Die Regierungen der Länder wollen bezahlbare Wohnungen bauen. Das Haus des"
        " Ministers wurde gestern besichtigt, und die Städte reagieren.",
    ),
    "fr": (
        "Les élections présidentielles approchent",
        "Le gouvernement prépare les bureaux de vote. Les candidats présentent leurs"
        " programmes aux électeurs des grandes villes.",
    ),
    "es": (
        "Los gobiernos regionales aprueban nuevas leyes",
        "El gobierno central negocia con los partidos. Las elecciones generales serán en"
        " primavera y los niños vuelven a las escuelas.",
    ),
    "en": (
        "Governments approve new housing plans",
        "The government says builders are building houses faster. Elections are near.",
    ),
}


def make_story(n: int, lang: str, title: str, body: str) -> Story:
    return Story(
        category="WORLD",
        title=title,
        published=NOW - timedelta(hours=n),
        body=body,
        questions=(),
        url=f"https://news.example/{lang}/{n}",
        canonical_url=f"https://news.example/{lang}/{n}",
        guid=f"g{lang}{n}",
        lang=lang,
    )


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "news.db"
    with Archive(path) as arch:
        results = arch.import_stories(
            [make_story(i, lang, *TEXTS[lang]) for i, lang in enumerate(TEXTS)], now=NOW
        )
    ids = {lang: story_id for lang, (story_id, _) in zip(TEXTS, results, strict=True)}
    return path, ids


def found(path: Path, query: str, **kwargs: object) -> set[int]:
    return {hit.id for hit in search(path, query, now=NOW, **kwargs).hits}  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def corpus_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The corpus feeds above, polled through the CLI from a server on 127.0.0.1."""
    if not (CORPUS / "real-feeds").is_dir():
        pytest.skip(f"feed corpus not found at {CORPUS} (set AGGREGATOR_CORPUS)")
    folder = tmp_path_factory.mktemp("stems")
    with FeedServer() as server:
        for i, name in enumerate(STEM_FEEDS):
            server.add(f"/f{i}.xml", (CORPUS / name).read_bytes())
        feeds = [{"url": server.url(f"/f{i}.xml")} for i in range(len(STEM_FEEDS))]
        config = folder / "aggregator.toml"
        text = make_config_text(feeds, archive={"path": str(folder / "news.db")})
        config.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["--config", str(config), "fetch", "--json"])
    assert result.exit_code == 0, result.stderr
    assert all(r["outcome"] != "error" for r in json.loads(result.stdout)), result.stdout
    yield folder / "news.db"


def test_corpus_inflections_find_their_stories(corpus_archive: Path) -> None:
    # Queries are words of other stories with the same stem as a word of the
    # story, absent from it (tests/support/stemqueries.py).
    with sqlite3.connect(corpus_archive) as conn:
        cases = queries(conn)
        by_fts = sum(
            (story_id,)
            in conn.execute(
                "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?", (to_fts5(query),)
            ).fetchall()
            for query, story_id, _ in cases
        )
    assert len(cases) >= 200
    assert {lang for _, _, lang in cases} == {"de", "fr", "es"}
    missed = [
        (query, story_id)
        for query, story_id, _ in cases
        if story_id not in found(corpus_archive, query, limit=500)
    ]
    assert 1 - len(missed) / len(cases) >= 0.95, missed[:20]
    assert by_fts / len(cases) < 0.6  # what the stems add: Porter alone finds fewer


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("Haus", "de"),  # the text has "Häuser" and "Hauses"... and "Haus"
        ("Häusern", "de"),
        ("Regierung", "de"),  # "Regierungen", "Bundesregierung" is another word
        ("Stadt", "de"),  # "Städte": the umlaut plural
        ("élection", "fr"),  # "élections"
        ("presidentielle", "fr"),  # without the accent, singular
        ("gouvernements", "fr"),
        ("bureau", "fr"),  # "bureaux"
        ("ley", "es"),  # "leyes"
        ("gobierno regional", "es"),  # "gobiernos regionales"
        ("elección", "es"),  # "elecciones"
    ],
)
def test_another_inflection_finds_the_story(
    archive: tuple[Path, dict[str, int]], query: str, lang: str
) -> None:
    path, ids = archive
    assert ids[lang] in found(path, query)


def test_the_inflection_is_not_found_without_the_stem_index(
    archive: tuple[Path, dict[str, int]],
) -> None:
    # What the test above adds: stories_fts alone (Porter) misses these forms.
    path, ids = archive
    with sqlite3.connect(path) as conn:
        for query, lang in (("Häusern", "de"), ("ley", "es"), ("bureau", "fr")):
            rows = conn.execute(
                "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?", (to_fts5(query),)
            ).fetchall()
            assert (ids[lang],) not in rows, query


def test_english_is_unchanged(archive: tuple[Path, dict[str, int]]) -> None:
    path, ids = archive
    # Porter, as before: "housing" and "houses" share no stem ("hous"/"hous" do).
    assert ids["en"] in found(path, "house")
    assert ids["en"] in found(path, "governments")
    assert ids["en"] in found(path, "build*")
    # An English query word is no German word: the German story is not found by "houses".
    assert ids["de"] not in found(path, "houses")


def test_phrases_prefixes_columns_and_exclusions(archive: tuple[Path, dict[str, int]]) -> None:
    path, ids = archive
    assert ids["fr"] in found(path, '"élection présidentielle"')  # a phrase of stems
    assert ids["fr"] not in found(path, '"présidentielle élection"')  # order counts
    assert ids["de"] in found(path, "Bundesreg*")
    assert ids["de"] in found(path, "title:Haus")
    assert ids["de"] not in found(path, "body:Bundesregierungen")  # only in the title
    assert ids["de"] not in found(path, "Haus -Stadt")
    assert ids["es"] in found(path, "gobierno -Haus")


def test_snippet_highlights_the_inflected_words(archive: tuple[Path, dict[str, int]]) -> None:
    path, ids = archive
    hit = next(h for h in search(path, "Städten", now=NOW).hits if h.id == ids["de"])
    marked = [hit.snippet[a:b] for a, b in hit.highlights]
    assert "Städte" in marked


def test_count_sort_and_filters_include_stem_matches(
    archive: tuple[Path, dict[str, int]],
) -> None:
    path, ids = archive
    results = search(path, "gobiernos", now=NOW)
    assert results.total == len({h.id for h in results.hits})
    assert ids["es"] in {h.id for h in results.hits}
    by_date = search(path, "elección OR Haus OR gouvernement", sort="date", now=NOW).hits
    dates = [h.published for h in by_date]
    assert dates == sorted(dates, reverse=True) and len(by_date) == 3
    assert not found(path, "Häusern", since=NOW + timedelta(days=1))
    assert found(path, "Häusern", category="world") == {ids["de"]}


def test_index_follows_updates_and_deletes(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive(path) as arch:
        [(story_id, _)] = arch.import_stories([make_story(1, "de", *TEXTS["de"])], now=NOW)
        assert found(path, "Häusern") == {story_id}
        with arch.transaction() as conn:
            conn.execute(
                "UPDATE stories SET body = 'Die Schulen öffnen wieder' WHERE id = ?", (story_id,)
            )
        assert found(path, "Schule") == {story_id}
        assert not found(path, "Wohnung")  # the old body is gone from the index
        with arch.transaction() as conn:
            conn.execute("UPDATE stories SET lang = 'en' WHERE id = ?", (story_id,))
        assert not found(path, "Schule")
        with arch.transaction() as conn:
            conn.execute("UPDATE stories SET lang = 'de' WHERE id = ?", (story_id,))
        assert found(path, "Schule") == {story_id}
        with arch.transaction() as conn:
            conn.execute("DELETE FROM sources WHERE story_id = ?", (story_id,))
            conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))
        assert not found(path, "Schule")
        assert arch.integrity_errors() == []
        arch.import_stories([make_story(2, "de", *TEXTS["de"])], now=NOW)
        assert arch.maintain()  # stories_stem merged too
        assert found(path, "Häusern") and arch.integrity_errors() == []
        assert arch.conn.execute("SELECT count(*) FROM stories_stem_pending").fetchone() == (0,)


def test_changed_stemmers_rebuild_the_index(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive(path) as arch:
        [(story_id, _)] = arch.import_stories([make_story(1, "fr", *TEXTS["fr"])], now=NOW)
        with arch.transaction() as conn:  # as if other stemmers had built it
            conn.execute(
                "UPDATE stories_stem_meta SET value = 'older' WHERE name = ?", ("stemmer_check",)
            )
        stem_index._checked.clear()
        arch.import_stories([make_story(2, "fr", "Un gouvernement", "Les élections")], now=NOW)
        check = arch.conn.execute("SELECT value FROM stories_stem_meta").fetchone()[0]
        assert check == stemmer_check()
        assert arch.integrity_errors() == []
    assert story_id in found(path, "électeur")


def test_migration_indexes_stories_already_there(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive(path) as arch:
        [(story_id, _)] = arch.import_stories([make_story(1, "es", *TEXTS["es"])], now=NOW)
    with sqlite3.connect(path) as conn:  # back to version 5: no stories_stem
        for name in ("stories_stem_ai", "stories_stem_ad", "stories_stem_au"):
            conn.execute(f"DROP TRIGGER {name}")
        for name in ("stories_stem", "stories_stem_pending", "stories_stem_meta"):
            conn.execute(f"DROP TABLE IF EXISTS {name}")
        conn.execute("PRAGMA user_version = 5")
    assert found(path, "leyes") == {story_id}  # read-only: stories_fts alone, exact words
    assert not found(path, "ley")
    with Archive(path):
        pass  # migrates
    assert found(path, "ley") == {story_id}


def test_english_archive_pays_nothing(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive(path) as arch:
        arch.import_stories([make_story(i, "en", *TEXTS["en"]) for i in range(3)], now=NOW)
        assert arch.integrity_errors() == []
        arch.maintain()
    with sqlite3.connect(path) as conn:  # not even the empty tables' pages
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {n for n in names if n.startswith("stories_stem")} == {
        "stories_stem_pending",
        "stories_stem_ai",
        "stories_stem_ad",
        "stories_stem_au",
    }
    # A search of an English archive never imports the stemmers (start-up time).
    code = (
        "import sys\nfrom aggregator.store.search import search\n"
        f"search({str(path)!r}, 'government')\nprint('snowballstemmer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_english_stories_with_portuguese_or_slovak_words_are_not_stemmed_as_those(
    tmp_path: Path,
) -> None:
    # "a", "as" and "to" are Portuguese or Slovak words too: these English items are
    # recorded as English, so they are not indexed by a Portuguese or Slovak stem.
    from aggregator.ingest.normalize import normalize_entry
    from aggregator.models import Entry

    items = [
        (
            "Humpback whale gets REALLLLY close",
            "A woman captures incredibly close footage of a humpback whale during a "
            "sightseeing tour near San Juan Island, Washington.",
        ),
        ("Your Daily Mini Crossword", "Solve a bite-size crossword in just a few minutes."),
        ("A 50-year stint", "A 71-year-old veteran returns to his family after serving the U.S."),
    ]
    stories = [
        normalize_entry(
            Entry(guid=f"g{i}", title=title, link=f"https://news.example/{i}", summary_html=body),
            category="news",
            now=NOW,
        )
        for i, (title, body) in enumerate(items)
    ]
    path = tmp_path / "news.db"
    with Archive(path) as arch:
        arch.import_stories(stories, now=NOW)
        arch.maintain()
    with sqlite3.connect(path) as conn:
        assert {r[0] for r in conn.execute("SELECT lang FROM stories")} == {"en"}
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "stories_stem" not in names
    found = search(path, "whales")  # English forms: Porter
    assert [hit.title for hit in found.hits] == ["Humpback whale gets REALLLLY close"]


def test_other_tools_still_find_stories_fts(archive: tuple[Path, dict[str, int]]) -> None:
    path, _ = archive
    db = sqlite_utils.Database(path)
    try:
        assert db["stories"].detect_fts() == "stories_fts"
        rows = list(db["stories"].search("Bundesregierung"))
        assert [r["lang"] for r in rows] == ["de"]
    finally:
        db.close()


def test_stem_text_keeps_words_in_order() -> None:
    assert stem_text("Die Häuser, C++ und #Berlin 2024", "de") == "die haus c++ und #berlin 2024"
    assert set(STEM_LANGUAGES) >= {"de", "fr", "es"}
