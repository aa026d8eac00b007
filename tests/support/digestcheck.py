"""Checks that a digest output carries no script, no event handler and no non-http(s) link.

Used by the format tests, the hostile-input tests and the Chromium test.
HTML is tokenized with the stdlib parser; Markdown is first rendered with
markdown-it (CommonMark, raw HTML allowed, as most renderers do); Atom is
parsed as XML and each entry's HTML content checked as HTML.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "ATOM",
    "FRAGMENT_TAGS",
    "MARKDOWN_TAGS",
    "PAGE_TAGS",
    "atom_problems",
    "html_problems",
    "json_problems",
    "markdown_problems",
]

ATOM = "{http://www.w3.org/2005/Atom}"
PAGE_TAGS = frozenset(
    "html head meta title style body div header h1 h2 h3 h4 p nav ul li a main section"
    " article time span br footer".split()
)
FRAGMENT_TAGS = frozenset("p br h4 ul li a span".split())
MARKDOWN_TAGS = frozenset("h1 h2 h3 p ul li a strong hr".split())
_LINK = re.compile(r"^https?://[^\s\"'<>\\]+$")
_ANCHOR = re.compile(r"^#[\w-]+$")
_URL_ATTRS = frozenset(
    "src srcset action formaction background poster data srcdoc xlink:href cite lowsrc".split()
)


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.styles: list[str] = []
        self.comments: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def html_problems(text: str, *, tags: frozenset[str] = PAGE_TAGS, page: bool = True) -> list[str]:
    """Everything unsafe in an HTML document or fragment.

    Args:
        text: the HTML.
        tags: the elements allowed.
        page: a whole page: in-page links must point at an existing id.

    Returns:
        The problems found (empty when safe).
    """
    problems = []
    if "<script" in text.lower():
        problems.append("'<script' in the text")
    parser = _Tokens()
    parser.feed(text)
    parser.close()
    ids = {v for _, attrs in parser.tags for k, v in attrs if k == "id" and v}
    for tag, attrs in parser.tags:
        if tag not in tags:
            problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"event handler {name}={value!r} on <{tag}>")
            elif name in _URL_ATTRS or name == "style":
                problems.append(f"attribute {name}={value!r} on <{tag}>")
            elif name == "href":
                if value and _ANCHOR.match(value) and (not page or value[1:] in ids):
                    continue
                if not value or not _LINK.match(value):
                    problems.append(f"link {value!r} on <{tag}>")
    if parser.comments:
        problems.append(f"comments {parser.comments[:3]!r}")
    if page and len(parser.styles) > 1:
        problems.append("more than one <style>")
    return problems


def markdown_problems(text: str) -> list[str]:
    """Everything unsafe in a Markdown document once rendered (CommonMark, raw HTML on).

    Args:
        text: the Markdown.

    Returns:
        The problems found.
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    # markdown-it drops javascript: links itself; let every link through, so that
    # only our escaping stands between feed text and a link.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    html = md.render(text)
    return html_problems(html, tags=MARKDOWN_TAGS, page=False)


def atom_problems(text: str) -> list[str]:
    """Everything unsafe in an Atom document: links, and each entry's HTML content.

    Args:
        text: the Atom XML.

    Returns:
        The problems found (an XML error is one).
    """
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    problems = []
    for link in root.iter(f"{ATOM}link"):
        href = link.get("href", "")
        if not _LINK.match(href):
            problems.append(f"atom link {href!r}")
    for content in root.iter(f"{ATOM}content"):
        if content.get("type") != "html":
            problems.append(f"content of type {content.get('type')!r}")
        problems += html_problems(content.text or "", tags=FRAGMENT_TAGS, page=False)
    for element in root.iter():
        for name in element.attrib:
            if name.lower().startswith("on"):
                problems.append(f"attribute {name} on {element.tag}")
    return problems


def json_problems(text: str) -> list[str]:
    """Everything unsafe in the JSON digest: URL fields that are not http(s), raw '<'.

    Args:
        text: the JSON.

    Returns:
        The problems found.
    """
    problems = []
    if "<" in text:
        problems.append("a raw '<' (should be \\u003c)")
    data = json.loads(text)

    def urls(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("url", "canonical_url", "feed") and item and not _LINK.match(item):
                    problems.append(f"{key} {item!r}")
                urls(item)
        elif isinstance(value, list):
            for item in value:
                urls(item)

    urls(data)
    return problems
