"""Tests for aggregator.questions.lead: the lead sentence questions hang on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.models import Story
from aggregator.questions.lead import core, lead_sentence, lower_first
from aggregator.questions.offline import OfflineGenerator
from aggregator.questions.reading import detect_kind


@pytest.mark.parametrize(
    ("headline", "body", "sentence"),
    [
        (  # a wire dateline goes, the sentence stays
            "Peru's Congress ousts interim president",
            "LIMA (Reuters) - Peru's Congress voted on Tuesday to remove interim President "
            "José Jerí from office. He had served four months.",
            "Peru's Congress voted on Tuesday to remove interim President José Jerí from office",
        ),
        (  # a bracketed source goes; a pronoun opener is skipped for the next sentence
            "Zookeeper killed by tiger",
            "[Ayin Network] It was a quiet morning. A keeper at Hamerton Zoo Park died after "
            "a tiger entered the enclosure she was working in.",
            "A keeper at Hamerton Zoo Park died after a tiger entered the enclosure she was "
            "working in",
        ),
        (  # an abbreviation does not end the sentence
            "Iran's internet blackout extends into second week",
            "Iran's government has cut internet connectivity since the attacks on Feb. 28, "
            "the monitor NetBlocks said.",
            "Iran's government has cut internet connectivity since the attacks on Feb. 28, "
            "the monitor NetBlocks said",
        ),
        (  # a teaser cut off mid-clause keeps its whole clause
            "Ukrainian ex-minister accused of money laundering",
            "Ukraine's anti-corruption police accused an ex-energy minister on Monday of "
            "helping launder kickbacks and stashing millions offshore, a day after he was "
            "detained trying to leave the country\u2026",
            "Ukraine's anti-corruption police accused an ex-energy minister on Monday of "
            "helping launder kickbacks and stashing millions offshore",
        ),
        (  # the sentence that restates the headline wins over an earlier aside
            "Lufthansa strike grounds hundreds of flights",
            "Travellers faced long queues on Monday morning. Pilots and flight attendants "
            "at Lufthansa are staging an all-day strike that grounds hundreds of flights.",
            "Pilots and flight attendants at Lufthansa are staging an all-day strike that "
            "grounds hundreds of flights",
        ),
    ],
)
def test_lead_sentence(headline: str, body: str, sentence: str) -> None:
    lead = lead_sentence(headline, body)
    assert lead is not None
    assert lead.sentence == sentence


@pytest.mark.parametrize(
    ("headline", "body"),
    [
        # a blog's voice: first and second person are no fact to discuss
        (
            "Thin is in",
            "We're live from WWDC! I think you will love what we saw today at the show.",
        ),
        # a noun phrase, no verb: "A reality show so mundane that it becomes beautiful."
        (
            "Letter of Recommendation",
            "A reality show so punishingly mundane that it becomes beautiful.",
        ),
        # the headline again with its source: headlinese
        (
            "Citi CEO expects growth in investment banking",
            "Citi CEO expects growth in investment banking Reuters",
        ),
        # a photo caption
        (
            "Tesla revenue bounces back",
            "A Tesla Model 3 is seen during the expo in Beijing on July 16.",
        ),
        # a question, a link, a teaser opener
        (
            "Could we terraform Mars?",
            "Could we ever live there? Find out at http://example.com now.",
        ),
        ("Empty", ""),
    ],
)
def test_no_lead_sentence(headline: str, body: str) -> None:
    assert lead_sentence(headline, body) is None


def test_saying_is_split_into_speaker_and_claim() -> None:
    lead = lead_sentence(
        "Sheinbaum turns down invitation",
        "Mexican President Claudia Sheinbaum said the country would not join the new "
        "trade council this year.",
    )
    assert lead is not None
    assert lead.speaker == "Mexican President Claudia Sheinbaum"
    assert lead.claim == "the country would not join the new trade council this year"


def test_core_cuts_at_a_clause_never_inside_an_appositive_or_a_subordinate_opening() -> None:
    assert (
        core(
            "A widespread outage hit Microsoft 365 on Monday, leaving millions of users unable "
            "to reach Outlook email or join Teams calls for several hours"
        )
        == "A widespread outage hit Microsoft 365 on Monday"
    )
    appositive = (
        "Nomanini, a startup based in South Africa, built a device that enables local "
        "entrepreneurs to sell prepaid mobile services in their communities"
    )
    assert core(appositive).startswith("Nomanini, a startup based in South Africa, built")
    subordinate = (
        "While Republicans responded to the speech with ecstatic applause, Democrats used "
        "the opportunity to protest against the policies of the administration"
    )
    assert core(subordinate) == subordinate


@pytest.mark.parametrize(
    ("sentence", "body", "names", "expected"),
    [
        ("The company said so", "", (), "the company said so"),
        ("Wind gusts caused delays", "Wind gusts caused delays.", (), "wind gusts caused delays"),
        ("Google will pay publishers", "", ("Google",), "Google will pay publishers"),
        ("Russian courts sentenced them", "", (), "Russian courts sentenced them"),
        ("Iran's government cut access", "", (), "Iran's government cut access"),
        ("Jean McCathern felt ill", "", (), "Jean McCathern felt ill"),
        ("Linux 2.6.31 will include it", "", (), "Linux 2.6.31 will include it"),
        ("Rescuers are racing to the scene", "", (), "rescuers are racing to the scene"),
        ("Tesla sold more cars", "Analysts said Tesla sold more.", (), "Tesla sold more cars"),
    ],
)
def test_lower_first(sentence: str, body: str, names: tuple[str, ...], expected: str) -> None:
    title = "Google agrees to pay French publishers for news snippets"
    assert lower_first(sentence, body, names, title) == expected


def _story(title: str, body: str, lang: str = "en") -> Story:
    return Story(
        category="NEWS",
        title=title,
        published=datetime(2025, 4, 21, tzinfo=UTC),
        body=body,
        lang=lang,
    )


def test_a_story_without_facts_gets_one_question_not_three_fillers() -> None:
    generated = OfflineGenerator(count=3).generate(
        _story("An Implementation of J", "Link post on Hacker News to jsoftware.com.")
    )
    assert len(generated) == 1


def test_questions_never_paste_a_headline_into_a_frame_when_the_lead_has_the_fact() -> None:
    title = "US judge throws out Apple location-tracking lawsuit"
    body = (
        "A US federal judge has thrown out a lawsuit accusing Apple of tracking the "
        "locations of iPhone users without their consent. The plaintiffs may appeal."
    )
    for question in OfflineGenerator(count=3).generate(_story(title, body)):
        assert title not in question
        assert "a US federal judge has thrown out a lawsuit accusing Apple" in question


def test_headlinese_is_never_slotted_into_a_sentence() -> None:
    # "launches data protection probe": no article, a question built on it would read badly
    title = "Ireland launches data protection probe into Grok's deepfakes"
    generated = OfflineGenerator(count=3).generate(_story(title, ""))
    assert not any("launch data protection probe" in q for q in generated), generated
    assert not any("launches data protection probe" in q.split("\u201c")[0] for q in generated)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Senior Haskell / Full Stack Developer at PRODA Ltd (Full-time)", "job"),
        ("Black Friday Exclusive: Save Over 40% On The Nix Mini Color Sensor", "deal"),
        ("How Italy's Federica Brignone Won Gold in Giant Slalom", "news"),
        ("How to build a CRUD app with Go", "howto"),
    ],
)
def test_more_kinds(title: str, kind: str) -> None:
    assert detect_kind(title, "") == kind


def test_french_questions_use_the_lead_as_a_clause() -> None:
    title = "Louis Gallois dénonce une volonté politique de minorer le nombre de SDF"
    body = (
        "Le président de la Fédération des acteurs de la solidarité accuse certains préfets "
        "de ne pas compter certaines catégories de sans-abri."
    )
    first = OfflineGenerator(count=3).generate(_story(title, body, "fr"))[0]
    assert first.startswith("Que faut-il penser du fait que le président de la Fédération")
    assert first.endswith("\u00a0?")


def test_an_obituary_names_the_role_from_the_lead_and_asks_no_prevention() -> None:
    title = "Robert Duvall dies at 95"
    body = (
        "Robert Duvall, the actor who played Tom Hagen in The Godfather, died on Sunday at "
        "his home in Virginia. He was 95."
    )
    generated = OfflineGenerator(count=3).generate(_story(title, body))
    assert generated[0] == (
        "What will Robert Duvall, the actor who played Tom Hagen in The Godfather, be "
        "remembered for, and which part matters most to you?"
    )
    assert not any("prevent" in q for q in generated), generated


def test_a_stance_is_asked_whether_readers_agree() -> None:
    title = "Britain should rejoin the single market, says former minister"
    body = (
        "The government should rejoin the European single market within five years to "
        "revive trade. The proposal was rejected by ministers."
    )
    first = OfflineGenerator(count=3).generate(_story(title, body))[0]
    assert first.startswith("Do you agree that the government should rejoin")


def test_a_question_headline_is_asked_in_sentence_case() -> None:
    generated = OfflineGenerator(count=3).generate(
        _story("Is Pluto a Planet?", "The debate over what a planet is has lasted for decades.")
    )
    assert generated[0] == "Is Pluto a planet, and what would settle the question?"


def test_a_deadly_act_someone_chose_is_judged_never_given_a_motive() -> None:
    title = "Navy conducts strikes on two more boats, killing 6"
    generated = OfflineGenerator(count=3).generate(_story(title, ""))
    assert generated[0] == "Was the Navy justified to conduct strikes on two more boats, killing 6?"
    for question in generated:
        assert "really after" not in question and "who gains" not in question.lower()
