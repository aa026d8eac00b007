"""Rendering for ``aggregator dedupe``: the rebuild's progress bar and summary, explanations.

Presentation only (no logic, no I/O besides the progress bar on stderr);
rich is imported when the bar starts, so importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aggregator.cli.output import StderrProgress

if TYPE_CHECKING:
    from aggregator.store.dedupe import Explanation, RebuildReport

__all__ = [
    "RebuildProgress",
    "explanation_json",
    "explanation_lines",
    "rebuild_json",
    "rebuild_summary",
]


class RebuildProgress(StderrProgress):
    """A progress bar on stderr for ``dedupe --rebuild`` (silent when stderr is not a terminal)."""

    description = "Rebuilding the duplicate index"


def rebuild_summary(report: RebuildReport) -> str:
    """One line saying what a rebuild did.

    Args:
        report: the rebuild's report.

    Returns:
        The line.
    """
    return (
        f"Rebuilt the duplicate index of {report.stories} stories in {report.seconds:.1f}s:"
        f" {report.merged} merged into earlier stories ({report.upgraded} with a fuller text),"
        f" {report.canonical_changed} canonical URLs and {report.fingerprint_changed}"
        f" fingerprints changed, {report.keys} keys ({report.index_id})"
    )


def rebuild_json(report: RebuildReport) -> dict[str, Any]:
    """A rebuild's report as plain data.

    Args:
        report: the rebuild's report.

    Returns:
        Its fields.
    """
    return asdict(report)


def _span(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours / 24:.1f}d" if hours >= 48 else f"{hours:.1f}h"


def explanation_lines(e: Explanation) -> list[str]:
    """An explanation as lines of text: the decision, then every score beside its threshold.

    Args:
        e: the explanation.

    Returns:
        The lines.
    """
    v, p = e.verdict, e.params
    decision = "the same story" if e.same else "different stories"
    return [
        f"Stories {e.first} and {e.second}: {decision} (rule: {e.rule})",
        f"  {e.reason}",
        f"  {e.first}: {e.titles[0]}",
        f"  {e.second}: {e.titles[1]}",
        f"  canonical URL      {'same' if e.same_url else 'different'}",
        f"  exact fingerprint  {'same' if e.same_fingerprint else 'different'}",
        f"  published          {_span(v.gap.total_seconds())} apart"
        f" (window {_span(p.window.total_seconds())})",
        f"  words              {v.words[0]} / {v.words[1]}"
        f" (at least {p.min_words}; short below {p.short_words})",
        f"  jaccard            {v.jaccard:.2f}"
        f" (threshold {p.jaccard}; short items {p.short_jaccard})",
        f"  lead containment   {v.lead_containment:.2f} (threshold {p.containment};"
        f" {p.partial_lead} with titles >= {p.title_strong})",
        f"  containment        {v.containment:.2f}",
        f"  title similarity   {v.title_similarity:.2f} (threshold {p.title_similarity};"
        f" strong {p.title_strong})",
        f"  one feed has both  {'yes' if e.shared_feed else 'no'}",
        f"  index keys shared  {e.shared_bands}",
    ]


def explanation_json(e: Explanation) -> dict[str, Any]:
    """An explanation as plain data (durations in seconds).

    Args:
        e: the explanation.

    Returns:
        The decision, scores and thresholds.
    """
    v, p = e.verdict, e.params
    params = asdict(p)
    params["window"] = p.window.total_seconds()
    return {
        "first": e.first,
        "second": e.second,
        "titles": list(e.titles),
        "same": e.same,
        "rule": e.rule,
        "reason": e.reason,
        "same_url": e.same_url,
        "same_fingerprint": e.same_fingerprint,
        "shared_feed": e.shared_feed,
        "shared_keys": e.shared_bands,
        "scores": {
            "jaccard": round(v.jaccard, 4),
            "containment": round(v.containment, 4),
            "lead_containment": round(v.lead_containment, 4),
            "title_similarity": round(v.title_similarity, 4),
            "words": list(v.words),
            "gap_seconds": v.gap.total_seconds(),
            "near_duplicate_rule": v.rule,
        },
        "settings": params,
    }
