"""The Atom digest: a valid Atom 1.0 feed (RFC 4287), one entry per story.

Written so that a digest file can be subscribed to in any feed reader:

- the feed's id depends only on the digest's title and categories, so the
  digest of each new window is the same feed;
- an entry's id depends only on the story (its canonical URL, else its
  archive id), so a story in two windows is one entry;
- the feed's ``updated`` is the window's end; an entry's ``updated`` is when
  the archive last changed the story.

Every string is cleaned of characters XML 1.0 forbids, then escaped.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from aggregator.digest.formats.common import context, environment

if TYPE_CHECKING:
    from aggregator.digest.select import Digest, DigestStory

__all__ = ["entry_id", "feed_id", "render_atom"]


def feed_id(digest: Digest) -> str:
    """The feed's id: the same for every window of the same digest.

    Args:
        digest: the digest.

    Returns:
        A ``urn:uuid:`` URI.
    """
    key = f"aggregator:digest:{digest.title}:{','.join(digest.filter_categories)}"
    return uuid.uuid5(uuid.NAMESPACE_URL, key).urn


def entry_id(item: DigestStory) -> str:
    """A story's entry id: the same in every digest that shows it.

    Args:
        item: the story.

    Returns:
        A ``urn:uuid:`` URI.
    """
    story = item.stored.story
    key = story.canonical_url or story.url or f"aggregator:story:{item.stored.id}"
    return uuid.uuid5(uuid.NAMESPACE_URL, key).urn


def render_atom(digest: Digest) -> str:
    """Render a digest as an Atom 1.0 feed.

    Args:
        digest: the digest.

    Returns:
        The XML document (UTF-8 declared), ending with a newline.
    """
    from aggregator import __version__

    items = digest.stories
    variables = context(digest)
    variables.update(
        feed_id=feed_id(digest),
        version=__version__,
        entry_ids={item.id: entry_id(item) for item in items},
        entry_updated={
            item.id: max(item.stored.story.published, item.stored.updated_at) for item in items
        },
    )
    text = environment().get_template("digest.atom.j2").render(variables)
    return text.lstrip("\n").rstrip("\n") + "\n"
