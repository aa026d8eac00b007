"""The language a story is written in: an ISO 639-1 code, or ``""`` when unknown.

Pure and deterministic. The identifier is py3langid (the langid.py model,
shipped inside the package: nothing is downloaded), imported on first use so
that modules which only need :mod:`aggregator.ingest.normalize`'s helpers do
not pay for numpy. Its cost is about 0.1 ms for the few hundred characters we
give it. Very short texts say too little to tell languages apart, so they
are ``""`` unless their script settles it (kana, hangul, Thai ...).

The language is stored on the story: the question generator chooses its
questions by it, and search and digests can use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

__all__ = [
    "ENGLISH_SHARE",
    "LANGUAGES",
    "MIN_LETTERS",
    "SAMPLE",
    "SHORT",
    "SHORT_ENGLISH",
    "detect_language",
]

SAMPLE = 300
"""Characters of title and body given to the identifier: enough, and bounded."""

ENGLISH_SHARE = 0.2
"""A text in plain Latin letters in which at least this share of the words are common
English function words is English without asking the identifier: most stories
of a tech-news archive are, and the identifier costs ten times as much."""

_ENGLISH = frozenset(
    "the of and to in is for on that with as at by from it an are was be this has have"
    " will its their they not but or can more new says said about after over into than"
    " been were which who would also how what when".split()
)
_WORD = re.compile(r"[A-Za-z']+")

MIN_LETTERS = 12
"""Below this many letters a text is too short to identify (``""``)."""

LANGUAGES = (
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "he", "hi",
    "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "nl", "no", "pl", "pt", "ro", "ru", "sk",
    "sl", "sr", "sv", "th", "tr", "uk", "vi", "zh",
)  # fmt: skip
"""The languages told apart: those of news sites with a real readership. The
model knows 97, many of them close relatives of a major language that it
picks for short English headlines ("pcm", "la", "bcl"); limiting the choice
to these removes those errors on the shared corpus without losing a real one."""

# Scripts that name their language outright (the identifier is not needed)
# when they are a good share of the letters.
_SCRIPT_LANGS = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),  # hiragana, katakana
    (re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"), "ko"),  # hangul
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


SHORT = 120
"""Below this many letters a text is short: a headline and a line or two."""

SHORT_ENGLISH = 0.05
"""A short text is English when English has at least this probability: a
handful of words in Latin script often fits a small language slightly better
by chance ("Golang Client for LastPass" scores Norwegian), and English is
by far the most common language of tech news."""


@lru_cache(maxsize=1)
def _ranker() -> Callable[[str], list[tuple[str, float]]]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    rank: Callable[[str], list[tuple[str, float]]] = identifier.rank
    return rank


def detect_language(title: str, body: str) -> str:
    """Identify the language of a story from its title and the start of its body.

    Args:
        title: the story's title (plain text).
        body: the story's body (plain text).

    Returns:
        An ISO 639-1 code such as ``"en"``, ``"de"``, ``"zh"``; ``""`` when the
        text is too short to tell.
    """
    text = f"{title}\n{body[:SAMPLE]}"
    letters = len(_LETTER.findall(text))
    if letters < MIN_LETTERS:
        return ""
    words = _WORD.findall(text)
    if len(words) >= 8 and sum(map(len, words)) >= 0.95 * letters:  # Latin letters
        common = sum(1 for w in words if w.lower() in _ENGLISH)
        if common >= ENGLISH_SHARE * len(words):
            return "en"
    for pattern, lang in _SCRIPT_LANGS:
        if len(pattern.findall(text)) * 5 >= letters:
            return lang
    ranked = _ranker()(text)
    if letters < SHORT and ranked[0][0] != "en":
        english = next((p for lang, p in ranked if lang == "en"), 0.0)
        if english >= SHORT_ENGLISH:
            return "en"
    return str(ranked[0][0])
