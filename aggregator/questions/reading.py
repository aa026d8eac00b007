"""What the offline question generator reads out of a story: kind, subject, claims and facts.

Pure and deterministic, a few tens of microseconds a story. :func:`read_story`
returns a :class:`Reading`, which :mod:`aggregator.questions.offline` turns into
questions and ``aggregator questions --explain`` prints.

- **Kind** (:func:`detect_kind`): the sort of item, from keywords of the
  title and lead in English, German and French, the first rule that matches
  winning: ``tragedy`` (deaths, disasters, attacks, obituaries) before
  everything else, so that no motive or "who gains" question is ever asked
  about one; then ``job`` (job ads), ``deal`` (shopping deals), ``court``,
  ``podcast``, ``book``, ``howto``, ``release``, ``research``, ``corporate``,
  ``politics``, ``opinion``, ``listing``, ``event``; otherwise ``news``.
- **Action** (:func:`parse_title`): an English headline read as subject +
  verb + rest (``Meta | asks | Amazon and Microsoft to help fund ...``) with
  a list of headline verbs, giving the act in the base form (``ask Amazon and
  Microsoft ...``) and in the past (``asked ...``). Modal and copular
  headlines (``X should address Y``, ``X is Y``) are read too.
- **Claims** (:func:`key_facts`): from the lead's first sentences, a
  quotation with its speaker, a "but / however / despite" sentence (a
  tension), and a figure (money, percentage, count) with its noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.questions.lead import Lead, lead_sentence
from aggregator.questions.subject import find_subjects, is_title_case, strip_label

__all__ = [
    "KINDS",
    "Action",
    "Facts",
    "Reading",
    "describe",
    "detect_kind",
    "key_facts",
    "parse_title",
    "read_story",
    "sentence_case",
]

#: The kinds of item :func:`detect_kind` tells apart.
KINDS = (
    "tragedy",
    "job",
    "deal",
    "court",
    "podcast",
    "book",
    "howto",
    "release",
    "research",
    "corporate",
    "event",
    "politics",
    "opinion",
    "listing",
    "news",
)

_LEAD = 500  # characters of the body read for the kind


def _phrases(phrases: str) -> re.Pattern[str] | None:
    """One pattern for a kind's phrases; a phrase ending in a letter ends a word ("how i")."""
    parts = [p.strip() for p in phrases.split("|") if p.strip()]
    if not parts:
        return None
    return re.compile(
        "|".join(re.escape(p) + (r"(?![^\W\d_])" if p[-1].isalpha() else "") for p in parts)
    )


def _kind(
    name: str, words: str, phrases: str = "", lead_words: str = "", lead_phrases: str = ""
) -> tuple[str, frozenset[str], re.Pattern[str] | None, frozenset[str], re.Pattern[str] | None]:
    """A kind's keywords: single words (matched whole) and phrases (matched as text)."""
    return (
        name,
        frozenset(words.split()),
        _phrases(phrases),
        frozenset(lead_words.split()),
        _phrases(lead_phrases),
    )


# In priority order: the first kind whose title keywords match wins, then the
# first whose lead keywords match.
_KIND_RULES = (
    _kind(
        "tragedy",
        """
        dies died dead death deaths dying killed kill kills killing fatal fatally murder
        murdered murders massacre shooting gunman bomb bombing explosion crash crashes
        earthquake flood floods flooding wildfire wildfires hurricane tsunami disaster victim
        victims obituary funeral mourn mourns mourned mourning grave suicide stabbing stabbed
        fallen tribute memorial condolences bereaved grief grieving widow drowned shot
        injured wounded casualties explosions attacks gunfire
        tote toten tod getötet stirbt gestorben anschlag unglück katastrophe opfer mort morts
        meurt tué tuée tués tuées fusillade blessés attentat séisme catastrophe victime victimes
        décès burial
        """,
        "terminally ill|laid to rest",
        "",
        "were killed|was killed|death toll|killed at least|died in|died after|have died|has died"
        "|were injured|were wounded|ont été tués|ont été tuées|a été tué|a été tuée",
    ),
    _kind(
        "job",
        "hiring",
        "(full-time)|(part-time)|(contract)|(remote)|engineer at |developer at |job opening",
    ),
    _kind(
        "deal",
        "coupon coupons",
        "deal alert|% off|save over|save up to|black friday|cyber monday|prime day|gift card"
        "|lowest price|deals on|for $",
    ),
    _kind(
        "court",
        """
        court judge trial lawsuit sue sues sued suing verdict convicted charged indicted
        prosecutor prosecutors jury appeal ruling ruled guilty sentenced arrested settlement
        gericht klage urteil angeklagt prozess tribunal procès condamné condamnée plainte
        """,
    ),
    _kind(
        "podcast",
        "episode podcast folge épisode",
        "show notes",
        "",
        # "a follow-up to ..." is news; "Follow-up:" heads a part of show notes.
        "follow-up:|follow up:|sponsored by|this episode|new episode|pre-show:|after-show",
    ),
    _kind(
        "book",
        "book novel memoir cookbook buch roman livre",
        "guide to",
        "",
        "this book|the book|hands-on introduction",
    ),
    _kind(
        "howto",
        "tutorial tips using anleitung tutoriel",
        "how to|how i |getting started|introduction to|step by step|building a|build a|so geht"
        "|guide to|a guide|beginner's guide|quick guide",
    ),
    _kind(
        "release",
        """
        release releases released launch launches launched unveil unveils announce announces
        available update version beta preview ships introduces introducing veröffentlicht
        bringt erscheint disponible sortie lance
        """,
        "release candidate|now supports|now support",
    ),
    _kind(
        "research",
        """
        study studies researcher researchers scientist scientists paper journal finding
        findings experiment studie forscher étude chercheur chercheurs
        """,
        "found that",
        "",
        "the study|published in|a new study|researchers found|scientists found",
    ),
    _kind(
        "corporate",
        """
        acquire acquires acquisition buy buys merger earnings revenue profit profits quarter
        quarterly shares stock stocks ipo layoff layoffs valuation valued funding investor
        investors ceo resign resigns umsatz gewinn übernahme aktie rachat
        """,
        "lays off|stepped aside|steps down|raises $|chiffre d'affaires",
    ),
    _kind(
        "event",
        """
        conference meetup festival summit webinar workshop exhibition expose exhibit
        ausstellung exposition
        """,
        "join us",
    ),
    _kind(
        "politics",
        """
        election elections government minister president parliament senate congress vote
        votes party policy bill law laws sanction sanctions talks treaty trump regierung
        bundestag wahl partei gesetz kanzler gouvernement élection ministre président loi
        """,
        "prime minister",
    ),
    _kind(
        "opinion",
        "opinion essay should my kommentar meinung édito tribune",
        "why i |i think|we need|i wrote|i need",
    ),
    _kind(
        "listing",
        # "weekly" and "this week" alone are news too: "Wall Street posts weekly loss",
        # "Oil surges 35% this week".
        "roundup round-up links digest newsletter recap",
        "best of|this week in|this week's|weekly roundup|weekly round-up|weekly wrap|weekly links"
        "|weekly digest|weekly recap|weekly update|week in review",
    ),
)
_PUNCTUATION = ".,;:!?\"'()[]\u2026\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e"
_VERSION_RE = re.compile(
    # A decimal that is an amount is no version: "prices rise 1.2%", "$1.5B", "7.8 magnitude".
    r"(?<![$\u20ac\u00a3\d.])\bv?\d+\.\d+(?![\d.]*\s?(?:%|percent|per cent|billion|million"
    r"|trillion|bn\b|[bmk]\b|points|magnitude|degrees))"
    r"|\brc\d|\bcre\d{2,}|\btop \d+|\d+ (?:best|ways|things|tips)\b"
)
# An episode's number before its title: "281: My Private Siri".
_EPISODE_NUMBER_RE = re.compile(r"^\d{1,4}: \S")
# What a "release" or a "launch" in a headline is, when it is no product's: hostages and
# prisoners freed, documents and figures published, a campaign, a plan or a rocket launched.
_NOT_A_RELEASE_RE = re.compile(
    r"\b(?:hostages?|prisoners?|detainees?|captives?|inmates?|guantanamo|palestinians|israelis"
    r"|details|report|statement|data|figures|footage|video|files|documents|names|funds|oil"
    r"|reserves|bail|jail|prison|custody|campaign|plan|plans for|probe|investigation|inquiry"
    r"|attack|strike|offensive|missiles?|rocket|satellite|object|orbit\w*)\b"
)


def _first_kind(text: str, *, lead: bool, skip: str = "") -> str:
    """The first kind (by priority) whose keywords occur in ``text`` (lower case), or ``""``.

    ``skip`` names a kind whose keywords are not looked for.
    """
    words = {w.strip(_PUNCTUATION) for w in text.replace("-", " ").split()}
    whole = {w.strip(_PUNCTUATION) for w in text.split() if "-" not in w}
    padded = f" {text} "
    for kind, title_words, title_phrases, lead_words, lead_phrases in _KIND_RULES:
        if kind == skip:
            continue
        kind_words, phrases = (lead_words, lead_phrases) if lead else (title_words, title_phrases)
        # A tragedy's word stands alone: "trick-shot" and "AirPod-killing" are no deaths.
        seen = whole if kind == "tragedy" else words
        if not seen.isdisjoint(kind_words) or (phrases is not None and phrases.search(padded)):
            return kind
    return ""


def detect_kind(title: str, body: str) -> str:
    """The kind of item a story is (one of :data:`KINDS`).

    Args:
        title: the story's title (its label, if any, is read too: ``Podcast:``).
        body: the story's plain-text body (its first 500 characters are read).

    Returns:
        The first kind (in the order of :data:`KINDS`) whose title keywords
        match, else the first whose lead keywords match, else ``"news"``;
        a version number in the title (``Rust 1.86``) makes a release, an
        episode code (``CRE185``) a podcast, ``Top 10`` a listing.
    """
    lower = title.lower()
    if _EPISODE_NUMBER_RE.match(title) and body.count("\n- ") + body.startswith("- ") >= 3:
        return "podcast"  # "281: My Private Siri" over show notes written as a list
    kind = _first_kind(lower, lead=False)
    if kind == "release" and _NOT_A_RELEASE_RE.search(lower):
        # "U.S. releases new details on ...", "Canada launches huge defense plan": news.
        kind = _first_kind(lower, lead=False, skip="release")
    if kind:
        return kind
    special = _VERSION_RE.search(lower)
    if special:
        text = special.group()
        return (
            "podcast"
            if text.startswith("cre")
            else "listing"
            if text[0] in "t0123456789" and " " in text
            else "release"
        )
    return _first_kind(body[:_LEAD].lower(), lead=True) or "news"


# --- the headline's action ----------------------------------------------------

# Headline verbs, base form. Irregular past forms follow.
_VERBS = frozenset(
    """
    accept accuse acquire add admit agree aim allow announce appeal approve arrest ask
    attack back ban become beat begin block boost break bring build buy call cancel
    challenge change charge claim close come confirm consider cut debut decide defend delay
    demand deny drop end expand face fail fall file find fine fire fix force gain get give
    go grow halt help hike hire hit hold hope introduce invest join keep kill launch lead
    leave let lift limit lose make miss move name need offer open order outline pay plan
    pledge post promise propose push quit raise reach reject release remove replace report
    require reveal rise roll rule say scrap see seek sell send set settle shut sign slash
    slam slow spend split start stop strike struggle sue suspend take target tell test
    threaten top try turn unveil update urge vote want warn win withdraw work write signal
    designate conduct laud blend splash hint bet drive eye fear mull probe weigh vow tout
    ship bring retire resign step return lay sink soar plunge jump tumble slip surge throw
    """.split()
)
_IRREGULAR_PAST = {
    "become": "became", "begin": "began", "break": "broke", "bring": "brought",
    "build": "built", "buy": "bought", "come": "came", "cut": "cut", "fall": "fell",
    "find": "found", "get": "got", "give": "gave", "go": "went", "grow": "grew",
    "hit": "hit", "hold": "held", "keep": "kept", "lay": "laid", "lead": "led",
    "leave": "left", "let": "let", "lose": "lost", "make": "made", "pay": "paid",
    "quit": "quit", "rise": "rose", "say": "said", "see": "saw", "seek": "sought",
    "sell": "sold", "send": "sent", "set": "set", "shut": "shut", "sink": "sank",
    "spend": "spent", "split": "split", "strike": "struck", "take": "took", "tell": "told",
    "win": "won", "throw": "threw", "withdraw": "withdrew", "write": "wrote",
    "drive": "drove", "bet": "bet",
    "eye": "eyed", "slip": "slipped", "drop": "dropped", "plan": "planned", "ban": "banned",
    "ship": "shipped", "top": "topped", "stop": "stopped", "scrap": "scrapped",
    "slam": "slammed", "admit": "admitted", "step": "stepped", "plunge": "plunged",
}  # fmt: skip
# Verbs of saying: their object is a claim, not an act.
_SAYING = frozenset("say claim warn find deny admit predict insist argue".split())
# Acts a subject chooses (a decision can be questioned); the others happen.
_DECISIONS = frozenset(
    """
    accept acquire add agree allow announce appeal approve ask back ban block boost build
    buy cancel challenge change close cut debut decide defend delay demand drop end expand
    file fine fire hike hire introduce invest join launch lift limit move name offer open
    order outline pay plan pledge promise propose push quit raise reject release remove
    replace require scrap sell send settle shut sign slash spend split start stop sue
    suspend target test threaten unveil update urge vote withdraw designate conduct ship
    retire resign step lay vow
    """.split()
)
# Past participles of passive headlines ("Man arrested after ...").
_PARTICIPLES = frozenset(
    """
    held designated arrested charged killed found named accused fined banned sentenced jailed
    detained hit hurt injured sued fired ousted elected appointed cleared convicted freed
    blamed linked approved rejected blocked delayed cancelled canceled hacked leaked spotted
    forced urged sold bought acquired expected tipped wrecked destroyed damaged suspended
    removed replaced dropped targeted threatened investigated probed questioned raided
    evacuated rescued stranded trapped declared called ranked voted crowned labeled labelled
    branded deemed left stripped pulled halted paused recalled criticised criticized
    """.split()
)
# Participles that take a complement without a preposition ("designated extremist group").
_COMPLEMENT = frozenset(
    "designated named elected appointed declared called ranked voted crowned labeled labelled"
    " branded deemed".split()
)
_PREPOSITIONS = frozenset(
    "in by for after as at over on from with to into across amid during near under without".split()
)
_MODALS = frozenset("should could can will would must may might".split())
_COPULAS = {"is": "Is", "are": "Are", "was": "Was", "were": "Were"}
_TOKEN_RE = re.compile(r"\S+")


def _base(word: str) -> str:
    """``asks`` -> ``ask``; ``launches`` -> ``launch``; ``flies`` -> ``fly``; ``""`` if no verb."""
    lower = word.lower()
    candidates = []
    if lower.endswith("ies"):
        candidates.append(lower[:-3] + "y")
    if lower.endswith("es"):
        candidates.append(lower[:-2])
    if lower.endswith("s"):
        candidates.append(lower[:-1])
    for candidate in candidates:
        if candidate in _VERBS:
            return candidate
    return ""


def _past(base: str) -> str:
    """The simple past of a headline verb."""
    if base in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[base]
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return base[:-1] + "ied"
    return base + "ed"


@dataclass(frozen=True, slots=True)
class Action:
    """An English headline read as subject + verb + rest.

    Attributes:
        actor: the words before the verb (``Meta``, ``Tiger``).
        verb: the verb's base form (``ask``), or a modal or copula (``should``, ``is``).
        rest: the words after it (``Amazon and Microsoft to help fund its Llama AI models``).
        said: the verb as the headline has it (``asks``).
        form: ``"act"`` (a present-tense verb), ``"plan"`` (``X to do Y``),
            ``"modal"``, ``"copula"``,
            ``"passive"`` (``verb`` is then a past participle) or ``"on"``
            (``Scott Galloway on Amazon and Whole Foods``: ``rest`` is the topic).
    """

    actor: str
    verb: str
    rest: str
    form: str
    said: str = ""

    @property
    def base(self) -> str:
        """The act in the base form: ``ask Amazon and Microsoft to ...``."""
        return f"{self.verb} {self.rest}"

    @property
    def past(self) -> str:
        """The act in the past: ``asked Amazon and Microsoft to ...``."""
        return f"{_past(self.verb)} {self.rest}"

    @property
    def clause(self) -> str:
        """The act as the headline words it: ``asks Amazon and Microsoft to ...``.

        A plan (``Trump to hold a press conference``) is told in the future:
        ``will hold a press conference``.
        """
        if self.form == "plan" and not self.said:
            return f"will {self.verb} {self.rest}"
        return f"{self.said or self.verb} {self.rest}"

    @property
    def decision(self) -> bool:
        """Whether the act is one the actor chose (``launch``, not ``fall``)."""
        return self.form == "plan" or self.form == "act" and self.verb in _DECISIONS

    @property
    def saying(self) -> bool:
        """Whether the verb reports a claim (``say``, ``warn``, ``find``)."""
        if self.form != "act" or self.verb not in _SAYING:
            return False
        if self.rest[:1].isupper():
            return True  # an attribution: "X threatens Y, Pentagon report finds"
        # The object must be a clause ("finds coffee cuts cancer risk"), not a noun.
        return any(
            _base(w) or w in _MODALS or w in _COPULAS or w in ("has", "have")
            for w in self.rest.split()
        )


_ATTRIBUTION_RE = re.compile(
    r"^(?P<claim>.{15,}?),\s+(?P<source>[A-Z][^,]{1,40}?)\s+"
    r"(?P<verb>says|finds|warns|claims|reports|suggests|shows|argues)$"
)
_SEVERAL_RE = re.compile(r"[a-z0-9)\u2019'\"]{2}[.!?] +[A-Z\u2018\u201c'\"]")
_WH = frozenset({"why", "how", "what", "when", "where", "who", "which"})
_NOT_VERBS = frozenset(
    "news series species bus gas lens physics politics economics analysis crisis basis thesis"
    " canvas chaos ethos status virus campus census bonus plus always perhaps across towards"
    " afterwards nearly this his its yes us".split()
)
_NEXT_AFTER_VERB = re.compile(
    r"^(?:the|a|an|its|his|her|their|another|new|more|up|out|down|off|back|over|in|on|at|to"
    r"|for|with|into|from|after|as|by|\d.*|[A-Z\u2018\u201c'\"$€£].*)$"
)


def parse_title(title: str, *, title_case: bool = False) -> Action | None:
    """Read an English headline as subject + verb + rest.

    Reads present-tense acts (``Meta asks ...``), future plans (``Stack
    Overflow to charge ...``), passives (``Man arrested after ...``), modal and
    copular statements (``X should ...``, ``X is ...``), "X on Y" commentary
    and trailing attributions (``X threatens Y, Pentagon report finds``).

    Args:
        title: the title without its label, in sentence case.
        title_case: the title was in Title Case: a capitalised word that is a
            known verb in the third person (``Holds``) may be the verb.

    Returns:
        The :class:`Action`, or ``None`` when the title is no such sentence
        (a noun phrase, a question, several sentences, a verb too far in).
    """
    text = title.strip().rstrip(".!")
    if not text or text.endswith("?") or len(text) > 150:
        return None
    if _SEVERAL_RE.search(text) or any(m in text for m in ("\u2026", "; ", " - ", " \u2013 ")):
        return None  # more than one sentence
    attribution = _ATTRIBUTION_RE.match(text)
    if attribution:
        base = _base(attribution.group("verb"))
        source, verb = attribution.group("source"), attribution.group("verb")
        return Action(source, base, attribution.group("claim"), "act", verb)
    tokens = _TOKEN_RE.findall(text)
    if tokens and tokens[0].lower() in _WH:
        return None
    for index, token in enumerate(tokens[:7]):
        if index == 0:
            continue
        word = token.strip(",;")
        if word != token:
            return None
        lower = word.lower()
        after = tokens[index + 1 :]
        rest = " ".join(after)
        actor = " ".join(tokens[:index])
        if tokens[0].endswith(","):
            return None  # "OK, so Seth Godin thinks ...": no plain subject
        if ": " in actor:
            actor = actor.rsplit(": ", 1)[1]
        if (
            word == "on"
            and index <= 3
            and all(t[:1].isupper() for t in tokens[:index])
            and 2 <= len(after) <= 8
        ):
            return Action(actor, "on", rest, "on")
        if not word[:1].islower():
            if title_case and _base(word) and index <= 4:
                word, lower = lower, lower  # "Iran Holds Exercises ...": a verb in capitals
            else:
                continue
        if len(after) < 2 or len(rest) > 110:
            return None
        if word == "to" and after[0].lower() in _VERBS and len(after) >= 2:
            return Action(actor, after[0].lower(), " ".join(after[1:]), "plan")
        if lower in _PARTICIPLES:
            if after[0].lower() in _PREPOSITIONS or lower in _COMPLEMENT:
                return Action(actor, lower, rest, "passive")
            return None
        if lower in _MODALS:
            return Action(actor, lower, rest, "modal")
        if lower in _COPULAS:
            return Action(actor, lower, rest, "copula")
        base = _base(word)
        if base:
            return Action(actor, base, rest, "act", word)
        if (
            len(word) > 3
            and word.endswith("s")
            and not word.endswith(("ss", "us", "is", "'s", "\u2019s"))
            and lower not in _NOT_VERBS
            and _NEXT_AFTER_VERB.match(after[0])
            and index <= 4
        ):
            # An unlisted verb ("boards another tanker"): its base is a guess.
            guess = lower[:-2] if lower.endswith(("ches", "shes", "xes", "sses")) else lower[:-1]
            return Action(actor, guess, rest, "act", word)
    return None


# --- facts of the lead --------------------------------------------------------

_SENTENCE_RE = re.compile(r"[.!?][\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
_QUOTE_RE = re.compile(r"[\u201c\"]([^\u201c\u201d\"]{25,140}?)[,.!?]?[\u201d\"]")
_SPEAKER_RE = re.compile(
    r"[\u201d\"],?\s+(?:said|says|wrote|writes|added|told \w+)\s+([A-Z][\w.'-]+(?: [A-Z][\w.'-]+)?)"
    r"|[\u201d\"],?\s+([A-Z][\w.'-]+(?: [A-Z][\w.'-]+)?) (?:said|says|wrote|writes|added)"
)
# A tension: a sentence opening with "But" / "However," or a ", but" clause, whose
# clause has its own subject (a determiner, pronoun or name comes first).
_OPENER_RE = re.compile(r"(?:But|However|Yet|Still),?\s+")
_JOINED_RE = re.compile(r",\s+but\s+")
_CLAUSE_START_RE = re.compile(
    r"(?:the|a|an|its|his|her|their|it|they|he|she|this|that|these|those|there|some|many"
    r"|most|no|few|[A-Z][a-z]+(?: [A-Z][a-z]+)?\s+(?!of\b)[a-z]+)\b"
)
_FIGURE_RE = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*(?:\s?(?:billion|million|trillion|bn|[bBmMkK]\b))?"
    r"|\d[\d,.]*\s?(?:%|per ?cent|percent)"
    r"|\d[\d,.]*\s(?:billion|million|thousand|trillion)\s[a-z]+"
    r"|\d{1,3}(?:,\d{3})+\s[a-z]+)",
)
_FACT_WINDOW = 600
# A tension opening with a pronoun or speaking to the reader has no fact of its own.
_VAGUE_STARTS = frozenset("it it's it’s this that these those they there he she we i you".split())
_VOICE = frozenset("i we you your our my us you're you’re we're we’re".split())
_DIGIT_RE = re.compile(r"\d")
_NOT_A_CLAIM_RE = re.compile(
    r"(?:In this|Welcome|Follow|Click|Read|Listen|Watch|Photo|Image|Video|Subscribe|Sign up"
    r"|Here|This is|This week|Today|I |We |My |Our |You |Your |Join|Don't|Do you|Did you)"
)


@dataclass(frozen=True, slots=True)
class Facts:
    """Concrete material from the story's lead.

    Attributes:
        quote: a quotation of 25-140 characters, or ``""``.
        speaker: who said it, when the text says so, or ``""``.
        tension: a clause introduced by "but", "however", "despite" ..., or ``""``.
        figure: a number with its unit or noun (``$39.3 billion``, ``78%``), or ``""``.
        claim: the lead's first sentence (at most 160 characters), or ``""``.
    """

    quote: str = ""
    speaker: str = ""
    tension: str = ""
    figure: str = ""
    claim: str = ""


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary (``""`` if too long to help)."""
    text = " ".join(text.split()).strip(" ,;:-")
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut].rstrip(" ,;:-") if cut > limit // 2 else ""


def key_facts(title: str, body: str) -> Facts:
    """Pick the quotation, tension, figure and first claim of a story's lead.

    Args:
        title: the story's title.
        body: the story's plain-text body (the first ~700 characters are read).

    Returns:
        The :class:`Facts`; fields the lead does not offer are ``""``.
    """
    lead = body[:_FACT_WINDOW]
    sentences = []
    start = 0
    for boundary in _SENTENCE_RE.finditer(lead):
        sentences.append(lead[start : boundary.start() + 1].strip())
        start = boundary.end()
    sentences.append(lead[start:].strip())
    # A teaser's last sentence may be cut off: only whole sentences count.
    if sentences and len(body) > _FACT_WINDOW:
        sentences = sentences[:-1]
    quote = speaker = ""
    match = _QUOTE_RE.search(lead) if ('"' in lead or "\u201c" in lead) else None
    if match and len(match.group(1)) <= 110:
        quote = _clip(match.group(1), 110)
        who = _SPEAKER_RE.match(lead, match.end() - 1)
        if who:
            speaker = (who.group(1) or who.group(2) or "").rstrip(".")
    tension = ""
    for sentence in sentences:
        clause = ""
        if not any(cue in sentence for cue in ("ut", "ever", "Yet", "Still")):
            continue  # no "but", "However", "Yet", "Still": no tension (fast path)
        opener = _OPENER_RE.match(sentence)
        if opener:
            clause = sentence[opener.end() :]
        else:
            joined = _JOINED_RE.search(sentence)
            if joined:
                clause = sentence[joined.end() :]
        clause = clause.rstrip(" .")
        words = clause.split()
        if (
            5 <= len(words) <= 16
            and _CLAUSE_START_RE.match(clause)
            and not any(mark in clause for mark in ('"', "\u201c", "\u201d", ";", ":", "?", ","))
            and words[0].lower() not in _VAGUE_STARTS
            and _VOICE.isdisjoint(w.lower().strip(".,!") for w in words)
        ):
            tension = clause
            break
    figure = ""
    for text in (title, lead):
        found_figure = _FIGURE_RE.search(text) if _DIGIT_RE.search(text) else None
        if found_figure:
            figure = found_figure.group().strip(" ,.")
            break
    claim = ""
    first = sentences[0] if sentences else ""
    if (
        7 <= len(first.split()) <= 24
        and len(first) <= 140
        and first.endswith(".")
        and not _NOT_A_CLAIM_RE.match(first)
        and not any(
            mark in first for mark in ("?", "!", "[", "\u201c", '"', ":", "(", " I ", " we ")
        )
    ):
        claim = first.rstrip(".")
    return Facts(quote=quote, speaker=speaker, tension=tension, figure=figure, claim=claim)


_SMALL_WORDS = frozenset(
    """
    a an the to of for with on in at by from as and or but its his her their our your even
    old new more most less over into after before about against between up down out off
    will would can could should must may might is are was were be has have had
    """.split()
)


def sentence_case(headline: str, body: str) -> str:
    """Lower-case the words of a Title Case headline that are not names.

    A word is lowered when it is a small word (``To``, ``For``) or when the
    body writes it in lower case (``Readiness`` / ``readiness``); the first
    word, names and acronyms stay.
    """
    lowered = {w for w in _TOKEN_RE.findall(body[:3000]) if w[:1].islower()}
    words = headline.split(" ")
    out = words[:1]
    for word in words[1:]:
        low = word.lower()
        core = low.strip(",;:'\"\u2018\u2019\u201c\u201d?!.")
        if word[:1].isupper() and word[1:].islower() and (core in _SMALL_WORDS or core in lowered):
            out.append(low)
        else:
            out.append(word)
    return " ".join(out)


# --- all together -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reading:
    """Everything the offline generator saw in one story.

    Attributes:
        lang: the story's language (ISO 639-1; ``""`` unknown).
        kind: one of :data:`KINDS`.
        label: the column label or source tag split off the title, or ``""``.
        headline: the title without its label.
        subject: the main subject (a name), or ``""`` when none is good enough.
        other: a second named entity, or ``""``.
        action: the headline read as subject + verb + rest (English only), or ``None``.
        facts: the lead's quotation, tension, figure and first claim.
        lead: the lead sentence that restates the headline, or ``None``.
        names: the names found in the story, best first (``subject`` and ``other`` lead).
    """

    lang: str
    kind: str
    label: str
    headline: str
    subject: str
    other: str
    action: Action | None
    facts: Facts
    lead: Lead | None = None
    names: tuple[str, ...] = ()


def read_story(title: str, body: str, lang: str) -> Reading:
    """Read a story for the offline generator.

    Args:
        title: the story's title.
        body: its plain-text body.
        lang: its language (``Story.lang``).

    Returns:
        The :class:`Reading`.
    """
    label, headline = strip_label(title, body)
    english = lang in ("en", "")
    names = find_subjects(title, body, lang=lang or "en", limit=4)
    subject = names[0] if names else ""
    other = names[1] if len(names) > 1 else ""
    action = None
    if english:
        if is_title_case(headline):
            action = parse_title(sentence_case(headline, body), title_case=True)
        else:
            action = parse_title(headline)
    kind = detect_kind(f"{label} {headline}" if label else headline, body)
    return Reading(
        lang=lang,
        kind=kind,
        label=label,
        headline=headline,
        subject=subject,
        other=other,
        names=tuple(names),
        action=action,
        facts=key_facts(headline, body),
        lead=lead_sentence(headline, body, lang),
    )


def describe(reading: Reading) -> list[tuple[str, str]]:
    """A reading as ``(label, value)`` lines for ``aggregator questions --explain``.

    Args:
        reading: what :func:`read_story` saw.

    Returns:
        One pair per field, ``"-"`` where the story offered nothing.
    """
    action = reading.action
    if action is None:
        act = "-"
    elif action.form == "on":
        act = f"{action.actor} | on | {action.rest}"
    else:
        act = f"{action.actor} | {action.said or action.verb} | {action.rest} ({action.form})"
    facts = reading.facts
    quote = f"\u201c{facts.quote}\u201d" + (f" ({facts.speaker})" if facts.speaker else "")
    lead = reading.lead
    said = f"{lead.speaker} | {lead.claim}" if lead is not None and lead.claim else ""
    rows = [
        ("language", reading.lang or "unknown"),
        ("kind", reading.kind),
        ("label", reading.label),
        ("headline", reading.headline),
        ("subject", reading.subject),
        ("other", reading.other),
        ("act", act),
        ("lead", lead.sentence if lead is not None else ""),
        ("said", said),
        ("claim", facts.claim),
        ("tension", facts.tension),
        ("quote", quote if facts.quote else ""),
        ("figure", facts.figure),
    ]
    return [(label, value or "-") for label, value in rows]
