"""Schema 10 upgrades, in place, archives that the previous version (schema 9) wrote.

``tests/data/archives/schema9_*.db.gz`` were written by aggregator at schema 9:
the schema-8 archives of ``test_schema9`` upgraded by it, and in
``schema9_english`` two stories imported after the upgrade (one with an
enclosure and a comments link, one published before 1970). Schema 10 keeps
``stories.published`` as Unix seconds and the offline generator's name as
NULL: every row and every output must stay as it was, date filters must select
the same stories, and an upgrade that fails half-way must leave schema 9 as it
was. PostgreSQL (version 5) keeps ``published`` as text and stores the
generator as SQLite does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import fresh_database
from support.archives import rows as _rows
from support.archives import unpack as _unpack
from support.archives import user_version as _version
from support.pgserver import PostgresServer

from aggregator.cli.main import cli
from aggregator.errors import ArchiveError
from aggregator.store import schema
from aggregator.store.archive import SCHEMA_VERSION, Archive
from aggregator.store.engine import open_archive
from aggregator.store.migrate import copy_archive
from aggregator.timeutil import from_db, seconds_of_db, to_db_seconds

NOW = datetime(2026, 12, 3, tzinfo=UTC)

COLUMNS = (
    "id, category, title, body, questions, actions, published, url, url_key, fingerprint,"
    " author, tags, generator, updated_at, lang"
)
WINDOWS = (
    # A date range cut inside the archive's stories, open ranges, and an empty one.
    ("--since", "2025-05-30", "--until", "2025-06-01T06:00:00Z"),
    ("--since", "2025-06-01"),
    ("--until", "2025-05-29"),
    ("--until", "1970-01-01"),
    ("--since", "2030-01-01"),
)


def _outputs(db: Path) -> dict[str, str]:
    """What users see: every story, searches and listings with date filters, events,
    status, an export and digests."""
    runner = CliRunner()
    ids = [r[0] for r in _rows(db, "SELECT id FROM stories ORDER BY id")]
    commands: list[list[str]] = [
        *(["show", str(i), "--format", "json"] for i in ids),
        ["show", str(ids[0])],
        ["search", "the", "--json", "--limit", "100"],
        ["search", "the", "--sort", "date", "--json", "--limit", "100"],
        ["latest", "--json", "--limit", "100"],
        ["search", "the", "--events", "--json"],
        ["status", "--json"],
        ["export", "-"],
        ["digest", "--since", "1960-01-01", "--until", "2030-01-01", "--format", "json"],
        ["digest", "--date", "2025-06-01", "--format", "markdown"],
    ]
    for window in WINDOWS:
        commands += [
            ["search", "the", "--json", "--limit", "100", *window],
            ["latest", "--json", "--limit", "100", *window],
            ["export", "-", *window],
        ]
    out: dict[str, str] = {}
    for args in commands:
        result = runner.invoke(cli, ["--db", str(db), *args])
        assert result.exit_code == 0, (args, result.stderr)
        out[" ".join(args)] = result.stdout
    return out


def _outputs_of(where: str, args: list[str]) -> str:
    result = CliRunner().invoke(cli, ["--db", where, *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _in_seconds(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Rows of COLUMNS as schema 10 keeps them: ``published`` in seconds, the
    offline generator as NULL."""
    return [
        (
            *r[:6],
            to_db_seconds(from_db(str(r[6])) or NOW),
            *r[7:12],
            None if r[12] == "offline" else r[12],
            *r[13:],
        )
        for r in rows
    ]


def test_a_schema_9_archive_keeps_its_rows_and_outputs(tmp_path: Path) -> None:
    db = _unpack("schema9_english.db.gz", tmp_path)
    assert _version(db) == 9
    stories = _rows(db, f"SELECT {COLUMNS} FROM stories ORDER BY id")
    assert all(isinstance(r[6], str) for r in stories)
    assert any(str(r[6]) < "1970" for r in stories)  # before the epoch: negative seconds
    others = {
        t: _rows(db, f"SELECT * FROM {t} ORDER BY 1, 2")
        for t in ("sources", "story_links", "story_bands", "story_events", "events")
    }
    before = _outputs(db)  # read-only commands read schema 9 as it is: dates as text
    assert _version(db) == 9
    # The windows select different stories (the filters are exercised, not all-or-nothing).
    assert len({before[f"latest --json --limit 100 {' '.join(w)}"] for w in WINDOWS}) == len(
        WINDOWS
    )
    with Archive(db) as archive:
        assert archive.integrity_errors() == []
    assert _version(db) == SCHEMA_VERSION == 10
    after = _rows(db, f"SELECT {COLUMNS} FROM stories ORDER BY id")
    assert after == _in_seconds(stories)
    assert all(isinstance(r[6], int) for r in after)
    assert {r[12] for r in after} == {None, "imported"}
    with Archive(db, readonly=True) as archive:  # the name is read back
        assert archive.count_stories(skip_generators=["imported"]) == len(after) - 2
        assert archive.count_stories(skip_generators=["offline"]) == 2
        kept = [i for i, _ in archive.iter_stories(skip_generators=["offline"])]
        assert kept == [r[0] for r in stories if r[12] == "imported"]
    assert {t: _rows(db, f"SELECT * FROM {t} ORDER BY 1, 2") for t in others} == others
    indexed = _rows(db, "SELECT name FROM pragma_index_info('stories_published')")
    assert indexed == [("published",)]
    assert _rows(db, "SELECT count(*) FROM stories_fts WHERE stories_fts MATCH 'moon'") == [(1,)]
    assert _outputs(db) == before


def test_new_stories_after_the_upgrade_are_stored_in_seconds_and_found_by_date(
    tmp_path: Path,
) -> None:
    db = _unpack("schema9_english.db.gz", tmp_path)
    line = (
        '{"category": "SCIENCE", "title": "Comet seen over the lake", "published":'
        ' "2025-06-01T12:00:00+02:00", "body": "A bright comet was seen over the lake."}\n'
    )
    (tmp_path / "one.jsonl").write_text(line)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "import", str(tmp_path / "one.jsonl")])
    assert result.exit_code == 0, result.stderr
    assert _version(db) == 10
    row = _rows(db, "SELECT published FROM stories WHERE title LIKE 'Comet%'")
    assert row == [(to_db_seconds(from_db("2025-06-01T10:00:00Z")),)]  # type: ignore[arg-type]
    for window, found in (
        (["--since", "2025-06-01T10:00:00Z", "--until", "2025-06-01T10:00:01Z"], True),
        (["--since", "2025-06-01T10:00:01Z", "--until", "2025-06-02"], False),
        (["--until", "2025-06-01T10:00:00Z"], False),
    ):
        out = runner.invoke(cli, ["--db", str(db), "search", "comet", "--json", *window])
        assert out.exit_code == 0, out.stderr
        assert ('"Comet seen over the lake"' in out.stdout) is found, window
        shown = runner.invoke(cli, ["--db", str(db), "latest", "--json", *window])
        assert ('"Comet seen over the lake"' in shown.stdout) is found, window


def test_an_upgrade_that_fails_half_way_leaves_schema_9(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _unpack("schema9_english.db.gz", tmp_path)
    stories = _rows(db, f"SELECT {COLUMNS} FROM stories ORDER BY id")
    converted: list[object] = []

    def fail_on_the_tenth(value: str | int | float | bytes | None) -> object:
        converted.append(value)
        if len(converted) == 10:
            raise OSError("the machine stopped")
        return seconds_of_db(value)

    monkeypatch.setattr(schema, "seconds_of_db", fail_on_the_tenth)
    with pytest.raises(ArchiveError):
        Archive(db).close()
    assert len(converted) == 10  # it stopped in the middle of the rows
    assert _version(db) == 9
    assert _rows(db, f"SELECT {COLUMNS} FROM stories ORDER BY id") == stories
    assert "published_s" not in {r[1] for r in _rows(db, "PRAGMA table_info(stories)")}
    monkeypatch.undo()
    with Archive(db) as archive:
        assert archive.integrity_errors() == []
    assert _version(db) == 10
    assert _rows(db, f"SELECT {COLUMNS} FROM stories ORDER BY id") == _in_seconds(stories)


def test_migrate_to_postgresql_and_back_converts_the_dates(
    tmp_path: Path, pg_server: PostgresServer
) -> None:
    """PostgreSQL keeps ``published`` as text (its partition key): the copy converts
    both ways, and what commands print is the same on either engine."""
    db = _unpack("schema9_english.db.gz", tmp_path)
    with Archive(db):
        pass  # upgraded to schema 10
    stories = _rows(db, f"SELECT {COLUMNS} FROM stories ORDER BY id")
    url = fresh_database(pg_server)
    with Archive(db, readonly=True) as source, open_archive(url) as pg:
        copy_archive(source, pg)
        texts = pg.conn.execute("SELECT id, published FROM stories ORDER BY id").fetchall()
    assert [(r[0], to_db_seconds(from_db(r[1]))) for r in texts] == [  # type: ignore[arg-type]
        (r[0], r[6]) for r in stories
    ]
    assert all(str(r[1]).endswith("Z") for r in texts)
    runner = CliRunner()
    for args in (["latest", "--json", "--limit", "100"], ["export", "-", *WINDOWS[0]]):
        on_pg = runner.invoke(cli, ["--db", url, *args])
        on_sqlite = runner.invoke(cli, ["--db", str(db), *args])
        assert on_pg.exit_code == on_sqlite.exit_code == 0, (on_pg.stderr, on_sqlite.stderr)
        if args[0] == "export":
            assert on_pg.stdout == on_sqlite.stdout
    back = tmp_path / "back.db"
    with open_archive(url, readonly=True) as pg, Archive(back) as target:
        copy_archive(pg, target)
    assert _rows(back, f"SELECT {COLUMNS} FROM stories ORDER BY id") == stories
    with open_archive(url) as pg:  # back to version 4: the generator's name spelled out
        with pg.transaction() as conn:
            conn.execute("UPDATE stories SET generator = 'offline' WHERE generator IS NULL")
            conn.execute("ALTER TABLE stories ALTER COLUMN generator SET NOT NULL")
            conn.execute("UPDATE aggregator_meta SET value = '4' WHERE name = 'schema_version'")
        names = pg.conn.execute("SELECT count(*) FROM stories WHERE generator = 'offline'")
        assert names.fetchone()[0] == len(stories) - 2
    with open_archive(url) as pg:  # migrated to version 5 in SQL
        rows = pg.conn.execute("SELECT id, generator FROM stories ORDER BY id").fetchall()
        assert pg.count_stories(skip_generators=["offline"]) == 2
    assert rows == [(r[0], r[12]) for r in stories]
    assert _outputs_of(url, ["export", "-"]) == _outputs_of(str(db), ["export", "-"])
