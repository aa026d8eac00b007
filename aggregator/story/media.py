"""Enclosures and comments links as action lines of the article-plus-questions format.

A story's media files and discussion page are stored as data (see
:mod:`aggregator.store.links`) and shown as derived actions, never stored as
text: ``Listen: URL (audio/mpeg, 42 min)`` for audio, ``Watch: URL (...)``
for video, ``Download: URL (...)`` for anything else, and ``Discussion:
URL``. The parsers here read those lines back, so an exported document
imports with its enclosures and comments link. Pure; no I/O.
"""

from __future__ import annotations

import re

from aggregator.models import Enclosure

__all__ = [
    "DISCUSSION",
    "describe",
    "enclosure_action",
    "enclosure_verb",
    "parse_discussion_action",
    "parse_enclosure_action",
]

DISCUSSION = "Discussion: "
_VERBS = {"audio": "Listen", "video": "Watch"}
_URL_RE = re.compile(r"https?://[^/?#\s]\S*", re.IGNORECASE)
_ACTION_RE = re.compile(r"(Listen|Watch|Download): (https?://\S+)(?: \(([^()]*)\))?")
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9}


def enclosure_verb(enclosure: Enclosure) -> str:
    """``Listen`` for audio, ``Watch`` for video, else ``Download`` (by the MIME type)."""
    return _VERBS.get(enclosure.type.split("/", 1)[0], "Download")


def describe(enclosure: Enclosure) -> str:
    """The type and duration of an enclosure, the size when its duration is unknown.

    Args:
        enclosure: the media file.

    Returns:
        ``"audio/mpeg, 42 min"``, ``"video/mp4, 12.5 MB"``, or ``""`` when nothing is known.
    """
    parts = [enclosure.type] if enclosure.type else []
    if enclosure.duration:
        if enclosure.duration < 60:
            parts.append(f"{enclosure.duration} s")
        else:
            parts.append(f"{round(enclosure.duration / 60)} min")
    elif enclosure.length:
        parts.append(_size(enclosure.length))
    return ", ".join(parts)


def enclosure_action(enclosure: Enclosure) -> str:
    """The action line of an enclosure: ``Listen: URL (audio/mpeg, 42 min)``."""
    details = describe(enclosure)
    line = f"{enclosure_verb(enclosure)}: {enclosure.url}"
    return f"{line} ({details})" if details else line


def parse_enclosure_action(line: str) -> Enclosure | None:
    """Read an enclosure back from its action line (the size is approximate).

    Args:
        line: an action line.

    Returns:
        The enclosure, or ``None`` when the line is not an enclosure action.
    """
    match = _ACTION_RE.fullmatch(line.strip())
    if match is None or not _URL_RE.fullmatch(match[2]):
        return None
    kind = ""
    duration: int | None = None
    length: int | None = None
    for part in (match[3] or "").split(","):
        part = part.strip()
        number, _, unit = part.partition(" ")
        if "/" in part and " " not in part:
            kind = part.lower()
        elif unit == "min" and number.isascii() and number.isdigit():
            duration = int(number) * 60
        elif unit == "s" and number.isascii() and number.isdigit():
            duration = int(number)
        elif unit in _UNITS:
            try:
                length = round(float(number) * _UNITS[unit]) or None
            except ValueError:
                pass
    return Enclosure(url=match[2], type=kind, length=length, duration=duration)


def parse_discussion_action(line: str) -> str:
    """The URL of a ``Discussion: URL`` action line, else ``""``."""
    if not line.startswith(DISCUSSION):
        return ""
    url = line[len(DISCUSSION) :].strip()
    return url if _URL_RE.fullmatch(url) else ""


def _size(length: int) -> str:
    for unit in ("GB", "MB", "KB"):
        if length >= _UNITS[unit]:
            return f"{length / _UNITS[unit]:.1f} {unit}"
    return f"{length} B"
