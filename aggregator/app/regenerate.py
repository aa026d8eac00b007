"""Redo the stored questions of archived stories (``aggregator questions --regenerate``).

Reads the stories in id order, batch by batch, writes each batch's new
questions in one transaction (the FTS index follows through the archive's
update trigger, so the new questions are searchable at once) and reports
progress after each batch. With the LLM generator, a story whose request
fails gets offline questions and records ``offline``, as at ingest.

Stories imported from documents keep their questions unless asked: those were
written by a person (``generator = "imported"``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from aggregator.app.config import QuestionsConfig
from aggregator.ingest.lang import detect_language
from aggregator.models import Story
from aggregator.questions.offline import OfflineGenerator
from aggregator.store.archive import Archive

__all__ = ["GENERATORS", "RegenerateResult", "regenerate_questions"]

#: The generators ``--generator`` accepts.
GENERATORS = ("offline", "llm")
_BATCH = 50


@dataclass(frozen=True, slots=True)
class RegenerateResult:
    """What a regeneration did.

    Attributes:
        total: stories whose questions were rewritten.
        by_generator: how many each generator wrote (``offline``, ``llm:<model>``).
        fallbacks: stories the LLM failed on (they got offline questions).
        llm_error: why the LLM failed, the first time it was found down (``""`` if never).
    """

    total: int
    by_generator: dict[str, int]
    fallbacks: int = 0
    llm_error: str = ""


def regenerate_questions(
    archive: Archive,
    *,
    questions: QuestionsConfig,
    now: datetime,
    generator: str | None = None,
    since: datetime | None = None,
    include_imported: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> RegenerateResult:
    """Rewrite the questions of archived stories.

    Args:
        archive: the archive (opened for writing).
        questions: the ``[questions]`` settings (count, LLM endpoint).
        now: the time of the change (UTC), the stories' ``updated_at``.
        generator: ``offline`` or ``llm``; ``None`` for the configured one.
        since: only stories published at or after this time (UTC).
        include_imported: also rewrite the questions of imported documents.
        on_progress: called with ``(done, total)`` after each batch.

    Returns:
        What was rewritten.

    Raises:
        ValueError: ``generator`` is not one of :data:`GENERATORS`.
        ArchiveError: a batch could not be written (earlier batches stay written).
    """
    name = generator or questions.generator
    if name not in GENERATORS:
        raise ValueError(f"unknown generator {name!r} (allowed: {', '.join(GENERATORS)})")
    skip = () if include_imported else ("imported",)
    total = archive.count_stories(since=since, skip_generators=skip)
    offline = OfflineGenerator(count=questions.count)
    if name == "llm":
        return asyncio.run(
            _with_llm(archive, questions, offline, now, since, skip, total, on_progress)
        )
    counts: dict[str, int] = {}
    done = 0
    for batch in _batches(archive, since, skip):
        archive.update_questions(
            [(story_id, offline.generate(story), offline.name) for story_id, story in batch],
            now=now,
        )
        done += len(batch)
        counts[offline.name] = done
        if on_progress is not None:
            on_progress(done, total)
    return RegenerateResult(total=done, by_generator=counts)


async def _with_llm(
    archive: Archive,
    questions: QuestionsConfig,
    offline: OfflineGenerator,
    now: datetime,
    since: datetime | None,
    skip: tuple[str, ...],
    total: int,
    on_progress: Callable[[int, int], None] | None,
) -> RegenerateResult:
    from aggregator.questions.llm import LLMGenerator

    counts: dict[str, int] = {}
    done = fallbacks = 0
    async with LLMGenerator(questions.llm, count=questions.count) as llm:
        for batch in _batches(archive, since, skip):
            answers = await llm.questions([story for _, story in batch])
            updates = []
            for (story_id, story), answer in zip(batch, answers, strict=True):
                if answer is None:
                    fallbacks += 1
                    updates.append((story_id, offline.generate(story), offline.name))
                else:
                    updates.append((story_id, answer, llm.name))
            archive.update_questions(updates, now=now)
            for _, _, used in updates:
                counts[used] = counts.get(used, 0) + 1
            done += len(batch)
            if on_progress is not None:
                on_progress(done, total)
    return RegenerateResult(
        total=done, by_generator=counts, fallbacks=fallbacks, llm_error=llm.last_error
    )


def _batches(
    archive: Archive, since: datetime | None, skip: tuple[str, ...]
) -> Iterator[list[tuple[int, Story]]]:
    """The stories to redo, in batches. Streaming is safe: :meth:`Archive.iter_stories`
    reads each page whole (keyset paging by id) before the caller writes."""
    batch: list[tuple[int, Story]] = []
    for story_id, story in archive.iter_stories(since=since, skip_generators=skip):
        if not story.lang:  # the archive does not keep the language: the questions need it
            story = replace(story, lang=detect_language(story.title, story.body))
        batch.append((story_id, story))
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
