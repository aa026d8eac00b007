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
