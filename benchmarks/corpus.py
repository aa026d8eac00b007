"""Helpers for benchmarking on a corpus folder written by the shared corpus generator.

A corpus folder (``gen_corpus.py --feeds N --items M --seed S --out DIR``)
holds ``feeds/NNNNN.xml`` and ``manifest.json``. Its server (``serve.py``, a
standard-library script beside the generator) serves it on 127.0.0.1 with
ETag/Last-Modified and 304 answers, and prints ``READY URL`` once it accepts
connections. These helpers start that server as a subprocess, write a config
file listing the corpus's feeds, measure the floors a pipeline is compared
with (feedparser alone over the files in memory on one core; httpx alone for
conditional GETs) and run ``aggregator`` as a subprocess the way users do.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def default_server(corpus: Path) -> Path:
    """Where ``serve.py`` is: beside the generator that wrote the corpus, if recorded."""
    env = os.environ.get("AGGREGATOR_BENCH_SERVE")
    if env:
        return Path(env)
    for candidate in (corpus.parent / "serve.py", corpus / "serve.py"):
        if candidate.exists():
            return candidate
    # The shared benchmark folder beside the repositorys own folder.
    return Path(__file__).resolve().parents[2] / "shared" / "bench" / "serve.py"


@dataclass(frozen=True)
class Corpus:
    """A generated corpus: its folder, its feeds' paths and the number of items."""

    root: Path
    paths: tuple[str, ...]
    items: int

    @classmethod
    def load(cls, root: Path) -> Corpus:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        feeds = manifest["feeds"]
        return cls(
            root=root,
            paths=tuple(f["path"] for f in feeds),
            items=sum(int(f["items"]) for f in feeds),
        )

    def bodies(self) -> list[bytes]:
        return [(self.root / p).read_bytes() for p in self.paths]


@contextmanager
def serve(corpus: Corpus, server: Path) -> Iterator[str]:
    """Run ``serve.py --root corpus --port 0`` and yield its base URL."""
    proc = subprocess.Popen(
        [sys.executable, str(server), "--root", str(corpus.root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("READY "):
            raise SystemExit(f"Error: {server} did not start: {line!r}")
        yield line.split()[1]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def write_config(
    path: Path,
    corpus: Corpus,
    base_url: str,
    *,
    concurrency: int = 8,
    workers: int = 0,
    extra: Sequence[str] = (),
) -> None:
    """A config file that lists every feed of the corpus, served at ``base_url``."""
    lines = [
        "[fetch]",
        "allow_private_addresses = true",
        f"concurrency = {concurrency}",
        f"workers = {workers}",
        *extra,
    ]
    for p in corpus.paths:
        lines += ["[[feeds]]", f'url = "{base_url}/{p}"', 'category = "technology"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def feedparser_floor(bodies: Sequence[bytes]) -> tuple[int, float, float]:
    """feedparser alone over the bodies, in this process: (items, wall seconds, CPU seconds)."""
    import feedparser  # type: ignore[import-untyped]

    items = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for body in bodies:
        items += len(feedparser.parse(body).entries)
    return items, time.perf_counter() - t0, time.process_time() - c0


def children_cpu() -> float:
    """CPU seconds used by this process's waited-for children so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def descendants_cpu(pid: int | None = None) -> float:
    """CPU seconds of a process's descendants, alive or reaped by them (Linux ``/proc``).

    ``RUSAGE_CHILDREN`` counts the parser processes only once they are reaped
    (and would miss any grandchildren); this adds each live descendant's own
    time and its reaped children's.
    """
    tick = os.sysconf("SC_CLK_TCK")
    root = pid if pid is not None else os.getpid()
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
            if p != root:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        except OSError:
            continue
    return total / tick


def compile_package() -> None:
    """Write the bytecode of the ``aggregator`` package that the subprocess imports.

    An installed package comes with its bytecode (pip compiles it; an editable
    install writes it at its first run). Where ``PYTHONDONTWRITEBYTECODE`` is
    set, none is ever written and every run of the CLI would compile the whole
    package again (about 0.3 s on a 2-core machine): a cost users do not pay.
    ``compileall`` writes it whatever that variable says; nothing is written
    where it is already up to date.
    """
    import compileall

    import aggregator

    compileall.compile_dir(Path(aggregator.__file__).parent, quiet=2)


def run_cli(config: Path, db: Path, *args: str) -> tuple[float, float, str]:
    """Run ``aggregator --config config --db db ARGS`` as a subprocess.

    The package's bytecode is written first (:func:`compile_package`).

    Its CPU time is sampled from ``/proc`` while it runs: its own, and its
    descendants' (the parser processes, whose time ``RUSAGE_CHILDREN`` sees only
    once they are reaped). The last sample before it exits is
    used, so up to one sampling interval (20 ms) may be missed.

    Returns:
        Wall seconds, CPU seconds of the process and its parser processes, stdout.
    """
    import tempfile

    compile_package()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    cmd = [sys.executable, "-m", "aggregator", "--config", str(config), "--db", str(db), *args]
    tick = os.sysconf("SC_CLK_TCK")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        own = family = 0.0
        while proc.poll() is None:
            try:
                with open(f"/proc/{proc.pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                own = (int(fields[11]) + int(fields[12])) / tick  # utime stime
                family = max(family, descendants_cpu(proc.pid))
            except (OSError, IndexError, ValueError):
                pass
            time.sleep(0.02)
        secs = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"Error: {' '.join(args)} failed: {stderr.strip()[-500:]}")
    return secs, own + family, stdout


def db_bytes(db: Path) -> int:
    """The archive's size on disk, its WAL and shared-memory files included."""
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())


def median(values: Sequence[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def statement_counter(conn: Any) -> list[int]:
    """Count the SQL statements a connection runs from now on (``[count]``)."""
    counter = [0]

    def trace(sql: str) -> None:
        if not sql.startswith("--"):  # a trigger's statements are part of their statement
            counter[0] += 1

    conn.set_trace_callback(trace)
    return counter
