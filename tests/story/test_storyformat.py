"""Tests for aggregator.story.format: the reference byte for byte, round trips, errors."""

from __future__ import annotations

import locale
import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.errors import StoryFormatError
from aggregator.models import Story
from aggregator.story import format as storyformat
from aggregator.story.format import Document, format_date, from_story, parse, render, validate

REPO = Path(__file__).parents[2]
DATA = Path(__file__).parents[1] / "data"
LOCAL_REFERENCE = DATA / "reference-story.txt"


def _shared_reference() -> Path:
    """The team's reference story, next to the corpus (relative to the repo root)."""
    corpus = Path(os.environ.get("AGGREGATOR_CORPUS", "../shared/corpus"))
    if not corpus.is_absolute():
        corpus = REPO / corpus
    return corpus.parent / "seed-format" / "reference-story.txt"


REFERENCE_BODY_START = "Meta, the tech giant behind Facebook, Instagram, and WhatsApp, has been"
REFERENCE_BODY_END = "Only time will tell how this plays out in the ever-evolving world of AI."
REFERENCE_QUESTIONS = (
    "Could this be a secret alliance to monopolize the AI market under the guise of collaboration?",
    "If Meta is asking for funding, does this mean they've run out of money from all those "
    "targeted ads?",
    "Is there a hidden agenda behind Meta's offer to let other companies influence Llama's "
    "features?",
)


def _read(path: Path) -> str:
    # newline="" keeps the bytes as they are: no universal-newline translation.
    with path.open(encoding="utf-8", newline="") as f:
        return f.read()


def _reference_document(text: str) -> Document:
    """The reference's fields, written out independently of :func:`parse`."""
    body_start = text.index("Mon Apr 21 2025\n") + len("Mon Apr 21 2025\n")
    body = text[body_start : text.index("\n\nquestions\n")]
    return Document(
        category="TECHNOLOGY",
        title="Why is Meta Seeking Allies for its AI Dreams?",
        date=date(2025, 4, 21),
        body=body,
        questions=REFERENCE_QUESTIONS,
        actions=(),
    )


# --- the reference ------------------------------------------------------------


def test_local_copy_is_the_shared_reference() -> None:
    shared = _shared_reference()
    if not shared.exists():
        pytest.skip(f"shared reference story not found at {shared}")
    assert LOCAL_REFERENCE.read_bytes() == shared.read_bytes()


@pytest.mark.parametrize("which", ["local", "shared"])
def test_reference_renders_byte_for_byte(which: str) -> None:
    path = LOCAL_REFERENCE if which == "local" else _shared_reference()
    if not path.exists():
        pytest.skip(f"reference story not found at {path} (set AGGREGATOR_CORPUS)")
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    rendered = render(_reference_document(text))
    assert rendered.encode("utf-8") == raw
    assert parse(text) == _reference_document(text)


def test_parse_reference_fields() -> None:
    doc = parse(_read(LOCAL_REFERENCE))
    assert doc.category == "TECHNOLOGY"
    assert doc.title == "Why is Meta Seeking Allies for its AI Dreams?"
    assert doc.date == date(2025, 4, 21)
    assert doc.body.startswith(REFERENCE_BODY_START)
    assert doc.body.endswith(REFERENCE_BODY_END)
    assert "\n" not in doc.body  # one paragraph in the reference
    assert "Llama\u2019s features" in doc.body  # non-ASCII kept as is
    assert doc.questions == REFERENCE_QUESTIONS
    assert doc.actions == ()


def test_reference_layout() -> None:
    text = _read(LOCAL_REFERENCE)
    lines = text.split("\n")
    title = "Why is Meta Seeking Allies for its AI Dreams?"
    assert lines[:5] == ["TECHNOLOGY", "", title, "", "Mon Apr 21 2025"]
    assert lines[5].startswith("Meta, ")  # no blank line between date and body
    assert text.endswith("\n\nactions")  # no trailing newline


# --- rendering ----------------------------------------------------------------


def _doc(**changes: object) -> Document:
    fields: dict[str, object] = {
        "category": "TECHNOLOGY",
        "title": "Rust 1.86 is out",
        "date": date(2025, 4, 3),
        "body": "First paragraph.\n\nSecond paragraph,\nsame paragraph.",
        "questions": ("Why now?", "Who benefits?"),
        "actions": ("Read the release notes", "Update the toolchain"),
    }
    fields.update(changes)
    return Document(**fields)  # type: ignore[arg-type]


def test_render_layout_with_actions() -> None:
    assert render(_doc()) == (
        "TECHNOLOGY\n\nRust 1.86 is out\n\nThu Apr 03 2025\n"
        "First paragraph.\n\nSecond paragraph,\nsame paragraph.\n\n"
        "questions\n\n    Why now?\n    Who benefits?\n\n"
        "actions\n    Read the release notes\n    Update the toolchain"
    )


def test_render_no_questions_no_actions_empty_body() -> None:
    text = render(_doc(body="", questions=(), actions=()))
    assert text == "TECHNOLOGY\n\nRust 1.86 is out\n\nThu Apr 03 2025\n\n\nquestions\n\n\nactions"
    assert parse(text) == _doc(body="", questions=(), actions=())


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 4, 21), "Mon Apr 21 2025"),
        (date(2025, 4, 7), "Mon Apr 07 2025"),
        (date(2024, 2, 29), "Thu Feb 29 2024"),
        (date(2023, 12, 31), "Sun Dec 31 2023"),
        (date(1, 1, 1), "Mon Jan 01 0001"),
        (date(9999, 12, 31), "Fri Dec 31 9999"),
    ],
)
def test_format_date(day: date, expected: str) -> None:
    assert format_date(day) == expected
    assert storyformat.parse_date(expected) == day


def test_format_date_ignores_locale() -> None:
    previous = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, "de_DE.UTF-8")
    except locale.Error:
        pytest.skip("de_DE.UTF-8 locale not installed")
    try:
        assert format_date(date(2025, 5, 1)) == "Thu May 01 2025"
    finally:
        locale.setlocale(locale.LC_TIME, previous)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"category": ""}, "the category is empty"),
        ({"category": "Technology"}, "the category is not upper case"),
        ({"category": " TECH"}, "the category has leading or trailing whitespace"),
        ({"title": ""}, "the title is empty"),
        ({"title": "Two\nlines"}, "the title contains a line break"),
        ({"title": "Carriage\rreturn"}, "the title contains a line break"),
        ({"title": "Trailing "}, "the title has leading or trailing whitespace"),
        ({"body": "\nLeading blank"}, "the body has leading or trailing whitespace"),
        ({"body": "Trailing newline\n"}, "the body has leading or trailing whitespace"),
        ({"body": " indented start"}, "the body has leading or trailing whitespace"),
        ({"body": "a \nb"}, "line 1 of the body has trailing whitespace"),
        ({"body": "a\n\n\nb"}, "line 3 of the body is a second consecutive blank line"),
        ({"body": "a\r\nb"}, "the body contains a carriage return"),
        ({"questions": ("Fine?", "")}, "question 2 is empty"),
        ({"questions": ("Two\nlines?",)}, "question 1 contains a line break"),
        ({"questions": ("  Indented?",)}, "question 1 has leading or trailing whitespace"),
        ({"actions": ("Do it ",)}, "action 1 has leading or trailing whitespace"),
    ],
)
def test_validate_rejects(changes: dict[str, object], message: str) -> None:
    doc = _doc(**changes)
    with pytest.raises(StoryFormatError, match=message):
        validate(doc)
    with pytest.raises(StoryFormatError, match=message):
        render(doc)


def test_body_lines_may_be_indented_inside() -> None:
    doc = _doc(body="Code:\n\n    indented line\n\nquestions\n\nactions\n    more")
    assert parse(render(doc)) == doc


# --- parse errors -------------------------------------------------------------

GOOD = render(_doc())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the category is empty"),
        ("TECHNOLOGY", "line 1: the document ends after the category"),
        ("technology\n\nT", "line 1: expected the category in upper case, got 'technology'"),
        ("TECHNOLOGY\nTitle", "line 2: expected an empty line after the category, got 'Title'"),
        ("TECHNOLOGY\n\n Title\n", "line 3: the title has leading or trailing whitespace"),
        (GOOD.replace("Thu Apr 03 2025", "foo"), "line 5: expected a date like 'Mon Apr 21 2025'"),
        (GOOD.replace("Thu Apr 03 2025", "Thu Apr 3 2025"), "line 5: expected a date like"),
        (GOOD.replace("Thu Apr 03", "Thu Avr 03"), "line 5: unknown month 'Avr'"),
        (GOOD.replace("Thu Apr 03", "Jeu Apr 03"), "line 5: unknown weekday 'Jeu'"),
        (GOOD.replace("Apr 03", "Apr 31"), "line 5: 'Thu Apr 31 2025' is not a real date"),
        ("A\n\nT\n\nThu Apr 03 2025", "line 5: the document ends after the date"),
        ("A\n\nT\n\nThu Apr 03 2025\nactions", "line 6: the document ends early"),
        ("A\n\nT\n\nThu Apr 03 2025\nBody", "line 6: expected 'actions' as the last line"),
        (GOOD.replace("\n    Read", "\n   Read"), "line 17: expected 'actions' before the"),
        (GOOD + "\n\n", "line 19: expected 'actions' as the last line, got ''"),
        (GOOD[: GOOD.index("\nactions")], "line 12: expected 'actions' before the indented"),
        (
            GOOD.replace("\n\nactions", "\nactions"),
            "line 14: expected an empty line before 'actions'",
        ),
        (GOOD.replace("    Why now?", "  Why now?"), "line 13: expected a question indented"),
        (GOOD.replace("    Why now?", "     Why now?"), "line 13: the question has leading or"),
        (GOOD.replace("Who benefits?", "Who? "), "line 14: the question has leading or"),
        (GOOD.replace("questions\n", "Questions\n"), "line 11: expected 'questions', got 'Qu"),
        (GOOD.replace(".\n\nquestions", ".\nquestions"), "line 9: expected an empty line before"),
        (GOOD.replace("Thu Apr 03 2025\n", "Thu Apr 03 2025\n\n"), "line 6: expected the body"),
        (GOOD.replace("same paragraph.", "same paragraph.\n"), "line 10: expected one empty line"),
        (GOOD.replace("paragraph.\n\nSecond", "paragraph.\n\n\nSecond"), "line 8: two empty"),
        (GOOD.replace("First paragraph.", "First paragraph. "), "line 6: trailing whitespace"),
        (GOOD.replace("First", " First"), "line 6: the body starts with whitespace"),
        (GOOD.replace("Second", "Sec\rond"), "line 8: stray carriage return"),
        (
            "A\n\nT\n\nThu Apr 03 2025\n\nquestions\n\n\nactions",
            "line 6: expected the body directly after the date",
        ),
    ],
)
def test_parse_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(StoryFormatError) as info:
        parse(text)
    assert str(info.value).startswith(message), str(info.value)


def test_parse_error_shortens_long_lines() -> None:
    text = GOOD.replace("Thu Apr 03 2025", "x" * 500)
    with pytest.raises(StoryFormatError) as info:
        parse(text)
    assert len(str(info.value)) < 150


# --- leniency -----------------------------------------------------------------


def test_parse_tolerates_one_trailing_newline_and_crlf() -> None:
    doc = _doc()
    assert parse(GOOD + "\n") == doc
    assert parse(GOOD.replace("\n", "\r\n")) == doc
    assert parse(GOOD.replace("\n", "\r\n") + "\r\n") == doc


def test_parse_ignores_a_wrong_weekday() -> None:
    # 2025-04-03 was a Thursday; documents in the wild get the weekday wrong.
    doc = parse(GOOD.replace("Thu Apr 03 2025", "Mon Apr 03 2025"))
    assert doc.date == date(2025, 4, 3)
    assert render(doc) == GOOD  # rendering corrects it


def test_body_may_contain_section_words() -> None:
    body = "questions\n\n    Not a question?\n\nactions\n    Not an action"
    doc = _doc(body=body)
    assert parse(render(doc)).body == body


# --- from_story ---------------------------------------------------------------


def test_from_story() -> None:
    story = Story(
        category="technology",
        title="A title",
        # 23:30 at UTC-05:00 is the next calendar day in UTC.
        published=datetime(2025, 4, 20, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
        body="Body.",
        questions=("Q?",),
        actions=("Act",),
        url="https://example.com/a",
    )
    doc = from_story(story)
    assert doc == Document(
        category="TECHNOLOGY",
        title="A title",
        date=date(2025, 4, 21),
        body="Body.",
        questions=("Q?",),
        actions=("Act",),
    )
    assert render(doc).split("\n")[4] == "Mon Apr 21 2025"


def test_from_story_rejects_naive_datetimes() -> None:
    story = Story(category="X", title="T", published=datetime(2025, 1, 1), body="")
    with pytest.raises(ValueError, match="timezone-aware"):
        from_story(story)
    aware = Story(category="X", title="T", published=datetime(2025, 1, 1, tzinfo=UTC), body="")
    assert from_story(aware).date == date(2025, 1, 1)


# --- properties ---------------------------------------------------------------

# Any character but surrogates (not encodable) and CR/LF (line structure).
_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\r\n")
_SPECIAL_LINES = st.sampled_from(
    ["questions", "actions", "    questions", "    indented code", "Mon Apr 21 2025", "TECHNOLOGY"]
)


def _one_line(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(_CHARS, min_size=min_size, max_size=40).map(str.strip).filter(bool)


_body_line = st.one_of(
    st.text(_CHARS, min_size=1, max_size=60).map(str.rstrip).filter(bool), _SPECIAL_LINES
)
_paragraph = st.lists(_body_line, min_size=1, max_size=4).map("\n".join)
# Empty bodies are allowed (a feed entry may have only a title); they render as
# one empty line.
bodies = st.one_of(
    st.just(""),
    st.lists(_paragraph, min_size=1, max_size=5).map("\n\n".join).map(str.lstrip).filter(bool),
)
categories = st.one_of(
    st.sampled_from(["TECHNOLOGY", "SCIENCE", "WORLD NEWS"]),
    _one_line().map(str.upper).filter(lambda s: s == s.strip() and s == s.upper() and s != ""),
)
documents = st.builds(
    Document,
    category=categories,
    title=_one_line(),
    date=st.dates(),
    body=bodies,
    questions=st.lists(_one_line(), max_size=5).map(tuple),
    actions=st.lists(_one_line(), max_size=3).map(tuple),
)


@given(documents)
def test_parse_render_round_trip(doc: Document) -> None:
    validate(doc)  # the strategy only builds valid documents
    text = render(doc)
    assert parse(text) == doc
    assert render(parse(text)) == text
    assert parse(text + "\n") == doc
    assert parse(text.replace("\n", "\r\n")) == doc


@given(documents)
def test_rendered_shape(doc: Document) -> None:
    text = render(doc)
    lines = text.split("\n")
    assert lines[0] == doc.category
    assert lines[4] == format_date(doc.date)
    assert not text.endswith("\n")
    assert lines[-1 - len(doc.actions)] == "actions"
    assert all(line.startswith("    ") for line in lines[len(lines) - len(doc.actions) :])


@given(st.text(max_size=300))
def test_parse_never_fails_unexpectedly(text: str) -> None:
    try:
        doc = parse(text)
    except StoryFormatError as exc:
        assert str(exc).startswith("line ")
    else:
        validate(doc)


_MUTATIONS = st.sampled_from(["delete", "duplicate", "blank", "space", "indent", "replace"])


@given(documents, st.data())
def test_parse_is_strict(doc: Document, data: st.DataObject) -> None:
    """A damaged document is either an error naming a real line, or canonical."""
    lines = render(doc).split("\n")
    index = data.draw(st.integers(0, len(lines) - 1))
    mutation = data.draw(_MUTATIONS)
    if mutation == "delete":
        del lines[index]
    elif mutation == "duplicate":
        lines.insert(index, lines[index])
    elif mutation == "blank":
        lines.insert(index, "")
    elif mutation == "space":
        lines[index] += " "
    elif mutation == "indent":
        lines[index] = "    " + lines[index]
    else:
        lines[index] = "x"
    text = "\n".join(lines)
    try:
        parsed = parse(text)
    except StoryFormatError as exc:
        number = int(str(exc).split(":")[0].removeprefix("line "))
        assert 1 <= number <= max(1, len(lines))
    else:
        assert render(parsed) == text.removesuffix("\n")
