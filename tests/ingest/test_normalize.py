"""Tests for aggregator.ingest.normalize: HTML to text, titles, control characters, entries."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.ingest import normalize
from aggregator.ingest.normalize import clean_title, html_to_text, normalize_entry, strip_controls
from aggregator.models import Entry, Story

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)

# What must never be left in the output: C0 controls (newlines are checked
# separately), DEL, C1, zero-width and bidi controls, BOM, lone surrogates.
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
TAG_LIKE = re.compile(r"<[^<>]*>")


def assert_layout(text: str) -> None:
    """The invariants of html_to_text output."""
    assert not FORBIDDEN.search(text), repr(text)
    assert html.unescape(text) == text, f"undecoded entity in {text!r}"
    if not text:
        return
    for paragraph in text.split("\n\n"):
        assert paragraph, repr(text)
        assert "\n" not in paragraph, repr(text)
        assert paragraph == paragraph.strip(), repr(text)
        assert paragraph == " ".join(paragraph.split()), repr(text)


# --- html_to_text: structure ------------------------------------------------


def test_paragraphs_are_separated_by_one_blank_line() -> None:
    markup = "<p>First  paragraph\n with <b>bold</b> text.</p>\n\n\n<div>Second</div><p>Third</p>"
    assert html_to_text(markup) == "First paragraph with bold text.\n\nSecond\n\nThird"


def test_headings_blockquote_figure_and_hr_are_paragraphs() -> None:
    markup = (
        "<h2>Title</h2><blockquote>Quote</blockquote><figure><img src='x.jpg'>"
        "<figcaption>Caption</figcaption></figure><hr>After"
    )
    assert html_to_text(markup) == "Title\n\nQuote\n\nCaption\n\nAfter"


def test_br_breaks_paragraphs() -> None:
    assert html_to_text("<p>line one<br>line two<br/>line three</p>") == (
        "line one\n\nline two\n\nline three"
    )


def test_inline_elements_do_not_add_spaces() -> None:
    assert html_to_text("<p>un<b>believ</b><i>able</i> <a href='/x'>link</a></p>") == (
        "unbelievable link"
    )


def test_list_items_are_dash_paragraphs() -> None:
    markup = "<p>Intro:</p><ul><li>one</li><li>two <em>words</em></li></ul><ol><li>three</li></ol>"
    assert html_to_text(markup) == "Intro:\n\n- one\n\n- two words\n\n- three"


def test_list_item_with_nested_paragraph_and_empty_items() -> None:
    markup = "<ul><li><p>nested</p></li><li></li><li><img src=x></li></ul><p>after</p>"
    assert html_to_text(markup) == "- nested\n\nafter"


def test_table_cells_are_separated() -> None:
    markup = "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
    assert html_to_text(markup) == "a b\n\n1 2"


def test_pre_is_one_collapsed_paragraph() -> None:
    assert html_to_text("<p>Run:</p><pre>make\n    test</pre>done") == "Run:\n\nmake test\n\ndone"


def test_plain_text_keeps_its_blank_line_paragraphs() -> None:
    text = "First line\ncontinues here.\n\n  \nSecond paragraph."
    assert html_to_text(text) == "First line continues here.\n\nSecond paragraph."


def test_empty_and_blank_input() -> None:
    assert html_to_text("") == ""
    assert html_to_text("  \n\t ") == ""
    assert html_to_text("<p> </p><div><br></div>") == ""


# --- html_to_text: entities -------------------------------------------------


def test_entities_are_decoded() -> None:
    markup = "<p>Angie&#8217;s List &amp; Co. &ldquo;ANGI&rdquo; &#x2014; &lt;3 caf&eacute;</p>"
    assert html_to_text(markup) == "Angie’s List & Co. “ANGI” — <3 café"


def test_nbsp_becomes_a_space() -> None:
    assert html_to_text("<p>I&nbsp;still&#160;was\u00a0not&nbsp;&nbsp;given</p>") == (
        "I still was not given"
    )


def test_double_escaped_entities_are_decoded() -> None:
    # Seen in feeds: "I&amp;nbsp;still" inside already-escaped HTML.
    assert html_to_text("<p>Tom &amp;amp; Jerry, I&amp;nbsp;still</p>") == "Tom & Jerry, I still"


def test_double_escaped_html_is_converted() -> None:
    # reddit's RSS descriptions: escaped HTML that feedparser hands over as text.
    markup = (
        "&lt;!-- SC_OFF --&gt;&lt;div class=&quot;md&quot;&gt;&lt;p&gt;Hey Reddit! "
        "Last week &lt;a href=&quot;http://www.vonwong.com/blog/&quot;&gt;I dragged a model"
        "&lt;/a&gt; into the sea. AT&amp;amp;T &amp;lt;3&lt;/p&gt; &lt;p&gt;Proof: here"
        "&lt;/p&gt;&lt;/div&gt;&lt;!-- SC_ON --&gt;"
    )
    assert html_to_text(markup) == (
        "Hey Reddit! Last week I dragged a model into the sea. AT&T <3\n\nProof: here"
    )


def test_escaped_html_wrapped_in_a_real_tag_is_converted() -> None:
    markup = (
        "<div>&lt;p&gt;one&lt;/p&gt;&lt;p&gt;two&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</div>"
    )
    assert html_to_text(markup) == "one\n\ntwo"


def test_escaped_html_in_cdata_is_converted() -> None:
    assert html_to_text("<![CDATA[&lt;p&gt;Hello&lt;/p&gt;&lt;p&gt;World&lt;/p&gt;]]>") == (
        "Hello\n\nWorld"
    )


def test_markup_mentioned_in_an_article_survives() -> None:
    # More real tags than escaped ones, and the example sits in <code>: text, not markup.
    markup = (
        "<p>The new TwiML <code>&lt;Stream&gt;</code> command streams call audio. "
        "Use <b>git clone</b> &lt;package_name&gt; to fetch it.</p>"
    )
    assert html_to_text(markup) == (
        "The new TwiML <Stream> command streams call audio. "
        "Use git clone <package_name> to fetch it."
    )


def test_plain_text_comparison_survives() -> None:
    assert html_to_text("a < b and c > d") == "a < b and c > d"
    assert html_to_text("<p>if a &lt; b then</p>") == "if a < b then"
    assert html_to_text("x<y") == "x<y"
    assert html_to_text("I </3 you") == "I </3 you"


# --- html_to_text: dropped content -----------------------------------------


def test_script_style_and_friends_are_dropped_with_their_content() -> None:
    markup = (
        "<style>p { color: red }</style><p>Visible</p>"
        "<script>document.write('<p>hidden</p>');</script>"
        "<noscript><img src='x'>Enable JS</noscript>"
        "<iframe src='https://www.youtube.com/embed/x'>fallback</iframe>"
        "<form><button>Subscribe</button><input name=q></form>"
        "<svg viewBox='0 0 1 1'><title>icon</title><text>svg text</text></svg>"
        "<video controls><source src=x.mp4>Your browser</video>"
        "<object><embed src='x.swf'>flash</object><template><p>tpl</p></template>"
        "<p>Also <SCRIPT type='text/javascript'>x</SCRIPT>visible</p>"
    )
    # Of the SVG image only its <title> is left (its alt text, see the SVG tests below).
    assert html_to_text(markup) == "Visible\n\nicon\n\nAlso visible"


def test_head_of_a_full_document_is_dropped() -> None:
    markup = (
        "<!DOCTYPE html><html><head><title>Page</title><meta charset=utf-8>"
        "<style>body{}</style></head><body><p>Body text</p></body></html>"
    )
    assert html_to_text(markup) == "Body text"


def test_unclosed_dropped_element_loses_only_its_tag() -> None:
    assert html_to_text("<p>before <form>the rest</p>") == "before the rest"
    assert html_to_text("<p>before <script>the rest</p>") == "before the rest"


def test_tracking_pixels_are_dropped() -> None:
    markup = (
        '<p>Story text.</p><img alt="" border="0" src="http://pixel.wp.com/b.gif?host='
        'indianexpress.com&#038;blog=53855017&#038;post=4463964&#038;ref=&#038;feed=1" '
        'width="1" height="1" /><img src="//feeds.feedburner.com/~r/cre-podcast/~4/8l3cm" '
        'height="1" width="1" alt=""/>'
        '<div class="feedflare"><a href="http://feeds.feedburner.com/~ff/x?a=1">'
        '<img src="http://feeds.feedburner.com/~ff/x?d=1" border="0"></img></a></div>'
    )
    assert html_to_text(markup) == "Story text."


def test_comments_doctype_and_processing_instructions_are_dropped() -> None:
    assert html_to_text("<?xml version='1.0'?><!-- note -->vis<!--->ib<!---->le") == "visible"


def test_attribute_values_with_angle_brackets() -> None:
    assert html_to_text("<a title=\"a > b\" data-x='<p>'>link</a> text") == "link text"


def test_unterminated_tag_at_the_end() -> None:
    assert html_to_text("text <a href='x") == "text <a href='x"
    assert html_to_text('text <a title="x>y') == "text"


# --- html_to_text: invisible characters -------------------------------------


def test_zero_width_and_bidi_characters_are_removed() -> None:
    markup = "zero\u200bwidth \ufeffBOM \u202eevil\u202c \u2066iso\u2069 soft\u00adhyphen"
    assert html_to_text(markup) == "zerowidth BOM evil iso softhyphen"


def test_encoded_invisible_characters_are_removed() -> None:
    assert html_to_text("<p>a&#8203;b &#x202E;c&shy;d &#1;e &#x85;f</p>") == "ab cd e …f"


@pytest.mark.parametrize("hidden", ["\u202e", "&#8238;", "&#x202E;", "&shy;", "&lrm;"])
def test_an_invisible_character_inside_a_tag_does_not_leave_the_tag_as_text(hidden: str) -> None:
    # Dropped after the scan, the character would turn "<\u202ea href=...>" into a
    # tag shown as text: it goes before the markup is read.
    markup = f'<{hidden}a href="https://example.com/item?id=1">Comments</a>'
    assert html_to_text(markup) == "Comments"
    assert clean_title(f"Read <{hidden}b>this</b>") == "Read this"


def test_control_characters_are_removed() -> None:
    assert html_to_text("a\x00b\x07c\x1bd\x7fe\x9ff\tg\r\nh") == "abcdef g h"


# --- clean_title ------------------------------------------------------------


def test_clean_title_makes_one_line() -> None:
    assert clean_title("  Breaking:\n <b>Big</b>&nbsp;news &amp; more\t ") == (
        "Breaking: Big news & more"
    )


def test_clean_title_keeps_text_around_tags() -> None:
    assert clean_title("Introducing <canvas> support &#8211; part 2") == (
        "Introducing support – part 2"
    )
    assert clean_title("<p>One</p><p>Two</p>") == "One Two"
    assert clean_title("<script>alert(1)</script>Safe") == "Safe"


def test_clean_title_plain_and_empty() -> None:
    assert clean_title("a < b") == "a < b"
    assert clean_title("AT&T") == "AT&T"
    assert clean_title("") == ""
    assert clean_title(" \u200b ") == ""


# --- strip_controls ---------------------------------------------------------


def test_strip_controls() -> None:
    text = "a\tb\r\nc\rd\x00e\u200bf\u2028g\x85h\x0bi\ufeffj\u202ek\x9fl"
    assert strip_controls(text) == "a b\nc\ndef\ng\nh\nijkl"


def test_strip_controls_keeps_ordinary_text() -> None:
    text = "Grüße, 世界! 👍🏽 — “quotes”\nnext line"
    assert strip_controls(text) == text


# --- properties -------------------------------------------------------------

BLOCK_TAGS = ["p", "div", "li", "ul", "ol", "h2", "blockquote", "pre", "section", "tr", "td"]
INLINE_TAGS = ["a", "b", "em", "span", "code", "font", "abbr"]
RAW_TAGS = ["script", "style", "iframe", "noscript"]  # content is text up to the end tag
DROPPED_TAGS = [*RAW_TAGS, "svg", "form", "video", "template"]
VOID_TAGS = ["br", "img", "hr", "wbr"]
# Text without "&" or ">": nothing in it can decode to, or form, a tag.
TEXT_ALPHABET = (
    "abcxyzABC019 <;#=/'\"-\n\t\u00a0\u2003\u3000\u200b\u202e\ufeff\u00ad\x01\x1f\x7f\x85\x9féß世👍"
)
INVISIBLE = "\u200b\u202e\ufeff\u00ad\x01\x1f\x7f\x85\x9f"

attribute_values = st.text(alphabet="ab <>&\"'=/;#", max_size=8)
attributes = st.lists(
    st.tuples(st.sampled_from(["href", "title", "class", "data-x"]), attribute_values),
    max_size=2,
)


@st.composite
def html_trees(draw: st.DrawFn, depth: int = 0, in_raw: bool = False) -> tuple[str, str]:
    """Random markup and the visible text it holds (escaped text, real tags).

    No raw-text element inside another: "<script><script></script>x</script>"
    shows "x" in browsers too.
    """
    parts: list[tuple[str, str]] = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.integers(0, 4 if depth < 3 else 1))
        if choice <= 1:
            text = draw(st.text(alphabet=TEXT_ALPHABET, max_size=12))
            parts.append((html.escape(text, quote=False), text))
        elif choice == 2:
            tag = draw(st.sampled_from(VOID_TAGS))
            parts.append((f"<{tag}{render_attrs(draw(attributes))}>", ""))
        else:
            tags = BLOCK_TAGS + INLINE_TAGS + DROPPED_TAGS
            tag = draw(st.sampled_from([t for t in tags if not (in_raw and t in RAW_TAGS)]))
            inner, visible = draw(html_trees(depth + 1, in_raw or tag in RAW_TAGS))
            opening = (
                f"<{draw(st.sampled_from([tag, tag.upper()]))}{render_attrs(draw(attributes))}>"
            )
            parts.append((f"{opening}{inner}</{tag}>", "" if tag in DROPPED_TAGS else visible))
    return "".join(p[0] for p in parts), "".join(p[1] for p in parts)


def render_attrs(attrs: list[tuple[str, str]]) -> str:
    return "".join(f' {name}="{html.escape(value)}"' for name, value in attrs)


def significant(text: str) -> str:
    """The characters that must survive conversion, in order."""
    return "".join(c for c in text if not c.isspace() and c not in INVISIBLE + "-")


@settings(max_examples=300)
@given(html_trees())
def test_property_markup_is_removed_and_text_kept(tree: tuple[str, str]) -> None:
    markup, visible = tree
    text = html_to_text(markup)
    assert_layout(text)
    assert not TAG_LIKE.search(text), (markup, text)
    assert significant(text) == significant(visible), (markup, text)


FRAGMENTS = [
    "<p>",
    "</p>",
    "<li>",
    "</li>",
    "<ul>",
    "<br>",
    "<b>",
    "</b>",
    "<pre>",
    "<code>",
    "</code>",
    "<script>",
    "</script>",
    "<svg>",
    "</svg>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<a href='",
    '"',
    "<",
    ">",
    "&",
    ";",
    "&amp;",
    "&lt;",
    "&gt;",
    "&amp;lt;p&amp;gt;",
    "&lt;p&gt;",
    "&#39;",
    "&#x200b;",
    "&#8238;",
    "&nbsp;",
    "&nbsp",
    "&am",
    "p;",
    "\x00",
    "\x02",
    "\x03",
    "\x04",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\u2028",
    "\r\n",
    "\n\n",
    " ",
    "- ",
]
soups = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=30).map(
    "".join
)


@settings(max_examples=500)
@given(st.one_of(st.text(), soups))
def test_property_output_is_clean_for_any_input(markup: str) -> None:
    text = html_to_text(markup)
    assert_layout(text)
    if "<" not in text and "&" not in text:
        assert html_to_text(text) == text  # plain output is stable


@settings(max_examples=300)
@given(st.one_of(st.text(), soups))
def test_property_clean_title_is_one_clean_line(markup: str) -> None:
    title = clean_title(markup)
    assert "\n" not in title
    assert title == " ".join(title.split())
    assert not FORBIDDEN.search(title), repr(title)
    assert html.unescape(title) == title


@given(st.text())
def test_property_strip_controls(text: str) -> None:
    stripped = strip_controls(text)
    assert not FORBIDDEN.search(stripped.replace("\n", ""))
    assert "\r" not in stripped
    assert strip_controls(stripped) == stripped


def test_html_to_text_is_fast_enough() -> None:
    """A smoke check against accidental quadratic behaviour, not a benchmark."""
    markup = "<li>" * 5000 + "<svg>x" * 5000 + "&amp;" * 5000 + "<a" * 5000
    start = time.perf_counter()
    html_to_text(markup)
    assert time.perf_counter() - start < 2


# --- normalize_entry ---------------------------------------------------------


def make_entry(**fields: Any) -> Entry:
    return Entry(**{"guid": "urn:uuid:1", "link": "https://example.com/a", **fields})


def test_normalize_entry_builds_a_story() -> None:
    entry = make_entry(
        title="Angie&#8217;s List <em>IPO</em>",
        link="http://www.example.com/2011/11/angies-list/?utm_source=rss&utm_medium=rss",
        content_html="<p>Angie&#8217;s List set the terms.</p><p>More.</p>",
        summary_html="Angie's List set the terms.",
        published=datetime(2011, 11, 1, 12, 0, tzinfo=UTC),
        tags=("IPO", "ipo", " Startups ", "", "<b>IPO</b>"),
        author="Leena Rao &amp; Co",
    )
    story = normalize_entry(entry, category="technology", now=NOW)
    assert story == Story(
        category="TECHNOLOGY",
        title="Angie’s List IPO",
        published=datetime(2011, 11, 1, 12, 0, tzinfo=UTC),
        body="Angie’s List set the terms.\n\nMore.",
        url="http://www.example.com/2011/11/angies-list/?utm_source=rss&utm_medium=rss",
        canonical_url="https://example.com/2011/11/angies-list",
        guid="urn:uuid:1",
        author="Leena Rao & Co",
        tags=("IPO", "Startups"),
        lang="en",
    )


def test_body_is_the_richer_of_content_and_summary() -> None:
    short = make_entry(content_html="<p>Short.</p>", summary_html="<p>A longer summary.</p>")
    assert normalize_entry(short, category="x", now=NOW).body == "A longer summary."
    long = make_entry(content_html="<p>The full article text.</p>", summary_html="Teaser")
    assert normalize_entry(long, category="x", now=NOW).body == "The full article text."
    neither = make_entry()
    assert normalize_entry(neither, category="x", now=NOW).body == ""


def test_title_falls_back_to_the_body_then_untitled() -> None:
    body = "word " * 30
    entry = make_entry(title=" <b></b> ", content_html=f"<p>{body}</p>")
    title = normalize_entry(entry, category="x", now=NOW).title
    assert title == ("word " * 16).strip() + "…"
    assert len(title) <= 81
    short = make_entry(content_html="<p>Short body.</p>")
    assert normalize_entry(short, category="x", now=NOW).title == "Short body."
    assert normalize_entry(make_entry(), category="x", now=NOW).title == "(untitled)"


def test_title_fallback_without_spaces_is_cut_hard() -> None:
    entry = make_entry(content_html="字" * 200)
    assert normalize_entry(entry, category="x", now=NOW).title == "字" * 80 + "…"


@pytest.mark.parametrize(
    ("published", "updated", "expected"),
    [
        (
            datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
            None,
            datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
        ),
        (datetime(2020, 1, 2, 3, 4, 5), None, datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (
            datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            None,
            datetime(2020, 1, 2, 1, 4, 5, tzinfo=UTC),
        ),
        (
            None,
            datetime(2021, 6, 1, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2021, 6, 1, 5, tzinfo=UTC),
        ),
        (None, datetime(2021, 6, 1), datetime(2021, 6, 1, tzinfo=UTC)),
        (None, None, NOW),
    ],
)
def test_dates_fall_back_and_become_utc(
    published: datetime | None, updated: datetime | None, expected: datetime
) -> None:
    entry = make_entry(published=published, updated=updated)
    date = normalize_entry(entry, category="x", now=NOW).published
    assert date == expected
    assert date.tzinfo is UTC


def test_naive_now_is_taken_as_utc() -> None:
    story = normalize_entry(make_entry(), category="x", now=datetime(2024, 1, 1, 12))
    assert story.published == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert story.published.tzinfo is UTC


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("technology", "TECHNOLOGY"),
        ("  World News ", "WORLD NEWS"),
        ("Science", "SCIENCE"),
        ("", "GENERAL"),
        ("   ", "GENERAL"),
    ],
)
def test_category_is_upper_case(category: str, expected: str) -> None:
    assert normalize_entry(make_entry(), category=category, now=NOW).category == expected


def test_original_link_wins_over_link() -> None:
    entry = make_entry(
        link="http://feeds.feedburner.com/~r/site/~3/abc/",
        original_link="https://site.example/post/1/?utm_campaign=feed#comments",
    )
    story = normalize_entry(entry, category="x", now=NOW)
    assert story.url == "https://site.example/post/1/?utm_campaign=feed#comments"
    assert story.canonical_url == "https://site.example/post/1"


def test_no_link_gives_empty_urls() -> None:
    story = normalize_entry(make_entry(link=""), category="x", now=NOW)
    assert (story.url, story.canonical_url) == ("", "")


def test_extra_tracking_params_reach_the_canonical_url() -> None:
    entry = make_entry(link="https://example.com/a?src=rss&id=7")
    plain = normalize_entry(entry, category="x", now=NOW)
    assert plain.canonical_url == "https://example.com/a?id=7&src=rss"
    custom = normalize_entry(entry, category="x", now=NOW, tracking_params=frozenset({"SRC"}))
    assert custom.canonical_url == "https://example.com/a?id=7"


def test_guid_is_copied_and_questions_are_empty() -> None:
    story = normalize_entry(make_entry(guid="tag:example.com,2024:1"), category="x", now=NOW)
    assert story.guid == "tag:example.com,2024:1"
    assert story.questions == ()
    assert story.actions == ()


def test_all_is_sorted() -> None:
    assert normalize.__all__ == sorted(normalize.__all__)


def test_mixed_real_and_escaped_markup_is_all_removed() -> None:
    # reddit's feeds escape the post's HTML but add real <a> tags around it.
    html = (
        "&lt;!-- SC_OFF --&gt;&lt;div class=&quot;md&quot;&gt;&lt;p&gt;A short joke&lt;/p&gt;"
        '&lt;/div&gt;&lt;!-- SC_ON --&gt; submitted by <a href="https://r.example/u">someone</a>'
    )
    assert html_to_text(html) == "A short joke\n\nsubmitted by someone"


def test_prose_that_mentions_a_tag_keeps_it() -> None:
    assert html_to_text("<p>Put a &lt;meta&gt; tag in the head.</p>") == (
        "Put a <meta> tag in the head."
    )
