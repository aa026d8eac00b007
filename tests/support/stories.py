"""A story as the questions generator receives it, for the question tests."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.models import Story


def news_story(title: str, body: str = "", lang: str = "en", category: str = "NEWS") -> Story:
    """A story of ``title`` and ``body`` in ``lang``, published on a fixed day."""
    return Story(
        category=category,
        title=title,
        published=datetime(2025, 4, 21, tzinfo=UTC),
        body=body,
        lang=lang,
    )
