"""Text true to the source, over the real-feed corpus: two counts, both targets 0.

Parses every feed under ``<corpus>/real-feeds/`` (recursively) with our parser and
normalizer, and reads the same bytes with feedparser directly. Prints:

- stories whose title or body lost an angle-bracketed word (``Vec<T>``,
  ``std::vector<int>``, ``<T, E>``) that feedparser's plain-text value of the
  same field shows: the value itself for plain-text fields, the text a browser
  shows for HTML fields (the stdlib's HTML parser, scripts and styles left out).
  Tags of HTML elements are not counted: in HTML they are markup;
- bodies that still hold a known boilerplate line (see :data:`BOILERPLATE`).

The checks are written here, apart from the code they measure.

    python benchmarks/text_fidelity.py [--corpus ../shared/corpus] [--show 5]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]

from aggregator.ingest.normalize import normalize_entry
from aggregator.ingest.parse import parse_feed

REPO = Path(__file__).resolve().parent.parent
# Element names of HTML, SVG and MathML that feeds use: "<b>" in HTML is markup, not a word.
_ELEMENTS = set(
    (
        "a abbr acronym address area article aside audio b base big blink blockquote body br"
        " button canvas caption center cite code col colgroup dd del details dfn dialog div dl"
        " dt em embed fieldset figcaption figure font footer form frame h1 h2 h3 h4 h5 h6 head"
        " header hr html i iframe img input ins kbd label legend li link main map mark marquee"
        " math meta nav nobr noscript object ol option p param picture pre q s samp script"
        " section select small source span strike strong style sub summary sup svg table tbody"
        " td template textarea tfoot th thead time title tr tt u ul var video wbr"
    ).split()
)
ANGLE_RE = re.compile(r"<([A-Za-z][^<>\n]{0,40})>")
# Boilerplate lines (paragraphs) of bodies, found in real feeds.
BOILERPLATE = {
    "appeared first": re.compile(r"^The post .+ appeared first on\b", re.I),
    "continue reading": re.compile(r"^\W*(?:continue|keep) reading\b\W*$", re.I),
    "audio card (TIME)": re.compile(r"^Podcast ID\s*[–-]|^The Brief [A-Z][a-z]+ \d{1,2}, \d{4}$"),
    "sponsor block": re.compile(
        r"check out our sponsors|^to support this podcast|^sponsored by\W*$", re.I
    ),
    "subscribe block": re.compile(r"^podcast links\s*:|^subscribe (?:on|to) .{0,40}:$", re.I),
    "author card (Ghost)": re.compile(r"^404 Media[A-Z][a-z]+ [A-Z]"),
    "link/comments": re.compile(r"\[link\]|\[\d* ?comments?\]|^\s*comments\s*$", re.I),
    "ads": re.compile(r"^\W*(?:advertisement|sponsored(?: content)?)\W*$", re.I),
}


class _Shown(HTMLParser):
    """The text a browser shows for HTML (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def shown_text(value: str, kind: str) -> str:
    """feedparser's plain-text value of a field: as is when plain, else what HTML shows."""
    if kind == "text/plain":
        return value
    parser = _Shown()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


def angle_words(text: str) -> set[str]:
    """The angle-bracketed words of a text (whitespace collapsed), tags of elements left out."""
    words = set()
    for match in ANGLE_RE.finditer(text):
        name = re.split(r"[\s/,]", match[1], maxsplit=1)[0].lower()
        if name not in _ELEMENTS:
            words.add(" ".join(match[0].split()))
    return words


@dataclass
class Report:
    """The counts, and examples of each problem."""

    stories: int = 0
    lost: int = 0
    boilerplate: int = 0
    examples: list[str] = field(default_factory=list)


def check(corpus: Path) -> Report:
    """Count the stories that lost angle-bracketed words and the bodies with boilerplate."""
    report = Report()
    now = datetime(2030, 1, 1, tzinfo=UTC)
    for path in sorted((corpus / "real-feeds").rglob("*")):
        if not path.is_file() or path.suffix in (".md", ".txt"):
            continue
        data = path.read_bytes()
        try:
            parsed = parse_feed(data)
        except Exception:  # noqa: BLE001 - a file that is no feed is not this check's business
            continue
        raw = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
        for entry, source in zip(parsed.entries, raw.entries, strict=False):
            story = normalize_entry(entry, category="", now=now)
            report.stories += 1
            title_kind = (source.get("title_detail") or {}).get("type", "text/html")
            expected = angle_words(shown_text(str(source.get("title") or ""), title_kind))
            missing = {w for w in expected if w not in " ".join(story.title.split())}
            fields = [(str(source.get("summary") or ""), source.get("summary_detail") or {})]
            fields += [(str(c.get("value") or ""), c) for c in source.get("content") or ()]
            texts = [shown_text(value, detail.get("type", "text/html")) for value, detail in fields]
            body = " ".join(story.body.split())
            longest = max(texts, key=lambda t: len(t.strip()), default="")
            missing |= {w for w in angle_words(longest) if w not in body}
            if missing:
                report.lost += 1
                report.examples.append(f"lost {sorted(missing)[:3]} in {path.name}: {story.title}")
            for line in story.body.split("\n\n"):
                kinds = [k for k, p in BOILERPLATE.items() if p.search(line)]
                if kinds:
                    report.boilerplate += 1
                    report.examples.append(f"{kinds[0]} in {path.name}: {line[:100]!r}")
                    break
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--show", type=int, default=5, help="examples of problems to print")
    args = parser.parse_args(argv)
    if not (args.corpus / "real-feeds").is_dir():
        print(f"Error: no real-feeds folder in {args.corpus}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    report = check(args.corpus)
    print(f"stories: {report.stories} ({time.perf_counter() - started:.1f} s)")
    print(f"stories that lost an angle-bracketed word: {report.lost} (target 0)")
    print(f"bodies with a known boilerplate line: {report.boilerplate} (target 0)")
    for line in report.examples[: args.show]:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
