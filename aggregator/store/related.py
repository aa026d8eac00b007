"""Related stories: archived stories close to one story in title and time.

Candidates come from the FTS5 index; :mod:`aggregator.story.related` picks
the key terms and judges closeness.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from aggregator.errors import StoryNotFound
from aggregator.store.base import ArchiveBase
from aggregator.store.compact import date_param
from aggregator.story.related import fts_query, is_close, key_terms
from aggregator.timeutil import from_db

__all__ = ["RelatedMixin"]

log = logging.getLogger(__name__)


class RelatedMixin(ArchiveBase):
    """The archive's related-stories method."""

    def related(
        self, story_id: int, *, limit: int = 3, window: timedelta = timedelta(days=7)
    ) -> list[tuple[int, str]]:
        """Archived stories close to one story: same key terms in the title, near in time.

        Candidates come from the FTS5 index (any of the title's key terms in a
        title, best BM25 first) published within ``window`` of the story; a
        candidate is kept when its title shares at least two key terms with the
        story's (see :mod:`aggregator.story.related`) and it is not the story itself or
        another copy of one of its sources.

        Args:
            story_id: the story.
            limit: at most this many.
            window: how far before or after the story's date a related one may be.

        Returns:
            ``(id, title)`` pairs, closest first; ``[]`` when there are none.

        Raises:
            StoryNotFound: no story has that id.
        """
        row = self.conn.execute(
            "SELECT title, published FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            raise StoryNotFound(f"no story with id {story_id}")
        terms = key_terms(row[0])
        query = fts_query(terms)
        published = from_db(row[1])
        if not query or published is None:
            return []
        try:
            rows = self.conn.execute(
                "SELECT s.id, s.title, s.url FROM stories_fts"
                " JOIN stories s ON s.id = stories_fts.rowid"
                " WHERE stories_fts MATCH ? AND s.id != ? AND s.published BETWEEN ? AND ?"
                " ORDER BY bm25(stories_fts) LIMIT ?",
                (
                    query,
                    story_id,
                    date_param(self.conn, published - window),
                    date_param(self.conn, published + window),
                    limit * 8,
                ),
            ).fetchall()
        except sqlite3.Error as exc:
            log.warning("related stories of %d: %s", story_id, exc)
            return []
        return self._close_others(story_id, terms, rows, limit)

    def _close_others(
        self,
        story_id: int,
        terms: list[str],
        rows: Iterable[Sequence[Any]],
        limit: int,
    ) -> list[tuple[int, str]]:
        """The first ``limit`` candidate ``(id, title, url)`` rows whose title is close to
        ``terms``, leaving out those at a URL the story itself was seen at; either engine."""
        source_urls = {
            r[0]
            for r in self.conn.execute(
                "SELECT COALESCE(s.url, t.url) FROM sources s JOIN stories t ON t.id = s.story_id"
                " WHERE s.story_id = ?",
                (story_id,),
            )
            if r[0]
        }
        out: list[tuple[int, str]] = []
        for other_id, title, url in rows:
            if url in source_urls or not is_close(terms, title):
                continue
            out.append((int(other_id), title))
            if len(out) == limit:
                break
        return out
