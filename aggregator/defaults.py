"""Default paths and the names of the environment variables, in one place.

Plain strings only (no :mod:`pathlib`, no other module of the package), so
the click-free search path can import this module without slowing its start.
Relative paths are relative to the working directory.
"""

from __future__ import annotations

import os

__all__ = [
    "ARCHIVE_PATH",
    "CONFIG_ENV",
    "CONFIG_PATH",
    "DB_ENV",
    "DIGESTS_FOLDER",
    "MAX_PAGE_COUNT_ENV",
    "is_database_url",
]

CONFIG_PATH = os.path.join("config", "aggregator.toml")
"""The config file read when neither ``--config`` nor :data:`CONFIG_ENV` names one."""

ARCHIVE_PATH = os.path.join("archive", "news.db")
"""The archive when neither ``--db``, :data:`DB_ENV` nor ``[archive] path`` names one."""

DIGESTS_FOLDER = "digests"
"""Where scheduled digests are written, beside the archive, unless ``output`` says otherwise."""

CONFIG_ENV = "AGGREGATOR_CONFIG"
"""The environment variable that names the config file (``--config`` wins over it)."""

DB_ENV = "AGGREGATOR_DB"
"""The environment variable that names the archive: a file, or a ``postgresql://`` URL
(``--db`` wins over it)."""

MAX_PAGE_COUNT_ENV = "AGGREGATOR_MAX_PAGE_COUNT"
"""The environment variable that caps a writer's database size, in SQLite pages."""


def is_database_url(value: object) -> bool:
    """Whether an archive location names a PostgreSQL database rather than an SQLite file.

    ``postgresql://`` and ``postgres://`` URLs select PostgreSQL; anything else
    is a path (``--db``, ``AGGREGATOR_DB`` and ``[archive] url`` take either).
    """
    return isinstance(value, str) and value.startswith(("postgresql://", "postgres://"))
