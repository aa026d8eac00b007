"""Filter rules: drop or keep a feed's items by words, phrases or patterns.

The ``[[filters]]`` tables of the config, in the spirit of Miniflux's block
and keep rules and newsboat's killfiles. A rule has an ``action``
(``drop`` or ``keep``), what to look for (``words``, ``phrases``,
``patterns``: any one of them matching is a match), where to look
(``fields``: ``title``, ``body``, ``author``, ``tags``; title and body by
default) and optionally a scope (``feeds``: feed URLs; ``category``: the
story's category); a rule without a scope applies to every feed.

An item is dropped when a ``drop`` rule in scope matches it, or when ``keep``
rules are in scope and none of them matches it. Words and phrases match
whole words in any case (``"AI"`` does not match ``"said"``); patterns are
Python regular expressions, searched case-insensitively, with ``^`` and ``$``
matching at each line (each tag is a line; so is each body paragraph).

Rules are checked on the normalized story (plain text), in the parser
processes, before anything is archived; what they drop is counted per feed
(``aggregator status``) and never stored. Pure; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aggregator.models import Story

__all__ = ["FIELDS", "FilterRule", "Verdict", "judge", "phrase_pattern"]

FIELDS = ("title", "body", "author", "tags")


def phrase_pattern(text: str) -> str:
    """A regular expression matching ``text`` as whole words, any whitespace between them."""
    words = text.split()
    body = r"\s+".join(re.escape(w) for w in words)
    start = r"\b" if re.match(r"\w", words[0]) else ""
    end = r"\b" if re.search(r"\w$", words[-1]) else ""
    return f"{start}{body}{end}"


@dataclass(frozen=True, slots=True)
class FilterRule:
    """One ``[[filters]]`` rule, validated.

    Attributes:
        name: how messages name it, ``filters[0]``.
        action: ``drop`` or ``keep``.
        terms: the words and phrases, as written.
        patterns: the regular expressions, as written.
        fields: where to look (a subset of :data:`FIELDS`).
        feeds: only items of these feeds (URLs); empty for every feed.
        category: only stories of this category (upper case); ``""`` for every one.
    """

    name: str
    action: str
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    fields: tuple[str, ...] = ("title", "body")
    feeds: tuple[str, ...] = ()
    category: str = ""

    def compiled(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """Each term and pattern with its compiled expression (``re`` caches them)."""
        out = [(f"{t!r}", re.compile(phrase_pattern(t), re.IGNORECASE)) for t in self.terms]
        out += [(f"/{p}/", re.compile(p, re.IGNORECASE | re.MULTILINE)) for p in self.patterns]
        return tuple(out)

    def in_scope(self, feed_url: str, story: Story) -> bool:
        """Whether the rule applies to a story of this feed."""
        if self.feeds and feed_url not in self.feeds:
            return False
        return not self.category or story.category.upper() == self.category

    def match(self, story: Story) -> str:
        """What in the story matches the rule, e.g. ``'sponsored' in title``, else ``""``."""
        for field in self.fields:
            if field == "tags":
                text = "\n".join(story.tags)
            else:
                text = str(getattr(story, field))
            if not text:
                continue
            for label, expr in self.compiled():
                if expr.search(text):
                    return f"{label} in {field}"
        return ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the rules decided for one story.

    Attributes:
        keep: whether the story is archived.
        reason: why it is dropped (``filters[0] drop: 'webinar' in title``), or why it
            is kept when a rule said so; ``""`` when no rule had a say.
    """

    keep: bool
    reason: str = ""


def judge(rules: Sequence[FilterRule], feed_url: str, story: Story) -> Verdict:
    """Apply the rules to one story of one feed.

    Args:
        rules: the ``[[filters]]`` rules, in config order.
        feed_url: the feed's URL as the config names it.
        story: the normalized story.

    Returns:
        Whether to keep it, and why.
    """
    keeps = []
    for rule in rules:
        if not rule.in_scope(feed_url, story):
            continue
        if rule.action == "keep":
            keeps.append(rule)
            continue
        found = rule.match(story)
        if found:
            return Verdict(False, f"{rule.name} drop: {found}")
    if not keeps:
        return Verdict(True)
    for rule in keeps:
        found = rule.match(story)
        if found:
            return Verdict(True, f"{rule.name} keep: {found}")
    names = ", ".join(r.name for r in keeps)
    return Verdict(False, f"matches no keep rule ({names})")
