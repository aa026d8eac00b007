"""Digest renderers: a registry of formats, one renderer each (built-ins use it too).

``RENDERERS`` maps a format name to a :class:`Renderer`: a callable from a
:class:`~aggregator.digest.select.Digest` to text, with the file suffix and media
type of what it writes. Add an entry to support another format; the
``digest`` command and scheduled digests offer every key.

Formats: ``text`` (article-plus-questions blocks), ``markdown``, ``html``
(one self-contained page), ``json`` (``templates/digest.schema.json``) and
``atom`` (Atom 1.0). Jinja2 is imported only when a template is rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aggregator.digest.formats.atom import render_atom
from aggregator.digest.formats.html import render_html
from aggregator.digest.formats.jsondoc import render_json
from aggregator.digest.formats.markdown import render_markdown
from aggregator.digest.formats.text import render_text

if TYPE_CHECKING:
    from aggregator.digest.select import Digest

__all__ = ["FORMATS", "RENDERERS", "Renderer"]


@dataclass(frozen=True, slots=True)
class Renderer:
    """One digest format. Immutable; calling it renders.

    Attributes:
        name: the format's name (``--format``).
        suffix: the file suffix, e.g. ``.html``.
        media_type: the MIME type of the output.
        render: the function from a digest to its text.
    """

    name: str
    suffix: str
    media_type: str
    render: Callable[[Digest], str]

    def __call__(self, digest: Digest) -> str:
        """Render ``digest`` (see :attr:`render`)."""
        return self.render(digest)


RENDERERS: dict[str, Renderer] = {
    r.name: r
    for r in (
        Renderer("text", ".txt", "text/plain; charset=utf-8", render_text),
        Renderer("markdown", ".md", "text/markdown; charset=utf-8", render_markdown),
        Renderer("html", ".html", "text/html; charset=utf-8", render_html),
        Renderer("json", ".json", "application/json", render_json),
        Renderer("atom", ".atom", "application/atom+xml", render_atom),
    )
}
FORMATS = tuple(RENDERERS)
