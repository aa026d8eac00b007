"""The text digest: every story in the article-plus-questions format, one after another.

Each block is what ``aggregator show`` prints for the story (the document of
:func:`aggregator.app.core.document_for`, links kept only when http(s)), except the
"Related:" lines: they depend on what else is archived, and a digest of a past
window must not change as the archive grows. Every block parses back with
:func:`aggregator.story.format.parse`.
Blocks are separated by a blank line, :data:`DIVIDER` and a blank line.

The divider is a row of ``=`` followed by one space. No line of a document
can end in whitespace (the format forbids it in every field and blank lines
are empty), so the divider can never be mistaken for a line of a story,
whatever the story says. :func:`split` is the inverse.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from aggregator.digest.formats.common import clean_text, safe_url
from aggregator.errors import StoryFormatError
from aggregator.story.format import Document, render, validate

if TYPE_CHECKING:
    from aggregator.digest.select import Digest, DigestStory

__all__ = ["DIVIDER", "document", "render_text", "split"]

DIVIDER = "=" * 72 + " "
_SEPARATOR = f"\n\n{DIVIDER}\n\n"


def _one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def _body(text: str) -> str:
    lines: list[str] = []
    for line in clean_text(text).split("\n"):
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


def _repair(doc: Document) -> Document:
    """Make a stored story that breaks the format renderable (only when it does).

    Documents written by aggregator are valid already; this guards against
    rows written by other tools, so one odd story never stops a digest.
    """
    try:
        validate(doc)
        return doc
    except StoryFormatError:
        pass
    return Document(
        category=_one_line(doc.category).upper() or "GENERAL",
        title=_one_line(doc.title) or "(untitled)",
        date=doc.date,
        body=_body(doc.body),
        questions=tuple(q for q in map(_one_line, doc.questions) if q),
        actions=tuple(a for a in map(_one_line, doc.actions) if a),
    )


def document(item: DigestStory) -> Document:
    """The article-plus-questions document of a digest story.

    Args:
        item: the story.

    Returns:
        The document ``aggregator show`` renders for it ("Read the original"
        only for an http(s) link, "Also covered by" when several feeds carried it).
    """
    from aggregator.story.document import document_for

    stored = item.stored
    url = safe_url(stored.story.url)
    if url != stored.story.url:
        stored = replace(stored, story=replace(stored.story, url=url))
    return _repair(document_for(stored))


def render_text(digest: Digest) -> str:
    """Render a digest as article-plus-questions blocks separated by :data:`DIVIDER`.

    Args:
        digest: the digest.

    Returns:
        The text, ending with a newline; ``""`` for an empty digest.
    """
    blocks = [render(document(item)) for item in digest.stories]
    return _SEPARATOR.join(blocks) + "\n" if blocks else ""


def split(text: str) -> list[str]:
    """Split a text digest back into its documents (the inverse of :func:`render_text`).

    Args:
        text: a text digest.

    Returns:
        The documents' texts, in order; each parses with :func:`aggregator.story.format.parse`.
    """
    text = text.replace("\r\n", "\n").removesuffix("\n")
    if not text:
        return []
    return text.split(_SEPARATOR)
