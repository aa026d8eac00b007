"""Prefixes of common words written out as their words, for :mod:`aggregator.store._searchplan`.

A prefix term (``app*``) makes FTS5 merge the postings of every word it
matches before it returns a single row: at a million stories, a short prefix
of a common word costs tens of milliseconds whatever the search asks for.
Written out as its words, the same stories are read lazily, newest first
(see :func:`expand_prefixes`). Internal to the search; the standard library
only (start-up time, see docs/design.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from aggregator.search.query import FTS_TOKENIZE
from aggregator.search.scripts import no_space_at, no_space_block_end
from aggregator.store import scripts_index

__all__ = ["expand_prefixes"]

_EXPANDED = 200  # a prefix written out as more words than this stays a prefix
_LAST_CHAR = chr(0x10FFFF)  # after every character: p + it bounds the words that start with p


def expand_prefixes(conn: sqlite3.Connection, expr: str) -> tuple[str, bool]:
    """``expr`` with each prefix of a common word written out as the words it matches.

    ``"app"*`` becomes ``("app" OR "appl" OR "applic" OR ...)``: the same
    stories, but FTS5 reads the postings of written-out words lazily (newest
    first, as far as a walk needs), while it merges every posting of a
    prefix's words before returning anything. Which words are common comes
    from ``search_terms`` (:mod:`aggregator.store.search_terms`); the other
    words of the prefix are listed by ``fts5vocab`` between the common ones
    (their postings are few, so counting them as it lists them costs little).
    A prefix stays as it is when it starts no common word (reading it costs
    little), when it is not a single word, when it matches more than
    :data:`_EXPANDED` words, or when one of its words would not be itself
    once more through the tokenizer (a Porter stem is not always its own
    stem), so the result never differs from the prefix's.

    Words glued to text in a script written without spaces (``unicode61``
    makes one token of ``Apple与…``: tens of thousands of one-off tokens in a
    large archive with Chinese stories) are left out of the list when the
    archive has ``stories_cjk``: their stories are all there (it holds every
    story with such text in its title or body), with the Latin words split
    from the script's runs, and the search adds the matches of ``stories_cjk``
    (see :class:`aggregator.store._searchplan.Plan`). Listing them would
    cost a statement each, and the prefix itself merges them all (a few
    microseconds per word).

    Args:
        conn: a connection to the archive (read-only is enough: it writes
            temporary tables only).
        expr: an FTS5 expression of :func:`aggregator.search.query.to_fts5`.

    Returns:
        The expression, rewritten or not, and whether glued words were left
        out of it (the search must then add the matches of ``stories_cjk``).
    """
    spans = _prefix_strings(expr)
    if not spans:
        return expr, False
    glued = False
    try:
        conn.execute("SELECT 1 FROM search_terms LIMIT 1").fetchone()
        split = scripts_index.exists(conn)
        texts = [expr[a + 1 : b - 2].replace('""', '"') for a, b in spans]
        tokens = _tokenize(conn, texts)
        out, at = [], 0
        for (start, end), words in zip(spans, tokens, strict=True):
            written = _written_out(conn, words[0], split=split) if len(words) == 1 else None
            if written:
                out += [expr[at:start], "(" + " OR ".join(written[0]) + ")"]
                at = end
                glued = glued or written[1]
    except sqlite3.OperationalError:
        # An archive of an older schema, or no room for temporary tables: the
        # prefixes as they are find the same stories.
        return expr, False
    if not out:
        return expr, False
    return "".join(out) + expr[at:], glued


def _prefix_strings(expr: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each ``"..."*`` in an FTS5 expression (quotes and star included)."""
    spans = []
    i, n = 0, len(expr)
    while i < n:
        if expr[i] != '"':
            i += 1
            continue
        j = i + 1
        while j < n:
            if expr[j] == '"':
                if j + 1 < n and expr[j + 1] == '"':
                    j += 2
                    continue
                break
            j += 1
        if j + 1 < n and expr[j + 1] == "*":
            spans.append((i, j + 2))
        i = j + 1
    return spans


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _tokenize(conn: sqlite3.Connection, texts: Sequence[str]) -> list[list[str]]:
    """The index's words for each text, by the index's tokenizer (a temporary FTS5 table)."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_tokens USING fts5(x, tokenize="
        + "'"
        + FTS_TOKENIZE.replace("'", "''")
        + "')"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_tokens_vocab"
        " USING fts5vocab(temp, search_tokens, instance)"
    )
    conn.execute("DELETE FROM temp.search_tokens")
    conn.executemany(
        "INSERT INTO temp.search_tokens (rowid, x) VALUES (?, ?)",
        list(enumerate(texts, 1)),
    )
    words: list[list[tuple[int, str]]] = [[] for _ in texts]
    for term, doc, offset in conn.execute("SELECT term, doc, offset FROM temp.search_tokens_vocab"):
        words[doc - 1].append((offset, term))
    return [[w for _, w in sorted(found)] for found in words]


def _written_out(
    conn: sqlite3.Connection, prefix: str, *, split: bool
) -> tuple[list[str], bool] | None:
    """The FTS5 strings for the words that start with ``prefix``, if it starts a common word.

    Each is a quoted word, or a narrower prefix that starts only rare words.
    ``None``: leave the prefix as it is (see :func:`expand_prefixes`).

    Args:
        conn: the connection.
        prefix: a word of the index.
        split: leave out the words glued to text in a script written without
            spaces (the archive has ``stories_cjk``).

    Returns:
        The strings, and whether glued words were left out.
    """
    high = prefix + _LAST_CHAR
    common = [
        r[0]
        for r in conn.execute(
            "SELECT term FROM search_terms WHERE term >= ? AND term < ? ORDER BY term",
            (prefix, high),
        )
    ]
    if not common or len(common) > _EXPANDED:
        return None
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab_rows"
        " USING fts5vocab(main, stories_fts, row)"
    )
    # Each gap between common words is listed with its words' counts (rare
    # words: few postings to count, inside SQLite), bounded by strings just
    # after and just before the common words, so that their postings are never read.
    words: list[str] = []
    glued = 0  # the runs of glued words stepped over
    low = prefix
    for word in [*common, None]:
        top = high if word is None else _before(word)
        at = low
        # With stories_cjk, a run of glued words (those that start as one does up
        # to its first character of such a script, and go on in the same block of
        # scripts) is stepped over: the listing starts again after it.
        while at <= top:
            rows = conn.execute(
                "SELECT term FROM temp.search_vocab_rows WHERE term >= ? AND term <= ?",
                (at, top),
            )
            for (term,) in rows:
                cut = no_space_at(term) if split else -1
                if cut >= 0:
                    glued += 1
                    at = term[:cut] + chr(no_space_block_end(term[cut]) + 1)
                    break
                words.append(term)
                if len(words) > _EXPANDED:
                    return None
            else:
                break
            if glued > _EXPANDED:
                return None
        if word is not None:
            words.append(word)
            low = word + "\x01"  # tokens never hold control characters
    words = [w for w in words if w.startswith(prefix)]
    if not words or len(words) > _EXPANDED:
        return None
    # Written out, a word is tokenized again: it must come back as itself. A word
    # that does not (a Porter stem is not always its own stem) is covered by the
    # shortest prefix of it that does and that starts no common word (rare words only).
    again = _tokenize(conn, words)
    failed = [w for t, w in zip(again, words, strict=True) if t != [w]]
    if not failed:
        return [_quote(w) for w in words], glued > 0
    # A common word among them costs its own postings then, no more.
    pieces = sorted({w[:k] for w in failed for k in range(len(prefix) + 1, len(w))})
    fixed = {p for p, t in zip(pieces, _tokenize(conn, pieces), strict=True) if t == [p]}
    out = [_quote(w) for w, t in zip(words, again, strict=True) if t == [w]]
    for word in failed:
        others = [c for c in common if c != word]
        cover = next(
            (
                word[:k]
                for k in range(len(prefix) + 1, len(word))
                if word[:k] in fixed and not any(c.startswith(word[:k]) for c in others)
            ),
            None,
        )
        if cover is None:
            return None
        out.append(_quote(cover) + "*")
    return list(dict.fromkeys(out)), glued > 0


def _before(word: str) -> str:
    """A string after every string that sorts before ``word``, and before ``word``."""
    last = ord(word[-1]) - 1
    if last < 1:
        return word[:-1]
    if 0xD800 <= last <= 0xDFFF:  # surrogates are not characters
        last = 0xD7FF
    return word[:-1] + chr(last) + _LAST_CHAR
