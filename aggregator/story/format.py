"""Render and parse the article-plus-questions text format.

Pure functions, no I/O. The layout, which reproduces the project's reference
story byte for byte::

    CATEGORY
    <blank>
    Title
    <blank>
    Mon Apr 21 2025
    Body line one                 <- directly after the date, no blank line
    <blank>                       <- paragraphs separated by one blank line
    Body line two
    <blank>
    questions
    <blank>
        Question one?             <- four spaces, one question a line
        Question two?
    <blank>
    actions                       <- no trailing newline after the last line
        Action one                <- four spaces, one action a line

Decisions, so that ``parse(render(doc)) == doc`` for every valid document and
``render(parse(text)) == text`` for every canonical text:

- The date is always ``%a %b %d %Y`` in the C locale (English names, two-digit
  day, four-digit year), built from fixed tuples so the process locale never
  matters.
- An empty body is allowed (a feed entry may carry only a title); it renders as
  one empty line between the date and the blank line before ``questions``.
- With no questions, the ``questions`` line is followed by two blank lines and
  then ``actions``; with no actions, the text ends with ``actions``.
- Lines are split on ``"\\n"`` only (not on the other characters
  :meth:`str.splitlines` honours), so the body may hold any other character.
- :func:`parse` is strict except in three documented ways: one trailing newline
  is ignored, ``"\\r\\n"`` line endings are accepted, and the weekday name is
  ignored (documents in the wild get it wrong; the date comes from the month,
  day and year).
- The ``questions`` and ``actions`` sections are found from the end of the text,
  so the body may itself contain lines reading ``questions`` or ``actions``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date

from aggregator.errors import StoryFormatError
from aggregator.models import Story

__all__ = ["Document", "format_date", "from_story", "parse", "parse_date", "render", "validate"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE_RE = re.compile(r"([A-Z][a-z]{2}) ([A-Z][a-z]{2}) ([0-9]{2}) ([0-9]{4})")
_DATE_EXAMPLE = "Mon Apr 21 2025"
_INDENT = "    "
_QUESTIONS = "questions"
_ACTIONS = "actions"
_HEAD = ("the category", "a blank line", "the title", "a blank line", "the date")
# The fixed lines: category, blank, title, blank, date; the body starts after them.
_BODY_START = 5


def _show(value: str) -> str:
    """Quote ``value`` for an error message, shortened to a readable length."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


@dataclass(frozen=True, slots=True)
class Document:
    """One article-plus-questions document, field by field.

    Immutable. A document is *valid* when :func:`validate` accepts it; only
    valid documents render, and :func:`parse` only returns valid documents.

    Attributes:
        category: the category as rendered: non-empty, upper case, one line.
        title: the title: non-empty, one line, no surrounding whitespace.
        date: the calendar date shown (a date, not a datetime: no time zone).
        body: plain text; paragraphs separated by one blank line; may be empty.
        questions: discussion questions, one line each.
        actions: follow-ups, one line each.
    """

    category: str
    title: str
    date: date
    body: str
    questions: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()


def format_date(day: date) -> str:
    """Format a date as the format shows it, independent of the locale.

    Args:
        day: the date.

    Returns:
        The date like ``"Mon Apr 07 2025"`` (C-locale ``%a %b %d %Y``).
    """
    return f"{_WEEKDAYS[day.weekday()]} {_MONTHS[day.month - 1]} {day.day:02d} {day.year:04d}"


def parse_date(text: str) -> date:
    """Parse a date written like ``"Mon Apr 21 2025"``.

    The weekday must be one of the English abbreviations but need not match
    the date: it is ignored, and the date comes from the month, day and year.

    Args:
        text: the date text, exactly ``Www Mmm DD YYYY``.

    Returns:
        The date.

    Raises:
        StoryFormatError: the text is not such a date, or names no real day.
    """
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise StoryFormatError(f"expected a date like {_DATE_EXAMPLE!r}, got {_show(text)}")
    weekday, month, day, year = match.groups()
    if weekday not in _WEEKDAYS:
        raise StoryFormatError(f"unknown weekday {weekday!r} in {_show(text)}")
    if month not in _MONTHS:
        raise StoryFormatError(f"unknown month {month!r} in {_show(text)}")
    try:
        return date(int(year), _MONTHS.index(month) + 1, int(day))
    except ValueError as exc:
        raise StoryFormatError(f"{_show(text)} is not a real date ({exc})") from exc


def _line_problem(value: str) -> str:
    """Say why ``value`` cannot be a one-line field, or return ``""``."""
    if not value:
        return "is empty"
    if "\n" in value or "\r" in value:
        return "contains a line break"
    if value != value.strip():
        return "has leading or trailing whitespace"
    return ""


def _body_problem(body: str) -> str:
    """Say why ``body`` cannot be rendered canonically, or return ``""``."""
    if "\r" in body:
        return "contains a carriage return"
    if body != body.strip():
        return "has leading or trailing whitespace"
    previous_blank = False
    for number, line in enumerate(body.split("\n"), start=1):
        if line != line.rstrip():
            return f"line {number} of the body has trailing whitespace"
        if not line and previous_blank:
            return f"line {number} of the body is a second consecutive blank line"
        previous_blank = not line
    return ""


def validate(doc: Document) -> None:
    """Check that a document can be rendered and parsed back unchanged.

    Args:
        doc: the document.

    Raises:
        StoryFormatError: a field breaks the format: a line break, leading or
            trailing whitespace or emptiness in the category, title, a question
            or an action; a category that is not upper case; a body with
            surrounding whitespace, trailing whitespace on a line, or two blank
            lines in a row; a carriage return anywhere.
    """
    problem = _line_problem(doc.category)
    if problem:
        raise StoryFormatError(f"the category {problem}: {_show(doc.category)}")
    if doc.category != doc.category.upper():
        raise StoryFormatError(f"the category is not upper case: {_show(doc.category)}")
    problem = _line_problem(doc.title)
    if problem:
        raise StoryFormatError(f"the title {problem}: {_show(doc.title)}")
    problem = _body_problem(doc.body)
    if problem:
        raise StoryFormatError(f"the body {problem}")
    for kind, items in (("question", doc.questions), ("action", doc.actions)):
        for number, item in enumerate(items, start=1):
            problem = _line_problem(item)
            if problem:
                raise StoryFormatError(f"{kind} {number} {problem}: {_show(item)}")


def render(doc: Document) -> str:
    """Render a document as article-plus-questions text.

    Args:
        doc: the document.

    Returns:
        The text, with ``"\\n"`` line endings and no trailing newline.

    Raises:
        StoryFormatError: the document is not valid (see :func:`validate`).
    """
    validate(doc)
    questions = "".join(f"{_INDENT}{question}\n" for question in doc.questions)
    actions = "".join(f"\n{_INDENT}{action}" for action in doc.actions)
    return (
        f"{doc.category}\n\n{doc.title}\n\n{format_date(doc.date)}\n{doc.body}\n\n"
        f"{_QUESTIONS}\n\n{questions}\n{_ACTIONS}{actions}"
    )


def _error(index: int, message: str) -> StoryFormatError:
    """Build an error for the 0-based line ``index`` (reported 1-based)."""
    return StoryFormatError(f"line {index + 1}: {message}")


def _require(lines: list[str], index: int) -> None:
    """Raise unless the head line ``index`` exists."""
    if index >= len(lines):
        raise _error(len(lines) - 1, f"the document ends after {_HEAD[len(lines) - 1]}")


def _expect_blank(lines: list[str], index: int, after: str) -> None:
    """Raise unless ``lines[index]`` is empty."""
    if lines[index]:
        raise _error(index, f"expected an empty line after {after}, got {_show(lines[index])}")


def _single_line(lines: list[str], index: int, what: str) -> str:
    """Return ``lines[index]`` if it is a valid one-line field ``what``."""
    value = lines[index]
    problem = _line_problem(value)
    if problem:
        raise _error(index, f"the {what} {problem}: {_show(value)}")
    return value


def _tail_line(lines: list[str], index: int, last: int) -> str:
    """Return ``lines[index]``, or raise if the tail would reach into the head."""
    if index < _BODY_START:
        raise _error(
            last,
            f"the document ends early: expected the body, then the {_QUESTIONS!r} "
            f"and {_ACTIONS!r} sections",
        )
    return lines[index]


def _indented(lines: list[str], start: int, stop: int, what: str) -> tuple[str, ...]:
    """Return the items of ``lines[start:stop]``, each indented four spaces."""
    items = []
    for index in range(start, stop):
        item = lines[index][len(_INDENT) :]
        problem = _line_problem(item)
        if problem:
            raise _error(index, f"the {what} {problem} after its four-space indent: {_show(item)}")
        items.append(item)
    return tuple(items)


def parse(text: str) -> Document:
    """Parse article-plus-questions text; the inverse of :func:`render`.

    Args:
        text: the document. One trailing newline and ``"\\r\\n"`` line endings
            are tolerated; anything else that :func:`render` would not produce
            is an error, except a weekday name that does not match the date.

    Returns:
        The document (always valid).

    Raises:
        StoryFormatError: the text is not such a document; the message names
            the line number (1-based) and what was expected there.
    """
    text = text.replace("\r\n", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if "\r" in line:
            raise _error(index, "stray carriage return")
    last = len(lines) - 1

    # The head, read forwards: category, blank, title, blank, date.
    category = _single_line(lines, 0, "category")
    if category != category.upper():
        raise _error(0, f"expected the category in upper case, got {_show(category)}")
    _require(lines, 1)
    _expect_blank(lines, 1, "the category")
    _require(lines, 2)
    title = _single_line(lines, 2, "title")
    _require(lines, 3)
    _expect_blank(lines, 3, "the title")
    _require(lines, 4)
    try:
        day = parse_date(lines[4])
    except StoryFormatError as exc:
        raise _error(4, exc.message) from exc
    _require(lines, _BODY_START)

    # The tail, read backwards: actions, then questions; the body is what is left,
    # so the body may hold lines reading "questions" or "actions".
    actions_at = last
    while actions_at >= _BODY_START and lines[actions_at].startswith(_INDENT):
        actions_at -= 1
    if _tail_line(lines, actions_at, last) != _ACTIONS:
        where = "as the last line" if actions_at == last else "before the indented actions"
        raise _error(actions_at, f"expected {_ACTIONS!r} {where}, got {_show(lines[actions_at])}")
    actions = _indented(lines, actions_at + 1, last + 1, "action")
    blank_before_actions = actions_at - 1
    if _tail_line(lines, blank_before_actions, last):
        raise _error(
            blank_before_actions,
            f"expected an empty line before {_ACTIONS!r}, got {_show(lines[blank_before_actions])}",
        )
    first_question = blank_before_actions
    while first_question > _BODY_START and lines[first_question - 1].startswith(_INDENT):
        first_question -= 1
    questions = _indented(lines, first_question, blank_before_actions, "question")
    blank_after_heading = first_question - 1
    if _tail_line(lines, blank_after_heading, last):
        raise _error(
            blank_after_heading,
            "expected a question indented four spaces, or an empty line after "
            f"{_QUESTIONS!r}, got {_show(lines[blank_after_heading])}",
        )
    heading = blank_after_heading - 1
    if _tail_line(lines, heading, last) != _QUESTIONS:
        raise _error(heading, f"expected {_QUESTIONS!r}, got {_show(lines[heading])}")
    blank_before_heading = heading - 1
    if _tail_line(lines, blank_before_heading, last):
        raise _error(
            blank_before_heading,
            f"expected an empty line before {_QUESTIONS!r}, "
            f"got {_show(lines[blank_before_heading])}",
        )
    if blank_before_heading == _BODY_START:
        raise _error(
            _BODY_START,
            "expected the body directly after the date (an empty body is one empty line), "
            f"then an empty line before {_QUESTIONS!r}",
        )

    body_lines = lines[_BODY_START:blank_before_heading]
    if len(body_lines) > 1 or body_lines[0]:
        _check_body(body_lines)
    doc = Document(
        category=category,
        title=title,
        date=day,
        body="\n".join(body_lines),
        questions=questions,
        actions=actions,
    )
    validate(doc)  # a safety net: every check above has a line number already
    return doc


def _check_body(body_lines: list[str]) -> None:
    """Raise with a line number where a non-empty body breaks the format."""
    if not body_lines[0]:
        raise _error(_BODY_START, "expected the body directly after the date, got an empty line")
    if not body_lines[-1]:
        index = _BODY_START + len(body_lines) - 1
        raise _error(index, f"expected one empty line before {_QUESTIONS!r}, got two")
    if body_lines[0] != body_lines[0].lstrip():
        raise _error(_BODY_START, "the body starts with whitespace")
    previous_blank = False
    for offset, line in enumerate(body_lines):
        index = _BODY_START + offset
        if line != line.rstrip():
            raise _error(index, f"trailing whitespace in the body: {_show(line)}")
        if not line and previous_blank:
            raise _error(index, "two empty lines in a row in the body")
        previous_blank = not line


def from_story(story: Story) -> Document:
    """Build the document for a story.

    Args:
        story: the story; its ``published`` must be timezone-aware.

    Returns:
        The document: the category upper-cased, the date the UTC calendar day
        of ``story.published``, the other fields as they are (not validated:
        :func:`render` checks them).

    Raises:
        ValueError: ``story.published`` is naive (a bug: stories are UTC).
    """
    if story.published.tzinfo is None:
        raise ValueError("story.published must be timezone-aware")
    return Document(
        category=story.category.upper(),
        title=story.title,
        date=story.published.astimezone(UTC).date(),
        body=story.body,
        questions=story.questions,
        actions=story.actions,
    )
