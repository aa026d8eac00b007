"""The one exception tree of aggregator.

Every error the library raises on purpose derives from :class:`AggregatorError`;
the CLI turns it into one ``Error: ...`` line on stderr and exit code 1.
Bugs (``TypeError``, ``KeyError`` ...) are never wrapped.

::

    AggregatorError
    ├── ConfigError(path, key)
    ├── FeedError(url)
    │   ├── FetchError
    │   ├── FeedParseError
    │   └── InvalidFeedURL (also ValueError)
    ├── ArchiveError
    │   └── StoryNotFound (also LookupError)
    ├── StoryFormatError (also ValueError)
    ├── GeneratorError              questions could not be generated (LLM endpoint)
    ├── SearchError
    │   └── InvalidQueryError (also ValueError)
    └── ExportError
"""

from __future__ import annotations

__all__ = [
    "AggregatorError",
    "ArchiveError",
    "ConfigError",
    "ExportError",
    "FeedError",
    "FeedParseError",
    "FetchError",
    "GeneratorError",
    "InvalidFeedURL",
    "InvalidQueryError",
    "SearchError",
    "StoryFormatError",
    "StoryNotFound",
]


class AggregatorError(Exception):
    """Base of every error aggregator raises on purpose."""

    default_message = "aggregator error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        """The one-line message shown to users."""
        return str(self.args[0])


class ConfigError(AggregatorError):
    """The configuration file (or a flag or variable) is invalid.

    Attributes:
        path: the file the value came from, or ``None``.
        key: the dotted key that is wrong, e.g. ``feeds[3].url``, or ``None``.
    """

    default_message = "invalid configuration"

    def __init__(
        self, message: str | None = None, *, path: str | None = None, key: str | None = None
    ) -> None:
        self.path = path
        self.key = key
        parts = []
        if path:
            parts.append(str(path))
        if key:
            parts.append(key)
        prefix = ": ".join(parts)
        text = message or self.default_message
        super().__init__(f"{prefix}: {text}" if prefix else text)


class FeedError(AggregatorError):
    """Something is wrong with one feed; the others go on.

    Attributes:
        url: the feed's URL.
    """

    default_message = "feed error"

    def __init__(self, message: str | None = None, *, url: str = "") -> None:
        self.url = url
        super().__init__(message)


class FetchError(FeedError):
    """The feed could not be fetched (network, HTTP status, limits)."""

    default_message = "could not fetch the feed"


class FeedParseError(FeedError):
    """The fetched bytes are not a feed that can be read."""

    default_message = "could not parse the feed"


class InvalidFeedURL(FeedError, ValueError):
    """The feed URL is not an http(s) URL we are allowed to fetch."""

    default_message = "invalid feed URL"


class ArchiveError(AggregatorError):
    """The archive could not be read or written (locked, full, read-only, corrupt)."""

    default_message = "archive error"


class StoryNotFound(ArchiveError, LookupError):
    """No story has the requested id."""

    default_message = "no such story"


class StoryFormatError(AggregatorError, ValueError):
    """A text is not a valid article-plus-questions document."""

    default_message = "not an article-plus-questions document"


class GeneratorError(AggregatorError):
    """Questions could not be generated (an LLM endpoint failed or answered badly)."""

    default_message = "questions could not be generated"


class SearchError(AggregatorError):
    """A search could not be run."""

    default_message = "search failed"


class InvalidQueryError(SearchError, ValueError):
    """The search query is invalid (only an empty query, today)."""

    default_message = "invalid query"


class ExportError(AggregatorError):
    """A digest or export could not be produced."""

    default_message = "export failed"
