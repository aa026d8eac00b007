"""Polling at scale: 1,000 feeds on 127.0.0.1, cycles of 304s and 200s, and the daemon's memory.

Part 1 (in process, through the library): one full cycle when every feed
answers 200 (first poll: everything new), one when every feed answers 200
again with the same entries (parsed, nothing new to write), and one when every
feed answers 304 Not Modified.

Part 2 (the real daemon as a subprocess): ``aggregator run`` polls the same
1,000 feeds every second, the server alternating 200 and 304 cycles; the
daemon's resident memory (its own and its parser processes') is sampled after
each cycle. It must not grow.

    python benchmarks/poll.py [--feeds 1000] [--cycles 12]

With ``--corpus DIR`` (a folder written by the shared ``gen_corpus.py``), the
corpus is served by its own ``serve.py`` (a subprocess): each of ``--runs``
runs polls it into a fresh archive (every feed new), then again (every feed
answers 304), and prints the re-poll's feeds/s beside the floor measured in
the same run (httpx alone: a synchronous client sending every feed's
conditional GET over one keep-alive connection), with the CPU time of this
process. ``--cli`` runs ``aggregator fetch`` as a subprocess instead;
``--memory`` then runs the daemon (``aggregator run``) on the corpus and
reports the peak memory of it and all its descendants (the parser processes,
multiprocessing's resource tracker) during the first poll: resident
(shared pages counted in each process) and proportional (PSS, counted once).

    python benchmarks/poll.py --corpus DIR [--runs 3] [--cli] [--memory]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from support.feeds import rss  # noqa: E402
from support.procs import family as _family  # noqa: E402
from support.procs import parent as _parent  # noqa: E402

from aggregator.app.config import load  # noqa: E402
from aggregator.app.core import open_app  # noqa: E402


class Server:
    """Serves feed{i}.xml; mode "304" answers conditional requests with 304."""

    def __init__(self, n: int) -> None:
        self.bodies = {
            f"/feed{i}.xml": rss(f"f{i}", 10, site=f"https://s{i}.example") for i in range(n)
        }
        self.mode = "304"
        self.version = 0
        self.requests = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with outer.lock:
                    outer.requests += 1
                body = outer.bodies.get(self.path)
                etag = f'"v{outer.version}"'
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if outer.mode == "304" and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients that hang up (the daemon stopping) are not news

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"


def write_config(path: Path, server: Server, interval: str) -> None:
    lines = [
        "[fetch]",
        "allow_private_addresses = true",
        "concurrency = 32",
        "[schedule]",
        'interval = "1s"',
        'min_interval = "1s"',
        'max_interval = "1h"',
        'jitter = "0s"',
        'tick = "1s"',
    ]
    for p in server.bodies:
        lines += ["[[feeds]]", f'url = "{server.base}{p}"', f'interval = "{interval}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _field_kib(pid: int, path: str, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    return sum(_field_kib(p, "status", "VmRSS:") for p in _family(pid))


def httpx_floor(urls: list[str]) -> tuple[float, float]:
    """Conditional GETs of every URL with a sync httpx client: (wall seconds, CPU seconds)."""
    import httpx

    with httpx.Client() as client:
        etags = [client.get(u).headers.get("etag", "") for u in urls]
        t0, c0 = time.perf_counter(), time.process_time()
        for u, etag in zip(urls, etags, strict=True):
            r = client.get(u, headers={"If-None-Match": etag})
            if r.status_code != 304:
                raise SystemExit(f"Error: {u} answered {r.status_code}, not 304")
        return time.perf_counter() - t0, time.process_time() - c0


def stats(base: str) -> dict[str, int]:
    import json
    import urllib.request

    with urllib.request.urlopen(base + "/__stats") as answer:
        return dict(json.load(answer))


def _role(pid: int) -> str:
    """What a process of the daemon's family is, from its command line."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    if "spawn_main" in cmd:
        return "parsers"  # multiprocessing's spawned processes: the parser pool
    if "forkserver" in cmd:
        # An older tree's parsers are forked from a forkserver and share its command line.
        return "parsers" if _role(_parent(pid)) in ("forkserver", "parsers") else "forkserver"
    if "resource_tracker" in cmd:
        return "resource tracker"
    if "aggregator" in cmd and " run" in cmd:
        return "daemon"
    return "other"


def _cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of the processes (``/proc/PID/stat``), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def daemon_memory(bench: Any, data: Any, url: str, tmp: Path) -> None:
    """Run the daemon on the corpus; print the peak RSS and PSS of it and its parser processes.

    Resident memory counts the pages processes share (the interpreter's and the
    libraries' code) once in each of them; PSS
    (``/proc/PID/smaps_rollup``) divides each shared page among its sharers, so
    the sum is what the family holds. Also prints each role's peak (the daemon,
    the resource tracker, the parser processes summed; a forkserver in older trees) and the
    family's CPU time for the first poll, so that memory bought with speed shows.
    """
    cfg, db = tmp / "d.toml", tmp / "d.db"
    bench.write_config(
        cfg,
        data,
        url,
        extra=[
            "[schedule]",
            'interval = "1s"',
            'min_interval = "1s"',
            # The corpus's feeds publish daily: the learned interval would wait a day.
            'max_interval = "1s"',
            'jitter = "0s"',
            'tick = "1s"',
        ],
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    base = stats(url)
    n = len(data.paths)
    proc = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "--config", str(cfg), "--db", str(db)]
        + ["--log-level", "warning", "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    peak, peak_pss, t0 = 0, 0, time.perf_counter()
    roles: dict[str, tuple[int, int]] = {}
    role_cpu: dict[str, float] = {}
    cpu = 0.0
    try:
        # Every feed answered 200 and then 304 once: the first poll is stored.
        while stats(url)["304"] - base["304"] < n and proc.poll() is None:
            family = _family(proc.pid)
            by_role: dict[str, list[int]] = {}
            pids_of: dict[str, list[int]] = {}
            for p in family:
                rss = _field_kib(p, "status", "VmRSS:")
                pss = _field_kib(p, "smaps_rollup", "Pss:")
                role = _role(p)
                r = by_role.setdefault(role, [0, 0])
                r[0] += rss
                r[1] += pss
                pids_of.setdefault(role, []).append(p)
            for role, pids in pids_of.items():
                role_cpu[role] = max(role_cpu.get(role, 0.0), _cpu_seconds(pids))
            peak = max(peak, sum(r[0] for r in by_role.values()))
            peak_pss = max(peak_pss, sum(r[1] for r in by_role.values()))
            for role, (rss, pss) in by_role.items():
                old = roles.get(role, (0, 0))
                roles[role] = (max(old[0], rss), max(old[1], pss))
            cpu = max(cpu, _cpu_seconds(family))
            time.sleep(0.2)
        secs = time.perf_counter() - t0
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    print(
        f"daemon: first poll of {data.items} items and a 304 round in {secs:.1f}s "
        f"({data.items / secs:,.0f} items/s), CPU {cpu:.1f}s ({data.items / max(cpu, 1e-9):,.0f} "
        f"items per CPU-second); peak resident memory of the daemon and its parser processes "
        f"{peak / 1024:.1f} MiB (goal <= 150 MB); peak proportional memory (PSS, shared pages "
        f"counted once) {peak_pss / 1024:.1f} MiB"
    )
    print(
        "  peak per role (RSS / PSS MiB): "
        + "; ".join(f"{r} {a / 1024:.1f} / {b / 1024:.1f}" for r, (a, b) in sorted(roles.items()))
    )
    print(
        "  CPU per role (s; the daemon is the writer): "
        + "; ".join(f"{r} {c:.1f}" for r, c in sorted(role_cpu.items()))
    )
    if proc.returncode != 0:
        print(err[-2000:])


def run_corpus(args: argparse.Namespace) -> None:
    """First poll and all-304 re-poll of a generated corpus; medians and the floor's ratio."""
    import corpus as bench  # benchmarks/corpus.py

    data = bench.Corpus.load(args.corpus)
    n = len(data.paths)
    print(
        f"corpus {args.corpus}: {n} feeds, {data.items} items; {os.cpu_count()} cores, "
        f"load average {bench.load_average()}; "
        + ("CLI (aggregator fetch)" if args.cli else "in process")
    )
    floors, firsts, rates, cpus = [], [], [], []
    with bench.serve(data, args.server or bench.default_server(args.corpus)) as url:
        urls = [f"{url}/{p}" for p in data.paths]
        for run in range(args.runs):
            fl_secs, _ = httpx_floor(urls)
            with tempfile.TemporaryDirectory() as tmp:
                cfg, db = Path(tmp) / "c.toml", Path(tmp) / "a.db"
                bench.write_config(cfg, data, url)
                before = stats(url)
                if args.cli:
                    first, _, _ = bench.run_cli(cfg, db, "fetch")
                    secs, cpu, out = bench.run_cli(cfg, db, "fetch")
                    if f"{n} not modified" not in out:
                        raise SystemExit(f"Error: the re-poll was not all 304: {out.strip()}")
                else:
                    with open_app(load(cfg), db_path=db) as app:
                        app.sync_feeds()
                        t0 = time.perf_counter()
                        app.poll()
                        first = time.perf_counter() - t0
                        profile = None
                        if args.profile and run == 0:
                            import cProfile

                            profile = cProfile.Profile(time.process_time)
                            profile.enable()
                        c0, t0 = time.process_time(), time.perf_counter()
                        results = app.poll()
                        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
                        if profile is not None:
                            profile.disable()
                            profile.dump_stats(args.profile)
                        if any(r.outcome != "not_modified" for r in results):
                            raise SystemExit("Error: the re-poll was not all 304")
                after = stats(url)
            floors.append(n / fl_secs)
            firsts.append(data.items / first)
            rates.append(n / secs)
            cpus.append(cpu)
            print(
                f"run {run + 1}: floor {n / fl_secs:,.0f} feeds/s; first poll {first:.1f}s = "
                f"{data.items / first:,.0f} items/s; all-304 re-poll {secs:.2f}s = "
                f"{n / secs:,.0f} feeds/s ({n / secs / (n / fl_secs):.2f}x floor), CPU "
                f"{cpu:.2f}s = {n / cpu:,.0f} feeds per CPU-second; server: "
                f"{after['200'] - before['200']} x 200, {after['304'] - before['304']} x 304"
            )
        if args.runs:
            print(
                f"median of {args.runs}: floor {bench.median(floors):,.0f} feeds/s; first poll "
                f"{bench.median(firsts):,.0f} items/s; all-304 re-poll {bench.median(rates):,.0f} "
                f"feeds/s (goal >= 1,000), {n / bench.median(cpus):,.0f} feeds per CPU-second; "
                f"load average {bench.load_average()}"
            )
        if args.memory:
            with tempfile.TemporaryDirectory() as tmp:
                daemon_memory(bench, data, url, Path(tmp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=12)
    parser.add_argument("--corpus", type=Path, help="a folder written by gen_corpus.py")
    parser.add_argument("--server", type=Path, help="its serve.py (default: beside it)")
    parser.add_argument("--runs", type=int, default=3, help="runs on --corpus (median)")
    parser.add_argument("--cli", action="store_true", help="run 'aggregator fetch' (--corpus)")
    parser.add_argument("--memory", action="store_true", help="the daemon's peak RSS (--corpus)")
    parser.add_argument("--profile", help="write a cProfile of the first re-poll here")
    args = parser.parse_args()
    if args.corpus is not None:
        run_corpus(args)
        return
    server = Server(args.feeds)
    n = args.feeds
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "c.toml"
        write_config(cfg, server, "1s")
        config = load(cfg)
        with open_app(config, db_path=Path(tmp) / "a.db") as app:
            app.sync_feeds()
            for label, mode in (
                ("200, all new", "200"),
                ("200, same entries", "200"),
                ("304 not modified", "304"),
            ):
                server.mode = mode
                server.version += mode == "200"
                t0 = time.perf_counter()
                results = app.poll()
                secs = time.perf_counter() - t0
                outcomes = {
                    o: sum(r.outcome == o for r in results)
                    for o in ("new", "not_modified", "error")
                }
                new = sum(r.counts.new for r in results)
                print(
                    f"cycle {label:18s}: {n} feeds in {secs:6.2f}s = {n / secs:7.0f} feeds/s "
                    f"({outcomes}, {new} stories new)"
                )

        # Part 2: the daemon as a subprocess.
        db = Path(tmp) / "daemon.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aggregator",
                "--config",
                str(cfg),
                "--db",
                str(db),
                "--log-level",
                "warning",
                "run",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        samples = []
        try:
            for cycle in range(1, args.cycles + 1):
                server.mode = "200" if cycle % 2 else "304"
                server.version += cycle % 2
                target = server.requests + n
                deadline = time.monotonic() + 120
                while server.requests < target and time.monotonic() < deadline:
                    time.sleep(0.05)
                time.sleep(0.5)
                samples.append(rss_kib(proc.pid))
                mib = samples[-1] / 1024
                print(f"daemon cycle {cycle:2d} ({server.mode}): resident {mib:6.1f} MiB")
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        base = samples[min(3, len(samples) - 1)]
        growth = (samples[-1] - base) / base * 100
        print(
            f"daemon exit code {proc.returncode}; resident memory from cycle 4 to cycle "
            f"{len(samples)}: {base / 1024:.1f} -> {samples[-1] / 1024:.1f} MiB ({growth:+.1f}%)"
        )
        if proc.returncode != 0:
            print(err[-2000:])
            sys.exit(1)


if __name__ == "__main__":
    main()
