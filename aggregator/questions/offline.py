"""Discussion questions for a story: the generator protocol and the offline heuristic.

Pure, no I/O. :class:`OfflineGenerator` runs at ingest for every story, so it is
a cheap heuristic (tens of microseconds a story), deterministic (same story,
same questions: no random state, no clock, no salted :func:`hash`), and every
question it writes names the story's main subject.

How the subject is found (:func:`find_subjects`):

1. Candidates are runs of capitalised words, acronyms, CamelCase and
   digit-bearing tokens (``Meta``, ``European Commission``, ``GPT-4``,
   ``iPhone 16 Pro``, ``Llama 4``, ``U.S.``) in the title and the first
   ~1,200 characters of the body. Runs are split at stopwords (``The``,
   ``How``, ``New``, ``Report``, weekdays, months, job titles ...).
2. A mention in the title counts three times a mention in the body, and the
   title's first name gets a bonus (headlines lead with their subject).
   Single words at the start of a sentence may be ordinary words: they do not
   count when the text also uses them in lower case (``Paying to support
   ...`` / ``paying``), and count half when seen only once (or, for the
   title's first word, when it looks like ``Hackers`` or ``Scientists``).
   Generic terms (``AI``, ``API``, ``GPU`` ...) count a quarter, places that
   are usually context (``US``, ``EU``, ``UK``) half.
3. Title-case titles (``Why Is Meta Seeking Allies``) are unreliable: there,
   only the parts of the title's runs that the body also names are credited;
   with no such part, the title's short runs, split at verb-like words.
4. A surname-only candidate (``Huang``) is merged into the full name
   (``Jensen Huang``).
5. Without any candidate, the questions fall back to the title's key noun
   phrase (``the news about lithium batteries``), and finally to
   ``this story``.

Questions take different angles, in order: motive (who benefits), evidence
(what is unsaid), consequences (what next), precedent, who is affected,
alternatives. Each angle has several templates; one is picked from a CRC-32 of
the title, and templates naming a second entity (``How might this news about
Meta affect Microsoft?``) join the choice when the story has one.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from aggregator.models import Story

__all__ = [
    "MAX_QUESTIONS",
    "MAX_QUESTION_LENGTH",
    "OfflineGenerator",
    "QuestionGenerator",
    "find_subjects",
    "title_phrase",
]

#: The most questions :class:`OfflineGenerator` writes for one story.
MAX_QUESTIONS = 12
#: The longest question :class:`OfflineGenerator` writes, in characters.
MAX_QUESTION_LENGTH = 200


@runtime_checkable
class QuestionGenerator(Protocol):
    """Writes discussion questions for a story.

    Implementations are called once per new or changed story at ingest; they
    should be deterministic for the same story. ``name`` is recorded with each
    story (``StoredStory.generator``) so that questions can be regenerated.
    """

    name: str

    def generate(self, story: Story) -> tuple[str, ...]:
        """Write the questions for one story.

        Args:
            story: the normalized story (its ``questions`` are ignored).

        Returns:
            The questions, one line each.
        """
        ...


# --- finding the subject ------------------------------------------------------

_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de"
# A name token: U.S. / Meta, GPT-4, AT&T, Node.js, C++ / (inside a run) iPhone, macOS.
_FIRST = rf"[{_UPPER}](?:\.(?:[{_UPPER}]\.)+|\w*(?:[-.&]\w+)*\+*)"
_TOKEN = rf"(?:{_FIRST}|[a-z]+[A-Z]\w*(?:[-.]\w+)*)"
_NUMBER = r"\d\w*(?:[-.]\w+)*"  # only after a name: Llama 4, Rust 1.86, iPhone 16
_CONNECTOR = r"(?:of|de|da|del|der|van|von|du|la|le|&)"
# No leading \b: a pattern that starts with a character class lets the regex
# engine skip ahead fast (3-4x faster here). A match that starts inside a word
# ("Phone" in "iPhone") is fixed up in _runs.
_RUN_RE = re.compile(rf"{_FIRST}(?: {_CONNECTOR}(?: the)? {_TOKEN}| {_TOKEN}| {_NUMBER})*")
_WORD_RE = re.compile(r"[^\W_][\w'\u2019-]*")

_OPENERS = frozenset(" \t\"'\u201c\u2018([")
_CONNECTORS = frozenset(
    {"of", "de", "da", "del", "der", "van", "von", "du", "la", "le", "&", "the"}
)
# Lower case; matched against capitalised tokens ("The") and lower-case words.
_STOPWORDS_LOWER = frozenset(
    """
    a an the this that these those some any each every all both either neither no
    another such other own same i you he she it we they me him her us them my your
    his its our their who whom whose which what when where why how whoever whatever
    is are was were be been being am do does did done has have had will would can
    could shall should may might must says said say tells told reports reported
    report announces announced launches launched unveils unveiled gets got makes
    made takes took goes went sees saw wants needs and or but nor so yet for of in
    on at by to from with without into onto over under about after before during
    since until while although though because if unless whether as than then also
    even just only still now today tonight yesterday tomorrow here there however
    meanwhile moreover furthermore instead indeed perhaps maybe finally first second
    third next last earlier later recently currently again already soon once not
    never always yes new news update updated breaking exclusive analysis opinion
    review video inside meet photos podcast interview explainer editorial letter
    letters sponsored introducing deal deals day days week weeks weekend month
    months year years quarter q1 q2 q3 q4 monday tuesday wednesday thursday friday
    saturday sunday january february march april june july august september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr
    sir ceo cto cfo coo president vice chairman chairwoman chair chief founder
    cofounder co-founder minister senator sen rep governor gov secretary judge
    professor prof executive director spokesperson spokesman spokeswoman analyst
    analysts developer researcher engineer reporter writer editor columnist
    correspondent lawyer attorney one two three four five six seven eight nine ten
    hundreds thousands millions billions million billion according despite many most
    more less few several much big bigger biggest top best worst latest largest
    major key everyone everything nothing something someone people users customers
    company companies government officials experts researchers scientists critics
    investors developers engineers staff workers employees it's that's there's
    here's what's who's let's don't can't won't isn't
    release released releases add adds added introduces introduced hits raises
    raised buys bought acquires acquired sues sued fires fired bans banned blocks
    blocked wins won loses lost plans planned using used finds found shows showed
    reveals revealed warns warned faces faced calls called asks asked gives gave
    brings brought cuts ends ended starts started opens opened closes closed
    becomes became finding making taking getting
    """.split()
)
# Words that open headlines ("New iPhone", "Watch Nick Offerman react") but
# belong to names elsewhere ("Apple Watch"): dropped only at the start of a run.
_LEADING = frozenset({"New", "Watch", "Meet", "Inside", "Introducing", "Exclusive", "Breaking"})
_STOPWORDS = frozenset(word[:1].upper() + word[1:] for word in _STOPWORDS_LOWER) - _LEADING
# "New" starts a run's real name only before these.
_NEW_NAMES = frozenset(
    {"York", "Zealand", "Delhi", "Jersey", "Mexico", "Hampshire", "Orleans", "Glenn", "Horizons"}
)
# Terms too generic to be a story's subject; they still count, a quarter.
_GENERIC = frozenset(
    """
    AI A.I. AGI API APIs CPU CPUs GPU GPUs LLM LLMs ML IT PC PCs SaaS VR AR XR IoT
    OS App Apps Internet Web Cloud Tech Big Crypto
    """.split()
)
_CONTEXT = frozenset({"US", "U.S.", "USA", "EU", "E.U.", "UK", "U.K.", "UN", "U.N."})

# Plural agent nouns that open headlines: "Hackers ...", "Scientists ...".
_AGENT_NOUN_RE = re.compile(r"(?:ers|ors|ists|ians|ants|ents)$")
# Title Case verbs: "Seeking", "Released".
_VERB_LIKE_RE = re.compile(r"^[A-Z][a-z]{2,}(?:ing|ed)$")
_TITLE_WEIGHT = 3.0
_LEAD_BONUS = 1.5
_BODY_WINDOW = 1200
_MIN_SCORE = 1.0
_MAX_NAME_LENGTH = 60


def _clean_token(token: str) -> str:
    """Drop lower-case hyphen suffixes: ``Microsoft-backed`` -> ``Microsoft``."""
    if "-" in token:
        parts = token.split("-")
        while len(parts) > 1 and parts[-1].isalpha() and parts[-1].islower():
            parts.pop()
        token = "-".join(parts)
    return token


def _segments(run: str) -> list[tuple[int, list[str]]]:
    """Split a run at stopwords; return ``(index of first token, tokens)`` pairs."""
    tokens = run.split(" ")
    segments: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for index, raw in enumerate(tokens):
        token = _clean_token(raw)
        if token in _STOPWORDS:
            if current:
                segments.append((start, current))
            current = []
            continue
        if not current:
            if token[0].isdigit() or token in _CONNECTORS:
                continue  # a name never starts with a number or "of"
            if token in _LEADING and not (
                token == "New" and index + 1 < len(tokens) and tokens[index + 1] in _NEW_NAMES
            ):
                continue
            start = index
        current.append(token)
        if token != raw:
            # "SoftBank-backed PayPay": the suffix makes the name an adjective of
            # what follows; the two are separate names, not "SoftBank PayPay".
            segments.append((start, current))
            current = []
    if current:
        segments.append((start, current))
    for _, segment in segments:
        while segment[-1] in _CONNECTORS:
            segment.pop()
    return segments


def _is_sentence_start(text: str, position: int) -> bool:
    """Tell whether ``position`` starts a sentence (or the text)."""
    index = position - 1
    while index >= 0 and text[index] in _OPENERS:
        index -= 1
    return index < 0 or text[index] in ".!?:\n"


def _runs(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(position, run)`` for each run of name tokens in ``text``."""
    for match in _RUN_RE.finditer(text):
        run = match.group()
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            # Inside a word: keep "iPhone", "macOS", "eBay"; drop "4K", "x_Y".
            word_start = start
            while word_start and text[word_start - 1].isalpha() and text[word_start - 1].islower():
                word_start -= 1
            before = text[word_start - 1] if word_start else ""
            if word_start == start or before.isalnum() or before == "_":
                continue
            run = text[word_start:start] + run
            start = word_start
        yield start, run


class _Tally:
    """The candidate names of one story and their scores, while it is read."""

    __slots__ = ("initial", "order", "scores", "seen", "title_initial")

    def __init__(self) -> None:
        self.scores: dict[str, float] = {}  # mentions that are surely names
        self.initial: dict[str, float] = {}  # single words starting a body sentence
        self.title_initial: dict[str, float] = {}  # the title's first word, if alone
        self.seen: dict[str, int] = {}  # how often each sentence-initial word was seen
        self.order: dict[str, int] = {}  # first appearance (title first), for ties


def _collect(
    text: str, tally: _Tally, initial: dict[str, float], weight: float, *, lead: float = 0.0
) -> None:
    """Add the candidates of ``text`` to ``tally``, ``weight`` each.

    Single words at the start of a sentence go to ``initial`` instead (counted
    in ``tally.seen``): they may be ordinary words. The first candidate gets
    ``lead`` on top (titles name their subject first).
    """
    scores = tally.scores
    order = tally.order
    for start, run in _runs(text):
        if " " not in run:  # the common case, kept fast
            if "-" in run:
                run = _clean_token(run)
            if run in _STOPWORDS or run in _LEADING:
                continue
            segments = [(0, [run])]
        else:
            segments = _segments(run)
        at_start = _is_sentence_start(text, start)
        for first, tokens in segments:
            name = " ".join(tokens)
            if name not in order:
                order[name] = len(order)
            if at_start and first == 0 and len(tokens) == 1:
                initial[name] = initial.get(name, 0.0) + weight + lead
                tally.seen[name] = tally.seen.get(name, 0) + 1
            else:
                scores[name] = scores.get(name, 0.0) + weight + lead
            lead = 0.0


def _title_case(title: str) -> bool:
    """Tell whether most long words of the title are capitalised."""
    words = [word for word in _WORD_RE.findall(title) if len(word) > 3]
    if len(words) < 3:
        return False
    capitalised = sum(1 for word in words if word[0].isupper())
    return capitalised >= 0.75 * len(words)


def _credit_title_case(title: str, tally: _Tally) -> None:
    """Credit the parts of a title-case title that the body also names.

    The first name credited gets the lead bonus. When the body names none of
    them, credit the title's short runs instead, split at verb-like words
    (``Meta Seeking Allies`` -> ``Meta``, ``Allies``; ``Advent of Code`` stays
    whole), distinctive ones (``GPT-4``, ``iPhone``) most, earlier ones first
    on ties.
    """
    scores = tally.scores
    segments = [tokens for _, run in _runs(title) for _, tokens in _segments(run)]
    lead = _LEAD_BONUS
    for tokens in segments:
        for size in range(min(3, len(tokens)), 0, -1):
            for index in range(len(tokens) - size + 1):
                name = " ".join(tokens[index : index + size])
                if name in scores:
                    scores[name] += _TITLE_WEIGHT + lead
                    lead = 0.0
    if not lead:
        return
    for tokens in segments:
        parts: list[list[str]] = [[]]
        for token in tokens:
            if _VERB_LIKE_RE.search(token) or (len(tokens) > 3 and token in _CONNECTORS):
                parts.append([])
            elif len(tokens) > 3:
                parts.append([token])  # a long run is a phrase: credit its words
            else:
                parts[-1].append(token)
        for part in parts:
            while part and part[-1] in _CONNECTORS:
                part.pop()
            if not part:
                continue
            name = " ".join(part)
            tally.order.setdefault(name, len(tally.order))
            distinctive = any(
                word not in _GENERIC and any(c.isupper() or c.isdigit() for c in word[1:])
                for word in part
            )
            scores[name] = scores.get(name, 0.0) + (_TITLE_WEIGHT if distinctive else _MIN_SCORE)


def _overlaps(a: str, b: str) -> bool:
    """Tell whether two names share a word (``Llama`` / ``Llama 4``)."""
    return not set(a.lower().split()).isdisjoint(b.lower().split())


def _body_window(body: str) -> str:
    """The start of the body that the subject is looked for in, cut at a space."""
    if len(body) <= _BODY_WINDOW:
        return body
    cut = body.rfind(" ", 0, _BODY_WINDOW)
    return body[: cut if cut > 0 else _BODY_WINDOW]


def _shorten(name: str, limit: int = _MAX_NAME_LENGTH) -> str:
    """Shorten a name to ``limit`` characters by whole words, or return ``""``."""
    if len(name) <= limit:
        return name
    words = name.split(" ")
    while words and len(" ".join(words)) > limit:
        words.pop()
    while words and words[-1] in _CONNECTORS:
        words.pop()
    return " ".join(words)


def find_subjects(title: str, body: str, *, limit: int = 2) -> tuple[str, ...]:
    """Find the organisations, products, people or places a story is about.

    A cheap heuristic (see the module docstring): capitalised runs, acronyms,
    CamelCase and digit-bearing names in the title and the body's start,
    scored by frequency with title mentions weighted high.

    Args:
        title: the story's title.
        body: the story's plain-text body (only its first ~1,200 characters
            are read).
        limit: how many names to return at most.

    Returns:
        Up to ``limit`` names, best first, none sharing a word with another,
        each at most 60 characters; ``()`` when the story names nothing.
    """
    window = _body_window(body)
    tally = _Tally()
    scores = tally.scores
    title_case = _title_case(title)
    if not title_case:
        _collect(title, tally, tally.title_initial, _TITLE_WEIGHT, lead=_LEAD_BONUS)
    _collect(window, tally, tally.initial, 1.0)
    # Sentence-initial single words may be ordinary words ("Paying to ..."):
    # drop those the text also uses in lower case; halve those seen only once.
    for name, weight in tally.title_initial.items():
        if name in scores:
            scores[name] += weight
        elif " " + name.lower() not in window and " " + name.lower() not in title:
            scores[name] = weight / 2 if _AGENT_NOUN_RE.search(name) else weight
    for name, weight in tally.initial.items():
        if name in scores:
            scores[name] += weight
        elif " " + name.lower() in window or " " + name.lower() in title:
            continue
        elif tally.seen[name] > 1 or any(c.isupper() or c.isdigit() for c in name[1:]):
            scores[name] = weight
        else:
            scores[name] = weight / 2
    if title_case:
        _credit_title_case(title, tally)

    # Surnames: credit "Huang" to "Jensen Huang" when "Jensen" is no name of its own.
    surnames = {
        parts[1]: full
        for full in scores
        if len(parts := full.split(" ")) == 2 and parts[0] not in scores
    }
    for surname, full in surnames.items():
        if surname in scores:
            scores[full] += scores.pop(surname)

    ranked: list[tuple[float, int, str]] = []
    for name, score in scores.items():
        if name in _GENERIC:
            score *= 0.25
        elif name in _CONTEXT:
            score *= 0.5
        if score >= _MIN_SCORE:
            ranked.append((-score, tally.order[name], name))
    ranked.sort()
    chosen: list[str] = []
    for _, _, name in ranked:
        if len(chosen) >= limit:
            break
        short = _shorten(name)
        if short and not any(_overlaps(short, other) for other in chosen):
            chosen.append(short)
    return tuple(chosen)


def title_phrase(title: str) -> str:
    """The title's key noun phrase: its last run of (up to 3) content words.

    Args:
        title: the story's title.

    Returns:
        The phrase, Title Case words in lower case (acronyms kept), at most 60
        characters; ``""`` when the title has no content word.
    """
    best: list[str] = []
    current: list[str] = []
    for word in _WORD_RE.findall(title):
        if word.lower() in _STOPWORDS_LOWER or word[0].isdigit():
            if current:
                best = current
            current = []
        else:
            current.append(word)
    if current:
        best = current
    # Title Case words go lower case ("Lithium" -> "lithium"); acronyms stay.
    words = [word.lower() if word[1:].islower() else word for word in best[-3:]]
    return _shorten(" ".join(words))


# --- writing the questions ----------------------------------------------------

# Placeholders: {s} the subject, {sp} its possessive, {o} a second entity,
# {t} a topic ("the news about lithium batteries", "this story"). No template
# refers to the subject with a pronoun: it may be a company, a person or a thing.
_Angle = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # solo, pair, topic

_ANGLES: tuple[_Angle, ...] = (
    (  # motive: who benefits
        (
            "Who stands to benefit most from this news about {s}?",
            "What might be the real motive behind the latest move involving {s}?",
            "Whose interests are served by the way {s} is presented in this story?",
            "Why is this happening with {s} now, and who gains from the timing?",
            "Who profits if things go the way {s} would like?",
        ),
        (
            "Who gains more from this news, {s} or {o}?",
            "Does this news about {s} help or hurt {o}, and who gains from that?",
        ),
        (
            "Who stands to benefit most from {t}?",
            "What motives might lie behind {t}?",
            "Whose interests are served by the way {t} is framed?",
            "Why is {t} coming out now, and who gains from the timing?",
        ),
    ),
    (  # evidence: what is unsaid
        (
            "What evidence backs up the claims made about {s}, and who is making them?",
            "What is this story about {s} leaving unsaid?",
            "Which facts about {s} would you want independently verified before believing this?",
            "What questions about {s} does this report fail to answer?",
            "Are the sources on {s} here independent, or do they have a stake in the outcome?",
        ),
        (
            "What does this story leave out about the relationship between {s} and {o}?",
            "What does this story about {s} leave unsaid about {o}?",
        ),
        (
            "What evidence supports {t}, and who provides it?",
            "What is left unsaid in {t}?",
            "Which claims in {t} would you want independently verified?",
            "Are the sources behind {t} independent, or do they have a stake in it?",
        ),
    ),
    (  # consequences: what next
        (
            "What happens next for {s}, and what should readers watch for?",
            "What could this news mean for {s} over the next year?",
            "What knock-on effects could this news have beyond {s}?",
            "If this goes badly, who besides {s} would feel the consequences?",
            "How could this change the way people see {s}?",
        ),
        (
            "How might this news about {s} affect {o}?",
            "What would this mean for {o} if things go well for {s}?",
        ),
        (
            "What happens next after {t}, and what should readers watch for?",
            "What could {t} mean over the next year?",
            "What knock-on effects could follow from {t}?",
            "If {t} proves right, who will feel the consequences first?",
        ),
    ),
    (  # precedent: history
        (
            "Has anything like this happened with {s} before, and how did it turn out?",
            "How does this news fit {sp} track record?",
            "What precedent does this set for others in the same position as {s}?",
            "Is this news about {s} a break with the past or more of the same?",
        ),
        ("How does the history between {s} and {o} shape this story?",),
        (
            "Has anything like {t} happened before, and how did it turn out?",
            "Is {t} a break with the past or more of the same?",
            "What precedent might {t} set?",
            "What does the history behind {t} tell us?",
        ),
    ),
    (  # who is affected
        (
            "Which ordinary users or workers are most affected by this news about {s}?",
            "Who bears the cost if things go wrong for {s}?",
            "Whose voice is missing from this story about {s}?",
            "How might customers and employees connected to {s} see this news?",
        ),
        ("How are the people who rely on {o} affected by this news about {s}?",),
        (
            "Who is most affected by {t}, and were they consulted?",
            "Who bears the cost if {t} turns out badly?",
            "Whose voice is missing from {t}?",
            "How might ordinary people experience {t}?",
        ),
    ),
    (  # alternatives
        (
            "What alternatives to {sp} approach deserve a closer look?",
            "Is there a better way to handle what this story about {s} describes?",
            "What would a sceptic propose instead of what {s} is doing?",
            "If you were advising {s}, what would you do differently?",
        ),
        ("Would this story read differently if it were about {o} instead of {s}?",),
        (
            "What alternatives to the course described in {t} deserve a look?",
            "Is there a better way to handle what {t} describes?",
            "What would a sceptic propose instead, after reading {t}?",
            "What would you do differently from the people in {t}?",
        ),
    ),
)


def _possessive(name: str) -> str:
    """``Meta`` -> ``Meta's``; ``Siemens`` -> ``Siemens'``."""
    return name + ("'" if name.endswith("s") else "'s")


class OfflineGenerator:
    """Writes questions with a fast, deterministic heuristic; no network.

    Stateless after construction, so one instance may be shared by threads.

    Attributes:
        name: ``"offline"``, recorded with each story's questions.
        count: how many questions each story gets.
    """

    name: str = "offline"

    def __init__(self, *, count: int = 3) -> None:
        """Configure the generator.

        Args:
            count: questions per story, from 0 to :data:`MAX_QUESTIONS`. The
                first three take the motive, evidence and consequences angles;
                further ones add precedent, who is affected and alternatives,
                then a second wording of each angle.

        Raises:
            ValueError: ``count`` is out of range.
        """
        if not 0 <= count <= MAX_QUESTIONS:
            raise ValueError(f"count must be between 0 and {MAX_QUESTIONS}, got {count}")
        self.count = count

    def generate(self, story: Story) -> tuple[str, ...]:
        """Write the questions for one story.

        Args:
            story: the story; its title and body are read.

        Returns:
            ``count`` distinct questions, each one line, starting with a
            capital letter, ending with ``?``, at most
            :data:`MAX_QUESTION_LENGTH` characters, and naming the story's
            subject (or, failing one, its topic).
        """
        if not self.count:
            return ()
        names = find_subjects(story.title, story.body)
        seed = zlib.crc32(story.title.encode("utf-8", "surrogatepass"))
        values: dict[str, str] = {}
        if names:
            values = {"s": names[0], "sp": _possessive(names[0])}
            if len(names) > 1:
                values["o"] = names[1]
        else:
            phrase = title_phrase(story.title)
            values = {"t": f"the news about {phrase}" if phrase else "this story"}
        questions: list[str] = []
        for number in range(self.count):
            round_, angle = divmod(number, len(_ANGLES))
            solo, pair, topic = _ANGLES[angle]
            if "t" in values:
                pool = topic
            else:
                pool = solo + pair if "o" in values else solo
            base = seed >> (5 * angle)
            questions.append(pool[(base + round_) % len(pool)].format(**values))
        return tuple(questions)
