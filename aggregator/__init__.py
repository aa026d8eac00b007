"""aggregator: a news-feed aggregator and archiver.

Polls RSS/Atom feeds, normalizes every story into the article-plus-questions
format, deduplicates it and archives it in SQLite with FTS5 search.
Importing the package is cheap: it imports neither click nor rich, nor the
HTTP and feed-parsing stacks; use :func:`aggregator.app.core.open_app` to build
the application.
"""

from __future__ import annotations

from aggregator.errors import (
    AggregatorError,
    ArchiveError,
    ConfigError,
    ExportError,
    FeedError,
    FeedParseError,
    FetchError,
    InvalidFeedURL,
    InvalidQueryError,
    SearchError,
    StoryFormatError,
    StoryNotFound,
)

# The models are imported on first use: their dataclasses cost milliseconds, and
# ``aggregator search`` starts without them (see docs/design.md, Start-up time).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from aggregator.models import Entry, FeedState, ParsedFeed, Source, StoredStory, Story

_MODELS = ("Entry", "FeedState", "ParsedFeed", "Source", "StoredStory", "Story")

__all__ = [
    "AggregatorError",
    "ArchiveError",
    "ConfigError",
    "Entry",
    "ExportError",
    "FeedError",
    "FeedParseError",
    "FeedState",
    "FetchError",
    "InvalidFeedURL",
    "InvalidQueryError",
    "ParsedFeed",
    "SearchError",
    "Source",
    "StoredStory",
    "Story",
    "StoryFormatError",
    "StoryNotFound",
    "__version__",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """Import a model class on first use (PEP 562)."""
    if name in _MODELS:
        from aggregator import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
