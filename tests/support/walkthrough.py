"""Run the README's examples verbatim, as a new user would, in a plain copy of the repository.

Every ```sh block of README.md is read; each ``$ aggregator ...`` line is a command
and the lines under it, up to a blank line or the next command, are the output the
README shows. The repository's tracked files are copied into a temporary folder
(so nothing beside it, such as a shared corpus, is reachable), its
``config/aggregator.toml`` is kept except that the configured feeds point at a
feed server on 127.0.0.1 (one of them answering 404, as in the README's
``fetch`` example), and the commands run there one after the other, against one
archive, as ``python -m aggregator ...``.

A command fails the walkthrough when it prints a traceback, exits non-zero
(every example in the README is documented to succeed), or, where the README
shows output, prints something else. Numbers and URLs in shown output stand for
any number and any URL (the README's ``Polled 25 feeds: 23 ok`` matches
``Polled 25 feeds: 24 ok``); everything else must match line for line, stdout
first, then stderr.

Run alone: ``python tests/support/walkthrough.py`` (exit 0 when every example works);
``tests/cli/test_walkthrough.py`` runs it in the test suite.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.feeds import rss  # noqa: E402
from support.httpserver import FeedServer  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ITEMS_PER_FEED = 3


@dataclass
class Example:
    """One ``$ aggregator ...`` line of the README and the output shown under it."""

    line: int
    command: str
    shown: list[str] = field(default_factory=list)


# Sections whose examples need feeds of their own (a podcast, a filtered feed, a
# private feed ...): tests/cli/test_readme_features.py runs them, with that setup.
OWN_SETUP = frozenset(
    (
        "Podcasts, videos and discussions",
        "Filters",
        "Private and picky feeds",
        "Retention",
        "Export",
    )
)


def examples(readme: str) -> list[Example]:
    """The README's commands, in order, from its ```sh blocks.

    Args:
        readme: the README's text.

    Returns:
        One example per ``$ aggregator`` line (but those of :data:`OWN_SETUP`).
    """
    out: list[Example] = []
    in_sh = False
    skip = False
    current: Example | None = None
    for number, text in enumerate(readme.splitlines(), start=1):
        if text.startswith("## "):
            skip = text[3:].strip() in OWN_SETUP
        if skip:
            continue
        if text.startswith("```"):
            in_sh = text.strip() == "```sh"
            current = None
            continue
        if not in_sh:
            continue
        if text.startswith("$ aggregator"):
            current = Example(number, text[2:])
            out.append(current)
        elif not text.strip() or text.startswith("$ "):
            current = None
        elif current is not None:
            current.shown.append(text)
    return out


def _pattern(shown: str) -> re.Pattern[str]:
    """A shown output line as a pattern: numbers and URLs stand for any."""
    parts = re.split(r"(https?://\S+|\d[\d,]*)", shown)
    regex = "".join(
        (r"\S+" if p.startswith("http") else r"\d[\d,]*") if i % 2 else re.escape(p)
        for i, p in enumerate(parts)
    )
    return re.compile(regex + r"\Z")


def matches(shown: list[str], printed: list[str]) -> bool:
    """Whether the printed lines are the shown ones (numbers and URLs aside)."""
    return len(shown) == len(printed) and all(
        _pattern(s).match(p) for s, p in zip(shown, printed, strict=True)
    )


def plain_clone(into: Path) -> Path:
    """Copy the repository's tracked files (a plain clone: nothing beside it)."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    clone = into / "aggregator"
    for name in filter(None, (f.decode() for f in files)):
        source = REPO / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    return clone


def point_feeds_at(config: Path, server: FeedServer) -> int:
    """Serve the config's feeds on 127.0.0.1 and point the config at them.

    Every feed gets a few distinct items, except the last, which answers 404.

    Returns:
        How many feeds the config lists.
    """
    text = config.read_text(encoding="utf-8")
    urls = re.findall(r'^url = "([^"]+)"', text, flags=re.MULTILINE)
    for i, url in enumerate(urls):
        path = f"/feed-{i}.xml"
        if i == len(urls) - 1:
            server.add(path, b"gone", status=404)
        else:
            server.add(path, rss(f"f{i}", ITEMS_PER_FEED))
        text = text.replace(f'url = "{url}"', f'url = "{server.url(path)}"', 1)
    text = re.sub(
        r"^allow_private_addresses = false",
        "allow_private_addresses = true",
        text,
        flags=re.MULTILINE,
    )
    config.write_text(text, encoding="utf-8")
    return len(urls)


def run(verbose: bool = True) -> list[str]:
    """Walk through the README.

    Args:
        verbose: print each command and its outcome.

    Returns:
        The problems found (empty when every example works).
    """
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    problems: list[str] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    env["COLUMNS"] = "200"
    with tempfile.TemporaryDirectory() as tmp, FeedServer() as server:
        clone = plain_clone(Path(tmp))
        point_feeds_at(clone / "config" / "aggregator.toml", server)
        for ex in examples(readme):
            argv = shlex.split(ex.command, comments=True)
            done = subprocess.run(
                [sys.executable, "-m", "aggregator", *argv[1:]],
                cwd=clone,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            where = f"README.md:{ex.line}: {ex.command}"
            printed = done.stdout.splitlines() + done.stderr.splitlines()
            if "Traceback" in done.stdout + done.stderr:
                problems.append(f"{where}: traceback\n{done.stderr[-2000:]}")
            elif done.returncode != 0:
                problems.append(f"{where}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
            elif ex.shown and not matches(ex.shown, printed):
                problems.append(
                    f"{where}: printed\n  " + "\n  ".join(printed[:10])
                    + "\nwhere the README shows\n  " + "\n  ".join(ex.shown)
                )  # fmt: skip
            if verbose:
                print(f"{'ok  ' if not problems or where not in problems[-1] else 'FAIL'} {where}")
    return problems


def main() -> int:
    """Run the walkthrough; print the problems; exit 1 if there are any."""
    problems = run()
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
