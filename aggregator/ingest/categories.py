"""A story's category: the feed's, refined by the ``[[categories]]`` rules (no I/O).

Each rule names a category and what earns it: entry tags (whole tags,
case-insensitive) and keywords (whole words or phrases, case-insensitive) in
the title or the body's lede, its first :data:`LEDE` characters, where a
story says what it is about; a body that merely mentions "security" once
further down is not a security story. Rules are tried in file order and the
first that matches wins, so specific rules (``AI``, ``SECURITY``) go before
broad ones (``TECHNOLOGY``). A rule with ``feed_categories`` only refines
stories of feeds in those categories. With no rule matching, the story keeps
its feed's category. Categories are rendered upper case.

Compiled keyword patterns are cached per rule set, so calling
:func:`categorize` for every entry costs one regex search per rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["LEDE", "CategoryRule", "categorize", "normalize_category"]

#: How much of the body (in characters) keywords are looked for in.
LEDE = 600


@dataclass(frozen=True, slots=True)
class CategoryRule:
    """One ``[[categories]]`` rule. Immutable and hashable.

    Attributes:
        category: the category it assigns (any case; rendered upper case).
        tags: entry tags that earn it (compared case-insensitively, whole tags).
        keywords: words or phrases that earn it when the title or the body's
            lede contains them (case-insensitive, whole words).
        feed_categories: when not empty, the rule applies only to stories of
            feeds in these categories (case-insensitive).
    """

    category: str
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    feed_categories: tuple[str, ...] = ()


def normalize_category(category: str) -> str:
    """Render a category: upper case, whitespace collapsed, ``GENERAL`` when empty.

    Args:
        category: a category in any case.

    Returns:
        The category as stored and rendered.
    """
    return " ".join(category.split()).upper() or "GENERAL"


@dataclass(frozen=True, slots=True)
class _Compiled:
    category: str
    tags: frozenset[str]
    keywords: re.Pattern[str] | None
    feed_categories: frozenset[str]


def _keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any keyword as a whole word or phrase."""
    parts = []
    for keyword in sorted({k.strip() for k in keywords if k.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in keyword.split())
        # Word boundaries only where the keyword has a word character: "CVE-" and
        # "C++" match "CVE-2024-1234" and "C++20" too.
        head = r"(?<!\w)" if re.match(r"\w", keyword) else ""
        tail = r"(?!\w)" if re.search(r"\w$", keyword) else ""
        parts.append(f"{head}{body}{tail}")
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


@lru_cache(maxsize=16)
def _compile(rules: tuple[CategoryRule, ...]) -> tuple[_Compiled, ...]:
    return tuple(
        _Compiled(
            category=normalize_category(rule.category),
            tags=frozenset(t.strip().casefold() for t in rule.tags if t.strip()),
            keywords=_keyword_pattern(rule.keywords),
            feed_categories=frozenset(normalize_category(c) for c in rule.feed_categories),
        )
        for rule in rules
    )


def categorize(
    *,
    feed_category: str,
    title: str,
    body: str,
    tags: Sequence[str] = (),
    rules: Sequence[CategoryRule] = (),
) -> str:
    """The category of one story.

    Args:
        feed_category: the category of the feed that carried it (any case).
        title: the story's plain-text title.
        body: its plain-text body (only the first :data:`LEDE` characters are read).
        tags: the entry's tags.
        rules: the ``[[categories]]`` rules, in order.

    Returns:
        The first matching rule's category, else the feed's; upper case.
    """
    default = normalize_category(feed_category)
    if not rules:
        return default
    compiled = _compile(tuple(rules))
    folded_tags = {t.casefold() for t in tags} if tags else set()
    text = ""
    for rule in compiled:
        if rule.feed_categories and default not in rule.feed_categories:
            continue
        if folded_tags and not rule.tags.isdisjoint(folded_tags):
            return rule.category
        if rule.keywords is not None:
            if not text:
                text = f"{title}\n{body[:LEDE]}"
            if rule.keywords.search(text):
                return rule.category
    return default
