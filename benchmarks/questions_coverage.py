"""Which stories of the real-feed corpus get a grounded question, and why the others do not.

Parses every feed under ``<corpus>/real-feeds/`` like
``benchmarks/questions_sample.py`` (titles unique), writes each story's offline
questions and prints:

- the share of stories whose only question is the fallback on the quoted
  headline (no fact of the story was safe to ask about), and the share with a
  single question;
- stories per number of questions, and the most common question openings;
- for the fallback-only stories, why: by language, then no body to speak of
  (under 40 characters), a headline-only link post or wire list (the body is
  a link aggregator's line or the headline again), a kind with no news to
  weigh (a book blurb, show notes, a deal ...), or a lead none of whose
  sentences passed the lead checks. For the last, the first sentence is put
  in a rough class (an opener that points elsewhere, a first- or
  second-person voice, no full stop, too long, no article or auxiliary, a
  quotation first, other). The classes are approximations made here, apart
  from the generator, to tell which causes are common.

``--show N`` prints N stories of each reason.

    python benchmarks/questions_coverage.py [--corpus ../shared/corpus] [--show 5]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from questions_sample import candidates  # noqa: E402

from aggregator.models import Story  # noqa: E402
from aggregator.questions.lead import lead_sentence  # noqa: E402
from aggregator.questions.offline import OfflineGenerator  # noqa: E402
from aggregator.questions.reading import detect_kind  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# The openings of the fallback questions: the quoted headline, or no fact at all.
FALLBACK_RE = re.compile(
    "^(?:What do you make of \u201c|What would you take away from \u201c"
    "|What, if anything, could have prevented what|How will those mourned in \u201c"
    "|What would you want to know more about after|Which detail of this story"
    "|Was an \u201e|Worüber würden|Que retenez-vous|De quoi parleriez)"
)
NO_NEWS_KINDS = frozenset({"book", "podcast", "howto", "listing", "deal", "job"})
LINK_POST_RE = re.compile(r"^(?:Link post on |- .{10,}\n)")
OPENER_RE = re.compile(
    r"^(?:It|It's|Its|They|Their|He|His|She|Her|This|That|These|Those|There|Here|So|But|And"
    r"|Also|Now|Today|Why|How|What|Welcome|Click|Read|Watch|Listen)\b"
)
VOICE_RE = re.compile(r"\b(?:I|I'm|I've|we|we're|our|us|you|your|my|me)\b", re.IGNORECASE)
MARKER_RE = re.compile(r"\b(?:the|a|an|is|are|was|were|has|have|had|will|would|its|their)\b")
SPLIT_RE = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z\"\u201c])")


def first_sentence_class(body: str) -> str:
    """A rough class of why the body's first sentence is no lead."""
    first = SPLIT_RE.split(" ".join(body.split("\n", 1)[0].split()), maxsplit=1)[0]
    if first[:1] in "\"'\u201c\u2018":
        return "quotation first"
    if OPENER_RE.match(first):
        return "opener pointing elsewhere (It, This, There, How ...)"
    if VOICE_RE.search(first):
        return "first- or second-person voice"
    if not first.rstrip().endswith((".", ".\u201d", '."')):
        return "no full stop (teaser, standfirst, cut off)"
    if len(first) > 176 or len(first.split()) > 35:
        return "too long"
    if not MARKER_RE.search(first):
        return "no article or auxiliary (headlinese)"
    return "other check"


def reason(story: Story) -> str:
    """Why a fallback-only story got no grounded question (see the module's docstring)."""
    lang = story.lang or "unknown"
    body = story.body.strip()
    if len(body) < 40:
        return f"{lang}: no body"
    if LINK_POST_RE.match(body) or body.startswith(story.title[:40]):
        return f"{lang}: headline-only link post or wire list"
    kind = detect_kind(story.title, story.body)
    if kind in NO_NEWS_KINDS:
        return f"{lang}: kind {kind}"
    if story.lang not in ("en", "", "de", "fr"):
        return f"{lang}: language without lead questions"
    if lead_sentence(story.title, story.body, story.lang or "en") is None:
        return f"{lang}: no usable lead sentence; first: {first_sentence_class(body)}"
    return f"{lang}: lead found, no frame fits"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_corpus = Path(os.environ.get("AGGREGATOR_CORPUS") or REPO.parent / "shared" / "corpus")
    parser.add_argument("--corpus", type=Path, default=default_corpus)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--show", type=int, default=0, help="print N stories of each reason")
    args = parser.parse_args()

    pool = candidates(args.corpus)
    if not pool:
        sys.exit(f"no stories under {args.corpus / 'real-feeds'}")
    generator = OfflineGenerator(count=args.count)
    per_count: Counter[int] = Counter()
    openings: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    fallback = 0
    for _, story in pool:
        questions = generator.generate(story)
        per_count[len(questions)] += 1
        openings.update(" ".join(q.split()[:4]) for q in questions)
        if len(questions) == 1 and FALLBACK_RE.match(questions[0]):
            fallback += 1
            why = reason(story)
            reasons[why] += 1
            examples[why].append(story.title)
    total = len(pool)
    print(f"stories: {total}")
    print(f"fallback-only (the quoted headline, no fact): {fallback} ({fallback / total:.1%})")
    print(f"a single question: {per_count[1]} ({per_count[1] / total:.1%})")
    print(
        "questions per story: "
        + ", ".join(f"{n}: {c} ({c / total:.1%})" for n, c in sorted(per_count.items()))
    )
    print("most common openings:")
    for text, count in openings.most_common(8):
        print(f"  {count:5d}  {text} ...")
    print("why fallback-only:")
    for why, count in reasons.most_common():
        print(f"  {count:5d}  {why}")
        if args.show:
            titles = examples[why][:]
            random.Random(0).shuffle(titles)
            for title in titles[: args.show]:
                print(f"           {title[:100]}")


if __name__ == "__main__":
    main()
