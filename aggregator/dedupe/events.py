"""Events: which stories report the same happening, across outlets (no I/O).

A *story* is one article however many feeds carry it (see
:mod:`aggregator.dedupe.neardup`); an *event* groups the different articles
that report one happening: "Jesse Jackson dies at 84" from the BBC and
"Tributes pour in after US civil rights icon Jesse Jackson dies" from Al
Jazeera. Stories keep their own text; an event is a grouping over them.

The rules work on *keys*: the words of a story's title and lead (the first
:data:`LEAD_WORDS` words of the body) folded to a stem (case and diacritics
folded, possessive endings and French elisions dropped, English Snowball's
stem cut to :data:`STEM` letters, so "arrests"/"arrested" and
"Maduro"/"Maduros" meet), places in their forms and languages made one key
("Russian", "russischen", "Russie"; "US", "U.S.", "United States"), numbers
written without separators ("400.000" and "400,000" are ``400000``),
function words of the common languages left out, a site's section before
the headline ("World › ") dropped. A key is a *name* when the text writes
it capitalized where capitals tell something (not the first word of a
sentence, not inside a Title Case Headline), in capitals (an acronym), or
when it is a place.

Keys are weighted by their rarity among the stories of the same days
(``idf``): the archive's index of event keys, bucketed by day, gives each
key's document frequency for free when it is probed, so "Trump" weighs
little on a day when every third story names him, and "Jackson" a lot.

:func:`compare` decides a pair, favouring precision (a wrong grouping hides
an article under another's headline):

- never two stories of one outlet (a story joins an event only through
  another outlet's article), nor further apart than ``window``;
- never a roundup, a live blog, a newsletter, a briefing of two items, a
  column, an interview, a headline of two sentences, a feature opening on
  its scene ("With Russia grinding closer, ...") or a look back ("...'s
  history of ...", "Deux ans après, retour sur les attentats de janvier
  2015", "Looking back at ...") (:func:`kind`): a retrospective retells a
  past happening, not the day's news of it, so a memorial inaugurated on the
  anniversary stays apart from it (a current happening dated by a past one,
  "parole a decade after killing", "march on anniversary of independence",
  is a report and is left to the rules below), nor an article whose address files it
  under opinion or analysis ("/opinion/", "/Editorials/", "/meinung/":
  :func:`commentary_url`): they cover many happenings, or comment on one
  rather than report it; an explainer of a past happening ("Why Jamaat, NCP
  Boycotted Tarique Rahman's Swearing-In ...", "What Intelligence Agencies
  Concluded About ...") reports it, and is left to the rules below within
  ``explainer_window`` of the other story;
- the titles must share at least two keys and agree at least ``min_title``;
- the *evidence* decides: ``title_weight`` times the titles' weighted
  agreement plus the rest times the agreement of title and lead together,
  less ``gap_penalty`` in proportion to the time between them (a follow-up
  a day later needs more in common than a same-hour report). Two stories
  sharing a rare name (the actors) need ``threshold``, or ``distinct`` when
  the name is in no other title of their days (a country or city of the
  places table never counts so), or else a ``coverage``: each
  title told in the other story's title and lead; sharing no rare name,
  they need ``nameless`` and three title keys;
- two titles naming the same two actors or more (names at least
  ``actor_idf`` rare; "Jesse Jackson" is one actor, Geneva a venue) and
  sharing a key of their main clauses that is no name (what was done) need
  only ``actors``, however common each actor is on their days: "Iran says
  'guiding principles' agreed with US at nuclear talks" and "Iran foreign
  minister says progress made in nuclear talks with U.S."; a backdrop
  clause ("amid US nuclear talks") is no main clause;
- titles whose numbers disagree ("kills 11" / "kills 28", "2-1" / "0-3":
  different attacks, different games) need ``strong`` agreement;
- a title reporting a person's death ("Civil rights leader Jesse Jackson
  dies") and another naming the same person in full are one event, however
  common the name is that day: obituaries and tributes published with a
  death are its coverage (:func:`_mourned`);
- a reaction stays apart: "X does Y after Z" whose main clause names an
  actor the other story does not and shares no word but names with the
  other title reports another deed after the other's happening
  (:func:`_reaction`);
- a title reporting nothing of a death, but whose lead tells it of the person
  the title names ("Jesse Jackson, who died Tuesday, ..."), is that death's
  coverage too;
- a title denying a name the deed in a contrast ("Congress, not Mexico, to
  pay") stays apart from one giving that name the deed (:func:`_contradiction`);
- two stories in one language telling the same kind of sudden happening (a
  shooting, a blast, a flood: :data:`_INCIDENT_WORDS`) and sharing a rare title
  word that says where (a name, or "airport" in "airport shooting") join
  within ``incident_window`` (:func:`_incident`); a live page on such a
  happening ("Florida attack updates: ...") reports it;
- a title whose main clause shares only the common actor with the other
  title, and has the rest of what they share (a word of what happened among
  it) in its backdrop clause while the other title reports it as its main
  clause, tells another happening against the other's and stays apart
  ("Russia presses demands ... as Ukraine talks move to Geneva" beside the
  talks' report, :func:`_backdrop`);
- titles sharing nothing but one name of several words that is no place
  ("Washington Post") do not join through a distinct name of their leads
  (:func:`_one_name`): an organisation is in many happenings;
- two stories in one language naming the same two actors or more in their
  main clauses, each with a word of one kind of occasion there (talks or a
  deal, an election or a vote, a ruling), join within ``occasion_window``
  however common the actors are (:func:`_occasion`): "Iran FM says agreed
  with US 'on guiding principles' for deal" and "U.S. and Iran wrap up
  second round of nuclear talks";
- two stories in one language whose main clauses each hold a word of one
  kind of occasion, whose titles share a party, and which both name two
  parties or more (countries or the US) in their titles or leads, join within
  ``occasion_window`` (:func:`_occasion_told`): a party may be named only in
  a lead ("... JD Vance After Geneva Talks", whose lead names the US), and a
  main clause naming no one ("Progress but not compromise as ... talks end")
  leaves the title's happening to its "as" clause (:func:`_main_clause`);
- two stories, in one language or two, whose titles tell the same kind of
  happening in any of its words (:data:`_HAPPENING_WORDS`: "sworn in" and
  "takes oath", "memorials" and "mourn", "examine" and "investigate",
  "blast" and "attentat") and which
  both name one rare actor or place that a title names (``angle_idf``) join
  within ``angle_window``, however little their titles agree (two shared
  title keys, as for every rule): the same happening from another angle
  (:func:`_angle`); asked only where the rules above keep the two apart for
  want of agreement, so titles whose numbers disagree, a reaction or a
  backdrop stay apart;
- in different languages, two stories sharing two rare names join when the
  names and numbers of their titles agree ``cross_language`` (an office,
  "President", "PM", is no name there: "President-elect Donald Trump" and "le
  président russe" are two people), or when three
  names or more of one title are told in the other story's title or lead,
  ``told_names`` of them weighted (:func:`_names_told`).

The weights and thresholds were set on the odd-numbered labelled pairs of
``benchmarks/data/events_pairs.jsonl`` (``benchmarks/events_eval.py``) and
checked on the even ones, at a point where their neighbours keep precision
too, rather than at the best recall the set allows.

Cross-language pairs meet through the keys that do not translate: names and
numbers ("Maduro", "400.000"); the caller tells :func:`compare` when the two
are in different languages.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import islice
from typing import Any, cast

__all__ = [
    "APART_KINDS",
    "BUCKET",
    "EventFeatures",
    "EventParams",
    "EventVerdict",
    "LEAD_CHARS",
    "LEAD_WORDS",
    "STEM",
    "commentary_url",
    "compare",
    "day_bucket",
    "document_frequencies",
    "event_features",
    "idf_from_counts",
    "index_keys",
    "key_hash",
    "kind",
    "lookup_buckets",
    "names_retold",
    "remember",
    "tells_happening",
]

LEAD_WORDS = 45
"""Words of the body read after the title: the lead says who did what."""

LEAD_CHARS = 600
"""Characters of the body the lead's words are taken from."""

STEM = 7
"""Letters a stem keeps at most."""

BUCKET = 86400
"""Seconds per bucket of the event-key index: one UTC day."""


class _LazyPattern:
    """A regular expression compiled at its first use, which then takes its place.

    This module's patterns cost about 12 ms of CPU to compile, which every
    command importing the archive would pay, a re-poll of unchanged feeds
    included, though only ingest and event grouping use them. At its first
    use the compiled pattern replaces this stand-in in the module's globals,
    so later uses cost nothing extra.
    """

    __slots__ = ("_name", "_pattern", "_flags", "_done")

    def __init__(self, name: str, pattern: str, flags: int = 0) -> None:
        self._name = name
        self._pattern = pattern
        self._flags = flags
        self._done: re.Pattern[str] | None = None

    def _compiled(self) -> re.Pattern[str]:
        # Compiled once, also for a caller that kept this stand-in (a tuple of patterns).
        if self._done is None:
            self._done = re.compile(self._pattern, self._flags)
            globals()[self._name] = self._done
        return self._done

    def __getattr__(self, attr: str) -> Any:
        # search, match, sub, findall...: those of the compiled pattern.
        return getattr(self._compiled(), attr)


def _lazy_re(name: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)`` for the module global ``name``, compiled at first use."""
    return cast("re.Pattern[str]", _LazyPattern(name, pattern, flags))


_WORD_RE = _lazy_re("_WORD_RE", r"[^\W_]+(?:[.,'’][^\W_]+)*")
_SENTENCE_END = _lazy_re("_SENTENCE_END", r"[.!?:;\"“”‘’«»—–-]\s*$")
_NUMBER_RE = _lazy_re("_NUMBER_RE", r"^\d+(?:[.,]\d+)*$")
# The United States in the words of several languages, read as "US" (see _stem).
_UNITED_STATES = _lazy_re(
    "_UNITED_STATES",
    r"\b(?:the\ )?(?:United\ States(?:\ of\ America)?|Vereinigten?\ Staaten|"
    r"[ÉE]tats-Unis|Estados\ Unidos|Stati\ Uniti)\b"
    r"|\bEE\.\ ?UU\.?(?!\w)|\bEEUU\b",  # the Spanish abbreviation, "EEUU" or "EE.UU."
)
# A site's section before the headline: "World › Florida airport shooting ...".
_BREADCRUMB = _lazy_re("_BREADCRUMB", r"^(?:[^›»|]{1,30}\s[›»]\s+)+")
_SCORE_RE = _lazy_re("_SCORE_RE", r"\b\d{1,2}\s?[-–]\s?\d{1,2}\b")
# A person's age ("18-year-old suspect", "a 26-year-old", "Ein 18-Jähriger", "âgé de
# 18 ans", "de 18 años", "dies aged 84", "dies at 91") tells who, not how many: it is
# no count to disagree with another title's ("kills 9"), but two ages that differ are
# two people (see _numbers_conflict).
_AGE_RE = _lazy_re(
    "_AGE_RE",
    r"(?i)\b(\d{1,3})(?:[-\s](?:year|yr)s?[-\s]old\b|[-\s]?jährig)"
    r"|\b(?:âgée?s?\s+de|de)\s+(\d{1,3})\s+(?:ans|años)\b"
    r"|\b(?:aged|(?:dies|died|dead)\s+at)\s+(\d{1,3})\b",
)

# A death toll in a title ("Car bomb kills 9", "5 dead, 8 injured", "Death toll rises to
# 43", "au moins 43 morts", "Fünf Tote" is a word and not read): outlets report a toll
# as it rises, so two tolls of one happening may differ (see _toll_only).
_TOLL_RE = _lazy_re(
    "_TOLL_RE",
    r"(?i)\b(\d[\d.,]*)\s+(?:(?:people|persons|personnes|Menschen|personas|persone)\s+)?"
    r"(?:dead|killed|die|died|deaths|morts?|tu[ée]s|Tote|Toten|muertos|morti|fatalities)\b"
    r"|\b(?:kills?|killed|killing)\s+(?:at\s+least\s+|more\s+than\s+|over\s+)?(\d[\d.,]*)"
    r"|\btoll\b[^.\d]{0,24}?(\d[\d.,]*)",
)
# A toll told as provisional or rising: "at least 43", "death toll rises to 43", "au
# moins 43 morts", "mindestens 43 Tote", "al menos", "almeno", "bilan".
_RISING_RE = _lazy_re(
    "_RISING_RE",
    r"(?i)\b(?:at\s+least|toll|rises|climbs|au\s+moins|bilan|mindestens|al\s+menos|almeno)\b",
)

# Function words and headline filler of the languages the corpus reads
# (en, de, fr, es, it, pt, nl). Folded (no diacritics, lower case).
_STOP = frozenset(
    """
    a an the and or but nor of to in on at by for with from into onto over under about after
    before as is are was were be been being am do does did done has have had will would can could
    shall should may might must not no yes this that these those it its they them their there
    we our us you your he she his her him i me my what which who whom whose why how when where
    than then so if up down out off new news says said say saying report reports update updates
    live video watch more most just now first last year years day days week weeks month months
    here after amid against via vs versus get gets got make makes made take takes told tell tells
    one two three four five six seven eight nine ten per all any some many much very also
    other others such own same while during between through until since ago according amid
    back still even only both each few again once time times people man woman men women
    mr mrs ms dr st
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december today yesterday tomorrow tonight
    der die das den dem des ein eine einer eines einem einen und oder aber im ins vom zum zur
    auf aus bei mit nach seit von vor zu fur uber unter gegen ohne um ist sind war waren wird
    werden wurde wurden hat haben hatte nicht kein keine auch noch schon wie was wer wo als am
    sich es er sie wir ihr ihre sein seine so dass doch nur mehr neue neuen neuer jetzt heute
    le la les un une des du de et ou mais dans sur par pour avec sans sous chez est sont a ont
    ete etre ce cette ces qui que quoi dont il elle ils elles nous vous se sa son ses leur leurs
    au aux plus ne pas y en apres avant contre selon
    el los las unos unas del al y o pero en con sin sobre por para es son fue era ha han lo
    que se su sus como mas muy ya este esta estos estas ese esa
    il lo gli di da dei delle della per con tra fra che non ma piu
    o os as um uma do da dos das no na nos nas em ao aos com sem
    het een van en op voor met zijn niet ook bij uit
    """.split()
)

# Title openings and phrases of items that cover many happenings. A gallery named
# for one subject ("Jesse Jackson: A life in pictures", "Protests in Russia – in
# pictures") shows one happening; a stream of photos ("Photos: ...") and the
# pictures of the day or week are roundups.
_ROUNDUP_RE = _lazy_re(
    "_ROUNDUP_RE",
    r"""(?ix)
    ^\s*(?:live|live\ updates|latest|the\ latest|watch|listen|podcast|quiz|opinion|analysis|
           editorial|letters?|column|commentary|explainer|newsletter|briefing|factbox|
           photos?|pictures?|gallery|ticker|liveblog|live-blog|live\ blog)\s*[:|–—-]
    | \b(?:what\ to\ know|week\ in\ review|the\ week\ in|news\ briefs?|morning\ briefing|
          evening\ briefing|daily\ briefing|news\ roundup|roundup|round-up|live\ updates|
          as\ it\ happened|live\ blog|liveblog|(?:photos|pictures)\ of\ the\ (?:day|week)|
          best\ photos|today\ -\ |evening\ news|morning\ news|nightly\ news|top\ stories|
          headlines|things\ to\ know|need\ to\ know|newsletter|digest|recap|
          was\ ist\ los|der\ tag|liveticker|le\ point\ sur)\b
    | ^\s*(?:\d{1,2}/\d{1,2}|[a-z]+\s\d{1,2},\s\d{4})\s*:    # "12/18: CBS Evening News"
    | \bupdates?\s*:
    | \bthe\ best\b | \bdeals\b
    | [.!?]\s+(?-i:And)\b    # a briefing's items: "X has died. And, Y set for talks"
    """,
)

# A live page's topic before its label: "Florida attack updates: ...".
_UPDATES_RE = _lazy_re("_UPDATES_RE", r"(?i)^\s*((?:[^\W_]+[\s-]){1,3})updates?\s*:\s*")

# Questions and explainers comment on a happening rather than report it:
# "Why is the Strait of Hormuz so crucial?", "How the Galaxy Z Fold 8 and Z Flip 8 compare".
# A topic before the headline proper: "Fort Lauderdale airport shooting: A look at ...",
# and the explainers' openings after it ("... : What we know" reports the happening).
_TOPIC_RE = _lazy_re("_TOPIC_RE", r"\s*[:|]\s+|\s+[-–—]\s+")
_TOPIC_COLUMN_RE = _lazy_re(
    "_TOPIC_COLUMN_RE",
    r"(?i)(?:why|how|a\ look\ at|inside|mapping|the\ case\ for|the\ case\ against)\b",
)

_COLUMN_RE = _lazy_re(
    "_COLUMN_RE",
    r"""(?ix)
    \?\s*$
    | ^\s*(?:why|how|what|where|who|which|should|can|could|is|are|does|do|will|would|
           a\ look\ at|inside|mapping|the\ case\ for|the\ case\ against)\b
    | \bdiscusses\b    # an interview: "Former envoy discusses US-Iran talks"
    # A feature's scene-setting opener puts the circumstances before the actor:
    # "With Russia grinding closer, Ukrainians weigh the cost of land for peace".
    | ^\s*with\b[^,;:]{3,80},\s
    # A look back rather than a report: "Alexei Navalny and Russia’s history of poisonings".
    | (?:\bthe|['’]s)\s+history\s+of\b
    # A happening taken as the lesson of a wider matter: "Airport shooting highlights
    # limits of security screening", "Bridge collapse exposes flaws in inspections".
    | \b(?:shooting|attack|bombing|blast|explosion|stabbing|crash|derailment|collapse|fire|
          flood|storm|earthquake|quake|riot)s?\s+
      (?:highlights|underscores|underlines|exposes|lays\s+bare|reveals|shows)\s+
      (?:the\s+)?(?:limits|risks|dangers|failures|gaps|flaws|weakness(?:es)?|holes|
                     lessons|need|problems?|shortcomings)\b
    """,
)
# An explainer telling why or how a happening took place, its verb in the past
# ("Why Jamaat, NCP Boycotted Tarique Rahman's Swearing-In", "What Intelligence
# Agencies Concluded About ...", "How Jesse Jackson helped ..."), reports that
# happening with its reasons, unlike a question or a look at what may come ("Why
# is the Strait of Hormuz so crucial?", "How Japan's prime minister will use her
# mandate", "What X's Election Means"). Its opener is no column mark; the title's
# other marks still are. The past is a word of five letters or more ending in
# "ed" (not "-eed": "What You Need to Know"; nor "United") or a common irregular
# past, within six words of the opener.
_EXPLAINED_RE = _lazy_re(
    "_EXPLAINED_RE",
    r"""(?ix)
    ^\s*(?:why|how|what)(?=\s)
    (?=(?:\s+[^\s?]+){0,5}?\s+
       (?:(?!(?:[^\W\d_]*eed|united|hundred)\b)[^\W\d_]{3,}ed
         |said|told|won|lost|made|took|went|got|became|fell|came|led|did|left|sent|found|
          gave|rose|sold|bought|brought|built|paid|held|met|ran|broke|chose|spoke|wrote|
          struck|shot|caught|beat|began)\b)
    """,
)
# A retrospective announces a look back at a past happening, not a new one: "LONG
# FORMAT. Deux ans après, retour sur les attentats de janvier 2015". Asked only of
# titles holding one of _LOOK_BACK_WORDS (lower case), as few do.
_LOOK_BACK_RE = _lazy_re(
    "_LOOK_BACK_RE",
    r"""(?ix)
    (?:^|[,:.]\s*)retour\s+sur\s+(?:les?|la|l['’]|ces?|cette|cet)\b
    | (?:^|[,:.]\s*)(?:rückblick\s+auf|mirada\s+atrás\s+a)\b
    | \blook(?:s|ing)?\s+back\s+(?:at|on)\b
    | \br[eé]trospective\b
    """,
)
_LOOK_BACK_WORDS = ("retour", "back", "rückblick", "mirada", "trospective")
# A headline of two sentences tells a story's arc or a view of it rather than report
# one happening ("Trump said he'd end the war in a day. It's harder than he thought.").
# Abbreviations ("Rev.", "U.S.") end no sentence.
_TWO_SENTENCES_RE = _lazy_re(
    "_TWO_SENTENCES_RE",
    r"(?<![.\w])(?!(?:Rev|Gov|Sen|Rep|Gen|Col|Sgt|Capt|Lt|Dr|Mr|Mrs|Ms|St|Jr|Sr|Inc|Corp|Ltd|Co|"
    r"vs|No|Nr|Mt|Ft)[.])([^\W\d_]{2,})[.!]\s+[A-Z]",
)


# The sections outlets file comment under, as a path segment of the article's
# address: "/opinion/", "/opinions/view/", "/Editorials/the-monitors-view/",
# "/commentisfree/", "/meinung/Kommentar-...", "/analysis/". A company's or
# government's "/blog/" is left out: it announces news as often as it comments.
_COMMENTARY_URL_RE = _lazy_re(
    "_COMMENTARY_URL_RE",
    r"(?i)^[a-z][a-z0-9+.-]*://[^/]+(?:/[^/?#]*)*?/"
    r"(?:opinions?|columns?|columnists?|analysis|commentary|commentisfree|comment|editorials?|"
    r"op-?eds?|meinung|kommentare?|idees|tribunes?|opinion-[a-z-]+)(?:[/?#]|$)",
)


@lru_cache(maxsize=4096)  # asked of each candidate's address at every comparison
def commentary_url(url: str) -> bool:
    """True when an article's address files it under opinion or analysis.

    A column's headline often reads like a report ("The Demise of the
    Washington Post Is a Global Problem"), but outlets file comment under a
    section of its own, and the address keeps it: ``/opinion/``,
    ``/Editorials/``, ``/meinung/``, ``/analysis/``. Such an article comments
    on a happening rather than reports it, so it joins no event (see
    :func:`compare`), like a title :func:`kind` reads as a column.
    """
    return bool(url) and _COMMENTARY_URL_RE.match(url) is not None


def _two_sentences(title: str) -> bool:
    """True when a title holds two sentences (see :data:`_TWO_SENTENCES_RE`).

    A section's label before the headline ("VIDEO. ...", "EN IMAGES. ...",
    "Vidéos. ...") is no sentence: the first must hold three words or more
    and not end in capitals.
    """
    for match in _TWO_SENTENCES_RE.finditer(title):
        if len(title[: match.start()].split()) >= 2 and not match.group(1).isupper():
            return True
    return False


#: Words whose fold, stem and key hash are kept, per cache, at most: the daemon and each
#: parser process hold these three caches, and a word costs each about 200 bytes. The
#: words of news follow Zipf's law: parsing 150 feeds of 100 stories, 8,192 words per
#: cache cost no CPU that measured against 65,536 (about 13 MB per cache when full;
#: that corpus filled them to 24,000 words each).
WORD_CACHE = 1 << 13


@lru_cache(maxsize=WORD_CACHE)
def _fold(text: str) -> str:
    """Case-fold and strip diacritics (NFKD, combining marks dropped)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


# Places written differently by language and as adjectives ("Russia", "Russian",
# "russischen", "Russie", "Rusia"; "Ukraine", "ukrainischen", "Ucrania"): each
# form's stem (see _stem) maps to one key, so the stories of one happening in
# two languages, or one saying "Syria" and the other "Syrian", meet. Closed
# lists of countries, their people and a few capitals; names of persons pass
# through the spelling fold below instead.
_PLACES = {
    "russia": "russia russian russisc russlan russie russe rusia ruso rusa russo russa",
    "ukraine": "ukraine ukraini ucrania ucraina ucrain",
    "syria": "syria syrian syrien syrisch syrie siria sirio siriano",
    "iran": "iran iranian iranisc iranien iranie irani",
    "iraq": "iraq iraqi irak irakisc irakien",
    "israel": "israel israeli israeli israeli israelisch israelien israelit",
    "china": "china chinese chinesi chine chinois china chino",
    "germany": "germany german deutsch deutsc allemag alleman alemani aleman",
    "france": "france french frankre franzos francai francia frances",
    "spain": "spain spanish spanien spanisc espagne espagno espana espanol",
    "italy": "italy italian italien italie italia italien italian",
    "britain": "britain british britisc grossbr britann britan",
    "japan": "japan japanes japanis japon japonai",
    "india": "india indian indien inde indisch",
    "turkey": "turkey turkish turkei turkisc turquie turc turquia",
    "hungary": "hungary hungari ungarn ungaris hongrie hongroi hungria",
    "poland": "poland polish polen polnisc pologne polonai polonia",
    "mexico": "mexico mexican mexiko mexikan mexique mexicai",
    "canada": "canada canadia kanada kanadis canadie",
    "brazil": "brazil brazili brasili brasil bresil bresili",
    "egypt": "egypt egyptia agypten agyptis egypte egypti",
    "ghana": "ghana ghanaia ghanaer ghaneen",
    "ivori": "ivory ivorian ivoire ivoirie elfenbe",  # Ivory Coast, Côte d'Ivoire, Elfenbeinküste
    "kenya": "kenya kenyan kenia kenian",
    "peru": "peru peruvia peruani perouvi",
    "taiwan": "taiwan taiwane taiwana",
    "korea": "korea korean koreani coree coreen",
    "greece": "greece greek griechen grece grec grecia",
    "europe": "europe europea europa europai europee",
    "africa": "africa african afrika afrikan afrique africai",
    "beijing": "beijing peking pekin pechino",
    "moscow": "moscow moskau moscou moscu",
    "kyiv": "kyiv kiev kiew kyjiw",
    "geneva": "geneva genf geneve ginebra ginevra",
    "vienna": "vienna wien vienne viena",
    "brussel": "brussel brussel bruxell brusela",
    "london": "london londres londra",
    "warsaw": "warsaw warscha varsovi varsavi",
    "tehran": "tehran teheran",
    "damascus": "damascu damasku damas damasco",
    "rome": "rome roma",
    "tokyo": "tokyo tokio",
    "belgium": "belgium belgian belgien belgisc belgiqu belge belgica belgio",
    "netherl": "netherl dutch niederl holland olanda holanda",
    "sweden": "sweden swedish schwede suede suecia svezia",
    "norway": "norway norwegi norwege norvege noruega norvegi",
    "denmark": "denmark danish danemar dinamar danimar",
    "finland": "finland finnish finnlan finlandi",
    "austria": "austria osterre autrich",
    "switzer": "switzer swiss schweiz suisse suiza svizzer",
    "portuga": "portuga portugu",
    "ireland": "ireland irish irland irlande irlanda",
    "pakista": "pakista",
    "banglad": "banglad",
    "afghani": "afghani afghan",
    "indones": "indones",
    "philipp": "philipp filipin",
    "vietnam": "vietnam",
    "thailan": "thailan thai",
    "cambodi": "cambodi cambodg kambods",
    "myanmar": "myanmar burma burmese",
    "malaysi": "malaysi",
    "belarus": "belarus",
    "serbia": "serbia serbian serbien serbie",
    "romania": "romania rumanie roumani",
    "croatia": "croatia croatie kroatie",
    "greenla": "greenla gronlan groenla",
    "venezue": "venezue venezol",
    "colombi": "colombi kolumbi",
    "argenti": "argenti",
    "chile": "chile chilean chilien chileno",
    "cuba": "cuba cuban kuba cubain",
    "austral": "austral",
    "saudi": "saudi",
    "qatar": "qatar qatari katar",
    "yemen": "yemen yemeni jemen",
    "lebanon": "lebanon lebanes liban libanon libano",
    "libya": "libya libyan libye libyen libia",
    "sudan": "sudan sudanes soudan",
    "somalia": "somalia somali somalie",
    "nigeria": "nigeria",
    "ethiopi": "ethiopi athiopi",
    "morocco": "morocco morocca marokko maroc marocai marruec",
    "algeria": "algeria algerie",
    "tunisia": "tunisia tunisie tunesie",
    "palesti": "palesti palasti",
}
# French and Italian elided articles and pronouns ("l'Ukraine", "d'Iran", "qu'il", "dell'Iran").
_ELISION = _lazy_re("_ELISION", r"^(?:[cdjlmnst]|qu|dell|all|nell|sull)'(?=\w)")
_ACRONYMS = frozenset({"US", "USA"})
_PLACE_KEYS = frozenset(_PLACES)
# The cities of the table: where things happen (talks in Geneva), not who does them.
_VENUES = frozenset(
    {"beijing", "moscow", "kyiv", "geneva", "vienna", "brussel", "london", "warsaw", "tehran"}
    | {"damascus", "rome", "tokyo"}
)
_PLACE = {form: key for key, forms in _PLACES.items() for form in forms.split()}


@lru_cache(maxsize=WORD_CACHE)
def _stem(word: str) -> str:
    """A folded word's stem: possessive and plural dropped, at most :data:`STEM` letters.

    Places in their forms of several languages and as adjectives meet
    (:data:`_PLACES`), "US" is "U.S." (the pronoun "us" is a function word),
    and French and Italian elisions go ("l'Ukraine" is "Ukraine").
    """
    if word in _ACRONYMS:
        return "u.s"
    word = _ELISION.sub("", _fold(word).replace("’", "'"))
    if word.endswith(("'s", "s'")):
        word = word[:-2]
    word = word.replace("'", "")
    place = _PLACE.get(word[:STEM])
    if place is not None:
        return place
    if word.isalpha():
        return _english_stem(word)[:STEM]
    return word[:STEM]


@lru_cache(maxsize=1)
def _english() -> Callable[[str], str]:
    """English Snowball's ``stemWord`` (PyStemmer in C, else the pure-Python package)."""
    import snowballstemmer  # imported on first use: the search fast path does not need it

    return snowballstemmer.stemmer("english").stemWord  # type: ignore[no-any-return]


def _english_stem(word: str) -> str:
    return _english()(word)


def _number(word: str) -> str | None:
    """A number without separators ("400.000" -> "400000"), or ``None``."""
    if not _NUMBER_RE.match(word):
        return None
    digits = re.sub(r"[.,]", "", word)
    # A decimal ("3.5") keeps its point: only thousands separators go.
    if re.fullmatch(r"\d+[.,]\d{1,2}", word):
        digits = word.replace(",", ".")
    return digits.lstrip("0") or "0"


@dataclass(frozen=True, slots=True)
class EventFeatures:
    """What the event rules read of one story.

    Attributes:
        title_keys: the title's keys, in order, without repeats.
        lead_keys: the keys of the title and the lead together.
        names: the keys written as names (capitalized where it tells, or acronyms).
        numbers: the numbers of the title (folded, without separators); a person's age
            marked ``"18 years"`` (see :data:`_AGE_RE`).
        kind: ``"roundup"``, ``"column"`` or ``""`` (see :func:`kind`).
        scores: the title holds a game's score ("2-1").
        head_keys: the title's keys outside its backdrop clauses (see :func:`_head_words`):
            what the headline says happened, not the circumstances it happened in.
        compounds: pairs of title keys written as one capitalized name ("Jesse
            Jackson", "West Bank"): together they name one actor.
        before_after: the title's keys before its "after"/"following" clause, when it
            has one: what happened after the happening that clause names (see
            :func:`_reaction`); empty otherwise.
        mourned: the name of two capitalized words nearest before a death verb ("Civil
            rights leader Jesse Jackson dies"): the person whose death the title
            reports, or ``None`` (also in a Title Case headline, whose capitals do not
            tell a name: "the Killer Whale Featured in 'Blackfish,' Dies"); when the
            title tells no death but the lead does ("Jesse Jackson, who died Tuesday,
            ..."), the title's first name of two capitalized words.
        denied: names the title sets apart from its deed in a contrast ("Trump asking
            Congress, not Mexico, to pay for border wall": Mexico), see
            :func:`_contradiction`.
        speaker: the keys of the one to four capitalized words that open the title before a
            verb of saying or refusing ("Kremlin rejects claim ...": ``("kremlin",)``),
            see :func:`_statement`; empty otherwise.
    """

    title_keys: tuple[str, ...]
    lead_keys: frozenset[str]
    names: frozenset[str]
    numbers: frozenset[str]
    kind: str = ""
    scores: bool = False
    head_keys: frozenset[str] = frozenset()
    compounds: frozenset[tuple[str, str]] = frozenset()
    before_after: tuple[str, ...] = ()
    mourned: tuple[str, str] | None = None
    denied: frozenset[str] = frozenset()
    speaker: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[Callable[..., EventFeatures], tuple[object, ...]]:
        # The writer receives every new story's features from a parser process and
        # keeps the newest thousands (see :func:`remember`): rebuilt by
        # :func:`_unpickled`, they share their key strings and empty sets with the
        # other stories' (about 1.4 of 5 KB a story otherwise held in copies).
        return (
            _unpickled,
            (
                self.title_keys,
                tuple(self.lead_keys),
                tuple(self.names),
                tuple(self.numbers),
                self.kind,
                self.scores,
                tuple(self.head_keys),
                tuple(self.compounds),
                self.before_after,
                self.mourned,
                tuple(self.denied),
                self.speaker,
            ),
        )


#: The empty key set every story's features share (an empty frozenset costs 216 bytes).
_EMPTY: frozenset[str] = frozenset()


def _keyset(keys: Iterable[str]) -> frozenset[str]:
    """A frozen set of interned keys, its hash table no larger than it needs; :data:`_EMPTY`
    for none.

    A set built from a sequence grows its table as it goes, to up to four times its
    size in slots (a lead's 20-30 keys: 128 slots, 2.2 KB); one built from another set
    is sized once, for twice the keys (64 slots, 1.2 KB). The writer keeps thousands of
    these (see :func:`remember`), so it builds them the second way: about 1 KB less a
    story, the same keys.
    """
    interned = set(map(sys.intern, keys))
    return frozenset(interned) if interned else _EMPTY


def _unpickled(
    title_keys: tuple[str, ...],
    lead_keys: tuple[str, ...],
    names: tuple[str, ...],
    numbers: tuple[str, ...],
    kind: str,
    scores: bool,
    head_keys: tuple[str, ...],
    compounds: tuple[tuple[str, str], ...],
    before_after: tuple[str, ...],
    mourned: tuple[str, str] | None,
    denied: tuple[str, ...],
    speaker: tuple[str, ...] = (),
) -> EventFeatures:
    """Features sent by another process, their keys interned (see :meth:`EventFeatures.__reduce__`).

    Interned strings are shared by every holder and freed with the last one, so
    a key written in the titles of hundreds of stories is held once.
    """
    intern = sys.intern
    return EventFeatures(
        title_keys=tuple(map(intern, title_keys)),
        lead_keys=_keyset(lead_keys),
        names=_keyset(names),
        numbers=_keyset(numbers),
        kind=kind,
        scores=scores,
        head_keys=_keyset(head_keys),
        compounds=(
            frozenset({(intern(a), intern(b)) for a, b in compounds}) if compounds else _EMPTY_PAIRS
        ),
        before_after=tuple(map(intern, before_after)),
        mourned=None if mourned is None else (intern(mourned[0]), intern(mourned[1])),
        denied=_keyset(denied),
        speaker=tuple(map(intern, speaker)),
    )


_EMPTY_PAIRS: frozenset[tuple[str, str]] = frozenset()


def kind(title: str) -> str:
    """What a title announces: ``"roundup"``, ``"column"``, ``"explainer"`` or ``""`` (a report).

    Live blogs, newsletters, briefings, "The Latest:", "What to know",
    galleries, deals lists and daily programmes ("12/18: CBS Evening News")
    cover many happenings (``"roundup"``); questions and explainers ("Why
    ...?", "How ...", "Shooting: A look at ...") comment on one rather than
    report it (``"column"``), also after a topic and a colon. Updates on one
    sudden happening ("Florida attack updates: Fort Lauderdale airport reopens
    after shooting", see :data:`_INCIDENT_WORDS`) report it; updates on a
    place or a war ("Ukraine updates: ...") are a live page of many.
    An explainer of a past happening, its verb in the past ("Why Jamaat, NCP
    Boycotted Tarique Rahman's Swearing-In As Bangladesh PM", see
    :data:`_EXPLAINED_RE`), reports that happening with its reasons
    (``"explainer"``): it joins the happening's reports published within
    ``explainer_window`` of it (see :func:`compare`), not the next days' news.
    """
    updates = _UPDATES_RE.match(title) if "pdate" in title else None
    if updates and _incidents() & {_stem(w) for w in _WORD_RE.findall(updates.group(1))}:
        title = title[updates.end() :]
    if _ROUNDUP_RE.search(title):
        return "roundup"
    explained = _EXPLAINED_RE.match(title) if not title.rstrip().endswith("?") else None
    # An explainer of a past happening is read without its opener (see _EXPLAINED_RE).
    if _COLUMN_RE.search(title[explained.end() :] if explained else title) or _two_sentences(title):
        return "column"
    if explained:
        return "explainer"
    lower = title.lower()
    if any(w in lower for w in _LOOK_BACK_WORDS) and _LOOK_BACK_RE.search(title):
        return "column"
    after = _TOPIC_RE.split(title, maxsplit=1)[1:]
    return "column" if after and _TOPIC_COLUMN_RE.match(after[0]) else ""


def _tokens(text: str) -> list[tuple[str, bool, bool]]:
    """Words of a text with (word, starts a sentence, capitalized)."""
    out: list[tuple[str, bool, bool]] = []
    last = 0
    first = True
    for match in _WORD_RE.finditer(text):
        between = text[last : match.start()]
        starts = first or bool(_SENTENCE_END.search(between))
        word = match.group()
        out.append((word, starts, word[:1].isupper()))
        last = match.end()
        first = False
    return out


def _is_title_case(tokens: Sequence[tuple[str, bool, bool]]) -> bool:
    """True when a title capitalizes its content words, so capitals tell nothing."""
    content = [w for w, _, _ in tokens if _fold(w) not in _STOP and not w[:1].isdigit()]
    if len(content) < 3:
        return False
    capitals = sum(1 for w in content if w[:1].isupper())
    return capitals >= 0.75 * len(content)


#: The newest stories' features by the hash of their title and lead (see :func:`remember`).
#: The hash, not the text: the text of 4,096 stories would hold about 3.3 MB more in
#: the writer. A story's text sharing its 64-bit hash with one of 4,096 others is a
#: chance of about one in 4 x 10^15 per lookup.
_CACHE: dict[int, EventFeatures] = {}
_CACHE_SIZE = 4096


def event_features(title: str, body: str, *, cache: bool = True) -> EventFeatures:
    """The keys, names and numbers of a story's title and lead (pure; cached, as candidates recur).

    Args:
        title: the story's title (plain text).
        body: the story's body (plain text); only its first :data:`LEAD_WORDS` words
            within :data:`LEAD_CHARS` characters are read.
        cache: look the story up in, and add it to, the cache of the newest stories'
            features; without it the features are computed afresh. The writer looks up
            candidates there; a parser process computes each story's features once and
            hands them over, so the cache would only hold its memory (about 2 KB a story,
            4,096 stories).

    Returns:
        The story's :class:`EventFeatures`.
    """
    lead = body[:LEAD_CHARS]
    if not cache:
        return _features(title, lead)
    found = _CACHE.get(hash((title, lead)))
    if found is None:
        found = _features(title, lead)
        remember(title, lead, found)
    return found


def remember(title: str, body: str, features: EventFeatures) -> None:
    """Keep a story's features, computed elsewhere (a parser process), for later lookups.

    The cache holds the newest :data:`_CACHE_SIZE` stories' features: the
    candidates of a new story are the stories of the last days, so the writer
    rarely computes features twice.
    """
    if len(_CACHE) >= _CACHE_SIZE:
        for key in list(islice(_CACHE, _CACHE_SIZE // 4)):
            del _CACHE[key]
    _CACHE[hash((title, body[:LEAD_CHARS]))] = features


def _features(title: str, lead: str) -> EventFeatures:
    title = _UNITED_STATES.sub("US", _BREADCRUMB.sub("", title))
    title_tokens = _tokens(title)
    lead_tokens = _tokens(_UNITED_STATES.sub("US", " ".join(lead.split()[:LEAD_WORDS])))
    title_case = _is_title_case(title_tokens)
    head = _head_words(title)
    sequel = _AFTER_RE.search(title)
    if sequel and _ATTRIBUTION_RE.search(title[: sequel.start()]):
        # "Iran has not agreed to ...: JD Vance After Geneva Talks": the words
        # before "after" only name who said the quote, and "after" dates the
        # saying; no deed of a new actor follows the other story's happening.
        sequel = None
    before_after = frozenset(_WORD_RE.findall(title[: sequel.start()])) if sequel else frozenset()
    main_keys: list[str] = []
    death = _DEATH_RE.search(title)
    before_death = frozenset(_WORD_RE.findall(title[: death.start()])) if death else frozenset()
    mourned: tuple[str, str] | None = None
    # No death in the title, but the lead tells one ("Jesse Jackson, who died Tuesday, ..."):
    # the title's first full name is the person mourned (a profile or gallery of the day).
    mourned_in_lead = (
        not death
        and any(w in lead for w in _LEAD_DEATH_WORDS)  # cheaper than the search, mostly false
        and bool(_LEAD_DEATH_RE.search(lead))
    )
    denied_words = (
        frozenset(w for m in _DENIED_RE.finditer(title) for w in _WORD_RE.findall(m.group(1)))
        if ", not " in title
        else frozenset()
    )
    denied: set[str] = set()
    # Each title word preceded by a capitalized word with only a space between.
    adjoining: dict[str, str] = {}
    for m in _ADJOINING_RE.finditer(title):
        adjoining.setdefault(m.group(2), _stem(m.group(1)))
    names: set[str] = set()
    lower_seen: set[str] = set()
    head_keys: set[str] = set()
    compounds: set[tuple[str, str]] = set()
    previous = ""  # the key of the title's previous word when capitalized and just before
    title_keys: list[str] = []
    numbers: set[str] = set()
    ages = (
        {m.group(1) or m.group(2) or m.group(3) for m in _AGE_RE.finditer(title)}
        if any(w in title for w in ("old", "Old", "OLD", "hrig", " ans", " años", "aged", " at "))
        else ()
    )
    tolls = (
        {m.group(1) or m.group(2) or m.group(3) for m in _TOLL_RE.finditer(title)}
        if any(w in title for w in _TOLL_WORDS)
        else ()
    )
    rising = bool(tolls) and _RISING_RE.search(title) is not None
    lead_keys: set[str] = set()
    for source, tokens in (("title", title_tokens), ("lead", lead_tokens)):
        for word, starts, capital in tokens:
            number = _number(word)
            if number is not None:
                if len(number) >= 4 or source == "title":
                    key = "#" + number
                    lead_keys.add(key)
                    if source == "title":
                        numbers.add(number + _AGE if number in ages else number)
                        if word in tolls:  # a toll is a number too, also marked
                            numbers.add(number + (_RISING if rising else _TOLL))
                        if key not in title_keys:
                            title_keys.append(key)
                continue
            folded = _fold(word)
            if (folded in _STOP and word not in _ACRONYMS) or len(folded) < 2 or folded.isdigit():
                continue
            key = _stem(word)
            if len(key) < 2 or key in _STOP:
                continue
            lead_keys.add(key)
            if source == "title":
                if key not in title_keys:
                    title_keys.append(key)
                if word in head:
                    head_keys.add(key)
                if word in before_after and key not in main_keys:
                    main_keys.append(key)
                if capital and previous and adjoining.get(word) == previous:
                    compounds.add((previous, key))
                    if word in before_death and not title_case:
                        mourned = (previous, key)
                    elif mourned_in_lead and mourned is None and not title_case:
                        mourned = (previous, key)
                if word in denied_words and capital:
                    denied.add(key)
                previous = key if capital else ""
            acronym = len(word) >= 2 and word.isupper() and word.isalpha()
            if key in _PLACE_KEYS or key == "u.s":
                names.add(key)  # a place is a name wherever it stands ("Ukraine: ...")
            elif acronym or (capital and not starts and not (source == "title" and title_case)):
                names.add(key)
            elif not capital:
                lower_seen.add(key)
    # A word also written in lower case is a common word capitalized by position.
    names -= {k for k in lower_seen if k in names and not k.isupper() and k not in _PLACE_KEYS}
    return EventFeatures(
        title_keys=tuple(title_keys),
        lead_keys=frozenset(lead_keys),
        names=frozenset(names) or _EMPTY,
        numbers=frozenset(numbers) or _EMPTY,
        kind=kind(title),
        scores=bool(_SCORE_RE.search(title)),
        head_keys=frozenset(head_keys) or _EMPTY,
        compounds=frozenset(compounds) or _EMPTY_PAIRS,
        before_after=tuple(main_keys),
        mourned=mourned,
        denied=(frozenset(denied - lower_seen) or _EMPTY) if not title_case else _EMPTY,
        speaker=_speaker(title),
    )


# A headline tells what happened in its main clause and the circumstances in a
# clause opened by "amid", "during", "as", "ahead of", "despite" or "while", up
# to the next comma, colon or dash: "Iran closes Strait of Hormuz amid US
# nuclear talks" reports a closure, not the talks. Two headlines naming the same
# actors report one happening when they share what happened, not the backdrop.
_BACKDROP_RE = _lazy_re(
    "_BACKDROP_RE",
    r"(?i)(?:^|(?<=\s))(?:amid|amidst|during|as|ahead\s+of|despite|while)\b[^,;:–—|]*",
)


# A death reported in a title, in the common languages of the corpus.
_DEATH_RE = _lazy_re(
    "_DEATH_RE",
    r"(?i)\b(?:dies|died|dead\s+at|has\s+died|passes\s+away|passed\s+away|meurt|est\s+mort|"
    r"stirbt|ist\s+tot|gestorben|muere|murió|fallece|falleció|morto|è\s+morta?)\b",
)

# A death told in the lead of a title that names the dead person ("Jesse Jackson's
# journey ..." / "Jesse Jackson, who died Tuesday, fought for ..."): a relative clause
# on the person, in the common languages of the corpus.
_LEAD_DEATH_RE = _lazy_re(
    "_LEAD_DEATH_RE",
    r"(?i)\b(?:who\s+(?:has\s+)?(?:died|passed\s+away)|qui\s+est\s+(?:mort|décédé)e?|"
    r"der\s+(?:am\s+\w+\s+)?(?:gestorben|verstorben)|que\s+(?:murió|falleció))\b",
)

_LEAD_DEATH_WORDS = ("died", "passed", "mort", "décédé", "storben", "murió", "falleció")

# A contrast that denies a name the deed of the title: "Donald Trump asking Congress,
# not Mexico, to pay for border wall" (Mexico is named as not paying).
_DENIED_RE = _lazy_re("_DENIED_RE", r",\s+not\s+((?:[A-Z][\w'’.-]*\s?){1,3}),")

# "X does Y after Z": the clause after "after" or "following" names an earlier
# happening, the main clause what was done since.
_AFTER_RE = _lazy_re("_AFTER_RE", r"(?i)\s(?:after|following)\s")
# A quote's speaker after a colon and just before "after": one to four
# capitalized words and nothing else ("...: JD Vance", "...: Top Official").
_ATTRIBUTION_RE = _lazy_re("_ATTRIBUTION_RE", r":\s+(?:[A-Z][\w.'’-]*\s*){1,4}$")

_ADJOINING_RE = _lazy_re(
    "_ADJOINING_RE", r"(?<![^\W_])([^\W_]+(?:[.,'’][^\W_]+)*) (?=([^\W_]+(?:[.,'’][^\W_]+)*))"
)


# A title opening on who speaks: one to four capitalized words, then a verb of saying or
# refusing ("Sheinbaum says Mexico declines ...", "Kremlin rejects claim ..."), after a
# topic and a colon at most ("Ukraine: Zelensky says ..."). A Title Case headline
# capitalizes the verb too and never matches.
_SPEAKER_RE = _lazy_re(
    "_SPEAKER_RE",
    r"^(?:[^:]{0,30}:\s)?((?:[A-Z][\w'’.-]*\s){0,3}[A-Z][\w'’.-]*)\s"
    r"(?:says|said|tells|told|warns|urges|claims|declines|rejects|denies)\b",
)


_SPEAKER_VERBS = (" says", " said", " tel", " told", " warns", " urges", " claims", " declines",
                  " rejects", " denies")  # fmt: skip


def _speaker(title: str) -> tuple[str, ...]:
    """The keys of the speaker that opens a title (see :data:`_SPEAKER_RE`), or ``()``."""
    if not any(v in title for v in _SPEAKER_VERBS):  # cheaper than the search, mostly false
        return ()
    m = _SPEAKER_RE.search(title)
    if m is None:
        return ()
    keys = (_stem(w) for w in _WORD_RE.findall(m.group(1)) if _fold(w) not in _STOP)
    return tuple(k for k in keys if len(k) >= 2 and k not in _STOP)


def _head_words(title: str) -> frozenset[str]:
    """The words of a title outside its backdrop clauses (see :data:`_BACKDROP_RE`)."""
    return frozenset(_WORD_RE.findall(_BACKDROP_RE.sub(" ", title)))


@dataclass(frozen=True, slots=True)
class EventParams:
    """The ``[events]`` settings.

    Attributes:
        enabled: group stories into events at ingest.
        window: two stories of one event are published at most this far apart.
        threshold: the evidence (see :func:`compare`) that makes one event.
        title_weight: the titles' share of the evidence (the rest is title and lead together).
        gap_penalty: evidence taken off for stories a whole ``window`` apart (in proportion).
        nameless: the evidence that makes one event when the two share no rare name.
        min_title: weighted agreement of the titles below which nothing joins.
        strong: agreement of title and lead required when the titles' numbers disagree.
        min_idf: a shared name counts only when at least this rare (log scale: 4 is a
            name in about one story of 20 of the window's days).
        cross_language: agreement of the titles' names and numbers that makes one event of
            two stories in different languages sharing two rare names.
        max_candidates: stories compared at most per new story.
        distinct: the evidence that makes one event when the two share a *distinct*
            name, one that at most :data:`DISTINCT` titles of their days hold.
        coverage: how much of each title the other story's title and lead hold
            (weighted, the mean of both ways, less the time penalty) that makes one
            event of two stories sharing a rare name, however differently titled.
        actors: the evidence that makes one event when the titles name the same two
            actors or more and share what happened in their main clauses (see
            :func:`compare`), however common the actors are on those days.
        actor_idf: a title's name counts as an actor only when at least this rare (log
            scale: 3 leaves out a name in one story of eight of the days).
        incident_window: two stories in one language telling the same kind of sudden
            happening (a shooting, a blast, a flood) and sharing a rare title word are
            one event when published at most this far apart (see :func:`_incident`).
        told_names: the weighted share of one title's names and numbers that the other
            story, in another language, tells in its title or lead, that makes one event
            (see :func:`_names_told`).
        occasion_window: two stories in one language naming the same two actors or more
            in their main clauses, each with a word of one kind of occasion (talks or a
            deal, an election or a vote, a ruling), are one event when published at most
            this far apart (see :func:`_occasion`); so are two whose main clauses hold a
            word of one occasion and that both name two parties or more in their titles
            or leads (see :func:`_occasion_told`).
        angle_window: two stories (in any languages) whose titles tell the same kind of
            happening (a shooting, a swearing-in, a memorial, ...) and which both name a
            rare actor or place that a title names are one event when published at most
            this far apart, however little their titles agree (see :func:`_angle`).
        angle_idf: how rare (log scale, like ``min_idf``) the name those two stories share
            must be: 3.5 is a name in about one title of 12 of their days.
        explainer_window: an explainer of a past happening ("Why X boycotted Y's
            swearing-in", see :func:`kind`) is compared with stories published at most
            this far from it: it explains the day's happening, while a day later the same
            actors are often in the next one (a hearing after a report).
        one_key_idf: how rare (log scale) the one title key two stories share must be for
            the pair to be compared at all (two shared title keys always are): such a
            pair joins only by the angle rule (see :func:`_angle`), and only a story whose
            title tells a kind of happening seeks them (see :func:`tells_happening`). 4.4
            is a key in about one title of 30 of their days.
        toll: the evidence that makes one event of two stories in one language or two
            whose titles disagree only on a death toll ("au moins 43 morts" / "fait 19
            morts": a toll told as it rose, see :func:`_toll_only`), published at most
            ``incident_window`` apart and sharing a rare name; above ``threshold``, as two
            attacks of one day in one city share their words too.
    """

    enabled: bool = True
    window: timedelta = timedelta(hours=36)
    threshold: float = 0.24
    title_weight: float = 0.3
    gap_penalty: float = 0.3
    nameless: float = 0.45
    min_title: float = 0.1
    strong: float = 0.8
    min_idf: float = 4.4
    cross_language: float = 0.4
    max_candidates: int = 8
    distinct: float = 0.16
    coverage: float = 0.44
    actors: float = 0.15
    actor_idf: float = 3.0
    incident_window: timedelta = timedelta(hours=16)
    told_names: float = 0.8
    occasion_window: timedelta = timedelta(hours=16)
    angle_window: timedelta = timedelta(hours=12)
    angle_idf: float = 3.5
    one_key_idf: float = 4.4
    explainer_window: timedelta = timedelta(hours=16)
    toll: float = 0.4


@dataclass(frozen=True, slots=True)
class EventVerdict:
    """The decision on a pair, with what it rests on (for ``events --explain``).

    Attributes:
        same: the two stories report one happening.
        rule: the deciding rule, one short phrase.
        score: weighted agreement of title and lead keys (cosine, 0-1).
        title_score: weighted agreement of the titles (0-1).
        shared_title: keys the titles share.
        shared_names: rare names the two share.
        gap: the time between the two.
        evidence: the weighted sum the decision compares with the thresholds.
    """

    same: bool
    rule: str
    score: float = 0.0
    title_score: float = 0.0
    shared_title: tuple[str, ...] = ()
    shared_names: tuple[str, ...] = ()
    gap: timedelta = field(default_factory=timedelta)
    evidence: float = 0.0


IdfFn = Callable[[str], float]

#: The kinds of title (see :func:`kind`) that join no event.
APART_KINDS = frozenset({"roundup", "column"})


def _cosine(a: EventFeatures, b: EventFeatures, idf: IdfFn) -> float:
    """Cosine of the two stories' key weights.

    A title key weighs twice its rarity, the lead's other keys 1: rarity is
    known for title keys only (the index holds those), and the lead's words
    support a match rather than make it. Title keys are among the lead keys,
    so only the shared keys and the titles are visited.
    """
    ta, tb = set(a.title_keys), set(b.title_keys)
    dot = 0.0
    for k in a.lead_keys & b.lead_keys:
        w = 2.0 * idf(k)
        dot += (w if k in ta else 1.0) * (w if k in tb else 1.0)
    norm_a = sum(4.0 * idf(k) ** 2 for k in ta) + len(a.lead_keys) - len(ta)
    norm_b = sum(4.0 * idf(k) ** 2 for k in tb) + len(b.lead_keys) - len(tb)
    norm = math.sqrt(norm_a * norm_b)
    return dot / norm if norm > 0 else 0.0


def _title_score(a: EventFeatures, b: EventFeatures, idf: IdfFn) -> float:
    """Weighted Jaccard of the title keys."""
    ka, kb = set(a.title_keys), set(b.title_keys)
    union = sum(idf(k) for k in ka | kb)
    return sum(idf(k) for k in ka & kb) / union if union else 0.0


def compare(
    a: EventFeatures,
    b: EventFeatures,
    *,
    published_a: datetime,
    published_b: datetime,
    idf: IdfFn,
    params: EventParams | None = None,
    same_outlet: bool = False,
    other_language: bool = False,
    url_a: str = "",
    url_b: str = "",
) -> EventVerdict:
    """Decide whether two stories report the same happening.

    Args:
        a: the first story's features.
        b: the second story's features.
        published_a: when the first was published (UTC).
        published_b: when the second was published (UTC).
        idf: a key's rarity among the stories of their days (:func:`idf_from_counts`).
        params: the thresholds (defaults: :class:`EventParams`).
        same_outlet: both come from one outlet (they never join through each other).
        other_language: the two are written in different languages (their words do not
            meet; their names and numbers do).
        url_a: the first story's address, when known (see :func:`commentary_url`).
        url_b: the second story's address, when known.

    Returns:
        The verdict, with the scores and the deciding rule.
    """
    params = params or EventParams()
    gap = abs(published_a - published_b)
    if same_outlet:
        return EventVerdict(False, "same outlet", gap=gap)
    if gap > params.window:
        return EventVerdict(False, f"published {gap} apart (window {params.window})", gap=gap)
    if a.kind in APART_KINDS or b.kind in APART_KINDS:
        return EventVerdict(False, "a roundup, live blog or column covers many happenings", gap=gap)
    if gap > params.explainer_window and "explainer" in (a.kind, b.kind):
        return EventVerdict(
            False,
            f"an explainer published {gap} apart (explainer window {params.explainer_window})",
            gap=gap,
        )
    if commentary_url(url_a) or commentary_url(url_b):
        return EventVerdict(False, "an address filed under opinion or analysis", gap=gap)
    keys_b = set(b.title_keys)
    shared_title = tuple(k for k in a.title_keys if k in keys_b)

    if len(shared_title) < 2:
        # Every rule below needs two shared title keys: decided without scoring. The
        # archive's index finds as candidates stories sharing two title keys, and those
        # sharing one rare title key when a title tells a kind of happening (see
        # tells_happening): those are asked only the angle rule, within its window.
        if len(shared_title) == 1 and idf(shared_title[0]) >= params.one_key_idf:
            angle = _another_angle(a, b, gap, idf, params)
            if angle:
                return EventVerdict(
                    True,
                    f"one rare title key ({shared_title[0]}), {angle}",
                    shared_title=shared_title,
                    gap=gap,
                )
            # A retelling in another language keeps the names and numbers of the
            # first title, not its words: "Vague de froid en Europe : sept morts en
            # Italie, dix en Pologne" and "Kältewelle in Europa: ..." whose lead
            # tells Poland and Italy share one title key; three of the one title's
            # names told in the other story (see _names_told) make the retelling.
            told = max(_names_told(a, b, idf), _names_told(b, a, idf)) if other_language else 0.0
            if told >= params.told_names:
                return EventVerdict(
                    True,
                    f"one rare title key ({shared_title[0]}), other languages, one title's"
                    f" names told in the other story ({told:.2f} >= {params.told_names})",
                    shared_title=shared_title,
                    gap=gap,
                )
        return EventVerdict(
            False, "titles share fewer than two keys", shared_title=shared_title, gap=gap
        )
    title_score = _title_score(a, b, idf)
    # Titles in other words agree little; the parties of one occasion told in both
    # stories (see _occasion_told) are read however little the titles agree.
    if (
        title_score < params.min_title
        and not other_language
        and not (gap <= params.occasion_window and _occasion_told(a, b, shared_title))
    ):
        # Decided on the titles alone: the costlier agreement of the leads is left out.
        angle = _another_angle(a, b, gap, idf, params)
        if angle:
            return EventVerdict(
                True, angle, title_score=title_score, shared_title=shared_title, gap=gap
            )
        return EventVerdict(
            False,
            f"title agreement {title_score:.2f} < {params.min_title}",
            title_score=title_score,
            shared_title=shared_title,
            gap=gap,
        )
    names_a = a.names | (a.lead_keys & {k for k in b.names})
    names_b = b.names | (b.lead_keys & {k for k in a.names})
    shared_names = tuple(
        sorted(
            k
            for k in (names_a & names_b)
            if k in a.lead_keys and k in b.lead_keys and idf(k) >= params.min_idf
        )
    )
    score = _cosine(a, b, idf)
    late = params.gap_penalty * (gap / params.window)
    evidence = params.title_weight * title_score + (1 - params.title_weight) * score - late

    def verdict(same: bool, rule: str) -> EventVerdict:
        return EventVerdict(
            same, rule, score, title_score, shared_title, shared_names, gap, evidence
        )

    conflict = _numbers_conflict(a, b)
    # Tolls alone that differ within hours may be one toll told as it rose (see
    # _toll_only), when a rare name and more evidence than usual tell one happening.
    toll = (
        _toll_only(a, b)
        if conflict and gap <= params.incident_window and shared_names and evidence >= params.toll
        else ""
    )
    if conflict and not toll:
        if score >= params.strong:
            return verdict(
                True,
                f"numbers differ ({conflict}) but agreement {score:.2f} >= strong {params.strong}",
            )
        return verdict(False, f"numbers differ ({conflict})")
    reaction = _reaction(a, b) or _reaction(b, a)
    if reaction:
        return verdict(False, reaction)
    statement = _statement(a, b) or _statement(b, a)
    if statement:
        return verdict(False, statement)
    contradiction = _contradiction(a, b) or _contradiction(b, a)
    if contradiction:
        return verdict(False, contradiction)
    if toll:
        return verdict(
            True,
            f"{toll} told within {params.incident_window}, evidence {evidence:.2f}"
            f" >= {params.toll}",
        )
    if other_language:
        # An office ("President", "PM") names whoever holds it in each story.
        if sum(1 for k in shared_names if k not in _roles()) >= 2:
            names = _names_agreement(a, b, idf)
            if names >= params.cross_language:
                return verdict(
                    True,
                    f"other languages, the titles' names and numbers agree"
                    f" ({names:.2f} >= {params.cross_language})",
                )
        told = max(_names_told(a, b, idf), _names_told(b, a, idf))
        if told >= params.told_names:
            return verdict(
                True,
                f"other languages, one title's names told in the other story"
                f" ({told:.2f} >= {params.told_names})",
            )
        if title_score < params.min_title:
            angle = _another_angle(a, b, gap, idf, params)
            if angle:
                return verdict(True, angle)
            return verdict(False, f"title agreement {title_score:.2f} < {params.min_title}")
    mourned = _mourned(a, b) or _mourned(b, a)
    if mourned:
        return verdict(True, f"the death of {mourned} and a story naming them")
    backdrop = _backdrop(a, b, shared_title) or _backdrop(b, a, shared_title)
    if backdrop:
        return verdict(False, backdrop)
    actors, action = _actors_and_action(a, b, shared_title, idf, params.actor_idf)
    if len(actors) >= 2 and action and evidence >= params.actors:
        return verdict(
            True,
            f"the same actors ({', '.join(actors)}) and what they did ({', '.join(action)}),"
            f" evidence {evidence:.2f} >= {params.actors}",
        )
    occasion = _occasion(a, b, shared_title)
    if occasion and not other_language and gap <= params.occasion_window:
        return verdict(
            True,
            f"the same actors ({', '.join(occasion[1])}) at one {occasion[0]}"
            f" within {params.occasion_window}",
        )
    parties = _occasion_told(a, b, shared_title)
    if parties and not other_language and gap <= params.occasion_window:
        return verdict(
            True,
            f"the same parties ({', '.join(parties[1])}) told at one {parties[0]}"
            f" within {params.occasion_window}",
        )
    incident = _incident(a, b, shared_title, idf, params.min_idf)
    if incident and not other_language and gap <= params.incident_window:
        return verdict(
            True,
            f"the same kind of happening ({incident[0]}) and a rare word ({incident[1]})"
            f" within {params.incident_window}",
        )
    if not shared_names:
        if evidence >= params.nameless and len(shared_title) >= 3:
            return verdict(True, f"no rare name, but evidence {evidence:.2f} >= {params.nameless}")
        angle = _another_angle(a, b, gap, idf, params)
        if angle:
            return verdict(True, angle)
        return verdict(False, "no rare name in common")
    if evidence >= params.threshold:
        return verdict(True, f"evidence {evidence:.2f} >= {params.threshold}")
    # A country or city of the places table is the setting of many happenings, however
    # few titles of the days name it: only a person's, company's or other name is distinct.
    distinct = [
        k for k in shared_names if k not in _PLACE_KEYS and _stories_with(idf, k) < DISTINCT + 0.5
    ]
    if distinct and not other_language:
        one = _one_name(a, b, shared_title)
        if one:
            return verdict(False, f"the titles share one name only ({one})")
    if distinct and evidence >= params.distinct:
        return verdict(
            True,
            f"distinct name ({', '.join(distinct)}), evidence {evidence:.2f} >= {params.distinct}",
        )
    covered = (_coverage(a, b, idf) + _coverage(b, a, idf)) / 2 - late
    if covered >= params.coverage:
        return verdict(
            True, f"each title told in the other story ({covered:.2f} >= {params.coverage})"
        )
    angle = _another_angle(a, b, gap, idf, params)
    if angle:
        return verdict(True, angle)
    return verdict(False, f"evidence {evidence:.2f} < {params.threshold}")


def _another_angle(
    a: EventFeatures, b: EventFeatures, gap: timedelta, idf: IdfFn, params: EventParams
) -> str:
    """The angle rule's reason when it joins the two, or ``""`` (see :func:`_angle`).

    ``compare`` asks it where the other rules would keep the two apart.
    """
    if gap > params.angle_window:
        return ""
    angle = _angle(a, b, idf, params.angle_idf)
    if not angle or _numbers_conflict(a, b) or _reaction(a, b) or _reaction(b, a):
        return ""
    if _statement(a, b) or _statement(b, a):
        return ""
    return (
        f"another angle: the same kind of happening ({angle[0]}) and a rare name"
        f" ({angle[1]}) within {params.angle_window}"
    )


def _backdrop(a: EventFeatures, b: EventFeatures, shared_title: Sequence[str]) -> str:
    """Describe how ``a`` tells ``b``'s happening only as its backdrop, or ``""``.

    "Russia presses demands, and faces pressure, as Ukraine talks move to
    Geneva" shares four title keys with "Russian and Ukrainian officials meet
    in Geneva for US-brokered talks", but its main clause shares only the
    actor (Russia): the talks are its circumstances (a backdrop clause, see
    :func:`_head_words`), and what it reports is Russia's stance. So with
    "Navalny's mom calls for justice as Russia rejects dart frog poison claim"
    beside "The frog poison that killed Alexei Navalny likely lab-made", and
    "Iran temporarily closed the Strait of Hormuz as it held latest round of
    indirect talks with US" beside "US and Iran to meet for second round of
    nuclear talks". The rule holds when ``a``'s main clause shares exactly one
    key with ``b``'s title and it is a name (the common actor), and the other
    shared keys stand in ``a``'s backdrop and in ``b``'s main clause, one of
    them at least no name (a word of what happened, "talks", "poison"): a
    backdrop naming only people ("as Trump deepens ties with Orbán") tells
    who is about, not another happening.
    """
    if not a.head_keys or a.head_keys.issuperset(a.title_keys):
        return ""  # no backdrop clause
    shared = [k for k in shared_title if not k.startswith("#")]
    main = [k for k in shared if k in a.head_keys]
    behind = [k for k in shared if k not in a.head_keys]
    names = a.names | b.names
    if len(main) != 1 or main[0] not in names or not behind:
        return ""
    if all(k in b.head_keys for k in behind) and any(k not in names for k in behind):
        return (
            f"another happening: one title tells the other's happening ({', '.join(behind)})"
            f" only as its backdrop, and shares only {main[0]} in its main clause"
        )
    return ""


def _one_name(a: EventFeatures, b: EventFeatures, shared_title: Sequence[str]) -> str:
    """The one name of several words that is all the titles share, or ``""``.

    "The Demise of the Washington Post Is a Global Problem" and "Jeff Bezos:
    cutting the legs off The Washington Post" share only the newspaper's
    name: an organisation, a programme or a person is in many happenings, and
    titles sharing nothing besides it (no second actor, no word of what
    happened) tell different news of it, however rare its other names in the
    leads (Bezos). A country of several words ("Ivory Coast") is a place,
    the setting of one happening's reports, and is left to the other rules.
    """
    keys = {k for k in shared_title if not k.startswith("#")}
    for first, second in sorted(a.compounds | b.compounds):
        if keys <= {first, second} and not {first, second} & _PLACE_KEYS:
            return f"{first} {second}"
    return ""


_OCCASION_WORDS = {
    "negotiation": "talk talks negotiation negotiations negotiate negotiators deal agreement"
    " agreed agree accord pact summit",
    "vote": "election elections vote votes voted voters ballot",
    "ruling": "ruling verdict ruled",
}
"""Words of an occasion two parties meet at, by kind: a negotiation, a vote, a ruling."""


@lru_cache(maxsize=1)
def _occasions() -> dict[str, str]:
    """Each stem of :data:`_OCCASION_WORDS` and its kind (computed on first use)."""
    return {_stem(w): kind for kind, words in _OCCASION_WORDS.items() for w in words.split()}


def _occasion_kinds(keys_a: Iterable[str], keys_b: Iterable[str]) -> list[str]:
    """The kinds of occasion (:data:`_OCCASION_WORDS`) both sets of keys hold a word of, sorted."""
    words = _occasions()
    kinds_a = {words[k] for k in keys_a if k in words}
    return sorted(kinds_a & {words[k] for k in keys_b if k in words})


def _occasion(
    a: EventFeatures, b: EventFeatures, shared_title: Sequence[str]
) -> tuple[str, list[str]] | None:
    """The kind of occasion and the actors both main clauses name at it, or ``None``.

    Coverage of one negotiation is told in many words: "Iran FM says agreed
    with US 'on guiding principles' for deal" and "U.S. and Iran wrap up
    second round of nuclear talks" share only Iran and the US, each in a
    hundred titles that day, and "deal" is not "talks". Two actors or more
    named in both main clauses (not a backdrop clause, see
    :func:`_head_words`; a name of several words is one actor, a city of the
    places table a venue), with a word of one kind of occasion in both main
    clauses (:data:`_OCCASION_WORDS`: talks and deals, votes, rulings), are
    one occasion; ``compare`` asks it of stories in one language published
    within ``occasion_window``, as the next day's statements on the same
    talks are follow-ups. A title with the talks only as its backdrop ("Iran
    closes Strait of Hormuz during US nuclear talks") reports something
    else.
    """
    names = a.names | b.names
    actors = [
        k
        for k in shared_title
        if k in names and k not in _VENUES and k in a.head_keys and k in b.head_keys
    ]
    joined = {k for p, k in a.compounds | b.compounds if p in actors}
    actors = [k for k in actors if k not in joined]
    if len(actors) < 2:
        return None
    both = _occasion_kinds(a.head_keys, b.head_keys)
    return (both[0], actors) if both else None


def _main_clause(f: EventFeatures) -> frozenset[str]:
    """The keys of what a title reports: its main clause, or all of it when that names no one.

    "Progress but not compromise as latest U.S.-Iran nuclear talks end" keeps
    its happening (the talks ending) in its "as" clause: a main clause naming
    no actor is a comment on the clause after it, not another happening.
    """
    if f.head_keys & f.names:
        return f.head_keys
    return frozenset(f.title_keys)


def _occasion_told(
    a: EventFeatures, b: EventFeatures, shared_title: Sequence[str]
) -> tuple[str, list[str]] | None:
    """The kind of occasion and the parties both stories tell at it, or ``None``.

    Coverage of one negotiation names its parties where each outlet pleases:
    "Iran Has Not Agreed To All Trump's 'Red Lines': JD Vance After Geneva
    Talks" names the US only in its lead ("set out by US President Donald
    Trump"), "U.S. and Iran wrap up second round of nuclear talks" in its
    title. Both main clauses (see :func:`_main_clause`) hold a word of one
    kind of occasion (:data:`_OCCASION_WORDS`), the titles share one party at
    least, and two parties or more (countries of the places table or the US,
    not a venue city) are named in both stories' titles or leads. A title
    with the talks only as its backdrop ("Iran closes Strait of Hormuz amid US
    nuclear talks") reports something else and does not hold. ``compare``
    asks it of stories in one language within ``occasion_window``, like
    :func:`_occasion`.
    """
    kinds = _occasion_kinds(_main_clause(a), _main_clause(b))
    if not kinds:
        return None
    parties = sorted(
        k
        for k in a.lead_keys & b.lead_keys
        if (k in _PLACE_KEYS or k == "u.s") and k not in _VENUES
    )
    if len(parties) < 2 or not any(k in shared_title for k in parties):
        return None
    return kinds[0], parties


DISTINCT = 2
"""Titles of the days a *distinct* name appears in at most, the pair's own included
(see ``EventParams.distinct``): the two and one more report."""


def _stories_with(idf: IdfFn, key: str) -> float:
    """How many titles of the days hold ``key``, read back from its rarity.

    ``idf`` is ``log((total + 1) / (count + 1)) + 1`` (:func:`idf_from_counts`);
    the empty key is never indexed, so its rarity is the ceiling ``log(total + 1) + 1``
    and the count is ``exp(ceiling - idf(key)) - 1``.
    """
    return math.exp(idf("") - idf(key)) - 1


def _actors_and_action(
    a: EventFeatures, b: EventFeatures, shared_title: Sequence[str], idf: IdfFn, least: float
) -> tuple[list[str], list[str]]:
    """The actors both titles name, and the other keys both main clauses share.

    A happening is who did what: "Iran says 'guiding principles' agreed with
    US at nuclear talks" and "Iran foreign minister says progress made in
    nuclear talks with U.S." name the same two actors and the same thing done,
    though on a day of many Iran stories neither name is rare. Two actors
    together are much rarer than each, and the shared word of the main
    clauses (not of a backdrop clause, see :func:`_head_words`) tells the
    happening: "Iran closes Strait of Hormuz amid US nuclear talks" shares the
    actors and the talks, but only as its backdrop. A name of several words
    is one actor, and a city of the places table is a venue, not an actor
    (two talks in Geneva on one day).
    """
    names = a.names | b.names
    actors = [k for k in shared_title if k in names and k not in _VENUES and idf(k) >= least]
    # "Jesse Jackson" or "West Bank" is one actor: its second word does not count again.
    joined = {k for p, k in a.compounds | b.compounds if p in actors}
    actors = [k for k in actors if k not in joined]
    action = [
        k
        for k in shared_title
        if k not in names and not k.startswith("#") and k in a.head_keys and k in b.head_keys
    ]
    return actors, action


# Offices written as names ("PM", "President"): the other story may name the same
# person by name or another title ("Prime Minister"), so an office is no new actor.
@lru_cache(maxsize=1)
def _roles() -> frozenset[str]:
    """The offices' keys (made at first use: stemming them at import would load the stemmer)."""
    return frozenset(
        _stem(w) for w in "PM FM MP CEO President Prime Minister Chancellor King Queen Pope".split()
    )


def _reaction(a: EventFeatures, b: EventFeatures) -> str:
    """Describe how ``a`` reports another actor's deed after ``b``'s happening, or ``""``.

    "Japanese gov't defends Toyota after Trump broadside over Mexican plant"
    is a reaction to "Toyota target of Donald Trump's latest Twitter
    broadside", not the same happening: the main clause before "after" names
    an actor that ``b`` nowhere names (Japan) and shares no word but names with
    ``b``'s title (defending is not what ``b`` reports). Consequences of the
    happening keep its words ("Thousands stranded at Fort Lauderdale airport
    after shooting") or name no new actor ("Tributes pour in after ... Jesse
    Jackson dies"), and an office is no new actor (see :func:`_roles`).
    """
    if not a.before_after:
        return ""
    names = a.names | b.names
    newcomers = [
        k
        for k in a.before_after
        if k in a.names and k not in b.lead_keys and k not in _roles() and not k.startswith("#")
    ]
    keys_b = set(b.title_keys)
    deed = [k for k in a.before_after if k in keys_b and k not in names and not k.startswith("#")]
    if newcomers and not deed:
        return f"a reaction: {', '.join(newcomers)} acting after the other story's happening"
    return ""


def _statement(a: EventFeatures, b: EventFeatures) -> str:
    """Describe how ``a`` reports what someone ``b`` never names said of it, or ``""``.

    "Sheinbaum says Mexico declines Trump's 'Board of Peace' invite" is
    Mexico's answer, not the board's dealings with Hamas; "Kremlin rejects
    claim it poisoned Navalny with dart frog toxin" is the Kremlin's denial,
    not the finding that the poison was lab-made; "Trump says he will be
    involved indirectly in Iran talks" is his remark, not the talks'
    preview. A title opening on its speaker (see :data:`_SPEAKER_RE`) reports
    the speaking; when the other story names the speaker nowhere in its
    title or lead, it reports something else: the speaking is a reaction or a
    remark of its own. An office is no name (see :func:`_roles`).
    """
    speaker = [k for k in a.speaker if k not in _roles()]
    if not speaker or any(k in b.lead_keys for k in speaker):
        return ""
    return (
        f"a statement: {' '.join(speaker)}, whom the other story does not name, speaking"
        " of its happening"
    )


def _mourned(a: EventFeatures, b: EventFeatures) -> str:
    """The person whose death ``a`` reports when ``b``'s title names them too, or ``""``.

    Obituaries, tributes and galleries published with a death are that death's
    coverage ("Civil rights leader Jesse Jackson dies, aged 84" and "In
    Africa, Jesse Jackson Was Esteemed for His Fight Against Apartheid"),
    however differently titled: the full name (two capitalized words, the
    second written as a name, neither a place) just before the death verb
    and in the other title tells it.
    """
    if a.mourned is None:
        return ""
    first, last = a.mourned
    names = a.names | b.names
    keys_b = set(b.title_keys)
    if (
        first in keys_b
        and last in keys_b
        and last in names
        and first not in _PLACE_KEYS
        and last not in _PLACE_KEYS
    ):
        return f"{first} {last}"
    return ""


def _contradiction(a: EventFeatures, b: EventFeatures) -> str:
    """Describe how ``a`` denies a name what ``b`` says it does, or ``""``.

    "Donald Trump asking Congress, not Mexico, to pay for border wall" and
    "Trump says Mexico would repay U.S. funds spent on border wall" share
    their actors and deed, but the first sets Mexico apart from the paying
    that the second's main clause gives it: two claims (here a plan and the
    answer to it), not one report.
    """
    denied = sorted(k for k in a.denied if k in b.head_keys and k not in b.denied)
    if denied:
        return f"one title denies {', '.join(denied)} the deed the other gives it"
    return ""


@lru_cache(maxsize=1)
def _incidents() -> frozenset[str]:
    """The stems of :data:`_INCIDENT_WORDS` (computed on first use, like every stem)."""
    return frozenset(_stem(w) for w in _INCIDENT_WORDS.split())


_INCIDENT_WORDS = """
    shooting gunfire gunman gunmen stabbing bombing bomb blast explosion attack torture
    hostage mutiny mutineers revolt riot unrest crash derailment collapse fire wildfire
    flood earthquake quake tsunami eruption avalanche storm
"""
"""Words of a sudden happening at a place: violence, accidents, disasters (:func:`_incident`)."""


def _incident(
    a: EventFeatures, b: EventFeatures, shared_title: Sequence[str], idf: IdfFn, least: float
) -> tuple[str, str] | None:
    """The kind of happening and the rare word both stories give it, or ``None``.

    A shooting, blast, crash or flood is one happening at one place and
    time, reported by each outlet with its own angle and in its own words:
    "Florida airport shooting raises questions about guns in baggage" and
    "Scenes From Fort Lauderdale Airport Shooting" share no rare name, yet
    tell one shooting. One title names the happening's kind (the words of
    :data:`_INCIDENT_WORDS`) and the other story tells it too, in its title or its
    lead; and the titles share a rare word besides (``least``, the rarity of
    a shared name) that says where or whose: a name ("Ivory Coast",
    "Chicago", "Florida") or the word just before the kind in one title
    ("airport shooting", "Chicago torture case") that the other title holds too
    ("... guns down 5 at Fort Lauderdale airport"). A common role ("suspect", "police") is no place:
    "Police identify suspect in Rhode Island ice rink shooting" and "Suspect
    in Canada shooting is identified ..." are two shootings. ``compare`` asks
    it of stories in one language, published within ``incident_window``.
    """
    kinds = _incidents()
    told = sorted(
        {k for k in a.title_keys if k in kinds and k in b.lead_keys}
        | {k for k in b.title_keys if k in kinds and k in a.lead_keys}
    )
    if not told:
        return None
    names = a.names | b.names
    # The word before the kind in one title says where when the other title holds it
    # too; who ("suspect in shooting", "mass shooting") is no place (_WHO_WORDS).
    before = (_before(a.title_keys, kinds) | _before(b.title_keys, kinds)) - _who()
    rare = [
        k
        for k in shared_title
        if (k in names or k in before) and k not in kinds and idf(k) >= least
    ]
    rare.sort(key=lambda k: k not in names)  # a name first: it says where best
    return (told[0], rare[0]) if rare else None


_WHO_WORDS = """
    suspect suspects police officer officers victim victims man woman men women teen teenager
    boy girl student students child children mass deadly fatal latest new another
"""
"""Words that stand before an incident's kind to say who or how, not where (:func:`_incident`)."""


@lru_cache(maxsize=1)
def _who() -> frozenset[str]:
    """The stems of :data:`_WHO_WORDS` (computed on first use)."""
    return frozenset(_stem(w) for w in _WHO_WORDS.split())


def _before(keys: Sequence[str], kinds: frozenset[str]) -> set[str]:
    """The keys just before a word of ``kinds`` in a title: "airport" in "airport shooting"."""
    return {keys[i - 1] for i in range(1, len(keys)) if keys[i] in kinds}


_HAPPENING_WORDS = {
    "attack": "shooting shootings shooter gunman gunmen gunfire bombing bomb blast explosion"
    " stabbing torture tortured fusillade tireur attentat Schüsse Schütze Anschlag Attentat"
    " tiroteo atentado Autobombe piégée",
    "purge": "purge purges purged Säuberung purga",
    "swearing-in": "sworn swearing oath serment vereidigt Amtseid juramento",
    "resignation": "resigns resigned resignation quits démission démissionne Rücktritt dimite"
    " dimisión",
    "visit": "visit visits visiting trip visite Besuch besucht visita",
    "memorial": "memorial memorials vigil vigils tribute tributes mourn mourns mourning funeral"
    " hommage obsèques Trauer Trauerfeier homenaje",
    "plea": "plea pleads appeal appeals urges asks appelle fordert pide",
    "inquiry": "investigate investigates investigation probe probes inquiry examine enquête"
    " ermittelt Ermittlungen investigación",
}
"""Words of one kind of happening, by kind, in the languages of the corpus (:func:`_angle`).

Talks, votes and rulings are left to :func:`_occasion` and :func:`_occasion_told`,
which ask for the parties in both main clauses: a venue and the word "talks" are
shared by two negotiations in one city on one day. Words of many happenings are left
out: "attack" (a verbal attack, "vicious attacks" on a UN expert), "killed" (a strike
at sea and a murder in Lyon), "beating" (whose stem is "beats": a tennis win)."""


@lru_cache(maxsize=1)
def _happenings() -> dict[str, str]:
    """Each stem of :data:`_HAPPENING_WORDS` and its kind (computed on first use)."""
    return {_stem(w): kind for kind, words in _HAPPENING_WORDS.items() for w in words.split()}


def tells_happening(features: EventFeatures) -> frozenset[str]:
    """The kinds of happening a story's title tells (:data:`_HAPPENING_WORDS`), often none.

    Only a story telling one can join another through one shared title key
    (the angle rule asks both titles for one kind), so only such a story
    seeks candidates sharing a single rare title key in the archive's index,
    and keeps those of them telling the same kind.
    """
    words = _happenings()
    return frozenset(words[k] for k in features.title_keys if k in words)


def _angle(a: EventFeatures, b: EventFeatures, idf: IdfFn, least: float) -> tuple[str, str] | None:
    """The kind of happening both titles tell and the rare name both stories give, or ``None``.

    Outlets tell one happening from their own angle, in titles that agree
    little: "Bangladesh's new prime minister is sworn in after his
    party's landslide election win" and "Tarique Rahman Takes Oath As
    Bangladesh's New Prime Minister"; "Iranians chant slogans ... at
    memorials for slain protesters" and "Iranians Mourn Slain Protesters";
    "France assembles magistrate team to examine 'Epstein files'" and
    "French Prosecutors to Investigate Diplomat as Part of Epstein Probe".
    Both titles hold a word of one kind of happening
    (:data:`_HAPPENING_WORDS`, synonyms and languages folded into the kind),
    and both stories name one actor or place at least ``least`` rare on their
    days, which a title names (what the story is about, not a setting only the
    leads mention: "Europe" in the lead of an EU inquiry and of Spain's); not
    an office (:func:`_roles`) nor a venue city; a name of several words
    only whole ("Rhode Island" is not told by "Elcho Island"). The table
    folds the corpus's languages, and names and places keep their keys
    across them ("Syrie", "Syrien", "Syrian"), so two languages meet too:
    "Death toll rises to 43 in blast in Syrian town near Turkey border" and
    "Syrie : au moins 43 morts à Azaz dans un attentat à la voiture piégée".
    ``compare`` asks it of stories published within ``angle_window``: the
    same kind with the same rare name within hours is one happening, two
    days apart it may be the next one.
    """
    words = _happenings()
    kinds_a = {words[k] for k in a.title_keys if k in words}
    if not kinds_a:
        return None
    kinds = sorted(kinds_a & {words[k] for k in b.title_keys if k in words})
    if not kinds:
        return None
    names = a.names | b.names
    leads_a, leads_b = a.lead_keys, b.lead_keys
    rare = [
        k
        for k in {*a.title_keys, *b.title_keys}
        if k in names
        and k in leads_a
        and k in leads_b
        and k not in _roles()
        and k not in _VENUES
        and not k.startswith("#")
        and idf(k) >= least
        # A name of several words ("Rhode Island") is told only with all of them.
        and all(
            p in leads_a and p in leads_b
            for c in a.compounds | b.compounds
            if k in c and c[0] in names and c[1] in names
            for p in c
        )
    ]
    return (kinds[0], min(rare)) if rare else None


def _names_told(a: EventFeatures, b: EventFeatures, idf: IdfFn) -> float:
    """The weighted share of ``a``'s title names and numbers told in ``b``'s title or lead.

    A story in another language retells a title's names in its lead though
    its own title chose others: "US intelligence report says Putin directed
    cyber campaign to help Trump win" and "US-Geheimdienstbericht zu Putin:
    Codewort 'Hohe Sicherheit'", whose lead names the US, Putin and Trump.
    Three of them at least must be told, else 0: two names are often a day's
    common cast ("Obama" and "Trump" in a Spanish quote and an English report
    of another deed), and a happening's retelling keeps who, whom and where.
    """
    own = [k for k in a.title_keys if k in a.names or k.startswith("#")]
    told = [k for k in own if k in b.lead_keys]
    if len(told) < 3:
        return 0.0
    return sum(idf(k) for k in told) / sum(idf(k) for k in own)


def names_retold(a: EventFeatures, b: EventFeatures) -> bool:
    """Three of one title's names and numbers are told in the other story (either way).

    What :func:`_names_told` needs before it weighs them: the archive keeps a
    candidate of another language sharing one title key only when this holds.
    """
    for one, other in ((a, b), (b, a)):
        told = [k for k in one.title_keys if (k in one.names or k.startswith("#"))]
        if sum(1 for k in told if k in other.lead_keys) >= 3:
            return True
    return False


def _coverage(a: EventFeatures, b: EventFeatures, idf: IdfFn) -> float:
    """The weighted share of ``a``'s title keys that ``b``'s title or lead holds.

    A paraphrased title ("Peru President Impeached After 4 Months") is often
    told again in the other outlet's lead ("Peru's Congress on Tuesday
    impeached interim president Jose Jeri"): title-to-lead evidence.
    """
    own = sum(idf(k) for k in a.title_keys)
    return sum(idf(k) for k in a.title_keys if k in b.lead_keys) / own if own else 0.0


def _names_agreement(a: EventFeatures, b: EventFeatures, idf: IdfFn) -> float:
    """Weighted Jaccard of the titles' names and numbers, when two of them are shared.

    Names and numbers are what a translation keeps ("Fort Lauderdale",
    "400.000"): titles in two languages meet through them or not at all.
    """
    names = a.names | b.names

    def of(f: EventFeatures) -> set[str]:
        return {k for k in f.title_keys if k in names or k.startswith("#")}

    na, nb = of(a), of(b)
    if len(na & nb) < 2:
        return 0.0
    union = sum(idf(k) for k in na | nb)
    return sum(idf(k) for k in na & nb) / union if union else 0.0


def _numbers_conflict(a: EventFeatures, b: EventFeatures) -> str:
    """Describe how the titles' numbers disagree, or ``""`` when they do not."""
    if a.scores and b.scores:
        na, nb = a.numbers, b.numbers
        if na != nb:
            return "different scores"
    small_a = {n for n in a.numbers if len(n) < 4 and not n.endswith((_AGE, _TOLL, _RISING))}
    small_b = {n for n in b.numbers if len(n) < 4 and not n.endswith((_AGE, _TOLL, _RISING))}
    if small_a and small_b and not small_a & small_b:
        return f"{'/'.join(sorted(small_a))} vs {'/'.join(sorted(small_b))}"
    # An age is compared with an age only: two people of one name, or two suspects.
    ages_a = {n for n in a.numbers if n.endswith(_AGE)}
    ages_b = {n for n in b.numbers if n.endswith(_AGE)}
    if ages_a and ages_b and not ages_a & ages_b:
        return f"ages {'/'.join(sorted(ages_a))} vs {'/'.join(sorted(ages_b))}"
    return ""


#: The mark of an age among a title's numbers ("18" in "18-year-old" is ``"18 years"``).
_AGE = " years"

#: The mark of a death toll among a title's numbers: "Car bomb kills 9" holds ``"9"``
#: and ``"9 dead"`` (see :data:`_TOLL_RE`); a toll told as provisional or rising ("at
#: least 9", "toll rises to 9", see :data:`_RISING_RE`) ``"9 dead or more"``.
_TOLL = " dead"
_RISING = " dead or more"

_TOLL_WORDS = ("dead", "kill", "Kill", "die", "death", "mort", "tué", "Tote", "muertos", "morti",
               "toll", "Toll", "fatalities")  # fmt: skip


def _toll_only(a: EventFeatures, b: EventFeatures) -> str:
    """Describe how the titles' death tolls differ when nothing else disagrees, or ``""``.

    Outlets report a toll as it rises, and each tells the figure it had:
    "Syrie : au moins 43 morts à Azaz dans un attentat à la voiture piégée"
    and, three hours later, "Syrie : un attentat à la voiture piégée fait 19
    morts" (an older figure) report one bombing. Two tolls that differ are
    no sign of two happenings when one of them is told as provisional or
    rising ("au moins", "at least", "toll rises to", see :data:`_RISING_RE`)
    and the titles' other numbers agree; two firm tolls that differ ("kills
    11 soldiers" / "kills 28 people at market") are two attacks, as two
    scores are two games. :func:`compare` still asks the rest of the
    evidence.
    """
    if a.scores and b.scores:
        return ""
    marks = (_TOLL, _RISING)
    tolls_a = {n.split(" ", 1)[0] for n in a.numbers if n.endswith(marks)}
    tolls_b = {n.split(" ", 1)[0] for n in b.numbers if n.endswith(marks)}
    if not tolls_a or not tolls_b or tolls_a & tolls_b:
        return ""
    if not any(n.endswith(_RISING) for n in a.numbers | b.numbers):
        return ""
    rest_a = {n for n in a.numbers if len(n) < 4 and " " not in n} - tolls_a
    rest_b = {n for n in b.numbers if len(n) < 4 and " " not in n} - tolls_b
    if rest_a and rest_b and not rest_a & rest_b:
        return ""
    return f"tolls {'/'.join(sorted(tolls_a))} and {'/'.join(sorted(tolls_b))}"


# --- the index of event keys ------------------------------------------------


def day_bucket(when: datetime) -> int:
    """The UTC day of a time, as days since the epoch."""
    return int(when.timestamp()) // BUCKET


@lru_cache(maxsize=WORD_CACHE)
def key_hash(key: str) -> int:
    """A key's 32-bit hash (FNV-1a over UTF-8, stable across processes)."""
    h = 0x811C9DC5
    for byte in key.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def index_keys(features: EventFeatures, published: datetime) -> list[int]:
    """The integer keys under which the archive indexes a story: its day, then each key's hash.

    Only the title's keys are indexed: a story of the same event shares at
    least two of them (see :func:`compare`), and titles keep the index small.
    """
    day = day_bucket(published) << 32
    return sorted({day | key_hash(k) for k in features.title_keys})


def lookup_buckets(published: datetime, window: timedelta) -> list[int]:
    """The day buckets a story's candidates may be indexed under."""
    first = day_bucket(published - window)
    last = day_bucket(published + window)
    return list(range(first, last + 1))


def idf_from_counts(counts: Mapping[str, int], total: int) -> IdfFn:
    """An ``idf`` function from document frequencies among ``total`` stories.

    Keys never seen count as seen once (they are rare). The value is
    ``log((total + 1) / (count + 1)) + 1``, at least 1. The function is a
    dictionary's lookup, computing a key's value on its first use: the rules
    call it hundreds of times per story, mostly for keys already looked up.
    """
    return _Rarity(counts, max(total, 1)).__getitem__


class _Rarity(dict[str, float]):
    """Each key's rarity, computed when first asked for (see :func:`idf_from_counts`)."""

    def __init__(self, counts: Mapping[str, int], total: int) -> None:
        super().__init__()
        self.counts = counts
        self.total = total

    def __missing__(self, key: str) -> float:
        value = self[key] = math.log((self.total + 1) / (self.counts.get(key, 0) + 1)) + 1.0
        return value


def document_frequencies(features: Iterable[EventFeatures]) -> tuple[dict[str, int], int]:
    """Count how many stories hold each key (for :func:`idf_from_counts`)."""
    counts: dict[str, int] = {}
    total = 0
    for f in features:
        total += 1
        for k in f.title_keys:
            counts[k] = counts.get(k, 0) + 1
    return counts, total
