"""The lead sentence a question can hang on: the story's key claim in the story's own words.

Pure and deterministic, a few tens of microseconds a story. Headlines are
written in headlinese ("US judge throws out Apple lawsuit": no articles, Title
Case, labels), which reads badly inside a question; the first sentences of
the body usually say the same thing in whole sentences ("A US judge has
thrown out a lawsuit ..."). :func:`lead_sentence` picks the sentence of the
lead that best restates the headline and is safe to embed in a question:

- a whole sentence (ends with a full stop), 7 to 34 words, no question or
  exclamation, no link, no ellipsis, no first or second person ("I", "we",
  "you": a blog's voice, not a fact), not opening with a pronoun ("It",
  "They", "This": its referent would be lost) or a teaser ("Here is",
  "Click", "In this episode");
- written as a sentence, not as headlinese: it has an article, an auxiliary
  or a possessive somewhere;
- datelines (``WASHINGTON (Reuters) -``), bracketed sources (``[Ayin
  Network]``) and short parentheticals are dropped first.

Among the candidates of the first paragraphs, the one sharing the most words
with the headline wins (the first one on ties). A sentence reporting what
someone said (``X said that Y``, ``Y, X said``) is split into the speaker and
the claim, so that a question can weigh the claim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Lead",
    "as_headline_clause",
    "as_sentence",
    "core",
    "has_main_verb",
    "lead_sentence",
    "lower_first",
    "second_lead",
    "IRREGULAR_PAST",
]

_WINDOW = 900  # characters of the body read
_MAX_SENTENCES = 6
_MIN_WORDS = 6
_MAX_WORDS = 34
_MAX_CHARS = 175

_SPLIT_RE = re.compile(
    r"(?<=[a-z0-9%)\u2019'\"\u201d][.!?])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])"
)
_DATELINE_RE = re.compile(
    r"^(?:\[[^\]]{1,50}\]\s*"
    r"|[A-Z\u00c0-\u00dd][A-Z\u00c0-\u00dd.'\u2019 ,-]{1,40}"
    r"(?:\s*\([^)]{1,30}\))?\s*[-\u2013\u2014:]+\s+"
    r"|\([^)]{1,30}\)\s*[-\u2013\u2014]\s*"
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+)?\s+(?:--|\u2014)\s+"
    r"|[A-Z]{2,}[A-Z ]*, [A-Z][\w ]{1,30}(?:\s*\([^)]{1,30}\))?\s*[-\u2013\u2014]+\s+"
    r"|(?:An anonymous reader|[A-Z][\w.]*(?: [A-Z][\w.]*){0,3}) (?:quotes|writes|shares|reports)"
    r"(?: a report from [^:]{1,60})?:\s+)"
)
# A byline paragraph before the dateline: "By Olivia Le Poidevin".
_BYLINE_RE = re.compile(r"^By [A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){1,4}$")
_PAREN_RE = re.compile(r"\s*\([^()]{1,40}\)")
_NO_OPENERS = frozenset(
    """
    It It's Its They Their Them He His She Her We Our Us I I'm I've My You Your This That
    These Those Here There So But And Or Also Now Then Today Yesterday Tomorrow Tonight
    Welcome Click Read Watch Listen Photo Photos Image Video Subscribe Sign Join Don't Do Did
    Please Note Update Updated Editor's Sponsored Advertisement Why How What Where Who
    Which Well Oh Yes No Hi Hello Hey Meet See Find Get Check Learn Discover Let's Let
    Here's There's That's It’s That’s Here’s There’s Uh Um Okay OK Such Other Others
    One Some Many Most Both Each Every Such Another Same Similarly Meanwhile Instead To
    Yet Still However Typically Usually Often Sometimes Perhaps Maybe Anyway Plus Next
    First Second Third Fourth Finally Lastly Soon Thus Hence Therefore Moreover Furthermore
    Additionally Again Accordingly Consequently Nonetheless Nevertheless Likewise Besides Indeed
    """.split()
)
_NO_PAIRS = frozenset(
    "in this|in that|of course|in other|in the meantime|in short|in fact|as always|at first"
    "|for example|for instance|by the way|to be|en effet|par ailleurs|de plus|in diesem|in it"
    "|pour autant".split("|")
)
_BAD_WORDS = frozenset(
    """
    i i'm i've i'd i'll we we're we've we'll our ours us you you're you've you'll your yours
    my me i’m i’ve i’d i’ll we’re we’ve we’ll you’re you’ve you’ll let's let’s
    """.split()
)
_NAMES_IN_ING = frozenset("Beijing Reading Ling Epping Ealing Woking Kettering".split())
_SENTENCE_MARKERS = frozenset(
    """
    the a an has have had is are was were will would can could its their his her says said
    been be this that
    """.split()
)
_ARTICLE_WORD_RE = re.compile(r"\b(?:the|a|an)\b")
_LEADING_SPACE_RE = re.compile(r"\s*")
_BAD_MARKS = (
    "?",
    "!",
    ":",
    "http",
    "www.",
    "@",
    "|",
    "\u2026",
    "...",
    "[",
    "]",
    "#",
    ";",
    "\u00bb",
)
# Per language: words a whole sentence has (articles, auxiliaries), words of a
# first- or second-person voice, and openers whose referent would be lost.
_MARKERS = {
    "de": frozenset(
        "der die das den dem des ein eine einen einem ist sind war hat haben wird wurde soll"
        " sein ihre"
        # inflected determiners, article contractions, modals and past auxiliaries
        " einer eines dieser diese dieses diesen seine seinen seinem seiner ihren ihrem ihrer"
        " im zum zur vom beim kann können muss müssen will wollen sollen werden wurden waren"
        " hatte hatten".split()
    ),
    "fr": frozenset(
        "le la les un une des du est sont a ont sera été était sa son ses leur".split()
    ),
}
_BAD_BY_LANG = {
    "de": frozenset("ich wir uns unser unsere du dich dir euch mein meine".split()),
    "fr": frozenset("je j' nous vous notre votre mon ma mes".split()),
}
_OPENERS_BY_LANG = {
    "de": frozenset(
        "Es Er Sie Wir Ich Du Das Dies Diese Dieser Dieses Hier Heute Doch Aber Und Oder So"
        " Da Dabei Damit Dazu Dann Wer Wie Was Warum Wo Nun Jetzt Daher Deshalb Trotzdem Auch"
        " Außerdem Zudem Dennoch".split()
    ),
    "fr": frozenset(
        "Il Elle Ils Elles Nous Je On Ce Cette Ces Cet Voici Aujourd'hui Mais Et Ou Donc"
        " Alors Qui Que Quoi Comment Pourquoi Où C'est".split()
    ),
}
_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f][\w'\u2019-]*")

_SAY = (
    r"(?:says|say|said|warns|warned|argues|argued|claims|claimed|insists|insisted|told [A-Za-z]+)"
)
_SPEAKER = r"[A-Z][\w.'\u2019-]*(?: [A-Za-z][\w.'\u2019-]*){0,5}"
# "said Sunday that ...": the day between the verb and the claim.
_WHEN = (
    r"(?:on )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday"
    r"|last week|this week|earlier)"
)
_SAID_FIRST_RE = re.compile(
    rf"^(?P<who>{_SPEAKER}),? (?:has |have )?{_SAY},? (?:{_WHEN} )?(?:that )?(?P<claim>.+)$"
)
_SAID_LAST_RE = re.compile(
    rf"^(?P<claim>.{{25,}}?),[\u201d\"]? (?:(?P<who>{_SPEAKER}) {_SAY}"
    rf"|{_SAY} (?P<who2>{_SPEAKER})|according to (?P<who3>{_SPEAKER}))$"
)


@dataclass(frozen=True, slots=True)
class Lead:
    """The lead sentence a question hangs on.

    Attributes:
        sentence: the sentence without its final full stop, as the body writes it.
        speaker: who said it, when the sentence reports a saying (``the police``), else ``""``.
        claim: what was said, when it does (a clause), else ``""``.
        overlap: how many content words it shares with the headline.
        standfirst: the sentence is the body's first paragraph, written without a
            full stop like a headline (and perhaps in headlinese).
        index: its place among the lead's sentences (0 for the first).
    """

    sentence: str
    speaker: str = ""
    claim: str = ""
    overlap: int = 0
    standfirst: bool = False
    index: int = 0


@lru_cache(maxsize=512)
def _content_words(text: str) -> frozenset[str]:
    # Cached: the lead's candidates are ranked several times per story (the lead
    # sentence, the second fact, the clause), each time over the same sentences.
    return frozenset(w.lower() for w in _WORD_RE.findall(text) if len(w) >= 4)


_ABBREVIATIONS = frozenset(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr st no gov sen rep inc corp
    ltd co vs gen col lt sgt prof jr sr approx est dept univ fig ave
    """.split()
)


def _merge_abbreviations(parts: list[str], *, ordinals: bool = False) -> list[str]:
    """Join pieces split after an abbreviation ("on Feb." + "28.").

    ``ordinals``: a number with a full stop is an ordinal, not a sentence's
    end (German "im 19. Jahrhundert").
    """
    out: list[str] = []
    for part in parts:
        last = out[-1].rsplit(" ", 1)[-1].lower() if out else ""
        if last.endswith(".") and (
            last[:-1].strip("(\"'") in _ABBREVIATIONS or ordinals and last[:-1].isdigit()
        ):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def first_sentences(body: str, lang: str = "en") -> list[str]:
    """The body's first sentences, as the lead's reader splits them (see :func:`_sentences`)."""
    return _sentences(body, lang)


def _sentences(body: str, lang: str = "en") -> list[str]:
    """The first sentences of the body's first paragraphs (whole ones only)."""
    lead = body[:_WINDOW]
    cut_short = len(body) > _WINDOW
    out: list[str] = []
    paragraphs = [p for p in lead.split("\n") if p.strip()]
    for number, paragraph in enumerate(paragraphs):
        paragraph = " ".join(paragraph.split())
        if number == 0 or number == 1 and _BYLINE_RE.match(out[0] if out else ""):
            for _ in range(2):  # "[Botswana Daily News] Gaborone -- ..."
                paragraph = _DATELINE_RE.sub("", paragraph, count=1)
        parts = _merge_abbreviations(_SPLIT_RE.split(paragraph), ordinals=lang == "de")
        if cut_short and number == len(paragraphs) - 1 and parts and parts[-1][-1:] != ".":
            parts[-1] += "\u2026"  # the window cut it off: only its whole clauses count
        out.extend(parts)
        if len(out) >= _MAX_SENTENCES:
            break
    return out[:_MAX_SENTENCES]


_TRIM_RE = re.compile(r",\s|\s[\u2013\u2014-]\s")
_BAD_ENDINGS = frozenset(
    """
    a an the of to in on at for with by from and or but as than that which who its his her
    their our this these those is are was were be said says say told believe believes think
    thinks argue argues claim claims warn warns found find finds show shows will would can
    could should must may might has have had do does did not shortly soon just only even also
    still right well long described called termed dubbed named revealed announced reported
    confirmed suggested showed noted added explained insisted insists argued warned claimed
    stated denied admitted indicated days weeks months came comes come
    """.split()
)


_CORE_CHARS = 110
# One or two words and another comma: the next item of a list ("X, Meta, and TikTok").
_LIST_ITEM_RE = re.compile(r"(?:and |or )?[\w.'\u2019&-]+(?: [\w.'\u2019&-]+)?,")
# An aside opened after a comma ("thought to have been 36"): the main verb follows it.
_ASIDE_RE = re.compile(
    r"(?:thought|believed|said|expected|known|reported|estimated|understood|alleged) to "
)
# A saying verb right after a break: what comes before it is the subject, not a clause.
_VERB_NEXT_RE = re.compile(r"(?:said|says|told|added|noted|warned|argued|explained|wrote)\b")
# An appositive between commas, then the verb of the clause it interrupts.
_APPOSITIVE_THEN_VERB_RE = re.compile(
    r"(?:originally|once|formerly|now|then|a|an|the|its|his|her|their)\b[^,]{0,60}, "
    r"(?:has|have|had|is|are|was|were|will|would|can|could|may|might|must)\b"
)
# An auxiliary right after a break that follows an earlier comma: the break closed an
# appositive ("envoys, Steve Witkoff and Jared Kushner, are at ..."), its verb follows.
_AUX_NEXT_RE = re.compile(r"(?:has|have|had|is|are|was|were)\s")
# A name and its appositive: "Cliff Albright, co-founder and executive director of ...".
_NAME_COMMA_RE = re.compile(r"[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,3}, [a-z]")
_LONG_CORE = 140
_CONJUNCTION_RE = re.compile(
    r"\s(?=(?:after|as|while|because|since|amid|despite|following|when|which|who|where|that)\s)"
)


def core(sentence: str) -> str:
    """The sentence's main clause: cut at its first comma or dash that leaves a whole clause.

    Sentences of at most 110 characters are kept whole. ``"A widespread outage
    hit Microsoft 365 on Monday, leaving millions of users ..."`` -> ``"A
    widespread outage hit Microsoft 365 on Monday"``; an appositive without a
    verb before it (``"Meta, the tech giant behind ..., has been ..."``) is
    never a cut.
    """
    if len(sentence) <= _CORE_CHARS or _opens_subordinate(sentence):
        return sentence
    breaks = list(_TRIM_RE.finditer(sentence))
    if len(sentence) > _LONG_CORE:
        breaks += list(_CONJUNCTION_RE.finditer(sentence))
    for match in sorted(breaks, key=lambda m: m.start()):
        head = sentence[: match.start()].rstrip(" ,;:")
        words = head.split()
        if len(sentence[match.end() :].split()) < 4:
            continue  # "a single, unified workspace": a list or an adjective, not a clause
        if _ASIDE_RE.match(sentence, match.end()):
            continue  # "that orca, thought to be 36, died": an aside, the verb follows
        if _APPOSITIVE_THEN_VERB_RE.match(sentence, match.end()) or (
            "," in head and _AUX_NEXT_RE.match(sentence, match.end())
        ):
            continue  # "The twists and turns of ..., originally a two-week project, have kept"
        if _VERB_NEXT_RE.match(sentence, match.end()) and _NAME_COMMA_RE.match(head):
            continue  # "Cliff Albright, co-founder of ..., said ...": the subject's verb follows
        if _LIST_ITEM_RE.match(sentence, match.end()):
            continue  # "giants X, Meta, and TikTok": inside a list
        if "," in head and len(head.rsplit(",", 1)[1].split()) <= 2:
            continue  # "able to find, summarize": inside a list
        if (
            len(words) >= 6
            and words[-1].lower() not in _BAD_ENDINGS
            and not words[-1].lower().endswith("ing")
            and _complete(head)
            and head.count("\u201c") == head.count("\u201d")
            and head.count('"') % 2 == 0
            and head.count("(") == head.count(")")  # not inside "(known as ..."
            and not _object_without_verb(head)
        ):
            return head
    return sentence


_SUBORDINATORS = frozenset(
    """
    while as after before although though if when because since until unless once whereas
    despite amid following with without in on at for by during under from to
    """.split()
)


_SAYS_THAT_RE = re.compile(r".* (?:that|says|said|warned|warns) ")
_SAYING_WORDS = (" that ", " says ", " said ", " warned ", " warns ")
_DETERMINER_FIRST_RE = re.compile(r"(?:the|a|an|her|his|its|their|our)\s")
_TIME_ONLY_RE = re.compile(
    r"(?:on \w+day|today|yesterday|on \w+|last week|this week|earlier)$", re.IGNORECASE
)


def _object_without_verb(head: str, *, time_only: bool = True) -> bool:
    """Whether a cut leaves a saying without what was said: its object without a verb
    ("warned that the clear waters of the Wye", "says her 22-year-old son") or only a
    time ("Denmark's foreign minister said on Wednesday")."""
    if not any(word in head for word in _SAYING_WORDS):
        return False  # the common case, without the pattern's backtracking
    match = _SAYS_THAT_RE.match(head)
    if match is None:
        return False
    rest = head[match.end() :]
    if _TIME_ONLY_RE.match(rest):
        # "..., Starmer said on Monday": an attribution after its claim. A trim may keep
        # "... who said on Sunday" for the main clause to be cut from later.
        return time_only and "," not in head
    words = rest.split()
    return (
        _DETERMINER_FIRST_RE.match(rest) is not None
        and len(words) <= 8
        and not has_main_verb(words)
    )


def _opens_subordinate(sentence: str) -> bool:
    """Whether the sentence opens with a subordinate clause or phrase ("While X, Y").

    Not a date after "Since", "After" or "Before" ("Since 2018, Californians have ..."):
    that is a time, and the main clause follows it.
    """
    first, _, rest = sentence.partition(" ")
    if first in ("Since", "After", "Before", "Until") and rest[:4].rstrip(",").isdigit():
        return False
    return first.lower() in _SUBORDINATORS


_NOT_ADVERBS = frozenset("family supply reply assembly monopoly anomaly butterfly".split())
_ASIDE_OPENERS = frozenset("the a an following including who which".split())
_AND_VERB_RE = re.compile(
    r"\s(?=and (?:will|would|has|have|had|is|are|was|were|could|can|may|might)\s)"
)
_CLAUSE_CONJUNCTIONS = frozenset(
    "as while because although though whereas if when who which that but until unless how"
    " whether why what where".split()
)  # "if" ends a cut sentence badly whatever follows it


def _complete(head: str) -> bool:
    """Whether a cut sentence ends with whole clauses.

    Not when an aside is left open (``"Han Lay, who was stopped ..."``) or
    the clause opened by its last conjunction has no verb (``"Israelis held
    their breath as four soldiers"``).
    """
    words = head.split()
    if not has_main_verb(words, strict=True) and not _early_past(words):
        return False
    last_word = words[-1].lower()
    if last_word.endswith("ly") and len(last_word) > 5 and last_word not in _NOT_ADVERBS:
        return False  # "measures ... seen widely": the cut left the phrase open
    parts = head.split(", ")
    if len(parts) > 1:
        last = parts[-1].split()
        if _ASIDE_RE.match(parts[-1]):
            return False  # "that orca, thought to have been 36": its verb comes after
        aside = last[0].lower() in _SUBORDINATORS or last[0].lower() in _ASIDE_OPENERS
        if aside and not has_main_verb(parts[0].split()):
            return False  # "Ilia Malinin, after multiple falls at the Games": the verb was cut
        if len(last) <= 2 or aside and len(last) <= 4:
            return False  # "giants X, Meta", "..., following a report": a list or a stub
    if len(words) > 2 and words[-2].lower() == "to":
        return False  # "... the latest winners to join": the object was cut off
    for index in range(len(words) - 1, 0, -1):
        word = words[index].lower()
        if word in _CLAUSE_CONJUNCTIONS:
            tail = words[index:]
            if word in ("who", "which") and words[index - 1].endswith(","):
                return False
            if word == "if":
                return False  # "... and if left unchanged": the main clause was cut off
            return has_main_verb(tail)
    return True


def _early_past(words: list[str]) -> bool:
    """Whether a verb in ``-ed`` follows a short subject ("A wedding ceremony ended in ...").

    The strict check of :func:`has_main_verb` takes "ended in" for a
    participle ("based in"); right after a subject of one to three words that
    opens the sentence, a word in ``-ed`` is the main verb.
    """
    for index in range(1, min(4, len(words))):
        word = words[index]
        if word.islower() and word.isalpha() and word.endswith("ed") and len(word) > 4:
            following = words[index + 1].lower() if index + 1 < len(words) else ""
            return words[index - 1].lower() not in _NOUN_BEFORE and following != "by"
        if not word.replace("-", "").isalpha():
            return False
    return False


def _before_cut(sentence: str) -> str:
    """What precedes the last break of a sentence cut off mid-clause, when that is a clause.

    A break is a comma or dash, a conjunction (``... officers that has led to``)
    or ``and`` before a verb (``... toward rebuilding Gaza and will commit``).
    """
    if _opens_subordinate(sentence):
        return ""
    breaks = [
        *_TRIM_RE.finditer(sentence),
        *_CONJUNCTION_RE.finditer(sentence),
        *_AND_VERB_RE.finditer(sentence),
    ]
    for match in sorted(breaks, key=lambda m: m.start(), reverse=True):
        head = sentence[: match.start()].rstrip(" ,;:")
        words = head.split()
        if len(words) >= 8 and words[-1].lower() not in _BAD_ENDINGS and _complete(head):
            return head
    return ""


def _trim(sentence: str) -> str:
    """A long sentence cut at its last comma or dash that leaves a whole clause, else ``""``.

    The words after such a break are usually an adjunct ("..., saying the book
    has ...", "..., just four months after ..."), so the clause before it still
    states the fact.
    """
    best = ""
    if _opens_subordinate(sentence):
        return ""
    breaks = [
        *_TRIM_RE.finditer(sentence),
        *_CONJUNCTION_RE.finditer(sentence),
        *_GERUND_RE.finditer(sentence),
        *_AND_VERB_RE.finditer(sentence),  # "... four million times and is currently ..."
    ]
    for match in sorted(breaks, key=lambda m: m.start()):
        head = sentence[: match.start()].rstrip(" ,;:")
        if len(head) > _MAX_CHARS or len(head.split()) > _MAX_WORDS:
            break
        words = head.split()
        last = words[-1].lower()
        if last.endswith("ing") or _LIST_ITEM_RE.match(sentence, match.end()):
            continue
        if _APPOSITIVE_THEN_VERB_RE.match(sentence, match.end()) or (
            "," in head and _AUX_NEXT_RE.match(sentence, match.end())
        ):
            continue  # inside or right after an appositive: the subject's verb follows
        if (
            len(words) >= 8
            and last not in _BAD_ENDINGS
            and _complete(head)
            and not _object_without_verb(head, time_only=False)
        ):
            best = head  # the longest such clause keeps the most of the fact
    return best


def _usable(sentence: str, lang: str, *, whole: bool = False, markers: bool = True) -> str:
    """The sentence cleaned for a question (no final stop), or ``""`` when it will not do.

    ``whole``: the sentence is all of a short body, so a missing full stop
    does not mean it was cut off. ``markers=False`` skips the test for an
    article, an auxiliary or a possessive, for a headline whose missing
    articles the caller checks word by word.
    """
    sentence = _PAREN_RE.sub("", sentence).strip()
    if (
        sentence.endswith('."')
        and sentence.count('"') % 2 == 0
        or sentence.endswith(".\u201d")
        and sentence.count("\u201c") == sentence.count("\u201d")
    ):
        sentence = sentence[:-2] + sentence[-1] + "."  # 'call it "disinformation."'
    if ";" in sentence[:-1] and lang in ("en", ""):
        head = sentence.split(";", 1)[0]
        if len(head.split()) >= 8:
            sentence = head + "."  # the first of two clauses joined by a semicolon
    head, colon, tail = sentence.partition(": ")
    if (
        colon
        and (
            lang in ("de", "fr")
            # "Verdict: The Surface Laptop ...", "JAKARTA: Indonesia is ...": a label, in
            # English only before a whole sentence (a wire headline repeated has no stop).
            or len(head.split()) <= 3
            and not head[:1].islower()
            and tail.endswith(".")
            and " \u2014 " not in tail
            and _ARTICLE_WORD_RE.search(tail) is not None  # not headlinese after "Officials:"
        )
        and len(head.split()) <= 6
        and tail[:1].isupper()
        and len(tail.split()) >= 6
    ):
        sentence = tail  # "Facebook wird zur Publishing-Plattform: Die ... Instant Articles ..."
    if sentence.endswith(("\u2026", "...")):
        sentence = _before_cut(sentence.rstrip(".\u2026 "))  # a teaser cut off mid-clause
        if not sentence:
            return ""
        sentence += "."
    if sentence.endswith("."):
        if sentence.endswith(("..", " No.", " St.", " Dr.", " Mr.")):
            return ""
        sentence = sentence[:-1].rstrip()
    elif not (whole and (sentence[-1:].isalnum() or _CLOSED_QUOTE_RE.search(sentence))):
        return ""  # cut off; a whole short body may end on a quotation ('is "highly critical"')
    if any(mark in sentence for mark in _BAD_MARKS):
        return ""
    if len(sentence) > _MAX_CHARS or len(sentence.split()) > _MAX_WORDS:
        # "Charles Saatchi, the millionaire ex-husband of ..., is due to testify ...":
        # the appositive goes first, then the sentence is cut at a clause's end.
        sentence = _APPOSITIVE_RE.sub(r"\1 ", sentence, count=1)
        if len(sentence) > _MAX_CHARS or len(sentence.split()) > _MAX_WORDS:
            sentence = _trim(sentence)
    words = sentence.split()
    if not _MIN_WORDS <= len(words) <= _MAX_WORDS:
        return ""
    first = words[0].strip("\"'\u201c\u2018,")
    openers = _OPENERS_BY_LANG.get(lang, _NO_OPENERS)
    if sentence[:1] in "\"'\u201c\u2018\u201e\u00ab":
        return ""  # a quotation first: whose words they are comes after
    if (
        lang in ("en", "")
        and first.endswith(("ing", "ed"))
        and first not in _NAMES_IN_ING
        and not words[1][:1].isupper()  # "Defending Olympic champion Eileen Gu took ..."
    ):
        return ""  # "Introducing ...", "Scattered haphazardly, they ...": no subject of its own
    if lang == "de" and any(w in ("Sie", "Ihre", "Ihr", "Ihnen") for w in words[1:]):
        return ""  # the reader addressed: a promotion, not a fact
    if lang == "de" and next((w for w in words[1:] if w[:1].islower()), "") == "über":
        return ""  # "Alexander Ahrens über Gewaltausbrüche ...": an interview's label, no verb
    label_on = _NAME_ON_RE.match(sentence)
    if lang in ("en", "") and label_on and not has_main_verb(sentence[label_on.end() :].split()):
        return ""  # "Rob Sykes on the Tories' online campaign ...": a letter's label, no verb
    if words[0].endswith("ly,") or " ".join(words[:2]).lower().rstrip(",") in _NO_PAIRS:
        return ""  # "Unfortunately, ...", "In this article": a comment, not a fact
    if first == "One" and len(words) > 1 and words[1][:1].isupper():
        pass  # "One Nation leader Pauline Hanson says ...": a name
    elif first in ("This", "Last", "Next") and words[1] in ("week,", "month,", "year,"):
        pass  # "This week, the administration ...": a time, not a pronoun
    elif lang == "de" and first == "Das" and _GERMAN_ARTICLE_NEXT_RE.match(words[1]):
        pass  # "Das chinesische Start-up ...", "Das Modell ...": an article, not a pronoun
    elif first in openers or not first[:1].isupper() and not first[:1].isdigit():
        return ""
    stripped = [w.strip(",.:\"'\u201c\u201d\u2018\u2019()\u00ab\u00bb") for w in words]
    lowered = [w.lower() for w in stripped]
    voice = {w.lower() for w in stripped if not w.isupper() or w == "I"}  # "US" is no "us"
    bad = _BAD_BY_LANG.get(lang, _BAD_WORDS)
    if not bad.isdisjoint(voice) and not (
        voice & bad <= {"you", "your"} and _GENERIC_YOU_RE.search(sentence) and first not in openers
    ):
        return ""  # a blog's voice; "Google will now allow you to ..." is a fact
    # "Protests test Indonesia's democracy": a name's possessive determines its noun, in
    # a sentence-case sentence (Title Case capitals say nothing of what is a name).
    possessive = (
        lang in ("en", "")
        and any(w.endswith(("'s", "\u2019s")) and w[:1].isupper() for w in stripped[1:])
        and 2 * sum(w[:1].isupper() for w in stripped[1:]) <= len(stripped) - 1
    )
    if (
        markers
        and _MARKERS.get(lang, _SENTENCE_MARKERS).isdisjoint(lowered)
        and not possessive
        and (whole or lang not in ("en", "") or not _names_and_verb(words))
    ):
        return ""  # headlinese: no article, auxiliary or possessive
    if lang == "de":  # „so“: the low mark opens, the high one closes
        curly = sentence.count("\u201e") - sentence.count("\u201c")
    else:
        curly = sentence.count("\u201c") - sentence.count("\u201d")
    straight = sentence.count('"')
    if not (curly == 0 and straight % 2 == 0 or curly == 1 and straight == 1):
        return ""
    if lang in ("en", "") and not has_main_verb(words):
        return ""
    if _BACKDROP_OPENER_RE.match(sentence) or _CAPITAL_ARTICLE_RE.search(sentence):
        return ""
    if _CAPTION_RE.search(sentence) or (
        _INNER_STOP_RE.search(sentence) and _INNER_STOP_RE.search(_TITLE_ABBR_RE.sub(" ", sentence))
    ):
        return ""
    for match in _COMMA_PRONOUN_RE.finditer(sentence):
        if not has_main_verb(sentence[: match.start()].split()):
            return ""  # "Hawkish on security, dovish on ..., she will": the subject is a pronoun
    if _OPEN_ASIDE_RE.search(sentence) or _ELIDED_OPENER_RE.match(sentence):
        return ""  # "announced that, due to ...": cut inside; "When toggled off, Google ..."
    if lowered[-1] in _DANGLING_ENDS or any(w in _CAPITAL_SMALL for w in words[1:]):
        return ""  # "... no different from that": its referent is elsewhere; "groups For"
    if sentence.count("(") != sentence.count(")"):
        return ""  # cut inside a parenthesis: "vaccines from MSD (known"
    parts = _SPACED_DASH_RE.split(sentence)
    if (
        lang in ("en", "")
        and len(parts) == 2
        and _GLOSS_OPENER_RE.match(parts[1])
        and not has_main_verb(parts[0].split())
    ):
        # "Douglas Jensen – the bearded 43-year-old Iowa man who ...", "bellwether city —
        # Even though ...": a label or a fragment before one dash, then its gloss or
        # another sentence; "... carry an additional feature — maps of ..." is left
        return ""
    return sentence


# A dash between spaces, which parts a sentence (a hyphen inside a word does not).
_SPACED_DASH_RE = re.compile(r" [\u2014\u2013-] ")
# What opens a gloss or a new sentence after a dash: an article or a capital.
_GLOSS_OPENER_RE = re.compile(r"(?:the|a|an) |[A-Z]")


_PRONOUNS = frozenset("he she they it we i you".split())
# A word closed by a quotation mark: 'is "highly critical"', a whole clause's end.
_CLOSED_QUOTE_RE = re.compile(r"\w[\"\u201d\u2019']$")
# "you" as anyone, the object of what a product or a rule lets people do.
_GENERIC_YOU_RE = re.compile(
    r"\b(?:allows?|let|lets|helps?|gives?|enables?|requires?|forces?) you\b", re.IGNORECASE
)
# A name's appositive: "Charles Saatchi, the millionaire ex-husband of ..., is due".
_APPOSITIVE_RE = re.compile(
    r"^([A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,3}), (?:the|a|an) [^,;:]{3,90}, (?=[a-z])"
)
# A participle phrase after "in" or "by": "... on him in trying to secure ...".
_GERUND_RE = re.compile(r"\s(?=(?:in|by|while) [a-z]+ing\s)")
# Background rather than news: a definition ("Jane Street is a proprietary trading firm",
# "UTF-8 is a way to encode ...") or a press release's greeting ("is pleased to announce").
_BACKGROUND_RE = re.compile(
    r"^(?!(?:The|A|An|This|That|These|Those|Its|Their|His|Her|Our)\b)[A-Z][^,]{0,50}? (?:is|are)"
    r" (?:a|an) (?!(?:lot|number|record|first|major|new|shocking)\b)"
    # a superlative definition: "The International Mathematical Olympiad is the world's
    # most prestigious competition", "Carnival is one of the largest celebrations"
    r"|^[A-Z][^,]{0,60}? (?:is|are) (?:one of the|the world['\u2019]s) (?:\w+est|most|best)\b"
    r"|\b(?:pleased|excited|thrilled|happy|proud) to (?:announce|share|introduce|present)\b"
)
# After "Das": a noun or an inflected adjective, not a verb ("Das ist ...").
_GERMAN_ARTICLE_NEXT_RE = re.compile(r"[A-ZÄÖÜ]\w+|(?!(?:seine|keine|meine)$)[a-zäöüß]+e[nsmr]?$")
_COMMA_PRONOUN_RE = re.compile(r", (?:he|she|they|it|we|i|you) ", re.IGNORECASE)
# A conjunction, then a comma: an aside opens inside a clause ("announced that, due to").
_OPEN_ASIDE_RE = re.compile(r"\b(?:that|which|because|but|and|when|if|while),\s")
# A subordinate opener without a subject: "When toggled off, Google will ...".
_ELIDED_OPENER_RE = re.compile(
    r"^(?:When|If|Once|While|Although|Though|Unless|Until|After|Before)\s+\w+(?:ed|ing)\b"
)
_DANGLING_ENDS = frozenset("that this it them those these there".split())
_CAPITAL_SMALL = frozenset(
    "For And Or Of To With In On At By From His Her Its Their Will Is Are Was Be Get Gets".split()
)


# A full stop inside: two sentences the splitter did not part ("... “ANGI.” At the ...").
_INNER_STOP_RE = re.compile(r"(?:[a-z]{2}|[A-Z]{2})[.!?][\u201d\u2019\"']? [A-Z]")
# A title or suffix with its stop before a name ("Gov. Ron DeSantis", "Kennedy Jr. said"):
# no sentence ends there.
_TITLE_ABBR_RE = re.compile(
    r"\b(?:Gov|Sen|Rep|Lt|Gen|Col|Sgt|Capt|Cmdr|Adm|Mrs|Ms|Mr|Dr|Prof|Rev|Jr|Sr|Inc|Corp|Ltd|Co|St)"
    r"\. (?=[A-Z])"
)


# A photo caption, not the news: "A Tesla Model 3 is seen during ...".
_CAPTION_RE = re.compile(
    r"\b(?:is|are) (?:seen|pictured|shown)\b|\bpictured\b|\bphotographed\b|\bposes? for\b"
    r"|\bfile photo\b"
    # "Pukguksong-2, shown in this undated image, ...", "Eric Chien of Symantec, front, said"
    r"|\bshown in this\b|\bundated (?:image|photo|picture)\b"
    r"|, (?:front|left|right|center|centre|second (?:from )?(?:left|right)),",
    re.I,
)
# Background told before the news: "Earlier this year, Square debuted ...", "As introduced
# in the overview post, a Go module is ...", "On Feb. 1, 1979, Khomeini arrived ...".
_BACKDROP_OPENER_RE = re.compile(
    r"^(?:(?:Earlier this|Last) (?:year|month),|Back in|Years ago|Decades ago"
    r"|As (?:introduced|mentioned|noted|discussed|described|explained|covered|announced)"
    r" (?:in|earlier|before|previously|last)"
    r"|(?:On|In|By) [^,]{0,24}\b(?:1[0-9]{3}|20[01][0-9])\b[^,]{0,12},"
    r"|In (?:1[0-9]{3}|20[01][0-9]) (?=[A-Z]))"
)
# A name, then "on": a letter's or an interview's label ("Rob Sykes on the Tories' ...").
_NAME_ON_RE = re.compile(r"[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){1,3} on ")
# A capital article after a comma ("At a event in Washington D.C., A U.S. official
# said"): a typo of the source that the question would copy.
_CAPITAL_ARTICLE_RE = re.compile(r", (?:A|An) (?=[A-Za-z])")


_ARTICLES = frozenset("the a an has have had is are was were will its their his her".split())
_AUXILIARIES = frozenset(
    """
    is are was were has have had will would can could may might must should does did do
    shall isn't aren't wasn't weren't hasn't haven't won't can't couldn't didn't doesn't
    """.split()
)
_IRREGULAR = frozenset(
    """
    hit cut set put won lost made took gave got found told said sold bought built began became
    came went held kept left led met paid ran saw sent spent struck shut rose fell grew knew
    thought brought caught chose drew drove fled flew fought hid laid read rode sank shook shot
    spoke spread stood stole threw understood wore wrote quit bet cast hurt let split upset
    sought broke beat bore dug forgot froze heard lay lit meant overtook rang sang sat slept
    stuck swept swung taught tore won withdrew wound
    """.split()
)
# Irregular past forms, for telling a narrated past from a present view.
IRREGULAR_PAST = _IRREGULAR
_RELATIVES = frozenset("that which who whom whose where when".split())
_NOT_VERBS_S = frozenset("its this his thus plus us as whereas news series always perhaps".split())


def _names_and_verb(words: list[str]) -> bool:
    """A sentence without articles that still reads as one: a name, then a verb in -s or -ed."""
    if not words[0][:1].isupper() or len(words) < 8:
        return False
    for word in words[1:6]:
        low = word.lower()
        if word[:1].islower() and low.isalpha() and len(low) > 3 and low not in _NOT_VERBS_S:
            return low.endswith(("es", "ed")) or low.endswith("s") and not low.endswith("ss")
    return False


def has_main_verb(words: list[str], *, strict: bool = False) -> bool:
    """Whether the words hold a finite verb (a clause, not a noun phrase).

    The verb must come before the first relative pronoun, except after one
    short restrictive relative clause opening the sentence ("The death toll
    from a boat that sank ... has risen"): its own verb is skipped and a sure
    verb after it (an auxiliary, an irregular past, a word in ``-ed``) counts.

    ``words`` as written (with their capitals). ``strict``, for what is left
    of a cut sentence, which must surely be a clause: a word in ``-s`` counts
    only right after a capitalised word (``Havana Syndrome refers``, not
    ``political families``), one in ``-ed`` only when no preposition follows
    (``based in`` is a participle).
    """
    skipping = False
    relative = in_clause = False  # inside a relative clause; past its verb
    for index in range(1, len(words)):
        raw = words[index].strip(",.:\"'\u201c\u201d\u2018\u2019()")
        word = raw.lower()
        if raw.isupper() and len(raw) > 1:
            continue  # an acronym ("WHO", "IS"), not a word
        if skipping:
            skipping = not words[index].endswith(",")
            continue
        if word in ("which", "who") and words[index - 1].endswith(",") and not strict:
            skipping = True  # "Angie's List, which offers ..., has just set ...": skip the aside
            continue
        if word in _RELATIVES:
            previous = words[index - 1]
            if (
                strict
                or relative
                or not 2 <= index <= 8
                or previous.endswith(",")
                or previous.lower() in _SAYING_BEFORE
            ):
                return False
            # "The death toll from a boat that sank off ... has risen to 94": the
            # relative clause's own verb is skipped, and a verb after it is the main one.
            relative = True
            continue
        verb = word in _AUXILIARIES or word in _IRREGULAR
        if word in _PLURAL_VERBS and not strict:
            previous_word = words[index - 1].lower().strip(",")
            verb = (
                (previous_word in ("people", "police") or previous_word.endswith("s"))
                and not previous_word.endswith(("ss", "'s", "\u2019s"))
                and previous_word not in _NOUN_BEFORE
            )  # "Scientists report ...", "Officials say ...": a plural's verb
        if not verb and (len(word) <= 3 or not word.isalpha() or word in _NOT_VERBS_S):
            continue
        if verb:
            pass
        elif word.endswith("ed"):
            following = words[index + 1].lower() if index + 1 < len(words) else ""
            verb = not strict or following not in _PARTICIPLE_FOLLOWERS
            if in_clause and words[index - 1].lower() in _AUXILIARIES:
                verb = False  # "that was carried ...": still the clause's verb
        elif word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
            previous = words[index - 1].lower()
            verb = not (
                strict
                and not words[index - 1][:1].isupper()
                or previous in _NOUN_BEFORE
                or previous[:1].isdigit()
            )
        if not verb:
            continue
        if relative and not in_clause:
            in_clause = True  # the relative clause's own verb
            continue
        sure = word in _AUXILIARIES or not word.endswith("s")
        if in_clause and (not sure or words[index - 1].lower() == "to"):
            continue  # after the clause, only a sure verb: "has", "was", "boasted"
        return True
    return False


# Verbs of a plural subject in the present, which end in neither -s nor -ed.
_PLURAL_VERBS = frozenset(
    "say report find warn claim show believe think expect agree fear plan want need urge"
    " call argue suggest estimate predict demand accuse deny insist reveal hope worry".split()
)
# Before "that", a saying or thinking verb: a clause follows, not a relative one.
_SAYING_BEFORE = frozenset(
    "said says say told tells reported reports announced announces believe believes think"
    " thinks found finds shows show showed argued argues claimed claims".split()
)


# Words after which a word in -s is a plural noun, not a verb ("the news and stories").
_NOUN_BEFORE = frozenset(
    """
    the a an and or of in on at for with to by from its their his her our your this these
    those many more most some all other new one two three four five six seven eight nine ten
    dozens hundreds thousands millions several few
    """.split()
)
_PARTICIPLE_FOLLOWERS = frozenset("by in to at on for with from as".split() + [""])


def _split_saying(sentence: str) -> tuple[str, str]:
    """``(speaker, claim)`` of a sentence reporting a saying, else ``("", "")``."""
    if sentence.count("\u201c") or sentence.count('"'):
        return "", ""  # a quotation inside: splitting it would break the quotation marks
    match = _SAID_LAST_RE.match(sentence)
    if match:
        who = match.group("who") or match.group("who2") or match.group("who3") or ""
        claim = match.group("claim").strip('\u201c\u201d" ')
        if len(who.split()) <= 6 and len(claim.split()) >= 5 and has_main_verb(claim.split()):
            return who, claim
    match = _SAID_FIRST_RE.match(sentence)
    if match:
        claim = match.group("claim").strip('\u201c\u201d" ')
        who = match.group("who")
        first = who.split()[0]
        if first.startswith(("I'", "I\u2019", "We'", "We\u2019")) or (
            first in _NO_OPENERS and not (first == "One" and who[4:5].isupper())
        ):
            return "", ""
        if len(claim.split()) >= 5 and not claim.startswith(("in ", "on ", "at ", "it ")):
            return who, claim
    return "", ""


def as_sentence(headline: str) -> str:
    """An English headline that reads as a whole sentence, for a question; else ``""``.

    The checks of a lead sentence apply (a verb, an article, an auxiliary or a
    name followed by a verb, no first or second person, no teaser opener, no
    question or label marks), so "Tesla confirms having produced its
    300,000th electric car" passes and "Use of CC BY 4.0 licensed data in
    OpenStreetMap" or "The most perfect cheesecake I've ever made" do not.
    """
    headline = headline.strip().rstrip(".")
    if not headline or "--" in headline:
        return ""
    label, colon, _ = headline.partition(": ")
    if colon and len(label.split()) <= 3:
        return ""  # "Morning Bid: Iran widens ...": a column label, not a sentence
    return _usable(headline + ".", "en")


def as_headline_clause(headline: str) -> str:
    """Like :func:`as_sentence`, but a headline without an article may pass.

    Headlines drop their articles ("Japan recalls envoys over new statue in
    Busan"); the caller must then check that no noun is left bare where an
    article belongs. All the other checks of a lead sentence still apply.
    """
    headline = headline.strip().rstrip(".")
    if not headline or "--" in headline:
        return ""
    label, colon, _ = headline.partition(": ")
    if colon:
        return ""
    return _usable(headline + ".", "en", markers=False)


# An outlet's name after the headline, as a news aggregator's body gives it ("US, European
# stocks rise as oil takes a pause and crypto rallies  Reuters").
_SOURCE_AFTER_RE = re.compile(r"\s+[A-Z][\w.&'\u2019-]*(?: [A-Z][\w.&'\u2019-]*){0,3}")


def _candidates(
    headline: str, body: str, lang: str, skip: Callable[[int], bool] | None = None
) -> Iterator[tuple[int, str, Lead]]:
    """The lead's usable sentences, best first, as ``(index in the lead, sentence, Lead)``.

    ``sentence`` is the sentence as the body writes it, before the cleaning and
    trimming that made the lead's. ``skip(index)``, asked before the costly
    checks, passes over a sentence the caller has no use for.

    Best first: the most words shared with the headline, the first sentence
    (which usually states the news) counting one more, then the earlier. The
    candidates are checked lazily, so a caller that takes the first runs the
    costly checks on few sentences.
    """
    if not body or lang not in ("en", "", "de", "fr"):
        return
    title_words = _content_words(headline)
    sentences = _sentences(body, lang)
    whole = len(body) < 400 and len(sentences) == 1
    ranked = sorted(
        range(len(sentences)),
        key=lambda i: (-len(title_words & _content_words(sentences[i])) - (i == 0), i),
    )
    # A sentence opening with a scene-setting phrase ("With its pretty pastel houses,
    # few places ...", "Whatever the myths ...") reads badly after "the news that":
    # taken only when no other sentence will do.
    ranked.sort(key=lambda i: sentences[i].startswith(("With ", "Whatever ")))
    # A standfirst: the first paragraph, one clause without a full stop ("Two New Zealand
    # women face claim for 'emotional injury' over singer's scrapped Tel Aviv show").
    offset = _LEADING_SPACE_RE.match(body).end()  # type: ignore[union-attr]
    standfirst = (
        len(sentences) > 1
        and sentences[0][-1:].isalnum()
        and body.startswith(sentences[0], offset)
        and body[offset + len(sentences[0]) : offset + len(sentences[0]) + 1] == "\n"
    )
    standfirst = standfirst and sentences[0].split()[-1].lower() not in _BAD_ENDINGS
    for index in ranked:
        if skip is not None and skip(index):
            continue
        if index == 0 and standfirst and len(_ARTICLE_WORD_RE.findall(sentences[0])) < 2:
            continue  # a standfirst in headlinese: "... after federal jury found him guilty"
        sentence = _usable(sentences[index], lang, whole=whole or standfirst and index == 0)
        if not sentence or _BACKGROUND_RE.search(sentence):
            continue
        words = _content_words(sentence)
        if len(words - title_words) <= 1 and _ARTICLES.isdisjoint(sentence.lower().split()):
            continue  # the headline again (often with its source): headlinese
        if sentence.startswith(headline) and _SOURCE_AFTER_RE.fullmatch(sentence, len(headline)):
            continue  # "... crypto rallies Reuters": a news aggregator's headline and source
        overlap = len(title_words & words) + (index == 0)
        speaker, claim = _split_saying(sentence) if lang in ("en", "") else ("", "")
        lead = Lead(
            sentence, speaker, claim, overlap, standfirst and index == 0 and not whole, index
        )
        yield index, sentences[index], lead


def lead_sentence(headline: str, body: str, lang: str = "en") -> Lead | None:
    """The sentence of the lead that best states the story's key fact, or ``None``.

    Args:
        headline: the story's headline (its label removed).
        body: the story's plain-text body.
        lang: the story's language; English, German and French sentences are
            read (others get ``None``).

    Returns:
        The :class:`Lead`, or ``None`` when no sentence of the lead is safe to use.
    """
    return next((lead for _, _, lead in _candidates(headline, body, lang)), None)


def second_lead(headline: str, body: str, first: Lead, lang: str = "en") -> Lead | None:
    """A second sentence of the lead that states another fact than ``first``, or ``None``.

    The next usable sentence (same checks and order as :func:`lead_sentence`)
    that comes after the first one in the body, so that it does not lean on a
    name or an event the first sentence introduces later, and that shares at
    most half of its content words with the first sentence (a restatement is
    the same fact in other words). It must share a content word with the
    headline or the first sentence, so that it stays on the story's subject
    rather than on background ("German Rail was once famed for its
    punctuality" counts: it names the rail operator of the headline).

    Args:
        headline: the story's headline (its label removed).
        body: the story's plain-text body.
        first: the lead sentence already asked about.
        lang: the story's language.

    Returns:
        The second :class:`Lead`, or ``None`` when the lead states one fact only.
    """
    first_words = _content_words(first.sentence)
    title_words = _content_words(headline)

    def skip(index: int) -> bool:
        # Only the sentences after the first, among the lead's first four.
        return not first.index < index <= _SECOND_LAST

    for _, written, lead in _candidates(headline, body, lang, skip):
        words = _content_words(lead.sentence)
        # A German teaser's second sentence seldom repeats a headline's compound word
        # ("Der Internet-Riese steckt nun weitere Milliarden ..."): one of the first
        # sentence's words keeps it on the subject as well.
        anchor = title_words | first_words if lang == "de" else title_words
        if not words & anchor or 2 * len(words & first_words) > len(words):
            continue
        if _HISTORY_RE.search(lead.sentence) or _EMPTY_SAYING_RE.search(lead.sentence):
            continue
        if lead.sentence.split()[-1].lower() in _OPEN_ENDS or _ASIDE_ADVERB_RE.search(
            lead.sentence
        ):
            continue
        if len(lead.sentence) < len(written) - 2 and not _whole_before_aside(
            lead.sentence, written
        ):
            continue  # trimmed to fit ("while Cortina, a resort town in ..."): a fragment
        if _DEFINITION_RE.match(lead.sentence) and not _FIGURE_RE.search(lead.sentence):
            continue  # "the Track is a coming-of-age journey ...": a description, no news
        if core(lead.sentence) != lead.sentence:
            continue  # cut to its main clause, a second sentence too often reads as a fragment
        if lang in ("en", "") and _ATTRIBUTED_RE.search(lead.sentence):
            continue  # "Machado said she made the presentation ...": who said what, a detail
        return lead
    return None


def _whole_before_aside(kept: str, written: str) -> bool:
    """Whether a sentence trimmed to fit kept a whole clause, cut before an aside.

    The cut part opens with a comma and an aside that leans on the clause
    before it (", which has made ...", ", according to a joint report",
    ", including Ilya Yashin"), and reports no saying of its own (", which
    is owned by Meta, said" made the kept part what someone said).
    """
    if not written.startswith(kept):
        return False
    rest = written[len(kept) :]
    return bool(_ASIDE_AFTER_RE.match(rest)) and not _SAYING_IN_REST_RE.search(rest)


# The asides a whole clause may be cut before.
_ASIDE_AFTER_RE = re.compile(r", (?:which|according to|including|while|after) ")
_SAYING_IN_REST_RE = re.compile(r"\b(?:said|says|told|tells|added)\b")


# The second fact is looked for among the lead's first four sentences: further on a
# story tells background and colour more than news.
_SECOND_LAST = 3
# Background told as history ("Yunus returned from self-imposed exile in August 2024",
# "Prior to Cloudera, Bisciglia was ...", "Omega has been the official timekeeper ... for
# nearly 100 years"): context, not a second fact of the news.
_HISTORY_RE = re.compile(
    r"\b(?:in|since|from|until|by) (?:(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December) )?(?:19|20)\d\d\b"
    r"|\b(?:in the (?:early|late|mid)[- ]\d|in the past|prior to|previously|formerly"
    r"|once was|was once|were once|last (?:month|year)|years ago|over the years"
    r"|, (?:19|20)\d\d|for (?:decades|years|centuries|nearly \d+ years|more than \d+ years))\b",
    re.IGNORECASE,
)
# A description by a copula ("Carnival is more than just a tradition", "the Indian Point
# Energy Center is home to three reactors"): in second place, background.
_DEFINITION_RE = re.compile(
    r"^[^,]{1,60}? (?:is|are) (?:a|an|the|one|home|more|largely|designed|unusual|also)\b"
)
# A figure that makes a description news ("the sale ... is valued at $500 million").
_FIGURE_RE = re.compile(r"[$\u20ac\u00a3]\s?\d|\d\s?(?:%|percent|million|billion)")
# A saying with what was said left out ("said in a public statement released on ..."):
# a clause that names no fact.
_EMPTY_SAYING_RE = re.compile(
    r"\b(?:said|says|told|tweeted|wrote)\s+(?:in|on|at|during|after|this|last|late|early)\b"
    r"(?!.*\bthat\b)"
)
# A sentence attributed to a speaker or an occasion: in second place it reports who said
# what and where ("police said", "made the remarks during a meeting"), seldom a new fact.
_ATTRIBUTED_RE = re.compile(
    r"\b(?:said|says|told|according to|remarks|statement|comments|reported|posted|tweeted"
    r"|reports?)\b"
)
# An adverb set off inside the clause: it answers a sentence the question does not hold
# ("the tool, however, shows ...").
_ASIDE_ADVERB_RE = re.compile(
    r", (?:however|though|too|meanwhile|instead|also|therefore|nevertheless|in turn),",
    re.IGNORECASE,
)
# A last word that leaves its clause open ("risks to human existence such").
_OPEN_ENDS = frozenset("such including like as than after before with without".split())


_FUNCTION_WORDS = frozenset(
    """
    A An The This That These Those Its His Her Their Our Some Many Most More Few Several All
    Any No One Two Three Four Five Six Seven Eight Nine Ten Each Every Both Another While
    After Before As When Although Though Despite Since Until If Once Under Over In On At For
    From With Without By About Amid Among Across Following During Nearly Almost Only Even
    Just Still Former Le La Les Un Une Des Du En Dans Pour Avec Sans Selon Après Avant Même
    Depuis Lors Alors Plus Moins Tout Tous Toute Toutes Chaque Certains Certaines Last Next
    Earlier Later Recent Recently
    """.split()
)
# Plural nouns of people that open a sentence before "of" ("Residents of Goma",
# "Families of the victims"): a group of people, even when the subject finder took
# the phrase for a name.
# Descriptions before a name that are no part of it ("Accused Bondi Beach killer ...").
_TITLES_BEFORE_NAMES = frozenset(
    """
    Accused Alleged Suspected Convicted Jailed Disgraced Embattled Ousted Detained Veteran
    Former Outgoing Incoming Acting Interim Exiled Slain Retired Fugitive Deposed
    """.split()
)
_GROUP_NOUNS = frozenset(
    """
    Residents Members Families Relatives Parents Citizens Supporters Victims Survivors
    Leaders Users Fans Students Employees Shareholders Officials Voters Critics Opponents
    """.split()
)
_DEMONYM_WORDS = frozenset(
    """
    American French German British English Dutch Greek Thai Swiss Irish Scottish Welsh
    Israeli Iraqi Pakistani Afghan Saudi Emirati Qatari Yemeni Kuwaiti Bangladeshi Nepali
    Kenyan European African Asian Arab Latin Nordic Turkish Polish Spanish Swedish Danish
    Finnish Czech Slovak Jewish Muslim Christian Catholic Democratic Republican Conservative
    Labour Liberal Western Eastern Northern Southern Democrat Tory Tories Philippine Filipino
    Korean Mexican Cuban Chilean Peruvian Venezuelan Colombian Dominican Moroccan Libyan
    Somali Singaporean Ugandan Rwandan Zimbabwean Angolan Ecuadorean Ecuadorian
    """.split()
)
_NEWS_VERBS = frozenset(
    "today yesterday said says announced reported unveiled launched released confirmed".split()
)
_NUMBER_WORDS = frozenset(
    """
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred hundreds thousand thousands dozens millions
    """.split()
)
# Capitalised whatever their place: titles before a name, continents.
_KEEP_CAPITAL = frozenset(
    """
    President Secretary Minister Prime Chancellor Senator Governor Judge General Chief
    Attorney Deputy Vice King Queen Prince Princess Pope Mayor Sen Rep Gov Dr Mr Mrs Ms
    Europe Asia Africa America Australia Antarctica Oceania
    """.split()
)
_FIRST_WORD_RE = re.compile(r"[\w\u2019'-]+")


def lower_first(sentence: str, body: str, names: tuple[str, ...] = (), title: str = "") -> str:
    """Lower-case the sentence's first word unless it is a name (``The`` -> ``the``).

    A function word is always lowered. Another capitalised word stays only
    when it looks like a name: one of ``names`` (the story's subjects) or a
    word of one, a word of ``title`` (the headline), a demonym, written with
    a capital inside a sentence of the body,
    followed by another capitalised word (``Jean McCathern``), or with
    capitals or digits inside (``iOS``, ``U.S.``).
    """
    first, sep, rest = sentence.partition(" ")
    core = first.strip("\"'\u201c\u2018")
    if core in _FUNCTION_WORDS and not (core == "One" and rest[:1].isupper()):
        return first.lower() + sep + rest
    letters = core[1:].replace("'", "").replace("\u2019", "").replace("-", "")
    if not (core[:1].isupper() and letters.isalpha()):
        return sentence  # a number, a quotation mark ("Thirty-eight" is read on)
    if any(c.isupper() for c in core[1:]):
        return sentence  # an acronym, a CamelCase name
    match = _FIRST_WORD_RE.match(core)
    stem = match.group() if match else core
    if core.endswith(("'s", "\u2019s")):
        return sentence  # "Iran's government": a possessive at the start is a name's
    if (
        stem.endswith(("ers", "ors", "ists"))
        and not rest[:1].isupper()
        and rest.split(" ", 1)[0] not in _ONLY_SINGULAR  # "Reuters was not able ..."
    ):
        return first.lower() + sep + rest  # "Rescuers are racing ..."
    if stem.split("-")[0].lower() in _NUMBER_WORDS and not (
        core == "One" and rest[:1].isupper() and rest.split(" ", 1)[0] not in _DEMONYM_WORDS
    ):  # "One Nation leader Pauline Hanson": a name, not a number
        return first.lower() + sep + rest  # "Thirty-eight confirmed cases ..."
    if stem in _TITLES_BEFORE_NAMES and rest[:1].isupper():
        return first.lower() + sep + rest  # "Accused Bondi Beach killer Naveed Akram ..."
    if stem in _GROUP_NOUNS and rest.startswith("of "):
        return first.lower() + sep + rest  # "Residents of Goma reported ...": people, no name
    if stem.endswith("ing") and stem not in _NAMES_IN_ING and rest[:1].isupper():
        return first.lower() + sep + rest  # "Repealing Obamacare's ...", "Defending Olympic ..."
    if stem in _KEEP_CAPITAL or any(
        stem in name.split()
        and (number == 0 or " " in name or name in title or body.count(name) >= 2)
        for number, name in enumerate(names)
    ):
        return sentence  # the subject, a name of several words, or one the story repeats
    if rest.split(" ", 1)[0] in _NEWS_VERBS:
        return sentence  # "Apple today announced ...": an actor of the news
    following = rest.split(" ", 1)[0] if rest else ""
    singular = stem[:-1] if stem.endswith("s") else stem
    if (
        stem in _DEMONYM_WORDS
        or singular in _DEMONYM_WORDS
        or singular.endswith(("ian", "ese", "ish", "eli", "ani"))
    ):
        return sentence  # "Russian courts", "Italians", "Israelis"
    after = rest.split(" ", 2)[1] if rest.count(" ") >= 1 else ""
    if following in ("and", "&") and after[:1].isupper():
        return sentence  # "Apple and Google ...", "Christine and Mark Henderson ..."
    if (following[:1].isupper() or following[:1].isdigit()) and not core.endswith(","):
        return sentence  # a name of several words
    if following[:1] in '\u201c"' and following[1:2].isupper() and not core.endswith(","):
        return sentence  # a nickname inside a name: "Chonthicha \u201cLookkate\u201d Jangrew"
    text = body[:3000]
    if title and _names_word(title.removeprefix(stem + " "), stem):
        return sentence  # the headline names it too ("Kosovo", "Mailboxer")
    at = text.find(" " + stem)
    while at > 0:
        before = text[at - 1]
        end = at + 1 + len(stem)
        if (before.islower() or before in ",;") and not text[end : end + 1].isalpha():
            return sentence  # written with its capital inside a sentence: a name
        at = text.find(" " + stem, at + 1)
    if body and _bare_name_subject(stem, rest):
        return sentence  # "Tehran says ...", "Israel allowed ...": one name as the subject
    return first.lower() + sep + rest  # "Beauty is ...", "Wind gusts ...": a common word


def _names_word(text: str, word: str) -> bool:
    """Whether ``word`` stands in ``text`` as a whole word: no word character or hyphen
    touches it on either side (what ``(?<![\\w-])word(?![\\w-])`` finds, without compiling
    a pattern per word; ``str.isalnum`` is the test of ``\\w`` for text, with ``_``)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-"):
            return True
        at = text.find(word, at + 1)
    return False


# Verbs of a singular subject: a bare singular word before one is a name, since a
# common count noun takes an article ("Tehran says", "Israel allowed", "Cargill was";
# in French every common noun does: "Microsoft a publié", "Crucial vient de").
_SINGULAR_VERBS = frozenset(
    """
    is was has does says seems wants insists opposes introduces comes goes agrees denies
    warns urges launches unveils announces confirms expects remains becomes continues
    depends adds tells asks gives shows sees knows thinks believes argues rejects accuses
    vows threatens wins loses joins buys sells sues allows requires
    a est vient va sera était avait annonce lance publie dévoile
    """.split()
)
# The same verbs after any subject, plural ones too ("Reuters was", "Vox has").
_ONLY_SINGULAR = frozenset("is was has does says".split())
# Endings of mass nouns, gerunds, adverbs and adjectives, which do go bare ("Research
# suggests", "Beauty is", "Anxiety gripped", "Deeply nested code").
_MASS_ENDINGS = tuple(
    "ty ch ure ion ness ment ance ence ism ics ing age ry cy sy th ss ge ce us ly ate oil".split()
)


def _bare_name_subject(stem: str, rest: str) -> bool:
    """Whether a lone capitalised word acting as the subject of a verb is a name.

    "Tehran says ...", "Israel allowed ...", "Cargill was taken ...": a singular
    common noun would need an article, so a bare one acting alone is a name, and
    so is a word in -s with a singular verb ("Reuters was"). A plural ("Pundits
    are"), a mass noun or gerund ("Research suggests", "Beauty is", "Anxiety
    gripped") and a noun before another ("Cloud vendors are") are left to be
    lowered. One adverb may stand between ("Thailand increasingly depends").
    """
    words = rest.split(" ", 3)
    following = words[0] if words else ""
    if following.endswith("ly") and len(words) > 1:
        following = words[1]
    lower = stem.lower()
    if lower.endswith(_MASS_ENDINGS) or len(stem) < 3:
        return False
    if lower.endswith("s"):
        return following in _ONLY_SINGULAR
    if following == "and":
        # "Bahrain and the United Arab Emirates ...": joined to a name, a name too.
        after = words[1:3]
        return len(after) == 2 and after[0] == "the" and after[1][:1].isupper()
    if following == "a":
        # French "a" + a participle ("Microsoft a publié"), not English "Quite a fuss".
        return len(words) > 1 and words[1].endswith("\u00e9")
    return following in _SINGULAR_VERBS or (
        len(following) > 4
        and following.endswith("ed")
        and following.isalpha()
        and not following.startswith("un")  # "Long unloved and unwanted, ..."
    )
