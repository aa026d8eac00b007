"""Totals of a rated question sample (``benchmarks/data/questions_rated.jsonl``).

Each line of the file is a story with its questions; each question carries the
reader's ratings against the questions rubric: ``subject``, ``specific``,
``natural``, ``worth`` (GOOD = all four), ``insensitive`` and
``wrong_language`` (true when the question has that fault), and a ``note``.
Questions not rated yet (``null`` fields) are counted apart and left out of
the shares.

    python benchmarks/questions_rated.py [benchmarks/data/questions_rated.jsonl ...]
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CRITERIA = ("subject", "specific", "natural", "worth")


@dataclass
class Totals:
    """The figures of one rated file."""

    stories: int = 0
    feeds: int = 0
    questions: int = 0
    rated: int = 0
    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CRITERIA, 0))
    good: int = 0
    stories_rated: int = 0
    stories_one: int = 0
    stories_all: int = 0
    insensitive: int = 0
    wrong_language: int = 0


def totals(path: Path) -> Totals:
    """Count the ratings of one file."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    t = Totals(stories=len(rows), feeds=len({row["feed"] for row in rows}))
    for row in rows:
        marks = []
        for q in row["questions"]:
            t.questions += 1
            if any(q.get(c) is None for c in CRITERIA):
                continue
            t.rated += 1
            for c in CRITERIA:
                t.passed[c] += bool(q[c])
            is_good = all(q[c] for c in CRITERIA)
            t.good += is_good
            marks.append(is_good)
            t.insensitive += bool(q.get("insensitive"))
            t.wrong_language += bool(q.get("wrong_language"))
        if marks and len(marks) == len(row["questions"]):
            t.stories_rated += 1
            t.stories_one += any(marks)
            t.stories_all += all(marks)
    return t


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.1%}" if whole else f"{part}/0"


def main() -> None:
    paths = [Path(a) for a in sys.argv[1:]] or [
        REPO / "benchmarks/data/questions_rated_before.jsonl",
        REPO / "benchmarks/data/questions_rated.jsonl",
    ]
    for path in paths:
        if not path.exists():
            print(f"{path}: missing")
            continue
        t = totals(path)
        print(
            f"== {path.name}: {t.stories} stories from {t.feeds} feeds, {t.questions}"
            f" questions ({t.questions - t.rated} not rated yet)"
        )
        for criterion in CRITERIA:
            print(f"  {criterion:<17} {share(t.passed[criterion], t.rated)}")
        print(f"  {'GOOD':<17} {share(t.good, t.rated)}  (target >= 70%)")
        print(
            f"  {'stories >=1 GOOD':<17} {share(t.stories_one, t.stories_rated)}  (target >= 95%)"
        )
        print(f"  {'stories all GOOD':<17} {share(t.stories_all, t.stories_rated)}")
        print(f"  {'insensitive':<17} {t.insensitive}  (target 0)")
        print(f"  {'wrong language':<17} {t.wrong_language}  (target 0)")


if __name__ == "__main__":
    main()
