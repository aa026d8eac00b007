"""The Markdown digest: a title with the window, a table of contents by category, then
each story with its link, date, sources, body and questions as a list.

Feed text is backslash-escaped (:func:`~aggregator.digest.formats.common.md_escape`), so
a CommonMark renderer shows it literally: no raw HTML and no links but the
http(s) ones the template writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aggregator.digest.formats.common import context, environment

if TYPE_CHECKING:
    from aggregator.digest.select import Digest

__all__ = ["render_markdown"]


def render_markdown(digest: Digest) -> str:
    """Render a digest as Markdown (CommonMark, GitHub-style heading anchors).

    Args:
        digest: the digest.

    Returns:
        The document, ending with a newline.
    """
    text = environment().get_template("digest.md.j2").render(context(digest))
    return text.rstrip("\n") + "\n"
