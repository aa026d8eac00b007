"""Which archived stories are close to a story: key terms and the match test (no I/O).

:meth:`aggregator.store.archive.Archive.related` asks the FTS5 index for stories
whose title shares a story's key terms (:func:`fts_query`), published within a
window around it, and keeps those that share at least :data:`MIN_SHARED`
key terms with its title (:func:`is_close`): one common word ("Apple") is a
topic, two ("Apple", "tariffs") are a related story.
"""

from __future__ import annotations

import re

__all__ = ["MIN_SHARED", "fts_query", "is_close", "key_terms"]

#: Key terms two titles must share to call the stories related.
MIN_SHARED = 2

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Words that carry no topic: function words, headline filler, numbers' units.
_STOPWORDS = frozenset(
    """
    a an the and or but nor of to in on at by for with from into onto over under about after
    before as is are was were be been being am do does did has have had will would can could
    shall should may might must not no yes this that these those it its it's they them their
    we our you your he she his her him i me my what which who whom whose why how when where
    than then so if up down out off new news says said say report reports update updates
    live video watch more most just now first last year years day days week weeks month
    here there after amid against via vs versus get gets got make makes made take takes
    one two three four five six seven eight nine ten per all any some many much very also
    """.split()
)


def _fold(word: str) -> str:
    """Case-fold and drop a plural or possessive ending, so "chips" meets "chip"."""
    word = word.casefold().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def key_terms(title: str, *, limit: int = 8) -> list[str]:
    """The words of a title that say what it is about, in order, without repeats.

    Args:
        title: a story's title.
        limit: at most this many terms.

    Returns:
        Folded words (case-folded, plural ``s`` dropped) of three or more
        characters that are not stopwords or numbers.
    """
    terms: list[str] = []
    for word in _WORD_RE.findall(title):
        folded = _fold(word)
        if len(folded) < 3 or folded in _STOPWORDS or folded.isdigit() or folded in terms:
            continue
        terms.append(folded)
        if len(terms) == limit:
            break
    return terms


def fts_query(terms: list[str]) -> str:
    """An FTS5 query matching any of the terms in the title column.

    Args:
        terms: terms from :func:`key_terms` (letters and digits only).

    Returns:
        e.g. ``title:("apple" OR "tariff")``; ``""`` when there are no terms.
    """
    words = [t.replace('"', "").replace("'", " ") for t in terms]
    quoted = " OR ".join(f'"{w}"' for w in words if w.strip())
    return f"title:({quoted})" if quoted else ""


def is_close(terms: list[str], other_title: str) -> bool:
    """Tell whether another title shares enough key terms with ``terms``.

    Args:
        terms: the story's key terms (:func:`key_terms`).
        other_title: the candidate's title.

    Returns:
        True when at least :data:`MIN_SHARED` terms are shared (all of them
        when the story has fewer).
    """
    if not terms:
        return False
    shared = len(set(terms) & set(key_terms(other_title, limit=32)))
    return shared >= min(MIN_SHARED, len(terms))
