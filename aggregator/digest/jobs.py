"""Scheduled digests: cron triggers, one run (build, write, mail), and the daemon's jobs.

The daemon calls :func:`schedule_digests` with its APScheduler scheduler; each
``[[digests]]`` entry becomes one cron job that calls :func:`run_digest` in a
worker thread (with its own read-only connection, so polling goes on). A run's
window comes from the time its schedule fired, not from when the job got to
run, so a late run builds the same digest (see
:func:`aggregator.digest.select.scheduled_window`).

Each digest's settings are a :class:`DigestJob` (the config loader builds
them from ``[[digests]]``); cron expressions are read by
:mod:`aggregator.digest.cron`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aggregator import defaults
from aggregator.digest.cron import cron_trigger
from aggregator.digest.mail import EmailSettings
from aggregator.digest.select import Window, load_digest, render_digest, scheduled_window
from aggregator.errors import AggregatorError, ExportError

__all__ = [
    "DigestJob",
    "DigestRun",
    "digest_file_name",
    "digests_status",
    "next_run",
    "output_folder",
    "previous_fire_time",
    "run_digest",
    "schedule_digests",
    "write_atomic",
]

log = logging.getLogger(__name__)

JOB_PREFIX = "digest:"
_LOOKBACK = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class DigestJob:
    """A digest built on a schedule (one ``[[digests]]`` entry of the config file).

    Attributes:
        name: names the files and the job (letters, digits, ``.``, ``_``, ``-``).
        schedule: a cron expression, ``minute hour day month weekday``,
            optionally preceded by a field for the second.
        timezone: the schedule's time zone (an IANA name).
        window: ``daily`` or ``weekly`` (the whole UTC days before the run), or
            a duration such as ``"12h"`` (the span that ends at the run).
        formats: the formats written, e.g. ``("html", "text")``.
        output: the folder of the files, or ``None`` for ``digests/`` beside the archive.
        filename: the file name without suffix; ``{name}``, ``{date}`` (the
            last day covered), ``{time}``, ``{since}`` and ``{until}`` are filled in.
        title: the digest's title.
        categories: only these categories (empty for all).
        limit: the most stories, or ``None``.
        email: delivery by email, or ``None``.
    """

    name: str
    schedule: str
    timezone: str = "UTC"
    window: str = "daily"
    formats: tuple[str, ...] = ("html",)
    output: Path | None = None
    filename: str = "{name}-{date}"
    title: str = "News digest"
    categories: tuple[str, ...] = ()
    limit: int | None = None
    email: EmailSettings | None = None


@dataclass(frozen=True, slots=True)
class DigestRun:
    """What one run of a scheduled digest did.

    Attributes:
        name: the digest's name.
        window: the span of time it covered.
        stories: how many stories it showed.
        files: the files written, one per format.
        emailed: the recipients it was sent to (empty when not mailed).
    """

    name: str
    window: Window
    stories: int
    files: tuple[Path, ...]
    emailed: tuple[str, ...] = ()


def next_run(spec: DigestJob, *, now: datetime) -> datetime | None:
    """When a scheduled digest runs next.

    Args:
        spec: the digest.
        now: the current time (UTC).

    Returns:
        The next run (UTC), or ``None`` if the schedule never fires again.
    """
    from datetime import UTC

    fire = cron_trigger(spec.schedule, timezone=spec.timezone).get_next_fire_time(None, now)
    return fire.astimezone(UTC) if fire is not None else None


def previous_fire_time(trigger: Any, now: datetime) -> datetime:
    """The latest time at or before ``now`` when ``trigger`` fired (within ten minutes).

    A job does not learn its scheduled time from APScheduler, so it is found
    again: a run that starts late still covers the window of its slot.

    Args:
        trigger: a cron trigger.
        now: the current time (UTC).

    Returns:
        That time (UTC); ``now`` to the second when none is found.
    """
    from datetime import UTC

    last = None
    fire = trigger.get_next_fire_time(None, now - _LOOKBACK)
    for _ in range(100_000):
        if fire is None or fire > now:
            break
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return (last or now).astimezone(UTC).replace(microsecond=0)


def output_folder(spec: DigestJob, db_path: Path | str) -> Path:
    """The folder a digest's files go to.

    Args:
        spec: the digest.
        db_path: the archive file.

    Returns:
        ``spec.output``, else ``digests/`` beside the archive.
    """
    if spec.output is not None:
        return spec.output
    if defaults.is_database_url(db_path):  # an archive in PostgreSQL: the working folder
        return Path(defaults.DIGESTS_FOLDER)
    return Path(db_path).parent / defaults.DIGESTS_FOLDER


def digest_file_name(spec: DigestJob, window: Window, suffix: str) -> str:
    """A digest file's name, from ``spec.filename`` and the window.

    Args:
        spec: the digest.
        window: the span it covers.
        suffix: the format's suffix, e.g. ``.html``.

    Returns:
        The file name; ``{date}`` is the last day covered (UTC), ``{time}`` the
        window's end as ``HHMMSS``, ``{since}``/``{until}`` compact UTC times.
    """
    compact = "%Y%m%dT%H%M%SZ"
    return (
        spec.filename.format(
            name=spec.name,
            date=window.last_day.isoformat(),
            time=window.until.strftime("%H%M%S"),
            since=window.since.strftime(compact),
            until=window.until.strftime(compact),
        )
        + suffix
    )


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half of it.

    Args:
        path: the file; its folder is created if missing.
        text: the content, written as UTF-8.

    Raises:
        ExportError: the file cannot be written.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc}") from exc


def run_digest(
    spec: DigestJob,
    *,
    db_path: Path | str,
    fire_time: datetime,
    environ: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> DigestRun:
    """Build one scheduled digest: write a file per format, then mail it if configured.

    An empty digest is written but not mailed.

    Args:
        spec: the digest.
        db_path: the archive file (opened read-only).
        fire_time: when its schedule fired (UTC); the window follows from it.
        environ: where the SMTP password is looked up (default ``os.environ``).
        ssl_context: TLS settings for SMTP (default: the system's trust store).

    Returns:
        What was done; no files when the archive is in PostgreSQL and another
        daemon claimed this run (each run is built and mailed once).

    Raises:
        ArchiveError: the archive cannot be read.
        ExportError: a file cannot be written or the mail cannot be sent (the
            files are written before the mail is tried).
    """
    from aggregator.digest.formats import RENDERERS

    window = scheduled_window(fire_time, spec.window)
    if defaults.is_database_url(db_path) and not _claim_run(spec, window.until, str(db_path)):
        # Several daemons share an archive in PostgreSQL: the first to claim a run builds it.
        return DigestRun(spec.name, window, 0, (), ())
    digest = load_digest(
        db_path, window, categories=spec.categories, limit=spec.limit, title=spec.title
    )
    folder = output_folder(spec, db_path)
    files = []
    for fmt in spec.formats:
        path = folder / digest_file_name(spec, window, RENDERERS[fmt].suffix)
        write_atomic(path, render_digest(digest, fmt))
        files.append(path)
    emailed: tuple[str, ...] = ()
    if spec.email is not None and digest.count:
        from aggregator.digest.mail import digest_message, send_message

        message = digest_message(digest, spec.email)
        send_message(message, spec.email, environ=environ, ssl_context=ssl_context)
        emailed = spec.email.to
    return DigestRun(spec.name, window, digest.count, tuple(files), emailed)


def _claim_run(spec: DigestJob, window_end: datetime, url: str) -> bool:
    """Claim one run of a digest in a PostgreSQL archive; ``False``: another daemon has it."""
    from aggregator.store.engine import open_archive

    with open_archive(url) as archive:
        claim = getattr(archive, "claim_digest", None)
        return claim is None or bool(claim(spec.name, window_end, now=datetime.now(UTC)))


def schedule_digests(
    scheduler: Any,
    *,
    jobs: Sequence[DigestJob],
    db_path: Path | str,
    clock: Callable[[], datetime],
) -> list[str]:
    """Add one cron job per ``[[digests]]`` entry to an asyncio APScheduler scheduler.

    Jobs added by an earlier call are removed first, so calling it again
    after a config reload reschedules.

    Args:
        scheduler: an ``AsyncIOScheduler`` (started or not).
        jobs: the scheduled digests.
        db_path: the archive file.
        clock: returns the current time (UTC).

    Returns:
        The ids of the jobs added.
    """
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX):
            job.remove()
    ids = []
    for spec in jobs:
        trigger = cron_trigger(spec.schedule, timezone=spec.timezone)
        job_id = JOB_PREFIX + spec.name
        scheduler.add_job(
            _job,
            trigger,
            args=(spec, trigger, db_path, clock),
            id=job_id,
            name=f"digest {spec.name}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        ids.append(job_id)
        log.info(
            "digest %s scheduled (%s %s), next at %s",
            spec.name,
            spec.schedule,
            spec.timezone,
            next_run(spec, now=clock()),
        )
    return ids


async def _job(
    spec: DigestJob, trigger: Any, db_path: Path | str, clock: Callable[[], datetime]
) -> None:
    """Run one digest in a worker thread; log the outcome, never raise into the scheduler."""
    fire_time = previous_fire_time(trigger, clock())
    try:
        run = await asyncio.to_thread(run_digest, spec, db_path=db_path, fire_time=fire_time)
    except asyncio.CancelledError:
        # The daemon is stopping: the scheduler's shutdown cancels the jobs it runs. A
        # thread cannot be interrupted, and the process waits for it before it exits
        # (asyncio.run shuts its default executor down), so the digest is still
        # written and mailed; only this coroutine's wait for it ends here.
        log.info("digest %s: stopping; the run in progress completes before exit", spec.name)
        return
    except AggregatorError as exc:
        log.error("digest %s failed: %s", spec.name, exc)
        return
    except Exception:
        log.exception("digest %s failed", spec.name)
        return
    if not run.files:
        log.info("digest %s (%s) is built by another worker", run.name, run.window.label)
        return
    mailed = f"; mailed to {', '.join(run.emailed)}" if run.emailed else ""
    log.info(
        "digest %s: %d stories (%s) written to %s%s",
        run.name,
        run.stories,
        run.window.label,
        ", ".join(str(f) for f in run.files),
        mailed,
    )


def digests_status(
    jobs: Sequence[DigestJob], *, db_path: Path | str, now: datetime
) -> list[dict[str, Any]]:
    """The scheduled digests and when each runs next (for ``status``).

    Args:
        jobs: the scheduled digests.
        db_path: the archive file.
        now: the current time (UTC).

    Returns:
        One dict per digest: ``name, schedule, timezone, window, formats,
        output, email, next_run`` (ISO 8601 UTC or ``None``).
    """
    from aggregator.timeutil import to_db

    return [
        {
            "name": spec.name,
            "schedule": spec.schedule,
            "timezone": spec.timezone,
            "window": spec.window,
            "formats": list(spec.formats),
            "output": str(output_folder(spec, db_path)),
            "email": list(spec.email.to) if spec.email else [],
            "next_run": to_db(next_run(spec, now=now)),
        }
        for spec in jobs
    ]
