"""The parser processes' results, as the writer receives them."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from aggregator.dedupe.neardup import Params
from aggregator.ingest import worker
from aggregator.models import Story

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
