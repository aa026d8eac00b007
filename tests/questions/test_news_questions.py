"""Questions on English news stories: the frames fit the story's act and name their referents.

Each test is a real-looking story (written for the test) whose questions once
failed the questions rubric in a specific way; the assertion names the failure.
"""

from __future__ import annotations

from support.stories import news_story

from aggregator.questions.offline import MAX_QUESTIONS, OfflineGenerator


def _questions(title: str, body: str = "") -> tuple[str, ...]:
    story = news_story(title, body, category="news")
    return OfflineGenerator(count=MAX_QUESTIONS).generate(story)


# --- tragedies no one is to blame for -----------------------------------------------


def test_an_earthquake_is_asked_about_help_and_response_not_blame() -> None:
    questions = _questions(
        "Strong earthquake hits central Myanmar, dozens feared dead",
        "A magnitude 7.1 earthquake struck central Myanmar on Friday, and at least 40 people "
        "were killed as buildings collapsed in Mandalay, officials said.",
    )
    assert questions
    for question in questions:
        assert "answer for" not in question and "prevented" not in question, question
    assert any("earthquake struck central Myanmar" in q for q in questions), questions
    assert any("need most" in q or "responding" in q for q in questions), questions


def test_a_headline_only_cyclone_is_not_asked_what_could_have_prevented_it() -> None:
    questions = _questions("Cyclone kills 12 along Mozambique coast")
    assert questions
    for question in questions:
        assert "prevented" not in question and "answer for" not in question, question


def test_a_cyclone_lead_asks_about_help_not_blame() -> None:
    questions = _questions(
        "Cyclone Freddy kills dozens in Malawi as rescuers search for survivors",
        "Cyclone Freddy has killed at least 99 people in Malawi since it made landfall on "
        "Sunday, the government said, as rescuers dug through mud for survivors.",
    )
    assert questions
    for question in questions:
        assert "answer for" not in question and "prevented" not in question, question
    assert any("Cyclone Freddy has killed" in q for q in questions), questions


def test_a_death_in_old_age_is_remembered_not_blamed() -> None:
    questions = _questions(
        "Death of folk singer stuns Halifax",
        "Margaret Ellery, whose songs of the Yorkshire mills filled concert halls for half "
        "a century, died at her home in Halifax on Sunday at the age of 88, her family said.",
    )
    assert questions
    for question in questions:
        assert "answer for" not in question and "prevented" not in question, question
    assert any("remembered" in q for q in questions), questions


def test_a_parole_decision_is_weighed_not_asked_how_to_prevent_it() -> None:
    (question,) = _questions("Former rugby star granted parole nine years after killing wife")
    assert "prevented" not in question
    assert "granted parole" in question and "right one" in question


def test_a_killing_still_asks_who_should_answer() -> None:
    questions = _questions(
        "Gunman kills three at Ohio warehouse",
        "A gunman shot dead three workers at a warehouse in Dayton, Ohio, on Tuesday before "
        "he was arrested by police, officials said.",
    )
    assert any("answer for" in q or "prevented" in q for q in questions), questions


# --- a lifted clause must name what it talks about ----------------------------------


def test_a_lead_about_the_company_without_naming_it_is_not_lifted() -> None:
    questions = _questions(
        "How Northwind's founding explains its boardroom fight",
        "The company's founders and its investors have long been at odds over control. "
        "Last week's vote to remove the chairman was the culmination of that tension.",
    )
    for question in questions:
        assert "the company's founders" not in question.lower(), question


def test_a_lead_whose_subject_is_the_answer_is_not_lifted() -> None:
    questions = _questions(
        "Supermarket loses fight over the name of a country",
        "Can a shop own the name of a country? In the case of Iceland, the grocery chain, "
        "the answer is no.",
    )
    for question in questions:
        assert "the answer is no" not in question, question


def test_a_lead_leaning_on_this_sort_of_measure_is_not_lifted() -> None:
    questions = _questions(
        "Governors push back on plan to preempt state privacy laws",
        "Technology lobbyists have long pushed for this sort of measure in Congress, "
        "arguing that fifty different privacy laws are unworkable for companies.",
    )
    for question in questions:
        assert "this sort of measure" not in question, question


# --- explainer headlines asked in their own words -----------------------------------


def test_an_explainer_with_a_curly_negation_is_asked_why() -> None:
    questions = _questions(
        "Why people aren\u2019t buying Daniel Okafor\u2019s metaverse future",
        "On this week's episode of the podcast, we discuss why not everyone is buying "
        "Okafor\u2019s vision.",
    )
    assert questions == (
        "Why do you think people aren\u2019t buying Daniel Okafor\u2019s metaverse future?",
    )


def test_an_explainer_of_what_explains_a_fight_states_its_claim() -> None:
    questions = _questions(
        "How the league's new salary cap explains the player exodus",
        "Eleven of the league's top scorers have signed abroad since the cap came in.",
    )
    assert "Do you agree that the league's new salary cap explains the player exodus?" in questions


def test_an_arrest_after_a_killing_weighs_the_response_not_prevention() -> None:
    (question,) = _questions(
        "Police arrest three suspects after deadly stabbing at Leeds nightclub"
    )
    assert "prevented" not in question
    assert "arrest three suspects" in question and "response" in question


# --- a headline's own act instead of "what is missing from the picture" -------------


def test_a_government_decision_headline_is_weighed_as_a_decision() -> None:
    (question,) = _questions("US designates voting machines as \u2018critical infrastructure\u2019")
    assert "missing from the picture" not in question
    assert question.startswith("Is the decision reported in"), question
    assert "US designates voting machines" in question


def test_a_lawsuit_headline_asks_how_strong_the_case_is() -> None:
    (question,) = _questions("Herero descendants sue Germany in US court over colonial killings")
    assert question == (
        "How strong is the case described in \u201cHerero descendants sue Germany in US court "
        "over colonial killings\u201d?"
    )


def test_a_market_move_headline_asks_its_cause_without_the_wire_source() -> None:
    (question,) = _questions("Copper jumps, dollar slips as China stimulus hopes build - Reuters")
    assert "Reuters" not in question and "missing from the picture" not in question
    assert question.startswith("What is behind \u201cCopper jumps"), question


def test_an_outbreak_headline_asks_how_worried_people_should_be() -> None:
    (question,) = _questions("Taiwan confirms second measles case in a fortnight")
    assert question.startswith("How worried should people be about"), question


def test_a_teaser_headline_gets_no_act_frame() -> None:
    # "See the ..." is a guide, not a report of an act: none of the act frames fits.
    (question,) = _questions("See the medal table for the 2026 Winter Games as records fall")
    assert "What is behind" not in question and "decision" not in question, question


def test_a_country_named_with_the_takes_its_article() -> None:
    questions = _questions("Philippines looks to regulate power market as LNG prices surge")
    assert not any(" that Philippines" in q for q in questions), questions


def test_a_title_case_claim_headline_is_weighed_as_a_claim() -> None:
    (question,) = _questions("Former Contractor Claims Agency Tracked Reporters' Phones")
    assert question.startswith("How convincing is the claim in"), question


def test_an_ousting_is_weighed_as_a_decision() -> None:
    (question,) = _questions("Ecuador's congress ousts interim leader over bribery probe")
    assert question.startswith("Is the decision reported in"), question


def test_a_company_facing_an_investigation_is_asked_how_strong_the_case_is() -> None:
    (question,) = _questions("Temu faces EU investigation over product safety rules")
    assert question.startswith("How strong is the case described in"), question


# --- a lifted clause must be a clause -----------------------------------------------


def test_a_lead_cut_to_its_opening_time_phrase_is_not_lifted() -> None:
    questions = _questions(
        "Opposition leader insists the general will step down before the vote",
        "A day after she handed the election commission a petition signed by a million "
        "voters, opposition leader Amara Diallo insisted that the general would step down "
        "before the vote, even as his allies in parliament have spoken far more often in "
        "recent days about postponing it.",
    )
    for question in questions:
        assert "that a day after she handed" not in question, question


def test_an_interview_teaser_is_not_asked_as_news() -> None:
    questions = _questions(
        "A Conversation with Priya Raman About Chips and Trade",
        "A conversation with Priya Raman about export controls on chips and the future of "
        "the semiconductor trade.",
    )
    for question in questions:
        assert "the news that a conversation with" not in question, question


# --- quotation marks stay balanced --------------------------------------------------


def test_an_obituary_role_keeps_its_quotation_marks_balanced() -> None:
    # The comma sits inside the closing mark ("\u2018Apocalypse Now,\u2019 dies"): the
    # role read up to the comma must not leave the title's quotation open.
    questions = _questions(
        "Hollywood legend Harold Finch, star of \u2018The Godfather\u2019 and "
        "\u2018Apocalypse Now,\u2019 dies at 95",
        "With these words, his daughter announced on social media that her father had "
        "passed away on Sunday.",
    )
    assert questions
    for question in questions:
        assert question.count("\u2018") == question.count("\u2019"), question


def test_a_missile_launch_is_no_sacking() -> None:
    (question,) = _questions("North Korea Fires Missile That Lands in Sea Off Japan's Coast")
    assert "decision" not in question, question


def test_a_falling_index_is_no_declined_offer() -> None:
    (question,) = _questions("As Chip Orders Slow, Taiwan Is Rising While Korea Declines")
    assert "decision" not in question, question


def test_a_declined_invitation_is_a_decision() -> None:
    (question,) = _questions(
        "Prime minister says Norway declines Washington\u2019s \u2018peace board\u2019 invite"
    )
    assert question.startswith("Is the decision reported in"), question


def test_a_wire_tag_is_dropped_and_a_place_label_kept() -> None:
    (tagged,) = _questions(
        "Exclusive: Regulator halts Northwind coal import licences over unpaid royalties"
    )
    assert tagged == (
        "Is the decision reported in \u201cRegulator halts Northwind coal import licences over "
        "unpaid royalties\u201d the right one?"
    )
    (placed,) = _questions("Saxony: Party's youth wing designated extremist group")
    assert "\u201cSaxony: Party's youth wing designated extremist group\u201d" in placed


# --- a lifted clause cut before what was told ---------------------------------------


def test_a_lead_cut_after_told_and_its_addressee_is_not_lifted() -> None:
    questions = _questions(
        "Reports: Regulator Could Seek ABC Sale Before Comcast-Disney Merger",
        "The Federal Trade Commission told Comcast that it would need to sell off ABC or "
        "offer other concessions in order to have its purchase of Disney approved, according "
        "to several reports Thursday.",
    )
    for question in questions:
        assert not question.endswith("told Comcast?"), question


def test_a_lead_about_the_reports_is_not_lifted() -> None:
    questions = _questions(
        "Reports: Regulator Could Seek News Channel Sale Before Northwind Merger",
        "The Competition Authority told Northwind that it would need to sell off its news "
        "channel or offer other concessions in order to have its acquisition of Harbour "
        "Broadcasting approved, according to several reports Wednesday. The reports differed "
        "slightly on the details.",
    )
    for question in questions:
        assert "the reports differed" not in question, question


def test_a_hyphenated_number_opening_a_lead_is_lowered() -> None:
    questions = _questions(
        "Malaria claims one as cases rise in the north-west",
        "Thirty-eight confirmed cases of malaria were registered in the North West District "
        "between November and January, with one death recorded, health officials said.",
    )
    assert not any("that Thirty-eight" in q for q in questions), questions


# --- act frames read the act, not a word that looks like one -------------------------


def test_nouns_that_look_like_acts_get_no_act_frame() -> None:
    for title in (
        "Purchase orders and volume licences for small firms",
        "Charting Brazil\u2019s Olympic Medal Rise",
        "Army units close in on rebel stronghold near the border",
    ):
        (question,) = _questions(title)
        assert "decision" not in question and "What is behind" not in question, question


def test_rejecting_a_claim_asks_who_is_more_convincing() -> None:
    (question,) = _questions(
        "Villagers reject army claim that rebels stored weapons in the bombed school"
    )
    assert question.startswith("Who is more convincing in"), question


def test_a_health_warning_asks_how_worried_people_should_be() -> None:
    (question,) = _questions("Health agency warns of deadly fungus found in Ohio hospitals - WXYZ")
    assert question == (
        "How worried should people be about \u201cHealth agency warns of deadly fungus found in "
        "Ohio hospitals\u201d?"
    )


def test_an_adjective_in_ing_still_opens_a_report() -> None:
    (question,) = _questions("Ageing coal plant in Yorkshire to close by 2027")
    assert question.startswith("Is the decision reported in"), question


def test_a_gerund_label_is_not_asked_as_news() -> None:
    # The lead is a teaser's noun phrase, not asked; the headline is a label, not a clause.
    questions = _questions(
        "Mapping Navy strikes in the Red Sea and Gulf of Aden",
        "An ongoing record of Navy strikes in the Red Sea and the Gulf of Aden since the "
        "shipping attacks began.",
    )
    for question in questions:
        assert "the news that mapping" not in question, question


def test_a_lead_cut_after_rejected_allegations_is_not_lifted() -> None:
    questions = _questions(
        "Minister calls accusations of bribery an 'appalling lie'",
        "The transport minister, Alan Pryce, has rejected allegations that he took money from "
        "a rail contractor, in a fiery statement to the parliamentary committee on Tuesday.",
    )
    for question in questions:
        assert not question.endswith("rejected allegations?"), question


def test_a_lead_about_the_man_is_not_lifted() -> None:
    questions = _questions(
        "The ambassador's long goodbye is coming to an end",
        "Let us take a moment to savour the ambassador's final act. The man is 93 years old. "
        "At that age, most people have long since retired.",
    )
    for question in questions:
        assert "the man is 93" not in question, question


def test_party_and_national_names_keep_their_capital() -> None:
    questions = _questions(
        "Auditioning to beat the president",
        "Democrats like Senator Ruiz are testing out their messages in Europe before the "
        "midterm elections.",
    )
    assert any("that Democrats like Senator Ruiz" in q for q in questions), questions
    questions = _questions(
        "Towns evacuated as typhoon nears the coast",
        "Philippine authorities started evacuating people from coastal areas on Sunday as "
        "the storm strengthened over the sea.",
    )
    assert not any("philippine" in q for q in questions), questions


def test_a_convicted_person_traded_is_no_court_outcome() -> None:
    (question,) = _questions(
        "Washington offers convicted arms dealer in exchange for two jailed Americans"
    )
    assert "outcome" not in question, question


def test_an_account_of_abuse_is_not_doubted() -> None:
    questions = _questions(
        "Woman claims her stepfather used an AI app to turn childhood photo into explicit image"
    )
    for question in questions:
        assert "How convincing" not in question and "more convincing" not in question, question


def test_a_comparison_that_names_its_term_is_lifted() -> None:
    questions = _questions(
        "Housing to play part in future of old and new broadcaster sites in Adelaide",
        "The public broadcaster's current office in Adelaide could be redeveloped in a "
        "similar way to an apartment building nearby, a planning report says.",
    )
    assert any("in a similar way to an apartment building" in q for q in questions), questions


def test_a_lead_about_the_idea_that_names_it_is_lifted() -> None:
    # "the idea that ..." says which idea: the clause leans on nothing outside it.
    questions = _questions(
        "Chip startup says memory, not compute, limits inference",
        "The idea that faster chips alone will make chatbots cheaper is wrong, according "
        "to the founders of Lattica, who have built a memory-first accelerator.",
    )
    assert any("the idea that faster chips alone" in q for q in questions), questions


def test_a_trailing_attribution_is_no_cut_object() -> None:
    questions = _questions(
        "Startup wanted to raise $1B, investors wanted $15B. It settled on $5B.",
        "AI is expensive, chief executive Ali Ghodsi tells TechCrunch.",
    )
    assert not any("missing from the picture" in q for q in questions), questions


# --- more tragedies: who is asked to answer, and for what -----------------------------


def test_a_mourners_words_are_not_asked_who_should_answer() -> None:
    questions = _questions(
        "Boxer not ready for death of friends to 'sink in'",
        "Daniel Okoye says he is not ready for the loss of his two close friends and team "
        'members to "sink in yet" as he prepares for his first fight since their death.',
    )
    for question in questions:
        assert "answer for" not in question and "prevented" not in question, question


def test_a_headline_only_flood_asks_about_help() -> None:
    (question,) = _questions("Kerala floods: Hundreds awaiting rescue.")
    assert "prevented" not in question and "need most" in question, question


def test_an_obituary_label_is_not_asked_what_could_have_prevented_it() -> None:
    (question,) = _questions("Lady Marsh Obituary", "A link to the obituary in the Guardian.")
    assert "prevented" not in question and "remembered" in question, question
    (question,) = _questions(
        "Irina Volkova, Leading Soviet Poet, Is Dead",
        "She was a towering figure in Soviet literature who was once silenced in a purge.",
    )
    assert "prevented" not in question, question


def test_a_description_is_not_remembered_as_a_name() -> None:
    questions = _questions(
        "Iran Protester Dies in Custody, Raising Fears of Execution",
        "Rights groups are investigating the death of Reza Karimi as a potential "
        "extrajudicial killing. Officials deny that executions have taken place.",
    )
    for question in questions:
        assert "Iran Protester be remembered" not in question, question


def test_a_ban_on_a_memorial_is_weighed_as_a_decision() -> None:
    (question,) = _questions(
        "IOC bars Ukrainian luge athlete from wearing memorial helmet at Olympics"
    )
    assert question.startswith("Is the decision reported in"), question


def test_no_prevention_asked_of_a_mood() -> None:
    (question,) = _questions(
        "Rage. Grief. Anxiety. The New Mood in Tehran.",
        "A billboard showing the supreme leader alongside the republic's founder, in Tehran "
        "last month.",
    )
    assert "prevented" not in question, question


def test_more_acts_get_their_own_frames() -> None:
    cases = {
        "Beijing vows \u2018zero tolerance\u2019 for vote buying in provincial elections": (
            "How credible is the promise in"
        ),
        "Italy, Greece to start talks on migrant-sharing pact": (
            "What would a good outcome of the talks in"
        ),
        "Nominees' Filings Threaten to Overwhelm Federal Ethics Office": (
            "How seriously should the threat in"
        ),
        "Chile's Senate removes interior minister over pension scandal": (
            "Is the decision reported in"
        ),
    }
    for title, opening in cases.items():
        (question,) = _questions(title)
        assert question.startswith(opening), question


def test_a_name_in_ing_is_no_gerund_label() -> None:
    (question,) = _questions("Boeing halts deliveries of its largest jet over wiring faults")
    assert question.startswith("Is the decision reported in"), question


def test_a_lead_that_opens_on_the_past_is_not_asked_as_news() -> None:
    questions = _questions(
        "One bold investment in an empty building transformed this country town",
        "A few years ago, Barcaldine's main street had lost its spark, with storefronts "
        "empty and windows shuttered. Then a local couple bought the old bank.",
    )
    for question in questions:
        assert "a few years ago" not in question.lower(), question
    questions = _questions(
        "Iran Is Beautiful",
        "On Feb. 1, 1979, Ayatollah Ruhollah Khomeini arrived in Tehran after 15 years of "
        "exile in Turkey, Iraq and a village outside Paris.",
    )
    for question in questions:
        assert "1979" not in question, question


def test_a_neglected_flood_defence_still_asks_who_should_answer() -> None:
    questions = _questions(
        "Thousands at risk after flood warning system on glacial lake left to rust",
        "The flood warning system at the Tsho Rolpa glacial lake has not been maintained "
        "since 2016, fearful villagers told reporters.",
    )
    assert any("answer for" in q for q in questions), questions


def test_a_judge_saying_is_an_outcome_not_a_claim() -> None:
    (question,) = _questions("Judge says carmaker must face investor lawsuits over emissions")
    assert question.startswith("Is the outcome reported in"), question


def test_a_rise_as_a_noun_is_no_market_move() -> None:
    (question,) = _questions(
        "WHO asks Vietnam for more information about rise in illnesses among children"
    )
    assert "What is behind" not in question, question


def test_a_closed_dash_aside_keeps_its_lead() -> None:
    questions = _questions(
        "Daily Report: From Lean to Fat Start-Ups",
        "Silicon Valley, which once favored companies that needed little capital, is flush "
        "with cash, and founders are tackling big \u2014 some would say crazy \u2014 ideas.",
    )
    assert any("crazy \u2014 ideas" in q for q in questions), questions
