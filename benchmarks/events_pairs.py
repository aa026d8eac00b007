"""Draw story pairs for a labelled evaluation of the event rules, to be judged by a reader.

Reads the ``sameday-*`` folders of the real-feed corpus (``../shared/corpus``,
or ``$AGGREGATOR_CORPUS``): feeds of many outlets captured on one day. Stories
are parsed and normalized by the real ingest code. Pairs always join two
different outlets (a story never joins an event through its own outlet) and
are drawn by kind, so that the set holds likely positives and hard negatives
of every kind the rules must keep apart:

    likely      titles sharing two or more rare words (many are the same event)
    weak        titles sharing rare words, little else (paraphrases and near misses)
    same-actor  the same person, company or country, one rare word shared, other news
    roundup     one side a roundup, live blog, briefing or column, sharing a name
    follow-up   sharing names, published 12-72 hours apart (a later step of a story)
    sports      two results or previews of games (titles with scores or sports words)
    random      two stories of one day with nothing drawn in common (easy negatives)

Kinds are a guess from the drawing, not a label. Each line of the output
(``benchmarks/data/events_pairs.jsonl``) holds ``id``, ``group``, ``kind``,
``a`` and ``b`` (feed, title, lead of about 400 characters, published date,
language) and the empty fields ``same_event`` (the reader writes ``true`` or
``false``) and ``note``. Drawing is deterministic for a seed; the selection
does not use the event rules' verdict, so the set does not favour them.

    python benchmarks/events_pairs.py [--seed 16] [--out benchmarks/data/events_pairs.jsonl]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.dedupe.events import EventFeatures, event_features, kind
from aggregator.errors import FeedParseError
from aggregator.ingest.worker import process_feed
from aggregator.models import Story

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("AGGREGATOR_CORPUS") or REPO.parent / "shared" / "corpus")
OUT = REPO / "benchmarks" / "data" / "events_pairs.jsonl"

#: Pairs drawn per kind (before de-duplication), in order of drawing.
QUOTAS = {
    "likely": 150,
    "weak": 50,
    "same-actor": 50,
    "roundup": 30,
    "follow-up": 25,
    "sports": 15,
    "random": 25,
}

_SPORTS = re.compile(
    r"(?i)\b(?:\d{1,2}\s?[-–]\s?\d{1,2}|win|wins|beat|beats|defeat|draw|match|game|cup|league|"
    r"olympic|olympics|medal|final|semifinal|goal|coach|season|ski|hockey|football|soccer|tennis)\b"
)
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Item:
    """One story of a same-day folder, with what the drawing reads of it."""

    group: str
    feed: str
    story: Story
    features: EventFeatures
    words: frozenset[str]


def load_group(folder: Path) -> list[Item]:
    """Every story of a same-day folder, parsed and normalized as ingest does."""
    items: list[Item] = []
    seen: set[tuple[str, str]] = set()
    now = datetime(2027, 1, 1, tzinfo=UTC)
    for path in sorted(folder.iterdir()):
        try:
            processed = process_feed(
                path.read_bytes(), {}, f"https://{path.stem}.example/feed", category="news", now=now
            )
        except FeedParseError:
            continue
        for story in processed.stories:
            key = (path.name, story.title.casefold())
            if key in seen or not story.title:
                continue
            seen.add(key)
            words = frozenset(w.casefold() for w in _WORD.findall(story.title) if len(w) > 3)
            items.append(
                Item(folder.name, path.name, story, event_features(story.title, story.body), words)
            )
    return items


def load_corpus(root: Path = CORPUS) -> dict[str, list[Item]]:
    """The stories of every ``sameday-*`` folder, by folder name."""
    base = root / "real-feeds"
    return {d.name: load_group(d) for d in sorted(base.glob("sameday-*")) if d.is_dir()}


def lead(story: Story, limit: int = 400) -> str:
    """The start of a story's body, cut at a word."""
    text = " ".join(story.body.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def side(item: Item) -> dict[str, str]:
    """What the reader sees of one story."""
    s = item.story
    return {
        "feed": item.feed,
        "title": s.title,
        "lead": lead(s),
        "published": s.published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lang": s.lang,
        "url": s.url,
    }


def draw(groups: dict[str, list[Item]], seed: int) -> list[dict[str, object]]:
    """Pairs of every kind, shuffled deterministically, each pair at most once."""
    rng = random.Random(seed)
    buckets: dict[str, list[tuple[Item, Item]]] = {k: [] for k in QUOTAS}
    for items in groups.values():
        df = Counter(k for it in items for k in set(it.features.title_keys))
        n = len(items)

        def rare(k: str, df: Counter[str] = df, n: int = n) -> bool:
            return math.log((n + 1) / (df[k] + 1)) >= 2.0

        for a, b in itertools.combinations(items, 2):
            if a.feed == b.feed:
                continue
            gap = abs(a.story.published - b.story.published)
            if gap > timedelta(days=3):
                continue
            shared = set(a.features.title_keys) & set(b.features.title_keys)
            rare_shared = {k for k in shared if rare(k)}
            names = (a.features.names | b.features.names) & rare_shared
            pair = (a, b)
            if kind(a.story.title) or kind(b.story.title):
                if names:
                    buckets["roundup"].append(pair)
                continue
            if _SPORTS.search(a.story.title) and _SPORTS.search(b.story.title) and shared:
                buckets["sports"].append(pair)
            if gap > timedelta(hours=12) and names:
                buckets["follow-up"].append(pair)
            elif len(rare_shared) >= 2:
                buckets["likely"].append(pair)
            elif len(rare_shared) == 1 and names:
                buckets["same-actor"].append(pair)
            elif rare_shared or len(a.words & b.words) >= 2:
                buckets["weak"].append(pair)
            elif gap < timedelta(hours=24) and rng.random() < 0.002:
                buckets["random"].append(pair)
    out: list[dict[str, object]] = []
    taken: set[tuple[str, str, str, str]] = set()
    for name, quota in QUOTAS.items():
        pool = buckets[name]
        rng.shuffle(pool)
        count = 0
        for a, b in pool:
            key = (a.feed, a.story.title, b.feed, b.story.title)
            if key in taken:
                continue
            taken.add(key)
            out.append({"group": a.group, "kind": name, "a": side(a), "b": side(b)})
            count += 1
            if count == quota:
                break
    rng.shuffle(out)
    return [{"id": i + 1, **pair, "same_event": "", "note": ""} for i, pair in enumerate(out)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    pairs = draw(load_corpus(), args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for pair in pairs:
            fh.write(json.dumps(pair, ensure_ascii=False) + "\n")
    kinds = Counter(str(p["kind"]) for p in pairs)
    print(f"{len(pairs)} pairs -> {args.out}")
    for name in QUOTAS:
        print(f"  {name:<11} {kinds[name]}")


if __name__ == "__main__":
    main()
