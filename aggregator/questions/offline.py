"""Discussion questions for a story: the generator protocol and the offline generator.

Pure, no I/O. :class:`OfflineGenerator` runs at ingest for every story, in
the parser processes, so it is cheap (tens of microseconds a story) and
deterministic: same story, same questions; no random state, no clock, no
salted :func:`hash` or set order. The candidates are tried best first and the
first ``count`` that fit are kept, so a story's first three questions are the
same whatever ``count`` is.

Each question hangs on something concrete of *this* story, read by
:func:`aggregator.questions.reading.read_story`:

- the headline's act (``Meta asks Amazon and Microsoft to help fund ...``:
  "Is the decision to ask Amazon and Microsoft to help fund its Llama AI
  models a sign of strength or of trouble for Meta?"), its claim (``Study
  finds X``: "What evidence would it take to show that X?"), its modal or
  copular statement ("Should any text-to-SQL benchmark really address ...?");
- the lead's quotation with its speaker, its "but / however" tension, its
  figure;
- the product and its promised features (releases), the episode's topics
  (podcasts), the headline itself, quoted, where nothing else is safe.

Which questions are asked depends on the story's kind (release, how-to,
book, podcast, tragedy, court case, research, corporate move, politics,
opinion, listing, event, news). Deaths and disasters never get a motive,
timing, "who gains" or "if this goes badly" question: they get prevention,
accountability, support and remembrance.

Language: English stories (and those of unknown language) get all of the
above. German and French stories get questions in their language, built on
the quoted headline, the figure and, when it is clearly a name, the subject.
Stories in other languages get English questions that quote the headline or
name a subject that is clearly a name, never a lower-cased or inflected
fragment of the text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from aggregator.models import Story
from aggregator.questions.reading import Action, Reading, read_story
from aggregator.questions.subject import find_subjects, is_demonym, is_name, title_phrase

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


# --- referring to things ------------------------------------------------------

_HEADLINE_LIMIT = 95
_BODY_READ = 3000  # characters of the body searched for a word's capitalisation
# Names that take "the" in running text: "the Pentagon", "the European Commission".
_THE_NAMES = frozenset(
    """
    Pentagon Kremlin Vatican Fed FBI CIA NSA NHS BBC EU UN US UK U.S. U.K. E.U. U.N. IMF
    WHO NATO FTC SEC FCC FAA DOJ ECB Bundestag Bundesregierung Élysée Taliban Pope
    """.split()
)
_THE_HEADS = re.compile(
    r"(?:Commission|Ministry|Department|Agency|Court|Council|Party|Union|Senate|House"
    r"|Administration|Government|Army|Navy|Police|Office|Foundation|Embassy|Federation"
    r"|Republic|Kingdom|States|Emirates|Times|Guardian|Post|Journal|Economist)$"
)
_WH_OPENERS = frozenset({"Why", "How", "When", "What", "Where", "Who"})


def _the(name: str) -> str:
    """``Pentagon`` -> ``the Pentagon``; ``Meta`` -> ``Meta``."""
    if name.startswith(("The ", "the ")):
        return "the " + name[4:]
    if name in _THE_NAMES or _THE_HEADS.search(name):
        return "the " + name
    return name


def _possessive(name: str) -> str:
    """``Meta`` -> ``Meta's``; ``Siemens`` -> ``Siemens'``."""
    return name + ("'" if name.endswith("s") else "'s")


def _clip(text: str, limit: int = _HEADLINE_LIMIT) -> str:
    """One line of at most ``limit`` characters, cut at a word (with "…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:-") + "…"


_FUNCTION_WORDS = frozenset(
    """
    A An The This That These Those Its His Her Their Our Some Many Most More Few Several All
    Any No One Two Three Four Five Six Seven Eight Nine Ten Each Every Both
    """.split()
)


def _capitalised_inside(word: str, text: str) -> bool:
    """Whether ``text`` writes ``word`` with its capital inside a sentence ("... said Tiger")."""
    at = text.find(" " + word)
    while at > 0:
        before = text[at - 1]
        end = at + 1 + len(word)
        if (before.islower() or before in ",;") and not text[end : end + 1].isalpha():
            return True
        at = text.find(" " + word, at + 1)
    return False


def _lower_first(phrase: str, body: str = "") -> str:
    """Lower-case a phrase's first word when it is an ordinary word.

    Function words (``The``, ``Some``) always are; with ``body`` given, so is
    a word that the body never writes with a capital (``Expectations``,
    ``Tiger``), unless it is a demonym, a name or an acronym.
    """
    first, _, rest = phrase.partition(" ")
    if first in _FUNCTION_WORDS:
        first = first.lower()
    elif (
        body
        and first[1:].islower()
        and not is_demonym(first)
        and not _capitalised_inside(first, body[:_BODY_READ])
    ):
        first = first.lower()
    return f"{first} {rest}".strip()


def _is_actor_name(actor: str, subject: str) -> bool:
    """Whether a headline's actor is a name that can stand in a question unchanged."""
    if subject and subject in actor and len(actor) <= len(subject) + 4:
        return True
    words = actor.split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() for w in words) and is_name(actor)


def _tagline(headline: str) -> tuple[str, str]:
    """``Gemini 3.1 Pro: A smarter model`` -> (``Gemini 3.1 Pro``, ``A smarter model``)."""
    head, sep, tail = headline.partition(": ")
    if sep and 0 < len(head.split()) <= 5 and len(tail.split()) >= 3:
        return head, tail
    return "", ""


_FEATURES_RE = re.compile(r"\b(?:with|adds?|brings?|gets?|now supports?)\s+(.{8,80})$", re.I)
_TOPIC_RE = re.compile(r"(?:^|\n|\s)[-•*]\s+([^\n]{6,70}?)(?=\s+[-•*]\s|\n|$)")


def _topics(body: str) -> list[str]:
    """The items of show notes' bullet list (``- Follow-up: - TSMC 10nm vs. Intel 10nm ...``)."""
    found = []
    for match in _TOPIC_RE.finditer(body[:1500]):
        item = match.group(1).strip(" :?")
        low = item.lower()
        if sum(c.isalpha() or c in " .,'-&" for c in item) < len(item):
            continue  # symbols, emoji
        if low.startswith(("follow", "sponsor", "post-show", "after show", "http")) or not item:
            continue
        if len(item.split()) >= 2 and item not in found:
            found.append(item)
        if len(found) == 3:
            break
    return found


# --- English ------------------------------------------------------------------


def _english(reading: Reading, story: Story) -> Iterator[str]:
    """Candidate English questions for a story, best first."""
    kind = reading.kind
    subject = reading.subject
    headline = _clip(reading.headline)
    quoted = f"\u201c{headline}\u201d" if len(headline.split()) >= 2 else "this story"
    facts = reading.facts
    action = reading.action
    tragedy = kind == "tragedy"
    the_subject = _the(subject) if subject else ""
    body = story.body

    if tragedy:
        yield from _tragedy(reading, quoted, the_subject, body)
    elif action is not None:
        yield from _action_questions(action, reading, body)

    if kind == "release" and not tragedy:
        product, tagline = _tagline(headline)
        product = product if product and is_name(product) else subject
        if product:
            if tagline:
                yield (
                    f"Does {_the(product)} live up to the promise of "
                    f"\u201c{_lower_first(tagline).rstrip('.')}\u201d?"
                )
            features = _FEATURES_RE.search(headline)
            if features:
                yield (
                    f"Is {features.group(1).rstrip('.')} reason enough to move to "
                    f"{_the(product)}, or is it better to wait?"
                )
            yield f"What would still keep you from switching to {_the(product)}?"
    elif kind == "howto":
        yield f"What is the hardest step in {quoted} that guides like this tend to skip?"
        if subject:
            yield f"When is {the_subject} the right tool, and when would something simpler do?"
    elif kind == "book":
        yield f"What would a reader get from {quoted} that a few good articles could not give?"
    elif kind == "podcast":
        topics = _topics(body)
        if len(topics) >= 2:
            yield f"Which deserved more time in this episode: {topics[0]} or {topics[1]}?"
        for topic in topics[:2]:
            yield f"What did you make of the discussion of {_lower_first(topic)}?"
    elif kind == "listing":
        yield f"Which item in {quoted} deserves the most attention, and why?"
    elif kind == "event":
        yield f"What would make {quoted} worth following for someone who cannot attend?"

    # The lead's facts.
    if facts.tension:
        yield f"How much does it matter that {_lower_first(facts.tension)}?"
    if facts.quote and not tragedy:
        if facts.speaker and is_name(facts.speaker):
            yield (
                f"Should readers take {facts.speaker} at face value on "
                f"\u201c{_lower_first(facts.quote)}\u201d?"
            )
        else:
            yield f"How much weight does the line \u201c{facts.quote}\u201d deserve here?"
    if facts.claim and not tragedy and kind not in ("podcast", "book", "howto", "listing"):
        claim = facts.claim
        if not (subject and claim.startswith(subject)):
            claim = _lower_first(claim, body)
        yield f"What should readers make of the report that {claim}?"
    if facts.figure and not tragedy and kind not in ("podcast", "book", "howto"):
        if subject:
            yield f"What does the figure of {facts.figure} really tell us about {the_subject}?"
        else:
            yield f"Is the figure of {facts.figure} as telling as the story suggests?"

    # Kind-level stakes, on the quoted headline.
    if kind == "court":
        yield f"What would a fair outcome look like in {quoted}?"
        yield f"What precedent could {quoted} set for similar cases?"
    elif kind == "research":
        yield f"How well would the finding behind {quoted} hold up outside the study?"
        yield f"What would you want to know about the method before trusting {quoted}?"
    elif kind == "opinion":
        yield f"Do you agree with the argument in {quoted}, and where is it weakest?"
    elif kind == "book":
        yield f"Who is {quoted} really written for, and does the description make the case?"
    elif kind == "podcast":
        yield f"Which idea from the episode {quoted} would you push back on?"
    elif kind == "howto":
        yield f"Where would the approach in {quoted} break down in a real project?"
    elif kind == "listing":
        yield f"What is missing from {quoted} that you would have included?"
    if not tragedy:
        yield f"Which claim in {quoted} would you most want checked, and how?"
        yield f"Who is most affected by {quoted}, and is their view in the story?"
        yield f"What is the strongest argument against the picture painted in {quoted}?"
        yield f"What should happen next after {quoted}?"
    yield f"What context would help a newcomer understand {quoted}?"
    yield f"What is the one thing you would ask the people in {quoted}?"
    yield f"What stands out most to you in {quoted}?"
    yield "What stands out most to you in this story?"
    yield "What would you want to know more about after reading this story?"
    yield "Which detail of this story would you discuss first?"


# "Jesse Jackson, civil rights leader ..., dies at 84": the person whose death it is.
_OBITUARY_RE = re.compile(
    r"([A-Z][\w.'\u2019-]+(?: [A-Z][\w.'\u2019-]+)+)"
    r"(?:,.{3,90}?,[\u2019']?)? (?:dies|has died|died|dead)\b"
)


def _tragedy(reading: Reading, quoted: str, the_subject: str, body: str) -> Iterator[str]:
    """Questions for deaths, disasters and attacks: accountability, prevention, support, memory."""
    action = reading.action
    obituary = _OBITUARY_RE.search(reading.headline)
    if obituary:
        person = obituary.group(1)
        yield f"What will {person} be remembered for, and which part matters most to you?"
        yield f"Which part of {_possessive(person)} life and work deserves a second look now?"
        yield f"What would you want younger readers to know about {person}?"
        return
    if action is not None and action.decision and _is_actor_name(action.actor, reading.subject):
        who = _the(action.actor)
        yield f"Was {who} justified to {action.base}?"
        yield f"What oversight should apply when {who} decides to {action.base}?"
    elif action is not None and action.form == "passive":
        thing = _lower_first(action.actor, body)
        yield f"Who should answer for {thing} being {action.verb} {action.rest}?"
    yield f"What, if anything, could have prevented what {quoted} describes?"
    yield f"What should the authorities and the public learn from {quoted}?"
    yield f"How should the people affected by {quoted} be supported now?"
    yield f"What do we still not know about {quoted}, and how could it be found out?"


def _action_questions(action: Action, reading: Reading, body: str) -> Iterator[str]:
    """Questions on the headline's act, claim or statement (English)."""
    subject = reading.subject
    actor = action.actor
    named = _is_actor_name(actor, subject)
    who = _the(actor) if named else ""
    doer = who or _lower_first(actor, body)
    rest = action.rest
    if action.form == "on":
        if named:
            yield f"Is {actor} right about {rest}?"
            yield f"What might {actor} be missing about {rest}?"
        return
    if action.form == "modal":
        yield f"{action.verb.capitalize()} {doer} really {rest}?"
        yield f"What would it take for {doer} to {rest}?"
        return
    if action.form == "copula":
        yield f"{action.verb.capitalize()} {doer} really {rest}?"
        yield f"What is the strongest argument against the idea that {doer} {action.verb} {rest}?"
        return
    if action.form == "passive":
        yield f"What led to {doer} being {action.verb} {rest}?"
        yield f"Was it right that {doer} {_was(doer)} {action.verb} {rest}?"
        return
    if action.saying:
        claim = _lower_first(rest.removeprefix("that "), body)
        source = f"{_possessive(who)} case" if who else "the case"
        yield f"How convincing is {source} that {claim}?"
        yield f"What evidence would it take to show that {claim}?"
        return
    if action.decision and who:
        yield f"What is {who} really after in choosing to {action.base}?"
        yield f"Is the decision to {action.base} a sign of strength or of trouble for {who}?"
        yield f"Who would pay the price if {_possessive(who)} move to {action.base} backfires?"
        return
    if who:
        yield f"What does it mean that {who} {action.clause}, and what changes now?"
        yield f"Is it a surprise that {who} {action.clause}, or was it a long time coming?"
        return
    if action.decision:
        yield f"Is it a good idea for {doer} to {action.base}?"
    yield f"What does it mean that {doer} {action.clause}?"


def _was(phrase: str) -> str:
    """``was`` or ``were`` for a noun phrase (``Child refugees`` -> ``were``)."""
    last = phrase.split()[-1] if phrase.split() else ""
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is")) and last[:1].islower()
    return "were" if plural else "was"


# --- German and French ---------------------------------------------------------

# A German headline "Microsoft veröffentlicht Cordova-Erweiterung ...": name + verb in -t.
_DE_NOT_VERBS = frozenset(
    "nicht jetzt erst seit mit bereits meist fast selbst sonst oft weit gut laut statt bist"
    " zuletzt endlich derzeit zurzeit bisher nachts heute".split()
)


def _german_act(reading: Reading, body: str) -> tuple[str, str, str] | None:
    """``(actor, verb, rest)`` of a German headline whose actor is a name, or ``None``."""
    headline = reading.headline.split(" - ")[0].split(" \u2013 ")[0]
    if ":" in headline or "?" in headline or "," in headline:
        return None
    tokens = headline.split()
    for index in (1, 2):
        if index >= len(tokens) - 1:
            return None
        word = tokens[index]
        if word[:1].islower() and word.endswith("t") and word not in _DE_NOT_VERBS:
            actor = " ".join(tokens[:index])
            if not (_clear_name(actor) or is_name(actor, lang="de") and actor in body):
                return None
            return actor, word, " ".join(tokens[index + 1 :])
    return None


def _german(reading: Reading, body: str) -> Iterator[str]:
    """Candidate German questions: the headline's act, the quoted headline, the figure."""
    headline = _clip(reading.headline)
    quoted = f"\u201e{headline}\u201c" if len(headline.split()) >= 2 else "dieser Meldung"
    kind = reading.kind
    act = _german_act(reading, body) if kind != "tragedy" else None
    if act is not None:
        actor, verb, rest = act
        yield f"Warum {verb} {actor} {rest}, und wem nützt das?"
        yield f"Was ändert sich für Nutzer und Kunden, wenn {actor} {rest} {verb}?"
    if kind == "tragedy":
        yield f"Was hätte verhindert werden können bei dem, was {quoted} beschreibt?"
        yield f"Welche Lehren sollten Behörden und Öffentlichkeit aus {quoted} ziehen?"
        yield f"Wie sollte den Betroffenen von {quoted} jetzt geholfen werden?"
    elif kind == "release":
        yield f"Was müsste sich nach {quoted} noch ändern, damit Sie es einsetzen?"
        yield f"Welche Nachteile verschweigt die Meldung {quoted} womöglich?"
    elif kind == "podcast":
        yield f"Welches Thema aus der Folge {quoted} würden Sie gern weiter diskutieren?"
        yield f"Welcher These aus der Folge {quoted} würden Sie widersprechen?"
    elif kind == "court":
        yield f"Wie sähe ein gerechter Ausgang im Fall {quoted} aus?"
        yield f"Welchen Präzedenzfall könnte {quoted} schaffen?"
    elif kind == "research":
        yield f"Wie belastbar ist der Befund hinter {quoted} außerhalb der Studie?"
    if reading.facts.figure and kind != "tragedy":
        yield f"Was sagt die Zahl {reading.facts.figure} in der Meldung {quoted} wirklich aus?"
    if kind != "tragedy":
        yield f"Wer ist von {quoted} am stärksten betroffen, und kommt er zu Wort?"
        yield f"Welche Aussage in {quoted} würden Sie gern überprüft sehen?"
        yield f"Was ist das stärkste Gegenargument zu {quoted}?"
        yield f"Wie sollte es nach {quoted} weitergehen?"
    yield f"Was an {quoted} sollte man genauer wissen?"
    yield f"Welche Hintergründe helfen, {quoted} einzuordnen?"
    yield f"Was fällt Ihnen an {quoted} als Erstes auf?"
    yield "Worüber würden Sie bei dieser Meldung zuerst sprechen?"


def _french(reading: Reading) -> Iterator[str]:
    """Candidate French questions: the quoted headline, the figure."""
    headline = _clip(reading.headline)
    quoted = f"\u00ab\u00a0{headline}\u00a0\u00bb" if len(headline.split()) >= 2 else "cet article"
    kind = reading.kind
    if kind == "tragedy":
        yield f"Qu'est-ce qui aurait pu empêcher ce que décrit {quoted}\u00a0?"
        yield f"Quelles leçons les autorités devraient-elles tirer de {quoted}\u00a0?"
        yield f"Comment aider aujourd'hui les personnes touchées par {quoted}\u00a0?"
    elif kind == "release":
        yield f"Que faudrait-il encore pour que vous adoptiez ce qu'annonce {quoted}\u00a0?"
    elif kind == "podcast":
        yield f"Quel sujet de l'épisode {quoted} mériterait un vrai débat\u00a0?"
    elif kind == "court":
        yield f"À quoi ressemblerait une issue juste dans l'affaire {quoted}\u00a0?"
    elif kind == "event":
        yield f"Qu'est-ce qui rend {quoted} intéressant pour qui ne peut pas y aller\u00a0?"
    if reading.facts.figure and kind != "tragedy":
        yield f"Que dit vraiment le chiffre de {reading.facts.figure} dans {quoted}\u00a0?"
    if kind != "tragedy":
        yield f"Qui est le plus concerné par {quoted}, et a-t-il la parole\u00a0?"
        yield f"Quelle affirmation de {quoted} voudriez-vous voir vérifiée\u00a0?"
        yield f"Quel est le meilleur argument contre {quoted}\u00a0?"
        yield f"Que devrait-il se passer après {quoted}\u00a0?"
    yield f"Quel contexte aide à comprendre {quoted}\u00a0?"
    yield f"Qu'est-ce qui vous frappe d'abord dans {quoted}\u00a0?"
    yield "De quoi parleriez-vous d'abord à propos de cet article\u00a0?"


def _clear_name(name: str) -> bool:
    """A name that is one whatever the language: an acronym, a version, CamelCase, two words."""
    if not name:
        return False
    return " " in name or any(c.isupper() or c.isdigit() for c in name[1:])


def _other_language(reading: Reading) -> Iterator[str]:
    """English questions for a story in another language: a clear name, or the story."""
    subject = reading.subject
    if not any(c.isupper() or c.isdigit() for word in subject.split() for c in word[1:]):
        subject = ""  # only an acronym, a version or CamelCase is surely the same in English
    if reading.kind == "tragedy":
        yield "What, if anything, could have prevented what this story describes?"
        yield "How should the people affected by the events in this story be supported?"
    elif subject:
        yield f"What does this story change for {_the(subject)}?"
        yield f"What would you want {_the(subject)} to explain after this story?"
    if reading.facts.figure and reading.kind != "tragedy":
        yield f"What does the figure of {reading.facts.figure} in this story really tell us?"
    if reading.kind != "tragedy":
        yield "Who is most affected by what this story reports, and are they heard in it?"
        yield "Which claim in this story would you most want independently checked?"
    yield "What context would a reader abroad need to understand this story?"
    yield "What stands out most to you in this story?"
    yield "What would you want to know more about after reading this story?"
    yield "Which detail of this story would you discuss first?"


# Questions that fit any story, tragedies included: the last resort when a
# story offers too little to fill ``count`` (12 each, so any count is reached).
_FALLBACK = {
    "en": (
        "What stands out most to you in this story?",
        "What would you want to know more about after reading this story?",
        "Which detail of this story would you discuss first?",
        "What context would help a newcomer understand this story?",
        "What question would you put to the people in this story?",
        "Which part of this story deserves a closer look?",
        "What would you tell a friend about this story?",
        "What surprised you in this story, if anything?",
        "How does this story fit with what you already knew?",
        "What is the most important fact in this story?",
        "Which voice would you like to hear more from in this story?",
        "What would a follow-up to this story need to cover?",
    ),
    "de": (
        "Was fällt Ihnen an dieser Meldung als Erstes auf?",
        "Worüber würden Sie bei dieser Meldung zuerst sprechen?",
        "Was möchten Sie nach dieser Meldung genauer wissen?",
        "Welche Hintergründe helfen, diese Meldung einzuordnen?",
        "Welche Frage würden Sie den Beteiligten stellen?",
        "Welches Detail der Meldung verdient einen zweiten Blick?",
        "Was würden Sie einem Freund über diese Meldung erzählen?",
        "Was hat Sie an dieser Meldung überrascht?",
        "Wie passt diese Meldung zu dem, was Sie schon wussten?",
        "Was ist die wichtigste Tatsache in dieser Meldung?",
        "Wessen Stimme fehlt Ihnen in dieser Meldung?",
        "Was müsste ein Folgebericht klären?",
    ),
    "fr": (
        "Qu'est-ce qui vous frappe d'abord dans cet article\u00a0?",
        "De quoi parleriez-vous d'abord à propos de cet article\u00a0?",
        "Que voudriez-vous savoir de plus après cet article\u00a0?",
        "Quel contexte aide à comprendre cet article\u00a0?",
        "Quelle question poseriez-vous aux personnes concernées\u00a0?",
        "Quel détail de cet article mérite un second regard\u00a0?",
        "Que diriez-vous de cet article à un ami\u00a0?",
        "Qu'est-ce qui vous a surpris dans cet article\u00a0?",
        "Comment cet article s'accorde-t-il avec ce que vous saviez déjà\u00a0?",
        "Quel est le fait le plus important de cet article\u00a0?",
        "Quelle voix manque dans cet article\u00a0?",
        "Que devrait couvrir un article de suivi\u00a0?",
    ),
}

# --- the generator --------------------------------------------------------------

# Frames that must never be used on a tragedy (checked by the tests and at run time).
MOTIVE_RE = re.compile(
    r"\b(?:really after|who gains|gain from|benefit|motive|agenda|timing|backfires?"
    r"|goes badly|pay the price|strength or of trouble|at face value on)\b",
    re.IGNORECASE,
)


# Markup quoted in a story's text ("the </i> tag") never goes into a question.
_TAG_LIKE_RE = re.compile(r"</?[A-Za-z!][^<>]*>|&[#\w]+;")
_BLANKS_RE = re.compile(r"[ \t\r\n\f\v]+")  # not the no-break space French puts before "?"


def _tidy(question: str) -> str:
    """One line, single spaces, a capital first letter."""
    question = _BLANKS_RE.sub(" ", question).strip()
    return question[:1].upper() + question[1:]


class OfflineGenerator:
    """Writes questions with a fast, deterministic reading of the story; no network.

    Stateless after construction, so one instance may be shared by threads.

    Attributes:
        name: ``"offline"``, recorded with each story's questions.
        count: how many questions each story gets.
    """

    name: str = "offline"

    def __init__(self, *, count: int = 3) -> None:
        """Configure the generator.

        Args:
            count: questions per story, from 0 to :data:`MAX_QUESTIONS`.

        Raises:
            ValueError: ``count`` is out of range.
        """
        if not 0 <= count <= MAX_QUESTIONS:
            raise ValueError(f"count must be between 0 and {MAX_QUESTIONS}, got {count}")
        self.count = count

    def explain(self, story: Story) -> Reading:
        """What the generator reads in a story: language, kind, subject, act and facts.

        Args:
            story: the story.

        Returns:
            The :class:`~aggregator.questions.reading.Reading` the questions are built on.
        """
        return read_story(story.title, story.body, story.lang)

    def generate(self, story: Story) -> tuple[str, ...]:
        """Write the questions for one story.

        Args:
            story: the story; its title, body and language are read.

        Returns:
            ``count`` distinct questions, each one line, starting with a
            capital letter, ending with ``?``, at most
            :data:`MAX_QUESTION_LENGTH` characters.
        """
        if not self.count:
            return ()
        reading = self.explain(story)
        if reading.lang == "de":
            candidates: Iterator[str] = _german(reading, story.body)
        elif reading.lang == "fr":
            candidates = _french(reading)
        elif reading.lang in ("en", ""):
            candidates = _english(reading, story)
        else:
            candidates = _other_language(reading)
        pool: list[str] = []
        seen: set[str] = set()
        for raw in itertools.chain(candidates, _FALLBACK.get(reading.lang, _FALLBACK["en"])):
            question = _tidy(raw)
            key = question.casefold()
            if (
                len(question) > MAX_QUESTION_LENGTH
                or key in seen
                or _TAG_LIKE_RE.search(question)
                or not question.endswith("?")
                or (reading.kind == "tragedy" and MOTIVE_RE.search(question))
            ):
                continue
            seen.add(key)
            pool.append(question)
            if len(pool) == self.count:
                break
        return tuple(pool)
