"""Quality of bodies and questions over the real-feed corpus, against their targets.

Parses every feed under ``<corpus>/real-feeds/`` (recursively), normalizes each
entry, writes its questions with the offline generator (or ``--generator
llm`` with ``--base-url`` and ``--model``) and prints:

- stories, the share with questions (target: every story), how many
  questions they get (at most ``--count``: the offline generator writes fewer
  for stories that offer fewer facts) and the share with a lead sentence;
- the share of questions naming a subject found in the story's title or body
  (target: >= 95%);
- the share of the most common question template, i.e. the question with the
  subject removed (target: <= 10%);
- HTML tag, entity, control-character and mojibake remnants in bodies
  (target: 0);
- boilerplate lines remaining in bodies (target: 0);
- the share of stories per detected language and per kind of item (what the
  offline generator reads: :func:`aggregator.questions.reading.detect_kind`);
- the cost per story of normalize and of the questions (budget: 1 ms for both
  together on one core), and with ``--ingest`` the ingest benchmark
  (``benchmarks/ingest.py``) in the same run, with its ratio to the
  feedparser-alone floor (target >= 1.2x).

The checks are written here, apart from the code they measure: a question
"names a subject" when it contains one of the story's subjects
(:func:`aggregator.questions.offline.find_subjects`, up to three) or the title's key
phrase, and that text occurs in the title or body. ``--show N`` prints N
failing questions and remnants of each kind for inspection.

    python benchmarks/questions_eval.py [--corpus ../shared/corpus] [--count 3] [--show 5]
        [--ingest]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from aggregator.errors import FeedParseError
from aggregator.ingest.normalize import normalize_entry
from aggregator.ingest.parse import parse_feed
from aggregator.models import Story
from aggregator.questions.offline import (
    OfflineGenerator,
    QuestionGenerator,
    find_subjects,
    title_phrase,
)
from aggregator.questions.reading import detect_kind

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# Remnants: what must never be left in a body. A tag counts when it names an HTML
# element and the story does not show it as code (<pre>/<code> in the feed's markup):
# "the <Dial> verb" (TwiML) and "val f : int -> int = <fun>" (OCaml) are text.
HTML_ELEMENTS = (
    "a abbr address area article aside audio b base bdi bdo blockquote body br button canvas"
    " caption center cite code col colgroup data datalist dd del details dfn dialog div dl dt em"
    " embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head"
    " header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu"
    " meta meter nav noscript object ol optgroup option output p param picture pre progress q"
    " rp rt ruby s samp script section select small source span strike strong style sub summary"
    " sup svg table tbody td template textarea tfoot th thead time title tr track tt u ul var"
    " video wbr"
).split()
TAG_RE = re.compile(rf"</?(?:{'|'.join(HTML_ELEMENTS)})(?:\s[^<>]*)?/?>|<!--|-->", re.IGNORECASE)
CODE_RE = re.compile(r"<(pre|code)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
ENTITY_RE = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
MOJIBAKE_RE = re.compile(
    r"â€[™œ\u009d\u009c“”˜¦¢¡\"]|Ã[©¨¢ª«®¯´¶¹¼½¾§ ¤±³º]|Â[ ·©®°»«½]|â„¢|ï»¿|Ã\u0083Â"
)
# Boilerplate that feeds append: each pattern matches a whole paragraph (line) of a body.
BOILERPLATE = {
    "appeared first": re.compile(r"\bappeared first on\b", re.I),
    "continue reading": re.compile(r"^\W*(?:continue|keep) reading\b", re.I),
    "read more": re.compile(
        r"^\W*(?:read|view|see) (?:more|the full (?:story|article|post))\b\W*$", re.I
    ),
    # Only at the end of a body: inside it, "[…]" marks an elision in a quotation.
    "teaser tail": re.compile(r"(?:\[(?:\.\.\.|…)\]|\[more\]|\(more…?\))\s*\Z", re.I),
    "link/comments": re.compile(
        r"\[link\]|\[\d* ?comments?\]|^\s*comments\s*$|^\s*\d+ comments?\s*$", re.I
    ),
    "related list": re.compile(
        r"^\W*related(?: (?:stories|articles|posts|links|reading))?\s*:", re.I
    ),
    "originally appeared": re.compile(
        r"\b(?:originally|first) (?:appeared|published) (?:on|in|at)\b", re.I
    ),
    "ads": re.compile(
        r"^\W*(?:advertisement|sponsored(?: by| content)?|ad)\W*$|^sponsored by\b", re.I
    ),
    "share": re.compile(
        r"^\W*share (?:this|on)\b|^\W*(?:tweet|share|email|print)(?: this)?\W*$", re.I
    ),
    "feedburner": re.compile(r"feeds\.feedburner\.com|feedsportal|~ff/|~r/", re.I),
    "via/source lines": re.compile(r"^\W*(?:submitted by\s+/u/)", re.I),
}


def feed_files(corpus: Path) -> list[Path]:
    """Every feed file of the real-feed corpus, sorted."""
    root = corpus / "real-feeds"
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".md"))


def code_samples(markup: str) -> set[str]:
    """The tag-like text the feed shows as code: allowed in the body."""
    found: set[str] = set()
    for match in CODE_RE.finditer(markup):
        code = " ".join(html.unescape(re.sub(r"<[^>]*>", "", match.group(2))).split())
        found.update(m.group() for m in TAG_RE.finditer(code))
    return found


def words(text: str) -> int:
    return len(text.split())


def subject_in(question: str, story: Story, candidates: list[str]) -> str:
    """The longest candidate the question names and the story contains, or ``""``."""
    text = f"{story.title}\n{story.body}"
    lowered = text.lower()
    for name in sorted(candidates, key=len, reverse=True):
        if name and name in question and (name in text or name.lower() in lowered):
            return name
    return ""


def template_of(question: str, names: list[str]) -> str:
    """The question with every subject replaced by a placeholder."""
    for name in sorted(names, key=len, reverse=True):
        if name:
            question = question.replace(name, "{s}")
    return question


class LLMAnswers:
    """The LLM generator behind the sync interface the loop below uses, one feed at a time."""

    name = "llm"

    def __init__(self, args: argparse.Namespace) -> None:
        from aggregator.questions.llm import LLMSettings

        self.settings = LLMSettings(
            base_url=args.base_url.rstrip("/"), model=args.model, api_key_env=args.api_key_env
        )
        self.count = args.count
        self.offline = OfflineGenerator(count=args.count)
        self.answers: dict[int, tuple[str, ...]] = {}
        self.failed = 0

    def prepare(self, stories: list[Story]) -> None:
        from aggregator.questions.llm import LLMGenerator

        async def ask() -> list[tuple[str, ...] | None]:
            async with LLMGenerator(self.settings, count=self.count) as llm:
                return await llm.questions(stories)

        answers = asyncio.run(ask())
        self.failed += sum(a is None for a in answers)
        self.answers = {id(s): a for s, a in zip(stories, answers, strict=True) if a is not None}

    def generate(self, story: Story) -> tuple[str, ...]:
        return self.answers.get(id(story)) or self.offline.generate(story)


def make_generator(args: argparse.Namespace) -> QuestionGenerator | LLMAnswers:
    if args.generator == "offline":
        return OfflineGenerator(count=args.count)
    return LLMAnswers(args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_corpus = Path(os.environ.get("AGGREGATOR_CORPUS") or REPO.parent / "shared" / "corpus")
    parser.add_argument("--corpus", type=Path, default=default_corpus)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--show", type=int, default=0, help="print N examples of each failure")
    parser.add_argument("--generator", choices=["offline", "llm"], default="offline")
    parser.add_argument("--base-url", default="http://127.0.0.1:11434/v1")
    parser.add_argument("--model", default="llama3.2")
    parser.add_argument("--api-key-env", default="")
    parser.add_argument(
        "--ingest", action="store_true", help="also run benchmarks/ingest.py (a few minutes)"
    )
    args = parser.parse_args()

    files = feed_files(args.corpus)
    if not files:
        sys.exit(f"no feeds under {args.corpus / 'real-feeds'}")
    generator = make_generator(args)

    stories = long_stories = full = long_full = with_lead = 0
    per_story: Counter[int] = Counter()
    questions = named = 0
    templates: Counter[str] = Counter()
    remnants: Counter[str] = Counter()
    boiler: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    seconds = {"normalize": 0.0, "questions": 0.0}
    languages: Counter[str] = Counter()
    kinds: Counter[str] = Counter()

    def example(kind: str, text: str) -> None:
        bucket = examples.setdefault(kind, [])
        if len(bucket) < args.show:
            bucket.append(text)

    for path in files:
        try:
            parsed = parse_feed(path.read_bytes(), url=f"https://example.com/{path.name}")
        except FeedParseError:
            continue
        t0 = time.perf_counter()
        normalized = [normalize_entry(e, category="technology", now=NOW) for e in parsed.entries]
        seconds["normalize"] += time.perf_counter() - t0
        if isinstance(generator, LLMAnswers):
            generator.prepare(normalized)
        for entry, story in zip(parsed.entries, normalized, strict=True):
            t1 = time.perf_counter()
            qs = generator.generate(story)
            seconds["questions"] += time.perf_counter() - t1
            stories += 1
            languages[story.lang or "unknown"] += 1
            kinds[detect_kind(story.title, story.body)] += 1
            is_long = words(story.body) >= 30
            long_stories += is_long
            per_story[len(qs)] += 1
            if qs:
                full += 1
                long_full += is_long
            else:
                example("missing questions", story.title)
            if isinstance(generator, OfflineGenerator) and generator.explain(story).lead:
                with_lead += 1
            candidates = list(find_subjects(story.title, story.body, limit=3))
            phrase = title_phrase(story.title)
            if phrase:
                candidates.append(phrase)
            for q in qs:
                questions += 1
                name = subject_in(q, story, candidates)
                if name:
                    named += 1
                else:
                    example("no subject", f"{story.title!r}: {q}")
                templates[template_of(q, candidates)] += 1
            allowed: set[str] | None = None
            for kind, pattern in (
                ("tag", TAG_RE),
                ("entity", ENTITY_RE),
                ("control", CONTROL_RE),
                ("mojibake", MOJIBAKE_RE),
            ):
                for field in (story.title, story.body):
                    for m in pattern.finditer(field):
                        if kind == "tag":
                            if allowed is None:
                                allowed = code_samples(entry.content_html + entry.summary_html)
                            if m.group() in allowed:
                                continue
                        remnants[kind] += 1
                        lo = max(m.start() - 40, 0)
                        example(kind, f"{path.name}: ...{field[lo : m.end() + 40]!r}")
            lines = story.body.split("\n")
            for number, line in enumerate(lines, start=1):
                for kind, pattern in BOILERPLATE.items():
                    if kind == "teaser tail" and number != len(lines):
                        continue
                    if pattern.search(line):
                        boiler[kind] += 1
                        example(f"boilerplate: {kind}", f"{path.name}: {line[:160]!r}")

    top_template, top_count = templates.most_common(1)[0] if templates else ("", 0)
    print(f"feeds: {len(files)}, stories: {stories} ({long_stories} of 30 words or more)")
    print(
        f"stories with questions: {full / max(stories, 1):.1%} of all stories,"
        f" {long_full / max(long_stories, 1):.1%} of 30+ word stories (target 100%);"
        " questions per story (at most --count, fewer for thin stories): "
        + ", ".join(f"{n}: {per_story[n] / max(stories, 1):.1%}" for n in sorted(per_story))
    )
    if with_lead:
        print(f"stories with a lead sentence to hang questions on: {with_lead / stories:.1%}")
    print(
        f"questions naming a subject found in the story: {named}/{questions}"
        f" = {named / max(questions, 1):.1%} (target >= 95%)"
    )
    print(
        f"most common template: {top_count / max(questions, 1):.1%} of questions"
        f" (target <= 10%): {top_template!r}"
    )
    print(f"distinct templates: {len(templates)}")
    total_remnants = sum(remnants[k] for k in ("tag", "entity", "control"))
    detail = ", ".join(f"{k} {remnants[k]}" for k in ("tag", "entity", "control"))
    print(
        f"HTML/entity/control remnants in titles and bodies: {total_remnants} ({detail}) (target 0)"
    )
    print(f"mojibake left (not repairable without guessing): {remnants['mojibake']}")
    total_boiler = sum(boiler.values())
    detail = ", ".join(f"{k} {n}" for k, n in boiler.most_common()) or "none"
    print(f"boilerplate lines remaining: {total_boiler} ({detail}) (target 0)")
    if isinstance(generator, LLMAnswers):
        print(f"LLM failures (offline questions instead): {generator.failed}")
    per = 1e6 / max(stories, 1)
    print(
        f"time per story: normalize {seconds['normalize'] * per:,.0f} us,"
        f" questions {seconds['questions'] * per:,.0f} us"
    )
    print("languages: " + ", ".join(f"{k} {n / stories:.1%}" for k, n in languages.most_common()))
    print("kinds: " + ", ".join(f"{k} {n / stories:.1%}" for k, n in kinds.most_common()))
    if args.ingest:
        import subprocess

        print("\n-- benchmarks/ingest.py:", flush=True)
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "ingest.py")], check=False)
    for kind, items in examples.items():
        print(f"\n-- {kind}:")
        for item in items:
            print("  ", item)


if __name__ == "__main__":
    main()
