"""Story bodies without the boilerplate feeds append, and text without mojibake (no I/O).

Pure functions over plain text, called by
:func:`~aggregator.ingest.normalize.normalize_entry`:

- :func:`fix_mojibake` repairs UTF-8 that was decoded as Latin-1 or
  Windows-1252 (``â€™`` -> ``’``, ``Ã©`` -> ``é``). The repair itself is
  ftfy's ``fix_encoding``, which changes text only when the result is
  unambiguously better; it costs ~0.3 ms per KB, so it runs only on the
  paragraphs where one cheap regex sees a mojibake marker (a lead byte
  ``Â``-``ô`` followed by a continuation character). Run it on the raw
  markup, before HTML conversion: the conversion drops C1 controls, and
  ``Ã\\x81`` (``Á``) or ``â€\\x9d`` (``”``) without them cannot be repaired.
- :func:`clean_body` drops whole paragraphs of boilerplate: "The post ...
  appeared first on ...", "Continue reading...", "Read more", teaser tails
  (``[…]``), comment and share links (``[link] [12 comments]``,
  ``Comments``, ``Share on Facebook``), "Related:" links, advertisement and
  sponsor blocks, "This article originally appeared on ...", WordPress
  shortcodes, feed-statistics lines (``Points: 12``); see :data:`RULES`.

Every rule looks at short paragraphs only (boilerplate is short; an article's
prose is not dropped for mentioning "read more"), and the ones that are only
boilerplate at the end of a body (``Comments``, ``Learn more``) are applied
to the trailing paragraphs only. The input is the output of
:func:`~aggregator.ingest.normalize.html_to_text`: paragraphs separated by one blank
line, list items starting ``"- "``; the output keeps that form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["RULES", "Rule", "clean_body", "drop_cards", "fix_mojibake", "has_mojibake"]

# A lead byte of a 2-4 byte UTF-8 sequence read as Latin-1/cp1252 (Â..ô), then a
# continuation byte read the same way: 0x80-0xBF as Latin-1, or the cp1252
# characters of 0x80-0x9F (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ).
_MOJIBAKE_RE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]"
)
_LINE_SPLIT_RE = re.compile(r"(\n)")

_fix_encoding: Callable[[str], str] | None = None


def has_mojibake(text: str) -> bool:
    """Tell cheaply whether text may hold mojibake (UTF-8 decoded twice).

    Args:
        text: any text.

    Returns:
        True when a marker such as ``Ã©`` or ``â€`` occurs; the text may still be
        correct (``café»``), which :func:`fix_mojibake` then leaves alone.
    """
    return _MOJIBAKE_RE.search(text) is not None


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 text that was decoded as Latin-1 or Windows-1252, where unambiguous.

    Only the lines that show a marker are handed to ftfy, so clean text costs
    one regex search.

    Args:
        text: any text (plain or markup).

    Returns:
        The text, with each marked line repaired by ``ftfy.fix_encoding``
        (which leaves text alone unless the repair is clearly better).
    """
    if text.isascii() or not _MOJIBAKE_RE.search(text):
        return text
    fix = _fixer()
    if "\n" not in text:
        return fix(text)
    parts = _LINE_SPLIT_RE.split(text)
    return "".join(fix(p) if _MOJIBAKE_RE.search(p) else p for p in parts)


def _fixer() -> Callable[[str], str]:
    """ftfy's ``fix_encoding``, imported on first use (ftfy takes ~50 ms to import)."""
    global _fix_encoding
    if _fix_encoding is None:
        import ftfy

        _fix_encoding = ftfy.fix_encoding
    return _fix_encoding


# --- boilerplate ---------------------------------------------------------------

# Ghost's bookmark cards: a link to another article shown as its headline, description,
# site name and author ("404 MediaSamantha Cole") in the middle of the story.
_CARD_RE = re.compile(
    r"<figure\b[^>]*\bkg-bookmark-card\b[^>]*>.*?(?:</figure\s*>|\Z)", re.IGNORECASE | re.DOTALL
)


def drop_cards(markup: str) -> str:
    """Remove the cards a CMS embeds for links to other articles (markup in, markup out).

    Runs on the HTML before it becomes text: a card is told by its class, which the
    text no longer has. Only Ghost's ``kg-bookmark-card`` figures are known.

    Args:
        markup: a story's HTML.

    Returns:
        The HTML without those cards.
    """
    if "kg-bookmark-card" not in markup:
        return markup
    return _CARD_RE.sub("", markup)


# The longest paragraph a rule looks at: boilerplate is short, prose is not dropped.
_MAX_BOILERPLATE = 320

_READ_MORE_WORDS = (
    r"continue reading|keep reading|read more|read on|read full (?:article|story|post)"
    r"|read the (?:full|rest of the|whole|entire) (?:article|story|post|piece|review)"
    r"|more|view (?:more|article|full article)|full story|full article"
    # French, Spanish, German, Italian, Portuguese, Dutch, Polish, Russian, Chinese.
    r"|lire la suite|lire plus|seguir leyendo|leer m[aá]s|continuar leyendo|weiterlesen"
    r"|mehr lesen|zum artikel|continua a leggere|leggi tutto|continue lendo|leia mais"
    r"|lees verder|czytaj dalej|читать далее|阅读全文|閱讀全文"
)
_ARROWS = r"(?:\.\.\.|…|»|›|→|>>?|&gt;)"


class Rule(NamedTuple):
    """One boilerplate rule.

    Attributes:
        pattern: without ``needles``, must match the whole paragraph (a list
            item's ``"- "`` is ignored); with them, must occur in it.
        where: ``"any"`` (dropped wherever it stands) or ``"tail"`` (dropped
            only among the last paragraphs, where feeds append it).
        needles: lower-case text one of which the paragraph must contain
            before ``pattern`` is searched (keeps the search cheap).
    """

    pattern: re.Pattern[str]
    where: str
    needles: tuple[str, ...] = ()


#: The boilerplate rules, by name.
RULES: dict[str, Rule] = {
    # WordPress: "The post <title> appeared first on <site>."
    "appeared first": Rule(
        re.compile(r"^The post .+ appeared first on \S", re.I | re.S), "any", ("appeared first",)
    ),
    # Syndication notes about this very story: "This article originally appeared on
    # Vox.", "A version of this post originally appeared in ...". A news story's own
    # "The report first appeared in the FT" is not one: it names no "this article".
    "originally appeared": Rule(
        re.compile(
            r"\b(?:this|the) (?:article|story|post|piece|column|essay|interview|review"
            r"|episode|newsletter)\b.{0,60}?\b(?:was )?(?:originally|first)"
            r" (?:appeared|published|ran|posted)\b"
            r"|\bthis (?:article|story|post) (?:is|was) (?:re)?published\b"
            r"|\bcross-posted (?:on|from|to)\b",
            re.I | re.S,
        ),
        "any",
        ("originally", "first", "cross-posted", "published"),
    ),
    # Print and reprint notes a story ends with: "Published in Dawn, February 17th, 2026",
    # GeekPark's "Originally published by GeekPark; ask before reposting" (in Chinese).
    "published in": Rule(
        re.compile(
            r"^(?:[Rr]e)?[Pp]ublished (?:in|on|with permission (?:from|of)) [A-Z][^.]{0,80}\.?$"
            r"|原创发布|转载请|轉載請",
        ),
        "tail",
        ("published", "原创发布", "转载请", "轉載請"),
    ),
    "continue reading": Rule(
        re.compile(
            rf"(?:{_READ_MORE_WORDS})\s*{_ARROWS}?\s*"
            # SitePoint: "Continue reading %Title%"
            r"|(?:continue reading|read more)\s*[%“\"‘'«].{1,200}[%”\"’'»]"
            # "Read more of this story at Slashdot.", "Read the full story at The Verge."
            r"|(?:read|watch|listen)(?: (?:more|the full story|the rest))?(?: of this story)?"
            r" (?:at|on) [A-Z0-9][^.]{0,60}\.?"
            r"|to read this article in full,? (?:please )?click here\.?"
            r"|(?:click|tap) here to (?:read|continue|see)\b.{0,80}",
            re.I | re.S,
        ),
        "any",
    ),
    # Links to related stories: "Related: <headline>", "Read more: <headline>".
    "related": Rule(
        re.compile(
            r"(?:related|read more|read also|also read|see also|more on this|more from [\w .]{1,40}"
            r"|recommended|further reading|you may also like|related (?:stories|articles|posts"
            r"|links|coverage|reading))\s*:.{0,300}",
            re.I | re.S,
        ),
        "any",
    ),
    # Comment and share links: "[link] [12 comments]", "Comments", "42 points, 7 comments",
    # "Share on Facebook", reddit's "submitted by /u/x to /r/y".
    "comments and sharing": Rule(
        re.compile(
            r"(?:\[link\]\s*)?\[\d* ?comments?\]|comments?|\d+ comments?|leave a comment"
            r"|\d+ points?,? \d+ comments?|(?:#|number of) comments: \d+|points: \d+"
            r"|(?:article|comments) url: \S+|view (?:the )?comments"
            r"|join the (?:discussion|conversation)"
            r"|submitted by\s*\S+(?:\s*to\s*\S+)?|\[link\]"
            r"|share(?: this(?: (?:article|story|post))?)?(?: on [\w ]{1,30})?:?"
            r"|(?:tweet|email|print|pin|like) (?:this|it)|click to (?:share|email|print) .{1,60}"
            r"|like this:|share this:|share via:?.{0,60}"
            r"|view full coverage on google news",
            re.I,
        ),
        "any",
    ),
    # Advertisement labels and sponsor notes: "Advertisement", "Sponsored by Acme",
    # "Thank you for listening ❤ Check out our sponsors: https://...".
    "ads": Rule(
        re.compile(
            r"advertisement|advertising|ad|sponsored(?: content| post)?"
            r"|(?:this (?:post|episode|article) is )?(?:sponsored|brought to you|presented) by"
            r"\b.{0,120}"
            r"|(?:thank you for listening\W{0,4})?check out our sponsors\b.{0,100}"
            r"|(?:subscribe|sign up) (?:to|for|on|now)\b.{0,140}|follow us on .{1,60}"
            r"|(?:get|download) (?:the|our) (?:free )?app\b.{0,80}",
            re.I | re.S,
        ),
        "any",
    ),
    # Shortcodes a CMS left unexpanded: "[time-brightcove not-tgx="true"]", "[caption]".
    "shortcode": Rule(re.compile(r"(?:\[/?[a-z][\w-]*(?:\s[^\]\n]{0,200})?\]\s*)+"), "any"),
    # Permalink marks and ornaments: Daring Fireball's "★", "* * *", "⁂".
    "ornament": Rule(re.compile(r"[★☆✩✪✦✧✱✲⁂❧❦§¶•·*~=—–#\s-]{1,20}"), "any"),
    # Picture credits: "Photo: Reuters", "Image credit: NASA", "图片来源：视觉中国".
    "credit": Rule(
        re.compile(
            r"(?:(?:header |lead |top )?(?:photo|image|picture|illustration|graphic)s?"
            r"(?: credit| source| courtesy)?s?|credits?)\s*[:：]\s*[^\n]{1,80}"
            r"|(?:图片|题图|圖片)来源[:：][^\n]{1,40}",
            re.I,
        ),
        "any",
    ),
    # Bare calls to action and link labels a teaser ends with: "Learn more", "Source".
    "call to action": Rule(
        re.compile(
            r"learn more|find out more|listen to (?:this|the) (?:post|article|story|episode):?"
            r"|watch (?:the )?video|see (?:the )?(?:photos|gallery)|source|via|permalink|link",
            re.I,
        ),
        "tail",
    ),
}

# "Sponsored by:" heads a list of sponsors that goes with it.
_SPONSOR_HEAD_RE = re.compile(r"(?:this (?:week|episode)(?:'s|’s)? )?sponsor(?:s|ed by)\W*", re.I)
# Show notes' blocks of sponsors and of subscribe links: a head ("To support this podcast,
# check out our sponsors:", "PODCAST LINKS:") and the short lines that follow it
# ("Upwork: Platform for hiring freelancers.", "Go to https://...", "– RSS: https://...").
_BLOCK_HEAD_RE = re.compile(
    r"(?:to support this (?:podcast|show),? )?(?:please )?check out (?:our|these|this"
    r" (?:week|episode)(?:'s|’s)?) sponsors\b[^\n]{0,60}:"
    r"|(?:podcast|subscribe|subscription|listen(?:ing)?) (?:links|options|on)\s*:",
    re.I,
)
_BLOCK_LINE_RE = re.compile(
    r"[-–—•*]?\s*(?:go to|visit|use code)\s+\S.{0,100}"
    r"|[-–—•*]?\s*[\w'’&.+ ]{1,40}:\s*(?:https?://\S+|[^\n:]{1,100})",
    re.I,
)
# TIME's audio player card: "The Brief October 24, 2025", a line on the episode, then
# "Podcast ID – Short Length: <uuid>" (and "Long Length").
_BRIEF_HEAD_RE = re.compile(r"The Brief [A-Z][a-z]+ \d{1,2}, \d{4}")
_PODCAST_ID_RE = re.compile(r"Podcast ID\s*[–—-]\s*\w+ Length:\s*[0-9a-fA-F-]{8,40}")
# Inline tails of the last paragraph, when the feed did not give them their own; searched
# in the paragraph's last :data:`_TAIL_WINDOW` characters only.
_INLINE_TAIL_RE = re.compile(
    rf"(?:(?<=[.!?…”\"')\]])\s+(?:{_READ_MORE_WORDS})\s*{_ARROWS}?"
    r"|\s*View Full Coverage on Google News"
    r"|\s*(?:\[(?:\.\.\.|…)\]|\[more\]|\(more(?:\.\.\.|…)?\)|\[read more\]))\s*$",
    re.I,
)
_TAIL_WINDOW = 48
_APPEARED_TAIL_RE = re.compile(r"\s*\bThe post .{1,400}? appeared first on [^\n]{1,120}$", re.S)


def _combine(where: str, *, only: frozenset[str] | None = None) -> re.Pattern[str]:
    """One pattern for the whole-paragraph rules of a kind: one regex call, not nine."""
    alternatives = []
    for name, rule in RULES.items():
        if rule.where == where and not rule.needles and (only is None or name in only):
            pattern = rule.pattern
            flags = "".join(f for f, v in (("i", re.I), ("s", re.S)) if pattern.flags & v)
            alternatives.append(f"(?{flags}:{pattern.pattern})" if flags else pattern.pattern)
    return re.compile("(?:" + "|".join(alternatives) + ")")


# Whole-paragraph rules that can match more than _SHORT characters; the others cannot
# (tests/ingest/test_cleanup.py checks it), so a longer paragraph is tried against these only.
_LONG_RULES = frozenset(
    {"comments and sharing", "continue reading", "credit", "related", "shortcode"}
)
_SHORT = 170
_ANY = _combine("any")
_ANY_LONG = _combine("any", only=_LONG_RULES)
_TAIL = _combine("tail")
_SEARCHED = [rule for rule in RULES.values() if rule.needles]
# The needles to look for, without those that contain another ("appeared first" holds
# "first"); non-ASCII ones only matter in non-ASCII text.
_ALL_NEEDLES = {n for rule in _SEARCHED for n in rule.needles}
_NEEDLES = tuple(
    sorted(n for n in _ALL_NEEDLES if not any(m != n and m in n for m in _ALL_NEEDLES))
)
_ASCII_NEEDLES = tuple(n for n in _NEEDLES if n.isascii())


def _rule_for(paragraph: str) -> str:
    """The ``where`` of a rule that matches the paragraph (``"any"`` first), else ``""``."""
    text = paragraph[2:] if paragraph.startswith("- ") else paragraph
    short = len(text) <= _SHORT
    if (_ANY if short else _ANY_LONG).fullmatch(text):
        return "any"
    found = ""
    lowered = text.lower()
    # Plain "in" tests in a plain loop: far cheaper than one regex alternation (re has
    # no Aho-Corasick) or any() over a generator.
    for needle in _ASCII_NEEDLES if lowered.isascii() else _NEEDLES:
        if needle in lowered:
            for rule in _SEARCHED:
                if rule.pattern.search(text) and any(n in lowered for n in rule.needles):
                    if rule.where == "any":
                        return "any"
                    found = "tail"
            break
    if not found and short and _TAIL.fullmatch(text):
        found = "tail"
    return found


def clean_body(text: str) -> str:
    """Drop the boilerplate feeds append to a story's text.

    Args:
        text: plain text as :func:`~aggregator.ingest.normalize.html_to_text` returns it
            (paragraphs separated by ``"\\n\\n"``).

    Returns:
        The text without boilerplate paragraphs (see :data:`RULES`), without a
        "Sponsored by:" list, and with a teaser tail (``[…]``, "Continue
        reading", "The post ... appeared first on ...") cut from the last
        paragraph; a cut teaser ends with ``…``. Paragraphs stay separated by
        one blank line.
    """
    if not text:
        return text
    paragraphs = text.split("\n\n")
    if "Podcast ID" in text:
        paragraphs = _without_audio_cards(paragraphs)
    kept: list[str] = []
    # Each kept paragraph remembers whether a "tail" rule matched it (it goes if
    # nothing but such paragraphs follows it).
    tail_like: list[bool] = []
    in_sponsors = ""  # in a block of sponsors: "list" (of "- " items) or "lines"
    for paragraph in paragraphs:
        if len(paragraph) > _MAX_BOILERPLATE:
            in_sponsors = ""
            kept.append(paragraph)
            tail_like.append(False)
            continue
        if in_sponsors == "list" and paragraph.startswith("- "):
            continue
        if in_sponsors == "lines" and _BLOCK_LINE_RE.fullmatch(paragraph):
            continue
        in_sponsors = ""
        if _SPONSOR_HEAD_RE.fullmatch(paragraph):
            in_sponsors = "list"
            continue
        if _BLOCK_HEAD_RE.fullmatch(paragraph):
            in_sponsors = "lines"
            continue
        rule = _rule_for(paragraph)
        if rule == "any":
            continue
        kept.append(paragraph)
        tail_like.append(rule == "tail")
    while kept and tail_like[-1]:
        kept.pop()
        tail_like.pop()
    if kept:
        kept[-1] = _cut_tail(kept[-1])
        if not kept[-1]:
            kept.pop()
    return "\n\n".join(kept)


def _without_audio_cards(paragraphs: list[str]) -> list[str]:
    """Drop TIME's audio player cards: "The Brief <date>" up to its last "Podcast ID" line."""
    out: list[str] = []
    i = 0
    while i < len(paragraphs):
        paragraph = paragraphs[i]
        if _PODCAST_ID_RE.fullmatch(paragraph):
            i += 1
            continue
        if _BRIEF_HEAD_RE.fullmatch(paragraph):
            ids = [
                j for j in range(i + 1, min(i + 5, len(paragraphs)))
                if _PODCAST_ID_RE.fullmatch(paragraphs[j])
            ]  # fmt: skip
            if ids:
                i = ids[-1] + 1
                continue
        out.append(paragraph)
        i += 1
    return out


def _cut_tail(paragraph: str) -> str:
    """Cut an inline teaser tail from the last paragraph; mark a cut sentence with ``…``."""
    if "appeared first on" in paragraph:
        match = _APPEARED_TAIL_RE.search(paragraph)
        if match is not None:
            paragraph = paragraph[: match.start()].rstrip()
    window = max(len(paragraph) - _TAIL_WINDOW, 0)
    match = _INLINE_TAIL_RE.search(paragraph, window)
    if match is None:
        return paragraph
    head = paragraph[: match.start()].rstrip()
    if head and "[" in match.group() and head[-1] not in ".!?…\"'”’)":
        head += "…"
    return head
