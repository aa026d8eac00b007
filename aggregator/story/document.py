"""A stored story as the article-plus-questions document that ``show`` and digests render.

Pure: the derived actions ("Read the original", "Listen", "Discussion",
"Also covered by", "Related") are built from the stored story each time, never stored.
"""

from __future__ import annotations

from dataclasses import replace

from aggregator.models import StoredStory
from aggregator.story.format import Document, from_story
from aggregator.story.media import DISCUSSION, enclosure_action

__all__ = ["ALSO_COVERED", "READ_ORIGINAL", "RELATED", "SAME_EVENT", "document_for"]

READ_ORIGINAL = "Read the original: "
"""The action that links to the story's page; an imported document's URL is read back from it."""

ALSO_COVERED = "Also covered by: "
"""The action naming the other feeds that carried the story."""

RELATED = "Related: #"
"""The action naming one close archived story, by id and title."""

SAME_EVENT = "Same event: #"
"""The action naming another outlet's article on the same happening, by id, title and outlet."""


def document_for(stored: StoredStory) -> Document:
    """The article-plus-questions document of a stored story, with derived actions.

    Actions are "Read the original: URL" (from the story's link), one
    "Listen: URL (audio/mpeg, 42 min)" line per enclosure ("Watch:" for video,
    "Download:" for anything else), "Discussion: URL" (its comments link), the
    stored actions, "Also covered by: ..." when more than one feed carried it, then
    one "Related: #ID Title" line per close archived story
    (:attr:`StoredStory.related`, filled in when the story is shown). Derived
    actions are not stored: they would repeat data and go stale.

    Args:
        stored: the story as archived.

    Returns:
        The document to render.
    """
    doc = from_story(stored.story)
    names: list[str] = []
    for s in stored.sources:
        name = s.feed_title or s.feed_url
        if name and name not in names:
            names.append(name)
    actions = list(doc.actions)
    derived = [READ_ORIGINAL + stored.story.url] if stored.story.url else []
    derived += [enclosure_action(e) for e in stored.story.enclosures]
    if stored.story.comments:
        derived.append(DISCUSSION + stored.story.comments)
    actions[:0] = derived
    if len(names) > 1:
        actions.append(ALSO_COVERED + ", ".join(names[1:]))
    for other_id, title, outlet, _url in stored.event:
        text = " ".join(title.split())
        actions.append(f"{SAME_EVENT}{other_id} {text}" + (f" ({outlet})" if outlet else ""))
    for other_id, title in stored.related:
        actions.append(f"{RELATED}{other_id} {' '.join(title.split())}")
    return replace(doc, actions=tuple(actions))
