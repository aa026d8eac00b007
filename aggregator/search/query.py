"""The search language: translate what a reader types into an FTS5 MATCH expression.

Pure: no I/O, standard library only. This module is on the start-up path of
``aggregator search``, so it must stay cheap to import (no httpx, feedparser,
sqlite_utils or rich here).

The language, close to what web search engines accept::

    rust async            every word must match (AND)
    "exact phrase"        a phrase; a quote left open runs to the end
    rust OR go            either; OR binds tighter than the implied AND, so
                          ``async rust OR go`` is ``async (rust OR go)``
    (a b) OR c            parentheses group (nesting is capped)
    -word  NOT word       exclusion; also ``-"a phrase"``, ``-title:x``, ``-(a OR b)``
    optim*                prefix ("a phrase*" makes its last word a prefix)
    title:rust            column filter: title, body or questions, also
                          ``title:"a phrase"``, ``title:(a OR b)`` and ``title: rust``
    rust #rust            the same search: a word also finds its hashtag, and back
    AND  +word            accepted and ignored (every word is required anyway)

Everything else is text. Each word or phrase becomes one double-quoted FTS5
string (inner ``"`` doubled), and FTS5 tokenizes it with the index's own
tokenizer, so ``multi-agent`` is the phrase "multi agent", ``GPT-4o`` is
"gpt 4o", ``3.12`` is "3 12", ``AT&T`` is "at t", and ``don't`` / ``don’t`` is
"don t" -- exactly how the same text was indexed. FTS5 syntax typed by the user
(``^``, ``*`` alone, ``foo:bar`` for an unknown column, stray quotes or
parentheses) is therefore only ever text: no query can produce an FTS5 syntax
error. ``NEAR(a b, 5)`` is read as ``(a b)`` (the distance is not enforced);
``NEAR`` alone and lower-case ``and``/``or``/``not`` are plain words.

What is dropped: lone operators (``OR`` at either end, ``NOT`` or ``-`` with
nothing after them, ``()``), words with nothing searchable in them (only
punctuation, symbols or emoji: FTS5 would treat them as an empty phrase, which
silently matches nothing), ``OR`` next to an exclusion (``a OR -b`` means
``a -b``; "not b" is not something FTS5 can OR), terms past
:data:`MAX_TERMS`, and text past :data:`MAX_QUERY_CHARS`. Control characters,
NUL and lone surrogates (from undecodable command-line bytes) become spaces.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection

from aggregator.errors import InvalidQueryError
from aggregator.search.scripts import has_no_space_script as _has_no_space_script
from aggregator.search.scripts import query_text as _query_text
from aggregator.search.stemming import query_stems as _query_stems

# Start-up time counts on this path (see docs/design.md, Start-up time): no typing or
# dataclasses at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final, TypeAlias

__all__ = [
    "FTS_TOKENIZE",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "highlight_terms",
    "positive_expression",
    "positive_terms",
    "to_fts5",
    "uses_prefix",
    "uses_scripts",
]

FTS_TOKENIZE: Final = "porter unicode61 remove_diacritics 2 tokenchars '+#'"
"""The FTS5 ``tokenize`` option of ``stories_fts``; queries from :func:`to_fts5` assume it.

* ``unicode61``: Unicode-aware case folding and word splitting, so Cyrillic,
  Greek or Arabic text is searchable and "Ünïcödé" matches "unicode"
  (``remove_diacritics 2`` also folds letters with several diacritics, which
  mode 1 leaves alone).
* ``porter``: English stemming, so ``agents`` finds "agent" and ``running``
  finds "runs". The price: a prefix is matched against stems, so ``generat*``
  does not find "generators" (indexed as "gener"); ``gener*`` or the whole
  word does.
* ``tokenchars '+#'``: ``+`` and ``#`` are part of words, so ``C++``, ``C#``,
  ``F#``, ``g++`` and ``Notepad++`` are tokens of their own. With plain
  ``unicode61`` all three of ``C``, ``C++`` and ``C#`` index as ``c``, and a
  search for C++ matches every "Plan C" and "vitamin C". The price is that
  ``+`` and ``#`` stick to the words they touch: "#rustlang" and "Disney+" are
  single tokens. :func:`to_fts5` makes a word and its hashtag equivalent
  (``rust`` searches "rust" OR "#rust", and ``#rust`` the same), so hashtags in
  social feeds stay findable; trailing pluses are not expanded (``C`` must not
  find C++), so ``Disney+`` needs the plus or a prefix (``disney*``), and
  ``C++`` does not find "C++20" (``C++*`` does).
  Other symbols stay separators on purpose: ``.`` would glue sentence ends
  ("rust." != "rust"), ``-`` would make "multi-agent" unfindable by
  ``agent``, ``'`` would split "don't" and "don’t" differently, and ``&`` or
  ``@`` gain nothing that a phrase ("at t") does not already give.

The value contains single quotes; quote it as an SQL string literal
(``sqlite_utils.Database.quote``) when writing the ``CREATE VIRTUAL TABLE``.
"""

MAX_TERMS: Final = 64
"""Words and phrases kept from one query; the rest are ignored."""

MAX_QUERY_CHARS: Final = 2048
"""Characters of a query that are read; the rest are ignored."""

_MAX_DEPTH: Final = 8
"""Parentheses nested deeper than this are ignored (they only group ANDs then)."""

_COLUMNS: Final = ("title", "body", "questions")
_QUOTES: Final = '"\u201c\u201d\u201e'  # " “ ” „ -- terminals and phones type the curly ones
_KEYWORDS: Final = ("AND", "OR", "NOT")
_PAREN_KEYWORDS: Final = ("AND", "OR", "NOT", "NEAR")  # "NOT(" is NOT followed by a group


# --- lexing -------------------------------------------------------------------------


def _is_searchable(char: str) -> bool:
    """Whether ``char`` makes a word searchable: a letter, a digit or a private-use char.

    These are the categories ``unicode61`` indexes by default (L*, N*, Co).
    It also keeps ``+``/``#`` and many combining marks, but a word made only
    of those is not worth a search, so they do not count here. Where SQLite's
    Unicode 6.1 tables and Python's disagree, a dropped word is the safe side:
    a kept word SQLite sees as empty would match nothing.
    """
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


def _is_word_char(char: str) -> bool:
    """Whether ``char`` belongs inside a token (an approximation of ``unicode61``)."""
    return _is_searchable(char) or char in "+#" or unicodedata.category(char)[0] == "M"


def _tokens(text: str) -> list[str]:
    """Split ``text`` into the tokens ``unicode61 tokenchars '+#'`` would roughly make."""
    tokens: list[str] = []
    current: list[str] = []
    for char in text:
        if _is_word_char(char):
            current.append(char)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


def _column_at(query: str, i: int) -> str:
    """The column a ``title:``, ``body:`` or ``questions:`` at ``i`` names (any case), or ``""``."""
    for column in _COLUMNS:
        end = i + len(column)
        if query[end : end + 1] == ":" and query[i:end].lower() == column:
            return column
    return ""


def _drop_near_distances(text: str) -> str:
    """Read FTS5's own ``NEAR(a b, 10)`` as the group ``NEAR(a b)``: the distance is not enforced.

    (Plain string scanning rather than a regular expression: ``re`` costs
    milliseconds to import, and this module is on the start-up path.)
    """
    out: list[str] = []
    i = 0
    while (start := text.find("NEAR(", i)) >= 0:
        inner = start + 5
        close = text.find(")", inner)
        bounded = start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")
        if not bounded or close < 0 or "(" in text[inner:close]:
            out.append(text[i:inner])
            i = inner
            continue
        comma = text.rfind(",", inner, close)
        if comma >= 0 and text[comma + 1 : close].strip().isdecimal():
            out.append(text[i:comma] + ")")
        else:
            out.append(text[i : close + 1])
        i = close + 1
    out.append(text[i:])
    return "".join(out)


def _clean(query: str) -> str:
    """NFC-normalize, cap the length, and turn control characters and surrogates into spaces."""
    text = unicodedata.normalize("NFC", query[:MAX_QUERY_CHARS])
    text = _drop_near_distances(text)
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)


class _Tok:
    """One lexical token of a query (treat as immutable).

    Attributes:
        kind: ``word``, ``phrase``, ``column``, ``neg``, ``and``, ``or``, ``not``,
            ``lparen`` or ``rparen``.
        text: the word, the phrase's inside, or the column name; else ``""``.
        prefix: the word or phrase ended in ``*``.
    """

    __slots__ = ("kind", "prefix", "text")

    def __init__(self, kind: str, text: str = "", prefix: bool = False) -> None:
        self.kind = kind
        self.text = text
        self.prefix = prefix


def _lex(query: str) -> list[_Tok]:
    """Cut a cleaned query into tokens, dropping words with nothing searchable."""
    toks: list[_Tok] = []
    terms = 0
    i, n = 0, len(query)
    while i < n and terms < MAX_TERMS:
        char = query[i]
        if char.isspace():
            i += 1
        elif char == "(":
            toks.append(_Tok("lparen"))
            i += 1
        elif char == ")":
            toks.append(_Tok("rparen"))
            i += 1
        elif char in _QUOTES:
            end = i + 1
            while end < n and query[end] not in _QUOTES:
                end += 1
            text = query[i + 1 : end]
            i = end + 1  # past the closing quote, or past the end if it was left open
            prefix = i < n and query[i] == "*"
            while i < n and query[i] == "*":
                i += 1
            if any(_is_searchable(c) for c in text):
                toks.append(_Tok("phrase", text, prefix))
                terms += 1
        elif char == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != "-":
            # Only a "-" that starts a word excludes: "multi-agent" is one word, and
            # "--verbose" (a flag, not a double negation) is the word "verbose".
            toks.append(_Tok("neg"))
            i += 1
        elif char == "+" and i + 1 < n and query[i + 1].isalpha():
            i += 1  # "+word" is the old "required" operator; AND is implied anyway
        elif column := _column_at(query, i):
            toks.append(_Tok("column", column))
            i += len(column) + 1
        elif keyword := next((k for k in _PAREN_KEYWORDS if query.startswith(k + "(", i)), ""):
            if keyword != "NEAR":
                toks.append(_Tok(keyword.lower()))
            i += len(keyword)  # the "(" is lexed next
        else:
            end, depth = i, 0
            while end < n and not query[end].isspace():
                if query[end] == "(":
                    depth += 1
                elif query[end] == ")":
                    if depth == 0:
                        break  # closes a group: "(rust OR go)"
                    depth -= 1  # part of the word: "print()", "f(x)"
                end += 1
            word = query[i:end]
            i = end
            if word in _KEYWORDS:
                toks.append(_Tok(word.lower()))
                continue
            prefix = word.endswith("*")
            word = word.rstrip("*")
            if any(_is_searchable(c) for c in word):
                toks.append(_Tok("word", word, prefix))
                terms += 1
    return toks


# --- parsing ------------------------------------------------------------------------


# The parse tree's nodes are plain slotted classes rather than frozen dataclasses:
# creating a dataclass costs about half a millisecond at import, and this module is
# on the start-up path of ``aggregator search``. Treat
# them as immutable, except _Unit while a sequence is folded.


class _Term:
    """A word or phrase to match.

    Attributes:
        text: what the user typed (FTS5 tokenizes it).
        prefix: match the last token as a prefix.
        column: restrict to this column, or ``None`` for all.
        phrase: it was typed in quotes.
    """

    __slots__ = ("column", "phrase", "prefix", "text")

    def __init__(self, text: str, prefix: bool, column: str | None, phrase: bool) -> None:
        self.text = text
        self.prefix = prefix
        self.column = column
        self.phrase = phrase


class _Or:
    """Any of ``children`` (each one positive: a term, an ``_Or`` or an ``_And``)."""

    __slots__ = ("children",)

    def __init__(self, children: tuple[_Node, ...]) -> None:
        self.children = children


class _And:
    """All of ``positives`` and none of ``negatives``."""

    __slots__ = ("negatives", "positives")

    def __init__(self, positives: tuple[_Node, ...], negatives: tuple[_Node, ...]) -> None:
        self.positives = positives
        self.negatives = negatives


_Node: TypeAlias = "_Term | _Or | _And"


class _Unit:
    """One operand of a sequence while it is parsed: a node and whether it is excluded."""

    __slots__ = ("negated", "node")

    def __init__(self, node: _Node, negated: bool) -> None:
        self.node = node
        self.negated = negated

    @property
    def positive(self) -> bool:
        """Whether the unit can stand as a positive operand (of OR, say)."""
        return not self.negated and not (isinstance(self.node, _And) and not self.node.positives)


class _Parser:
    """A recursive-descent parser over :func:`_lex` tokens that never fails.

    Anything that does not fit the grammar is dropped, never reported.
    """

    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.pos = 0
        self.skipped_parens = 0  # "(" ignored past _MAX_DEPTH; their ")" are ignored too

    def peek(self) -> _Tok | None:
        """The next token, or ``None`` at the end."""
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def sequence(self, depth: int, column: str | None) -> _And:
        """Parse operands up to the end or an unmatched ``)``; return their AND."""
        items: list[_Unit | None] = []  # None stands for an OR keyword
        while (tok := self.peek()) is not None:
            if tok.kind == "rparen":
                if self.skipped_parens:
                    self.skipped_parens -= 1
                    self.pos += 1
                    continue
                if depth > 0:
                    break  # the caller consumes it
                self.pos += 1  # a stray ")"
            elif tok.kind == "or":
                items.append(None)
                self.pos += 1
            elif tok.kind == "and":
                self.pos += 1
            elif (unit := self.unary(depth, column)) is not None:
                items.append(unit)
        return _combine(items)

    def unary(self, depth: int, column: str | None) -> _Unit | None:
        """Parse ``[-|NOT|column:]* atom``; return ``None`` if no operand follows."""
        negated = False
        while (tok := self.peek()) is not None and tok.kind in ("neg", "not", "column"):
            self.pos += 1
            if tok.kind == "column":
                column = tok.text
            else:
                negated = True  # "NOT -x" is read as "-x", not as a double negation
        tok = self.peek()
        if tok is None:
            return None
        if tok.kind in ("word", "phrase"):
            self.pos += 1
            term = _Term(tok.text, tok.prefix, column, tok.kind == "phrase")
            return _Unit(term, negated)
        if tok.kind == "lparen":
            self.pos += 1
            if depth >= _MAX_DEPTH:
                self.skipped_parens += 1
                return None
            group = self.sequence(depth + 1, column)
            if (end := self.peek()) is not None and end.kind == "rparen":
                self.pos += 1  # a group left open is closed at the end
            if not group.positives and not group.negatives:
                return None
            if len(group.positives) == 1 and not group.negatives:
                return _Unit(group.positives[0], negated)
            return _Unit(group, negated)
        return None  # "OR", "AND" or ")" after the prefixes: they are dropped


def _combine(items: list[_Unit | None]) -> _And:
    """Fold ``OR`` keywords (``None``) between positive units, then flatten into one AND."""
    folded: list[_Unit] = []
    pending_or = False
    for item in items:
        if item is None:
            pending_or = True
            continue
        previous = folded[-1] if folded else None
        if pending_or and previous is not None and previous.positive and item.positive:
            left = previous.node.children if isinstance(previous.node, _Or) else (previous.node,)
            right = item.node.children if isinstance(item.node, _Or) else (item.node,)
            previous.node = _Or(left + right)
        else:
            folded.append(item)
        pending_or = False
    positives: list[_Node] = []
    negatives: list[_Node] = []
    for unit in folded:
        if unit.negated:
            if not isinstance(unit.node, _And) or unit.node.positives:
                negatives.append(unit.node)  # "-(-x)" means nothing searchable: dropped
        elif isinstance(unit.node, _And):
            positives.extend(unit.node.positives)  # "a (b -c)" is "a b -c"
            negatives.extend(unit.node.negatives)
        else:
            positives.append(unit.node)
    return _And(tuple(positives), tuple(negatives))


def _parse(query: str) -> _And:
    """Parse a query into an AND node (possibly empty); never raises."""
    return _Parser(_lex(_clean(query))).sequence(0, None)


# --- rendering ----------------------------------------------------------------------


def _quote(text: str) -> str:
    """Make ``text`` an FTS5 string: the one construct whose inside is never syntax."""
    return '"' + text.replace('"', '""') + '"'


def _render_stemmed(term: _Term) -> str:
    """A term as ``stories_stem`` finds it: each stemming of its words, and its hashtag twin.

    See :mod:`aggregator.search.stemming`. A prefix keeps its last word as
    typed; text in a script written without spaces is a whole token there, as
    in ``stories_fts``.
    """
    star = "*" if term.prefix else ""
    tokens = _tokens(term.text)
    if not tokens or _has_no_space_script(term.text):
        return _quote(term.text) + star
    forms = _query_stems(tokens, prefix=term.prefix)
    if not term.phrase and len(tokens) == 1:
        token = tokens[0]
        bare = token[1:] if token.startswith("#") else token
        if bare and "#" not in bare and "+" not in bare:
            forms = [*_query_stems([bare], prefix=term.prefix), "#" + bare.lower()]
    alternatives = [_quote(form) + star for form in dict.fromkeys(forms)]
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def _render_term(term: _Term, stemmed: bool = False) -> str:
    """Render a term, its hashtag twin (see :data:`FTS_TOKENIZE`), and its column filter.

    Text in a script written without spaces is also searched as the phrase of
    its pairs (:func:`aggregator.search.scripts.query_text`), which is how
    ``stories_cjk`` indexes it; ``stories_fts`` has such runs as whole tokens.
    ``stemmed``: the term as ``stories_stem`` finds it (:func:`_render_stemmed`).
    """
    if stemmed:
        expr = _render_stemmed(term)
        return f"{term.column} : {expr}" if term.column else expr
    star = "*" if term.prefix else ""
    expr = _quote(term.text) + star
    tokens = _tokens(term.text)
    if _has_no_space_script(term.text):
        text, lone = _query_text(term.text)
        pairs = _quote(text) + ("*" if term.prefix or lone else "")
        expr = pairs if text == term.text else f"({expr} OR {pairs})"
    elif not term.phrase and len(tokens) == 1:
        token = tokens[0]
        bare = token[1:] if token.startswith("#") else token
        if bare and "#" not in bare and "+" not in bare:
            twin = bare if token.startswith("#") else "#" + bare
            expr = f"({expr} OR {_quote(twin)}{star})"
    return f"{term.column} : {expr}" if term.column else expr


def _render(node: _Node, stemmed: bool = False) -> str:
    """Render a node as an FTS5 expression; composite nodes come parenthesized."""
    if isinstance(node, _Term):
        return _render_term(node, stemmed)
    if isinstance(node, _Or):
        return "(" + " OR ".join(_render(child, stemmed) for child in node.children) + ")"
    positives = [_render(child, stemmed) for child in node.positives]
    expr = positives[0] if len(positives) == 1 else "(" + " AND ".join(positives) + ")"
    if node.negatives:
        negatives = [_render(child, stemmed) for child in node.negatives]
        excluded = negatives[0] if len(negatives) == 1 else "(" + " OR ".join(negatives) + ")"
        expr = f"({expr} NOT {excluded})"
    return expr


# --- public API ---------------------------------------------------------------------


def to_fts5(query: str, *, stemmed: bool = False) -> str:
    """Translate a search query into an FTS5 MATCH expression that cannot be a syntax error.

    See the module docstring for the language. Every word or phrase becomes a
    double-quoted FTS5 string, so user input is never FTS5 syntax.

    Args:
        query: what the user typed, e.g. ``'title:"rust async" -go C++ multi-agent'``.
        stemmed: the expression for ``stories_stem`` instead, where words are
            stems (:mod:`aggregator.search.stemming`).

    Returns:
        An expression for ``stories_fts MATCH ?`` on an index built with
        :data:`FTS_TOKENIZE`; for the example,
        ``'((title : "rust async" AND "C++" AND "multi-agent") NOT ("go" OR "#go"))'``.

    Raises:
        InvalidQueryError: nothing searchable is left ("empty query"), or every
            word is excluded (FTS5 cannot search for "everything but x").
    """
    tree = _parse(query)
    if not tree.positives:
        if tree.negatives:
            raise InvalidQueryError("a query needs at least one word that is not excluded")
        raise InvalidQueryError("empty query")
    return _render(tree, stemmed)


def highlight_terms(query: str) -> tuple[str, ...]:
    """Return the query's plain terms, lower-cased, for highlighting matches client-side.

    Excluded terms are left out; operators, column prefixes, quotes, prefix
    stars and the punctuation around a term are removed. Duplicates are dropped
    and the order of first appearance is kept.

    Args:
        query: what the user typed.

    Returns:
        The terms, e.g. ``("rust async", "c++", "multi-agent")`` for
        ``'"Rust async" C++ multi-agent -go'``; ``()`` if there are none
        (never raises, even for a query :func:`to_fts5` rejects).
    """
    found: dict[str, None] = {}
    stack: list[_Node] = list(_parse(query).positives)
    stack.reverse()
    while stack:
        node = stack.pop()
        if isinstance(node, _Term):
            start, end = 0, len(node.text)
            while start < end and not _is_word_char(node.text[start]):
                start += 1
            while end > start and not _is_word_char(node.text[end - 1]):
                end -= 1
            if term := " ".join(node.text[start:end].split()).lower():
                found.setdefault(term)
        else:
            children = node.children if isinstance(node, _Or) else node.positives
            stack.extend(reversed(children))
    return tuple(found)


def positive_terms(query: str, *, stemmed: bool = False) -> tuple[tuple[str, bool, str], ...]:
    """Return each word or phrase the results must (or may) contain, as its own FTS5 expression.

    Excluded terms are left out. Search uses these to estimate how common each
    term is, and what weighing it would cost, before it asks SQLite to rank
    (:mod:`aggregator.store.search`).

    Args:
        query: what the user typed.
        stemmed: the expressions for ``stories_stem`` (as :func:`to_fts5`).

    Returns:
        ``(expression, is_prefix, words)`` triples in query order, without
        duplicates. ``words`` matches the stories that contain all the term's
        words in any order and column, which is what SQLite reads to match a
        phrase or a column filter. For ``'title:"the verge" go*'``:
        ``(('title : "the verge"', False, '"the" AND "verge"'),
        ('("go"* OR "#go"*)', True, '"go"*'))``. ``()`` if there are none
        (never raises).
    """
    found: dict[str, tuple[str, bool, str]] = {}
    stack: list[_Node] = list(_parse(query).positives)
    stack.reverse()
    while stack:
        node = stack.pop()
        if isinstance(node, _Term):
            expr = _render_term(node, stemmed)
            if expr not in found:
                if stemmed:  # each word in any of its stemmings
                    toks = _tokens(node.text)
                    last = _Term(toks[-1], node.prefix, None, node.phrase or len(toks) > 1)
                    words = [_render_stemmed(_Term(t, False, None, True)) for t in toks[:-1]]
                    words.append(_render_stemmed(last))
                    found[expr] = (expr, node.prefix, " AND ".join(words))
                    continue
                text, lone = _query_text(node.text)
                words = [_quote(token) for token in _tokens(text)] or [_quote(text)]
                if node.prefix or lone:
                    words[-1] += "*"
                found[expr] = (expr, node.prefix or lone, " AND ".join(words))
        else:
            children = node.children if isinstance(node, _Or) else node.positives
            stack.extend(reversed(children))
    return tuple(found.values())


def positive_expression(query: str, *, without: Collection[str] = (), stemmed: bool = False) -> str:
    """Translate a query like :func:`to_fts5`, minus its exclusions and the given terms.

    The result matches a superset of what :func:`to_fts5` matches; search ranks
    with it, because every phrase in a MATCH expression (excluded ones too)
    makes SQLite's ``bm25()`` visit every story that contains that phrase.

    Args:
        query: what the user typed.
        without: term expressions (from :func:`positive_terms`) to leave out.
        stemmed: the expression for ``stories_stem`` (as :func:`to_fts5`).

    Returns:
        An FTS5 expression, or ``""`` when nothing is left.
    """
    dropped = set(without)

    def prune(node: _Node) -> _Node | None:
        if isinstance(node, _Term):
            return None if _render_term(node, stemmed) in dropped else node
        if isinstance(node, _Or):
            kept = tuple(c for c in (prune(child) for child in node.children) if c is not None)
            return _Or(kept) if len(kept) > 1 else (kept[0] if kept else None)
        positives = tuple(c for c in (prune(child) for child in node.positives) if c is not None)
        return _And(positives, ()) if positives else None

    tree = prune(_And(_parse(query).positives, ()))
    return "" if tree is None else _render(tree, stemmed)


def uses_prefix(query: str) -> bool:
    """Whether the query has a prefix term (``optim*``), excluded ones included.

    SQLite merges the postings of every word a prefix matches each time a
    statement starts, so search avoids statements that restart per row for such queries.

    Args:
        query: what the user typed.

    Returns:
        ``True`` if any term ends in ``*``.
    """
    tree = _parse(query)
    stack: list[_Node] = [*tree.positives, *tree.negatives]
    while stack:
        node = stack.pop()
        if isinstance(node, _Term):
            if node.prefix or _query_text(node.text)[1]:
                return True
        elif isinstance(node, _Or):
            stack.extend(node.children)
        else:
            stack.extend((*node.positives, *node.negatives))
    return False


def uses_scripts(query: str) -> bool:
    """Whether every match must contain text in a script written without spaces.

    Such a query is answered from ``stories_cjk``, the index of the stories
    with such text (:mod:`aggregator.search.scripts`), where its other words
    are found too. Other queries use ``stories_fts``, where a word in such a
    script is found only as a whole run (so ``三星 OR Samsung`` finds the
    Samsung stories, and 三星 only where it stands apart from other Chinese).

    Args:
        query: what the user typed.

    Returns:
        ``True`` if a required word or phrase (every alternative of an OR) has such text.
    """

    def required(node: _Node) -> bool:
        if isinstance(node, _Term):
            return _has_no_space_script(node.text)
        if isinstance(node, _Or):
            return all(required(child) for child in node.children)
        return any(required(child) for child in node.positives)

    return required(_parse(query))
