"""Every digest format: structure, parse-back, schema, validity, and a golden file each."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import feedparser
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.digestcheck import ATOM, atom_problems, html_problems, json_problems, markdown_problems
from support.digestdata import DAY, WINDOW, make_archive, story

from aggregator.app.config import DIGEST_FORMATS
from aggregator.digest.formats import RENDERERS
from aggregator.digest.formats.common import anchors, md_escape, safe_url
from aggregator.digest.formats.text import DIVIDER, document, split
from aggregator.digest.select import Digest, Window, load_digest, render_digest, select_digest
from aggregator.models import StoredStory
from aggregator.store.archive import Archive
from aggregator.story.document import document_for
from aggregator.story.format import parse, render

GOLDEN = Path(__file__).parents[1] / "data" / "digest"
SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "aggregator"
    / "digest"
    / "templates"
    / "digest.schema.json"
)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def digest(tmp_path: Path) -> Digest:
    return load_digest(make_archive(tmp_path / "news.db"), WINDOW)


@pytest.fixture
def empty(tmp_path: Path) -> Digest:
    quiet = DAY.replace(year=2020)
    return load_digest(make_archive(tmp_path / "news.db"), Window(quiet, quiet + timedelta(days=1)))


# -- the registry ---------------------------------------------------------------


def test_every_format_is_registered_offered_and_configurable() -> None:
    from aggregator.cli.main import digest as command

    option = next(p for p in command.params if p.name == "fmt")
    assert set(RENDERERS) == set(DIGEST_FORMATS) == set(option.type.choices)  # type: ignore[attr-defined]
    assert all(r.name == name and r.suffix.startswith(".") for name, r in RENDERERS.items())


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_golden(digest: Digest, fmt: str) -> None:
    """Each format against its golden file (set UPDATE_GOLDEN=1 to rewrite them)."""
    out = render_digest(digest, fmt)
    path = GOLDEN / f"golden{RENDERERS[fmt].suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


# -- text -----------------------------------------------------------------------


def test_text_blocks_are_exactly_what_show_prints_and_parse_back(
    digest: Digest, tmp_path: Path
) -> None:
    text = render_digest(digest, "text")
    blocks = split(text)
    assert len(blocks) == digest.count == 5
    assert text.count(f"\n{DIVIDER}\n") == 4
    with Archive(tmp_path / "news.db", readonly=True) as archive:
        for block, item in zip(blocks, digest.stories, strict=True):
            assert block == render(document_for(archive.get_story(item.id)))
            assert parse(block) == document(item)
    nvidia = parse(blocks[0])
    assert nvidia.title == "Nvidia reports record data-centre revenue"
    assert nvidia.actions == (
        "Read the original: https://a.example/nvidia",
        "Also covered by: Beta Daily, Gamma Wire",
    )


def test_the_divider_is_never_a_document_line(tmp_path: Path) -> None:
    tricky = "\n".join(["Before.", "=" * 72, "", DIVIDER.rstrip(), "", DIVIDER, "After."])
    stories = [story(1, hour=1, body=tricky), story(2, hour=2, body="Plain.")]
    with Archive(tmp_path / "news.db") as archive:
        archive.import_stories(stories, now=DAY)
    digest = load_digest(tmp_path / "news.db", WINDOW)
    blocks = split(render_digest(digest, "text"))
    assert len(blocks) == 2
    docs = [parse(b) for b in blocks]
    assert docs[1].body.split("\n")[:5] == ["Before.", "=" * 72, "", "=" * 72, ""]
    assert docs[0].body == "Plain."


_line = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=150, deadline=None)
@given(
    title=_line,
    category=_line,
    body=st.lists(_line, max_size=8).map("\n".join),
    questions=st.lists(_line, max_size=3),
)
def test_any_stored_text_gives_blocks_that_parse_back(
    title: str, category: str, body: str, questions: list[str]
) -> None:
    base = story(1, hour=1)
    odd = replace(base, title=title, category=category, body=body, questions=tuple(questions))
    items = [
        StoredStory(id=i, story=s, first_seen=DAY, updated_at=DAY)
        for i, s in enumerate([odd, story(2, hour=2)], start=1)
    ]
    digest = select_digest(items, WINDOW)
    blocks = split(render_digest(digest, "text"))
    assert [parse(b) for b in blocks] == [document(item) for item in digest.stories]


# -- markdown -------------------------------------------------------------------


def test_markdown_has_title_contents_and_every_story(digest: Digest) -> None:
    text = render_digest(digest, "markdown")
    lines = text.split("\n")
    assert lines[0] == "# News digest"
    assert lines[2] == "Mon Nov 02 2026 · 5 stories from 3 feeds"
    contents = lines[lines.index("## Contents") + 2 : lines.index("## Contents") + 5]
    assert contents == [
        "- [TECHNOLOGY](#technology) (2)",
        "- [SCIENCE](#science) (2)",
        "- [BUSINESS](#business) (1)",
    ]
    for category in ("TECHNOLOGY", "SCIENCE", "BUSINESS"):
        assert f"## {category}" in lines
    assert "### [Nvidia reports record data-centre revenue](<https://a.example/nvidia>)" in lines
    assert (
        "Mon Nov 02 2026 · [Alpha News](<https://a.example/nvidia>) · also covered by "
        "[Beta Daily](<https://a.example/nvidia>), [Gamma Wire](<https://a.example/nvidia>)"
        " · 3 sources"
    ) in lines
    assert "- What changes after story 1?" in lines
    assert markdown_problems(text) == []


def test_markdown_escaping_shows_text_literally() -> None:
    from markdown_it import MarkdownIt

    nasty = "# not a heading [x](javascript:alert(1)) <b>*bold*</b> &amp; 1. `code` | a_b_"
    html = MarkdownIt("commonmark").render(str(md_escape(nasty)))
    from html import unescape

    assert html.startswith("<p>") and unescape(re.sub("<[^>]+>", "", html)).strip() == nasty
    assert str(md_escape("1) one\n- two\n+ three\n===")) == "1\\) one\n\\- two\n\\+ three\n\\==="


def test_anchors_follow_github_and_stay_unique() -> None:
    assert anchors(["Contents", "AI & ML", "AI ML", "AI-ML", "!!!"]) == {
        "Contents": "contents",
        "AI & ML": "ai--ml",
        "AI ML": "ai-ml",
        "AI-ML": "ai-ml-1",
        "!!!": "section",
    }


# -- html -----------------------------------------------------------------------


def test_html_is_one_self_contained_page_for_phone_and_desktop_light_and_dark(
    digest: Digest,
) -> None:
    page = render_digest(digest, "html")
    assert html_problems(page) == []
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media (prefers-color-scheme: dark)" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"(?:src|href)=\"(?!https?://|#)", page)
    assert "url(" not in page and "@import" not in page
    assert page.count("<article ") == 5
    assert '<a href="#technology">TECHNOLOGY</a> (2)' in page
    assert '<span class="coverage">3 sources</span>' in page


def test_html_empty_digest_says_so(empty: Digest) -> None:
    page = render_digest(empty, "html")
    assert "No stories in this window." in page
    assert html_problems(page) == []


# -- json -----------------------------------------------------------------------


def test_json_matches_its_schema(digest: Digest, empty: Digest) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    for d in (digest, empty):
        text = render_digest(d, "json")
        assert json_problems(text) == []
        validator.validate(json.loads(text))
    data = json.loads(render_digest(digest, "json"))
    assert data["window"] == {
        "since": "2026-11-02T00:00:00Z",
        "until": "2026-11-03T00:00:00Z",
        "label": "Mon Nov 02 2026",
    }
    assert data["generated_at"] == "2026-11-03T00:00:00Z"
    first = data["categories"][0]["stories"][0]
    assert (first["coverage"], first["also_covered_by"]) == (3, ["Beta Daily", "Gamma Wire"])
    assert first["author"] == "A. Writer"
    assert parse(first["text"]).title == first["title"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**data, "version": 2})


# -- atom -----------------------------------------------------------------------


def test_atom_is_well_formed_with_the_required_elements(digest: Digest) -> None:
    text = render_digest(digest, "atom")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    root = ET.fromstring(text.encode())
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), name
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "aggregator"
    assert RFC3339.match(root.findtext(f"{ATOM}updated") or "")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 5
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 5 and all(i and i.startswith("urn:uuid:") for i in ids)
    for entry in entries:
        assert (entry.findtext(f"{ATOM}title") or "").strip()
        assert RFC3339.match(entry.findtext(f"{ATOM}updated") or "")
        assert entry.find(f"{ATOM}content") is not None
        alternates = [x for x in entry.findall(f"{ATOM}link") if x.get("rel") == "alternate"]
        assert len(alternates) <= 1
    assert atom_problems(text) == []


def test_atom_parses_with_feedparser(digest: Digest, empty: Digest) -> None:
    parsed = feedparser.parse(render_digest(digest, "atom").encode())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "News digest: Mon Nov 02 2026"
    assert [e.title for e in parsed.entries] == [s.stored.story.title for s in digest.stories]
    assert parsed.entries[0].link == "https://a.example/nvidia"
    assert "Who gains from it?" in parsed.entries[0].content[0].value
    assert parsed.entries[0].tags[0].term == "TECHNOLOGY"
    nothing = feedparser.parse(render_digest(empty, "atom").encode())
    assert not nothing.bozo and nothing.entries == []


def test_atom_ids_are_stable_across_windows(tmp_path: Path) -> None:
    db = make_archive(tmp_path / "news.db")
    day = load_digest(db, WINDOW)
    week = load_digest(db, replace(WINDOW, since=WINDOW.since - timedelta(days=6)))

    def ids(d: Digest) -> dict[str, str]:
        root = ET.fromstring(render_digest(d, "atom").encode())
        return {
            e.findtext(f"{ATOM}title") or "": e.findtext(f"{ATOM}id") or ""
            for e in root.findall(f"{ATOM}entry")
        } | {"": root.findtext(f"{ATOM}id") or ""}

    daily, weekly = ids(day), ids(week)
    assert all(weekly[title] == entry_id for title, entry_id in daily.items())


# -- the checkers themselves ------------------------------------------------------


def test_the_checkers_catch_what_they_look_for() -> None:
    bad = '<p onclick="x"><a href="javascript:alert(1)">a</a><img src="https://x/y"><script>'
    assert len(html_problems(bad, page=False)) == 6
    assert html_problems('<a href="#nowhere">x</a>') != []
    assert markdown_problems("[x](javascript:alert(1))") != []
    assert markdown_problems("<b onmouseover=alert(1)>x</b>") != []
    assert atom_problems("<feed") != []
    assert json_problems('{"url": "javascript:alert(1)"}') != []


# -- links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/a?b=1&c=2#d", "https://example.com/a?b=1&c=2#d"),
        ("  http://example.com/x y\"z<w>'  ", "http://example.com/x%20y%22z%3Cw%3E%27"),
        ("HTTPS://example.com/", "HTTPS://example.com/"),
        ("javascript:alert(1)", ""),
        ("java\tscript:alert(1)", ""),
        ("\x01javascript:alert(1)", ""),
        ("data:text/html,<script>", ""),
        ("//example.com/x", ""),
        ("https:/\\evil.example", ""),
        ("https://", ""),
        ("vbscript:msgbox", ""),
        ("http://[::1", ""),
        ("https://example.com/\u00e9", "https://example.com/%C3%A9"),
    ],
)
def test_safe_url_keeps_only_http_links(url: str, safe: str) -> None:
    assert safe_url(url) == safe
