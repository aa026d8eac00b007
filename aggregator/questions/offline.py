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
from aggregator.questions.lead import (
    IRREGULAR_PAST,
    Lead,
    as_headline_clause,
    as_sentence,
    core,
    first_sentences,
    has_main_verb,
    lower_first,
    second_lead,
)
from aggregator.questions.reading import Reading, read_story, sentence_case
from aggregator.questions.subject import (
    find_subjects,
    is_demonym,
    is_name,
    is_title_case,
    title_phrase,
)

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
    Philippines Netherlands Bahamas Maldives Gambia Seychelles Comoros GOP DHS IRS CDC FDA
    EPA NIH WTO OECD IAEA ICC ANC BJP SNP DUP AfD CDU SPD LDP KMT Tories
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


_POSSESSIVE_RE = re.compile(r"^[A-Z][\w.&-]*(?: [A-Z][\w.&-]*){0,2}['\u2019]s$")


def _determined_actor(actor: str, headline: str) -> bool:
    """Whether a headline's actor is a noun phrase that reads whole inside a sentence.

    A name's possessive or an article opens it and common words follow
    (``South Korea's new president``, ``The new law``), or it is a plural
    (``Immigrant women founders``), so it needs no article of its own; only
    in a sentence-case headline, whose capitals mark names.
    """
    if is_title_case(headline):
        return False
    words = actor.split()
    if not 2 <= len(words) <= 6:
        return False
    rest = words[1:]
    head = words[0]
    last = words[-1]
    if (
        last.isalpha()
        and last.islower()
        and last.endswith("s")
        and not last.endswith(("ss", "us", "is", "ics"))
        and head.isalpha()
        and head not in _FUNCTION_WORDS
        and head not in _PRONOUN_OPENERS
    ):
        # A plural needs no article: "Immigrant women founders", "Hundreds of protesters";
        # not "Private credit in emerging markets", whose head is singular.
        if head in ("Hundreds", "Thousands", "Millions", "Dozens") and rest[:1] == ["of"]:
            rest = rest[1:]
        if any(w in _PREPOSITIONS for w in rest):
            return False
    elif head not in ("The", "A", "An"):
        # "South Korea's new president": the possessive may span two or three names.
        if head.rstrip("s").rstrip("'\u2019") in _PRONOUN_OPENERS | _WH_OPENERS | {"Here", "There"}:
            return False  # "It's time for ...", "What's next": no possessive
        for size in (3, 2, 1):
            if len(words) > size and _POSSESSIVE_RE.match(" ".join(words[:size])):
                rest = words[size:]
                break
        else:
            return False
    return all(w.isalpha() and w.islower() or "-" in w and w.islower() for w in rest)


def _tagline(headline: str) -> tuple[str, str]:
    """``Gemini 3.1 Pro: A smarter model`` -> (``Gemini 3.1 Pro``, ``A smarter model``)."""
    head, sep, tail = headline.partition(": ")
    if sep and 0 < len(head.split()) <= 5 and len(tail.split()) >= 3:
        return head, tail
    return "", ""


# --- safety of headline text inside a question ------------------------------

_DETERMINERS = frozenset(
    """
    the a an its his her their our your this that these those another each every some any
    no more most all both other new two three four five six seven eight nine ten dozens
    hundreds thousands millions several many few
    """.split()
)
_PREPOSITIONS = frozenset(
    "of in on at for to with into from by over under after before about against amid as"
    " across during without between behind toward towards".split()
)
# Nouns that read well without an article ("for access", "on privacy").
_MASS_NOUNS = frozenset(
    """
    access support help funding money power control information evidence work time
    research training health care water food energy security safety privacy justice peace
    growth action aid debt tax taxes trade climate immigration policy software hardware
    open-source music art history science news advice freedom democracy inflation revenue
    profit war talks office court prison jail custody parliament congress school college
    production sale development testing use education
    """.split()
)
_HEAD_NOUN_RE = re.compile(
    r"^(?:Protocol|Act|Bill|Agreement|Program|Programme|Project|Service|Summit|Conference"
    r"|Award|Prize|Index|Report|Festival|Plan|Treaty|Deal|Strategy|Initiative|Results|Store)$"
)
_ARTICLE_RE = re.compile(r"\b(?:the|a|an|its|their|his|her|our|this|these|those)\b")
_DANGLING = frozenset("a an the of to in on at for with by from and or but as than that".split())


def _headlinese(text: str, body: str, *, title_case: bool = True, possessive: bool = False) -> bool:
    """Whether headline words would read as headlinese inside a sentence.

    True when a singular common noun follows a verb, preposition or ``-ing``
    word without an article ("launch data protection probe", "regulating
    internet"), or, in a Title Case headline (``title_case``), when a
    capitalised word is not written as a name in the body ("Readiness",
    "Foes"); in a sentence-case headline a capital marks a name. With
    ``possessive``, a name's possessive stands for the article ("in Myanmar's
    civil war"), for a headline asked as a whole sentence.
    """
    tokens = [t.strip("\u2018\u2019'\"\u201c\u201d,") for t in text.split()]
    window = body[:_BODY_READ]
    for index, token in enumerate(tokens):
        if not token:
            continue
        if title_case and token[:1].isupper() and token[1:].islower() and token not in _THE_NAMES:
            if not window or not _capitalised_inside(token, window):
                if not is_demonym(token):
                    return True
        prev = tokens[index - 1].lower() if index else ""
        if (
            (index == 0 or prev in _PREPOSITIONS)
            and token[:1].isupper()
            and token.lower() not in _DETERMINERS
        ):
            end = index
            while end + 1 < len(tokens) and tokens[end + 1][:1].isupper():
                end += 1
            following = tokens[end + 1] if end + 1 < len(tokens) else ""
            if possessive and tokens[end].endswith(("'s", "\u2019s")):
                following = ""  # "in Myanmar's civil war": the possessive determines the noun
            if (
                following.isalpha()
                and following.islower()
                and not following.endswith("s")
                and following not in _PREPOSITIONS
                and following not in _DANGLING
                and following not in _DETERMINERS
                and following not in ("is", "are", "was", "were", "has", "have", "will")
            ):
                return True  # "ahead of Hungary election", "makes Brisbane final": no article
            if (
                index == 0
                and end > index
                and end == len(tokens) - 1
                and _HEAD_NOUN_RE.search(tokens[end])
            ):
                return True  # "open Real-Time Messaging Protocol": a common head wants "the"
        if (index == 0 or prev in _PREPOSITIONS or prev.endswith("ing")) and prev not in (
            "to",
            "having",  # "having produced": a participle follows, not a noun
            "being",
        ):
            low = token.lower()
            if (
                token[:1].islower()
                and token.isalpha()
                and low not in _DETERMINERS
                and low not in _PREPOSITIONS
                and low not in _MASS_NOUNS
                and not low.endswith(("s", "ing", "ly"))
                and not (index == 0 and low in ("up", "out", "down", "off", "back", "away"))
            ):
                return True
    return False


# --- English ------------------------------------------------------------------


def _is_joke_setup(headline: str) -> bool:
    """Whether a headline is a joke's set-up ("What do you call ...?"), its punchline in
    the body: nothing to debate, and nothing to quote in a question."""
    return headline.lower().startswith(("what do you call ", "what do you get when "))


def _headline_question(reading: Reading, body: str) -> list[str]:
    """A headline that is itself a question, kept in sentence case ("Is Pluto a planet?")."""
    headline = _SCORE_RE.sub("", reading.headline.strip())
    label, colon, asked = headline.partition(": ")
    if (
        colon
        and reading.lead is None
        and len(label.split()) <= 4
        and asked[:1].isalpha()
        and ", and " not in asked
        and _PERSONAL_RE.search(asked) is None
    ):
        # "The War Room: Is an India-Pakistan war coming?": the question after a label,
        # when the story offers no lead to ask about instead; never a reader's own
        # question ("Ask HN: How can I ...?")
        headline = asked[:1].upper() + asked[1:]
    first = headline.split(" ", 1)[0]
    if not headline.endswith("?") or first not in _QUESTION_OPENERS or len(headline) > 150:
        return []
    if _is_joke_setup(headline):
        return []
    title_case = is_title_case(headline)
    headline = sentence_case(headline, body)
    if title_case and _headlinese(" ".join(headline.split()[1:]), body):
        return []
    core = headline[:-1].rstrip()
    if first in _WH_OPENERS:
        return [f"{core}, and what would change your mind?"]
    return [f"{core}, and what would settle the question?"]


_PERSONAL_RE = re.compile(r"\b(?:I|my|me|you|your|we|our|us)\b", re.IGNORECASE)
# An explainer's headline: "Why some artists no longer want to be famous" (not a question:
# no auxiliary after "Why", no question mark).
_WHY_RE = re.compile(
    r"^Why (?!(?:do|does|did|is|are|was|were|can|could|should|would|will|has|have|had|not"
    r"|don't|doesn't|isn't|aren't|won't|can't)\b)(?P<clause>.{12,140})$",
    re.IGNORECASE,
)
# "What Sara Duterte's comeback means for the Philippines", "What North Korea gains by
# sending troops ...": what something means, reveals or gains, what someone fears or can
# learn; the subject opens with an article, a capital or an adjective before a demonym.
_WHAT_RE = re.compile(
    r"^What (?P<clause>(?:a|an|the|[A-Z][\w'\u2019.-]*|rich|poor|young|old)"
    r"(?: [\w'\u2019.-]+){0,6}? (?:means?|reveals?|gains?|fears?|wants?|tells? us"
    r"|(?:can|could|should) learn)\b.{0,100})$"
)
# "How cheap Chinese phones catapulted Kenya into the global digital economy": an
# explainer of an effect, which is itself the claim ("Do you agree that ...?"); only verbs
# of effect, not "How Epstein got so rich" or "How Japan's prime minister will use ...".
_HOW_RE = re.compile(
    r"^How (?P<clause>(?:[\w'\u2019.-]+ ){1,6}?(?:(?:is|are) )?"
    r"(?:catapult|rescue|threaten|transform|reshap|shap|chang|sav|fuel|boost|undermin|power"
    r"|driv|drove|hurt|help|revive|reviv|ruin|upend|disrupt|reinvent|break|broke|explain"
    r"|split|divid|expos|deepen|widen|complicat|spark|doom)"
    r"(?:e|es|ed|s|ing)?\b .{3,120})$"
)
# An armed attack or a war in an explainer's headline: no "why do you think" of it.
_WHY_CONFLICT_RE = re.compile(
    r"\b(?:attack\w*|strikes?|struck|bomb\w*|war|wars|invade\w*|invasion|shell\w*|fight\w*"
    r"|clash\w*|troops)\b",
    re.IGNORECASE,
)
# A stance in the explained clause: it is asked as a view to agree with.
_WHY_STANCE_RE = re.compile(r"\b(?:should|must|has to|have to|needs? to|ought to)\b")


def _why_question(reading: Reading, body: str) -> list[str]:
    """ "Why do you think some artists no longer want to be famous?" for an explainer.

    The same for an explainer of what something means or reveals ("What Sara
    Duterte's comeback means for the Philippines"): "What do you think Sara
    Duterte's comeback means for the Philippines?" (:data:`_WHAT_RE`); and an
    explainer of an effect ("How cheap Chinese phones catapulted Kenya into
    the global digital economy") states its claim: "Do you agree that ...?"
    (:data:`_HOW_RE`).

    A headline that announces an explanation ("Why Japan's gangs are
    recruiting online", "Why Twilio Segment moved from microservices back to
    a monolith") states a fact and promises its cause: the cause is what a
    reader would argue about, so it is asked, with the headline's own clause
    (whose word order is already that of an indirect question). A clause
    that states what should be done ("Why the free content era has to end")
    is a view: "Do you agree that ...?". Only a clause with a verb
    (:func:`has_main_verb`), in sentence case (a Title Case headline is put
    in sentence case from the body; one that keeps a capital the body does
    not write is left alone), without a first- or second-person voice ("Why
    you're not on holiday ..."), a colon, a dash, brackets or a cut; never on
    a death or a disaster (a "why" on a tragedy is the forbidden motive
    frame), on an attack or a war (:data:`_WHY_CONFLICT_RE`), nor on a story
    whose headline or opening names deaths or harm (:data:`_TRAGIC_RE`) that
    the kind reader did not take for a tragedy.
    """
    if reading.kind == "tragedy":
        return []
    headline = _SCORE_RE.sub("", reading.headline).rstrip()
    if headline.endswith(("...", "\u2026", "?", "!")) or not headline.startswith(
        ("Why ", "What ", "How ")
    ):
        return []
    headline = headline.rstrip(" .")
    if _WHY_CONFLICT_RE.search(headline):
        return []  # "Why Thai fighter jets have attacked Cambodia": a motive asked of an attack
    title_case = is_title_case(headline)
    if title_case:
        headline = sentence_case(headline, body)
    match = (
        _WHY_RE.match(headline.replace("\u2019", "'"))
        or _WHAT_RE.match(headline)
        or _HOW_RE.match(headline)
    )
    if match is None:
        return []
    what = match.re is _WHAT_RE
    clause = headline[match.start("clause") :]
    if any(mark in clause for mark in (":", " - ", "\u2013", "\u2014", "(", "[", "|", '"')):
        return []
    words = clause.split()
    # "aren’t" is read as "aren't": the verb list writes the straight apostrophe.
    plain = [w.replace("\u2019", "'") for w in words]
    if _PERSONAL_RE.search(clause) or not has_main_verb(["Why", *plain]):
        return []
    if _TRAGIC_RE.search(headline) or _TRAGIC_RE.search(body[:300]):
        return []  # deaths or injuries in the headline or the lead: no cause asked of them
    if title_case and (
        _headlinese(clause, body, title_case=True)
        or any(
            w[:1].isupper()
            and not w.isupper()
            and not _capitalised_inside(w.split("-")[0], body[:_BODY_READ])
            for w in words[1:]
        )
    ):
        return []  # "Why Young Adults in China Are Leaning ...": capitals the body does not write
    clause = lower_first(clause, body, reading.names)
    if what:
        question = f"What do you think {clause}?"
    elif match.re is _HOW_RE or _WHY_STANCE_RE.search(clause):
        question = f"Do you agree that {clause}?"
    else:
        question = f"Why do you think {clause}?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


_QUESTION_OPENERS = frozenset(
    "Is Are Was Were Will Would Can Could Should Does Do Did Has Have Why How What Who".split()
)


def _common_in_body(word: str, body: str) -> bool:
    """Whether a headline's capitalised word is a common noun the body writes in lower case.

    "Boy asks Santa to ..." over "A boy asks Santa to ...": the headline's first word
    is capitalised for its place, not a name.
    """
    if " " in word or not word[:1].isupper():
        return False
    return (
        re.search(rf"\b{re.escape(word.lower())}\b", body) is not None
        and re.search(rf"\b{re.escape(word)}\b", body) is None
    )


def _act_questions(reading: Reading, body: str) -> list[str]:
    """Questions on the headline's act, when it reads as a sentence."""
    action = reading.action
    if action is None:
        return []
    # A body that repeats the headline (a wire item, a link list) says nothing of how
    # its words are written inside a sentence.
    body = body.replace(reading.headline, " ")
    subject = reading.subject
    actor = action.actor
    first = actor.split()[0]
    named = (
        _is_actor_name(actor, subject)
        and not is_demonym(first)
        and first not in _FUNCTION_WORDS
        and not _common_in_body(actor, body)
    )
    if not named and not _determined_actor(actor, reading.headline):
        return []
    if first.endswith("ing") or first in ("This", "That", "It", "He", "She", "They", "We"):
        return []
    title_case = is_title_case(reading.headline)
    if _headlinese(action.rest, body, title_case=title_case) or len(action.rest.split()) < 2:
        return []
    if is_title_case(reading.headline) and _headlinese(" ".join(actor.split()[1:]), body):
        return []  # "Switch Shortages": Title Case capitals the body does not write
    if any(mark in action.rest for mark in (": ", " - ", "\u2026", "|", "...")):
        return []
    if reading.headline.endswith(("...", "\u2026")) or action.rest.split()[-1] in _DANGLING:
        return []  # a headline cut short
    who = _the(actor) if named else lower_first(actor, "")
    rest = action.rest
    if reading.kind == "tragedy":
        if not action.decision or action.form != "act":
            return []  # only a chosen act can be judged; never motive or timing
        return [
            f"Was {who} justified to {action.base}?",
            f"What oversight should apply when {who} decides to {action.base}?",
        ]
    if action.form == "on":
        return []  # "Scott Galloway on Amazon": the claim itself is not in the headline
    if action.form == "modal":
        return [
            f"{action.verb.capitalize()} {who} really {rest}?",
            f"What would it take for {who} to {rest}?",
        ]
    if action.form == "copula":
        return [
            f"{action.verb.capitalize()} {who} really {rest}?",
            f"What is the strongest argument against the idea that {who} {action.verb} {rest}?",
        ]
    if action.form == "passive":
        return [f"What led to {who} being {action.verb} {rest}?"]
    if action.saying:
        claim = rest.removeprefix("that ")
        if not _ARTICLE_RE.search(claim):
            return []  # headlinese claim ("World faces largest-ever oil supply disruption")
        return [
            f"How convincing is {_possessive(who)} case that {claim}?",
            f"What evidence would it take to show that {claim}?",
        ]
    out = []
    if (
        named
        and action.decision
        and reading.kind in ("corporate", "politics", "news", "court", "research")
        and not any(mark in rest for mark in (",", "[", "("))
    ):
        out.append(f"What is {who} really after in choosing to {action.base}?")
    # "Is it a good idea for X to ...?" and "Is it a surprise that X ..., or was it a
    # long time coming?" are not asked: blind readers rated none of them good.
    out.append(f"What does it mean that {who} {action.clause}, and what changes now?")
    return out


# "also" and "instead" point to a sentence before the lead that the question does not hold.
_LINKING_ADVERB_RE = re.compile(r" (?:also|instead)(?= (?!of\b)[a-z])")


def _clause(sentence: str, text: str, reading: Reading) -> str:
    """A lead sentence as a clause to follow "that": its first word lowered unless a name.

    "Apple also announced ...", "the mayor instead called on ...": the linking
    adverb goes, since the question does not hold what it links to.
    """
    title = "" if is_title_case(reading.headline) else reading.headline
    if " also " in sentence or " instead " in sentence:
        # Before the first word is judged: "Tehran also says" reads as "Tehran says".
        sentence = _LINKING_ADVERB_RE.sub("", sentence)
    clause = lower_first(sentence, text, reading.names, title)
    return _country_named(clause, reading.headline)


# Countries (and territories) a headline names as its place: "A sham poll in Myanmar ...".
_COUNTRIES = frozenset(
    """
    Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan
    Bangladesh Belarus Belgium Bhutan Bolivia Brazil Brunei Bulgaria Cambodia Cameroon Canada
    Chile China Colombia Croatia Cuba Cyprus Denmark Ecuador Egypt Estonia Ethiopia Fiji
    Finland France Georgia Germany Ghana Greece Hungary Iceland India Indonesia Iran Iraq
    Ireland Israel Italy Japan Jordan Kazakhstan Kenya Kosovo Kuwait Kyrgyzstan Laos Latvia
    Lebanon Libya Lithuania Malaysia Maldives Mali Malta Mexico Moldova Mongolia Morocco
    Mozambique Myanmar Nepal Nicaragua Niger Nigeria Norway Oman Pakistan Panama Paraguay
    Peru Philippines Poland Portugal Qatar Romania Russia Rwanda Senegal Serbia Singapore
    Slovakia Slovenia Somalia Spain Sudan Sweden Switzerland Syria Taiwan Tajikistan Tanzania
    Thailand Timor-Leste Tunisia Turkey Turkmenistan Uganda Ukraine Uruguay Uzbekistan
    Venezuela Vietnam Yemen Zambia Zimbabwe Britain America
    """.split()
)
# "The country's rebels ...", "the island is ...": a standfirst that leans on the
# headline's place, at the start of the clause.
_PLACE_REFERENCE_RE = re.compile(
    r"^the (?:country|island|city-state|nation)(?=(['\u2019]s)? )(?:['\u2019]s)?"
)


def _country_named(clause: str, headline: str) -> str:
    """``the country's rebels are ...`` -> ``Myanmar's rebels are ...`` after its headline.

    A magazine's standfirst refers back to the country its headline names ("A
    sham poll in Myanmar opens a new phase of military rule" / "The country's
    rebels are on the back foot"); pasted into a question alone, "the country"
    names nothing. Only when the clause opens with it and the headline names
    exactly one country of :data:`_COUNTRIES` (no other country, no
    demonym such as "Malaysian", which may be another place).
    """
    match = _PLACE_REFERENCE_RE.match(clause)
    if not match:
        return clause
    named = {
        word
        for token in headline.split()
        if (word := token.strip(",.:;?!\u2018\u2019'\"\u201c\u201d").removesuffix("'s"))
        and (word := word.removesuffix("\u2019s")) in _COUNTRIES
    }
    if len(named) != 1 or any(is_demonym(t.strip(",.:;?!")) for t in headline.split()[1:]):
        return clause
    country = next(iter(named))
    return (_possessive(country) if match.group(1) else country) + clause[match.end() :]


def _name_text(reading: Reading, body: str) -> str:
    """The text searched for names written with a capital: the body and a sentence-case headline."""
    if is_title_case(reading.headline):
        return body
    return f"{reading.headline}\n{body}"


def _lead_questions(reading: Reading, lead: Lead | None, body: str) -> list[str]:
    """Questions on the lead sentence, framed by the story's kind."""
    if lead is None:
        return []
    body = _name_text(reading, body)
    kind = reading.kind
    if lead.claim and kind != "tragedy" and _ARGUABLE_RE.search(lead.claim):
        if _points_outside(lead.claim):
            return []
        # Only an arguable claim is weighed as a claim; doubting a routine report
        # ("police said the man was arrested") reads as a trivial premise, so such a
        # sentence is weighed as news below, with its speaker.
        claim = lead.claim
        speaker = lead.speaker
        named = speaker and is_name(speaker) and not speaker.startswith(("The ", "A ", "An "))
        source = f"{_possessive(_the(speaker))} claim" if named else "the claim"
        claim_clause = _clause(core(claim), body, reading)
        return [
            f"How convincing is {source} that {claim_clause}?",
            f"What evidence would it take to show that {claim_clause}?",
        ]
    clause = _clause(core(lead.sentence), body, reading)
    if _points_outside(clause) or (lead.claim and _points_outside(lead.claim)):
        return []  # "the news that the move drew criticism": which move, the question does not say
    if kind == "tragedy" and _OBITUARY_RE.search(reading.headline):
        return []  # a death in old age: nothing to prevent, the obituary questions ask instead
    if kind == "tragedy":
        # The whole sentence is read: its main clause may name the act ("A gunman
        # opened fire at ... airport") and only the cut part the deaths.
        if _TRAGIC_RE.search(lead.claim or lead.sentence):
            if lead.claim:
                clause = _clause(core(lead.claim), body, reading)
            unblamed = _unblamed_harm(reading.headline, lead.sentence)
            if unblamed:
                return _unblamed_questions(unblamed, clause)
            if _REPORTED_RE.search(clause) and not _TRAGIC_RE.search(clause):
                # "who should answer, given that Joshua says he is not ready for the loss
                # ...": what someone said of the harm, not the harm, would be blamed.
                return [f"What should readers make of the news that {clause}?"]
            out = [f"Who should answer for what happened, given that {clause}?"]
            if not _AFTERMATH_RE.search(clause):
                # "prevented this: police have arrested a man" would ask to prevent the
                # arrest: only a clause that states the harm itself is asked about.
                out.append(f"What, if anything, could have prevented this: {clause}?")
            return out
        # A sentence about something else (a report on abuses, a widow's criticism of
        # a release plan, a government's move that the kind reader took for an
        # attack): weighed as news, never with a motive, timing or "who gains" frame.
        return [f"What should readers make of the news that {clause}?"]
    if kind == "research" and _FINDING_RE.search(clause):
        return [
            f"How solid is the evidence behind the finding that {clause}?",
            f"What would it take to show that {clause}?",
        ]
    if kind in ("book", "podcast", "howto", "listing", "deal", "job"):
        return []  # a blurb, show notes or an ad: no news to weigh (the rubric's genre mismatch)
    if kind == "release" and _PRODUCT_RE.search(clause):
        return [f"{_SWITCHING}{clause}?"]
    if kind == "court" and _RULING_RE.search(clause):
        return [
            f"What does it mean that {clause}, and is it fair?",
            f"What precedent does it set that {clause}?",
        ]
    reported = _REPORTED_RE.search(clause)
    if _STANCE_RE.search(clause) and not reported:
        return [
            f"Do you agree that {clause}?",
            f"What is the strongest argument against the view that {clause}?",
        ]
    return [f"What should readers make of the news that {clause}?", _news_second(clause)]


_NEWS_FIRST = "What should readers make of the news that "
_SWITCHING = "What would you still need before switching, now that "
# The switching frame on a lead opened by a subordinator or a preposition: no clause follows.
_SWITCHING_BROKEN = tuple(
    f"{_SWITCHING}{word} "
    for word in "when while if although though after before as since because apart despite"
    " unlike like with".split()
)

# A subject that points to something the clause does not name: "the company's board
# ...", "the move drew ...", "the answer is no", "this sort of measure". Lifted into a
# question, the clause leaves the reader asking which company, which move (blind
# readers failed these on subject and natural alike). Names of people ("the
# president") are left alone: the story's subject usually settles them.
_POINTS_OUTSIDE_RE = re.compile(
    r"(?:^|, )(?:the|these|those) (?:company|company['\u2019]s|firm|firm['\u2019]s|startup|group"
    r"|move|decision|deal|plan|answer|fallout|decade|glasses|device|devices|phone|phones"
    r"|program|programme|computer program|measure|proposal|change|changes|announcement"
    r"|findings|speediness|controversy|incident|idea|effort|step|approach|feature|result"
    r"|results|outcome|latter|same|question|problem|issue|trial|case|video|visit|episode"
    r"|truth|report|reports|statement|remarks|comments)\b"
    r"(?! (?:of|to|for|by|from|on|in|with)\b)"
    # "the idea that X", "the report that X": the clause says what it is about
    r"(?!(?:(?<=idea)|(?<=report)|(?<=reports)|(?<=statement)|(?<=findings)|(?<=truth))"
    r" that\b)"
    r"|\b(?:this|that) (?:sort|kind|type) of\b|\bthe move\b|\bthe latter\b"
    r"|\ba similar\b(?!(?: \w+){1,2} (?:to|as)\b)"  # "in a similar way to X" names it
    r"|(?:^|, )the (?:man|woman|boy|girl|couple|pair)\b(?!,| who| whose| from| in| at| of)",
    re.IGNORECASE,
)


# What is left of a cut sentence that has no main clause: a time or a cause with nothing
# after it ("a day after she gave President Trump her medal"), or the noun phrase of a
# teaser ("an interview with Benedict Evans about ..."). "The news that" needs a clause.
_FRAGMENT_RE = re.compile(
    r"^(?:(?:a|an|one|two|three|four|five|six|\d+) (?:day|days|week|weeks|month|months|year"
    r"|years|hour|hours|decade|decades) (?:after|before|since|later)|(?:even )?(?:after|before"
    r"|since|while|when|as soon as|although|though|because|if|until|once|unless))\b",
    re.IGNORECASE,
)
_TEASER_PHRASE_RE = re.compile(
    r"^(?:(?:an?|the) (?:interview|conversation|chat|look|guide|list|roundup|round-up|overview"
    r"|collection|series|record|account|selection|preview|recap|timeline) (?:of|with|at|to"
    r"|on|about|from)|(?:an ongoing|a running|a weekly|a daily|a monthly) \w+ (?:of|on|about))\b",
    re.IGNORECASE,
)
# A clause cut before what was told, asked or urged ("the Department of Justice told
# AT&T"), or after a dash that opened an aside ("its proposed board—the body").
_CUT_OBJECT_RE = re.compile(
    r"\b(?:told|tells|asked|asks|urged|urges|warned|warns|informed|informs|reminded|assured"
    r"|ordered|orders)(?: [A-Z][\w.&'\u2019-]*){1,4}$|[\u2014\u2013](?: ?\S+){1,3}$"
    # "has rejected allegations": cut before what was denied
    r"|\b(?:rejected|denied|dismissed|rejects|denies|dismisses) (?:the )?(?:allegations"
    r"|claims|accusations|reports|suggestions)$"
)
# "AI is expensive, Ali Ghodsi tells TechCrunch": a trailing attribution, not a cut.
_ATTRIBUTED_RE = re.compile(r", [^,]+ (?:told|tells) [^,]+$")
# A finite verb that makes "a series of scandals has rocked ..." a clause after all.
_FINITE_RE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|does|do"
    r"|did|shows?|showed|finds?|found|says?|said|\w+ed)\b"
)


# A lead that opens on the past: background told before the news ("a few years ago,
# the main street had lost its spark", "on Feb. 1, 1979, Khomeini arrived ..."), which
# "the news that" would present as today's news (blind readers failed it on worth).
_BACKGROUND_OPENER_RE = re.compile(
    r"^(?:(?:in|on|by|since|until|during) (?:[\w.,]+ ){0,3}1\d{3}\b|(?:a few|two|three|many"
    r"|several|\d+) (?:years|decades|months) ago\b|(?:years|decades|centuries) ago\b"
    r"|back in\b|earlier this (?:year|month)\b|long before\b|once upon\b|originally\b)",
    re.IGNORECASE,
)


def _points_outside(clause: str) -> bool:
    """Whether a lifted clause leans on a referent it does not name, or is no clause at all.

    See :data:`_POINTS_OUTSIDE_RE`, :data:`_FRAGMENT_RE` (a fragment with a comma
    may hold its main clause after it, and is left to the lead's reader) and
    :data:`_TEASER_PHRASE_RE` (a teaser's noun phrase, unless a finite verb follows).
    """
    if _FRAGMENT_RE.match(clause) and ", " not in clause:
        return True
    if _TEASER_PHRASE_RE.match(clause) and not _FINITE_RE.search(clause):
        return True
    cut = _CUT_OBJECT_RE.search(clause)
    if cut and cut.group()[:1] in "\u2014\u2013" and clause.count(cut.group()[:1]) % 2 == 0:
        cut = None  # "ideas \u2014 some would say crazy \u2014 too": the aside is closed
    if cut and not _ATTRIBUTED_RE.search(clause):
        return True
    if _BACKGROUND_OPENER_RE.match(clause):
        return True
    return _POINTS_OUTSIDE_RE.search(clause) is not None


def _news_second(clause: str) -> str:
    """The news frame's second wording, used on a second fact rather than the same one."""
    return f"Why does it matter that {clause}?"


def _second_fact_questions(
    reading: Reading, story: Story, lead: Lead, lead_questions: list[str]
) -> tuple[list[str], list[str]]:
    """The lead's questions without a restatement, and questions on a second fact.

    The news frame comes in two wordings ("What should readers make of the news
    that X?", "Why does it matter that X?") that ask the same thing: the second
    is asked of another sentence of the lead, one that states a different fact
    (:func:`aggregator.questions.lead.second_lead`), or not at all. The second
    sentence gets its kind's own frames, in a wording other than the first
    question's. Never on a death or a disaster: one harm is asked about once.
    """
    if (
        len(lead_questions) != 2
        or not lead_questions[0].startswith(_NEWS_FIRST)
        or lead_questions[1] != _news_second(lead_questions[0].removeprefix(_NEWS_FIRST)[:-1])
    ):
        return lead_questions, []
    # The shorter wording stands in when the first is too long for a question.
    fits = [q for q in lead_questions if len(_tidy(q)) <= MAX_QUESTION_LENGTH]
    kept = fits[:1] or lead_questions[:1]
    if reading.kind == "tragedy":
        return kept, []
    second = second_lead(reading.headline, story.body, lead, reading.lang)
    if second is None:
        return kept, []
    clause = _clause(core(second.sentence), _name_text(reading, story.body), reading)
    if not _opens_as_name(clause, reading, story.body):
        return kept, []
    opening = " ".join(kept[0].split()[:4])
    others = [
        question
        for question in _lead_questions(reading, second, story.body)
        if not question.startswith(opening)
        and question.startswith(_SECOND_FRAMES)
        and len(_tidy(question)) <= MAX_QUESTION_LENGTH
    ]
    return kept, others[:1]


# The frames a second fact is asked in: why it matters, or how well a claim, a finding
# or a stance holds. A court's "is it fair?" or a release's "before switching" fit the
# story's main act, not a detail told after it.
_SECOND_FRAMES = (
    "Why does it matter that ",
    "How convincing is ",
    "How solid is the evidence ",
    "Do you agree that ",
)


def _opens_as_name(clause: str, reading: Reading, body: str) -> bool:
    """Whether a clause's first word, when it keeps a capital, is surely a name.

    ``lower_first`` keeps a capital it cannot place ("Developer Lemi Orhan Ergin
    tweeted", "Software dependencies carry"): for the second question only an
    acronym ("U.N.", "AfD") or a word the body writes with its capital inside
    a sentence ("... as Spain moves") may open the clause; and a lowered first
    word must be an article or a determiner ("shizuoka city" was a name).
    """
    first = clause.split(" ", 1)[0].strip("\"'\u201c\u2018")
    if first.endswith(("ed", "ing", "en")) or first.lower() in _PARTICIPLES:
        return False  # "written by the team, this is ...": no subject first
    if not first[:1].isupper():
        return first in _LOWERED_SAFELY or first.isdigit()
    stem = first.removesuffix("'s").removesuffix("\u2019s")
    if any(c.isupper() or c == "." for c in stem[1:]):
        return True
    return _capitalised_inside(stem, _name_text(reading, body)[:_BODY_READ])


_LOWERED_SAFELY = frozenset(
    """
    the a an this that these those its their his her our some many most more few several
    all any no each every both another nearly almost only even about over under
    one two three four five six seven eight nine ten dozens hundreds thousands millions
    """.split()
)


# A claim worth weighing: a prediction, a judgement, a cause, a threat.
_ARGUABLE_RE = re.compile(
    r"\b(?:will|would|could|should|must|might|cannot|can't|won't|need|needs|wrong|unfair"
    r"|undue|threat\w*|risks?|dangerous|block\w*|caus\w+|because|fail\w*|illegal|unlawful"
    r"|justified|deplorable|appalling|too|better|worse)\b",
    re.IGNORECASE,
)
# What follows a harm (an arrest, an inquiry, a tribute): nothing to prevent in it.
_AFTERMATH_RE = re.compile(
    r"\b(?:arrest\w*|investigat\w+|inquiry|announced|said|says|charged|identified|attend"
    r"|filmed|recorded|witness\w*|react\w*|condemn\w*"
    r"|mourn\w*|tribute|vigil|funeral|remember\w*|honou?r\w*)\b",
    re.IGNORECASE,
)
# A stance rather than a report ("X should ...", "Y is the wrong answer"): agree or not.
_STANCE_RE = re.compile(r"\b(?:should|ought to|needs? to|is wrong|is right|is the best)\b")
_REPORTED_RE = re.compile(r"\b(?:said|says|say|told|tells|reported|reports|according)\b")
# A research claim, not a report of an act ("a study found that ...", "may raise the risk").
_FINDING_RE = re.compile(
    r"\b(?:found|finds|suggests?|shows?|showed|linked|may|might|could|associated|risk|likely)\b"
)
# A release of something people use (software, a device), not any "launch".
_PRODUCT_RE = re.compile(
    r"\b(?:version|app|apps|update|updates|available|features?|release|beta|download"
    r"|upgrade|supports?|users|devices?|phones?|laptops?|browser|driver|drivers|model|models)\b"
)
_TRAGIC_RE = re.compile(
    r"(?<!-)\b(?:died|dies|dead|death|deaths|killed(?! off)|killing|kills|murder\w*|injur\w+"
    r"|wounded|stab wounds|victims?|explosion|crash(?:ed|es)?|flood(?:ed|s|ing)?|wildfires?"
    r"|earthquake|stabb\w+"
    r"|shot dead|shooting|drown\w*|collapsed|destroyed|missing)\b(?!-)",
    re.IGNORECASE,
)
# A court's decision (sentenced, ruled ...): "is it fair?" fits it, not a hearing's colour.
_RULING_RE = re.compile(
    r"\b(?:sentenced|convicted|acquitted|ruled|ruling|ordered|fined|jailed|dismissed|threw out"
    r"|thrown out|struck down|upheld|overturned|blocked|charged|indicted|found guilty|verdict)\b"
)


# A harm no one caused: a storm, an earthquake, a death in old age. Asking who should
# answer for it, or what could have prevented it, is absurd or unkind there (blind
# readers failed both on an earthquake and on an actor dead at 79); the questions ask
# about the help people need, the response, or what the dead are remembered for.
_NATURAL_DISASTER_RE = re.compile(
    r"\b(?:earthquakes?|quakes?|tremors?|aftershocks?|storms?|hurricanes?|typhoons?|cyclones?"
    r"|floods?|flooding|flash floods?|wildfires?|bushfires?|forest fires?"
    r"|tornado(?:es)?|blizzards?|tsunamis?|landslides?|mudslides?|avalanches?|eruptions?"
    r"|volcano(?:es)?|heatwaves?|heat waves?|droughts?|monsoon)\b",
    re.IGNORECASE,
)
_NATURAL_DEATH_RE = re.compile(
    r"\bobituary\b|\b(?:is|are) dead\b(?=\.|$)|\b(?:dies|dead) at \d+|"
    r"\b(?:died|dies|has died|passed away)\b[^.;]{0,60}?(?:\b(?:at|aged) (?:the age of )?"
    r"[5-9]\d\b|\b(?:of|from) (?:natural causes|old age|cancer|complications|a long illness)"
    r"|\bafter a (?:long |short |brief )?illness)",
    re.IGNORECASE,
)
# A cause that someone may answer for even in a storm: a killing, neglect, a failure.
_CULPRIT_RE = re.compile(
    r"\b(?:murder\w*|shot|shooting|gunm[ae]n|stabb\w+|attack\w*|bomb\w*|negligen\w+"
    r"|blamed?|fault\w*|fail\w*|charged|arrest\w*|suspect\w*|police|neglect\w*"
    r"|not (?:been )?maintained|left to rust|unmaintained)\b",
    re.IGNORECASE,
)


def _unblamed_harm(headline: str, sentence: str) -> str:
    """``"disaster"`` or ``"death"`` when a tragedy's harm has no one to blame, else ``""``."""
    text = f"{headline}. {sentence}"
    if _CULPRIT_RE.search(text):
        return ""
    if _NATURAL_DISASTER_RE.search(text):
        return "disaster"
    if _NATURAL_DEATH_RE.search(text):
        return "death"
    return ""


def _unblamed_questions(harm: str, clause: str) -> list[str]:
    """Support and response on a natural disaster, remembrance on a death in old age."""
    if harm == "death":
        return [f"What will be remembered most, now that {clause}?"]
    return [
        f"What do the people affected need most now that {clause}?",
        f"How well are the authorities responding, given that {clause}?",
    ]


# "Jesse Jackson, civil rights leader ..., dies at 84": the person whose death it is.
_OBITUARY_RE = re.compile(
    r"([A-Z][\w.'\u2019-]+(?: [A-Z][\w.'\u2019-]+)+)"
    r"(?:, (.{3,90}?),[\u2019']?)? (?:[Dd]ies|has died|[Dd]ied|[Dd]ead)\b"
)


def _obituary_questions(reading: Reading, body: str) -> list[str]:
    """For an obituary: what the person is remembered for, with what the headline says of them."""
    match = _OBITUARY_RE.search(reading.headline)
    if not match or not is_name(match.group(1), words_text=body[:_BODY_READ]):
        return []
    if match.group(1).split()[0] in _QUESTION_OPENERS or len(match.group(1).split()) > 4:
        return []
    last = match.group(1).split()[-1]
    if body and not _capitalised_inside(last, body[:_BODY_READ]) and last not in body[:200]:
        return []  # "Iran Protester Dies in Custody": a description, not the dead person's name
    person, role = match.group(1), match.group(2) or ""
    if role.count("\u2018") > role.count("\u2019") and f"{role},\u2019" in reading.headline:
        role += "\u2019"  # "star of ‘The Godfather’ and ‘Apocalypse Now,’ dies": the mark closes
    if not role or is_title_case(role) or len(role) > 70:
        # The lead's appositive: "Jesse Jackson, the civil rights leader who ..., died".
        found = re.search(
            rf"{re.escape(person)}, ((?:the|a|an) [^,;:\u201c\u201d\"]{{5,70}}?),", body[:600]
        )
        role = found.group(1) if found else ""
    if not role:
        return [f"What will {person} be remembered for, and which part matters most to you?"]
    return [f"What will {person}, {role}, be remembered for, and which part matters most to you?"]


_HOWTO_RE = re.compile(
    r"^how (?:to|i|we) (?P<task>.{8,80}?)"
    r"(?: (?:with|using|in) (?P<tool>[A-Z][\w.+#-]*(?: [A-Z0-9][\w.+#-]*){0,2}))?$",
    re.IGNORECASE,
)


_TOPIC_SKIP = re.compile(
    r"^(?:follow|pre-show|post-show|sponsor|ask|after-show|intro|outro|news|listener)", re.I
)
_VIA_RE = re.compile(r"\s*\((?:via|thanks|by) [^)]*\)$")


def _show_topic(body: str) -> str:
    """The first named topic of show notes written as a list ("- Apple's battery slowdown PR").

    A line of three to ten words naming something with a capital inside it
    (``Apple``, ``iPhone``), without a label, a question, a link or an emoji;
    a claim ("MP3 is dead") is quoted, a noun phrase stands as it is.
    """
    if body.count("\n- ") + body.startswith("- ") < 3:
        return ""
    phrase = ""
    for line in body[:_BODY_READ].split("\n"):
        if not line.startswith("- "):
            continue
        topic = _VIA_RE.sub("", line[2:].strip()).rstrip(".")
        words = topic.split()
        if not 3 <= len(words) <= 10 or _TOPIC_SKIP.match(topic) or not topic.isascii():
            continue
        if any(mark in topic for mark in (":", "?", "!", "#", "@", "http", '"', "(", ";", "'s ")):
            continue
        if words[0] in ("Let's", "Another", "More", "Some", "Why", "How", "What", "Whether"):
            continue
        if not any(w[:1].isupper() or any(c.isupper() for c in w[1:]) for w in words[1:]):
            continue  # no name in it: "Window management"
        if has_main_verb(words, strict=True) and words[0][:1].isupper():
            return f"\u201c{topic}\u201d"  # a claim to take sides on: "Spotify uses Ogg Vorbis"
        if not phrase and words[0][:1].isupper():
            phrase = topic  # a named thing: "Apple Watch LTE pricing"
    return phrase


# A blurb's sentence that addresses the reader or describes the book itself: no premise.
_BLURB_SELF_RE = re.compile(
    r"^(?:This|These|The book|The author|In this|Our|Learn|Explore|Discover|Get|Master|Build"
    r"|Want|Need|Ready|Whether|If|Do|Are|Is|Have|Take|Find|Start|Join|Meet)\b"
    r"|\b(?:you|your|you're|you\u2019re|this book|we|our|I|my)\b"
)


def _book_premise_question(reading: Reading, body: str) -> list[str]:
    """ "Do you agree with the premise behind “Kubernetes Cookbook” that Kubernetes is ...?".

    A book's blurb has no news to weigh, but its opening sentence often states
    the premise the book argues from ("Machine learning ... is incredibly
    powerful, but humans still excel at ..."); whether that premise holds is
    what a reader of the book would discuss. Only a book titled by its title
    (no verb: "Publisher ordered to suspend ... book" is news about a book;
    no label, no guide), and a first sentence that is a clause about the world, not one that
    describes the book or addresses its reader (:data:`_BLURB_SELF_RE`) or
    opens with the book's own title.
    """
    lead = reading.lead
    headline = reading.headline.strip()
    if lead is None or lead.index or has_main_verb(headline.split(), strict=True):
        return []  # the blurb's opening only; a headline with a verb is news about a book
    if ":" in headline or "guide" in headline.lower():
        return []  # a label, or a guide to an event or a chore: no premise to argue
    sentence = lead.sentence
    if _BLURB_SELF_RE.search(sentence) or sentence.startswith(headline.split()[0]):
        return []
    clause = _clause(core(sentence), _name_text(reading, body), reading)
    if clause.endswith(("...", "\u2026")) or not has_main_verb(sentence.split()):
        return []
    question = f"Do you agree with the premise behind \u201c{headline}\u201d that {clause}?"
    return [question] if len(_tidy(question)) <= MAX_QUESTION_LENGTH else []


def _kind_questions(reading: Reading, body: str) -> list[str]:
    """Questions fitted to releases, how-tos and show notes, from the headline."""
    kind = reading.kind
    headline = _clip(reading.headline)
    if kind == "release":
        product, tagline = _tagline(headline)
        if product and is_name(product) and not _headlinese(tagline, body):
            return [
                f"Does {_the(product)} live up to the promise of "
                f"\u201c{_lower_first(tagline).rstrip('.')}\u201d?"
            ]
        return []
    if kind == "deal":
        return _deal_question(headline, body)
    if kind == "book":
        return _book_premise_question(reading, body)
    if kind == "podcast":
        topic = _show_topic(body)
        return [f"What is your view on {topic}, one of this episode's topics?"] if topic else []
    if kind == "howto":
        match = _HOWTO_RE.match(headline.rstrip(".?!"))
        if not match:
            return _using_question(headline, body) or _gerund_question(headline, body)
        task = _lower_first(match.group("task"), body)
        tool = match.group("tool")
        if tool and is_name(tool):
            task = task.removesuffix(f" {tool}")
            return [f"Is {tool} a good choice to {task}, or would something simpler do?"]
        if match.group(0).lower().startswith("how to "):
            return _best_way_question(headline, body)
    return []


# A how-to titled by its task's gerund ("Building a Golang Docker Image", "Getting Started
# With Spring Integration"): the verb each stands for.
_GERUNDS = {
    "Building": "build",
    "Getting": "get",
    "Writing": "write",
    "Making": "make",
    "Running": "run",
    "Creating": "create",
    "Setting": "set",
    "Deploying": "deploy",
    "Testing": "test",
    "Debugging": "debug",
    "Scaling": "scale",
    "Migrating": "migrate",
    "Choosing": "choose",
    "Managing": "manage",
    "Designing": "design",
    "Securing": "secure",
    "Automating": "automate",
    "Configuring": "configure",
    "Installing": "install",
    "Speeding": "speed",
}


def _gerund_question(headline: str, body: str) -> list[str]:
    """ "What is the best way to build a Golang Docker image?" for a how-to titled by a gerund.

    The task reads as "How to <verb> ..." (the verbs of :data:`_GERUNDS`), so
    it gets the question :func:`_best_way_question` asks of such a title,
    with its checks.
    """
    first, _, rest = headline.partition(" ")
    verb = _GERUNDS.get(first)
    if verb is None or not rest:
        return []
    if is_title_case(headline):
        rest = sentence_case(headline, body).partition(" ")[2]  # "started with Spring ..."
    return _best_way_question(f"How to {verb} {rest}", body)


# What a "How to ..." task must not hold: a second part ("+ Challenge Question!"), a
# cut, a date or format tag ("(2002) [pdf]"), a dash or a colon joining another phrase.
_TASK_MARKS = ("+", "!", "(", "[", "\u2014", "\u2013", " - ", ":", "\u2026", "...", "?")


_FIRST_PERSON_RE = re.compile(r"\b(?:I|my|me|we|our|us)\b", re.IGNORECASE)


def _best_way_question(headline: str, body: str) -> list[str]:
    """ "What is the best way to shuffle a big dataset?" for a "How to ..." post.

    A how-to has no news to weigh (the news frame and "what would you take
    away" are the rubric's genre mismatch), but its task is something readers
    do and disagree about: a technique ("How to shuffle a big dataset"), a
    chore ("How to get your luggage back when the airline loses it") or a
    policy ("How to fix India's sclerotic justice system"). The task is the
    headline's own words after "How to", in sentence case (a Title Case
    headline is lowered where the body does not write the word as a name),
    and must read whole after "to": its verb, then no bare singular noun
    (:func:`_headlinese` on the words after the verb), no first-person voice
    ("your" is the how-to's reader and stays)
    and none of :data:`_TASK_MARKS`.
    """
    headline = _SCORE_RE.sub("", headline).rstrip(".?! ")
    title_case = is_title_case(headline)
    if title_case:
        headline = sentence_case(headline, body)
    if not headline.lower().startswith("how to "):
        return []
    words = headline[len("how to ") :].split()
    if words and title_case and words[0].istitle():
        words[0] = words[0].lower()  # "How to Build Smaller Apps": the verb lowered
    task = " ".join(words)
    if len(words) < 2 or any(mark in task for mark in _TASK_MARKS):
        return []
    if not words[0].isalpha() or not words[0].islower() or _FIRST_PERSON_RE.search(task):
        return []  # "... my high school student's computers": a diary, not a task
    if _headlinese(" ".join(words[1:]), body, title_case=title_case, possessive=True):
        return []  # "... Back When the Airline Loses It": capitals the body does not write
    question = f"What is the best way to {task}?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


# "Black Friday Exclusive: Save Over 50% On The RevolCam Multi Lens Kit for Smartphones":
# the discount and the item, after an optional label.
_DEAL_RE = re.compile(
    r"^(?:[^:]{3,40}: )?Save (?P<off>(?:[Oo]ver |[Uu]p [Tt]o )?\d{1,2}%) [Oo]n "
    r"(?:[Tt]he |[Aa]n? )?(?P<item>[A-Z][^()\u2013:|]{3,60}?)(?: - Deal Alert)?$"
)


def _deal_question(headline: str, body: str) -> list[str]:
    """For a deal post: whether its item is worth buying at the discount it names.

    Only a headline that names both ("Save 80% On The FRESHeBUDS Pro Magnetic
    Bluetooth Earbuds"); a roundup ("The best software deals") names no item.
    """
    match = _DEAL_RE.match(headline)
    if not match:
        return []
    item = sentence_case(match.group("item").strip(), body)
    off = match.group("off").lower()
    if not is_name(item.split()[0], words_text=body[:_BODY_READ]):
        return []  # "Save Hundreds On Lifetime Access ...": no named item first
    last = re.split(r" (?:for|with|from|by) ", item, maxsplit=1)[0].split()[-1]  # the head noun
    verb = "Are" if last.endswith("s") and not last.endswith("ss") else "Is"
    return [f"{verb} the {item} worth buying at {off} off, or is the discount the main draw?"]


# "Using TLA+ to understand Xen vchan": a tool put to a task.
_USING_RE = re.compile(
    r"^Using (?P<tool>[A-Z][\w.+#-]*(?: [A-Z0-9][\w.+#-]*){0,3}) (?P<task>(?:to|for) .{6,70})$"
)


def _using_question(headline: str, body: str) -> list[str]:
    """For a how-to titled "Using X to do Y": whether X is a good choice for the task."""
    match = _USING_RE.match(headline.rstrip(".?!"))
    if not match:
        return []
    tool = match.group("tool")
    task = _lower_first(match.group("task"), body)
    if not is_name(tool, words_text=body[:_BODY_READ]) or _headlinese(task, body, title_case=True):
        return []
    return [f"Is {tool} a good choice {task}, or would something simpler do?"]


def _fact_questions(reading: Reading) -> list[str]:
    """Questions on the lead's tension and a named speaker's quotation."""
    facts = reading.facts
    out = []
    words = facts.tension.split()
    if facts.tension and (len(words) >= 8 or any(w[:1].isupper() for w in words[1:])):
        # A short tension naming nothing is vague: "the verdict is not yet in".
        out.append(f"How much does it matter that {_lower_first(facts.tension)}?")
    if (
        facts.quote
        and reading.kind != "tragedy"
        and facts.speaker
        and is_name(facts.speaker)
        and facts.speaker.split()[-1] in reading.headline + " " + reading.subject
    ):
        out.append(
            f"Should readers take {facts.speaker} at face value on "
            f"\u201c{_lower_first(facts.quote)}\u201d?"
        )
    return out


# Kinds whose headline states no news to weigh: a blurb, show notes, an ad, a guide.
_NO_NEWS_KINDS = frozenset({"book", "podcast", "howto", "listing", "deal", "job"})
_PRONOUN_OPENERS = frozenset(
    "This That These Those It Its His Her Their Our He She They We I You Your My".split()
)
# "57 – Tesla confirms ...": a link aggregator's score before the headline.
_SCORE_RE = re.compile(r"^\d+ [\u2013-] (?=[A-Z])")


_SAYING_VERBS = frozenset(
    "says said warns warned claims claimed argues argued insists insisted thinks believes".split()
)


def _headline_verb(words: list[str]) -> int:
    """The index of a sentence-case headline's finite verb, or -1.

    The first lower-case word, when it reads as a verb (in ``-s`` or ``-ed``,
    an auxiliary or a common irregular past); a plural noun there ("Shia
    militants enter ...") is taken for the verb, so its object test fails and
    the headline is left alone. A lower-case word that is no verb
    ("Greenland's Olympic siblings keen to ...": none) means there is none.
    """
    for index in range(1, len(words) - 1):
        word = words[index]
        if word[:1].isupper() or not word.replace("'", "").replace("\u2019", "").isalpha():
            continue
        if words[index + 1] in _HEADLINE_AUXILIARIES:
            return index + 1  # "Artisanal chocolates have hit ...": the noun's verb follows
        return index if has_main_verb(["", word]) else -1
    return -1


_HEADLINE_AUXILIARIES = frozenset(
    "is are was were has have had will would can could may might must should does do".split()
)


def _bare_object(words: list[str], verb: int) -> bool:
    """Whether the headline's verb takes an object without its article.

    ``China slams US trade probe``: a run of capitals then a singular noun
    (``the US trade probe``); ``backs plan``: a singular common noun right
    after the verb. A saying verb or an auxiliary is followed by a clause or a
    verb, not judged.
    """
    word = words[verb]
    if word in _SAYING_VERBS or not word.endswith(("s", "ed")) or "'" in word:
        return False
    if word in _HEADLINE_AUXILIARIES:
        return False  # "Lee Jae-myung is South Korea's next president": a complement
    end = verb + 1
    while end < len(words) and words[end][:1].isupper():
        end += 1
    if end > verb + 1 and words[end - 1].endswith(("'s", "\u2019s")):
        return False  # "becomes Japan's first female prime minister": the possessive determines
    following = words[end].strip(",.") if end < len(words) else ""
    if following in ("new", "former", "top", "key", "major", "big") and end + 1 < len(words):
        following = words[end + 1].strip(",.")  # "recalls envoys over new statue" is no help
    following = following.replace("-", "")  # "detains ex-energy minister"
    if not following.isalpha() or not following.islower() or len(following) < 4:
        return False
    return (
        following not in _DETERMINERS
        and following not in _PREPOSITIONS
        and following not in _DANGLING
        and (end > verb + 1 or following not in _MASS_NOUNS)  # "US trade probe"
        and not following.endswith(("s", "ing", "ed", "ly"))
    )


def _headline_clause_questions(reading: Reading, body: str) -> list[str]:
    """The headline itself as a clause, when the story offers no lead sentence.

    A link post, a wire headline repeated as the body or an empty body leave
    only the headline; quoting it in a generic frame is never specific, while
    a headline that reads as a whole sentence ("Tesla confirms having produced
    its 300,000th electric car") can be weighed as news. Only a sentence-case
    headline with a finite verb and none of the headlinese that
    :func:`_headlinese` finds qualifies, and never on a death or disaster
    unless as plain news.
    """
    if reading.kind in _NO_NEWS_KINDS:
        return []
    clause = _headline_clause(reading, body, as_sentence(_SCORE_RE.sub("", reading.headline)))
    return [f"What should readers make of the news that {clause}?"] if clause else []


def _headline_clause(reading: Reading, body: str, headline: str) -> str:
    """``headline`` (a sentence read from the headline) as a clause to paste after "that".

    ``""`` when it would not read whole there: Title Case, a dash or a
    bracket, no finite verb, headlinese (:func:`_headlinese`), a name that
    wants its article after a preposition ("talks with U.S."), a demonym
    before a capitalised noun, a noun phrase or an imperative, a bare title
    ("Judge says ..."), a gerund's label, or an object without its article.
    """
    words = headline.split()
    if not headline or len(words) > 22 or is_title_case(headline):
        return ""
    if any(mark in headline for mark in (" - ", "\u2013", "\u2014", "(")):
        return ""
    if not has_main_verb(words, strict=True) or _headlinese(
        headline, body, title_case=False, possessive=True
    ):
        return ""
    if _wants_article_or_subject(words, reading):
        return ""
    if words[1] in _PREPOSITIONS or words[1].lower() in _DETERMINERS:
        return ""  # "Use of ...": a noun phrase; "Search all ...": an imperative
    if words[0] in _BARE_TITLES and words[1][:1].islower():
        return ""  # "Judge says carmaker must ...": a title without its article or name
    verb = _headline_verb(words)
    if verb < 0 or _bare_object(words, verb):
        return ""
    clause = lower_first(headline, body, reading.names)
    if words[0] in _THE_NAMES:
        clause = "the " + clause  # "Kremlin says ..." -> "the Kremlin says ..."
    return clause


def _wants_article_or_subject(words: list[str], reading: Reading) -> bool:
    """Whether a headline's words, pasted after "that", would lack an article or a subject.

    The checks both headline-clause questions share (:func:`_headline_clause` and
    :func:`_headline_fact_question`).
    """
    for index, word in enumerate(words[1:], 1):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in _THE_NAMES and words[index - 1] in _PREPOSITIONS:
            if not (following.isalpha() and following.islower()):
                return True  # "talks with U.S.": the name wants its article
    if words[1][:1].isupper() and all(is_demonym(part) for part in words[0].split("-")):
        return True  # "Indian-American Congresswoman fails ...": an article is missing
    # "Mapping U.S. strikes in ...": a gerund's label, no subject to report on
    return words[0].endswith("ing") and words[0] not in reading.names


# An outlet's name after a wire headline: "... to make a comeback - Reuters".
_SOURCE_TAIL_RE = re.compile(r" [\u2013\u2014-] [A-Z][\w.&'\u2019]*(?: [A-Z][\w.&'\u2019]*){0,3}$")


def _headline_fact_question(reading: Reading, body: str) -> list[str]:
    """ "Why does it matter that <headline>?" instead of the quoted-headline fallback.

    A news headline is usually a whole clause without its articles ("Japan
    recalls envoys over new 'comfort women' statue in Busan"); quoted in a
    generic frame ("What do you make of ...?") it fits any story, while in
    running prose it carries this story's fact. The headline must pass every
    check of a lead sentence but the article test (:func:`as_headline_clause`),
    be in sentence case (no capitalised small word such as "Is" or "To": a
    Title Case headline's capitals say nothing of what is a name), hold a
    lower-case finite verb (:func:`_finite_verb`) with no bare singular noun
    after it, and none of the headlinese :func:`_headlinese` finds; a singular
    common noun opening it ("Underwater locator beacon to be used ...") wants
    an article and is left alone. Not on a death or disaster, nor on an item
    that is no news (a listing, a deal, a how-to, a book, a podcast, a job).
    """
    if reading.kind in _NO_NEWS_KINDS or reading.kind == "tragedy":
        return []
    headline = _SOURCE_TAIL_RE.sub("", _SCORE_RE.sub("", reading.headline))
    if _TRAGIC_RE.search(headline) or headline.rstrip().endswith(("...", "\u2026")):
        return []
    plan = _PLAN_RE.match(headline)
    if (
        plan
        and plan.group(1).split()[0] not in _TEASER_OPENERS
        and not plan.group(1).split()[0].endswith("ing")
    ):
        # "Beijing to set up environmental police ...": a name's plan, told with "will"
        headline = f"{plan.group(1)} will {headline[plan.end(1) + 4 :]}"
    sentence = as_headline_clause(headline)
    words = sentence.split()
    if not sentence or len(words) > 22 or any(w in _CAPITAL_SMALL_WORDS for w in words[1:]):
        return []
    if any(mark in sentence for mark in (" - ", "\u2013", "\u2014", "(", ",")):
        return []  # a dash, a bracket or a comma: two clauses or an aside, not one fact
    verb = _finite_verb(words)
    if verb < 1 or _headlinese(sentence, body, title_case=False, possessive=True):
        return []
    if _bare_object(words, verb) or _HEADLINE_PERSON_RE.search(sentence):
        return []
    if words[0] in _BARE_TITLES or words[0].lower() in _DETERMINERS and verb == 1:
        return []  # "Judge says ...": a title without its article or name
    if words[1] in _PREPOSITIONS and not words[0][:1].isupper():
        return []  # "Use of ...": a noun phrase
    if _wants_article_or_subject(words, reading):
        return []
    if words[0][:1].isdigit() or words[0].lower() in _NUMBER_WORDS or _bare_after(words, verb):
        return []  # "6 strategic moves for investors": a listicle's label
    clause = lower_first(sentence, body, reading.names)
    first = clause.split(" ", 1)[0]
    plural = words[verb - 1].endswith(("s", "'s", "\u2019s")) and not words[verb - 1].endswith("ss")
    if words[0] in _THE_NAMES:
        clause = "the " + clause  # "Kremlin says ..." -> "the Kremlin says ..."
    elif (
        first[:1].isupper()
        and not first.endswith(("'s", "\u2019s"))
        and first not in _COUNTRIES
        and not _named_run(words, reading)
        and not _opens_as_name(clause, reading, body)
    ):
        return []  # "Explore the cheap ...", "Impotent Democrats ...": not a name
    elif (
        (first[:1].islower() and first not in _DETERMINERS or is_demonym(first))
        and not plural
        and words[verb - 1] not in ("people", "children", "women", "men", "police")
    ):
        # "underwater locator beacon to be used", "Colombian pro-Trump lawmaker asks":
        # a singular noun without "a"
        return []
    if words[verb] in ("should", "must", "shouldn't", "mustn't"):
        question = f"Do you agree that {clause}?"  # a view, not a fact that matters
    else:
        question = f"Why does it matter that {clause}?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


def _named_run(words: list[str], reading: Reading) -> bool:
    """Whether a sentence-case headline opens with a name of two or more capitalised words.

    "Richard Verma to quit ...", "Central Asia still has ...": a run of capitals
    in a sentence-case headline that the subject finder took for a name is
    one; a lone capital is not sure ("Explore the ...", "Lessons from ..."), nor
    a run opened by a description ("Violinist Ray Iwazumi", "Impotent
    Democrats").
    """
    end = 0
    while end < len(words) and words[end][:1].isupper():
        end += 1
    run = " ".join(words[:end])
    first = words[0]
    return (
        end >= 2
        and run in reading.names
        and first not in _BARE_TITLES
        and not first.endswith(("ist", "er", "or", "ian", "ent", "ed", "ing"))
    )


# A standfirst that asks the story's question: "Can Sam Paparo keep US strategy on an
# even keel?" A question about the past ("What did Trump do ...?") is a teaser whose
# answer follows; "What if ..." is a thought experiment, not the story's question.
_STANDFIRST_QUESTION_RE = re.compile(
    r"^(?:Can|Could|Will|Would|Should|Is|Are|Does|Do|How|Why|Who|Where|When|Which)"
    r" [^?!.;:\u201c\u201d\"()]{12,150}\?$"
)
_STANDFIRST_PRONOUNS = frozenset(
    "i me my we us our you your it its he him his she her they them their this these"
    " those that there".split()
)


def _standfirst_question(reading: Reading, body: str) -> list[str]:
    """The body's opening question, asked as it stands, for a story with nothing else.

    A magazine's standfirst often asks the story's question ("Can Sam Paparo
    keep US strategy on an even keel?", "How will President Prabowo deal with
    dissent and discontent?"): it names the story's actor and act, so it is
    specific where the quoted-headline fallback is not. Only a whole question
    opening the body, with one of its capitals inside (a name), no pronoun or
    demonstrative (what "it" or "this" stands for is not in the question),
    no first or second person ("US" in capitals is a country), no quotation or
    colon, and not on a death or disaster.
    """
    if reading.kind == "tragedy":
        return []
    sentences = first_sentences(body) if body.strip() else []
    question = sentences[0] if sentences else ""
    if not _STANDFIRST_QUESTION_RE.match(question):
        return []
    words = [w.strip(",\u2019'") for w in question[:-1].split()]
    if not _STANDFIRST_PRONOUNS.isdisjoint(w.lower() for w in words if not w.isupper()):
        return []
    if not any(w[:1].isupper() for w in words[1:]):
        return []  # "Is anyone using ...?": no name, no story of its own
    return [question]


# Small words that a Title Case headline capitalises and a sentence-case one does not.
_CAPITAL_SMALL_WORDS = frozenset(
    "Is Are Was Were Be Been Has Have Had Will Would Can Could May Might Must Should Do Does"
    " The A An Of To In For On With And Or At By From As After Over Into About Its Their His"
    " Her Than Up Out".split()
)
# The words a finite verb in -s may be followed by: an article or a determiner, a
# preposition or a particle, a name (a capital) or a figure; a lower-case noun after a
# word in -s means that word was a plural noun ("Money markets show ...").
_AFTER_VERB = frozenset(
    "up out down back off away to that how why what who whether it them him her us".split()
)
# A name, then its plan: "Richard Verma to quit as US envoy ...", "Ubuntu to continue ...".
_PLAN_RE = re.compile(r"^((?:[A-Z][\w.&'\u2019-]* ){0,3}[A-Z][\w.&'\u2019-]*) to (?!know\b)[a-z]")
# Nouns followed by their own infinitive: "China's bid to influence the Philippines".
_TO_NOUNS = frozenset("bid bids plan plans push effort efforts attempt attempts drive race".split())
_AUXILIARIES = frozenset(
    "is are was were has have had will would can could may might must should does do did"
    " isn't aren't wasn't weren't hasn't haven't won't can't doesn't didn't".split()
)


def _bare_after(words: list[str], verb: int) -> bool:
    """Whether a singular common noun follows the verb and the names after it, bare.

    "sacks 'Reconstruction Authority' chief", "confirms third bird flu case":
    the object wants its article; quotation marks around a name are looked
    through.
    """
    end = verb + 1
    while end < len(words) and words[end].strip("\u2018\u2019'\"\u201c\u201d")[:1].isupper():
        end += 1
    if end >= len(words) or words[verb] in _AUXILIARIES:
        return False
    following = words[end].strip("\u2018\u2019'\"\u201c\u201d,.").replace("-", "")
    if following in _ORDINALS:
        return True
    return (
        following.isalpha()
        and following.islower()
        and len(following) >= 4
        and following not in _DETERMINERS
        and following not in _PREPOSITIONS
        and following not in _DANGLING
        and following not in _AFTER_VERB
        and (end > verb + 1 or following not in _MASS_NOUNS)
        and not following.endswith(("s", "ing", "ed", "ly"))
        and (end > verb + 1 or words[verb] not in _SAYING_VERBS)
    )


_NUMBER_WORDS = frozenset("two three four five six seven eight nine ten twelve twenty".split())
_ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth".split())


def _finite_verb(words: list[str]) -> int:
    """The index of a sentence-case headline's lower-case finite verb, or -1.

    An auxiliary or a modal, a common irregular past, a word in ``-ed`` before
    no "by" (a passive participle reads as headlinese), or a word in ``-s``
    followed by what follows a verb (:data:`_AFTER_VERB`, an article or a
    determiner, a preposition, a capital or a figure): "The future of many
    Cubans in the US depends on a long legal saga" -> ``depends``; in "Money
    markets show foreign demand" ``markets`` is followed by a lower-case word
    and is taken for a noun, and no verb is found.
    """
    for index in range(1, len(words)):
        word = words[index].replace("\u2019", "'")
        if not word[:1].islower():
            continue
        following = words[index + 1] if index + 1 < len(words) else ""
        if word == "to" and following[:1].islower() and words[index - 1] not in _TO_NOUNS:
            return -1  # "South Korea to deploy ...": a plan without its auxiliary
        if word in _AUXILIARIES or word in IRREGULAR_PAST:
            return index
        if not word.isalpha() or word in _PREPOSITIONS or word in _DETERMINERS:
            continue
        if word.endswith("ed") and len(word) > 4:
            return -1 if following == "by" else index
        if word.endswith("s") and not word.endswith(("ss", "ous", "is", "us")) and len(word) > 3:
            bare = following.strip("\u2018\u2019'\"\u201c\u201d")
            after = words[index + 2] if index + 2 < len(words) else ""
            if bare == "to" and after[:1].islower() and not words[index - 1][:1].isupper():
                continue  # "names to look out for", "efforts to wean": a noun, not "plans to"
            if (
                not bare
                or words[index - 1][:1].isupper()  # "Gemini Robotics 2 brings ..."
                or words[index - 1][:1].isdigit()
                or bare[:1].isupper()
                or bare[:1].isdigit()
                or bare[:1] == "$"
                or bare in _DETERMINERS
                or bare in _PREPOSITIONS
                or bare in _AFTER_VERB
                or bare.endswith("ly")
            ):
                return index
    return -1


# Titles that open a headline without an article ("Judge says ...", "Court rules ...").
_BARE_TITLES = frozenset(
    "Judge Court Minister President Governor Senator Mayor Chief Police Officials Prosecutor"
    " Prosecutors Regulator Regulators Ministry Lawmakers Lawmaker".split()
)


_SUBORDINATE_OPENERS = frozenset(
    "as while after before when if since despite amid although though once".split()
)
_SAID_CLAIM_RE = re.compile(r"\b(?:says|said|warns|claims|argues)\s+(.+)$")
_CLAIM_DETERMINER_RE = re.compile(
    r"\b(?:the|a|an|its|his|her|their|our|this|that|these|those|it|he|she|they|we)\b"
    r"|['\u2019]s\b"
)


def _headline_as_second_fact(reading: Reading, lead: Lead, body: str) -> list[str]:
    """The headline as a second fact, when it reads as a sentence and tells another fact.

    "Why does it matter that ...?" is asked of a headline that passes the
    checks of :func:`_headline_clause_questions`, shares less than half of its
    words of four letters or more with the lead sentence already asked about,
    is not cut short, opens with no subordinate clause and no capital the
    story does not write as a name, and, after a saying verb, holds an article,
    a possessive or a pronoun ("Orban says EU bigger threat ..." is headlinese).
    """
    if reading.headline.rstrip().endswith(("...", "\u2026")):
        return []  # a headline cut short: "Spider-Noir is an upcoming series starring..."
    found = _headline_clause_questions(reading, body)
    if not found:
        return []
    clause = found[0].removeprefix("What should readers make of the news that ")[:-1]
    if clause.split(" ", 1)[0].lower() in _SUBORDINATE_OPENERS:
        return []  # "as White House defends ..., experts question ...": two clauses
    said = _SAID_CLAIM_RE.search(clause)
    if said and not _CLAIM_DETERMINER_RE.search(said.group(1)):
        return []  # "Orban says EU bigger threat to Hungary": a headlinese claim
    first = clause.split(" ", 1)[0]
    if not _opens_as_name(clause, reading, body) and first not in reading.names[:1]:
        return []  # "Expectations are low ...": a capital kept on a common word
    if _restates(clause, lead.sentence):
        return []  # "Fitbit plans to launch its own app store" beside "Fitbit wants to launch ..."
    question = f"Why does it matter that {clause}?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


def _headline_claim(act: list[str], reading: Reading, lead: Lead) -> list[str]:
    """The headline's claim as a second fact: "Is Japan's politics really entering ...?".

    A headline that states a judgement with a copula or a modal ("Japan's
    politics is entering a messy new era", "Japan could finally face its own
    #MeToo crisis") is a claim to weigh beside the lead's fact, when it shares
    less than half of its words of four letters or more with the lead. Only
    its first question: the second ("What is the strongest argument against
    ...") asks the same thing.
    """
    claims = [question for question in act if " really " in question[:60]]
    if not claims or " really after " in claims[0]:
        return []
    return [] if _restates(reading.headline, lead.sentence) else claims[:1]


def _restates(text: str, sentence: str) -> bool:
    """Whether ``text`` shares half of its words of four letters or more with ``sentence``.

    Such a headline tells the lead's fact again rather than a second one
    (and a headline with no such word tells nothing to weigh).
    """
    words = {w.lower().strip(",.'\u2019\"") for w in text.split() if len(w) > 3}
    shared = {w.lower().strip(",.'\u2019\"") for w in sentence.split() if len(w) > 3}
    return not words or 2 * len(words & shared) >= len(words)


def _motive_only(act: list[str]) -> list[str]:
    """The act's question on the motive behind a decision, the one kept beside a lead."""
    return [question for question in act if " really after " in question]


_PARTICIPLES = frozenset("built made born founded known set given taken seen held led".split())


# An item filed as opinion: the address names an opinion, comment, editorial, essay or
# column section ("/commentisfree/", "/opinion/", "/Editorials/", "aeon.co/essays/").
_OPINION_URL_RE = re.compile(
    r"/(?:[\w-]+/)*(?:opinions?|commentisfree|comment|editorials?|essays?|columns?|op-?eds?"
    r"|ideas|perspectives?|meinung|kommentar|tribunes?)/",
    re.IGNORECASE,
)
# A judgement in the present: an evaluative word after a copula ("wireless charging
# remains an elusive concept", "conciseness is essential in the legal world") or a
# verb of harm or worth ("deeply nested code hurts readability").
_JUDGEMENT_RE = re.compile(
    r"^(?!(?:the latter|the former|this|that|these|those|it|they)\b)[a-z][\w'\u2019-]*"
    r"(?: [\w'\u2019-]+){0,8}? (?:is|are|isn't|aren't|can be|remains?|seems?|has become"
    r"|have become) (?:(?:not|never|often|always|still|really|truly|very|so|too|far|much"
    r"|incredibly|hugely|deeply|increasingly|largely|simply|already|both|more|most|less"
    r"|the|a|an|one of the)\s)*(?:important|essential|valuable|invaluable|useful|useless"
    r"|dangerous|harmful|wrong|right|better|worse|best|worst|greatest|overrated|underrated"
    r"|necessary|unnecessary|crucial|vital|terrible|broken|dead|elusive|error-prone|pointless"
    r"|meaningless|fantastic|brilliant|awful|excellent|powerful|overlooked|shocking|absurd"
    r"|inevitable|impossible|misguided|flawed|doomed|fragile|unsustainable|irrelevant"
    r"|obsolete|overdue|unfair|ridiculous|risky|welcome)\b"
    r"|^(?!(?:the latter|the former|this|that|it)\b)[a-z][\w'\u2019-]*(?: [\w'\u2019-]+){0,6}?"
    r" (?:hurts|harms|matters|undermines) "
)
# What a view to agree with does not hold: a figure or a date (a fact to check), or
# reported words (whose view it is comes first).
_NOT_A_VIEW_RE = re.compile(
    r"\d|\b(?:said|says|told|tells|according|reported|reports|announced|today|yesterday"
    r"|tomorrow|this week|last week)\b"
)


_PAST_RE = re.compile(r"\b(?:was|were|had|did)\b|\blast (?:week|month|year|\w+day)\b")
_PASSIVE_BEFORE = frozenset("is are be been being am get gets".split())


def _told_in_past(clause: str) -> bool:
    """Whether a clause narrates: a past tense or a perfect ("the agent escaped its
    testing environment", "Obamacare has made its way back"), not a view."""
    if _PAST_RE.search(clause):
        return True
    words = clause.split()
    return any(
        (word.endswith("ed") or word in IRREGULAR_PAST) and words[at - 1] not in _PASSIVE_BEFORE
        for at, word in enumerate(words)
        if at
    )


def _view_question(reading: Reading, story: Story, lead_questions: list[str]) -> list[str]:
    """ "Do you agree that X?" instead of the news frame, when the lead states a view.

    An opinion piece (filed under an opinion or essay section, or read as one)
    argues rather than reports, and a sentence that judges in the present
    ("deeply nested code hurts readability and is error-prone") is a claim
    to agree with in any item: weighing either as "the news that ..." is the
    rubric's genre mismatch. Asked once, with no second wording of the same
    view.
    """
    if (
        len(lead_questions) != 2
        or not lead_questions[0].startswith(_NEWS_FIRST)
        or reading.kind == "tragedy"
    ):
        return []
    clause = lead_questions[0].removeprefix(_NEWS_FIRST)[:-1]
    if _NOT_A_VIEW_RE.search(clause):
        return []
    if not _JUDGEMENT_RE.search(clause) and not (
        _OPINION_URL_RE.search(story.url) and not _told_in_past(clause)
    ):
        return []
    question = f"Do you agree that {clause}?"
    return [question] if len(_tidy(question)) <= MAX_QUESTION_LENGTH else []


# A maker's launch of a named product: "Apple today launched the all-new Mac Pro",
# "Jack Dorsey's Block has launched Buzz, an open-source workplace collaboration platform".
_LAUNCH_RE = re.compile(
    r"^(?:[A-Z][\w.&'\u2019-]*)(?: [A-Z][\w.&'\u2019-]*){0,3}(?: today| just| has| have){0,2}"
    r" (?:launched|unveiled|introduced|released|debuted|announced|rolled out)"
    r" (?P<product>(?:(?:the|a|an|its) )?(?:all-new |new )?"
    r"(?:[A-Z]|i[A-Z])[\w.&'\u2019+-]*,?(?: [^ ]+){0,11})$"
)
# A product's coming launch: "Samsung's AI smart glasses will be launched in 2026".
_COMING_RE = re.compile(
    r"^(?P<product>(?:the |its )?(?:[A-Z]|i[A-Z])[\w.&'\u2019+-]*(?: [\w.&'\u2019+-]+){0,5})"
    r" (?:will be (?:launched|released|available|on sale)|will (?:launch|ship|go on sale)"
    r"|(?:is|are) (?:now )?(?:available|on sale)|goes on sale|go on sale)\b"
)
# What a product's name and its description do not hold: a clause of its own, a time.
_NOT_IN_PRODUCT_RE = re.compile(
    r"\b(?:that|which|who|to|will|would|as|after|because|despite|amid|following|while|when"
    r"|said|says|this week|last week|on \w+day|today|yesterday|plans?)\b"
)
_LAUNCH_WORDS = frozenset(
    "launched unveiled introduced released debuted announced rolled launch ship available"
    " sale launches".split()
)
# Made to be bought, not only used: devices.
_HARDWARE_RE = re.compile(
    r"\b(?:iPhone|iPad|Mac|MacBook|iMac|Galaxy|Pixel|Kindle|Surface|AirPods|HomePod"
    r"|phones?|laptops?|tablets?|glasses|watch|headphones|earbuds|console|TV|camera)\b"
)
_CAPITALS_AND_I = "iABCDEFGHIJKLMNOPQRSTUVWXYZ"
_POSSESSIVE_MARK_RE = re.compile(r"['\u2019]s?\b")
# Capitalised words that name no product: "Stack Overflow has launched an API".
_NOT_PRODUCTS = frozenset("API APIs AI SDK App PC Web".split())


def _product_question(lead_questions: list[str]) -> list[str]:
    """ "Would you buy/use <product>?" instead of the news frame on a product's launch.

    A maker launching a named product is a release, not news to weigh ("What
    should readers make of the news that Apple today launched the all-new Mac
    Pro?" is the rubric's genre mismatch); whether the product is worth buying
    or using is what a reader would argue about. Only a launch whose object is
    the product's name (capitalised, not "an API"), optionally with its
    appositive; a device is bought, anything else used.
    """
    if not lead_questions or not lead_questions[0].startswith(_NEWS_FIRST):
        return []
    clause = lead_questions[0].removeprefix(_NEWS_FIRST)[:-1]
    if _LAUNCH_WORDS.isdisjoint(clause.split()):
        return []  # the common case, before the patterns
    match = _LAUNCH_RE.match(clause) or _COMING_RE.match(clause)
    if match is None or _NOT_IN_PRODUCT_RE.search(match.group("product")):
        return []
    product = match.group("product")
    if product.startswith(("a new ", "an all-new ")):
        product = "the " + product.split(" ", 1)[1]  # "a new iPad mini" -> "the new iPad mini"
    names = [w for w in product.split(",")[0].split() if w[:1].isupper() or w[1:2].isupper()]
    if not names or all(w in _NOT_PRODUCTS for w in names):
        return []
    verb = "buy" if _HARDWARE_RE.search(product) else "use"
    if verb == "buy" and product[:1] in _CAPITALS_AND_I and not _POSSESSIVE_MARK_RE.search(product):
        product = "the " + product  # a device by its model name: "the iPhone 5s"
    question = f"Would you {verb} {product}?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


# A release told by its headline alone: "PostgreSQL 8.4 now available", "Zig 0.4.0
# Released", "opam 2.0.1 is out!", "Introducing Gemini Omni".
_RELEASED_RE = re.compile(
    r"^(?P<product>[A-Za-z][\w./+-]*(?: [\w./+-]+){0,3}?) (?:is )?(?:now )?(?:officially )?"
    r"(?:released|available|out|here)[!.]?$",
    re.IGNORECASE,
)
# "opam 2.0.2 release", "Gemini 3.1 Flash-Lite: Built for intelligence at scale": a
# versioned product named first, then the word "release" or a tagline after a colon.
_NAMED_RELEASE_RE = re.compile(
    r"^(?P<product>[A-Za-z][\w./+-]*(?: [\w./+-]+){1,3}?)(?: release|: [^:]{3,})$"
)
_INTRODUCING_RE = re.compile(r"^(?:Introducing|Announcing) (?P<product>[A-Z][^:,;|()]{1,40})$")
_VERSION_RE = re.compile(r"\bv?\d+(?:\.\d+)+\b|\bv\d+\b|\b\d+$")


def _release_question(reading: Reading) -> list[str]:
    """ "Would you upgrade to / try <product>?" for a headline that announces a release.

    A release's headline ("PHP 5.3.0 released", "Introducing Nano Banana Pro",
    "GORM V2 officially released" after a dash, "opam 2.0.2 release", or on an
    item read as a release a versioned name before a tagline: "Gemini 3.1
    Flash-Lite: Built for intelligence at scale") has no news to weigh and
    nothing missing to point at; whether to adopt the product is what its
    readers argue about. A product with a version
    number is upgraded to, another tried. The product must hold a capital or a
    version and no word of a sentence ("Google Update no longer runs ..."); "X
    released" counts only on an item read as a release ("Wild Walmart fight
    breaks out" is none).
    """
    headline = _SCORE_RE.sub("", reading.headline)  # "42 – Ember 3.0 Released"
    match = _INTRODUCING_RE.match(headline)
    if match is None and reading.kind == "release":
        match = _RELEASED_RE.match(headline.rpartition(" \u2013 ")[2]) or _NAMED_RELEASE_RE.match(
            headline
        )
    if match is None:
        return []
    product = match.group("product").strip()
    if match.re is _NAMED_RELEASE_RE and not _VERSION_RE.search(product):
        return []  # "Programming Phoenix: ...": a title, not a versioned product
    words = product.split()
    if any(
        w[:1].islower() and not w[1:2].isupper() and not _VERSION_RE.fullmatch(w) for w in words[1:]
    ):
        return []  # "KDE 4.3.0 release candidate": a description ("v0.6" is a version)
    if not any(w[:1].isupper() or w[1:2].isupper() for w in words) and not _VERSION_RE.search(
        product
    ):
        return []
    if any(w.lower() in _NOT_IN_RELEASE for w in words):
        return []
    verb = "upgrade to" if _VERSION_RE.search(product) else "try"
    return [f"Would you {verb} {product}?"]


# What a release brings, said of it in the body: "It includes four critical bug fixes".
_FEATURE_RE = re.compile(
    r"\b(?:adds|brings|includes|fixes|supports|improves|offers|features|comes with"
    r"|ships with|now has|now lets|lets you|allows)\b"
)


def _release_feature_question(reading: Reading, body: str) -> list[str]:
    """ "Would this make you upgrade to Coq 8.8.1: “It includes four critical bug fixes …”?".

    Whether a release is worth adopting is what its readers argue about, and
    the body's sentence on what it brings is the concrete part of that: the
    question quotes the first of the body's first three sentences that names
    the product (or opens with "It" or "This release") and says what it adds,
    fixes or supports (:data:`_FEATURE_RE`). Without such a sentence, whether
    to adopt the product is asked alone (:func:`_release_question`).
    """
    found = _release_question(reading)
    if not found:
        return []
    product = found[0].split(" ", 3)[-1][:-1].removeprefix("to ")
    verb = "upgrade to" if found[0].startswith("Would you upgrade to ") else "try"
    first_word = product.split()[0]
    for sentence in first_sentences(body, "en")[:3]:
        sentence = " ".join(sentence.split()).rstrip(".")
        opens = sentence.startswith(("It ", "This release ", "The release ", "The new version "))
        if (opens or first_word in sentence) and _FEATURE_RE.search(sentence):
            question = f"Would this make you {verb} {product}: \u201c{sentence}\u201d?"
            if len(question) <= MAX_QUESTION_LENGTH:
                return [question]
            break
    return found


# Words that make a headline's subject more than a product's name.
_NOT_IN_RELEASE = frozenset(
    "the a an is are was were has have will not no new our we why how what when who".split()
)


def _short_lead_question(reading: Reading, lead: Lead, body: str) -> list[str]:
    """One shorter question on a lead too long for the kind's frames, when it fits."""
    clause = _clause(core(lead.sentence), _name_text(reading, body), reading)
    first = clause.split(" ", 1)[0]
    if first.endswith(("ed", "ing")) or first in _PARTICIPLES:
        return []  # "built as a post-training variation on ..., Writer says": no subject first
    if reading.kind == "tragedy" and _TRAGIC_RE.search(clause):
        question = f"What should change after this: {clause}?"  # a harm, never its motive
    else:
        question = f"Why does it matter that {clause}?"
    return [question] if len(_tidy(question)) <= MAX_QUESTION_LENGTH else []


# An invitation to an event by its headline: "GTAC 2017 - Registration is open!",
# "Registration is now open for State of the Map 2017", "OCaml Workshop 2018", or a
# "You're Invited" label before the event's name.
_EVENT_INVITE_RES = (
    re.compile(r"^(?P<event>[A-Z][\w .&'-]{2,60}?) [-\u2013] Registration is (?:now )?open!?$"),
    re.compile(r"^(?P<event>[A-Z][\w .&'-]{2,60}?) Registration Deadline Extended$"),
    re.compile(r"^Registration is (?:now )?open for (?P<event>[A-Z][\w .&'-]{2,60}?)!?$"),
    re.compile(r"^(?P<event>[A-Z][\w.&-]* (?:Workshop|Conference|Summit|Meetup) \d{4})$"),
)
_INVITED_RE = re.compile(r"^You[\u2019']re Invited$", re.IGNORECASE)
_EVENT_HEADS_RE = re.compile(r"\b(?:Workshop|Conference|Summit|Meetup|Festival|Social)\b")


def _invitation_question(reading: Reading) -> list[str]:
    """ "Would you attend GTAC 2017, and what would you hope to get from it?".

    A call to register for an event is a community announcement: weighing it
    as news ("the news that registration is currently open") is the rubric's
    genre mismatch, while whether the event is worth a reader's time is what
    it asks. Only a headline that names the event (:data:`_EVENT_INVITE_RES`)
    or an item labelled "You're Invited"; an event named by a common head
    ("Workshop", "Summit") takes "the".
    """
    headline = reading.headline.strip()
    if not reading.label and "egistration" not in headline and not headline[-1:].isdigit():
        return []  # the common case, before the patterns
    event = ""
    if _INVITED_RE.match(reading.label):
        event = headline
    else:
        for pattern in _EVENT_INVITE_RES:
            match = pattern.match(headline)
            if match:
                event = match.group("event").strip()
                break
    if not event or not event[:1].isupper() or len(event.split()) > 8:
        return []
    if _EVENT_HEADS_RE.search(event) and not event.startswith("The "):
        event = "the " + event
    question = f"Would you attend {event}, and what would you hope to get from it?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


# A distribution's notice that an update breaks something: "dovecot >= 2.4 requires
# manual intervention", "Plasma 6.4.0 will need manual intervention if you are on X11".
_INTERVENTION_RE = re.compile(
    r"^(?P<package>[A-Za-z][\w.+-]*) (?:>= ?)?(?P<version>v?\d[\w.:+~-]*)"
    r" (?:update |upgrade )?(?:may |will )?(?:requires?|needs?) manual intervention\b"
)


def _intervention_question(reading: Reading) -> list[str]:
    """ "Should updating to dovecot 2.4 need manual intervention, or ...?" for an update notice.

    A packager's notice that an update needs a manual step is a community
    announcement: weighing it as news or asking what a reader would "still
    need before switching" misses it (readers found both mis-aimed), while
    whether an update should ever break a working system, or the package
    should have handled the change, is the dispute such notices start.
    """
    match = _INTERVENTION_RE.match(reading.headline.strip())
    if match is None:
        return []
    update = f"{match.group('package')} {match.group('version')}"
    return [
        f"Should updating to {update} need manual intervention, or should the package have "
        "handled the change itself?"
    ]


def _english(reading: Reading, story: Story, lead: Lead | None) -> list[list[str]]:
    """Candidate English questions, grouped by the fact they hang on, best first."""
    body = story.body
    if lead is not None and lead.sentence.startswith(("Introducing ", "Announcing ")):
        lead = None  # a launch's slogan, no clause: "the news that introducing Co-Scientist, ..."
    invitation = _invitation_question(reading) or _intervention_question(reading)
    if invitation:
        return [invitation]  # an announcement: its news frames would be the genre mismatch
    lead_questions = _lead_questions(reading, lead, body)
    if lead is not None and all(len(_tidy(q)) > MAX_QUESTION_LENGTH for q in lead_questions):
        lead_questions = _short_lead_question(reading, lead, body) if lead_questions else []
    act = _act_questions(reading, body)
    second: list[str] = []
    view = _view_question(reading, story, lead_questions)
    if lead is not None:
        lead_questions, second = _second_fact_questions(reading, story, lead, lead_questions)
        if (
            not second
            and len(lead_questions) == 1
            and lead_questions[0].startswith(_NEWS_FIRST)
            and reading.kind != "tragedy"
        ):
            second = _headline_as_second_fact(reading, lead, body)
        if not second and len(lead_questions) == 1 and reading.kind != "tragedy":
            second = _headline_claim(act, reading, lead)
        if not second and len(lead_questions) == 1 and not view:
            second = _headline_thesis(reading, lead, body)
    if view:
        lead_questions = view  # the view in its own frame; the second fact stays
    else:
        lead_questions = _product_question(lead_questions) or lead_questions
    if lead_questions and lead_questions[0].startswith(_SWITCHING_BROKEN):
        # "now that when Gmail was released ...": the lead's clause does not read after it.
        lead_questions = lead_questions[1:]
    if reading.kind == "release" and (
        not lead_questions or lead_questions[0].startswith(_SWITCHING)
    ):
        # A named release: whether to adopt it, on what it brings, rather than the lead
        # pasted after "before switching" (a frame readers found mis-aimed or garbled).
        lead_questions = _release_feature_question(reading, body) or lead_questions
    groups = [
        _headline_question(reading, body),
        _obituary_questions(reading, body) if reading.kind == "tragedy" else [],
        # The lead before the headline's act: a sentence of the body reads better in a
        # question than headline words (blind ratings: 45% good against 15%), so with a
        # lead only the motive behind a decision ("What is Meta really after in choosing
        # to ask ...?") is asked of the act, as a second fact; on a tragedy, whether a
        # chosen act was justified.
        lead_questions,
        second,
        _why_question(reading, body),
        act if not lead_questions or reading.kind == "tragedy" else _motive_only(act),
        _kind_questions(reading, body),
        # A release's own question, when the lead gave none (not a second wording of
        # "What would you still need before switching ...").
        [] if lead_questions else _release_question(reading),
        _fact_questions(reading),
    ]
    found = [group for group in groups if group]
    if not found:
        found = [
            _headline_clause_questions(reading, body)
            or _headline_view(reading, body)
            or _headline_fact_question(reading, body)
            or _standfirst_question(reading, body)
        ]
    return [group for group in found if group]


# A headline's judgement or forecast: its subject, then a copula or a modal that is not
# a report of what happened ("has been suspended", "were not the cause", "is hiring").
_HEADLINE_VIEW_RE = re.compile(
    r"^(?P<subject>(?:[\w'\u2019.,-]+ ){1,6}?)(?P<verb>is|are|isn['\u2019]t|aren['\u2019]t|can"
    r"|can['\u2019]t|cannot|could|couldn['\u2019]t|may|might|will|won['\u2019]t|should"
    r"|shouldn['\u2019]t|must|need|needs) "
    r"(?!(?:been|being|now|hiring)\b)(?P<rest>.+)$"
)
_VIEW_VERBS = frozenset(
    "is are isn't aren't isn\u2019t aren\u2019t can can't can\u2019t cannot could couldn't"
    " couldn\u2019t may might will won't won\u2019t should shouldn't shouldn\u2019t must need"
    " needs Is Are Can Could May Might Will Should Must Need Needs".split()
)
_SUBJECT_CLAUSE_WORDS = frozenset(
    "that who which says said say warns jokes claims thinks believes argues insists".split()
)
_POINTING_WORDS = frozenset("this these here".split())


def _headline_view(reading: Reading, body: str) -> list[str]:
    """ "Do you agree that <headline>?" for a story with nothing else to ask about.

    The fallback quotes the headline in a generic frame; a headline that
    states a judgement or a forecast with a copula or a modal ("Kerala can
    teach India a thing or two about social welfare", "South Asian women will
    be hurt by the trade war") is a claim a reader can agree with or not, so
    it is asked as one. Only a sentence-case headline that reads as a whole
    sentence: no dash, colon or quotation, no figure, no perfect ("has been
    suspended"), nothing pointing elsewhere ("in this lake"), a subject that
    is no report ("Scotland says ...") and opens with a lower-case word, a
    name of the story or a demonym (not "Impotent Democrats won't be ...").
    """
    if reading.kind in _NO_NEWS_KINDS or reading.kind in ("tragedy", "job"):
        return []
    if _VIEW_VERBS.isdisjoint(reading.headline.split()):
        return []  # no copula or modal: the common case, before the costlier checks
    headline = as_sentence(reading.headline)
    if not headline or is_title_case(headline) or len(headline.split()) > 20:
        return []
    if any(mark in headline for mark in (" - ", "\u2013", "\u2014", ":", "(", '"', "\u201c", "?")):
        return []
    match = _HEADLINE_VIEW_RE.match(headline)
    if match is None or any(c.isdigit() for c in headline):
        return []
    rest = match.group("rest").split()
    if not _POINTING_WORDS.isdisjoint(w.lower() for w in rest):
        return []  # "... spreading through the catfish in this lake": the referent is elsewhere
    subject = match.group("subject").split()
    if subject[0].lower() in ("there", "it", "this", "that", "what", "why", "how", "who"):
        return []
    if not _SUBJECT_CLAUSE_WORDS.isdisjoint(w.lower() for w in subject):
        return []  # "Scotland says could ...", "Duterte jokes that his soldiers can ...": a report
    clause = lower_first(headline, body, reading.names)
    first = clause.split(" ", 1)[0].removesuffix("'s").removesuffix("\u2019s")
    if (
        first[:1].isupper()
        and not any(c.isupper() for c in first[1:])
        and not any(first in name.split() for name in reading.names)
        and not is_demonym(first)
    ):
        return []  # "Impotent Democrats won't be ...": a capital kept on a common word
    question = f"Do you agree that {clause}?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


# What a headline's thesis may not end with: a word that wants more ("... more important
# in computing than", "... is really"): a title cut short.
_CUT_ENDINGS = _DANGLING | frozenset("really very so starring including".split())
# A report, not a view, after the headline's copula: a passive ("is found guilty", "are
# turned back", "is sworn in").
_PARTICIPLE_RE = re.compile(r"^(?:\w+ly )?(?:\w+ed|sworn|found|held|set|made|told|seen|known)\b")
# A thesis reported by someone: ", says president", ", research reveals".
_REPORTED_TAIL_RE = re.compile(
    r", (?:[\w'\u2019.-]+ ){0,6}(?:says?|said|reveals?|promises?|warns?|finds?|claims?"
    r"|suggests?|reports?|argues?)\b"
)


def _headline_thesis(reading: Reading, lead: Lead, body: str) -> list[str]:
    """ "Do you agree that Pakistan's army chief is cosying up to Donald Trump?", a second question.

    Many features put their thesis in the headline ("Pakistan's army chief is
    cosying up to Donald Trump", "Donald Trump's cuts to USAID will hurt Asia,
    too") and a detail in the lead; the lead's question alone often aims at
    that detail ("the news that the man is 93 years old") while the claim a
    reader would argue about is the headline's. A headline that passes
    :func:`_headline_view` is asked beside the lead's question when it tells
    more than the lead (:func:`_restates`) and reads as a view, not a report:
    no comma before its copula or modal ("After the revolution, ..."), no
    noun phrase with a clause of its own ("The real reason Indians are
    lost"), no
    attribution (", says president"), no passive after the copula ("is found
    guilty"), no word that a cut title ends on ("... than", "... is
    really"), no column label ("QUOTE:"), a first word that is lowered, a
    name's possessive, a demonym or, by the body, a name (not "Snubs and
    slights are ..."), no bare noun (:func:`_headlinese`, in the subject and
    after a preposition; "gaining ground" is a verb's object) and, for a
    progressive ("is bringing original Xbox games to PC"), a subject that is
    not a lone name: a company's or a country's current act is
    news to check, not a view ("Japanese people are starting to quit their
    jobs" is one).
    """
    if reading.kind == "tragedy" or reading.label:
        return []
    headline = reading.headline.rstrip()
    if headline.endswith(("...", "\u2026")) or _REPORTED_TAIL_RE.search(headline):
        return []
    words = headline.rstrip(".!").split()
    if not words or words[-1].lower() in _CUT_ENDINGS:
        return []
    found = _headline_view(reading, body)
    if not found:
        return []
    clause = found[0].removeprefix("Do you agree that ")[:-1]
    match = _HEADLINE_VIEW_RE.match(clause)
    if match is None or "," in match.group("subject") or " reason " in match.group("subject"):
        return []  # "the real reason Indians are lost": a noun phrase, not a claim
    rest = match.group("rest")
    if match.group("verb") in ("is", "are") and _PARTICIPLE_RE.match(rest):
        return []
    subject = match.group("subject").split()
    if (
        match.group("verb") in ("is", "are")
        and rest.split(" ", 1)[0].endswith("ing")
        and all(w[:1].isupper() and not is_demonym(w) for w in subject)
    ):
        return []  # "Microsoft is bringing ...": the act of a lone name is news
    first = subject[0]
    run = list(itertools.takewhile(lambda w: w[:1].isupper(), subject))
    if not (
        first[:1].islower()
        # a name's possessive: "Pakistan's army chief", "Donald Trump's cuts"
        or any(w.endswith(("'s", "\u2019s")) for w in run)
        or is_demonym(first)
        or _opens_as_name(clause, reading, body)
    ):
        return []  # "Snubs and slights are ...": a capital kept on a common word
    # Bare nouns: in the subject ("battle over U.S. health care"), and after a preposition
    # in the rest; a progressive's particle or object ("cosying up", "gaining ground") is
    # no headlinese, so the rest is read after an article that stands for its verb.
    verb_words = rest.split()
    if verb_words[0].endswith("ing"):
        verb_words = verb_words[1:]
    if _headlinese(" ".join(subject), body, title_case=False, possessive=True) or _headlinese(
        "the " + " ".join(verb_words), body, title_case=False, possessive=True
    ):
        return []
    if _restates(headline, lead.sentence):
        return []
    return found


_ENGLISH_WORDS = frozenset(
    "the a an of to in on for with and is are was by from at as how why what new".split()
)


# A headline about mourning the dead rather than about a death or a disaster.
_MOURNING_RE = re.compile(
    r"\b(?:laid to rest|funerals?|burial|buried|memorial|tributes?|mourn\w*|vigil|remembered)\b",
    re.IGNORECASE,
)


# A court's or a board's decision about a past harm: parole, a sentence, a verdict.
_DECISION_RE = re.compile(
    r"\b(?:granted|denied|refused) (?:parole|bail|asylum)|\b(?:paroled|sentenced|convicted"
    r"|acquitted|jailed|cleared|found guilty|pleads? guilty|verdict)\b",
    re.IGNORECASE,
)


_NEWS_KINDS = frozenset("news politics court research corporate business opinion".split())
# The headline's act, read from its words, with the question that weighs it: a court's
# outcome is fair or not, a lawsuit strong or weak, a decision right or wrong, a market
# move has a cause, a claim or a finding is convincing or not. "What do you make of
# <headline>, and what is missing from the picture?" fits any story (blind readers
# failed it on *specific* two times in three); these ask about the act the headline
# reports. Checked in this order: "Sheinbaum says Mexico declines ..." is a decision
# before it is a claim.
_ACT_FRAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        # "Neighbours reject U.S. claim that ...": two sides of a claim, not a decision.
        re.compile(
            r"\b(?:reject|dismiss|den(?:y|ies|ied)|refut|disput|contest)\w* (?:\S+ ){0,3}"
            r"(?:claims?|allegations?|accusations?|reports?|charges)\b",
            re.IGNORECASE,
        ),
        "Who is more convincing in {}?",
    ),
    (
        re.compile(
            # "jailed for 25 years", not "two jailed Americans"
            r"\b(?:(?:sentenced|jailed|convicted)(?= (?:to|of|in|on|for|over|after|as)\b|$)"
            r"|acquitted|(?:judge|court|tribunal)s? (?:says|said|rules|ruled|orders|ordered)"
            r"|fined|(?:wins?|won|loses?|lost)"
            r" (?:\w+ )?(?:case|lawsuit|suit|appeal|trial)|overturn(?:s|ed)?|uph(?:olds|eld))\b",
            re.IGNORECASE,
        ),
        "Is the outcome reported in {} fair?",
    ),
    (
        re.compile(
            r"\b(?:sues?|sued|suing|lawsuit|faces? (?:an? |\w+ )?(?:investigation|probe|charges"
            r"|lawsuit|inquiry))\b",
            re.IGNORECASE,
        ),
        "How strong is the case described in {}?",
    ),
    (
        re.compile(r"\b(?:peace|nuclear|trade|ceasefire|truce)? ?talks\b", re.IGNORECASE),
        "What would a good outcome of the talks in {} look like?",
    ),
    (
        re.compile(r"\bthreat(?:en|ens|ened|ening)?\b", re.IGNORECASE),
        "How seriously should the threat in {} be taken?",
    ),
    (
        re.compile(r"\b(?:vow|pledg|promis)(?:e|es|s|ed|ing)?\b", re.IGNORECASE),
        "How credible is the promise in {}?",
    ),
    (
        re.compile(
            r"\b(?:designat|ban|approv|reject|impos|halt|suspend|veto|block|scrap"
            r"|refus|withdraw|resign|quit|sack|cancel|postpon|delay|investigat"
            r"|expel|recall|abandon|revers|restrict|oust|impeach|dismiss|appoint|nominat|remov"
            r"|deport|hir"
            r"|shut)(?:e|es|s|ed|ing|ned|ning|ted|ting)?\b"
            r"|\bbar(?:s|red)\b(?= .{0,40}\bfrom\b)"
            # "orders the exhibit restored", not "purchase orders and"; "to close", not "close in"
            r"|\border(?:s|ed)? (?:the |a |an |(?-i:[A-Z]))|\bclos(?:es?|ed|ing)\b(?! in\b)"
            # "declines the invitation", not "Japan declines"; "fires its coach", not "a missile"
            r"|\bdeclin(?:es?|ed|ing) (?:to\b|an? |the |\w+['\u2019]s )"
            r"|\bfir(?:es?|ed|ing) (?:\w+ )?(?:coach|manager|chief|ceo|head|director|minister"
            r"|staff|workers|employees)\b",
            re.IGNORECASE,
        ),
        "Is the decision reported in {} the right one?",
    ),
    (
        re.compile(
            # "prices rise", not "a rise in illnesses"
            r"\b(?:(?<!\ba )(?<!\bthe )(?<!\bin )(?<!about )ris(?:e|es)|falls?|jumps?|drops?"
            r"|slumps?|surges?|soars?|climbs?|slides?"
            r"|tumbles?|rall(?:y|ies)|plunges?|sinks?|extends?|hits? (?:a |an )?"
            r"(?:record|high|low)|record high|record low)\b",
            re.IGNORECASE,
        ),
        "What is behind {}, and will it last?",
    ),
    (
        re.compile(
            r"\b(?:outbreaks?|(?:flu|virus|measles|cholera|mpox|covid|dengue|ebola) cases?"
            r"|cases? of (?:\w+ )?(?:flu|virus|measles|cholera|mpox|covid|dengue|ebola)"
            r"|warns? (?:\w+ )?of|warning of)\b",
            re.IGNORECASE,
        ),
        "How worried should people be about {}?",
    ),
    (
        re.compile(
            r"\b(?:study|studies|research|analysis|scientists|researchers)\b", re.IGNORECASE
        ),
        "How solid is the evidence behind {}?",
    ),
    (
        re.compile(
            r"\b(?:says?|said|tells|claims?|warns?|insists?|denies|argues?|accuses?)\b",
            re.IGNORECASE,
        ),
        "How convincing is the claim in {}?",
    ),
)
# Words in -ing that open a news headline as adjectives ("Aging nuclear plant to close").
_ADJECTIVES_IN_ING = frozenset(
    "aging ageing leading rising growing emerging ailing struggling booming missing grieving"
    " striking ruling outgoing incoming ongoing sitting reigning defending retiring departing"
    " warring soaring fleeing".split()
)
# Abuse, assault or harassment: a person's account of it is not weighed as a claim.
_ABUSE_RE = re.compile(
    r"\b(?:abus\w*|sexual\w*|rap(?:e|ed|ist)|assault\w*|harass\w*|explicit|groom\w*"
    r"|molest\w*|stepfather|stepmother)\b",
    re.IGNORECASE,
)
# Names in -ing that open a headline as its actor ("Beijing vows ...", "Boeing halts ...").
_NAMES_IN_ING = frozenset(
    "Beijing Nanjing Chongqing Wyoming Reading Woking Ealing Epping Kettering Boeing Sterling"
    " Stirling Browning Manning Fleming Harding Viking Vikings Golding Jennings Irving Lansing"
    " Darling Pershing".split()
)
# A wire's or a desk's tag before a headline, not a place or a name.
_WIRE_LABELS = frozenset(
    "reports report exclusive breaking analysis update updated explainer factbox insight"
    " watch live opinion comment".split()
)
# A first- or second-person voice; "US" in capitals is a country, not "us".
_HEADLINE_PERSON_RE = re.compile(r"\b(?:I|[Mm]y|[Mm]e|[Yy]ou|[Yy]our|[Ww]e|[Oo]ur|us)\b")
# Headlines that are no report of an act: a teaser, a guide, a label, a question.
_TEASER_OPENERS = frozenset(
    "How Why What When Where Who See Meet Inside Watch Listen Read Here Here's From In On As"
    " While"
    " The A An This These My Our Your I We You".split()
)


def _news_act_frame(headline: str) -> tuple[str, str] | None:
    """A question on a news headline's own act, quoted, with the headline to quote.

    Only a headline that reports an act (a verb of :data:`_ACT_FRAMES`), fits
    its frame uncut, and is no teaser, label or question; a trailing source
    ("...: NetBlocks", "... - report") is dropped from the quotation.
    """
    headline = re.sub(r"(?:: | [\u2013-] )[A-Z]?\w+$", "", headline).rstrip(" .")
    label, colon, told = headline.partition(": ")
    if not (colon and len(label.split()) <= 2 and all(w[:1].isupper() for w in label.split())):
        label, told = "", headline
    elif label.lower().split()[-1] in _WIRE_LABELS:
        headline = told  # "Reports: DOJ could seek ...": the wire's tag goes
    # else "Lower Saxony: AfD state chapter designated ...": the place stays, it is the story's
    words = told.split()
    first = words[0].strip("\u2018\u2019'\"\u201c") if words else ""
    gerund = (
        first.endswith("ing")
        and len(first) > 4
        and first.lower() not in _ADJECTIVES_IN_ING
        and first not in _NAMES_IN_ING
    )
    if not 4 <= len(words) <= 16 or first in _TEASER_OPENERS or gerund:
        return None  # "Charting China's rise": a gerund opens a label, not a report
    if any(mark in told for mark in (":", "?", "!", "|", "\u2026", "...", " - ", "(")):
        return None
    if _HEADLINE_PERSON_RE.search(headline) or headline[:1] in "\u2018\u201c'\"":
        return None  # a first-person post, or a quotation whose speaker comes last
    for pattern, frame in _ACT_FRAMES:
        if pattern.search(headline) and len(frame) + len(headline) <= MAX_QUESTION_LENGTH:
            if frame.startswith(("How convincing", "Who is more")) and _ABUSE_RE.search(told):
                return None  # doubting someone's account of abuse is unkind
            return frame, headline
    return None


# A headline about what followed a harm: arrests, charges, an inquiry, compensation.
_AFTERMATH_HEADLINE_RE = re.compile(
    r"\b(?:arrest\w*|(?<!dies in )(?<!died in )custody|charged|charges|detained|suspects?"
    r"|inquiry|inquest|investigat\w+|probe|compensation|payouts?|trial|in court)\b",
    re.IGNORECASE,
)


def _english_fallback(reading: Reading, body: str = "") -> str:
    """The one question for a story that offers nothing safer: on its headline, quoted.

    The headline is quoted whole when the question stays within
    :data:`MAX_QUESTION_LENGTH`: a headline cut at a fixed width ("... at risk
    as Middle East…") reads as a fragment (blind readers failed *natural* on
    every cut one). Only a headline too long for its frame is cut, to fit.
    """
    headline = " ".join(_SCORE_RE.sub("", reading.headline).split())  # "165 – Utility poles"
    if len(headline.split()) < 3:
        return "What would you want to know more about after reading this story?"
    if _is_joke_setup(headline):
        return _other_fallback(reading)
    if (
        not reading.lang
        and _ENGLISH_WORDS.isdisjoint(headline.lower().split())
        and not _reads_as_english(headline, body)
    ):
        # Language unknown and no English word in the headline (nor English around it:
        # "Pakistan's former army chief joins Saudi-led military coalition" is English):
        # quoting it could put foreign words into an English sentence.
        return _other_fallback(reading)
    unblamed = _unblamed_harm(headline, body[:400]) if reading.kind == "tragedy" else ""
    told = (
        _news_act_frame(headline)
        if reading.kind == "tragedy" and not _TRAGIC_RE.search(headline)
        else None
    )
    if told:
        # "IOC bars racer from wearing memorial helmet": no harm in the headline, the
        # story is the act it reports.
        frame, headline = told
    elif reading.kind == "tragedy" and (_MOURNING_RE.search(headline) or unblamed == "death"):
        # A funeral, a tribute or a death in old age: asking what could have prevented
        # it is absurd.
        frame = "How will those mourned in {} be remembered?"
    elif reading.kind == "tragedy" and _DECISION_RE.search(headline):
        # "... granted parole a decade after killing girlfriend": the story is the
        # decision, not the death; preventing a parole is a false premise.
        frame = "Was the decision reported in {} the right one?"
    elif unblamed:
        frame = "What help do those affected by what {} describes need most?"
    elif reading.kind == "tragedy" and _AFTERMATH_HEADLINE_RE.search(headline):
        # "... most involved in Manchester bombing are in custody": what follows a
        # harm (arrests, an inquiry) cannot be prevented; the response can be weighed.
        frame = "Is the response reported in {} enough?"
    elif reading.kind == "tragedy" and _TRAGIC_RE.search(headline):
        frame = "What, if anything, could have prevented what {} describes?"
    elif reading.kind == "tragedy":
        # "Rage. Grief. Anxiety. The New Mood in Iran.": no harm named to prevent.
        frame = "What do you make of {}, and what is missing from the picture?"
    elif reading.kind in ("howto", "book", "podcast", "listing", "release", "event"):
        frame = "What would you take away from {}?"
    elif reading.kind in _NEWS_KINDS and (act := _news_act_frame(headline)):
        frame, headline = act
    else:
        frame = "What do you make of {}, and what is missing from the picture?"
    room = MAX_QUESTION_LENGTH - len(frame) + 2 - 2  # the braces go, the quotation marks come
    return frame.format(f"\u201c{_clip(headline, room).rstrip('.')}\u201d")


# --- German and French ---------------------------------------------------------

# A German headline "Microsoft veröffentlicht Cordova-Erweiterung ...": name + verb in -t.
_DE_NOT_VERBS = frozenset(
    "nicht jetzt erst seit mit bereits meist fast selbst sonst oft weit gut laut statt bist"
    " zuletzt endlich derzeit zurzeit bisher nachts heute".split()
)


def _german_act(reading: Reading, body: str) -> tuple[str, str, str] | None:
    """``(actor, verb, rest)`` of a German headline whose actor is a name, or ``None``."""
    headline = reading.headline.split(" - ")[0].split(" \u2013 ")[0]
    if ":" in headline or "?" in headline or "," in headline or "|" in headline:
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


# Separable verb prefixes left at the end of a main clause ("Bethesda kündigt ... an"):
# in a "wenn" clause they join the verb again ("wenn Bethesda ... ankündigt").
_DE_PARTICLES = frozenset(
    "an auf aus ab ein vor mit fest los zurück weiter hin her bei nach vorbei heraus hoch".split()
)
# Words that open a German headline without being its actor ("So funktioniert er ...",
# "KI übernimmt Farbkorrektur": a common noun).
_DE_NOT_ACTORS = frozenset(
    "So Da Hier Jetzt Nun Dann Heute Damit Darum Deshalb Trotzdem Auch Noch Erst Nur Wie"
    " Was Warum Wer Wo Wann Diese Dieser Dieses Mehr Neue Neuer Neues KI".split()
)
# A second verb joined to the first ("Qt 5.10 streamt UIs und bringt moderne Crypto"):
# "und" or "oder" before a lower-case word in -t.
_DE_SECOND_VERB_RE = re.compile(r"\b(?:und|oder|sowie|aber)\s+[a-zäöüß]+t\b")


def _german_verb_last(actor: str, verb: str, rest: str) -> str | None:
    """The headline's act as a subordinate clause (verb last), or ``None`` when unsafe.

    "Maryland verbietet X" -> "Maryland X verbietet"; a separable prefix joins the
    verb again ("Bethesda kündigt X an" -> "Bethesda X ankündigt"). A headline
    with a second verb ("... und bringt moderne Crypto"), a quotation cut open or
    an actor that is an adverb or an adjective without its article ("Deutsches
    Start-up") cannot be reordered safely: the frame is not used.
    """
    if _DE_SECOND_VERB_RE.search(rest) or rest.count('"') % 2:
        return None
    if rest.count("\u201e") != rest.count("\u201c"):
        return None
    words = rest.split()
    if len(words) > 1 and words[-1] in _DE_PARTICLES:
        return f"{actor} {' '.join(words[:-1])} {words[-1]}{verb}"
    return f"{actor} {rest} {verb}"


def _german_actor_reads(actor: str) -> bool:
    """Whether a headline's actor reads in a sentence without an article added."""
    first = actor.split()[0]
    if first in _DE_NOT_ACTORS:
        return False
    # A declined adjective ("Deutsches Robotik-Start-up", "Kanadisches Start-Up").
    if " " in actor and first[1:].islower() and first.endswith(("es", "er", "em")):
        return False
    # A compound common noun, which needs its article ("EU-Kommission", "US-Gericht",
    # "Bundesbank-Vorstand", "Datentransfersoftware Serv-U"): a hyphenated word ending
    # in a long lower-case part, or a long lower-case compound before a name.
    last = first.rsplit("-", 1)[-1] if "-" in first else ""
    if len(last) >= 6 and last[:1].isupper() and last[1:].islower():
        return False
    return not (" " in actor and len(first) >= 14 and first[1:].islower())


# A publisher's offer of a course: "heise-Angebot: iX-Workshop: PowerShell für ...",
# "iX-Workshop zu Backup mit ...", "Apple-Geräte mit Microsoft Intune verwalten –
# zweiteiliges Live-Webinar".
_DE_WORKSHOP_RE = re.compile(
    r"^(?:heise-Angebot: )?(?:iX-Workshop(?::| zu)? (?P<topic>[^:]{8,90}?)"
    r"|(?P<webinar>[^:\u2013]{8,90}?) \u2013 (?:\w+ )?Live-Webinar)$"
)


def _german_offer(reading: Reading) -> list[str]:
    """ "Würden Sie den iX-Workshop „…“ besuchen, und was erhoffen Sie sich davon?".

    A publisher's course or webinar offer is an advertisement: weighing it as
    news ("Wie bewerten Sie diese Nachricht: …") or asking what else to know
    about it is the rubric's genre mismatch, while whether the course is worth
    a reader's time is what the offer is about. Only a headline that names the
    course and its topic (:data:`_DE_WORKSHOP_RE`).
    """
    match = _DE_WORKSHOP_RE.match(reading.headline.strip())
    if match is None:
        return []
    if match.group("topic"):
        course, topic = "den iX-Workshop", match.group("topic").strip()
    else:
        course, topic = "das Live-Webinar", match.group("webinar").strip()
    question = (
        f"W\u00fcrden Sie {course} \u201e{topic}\u201c besuchen, und was erhoffen Sie sich davon?"
    )
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


# --- releases in German ----------------------------------------------------------

# A versioned product name: "Gotify 3.0.0", "Quarkdown 2.0", "WildFly 10", "Android 17 QPR1"
# (a year is no version: "Jugendschutz 2025").
_DE_PRODUCT = (
    r"(?P<product>[A-Z.][\w.+#-]*(?: [A-Z][\w.+#-]*){0,2} v?(?!(?:19|20)\d\d\b)\d+(?:\.\d+)*"
    r"(?: [A-Z][\w-]*)?)"
)
# "Gotify 3.0.0: Push-Nachrichten selbst hosten": the product, then its tagline.
_DE_PRODUCT_TAGLINE_RE = re.compile(rf"^{_DE_PRODUCT}: (?P<tagline>[^:?!]{{8,70}})$")
# "Markdown auf Steroiden: Quarkdown 2.0 ist da": a tagline, then the product's arrival.
_DE_TAGLINE_PRODUCT_RE = re.compile(
    rf"^(?P<tagline>[^:?!]{{8,70}}): {_DE_PRODUCT} (?:ist (?:da|erschienen|verfügbar|fertig)"
    r"|erscheint)$"
)
# What a release brings, said of it in the lead.
_DE_FEATURE_RE = re.compile(
    r"\b(?:bringt|bietet|führt \S.{2,80} ein|unterstützt|ergänzt|erweitert|verbessert"
    r"|beherrscht|liefert|erhält|enthält|behebt|schließt)\b"
)
# A tagline that is a verdict rather than a promise: "..., aber keine Ultra HD Blu-ray".
_DE_VERDICT_RE = re.compile(
    r"\b(?:aber|doch|kein|keine|keinen|nicht)\b|Warn|L\u00fccke|Fehler|Problem|Risik|Gefahr"
    r"|Angriff|Kritik|Streit|Ende\b|Aus f\u00fcr"
)


# Words before a number that make no product's name: "Top 7", "Teil 2", "Folge 12".
_DE_NOT_PRODUCTS = frozenset(
    "Top Teil Folge Platz Kapitel Staffel Episode Woche Tag Runde Nummer Jahr Spieltag Level"
    " Stufe Artikel Paragraf".split()
)


def _german_release_product(headline: str) -> tuple[str, str]:
    """``(product, tagline)`` of a German headline announcing a versioned release."""
    match = _DE_PRODUCT_TAGLINE_RE.match(headline) or _DE_TAGLINE_PRODUCT_RE.match(headline)
    if match is not None and match.group("product").split()[0] in _DE_NOT_PRODUCTS:
        return "", ""  # "Top 7: Die besten 4K-Beamer ...": a ranking, a series' part
    if match is not None:
        tagline = match.group("tagline").strip()
        words = tagline.split()
        # "Android 17 QPR1: Google veröffentlicht erste Beta ...": a report, not a tagline.
        if not _DE_VERDICT_RE.search(tagline) and not any(
            w[:1].islower() and w.endswith("t") and w not in _DE_NOT_VERBS for w in words[1:4]
        ):
            return match.group("product"), tagline
        return match.group("product"), ""
    match = re.search(
        rf"(?:^|: )[A-Z][\w.-]*(?: [A-Z][\w.-]*)? (?:gibt|veröffentlicht) {_DE_PRODUCT}(?: frei)?$",
        headline,
    )
    return (match.group("product"), "") if match is not None else ("", "")


def _german_release(reading: Reading, body: str) -> list[str]:
    """For a German release: whether it keeps its tagline's promise, whether its news is worth
    the switch.

    A release ("Gotify 3.0.0: Push-Nachrichten selbst hosten") has no news to
    weigh: "Wie bewerten Sie diese Nachricht: …" and a motive or "who gains"
    on it are the rubric's genre mismatch. What its readers argue about is
    whether the version delivers what its headline promises, and whether what
    the lead says it brings ("führt OpenID Connect für die Anmeldung ein")
    is worth switching for. Only a headline that names a versioned product
    (:func:`_german_release_product`).
    """
    product, tagline = _german_release_product(reading.headline.strip())
    if not product:
        return []
    out = []
    if tagline and reading.kind == "release":
        # Only on an item read as a release: a news item's subtitle ("Ubuntu-Option und
        # neue Hardware-Details") describes the report, it promises nothing.
        out.append(f"Hält {product}, was \u201e{tagline}\u201c verspricht?")
    first_word = product.split()[0]
    for sentence in first_sentences(body, "de")[:3]:
        sentence = sentence.strip().rstrip(".")
        if first_word in sentence and _DE_FEATURE_RE.search(sentence):
            out.append(
                f"Lohnt sich der Umstieg auf {product} wegen dieser Neuerungen: "
                f"\u201e{sentence}\u201c?"
            )
            break
    return [q for q in out if len(q) <= MAX_QUESTION_LENGTH]


# An episode's code before its topic: "CRE184 Bundeswehr", "CRE193 Old School Computing".
_EPISODE_CODE_RE = re.compile(r"^[A-Z]{2,6}\d{2,4} (?P<topic>[A-ZÄÖÜ][^:?!|]{2,60})$")


def _german_episode(reading: Reading, body: str) -> list[str]:
    """ "Wie sehen Sie das Thema der Folge „Bundeswehr“: Die Deutschen Streitkräfte und …?".

    Show notes have no news to weigh, and a quoted sentence of their
    background ("Ende des 19. Jahrhundert kam Bewegung …") or the episode's
    code ("CRE184") names no stake; the episode's topic, with the subtitle that
    opens its notes (a first paragraph of three to sixteen words, not a
    sentence), is what its listeners would discuss. Only an episode whose
    title is a code and a topic.
    """
    match = _EPISODE_CODE_RE.match(reading.headline.strip())
    if match is None:
        return []
    subtitle = body.lstrip().split("\n", 1)[0].strip()
    if not 3 <= len(subtitle.split()) <= 16 or subtitle.endswith((".", ":", "!", "?")):
        return []
    question = f"Wie sehen Sie das Thema der Folge \u201e{match.group('topic')}\u201c: {subtitle}?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


def _german(reading: Reading, body: str, lead: Lead | None) -> list[list[str]]:
    """Candidate German questions: the headline's act, the lead sentence quoted."""
    groups: list[list[str]] = []
    offer = _german_offer(reading)
    if offer:
        return [offer]  # an advertisement: its news frames would be the genre mismatch
    release = _german_release(reading, body)
    if release:
        return [release]  # a release: its news and motive frames would be the genre mismatch
    episode = _german_episode(reading, body) if reading.kind == "podcast" else []
    if episode:
        return [episode]  # show notes: a quoted sentence of them names no stake
    kind = reading.kind
    act = _german_act(reading, body) if kind not in ("tragedy", "podcast", "book") else None
    if act is not None and _german_actor_reads(act[0]):
        actor, verb, rest = act
        act_questions = [f"Warum {verb} {actor} {rest}, und wem nützt das?"]
        clause = _german_verb_last(actor, verb, rest)
        if clause is not None:
            act_questions.append(f"Was ändert sich für Nutzer und Kunden, wenn {clause}?")
        groups.append(act_questions)
    if lead is not None:
        quoted = f"\u201e{lead.sentence}\u201c"
        if kind == "tragedy":
            groups.append([f"Was hätte verhindert werden können? Die Meldung: {quoted}"])
        elif kind in ("podcast", "book", "howto"):
            groups.append([f"Welcher Gedanke in {quoted} verdient eine Diskussion?"])
        else:
            clause = _german_dass(lead.sentence, reading)
            question = f"Wie bewerten Sie, dass {clause}?" if clause else ""
            if not clause or len(question) > MAX_QUESTION_LENGTH:
                question = f"Wie bewerten Sie diese Nachricht: {quoted}?"
            if len(question) > MAX_QUESTION_LENGTH:
                question = f"Was halten Sie davon: {quoted}?"  # a long lead still fits
            groups.append([question])
            groups.append(_german_second(reading, body, lead))
    return groups


# A sentence that leans on the one before it: an opening "Dafür", "Darauf", "Es" ...
# ("Darauf einigten sich Verdi und die Telekom"), or "das"/"dies" standing for a thing
# ("In einem Markt hat sich das nun verändert"); quoted alone, it names no fact.
_DE_POINTS_BACK_RE = re.compile(
    r"^(?:Da(?:für|rauf|bei|mit|her|durch|rum|neben|nach|gegen|zu|von)|Deshalb|Deswegen"
    r"|Trotzdem|Dennoch|Er|Sie|Es|Grund|Auch)\b|\b(?:dazu|dafür|dabei|deshalb|daher|sie)\b"
    r"|\b(?:[Dd]as|[Dd]ies)\b(?= [a-zäöüß]| ?$)"
)
# Deaths and injuries in a German sentence: never asked as a mere second fact.
_DE_DEATHS_RE = re.compile(
    r"\b(?:tot|tote[nr]?|getötet|gestorben|starben?|stirbt|erfroren|ertrunken|ums Leben"
    r"|verletzt|Verletzte[nr]?|Opfer|Leiche\w*)\b"
)
# A modal or an auxiliary after "und" in a reordered clause: the clause held two verbs.
_DE_AND_MODAL_RE = re.compile(
    r"\bund (?:will|wollen|soll|sollen|kann|können|muss|müssen|hat|haben|ist|sind|wird|werden)\b"
)


def _german_second(reading: Reading, body: str, lead: Lead) -> list[str]:
    """A question on a second fact of a German lead, in another wording than the first.

    German teasers often state two facts in two sentences ("Die Behebung der
    Probleme dauert länger ... Jetzt soll die Riesenrakete in der Nacht zu
    Freitag abheben."): the second sentence that
    :func:`aggregator.questions.lead.second_lead` finds is asked "Was folgt
    daraus, dass ...?" as a "dass" clause when it opens with its subject, else
    quoted. Never on a death or a disaster, nor on a blurb or show notes.
    """
    if reading.kind in _NO_NEWS_KINDS or reading.kind == "tragedy":
        return []
    second = second_lead(reading.headline, body, lead, "de")
    if second is None or _DE_POINTS_BACK_RE.search(second.sentence):
        return []
    if _DE_DEATHS_RE.search(second.sentence):
        return []  # deaths the kind reader missed ("In Polen sind zehn Menschen erfroren")
    clause = _german_dass(second.sentence, reading)
    if _DE_AND_MODAL_RE.search(clause):
        clause = ""  # "Huawei Sicherheitstipps und will einen Patch bereitstellen gibt"
    question = f"Was folgt daraus, dass {clause}?" if clause else ""
    if not clause or len(question) > MAX_QUESTION_LENGTH:
        question = f"Was folgt aus dieser Angabe: \u201e{second.sentence}\u201c?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


_DE_ARTICLES = frozenset("Der Die Das Ein Eine".split())
# Finite auxiliaries and modals: a verb whatever their ending.
_DE_AUXILIARIES = frozenset(
    """
    ist sind war waren hat haben hatte hatten wird werden wurde wurden will wollen wollte
    wollten soll sollen sollte sollten kann können konnte konnten muss müssen musste mussten
    darf dürfen
    """.split()
)
# Lower-case words in -t or -en that are no finite verb.
_DE_NOT_FINITE = _DE_NOT_VERBS | frozenset(
    """
    damit zunächst samt bislang längst meisten zwischen gegen wegen neben oben unten innen
    außen binnen entgegen gegenüber zufolge
    """.split()
)
# Openers that are no subject: an amount or a time ("Etwa 7.000 Besucher verzeichnet ...",
# "Anfang Mai feiert ...").
_DE_NOT_SUBJECTS = _DE_NOT_ACTORS | frozenset(
    """
    Etwa Rund Knapp Gut Fast Über Bis Weniger Anfang Ende Mitte Seit Ab Bereits Schon
    Laut Mit Nach Bei Von Vor Im Am Auf In Für Durch Ohne Trotz Wegen Zum Zur Unter Nächstes
    Nächste Letztes Letzte Vergangenes Dieses Kommendes
    """.split()
)
# A pronoun right after the verb is the subject of an inverted sentence ("Laut OpenAI
# handelt es sich ...", "Nächstes Jahr gibt es ..."): what came first was no subject.
_DE_INVERTED = frozenset("es sich er sie man wir ich".split())
# Where the main clause ends: a dash, a colon, a semicolon, or a comma before a
# subordinate clause or a new main clause; a comma before anything else is inside a list
# ("mit 195 kW, bis zu 597 km Reichweite ... bestellbar"), and the sentence is left alone.
_DE_CLAUSE_END_RE = re.compile(
    r"\s[-\u2013\u2014]\s|:|;|,(?= (?:um|weil|da|damit|nachdem|bevor|wenn|obwohl|sodass|so"
    r"|die|der|das|den|dem|deren|dessen|was|wie|ob|doch|aber|denn|während|indem|als)\b)"
)


def _german_dass(sentence: str, reading: Reading) -> str:
    """A German lead sentence as a "dass" clause (verb last), or ``""`` when unsafe.

    Only a sentence that opens with its subject is reordered: an article and a
    noun phrase ("Die Bundesnetzagentur hat ... festgelegt" -> "die
    Bundesnetzagentur ... festgelegt hat"), or one of the story's names ("VW
    will ... beschleunigen" -> "VW ... beschleunigen will"). The finite verb is
    the first lower-case word after the subject's last capitalised word, an
    auxiliary or a form in -t, -en, -te or -ten. The main clause ends at the
    first comma or dash ("Tesla setzt ein neues Modell ein, um ..." -> "Tesla
    ein neues Modell einsetzt"); a second verb ("... und zeigt Auswege auf"),
    an adverb or a prepositional phrase first ("Erneut bewegte ...", "Nutzer
    von ... berichten") or an open quotation leave the sentence alone.
    """
    words = sentence.split()
    if len(words) < 4:
        return ""
    first = words[0]
    capitals = 0
    verb_at = -1
    for index, word in enumerate(words):
        if word[:1].isupper() or word[:1].isdigit():
            capitals += 1
            continue
        if index == 0:
            return ""
        if not capitals or (first in _DE_ARTICLES and capitals == 1 and index == 1):
            return ""
        if capitals and word in ("und", "oder") and index + 1 < len(words):
            continue  # "Die USA und China wollen ...": one subject of two names
        if (
            first in _DE_ARTICLES
            and word.endswith(("e", "en", "er", "es", "em"))
            and (all(w[:1].islower() or w in _DE_ARTICLES for w in words[1:index]))
        ):
            continue  # an adjective before the noun: "Die neue Erweiterung"
        verb_at = index
        break
    if verb_at < 1:
        return ""
    verb = words[verb_at]
    if verb in _DE_NOT_FINITE or not (
        verb in _DE_AUXILIARIES or verb.endswith(("t", "en", "te", "ten"))
    ):
        return ""
    subject = " ".join(words[:verb_at])
    if first in _DE_ARTICLES:
        subject = first.lower() + subject[len(first) :]
    elif subject not in reading.names or first in _DE_NOT_SUBJECTS:
        return ""
    if words[verb_at + 1] in _DE_INVERTED:
        return ""
    rest = " ".join(words[verb_at + 1 :])
    end = _DE_CLAUSE_END_RE.search(rest)
    if end:
        rest = rest[: end.start()].rstrip()
    if "," in rest:
        return ""
    if len(rest.split()) < 2 or not _german_actor_reads(subject.split(" ", 1)[-1]):
        return ""
    return _german_verb_last(subject, verb, rest) or ""


# A finite verb of a German headline's clause: "Facebook schließt Parse-Plattform",
# "Patches schließen Lücken", "Merz will ...".
_DE_HEADLINE_VERB_RE = re.compile(
    r"^[A-ZÄÖÜ\d][^ ]*(?: [A-ZÄÖÜ][^ ]*){0,2} (?:[a-zäöüß]{3,}(?:t|en)|ist|sind|hat|wird|will|soll"
    r"|kann|muss)\b"
)

# Words ending like a verb that are none: "Neue Schulden wegen Iran-Krise denkbar".
_DE_NOT_HEADLINE_VERBS = _DE_NOT_FINITE | frozenset(
    "eben morgen gestern trotzdem mittlerweile nunmehr insgesamt".split()
)


def _german_fallback(reading: Reading) -> str:
    """The one German question for a story that offers nothing safer: on its headline, quoted.

    A headline that states a fact as a clause ("Facebook schließt
    Parse-Plattform", after a label: "Badlock: Patches schließen Lücken ...")
    is asked to be judged, like a quoted lead sentence; asking what a reader
    would like to know more about names no claim (readers found it generic),
    so it is kept for the rest, and for show notes, blurbs and how-tos.
    """
    headline = _clip(reading.headline, MAX_QUESTION_LENGTH - 40)  # whole when it fits
    if len(headline.split()) < 3:
        return "Worüber würden Sie bei dieser Meldung zuerst sprechen?"
    clause = headline.rpartition(": ")[2]
    verb = _DE_HEADLINE_VERB_RE.match(clause)
    if (
        reading.kind not in _NO_NEWS_KINDS
        and reading.kind != "tragedy"
        and verb is not None
        and verb.group().split()[-1] not in _DE_NOT_HEADLINE_VERBS
        and len(clause.split()) >= 3
        and headline == reading.headline
    ):
        return f"Wie bewerten Sie die Meldung \u201e{headline}\u201c?"
    return f"Was an \u201e{headline}\u201c würden Sie gern genauer wissen?"


_FR_TRAGIC_RE = re.compile(r"\b(?:morts?|tués?|tuées?|blessés?|blessées?|décédée?s?|noyée?s?)\b")
_FR_VOWELS = tuple("aeiouyhAEIOUYH\u00e9\u00c9\u00e8\u00ea\u00e0\u00e2\u00ee\u00f4")


# A sentence opened by a participle phrase ("Créée en 1917, ...", "Profitant de ..."):
# a participle ending followed by a preposition or an article ("Santé publique" is a name).
_FR_PARTICIPLE_OPENER_RE = re.compile(
    r"[A-Z\u00c0-\u00dd][^\W\d_]*(?:\u00e9|\u00e9e|\u00e9s|\u00e9es|ant) "
    r"(?:en|par|\u00e0|au|aux|dans|de|du|des|le|la|les|pour|sur|depuis|lors|avec)\b"
)


def _french_article_lowered(clause: str) -> str:
    """The elided article "L'" lowered after "que": "l'ARCEP a publié", "l'éloquence".

    :func:`~aggregator.questions.lead.lower_first` keeps a capital that
    starts a name; "L'" before an acronym or a lower-case word is the article.
    """
    if clause[:2] not in ("L'", "L\u2019"):
        return clause
    word = clause[2:].split(" ", 1)[0].rstrip(",;:")
    if word[:1].islower() or (len(word) > 1 and word.isupper()):
        return "l" + clause[1:]
    return clause


def _french(reading: Reading, body: str, lead: Lead | None) -> list[list[str]]:
    """Candidate French questions: the lead sentence as a clause."""
    if lead is None or _FR_PARTICIPLE_OPENER_RE.match(lead.sentence):
        return []  # "Créée en 1917, la compétition ..." reads badly after "du fait que"
    clause = _french_article_lowered(lower_first(lead.sentence, body, title=reading.headline))
    que = "qu'" if clause.startswith(_FR_VOWELS) else "que "
    if reading.kind == "tragedy":
        if not _FR_TRAGIC_RE.search(clause):
            return []  # a tribute or a reaction: nothing in it to prevent
        return [[f"Qu'est-ce qui aurait pu empêcher ce drame, sachant {que}{clause}\u00a0?"]]
    question = f"Que faut-il penser du fait {que}{clause}\u00a0?"
    if len(question) > MAX_QUESTION_LENGTH:
        question = f"Que penser du fait {que}{clause}\u00a0?"  # a long lead still fits
    return [[question], _french_second(reading, body, lead)]


# A common finite verb, so that the second sentence is a clause after "le fait que".
_FR_FINITE_RE = re.compile(
    r"\b(?:est|sont|a|ont|va|vont|sera|seront|doit|doivent|devrait|devraient|peut|peuvent"
    r"|fait|font|était|étaient|avait|avaient|reste|restent|veut|veulent)\b"
    r"|\b\w+(?:ait|aient|ent)\b(?<!ment)"
)


def _french_second(reading: Reading, body: str, lead: Lead) -> list[str]:
    """A question on a second fact of a French lead: "Qu'implique le fait que ...?".

    The second sentence that :func:`aggregator.questions.lead.second_lead`
    finds, as a clause like the lead's; never on a blurb or show notes, and
    never opened by a participle phrase.
    """
    if reading.kind in _NO_NEWS_KINDS:
        return []
    second = second_lead(reading.headline, body, lead, "fr")
    if second is None or _FR_PARTICIPLE_OPENER_RE.match(second.sentence):
        return []
    if not _FR_FINITE_RE.search(second.sentence):
        return []  # "Une réflexion unique sur l'esthétique ...": a noun phrase, no clause
    clause = lower_first(second.sentence, body, title=reading.headline)
    que = "qu'" if clause.startswith(_FR_VOWELS) else "que "
    question = f"Qu'implique le fait {que}{clause}\u00a0?"
    return [question] if len(question) <= MAX_QUESTION_LENGTH else []


# A section's name before a French headline: "Ski : Pinturault encore plus haut".
_FR_SECTION_RE = re.compile(
    r"^(?:Ski|Football|Tennis|Rugby|Cyclisme|Basket|Handball|Athlétisme|Natation|Voile|Golf"
    r"|Formule 1|F1|JO|Cinéma|Musique|Livres?|BD|Vidéo|Photo|Photos|Télévision|Télé|Théâtre"
    r"|Danse|Opéra|Exposition|Expo|Série|Séries|Jeu vidéo|Brève|Insolite|Vidéos|Portrait"
    r"|Interview|Entretien|Reportage|Critique|Chronique|Édito|Tribune)\s*:\s+"
)


def _french_fallback(reading: Reading) -> str:
    """The one French question for a story that offers nothing safer: on its headline, quoted.

    A section's name before the headline ("Ski : ", "Cinéma : ") is no part
    of what the story says: it is left out of the quotation.
    """
    headline = _FR_SECTION_RE.sub("", reading.headline.strip())
    headline = _clip(headline, MAX_QUESTION_LENGTH - 40)  # whole when it fits
    if len(headline.split()) < 3:
        return "De quoi parleriez-vous d'abord à propos de cet article\u00a0?"
    return f"Que retenez-vous de l'article «\u00a0{headline}\u00a0»\u00a0?"


def _clear_name(name: str) -> bool:
    """A name that is one whatever the language: an acronym, a version, CamelCase, two words."""
    if not name:
        return False
    return " " in name or any(c.isupper() or c.isdigit() for c in name[1:])


# A number with a letter suffix: an ordinal in most languages ("32es", "3rd", "5e").
_ORDINAL_RE = re.compile(r"\b\d+(?:[a-zèé]{1,4})\b")


def _other_language(reading: Reading) -> list[list[str]]:
    """English questions for a story in another language: only on a clear name."""
    subject = reading.subject
    if not any(c.isupper() or c.isdigit() for word in subject.split() for c in word[1:]):
        return []  # only an acronym, a version or CamelCase is surely the same in English
    if _ORDINAL_RE.search(subject):
        return []  # "Les 32es" (the last 64 of a cup) is a phrase of the language, no name
    if reading.kind == "tragedy":
        return []
    if reading.lang in ("zh", "ja"):
        # The Latin-letter words of a Chinese or Japanese text are often not its subject
        # ("APP", "CEO", an investor named in passing): a question on them misses the story.
        return []
    return [[f"What does this story change for {_the(subject)}, and who is affected most?"]]


# Function words of the other languages the corpus holds most (German, French,
# Spanish, Italian, Dutch, Portuguese) that are neither English words nor parts of
# names English text keeps ("van der Poel", "Los Angeles", "Le Monde", "EL PAÍS",
# "per cent", "8 p.m. ET" are left out for that reason).
_FOREIGN_WORDS = frozenset(
    """
    das dem einen einem einer eine seinen seiner seine ihre ihren und oder aber auch auf
    aus bei beim mit nach nicht noch nur sich sind ist wird werden wurde haben wie zum
    zur vom über für dass mehr als sehr schon gegen durch ohne zwischen diese dieser
    une dans pour pas sur avec qui que sont cette aux leur peut sans chez nous vous
    elle mais très être été por para una pero como más della sono gli het een niet
    zijn voor wordt não uma mais
    """.split()
)
# A word spelt with a diacritic that English spelling does not use (names aside).
_DIACRITIC_RE = re.compile(r"\w*[äöüßéèêàâçñãõ]\w*", re.IGNORECASE)
_LETTERS_RE = re.compile(r"[^\W\d_]+")


def _pastes_foreign_text(question: str, body: str) -> bool:
    """Whether an English question carries a phrase of another language.

    True when the question holds two foreign function words or two words spelt
    with diacritics; or one of either while the story's body reads as another
    language (more foreign function words and words with diacritics than English
    function words at its start). A name
    such as "Erdoğan", "Pokémon" or "van der Poel" in an English story passes.
    """
    words = _LETTERS_RE.findall(question.lower())
    foreign = sum(word in _FOREIGN_WORDS for word in words)
    marked = len(_DIACRITIC_RE.findall(question))
    if foreign >= 2 or marked >= 2:
        return True
    if foreign or marked:
        start = body[:400]
        words = _LETTERS_RE.findall(start.lower())
        foreign = sum(w in _FOREIGN_WORDS for w in words) + len(_DIACRITIC_RE.findall(start))
        return foreign > sum(w in _ENGLISH_WORDS for w in words)
    return False


# "What do you think of the news “…”?" in the languages the corpus holds beyond English,
# German and French; the noun "news" takes the case the preposition wants, so the
# headline itself is quoted unchanged.
# (Every question ends with an ASCII "?", the Chinese and Japanese ones too.)
_NATIVE_FRAMES = {
    "es": "\u00bfQu\u00e9 opina de la noticia \u00ab{}\u00bb?",
    "pt": "O que voc\u00ea acha da not\u00edcia \u201c{}\u201d?",
    "sk": "\u010co si mysl\u00edte o spr\u00e1ve \u201e{}\u201c?",
    "uk": "\u0429\u043e \u0432\u0438 \u0434\u0443\u043c\u0430\u0454\u0442\u0435 "
    "\u043f\u0440\u043e \u043d\u043e\u0432\u0438\u043d\u0443 \u00ab{}\u00bb?",
    "ru": "Что вы думаете о новости \u00ab{}\u00bb?",
    "it": "Che cosa pensa della notizia \u00ab{}\u00bb?",
    "zh": "你如何看待「{}」这则消息?",
    "ja": "「{}」というニュースをどう思いますか?",
}
# Deaths, funerals, attacks and disasters, and live chronicles, in those languages.
_NATIVE_HARM_RE = re.compile(
    # Ukrainian stems: killed in action, buried, farewell, injured, killed, death, died,
    # shelling, attack, explosion, losses, chronicle, war.
    "(?:\u0437\u0430\u0433\u0438\u0431|\u0437\u0430\u0433\u0438\u043d|\u043f\u043e\u0445\u043e\u0432\u0430"
    "|\u043f\u043e\u043f\u0440\u043e\u0449\u0430|\u043f\u043e\u0441\u0442\u0440\u0430\u0436\u0434"
    "|\u0432\u0431\u0438\u0442|\u0441\u043c\u0435\u0440\u0442|\u043f\u043e\u043c\u0435\u0440"
    "|\u043e\u0431\u0441\u0442\u0440\u0456\u043b|\u0430\u0442\u0430\u043a|\u0432\u0438\u0431\u0443\u0445"
    "|\u0432\u0442\u0440\u0430\u0442|\u0445\u0440\u043e\u043d\u0456\u043a|\u0432\u0456\u0439\u043d"
    r"|obet|zomrel|m\u0155tv|zahynul|zavalil|n\u00e1siln|\u00fatok"  # Slovak
    r"|muert|falleci|asesin|herid|atentad|v\u00edctima"  # Spanish
    r"|mort[eo]s?\b|morreu|v\u00edtima|\bataques?\b"  # Portuguese ("ciberataques" is none)
    # Russian: killed in action, killed, murder, death, died, explosion, attack, terror
    # attack, victims, wounded, shelling, disaster, war.
    r"|погиб|убит|убий|смерт|умер|взрыв|атак|теракт|жертв|ранен|обстрел|катастроф|войн"
    r"|uccis|vittim|attentat|strage|ferit|incidente|crollo|terremoto|\bmort[eio]\b"  # Italian
    # Chinese and Japanese: death, killing, accident, earthquake, explosion, attack, disaster,
    # crash, shooting, injury.
    r"|死|亡|遇难|杀|殺|事故|地震|爆炸|爆発|袭击|襲撃|灾|災|坠毁|墜落|枪击|銃撃|伤|傷|被害)",
    re.IGNORECASE,
)
# English function words that are the language's own words too: the Spanish and Portuguese
# preposition "a" ("Obama le recuerda a Trump ..."), the Portuguese article "as", the
# Slovak "a" (and), "by" (would), "to" (it) and "on" (he), the Italian "a" and "in".
_NATIVE_NOT_ENGLISH = {
    "es": _ENGLISH_WORDS - {"a"},
    "pt": _ENGLISH_WORDS - {"a", "as"},
    "sk": _ENGLISH_WORDS - {"a", "by", "to", "on"},
    "it": _ENGLISH_WORDS - {"a", "in"},
}
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
# Han ideographs (Chinese, and Japanese kanji) and Japanese kana.
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")
# A yearly pick: "极客之选年度评选丨年度无人机：大疆 Mavic Air 2" (drone of the year: ...).
_ZH_AWARD_RE = re.compile(r"年度(?P<category>[\u4e00-\u9fff]{2,8})：(?P<product>[^：；]{2,30})$")
# A review: "Redmi Note 9 5G 体验：5000mAh 大电池，性价比很高的千元水桶机" (hands-on: verdict).
_ZH_REVIEW_RE = re.compile(
    r"^(?P<product>[^：；丨|]{2,30}?) ?(?:体验|评测|上手|开箱|测评)：(?P<verdict>[^：；]{4,60})$"
)


# A buying guide, a roundup, tips, recommendations: "年末轻薄本选购指南".
_ZH_NOT_NEWS_RE = re.compile(r"指南|盘点|攻略|推荐|清单|合集")


def _chinese_review(headline: str) -> list[str]:
    """A yearly pick or a review in Chinese: whether the product earns its title or verdict.

    An award pick or a hands-on review is no news: "what do you think of this
    news" is the genre mismatch, while whether the product deserves the
    title ("「年度无人机」评给了…，它配得上吗", does it deserve "drone of the year") or
    the review's verdict is what its readers argue about.
    """
    match = _ZH_AWARD_RE.search(headline.rpartition("丨")[2])
    if match is not None:
        product = match.group("product").strip()
        # Opened by the title, not the product: "vivo WATCH" keeps its lower-case first letter.
        return [f"「年度{match.group('category')}」评给了{product}，它配得上吗?"]
    match = _ZH_REVIEW_RE.match(headline)
    if match is not None:
        product, verdict = match.group("product").strip(), match.group("verdict").strip()
        return [f"你认同评测对{product}的评价吗：「{verdict}」?"]
    return []


_NON_ASCII_LETTER_RE = re.compile(r"[^\W\d_a-zA-Z]")


def _native_question(reading: Reading, body: str) -> list[str]:
    """The quoted headline asked about in the story's own language (Spanish, Portuguese,
    Slovak, Ukrainian).

    "Which detail of this story would you discuss first?" names nothing of the
    story (no rated question in that frame passed); a question in the story's
    language can quote its headline whole, as the German "Was halten Sie von
    ...?" does. The language recorded at ingest is wrong on some short English
    items ("Boy asks Santa ..." read as Slovak), so the headline must read as
    the language: Cyrillic letters for Ukrainian; for the others no English
    function word and a letter outside ASCII in the headline or the body's
    opening. Never on a death, a funeral, an attack or a disaster (the kind
    reader reads English only, so :data:`_NATIVE_HARM_RE` looks for them in
    the language), never on a headline of fewer than three words, one cut
    short, one that is a question itself or a digest's run of headlines. It
    replaces the English question on a clear name ("What does this story
    change for ..."), which is generic and often names a common noun.
    """
    frame = _NATIVE_FRAMES.get(reading.lang)
    if frame is None or reading.kind == "tragedy":
        return []
    headline = reading.headline.strip().rstrip(".")
    if reading.lang in ("zh", "ja"):
        return _east_asian_question(reading.lang, headline, body, frame)
    words = headline.split()
    if len(words) < 3 or len(headline) > _HEADLINE_LIMIT or "?" in headline or " | " in headline:
        return []  # cut short, a question of its own, or a digest's run of headlines
    if _NATIVE_HARM_RE.search(headline) or _NATIVE_HARM_RE.search(body[:300]):
        return []  # deaths, a funeral, an attack: the kind reader reads only English
    if reading.lang in ("uk", "ru"):
        if not _CYRILLIC_RE.search(headline):
            return []
    elif not _NATIVE_NOT_ENGLISH.get(reading.lang, _ENGLISH_WORDS).isdisjoint(
        w.lower() for w in words
    ) or not (_NON_ASCII_LETTER_RE.search(headline) or _NON_ASCII_LETTER_RE.search(body[:200])):
        return []
    return [frame.format(headline)]


def _east_asian_question(lang: str, headline: str, body: str, frame: str) -> list[str]:
    """The Chinese or Japanese question: a pick's or a review's own, else the quoted headline.

    The headline must be written in the language (eight Han characters or
    more; kana for Japanese), not be a digest of several items ("；", "丨"
    apart from a pick's label) or longer than sixty characters, and name no
    death, attack or disaster in it or the body's opening. A headline that is
    a question is asked as it is.
    """
    if len(_HAN_RE.findall(headline)) < 8 or (lang == "ja" and not _KANA_RE.search(headline)):
        return []
    if _NATIVE_HARM_RE.search(headline) or _NATIVE_HARM_RE.search(body[:300]):
        return []
    if lang == "zh":
        review = _chinese_review(headline)
        if review:
            return review
    if len(headline) > 60 or any(mark in headline for mark in ("；", ";", "丨", "｜", "|")):
        return []
    if headline.startswith("我") or _ZH_NOT_NEWS_RE.search(headline):
        return []  # a personal essay ("我…", I ...), a buying guide or a roundup: no news
    if headline.endswith(("？", "?")):
        # The headline's own question ("谷歌三星杀进来了，高通为啥一点不怕？"), asked as it is.
        return [] if headline[:-1].count("？") else [headline[:-1] + "?"]
    if "「" in headline:
        frame = frame.replace("「", "\u201c").replace("」", "\u201d")  # no corner quotes nested
    return [frame.format(headline)]


def _other_fallback(reading: Reading) -> str:
    if reading.kind == "tragedy":
        return "What, if anything, could have prevented what this story describes?"
    return "Which detail of this story would you discuss first, and why?"


# Words of English text that no language the corpus holds beside it uses as often.
_ENGLISH_EVIDENCE = _ENGLISH_WORDS | frozenset(
    "you your it its this that be has have had will gets get he she they we not but or after"
    " about into out up were been their which who".split()
)


def _reads_as_english(title: str, body: str) -> bool:
    """Whether a story of unknown language is written in English.

    The language detector records no language when too few of a text's words
    are function words ("Canada's labor market dips sharply in February,
    unemployment rate up"); such a story's headline is still quoted in an
    English question when the text around it reads as English.
    English means: the title and the body's start are ASCII apart from
    typographic quotes and dashes, hold no function word of another
    language (:data:`_FOREIGN_WORDS`) and at least four common English ones
    (:data:`_ENGLISH_EVIDENCE`), a sixth of their words or more.
    """
    text = f"{title} {body[:300]}"
    if not text.translate(_TYPOGRAPHIC).isascii():
        return False
    words = _LETTERS_RE.findall(text.lower())
    if not words or any(w in _FOREIGN_WORDS for w in words):
        return False
    english = sum(w in _ENGLISH_EVIDENCE for w in words)
    return english >= 4 and english * 6 >= len(words)


# Typographic quotes, dashes and the ellipsis, removed before the ASCII test.
_TYPOGRAPHIC = dict.fromkeys(map(ord, "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0"))


# --- the generator --------------------------------------------------------------

# Frames that must never be used on a tragedy (checked by the tests and at run time).
MOTIVE_RE = re.compile(
    r"\b(?:really after|who gains|gain from|benefit|motive|agenda|timing|backfires?"
    r"|goes badly|pay the price|strength or of trouble|at face value on|long time coming"
    r"|good idea|wem nützt|surprise)\b",
    re.IGNORECASE,
)


# Markup quoted in a story's text ("the </i> tag") never goes into a question.
_TAG_LIKE_RE = re.compile(r"</?[A-Za-z!][^<>]*>|&[#\w]+;")
_BLANKS_RE = re.compile(r"[ \t\r\n\f\v]+")  # not the no-break space French puts before "?"


def _tidy(question: str) -> str:
    """One line, single spaces, a capital first letter."""
    question = _BLANKS_RE.sub(" ", question).strip()
    return question[:1].upper() + question[1:]


def _interleave(groups: list[list[str]]) -> Iterator[str]:
    """The first question of every group, then the second of every group, and so on."""
    for round_ in range(max((len(g) for g in groups), default=0)):
        for group in groups:
            if round_ < len(group):
                yield group[round_]


class OfflineGenerator:
    """Writes questions with a fast, deterministic reading of the story; no network.

    Stateless after construction, so one instance may be shared by threads.

    Attributes:
        name: ``"offline"``, recorded with each story's questions.
        count: the most questions a story gets.
    """

    name: str = "offline"

    def __init__(self, *, count: int = 3) -> None:
        """Configure the generator.

        Args:
            count: the most questions per story, from 0 to :data:`MAX_QUESTIONS`.

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

        Only questions that hang on a fact of the story are written, so a
        story may get fewer than ``count``; a story that offers none gets one
        question on its quoted headline.

        Args:
            story: the story; its title, body and language are read.

        Returns:
            One to ``count`` distinct questions (none when ``count`` is 0),
            each one line, starting with a capital letter, ending with ``?``,
            at most :data:`MAX_QUESTION_LENGTH` characters.
        """
        if not self.count:
            return ()
        reading = self.explain(story)
        lead = reading.lead
        english = reading.lang in ("en", "")
        if reading.lang == "de":
            groups = _german(reading, story.body, lead)
            fallback = _german_fallback(reading)
        elif reading.lang == "fr":
            groups = _french(reading, story.body, lead)
            fallback = _french_fallback(reading)
        elif english:
            groups = _english(reading, story, lead)
            fallback = _english_fallback(reading, story.body)
        else:
            # The question in the story's language, else English ones on a clear name.
            groups = [native] if (native := _native_question(reading, story.body)) else []
            groups = groups or _other_language(reading)
            fallback = _other_fallback(reading)
        pool: list[str] = []
        seen: set[str] = set()
        for raw in itertools.chain(_interleave(groups), (fallback,)):
            if pool and raw is fallback:
                break
            question = _tidy(raw)
            key = question.casefold()
            if (
                len(question) > MAX_QUESTION_LENGTH
                or key in seen
                or _TAG_LIKE_RE.search(question)
                or not question.endswith("?")
                or (reading.kind == "tragedy" and MOTIVE_RE.search(question))
                or (english and _pastes_foreign_text(question, story.body))
            ):
                continue
            seen.add(key)
            pool.append(question)
            if len(pool) == self.count:
                break
        if not pool:
            pool.append(_tidy(_other_fallback(reading)))
        return tuple(pool)
