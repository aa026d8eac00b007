"""Tests for the offline questions on releases, show notes, how-tos and stories not in English.

Such items have no news to weigh: the news, motive and "who gains" frames are
a genre mismatch on them, so each kind gets a question in its own genre.
"""

from __future__ import annotations

import pytest
from support.stories import news_story

from aggregator.ingest.lang import detect_language
from aggregator.models import Story
from aggregator.questions.offline import OfflineGenerator
from aggregator.questions.reading import detect_kind, read_story


def _story(title: str, body: str, lang: str = "en") -> Story:
    return news_story(title, body, lang)


def _questions(title: str, body: str, lang: str = "en") -> tuple[str, ...]:
    return OfflineGenerator(count=3).generate(_story(title, body, lang))


# --- releases -------------------------------------------------------------------------


def test_a_german_release_is_asked_about_its_promise_and_its_news() -> None:
    questions = _questions(
        "Vaultbox 2.4.0: Passwörter im Team teilen",
        "Vaultbox 2.4.0 führt geteilte Tresore für Teams ein und verschlüsselt Anhänge "
        "jetzt auch auf dem Server. Die Entwickler empfehlen das Update allen Nutzern.",
        "de",
    )
    assert questions == (
        "Hält Vaultbox 2.4.0, was \u201ePasswörter im Team teilen\u201c verspricht?",
        "Lohnt sich der Umstieg auf Vaultbox 2.4.0 wegen dieser Neuerungen: \u201eVaultbox "
        "2.4.0 führt geteilte Tresore für Teams ein und verschlüsselt Anhänge jetzt auch auf "
        "dem Server\u201c?",
    )


@pytest.mark.parametrize(
    ("title", "product"),
    [
        ("Markdown ohne Grenzen: Inkdown 3.1 ist da", "Inkdown 3.1"),
        ("Mailrelay 5.1: Schnellere Zustellung für große Verteiler", "Mailrelay 5.1"),
    ],
)
def test_a_german_release_headline_names_its_product_either_side(title: str, product: str) -> None:
    questions = _questions(title, "Die neue Version steht ab sofort zum Download bereit.", "de")
    assert questions[0].startswith(f"Hält {product}, was \u201e"), questions


@pytest.mark.parametrize(
    "title",
    [
        # A report after the colon, a verdict, a year: no promise to hold a release to.
        "Android 19 QPR2: Google veröffentlicht zweite Beta für Pixel-Geräte",
        "ClipStudio 16: Streaming und Fernsehmodus, aber keine Blu-ray",
        "Jugendschutz 2025: Hoher Anstieg gemeldeter Fälle im Netz",
    ],
)
def test_a_german_headline_that_promises_nothing_gets_no_release_question(title: str) -> None:
    questions = _questions(title, "Die Vorabversion konzentriert sich auf Fehlerkorrekturen.", "de")
    assert not any(q.startswith("Hält ") for q in questions), questions


def test_an_english_release_is_asked_about_what_it_brings() -> None:
    questions = _questions(
        "Grainfs 4.2.1 is out",
        "The 4.2.1 release of Grainfs is available.  It includes two fixes for data loss "
        "on power failure and a faster fsck.",
    )
    assert questions[0] == (
        "Would this make you upgrade to Grainfs 4.2.1: \u201cIt includes two fixes for data "
        "loss on power failure and a faster fsck\u201d?"
    )
    assert not any("before switching" in q for q in questions)


# --- other languages ---------------------------------------------------------------


def test_a_spanish_headline_with_the_preposition_a_is_asked_in_spanish() -> None:
    # "a" is an English word and a Spanish one: it alone does not make the headline English.
    title = 'La alcaldesa le recuerda a Moreno que el presupuesto "no está cerrado"'
    body = "La alcaldesa de Valencia insistió el lunes en que el presupuesto se negociará."
    assert _questions(title, body, "es") == (
        f"\u00bfQu\u00e9 opina de la noticia \u00ab{title}\u00bb?",
    )


def test_a_german_release_headline_with_a_warning_promises_nothing() -> None:
    questions = _questions(
        "Tarnix 7.7: Warnung vor abgelaufenen Secure-Boot-Zertifikaten",
        "Die Linux-Distribution Tarnix ist in Version 7.7 erschienen.",
        "de",
    )
    assert not any(q.startswith("Hält ") for q in questions), questions


# --- German headlines with nothing safer to ask -------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Quellbank schließt Entwicklerplattform",
        "Patchday: Updates schließen Lücken in Serverdiensten",
    ],
)
def test_a_german_headline_clause_is_asked_to_be_judged(title: str) -> None:
    assert _questions(title, "", "de") == (f"Wie bewerten Sie die Meldung \u201e{title}\u201c?",)


@pytest.mark.parametrize(
    "title",
    [
        "Developer Snapshots: Programmierer-News in ein, zwei Sätzen",
        "Fraktionschef Ahlers: Neue Schulden wegen Energiekrise denkbar",
    ],
)
def test_a_german_label_or_noun_phrase_is_not_asked_as_a_statement(title: str) -> None:
    assert not _questions(title, "", "de")[0].startswith("Wie bewerten"), title


@pytest.mark.parametrize(
    ("title", "update"),
    [
        ("postfixd >= 3.9 requires manual intervention", "postfixd 3.9"),
        ("mesa-utils >= 24.1.2-3 upgrade may require manual intervention", "mesa-utils 24.1.2-3"),
        ("Xfwm 4.20.0 will need manual intervention if you are on Wayland", "Xfwm 4.20.0"),
    ],
)
def test_an_update_notice_asks_whether_the_update_should_need_a_manual_step(
    title: str, update: str
) -> None:
    body = (
        "The postfixd 3.9 release branch has made breaking changes which result in it being "
        "incompatible with older configuration files. Thus, the service will no longer start "
        "until the configuration file was migrated."
    )
    assert _questions(title, body) == (
        f"Should updating to {update} need manual intervention, or should the package have "
        "handled the change itself?",
    )


# --- show notes -------------------------------------------------------------------------


def test_a_german_episode_is_asked_about_its_topic_and_subtitle() -> None:
    questions = _questions(
        "CRE215 Stadtbäume",
        "Warum Städte ohne alte Bäume im Sommer kaum noch bewohnbar sind\n\n"
        "Ende des 19. Jahrhunderts begannen die großen Städte, Alleen anzulegen. Heute "
        "kämpfen die Gartenämter mit Trockenheit und Schädlingen.",
        "de",
    )
    assert questions == (
        "Wie sehen Sie das Thema der Folge \u201eStadtbäume\u201c: Warum Städte ohne alte "
        "Bäume im Sommer kaum noch bewohnbar sind?",
    )


def test_a_german_episode_without_a_subtitle_gets_no_topic_question() -> None:
    questions = _questions(
        "CRE216 Stadtbäume",
        "Ende des 19. Jahrhunderts begannen die großen Städte, Alleen anzulegen. Heute "
        "kämpfen die Gartenämter mit Trockenheit und Schädlingen.",
        "de",
    )
    assert not any("Thema der Folge" in q for q in questions), questions


def test_an_update_notice_still_reads_its_lead_past_a_connective() -> None:
    reading = read_story(
        "dovecot >= 2.4 requires manual intervention",
        "The dovecot 2.4 release branch has made breaking changes which result in it being "
        "incompatible with any <= 2.3 configuration file.\n\nThus, the dovecot service will "
        "no longer be able to start until the configuration file was migrated, requiring "
        "manual intervention.",
        "en",
    )
    assert reading.lead is not None
    assert reading.lead.sentence.startswith("The dovecot 2.4 release branch has made breaking")


# --- the language a story is in --------------------------------------------------------


def test_an_english_story_with_portuguese_function_words_is_asked_in_english() -> None:
    # Its "a"s are Portuguese words too: the language detector reads it as English.
    title = "Humpback whale surfaces right beside a kayak"
    body = (
        "A kayaker captures incredibly close footage of a humpback whale during a tour near "
        "the San Juan Islands, and the video has been watched millions of times."
    )
    lang = detect_language(title, body)
    assert lang == "en"
    questions = _questions(title, body, lang)
    assert questions, questions
    for question in questions:
        assert "this story change for" not in question and "Which detail" not in question
    assert any("humpback whale" in q for q in questions), questions


def test_a_joke_is_neither_debated_nor_quoted() -> None:
    # The set-up is a question, the punchline the body: nothing to debate.
    questions = _questions("What do you call a bear with no teeth?", "A gummy bear")
    assert questions == ("Which detail of this story would you discuss first, and why?",)


def test_a_common_noun_opening_a_headline_is_no_actor() -> None:
    # "Boy" is capitalised for its place: the body writes "a boy".
    title = "Boy asks Santa to make kids stop bullying his sister"
    questions = _questions(title, "A boy asks Santa to make kids stop bullying his sister.")
    assert questions, questions
    assert not any("Boy" in q for q in questions), questions


def test_a_german_story_with_english_names_stays_german() -> None:
    title = "Skype for Business: Content Sharing für die Android-App"
    body = "Mit einem Update der Android- und iOS-Apps erweitert Microsoft sein Skype for Business."
    questions = _questions(title, body, "de")
    assert all(q.startswith(("Wie", "Was", "Warum", "Welch", "Hält", "Lohnt")) for q in questions)


def test_a_launch_slogan_is_not_asked_as_news() -> None:
    questions = _questions(
        "Lab-Partner: A multi-agent AI system to speed up research",
        "Introducing Lab-Partner, a collaborative AI system built to help researchers test "
        "hypotheses faster.",
    )
    assert not any("that introducing" in q for q in questions), questions


@pytest.mark.parametrize(
    ("title", "lang", "question"),
    [
        (
            "Губернатор пообещал открыть новую больницу к осени",
            "ru",
            "Что вы думаете о новости «Губернатор пообещал открыть новую больницу к осени»?",
        ),
        (
            "Il Comune di Bologna rinvia la chiusura del centro alle auto",
            "it",
            "Che cosa pensa della notizia «Il Comune di Bologna rinvia la chiusura del centro "
            "alle auto»?",
        ),
        (
            "小米推出新款扫地机器人，售价不到两千元",
            "zh",
            "你如何看待「小米推出新款扫地机器人，售价不到两千元」这则消息?",
        ),
        (
            "任天堂が新しい携帯ゲーム機を発表した",
            "ja",
            "「任天堂が新しい携帯ゲーム機を発表した」というニュースをどう思いますか?",
        ),
        # A yearly pick and a review: whether the product earns the title or the verdict.
        (
            "数码之选年度评选丨年度平板电脑：华为 MatePad Pro",
            "zh",
            "「年度平板电脑」评给了华为 MatePad Pro，它配得上吗?",
        ),
        (
            "Galaxy Buds 3 体验：音质出色，续航一般的旗舰耳机",
            "zh",
            "你认同评测对Galaxy Buds 3的评价吗：「音质出色，续航一般的旗舰耳机」?",
        ),
        # A question headline is asked as it is.
        ("苹果涨价了，为什么销量反而更好？", "zh", "苹果涨价了，为什么销量反而更好?"),
    ],
)
def test_more_languages_are_asked_in_their_own(title: str, lang: str, question: str) -> None:
    body = {
        "ru": "Губернатор области заявил, что строительство завершится в сентябре.",
        "it": "La giunta ha deciso di rinviare di un anno la zona a traffico limitato, più ampia.",
    }.get(lang, "这是一段正文，介绍了产品的价格和功能。")
    assert _questions(title, body, lang) == (question,)


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Взрыв на заводе: погибли трое рабочих", "ru"),
        ("Strage sulla statale, tre vittime nell'incidente", "it"),
        ("工厂发生爆炸事故，三人遇难", "zh"),
        # A digest of several items: no one headline to ask about.
        ("小米发布新品；苹果下调价格；特斯拉召回汽车", "zh"),
    ],
)
def test_harm_and_digests_get_no_quoted_headline(title: str, lang: str) -> None:
    assert not any(title in q for q in _questions(title, "", lang))


# --- kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        # A decimal that is an amount, hostages or documents released, a plan or a campaign
        # launched: news, not a release.
        ("Dutch producer prices rise 1.4% in March", "", "news"),
        ("Rebels agree to the release of 20 hostages held since spring", "", "news"),
        ("Ministry releases new details on the failed satellite", "", "news"),
        ("Portugal launches a housing plan to cut rents", "", "news"),
        ("Opposition leader launches election campaign in Porto", "", "politics"),
        # ... while a product's stays one.
        ("Tessera 2.3 released with faster imports", "", "release"),
        ("Acme plans to launch its own app store this year", "", "release"),
        # "weekly" and "this week" in a news headline make no roundup.
        ("Wall Street closes lower, posts weekly loss as inflation worries grow", "", "news"),
        ("Copper jumps 9% this week on supply fears", "", "news"),
        ("Weekly roundup: ten links on compilers", "", "listing"),
        # A numbered episode over show notes written as a list is a podcast, whatever its
        # title's words; "a follow-up to" in a news lead is no show notes.
        (
            "312: My Keyboard Has Opinions",
            "- Follow-up:\n- Keyboard repairs\n- Thermal paste\n- Backups",
            "podcast",
        ),
        (
            "Space agency delays moon rocket test again as storm nears",
            "It is the third delay this month, a follow-up to the first uncrewed test.",
            "news",
        ),
        (
            "The Talk Show: ‘Throwing Pianos’",
            "New episode of the podcast, with special guest Jane Doe. Topics include WWDC.",
            "podcast",
        ),
    ],
)
def test_kind_misfires_are_read_right(title: str, body: str, kind: str) -> None:
    assert detect_kind(title, body) == kind


def test_a_how_to_titled_by_its_gerund_asks_for_the_best_way() -> None:
    questions = _questions(
        "Building a Golang Docker Image",
        "A walk through building a small Docker image for a Golang program with multi-stage "
        "builds, so the final image holds only the binary.",
    )
    assert questions == ("What is the best way to build a Golang Docker image?",)


def test_a_german_ranking_is_no_release() -> None:
    questions = _questions(
        "Top 5: Die besten Drucker bis 300 Euro",
        "Wir zeigen die besten Drucker bis 300 Euro und sagen, worauf es ankommt.",
        "de",
    )
    assert not any(q.startswith("Hält ") for q in questions), questions


def test_a_release_announcement_is_no_feature() -> None:
    questions = _questions(
        "Introducing Orbit 2.5 Pro",
        "Nimbus introduces Orbit 2.5 Pro, a lightweight model for reading invoices.",
    )
    assert not any("Would this make you" in q for q in questions), questions


def test_the_switching_frame_needs_a_clause_after_now_that() -> None:
    questions = _questions(
        "When Postbox was released as a public beta in 2006, it...",
        "When Postbox was released as a public beta in 2006, it \u201cran on ten old servers "
        "nobody else wanted\u201d.",
    )
    assert not any("now that when" in q for q in questions), questions


@pytest.mark.parametrize(
    ("lead", "clause"),
    [
        (
            "L'ARCEP a publié hier son bilan des télécommunications pour l'année 2012.",
            "l'ARCEP a publié hier",
        ),
        ("L'Oréal a publié hier ses résultats annuels pour 2012.", "L'Oréal a publié hier"),
    ],
)
def test_a_french_elided_article_is_lowered_after_que(lead: str, clause: str) -> None:
    questions = _questions("La facture moyenne dans le mobile s'est effondrée en 2012", lead, "fr")
    assert any(f"qu'{clause}" in q or f"que {clause}" in q for q in questions), questions


def test_a_book_blurb_is_asked_whether_its_premise_holds() -> None:
    title = "Designing with Spreadsheets"
    body = (
        "On the surface, spreadsheets and software design may not seem like obvious partners. "
        "But the two disciplines work together well, as this book shows with many examples."
    )
    assert _questions(title, body)[0] == (
        "Do you agree with the premise behind \u201cDesigning with Spreadsheets\u201d that on the "
        "surface, spreadsheets and software design may not seem like obvious partners?"
    )


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # The blurb describes the book or speaks to its reader: no premise.
        ("Garden Electronics Cookbook", "This cookbook is perfect for anyone who wants to start."),
        ("Practical Logging", "Do you have a nagging feeling that your logs could be better?"),
        # News about a book, a guide: no premise either.
        (
            "Court orders publisher to pull book on lobby group",
            "A court has ordered a publisher to suspend a nonfiction book on a lobby group.",
        ),
    ],
)
def test_a_book_without_a_premise_gets_no_premise_question(title: str, body: str) -> None:
    assert not any("premise" in q for q in _questions(title, body))


def test_an_english_headline_of_unknown_language_without_function_words_is_quoted() -> None:
    title = "Chile’s former finance chief joins Peru-led mining coalition"
    body = "Link post on Hacker News to example.com about the coalition, with 12 points."
    questions = _questions(title, body, "")
    assert not any("Which detail" in q for q in questions), questions


def test_a_spanish_cyberattack_is_no_attack_on_people() -> None:
    title = 'EEUU dice que Rusia ordenó ciberataques por su "clara" preferencia electoral'
    body = "Según el informe, el Gobierno ruso dirigió una campaña de ciberataques."
    assert _questions(title, body, "es") == (
        f"\u00bfQu\u00e9 opina de la noticia \u00ab{title}\u00bb?",
    )


@pytest.mark.parametrize(
    ("title", "lang", "frame"),
    [
        (
            "Voľby by sa mohli konať v júni a nie skôr, tvrdí minister",
            "sk",
            "\u010co si mysl\u00edte o spr\u00e1ve \u201e{}\u201c?",
        ),
        (
            "Il sindaco di Torino porta in consiglio la riforma dei trasporti",
            "it",
            "Che cosa pensa della notizia \u00ab{}\u00bb?",
        ),
    ],
)
def test_words_english_shares_with_the_language_do_not_make_it_english(
    title: str, lang: str, frame: str
) -> None:
    body = {
        "sk": "Podľa ministra je to najlepší termín pre všetky strany.",
        "it": "La proposta sarà discussa lunedì, più tardi del previsto.",
    }[lang]
    assert _questions(title, body, lang) == (frame.format(title),)


def test_a_german_news_subtitle_promises_nothing() -> None:
    # Not a release, and a sentence after the colon with its verb fourth.
    for title in (
        "Notebook Aero 14 Pro: Linux-Option und neue Hardware-Details",
        "Grafik 5: Die neue Demo wirkt weit weniger drastisch als im März",
    ):
        questions = _questions(title, "Der Hersteller hat weitere Details genannt.", "de")
        assert not any(q.startswith("Hält ") for q in questions), questions


@pytest.mark.parametrize(
    "title", ["年末轻薄本选购指南，闭着眼买都不会错！", "我敲了十三年代码，却成了一个养蜂人"]
)
def test_a_chinese_guide_or_essay_is_not_asked_as_news(title: str) -> None:
    assert not any("这则消息" in q for q in _questions(title, "正文。", "zh"))


def test_latin_letters_in_a_chinese_story_are_not_taken_for_its_subject() -> None:
    title = "崛起的百万「团长」：到底是一份好工作，还是当炮灰？还是另有出路？"
    body = "很多社区团购 APP 在招募团长，CEO 们说这是新的就业机会。"
    assert not any("change for" in q for q in _questions(title, body, "zh"))


def test_a_french_section_name_is_left_out_of_the_quoted_headline() -> None:
    questions = _questions("Ski : Clarey encore plus haut à Wengen", "", "fr")
    assert questions == (
        "Que retenez-vous de l'article \u00ab\u00a0Clarey encore plus haut à Wengen"
        "\u00a0\u00bb\u00a0?",
    )
