"""Rendering for ``aggregator events --explain``: the verdict, the stored link, the features.

Presentation only (no logic, no I/O): the lines printed for the dictionary
that :meth:`aggregator.app.core.App.events_explain` returns.
"""

from __future__ import annotations

from typing import Any

__all__ = ["explain_lines"]


def explain_lines(e: dict[str, Any]) -> list[str]:
    """The text of ``events --explain``: first where the archive put the two, then the scores.

    Two members of one event need not match each other: an event grows story
    by story, and rarity is counted over the archive as it is now. The first
    line says whether they are stored in one event and, when they are linked
    through other members, through which; the pair's own verdict follows.
    """
    first, second, path = e["first"], e["second"], e["path"]
    rule = e["rule"]
    if e["event_id"] is None:
        head = f"#{first} and #{second}: not one event"
        if e["same_event"]:
            head += f" though they match now ({rule}); each joined another event first"
        else:
            head += f" ({rule})"
    elif len(path) > 2:
        through = ", ".join(f"#{s}" for s in path[1:-1])
        head = f"#{first} and #{second}: one event (#{e['event_id']}), linked through {through}"
    elif path:
        head = f"#{first} and #{second}: one event (#{e['event_id']}) ({rule})"
    else:
        head = (
            f"#{first} and #{second}: one event (#{e['event_id']}), joined at ingest;"
            " no chain of its stories matches now (rarity is counted over today's archive)"
        )
    lines = [head]
    if len(path) > 2:
        steps = zip(path[:-1], path[1:], e["path_rules"], strict=True)
        lines += [f"  #{x} and #{y}: {step}" for x, y, step in steps]
        lines.append(f"  #{first} and #{second} themselves: {rule}")
    lines += [
        f"  evidence {e['evidence']}: agreement {e['score']}, titles {e['title_score']},"
        f" {e['gap_hours']} h apart",
        f"  shared title keys: {', '.join(e['shared_title']) or '-'}",
        f"  shared rare names: {', '.join(e['shared_names']) or '-'}",
        "  thresholds: " + ", ".join(f"{k} {v}" for k, v in e["thresholds"].items()),
    ]
    for side in ("first", "second"):
        f = e["features"][side]
        lines.append(
            f"  #{e[side]}: keys {' '.join(f['title_keys'])};"
            f" names {' '.join(f['names']) or '-'}" + (f"; kind {f['kind']}" if f["kind"] else "")
        )
    return lines
