"""Questions from a large language model behind an OpenAI-compatible chat-completions API.

Works with anything that speaks ``POST {base_url}/chat/completions``: Ollama
(``http://127.0.0.1:11434/v1``), the llama.cpp server, vLLM, OpenAI. The API
key, if any, is read from the environment variable the config names, never
from the config file.

What a call does (:meth:`LLMGenerator.ask`): one request with a prompt that
asks for the reference story's kind of questions (sceptical, each hung on a
concrete fact of this story and naming its real subject, with angles that fit
the kind of item, never a motive or "who gains" question on a death or
disaster, in the story's language; the user message names the language and the
kind that :func:`aggregator.questions.reading.detect_kind` sees); the answer
is parsed (plain lines, numbered or bulleted lines, or a JSON array or
``{"questions": [...]}``) and validated (:func:`validate_questions`: enough
questions, each one line, capitalised, ending in ``?``, at most 200
characters). A timeout, a transport error, a 429 or 5xx answer, or a malformed
answer is retried up to ``max_retries`` times with a growing pause
(``Retry-After`` honoured up to 30 s); other HTTP errors (401, 404 ...) are
not retried.

Where the calls happen, and why: the pipeline parses feeds in worker
processes, and those write offline questions for every story (cheap, and the
fallback). LLM calls are made afterwards in the main process, on its event
loop, for the stories the archive does not hold yet (``Archive.classify``):
only the main process knows what is new, one asyncio semaphore bounds the
requests across all feeds of a poll, and the slow network calls stay out of
both the CPU-bound workers and the archive's write transaction. On any
failure the offline questions stay and the story records ``offline`` as its
generator; after :data:`BREAKER` failed stories in a row the endpoint is taken
as down for the rest of the poll, so a dead server costs a few timeouts, not
one per story.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from aggregator.errors import GeneratorError
from aggregator.models import Story

if TYPE_CHECKING:
    import httpx

__all__ = [
    "BREAKER",
    "LLMGenerator",
    "LLMSettings",
    "build_messages",
    "parse_questions",
    "validate_questions",
]

log = logging.getLogger(__name__)

#: Failed stories in a row after which the endpoint is left alone until the next poll.
BREAKER = 3
_BODY_LIMIT = 6000
_MAX_RETRY_AFTER = 30.0
_RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})

# The questions of the reference story (Meta seeking allies for its AI): the kind asked for.
_EXAMPLES = (
    "Could this be a secret alliance to monopolize the AI market under the guise of collaboration?",
    "If Meta is asking for funding, does this mean they've run out of money from all those"
    " targeted ads?",
    "Is there a hidden agenda behind Meta's offer to let other companies influence Llama's"
    " features?",
)
_SYSTEM = (
    "You write discussion questions for a news archive. For the story you are given, write"
    " exactly {count} questions that a sharp, sceptical reader would want to argue about.\n"
    "Each question:\n"
    "- hangs on one concrete fact of this story: an act, a claim, a number, a quote, a"
    ' conflict or what is at stake, and names it ("asking rivals for funding", not'
    ' "this news"), so that it would make no sense under another story;\n'
    "- names the story's real subject (the organisation, product, person or place it is"
    " about), never a column label, a source, a dateline or a word of the headline taken for"
    " a name;\n"
    "- takes its own angle, chosen to fit the kind of item: for news, politics, court cases"
    " and corporate moves, motive and who benefits, the evidence and what is left unsaid,"
    " the consequences; for a product release, how-to, book, podcast or event, whether it"
    " delivers, its trade-offs and who it is for; for a research result, the method and"
    " whether it holds up;\n"
    "- for a death, disaster, accident or attack, asks about causes, prevention,"
    " accountability, support for those affected or how a person is remembered, and never"
    " about motives, timing, who gains or what happens if things go badly;\n"
    "- reads like something a person would ask: plain and natural, one sentence on one line"
    " that starts with a capital letter, ends with a question mark and has at most {limit}"
    " characters;\n"
    "- is written in the language of the story.\n"
    "Example: for a story on Meta asking Amazon and Microsoft to help fund its Llama AI"
    " models, good questions are:\n{examples}\n"
    'Bad questions fit any story and must not be written: "Who stands to benefit most from'
    ' this news about Meta?", "What happens next for Meta?", "What questions does this'
    ' report fail to answer?"\n'
    "Answer with the {count} questions only, one per line, without numbering, quotes or any"
    " other text.\n"
    "This story is in {language}; its kind of item: {kind}."
)
# Language names for the user message: a model follows "German" better than "de".
_LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "nl": "Dutch", "pt": "Portuguese", "pl": "Polish", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "fi": "Finnish", "cs": "Czech", "sk": "Slovak", "ru": "Russian",
    "uk": "Ukrainian", "tr": "Turkish", "ja": "Japanese", "zh": "Chinese", "ko": "Korean",
}  # fmt: skip

_THINK_RE = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_FENCE_RE = re.compile(r"^```[\w-]*\s*|\s*```$")
_MARKER_RE = re.compile(r"^\s*(?:[-*•]\s+|\(?\d{1,2}[.):]\s+|Q\d{1,2}[.:)]\s*)")


def build_messages(story: Story, *, count: int) -> list[dict[str, str]]:
    """The chat messages that ask for one story's questions.

    Args:
        story: the story (its language, its kind of item, title, date and the start
            of its body are sent).
        count: how many questions to ask for.

    Returns:
        A system and a user message.
    """
    # The config loader imports this module for LLMSettings; the question
    # machinery is loaded only when a story is actually sent.
    from aggregator.questions.offline import MAX_QUESTION_LENGTH
    from aggregator.questions.reading import detect_kind
    from aggregator.story.format import format_date

    language = _LANGUAGE_NAMES.get(story.lang, story.lang) or "the language of its title"
    system = _SYSTEM.format(
        count=count,
        limit=MAX_QUESTION_LENGTH,
        examples="\n".join(_EXAMPLES),
        language=language,
        kind=detect_kind(story.title, story.body),
    )
    body = story.body
    if len(body) > _BODY_LIMIT:
        cut = body.rfind(" ", 0, _BODY_LIMIT)
        body = body[: cut if cut > 0 else _BODY_LIMIT] + " …"
    user = f"{story.title}\n\n{format_date(story.published.date())}\n{body}".rstrip()
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def parse_questions(content: str) -> list[str]:
    """Read the questions out of a model's answer.

    Accepts one question per line (bullets, ``1.`` numbering and quotes are
    stripped), a JSON array of strings, or a JSON object with a ``questions``
    array; ``<think>`` sections and Markdown code fences are ignored.

    Args:
        content: the answer's text.

    Returns:
        The candidate questions, in order (not validated).
    """
    text = _FENCE_RE.sub("", _THINK_RE.sub("", content).strip()).strip()
    if text[:1] in "[{":
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, Mapping):
            data = data.get("questions")
        if isinstance(data, list):
            return [" ".join(str(item).split()) for item in data if isinstance(item, str)]
    out = []
    for line in text.split("\n"):
        line = _MARKER_RE.sub("", line).strip().strip("\"'“”").strip()
        if line:
            out.append(line)
    return out


def validate_questions(candidates: Sequence[str], *, count: int) -> tuple[str, ...]:
    """Check the form of a model's questions.

    Args:
        candidates: what :func:`parse_questions` read.
        count: how many questions are needed.

    Returns:
        The first ``count`` questions.

    Raises:
        GeneratorError: fewer than ``count`` lines, or one of the first
            ``count`` is not a question: not capitalised, not ending in ``?``,
            longer than 200 characters, broken over lines, or a near-empty stub.
    """
    from aggregator.questions.offline import MAX_QUESTION_LENGTH

    if len(candidates) < count:
        raise GeneratorError(f"expected {count} questions, got {len(candidates)}")
    questions = tuple(candidates[:count])
    for q in questions:
        problem = ""
        if "\n" in q or "\r" in q:
            problem = "spans lines"
        elif len(q) > MAX_QUESTION_LENGTH:
            problem = f"is longer than {MAX_QUESTION_LENGTH} characters"
        elif len(q.split()) < 4:
            problem = "is too short"
        elif not q[0].isupper():
            problem = "does not start with a capital letter"
        elif not q.endswith("?"):
            problem = "does not end with '?'"
        if problem:
            shown = q if len(q) <= 60 else q[:57] + "..."
            raise GeneratorError(f"question {shown!r} {problem}")
    if len({q.casefold() for q in questions}) < count:
        raise GeneratorError("questions repeat")
    return questions


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why an attempt failed, and whether another attempt may help."""

    message: str
    retry: bool
    wait: float | None = None


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """Where and how to ask: an OpenAI-compatible chat-completions endpoint.

    The config file's ``[questions.llm]`` table builds one.

    Attributes:
        base_url: the API's base URL, e.g. ``http://127.0.0.1:11434/v1`` (Ollama),
            ``http://127.0.0.1:8080/v1`` (llama.cpp), ``https://api.openai.com/v1``.
        model: the model name the endpoint knows.
        api_key_env: the environment variable holding the API key (never the
            key itself), or ``""`` for endpoints without one.
        timeout: seconds one request may take.
        max_retries: further attempts after a failed request (timeouts, 429, 5xx,
            malformed answers).
        concurrency: requests in flight at once.
    """

    base_url: str = "http://127.0.0.1:11434/v1"
    model: str = ""
    api_key_env: str = ""
    timeout: float = 60.0
    max_retries: int = 2
    concurrency: int = 2


class LLMGenerator:
    """Asks an OpenAI-compatible endpoint for questions; async, for one event loop.

    Owns an :class:`httpx.AsyncClient` (closed by :meth:`aclose` or ``async
    with``). At most ``concurrency`` requests are in flight; after
    :data:`BREAKER` failed stories in a row it stops asking (see the module
    docstring).

    Attributes:
        name: ``llm:<model>``, recorded with the questions it writes.
        count: questions per story.
    """

    def __init__(
        self,
        settings: LLMSettings,
        *,
        count: int = 3,
        env: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff: float = 0.5,
    ) -> None:
        """Configure the generator.

        Args:
            settings: the ``[questions.llm]`` settings.
            count: questions per story.
            env: where the API key variable is looked up (``os.environ`` by default).
            transport: an httpx transport (tests); ``None`` for the network.
            backoff: the first pause between attempts, in seconds (doubles each time).
        """
        self.settings = settings
        self.count = count
        self.name = f"llm:{settings.model}" if settings.model else "llm"
        self._backoff = backoff
        headers = {"Content-Type": "application/json"}
        if settings.api_key_env:
            key = (env if env is not None else os.environ).get(settings.api_key_env, "")
            if key:
                headers["Authorization"] = f"Bearer {key}"
            else:
                log.warning(
                    "questions.llm.api_key_env: $%s is not set; asking without a key",
                    settings.api_key_env,
                )
        # httpx is imported here, not at the top: the config loader imports
        # this module for LLMSettings, and commands that never ask a model
        # should not pay for the HTTP stack.
        import httpx

        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout),
            headers=headers,
            transport=transport,
            follow_redirects=False,
        )
        self._semaphore = asyncio.Semaphore(settings.concurrency)
        self._failures_in_a_row = 0
        self._down = False
        self.last_error = ""
        """Why the last story the endpoint failed on failed (``""`` while none did)."""

    async def __aenter__(self) -> LLMGenerator:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    @property
    def down(self) -> bool:
        """True once :data:`BREAKER` stories in a row failed: no more requests are sent."""
        return self._down

    async def ask(self, story: Story) -> tuple[str, ...]:
        """Ask for one story's questions, retrying as configured.

        Args:
            story: the story.

        Returns:
            ``count`` validated questions.

        Raises:
            GeneratorError: every attempt failed (the message says why the last did).
        """
        attempts = self.settings.max_retries + 1
        failure = _Failure("no attempt", retry=False)
        for attempt in range(attempts):
            async with self._semaphore:
                # Checked here, not before waiting: stories queued behind the
                # failures that tripped the breaker must not be sent.
                if self._down:
                    raise GeneratorError(f"{self.settings.base_url} is taken as down for this poll")
                failure_or_questions = await self._attempt(story)
            if isinstance(failure_or_questions, tuple):
                self._failures_in_a_row = 0
                return failure_or_questions
            failure = failure_or_questions
            if not failure.retry or attempt + 1 == attempts:
                break
            pause = self._backoff * (2**attempt)
            if failure.wait is not None:
                pause = max(pause, min(failure.wait, _MAX_RETRY_AFTER))
            log.debug("%s: attempt %d failed (%s); retrying", story.title, attempt + 1, failure)
            await asyncio.sleep(pause)
        self._failures_in_a_row += 1
        if self._failures_in_a_row >= BREAKER and not self._down:
            self._down = True
            log.warning(
                "questions: %s failed for %d stories in a row (%s); offline questions until"
                " the next poll",
                self.settings.base_url,
                self._failures_in_a_row,
                failure.message,
            )
        raise GeneratorError(f"{self.settings.base_url}: {failure.message}")

    async def questions(self, stories: Sequence[Story]) -> list[tuple[str, ...] | None]:
        """Ask for the questions of several stories, concurrently (within the limit).

        Args:
            stories: the stories.

        Returns:
            Per story, its questions, or ``None`` where the endpoint failed (the
            caller keeps the offline questions there).
        """

        async def one(story: Story) -> tuple[str, ...] | None:
            try:
                return await self.ask(story)
            except GeneratorError as exc:
                log.info("questions for %r: offline instead: %s", story.title, exc)
                if not self._down or not self.last_error:
                    self.last_error = str(exc)
                return None

        return list(await asyncio.gather(*(one(s) for s in stories)))

    async def _attempt(self, story: Story) -> tuple[str, ...] | _Failure:
        """One request; the questions, or why it failed."""
        url = f"{self.settings.base_url}/chat/completions"
        payload = {
            "model": self.settings.model,
            "messages": build_messages(story, count=self.count),
            "temperature": 0.7,
            "max_tokens": 120 * self.count + 200,
            "stream": False,
        }
        import httpx

        try:
            response = await self._client.post(url, json=payload)
        except httpx.TimeoutException:
            return _Failure(f"timed out after {self.settings.timeout:g}s", retry=True)
        except httpx.HTTPError as exc:
            return _Failure(f"{type(exc).__name__}: {exc}", retry=True)
        if response.status_code != 200:
            wait = _retry_after(response.headers.get("retry-after", ""))
            retry = response.status_code in _RETRY_STATUSES
            return _Failure(f"HTTP {response.status_code}", retry=retry, wait=wait)
        try:
            data = response.json()
            content = data["choices"][0]["message"]["content"]
            if not isinstance(content, str):
                raise TypeError("content is not a string")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            return _Failure(f"unexpected answer: {exc}", retry=True)
        try:
            return validate_questions(parse_questions(content), count=self.count)
        except GeneratorError as exc:
            return _Failure(f"malformed questions: {exc}", retry=True)


def _retry_after(value: str) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds (dates are ignored)."""
    try:
        return max(float(value.strip()), 0.0)
    except ValueError:
        return None
