"""Everyday use has no surprises: each case runs the real CLI as a process (a few
through click's runner, to reach the click path of ``search``)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_config_text
from support.feeds import rss
from support.httpserver import FeedServer, closed_port

from aggregator.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tests" / "data" / "reference-story.txt"
ATOM = "{http://www.w3.org/2005/Atom}"


def aggregator(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``aggregator ARGS`` as a real process (no AGGREGATOR_* variables)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def on_a_terminal(args: list[str], *, cwd: Path, columns: int) -> tuple[int, str]:
    """``aggregator ARGS`` on a pseudo-terminal ``columns`` wide: exit code and output."""
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES="50")
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aggregator", *args],
        cwd=cwd,
        env=env,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    code = proc.wait(timeout=120)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        s.add("/a.xml", rss("a", 3))
        s.add("/gone.xml", b"nope", status=404)
        yield s


def write(tmp_path: Path, feeds: list[dict[str, object]], **sections: dict[str, object]) -> Path:
    path = tmp_path / "aggregator.toml"
    path.write_text(make_config_text(feeds, **sections), encoding="utf-8")
    return path


# -- fetch ----------------------------------------------------------------------------------


def test_fetch_fails_when_no_feed_succeeds_and_names_each_failure_once(
    server: FeedServer, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/feed.xml"
    cfg = write(tmp_path, [{"url": server.url("/gone.xml")}, {"url": dead}])
    done = aggregator("--config", str(cfg), "fetch", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith("Polled 2 feeds: 0 ok, 0 not modified, 2 failed;")
    for url in (server.url("/gone.xml"), dead):
        assert sum(url in line for line in done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "Error: no feed could be fetched (2 failed)"
    assert "Traceback" not in done.stderr

    cfg = write(tmp_path, [{"url": server.url("/gone.xml")}, {"url": server.url("/a.xml")}])
    done = aggregator("--config", str(cfg), "fetch", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"  {server.url('/gone.xml')}: HTTP 404 Not Found\n"


# -- search and usage errors ----------------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    done = aggregator("--db", "news.db", "import", str(REFERENCE), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path / "news.db"


def test_a_query_starting_with_a_minus_is_a_query(archive: Path, tmp_path: Path) -> None:
    # The fast path (no click) and the click path (CliRunner) agree.
    done = aggregator("--db", str(archive), "search", "-zebra Meta", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [h["title"] for h in json.loads(done.stdout)] == [
        "Why is Meta Seeking Allies for its AI Dreams?"
    ]
    done = aggregator("--db", str(archive), "search", "--json", "-Meta Meta", cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout) == []
    result = CliRunner().invoke(
        cli, ["--db", str(archive), "search", "--limit", "5", "-zebra Meta"]
    )
    assert result.exit_code == 0, result.stderr
    assert "Why is Meta Seeking Allies" in result.stdout
    done = aggregator("--db", str(archive), "search", "-zebra", cwd=tmp_path)
    assert done.returncode == 1
    assert (
        one_error_line(done.stderr) == "Error: a query needs at least one word that is not excluded"
    )


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["search", "rust", "--limit", "0"], "Error: Invalid value for '--limit'"),
        (["search", "rust", "--jsn"], "Error: No such option '--jsn'"),
        (["--bogus", "status"], "Error: No such option '--bogus'"),
        (["feeds", "lst"], "Error: No such command 'lst'"),
        (["dedupe"], "Error: give one of --rebuild or --explain ID1 ID2"),
    ],
)
def test_usage_errors_are_one_error_line(
    archive: Path, tmp_path: Path, args: list[str], start: str
) -> None:
    done = aggregator("--db", str(archive), *args, cwd=tmp_path)
    assert done.returncode == 2
    assert one_error_line(done.stderr).startswith(start)


# -- empty results --------------------------------------------------------------------------


def test_empty_digests_say_so_and_stay_valid(archive: Path, tmp_path: Path) -> None:
    window = ["--since", "2001-01-01", "--until", "2001-01-02"]
    done = aggregator("--db", str(archive), "digest", *window, cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == ""
    assert done.stderr.strip() == "Warning: no stories in Mon Jan 01 2001"
    done = aggregator("--db", str(archive), "digest", *window, "--format", "atom", cwd=tmp_path)
    feed = ET.fromstring(done.stdout)
    assert feed.tag == f"{ATOM}feed" and feed.findall(f"{ATOM}entry") == []
    done = aggregator("--db", str(archive), "digest", *window, "--format", "json", cwd=tmp_path)
    assert json.loads(done.stdout)["categories"] == []
    done = aggregator(
        "--db", str(archive), "digest", "--since", "2000-01-01", "--category", "nope", cwd=tmp_path
    )
    assert done.returncode == 0
    assert "no category nope in the archive (it has: TECHNOLOGY)" in done.stderr
    done = aggregator("--db", str(archive), "digest", "--since", "2000-01-01", cwd=tmp_path)
    assert done.stderr == "" and done.stdout.startswith("TECHNOLOGY\n")


# -- status and JSON ------------------------------------------------------------------------


def test_status_shows_titles_and_fits_the_terminal(server: FeedServer, tmp_path: Path) -> None:
    long_path = "/" + "very-long-path-segment/" * 4 + "a.xml"
    server.add(long_path, rss("long", 2))
    cfg = write(tmp_path, [{"url": server.url(long_path), "title": "Long Feed"}])
    assert aggregator("--config", str(cfg), "fetch", cwd=tmp_path).returncode == 0
    code, out = on_a_terminal(["--config", str(cfg), "status"], cwd=tmp_path, columns=80)
    assert code == 0, out
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    assert "Long Feed" in plain
    assert "very-long-path-segment" not in plain
    table = [line for line in plain.splitlines() if line.startswith(("┃", "│", "┏", "└"))]
    assert table and all(len(line) <= 80 for line in table), plain


def test_json_uses_one_time_format_and_seconds(server: FeedServer, tmp_path: Path) -> None:
    cfg = write(tmp_path, [{"url": server.url("/a.xml"), "interval": "2h"}])
    assert aggregator("--config", str(cfg), "fetch", cwd=tmp_path).returncode == 0
    iso_z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    (feed,) = json.loads(
        aggregator("--config", str(cfg), "feeds", "list", "--json", cwd=tmp_path).stdout
    )
    assert feed["interval"] == 7200
    assert feed["adaptive_interval"] is None or isinstance(feed["adaptive_interval"], int)
    assert iso_z.match(feed["last_fetched"]) and iso_z.match(feed["next_fetch"])
    shown = json.loads(
        aggregator("--config", str(cfg), "show", "1", "--format", "json", cwd=tmp_path).stdout
    )
    for key in ("published", "first_seen", "updated_at"):
        assert iso_z.match(shown[key]), (key, shown[key])
    assert iso_z.match(shown["sources"][0]["seen_at"])
    (result,) = json.loads(aggregator("--config", str(cfg), "fetch", "--json", cwd=tmp_path).stdout)
    assert iso_z.match(result["next_fetch"])
    (hit, *_) = json.loads(
        aggregator("--config", str(cfg), "search", "Nvidia", "--json", cwd=tmp_path).stdout
    )
    assert iso_z.match(hit["published"])
    piped = aggregator("--config", str(cfg), "feeds", "list", cwd=tmp_path).stdout.splitlines()
    assert piped[0].split("\t") == [
        "id", "health", "category", "stories", "url", "last_fetched", "next_fetch", "last_error"
    ]  # fmt: skip
    assert piped[1].split("\t")[:2] == ["1", "ok"]


# -- paths ----------------------------------------------------------------------------------


def test_db_naming_a_folder_and_output_in_a_missing_folder(archive: Path, tmp_path: Path) -> None:
    (tmp_path / "folder.db").mkdir()
    done = aggregator("--db", "folder.db", "search", "rust", cwd=tmp_path)
    assert done.returncode == 1
    assert one_error_line(done.stderr) == "Error: archive folder.db is a folder, not a file"
    missing = tmp_path / "nonexistent" / "x.html"
    done = aggregator("--db", str(archive), "digest", "-o", str(missing), cwd=tmp_path)
    assert done.returncode == 1
    assert (
        one_error_line(done.stderr) == f"Error: cannot write {missing}: no folder {missing.parent}"
    )
    assert not missing.parent.exists()
    done = aggregator("--db", str(archive), "feeds", "export", "-o", str(missing), cwd=tmp_path)
    assert done.returncode == 1 and not missing.parent.exists()
    done = aggregator("--db", str(archive), "digest", "-o", "here.html", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "here.html").read_text().strip() == ""


# -- questions ------------------------------------------------------------------------------


def test_an_unreachable_llm_endpoint_is_an_error(archive: Path, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}/v1"
    cfg = write(
        tmp_path, [], **{"questions.llm": {"base_url": base, "model": "m", "max_retries": 0}}
    )
    done = aggregator(
        "--config", str(cfg), "--db", str(archive),
        "questions", "--regenerate", "--generator", "llm", "--imported", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: the LLM endpoint gave no questions ({base}: ")
    assert "offline ones kept" in last and "Traceback" not in done.stderr


# -- feed management ------------------------------------------------------------------------


def test_pause_resume_and_edit_by_url_or_id(server: FeedServer, tmp_path: Path) -> None:
    cfg = write(tmp_path, [{"url": server.url("/a.xml"), "title": "A"}])
    other = server.url("/b.xml")
    server.add("/b.xml", rss("b", 2))
    assert (
        aggregator(
            "--config", str(cfg), "feeds", "add", other, "--no-check", cwd=tmp_path
        ).returncode
        == 0
    )

    def feeds() -> dict[int, dict[str, object]]:
        out = aggregator("--config", str(cfg), "feeds", "list", "--json", cwd=tmp_path).stdout
        return {f["id"]: f for f in json.loads(out)}

    b_id = next(i for i, f in feeds().items() if f["url"] == other)
    done = aggregator("--config", str(cfg), "feeds", "pause", str(b_id), cwd=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, f"Paused {b_id} {other}")
    assert aggregator("--config", str(cfg), "fetch", cwd=tmp_path).returncode == 0
    assert server.count("/b.xml") == 0 and feeds()[b_id]["enabled"] is False
    done = aggregator("--config", str(cfg), "feeds", "resume", other, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert aggregator("--config", str(cfg), "fetch", cwd=tmp_path).returncode == 0
    assert server.count("/b.xml") == 1

    done = aggregator(
        "--config", str(cfg), "feeds", "edit", str(b_id),
        "--category", "science", "--title", "Bee", "--interval", "3h", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    edited = feeds()[b_id]
    assert (edited["category"], edited["title"], edited["interval"]) == ("science", "Bee", 10800)
    # Feeds the config lists stay the config's.
    a_id = next(i for i, f in feeds().items() if f["url"] == server.url("/a.xml"))
    done = aggregator(
        "--config", str(cfg), "feeds", "edit", str(a_id), "--title", "X", cwd=tmp_path
    )
    assert done.returncode == 1
    assert one_error_line(done.stderr) == f"Error: {a_id} is configured in {cfg}; edit it there"
    done = aggregator("--config", str(cfg), "feeds", "remove", str(a_id), cwd=tmp_path)
    assert one_error_line(done.stderr) == f"Error: {a_id} is configured in {cfg}; remove it there"
    done = aggregator("--config", str(cfg), "feeds", "pause", "99", cwd=tmp_path)
    assert done.returncode == 1 and one_error_line(done.stderr) == "Error: no feed with id 99"
    done = aggregator("--config", str(cfg), "feeds", "remove", str(b_id), cwd=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, f"Removed {other}")


# -- install ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_clean_install_prints_no_setuptools_warnings(tmp_path: Path) -> None:
    """Builds the project as ``pip install`` does (isolated build, its own setuptools)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if (
        done.returncode != 0
        and "setuptools" in done.stdout + done.stderr
        and "No matching" in done.stdout + done.stderr
    ):
        pytest.skip("no package index to build from")
    assert done.returncode == 0, done.stderr[-2000:]
    warnings = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if re.search(r"Deprecat|SetuptoolsWarning|UserWarning", line)
    ]
    assert warnings == []


@pytest.mark.slow
def test_the_daemon_offline_says_once_that_no_feed_could_be_reached(tmp_path: Path) -> None:
    dead = [{"url": f"http://127.0.0.1:{closed_port()}/{n}.xml", "interval": "1s"} for n in "ab"]
    fast = {
        "interval": "1s",
        "min_interval": "1s",
        "max_interval": "2s",
        "jitter": "0s",
        "tick": "1s",
    }
    cfg = write(tmp_path, dead, schedule=fast)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "--config", str(cfg), "run"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(8)  # several polls of both feeds
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    said = [line for line in err.splitlines() if "no feed could be reached" in line]
    assert len(said) == 1, err
    assert re.search(
        r"\(2 tried; offline\?\); next poll at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", said[0]
    )
    assert (
        err.count(f"{dead[0]['url']}: error") >= 2
    )  # it did poll again, silently about the outage


def test_search_takes_a_feed_id_where_it_takes_a_url(server: FeedServer, tmp_path: Path) -> None:
    server.add("/b.xml", rss("b", 2))
    cfg = write(tmp_path, [{"url": server.url("/a.xml")}, {"url": server.url("/b.xml")}])
    assert aggregator("--config", str(cfg), "fetch", cwd=tmp_path).returncode == 0

    def titles(feed: str) -> set[str]:
        done = aggregator(
            "--config", str(cfg), "search", "Nvidia OR Microsoft", "--feed", feed, "--json",
            cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return {h["title"] for h in json.loads(done.stdout)}

    feeds = json.loads(
        aggregator("--config", str(cfg), "feeds", "list", "--json", cwd=tmp_path).stdout
    )
    b_id = next(f["id"] for f in feeds if f["url"].endswith("/b.xml"))
    assert titles(str(b_id)) == titles(server.url("/b.xml")) != set()
    assert all("(b #" in t for t in titles(str(b_id)))
    assert titles("99") == set()
