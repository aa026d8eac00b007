"""The LLM question generator against an OpenAI-compatible server on 127.0.0.1.

Success, malformed output, timeouts, HTTP errors, retries, the concurrency
limit, the circuit breaker, and the pipeline's fallback to offline questions.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.feeds import rss
from support.httpserver import FeedServer
from support.llmserver import Answer, LLMServer

from aggregator.app.config import load
from aggregator.cli.main import cli
from aggregator.errors import ConfigError, GeneratorError
from aggregator.models import Story
from aggregator.questions.llm import (
    BREAKER,
    LLMGenerator,
    LLMSettings,
    build_messages,
    parse_questions,
    validate_questions,
)
from aggregator.store.compact import GENERATOR_SQL

STORY = Story(
    category="TECHNOLOGY",
    title="Meta seeks allies for its AI dreams",
    published=datetime(2025, 4, 21, tzinfo=UTC),
    body="Meta has reached out to Amazon and Microsoft for help funding its Llama models.",
)
GOOD = (
    "Could Meta be building a secret alliance to control the AI market?\n"
    "What is Meta not saying about the cost of training Llama?\n"
    "What happens to Llama if Amazon and Microsoft say no to Meta?"
)


@pytest.fixture
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


def settings(server: LLMServer, **kw: object) -> LLMSettings:
    values: dict[str, object] = {"base_url": server.base_url, "model": "test-model"}
    values.update(kw)
    return LLMSettings(**values)  # type: ignore[arg-type]


def ask(
    server: LLMServer, *, story: Story = STORY, env: dict[str, str] | None = None, **kw: object
) -> tuple[str, ...]:
    async def run() -> tuple[str, ...]:
        async with LLMGenerator(settings(server, **kw), env=env or {}, backoff=0.01) as gen:
            return await gen.ask(story)

    return asyncio.run(run())


# --- parsing and validation (pure) ------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        GOOD,
        "\n".join(f"{n}. {q}" for n, q in enumerate(GOOD.split("\n"), start=1)),
        "\n".join(f"Q{n}: {q}" for n, q in enumerate(GOOD.split("\n"), start=1)),
        "- " + GOOD.replace("\n", "\n- "),
        '["' + '", "'.join(GOOD.split("\n")) + '"]',
        '{"questions": ["' + '", "'.join(GOOD.split("\n")) + '"]}',
        "<think>The user wants questions.</think>\n" + GOOD,
        "```\n" + GOOD + "\n```",
        '"' + GOOD.replace("\n", '"\n"') + '"',
    ],
)
def test_parse_questions_reads_common_answer_shapes(content: str) -> None:
    assert tuple(parse_questions(content)) == tuple(GOOD.split("\n"))


@pytest.mark.parametrize(
    ("candidates", "problem"),
    [
        (["Is this a question about Meta?"], "expected 3 questions, got 1"),
        (["is Meta hiding something from us?", "B b b b?", "C c c c?"], "capital letter"),
        (["Meta is hiding something from us.", "B b b b?", "C c c c?"], "does not end with '?'"),
        (["Why " + "very " * 60 + "long?", "B b b b?", "C c c c?"], "longer than 200"),
        (["Why?", "B b b b?", "C c c c?"], "too short"),
        (["Why is Meta doing this now?"] * 3, "questions repeat"),
    ],
)
def test_validate_questions_rejects_bad_form(candidates: list[str], problem: str) -> None:
    with pytest.raises(GeneratorError, match=problem):
        validate_questions(candidates, count=3)


def test_validate_questions_takes_the_first_count() -> None:
    many = GOOD.split("\n") + ["Is this a fourth question about Meta?"]
    assert validate_questions(many, count=3) == tuple(GOOD.split("\n"))


def test_the_prompt_asks_for_the_reference_kind_of_questions() -> None:
    system, user = build_messages(STORY, count=4)
    assert "exactly 4 questions" in system["content"]
    assert "secret alliance to monopolize the AI market" in system["content"]  # the reference
    assert "motive" in system["content"] and "ends with a question mark" in system["content"]
    assert user["content"].startswith("Meta seeks allies for its AI dreams\n\nMon Apr 21 2025\n")
    long_story = Story(category="X", title="T", published=STORY.published, body="word " * 5000)
    assert len(build_messages(long_story, count=3)[1]["content"]) < 6200


def test_the_prompt_names_language_and_kind_and_spares_tragedies() -> None:
    system, user = build_messages(STORY, count=3)
    assert "hangs on one concrete fact" in system["content"]
    assert "never about motives, timing, who gains" in system["content"]
    assert "its kind of item: " in system["content"]
    german = Story(
        category="X",
        title="Tote bei Anschlag in Berlin",
        published=STORY.published,
        body="Bei einem Anschlag sind drei Menschen gestorben.",
        lang="de",
    )
    german_system, _ = build_messages(german, count=3)
    assert german_system["content"].endswith("This story is in German; its kind of item: tragedy.")


# --- against the server -------------------------------------------------------------


def test_success_sends_model_messages_and_key(llm_server: LLMServer) -> None:
    llm_server.script = [Answer(content=GOOD)]
    questions = ask(llm_server, api_key_env="TEST_LLM_KEY", env={"TEST_LLM_KEY": "sk-test"})
    assert questions == tuple(GOOD.split("\n"))
    (request,) = llm_server.requests
    assert request["model"] == "test-model"
    assert request["stream"] is False
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert llm_server.headers[0]["authorization"] == "Bearer sk-test"


def test_a_german_story_is_sent_as_german(llm_server: LLMServer) -> None:
    """The local server gets the language and kind; its German answer is kept as it is."""
    answer = (
        "Warum verbietet Maryland personalisierte Preise gerade bei Lebensmitteln?\n"
        "Wer kontrolliert, ob Supermärkte sich an das Verbot halten?\n"
        "Könnte das Verbot die Preise für alle Kunden steigen lassen?"
    )
    llm_server.script = [Answer(content=answer)]
    story = Story(
        category="X",
        title="Maryland verbietet personalisierte Preise bei Lebensmitteln",
        published=STORY.published,
        body="Der US-Bundesstaat Maryland verbietet Supermärkten, Preise je Kunde zu ändern.",
        lang="de",
    )
    assert ask(llm_server, story=story) == tuple(answer.split("\n"))
    (request,) = llm_server.requests
    system, user = (m["content"] for m in request["messages"])
    assert "This story is in German; its kind of item: " in system
    assert user.startswith("Maryland verbietet personalisierte Preise")


def test_no_key_header_without_a_key(llm_server: LLMServer) -> None:
    ask(llm_server)
    assert "authorization" not in llm_server.headers[0]


def test_malformed_output_is_retried(llm_server: LLMServer) -> None:
    llm_server.script = [llm_server.malformed(), Answer(content=GOOD)]
    assert ask(llm_server) == tuple(GOOD.split("\n"))
    assert len(llm_server.requests) == 2


def test_malformed_output_every_time_fails(llm_server: LLMServer) -> None:
    llm_server.script = [llm_server.malformed()]
    with pytest.raises(GeneratorError, match="malformed questions"):
        ask(llm_server, max_retries=2)
    assert len(llm_server.requests) == 3


def test_a_broken_json_answer_fails_cleanly(llm_server: LLMServer) -> None:
    llm_server.script = [Answer(raw=b"<html>proxy error</html>")]
    with pytest.raises(GeneratorError, match="unexpected answer"):
        ask(llm_server, max_retries=0)


def test_timeout(llm_server: LLMServer) -> None:
    llm_server.script = [llm_server.slow(2.0)]
    with pytest.raises(GeneratorError, match="timed out after 0.3s"):
        ask(llm_server, timeout=0.3, max_retries=0)


def test_http_500_is_retried(llm_server: LLMServer) -> None:
    llm_server.script = [llm_server.error(500), llm_server.error(503), Answer(content=GOOD)]
    assert ask(llm_server, max_retries=2) == tuple(GOOD.split("\n"))
    assert len(llm_server.requests) == 3


def test_http_500_every_time_fails(llm_server: LLMServer) -> None:
    llm_server.script = [llm_server.error(500)]
    with pytest.raises(GeneratorError, match="HTTP 500"):
        ask(llm_server, max_retries=1)
    assert len(llm_server.requests) == 2


def test_http_401_is_not_retried(llm_server: LLMServer) -> None:
    llm_server.script = [llm_server.error(401)]
    with pytest.raises(GeneratorError, match="HTTP 401"):
        ask(llm_server, max_retries=3)
    assert len(llm_server.requests) == 1


def test_unreachable_endpoint_fails() -> None:
    async def run() -> None:
        config = LLMSettings(base_url="http://127.0.0.1:9/v1", model="m", max_retries=0)
        async with LLMGenerator(config, env={}) as gen:
            await gen.ask(STORY)

    with pytest.raises(GeneratorError, match="ConnectError"):
        asyncio.run(run())


def test_requests_stay_within_the_concurrency_limit(llm_server: LLMServer) -> None:
    llm_server.script = [llm_server.slow(0.15)]

    async def run() -> list[tuple[str, ...] | None]:
        async with LLMGenerator(settings(llm_server, concurrency=2), env={}) as gen:
            return await gen.questions([STORY] * 6)

    answers = asyncio.run(run())
    assert all(a is not None for a in answers)
    assert len(llm_server.requests) == 6
    assert llm_server.max_in_flight == 2


def test_failures_give_none_and_the_breaker_stops_asking(llm_server: LLMServer) -> None:
    llm_server.script = [llm_server.error(500)]

    async def run() -> tuple[list[tuple[str, ...] | None], bool]:
        config = settings(llm_server, concurrency=1, max_retries=0)
        async with LLMGenerator(config, env={}, backoff=0.01) as gen:
            return await gen.questions([STORY] * (BREAKER + 4)), gen.down

    answers, down = asyncio.run(run())
    assert answers == [None] * (BREAKER + 4)
    assert down
    assert len(llm_server.requests) == BREAKER


# --- configuration -----------------------------------------------------------------


def test_config_reads_questions_llm(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[questions]\ngenerator = "llm"\ncount = 4\n\n[questions.llm]\n'
        'base_url = "http://127.0.0.1:8080/v1/"\nmodel = "llama3.2"\napi_key_env = "MY_KEY"\n'
        'timeout = "45s"\nmax_retries = 1\nconcurrency = 3\n',
        encoding="utf-8",
    )
    q = load(path).questions
    assert (q.generator, q.count) == ("llm", 4)
    assert q.llm == LLMSettings(
        base_url="http://127.0.0.1:8080/v1",
        model="llama3.2",
        api_key_env="MY_KEY",
        timeout=45.0,
        max_retries=1,
        concurrency=3,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[questions]\ngenerator = "gpt"', "questions.generator: 'gpt' is unknown (allowed: llm"),
        ('[questions]\ngenerator = "llm"', "questions.llm.model: missing"),
        ('[questions.llm]\nbase_url = "ftp://x"', "questions.llm.base_url: 'ftp://x' is not"),
        ('[questions.llm]\napi_key_env = "sk-123"', "questions.llm.api_key_env: 'sk-123' is not"),
        ("[questions.llm]\nmax_retries = 11", "questions.llm.max_retries: must be between"),
        ("[questions.llm]\nconcurrency = 0", "questions.llm.concurrency: must be positive"),
        (
            '[questions.llm]\nmodle = "x"',
            "questions.llm.modle: unknown key (allowed: api_key_env, base_url, concurrency,"
            " max_retries, model, timeout)",
        ),
    ],
)
def test_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: {message}")


# --- in the pipeline -----------------------------------------------------------------


def stored(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            # The generator's name as stored (the offline one is NULL: store/compact.py).
            f"SELECT title, questions, {GENERATOR_SQL} FROM stories ORDER BY id"
        ).fetchall()


def test_pipeline_asks_for_new_stories_only(
    llm_server: LLMServer,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    runner: CliRunner,
) -> None:
    feed_server.add("/news.xml", rss("news", 3))
    llm = {"base_url": llm_server.base_url, "model": "test-model"}
    cfg = write_config(
        [{"url": feed_server.url("/news.xml")}],
        questions={"generator": "llm"},
        **{"questions.llm": llm},
    )
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    rows = stored(Path("archive/news.db"))
    assert [g for _, _, g in rows] == ["llm:test-model"] * 3
    for title, questions, _ in rows:
        first = title.split()[0]
        assert questions.split("\n") == [
            f"Who really gains in this story about {first} (#0)?",
            f"Who is leaving out in this story about {first} (#1)?",
            f"Who happens next in this story about {first} (#2)?",
        ]
    assert len(llm_server.requests) == 3

    feed_server.add("/news.xml", rss("news", 4))  # one new item
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    assert len(llm_server.requests) == 4
    assert [g for _, _, g in stored(Path("archive/news.db"))] == ["llm:test-model"] * 4


def test_pipeline_falls_back_to_offline_questions(
    llm_server: LLMServer,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    runner: CliRunner,
) -> None:
    llm_server.script = [llm_server.error(500)]
    feed_server.add("/news.xml", rss("news", 2))
    llm = {"base_url": llm_server.base_url, "model": "test-model", "max_retries": 0}
    cfg = write_config(
        [{"url": feed_server.url("/news.xml")}],
        questions={"generator": "llm"},
        **{"questions.llm": llm},
    )
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    rows = stored(Path("archive/news.db"))
    assert [g for _, _, g in rows] == ["offline", "offline"]
    assert all(1 <= len(q.split("\n")) <= 3 and q.endswith("?") for _, q, _ in rows)
