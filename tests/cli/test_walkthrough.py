"""The README's examples work verbatim in a plain clone (see :mod:`walkthrough`)."""

from __future__ import annotations

import pytest
from support import walkthrough


@pytest.mark.slow
def test_the_readme_examples_work_in_a_plain_clone() -> None:
    problems = walkthrough.run(verbose=False)
    assert problems == [], "\n".join(problems)


def test_the_walkthrough_finds_the_readme_examples_and_their_output() -> None:
    found = walkthrough.examples((walkthrough.REPO / "README.md").read_text(encoding="utf-8"))
    commands = [e.command for e in found]
    assert "aggregator import tests/data/reference-story.txt" in commands
    assert not any("../shared" in c for c in commands)
    fetch = next(e for e in found if e.command == "aggregator fetch")
    assert fetch.shown[0].startswith("Polled 25 feeds: ")
    # Shown output: numbers and URLs stand for any, the rest must match.
    assert walkthrough.matches(fetch.shown, [
        "Polled 25 feeds: 24 ok, 0 not modified, 1 failed; stories: 72 new, 0 updated, 0 duplicate",
        "  http://127.0.0.1:4242/feed-24.xml: HTTP 404 Not Found",
    ])  # fmt: skip
    assert not walkthrough.matches(fetch.shown, ["Polled 25 feeds: 24 ok"])
    assert not walkthrough.matches(fetch.shown, [fetch.shown[0], "  http://x/: HTTP 500 Oops"])
