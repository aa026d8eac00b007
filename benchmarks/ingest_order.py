"""Does the archive depend on the order feeds are stored in? Polls a corpus one feed at a time.

Each order named on the command line polls the corpus (``gen_corpus.py``'s
folder, served by its ``serve.py``) into a fresh archive with one fetch and
no parser processes at a time (``concurrency = 1``, ``workers = 1``), so the
feeds are stored in exactly that order, and prints the number of stories and
how many story titles differ from the first order's. ``fwd`` is the corpus's
order, ``rev`` the reverse, ``rotN`` the order rotated by N feeds.

    python benchmarks/ingest_order.py --corpus DIR fwd fwd rev rot37
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as bench  # noqa: E402

from aggregator.app.config import load  # noqa: E402
from aggregator.app.core import open_app  # noqa: E402


def ordered(paths: tuple[str, ...], order: str) -> tuple[str, ...]:
    if order == "fwd":
        return paths
    if order == "rev":
        return paths[::-1]
    if order.startswith("rot") and order[3:].isdigit():
        k = int(order[3:]) % len(paths)
        return paths[k:] + paths[:k]
    raise SystemExit(f"Error: unknown order {order!r} (fwd, rev or rotN)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("orders", nargs="+")
    args = parser.parse_args()
    data = bench.Corpus.load(args.corpus)
    first: set[str] | None = None
    with bench.serve(data, bench.default_server(args.corpus)) as url:
        for order in args.orders:
            shuffled = bench.Corpus(data.root, ordered(data.paths, order), data.items)
            with tempfile.TemporaryDirectory() as tmp:
                cfg, db = Path(tmp) / "c.toml", Path(tmp) / "a.db"
                bench.write_config(cfg, shuffled, url, concurrency=1, workers=1)
                with open_app(load(cfg), db_path=db) as app:
                    app.sync_feeds()
                    app.poll()
                    rows = app.archive.conn.execute("SELECT title FROM stories").fetchall()
            titles = {r[0] for r in rows}
            first = titles if first is None else first
            print(
                f"{order}: {len(rows)} stories; {len(titles ^ first)} titles differ from the first"
            )


if __name__ == "__main__":
    main()
