"""Tests for aggregator.ingest.lang: a story's language from its own text."""

from __future__ import annotations

import pytest

from aggregator.ingest.lang import detect_language


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Meta asks Amazon and Microsoft to help fund its Llama AI models",
            "The company has been pitching the idea to rivals in recent weeks.",
            "en",
        ),
        (
            "Bundesregierung beschließt neues Gesetz",
            "Der Bundestag hat am Mittwoch über die Reform der Rente beraten.",
            "de",
        ),
        (
            "Le gouvernement annonce une réforme",
            "Le projet de loi sera présenté mardi prochain au Conseil des ministres.",
            "fr",
        ),
        (
            "El gobierno aprueba la nueva ley",
            "La medida entrará en vigor el próximo mes, según el ministerio.",
            "es",
        ),
        (  # "de" and "en" are French words too, not only Dutch ones
            "Football : 100 ans de Coupe de France en images",
            "Créée en 1917 en pleine première guerre mondiale, la compétition met aux "
            "prises clubs professionnels et amateurs. Les 32es de finale de la centième "
            "édition débutent vendredi soir.",
            "fr",
        ),
        (
            "Het kabinet presenteert een nieuw plan",
            "De minister zegt dat het plan voor de zomer in werking treedt en dat er geen "
            "extra geld bij komt.",
            "nl",
        ),
        ("三星发布新款芯片", "极客们纷纷点赞，认为这款芯片的性能大幅提升。", "zh"),
        ("東京で新しい半導体工場", "政府は来年から補助金を出すと発表しました。", "ja"),
        ("삼성전자, 새 반도체 공개", "업계는 성능이 크게 향상되었다고 평가했다.", "ko"),
    ],
)
def test_languages_are_told_apart(title: str, body: str, expected: str) -> None:
    assert detect_language(title, body) == expected


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # "a", "as", "to" and "do" are Portuguese or Slovak words too; these were read
        # as one of those languages.
        (
            "Humpback whale gets REALLLLY close",
            "A woman captures incredibly close footage of a humpback whale during a "
            "sightseeing tour near San Juan Island, Washington.",
        ),
        ("Your Daily Mini Crossword", "Solve a bite-size crossword in just a few minutes."),
        ("A 50-year stint", "A 71-year-old veteran returns to his family after serving the U.S."),
        (
            "Co-Scientist: A multi-agent AI partner to accelerate research",
            "Introducing Co-Scientist, a collaborative AI partner built with Gemini to help "
            "researchers accelerate scientific breakthroughs.",
        ),
        # As many hits for English as for Slovak ("a", "to"), or for Portuguese ("a"
        # twice, and "e", "o" from the initials): text in a-z is English.
        (
            "Market Talk: $100 oil 'could add a percentage point to US inflation' - Reuters",
            "Market Talk: $100 oil 'could add a percentage point to US inflation' Reuters",
        ),
        (
            "McDonald’s C.E.O. Takes a Big Bite Out of a Burger. Maybe Scratch ‘Big.’",
            "Chris Kempczinski’s rather tentative chomp drew mirth online, even from some "
            "competitors.",
        ),
    ],
)
def test_english_with_words_of_other_languages_is_english(title: str, body: str) -> None:
    assert detect_language(title, body) == "en"


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Petrobras reduz o preço da gasolina",
            "A Petrobras anunciou nesta segunda-feira que vai reduzir o preço da gasolina "
            "para as distribuidoras a partir de amanhã.",
            "pt",
        ),
        (
            "Koronavírus: Spresnili odkiaľ pochádzajú nové prípady",
            "Z ochorenia sa vyliečilo ďalších 2360 pacientov.",
            "sk",
        ),
        # As many hits for English as for the other language: a letter outside a-z
        # gives the tie to the other language.
        ("Vláda schválila návrh a poslanci to podporili", "", "sk"),
        (
            "Suno-Datenleck: Have I Been Pwned ergänzt 55 Millionen Konten",
            "Das Have-I-Been-Pwned-Projekt hat mehr als 55 Millionen Konten aus dem "
            "Suno-Datenleck zur Datenhalde hinzugefügt.",
            "de",
        ),
    ],
)
def test_portuguese_slovak_and_ties_with_accents(title: str, body: str, expected: str) -> None:
    assert detect_language(title, body) == expected


def test_too_short_to_tell_is_unknown() -> None:
    assert detect_language("Hi", "") == ""
    assert detect_language("", "") == ""


def test_normalized_stories_carry_their_language() -> None:
    from datetime import UTC, datetime

    from aggregator.ingest.normalize import normalize_entry
    from aggregator.models import Entry

    now = datetime(2026, 1, 1, tzinfo=UTC)
    entry = Entry(
        guid="1",
        title="Der Bundestag debattiert über die Rentenreform",
        link="https://example.org/a",
        content_html="<p>Die Abgeordneten haben am Mittwoch lange über die Reform beraten.</p>",
    )
    story = normalize_entry(entry, category="news", now=now)
    assert story.lang == "de"


@pytest.mark.parametrize("apostrophe", ["'", "’"])
def test_apostrophes_are_no_letters(apostrophe: str) -> None:
    # Eleven letters and three apostrophes: too short to tell (the letters are counted
    # from the words, which keep an apostrophe inside them).
    title = f"don{apostrophe}t won{apostrophe}t it{apostrophe}s"
    assert detect_language(title, "") == ""
    assert detect_language(title + " the", "") == "en"
