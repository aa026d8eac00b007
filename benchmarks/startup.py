"""Start-up: ``aggregator search`` as a whole process vs a bare ``python -c`` running the query.

The target: ``aggregator search`` takes at most 1.5x a bare ``python -c``
that opens the archive with sqlite3 and runs the same FTS5 query. Both run on
a small archive (2,000 stories, built with benchmarks/search.py's generator),
so the time is start-up, not search. Uses hyperfine when it is installed
(``apt-get install hyperfine``), else a loop of subprocess runs; either way
the commands are interleaved and the figures come from the same run.
Bytecode caches are allowed (as for any installed program): the runs go
without ``PYTHONDONTWRITEBYTECODE``.

    python benchmarks/startup.py [--runs 40] [--python .venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import build  # noqa: E402  (benchmarks/search.py)

QUERY = "apple"
BARE = (
    "import sqlite3, sys\n"
    "c = sqlite3.connect(sys.argv[1])\n"
    "rows = c.execute(\"SELECT rowid, snippet(stories_fts, -1, '[', ']', '...', 24)"
    ' FROM stories_fts WHERE stories_fts MATCH ? ORDER BY rank LIMIT 20", (sys.argv[2],))\n'
    "print('\\n'.join(f'{r[0]} {r[1]}' for r in rows))\n"
)


def commands(python: Path, db: Path) -> dict[str, list[str]]:
    """The commands compared, by name."""
    script = python.with_name("aggregator")
    return {
        "python -c pass": [str(python), "-c", "pass"],
        "bare python -c + sqlite3 query": [str(python), "-c", BARE, str(db), QUERY],
        "aggregator search": [str(script), "--db", str(db), "search", QUERY],
        "python -m aggregator search": [
            str(python),
            "-m",
            "aggregator",
            "--db",
            str(db),
            "search",
            QUERY,
        ],
        "the same through click": [
            str(python),
            "-c",
            "import sys; from aggregator.cli.main import main; sys.argv[0] = 'aggregator'; main()",
            "--db",
            str(db),
            "search",
            QUERY,
        ],
    }


def with_hyperfine(
    cmds: dict[str, list[str]], runs: int, env: dict[str, str]
) -> dict[str, tuple[float, float]]:
    """Median wall seconds and mean CPU seconds (user + system) per command, by hyperfine."""
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    try:
        args = ["hyperfine", "-N", "--warmup", "5", "--runs", str(runs), "--export-json", str(out)]
        for name, cmd in cmds.items():
            args += ["--command-name", name, subprocess.list2cmdline(cmd)]
        subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
        data = json.loads(out.read_text())
        return {r["command"]: (r["median"], r["user"] + r["system"]) for r in data["results"]}
    finally:
        out.unlink()


def with_loop(
    cmds: dict[str, list[str]], runs: int, env: dict[str, str]
) -> dict[str, tuple[float, float]]:
    """Median wall seconds and mean CPU seconds per command, interleaved subprocess runs."""
    wall: dict[str, list[float]] = {name: [] for name in cmds}
    cpu: dict[str, list[float]] = {name: [] for name in cmds}
    for i in range(runs + 5):
        for name, cmd in cmds.items():
            before = os.times()
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
            after = os.times()
            if i >= 5:  # warm-up
                wall[name].append(time.perf_counter() - t0)
                cpu[name].append(
                    after.children_user
                    + after.children_system
                    - before.children_user
                    - before.children_system
                )
    return {name: (statistics.median(wall[name]), statistics.mean(cpu[name])) for name in cmds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--python", type=Path, default=Path(sys.executable))
    parser.add_argument("--loop", action="store_true", help="do not use hyperfine")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in env.items() if not k.startswith("AGGREGATOR_")}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "news.db"
        build(db, 2000)
        cmds = commands(args.python, db)
        for cmd in cmds.values():  # compile bytecode caches, check that all work
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
        use_hyperfine = shutil.which("hyperfine") and not args.loop
        measure = with_hyperfine if use_hyperfine else with_loop
        result = measure(cmds, args.runs, env)
    tool = "hyperfine" if use_hyperfine else "a loop"
    print(f"{args.runs} runs each, by {tool}: median wall time, mean CPU time (user + system)")
    for name, (wall, cpu) in result.items():
        print(f"  {wall * 1000:6.1f} ms  {cpu * 1000:6.1f} ms CPU  {name}")
    ours, bare = result["aggregator search"], result["bare python -c + sqlite3 query"]
    for label, i in (("wall", 0), ("CPU", 1)):
        ratio = ours[i] / bare[i]
        verdict = "ok" if ratio <= 1.5 else "MISSED"
        print(
            f"aggregator search / bare python -c, {label}: {ratio:.2f}x (target <= 1.5x: {verdict})"
        )


if __name__ == "__main__":
    main()
