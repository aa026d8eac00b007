"""The HTML digest: one self-contained page (inline CSS, no scripts, no remote resources).

Readable on a phone and a desktop, light and dark (``prefers-color-scheme``).
All feed text is escaped by the template's autoescape; links are kept only
when they are http(s) (:func:`~aggregator.digest.formats.common.safe_url`); a
Content-Security-Policy ``<meta>`` forbids scripts and remote loads as a
second line of defence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aggregator.digest.formats.common import context, environment

if TYPE_CHECKING:
    from aggregator.digest.select import Digest

__all__ = ["render_html"]


def render_html(digest: Digest) -> str:
    """Render a digest as one HTML page.

    Args:
        digest: the digest.

    Returns:
        The page, ending with a newline.
    """
    text = environment().get_template("digest.html.j2").render(context(digest))
    return text.rstrip("\n") + "\n"
