"""Draw a rated sample of stories from the real-feed corpus and write their offline questions.

Parses every feed under ``<corpus>/real-feeds/`` (recursively), drops stories
whose title repeats one already seen, and draws stories at random with a fixed
seed: the candidates are shuffled and taken in that order, at most
``--per-feed`` from one feed, until ``--stories`` are drawn. Each drawn story
is normalized, given questions by the offline generator and written as one
JSON line:

    {"feed": ..., "title": ..., "excerpt": <first ~600 characters of the body>,
     "lang": ..., "kind": ..., "subject": ...,
     "questions": [{"text": ..., "subject": null, "specific": null, "natural": null,
                    "worth": null, "insensitive": null, "wrong_language": null,
                    "note": ""}, ...]}

The rating fields are left empty (``null``) for a reader to fill in against
the questions rubric. Re-running keeps the ratings already given to a question
of the same story (same feed and title) with the same text, so a changed
generator only asks for the questions that changed to be rated again.
``benchmarks/questions_rated.py`` prints the totals.

    python benchmarks/questions_sample.py [--corpus ../shared/corpus]
        [--out benchmarks/data/questions_rated.jsonl] [--stories 160] [--seed 13]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import UTC, datetime
from pathlib import Path

from aggregator.errors import FeedParseError
from aggregator.ingest.normalize import normalize_entry
from aggregator.ingest.parse import parse_feed
from aggregator.models import Story

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FIELDS = ("subject", "specific", "natural", "worth", "insensitive", "wrong_language")
EXCERPT = 600


def feed_files(corpus: Path) -> list[Path]:
    """Every feed file of the real-feed corpus, sorted."""
    root = corpus / "real-feeds"
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".md"))


def excerpt(body: str, limit: int = EXCERPT) -> str:
    """The body's first ``limit`` characters, cut at a space."""
    if len(body) <= limit:
        return body
    cut = body.rfind(" ", 0, limit)
    return body[: cut if cut > 0 else limit] + " …"


def candidates(corpus: Path) -> list[tuple[str, Story]]:
    """Every story of the corpus with a title and some text, ``(feed, story)``, titles unique."""
    root = corpus / "real-feeds"
    seen: set[str] = set()
    out: list[tuple[str, Story]] = []
    for path in feed_files(corpus):
        try:
            parsed = parse_feed(path.read_bytes(), url=f"https://example.com/{path.name}")
        except FeedParseError:
            continue
        for entry in parsed.entries:
            story = normalize_entry(entry, category="news", now=NOW)
            key = " ".join(story.title.casefold().split())
            if not key or key in seen or len(story.title.split()) < 2:
                continue
            seen.add(key)
            out.append((str(path.relative_to(root)), story))
    return out


def draw(
    pool: list[tuple[str, Story]], *, stories: int, per_feed: int, seed: int
) -> list[tuple[str, Story]]:
    """``stories`` of ``pool`` at random (seeded), at most ``per_feed`` per feed."""
    order = list(range(len(pool)))
    random.Random(seed).shuffle(order)
    taken: dict[str, int] = {}
    chosen: list[int] = []
    for index in order:
        feed = pool[index][0]
        if taken.get(feed, 0) >= per_feed:
            continue
        taken[feed] = taken.get(feed, 0) + 1
        chosen.append(index)
        if len(chosen) == stories:
            break
    return [pool[i] for i in chosen]


def old_ratings(path: Path) -> dict[tuple[str, str, str], dict[str, object]]:
    """The ratings in an existing file, by (feed, title, question)."""
    found: dict[tuple[str, str, str], dict[str, object]] = {}
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        for q in row.get("questions", []):
            if any(q.get(f) is not None for f in FIELDS) or q.get("note"):
                found[(row["feed"], row["title"], q["text"])] = q
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_corpus = Path(os.environ.get("AGGREGATOR_CORPUS") or REPO.parent / "shared" / "corpus")
    parser.add_argument("--corpus", type=Path, default=default_corpus)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/data/questions_rated.jsonl")
    parser.add_argument("--stories", type=int, default=160)
    parser.add_argument("--per-feed", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--count", type=int, default=3)
    args = parser.parse_args()

    from aggregator.questions.offline import OfflineGenerator

    pool = candidates(args.corpus)
    if not pool:
        sys.exit(f"no stories under {args.corpus / 'real-feeds'}")
    drawn = draw(pool, stories=args.stories, per_feed=args.per_feed, seed=args.seed)
    generator = OfflineGenerator(count=args.count)
    explain = getattr(generator, "explain", None)
    kept = old_ratings(args.out)
    lines = []
    for feed, story in drawn:
        row: dict[str, object] = {
            "feed": feed,
            "title": story.title,
            "excerpt": excerpt(story.body),
            "lang": story.lang,
        }
        if explain is not None:
            seen = explain(story)
            row["kind"] = seen.kind
            row["subject"] = seen.subject
        questions = []
        for text in generator.generate(story):
            old = kept.get((feed, story.title, text))
            q: dict[str, object] = {"text": text}
            for field in FIELDS:
                q[field] = old.get(field) if old else None
            q["note"] = old.get("note", "") if old else ""
            questions.append(q)
        row["questions"] = questions
        lines.append(json.dumps(row, ensure_ascii=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    feeds = len({feed for feed, _ in drawn})
    print(f"{len(drawn)} stories from {feeds} feeds (of {len(pool)} candidates) -> {args.out}")


if __name__ == "__main__":
    main()
