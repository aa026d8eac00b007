"""Enclosures (podcast audio, video) and comments links: parsed from RSS, Atom, Media RSS
and JSON Feed, archived per story, shown as actions, in search --json and every digest."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from support.digestcheck import ATOM, atom_problems, html_problems, json_problems, markdown_problems
from support.httpserver import FeedServer

from aggregator.cli.main import cli
from aggregator.ingest.parse import parse_feed
from aggregator.models import Enclosure
from aggregator.story.format import Document, parse, render
from aggregator.story.media import enclosure_action, parse_enclosure_action

REAL = "real-feeds"
ATP = "atp-podcast_2019__netnewswire-atp.rss"
HN = "hackernews_2025__newsyacht-hn.xml"
YOUTUBE = "youtube-pbs-spacetime_2019__feeder-atom_youtube.xml"
SCHEMA = Path(__file__).resolve().parents[2] / "aggregator/digest/templates/digest.schema.json"


# --- parsing ------------------------------------------------------------------------


def test_rss_enclosure_with_itunes_duration_and_comments() -> None:
    feed = parse_feed(
        b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Pod</title><link>https://pod.example/</link><description>d</description>
<item><title>Episode 1</title><link>https://pod.example/1</link><guid>ep1</guid>
<enclosure url="/media/ep1.mp3" length="40000000" type="audio/mpeg"/>
<itunes:duration>42:10</itunes:duration>
<comments>https://pod.example/1#comments</comments>
<description>First episode.</description></item>
</channel></rss>""",
        url="https://pod.example/feed.xml",
    )
    (entry,) = feed.entries
    assert entry.enclosures == (
        Enclosure("https://pod.example/media/ep1.mp3", "audio/mpeg", 40_000_000, 42 * 60 + 10),
    )
    assert entry.comments == "https://pod.example/1#comments"


def test_atom_enclosure_and_replies_links() -> None:
    feed = parse_feed(
        b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>
<updated>2026-11-01T00:00:00Z</updated>
<entry><id>urn:a:1</id><title>Talk</title><updated>2026-11-01T00:00:00Z</updated>
<link rel="alternate" href="https://a.example/talk"/>
<link rel="enclosure" type="video/mp4" length="1234567" href="https://cdn.example/talk.mp4"/>
<link rel="replies" type="application/atom+xml" href="https://a.example/talk/comments.xml"/>
<link rel="replies" type="text/html" href="https://a.example/talk#comments"/>
<summary>A talk.</summary></entry></feed>""",
        url="https://a.example/feed",
    )
    (entry,) = feed.entries
    assert entry.enclosures == (
        Enclosure("https://cdn.example/talk.mp4", "video/mp4", 1_234_567, None),
    )
    # The comment feed is not a page to read; the HTML replies link is.
    assert entry.comments == "https://a.example/talk#comments"


def test_media_rss_content_merges_with_the_enclosure() -> None:
    feed = parse_feed(
        b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>M</title>
<item><title>Clip</title><link>https://m.example/clip</link>
<enclosure url="https://m.example/clip.mp4" type="video/mp4" length="999"/>
<media:content url="https://m.example/clip.mp4" type="video/mp4" duration="95"/>
<media:content url="https://m.example/clip.webm" type="video/webm" fileSize="500" duration="95.4"/>
</item></channel></rss>""",
        url="https://m.example/rss",
    )
    (entry,) = feed.entries
    assert entry.enclosures == (
        Enclosure("https://m.example/clip.mp4", "video/mp4", 999, 95),
        Enclosure("https://m.example/clip.webm", "video/webm", 500, 95),
    )


def test_json_feed_attachments() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {
                "id": "1",
                "url": "https://j.example/1",
                "content_text": "Episode one.",
                "attachments": [
                    {
                        "url": "ep1.m4a",
                        "mime_type": "audio/x-m4a",
                        "size_in_bytes": 89970236,
                        "duration_in_seconds": 6629,
                    },
                    {"url": "javascript:alert(1)"},
                    "junk",
                ],
            }
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), url="https://j.example/feed.json")
    (entry,) = feed.entries
    assert entry.enclosures[0] == Enclosure(
        "https://j.example/ep1.m4a", "audio/x-m4a", 89970236, 6629
    )
    assert len(entry.enclosures) == 2  # the javascript: one is refused when normalized


def test_action_lines_read_back() -> None:
    for enc in (
        Enclosure("https://p.example/a.mp3", "audio/mpeg", 50_000_000, 42 * 60),
        Enclosure("https://p.example/v.mp4", "video/mp4", None, 30),
        Enclosure("https://p.example/f.pdf", "application/pdf", 2_500_000, None),
        Enclosure("https://p.example/x", "", None, None),
    ):
        line = enclosure_action(enc)
        back = parse_enclosure_action(line)
        assert back is not None and back.url == enc.url and back.type == enc.type
        assert back.duration == enc.duration
        assert (back.length is None) == (enc.length is None or enc.duration is not None)
    assert enclosure_action(Enclosure("https://p.example/a.mp3", "audio/mpeg", 1, 2520)) == (
        "Listen: https://p.example/a.mp3 (audio/mpeg, 42 min)"
    )
    assert parse_enclosure_action("Listen: javascript:alert(1)") is None
    assert parse_enclosure_action("Read the original: https://p.example/") is None


# --- archived and shown, from real feeds over loopback -------------------------------


def _fetch_corpus(
    corpus: Path,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    runner: CliRunner,
    names: list[str],
) -> Path:
    feeds = []
    for name in names:
        feed_server.add_file(f"/{name}", corpus / REAL / name, content_type="application/xml")
        feeds.append({"url": feed_server.url(f"/{name}"), "category": "media"})
    cfg = write_config(feeds)
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    return cfg


def _story_id(db: Path, url: str) -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT id FROM stories WHERE url = ?", (url,)).fetchone()
    assert row is not None, url
    return int(row[0])


def test_podcast_and_hacker_news_links_are_archived_and_shown(
    corpus: Path, feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    cfg = _fetch_corpus(corpus, feed_server, write_config, runner, [ATP, HN, YOUTUBE])
    db = Path("archive/news.db")
    with sqlite3.connect(db) as conn:
        kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM story_links GROUP BY kind"))
    assert kinds["enclosure"] >= 100 + 14  # every ATP episode and every video
    assert kinds["comments"] >= 20

    episode = _story_id(db, "http://atp.fm/episodes/311")
    result = runner.invoke(cli, ["--config", str(cfg), "show", str(episode)])
    assert result.exit_code == 0, result.stderr
    actions = parse(result.stdout).actions
    # 01:54:09 of itunes:duration is 114 minutes.
    assert actions[:2] == (
        "Read the original: http://atp.fm/episodes/311",
        "Listen: http://traffic.libsyn.com/atpfm/atp311.mp3 (audio/mpeg, 114 min)",
    )
    shown = json.loads(
        runner.invoke(cli, ["--config", str(cfg), "show", str(episode), "--format", "json"]).stdout
    )
    assert shown["enclosures"] == [
        {
            "url": "http://traffic.libsyn.com/atpfm/atp311.mp3",
            "type": "audio/mpeg",
            "length": 54919661,
            "duration": 6849,
        }
    ]

    link_post = _story_id(db, "https://fil-c.org/seccomp")
    result = runner.invoke(cli, ["--config", str(cfg), "show", str(link_post)])
    assert (
        "Discussion: https://news.ycombinator.com/item?id=46259064" in parse(result.stdout).actions
    )

    video = _story_id(db, "https://www.youtube.com/watch?v=q-6oU3jXAho")
    result = runner.invoke(cli, ["--config", str(cfg), "show", str(video)])
    assert (
        "Download: https://www.youtube.com/v/q-6oU3jXAho?version=3 (application/x-shockwave-flash)"
        in parse(result.stdout).actions
    )

    result = runner.invoke(cli, ["--config", str(cfg), "search", "sandboxes", "--json"])
    assert result.exit_code == 0, result.stderr
    hit = next(h for h in json.loads(result.stdout) if h["id"] == link_post)
    assert hit["comments"] == "https://news.ycombinator.com/item?id=46259064"
    assert hit["enclosures"] == []


@pytest.fixture
def media_archive(
    corpus: Path, feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> tuple[Path, int, int]:
    cfg = _fetch_corpus(corpus, feed_server, write_config, runner, [ATP, HN])
    db = Path("archive/news.db")
    return (
        cfg,
        _story_id(db, "http://atp.fm/episodes/311"),
        _story_id(db, "https://fil-c.org/seccomp"),
    )


def _digest(runner: CliRunner, cfg: Path, fmt: str, day: str) -> str:
    result = runner.invoke(
        cli, ["--config", str(cfg), "digest", "--date", day, "--format", fmt, "--limit", "500"]
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


EPISODE_DAY = "2019-02-14"  # ATP 311 (first item of the feed)
MP3 = "http://traffic.libsyn.com/atpfm/atp311.mp3"


def _episode_day(runner: CliRunner, cfg: Path, story_id: int) -> str:
    shown = json.loads(
        runner.invoke(cli, ["--config", str(cfg), "show", str(story_id), "--format", "json"]).stdout
    )
    return str(shown["published"])[:10]


def test_digest_text_and_markdown_show_the_links(
    media_archive: tuple[Path, int, int], runner: CliRunner
) -> None:
    cfg, episode, link_post = media_archive
    day = _episode_day(runner, cfg, episode)
    text = _digest(runner, cfg, "text", day)
    assert f"    Listen: {MP3} (audio/mpeg, 114 min)\n" in text
    markdown = _digest(runner, cfg, "markdown", day)
    assert f"- [Listen](<{MP3}>) (audio/mpeg, 114 min)" in markdown
    assert markdown_problems(markdown) == []
    hn_day = _episode_day(runner, cfg, link_post)
    markdown = _digest(runner, cfg, "markdown", hn_day)
    assert "- [Discussion](<https://news.ycombinator.com/item?id=46259064>)" in markdown


def test_digest_html_and_json_show_the_links(
    media_archive: tuple[Path, int, int], runner: CliRunner
) -> None:
    cfg, episode, link_post = media_archive
    day = _episode_day(runner, cfg, episode)
    html = _digest(runner, cfg, "html", day)
    assert f'<a href="{MP3}" rel="noreferrer">Listen</a> (audio/mpeg, 114 min)' in html
    assert html_problems(html) == []
    data = json.loads(_digest(runner, cfg, "json", _episode_day(runner, cfg, link_post)))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert json_problems(json.dumps(data).replace("<", "\\u003c")) == []
    stories = {s["id"]: s for c in data["categories"] for s in c["stories"]}
    assert stories[link_post]["comments"] == "https://news.ycombinator.com/item?id=46259064"
    assert (
        "Discussion: https://news.ycombinator.com/item?id=46259064"
        in (stories[link_post]["actions"])
    )
    data = json.loads(_digest(runner, cfg, "json", day))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    stories = {s["id"]: s for c in data["categories"] for s in c["stories"]}
    assert stories[episode]["enclosures"] == [
        {"url": MP3, "type": "audio/mpeg", "length": 54919661, "duration": 6849}
    ]


def test_digest_atom_has_real_enclosure_links(
    media_archive: tuple[Path, int, int], runner: CliRunner
) -> None:
    cfg, episode, link_post = media_archive
    atom = _digest(runner, cfg, "atom", _episode_day(runner, cfg, episode))
    assert atom_problems(atom) == []
    root = ET.fromstring(atom.encode())
    enclosures = [
        (link.get("href"), link.get("type"), link.get("length"))
        for link in root.iter(f"{ATOM}link")
        if link.get("rel") == "enclosure"
    ]
    assert (MP3, "audio/mpeg", "54919661") in enclosures
    atom = _digest(runner, cfg, "atom", _episode_day(runner, cfg, link_post))
    root = ET.fromstring(atom.encode())
    replies = [
        link.get("href") for link in root.iter(f"{ATOM}link") if link.get("rel") == "replies"
    ]
    assert "https://news.ycombinator.com/item?id=46259064" in replies


def test_exported_actions_import_back_as_links(runner: CliRunner, tmp_path: Path) -> None:
    text = render(
        Document(
            category="PODCASTS",
            title="An episode about compilers and their many passes",
            date=date(2026, 11, 2),
            body="Two hosts talk about compilers, linkers and the passes between them.",
            questions=("Which pass matters most?",),
            actions=(
                "Read the original: https://pod.example/ep/9",
                "Listen: https://pod.example/ep9.mp3 (audio/mpeg, 42 min)",
                "Discussion: https://forum.example/t/9",
                "Share it with a colleague",
            ),
        )
    )
    (tmp_path / "ep.txt").write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["--db", "news.db", "import", str(tmp_path / "ep.txt")])
    assert result.exit_code == 0, result.stderr
    story_id = result.stdout.split("\t")[0]
    with sqlite3.connect("news.db") as conn:
        assert conn.execute("SELECT actions FROM stories").fetchone()[0] == (
            "Share it with a colleague"
        )
        assert conn.execute("SELECT kind, url, type, duration FROM story_links").fetchall() == [
            ("enclosure", "https://pod.example/ep9.mp3", "audio/mpeg", 2520),
            ("comments", "https://forum.example/t/9", "", None),
        ]
    shown = runner.invoke(cli, ["--db", "news.db", "show", story_id]).stdout
    assert shown == text + "\n"  # show ends the document with a newline
