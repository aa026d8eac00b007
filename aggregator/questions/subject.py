"""The subject of a story: the organisation, product, person or place it is about.

Pure and deterministic (no salted :func:`hash`, no clock); a few tens of
microseconds a story.

How the subject is found (:func:`find_subjects`):

1. The title loses its column label or source tag first (``Giz Explains:``,
   ``World ›``, ``Ukraine updates:``, `` - Reuters``, ``(Microsoft)``).
2. Candidates are runs of capitalised words, acronyms, CamelCase and
   digit-bearing tokens (``Meta``, ``European Commission``, ``GPT-4``,
   ``iPhone 16 Pro``, ``Llama 4``, ``U.S.``) in the title and the first
   ~1,200 characters of the body. Runs are split at stopwords (``The``,
   ``How``, ``New``, ``Report``, weekdays, months, job titles ...).
3. A mention in the title counts three times a mention in the body, and the
   title's first name gets a bonus (headlines lead with their subject).
   Single words at the start of a sentence may be ordinary words: they do not
   count when the text also uses them in lower case (``Paying to support
   ...`` / ``paying``), and count half when seen only once.
   Generic terms (``AI``, ``API``, ``GPU`` ...) count a quarter, places that
   are usually context (``US``, ``EU``, ``UK``) half.
4. Title-case titles (``Why Is Meta Seeking Allies``) are unreliable: there,
   only the parts of the title's runs that the body also names are credited;
   with no such part, the title's short runs, split at verb-like words.
5. A surname-only candidate (``Huang``) is merged into the full name
   (``Jensen Huang``).
6. What is not a name is dropped (:func:`is_name`): demonyms and adjectives
   (``French``, ``European``), common words the text also writes in lower
   case (``Data``, ``Mothers``), words that only a headline capitalises, and
   in German the capitalised common nouns (``Hinrichtungen``,
   ``Bundesebene``), in French and German the articles and prepositions that
   open a headline (``Trotz``, ``Les``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["find_subjects", "is_demonym", "is_name", "is_title_case", "strip_label", "title_phrase"]

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


# --- what is not a name -------------------------------------------------------

# Column, section and format labels that open a title before ":" or "›".
_LABELS = frozenset(
    """
    article video watch live listen podcast interview analysis opinion explainer editorial
    review update updates quote quotes exclusive breaking photos gallery world business tech
    technology science sport sports politics culture health news weekly daily newsletter
    recap roundup explains explained ask show tell poll quiz chart map graphic briefing
    kommentar meinung analyse ticker liveticker update videos bilder test édito edito
    tribune chronique entretien vidéo direct factbox fact-check
    """.split()
)
_LABEL_RE = re.compile(r"^\s*([^:›|]{1,40}?)\s*(?::|›|\|)\s+(?=\S)")
# " - Reuters", " | The Verge", " – video": a source or format tag at the end.
_TAIL_RE = re.compile(
    r"\s+[-–—|]\s+(?:[A-Z][\w.&']*(?:\s+[A-Z][\w.&']*){0,3}|video|audio|podcast|photos)\s*$"
)
_PAREN_TAIL_RE = re.compile(r"\s*\((?:[A-Z][\w.&' ]{1,30}|video|audio)\)\s*$")

# Demonyms and other adjectives of place that are capitalised in English.
_DEMONYM_RE = re.compile(r"^[A-Z][a-z]+(?:ians?|eans?|ese|ish|ic|ans)$")
_DEMONYMS = frozenset(
    """
    French German Germans British Dutch Swiss Greek Greeks Thai Iraqi Iraqis Israeli Israelis
    Pakistani Pakistanis Saudi Saudis Kuwaiti Qatari Emirati Yemeni Bangladeshi Nepali
    Afghan Afghans Kazakh Uzbek Czech Slovak Polish Irish Scottish Welsh English Turkish
    Spanish Swedish Danish Finnish Kurdish Jewish Muslim Muslims Arab Arabs Western Eastern
    Northern Southern Asian European African American Americans Chinese Japanese Vietnamese
    Taiwanese Portuguese Lebanese Sudanese Congolese Senegalese Burmese Maltese Nigerian
    Russian Russians Ukrainian Ukrainians Iranian Iranians Indian Indians Syrian Korean
    Australian Canadian Mexican Brazilian Italian Egyptian Palestinian Palestinians
    Venezuelan Colombian Argentine Peruvian Chilean Cuban Haitian Ethiopian Kenyan
    Ghanaian Somali Libyan Tunisian Moroccan Algerian Belgian Austrian Hungarian Romanian
    Bulgarian Serbian Croatian Bosnian Albanian Norwegian Icelandic Estonian Latvian
    Lithuanian Belarusian Georgian Armenian Azerbaijani Mongolian Filipino Indonesian
    Malaysian Singaporean Republican Republicans Democrat Democrats Democratic Conservative
    Conservatives Labour Liberal Liberals Catholic Christian Christians Islamic Hindu
    Buddhist Sunni Shia Latino Latina Hispanic Black White Indigenous Olympic
    """.split()
)
# Capitalised English words that are not names, whatever the text says.
_COMMON = frozenset(
    """
    OK Ok Okay Data Corruption Mothers Fathers Gun Guns Police Army Court Congress Senate
    Parliament Government State States City Town Village Internet Web Online Everything
    Nothing Something Anything Anyone Someone Everyone Nobody Today Tonight Yesterday
    Tomorrow Here There Please Thanks Thank Hello Goodbye Yes No Not Why How What Who
    Follow Follow-up Follow-Up Regrets More Less Most Least Part Episode Chapter Show Talk
    End Start Intro Introduction Summary Conclusion Update Updates Review Quote Edito
    Interview Video Live Watch Photos Listen Read Story Stories Article Post Blog Podcast
    Newsletter Notes Links Sponsor Sponsors Sponsored Guest Host Hosts Music Support Topics
    Autonomous Vehicle Vehicles Zip Files File Security Privacy Science Health Climate
    Economy Markets Stocks Shares Money Crypto Energy Power War Peace Death Life Love Hate
    Women Men Children Kids Teens Parents Family Families People Workers Students
    """.split()
)
# German: words that open a headline in capitals but are not names.
_DE_FUNCTION = frozenset(
    """
    Der Die Das Den Dem Des Ein Eine Einer Eines Einem Einen Kein Keine Trotz Wegen Nach Vor
    Bei Mit Ohne Für Gegen Über Unter Neben Zwischen Seit Aus Von Zum Zur Im Am Ins Auf An In
    Und Oder Aber Auch Noch Nur Schon Jetzt Heute Morgen Gestern Wie Was Wer Warum Wo Wann
    Weshalb Wieso Welche Welcher Welches Ist Sind War Wird Werden Hat Haben Kann Können Soll
    Sollen Muss Müssen Will Wollen Darf Dürfen Neue Neuer Neues Neuen Erste Ersten Mehr Weniger
    Alle Viele Es Er Sie Wir Ihr Ich Man Dieser Diese Dieses Jeder Jede Jedes Kommentar
    Papst Kanzler Kanzlerin Minister Ministerin Präsident Präsidentin Bund Land Stadt Staat
    Gericht Polizei Krieg Frieden Regierung Reform Streit Gesetz Plan Studie Forscher Bericht
    Angriff Anschlag Urteil Klage Wahl Partei Chef Chefin Firma Konzern Markt Preis Preise
    Geld Daten Netz Internet Bahn Auto Autos Akku Update Test Version Heft Folge
    """.split()
)
# Endings of German common nouns (Hinrichtungen, Bundesebene, Fahrdienstleiter ...).
_DE_NOUN_RE = re.compile(
    r"(?:ung|ungen|heit|heiten|keit|keiten|schaft|schaften|tion|tionen|ität|itäten|ismus|nis"
    r"|nisse|tum|ling|ment|ie|ien|ik|ur|enz|anz|chen|lein|er|en|e|el|ern)$"
)
_FR_FUNCTION = frozenset(
    """
    Le La Les Un Une Des Du De Au Aux Ce Cet Cette Ces Son Sa Ses Leur Leurs Pour Par Avec
    Sans Sous Sur Dans Entre Contre Chez Vers Après Avant Depuis Pendant Comment Pourquoi
    Quand Qui Que Quoi Où Il Elle Ils Elles On Nous Vous Je Et Ou Mais Donc Car Ni Est Sont
    Été Plus Moins Très Tout Tous Toute Toutes Nouveau Nouvelle Nouveaux Premier Première
    Édito Edito Tribune Chronique Entretien Vidéo Direct
    """.split()
)
_FR_NOUN_RE = re.compile(
    r"(?:tion|tions|ment|ments|té|tés|isme|age|ages|ure|ures|ence|ance|eur|eurs)$"
)


def _in_lower_case(word: str, text: str) -> bool:
    """Whether ``text`` has ``word`` in lower case as a whole word (``data`` for ``Data``)."""
    low = word.lower()
    if low == word:
        return False
    at = text.find(low)
    while at >= 0:
        end = at + len(low)
        if not text[at - 1 : at].isalpha() and not text[end : end + 1].isalpha():
            return True
        at = text.find(low, end)
    return False


def strip_label(title: str, body: str = "") -> tuple[str, str]:
    """Split a column label or source tag off a title.

    ``"Giz Explains: Why ..."`` -> ``("Giz Explains", "Why ...")``;
    ``"World › 5 dead in ..."`` -> ``("World", "5 dead in ...")``;
    ``"... bankruptcy - Reuters"`` -> ``("Reuters", "... bankruptcy")``. A
    prefix before ``:`` is a label when it names a column (``Video``,
    ``Analysis``, ``Ukraine updates``, ``Giz Explains``), is in capitals
    (``QUOTE``) or ends in a word like "explains"; a name before the colon
    (``Olivier Wieviorka: les ennemis ...``) stays.

    A short Title Case prefix that the body never repeats (``Morning Bid:``)
    is a label too.

    Args:
        title: the story's title.
        body: the story's body, when known.

    Returns:
        ``(label, rest)``; ``("", title)`` when there is no label.
    """
    label = ""
    rest = title
    match = _LABEL_RE.match(rest)
    if match:
        prefix = match.group(1)
        words = prefix.split()
        last = words[-1].lower() if words else ""
        separator = rest[match.end(1) : match.end()].strip()
        if (
            words
            and len(words) <= 3
            and (
                separator == "\u203a"
                or last in _LABELS
                or last.endswith("explains")
                or (
                    body
                    and len(words) >= 2
                    and all(w[:1].isupper() for w in words)
                    and words[-1] not in body[:2000]
                    and not any(c.isdigit() for c in prefix)
                )
            )
        ):
            label, rest = prefix, rest[match.end() :]
    tail = _TAIL_RE.search(rest) or _PAREN_TAIL_RE.search(rest)
    if tail and tail.start() > 15:
        label = label or tail.group().strip(" -–—|()")
        rest = rest[: tail.start()]
    return label, rest.strip()


def is_demonym(word: str) -> bool:
    """Whether a capitalised word is a demonym or adjective of place (``French``, ``Asian``)."""
    return word in _DEMONYMS or bool(_DEMONYM_RE.match(word))


def is_name(name: str, *, lang: str = "en", words_text: str = "") -> bool:
    """Tell whether a candidate is a real name rather than a common word.

    Args:
        name: the candidate (``"French"``, ``"Hinrichtungen"``, ``"Meta"``).
        lang: the story's language.
        words_text: the story's text: a word of ``name`` found there in lower
            case is an ordinary word of the text.

    Returns:
        ``False`` for demonyms, adjectives of place, common words, German
        common nouns and words the text also writes in lower case.
    """
    words = name.split()
    distinctive = any(
        c.isupper() or c.isdigit() for w in words for part in w.split("-") for c in part[1:]
    )
    if len(words) == 1:
        word = words[0]
        if distinctive:
            return word not in {"OK", "TV"}
        if word in _COMMON or word in _DEMONYMS or _DEMONYM_RE.match(word):
            return False
        if words_text and _in_lower_case(word, words_text):
            return False
        if lang == "de":
            return not (word in _DE_FUNCTION or len(word) >= 10 or _DE_NOUN_RE.search(word))
        if lang == "fr":
            return not (word in _FR_FUNCTION or _FR_NOUN_RE.search(word))
        return True
    if all(w in _DEMONYMS or w in _COMMON for w in words):
        return False
    if words[-1] in _DEMONYMS:  # "Supposed Russian", "Lower Saxony" is fine: last word
        return False
    if lang == "de" and not distinctive:
        # Capitalised nouns in a row are a headline fragment unless each looks like a name.
        return not any(w in _DE_FUNCTION or len(w) >= 12 or _DE_NOUN_RE.search(w) for w in words)
    if lang == "fr" and words[0] in _FR_FUNCTION:
        return False
    if words_text and not distinctive and all(_in_lower_case(w, words_text) for w in words):
        return False  # "Autonomous Vehicle" where the text says "autonomous vehicle"
    return True


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
        end = match.end()
        if text[end : end + 1] in ("'", "\u2019") and text[end + 1 : end + 2].isalpha():
            if text[end + 1 : end + 2] != "s" or text[end + 2 : end + 3].isalpha():
                # A contraction: "Evolution Doesn't" is "Evolution" + "doesn't".
                run = run.rpartition(" ")[0]
                if not run:
                    continue
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


def is_title_case(title: str) -> bool:
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


def find_subjects(title: str, body: str, *, limit: int = 2, lang: str = "en") -> tuple[str, ...]:
    """Find the organisations, products, people or places a story is about.

    A cheap heuristic (see the module docstring): capitalised runs, acronyms,
    CamelCase and digit-bearing names in the title and the body's start,
    scored by frequency with title mentions weighted high.

    Args:
        title: the story's title.
        body: the story's plain-text body (only its first ~1,200 characters
            are read).
        limit: how many names to return at most.
        lang: the story's language (ISO 639-1; ``""`` is read as English).

    Returns:
        Up to ``limit`` names, best first, none sharing a word with another,
        each at most 60 characters; ``()`` when the story names nothing.
    """
    title = strip_label(title, body)[1]
    window = _body_window(body)
    # A headline's first word alone ("Tiger kills ...") is a name only if the body agrees.
    first_word = title.split(" ", 1)[0].strip("'\"\u2018\u201c([")
    if any(c.isupper() or c.isdigit() for c in first_word[1:]):
        first_word = ""
    tally = _Tally()
    scores = tally.scores
    title_case = is_title_case(title)
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
    words_text = ""
    for _, _, name in ranked:
        if len(chosen) >= limit:
            break
        if name == first_word and len(window) >= 200 and name not in window:
            continue  # "Tiger kills zookeeper": a long body that never names it
        if not words_text:
            words_text = f" {title} {window} "
        if not is_name(name, lang=lang, words_text=words_text):
            continue
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
