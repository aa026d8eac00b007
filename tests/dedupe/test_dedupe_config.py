"""The ``[dedupe]`` section of the config: near-duplicate settings, validated key by key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aggregator.app.config import load
from aggregator.dedupe.neardup import Params
from aggregator.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path: Path) -> None:
    assert load(None).dedupe == Params()
    assert load(write(tmp_path, "[dedupe]\n")).dedupe == Params()


def test_every_key(tmp_path: Path) -> None:
    config = load(
        write(
            tmp_path,
            """
[dedupe]
tracking_params = ["src"]
near_duplicates = false
window = "2d"
shingle_size = 3
bands = 8
rows = 3
lead_words = 40
lead_bands = 2
lead_rows = 2
jaccard = 0.7
containment = 0.9
title_similarity = 0.5
title_strong = 0.8
partial_lead = 0.7
min_words = 10
short_words = 30
short_jaccard = 0.9
upgrade_ratio = 2
max_candidates = 10
""",
        )
    )
    assert config.tracking_params == ("src",)
    assert config.dedupe == Params(
        enabled=False,
        window=timedelta(days=2),
        shingle_size=3,
        bands=8,
        rows=3,
        lead_words=40,
        lead_bands=2,
        lead_rows=2,
        jaccard=0.7,
        containment=0.9,
        title_similarity=0.5,
        title_strong=0.8,
        partial_lead=0.7,
        min_words=10,
        short_words=30,
        short_jaccard=0.9,
        upgrade_ratio=2.0,
        max_candidates=10,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("windw = '1d'", "dedupe.windw: unknown key (allowed: bands, containment, jaccard,"),
        ("jaccard = 1.5", "dedupe.jaccard: must be above 0 and at most 1, got 1.5"),
        ("containment = 0", "dedupe.containment: must be above 0 and at most 1, got 0.0"),
        ("jaccard = 'high'", "dedupe.jaccard: expected a number or an integer, got a string"),
        ("window = '40d'", "dedupe.window: must be positive and at most 30 days, got '40d'"),
        ("window = 'soon'", "dedupe.window: 'soon' is not a duration"),
        ("shingle_size = 0", "dedupe.shingle_size: must be between 1 and 12, got 0"),
        ("bands = 100", "dedupe.bands: must be between 1 and 64, got 100"),
        (
            "shingle_size = 5\nlead_words = 4",
            "dedupe.lead_words: must be between 5 and 1000, got 4",
        ),
        ("min_words = 30\nshort_words = 20", "dedupe.short_words: must be between 30 and 1000"),
        ("upgrade_ratio = 0.5", "dedupe.upgrade_ratio: must be between 1 and 100, got 0.5"),
        ("near_duplicates = 'yes'", "dedupe.near_duplicates: expected true or false"),
        ("max_candidates = 2.5", "dedupe.max_candidates: expected an integer, got a number 2.5"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, f"[dedupe]\n{text}\n")
    with pytest.raises(ConfigError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {expected}")
    assert "\n" not in message
