"""Tests for aggregator.search.query against a real SQLite FTS5 index built with FTS_TOKENIZE."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.errors import InvalidQueryError, SearchError
from aggregator.search import query as query_module
from aggregator.search.query import FTS_TOKENIZE, MAX_TERMS, highlight_terms, to_fts5

# slug -> (title, body, questions)
STORIES: dict[str, tuple[str, str, str]] = {
    "cpp": (
        "C++26 adds static reflection",
        "The C++ committee voted reflection in. Modern C++ code gets simpler.",
        "What does reflection change for C++ libraries?",
    ),
    "c": (
        "Why C programming still matters",
        "C programming remains the language of kernels; Plan C for embedded boards.",
        "Is C still relevant?",
    ),
    "csharp": (
        "C# 13 and .NET 9 ship",
        "Microsoft released C# 13 alongside .NET 9 and ASP.NET Core.",
        "",
    ),
    "agents": (
        "Multi-agent systems in production",
        "Teams deploy multi-agent orchestration with LLM agents.",
        "What is a multi-agent system?",
    ),
    "gpt": ("OpenAI launches GPT-4o", "GPT-4o is faster than GPT-4 and cheaper.", ""),
    "python": (
        "Python 3.12 released",
        "Python 3.12 improves error messages; the installer v2.0.1 fixes a bug.",
        "",
    ),
    "dont": ("Don't panic: a guide", "Developers don\u2019t need to rewrite everything.", ""),
    "att": ("AT&T outage hits millions", "AT&T said service was restored by evening.", ""),
    "node": (
        "Node.js 22 is out",
        "Node.js adds a built-in WebSocket client, @nodejs announced.",
        "",
    ),
    "hashtag": (
        "Loving the borrow checker",
        "New compiler release today #rustlang #programming",
        "",
    ),
    "rust_async": (
        "Async Rust in practice",
        "Tokio and async/await make concurrency easier.",
        "What is async Rust?",
    ),
    "rust_body": (
        "Weekly digest",
        "This week: Rust 1.80, Go generics and Zig.",
        "Which release is new?",
    ),
    "ml": ("Machine learning at scale", "Training a machine learning model on GPUs.", ""),
    "ml_words": (
        "Learning to build a machine",
        "A hobbyist machine shop, and what learning by doing means.",
        "",
    ),
    "intl": (
        "人工智能 新闻",
        "Новости технологий. الذكاء الاصطناعي",
        "",
    ),
    "url": (
        "Blog post roundup",
        "Read more at https://example.com/blog/post-1 today. Caf\u00e9 culture \U0001f389.",
        "",
    ),
}


def _sql_string(value: str) -> str:
    """Quote ``value`` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _build_archive(path: Path) -> sqlite3.Connection:
    """Create the stories table and its external-content FTS5 index, filled with STORIES."""
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE stories (id INTEGER PRIMARY KEY, slug TEXT, title TEXT, body TEXT,"
        " questions TEXT)"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE stories_fts USING fts5(title, body, questions,"
        f" content='stories', content_rowid='id', tokenize={_sql_string(FTS_TOKENIZE)})"
    )
    conn.executemany(
        "INSERT INTO stories (slug, title, body, questions) VALUES (?, ?, ?, ?)",
        [(slug, *fields) for slug, fields in STORIES.items()],
    )
    conn.execute("INSERT INTO stories_fts (stories_fts) VALUES ('rebuild')")
    conn.commit()
    return conn


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """A real archive file with STORIES indexed; shared by the module (queries only read)."""
    conn = _build_archive(tmp_path_factory.mktemp("archive") / "archive.db")
    try:
        yield conn
    finally:
        conn.close()


def run(db: sqlite3.Connection, expression: str) -> set[str]:
    """Run an FTS5 expression the way the archive does; return the matching slugs."""
    rows = db.execute(
        "SELECT s.slug FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid"
        " WHERE stories_fts MATCH ?",
        (expression,),
    ).fetchall()
    return {row[0] for row in rows}


def search(db: sqlite3.Connection, query: str) -> set[str]:
    """Translate ``query`` with :func:`to_fts5` and run it."""
    return run(db, to_fts5(query))


# --- the tokenizer --------------------------------------------------------------------


def test_tokenizer_keeps_plus_and_hash_in_words(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "t.db")
    try:
        conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize={_sql_string(FTS_TOKENIZE)})")
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
        conn.execute("INSERT INTO t (x) VALUES ('C++, C# and .NET; AT&T don''t #rustlang Running')")
        terms = {row[0] for row in conn.execute("SELECT term FROM v")}
    finally:
        conn.close()
    # "+" and "#" belong to words; "," ";" "." "&" "'" still separate them; porter stems.
    assert terms == {"c++", "c#", "and", "net", "at", "t", "don", "#rustlang", "run"}


def test_tokenize_works_with_sqlite_utils_enable_fts(tmp_path: Path) -> None:
    # The value holds single quotes; sqlite-utils quotes it into the CREATE statement.
    database = sqlite_utils.Database(tmp_path / "su.db")
    try:
        table = database["stories"]
        table.insert_all(  # type: ignore[union-attr]
            [{"id": 1, "title": "C++ news", "body": "", "questions": ""}, {"id": 2, "title": "C"}],
            pk="id",
            alter=True,
        )
        table.enable_fts(  # type: ignore[union-attr]
            ["title", "body", "questions"], tokenize=FTS_TOKENIZE, create_triggers=True
        )
        assert table.detect_fts() == "stories_fts"  # type: ignore[union-attr]
        rows = database.execute(
            "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?", [to_fts5("C++")]
        ).fetchall()
    finally:
        database.close()
    assert rows == [(1,)]


# --- semantics ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # plain words: all must match, anywhere
        ("machine learning", {"ml", "ml_words"}),
        ("Machine LEARNING", {"ml", "ml_words"}),
        # phrases, closed or left open
        ('"machine learning"', {"ml"}),
        ('"machine learning', {"ml"}),
        ("\u201cmachine learning\u201d", {"ml"}),  # curly quotes
        # OR, and its precedence: tighter than the implied AND, as in web search
        ("tokio OR zig", {"rust_async", "rust_body"}),
        ("async tokio OR zig", {"rust_async"}),
        ("(machine learning) OR zig", {"ml", "ml_words", "rust_body"}),
        ('"machine learning" OR "borrow checker"', {"ml", "hashtag"}),
        # exclusion
        ("rust -tokio", {"rust_body"}),
        ("rust NOT tokio", {"rust_body"}),
        ('rust -"async rust"', {"rust_body"}),
        ("machine -(shop OR gpus)", set()),
        ("machine -(shop gpus)", {"ml", "ml_words"}),
        ("rust -title:rust", {"rust_body"}),
        ("rust OR -tokio", {"rust_body"}),  # OR next to an exclusion is dropped
        # prefix
        ("tok*", {"rust_async"}),
        ("multi-ag*", {"agents"}),
        ('"machine lea"*', {"ml"}),
        ("C++*", {"cpp"}),  # "C++26" is its own token; the prefix finds it
        # column filters
        ("rust", {"rust_async", "rust_body"}),
        ("title:rust", {"rust_async"}),
        ("TITLE:rust", {"rust_async"}),
        ("title: rust", {"rust_async"}),
        ('title:"async rust"', {"rust_async"}),
        ("title:(digest OR tokio)", {"rust_body"}),
        ("body:tokio", {"rust_async"}),
        ("body:digest", set()),
        ("questions:relevant", {"c"}),
        ("questions:kernels", set()),
        # hyphenated words are phrases
        ("multi-agent", {"agents"}),
        ("Multi-Agent systems", {"agents"}),
        # versions and model names
        ("GPT-4", {"gpt"}),
        ("GPT-4o", {"gpt"}),
        ("gpt-4o", {"gpt"}),
        ("3.12", {"python"}),
        ("python 3.12", {"python"}),
        ("v2.0.1", {"python"}),
        ("v2.0.2", set()),
        # apostrophes, straight or curly, in the query or in the text
        ("don't", {"dont"}),
        ("don\u2019t", {"dont"}),
        ("title:don\u2019t", {"dont"}),
        ("body:don't", {"dont"}),
        # languages and their symbols
        ("C++", {"cpp"}),
        ("c++", {"cpp"}),
        ("C#", {"csharp"}),
        ("C", {"c"}),
        (".NET", {"csharp"}),
        ("Node.js", {"node"}),
        ("AT&T", {"att"}),
        ("@nodejs", {"node"}),
        # hashtags and their bare words are the same search
        ("#rustlang", {"hashtag"}),
        ("rustlang", {"hashtag"}),
        ("rustlang -#programming", set()),
        # URLs, accents, emoji, other scripts
        ("https://example.com/blog/post-1", {"url"}),
        ("example.com", {"url"}),
        ("caf\u00e9", {"url"}),
        ("cafe", {"url"}),
        ("cafe \U0001f389", {"url"}),
        ("人工智能", {"intl"}),
        ("новости", {"intl"}),  # case-folded
        ("الذكاء", {"intl"}),
        # porter stemming
        ("agent", {"agents"}),
        ("concurrent", {"rust_async"}),  # "concurrency" and "concurrent" stem alike
        ("launch", {"gpt"}),
        # FTS5 and boolean keywords typed as words
        ("near", set()),
        ("NEAR(machine learning)", {"ml", "ml_words"}),
        ("NEAR(machine learning, 2)", {"ml", "ml_words"}),
        ("and", {"csharp", "gpt", "rust_async", "rust_body", "ml_words"}),
        ("rust AND tokio", {"rust_async"}),
        ("foo:bar", set()),
        ("weekly:digest", {"rust_body"}),  # not a column: the phrase "weekly digest"
        ("+rust +tokio", {"rust_async"}),
        ("--verbose OR tokio", {"rust_async"}),
        ("^rust", {"rust_async", "rust_body"}),
    ],
)
def test_semantics(db: sqlite3.Connection, query: str, expected: set[str]) -> None:
    assert search(db, query) == expected


def test_cpp_does_not_find_c(db: sqlite3.Connection) -> None:
    # tokenchars '+#' makes "C++" and "C#" tokens of their own: with plain unicode61
    # all three would be "c", and C++ would find "C programming" too.
    assert "c" not in search(db, "C++")
    assert "cpp" not in search(db, "C")
    assert "csharp" not in search(db, "C")


def test_plus_is_not_expanded(db: sqlite3.Connection) -> None:
    # Known limitation (documented on FTS_TOKENIZE): "C++26" is one token, so the
    # bare word misses it; the title story is still found through its body.
    assert run(db, 'title : "C++"') == set()
    assert search(db, "title:C++*") == {"cpp"}


def test_prefix_matches_stems(db: sqlite3.Connection) -> None:
    # Known limitation of porter: prefixes are matched against stems.
    # "orchestration" is indexed as "orchestr", so a longer prefix misses it.
    assert search(db, "orchestr*") == {"agents"}
    assert search(db, "orchestrat*") == set()


def test_exclusion_only_is_invalid() -> None:
    for query in ("-rust", "NOT rust", "-rust -go", "-(rust OR go)", "NOT title:rust"):
        with pytest.raises(InvalidQueryError) as info:
            to_fts5(query)
        assert str(info.value) == "a query needs at least one word that is not excluded"


def test_invalid_query_error_is_a_search_error_and_value_error() -> None:
    with pytest.raises(SearchError):
        to_fts5("")
    with pytest.raises(ValueError, match="^empty query$"):
        to_fts5("   ")


def test_user_syntax_becomes_quoted_strings() -> None:
    # FTS5 syntax typed by the user ends up inside FTS5 strings, never as syntax.
    assert to_fts5('C++ ^x foo:bar x"y NEAR *') == (
        '("C++" AND ("^x" OR "#x") AND "foo:bar" AND "x""y" AND ("NEAR" OR "#NEAR"))'
    )


def test_output_examples() -> None:
    assert to_fts5("rust") == '("rust" OR "#rust")'
    assert to_fts5("#rust") == '("#rust" OR "rust")'
    assert to_fts5("C++") == '"C++"'
    assert to_fts5("multi-agent") == '"multi-agent"'
    assert to_fts5('say "hi there" x') == '(("say" OR "#say") AND "hi there" AND ("x" OR "#x"))'
    assert to_fts5("a OR b -c") == '((("a" OR "#a") OR ("b" OR "#b")) NOT ("c" OR "#c"))'
    assert to_fts5("title:C#") == 'title : "C#"'
    assert to_fts5("pyth*") == '("pyth"* OR "#pyth"*)'
    assert to_fts5('"rust asy"*') == '"rust asy"*'


def test_term_cap() -> None:
    words = [f"w{i}" for i in range(MAX_TERMS * 2)]
    expression = to_fts5(" ".join(words))
    assert f'"w{MAX_TERMS - 1}"' in expression
    assert f'"w{MAX_TERMS}"' not in expression


def test_deep_parentheses(db: sqlite3.Connection) -> None:
    assert search(db, "(" * 1000 + "tokio" + ")" * 1000) == {"rust_async"}
    assert search(db, "(" * 50 + "tokio OR zig") == {"rust_async", "rust_body"}


def test_huge_query(db: sqlite3.Connection) -> None:
    assert search(db, '"' + "machine learning " * 50_000) == set()
    assert search(db, "tokio " + "x" * 1_000_000) == set()


def test_module_imports_only_the_standard_library() -> None:
    code = (
        "import sys, aggregator; before = set(sys.modules);"
        " import aggregator.search.query;"
        " new = {m.split('.')[0] for m in set(sys.modules) - before};"
        " print(sorted(new & {'httpx', 'feedparser', 'sqlite_utils', 'rich', 'click',"
        " 'sqlite3', 'apscheduler'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_all_is_sorted_and_complete() -> None:
    assert query_module.__all__ == sorted(query_module.__all__)
    public = {n for n in vars(query_module) if not n.startswith("_")} - {
        "annotations",
        "Collection",
        "dataclass",
        "Final",
        "InvalidQueryError",
        "TypeAlias",
        "TYPE_CHECKING",
        "re",
        "unicodedata",
    }
    assert public == set(query_module.__all__)


# --- highlight_terms ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"Rust async" C++ multi-agent -go', ("rust async", "c++", "multi-agent")),
        ("title:Rust OR body:GO NOT zig", ("rust", "go")),
        ("pyth* .NET, (a OR b)", ("pyth", "net", "a", "b")),
        ("rust Rust RUST", ("rust",)),
        ("don\u2019t GPT-4o", ("don\u2019t", "gpt-4o")),
        ("-(a b) c", ("c",)),
        ("", ()),
        ("-only", ()),
        ("AND OR NOT ( ) * -", ()),
    ],
)
def test_highlight_terms(query: str, expected: tuple[str, ...]) -> None:
    assert highlight_terms(query) == expected


# --- odd queries never make an SQLite error ---------------------------------------------

ODD_QUERIES = [
    "multi-agent",
    "C++",
    "C#",
    ".NET",
    "Node.js",
    "GPT-4o",
    "don't",
    "don\u2019t",
    "AT&T",
    "@user",
    "#hashtag",
    "https://example.com/a?b=c&d=e#frag",
    "rust \U0001f980",
    "人工智能",
    "Привет мир",
    "مرحبا",
    "AND rust",
    "rust AND",
    "OR rust",
    "rust OR",
    "rust OR OR go",
    "NOT NOT rust go",
    "rust NOT",
    "rust *",
    "rust -",
    'rust "',
    "rust ()",
    "rust (",
    "rust )",
    ")) rust ((",
    "near",
    "NEAR(rust",
    "NEAR rust",
    "rust and or not",
    "^rust",
    "rust^2",
    "foo:bar",
    "title: OR rust",
    "title:title:rust",
    "title:(rust",
    "title:-rust go",
    "body:questions:x",
    "a\x00b",
    "a\x01\x02\x7fb",
    "rust\udcff",  # an undecodable command-line byte (surrogateescape)
    "\ufeffrust\u200b\u00ad",
    'say "hi"there"',
    '""rust""',
    "'rust'",
    "rust:",
    ":rust",
    "{title body}: rust",
    "rust + go",
    "+1",
    "rust OR -go",
    "-(rust OR -go) zig",
    "(-rust) go",
    "go (-rust)",
    "rust*go",
    "*rust",
    "r*st*",
    "\u0301rust",
    "naiv\u0308e",
    "\u19b0rust",
    "ORrust",
    "NOTrust",
    "x AND AND y",
    "rust OR (go",
    "x" * 5000,
    " ".join(["rust"] * 500),
    " OR ".join(["rust"] * 500),
    "(" * 300 + "x",
    "-" * 300 + "x",
    '"' * 301 + "x",
    "`rm -rf /`",
    "SELECT * FROM stories; --",
    "x' OR '1'='1",
    "$HOME ~/x %20 \\n",
]

EMPTY_QUERIES = [
    "",
    " ",
    "\t\n",
    "AND",
    "OR",
    "NOT",
    "AND OR NOT",
    "*",
    "-",
    '"',
    '""',
    "()",
    "(())",
    "-()",
    "...",
    "+",
    "++ ## ;;",
    "\U0001f389\U0001f680",
    "\x00",
    "title:",
    "title:()",
    "NEAR()",
    "NEAR(",
    "title:*",
    "^",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_run(db: sqlite3.Connection, query: str) -> None:
    # Each has something searchable, so it must translate, and run without
    # sqlite3.OperationalError (returning rows or not).
    run(db, to_fts5(query))


@pytest.mark.parametrize("query", EMPTY_QUERIES)
def test_empty_queries(query: str) -> None:
    with pytest.raises(InvalidQueryError, match="^empty query$"):
        to_fts5(query)
    assert highlight_terms(query) == ()


# --- properties -------------------------------------------------------------------------

SYNTAX = st.sampled_from(
    [
        "OR",
        "AND",
        "NOT",
        "NEAR",
        "NEAR(",
        "-",
        "+",
        '"',
        "\u201c",
        "(",
        ")",
        "*",
        "^",
        ":",
        ",",
        "title:",
        "body:",
        "foo:",
        "{",
        "}",
        "#",
        "'",
        "c++",
        "rust",
        "C#",
        "3.12",
        "\u00e9",
        "\u0301",
        "人",
        "\U0001f389",
        "\x00",
        " ",
        "\t",
        "x",
    ]
)
QUERIES = st.one_of(
    st.text(),
    st.lists(SYNTAX, max_size=30).map("".join),
    st.lists(SYNTAX, max_size=30).map(" ".join),
)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(query=QUERIES)
def test_any_text_is_a_valid_query_or_invalid(db: sqlite3.Connection, query: str) -> None:
    try:
        expression = to_fts5(query)
    except InvalidQueryError:
        return
    try:
        run(db, expression)
    except sqlite3.Error as exc:  # pragma: no cover - the failure being tested for
        pytest.fail(f"{query!r} -> {expression!r} failed: {exc}")


@given(query=QUERIES)
def test_highlight_terms_never_raises(query: str) -> None:
    terms = highlight_terms(query)
    assert all(term == term.lower() and term.strip() == term and term for term in terms)
    assert len(set(terms)) == len(terms)
