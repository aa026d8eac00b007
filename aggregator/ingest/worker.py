"""The parser processes' work: bytes of one feed -> normalized stories with questions.

Pure (no I/O) and light to import: it runs in the pipeline's worker
processes, which import only this module's dependencies (parse, normalize,
questions, dedupe), not the HTTP stack or the archive, so they start fast.
The main process imports it too, for its types; the parser (feedparser),
normalize and the questions are imported by :func:`process_feed` and
:func:`warm_up` only, so a poll of unchanged feeds never loads them.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from aggregator.dedupe.events import EventFeatures, event_features
from aggregator.dedupe.neardup import Params as DedupeParams
from aggregator.dedupe.neardup import Signature, signature
from aggregator.dedupe.urls import fingerprint
from aggregator.ingest.categories import CategoryRule
from aggregator.ingest.filters import FilterRule, judge
from aggregator.libc import libc_function
from aggregator.models import Enclosure, Entry, Story

if TYPE_CHECKING:
    from aggregator.questions.offline import QuestionGenerator

__all__ = [
    "MAX_ENTRIES",
    "PRELOAD",
    "ProcessedFeed",
    "one_line",
    "process_feed",
    "warm_up",
    "worker_init",
]

#: Entries archived per feed and poll at most, the newest. The largest real
#: feed of the corpus has 730; a document of 100,000 entries (which fits ``max_size``)
#: would otherwise hold the writer for a minute and flood the archive at every poll.
MAX_ENTRIES = 5000


@dataclass(frozen=True, slots=True)
class ProcessedFeed:
    """What a parser worker returns for one fetched document.

    Attributes:
        title: the feed's own title.
        link: the feed's site link.
        ttl: the feed's ``<ttl>`` in minutes, or ``None``.
        warning: a survivable parse problem, or ``""``.
        stories: the normalized stories with questions (actions are derived when shown).
        fingerprints: each story's content fingerprint (computed here, off the writer).
        entry_dates: each entry's own date (``None`` when undated), for the adaptive interval.
        signatures: each story's near-duplicate signature (computed here, off the writer).
        events: each story's event features (computed here, off the writer), when asked.
        dropped: how many entries the ``[[filters]]`` rules dropped (not in ``stories``).
    """

    title: str
    link: str
    ttl: int | None
    warning: str
    stories: tuple[Story, ...]
    fingerprints: tuple[int, ...] = ()
    entry_dates: tuple[datetime | None, ...] = ()
    signatures: tuple[Signature, ...] = ()
    dropped: int = 0
    events: tuple[EventFeatures, ...] = ()


_GENERATORS: dict[int, QuestionGenerator] = {}

#: ``malloc_trim`` in a parser process (see :func:`worker_init`), else ``None``.
_trim_heap: Callable[..., int] | None = None


def process_feed(
    body: bytes,
    headers: dict[str, str],
    url: str,
    *,
    category: str,
    now: datetime,
    question_count: int = 3,
    tracking_params: frozenset[str] | None = None,
    category_rules: tuple[CategoryRule, ...] = (),
    dedupe: DedupeParams | None = None,
    filters: tuple[FilterRule, ...] = (),
    feed_url: str = "",
    events: bool = False,
) -> ProcessedFeed:
    """Parse, normalize, filter and question one fetched feed (pure; runs in a worker process).

    Args:
        body: the document's bytes.
        headers: its HTTP headers (lower-case names).
        url: the URL it came from.
        category: the feed's category.
        now: the poll's time (UTC), the date of undated entries.
        question_count: questions per story.
        tracking_params: extra URL parameters to drop from canonical URLs.
        category_rules: the ``[[categories]]`` rules that refine ``category``.
        dedupe: the near-duplicate settings to compute signatures with (``None``: none).
        filters: the ``[[filters]]`` rules; the stories they drop are only counted.
        feed_url: the feed's URL as the config names it, for the rules' ``feeds`` scope
            (``""``: ``url``).
        events: compute each story's event features (when the archive groups events).

    Returns:
        The feed's metadata and stories.

    Raises:
        FeedParseError: the document is not a feed.
    """
    # Imported here (warm_up imports them as a worker starts): the main process imports
    # this module for its types, and a poll of unchanged feeds never parses.
    from aggregator.ingest.normalize import clean_title, clean_url, normalize_entry
    from aggregator.ingest.parse import parse_feed
    from aggregator.questions.offline import OfflineGenerator

    if _trim_heap is not None:
        _trim_heap(0)  # what the previous feed freed (see worker_init)
    parsed = parse_feed(body, headers=headers, url=url)
    entries, warning = parsed.entries, parsed.warning
    if len(entries) > MAX_ENTRIES:
        entries = _newest(entries, MAX_ENTRIES)
        note = f"{len(parsed.entries)} entries; archived the newest {MAX_ENTRIES}"
        warning = f"{warning}; {note}" if warning else note
    generator = _GENERATORS.get(question_count)
    if generator is None:
        generator = _GENERATORS[question_count] = OfflineGenerator(count=question_count)
    stories = []
    dropped = 0
    for entry in entries:
        story = normalize_entry(
            entry,
            category=category,
            now=now,
            tracking_params=tracking_params,
            category_rules=category_rules,
        )
        if filters and not judge(filters, feed_url or url, story).keep:
            dropped += 1
            continue
        stories.append(replace(story, questions=generator.generate(story)))
    # Each story's signature, then its fingerprint: both fold the body the same way
    # (dedupe.urls.fold), and the fingerprint reuses the fold the signature just made.
    signatures = []
    fingerprints = []
    for s in stories:
        if dedupe:
            signatures.append(signature(s.body, params=dedupe))
        fingerprints.append(fingerprint(s.title, s.body))
    return ProcessedFeed(
        title=clean_title(parsed.title),
        link=clean_url(parsed.link),
        ttl=parsed.ttl,
        warning=one_line(warning),
        stories=tuple(stories),
        fingerprints=tuple(fingerprints),
        entry_dates=tuple(e.published or e.updated for e in entries),
        signatures=tuple(signatures),
        dropped=dropped,
        events=(
            tuple(event_features(s.title, s.body, cache=False) for s in stories) if events else ()
        ),
    )


def _newest(entries: Sequence[Entry], limit: int) -> tuple[Entry, ...]:
    """The ``limit`` newest entries, in document order (undated ones rank by position)."""
    floor = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(
        range(len(entries)),
        key=lambda i: (entries[i].published or entries[i].updated or floor, -i),
        reverse=True,
    )
    return tuple(entries[i] for i in sorted(ranked[:limit]))


def one_line(text: str, limit: int = 500) -> str:
    """A message for the feed's row, the logs and the terminal: one line, no controls.

    Errors and warnings quote what a server or a document said (a redirect's
    Location, the feed URLs a page advertises), so they are hostile text too.
    """
    from aggregator.ingest.normalize import strip_controls

    text = " ".join(strip_controls(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def worker_init() -> None:
    """Prepare a parser process.

    SIGINT is left to the parent: Ctrl-C in a terminal reaches the whole
    process group, and the parent decides how to stop. The parsers run at a
    lower priority: the single writer (the parent) is the pipeline's critical
    path, and with as many parsers as cores it would otherwise wait for CPU
    with work queued behind it (benchmarks/ingest.py).

    Everything the process holds when it starts (the modules imported to
    unpickle this initializer) is moved out of the garbage collector's reach
    (``gc.freeze``): those objects live as long as the process, and a full
    collection would otherwise walk them again each time.

    Each feed's parse then starts by giving the C heap's free pages back to
    the system (``malloc_trim``, glibc only): a feed's parse tree and result
    (several MB for a feed of 100 items) are freed after it is sent, and glibc
    keeps all but the heap's top for later, so a parser would hold the largest
    feed's working memory (47.5 -> 44.9 MiB resident in one process parsing
    150 feeds of 100 items, for no CPU that measured).
    """
    gc.freeze()
    _register_reducers()
    global _trim_heap
    _trim_heap = libc_function("malloc_trim")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(5)


def _register_reducers() -> None:
    """Send a result's records as their classes and field values (in the parser processes).

    The results go to the writer through multiprocessing's pickler. A frozen dataclass
    with slots pickles by its ``__getstate__``/``__setstate__``, which list the fields
    and set them one by one in Python; as ``(class, field values)`` it is rebuilt by
    one call of its ``__init__`` instead (none of these classes has an ``__init__``
    that does more than set its fields). The writer unpickles each story and its
    signature in about half the time; it is the pipeline's critical path. The objects
    that arrive are equal to those sent.

    Event features keep their own ``EventFeatures.__reduce__``: the writer keeps the
    newest thousands of them, and that rebuilds them with their keys interned and
    their sets no larger than they need, 2.6 instead of 4.5 KB a story (7 MiB for the
    4,096 it keeps), for about 15 µs more a story.
    """
    from multiprocessing.reduction import ForkingPickler

    for cls in (ProcessedFeed, Story, Enclosure, Signature):
        names = [f.name for f in fields(cls)]
        # Only where the positional __init__ takes every field, in their order.
        if len(names) > 1 and all(f.init for f in fields(cls)):
            ForkingPickler.register(cls, _fields_reducer(cls, attrgetter(*names)))


def _fields_reducer(
    cls: type[Any], values: Callable[[Any], tuple[Any, ...]]
) -> Callable[[Any], tuple[type[Any], tuple[Any, ...]]]:
    """A pickle reducer: an instance of ``cls`` as its class and ``values(instance)``."""

    def reduce(obj: Any) -> tuple[type[Any], tuple[Any, ...]]:
        return cls, values(obj)

    return reduce


#: The modules a parser process needs (:func:`warm_up` imports them as it starts).
PRELOAD = (
    "aggregator.ingest.worker",
    "aggregator.ingest.normalize",
    "aggregator.ingest.parse",
    "aggregator.questions.offline",
)


def warm_up() -> None:
    """Import what :func:`process_feed` needs (:data:`PRELOAD`): submitted once per worker
    when a pool starts, so that the workers import it while the first feeds are still
    being fetched."""
    for module in PRELOAD:
        importlib.import_module(module)
