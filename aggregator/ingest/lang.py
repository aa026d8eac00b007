"""The language a story is written in: an ISO 639-1 code, or ``""`` when unknown.

Pure, deterministic and cheap (a few microseconds): scripts that name their
language (kana, hangul, Thai, Hebrew, Greek, Cyrillic, Han) decide at once;
text in Latin letters is told apart by the share of its words that are the
common function words of each language. That tells the languages of the
archive's feeds apart (English, German, French, Spanish, Italian, Dutch,
Portuguese, Slovak/Czech) without a model in the parser processes; other
languages are ``""``. Very short texts say too little and are ``""`` unless
their script settles it.

Some function words belong to several languages ("a" is English, Portuguese
and Slovak; "to" English and Slovak) and count for each of them. When two
languages have as many hits, English wins if every letter is in a-z (most
stories are English, and English is written without accents); a letter
outside it (č, ã, ü) gives the tie to the other language.

The language is stored on the story: the question generator chooses its
questions by it, and search and digests can use it.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain, repeat

__all__ = ["FUNCTION_SHARE", "MIN_LETTERS", "SAMPLE", "detect_language"]

SAMPLE = 400
"""Characters of title and body looked at: enough, and bounded."""

MIN_LETTERS = 12
"""Below this many letters a text is too short to identify (``""``)."""

FUNCTION_SHARE = 0.12
"""A language wins when at least this share of the words are its function words."""

# Scripts that name their language outright, when they are a good share of the letters.
_SCRIPT_LANGS = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),  # hiragana, katakana
    (re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"), "ko"),  # hangul
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
    (re.compile(r"[\u4e00-\u9fff]"), "zh"),
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Any letter of those scripts: Latin text with typographic quotes is not ASCII, and
# one search tells it has none of them (instead of one count per script).
_ANY_SCRIPT = re.compile("|".join(p.pattern for p, _ in _SCRIPT_LANGS) + "|" + _CYRILLIC.pattern)
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")  # _WORD on lower-case ASCII

# "a", the most common English word after "the", is a Portuguese and a Slovak word
# too: left out of English, each "a" of an English text counted for those two only.
_FUNCTION_WORDS = {
    "en": "a the of and to in is for on that with as at by from it an are was be this has have"
    " will its their they not but or can more new says said about after over into than been"
    " were which who would also how what when",
    "de": "der die das und ist nicht ein eine einen dem den des zu mit sich auf für von im"
    " auch es wird wie bei aus nach oder aber noch nur über vor sind hat werden kann",
    "fr": "le la les de des en et est une un du dans pour pas que qui sur au aux avec ce cette se"
    " par plus ne sont ont été leur mais il elle nous vous",
    "es": "el la los las y es una un de del en para por que con se no al su sus como más pero"
    " lo este esta fue ha sido entre",
    "it": "il lo la gli le e è di che non una un del della per con sono nel alla anche come"
    " più ma questo questa",
    "nl": "de het een en van is dat niet zijn op te met voor er maar ook als bij aan om dit"
    " worden wordt naar",
    "pt": "o a os as e é um uma de do da dos das em para que não com por mais se foi são como"
    " mas ao seu sua",
    "sk": "a je na sa že v s z do to aj ako ale by sú bol pre od po tak už",
}
_WORDS = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}
# The order languages are tried in: the first one with the most hits wins. English
# first for text in a-z, last for text with other letters.
_ENGLISH_FIRST = tuple(_WORDS)
_ENGLISH_LAST = (*(lang for lang in _WORDS if lang != "en"), "en")
# Each function word's languages, in the order of _WORDS.
_LANGS_OF: dict[str, tuple[str, ...]] = {}
for _lang, _common in _WORDS.items():
    for _word in _common:
        _LANGS_OF[_word] = (*_LANGS_OF.get(_word, ()), _lang)


def detect_language(title: str, body: str) -> str:
    """Identify the language of a story from its title and the start of its body.

    Args:
        title: the story's title (plain text).
        body: the story's body (plain text).

    Returns:
        An ISO 639-1 code such as ``"en"``, ``"de"``, ``"zh"``; ``""`` when the
        text is too short, or in a language this does not tell.
    """
    text = f"{title}\n{body[:SAMPLE]}"
    ascii_only = text.isascii()
    # Every letter is in one of the words, and a word is letters with at most one
    # apostrophe inside: the words give the count of letters too. Lower case first
    # is the same for ASCII (and one call instead of one per word), where the letters
    # are a-z (a class the regex engine tests faster than its Unicode one).
    found = _ASCII_WORD.findall(text.lower()) if ascii_only else _WORD.findall(text)
    joined = "".join(found)
    letters = len(joined) - joined.count("'") - joined.count("’")
    if letters < MIN_LETTERS:
        return ""
    if not ascii_only and _ANY_SCRIPT.search(text):  # no script below is ASCII
        for pattern, lang in _SCRIPT_LANGS:
            if len(pattern.findall(text)) * 5 >= letters:
                return lang
        if len(_CYRILLIC.findall(text)) * 2 >= letters:
            return "uk" if _UKRAINIAN.search(text) else "ru"
    words = found if ascii_only else [w.lower() for w in found]
    if len(words) < 3:
        return ""
    # One pass over the words counts every language's hits (in C: most words are
    # no function word of any language).
    counts = Counter(chain.from_iterable(map(_LANGS_OF.get, words, repeat(()))))
    # "Market Talk: oil could add a percentage point to US inflation" has two hits
    # for English and two for Slovak ("a" and "to" are words of both): text in a-z
    # is English then. In "Vláda schválila návrh a poslanci ho podporili" the same
    # tie (one "a") is Slovak.
    in_a_to_z = ascii_only or joined.replace("’", "").isascii()
    best, score = "", 0
    for lang in _ENGLISH_FIRST if in_a_to_z else _ENGLISH_LAST:
        hits = counts[lang]
        if hits > score:
            best, score = lang, hits
    if score >= max(1.0, FUNCTION_SHARE * len(words)):
        return best
    # A short headline with few function words: English, the common case of tech news,
    # when nothing else matched at all.
    return "en" if best in ("", "en") and ascii_only and len(words) < 20 else ""
