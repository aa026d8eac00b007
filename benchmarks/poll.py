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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from feeds import rss  # noqa: E402

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


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, in KiB."""
    total = 0
    pids = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=12)
    args = parser.parse_args()
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
