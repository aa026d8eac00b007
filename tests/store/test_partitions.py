"""Stories partitioned by month on PostgreSQL: where a story lands, what ``maintain``
creates, the keys and deletes that replace the foreign keys, and the migration
from schema version 1.

Real throwaway PostgreSQL server (tests/support/pgserver.py), fresh database each.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from conftest import fresh_database
from support.pgserver import PostgresServer

from aggregator.errors import ArchiveError
from aggregator.models import Enclosure, Story
from aggregator.store.engine import open_archive
from aggregator.store.feeds import FeedUpdate
from aggregator.store.pg import partitions
from aggregator.store.pg.dialect import PgConnection
from aggregator.store.pg.schema import MIGRATIONS, SCHEMA_VERSION
from aggregator.store.search import search
from aggregator.timeutil import utcnow


def story(n: int, published: datetime, *, words: str = "") -> Story:
    return Story(
        category="WORLD",
        title=f"Partition story {n} {words}".strip(),
        body=f"Body of story {n} about {words or 'nothing'} "
        + " ".join(f"w{n}x{i}" for i in range(40)),
        published=published,
        url=f"https://wire.example/{n}",
        canonical_url=f"https://wire.example/{n}",
        guid=f"g{n}",
        enclosures=(Enclosure(url=f"https://wire.example/{n}.mp3", type="audio/mpeg"),),
    )


def where_is(url: str, story_id: int) -> list[str]:
    """The partitions holding a story id (one, unless something is wrong)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return [
            str(r[0])
            for r in conn.execute(
                "SELECT tableoid::regclass::text FROM stories WHERE id = %s", (story_id,)
            )
        ]


def rows(url: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [tuple(r) for r in conn.execute(sql, params)]


def migrate_and_check(url: str) -> None:
    """Open an archive of an older schema (which migrates it) and check the result is whole."""
    with open_archive(url) as archive:
        assert archive.integrity_errors() == []
    assert rows(url, "SELECT value FROM aggregator_meta WHERE name = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]


def store(url: str, stories: list[Story]) -> list[int]:
    """Store stories as one poll of one feed; their ids, in order."""
    with open_archive(url) as archive:
        feed = archive.add_feed("https://wire.example/rss")
        update = FeedUpdate(status="new", fetched_at=utcnow(), next_fetch=utcnow())
        archive.store_poll(feed, stories, update)
    return [int(rows(url, "SELECT id FROM stories WHERE url = %s", s.url)[0][0]) for s in stories]


def test_a_new_archive_has_this_and_the_coming_months(pg_server: PostgresServer) -> None:
    url = fresh_database(pg_server)
    with open_archive(url):
        pass
    now = utcnow()
    have = {str(r[0]) for r in rows(url, "SELECT relname FROM pg_class WHERE relkind = 'r'")}
    month = datetime(now.year, now.month, 1, tzinfo=UTC)
    for _ in range(partitions.AHEAD + 1):
        assert f"stories_{month:%Y_%m}" in have
        month = (month + timedelta(days=32)).replace(day=1)
    assert partitions.DEFAULT in have
    assert rows(url, "SELECT value FROM aggregator_meta WHERE name = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]


def test_a_story_lands_in_its_months_partition(pg_server: PostgresServer) -> None:
    url = fresh_database(pg_server)
    now = utcnow()
    [new] = store(url, [story(1, now)])
    assert where_is(url, new) == [f"stories_{now:%Y_%m}"]


def test_maintain_gives_an_old_month_its_partition_and_keeps_its_stories_whole(
    pg_server: PostgresServer,
) -> None:
    url = fresh_database(pg_server)
    old = datetime(2019, 5, 17, 8, 0, tzinfo=UTC)
    ids = store(url, [story(1, old, words="walrus"), story(2, old + timedelta(days=3))])
    assert where_is(url, ids[0]) == [partitions.DEFAULT]
    before = rows(url, "SELECT story_id, url FROM sources ORDER BY id")
    links = rows(url, "SELECT story_id, url FROM story_links ORDER BY id")
    assert len(before) == 2 and len(links) == 2

    with open_archive(url) as archive:
        archive.maintain()

    assert where_is(url, ids[0]) == ["stories_2019_05"]
    assert where_is(url, ids[1]) == ["stories_2019_05"]
    assert rows(url, f"SELECT count(*) FROM {partitions.DEFAULT}") == [(0,)]
    # Moved, not deleted and added again: the sources, links and id keys stay.
    assert rows(url, "SELECT story_id, url FROM sources ORDER BY id") == before
    assert rows(url, "SELECT story_id, url FROM story_links ORDER BY id") == links
    assert rows(url, "SELECT id FROM story_ids ORDER BY id") == [(ids[0],), (ids[1],)]
    hits = search(url, "walrus", now=utcnow())
    assert [h.id for h in hits.hits] == [ids[0]]
    assert hits.hits[0].sources  # its feed still named


def test_maintain_creates_the_coming_months_and_does_nothing_more_the_second_time(
    pg_server: PostgresServer,
) -> None:
    url = fresh_database(pg_server)
    with open_archive(url) as archive:
        coming = [partitions.partition_name(m) for m in partitions.coming_months(utcnow())]
        archive.conn.execute(f"DROP TABLE {coming[-1]}")  # as if the month had just come into view
        assert archive.maintain()
        have = {p.name for p in partitions.partitions(archive.conn)}  # type: ignore[arg-type]
        assert set(coming) <= have
        with archive.transaction() as conn:
            assert partitions.ensure_partitions(conn, utcnow()) == []  # type: ignore[arg-type]


def test_a_date_change_moves_the_story_and_keeps_its_sources(pg_server: PostgresServer) -> None:
    url = fresh_database(pg_server)
    now = utcnow()
    [sid] = store(url, [story(1, now)])
    with open_archive(url) as archive, archive.transaction() as conn:
        conn.execute("UPDATE stories SET published = ? WHERE id = ?", ("2020-02-02T00:00:00Z", sid))
        partitions.ensure_partitions(conn, now)  # type: ignore[arg-type]
    assert where_is(url, sid) == ["stories_2020_02"]
    assert rows(url, "SELECT count(*) FROM sources WHERE story_id = %s", sid) == [(1,)]
    assert rows(url, "SELECT count(*) FROM story_links WHERE story_id = %s", sid) == [(1,)]
    assert rows(url, "SELECT id, published FROM story_ids") == [(sid, "2020-02-02T00:00:00Z")]
    # A date changed within the month stays in the partition: story_ids follows it too.
    with open_archive(url) as archive, archive.transaction() as conn:
        conn.execute("UPDATE stories SET published = ? WHERE id = ?", ("2020-02-20T00:00:00Z", sid))
    assert where_is(url, sid) == ["stories_2020_02"]
    assert rows(url, "SELECT id, published FROM story_ids") == [(sid, "2020-02-20T00:00:00Z")]
    with open_archive(url) as archive:
        assert archive.integrity_errors() == []
        with archive.transaction() as conn:  # what the triggers prevent, done by hand
            conn.execute("UPDATE story_ids SET published = '2020-02-21T00:00:00Z'")
        assert archive.integrity_errors() == ["story_ids: 1 stories missing or dated otherwise"]


def test_deleting_a_story_deletes_its_sources_links_and_key(pg_server: PostgresServer) -> None:
    url = fresh_database(pg_server)
    now = utcnow()
    first, second = store(url, [story(1, now), story(2, now - timedelta(days=400))])
    with open_archive(url) as archive, archive.transaction() as conn:
        conn.execute("DELETE FROM stories WHERE id = ?", (first,))
    assert rows(url, "SELECT story_id FROM sources") == [(second,)]
    assert rows(url, "SELECT story_id FROM story_links") == [(second,)]
    assert rows(url, "SELECT id FROM story_ids") == [(second,)]


def test_a_story_id_stays_unique_across_partitions(pg_server: PostgresServer) -> None:
    url = fresh_database(pg_server)
    [sid] = store(url, [story(1, utcnow())])
    with open_archive(url) as archive:
        with pytest.raises(ArchiveError), archive.transaction() as conn:
            conn.execute(
                "INSERT INTO stories (id, category, title, body, published)"
                " VALUES (?, 'WORLD', 't', 'b', '2001-01-01T00:00:00Z')",
                (sid,),
            )
    assert where_is(url, sid) == [f"stories_{utcnow():%Y_%m}"]


def test_schema_2_archives_get_the_search_indexes_and_dated_story_ids(
    pg_server: PostgresServer,
) -> None:
    url = fresh_database(pg_server)
    raw = psycopg.connect(url, autocommit=True)
    conn = PgConnection(raw, "test")
    conn.execute("BEGIN")
    for version in (1, 2):
        MIGRATIONS[version](conn)
    conn.execute("INSERT INTO aggregator_meta (name, value) VALUES ('schema_version', '2')")
    conn.execute(
        "INSERT INTO stories (category, title, body, published)"
        " VALUES ('WORLD', 'Pangolin news', 'about a pangolin', '2021-03-04T05:06:07Z'),"
        " ('WORLD', 'Other news', 'a pangolin again', '2021-03-05T00:00:00Z')"
    )
    conn.execute("COMMIT")
    raw.close()

    migrate_and_check(url)
    assert rows(url, "SELECT id, published FROM story_ids ORDER BY id") == [
        (1, "2021-03-04T05:06:07Z"),
        (2, "2021-03-05T00:00:00Z"),
    ]
    indexes = {str(r[0]) for r in rows(url, "SELECT indexname FROM pg_indexes")}
    assert {"stories_title_search", "sources_feed_story"} <= indexes
    hits = search(url, "title:pangolin", now=utcnow())
    assert [h.id for h in hits.hits] == [1]
    assert [h.id for h in search(url, "pangolin", sort="date", now=utcnow()).hits] == [2, 1]


def test_schema_1_archives_are_partitioned_in_place(pg_server: PostgresServer) -> None:
    url = fresh_database(pg_server)
    raw = psycopg.connect(url, autocommit=True)
    conn = PgConnection(raw, "test")
    conn.execute("BEGIN")
    MIGRATIONS[1](conn)
    conn.execute("INSERT INTO aggregator_meta (name, value) VALUES ('schema_version', '1')")
    conn.execute(
        "INSERT INTO feeds (url, config_url, title, added_at)"
        " VALUES ('https://a.example/rss', 'https://a.example/rss', 'Feed A', 'x')"
    )
    dates = ["2021-03-04T05:06:07Z", "2021-03-30T00:00:00Z", "2024-12-31T23:59:59Z", "garbage"]
    for i, date in enumerate(dates, start=1):
        conn.execute(
            "INSERT INTO stories (category, title, body, published, url)"
            " VALUES ('WORLD', ?, ?, ?, ?)",
            (f"Old story {i} pangolin", f"body {i} pangolin", date, f"https://a.example/{i}"),
        )
        conn.execute(
            "INSERT INTO sources (story_id, feed_id, url, guid, seen_at) VALUES (?, 1, ?, ?, 'x')",
            (i, f"https://a.example/{i}", f"g{i}"),
        )
        conn.execute(
            "INSERT INTO story_links (story_id, kind, url) VALUES (?, 'enclosure', ?)",
            (i, f"https://a.example/{i}.mp3"),
        )
    conn.execute("COMMIT")
    raw.close()

    migrate_and_check(url)
    assert rows(url, "SELECT id, published FROM stories ORDER BY id") == [
        (i, d) for i, d in enumerate(dates, start=1)
    ]
    assert [where_is(url, i)[0] for i in (1, 2, 3, 4)] == [
        "stories_2021_03",
        "stories_2021_03",
        "stories_2024_12",
        partitions.DEFAULT,
    ]
    assert rows(url, "SELECT id, published FROM story_ids ORDER BY id") == [
        (i, d) for i, d in enumerate(dates, start=1)
    ]
    hits = search(url, "pangolin", sort="date", now=utcnow())
    assert [h.id for h in hits.hits] == [4, 3, 2, 1]  # "garbage" sorts after the digits
    # The sequence goes on after the copied ids; deletes still reach sources and links.
    [new] = store(url, [story(9, utcnow())])
    assert new > 4
    with open_archive(url) as archive, archive.transaction() as conn:
        conn.execute("DELETE FROM stories WHERE id = 2")
    assert rows(url, "SELECT story_id FROM sources WHERE feed_id = 1 ORDER BY story_id") == [
        (1,),
        (3,),
        (4,),
    ]
    assert rows(url, "SELECT count(*) FROM story_links WHERE story_id = 2") == [(0,)]
