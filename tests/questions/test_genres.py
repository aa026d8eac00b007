"""Tests for the offline questions on releases, show notes, how-tos and stories not in English.

Such items have no news to weigh: the news, motive and "who gains" frames are
a genre mismatch on them, so each kind gets a question in its own genre.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.models import Story
from aggregator.questions.offline import OfflineGenerator


def _story(title: str, body: str, lang: str = "en") -> Story:
    return Story(
        category="NEWS",
        title=title,
        published=datetime(2025, 4, 21, tzinfo=UTC),
        body=body,
        lang=lang,
    )


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
        ("Mailrelay 5: Schnellere Zustellung für große Verteiler", "Mailrelay 5"),
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
