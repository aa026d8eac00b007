"""Stems of words in the languages other than English that the archive knows.

Pure: no I/O. ``stories_fts`` stems every story with the Porter stemmer,
which is English: ``Häuser`` stays "hauser" there and is not found by
``Haus``, nor ``élections`` by ``élection``. Stories whose language
(``stories.lang``) has a stemmer in :data:`STEM_LANGUAGES` are therefore
indexed a second time, in ``stories_stem`` (:mod:`aggregator.store.stem_index`),
as the Snowball stems of their words (:func:`stem_text`); a query word is
searched there as the stems it has in each of those languages
(:func:`query_stems`), since a query does not say its language. Other
stories (English, unknown, Chinese...) are found as before: a plain fallback.

The stemmers are the Snowball algorithms, through the ``snowballstemmer``
package, which runs them in C from ``PyStemmer`` when that is installed (a
dependency: about 0.2 µs a word, 1.5 ms to import) and in pure Python
otherwise (about 40 µs a word, 15 ms to import); each language keeps a cache
of the words it has seen. It is imported on first use: a search imports it
only when the archive has stories in these languages.

A contentless index needs the very tokens it was given to delete a story, so
the stems must not change under it: :func:`stemmer_check` is a check value of
the stems of sample words, stored with the index; when it differs (another
version of the algorithms), the index is rebuilt.
"""

from __future__ import annotations

import unicodedata

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Callable

__all__ = [
    "STEM_LANGUAGES",
    "query_stems",
    "stem_spans",
    "stem_text",
    "stem_word",
    "stemmer_check",
    "token_spans",
    "tokens",
]

STEM_LANGUAGES = {
    "de": "german",
    "es": "spanish",
    "fr": "french",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
    "ru": "russian",
}
"""The languages (ISO 639-1, as :mod:`aggregator.ingest.lang` names them) indexed by stem."""

_CACHE_WORDS = 200_000  # per language; a cache is cleared when it grows past this
_stemmers: dict[str, Callable[[str], str]] = {}
_caches: dict[str, dict[str, str]] = {}
_letters: re.Pattern[str] | None = None  # words of letters, for stem_spans


def _stemmer(lang: str) -> Callable[[str], str]:
    """The ``stemWord`` of a language's Snowball stemmer (imported on first use)."""
    found = _stemmers.get(lang)
    if found is None:
        import snowballstemmer  # only when such a story or archive is met (start-up time)

        found = snowballstemmer.stemmer(STEM_LANGUAGES[lang]).stemWord
        _stemmers[lang] = found
    return found


def _word_char(char: str) -> bool:
    """Whether ``char`` belongs inside a token of ``unicode61 tokenchars '+#'`` (approximately)."""
    category = unicodedata.category(char)
    return char in "+#" or category[0] in "LNM" or category == "Co"


def token_spans(text: str) -> list[tuple[int, int]]:
    """Where in ``text`` the words are that the index's tokenizer sees (see :func:`tokens`)."""
    out: list[tuple[int, int]] = []
    start = -1
    for at, char in enumerate(text):
        if char.isalnum() or _word_char(char):
            if start < 0:
                start = at
        elif start >= 0:
            out.append((start, at))
            start = -1
    if start >= 0:
        out.append((start, len(text)))
    return out


def tokens(text: str) -> list[str]:
    """Split ``text`` into the words the index's tokenizer sees (letters, digits, ``+``, ``#``)."""
    return [text[a:b] for a, b in token_spans(text)]


def stem_spans(text: str, lang: str, words: list[str]) -> list[tuple[int, int]]:
    """Where in ``text`` the words are whose stem in ``lang`` is that of one of ``words``.

    For highlighting a story found by stem (``Häuser`` where ``Haus`` was searched).

    Args:
        text: a story's text.
        lang: its language, a key of :data:`STEM_LANGUAGES`.
        words: the query's words.

    Returns:
        ``(start, end)`` character offsets, in order.
    """
    global _letters
    if _letters is None:
        import re  # only when such a story is on the page (re costs start-up time)

        _letters = re.compile(r"[^\W\d_]+")
    wanted = {stem_word(word, lang) for word in words}
    return [m.span() for m in _letters.finditer(text) if stem_word(m.group(), lang) in wanted]


def stem_word(word: str, lang: str) -> str:
    """A word's stem in ``lang`` (lower-cased); words with digits, ``+`` or ``#`` stay whole.

    Args:
        word: one token (:func:`tokens`).
        lang: a key of :data:`STEM_LANGUAGES`.

    Returns:
        The stem, or the lower-cased word when it is not made of letters only.
    """
    low = word.lower()
    cache = _caches.setdefault(lang, {})
    stem = cache.get(low)
    if stem is None:
        if len(cache) >= _CACHE_WORDS:
            cache.clear()
        norm = unicodedata.normalize("NFC", low)
        stem = (_stemmer(lang)(norm) or norm) if norm.isalpha() else norm
        cache[low] = stem
    return stem


def stem_text(text: str, lang: str) -> str:
    """The text as ``stories_stem`` indexes it: its words' stems, one space apart.

    Words stay in order, so phrases match. Never change the output for a
    language without rebuilding the index (see the module docstring).

    Args:
        text: a story's title, body or questions.
        lang: a key of :data:`STEM_LANGUAGES`.

    Returns:
        The stems, e.g. ``"die häus der stadt"`` for ``"Die Häuser der Stadt"`` in German.
    """
    return " ".join(stem_word(word, lang) for word in tokens(text))


def query_stems(words: list[str], *, prefix: bool) -> list[str]:
    """The forms of a query word or phrase in ``stories_stem``: one per distinct stemming.

    Args:
        words: the tokens of the word or phrase, in order.
        prefix: the last token is a prefix: it stays as typed (lower-cased),
            since stems are (nearly always) prefixes of their words.

    Returns:
        The token sequences joined by spaces, without duplicates, e.g.
        ``["elect", "élect", ...]``.
    """
    forms: dict[str, None] = {}
    for lang in STEM_LANGUAGES:
        stems = [stem_word(word, lang) for word in words]
        if prefix and words:
            stems[-1] = unicodedata.normalize("NFC", words[-1].lower())
        forms.setdefault(" ".join(stems))
    return list(forms)


_CHECK_WORDS = (
    "Häuser Regierungen wurden gesprochen élections présidentielle gouvernements elecciones"
    " gobiernos niños elezioni governo verkiezingen regeringen eleições governos выборы"
    " правительства nationalities running"
).split()


def stemmer_check() -> str:
    """A check value of the stemmers: the stems of sample words in every language, hashed.

    Returns:
        Sixteen hex digits; they change when any stemmer's output for the samples does.
    """
    import hashlib

    joined = "|".join(
        f"{lang}:{' '.join(stem_word(w, lang) for w in _CHECK_WORDS)}" for lang in STEM_LANGUAGES
    )
    return hashlib.sha256(joined.encode()).hexdigest()[:16]
