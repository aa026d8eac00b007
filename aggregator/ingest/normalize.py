"""Feed entry to :class:`~aggregator.models.Story`: HTML to plain text, titles, dates (no I/O).

Runs for every entry of every feed, so :func:`html_to_text` is one
regex-driven pass over the markup (no DOM, no BeautifulSoup/lxml): a single
``re.sub`` turns every tag into nothing or a paragraph marker (a search loop
takes over only when scripts, media or forms must be skipped), then a few
whole-text passes decode entities and lay out the paragraphs.

Output invariants of :func:`html_to_text`: no tags from the markup, no
entities, no control or invisible formatting characters; paragraphs separated
by exactly one blank line, whitespace inside a paragraph collapsed to single
spaces, no leading or trailing whitespace anywhere.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from aggregator.dedupe.urls import canonical_url, original_link
from aggregator.ingest.categories import CategoryRule, categorize
from aggregator.ingest.cleanup import clean_body, drop_cards, fix_mojibake
from aggregator.ingest.lang import detect_language
from aggregator.models import Enclosure, Entry, Story

__all__ = [
    "clean_enclosures",
    "clean_title",
    "clean_url",
    "html_to_text",
    "normalize_entry",
    "strip_controls",
]

# Markers placed in the text while scanning. The input is stripped of C0
# controls first and html.unescape() never produces them, so they are unambiguous.
_PARA = "\x00"  # paragraph break
_BULLET = "\x02"  # the paragraph that follows is a list item
_ENDLIST = "\x03"  # a list item or list ended: forget a pending bullet
_CODE_OPEN = "\x04"  # <pre>/<code>: escaped markup in here is an example, not
_CODE_CLOSE = "\x05"  # a sign of double-escaped HTML
# Where markup right after a "<" (or "&lt;", "</") left nothing: that "<" must not
# join the text after it into a tag. "<<b></b>img onerror=...>" and
# "&lt;<!-- -->script&gt;" would show "<img onerror=...>" and "<script>".
_GONE = "\x06"

# One token of markup; match.lastindex tells which kind (3 start tag, 5 end
# tag, 6 comment, 7 doctype/PI). Attribute values are quote-aware only right
# after "=", as in the HTML5 tokenizer. Possessive quantifiers and "|\Z"
# endings keep the scan linear on malformed input: an unterminated construct
# runs to the end of the text, and the scanner then treats the rest as text.
_TOKEN_RE = re.compile(
    r"""
    <(?:
        ([a-zA-Z][^\s/>]*+)
        ((?:[^>"'=]++|=\s*+(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z))|[="'])*+)
        (>?)
      | /([a-zA-Z][^\s/>]*+)[^>]*+(>?)
      | !--(?:-?>|.*?(?:--!?>|\Z))()
      | [!?][^>]*+(>?)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_START, _END, _COMMENT, _OTHER = 3, 5, 6, 7
_CDATA_RE = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|\Z)", re.DOTALL)
_CODE_SPLIT_RE = re.compile(f"([{_CODE_OPEN}{_CODE_CLOSE}])")
_ESCAPED_PAIR_RE = re.compile(
    r"<!--.*?-->|<(p|div|span|li|ul|ol|a|em|strong|b|i|blockquote|h[1-6]|table|tr|td)"
    r"(?:\s[^<>]*)?>[^<>]*</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_AMP_CHAIN_RE = re.compile(r"&(?:amp;)+")
_BLANK_LINE_RE = re.compile(r"\n[^\S\n]*\n")
_INPUT_C0_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

# Invisible characters: C1 controls, DEL, soft hyphen, zero-width and bidi
# controls, word joiners, BOM, interlinear annotations, lone surrogates.
_INVISIBLE = (
    r"\x7f-\x84\x86-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
)
# For the scanner's output: keeps the markers and whitespace (collapsed later).
# Last characters of "<", "&lt;", "&lt", "&#60;", "&#x3c;" and "</".
_BEFORE_GONE = frozenset("<;/tT0cC")
_TEXT_JUNK_RE = re.compile(rf"[\x01\x06-\x08\x0e-\x1f{_INVISIBLE}]")
# Invisible characters in markup, as themselves or as character references: they
# are dropped before the markup is scanned, so that one inside a tag ("<&#8238;a
# href=...>") cannot hide the tag from the scan and leave it in the text once the
# character is gone.
_MARKUP_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_INVISIBLE_REF_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|shy|zwn?j|lrm|rlm);?")
# For strip_controls(): everything but "\n", plus the characters it converts.
_CONTROL_RE = re.compile(rf"[\x00-\x09\x0b\x0c\x0e-\x1f\x85\u2028\u2029{_INVISIBLE}]")
# In URLs and guids: what could drive a terminal or hide text. Whitespace is
# percent-encoded in URLs, kept in guids (they are identifiers: keep them stable).
_URL_UNSAFE_RE = re.compile(rf"[\s\x00-\x1f{_INVISIBLE}]")
_GUID_UNSAFE_RE = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f{_INVISIBLE}]")
_URL_START_RE = re.compile(r"https?://[^/?#\s]", re.IGNORECASE)
_URL_STRIP = "".join(map(chr, range(0x21)))  # what browsers strip: C0 controls and space
_CONTROL_MAP = {"\t": " ", "\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}

# What a tag leaves in the text (absent: nothing, e.g. <a>, <span>, <img>).
_BLOCKS = (
    "address article aside blockquote body br caption center dd details dialog div dl dt"
    " fieldset figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr html legend"
    " main nav p section summary table tbody tfoot thead tr"
).split()
_LISTS = ("ul", "ol", "menu", "dir")
_CODES = ("code", "kbd", "samp")
# Common inline elements leave nothing; listing them saves a lower() per tag.
_INLINE = (
    "a abbr b big cite del dfn em font i img ins mark q s small span strong sub sup time u wbr"
)
_START_MARKS: dict[str, str] = {
    **dict.fromkeys(_INLINE.split(), ""),
    **dict.fromkeys(_BLOCKS, _PARA),
    **dict.fromkeys(_LISTS, _PARA),
    **dict.fromkeys(_CODES, _CODE_OPEN),
    "li": _PARA + _BULLET,
    "td": " ",
    "th": " ",
    "pre": _PARA + _CODE_OPEN,
}
_END_MARKS: dict[str, str] = {
    **dict.fromkeys(_INLINE.split(), ""),
    **dict.fromkeys(_BLOCKS, _PARA),
    **dict.fromkeys(_LISTS, _PARA + _ENDLIST),
    **dict.fromkeys(_CODES, _CODE_CLOSE),
    "li": _PARA + _ENDLIST,
    "td": " ",
    "th": " ",
    "pre": _CODE_CLOSE + _PARA,
}

# Every element name HTML, SVG and MathML define (obsolete ones included), lower case.
# A "<name>" with another name is text, as a browser shows text that was escaped
# once: "Vec<T>", "std::vector<int>", "Result<T, E>" (see _is_markup()).
_KNOWN_ELEMENTS = frozenset(
    (
        "a abbr acronym address applet area article aside audio b base basefont bdi bdo"
        " bgsound big blink blockquote body br button canvas caption center cite code col"
        " colgroup command content data datalist dd del details dfn dialog dir div dl dt"
        " element em embed fieldset figcaption figure font footer form frame frameset h1 h2"
        " h3 h4 h5 h6 head header hgroup hr html i iframe image img input ins isindex kbd"
        " keygen label legend li link listing main map mark marquee menu menuitem meta meter"
        " multicol nav nextid nobr noembed noframes noscript object ol optgroup option output"
        " p param picture plaintext pre progress q rb rp rt rtc ruby s samp script search"
        " section select shadow slot small source spacer span strike strong style sub"
        " summary sup table tbody td template textarea tfoot th thead time title tr track tt"
        " u ul var video wbr xmp"
        # SVG
        " animate animatemotion animatetransform circle clippath defs desc ellipse"
        " feblend fecolormatrix fecomposite fegaussianblur feoffset filter foreignobject g"
        " line lineargradient marker mask metadata path pattern polygon polyline"
        " radialgradient rect stop svg switch symbol text textpath tspan use view"
        # MathML
        " annotation annotation-xml maction math menclose merror mfenced mfrac mi mmultiscripts"
        " mn mo mover mpadded mphantom mprescripts mroot mrow ms mspace msqrt mstyle msub"
        " msubsup msup mtable mtd mtext mtr munder munderover none semantics"
    ).split()
)
# Namespaced XML (Word's <o:p>, <fb:like>) and custom elements (<my-widget>) are markup too.
_ELEMENT_LIKE_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9]*[:-][a-zA-Z][\w.:-]*")
# An attribute with a value ("<widget data-id=3>"): markup, whatever the element's name.
_ATTRIBUTE_RE = re.compile(r"""\s[a-zA-Z_:@][-\w:.@]*=\s*(?:"|'|[^\s"'<>=`])""")
# After decoding: what counts as a sign of double-escaped HTML (see _count_text_tags()).
_TEXT_TAG_RE = re.compile(r"<(/?)([a-zA-Z][^\s/<>]*)([^<>]*)>|<!--")
# Tags that are markup even bare and alone: void elements and elements with no text.
_ALWAYS_MARKUP = frozenset(
    "area base br col embed hr iframe img input link meta object param script source style"
    " svg track wbr".split()
)

# Raw-text elements: their content is not markup; dropped up to their end tag.
_RAW_ELEMENTS = "script style iframe noembed noframes noscript title textarea xmp".split()
# Elements dropped with everything inside them (void ones like <img> have nothing inside).
# MathML keeps its text (its <annotation>s repeat it as TeX or MathML); SVG only its
# <title> and <desc> (see _svg_text()).
_DROP_ELEMENTS = (
    "annotation annotation-xml applet audio button canvas datalist form frameset head map"
    " object picture select svg template video"
).split()
_RAW, _DROP = 1, 2
_BODY_SPECIAL = {**dict.fromkeys(_RAW_ELEMENTS, _RAW), **dict.fromkeys(_DROP_ELEMENTS, _DROP)}
_TITLE_SPECIAL = {"script": _RAW, "style": _RAW}
_ELEMENT_NAMES = sorted(
    {*_START_MARKS, *_BODY_SPECIAL}
    | set("area base body col embed frame html input keygen link meta param source track".split()),
    key=len,
    reverse=True,
)
_ELEMENT_TAG_RE = re.compile(rf"</?(?:{'|'.join(_ELEMENT_NAMES)})\b", re.IGNORECASE)
_JOINED_RE = re.compile(
    rf"((?:<|&(?:amp;)*(?:lt|#0*60|#x0*3c);?)/?){_GONE}+(?=/?(?:{'|'.join(_ELEMENT_NAMES)})\b)",
    re.IGNORECASE,
)

# Paragraph assembly on whitespace-collapsed text: a run of markers (and the
# spaces between them) is a paragraph break; a list item if text follows and
# the run's last bullet/end-of-list marker is a bullet.
_MARKS = f"{_PARA}{_BULLET}{_ENDLIST}"
# Every run starts with _PARA (the other markers are only emitted after one);
# the lookbehinds anchor matches there, which keeps long runs linear (and
# the leading literal lets the regex engine skip ahead fast).
_ITEM_BREAK_RE = re.compile(
    f"{_PARA}(?<![{_MARKS}]{_PARA})(?<![{_MARKS}] {_PARA})"
    f"[ {_MARKS}]*{_BULLET}[ {_PARA}]*(?=[^ {_MARKS}])"
)
_BREAK_RE = re.compile(f"{_PARA}[ {_MARKS}]*")
_ANY_MARK_RE = re.compile(f"[{_MARKS}]")
_SVG_TEXT_RE = re.compile(r"<(title|desc)(?=[\s/>])[^>]*+>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
# A tag starting inside another token: a known element's, an end tag, a comment.
_INNER_TAG_RE = re.compile(rf"<(?:[/!?]|(?:{'|'.join(_ELEMENT_NAMES)})\b)", re.IGNORECASE)
_START_NAME_RE = re.compile(r"<([a-zA-Z][^\s/>]*)")
_END_NAME_RE = re.compile(r"</([a-zA-Z][^\s/>]*)")

_END_PATTERNS: dict[str, re.Pattern[str]] = {}
_NESTING_PATTERNS: dict[str, re.Pattern[str]] = {}

_HN_ITEM = "news.ycombinator.com/item?id="
_HN_POINTS_RE = re.compile(r"\bPoints:\s*(\d+)|\b(\d+) points?\b", re.IGNORECASE)
_HN_COMMENTS_RE = re.compile(r"# Comments:\s*(\d+)|\b(\d+) comments?\b", re.IGNORECASE)

_TITLE_EXCERPT = 80
_MAX_UNESCAPE = 8


def html_to_text(html: str) -> str:
    """Convert HTML (or plain text) to readable plain text.

    Block elements become paragraphs, list items become ``- `` paragraphs,
    ``<br>`` and blank lines in the source break paragraphs too; scripts,
    styles, media, forms and images (tracking pixels included) are dropped with
    their content. Entities are decoded (repeatedly, for double-escaped
    feeds), and when the decoded text holds more tags than the markup did, the
    input is taken as escaped HTML and converted once more. Text that merely
    contains ``<`` (``a < b``) survives.

    Args:
        html: the HTML fragment or document, or plain text.

    Returns:
        Paragraphs separated by one blank line (``"\\n\\n"``), whitespace
        collapsed inside them; no HTML, entities or control characters.
    """
    return _convert(html, title=False)


def clean_title(text: str) -> str:
    """Convert a title that may hold HTML or entities to one line of plain text.

    Unlike :func:`html_to_text`, only scripts and styles lose their content,
    so ``Introducing <canvas>`` keeps the words around the tag.

    Args:
        text: the title as the feed gave it.

    Returns:
        One line, whitespace collapsed, no control characters; ``""`` if
        nothing readable is left.
    """
    return _convert(text, title=True)


def strip_controls(text: str) -> str:
    """Remove control and invisible formatting characters, keeping line breaks.

    Tabs become spaces; CR LF, CR, VT, FF, NEL and the Unicode line and
    paragraph separators become ``"\\n"``. Removed: the other C0 controls, DEL,
    C1 controls, soft hyphens, zero-width characters, bidi controls
    (U+200E/F, U+202A-U+202E, U+2066-U+2069), word joiners, the BOM and lone
    surrogates.

    Args:
        text: any text.

    Returns:
        The text with only printable characters, spaces and ``"\\n"``.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub(_control_repl, text)


def clean_url(url: str) -> str:
    """Keep a link only when it is an absolute http(s) URL, made safe to show.

    Browsers ignore tabs and newlines inside a URL (``java\tscript:`` is
    ``javascript:``), so those go first; then anything but an absolute http or
    https URL is refused: ``javascript:``, ``data:``, ``file:``, ``urn:``,
    relative or scheme-less links. Whitespace and control or invisible
    characters left inside are percent-encoded, so a URL never carries a
    terminal escape.

    Args:
        url: a link as a feed gave it.

    Returns:
        The URL, or ``""``.
    """
    text = url.strip(_URL_STRIP)
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", "").replace("\n", "").replace("\r", "")
    if not _URL_START_RE.match(text):
        return ""
    return _URL_UNSAFE_RE.sub(lambda m: quote(m[0], safe=""), text)


def normalize_entry(
    entry: Entry,
    *,
    category: str,
    now: datetime,
    tracking_params: frozenset[str] | None = None,
    category_rules: Sequence[CategoryRule] = (),
) -> Story:
    """Build a normalized story from a parsed feed entry.

    The body is whichever of the content and the summary yields more text,
    without the boilerplate feeds append (:func:`~aggregator.ingest.cleanup.clean_body`);
    mojibake is repaired in the title, body, author and tags first
    (:func:`~aggregator.ingest.cleanup.fix_mojibake`). The title falls back to the
    start of the body, then to ``"(untitled)"``; the date to ``updated``, then
    to ``now``. The category is the feed's, refined by ``category_rules``
    (:func:`~aggregator.ingest.categories.categorize`). Questions and actions are
    left empty. Enclosures and the comments link keep only absolute http(s) URLs.

    Args:
        entry: the parsed entry.
        category: the feed's category, any case (``""`` means ``GENERAL``).
        now: the time of the poll, the date of undated entries.
        tracking_params: extra query parameters to drop from the canonical URL.
        category_rules: the ``[[categories]]`` rules, in order.

    Returns:
        The story, dated in UTC (naive datetimes are taken as UTC).
    """
    body = html_to_text(drop_cards(fix_mojibake(entry.content_html)))
    if entry.summary_html and entry.summary_html != entry.content_html:
        summary = html_to_text(drop_cards(fix_mojibake(entry.summary_html)))
        if len(summary) > len(body):
            body = summary
    body = clean_body(body)
    if not body and _HN_ITEM in f"{entry.guid} {entry.content_html} {entry.summary_html}":
        body = _hacker_news_body(entry)
    title = clean_title(fix_mojibake(entry.title)) or _excerpt(body, _TITLE_EXCERPT) or "(untitled)"
    url = clean_url(original_link(entry.link, guid=entry.guid, original=entry.original_link))
    tags = _clean_tags(entry.tags)
    return Story(
        category=categorize(
            feed_category=category, title=title, body=body, tags=tags, rules=category_rules
        ),
        title=title,
        published=_utc(entry.published or entry.updated or now),
        body=body,
        url=url,
        canonical_url=canonical_url(url, tracking_params=tracking_params) if url else "",
        guid=_GUID_UNSAFE_RE.sub("", entry.guid),
        author=clean_title(fix_mojibake(entry.author)),
        tags=tags,
        lang=detect_language(title, body),
        enclosures=clean_enclosures(entry.enclosures),
        comments=clean_url(entry.comments),
    )


def _hacker_news_body(entry: Entry) -> str:
    """What a Hacker News link post is, for a feed that gives it no text of its own.

    Empty when the entry links to no other site. Its description is only the comments
    link (news.ycombinator.com/rss), or the article and comments URLs with the points and
    the comment count (hnrss.org, hnapp).
    """
    text = html_to_text(f"{entry.summary_html}\n\n{entry.content_html}")
    host = urlsplit(clean_url(entry.link)).hostname or ""
    host = host.removeprefix("www.")
    if not host or host == "news.ycombinator.com":
        return ""  # no linked article to speak of: the body stays empty
    what = f"Link post on Hacker News to {host}"
    counts = []
    for pattern, unit in ((_HN_POINTS_RE, "point"), (_HN_COMMENTS_RE, "comment")):
        match = pattern.search(text)
        if match:
            number = next(g for g in match.groups() if g is not None)
            counts.append(f"{number} {unit}{'' if number == '1' else 's'}")
    return f"{what}: {', '.join(counts)}." if counts else f"{what}."


def clean_enclosures(enclosures: Sequence[Enclosure]) -> tuple[Enclosure, ...]:
    """Keep the enclosures with an absolute http(s) URL (made safe, as :func:`clean_url`),
    one per URL, with a one-line MIME type of at most 100 characters."""
    out: dict[str, Enclosure] = {}
    for enc in enclosures:
        url = clean_url(enc.url)
        kind = "".join(strip_controls(enc.type).split())[:100]
        if url and url not in out:
            out[url] = Enclosure(url=url, type=kind, length=enc.length, duration=enc.duration)
    return tuple(out.values())


def _control_repl(match: re.Match[str]) -> str:
    return _CONTROL_MAP.get(match.group(), "")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _excerpt(body: str, limit: int) -> str:
    flat = " ".join(body.split())
    if len(flat) <= limit:
        return flat
    head = flat[: limit + 1]
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else flat[:limit]).rstrip(" ,;:-") + "…"


def _clean_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        text = clean_title(fix_mojibake(tag))
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            out.append(text)
    return tuple(out)


def _convert(markup: str, *, title: bool) -> str:
    """The text of ``markup``: scan, decode, re-scan if double-escaped, assemble."""
    if not markup:
        return ""
    if _INPUT_C0_RE.search(markup):
        markup = _INPUT_C0_RE.sub("", markup)
    if "<" in markup:
        if "<![CDATA[" in markup:
            markup = _CDATA_RE.sub(r"\1", markup)
        markup = _drop_invisible(markup)
        text = _text_of(markup, title=title)
        if "<" in text and (
            _count_text_tags(text) > _count_real_tags(markup) or _has_escaped_markup(text)
        ):
            # More tags in the text than in the markup, or escaped elements opened and
            # closed again (reddit mixes "&lt;p&gt;...&lt;/p&gt;" with real <a> tags):
            # escaped HTML. Unescape once and convert that instead.
            text = _text_of(_drop_invisible(_html.unescape(markup)), title=title)
    else:
        text = _decode(markup)
        if "<" in text and (_count_text_tags(text) or (title and _names_element(text))):
            # In a title any element's tag counts: titles are short, and one that
            # escapes "<b>" escapes markup, not prose about an element.
            text = _text_of(_html.unescape(markup), title=title)
    return _assemble(text, title=title)


def _drop_invisible(markup: str) -> str:
    """``markup`` without invisible characters, written as such or as references."""
    if _MARKUP_INVISIBLE_RE.search(markup):
        markup = _MARKUP_INVISIBLE_RE.sub("", markup)
    if "&" in markup:
        markup = _INVISIBLE_REF_RE.sub(_invisible_ref, markup)
    return markup


def _invisible_ref(match: re.Match[str]) -> str:
    ref = match[0]
    return "" if _MARKUP_INVISIBLE_RE.fullmatch(_html.unescape(ref)) else ref


def _text_of(markup: str, *, title: bool) -> str:
    """The decoded text of markup (still with paragraph markers)."""
    text = _decode(_scan(markup, title=title))
    if "<" in text and _ELEMENT_TAG_RE.search(text):
        # A tag in the text: quoted markup, or one put together across markup that was
        # removed ("<<b></b>img onerror=...>"). Scan again, keeping those apart.
        text = _decode(_unjoin(_scan(markup, title=title, guard=True)))
    return text


def _scan(markup: str, *, title: bool, guard: bool = False) -> str:
    """Replace the markup with paragraph markers, dropping scripts, media and the like.

    With ``guard``, markup removed right after a "<" leaves :data:`_GONE` (see
    :func:`_unjoin`).
    """
    replace = _REPLACERS[title, guard]
    try:
        return _TOKEN_RE.sub(replace, markup)
    except _SpecialElement:
        pass
    # Slow path: tokenize in a loop that can jump over the content of scripts,
    # styles, iframes, svg ... (their end tag is searched for).
    special = _TITLE_SPECIAL if title else _BODY_SPECIAL
    chunks: list[str] = []
    append = chunks.append
    unclosed: set[str] = set()  # no end tag after here: don't search again (quadratic)
    search = _TOKEN_RE.search
    pos = 0
    while True:
        match = search(markup, pos)
        if match is None:
            append(markup[pos:])
            return "".join(chunks)
        start, end = match.span()
        append(markup[pos:start])
        pos = end
        if match.lastindex == _START and match[3]:
            name = match[1].lower()
            kind = special.get(name)
            if kind is not None:
                # "<svg/>" has no content; an element never closed loses only its tag.
                if name not in unclosed and not (kind == _DROP and match[2].endswith("/")):
                    finder = _raw_text_end if kind == _RAW else _element_end
                    pos = finder(markup, name, end)
                    if pos == end:
                        unclosed.add(name)
                append(_gone(match) if guard else "")
                if name == "svg" and pos > end:
                    append(_svg_text(markup, end, pos, guard=guard))
                continue
        append(replace(match))


def _svg_text(markup: str, start: int, end: int, *, guard: bool) -> str:
    """The text of the ``<title>`` and ``<desc>`` elements of an SVG image (its alt text)."""
    replace = _REPLACERS[True, guard]
    texts = []
    for match in _SVG_TEXT_RE.finditer(markup, start, end):
        try:
            texts.append(_TOKEN_RE.sub(replace, match[2]))
        except _SpecialElement:  # a script or style in there: not text
            continue
    return f" {' '.join(texts)} " if texts else ""


def _is_markup(match: re.Match[str]) -> bool:
    """Whether a start or end tag of a name that is not an HTML element is markup.

    It is when the name is namespaced or a custom element's (``o:p``,
    ``my-widget``), when it has an attribute with a value, when it closes itself
    (``<x/>``), when its element is
    both opened and closed in the text (``<foo>...</foo>``), or when a tag starts
    inside it (``<T <b>``: the tag eats the ``<b>``, and must not show it as text).
    Otherwise it is an angle-bracketed word: ``Vec<T>``, ``vector<int>``, ``Result<T, E>``.
    """
    name = match[1] or match[4]
    lowered = name.lower()
    if lowered in _KNOWN_ELEMENTS or _ELEMENT_LIKE_RE.fullmatch(name):
        return True
    token = match[0]
    if _ATTRIBUTE_RE.search(token) or _INNER_TAG_RE.search(token, 1):
        return True
    if token.endswith("/>"):  # self-closing syntax: <x/> is written only as markup
        return True
    opened, closed = _names_in(match.string)
    return lowered in opened and lowered in closed


_names_cache: list[object] = [None, (frozenset(), frozenset())]


def _names_in(markup: str) -> tuple[frozenset[str], frozenset[str]]:
    """The names of the start tags and end tags in ``markup`` (lower case; remembers the last)."""
    if _names_cache[0] is not markup:
        opened = frozenset(n.lower() for n in _START_NAME_RE.findall(markup))
        closed = frozenset(n.lower() for n in _END_NAME_RE.findall(markup))
        _names_cache[:] = [markup, (opened, closed)]
    return _names_cache[1]  # type: ignore[return-value]


def _gone(match: re.Match[str]) -> str:
    """What removed markup leaves: nothing, or :data:`_GONE` right after "<", "&lt;", "</"."""
    start = match.start()
    return _GONE if start and match.string[start - 1] in _BEFORE_GONE else ""


def _nothing(match: re.Match[str]) -> str:
    return ""


def _unjoin(text: str) -> str:
    """Keep a "<" (or "&lt;") before removed markup from making a tag with what follows.

    Only the names of HTML elements count: ``&lt;<span>fun</span>&gt;`` stays "<fun>".
    """
    if _GONE in text:
        text = _JOINED_RE.sub(r"\1 ", text)
    return text


class _SpecialElement(Exception):
    """The fast path met an element whose content must be dropped: take the slow path."""


def _replacer(special: dict[str, int], *, guard: bool) -> Callable[[re.Match[str]], str]:
    """A function giving what one token of markup leaves in the text (for ``re.sub``).

    With ``guard``, markup that leaves nothing leaves :data:`_GONE` after a "<".
    """
    start_marks = _START_MARKS
    end_marks = _END_MARKS
    gone = _gone if guard else _nothing

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name is not None:  # a start tag
            if match[3]:
                mark = start_marks.get(name)
                if mark is None:
                    name = name.lower()
                    mark = start_marks.get(name)
                    if mark is None:
                        if name in special:
                            raise _SpecialElement
                        if not _is_markup(match):
                            return match[0]  # "Vec<T>": an angle-bracketed word
                        mark = ""
                return mark or gone(match)
            # Unterminated, so the token runs to the end: with no ">" at all,
            # "a<b" is text; a ">" in an unclosed quote: the tag eats the rest (HTML5).
            return gone(match) if ">" in match[2] else match[0]
        name = match[4]
        if name is not None:  # an end tag
            if match[5]:
                mark = end_marks.get(name)
                if mark is None:
                    mark = end_marks.get(name.lower())
                    if mark is None:
                        if not _is_markup(match):
                            return match[0]
                        mark = ""
                return mark or gone(match)
            return match[0]  # "</b" with no ">" anywhere after it: text
        if match.lastindex == _OTHER and not match[7]:
            return match[0]  # "<!" or "<?" with no ">" anywhere after it: text
        return gone(match)  # comments, doctypes, processing instructions

    return replace


_REPLACERS = {
    (title, guard): _replacer(_TITLE_SPECIAL if title else _BODY_SPECIAL, guard=guard)
    for title in (False, True)
    for guard in (False, True)
}


def _raw_text_end(markup: str, name: str, pos: int) -> int:
    """Where the raw-text element ``name`` opened before ``pos`` ends (``pos`` if never)."""
    pattern = _END_PATTERNS.get(name)
    if pattern is None:
        pattern = re.compile(rf"</{name}(?=[\s/>])[^>]*+>?", re.IGNORECASE)
        _END_PATTERNS[name] = pattern
    match = pattern.search(markup, pos)
    # Lenient where HTML5 is not: an unclosed <script> drops only itself, not the rest.
    return match.end() if match else pos


def _element_end(markup: str, name: str, pos: int) -> int:
    """Where the element ``name`` opened before ``pos`` ends, counting nested ones.

    Unbalanced: its last end tag; never closed: ``pos`` (only the tag is dropped).
    """
    pattern = _NESTING_PATTERNS.get(name)
    if pattern is None:
        pattern = re.compile(rf"<(/?){name}(?=[\s/>])[^>]*+>?", re.IGNORECASE)
        _NESTING_PATTERNS[name] = pattern
    depth = 1
    last_end = pos
    for match in pattern.finditer(markup, pos):
        if match.group(1):
            depth -= 1
            last_end = match.end()
            if depth == 0:
                break
        elif not match.group().endswith("/>"):
            depth += 1
    return last_end


def _count_real_tags(markup: str) -> int:
    """How many complete start and end tags the markup holds (not angle-bracketed words)."""
    return sum(
        1
        for match in _TOKEN_RE.finditer(markup)
        if match.lastindex in (_START, _END) and match.group(match.lastindex) and _is_markup(match)
    )


def _has_escaped_markup(text: str) -> bool:
    """Whether decoded text outside <pre>/<code> holds an HTML comment or an element
    opened and closed again (``<p>...</p>``): markup, not prose that mentions a tag."""
    if _CODE_OPEN in text:
        depth = 0
        outside = []
        for piece in _CODE_SPLIT_RE.split(text):
            if piece == _CODE_OPEN:
                depth += 1
            elif piece == _CODE_CLOSE:
                depth = max(depth - 1, 0)
            elif not depth:
                outside.append(piece)
        text = " ".join(outside)
    return _ESCAPED_PAIR_RE.search(text) is not None


def _names_element(text: str) -> bool:
    """Whether the decoded text holds a start or end tag of a known element."""
    return any(
        match[2] is not None and match[2].lower() in _KNOWN_ELEMENTS
        for match in _TEXT_TAG_RE.finditer(text)
    )


def _count_text_tags(text: str) -> int:
    """How many tags that look like markup the decoded text holds outside <pre> and <code>.

    Counted: comments, end tags and tags with attributes of elements, and void or
    textless elements (``<br>``, ``<img>``, ``<script>``). Not counted, as a browser
    shows them when they were escaped once: angle-bracketed words (``<T>``), and an
    element named in prose (``the <dialog> element``).
    """
    if _CODE_OPEN not in text:
        return _markup_signs(text)
    count = depth = 0
    for piece in _CODE_SPLIT_RE.split(text):
        if piece == _CODE_OPEN:
            depth += 1
        elif piece == _CODE_CLOSE:
            depth = max(depth - 1, 0)
        elif not depth:
            count += _markup_signs(piece)
    return count


def _markup_signs(text: str) -> int:
    count = 0
    for match in _TEXT_TAG_RE.finditer(text):
        name = match[2]
        if name is None:  # a comment
            count += 1
            continue
        lowered = name.lower()
        if lowered in _KNOWN_ELEMENTS or _ELEMENT_LIKE_RE.fullmatch(name):
            rest = match[3]
            if (
                match[1]
                or lowered in _ALWAYS_MARKUP
                or rest.strip() == "/"
                or _ATTRIBUTE_RE.search(rest)
            ):
                count += 1
    return count


def _decode(text: str) -> str:
    """Decode entities until none are left and drop invisible characters (keeps markers)."""
    if "&amp;amp;" in text:
        # What repeated unescaping does to "&amp;amp;...", in one linear pass.
        text = _AMP_CHAIN_RE.sub("&", text)
    for _ in range(_MAX_UNESCAPE):
        text = _TEXT_JUNK_RE.sub("", text)
        if "&" not in text:
            return text
        decoded = text
        for _ in range(_MAX_UNESCAPE):
            again = _html.unescape(decoded)
            if again == decoded:
                break
            decoded = again
        if decoded == text:
            return text
        text = decoded  # decoding may have produced invisible characters: go round
    return _TEXT_JUNK_RE.sub("", text)


def _assemble(text: str, *, title: bool) -> str:
    """Collapse whitespace and turn the markers (and blank lines) into paragraph breaks."""
    if _CODE_OPEN in text or _CODE_CLOSE in text:
        text = text.replace(_CODE_OPEN, "").replace(_CODE_CLOSE, "")
        if "&" in text:  # "&am<code>p;": the removal can complete an entity
            text = _decode(text)
    if title:
        return " ".join(_ANY_MARK_RE.sub(" ", text).split())
    if "\n" in text:
        text = _BLANK_LINE_RE.sub(_PARA, text)
    text = " ".join(text.split())
    if _BULLET in text:
        text = _ITEM_BREAK_RE.sub("\n\n- ", text)
    text = _BREAK_RE.sub("\n\n", text)
    return text.replace(" \n\n", "\n\n").strip()
