"""A prototype, measured: a marker word per feed in the FTS5 index, for ``search WORD --feed``.

A ``--feed`` search with a common word checks the feed's newest stories
against the word one by one (an FTS5 seek each, ``rowid IN (...)``). With a
fourth column holding ``feed<id>`` for each of a story's feeds, the same
check is one FTS5 query, ``"word" AND feeds : "feed<id>"``, in which FTS5
intersects the two posting lists itself, skipping through the word's list
by its doclist index.

This script builds such an index (contentless, the archive's tokenizer) in a
separate file from a benchmark archive of ``benchmarks/search.py``, prints its
bytes per story beside ``stories_fts``, then times both checks on the newest
stories of a few feeds, and says whether they find the same stories. The
archive is only read. Building takes minutes at a million stories; the
prototype file is kept for the next run (``--rebuild`` to build it again).

    python benchmarks/search.py --sizes 1000000          # the archive, if not built yet
    python benchmarks/feed_marker.py benchmarks/.cache/search-1000000-cjk0.05-v3.db
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

# (word, feed id, how many of the feed's newest stories are checked): the planner
# checks 1,000 of them, or 128 for a word in most stories.
CASES = (("the", 13, 128), ("data", 13, 1000), ("said", 8, 1000), ("security", 8, 1000))


def build(archive: Path, out: Path) -> None:
    """The prototype index in ``out``: the archive's columns plus ``feeds``."""
    conn = sqlite3.connect(out.resolve().as_uri(), isolation_level=None, uri=True)
    try:
        conn.execute("ATTACH ? AS src", (f"{archive.resolve().as_uri()}?mode=ro",))
        sql = conn.execute(
            "SELECT sql FROM src.sqlite_master WHERE name = 'stories_fts'"
        ).fetchone()[0]
        tokenize = sql[sql.index("tokenize") : sql.index(", content")]
        conn.execute(
            "CREATE VIRTUAL TABLE proto_fts USING fts5"
            f"(title, body, questions, feeds, content='', {tokenize})"
        )
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO proto_fts (rowid, title, body, questions, feeds)"
            " SELECT s.id, s.title, s.body, s.questions, (SELECT group_concat('feed' ||"
            " so.feed_id, ' ') FROM src.sources so WHERE so.story_id = s.id)"
            " FROM src.stories s ORDER BY s.id"
        )
        conn.execute("COMMIT")
        conn.execute("INSERT INTO proto_fts (proto_fts) VALUES ('optimize')")
        print(f"built in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    finally:
        conn.close()


def best_ms(fn: Callable[[], list[int]], repeat: int) -> tuple[float, list[int]]:
    """The best CPU time of ``fn`` over ``repeat`` runs, in milliseconds, and its result."""
    best, result = float("inf"), []
    for _ in range(repeat):
        c0 = time.process_time()
        result = fn()
        best = min(best, time.process_time() - c0)
    return best * 1000, result


def measure(archive: Path, out: Path, repeat: int) -> None:
    conn = sqlite3.connect(f"{out.resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("ATTACH ? AS src", (f"{archive.resolve().as_uri()}?mode=ro",))
    stories = int(conn.execute("SELECT count(*) FROM src.stories").fetchone()[0])

    def size(path: Path, name: str) -> float:
        other = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            pages = other.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE ?", (name + "%",)
            ).fetchone()[0]
        finally:
            other.close()
        return float(pages or 0) / stories

    before, after = size(archive, "stories_fts"), size(out, "proto_fts")
    print(
        f"{stories:,} stories: stories_fts {before:,.1f} bytes/story, with the feeds column"
        f" {after:,.1f} (+{after - before:,.1f})"
    )
    for word, feed, count in CASES:
        ids = sorted(
            (
                r[0]
                for r in conn.execute("SELECT story_id FROM src.sources WHERE feed_id = ?", (feed,))
            ),
            reverse=True,
        )[:count]
        if not ids:
            continue

        def seeks(word: str = word, ids: list[int] = ids) -> list[int]:
            found: list[int] = []
            for start in range(0, len(ids), 512):
                chunk = ids[start : start + 512]
                marks = ", ".join("?" * len(chunk))
                found += [
                    r[0]
                    for r in conn.execute(
                        "SELECT rowid FROM src.stories_fts WHERE stories_fts MATCH ?"
                        f" AND rowid IN ({marks})",
                        [f'"{word}"', *chunk],
                    )
                ]
            return sorted(found)

        def marker(word: str = word, feed: int = feed, low: int = ids[-1]) -> list[int]:
            return sorted(
                r[0]
                for r in conn.execute(
                    "SELECT rowid FROM proto_fts WHERE proto_fts MATCH ? AND rowid >= ?"
                    " ORDER BY rowid DESC",
                    (f'"{word}" AND feeds : "feed{feed}"', low),
                )
            )

        sought, one = best_ms(seeks, repeat)
        intersected, other = best_ms(marker, repeat)
        print(
            f"  {word!r} in feed {feed}, its newest {len(ids):,} stories: seeks {sought:.2f} ms,"
            f" marker {intersected:.2f} ms CPU; {len(one)} matches,"
            f" {'the same' if one == other else 'DIFFERENT'}"
        )
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, help="a benchmark archive of benchmarks/search.py")
    parser.add_argument("--out", type=Path, help="the prototype file (default: beside it)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if not args.archive.exists():
        parser.error(f"no archive at {args.archive}")
    out = args.out or args.archive.with_name(args.archive.stem + "-feed-marker.db")
    if args.rebuild:
        out.unlink(missing_ok=True)
    if not out.exists():
        build(args.archive, out)
    measure(args.archive, out, args.repeat)


if __name__ == "__main__":
    main()
