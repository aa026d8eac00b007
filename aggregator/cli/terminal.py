"""Text for a terminal: remove what could drive it (no I/O, standard library only).

Feed text is hostile: a title or body may carry escape sequences (colours,
OSC window titles, hyperlinks, cursor movement) or bidi overrides. Everything
the CLI prints from the archive passes through :func:`safe`. Kept apart from
:mod:`aggregator.cli.output` so that ``aggregator search`` can use it without
importing rich or the rest of the rendering code.
"""

from __future__ import annotations

__all__ = ["json_safe", "safe"]

_UNSAFE = dict.fromkeys(
    [
        *range(0x09),
        *range(0x0B, 0x20),
        *range(0x7F, 0xA0),
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)


def safe(text: str) -> str:
    """Remove characters that could drive a terminal (C0/C1 controls, bidi overrides).

    ESC goes, so ``"\\x1b[31m"`` is left as the harmless text ``"[31m"``.

    Args:
        text: text from a feed or the archive.

    Returns:
        The text without them (newlines and tabs kept).
    """
    return text.translate(_UNSAFE)


# JSON escapes C0 controls itself; C1 controls (U+009B is CSI) and bidi overrides
# would go out raw inside strings, where their \u escapes mean the same.
_JSON_ESCAPES = {
    c: f"\\u{c:04x}"
    for c in (*range(0x7F, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def json_safe(text: str) -> str:
    """Escape, in JSON text, the characters that could drive a terminal that shows it.

    Args:
        text: the output of ``json.dumps(..., ensure_ascii=False)``.

    Returns:
        The same JSON value, with C1 controls and bidi overrides as ``\\uXXXX``.
    """
    return text.translate(_JSON_ESCAPES)
