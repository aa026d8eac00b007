"""Reliability figures: hostile feeds, SIGKILL during ingest, readers under load.

Runs the scenarios of ``tests/support/reliability.py`` (the tests run them small)
and prints what they showed:

1. **Hostile feeds.** Every file of the corpus's ``hostile/`` and
   ``problem-feeds/`` plus the generated attacks (XXE against a planted
   secret file, entity bombs, terminal escapes, ``javascript:`` links, odd
   bytes) polled in one run; each case must be archived clean or refused
   with a one-line error, and the archive must hold no tag, entity, control
   character, non-http(s) link or secret. Then the answers only the fetch
   limits stop (gzip/deflate bombs, endless bodies, stalls, redirect loops),
   one by one and timed, and a feed of 100,000 entries.
2. **Kills.** ``aggregator fetch`` killed with SIGKILL at random moments of
   ingest, N times, with integrity checks after each and a completing run
   at the end: stories lost must be 0.
3. **Load.** Reader threads (search, show, digests) beside ``aggregator run``
   ingesting: errors must be 0; operations per second.
4. **Fuzz** (with ``--fuzz N``): the properties of ``tests/search/test_fuzz.py`` with
   N examples each.

    python benchmarks/reliability.py [--kills 50] [--load-seconds 20] [--readers 4] [--fuzz 0]
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CORPUS, make_config_text  # noqa: E402
from support.httpserver import FeedServer  # noqa: E402
from support.reliability import (  # noqa: E402
    LIMITS,
    HostileCase,
    archive_problems,
    big_feed,
    corpus_cases,
    crash_cycles,
    document_cases,
    limit_cases,
    reader_load,
)

from aggregator.app.config import load  # noqa: E402
from aggregator.app.core import open_app  # noqa: E402
from aggregator.poll.poller import FeedResult  # noqa: E402

QUOTES_HTML_IN_CODE = frozenset(
    {
        "AtomEscapedHTMLInPreTag__feedjira.xml",
        "invalid-published-dates__stringer-feed02.xml",
        "cowboyprogrammer_full__feeder-atom.xml",
    }
)


def poll(workdir: Path, name: str, urls: list[str], **fetch: object) -> list[FeedResult]:
    """Poll ``urls`` once through the library into ``workdir/name.db``."""
    cfg = workdir / f"{name}.toml"
    cfg.write_text(
        make_config_text(
            [{"url": u} for u in urls],
            fetch={"workers": 2, **fetch},
            archive={"path": str(workdir / f"{name}.db")},
        ),
        encoding="utf-8",
    )
    with open_app(load(cfg)) as app:
        return app.poll()


def judge(case: HostileCase, result: FeedResult, seconds: float | None = None) -> str:
    """Why the case did not survive, or ``""``."""
    if result.outcome == "error":
        if case.expect == "stored":
            return f"failed: {result.error}"
        if not result.error or "\n" in result.error:
            return f"unclear error {result.error!r}"
        if case.error_has not in result.error:
            return f"error {result.error!r} lacks {case.error_has!r}"
    elif case.expect == "error":
        return f"expected an error, got {result.outcome}"
    if seconds is not None and seconds > case.max_seconds:
        return f"took {seconds:.1f}s (limit {case.max_seconds:.0f}s)"
    return ""


def hostile(workdir: Path) -> bool:
    """Part 1; True when everything survived."""
    secret_file = workdir / "secret.txt"
    token = "xxesecret" + secrets.token_hex(12)
    secret_file.write_text(f"{token}\nroot:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    with FeedServer() as server:
        cases = document_cases(server, secret_file=secret_file)
        if (CORPUS / "hostile").is_dir():
            cases = corpus_cases(server, CORPUS) + cases
        else:
            print(f"  (corpus not found at {CORPUS}: generated cases only)")
        began = time.monotonic()
        results = {
            r.feed.url: r
            for r in poll(workdir, "hostile", [server.url(c.path) for c in cases], **LIMITS)
        }
        elapsed = time.monotonic() - began
        failures = [
            f"{c.name}: {why}" for c in cases if (why := judge(c, results[server.url(c.path)]))
        ]
        stored = sum(r.outcome == "new" for r in results.values())
        refused = sum(r.outcome == "error" for r in results.values())
        problems = archive_problems(
            workdir / "hostile.db",
            secrets=[token, "root:x:0:0", "lollollollol", "B" * 1000],
            quoted_html=QUOTES_HTML_IN_CODE,
        )
        dtd = server.count("/evil.dtd")

        limits = limit_cases(server)
        timed = []
        for case in limits:
            began_case = time.monotonic()
            [result] = poll(workdir, f"limit-{case.name}", [server.url(case.path)], **LIMITS)
            took = time.monotonic() - began_case
            why = judge(case, result, took)
            if why:
                failures.append(f"{case.name}: {why}")
            timed.append((case.name, took, result.error))

        server.add("/big.xml", big_feed(100_000))
        began_big = time.monotonic()
        [big] = poll(workdir, "big", [server.url("/big.xml")])
        big_seconds = time.monotonic() - began_big
    tried = len(cases) + len(limits) + 1
    big_ok = big.outcome == "new" and big_seconds < 60
    survived = tried - len(failures) - (0 if big_ok else 1)
    print(
        f"hostile: {tried} cases tried, {survived} survived ({stored} archived clean,"
        f" {refused + len(limits)} refused with a one-line error, 1 of 100,000 entries);"
        f" {len(cases)} polled at once in {elapsed:.1f}s"
    )
    print(
        f"  archive problems (tags, entities, controls, odd links, file contents, entity"
        f" expansions): {len(problems)};"
        f" DTD/entity fetches: {dtd}"
    )
    for name, took, error in timed:
        print(f"  {name:<18} {took:5.1f}s  {error}")
    print(
        f"  100,000 entries ({len(big_feed(100_000)) / 2**20:.1f} MiB): {big.outcome},"
        f" {big.counts.new} archived in {big_seconds:.1f}s; {big.warning or big.error}"
    )
    for line in failures + problems:
        print(f"  FAILED {line}")
    return not failures and not problems and not dtd and big_ok


def kills(workdir: Path, count: int) -> bool:
    """Part 2; True when nothing was lost or damaged."""
    (workdir / "crash").mkdir()
    with FeedServer() as server:
        report = crash_cycles(server, workdir / "crash", kills=count, step=20)
    print(
        f"kills: {report.kills} SIGKILLs of 'aggregator fetch' during ingest"
        f" ({report.partial} between two feeds' transactions, {report.finished} runs finished"
        f" first), {report.survived} survived; stories lost: {report.lost} of {report.expected};"
        f" {report.seconds:.0f}s"
    )
    for line in report.problems:
        print(f"  FAILED {line}")
    return report.survived == report.kills and report.lost == 0 and not report.problems


def load_test(workdir: Path, seconds: float, readers: int) -> bool:
    """Part 3; True when no reader failed."""
    reports = {}
    for ingest in (False, True):
        folder = workdir / f"load-{ingest}"
        folder.mkdir()
        with FeedServer() as server:
            reports[ingest] = reader_load(
                server, folder, seconds=seconds, readers=readers, ingest=ingest
            )
    quiet, busy = reports[False], reports[True]
    rate = busy.total / busy.seconds
    ops = ", ".join(f"{k} {v}" for k, v in busy.ops.items())
    print(
        f"load: {busy.seconds:.1f}s, {readers} reader threads beside the ingesting daemon:"
        f" {busy.total} operations ({ops}), {rate:.1f} ops/s; errors under load:"
        f" {len(busy.errors)}; the daemon archived {busy.ingested} stories meanwhile"
    )
    print(
        f"  the same readers with the daemon stopped: {quiet.total / quiet.seconds:.1f} ops/s"
        f" (under load: {rate / (quiet.total / quiet.seconds):.2f}x); errors: {len(quiet.errors)}"
    )
    for line in (busy.errors + quiet.errors)[:20]:
        print(f"  FAILED {line}")
    return not busy.errors and not quiet.errors


def fuzz(examples: int) -> bool:
    """Part 4; True when every property held."""
    began = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/search/test_fuzz.py",
        ],
        cwd=ROOT,
        env={**os.environ, "FUZZ_EXAMPLES": str(examples)},
        capture_output=True,
        text=True,
        check=False,
    )
    last = (done.stdout.strip().splitlines() or ["?"])[-1]
    print(f"fuzz: 3 properties x {examples} examples: {last} ({time.monotonic() - began:.0f}s)")
    if done.returncode:
        print(done.stdout[-3000:])
    return done.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs during ingest")
    parser.add_argument("--load-seconds", type=float, default=20, help="how long readers run")
    parser.add_argument("--readers", type=int, default=4, help="reader threads")
    parser.add_argument("--fuzz", type=int, default=0, help="fuzz examples per property (0: skip)")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="aggregator-reliability-") as tmp:
        workdir = Path(tmp)
        ok &= hostile(workdir)
        ok &= kills(workdir, args.kills)
        ok &= load_test(workdir, args.load_seconds, args.readers)
        if args.fuzz:
            ok &= fuzz(args.fuzz)
    print("all held" if ok else "FAILURES above")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
