"""The event rules, measured on the labelled pairs of ``benchmarks/data/events_pairs.jsonl``.

Each pair (drawn by ``benchmarks/events_pairs.py`` from the real-feed corpus's
``sameday-*`` folders, labelled ``same_event`` true/false by a reader) is
decided by :func:`aggregator.dedupe.events.compare` with the rarity of words
among all the stories of its folder, as the archive's day-bucketed index would
give them, and the two stories' links (an address filed under opinion joins
no event). Prints precision and recall of same-event pairs (targets 0.97 and
0.80), the confusion per kind of drawing, and for each kind of negative the
reader named (``negative_kind``) how many were grouped by mistake.
Unlabelled pairs are counted apart; with no labels at all it prints what the
rules decide per kind, so the set can be reviewed.

    python benchmarks/events_eval.py [--pairs FILE ...] [--half odd|even] [--verbose]
        [--threshold 0.38 ...]

Several ``--pairs`` files are reported one by one, then pooled (precision and
recall over all their pairs together): a change to the rules should help the
pooled figures, not one set at the expense of another.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path

from aggregator.dedupe.events import (
    EventParams,
    compare,
    document_frequencies,
    event_features,
    idf_from_counts,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from events_pairs import OUT, load_corpus  # noqa: E402

PRECISION_TARGET = 0.97
RECALL_TARGET = 0.80


def label(value: object) -> bool | None:
    """A reader's label: true/false (also "yes"/"no", 1/0), or ``None`` when not labelled."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in {"true", "yes", "y", "1", "same"}:
        return True
    if text in {"false", "no", "n", "0", "different"}:
        return False
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--pairs",
        type=Path,
        action="append",
        help="a labelled set (repeatable; default: the tuning set)",
    )
    parser.add_argument("--verbose", action="store_true", help="print every error")
    parser.add_argument(
        "--half",
        choices=("odd", "even"),
        help="only the pairs of odd or even id (rules set on the odd, checked on the even)",
    )
    for f in fields(EventParams):
        if f.type in ("float", float):
            parser.add_argument("--" + f.name.replace("_", "-"), type=float)
    args = parser.parse_args()
    params = EventParams()
    overrides = {
        f.name: getattr(args, f.name)
        for f in fields(EventParams)
        if getattr(args, f.name, None) is not None
    }
    params = replace(params, **overrides)

    groups = load_corpus()
    idfs = {}
    for name, items in groups.items():
        counts, total = document_frequencies(it.features for it in items)
        idfs[name] = idf_from_counts(counts, total)
    files = args.pairs or [OUT]
    print(f"params: {params}")
    pooled: Counter[str] = Counter()
    labelled_all = 0
    for path in files:
        if len(files) > 1:
            print(f"\n== {path.name}")
        tally, labelled = evaluate(path, idfs, params, args.half, args.verbose)
        pooled.update(tally)
        labelled_all += labelled
    if not labelled_all:
        return 0
    precision, recall = rates(pooled)
    if len(files) > 1:
        print(
            f"\npooled over {len(files)} sets: precision {precision:.3f}, recall {recall:.3f}"
            f" (TP {pooled['tp']}, FP {pooled['fp']}, FN {pooled['fn']})"
        )
    return 0 if precision >= PRECISION_TARGET and recall >= RECALL_TARGET else 1


def rates(tally: Counter[str]) -> tuple[float, float]:
    """Precision and recall from true/false positive and false negative counts."""
    tp, fp, fn = tally["tp"], tally["fp"], tally["fn"]
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def evaluate(
    path: Path,
    idfs: dict[str, Callable[[str], float]],
    params: EventParams,
    half: str | None,
    verbose: bool,
) -> tuple[Counter[str], int]:
    """Decide and print one labelled set; returns its TP/FP/FN counts and labelled pairs."""
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if half:
        pairs = [p for p in pairs if p["id"] % 2 == (half == "odd")]

    confusion: Counter[tuple[str, bool | None, bool]] = Counter()
    negatives: dict[str, Counter[bool]] = {}
    errors: list[str] = []
    for pair in pairs:
        a, b = pair["a"], pair["b"]
        verdict = compare(
            event_features(a["title"], a["lead"]),
            event_features(b["title"], b["lead"]),
            published_a=datetime.fromisoformat(a["published"]),
            published_b=datetime.fromisoformat(b["published"]),
            idf=idfs[pair["group"]],
            params=params,
            other_language=bool(a.get("lang") and b.get("lang") and a["lang"] != b["lang"]),
            url_a=a.get("url") or "",
            url_b=b.get("url") or "",
        )
        truth = label(pair.get("same_event"))
        confusion[(pair["kind"], truth, verdict.same)] += 1
        if truth is False:
            kind = str(pair.get("negative_kind") or "unlabelled kind")
            negatives.setdefault(kind, Counter())[verdict.same] += 1
        if truth is not None and truth != verdict.same:
            errors.append(
                f"#{pair['id']} {'FP' if verdict.same else 'FN'} [{pair['kind']}] {verdict.rule}\n"
                f"    {a['feed']}: {a['title']}\n    {b['feed']}: {b['title']}"
            )

    kinds = sorted({k for k, _, _ in confusion})
    labelled = sum(n for (_, t, _), n in confusion.items() if t is not None)
    print(f"{len(pairs)} pairs, {labelled} labelled")
    print(f"{'kind':<11} {'pairs':>5} {'grouped':>7} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4}")
    for k in kinds:
        row = {key: n for key, n in confusion.items() if key[0] == k}
        total = sum(row.values())
        grouped = sum(n for (_, _, same), n in row.items() if same)
        tp = row.get((k, True, True), 0)
        fp = row.get((k, False, True), 0)
        fn = row.get((k, True, False), 0)
        tn = row.get((k, False, False), 0)
        print(f"{k:<11} {total:>5} {grouped:>7} {tp:>4} {fp:>4} {fn:>4} {tn:>4}")
    if not labelled:
        print("no labels yet: a reader fills in same_event (true/false) for each pair")
        return Counter(), 0
    tp = sum(n for (_, t, s), n in confusion.items() if t is True and s)
    fp = sum(n for (_, t, s), n in confusion.items() if t is False and s)
    fn = sum(n for (_, t, s), n in confusion.items() if t is True and not s)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"precision {precision:.3f} (target {PRECISION_TARGET}),"
        f" recall {recall:.3f} (target {RECALL_TARGET})"
    )
    print("false groupings by kind of negative (the reader's negative_kind):")
    for k, counts in sorted(negatives.items(), key=lambda kv: -sum(kv[1].values())):
        print(f"  {k:<28} {counts[True]}/{sum(counts.values())}")
    if verbose:
        print("\n".join(errors))
    return Counter(tp=tp, fp=fp, fn=fn), labelled


if __name__ == "__main__":
    raise SystemExit(main())
