"""Configuration: TOML loading and validation into frozen dataclasses.

No business logic and no I/O besides reading the one file. Every validation
error is a :class:`~aggregator.errors.ConfigError` naming the file, the key and
what is allowed, e.g.::

    config/aggregator.toml: feeds[3].url: 'ftp://x' is not an http(s) URL

Precedence (flag > ``AGGREGATOR_*`` environment > file > default) is resolved
by the CLI layer; this module only reads what it is given.

The settings types belong to the code that uses them (a feed is a
:class:`~aggregator.models.FeedConfig`, the LLM endpoint a
:class:`~aggregator.questions.llm.LLMSettings`, a scheduled digest a
:class:`~aggregator.digest.jobs.DigestJob` with its
:class:`~aggregator.digest.mail.EmailSettings`, a poll's settings a
:class:`~aggregator.poll.settings.PollSettings`); this module builds them from
the file, and nothing below the application imports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from aggregator import defaults
from aggregator.dedupe.events import EventParams
from aggregator.dedupe.neardup import Params as DedupeParams
from aggregator.digest.cron import cron_trigger
from aggregator.errors import ConfigError
from aggregator.ingest.categories import CategoryRule
from aggregator.ingest.credentials import ENV_NAME, HEADER_NAME
from aggregator.ingest.filters import FIELDS, FilterRule
from aggregator.models import Credentials, FeedConfig
from aggregator.poll.settings import PollSettings
from aggregator.questions.llm import LLMSettings
from aggregator.timeutil import parse_duration  # here too: config values are durations
from aggregator.tomlfile import read_toml

if TYPE_CHECKING:
    # The digest modules (renderers, mail, selection) load only for a config with
    # [[digests]]: every command reads the config, and most never build a digest.
    from aggregator.digest.jobs import DigestJob
    from aggregator.digest.mail import EmailSettings

__all__ = [
    "ArchiveConfig",
    "Config",
    "FetchConfig",
    "QuestionsConfig",
    "ScheduleConfig",
    "default_config_path",
    "load",
    "parse_duration",
    "parse_size",
    "validate_feed_url",
]


def __getattr__(name: str) -> tuple[str, ...]:
    """``DIGEST_FORMATS``: the digest formats a ``[[digests]]`` entry may name, those a
    renderer is registered for (read from the registry when first asked for)."""
    if name == "DIGEST_FORMATS":
        from aggregator.digest.formats import RENDERERS

        return tuple(RENDERERS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 1000**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "gib": 1024**3,
}


def parse_size(value: object) -> int:
    """Parse a size such as ``"10MiB"``, ``"512 KB"`` or a number of bytes.

    Args:
        value: a string with an optional unit (B, KB, KiB, MB, MiB, GB, GiB) or an integer.

    Returns:
        The size in bytes.

    Raises:
        ValueError: the value is not a size.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        m = _SIZE.match(value)
        if m:
            size = int(float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()])
            if size > 0:
                return size
    raise ValueError(f"{value!r} is not a size like '10MiB' or a positive number of bytes")


def validate_feed_url(url: object) -> str:
    """Check that a feed URL is an absolute http(s) URL with a host.

    Args:
        url: the candidate.

    Returns:
        The URL, stripped.

    Raises:
        ValueError: it is not.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"{url!r} is not an http(s) URL")
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValueError(f"{url!r} is not a valid URL ({exc})") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    if len(url.split()) > 1:  # stripped: more than one word is whitespace inside
        raise ValueError(f"{url!r} contains whitespace")
    return url


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    """``[archive]``: where the data lives.

    Attributes:
        path: the SQLite file (relative paths are relative to the working directory).
        url: a ``postgresql://`` URL (no password: libpq reads ``PGPASSWORD`` or
            ``~/.pgpass``); when set, the archive is in that database and ``path``
            is not used.
        keep: how long stories are kept, by their published date (``keep = "365d"``);
            ``None`` keeps them forever (``keep = "forever"``, the default).
    """

    path: Path = Path(defaults.ARCHIVE_PATH)
    keep: timedelta | None = None
    url: str = ""

    @property
    def location(self) -> Path | str:
        """Where the archive is: ``url`` when set, else ``path``."""
        return self.url or self.path


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """``[fetch]``: how feeds are fetched.

    Attributes:
        allow_private_addresses: allow feeds on loopback/private addresses (tests, local setups).
        concurrency: how many feeds are fetched at once.
        connect_timeout: seconds to connect.
        read_timeout: seconds between two reads.
        total_timeout: seconds for a whole fetch, redirects and body included.
        max_size: largest accepted response, in bytes, after decompression.
        user_agent: the User-Agent header, or ``""`` for the default naming the project.
        workers: parser processes for a poll (0 = one per core, 1 = parse in-process).
    """

    allow_private_addresses: bool = False
    concurrency: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_size: int = 10 * 1024 * 1024
    user_agent: str = ""
    workers: int = 0


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    """``[schedule]``: how often the daemon polls.

    Attributes:
        interval: the default interval between two polls of a feed.
        min_interval: never poll a feed more often than this.
        max_interval: never poll a feed less often than this.
        jitter: a random spread added to each feed's next poll, to avoid bursts.
        tick: how often the daemon looks for due feeds.
        lease: with an archive in PostgreSQL, how long a daemon's claim on a due
            feed holds without a recorded poll: a daemon that dies mid-poll
            leaves its feeds to the others after this long.
    """

    interval: timedelta = timedelta(minutes=30)
    min_interval: timedelta = timedelta(minutes=5)
    max_interval: timedelta = timedelta(days=1)
    jitter: timedelta = timedelta(minutes=1)
    tick: timedelta = timedelta(seconds=30)
    lease: timedelta = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class QuestionsConfig:
    """``[questions]``: how discussion questions are generated.

    Attributes:
        generator: the generator's name: ``offline`` or ``llm`` (the offline
            generator still answers whenever the endpoint fails).
        count: questions per story.
        llm: the endpoint for ``generator = "llm"``.
    """

    generator: str = "offline"
    count: int = 3
    llm: LLMSettings = field(default_factory=LLMSettings)


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration: immutable, loaded once, passed explicitly.

    Attributes:
        path: the file it came from, or ``None`` for built-in defaults.
        archive, fetch, schedule, questions: the sections.
        feeds: the configured feeds, in file order.
        categories: the ``[[categories]]`` rules that refine feed categories, in file order.
        tracking_params: extra URL query parameters dropped from canonical URLs.
        digests: the scheduled digests, in file order.
        dedupe: near-duplicate detection settings (``[dedupe]``).
        filters: the ``[[filters]]`` rules that drop or keep items, in file order.
        events: event grouping settings (``[events]``).
    """

    path: Path | None = None
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    questions: QuestionsConfig = field(default_factory=QuestionsConfig)
    feeds: tuple[FeedConfig, ...] = ()
    tracking_params: tuple[str, ...] = ()
    categories: tuple[CategoryRule, ...] = ()
    digests: tuple[DigestJob, ...] = ()
    dedupe: DedupeParams = field(default_factory=DedupeParams)
    filters: tuple[FilterRule, ...] = ()
    events: EventParams = field(default_factory=EventParams)

    def poll_settings(self) -> PollSettings:
        """The poller's settings, from ``[fetch]``, ``[schedule]``, ``[questions]``,
        ``[dedupe]`` and ``[[categories]]``.

        Returns:
            The settings.
        """
        return PollSettings(
            workers=self.fetch.workers,
            interval=self.schedule.interval,
            min_interval=self.schedule.min_interval,
            max_interval=self.schedule.max_interval,
            jitter=self.schedule.jitter,
            question_generator=self.questions.generator,
            question_count=self.questions.count,
            llm=self.questions.llm,
            categories=self.categories,
            tracking_params=self.tracking_params,
            dedupe=self.dedupe,
            feeds=self.feeds,
            filters=self.filters,
        )


def default_config_path() -> Path | None:
    """The config file used when neither ``--config`` nor ``AGGREGATOR_CONFIG`` names one.

    Returns:
        ``config/aggregator.toml`` under the working directory if it exists, else ``None``.
    """
    path = Path(defaults.CONFIG_PATH)
    return path if path.is_file() else None


class _Reader:
    """Validates one table of the TOML document, naming keys in errors."""

    def __init__(self, path: str, prefix: str, table: object) -> None:
        self.path = path
        self.prefix = prefix
        if not isinstance(table, Mapping):
            raise ConfigError("must be a table", path=path, key=prefix)
        self.table: Mapping[str, Any] = table
        self.seen: set[str] = set()

    def error(self, key: str, message: str) -> ConfigError:
        full = f"{self.prefix}.{key}" if self.prefix else key
        return ConfigError(message, path=self.path, key=full or None)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        self.seen.add(key)
        if key not in self.table:
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            ok = False
        else:
            ok = isinstance(value, kinds)
        if not ok:
            names = " or ".join(_type_name(k) for k in kinds)
            raise self.error(key, f"expected {names}, got {_type_name(type(value))} {value!r}")
        return value

    def convert(self, key: str, fn: Any, default: Any) -> Any:
        self.seen.add(key)
        if key not in self.table:
            return default
        try:
            return fn(self.table[key])
        except ValueError as exc:
            raise self.error(key, str(exc)) from exc

    def positive(self, key: str, kind: type, default: Any) -> Any:
        value = self.get(key, (kind, int) if kind is float else kind, default)
        if value <= 0:
            raise self.error(key, f"must be positive, got {value!r}")
        return kind(value)

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.seen)
        if unknown:
            allowed = ", ".join(sorted(self.seen))
            raise self.error(unknown[0], f"unknown key (allowed: {allowed})")


def _type_name(kind: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "an array",
        dict: "a table",
    }.get(kind, kind.__name__)


def load(path: str | Path | None) -> Config:
    """Load and validate a configuration file.

    Args:
        path: the TOML file, or ``None`` for the built-in defaults (no feeds).

    Returns:
        The validated configuration.

    Raises:
        ConfigError: the file is missing, unreadable, not TOML, or invalid; the
            message names the file, the key and what is allowed.
    """
    if path is None:
        return Config()
    path = Path(path)
    name = str(path)
    return from_dict(read_toml(name), path=name)


def from_dict(data: Mapping[str, Any], *, path: str = "<config>") -> Config:
    """Validate an already-parsed TOML document.

    Args:
        data: the document.
        path: the name used in error messages.

    Returns:
        The validated configuration.

    Raises:
        ConfigError: a key is unknown or a value is invalid.
    """
    top = _Reader(path, "", data)
    top.prefix = ""

    def section(name: str) -> _Reader:
        top.seen.add(name)
        return _Reader(path, name, data.get(name, {}))

    a = section("archive")
    keep = _keep(a, "keep")
    archive = ArchiveConfig(
        path=Path(a.get("path", str, defaults.ARCHIVE_PATH)),
        keep=keep if isinstance(keep, timedelta) else None,
        url=a.convert("url", _database_url, ""),
    )
    a.finish()

    f = section("fetch")
    fd = FetchConfig()
    fetch = FetchConfig(
        allow_private_addresses=f.get("allow_private_addresses", bool, False),
        concurrency=f.positive("concurrency", int, fd.concurrency),
        connect_timeout=f.convert("connect_timeout", _seconds, fd.connect_timeout),
        read_timeout=f.convert("read_timeout", _seconds, fd.read_timeout),
        total_timeout=f.convert("total_timeout", _seconds, fd.total_timeout),
        max_size=f.convert("max_size", parse_size, fd.max_size),
        user_agent=f.get("user_agent", str, ""),
        workers=f.get("workers", int, 0),
    )
    if fetch.workers < 0:
        raise f.error("workers", f"must be 0 (one per core) or more, got {fetch.workers}")
    f.finish()

    s = section("schedule")
    sd = ScheduleConfig()
    schedule = ScheduleConfig(
        interval=s.convert("interval", parse_duration, sd.interval),
        min_interval=s.convert("min_interval", parse_duration, sd.min_interval),
        max_interval=s.convert("max_interval", parse_duration, sd.max_interval),
        jitter=s.convert("jitter", parse_duration, sd.jitter),
        tick=s.convert("tick", parse_duration, sd.tick),
        lease=s.convert("lease", parse_duration, sd.lease),
    )
    if schedule.min_interval > schedule.max_interval:
        raise s.error("min_interval", "must not be longer than max_interval")
    if not schedule.min_interval <= schedule.interval <= schedule.max_interval:
        raise s.error("interval", "must lie between min_interval and max_interval")
    if schedule.tick.total_seconds() <= 0:
        raise s.error("tick", "must be positive")
    if schedule.lease.total_seconds() <= 0:
        raise s.error("lease", "must be positive")
    s.finish()

    q = section("questions")
    generator = q.get("generator", str, "offline")
    if generator not in ("offline", "llm"):
        raise q.error("generator", f"{generator!r} is unknown (allowed: llm, offline)")
    count = q.positive("count", int, 3)
    if count > 10:
        raise q.error("count", "must be at most 10")
    q.seen.add("llm")
    llm = _llm(_Reader(path, "questions.llm", q.table.get("llm", {})), required=generator == "llm")
    questions = QuestionsConfig(generator=generator, count=count, llm=llm)
    q.finish()

    d = section("dedupe")
    tracking = d.get("tracking_params", list, [])
    if not all(isinstance(p, str) and p for p in tracking):
        raise d.error("tracking_params", "expected an array of non-empty strings")
    dedupe = _dedupe(d)
    d.finish()

    e = section("events")
    events = _events(e)
    e.finish()

    top.seen.add("feeds")
    raw_feeds = data.get("feeds", [])
    if not isinstance(raw_feeds, list):
        raise ConfigError("expected an array of tables ([[feeds]])", path=path, key="feeds")
    feeds: list[FeedConfig] = []
    seen_urls: dict[str, int] = {}
    for i, raw in enumerate(raw_feeds):
        r = _Reader(path, f"feeds[{i}]", raw)
        if "url" not in r.table:
            raise r.error("url", "missing (every feed needs a url)")
        url = r.convert("url", validate_feed_url, "")
        if url in seen_urls:
            raise r.error("url", f"{url!r} is already feeds[{seen_urls[url]}]")
        seen_urls[url] = i
        category = r.get("category", str, "general").strip() or "general"
        interval = r.convert("interval", parse_duration, None)
        feeds.append(
            FeedConfig(
                url=url,
                category=category,
                title=r.get("title", str, ""),
                interval=interval,
                full_text=r.get("full_text", bool, False),
                enabled=r.get("enabled", bool, True),
                credentials=_credentials(r),
                keep=_keep(r, "keep"),
                keep_last=_keep_last(r),
            )
        )
        r.finish()
    top.seen.add("digests")
    digests = _digests(data.get("digests", []), path)
    top.seen.add("categories")
    categories = _categories(data.get("categories", []), path)
    top.seen.add("filters")
    filters = _filters(data.get("filters", []), path)
    top.finish()
    return Config(
        path=Path(path),
        archive=archive,
        fetch=fetch,
        schedule=schedule,
        questions=questions,
        feeds=tuple(feeds),
        categories=categories,
        tracking_params=tuple(tracking),
        digests=digests,
        dedupe=dedupe,
        filters=filters,
        events=events,
    )


#: Headers a feed's ``headers`` may not set: the fetcher's own, or the connection's.
_RESERVED_HEADERS = frozenset(
    "host content-length transfer-encoding connection accept-encoding if-none-match"
    " if-modified-since user-agent".split()
)


FOREVER: Literal["forever"] = "forever"


def _keep(r: _Reader, key: str) -> timedelta | Literal["forever"] | None:
    """A retention time: ``"forever"`` or a positive duration (``"365d"``); ``None`` if unset."""
    if key not in r.table:
        r.seen.add(key)
        return None
    if r.table[key] == FOREVER:
        r.seen.add(key)
        return FOREVER
    r.seen.add(key)
    try:
        # A bare number is ambiguous here (30 seconds? days?): a string with its unit.
        raw = r.table[key]
        value = parse_duration(raw) if isinstance(raw, str) else timedelta(0)
    except ValueError:
        value = timedelta(0)
    if value <= timedelta(0):
        raise r.error(key, f'must be "forever" or a positive duration, got {r.table[key]!r}')
    return value


def _keep_last(r: _Reader) -> int | None:
    value: int | None = r.get("keep_last", int, None)
    if value is not None and value < 1:
        raise r.error("keep_last", f"must be at least 1, got {value}")
    return value


def _credentials(r: _Reader) -> Credentials:
    """Validate a feed's ``username``, ``password_env``, ``token_env``, ``headers`` and
    ``user_agent`` (secrets come from the environment, never from the file)."""
    username = r.get("username", str, "")
    if any(c in username for c in ":\r\n\x00"):
        raise r.error("username", "must be one line without ':'")
    password_env = _env_name(r, "password_env")
    token_env = _env_name(r, "token_env")
    if username and not password_env:
        raise r.error(
            "password_env", "missing: with a username, name the variable that holds the password"
        )
    if password_env and not username:
        raise r.error("username", "missing: password_env needs a username")
    if username and token_env:
        raise r.error("token_env", "use either username + password_env or token_env, not both")
    raw = r.get("headers", dict, {})
    headers: list[tuple[str, str]] = []
    for name, value in raw.items():
        if not HEADER_NAME.fullmatch(name):
            raise r.error(f"headers.{name}", "is not a header name")
        if name.lower() in _RESERVED_HEADERS:
            hint = " (use user_agent)" if name.lower() == "user-agent" else ""
            raise r.error(f"headers.{name}", f"is set by aggregator itself{hint}")
        if name.lower() == "authorization" and (username or token_env):
            raise r.error(f"headers.{name}", "clashes with username/token_env")
        if not isinstance(value, str) or any(c in value for c in "\r\n\x00"):
            raise r.error(f"headers.{name}", "expected a one-line string")
        headers.append((name, value))
    user_agent = r.get("user_agent", str, "")
    if any(c in user_agent for c in "\r\n\x00"):
        raise r.error("user_agent", "must be one line")
    return Credentials(
        username=username,
        password_env=password_env,
        token_env=token_env,
        headers=tuple(headers),
        user_agent=user_agent.strip(),
    )


def _env_name(r: _Reader, key: str) -> str:
    name: str = r.get(key, str, "")
    if name and not ENV_NAME.fullmatch(name):
        raise r.error(key, f"{name!r} is not an environment variable name")
    return name


def _dedupe(r: _Reader) -> DedupeParams:
    """Validate the near-duplicate keys of ``[dedupe]``."""
    d = DedupeParams()

    def number(key: str, default: int, lo: int, hi: int) -> int:
        value: int = r.get(key, int, default)
        if not lo <= value <= hi:
            raise r.error(key, f"must be between {lo} and {hi}, got {value}")
        return value

    def share(key: str, default: float) -> float:
        value = float(r.get(key, (float, int), default))
        if not 0 < value <= 1:
            raise r.error(key, f"must be above 0 and at most 1, got {value}")
        return value

    window = r.convert("window", parse_duration, d.window)
    if not timedelta(0) < window <= timedelta(days=30):
        raise r.error("window", f"must be positive and at most 30 days, got {r.table['window']!r}")
    shingle_size = number("shingle_size", d.shingle_size, 1, 12)
    min_words = number("min_words", d.min_words, 1, 1000)
    params = DedupeParams(
        enabled=r.get("near_duplicates", bool, d.enabled),
        window=window,
        shingle_size=shingle_size,
        bands=number("bands", d.bands, 1, 64),
        rows=number("rows", d.rows, 1, 16),
        lead_words=number("lead_words", d.lead_words, shingle_size, 1000),
        lead_bands=number("lead_bands", d.lead_bands, 0, 64),
        lead_rows=number("lead_rows", d.lead_rows, 1, 16),
        jaccard=share("jaccard", d.jaccard),
        containment=share("containment", d.containment),
        title_similarity=share("title_similarity", d.title_similarity),
        title_strong=share("title_strong", d.title_strong),
        partial_lead=share("partial_lead", d.partial_lead),
        min_words=min_words,
        short_words=number("short_words", d.short_words, min_words, 1000),
        short_jaccard=share("short_jaccard", d.short_jaccard),
        upgrade_ratio=float(r.get("upgrade_ratio", (float, int), d.upgrade_ratio)),
        max_candidates=number("max_candidates", d.max_candidates, 1, 1000),
    )
    if not 1 <= params.upgrade_ratio <= 100:
        raise r.error("upgrade_ratio", f"must be between 1 and 100, got {params.upgrade_ratio}")
    return params


def _events(r: _Reader) -> EventParams:
    """Validate ``[events]``: the event grouping's switch, window and thresholds."""
    d = EventParams()

    def share(key: str, default: float) -> float:
        value = float(r.get(key, (float, int), default))
        if not 0 < value <= 1:
            raise r.error(key, f"must be above 0 and at most 1, got {value}")
        return value

    window = r.convert("window", parse_duration, d.window)
    if not timedelta(0) < window <= timedelta(days=7):
        raise r.error("window", f"must be positive and at most 7 days, got {r.table['window']!r}")
    min_idf = float(r.get("min_idf", (float, int), d.min_idf))
    if not 1 <= min_idf <= 20:
        raise r.error("min_idf", f"must be between 1 and 20, got {min_idf}")
    max_candidates: int = r.get("max_candidates", int, d.max_candidates)
    if not 1 <= max_candidates <= 1000:
        raise r.error("max_candidates", f"must be between 1 and 1000, got {max_candidates}")
    actor_idf = float(r.get("actor_idf", (float, int), d.actor_idf))
    if not 1 <= actor_idf <= 20:
        raise r.error("actor_idf", f"must be between 1 and 20, got {actor_idf}")
    # A window shorter than the default incident, occasion, angle or explainer window bounds
    # it, unless set.
    incident_window = r.convert("incident_window", parse_duration, min(d.incident_window, window))
    if not timedelta(0) < incident_window <= window:
        raise r.error(
            "incident_window",
            f"must be positive and at most window, got {r.table['incident_window']!r}",
        )
    occasion_window = r.convert("occasion_window", parse_duration, min(d.occasion_window, window))
    if not timedelta(0) < occasion_window <= window:
        raise r.error(
            "occasion_window",
            f"must be positive and at most window, got {r.table['occasion_window']!r}",
        )
    angle_window = r.convert("angle_window", parse_duration, min(d.angle_window, window))
    if not timedelta(0) < angle_window <= window:
        raise r.error(
            "angle_window",
            f"must be positive and at most window, got {r.table['angle_window']!r}",
        )
    explainer_window = r.convert(
        "explainer_window", parse_duration, min(d.explainer_window, window)
    )
    if not timedelta(0) < explainer_window <= window:
        raise r.error(
            "explainer_window",
            f"must be positive and at most window, got {r.table['explainer_window']!r}",
        )
    angle_idf = float(r.get("angle_idf", (float, int), d.angle_idf))
    if not 1 <= angle_idf <= 20:
        raise r.error("angle_idf", f"must be between 1 and 20, got {angle_idf}")
    one_key_idf = float(r.get("one_key_idf", (float, int), d.one_key_idf))
    if not 1 <= one_key_idf <= 20:
        raise r.error("one_key_idf", f"must be between 1 and 20, got {one_key_idf}")
    params = EventParams(
        enabled=r.get("enabled", bool, d.enabled),
        window=window,
        threshold=share("threshold", d.threshold),
        title_weight=share("title_weight", d.title_weight),
        gap_penalty=share("gap_penalty", d.gap_penalty),
        nameless=share("nameless", d.nameless),
        min_title=share("min_title", d.min_title),
        strong=share("strong", d.strong),
        min_idf=min_idf,
        cross_language=share("cross_language", d.cross_language),
        max_candidates=max_candidates,
        distinct=share("distinct", d.distinct),
        coverage=share("coverage", d.coverage),
        actors=share("actors", d.actors),
        actor_idf=actor_idf,
        incident_window=incident_window,
        told_names=share("told_names", d.told_names),
        occasion_window=occasion_window,
        angle_window=angle_window,
        explainer_window=explainer_window,
        angle_idf=angle_idf,
        one_key_idf=one_key_idf,
        toll=share("toll", d.toll),
    )
    if params.nameless < params.threshold:
        raise r.error("nameless", "must not be below threshold (sharing no name is weaker)")
    if params.distinct > params.threshold:
        raise r.error("distinct", "must not be above threshold (a distinct name is rarer)")
    if params.toll < params.threshold:
        raise r.error("toll", "must not be below threshold (tolls that differ are a doubt)")
    return params


def _llm(r: _Reader, *, required: bool) -> LLMSettings:
    """Validate ``[questions.llm]``; ``required`` when it is the configured generator."""
    d = LLMSettings()
    base_url = r.convert("base_url", validate_feed_url, d.base_url).rstrip("/")
    model = r.get("model", str, "").strip()
    if required and not model:
        raise r.error("model", 'missing (generator = "llm" needs the model\'s name)')
    api_key_env = r.get("api_key_env", str, "").strip()
    if api_key_env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", api_key_env):
        raise r.error("api_key_env", f"{api_key_env!r} is not an environment variable name")
    llm = LLMSettings(
        base_url=base_url,
        model=model,
        api_key_env=api_key_env,
        timeout=r.convert("timeout", _seconds, d.timeout),
        max_retries=r.get("max_retries", int, d.max_retries),
        concurrency=r.positive("concurrency", int, d.concurrency),
    )
    if not 0 <= llm.max_retries <= 10:
        raise r.error("max_retries", f"must be between 0 and 10, got {llm.max_retries}")
    r.finish()
    return llm


def _categories(raw: object, path: str) -> tuple[CategoryRule, ...]:
    """Validate the ``[[categories]]`` rules."""
    if not isinstance(raw, list):
        raise ConfigError(
            "expected an array of tables ([[categories]])", path=path, key="categories"
        )
    rules: list[CategoryRule] = []
    for i, table in enumerate(raw):
        r = _Reader(path, f"categories[{i}]", table)
        if "category" not in r.table:
            raise r.error("category", "missing (every rule names the category it assigns)")
        category = r.get("category", str, "").strip()
        if not category:
            raise r.error("category", "must not be empty")
        rule = CategoryRule(
            category=category,
            tags=_string_array(r, "tags"),
            keywords=_string_array(r, "keywords"),
            feed_categories=_string_array(r, "feed_categories"),
        )
        if not rule.tags and not rule.keywords:
            raise r.error("tags", "a rule needs tags or keywords (or both)")
        r.finish()
        rules.append(rule)
    return tuple(rules)


def _filters(raw: object, path: str) -> tuple[FilterRule, ...]:
    """Validate the ``[[filters]]`` rules (see :mod:`aggregator.ingest.filters`)."""
    if not isinstance(raw, list):
        raise ConfigError("expected an array of tables ([[filters]])", path=path, key="filters")
    rules: list[FilterRule] = []
    for i, table in enumerate(raw):
        r = _Reader(path, f"filters[{i}]", table)
        if "action" not in r.table:
            raise r.error("action", "missing (drop or keep)")
        action = r.get("action", str, "")
        if action not in ("drop", "keep"):
            raise r.error("action", f"{action!r} is unknown (allowed: drop, keep)")
        words = _string_array(r, "words")
        for word in words:
            if len(word.split()) > 1:
                raise r.error("words", f"{word!r} is several words: put it in phrases")
        phrases = _string_array(r, "phrases")
        patterns = _string_array(r, "patterns")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                message = f"{pattern!r} is not a regular expression: {exc}"
                raise r.error("patterns", message) from exc
        if not (words or phrases or patterns):
            raise r.error("words", "a rule needs words, phrases or patterns")
        fields = _string_array(r, "fields") or ("title", "body")
        for name in fields:
            if name not in FIELDS:
                raise r.error("fields", f"{name!r} is unknown (allowed: {', '.join(FIELDS)})")
        feeds = tuple(
            _checked(r, "feeds", validate_feed_url, url) for url in _string_array(r, "feeds")
        )
        category = r.get("category", str, "").strip().upper()
        r.finish()
        rules.append(
            FilterRule(
                name=f"filters[{i}]",
                action=action,
                terms=words + phrases,
                patterns=patterns,
                fields=tuple(dict.fromkeys(fields)),
                feeds=feeds,
                category=category,
            )
        )
    return tuple(rules)


def _checked(r: _Reader, key: str, fn: Any, value: Any) -> Any:
    try:
        return fn(value)
    except ValueError as exc:
        raise r.error(key, str(exc)) from exc


def _string_array(r: _Reader, key: str) -> tuple[str, ...]:
    """An optional array of non-empty strings, stripped."""
    values = r.get(key, list, [])
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise r.error(key, "expected an array of non-empty strings")
    return tuple(v.strip() for v in values)


def _database_url(value: object) -> str:
    """``[archive] url``: a PostgreSQL URL without a password (secrets: the environment)."""
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not defaults.is_database_url(value):
        raise ValueError(f"{value!r} is not a postgresql:// URL")
    if urlsplit(value).password:
        raise ValueError(
            "contains a password; remove it and set PGPASSWORD (or use ~/.pgpass):"
            " secrets are read only from the environment"
        )
    return value


def _seconds(value: object) -> float:
    seconds = parse_duration(value).total_seconds()
    if seconds <= 0:
        raise ValueError(f"{value!r} must be positive")
    return seconds


_SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _strings(r: _Reader, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A string or an array of non-empty strings."""
    value = r.get(key, (str, list), list(default))
    items = [value] if isinstance(value, str) else value
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise r.error(key, "expected a string or an array of non-empty strings")
    return tuple(v.strip() for v in items)


def _address(r: _Reader, key: str, value: str) -> str:
    from email.utils import parseaddr

    if "\n" in value or "\r" in value or "@" not in parseaddr(value)[1]:
        raise r.error(key, f"{value!r} is not an email address")
    return value


def _email(raw: object, path: str, prefix: str) -> EmailSettings:
    r = _Reader(path, prefix, raw)
    for key in ("host", "from", "to"):
        if key not in r.table:
            raise r.error(key, "missing (email delivery needs host, from and to)")
    host = r.get("host", str, "").strip()
    if not host or any(c.isspace() for c in host):
        raise r.error("host", f"{host!r} is not a host name")
    security = r.get("security", str, "starttls")
    if security not in _SECURITY_PORTS:
        raise r.error("security", f"{security!r} is unknown (allowed: starttls, tls, none)")
    port = r.get("port", int, _SECURITY_PORTS[security])
    if not 0 < port < 65536:
        raise r.error("port", f"must be between 1 and 65535, got {port}")
    user = r.get("user", str, "")
    password_env = r.get("password_env", str, "")
    if password_env and not _ENV_NAME.match(password_env):
        raise r.error("password_env", f"{password_env!r} is not an environment variable name")
    if user and not password_env:
        raise r.error(
            "password_env",
            "missing: with a user, name the environment variable that holds the password",
        )
    sender = _address(r, "from", r.get("from", str, ""))
    to = tuple(_address(r, "to", a) for a in _strings(r, "to", ()))
    if not to:
        raise r.error("to", "expected at least one recipient")
    subject = r.get("subject", str, "")
    if "\n" in subject or "\r" in subject:
        raise r.error("subject", "must be one line")
    timeout = r.convert("timeout", _seconds, 30.0)
    r.finish()
    from aggregator.digest.mail import EmailSettings

    return EmailSettings(
        host=host,
        sender=sender,
        to=to,
        port=port,
        security=security,
        user=user,
        password_env=password_env,
        subject=subject,
        timeout=timeout,
    )


def _digests(raw: object, path: str) -> tuple[DigestJob, ...]:
    """Validate ``[[digests]]``; the schedule is checked with APScheduler's cron trigger."""
    if not isinstance(raw, list):
        raise ConfigError("expected an array of tables ([[digests]])", path=path, key="digests")
    if not raw:
        return ()
    from aggregator.digest.formats import RENDERERS
    from aggregator.digest.jobs import DigestJob

    out: list[DigestJob] = []
    names: dict[str, int] = {}
    for i, table in enumerate(raw):
        r = _Reader(path, f"digests[{i}]", table)
        if "schedule" not in r.table:
            raise r.error("schedule", "missing (a cron expression such as '0 7 * * *')")
        name = r.get("name", str, "digest" if i == 0 else f"digest{i + 1}")
        if not _NAME.match(name):
            raise r.error("name", f"{name!r}: use letters, digits, '.', '_' and '-'")
        if name in names:
            raise r.error("name", f"{name!r} is already digests[{names[name]}]")
        names[name] = i
        timezone = r.get("timezone", str, "UTC")
        schedule = r.get("schedule", str, "")
        try:
            cron_trigger(schedule, timezone=timezone)
        except LookupError as exc:
            raise r.error("timezone", f"{timezone!r} is not a known time zone") from exc
        except ValueError as exc:
            raise r.error(
                "schedule",
                f"{schedule!r} is not a cron expression ({exc}); expected 'minute hour day"
                " month weekday', optionally preceded by a field for the second",
            ) from exc
        window = r.get("window", str, "daily")
        if window not in ("daily", "weekly"):
            try:
                if parse_duration(window).total_seconds() <= 0:
                    raise ValueError("must be positive")
            except ValueError as exc:
                raise r.error(
                    "window", f"{window!r}: expected daily, weekly or a duration like '12h'"
                ) from exc
        formats = _strings(r, "formats", ("html",))
        for fmt in formats:
            if fmt not in RENDERERS:
                raise r.error("formats", f"{fmt!r} is unknown (allowed: {', '.join(RENDERERS)})")
        if not formats:
            raise r.error("formats", "expected at least one format")
        output = r.get("output", str, None)
        filename = r.get("filename", str, "{name}-{date}")
        try:
            sample = filename.format(
                name=name, date="2026-11-02", time="070000", since="x", until="y"
            )
        except (KeyError, IndexError, ValueError) as exc:
            raise r.error(
                "filename",
                f"{filename!r}: placeholders are {{name}}, {{date}}, {{time}}, {{since}},"
                " {until}",
            ) from exc
        if not sample.strip() or "/" in sample or "\\" in sample or sample.startswith("."):
            raise r.error("filename", f"{filename!r} must be a plain file name")
        title = r.get("title", str, "News digest").strip() or "News digest"
        if "\n" in title or "\r" in title:
            raise r.error("title", "must be one line")
        limit = r.get("limit", int, None)
        if limit is not None and limit < 1:
            raise r.error("limit", f"must be at least 1, got {limit}")
        categories = _strings(r, "categories", ())
        r.seen.add("email")
        email = (
            _email(r.table["email"], path, f"digests[{i}].email") if "email" in r.table else None
        )
        r.finish()
        out.append(
            DigestJob(
                name=name,
                schedule=schedule,
                timezone=timezone,
                window=window,
                formats=tuple(dict.fromkeys(formats)),
                output=Path(output) if output else None,
                filename=filename,
                title=title,
                categories=categories,
                limit=limit,
                email=email,
            )
        )
    return tuple(out)
