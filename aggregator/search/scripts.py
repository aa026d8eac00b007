"""Text in scripts written without spaces between words, made searchable as overlapping pairs.

Pure: no I/O, standard library only (on the start-up path of ``aggregator search``).

``unicode61`` splits words at spaces and punctuation, so a whole run of
Chinese or Japanese text (a sentence, often) is one token, and a search for a
word inside it finds nothing; Korean words carry their particles
(``서울에서``, "in Seoul", is not ``서울``); Thai, Lao, Khmer and Myanmar have no
spaces between words either. Such text is indexed a second time, in the
index ``stories_cjk``, as **overlapping pairs of characters** (bigrams, as
Lucene's CJK analyzer does): ``三星电子`` becomes ``三星 星电 电子 子``. A query
word becomes the phrase of its own pairs (``星电子`` is ``"星电 电子"``), which
matches wherever the characters stand next to each other: any substring of two
characters or more is found, without a dictionary. A single character is a
prefix of the pairs (``"中"*``); the last character of each run is indexed on
its own as well, so that prefix finds a character at the end of a run too.

Why pairs, by measurement on the real Chinese, Japanese, Korean and Thai
stories of the shared feed corpus (``benchmarks/scripts_index.py``: 53
stories of 4.5 KB of text on average, 349 queries of 1-4 characters cut from
their titles and bodies, some with a Latin word of the same story; each index
contentless, over the same stories)::

    index                        recall   index bytes per story   query p50
    unicode61 (runs as tokens)     0.24                  6,800      0.06 ms
    trigram                        0.44                 19,800      0.01 ms
    pairs (this module)            1.00                 11,100      0.07 ms

Trigrams cannot match a query shorter than three characters, and most
Chinese and Japanese words have two; their index is also the largest. A
dictionary segmenter (jieba, MeCab) would add megabytes of data and a
dependency per language, and misses names it does not know. Pairs find every
substring, at the price of some false matches (``京都`` also finds the
``京都`` inside ``东京都``). In ``benchmarks/search.py`` (100,000 stories,
5% of them Chinese of 1.5 KB of text), ``stories_cjk`` costs 2.6 KB per
Chinese story (1.7 times its text) and nothing for the others.

Which characters: :data:`NO_SPACE_RANGES`; a character followed by combining
marks (Thai vowels and tone marks) counts as one with them.
:func:`index_text` must never change its output for stored text: the index
holds what it produced, and deleting a story from a contentless index needs
the same text again (a change needs a migration that rebuilds ``stories_cjk``).
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "GLOB_PATTERN",
    "NO_SPACE_RANGES",
    "has_no_space_script",
    "index_text",
    "no_space_at",
    "no_space_block_end",
    "query_text",
]

NO_SPACE_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3134F),  # CJK extensions B-G
)
"""Code point ranges (inclusive) of the scripts indexed as pairs."""

GLOB_PATTERN = "*[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in NO_SPACE_RANGES) + "]*"
"""An SQLite ``GLOB`` pattern true for text with a character of :data:`NO_SPACE_RANGES`."""

_LOW = min(a for a, _ in NO_SPACE_RANGES)


def _no_space(char: str) -> bool:
    """Whether ``char`` belongs to a script of :data:`NO_SPACE_RANGES`."""
    code = ord(char)
    if code < _LOW:
        return False
    return any(a <= code <= b for a, b in NO_SPACE_RANGES)


def has_no_space_script(text: str) -> bool:
    """Whether ``text`` has a character of :data:`NO_SPACE_RANGES` (what ``GLOB_PATTERN`` tests).

    Args:
        text: any text.

    Returns:
        ``True`` if such text is in it.
    """
    return any(ord(c) >= _LOW and _no_space(c) for c in text)


def no_space_at(text: str) -> int:
    """Where the first character of :data:`NO_SPACE_RANGES` is in ``text``.

    Args:
        text: any text (a token of the index, for instance).

    Returns:
        Its index, or ``-1`` when there is none.
    """
    for at, char in enumerate(text):
        if ord(char) >= _LOW and _no_space(char):
            return at
    return -1


def no_space_block_end(char: str) -> int:
    """The last code point of the range of :data:`NO_SPACE_RANGES` that holds ``char``.

    Args:
        char: a character of those scripts.

    Returns:
        The code point (every character from ``char`` to it is in the same range).

    Raises:
        ValueError: ``char`` is in none of the ranges.
    """
    code = ord(char)
    for a, b in NO_SPACE_RANGES:
        if a <= code <= b:
            return b
    raise ValueError(f"{char!r} is not in a script written without spaces")


def _pieces(text: str) -> list[tuple[bool, list[str]]]:
    """Cut ``text`` into runs: ``(True, units)`` in a no-space script, else ``(False, [text])``.

    A unit is one character with the combining marks that follow it.
    """
    pieces: list[tuple[bool, list[str]]] = []
    for char in text:
        inside = _no_space(char)
        if not inside and pieces and pieces[-1][0] and unicodedata.category(char)[0] == "M":
            pieces[-1][1][-1] += char  # a mark stays with its character
            continue
        if pieces and pieces[-1][0] == inside:
            if inside:
                pieces[-1][1].append(char)
            else:
                pieces[-1][1][0] += char
        else:
            pieces.append((inside, [char]))
    return pieces


def index_text(text: str) -> str:
    """The text as ``stories_cjk`` indexes it: every no-space run as its pairs and its last unit.

    Other text is kept as it is (the index holds the whole story, so a query
    mixing scripts matches there). Never change the output (see the module docstring).

    Args:
        text: a story's title, body or questions.

    Returns:
        The text with each run replaced, e.g. ``"Galaxy 三星电子"`` gives
        ``"Galaxy  三星 星电 电子 子 "``.
    """
    out: list[str] = []
    for inside, units in _pieces(text):
        if not inside:
            out.append(units[0])
            continue
        pairs = [units[k] + units[k + 1] for k in range(len(units) - 1)]
        out.append(" " + " ".join([*pairs, units[-1]]) + " ")
    return "".join(out)


def query_text(text: str) -> tuple[str, bool]:
    """A query word or phrase as the phrase of pairs that finds it in ``stories_cjk``.

    Args:
        text: what the user typed inside one term.

    Returns:
        ``(text, prefix)``: the runs replaced by their pairs, and whether the
        last token must be matched as a prefix (a run of one character at the
        end: ``"中"*`` finds the pairs that start with it). Text without such
        runs comes back unchanged with ``False``.
    """
    out: list[str] = []
    prefix = False
    for inside, units in _pieces(text):
        if not inside:
            out.append(units[0])
            if any(unicodedata.category(c)[0] in "LN" for c in units[0]):
                prefix = False  # the last searchable token is not a lone character
            continue
        if len(units) == 1:
            out.append(" " + units[0] + " ")
        else:
            out.append(" " + " ".join(units[k] + units[k + 1] for k in range(len(units) - 1)) + " ")
        prefix = len(units) == 1
    joined = "".join(out)
    return (joined.strip() if joined != text else text), prefix
