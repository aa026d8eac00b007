"""A news headline that is a whole clause is asked in running prose, not quoted.

When a story offers no lead sentence and its headline is a clause with a
finite verb, the headline's fact goes into "Why does it matter that ...?"
instead of the quoted-headline fallback ("What do you make of “...”, and what
is missing from the picture?"), which fits any story. Headlines that would read
broken after "that" (no finite verb, a plan without its auxiliary, a bare noun
that wants its article, a label, a listicle, an imperative, Title Case) keep
the fallback. Titles and bodies are real feed items.
"""

from __future__ import annotations

import pytest
from support.stories import news_story

from aggregator.questions.offline import MAX_QUESTIONS, OfflineGenerator


def _questions(title: str, body: str = "") -> tuple[str, ...]:
    story = news_story(title, body, category="news")
    return OfflineGenerator(count=MAX_QUESTIONS).generate(story)


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Japan’s popular new prime minister gambles on a snap election",
            "Will her high approval ratings benefit her tarnished party?",
            "Why does it matter that Japan’s popular new prime minister gambles on a snap "
            "election?",
        ),
        (
            "The future of many Cubans in the US depends on a long legal saga",
            "Some say they were simply unlucky, that before this, all you had to do was show "
            "the border guards a Cuban passport, and you got to stay.",
            "Why does it matter that the future of many Cubans in the US depends on a long "
            "legal saga?",
        ),
        (
            "India’s government bans fantasy sports games",
            "Heavy-handed regulation of a flourishing industry could backfire",
            "Why does it matter that India’s government bans fantasy sports games?",
        ),
        (
            "China is testing South Korea in the Yellow Sea",
            "Could it become the next big maritime flashpoint?",
            "Why does it matter that China is testing South Korea in the Yellow Sea?",
        ),
        (
            "China’s bid to influence the Philippines heats up",
            "Its tactics move from sea to land",
            "Why does it matter that China’s bid to influence the Philippines heats up?",
        ),
        (
            "South Korea to deploy laser weapons to target North Korean drones",
            "",
            "Why does it matter that South Korea will deploy laser weapons to target North "
            "Korean drones?",
        ),
    ],
)
def test_a_headline_clause_is_asked_in_running_prose(title: str, body: str, expected: str) -> None:
    questions = _questions(title, body)
    assert questions == (expected,), questions


def test_a_headline_modal_is_asked_as_a_view() -> None:
    questions = _questions(
        "Any text-to-SQL benchmark should address difficulties of real-world data stores",
        "Link post on Hacker News to cacm.acm.org: 18 points, 3 comments.",
    )
    assert questions == (
        "Do you agree that any text-to-SQL benchmark should address difficulties of "
        "real-world data stores?",
    ), questions


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # a plan whose actor is a description, not a name
        ("Violinist Ray Iwazumi to restage famed 1920 recital by Fritz Kreisler", ""),
        # a plan told with "will", then a bare noun ("as US envoy")
        ("Richard Verma to quit as US envoy before Trump takes charge", ""),
        # a teaser, not a plan
        ("What to know about Ukraine's military shakeup", ""),
        # a singular noun without its article
        ("Underwater locator beacon to be used in missing plane search", ""),
        ("Colombian pro-Trump lawmaker asks Petro for help after ICE arrests her son", ""),
        ("Nepal PM Prachanda sacks ‘Reconstruction Authority’ chief", ""),
        ("Hong Kong confirms third bird flu case in three weeks", ""),
        # a listicle, an imperative, a lesson's label
        (
            "6 strategic moves for investors in a volatile market - Reuters",
            "6 strategic moves for investors in a volatile market Reuters",
        ),
        ("Five big names to look out for at Glasgow 2026", ""),
        ("Explore the cheap and chic sides of Belgrade", "Tables with posh patrons spill out."),
        ("Lessons from Japan’s efforts to wean itself off Chinese rare earths", ""),
        ("Nutrition and fitness resolutions for 2012", ""),
        # Title Case: which capitals are names is unsure
        ("NASA Will Send More Helicopters to Mars - The New York Times", ""),
        # a capital the story does not show to be a name
        ("Impotent Democrats won’t be America’s savior", ""),
    ],
)
def test_a_headline_that_would_read_broken_is_not_pasted(title: str, body: str) -> None:
    for question in _questions(title, body):
        assert not question.startswith(("Why does it matter that", "Do you agree that")), question


def test_a_disaster_headline_keeps_its_own_frames() -> None:
    for question in _questions("Floods kill dozens in Kenya as the rains batter the coast"):
        assert not question.startswith("Why does it matter"), question


# --- a standfirst that asks the story's question ----------------------------------


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "The outsize influence of America’s admiral in Asia",
            "Can Sam Paparo keep US strategy on an even keel?",
        ),
        (
            "Garnacho, Rogers and two clubs trying to balance the books",
            "How can Chelsea afford Morgan Rogers? And why are Aston Villa pursuing a loan for "
            "Alejandro Garnacho rather than buying him?",
        ),
    ],
)
def test_a_standfirst_question_is_asked_as_it_stands(title: str, body: str) -> None:
    assert _questions(title, body) == (body.split("?")[0] + "?",)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # a pronoun whose referent is not in the question
        (
            "China is testing South Korea in the Yellow Sea",
            "Could it become the next big maritime flashpoint?",
        ),
        (
            "Japan’s snap election",
            "Will her high approval ratings benefit her tarnished party?",
        ),
        # a teaser about the past, a reader addressed, a thought experiment
        (
            "Trump returns home from abroad — with a Twitter rant about fake news",
            "What did Trump do upon returning from a trip abroad to his embattled White House? "
            "He went on a Twitter rant, of course.",
        ),
        (
            "Build a dev workflow with Cloud Code on a Pixelbook",
            "Can you use a Pixelbook for serious software development?",
        ),
        (
            "A Different Approach to Climate Action",
            "What if we actually succeed in addressing the crisis?",
        ),
        # a death or disaster
        (
            "Myanmar’s earthquake piles misery on civil war",
            "Where will aid come from, and how will the junta use it?",
        ),
    ],
)
def test_a_standfirst_question_that_leans_elsewhere_is_not_asked(title: str, body: str) -> None:
    assert body.split("?")[0] + "?" not in _questions(title, body)


# --- a lead that is a label or a fragment before a dash ----------------------------


@pytest.mark.parametrize(
    ("title", "body", "fragment"),
    [
        (
            "QAnon follower who chased officer on January 6 convicted of felonies",
            "Douglas Jensen could face more than 50 years in prison after federal jury found "
            "him guilty\n\nA QAnon conspiracy theorist who led a pack of Donald Trump "
            "supporters that chased a solitary police officer around the US Capitol on the day "
            "of the January 6 attack has been found guilty of several felonies.\n\nDouglas "
            "Jensen – the bearded 43-year-old Iowa man who appeared in several media photos of "
            "the attack while wearing a black T-shirt with a large “Q” – could in theory face "
            "more than 50 years in prison",
            "Douglas Jensen –",
        ),
        (
            "Syrian rebels deny report of ceasefire near Damascus",
            "AMMAN/BEIRUT - A senior Syrian rebel official denied a report on Friday that a "
            "ceasefire had been reached between rebels and government forces.",
            "AMMAN/BEIRUT",
        ),
        (
            "BMW iX3: a ‘revolution’ for the German car brand",
            "The first in a line of a new generation of EVs – BMW is calling them the New "
            "Class, or Neue Klasse. The iX3 expunges many of the annoyances of new-age cars.",
            "the first in a line",
        ),
    ],
)
def test_a_fragment_before_a_dash_is_no_lead(title: str, body: str, fragment: str) -> None:
    for question in _questions(title, body):
        assert fragment not in question, question


def test_a_clause_before_a_dash_and_its_list_keeps_its_lead() -> None:
    questions = _questions(
        "Narrative Maps for ‘Choose Your Own Adventure’ Books",
        "The new editions carry an additional feature — maps of the hidden structure of each book.",
    )
    assert any("the new editions carry an additional feature" in q for q in questions), questions


# --- "the country" of a standfirst is the headline's country -------------------------


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "A sham poll in Myanmar opens a new phase of military rule",
            "The country’s rebels are on the back foot",
            "Myanmar's rebels are on the back foot",
        ),
        (
            "Can India create its own Ivy League?",
            "The country is home to around a fifth of the world’s university-age population",
            "India is home to around a fifth",
        ),
        (
            "Taiwan’s other war",
            "The island is a kill zone for green iguanas",
            "that Taiwan is a kill zone for green iguanas",
        ),
    ],
)
def test_the_country_of_a_standfirst_is_named(title: str, body: str, expected: str) -> None:
    questions = _questions(title, body)
    assert any(expected in q for q in questions), questions
    assert not any("the country" in q or "the island" in q for q in questions), questions


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # a demonym: the place may be another country
        (
            "When is a Malaysian footballer not a Malaysian footballer?",
            "The country is accused of handing out passports to foreign players",
        ),
        # two countries in the headline
        (
            "Japan and China trade barbs over Taiwan",
            "The country has summoned the ambassador for the second time this month",
        ),
    ],
)
def test_the_country_is_left_when_the_headline_is_unsure(title: str, body: str) -> None:
    for question in _questions(title, body):
        for country in ("Malaysia ", "Japan has", "China has", "Taiwan has"):
            assert country not in question, question
