"""Tests for aggregator.questions.lead: the lead sentence questions hang on."""

from __future__ import annotations

import pytest
from support.stories import news_story

from aggregator.models import Story
from aggregator.questions.lead import core, has_main_verb, lead_sentence, lower_first
from aggregator.questions.offline import MOTIVE_RE, OfflineGenerator
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
    assert_lead(headline, body, sentence)


def assert_lead(headline: str, body: str, sentence: str) -> None:
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
    return news_story(title, body, lang)


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


# --- the lead sentence of a long or quoted sentence, tragedies, the headline as a clause ---


@pytest.mark.parametrize(
    ("headline", "body", "sentence"),
    [
        (  # a closing quotation mark after the full stop still ends the sentence
            "Belgium accuses U.S. envoy of disinformation for antisemitism claim",
            "Belgian authorities call the U.S. ambassador's intervention in the case of three "
            'Jewish religious figures "dangerous disinformation."',
            "Belgian authorities call the U.S. ambassador's intervention in the case of three "
            'Jewish religious figures "dangerous disinformation"',
        ),
        (  # two clauses joined by a semicolon: the first one
            "Google Earnings, Google Cloud Crushes, Search Advertising and LLMs",
            "Google announced a massive increase in CapEx that blew away expectations; the "
            "companies earnings results explain why the increase is justified.",
            "Google announced a massive increase in CapEx that blew away expectations",
        ),
        (  # a verb in -ed right after a short subject is the main verb, and the longest
            # whole clause is kept ("... when an overcrowded passenger boat overturned")
            "Nigeria: 14 Buried After Wedding Cortege Drowns in Kebbi Boat Accident",
            "A wedding ceremony ended in grief on Sunday when an overcrowded passenger boat "
            "overturned at dusk, killing 14 people participating in the ceremony in Yauri "
            "Local Government Area of Kebbi State in Northern Nigeria.",
            "A wedding ceremony ended in grief on Sunday when an overcrowded passenger boat "
            "overturned at dusk",
        ),
    ],
)
def test_lead_of_long_or_quoted_sentences(headline: str, body: str, sentence: str) -> None:
    assert_lead(headline, body, sentence)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # an aside after the comma ("thought to have been ..."): the verb comes after it
            "SeaWorld announced that orca, thought to have been around 36 years old, died "
            "after suffering health problems, including a lung infection",
            "SeaWorld announced that orca, thought to have been around 36 years old, died "
            "after suffering health problems",
        ),
        (  # a subject, then an aside: no cut leaves the verb out
            "Team USA star skater Ilia Malinin, after multiple falls at the Winter Games, "
            'speaks of a struggle to "stay sane through the endless insurmountable pressure"',
            "Team USA star skater Ilia Malinin, after multiple falls at the Winter Games, "
            'speaks of a struggle to "stay sane through the endless insurmountable pressure"',
        ),
    ],
)
def test_core_never_cuts_inside_an_aside(sentence: str, expected: str) -> None:
    assert core(sentence) == expected


def test_a_byline_paragraph_does_not_hide_the_dateline() -> None:
    body = (
        "By Olivia Le Poidevin\n\nGENEVA, Feb 17 (Reuters) - An independent United Nations "
        "body on Tuesday condemned attacks by several European ministers against the "
        "organisation's special rapporteur."
    )
    lead = lead_sentence("Independent UN body condemns 'vicious attacks' on UN expert", body)
    assert lead is not None
    assert lead.sentence.startswith("An independent United Nations body")


def test_a_sentence_ending_in_a_saying_verb_is_not_a_clause() -> None:
    # Cut at "that", the sentence would end "... Machado insisted": the claim is lost.
    sentence = (
        "Venezuelan opposition leader María Corina Machado insisted on Friday in Washington "
        "that her country would become a democracy with the support of the United States "
        "and of President Donald Trump"
    )
    assert not core(sentence).endswith("insisted on Friday in Washington")


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (  # the deaths are only in the cut part of the sentence: still a tragedy question
            "World › 5 dead, 8 injured in Fort Lauderdale airport shooting",
            "A gunman opened fire Friday at Fort Lauderdale-Hollywood airport, a major tourist "
            "hub in Florida, killing five people and injuring eight, as panicked travelers "
            "fled for safety.",
            "Who should answer for what happened, given that a gunman opened fire Friday at "
            "Fort Lauderdale-Hollywood airport?",
        ),
        (  # read as a tragedy, but the lead reports a government's move: weighed as news
            "Czech Republic: Government attacks public television and radio",
            "Prime Minister Andrej Babis' new right-wing populist government wants to bring "
            "the Czech public broadcaster under its control. One of its reforms is to abolish "
            "licensing fees.",
            "What should readers make of the news that Prime Minister Andrej Babis' new "
            "right-wing populist government wants to bring the Czech public broadcaster under "
            "its control?",
        ),
    ],
)
def test_tragedy_questions_read_the_whole_lead(title: str, body: str, expected: str) -> None:
    assert detect_kind(title, body) == "tragedy"
    generated = OfflineGenerator(count=3).generate(_story(title, body))
    assert generated[0] == expected
    assert not any(MOTIVE_RE.search(q) for q in generated)


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "57 – Tesla confirms having produced its 300,000th electric car",
            "Link post on Hacker News to electrek.co: 57 points, 27 comments.",
            "What should readers make of the news that Tesla confirms having produced its "
            "300,000th electric car?",
        ),
        (
            "Japan's JERA hedges growing Middle East risks by seeking more LNG supply - Reuters",
            "Japan's JERA hedges growing Middle East risks by seeking more LNG supply Reuters",
            "What should readers make of the news that Japan's JERA hedges growing Middle East "
            "risks by seeking more LNG supply?",
        ),
        (
            "Kremlin says Russia and US share interest in stabilising energy markets - Reuters",
            "Kremlin says Russia and US share interest in stabilising energy markets Reuters",
            "What should readers make of the news that the Kremlin says Russia and US share "
            "interest in stabilising energy markets?",
        ),
    ],
)
def test_a_headline_that_reads_as_a_sentence_is_weighed_as_news(
    title: str, body: str, expected: str
) -> None:
    # No lead sentence in the body: the headline itself is the fact, not a quotation.
    assert OfflineGenerator(count=3).generate(_story(title, body)) == (expected,)


@pytest.mark.parametrize(
    "title",
    [
        "China slams US trade probe ahead of Paris talks",  # "the US trade probe"
        "Use of CC BY 4.0 licensed data in OpenStreetMap",  # a noun phrase
        "Search all Craigslist cities for a remote job",  # an imperative
        "Greenland's Olympic siblings keen to help protect homeland",  # no verb
        "The most perfect vanilla bean cheesecake I've ever made",  # a first-person voice
        "Ireland launches data protection probe into Grok's deepfakes",  # "a data ... probe"
    ],
)
def test_headlinese_headlines_keep_the_quoted_fallback(title: str) -> None:
    generated = OfflineGenerator(count=3).generate(_story(title, ""))
    assert not any("the news that" in q for q in generated), generated


def test_prevention_is_asked_only_of_a_clause_that_states_the_harm() -> None:
    generator = OfflineGenerator(count=3)
    harm = generator.generate(
        _story(
            "Strike on market in Sudan kills at least 28 people, rights group says",
            "A rights group says drone strikes hit a busy market in Sudan\u2019s Kordofan "
            "region, killing at least 28 people",
        )
    )
    assert harm[0].startswith("Who should answer for what happened, given that drone strikes")
    assert any(q.startswith("What, if anything, could have prevented this: drone") for q in harm)
    # The lead reports the arrest: "prevented this: police have arrested ..." is absurd.
    arrest = generator.generate(
        _story(
            "Crime › Man arrested for fatally stabbing father in Saitama",
            "Police in Koshigaya, Saitama Prefecture, have arrested an unemployed 43-year-old "
            "man on suspicion of murder after his father was found stabbed to death.",
        )
    )
    assert arrest, arrest
    assert not any("prevented this" in q for q in arrest), arrest


def test_a_routine_report_is_weighed_as_news_and_an_arguable_claim_as_a_claim() -> None:
    generator = OfflineGenerator(count=3)
    routine = generator.generate(
        _story(
            "Ramazan moon sighted in Saudi Arabia, UAE",
            "The Ramazan moon was sighted in Saudi Arabia and the United Arab Emirates on "
            "Tuesday night, Gulf News said.",
        )
    )
    assert not any(q.startswith(("How convincing", "What evidence")) for q in routine), routine
    assert routine[0] == (
        "What should readers make of the news that the Ramazan moon was sighted in Saudi "
        "Arabia and the United Arab Emirates on Tuesday night, Gulf News said?"
    )
    arguable = generator.generate(
        _story(
            "Land prices have risen by more than 500 per cent since 2000",
            "A Housing Industry Association report says rising land prices are blocking the "
            "construction of new homes.",
        )
    )
    assert arguable[0] == (
        "How convincing is the claim that rising land prices are blocking the construction "
        "of new homes?"
    )


def test_the_lead_comes_before_the_headline_act() -> None:
    # Headline words in a question read worse than a sentence of the body.
    generated = OfflineGenerator(count=3).generate(
        _story(
            "Kaspersky tightens up anti-virus engine",
            "Kaspersky has fixed its malware detection problem in its 2010 products via an "
            "automatic update.",
        )
    )
    assert generated[0].startswith("What should readers make of the news that Kaspersky has")
    assert not any(q.startswith(("Is it a surprise", "Is it a good idea")) for q in generated)


def test_a_teaser_cut_off_keeps_the_clause_before_its_last_conjunction() -> None:
    body = (
        "President Donald Trump said Sunday that members of his newly created Board of Peace "
        "have pledged $5 billion toward rebuilding war-ravaged Gaza and will commit thousands "
        "of personnel\u2026"
    )
    lead = lead_sentence("Trump says Board of Peace will unveil $5 billion in Gaza pledges", body)
    assert lead is not None
    assert lead.sentence.endswith("toward rebuilding war-ravaged Gaza")
    # The day between the saying verb and the claim is not part of the claim.
    assert lead.speaker == "President Donald Trump"
    assert lead.claim.startswith("members of his newly created Board of Peace")


def test_german_quotation_marks_are_balanced() -> None:
    # „Ziele“: the low mark opens and the high one closes, as German writes them.
    body = (
        "Google Kalender soll mit der neuen Funktion \u201eZiele\u201c helfen, Vorsätze "
        "besser umzusetzen."
    )
    lead = lead_sentence("Google Ziele: Kalender-App übernimmt die Terminplanung", body, "de")
    assert lead is not None
    assert lead.sentence.startswith("Google Kalender soll")


@pytest.mark.parametrize(
    "body",
    [
        # an aside opened right after a conjunction: the clause was cut inside it
        "The developers of the free open source NeoOffice office suite for Mac OS X have "
        "announced that, due to very low donation levels this year, development will slow.",
        # a subordinate opener without a subject of its own
        'When toggled off, Google will remove the "sparkle" watermark that appears in the '
        "corner of content generated with the company's models.",
        # a pronoun after the commas of a list of adjectives: its referent is elsewhere
        "Hawkish on security policy, dovish on fiscal policy and traditionalist on social "
        "policy, she will move her country to the right.",
    ],
)
def test_sentences_that_read_badly_after_the_news_that_are_not_leads(body: str) -> None:
    assert lead_sentence("A headline about something", body) is None


def test_with_a_lead_the_headline_act_adds_only_its_motive() -> None:
    # "What does it mean that Kaspersky tightens up anti-virus engine" pastes headlinese;
    # the lead says the same in a sentence.
    generated = OfflineGenerator(count=3).generate(
        _story(
            "Kaspersky tightens up anti-virus engine",
            "Kaspersky has fixed its malware detection problem in its 2010 products via an "
            "automatic update.",
        )
    )
    assert not any("tightens up anti-virus engine" in q for q in generated), generated
    acted = OfflineGenerator(count=3).generate(
        _story(
            "Meta asks Amazon and Microsoft to help fund its Llama AI models",
            "Meta has asked Amazon and Microsoft for money to train Llama.",
        )
    )
    assert acted[0].startswith("What should readers make of the news that Meta has asked")
    assert any("really after in choosing to ask Amazon and Microsoft" in q for q in acted)


def test_a_name_before_and_another_name_keeps_its_capital() -> None:
    sentence = "Apple and Google have agreed to remove LinkedIn from app stores in Russia"
    assert lower_first(sentence, "").startswith("Apple and Google")
    assert lower_first("The apps were removed from the stores", "").startswith("the apps")


def test_core_does_not_cut_inside_a_list_or_after_an_open_adverb() -> None:
    listed = (
        "The Spanish government has called for an investigation into social media giants X, "
        "Meta, and TikTok over alleged AI-generated child sexual abuse material"
    )
    assert not core(listed).endswith("giants X")
    adverb = (
        "Israel has approved numerous measures on the occupied West Bank seen widely as part "
        "of an effort by Netanyahu's government to annex the Palestinian territory"
    )
    assert not core(adverb).endswith("seen widely")


def test_a_body_repeating_the_headline_does_not_vouch_for_its_capitals() -> None:
    # "Send" and "Helicopters" are capitalised only because the body repeats the headline.
    title = "NASA Will Send More Helicopters to Mars - The New York Times"
    body = "NASA Will Send More Helicopters to Mars The New York Times"
    generated = OfflineGenerator(count=3).generate(_story(title, body))
    assert not any("Send more Helicopters" in q for q in generated), generated


@pytest.mark.parametrize(
    ("headline", "body", "start"),
    [
        (  # a teaser's label before the colon: the sentence after it is the lead
            "Entwicklerkonferenz f8: Facebook gibt Instant Articles für alle frei",
            "Facebook wird zur Publishing-Plattform: Die seit geraumer Zeit im Betatest "
            "befindlichen Instant Articles verkürzen die Ladezeit auf Mobilgeräten massiv.",
            "Die seit geraumer Zeit im Betatest",
        ),
        (  # "Das" before an adjective or a noun is an article, not a pronoun
            "DeepSeek veröffentlicht neue KI-Generation",
            "Das chinesische Start-up DeepSeek hat eine neue KI-Generation veröffentlicht.",
            "Das chinesische Start-up DeepSeek",
        ),
    ],
)
def test_german_leads(headline: str, body: str, start: str) -> None:
    lead = lead_sentence(headline, body, "de")
    assert lead is not None
    assert lead.sentence.startswith(start)


def test_german_das_before_a_verb_is_still_a_pronoun() -> None:
    assert lead_sentence("Ein Titel", "Das ist eine gute Nachricht für alle Nutzer.", "de") is None


def test_show_notes_ask_about_a_named_topic_of_the_episode() -> None:
    body = (
        "- Follow-up:\n- Window management\n- Another iSH and youtube-dl update\n"
        "- The Surface Go is more interesting than we thought\n- Apple Watch LTE pricing\n"
    )
    story = _story("301: I Cut Them Up in the Air", body)
    assert OfflineGenerator(count=3).explain(story).kind == "podcast"
    assert OfflineGenerator(count=3).generate(story) == (
        "What is your view on \u201cThe Surface Go is more interesting than we thought\u201d, "
        "one of this episode's topics?",
    )
    # Without a claim, the first named thing; without a list, nothing of the notes.
    named = _story(
        "240: Undefined Wait Period",
        "- Follow up:\n- Window management\n- Apple Watch LTE pricing\n- iPhone X screen size\n",
    )
    assert (
        OfflineGenerator(count=3)
        .generate(named)[0]
        .startswith("What is your view on Apple Watch LTE pricing")
    )


@pytest.mark.parametrize(
    ("headline", "body", "start"),
    [
        (  # a definition of the expert is background; the finding is the news
            "From \u2018pajamas and the chamber pot\u2019 to the \u2018coffee nap\u2019",
            "Juan Antonio Madrid is a professor of physiology at the University of Murcia, in "
            "Spain. Humans have a predisposition to experience a drop in alertness and "
            "vigilance around midday.",
            "Humans have a predisposition",
        ),
        (  # a press release's greeting is no fact
            "OCamlPro\u2019s Tezos block explorer TzScan\u2019s last updates",
            "OCamlPro is pleased to announce the latest update of TZScan. TzScan is now ready "
            "for the protocol update scheduled for tomorrow.",
            "TzScan is now ready",
        ),
        (  # a judgement with "is a" is a stance, not a definition
            "The silencing of an anti-U.S. base protester in Okinawa",
            "The extended detention of Hiroji Yamashiro is a shocking display of raw "
            "government power.",
            "The extended detention",
        ),
    ],
)
def test_background_sentences_are_not_leads(headline: str, body: str, start: str) -> None:
    lead = lead_sentence(headline, body)
    assert lead is not None
    assert lead.sentence.startswith(start)


@pytest.mark.parametrize(
    ("headline", "body", "sentence"),
    [
        (  # a long sentence loses its appositive before it is cut
            "Celeb chef's ex: Didn't see drug use",
            "Charles Saatchi, the millionaire ex-husband of celebrity chef Nigella Lawson, is "
            "due to testify Friday at the trial of two former personal assistants accused of "
            "defrauding the couple.",
            "Charles Saatchi is due to testify Friday at the trial of two former personal "
            "assistants accused of defrauding the couple",
        ),
        (  # cut before a participle phrase ("in trying to ...")
            "Zelensky Says Trump Exerting Undue Pressure On Him Over Peace Deal",
            "Ukrainian President Volodymyr Zelenskiy said US President Donald Trump was exerting "
            "undue pressure on him in trying to secure a resolution to the nearly four-year-old "
            "war pitting Kyiv against Moscow",
            "Ukrainian President Volodymyr Zelenskiy said US President Donald Trump was exerting "
            "undue pressure on him",
        ),
        (  # "you" as anyone, the object of what a product lets people do
            "You can now turn off Google Gemini\u2019s visible watermarks",
            "Google will now allow you to remove visible watermarks from the images, videos, "
            "and music made with AI tools.",
            "Google will now allow you to remove visible watermarks from the images, videos, "
            "and music made with AI tools",
        ),
        (  # a participle before a title and a name: the sentence's subject
            "Canada's Megan Oldham takes gold in freestyle big air, Eileen Gu takes silver",
            "Defending Olympic champion Eileen Gu took silver in freeski big air at the 2026 "
            "Winter Olympics.",
            "Defending Olympic champion Eileen Gu took silver in freeski big air at the 2026 "
            "Winter Olympics",
        ),
    ],
)
def test_long_and_unusual_sentences_still_lead(headline: str, body: str, sentence: str) -> None:
    assert_lead(headline, body, sentence)


def test_a_participle_opener_is_lowered_and_a_list_item_is_no_lead() -> None:
    assert lower_first("Defending Olympic champion Eileen Gu took silver", "").startswith(
        "defending Olympic champion"
    )
    body = "Second with 20,000 souls of all ages dressed in white, belting out hits from 1999."
    assert lead_sentence("The Backstreet Boys at the Sphere", body) is None
    # "you" of a blog's voice still is no fact
    assert lead_sentence("A title", "If you want to learn React, this is your book.") is None


def test_a_tragedy_keeps_its_chosen_act_beside_the_lead() -> None:
    generated = OfflineGenerator(count=3).generate(
        _story(
            "Trump threatens to target Iran's bridges and power plants if Hormuz attacks persist",
            "Donald Trump says the US will respond any time Iranian forces shoot at a ship in "
            "the Strait of Hormuz. Several tankers were attacked and two sailors were killed.",
        )
    )
    assert any(q.startswith("Was Trump justified to threaten") for q in generated), generated
    assert not any(MOTIVE_RE.search(q) for q in generated)


@pytest.mark.parametrize(
    ("headline", "body", "sentence"),
    [
        (  # a short relative clause opens the sentence; the verb after it is the main one
            "Firm in data scandal 'made election boasts'",
            "The company that became Cambridge Analytica boasted about interfering in foreign "
            "elections, according to documents seen by the Sunday Politics.",
            "The company that became Cambridge Analytica boasted about interfering in foreign "
            "elections, according to documents seen by the Sunday Politics",
        ),
        (
            "Brace for an interesting year",
            "The period of economic and political upheaval that began in 2016 will continue "
            "this year.",
            "The period of economic and political upheaval that began in 2016 will continue "
            "this year",
        ),
        (  # "Gov." before a name ends no sentence
            "Could Nikki Haley Really Beat Trump? Big Donors Are Daring to Dream.",
            "Nikki Haley still trails former President Donald J. Trump by a wide margin in polls,"
            " but she has gained ground on Gov. Ron DeSantis of Florida.",
            "Nikki Haley still trails former President Donald J. Trump by a wide margin in polls,"
            " but she has gained ground on Gov. Ron DeSantis of Florida",
        ),
    ],
)
def test_a_relative_clause_or_a_title_abbreviation_does_not_hide_the_lead(
    headline: str, body: str, sentence: str
) -> None:
    assert_lead(headline, body, sentence)


@pytest.mark.parametrize(
    "words",
    [
        # a noun phrase with a relative clause and no verb of its own
        "A remarkable election victory that will reshape Japanese politics for years to come",
        "Sören Schwertfeger at ShanghaiTech University, where a sizable grant has allowed him"
        " to set up an artificial intelligence lab",
        "The man who killed eight people in the school",
        "The boat that was carried by refugees off Syria",
    ],
)
def test_a_noun_phrase_with_a_relative_clause_has_no_main_verb(words: str) -> None:
    assert not has_main_verb(words.split())


@pytest.mark.parametrize(
    "words",
    [
        "Scientists report a rise in nature anxiety, or biophobia, warning that humans are "
        "losing touch with the natural world",
        "Few parents want their offspring to end up working in the fields",
    ],
)
def test_a_plural_subject_with_a_present_verb_has_a_main_verb(words: str) -> None:
    assert has_main_verb(words.split())


def test_a_base_form_after_a_singular_or_possessive_is_no_verb() -> None:
    assert not has_main_verb("The boss's report on the crisis in the fields".split())


@pytest.mark.parametrize(
    ("title", "question"),
    [
        (  # a name's possessive opens the actor: no article missing
            "Taiwan’s political drama is paralysing its government",
            "Is Taiwan’s political drama really paralysing its government?",
        ),
        (
            "South Korea’s new president is fixing relations with America, Japan and China",
            "Is South Korea’s new president really fixing relations with America, Japan and China?",
        ),
        (  # an article opens it, lowered inside the question
            "A booming gig economy is formalising India’s labour force",
            "Is a booming gig economy really formalising India’s labour force?",
        ),
        (  # a plural needs no article
            "Homegrown apps are making dating in India less awkward",
            "Are homegrown apps really making dating in India less awkward?",
        ),
    ],
)
def test_a_headline_actor_opened_by_a_possessive_or_an_article_is_asked_about(
    title: str, question: str
) -> None:
    assert OfflineGenerator().generate(_story(title, ""))[0] == question


@pytest.mark.parametrize(
    "title",
    [
        "It’s time for short sellers to make a comeback",  # "It’s" is no possessive
        # the head is singular, the plural only ends its modifier
        "Private credit in emerging markets surges to record, industry group says",
        "Medici Family Mystery May Be Solved After More Than 400 Years",  # Title Case
    ],
)
def test_no_actor_question_without_a_possessive_or_an_article(title: str) -> None:
    questions = OfflineGenerator().generate(_story(title, ""))
    assert not any(q.startswith(("Is ", "May ", "What does it mean")) for q in questions)


@pytest.mark.parametrize(
    ("headline", "body", "sentence"),
    [
        (  # a capitalised dateline label before a whole sentence goes
            "British Museum under fire after removing word ‘Palestine’ from some displays",
            "LONDON: The British Museum has removed the word ‘Palestine’ from some of its "
            "gallery displays, revising maps and information panels.",
            "The British Museum has removed the word ‘Palestine’ from some of its gallery "
            "displays, revising maps and information panels",
        ),
        (  # a verdict label
            "Microsoft Surface Laptop Teardown",
            "Verdict: The Surface Laptop is not a laptop. It is a glue-filled monstrosity.",
            "The Surface Laptop is not a laptop",
        ),
    ],
)
def test_an_english_label_before_a_whole_sentence_goes(
    headline: str, body: str, sentence: str
) -> None:
    assert_lead(headline, body, sentence)


@pytest.mark.parametrize(
    ("headline", "body"),
    [
        # an attribution label before headlinese (no article): no lead
        ("Biker arrest?", "Officials: Arrest could be coming for biker involved in SUV fight."),
        # a wire headline repeated with its source has no full stop
        (
            "Trading Day: The destructive power of $100 oil",
            "Trading Day: The destructive power of $100 oil Reuters",
        ),
    ],
)
def test_a_label_before_headlinese_or_a_repeated_headline_is_no_lead(
    headline: str, body: str
) -> None:
    assert lead_sentence(headline, body) is None


def test_a_column_label_headline_is_not_asked_as_a_sentence() -> None:
    story = _story("Morning Bid: Iran widens war on shipping, Trump talks Strait", "")
    assert not any("news that" in q for q in OfflineGenerator().generate(story))


def test_a_superlative_definition_is_background_not_a_lead() -> None:
    body = (
        "The International Mathematical Olympiad is the world’s most prestigious competition "
        "for young mathematicians. An advanced version of Gemini with Deep Think solved five "
        "of the six problems perfectly, earning 35 points."
    )
    lead = lead_sentence("Gemini with Deep Think achieves gold-medal standard at the IMO", body)
    assert lead is not None
    assert lead.sentence.startswith("An advanced version of Gemini")


@pytest.mark.parametrize(
    ("title", "body", "clause"),
    [
        (
            "Apple announces iPad mini with Retina display",
            "Apple also announced a new iPad mini with Retina display at its event in San "
            "Francisco on Tuesday.",
            "Apple announced a new iPad mini",
        ),
        (
            "Mamdani backs off pledge to arrest Netanyahu citing lack of authority",
            "The New York City mayor instead called on US authorities to act on the arrest "
            "warrant against the Israeli prime minister.",
            "the New York City mayor called on US authorities",
        ),
    ],
)
def test_a_linking_adverb_leaves_the_lead_clause(title: str, body: str, clause: str) -> None:
    questions = OfflineGenerator().generate(_story(title, body))
    assert any(clause in q for q in questions)
    assert not any(" also " in q or " instead " in q for q in questions)


def test_a_standfirst_without_a_full_stop_can_lead() -> None:
    body = (
        "Trump says the golf course is worth more than $50m but the Palm Beach County property "
        "tax appraiser says it is actually worth $19m\n\n"
        "It was filed in a Florida court on Monday."
    )
    lead = lead_sentence("Trump sues over property tax bill for Florida golf club", body)
    assert lead is not None
    assert lead.sentence.startswith("Trump says the golf course is worth more than $50m")
    assert lead.standfirst


def test_a_standfirst_in_headlinese_is_passed_over() -> None:
    body = (
        "Douglas Jensen could face more than 50 years in prison after federal jury found him "
        "guilty\n\n"
        "A jury convicted Douglas Jensen on Friday of chasing a police officer up the stairs "
        "of the Capitol."
    )
    lead = lead_sentence("QAnon follower who chased officer on January 6 convicted", body)
    assert lead is not None
    assert lead.sentence.startswith("A jury convicted Douglas Jensen")
    assert not lead.standfirst


def test_a_date_after_since_is_no_subordinate_clause() -> None:
    body = (
        "Since 2018, Californians have bought luxury vehicles worth over $20 million in "
        "sales-tax-free Montana, exploiting a loophole that avoided millions of dollars in "
        "levies, an investigation revealed."
    )
    lead = lead_sentence("Have a Montana License Plate in California? Officials Have an Eye", body)
    assert lead is not None
    assert lead.sentence.startswith(
        "Since 2018, Californians have bought luxury vehicles worth over $20 million in "
        "sales-tax-free Montana"
    )


def test_a_long_sentence_is_cut_before_and_with_a_second_verb() -> None:
    body = (
        "Less than 24 hours since it was released, Firefox 3.5 has already been downloaded "
        "more than four million times and is currently being downloaded approximately 77 "
        "times every second"
    )
    questions = OfflineGenerator().generate(
        _story("Firefox 3.5 already downloaded more than 4 million times", body)
    )
    assert questions[0] == (
        "What should readers make of the news that less than 24 hours since it was released, "
        "Firefox 3.5 has already been downloaded more than four million times?"
    )


# Real stories of the corpus whose lead opens with a name that the story writes nowhere
# else: the name keeps its capital inside the question.
@pytest.mark.parametrize(
    ("title", "body", "lang", "clause"),
    [
        (
            "Iran says 'guiding principles' agreed with US at nuclear talks",
            "Tehran also says more work is needed to get a deal - the US is yet to comment on "
            "the issue.",
            "en",
            "that Tehran says more work is needed",
        ),
        (
            "Palestinians Stream Back to Northern Gaza on Foot",
            "Israel allowed displaced Gazans to begin crossing a military zone that bisects the "
            "enclave after a deadlock over hostage releases was broken.",
            "en",
            "that Israel allowed displaced Gazans",
        ),
        (
            "America’s oldest ally in Asia is drawing closer to China",
            "Thailand increasingly depends on its bigger neighbour for trade and security.",
            "en",
            "that Thailand increasingly depends",
        ),
        (
            "Iran names Ayatollah Khamenei's son, Mojtaba, as new supreme leader",
            "Bahrain and the United Arab Emirates report more strikes on civilian targets as "
            "U.S.-Israeli attacks on Iran continue.",
            "en",
            "that Bahrain and the United Arab Emirates report",
        ),
        (
            "Tigrayan forces accuse Eritrea of launching full-scale offensive on border",
            "Reuters was not immediately able to verify the account on Twitter from Getachew Reda.",
            "en",
            "that Reuters was not immediately able",
        ),
        (
            "How the Biggest Issue of Thailand’s Last Election Got Sidelined in Its Campaign",
            "Chonthicha “Lookkate” Jangrew was nervous as she walked around a market in Chunphon.",
            "en",
            "that Chonthicha “Lookkate” Jangrew was nervous",
        ),
        (
            "La bêta de Chrome 27 permet la manipulation du son en local",
            "Google a publié hier soir la bêta de son navigateur Chrome en version 27. Elle "
            "permet de manipuler le son en local.",
            "fr",
            "que Google a publié hier soir",
        ),
    ],
)
def test_a_name_opening_the_lead_keeps_its_capital(
    title: str, body: str, lang: str, clause: str
) -> None:
    questions = OfflineGenerator().generate(_story(title, body, lang))
    assert any(clause in q for q in questions), questions


# Common words opening a lead are still lowered, the same rule read the other way.
@pytest.mark.parametrize(
    ("sentence", "start"),
    [
        ("Research suggests that zoning out can perform a similar function", "research "),
        ("Anxiety gripped global markets when Donald Trump returned", "anxiety "),
        ("Pundits are wearing out their fake fainting couches", "pundits "),
        ("Cloud vendors are letting customers know", "cloud "),
        ("Deeply nested code hurts readability and is error-prone", "deeply "),
        ("Quite a fuss has been made about Moltbook", "quite "),
        ("Long unloved and unwanted, the city poses France a question", "long "),
        ("Discipline and creativity will help, but so will China’s actions", "discipline "),
    ],
)
def test_a_common_word_opening_the_lead_is_lowered(sentence: str, start: str) -> None:
    assert lower_first(sentence, "Nothing else in the body names it.").startswith(start)


# Sentences a "news that" question must not be built on: a photo caption, a cut that
# ends on a verb wanting its object, background told before the news, a source's
# typo, a cut inside a parenthesis. Real corpus leads; another sentence or the
# headline is asked instead.
@pytest.mark.parametrize(
    ("title", "body", "bad"),
    [
        (  # a photo caption: "shown in this undated image"
            "North Korean Tests Add Urgency for U.S. to Fix Defense Flaws",
            "The medium-range strategic ballistic missile Pukguksong-2, shown in this undated "
            "image, was tested recently at an undisclosed location in North Korea. The North "
            "has successfully tested solid-fueled missiles four times.",
            "undated image",
        ),
        (  # a caption's position and a cut before the verb's object
            "More Evidence Points to North Korea in Ransomware Attack",
            "Eric Chien of Symantec, front, said that technical evidence indicated that a group "
            "of North Korean hackers that experts call the Lazarus Group was behind the WannaCry "
            "attack.",
            "indicated?",
        ),
        (  # background: "as introduced in the overview post"
            "Defining Go Modules",
            "As introduced in the overview post, a Go module is a collection of packages "
            "versioned as a unit, along with a go.mod file listing other required modules.",
            "as introduced",
        ),
        (  # background: "Earlier this year," before the news of a feature update
            "Square’s Card Case iOS App Adds Support For Hands-Free Payments, Twitter "
            "Integration For Merchants",
            "Earlier this year, Square debuted a virtual card case that consumers fill with "
            "‘cards’ of all the merchants they visit and buy from who accept Square.",
            "earlier this year",
        ),
        (  # the source's typos: "At a event", "A U.S. official" after a comma
            "U.S. releases new details on alleged secret Chinese nuclear test",
            "At a event in Washington D.C., A U.S. official said a remote earthquake in 2020 "
            "was caused by a Chinese nuclear test.\n\n(Image credit: Kevin Frayer)",
            "a event",
        ),
        (  # a cut inside a parenthesis
            "Africa: Ebola Has Gone From a Global Emergency to a Disease We Can Stop, Says CEPI "
            "Chief",
            "Dr Hatchett said, a few weeks ago, Ebola vaccines from MSD (known as Merck & Co. in "
            "the U.S. and Canada) were announced just days after an outbreak of the deadly "
            "disease was declared in the Democratic Republic of the Congo.",
            "(known",
        ),
        (  # a cut before "days after ...": the clause ends on a bare "days"
            "Japan says North Korean ‘object’ orbiting Earth after launch",
            "Defense Minister Minoru Kihara confirmed Friday that Tokyo believes “some kind of "
            "object is orbiting the Earth,” days after North Korea claimed the successful launch "
            "of a military spy satellite.",
            "days?",
        ),
        (  # a year's background opener: the 1964 run is not this week's news
            "Vote Dizzy!",
            "In 1964, legendary jazz musician Dizzy Gillespie ran for President as a write-in "
            "candidate.",
            "in 1964",
        ),
    ],
)
def test_a_caption_background_or_broken_sentence_is_no_news_fact(
    title: str, body: str, bad: str
) -> None:
    questions = OfflineGenerator().generate(_story(title, body))
    assert questions
    assert not any(bad.lower() in q.lower() for q in questions), questions


def test_a_later_sentence_stands_in_for_a_caption() -> None:
    questions = OfflineGenerator().generate(
        _story(
            "North Korean Tests Add Urgency for U.S. to Fix Defense Flaws",
            "The medium-range strategic ballistic missile Pukguksong-2, shown in this undated "
            "image, was tested recently at an undisclosed location in North Korea. The North "
            "has successfully tested solid-fueled missiles four times.",
        )
    )
    assert questions[0] == (
        "What should readers make of the news that the North has successfully tested "
        "solid-fueled missiles four times?"
    )


@pytest.mark.parametrize(
    ("title", "body", "start"),
    [
        (  # "One" before a name is part of the name
            "Live: One Nation expecting a 'Melbourne Cup'-like race to decide Farrer candidate",
            "One Nation leader Pauline Hanson says about 80 people have applied to be the "
            "party's candidate for Farrer in the upcoming by-election. Follow live.",
            "that One Nation leader Pauline Hanson says",
        ),
        (  # "Residents of Goma": people, though the subject finder took it for a name
            "Rwanda-Backed Rebels Enter Congo's Safe-Haven City",
            "Residents of Goma reported gunfire and shelling after rebels overran Congolese "
            "troops. U.N. officials estimated that more than one million displaced people were "
            "now inside the city.",
            "that residents of Goma reported",
        ),
    ],
)
def test_the_first_word_of_a_lead_is_cased_as_a_reader_would(
    title: str, body: str, start: str
) -> None:
    questions = OfflineGenerator().generate(_story(title, body))
    assert start in questions[0], questions


def test_an_aggregator_body_repeating_the_headline_and_its_source_is_no_lead() -> None:
    # A news aggregator's item: the body is the headline, then the outlet's name.
    questions = OfflineGenerator().generate(
        _story(
            "US, European stocks rise as oil takes a pause and crypto rallies - Reuters",
            "US, European stocks rise as oil takes a pause and crypto rallies  Reuters",
        )
    )
    assert questions
    assert not any("rallies Reuters" in q for q in questions), questions


def test_a_planned_act_is_told_in_the_future() -> None:
    # "X to do Y": the act is asked as "X will do Y", not "X do Y".
    questions = OfflineGenerator().generate(
        _story(
            "OECD to probe rights abuse allegations against WWF",
            "OECD to probe rights abuse allegations against WWF",
        )
    )
    # "the OECD": the organisation's name takes its article in running text.
    assert any("that the OECD will probe rights abuse allegations" in q for q in questions), (
        questions
    )


def test_a_word_opening_the_headline_too_is_no_name() -> None:
    # The headline opens with "Airlines" as the lead does: a sentence's first capital,
    # which says nothing of a name.
    questions = OfflineGenerator().generate(
        _story(
            "Airlines urged to train staff to help spot victims of trafficking",
            "Flight attendants could give vital support in identifying people, often young "
            "girls, being taken overseas for sexual exploitation or forced labour, says the UN"
            "\n\nAirlines should train flight attendants to spot signs that a person is being "
            "trafficked, according to the UN agency responsible for tackling sexual exploitation "
            "and forced labour.\n\nThe United Nations Office on Drugs and Crime is also asking "
            "airlines to distribute information cards to passengers, cargo workers and airport "
            "staff, with advice on recognising when a person might be a victim of exploitation.",
        )
    )
    assert any("that airlines should train flight attendants" in q for q in questions), questions


# More sentences that read badly after "the news that": a connective pointing back
# ("Thus, ..."), a letter's "X on Y" label, a cut before "said" that leaves a name and its
# appositive, a cut after "came", a year opener without its comma. Real corpus leads.
@pytest.mark.parametrize(
    ("title", "body", "bad", "good"),
    [
        (
            "dovecot >= 2.4 requires manual intervention",
            "The dovecot 2.4 release branch has made breaking changes which result in it being "
            "incompatible with any <= 2.3 configuration file.\n\nThus, the dovecot service will "
            "no longer be able to start until the configuration file was migrated, requiring "
            "manual intervention.",
            "Thus,",
            # An update notice gets its own question (test_genres), not one on the lead.
            "",
        ),
        (
            "Conservatives’ fake news ads are an assault on democracy | Letters",
            "Rob Sykes on the Tories’ online campaign against Jeremy Corbyn; Peter Simmons on "
            "the planned boundary changes that threaten a one-party state; Janet Davies on the "
            "race North East Hampshire",
            "Rob Sykes on",
            "",
        ),
        (
            "Georgia’s Liberal Organizers Warn of a Cash Crunch and Apathy",
            "Cliff Albright, co-founder and executive director of the Black Voters Matter Fund, "
            "said donors and party leaders were weighing heavier investments in swing states "
            "like Michigan, Pennsylvania and Wisconsin.",
            "Matter Fund?",
            "said donors and party leaders were weighing heavier investments",
        ),
        (
            "Trump’s ‘Board of Peace’ Presses Hamas on Disarmament, Officials Say",
            "The direct talks last week came as officials urgently try to find a breakthrough on "
            "the issue of Hamas’s weapons, fearing the cease-fire in Gaza could collapse.",
            "last week came?",
            "came as officials urgently try to find a breakthrough",
        ),
        (
            "TIME Best Inventions Hall of Fame",
            "In 2000 TIME’s editors sat down to select three inventions of the year, one each in "
            "consumer technology, medical science, and basic industry.",
            "in 2000",
            "",
        ),
    ],
)
def test_a_connective_label_or_broken_cut_is_no_news_fact(
    title: str, body: str, bad: str, good: str
) -> None:
    questions = OfflineGenerator().generate(_story(title, body))
    assert not any(bad.lower() in q.lower() for q in questions), questions
    assert not good or any(good in q for q in questions), questions


# Cuts that would leave a subject without its verb or a saying without what was said,
# and a description before a name kept with its capital. Real corpus leads.
@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (  # "Accused" describes the man; it is no part of his name
            "Accused Bondi Beach killer Naveed Akram appears in court by video link",
            "Accused Bondi Beach killer Naveed Akram appeared in an Australian court via video "
            "link Monday, in his first public hearing since the nation's worst mass shooting in "
            "nearly\u2026",
            "that accused Bondi Beach killer Naveed Akram appeared",
        ),
        (  # an appositive between commas, then the verb
            "Trump Bets on Diplomacy Without Diplomats",
            "President Trump’s most trusted envoys, Steve Witkoff and Jared Kushner, are at the "
            "center of the Iran and Ukraine negotiations.",
            "Steve Witkoff and Jared Kushner, are at the center",
        ),
        (
            "People are watching the Reflecting Pool like reality TV. What does that say about us?",
            "It's not just watching paint dry. The twists and turns of the Reflecting Pool "
            "repairs, originally a two-week project, have kept bloggers and viewers busy all "
            "summer.\n\n(Image credit: Jackie Lay)",
            "have kept bloggers and viewers busy all summer",
        ),
        (  # a saying cut before what was said: "said on Wednesday"
            "Denmark Beefs Up Military Presence in Greenland Amid ‘Fundamental Disagreement’ "
            "With U.S.",
            "Denmark’s foreign minister said on Wednesday that a “fundamental disagreement” with "
            "U.S. President Donald Trump over the future of Greenland remained unresolved after "
            "high-level talks in Washington, even as Denmark and NATO allies moved to increase "
            "their military presence in the Arctic territory amid rising tensions.",
            "that a “fundamental disagreement” with",
        ),
        (  # "said the centre of the storm": the object without its verb
            "Storm Fiona ravages Canada’s east coast causing ‘terrifying’ destruction",
            "Post-tropical cyclone reaches Gulf of St Lawrence after racing through Nova Scotia "
            "forcing evacuations\n\nPowerful storm Fiona ripped into eastern Canada on Saturday "
            "with hurricane-force winds, forcing evacuations, knocking down trees and "
            "powerlines, and reducing many homes on the coast to “just a pile of rubble in the "
            "ocean”.\n\nThe US National Hurricane Center (NHC) said the centre of the storm, "
            "downgraded to post-tropical cyclone Fiona, had reached the Gulf of St Lawrence.",
            "",
        ),
    ],
)
def test_a_cut_keeps_the_subject_with_its_verb(title: str, body: str, expected: str) -> None:
    questions = OfflineGenerator().generate(_story(title, body))
    assert all(not q.endswith(("said on Wednesday?", "centre of the storm?")) for q in questions)
    assert not expected or any(expected in q for q in questions), questions
