"""What a poll needs to know beyond the feeds themselves: schedule, questions, dedupe, categories.

A light module on purpose: the config loader builds a :class:`PollSettings`
without importing the poller (and with it the HTTP and feed-parsing stacks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from aggregator.dedupe.neardup import Params as DedupeParams
from aggregator.ingest.categories import CategoryRule
from aggregator.ingest.filters import FilterRule
from aggregator.models import FeedConfig
from aggregator.questions.llm import LLMSettings

__all__ = ["PollSettings"]


@dataclass(frozen=True, slots=True)
class PollSettings:
    """How the poller schedules feeds and processes what they carry.

    Attributes:
        workers: parser processes for a poll (0 = one per core, 1 = parse in-process).
        interval: the default interval between two polls of a feed.
        min_interval: never poll a feed more often than this.
        max_interval: never poll a feed less often than this.
        jitter: a random spread added to each feed's next poll, to avoid bursts.
        question_generator: ``offline`` or ``llm`` (the offline questions stay
            whenever the endpoint fails).
        question_count: questions per story.
        llm: the endpoint for ``question_generator = "llm"``.
        categories: the rules that refine feed categories, in order.
        tracking_params: extra URL query parameters dropped from canonical URLs.
        dedupe: near-duplicate detection settings.
        feeds: the configured feeds (their credentials and headers), in file order.
        filters: the ``[[filters]]`` rules that drop items before they are stored.
    """

    workers: int = 0
    interval: timedelta = timedelta(minutes=30)
    min_interval: timedelta = timedelta(minutes=5)
    max_interval: timedelta = timedelta(days=1)
    jitter: timedelta = timedelta(minutes=1)
    question_generator: str = "offline"
    question_count: int = 3
    llm: LLMSettings = field(default_factory=LLMSettings)
    categories: tuple[CategoryRule, ...] = ()
    tracking_params: tuple[str, ...] = ()
    dedupe: DedupeParams = field(default_factory=DedupeParams)
    feeds: tuple[FeedConfig, ...] = ()
    filters: tuple[FilterRule, ...] = ()
