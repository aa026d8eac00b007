"""The parser processes' results, as the writer receives them."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import httpx

from aggregator.dedupe.neardup import Params
from aggregator.ingest import worker
from aggregator.ingest.fetch import Fetcher, FetchSettings
from aggregator.models import Story
from aggregator.poll.poller import Poller
from aggregator.poll.settings import PollSettings
from aggregator.store.archive import Archive

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Pod</title><link>https://pod.example/</link>
<item><title>Episode one: the compiler</title><link>https://pod.example/1</link>
<guid>ep-1</guid><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>
<category>Rust</category><author>ada@pod.example (Ada)</author>
<enclosure url="https://pod.example/1.mp3" type="audio/mpeg" length="1234"/>
<description>&lt;p&gt;Ada explains how the Rust compiler checks borrows, and why the
checker rejects some programs that would run fine.&lt;/p&gt;</description></item>
<item><title>Episode two</title><link>https://pod.example/2</link>
<description>Short.</description></item>
</channel></rss>"""


def test_results_reach_the_writer_equal() -> None:
    # The parser processes send stories, signatures and event features as their
    # classes and field values (worker._register_reducers); what the writer unpickles
    # must be equal to what was sent, every field in its place.
    from multiprocessing.reduction import ForkingPickler

    result = worker.process_feed(
        FEED,
        {},
        "https://pod.example/feed.xml",
        category="technology",
        now=datetime(2026, 11, 3, tzinfo=UTC),
        dedupe=Params(),
        events=True,
    )
    assert result.stories[0].enclosures and result.signatures and result.events
    worker._register_reducers()
    assert ForkingPickler._extra_reducers[Story](result.stories[0])[0] is Story
    sent = bytes(ForkingPickler.dumps(result))
    received = pickle.loads(sent)
    assert received == result
    assert [s.enclosures for s in received.stories] == [s.enclosures for s in result.stories]


#: What a parser process must not import to parse a feed of bytes in memory: chardet
#: (asked only when no declared or guessed encoding decodes a document) and an HTTP
#: stack (feedparser's own client; urllib.request, which the SAX reader imports to
#: open documents given by URL). Each costs a parser process memory for nothing.
NOT_IN_A_PARSER = ("chardet", "ssl", "http.client", "urllib.request", "email.message")


def test_a_spawned_parser_process_parses_without_chardet_or_an_http_stack(
    tmp_path: Path,
) -> None:
    # The daemon's own pool (the poller's spawned processes, started as it starts them).
    with (
        Archive(tmp_path / "a.db") as archive,
        httpx.Client() as client,
        Poller(
            settings=PollSettings(workers=2),
            archive=archive,
            fetcher=Fetcher(client, settings=FetchSettings()),
        ) as poller,
    ):
        pool = poller._executor()
        assert pool is not None
        result = pool.submit(
            worker.process_feed,
            FEED,
            {"content-type": "application/rss+xml"},
            "https://pod.example/feed.xml",
            category="technology",
            now=datetime(2026, 11, 3, tzinfo=UTC),
            dedupe=Params(),
            events=True,
        ).result(timeout=120)
        assert [s.title for s in result.stories] == ["Episode one: the compiler", "Episode two"]
        # eval is a builtin, so it pickles by name: the expression runs in the worker.
        modules = pool.submit(eval, "sorted(__import__('sys').modules)").result(timeout=60)
    assert "feedparser" in modules
    assert not set(NOT_IN_A_PARSER) & set(modules)


def test_a_document_in_an_undeclared_encoding_still_gets_chardet() -> None:
    # A fresh interpreter: the encoding detector is imported on first use, and only then.
    code = textwrap.dedent(
        """
        import sys
        from aggregator.ingest.parse import parse_feed
        plain = b'<rss version="2.0"><channel><title>t</title><item><title>a</title>' \\
            b'<guid>1</guid></item></channel></rss>'
        parse_feed(plain, url="https://example.org/f.xml")
        assert "chardet" not in sys.modules
        title = "Новости дня: съешь же ещё этих мягких французских булок"
        body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>{title}</title><item><title>{title}</title><guid>1</guid></item>"
                "</channel></rss>").encode("cp1251")
        feed = parse_feed(body, headers={"content-type": "text/xml"}, url="https://example.org/f.xml")
        assert feed.title == title, feed.title
        assert "chardet" in sys.modules
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_event_features_reach_the_writer_interned_and_compact() -> None:
    # The writer keeps the newest thousands of stories' features: through the parser
    # processes' pickler they arrive with their key strings interned (a key of hundreds
    # of titles held once) and their key sets' tables sized once for their keys, not
    # grown key by key (a lead's 20-30 keys: 1.2 instead of 2.2 KB).
    from multiprocessing.reduction import ForkingPickler

    worker._register_reducers()
    lead = (
        "Ada explains how the Rust compiler checks borrows, why the checker rejects some "
        "programs that would run fine, what lifetimes mean for structs holding references, "
        "and how the next edition of the language changes those rules for closures."
    )
    sent = worker.process_feed(
        FEED.replace(b"Short.", lead.encode()),
        {},
        "https://pod.example/feed.xml",
        category="technology",
        now=datetime(2026, 11, 3, tzinfo=UTC),
        events=True,
    ).events
    got = pickle.loads(ForkingPickler.dumps(sent))
    assert got == sent
    keys = got[1].lead_keys
    assert len(keys) >= 20
    assert all(sys.intern(k) is k for k in keys)
    assert sys.getsizeof(keys) <= sys.getsizeof(frozenset(set(keys)))
    assert sys.getsizeof(keys) < sys.getsizeof(frozenset(list(keys)))
