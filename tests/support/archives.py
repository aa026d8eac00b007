"""Archives written by earlier versions of the code, kept gzipped in ``tests/data/archives``.

The schema-upgrade tests open them with the current code and compare what
users see before and after the upgrade.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path

DATA = Path(__file__).parent.parent / "data" / "archives"


def unpack(name: str, into: Path) -> Path:
    """Copy the gzipped archive ``name`` to a plain SQLite file in ``into``."""
    db = into / name.removesuffix(".gz")
    with gzip.open(DATA / name) as src, db.open("wb") as out:
        shutil.copyfileobj(src, out)
    return db


def user_version(db: Path) -> int:
    """The archive's schema version (``PRAGMA user_version``)."""
    with sqlite3.connect(db) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    """The rows of ``sql`` on the archive, read with a connection of its own."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
