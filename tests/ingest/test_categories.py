"""Categories: the feed's, refined by ``[[categories]]`` rules; the rules' validation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.app.config import load
from aggregator.errors import ConfigError
from aggregator.ingest.categories import CategoryRule, categorize, normalize_category
from aggregator.ingest.normalize import normalize_entry
from aggregator.models import Entry

RULES = (
    CategoryRule("security", tags=("Security", "infosec"), keywords=("ransomware", "CVE-")),
    CategoryRule("AI", keywords=("artificial intelligence", "LLM", "ChatGPT", "GPT-4")),
    CategoryRule("business", keywords=("earnings", "IPO"), feed_categories=("technology",)),
    CategoryRule("science", tags=("space", "physics")),
)


def cat(title: str, body: str = "", *, tags: tuple[str, ...] = (), feed: str = "technology") -> str:
    return categorize(feed_category=feed, title=title, body=body, tags=tags, rules=RULES)


def test_the_feed_category_without_rules_or_matches() -> None:
    assert categorize(feed_category="technology", title="x", body="") == "TECHNOLOGY"
    assert cat("Apple updates the Mac Pro") == "TECHNOLOGY"
    assert normalize_category("  world   news ") == "WORLD NEWS"
    assert normalize_category("") == "GENERAL"


def test_tags_match_whole_tags_case_insensitively() -> None:
    assert cat("A story", tags=("SECURITY",)) == "SECURITY"
    assert cat("A story", tags=("space",)) == "SCIENCE"  # reddit-atom_2016's r/space
    assert cat("A story", tags=("cybersecurity",)) == "TECHNOLOGY"


def test_keywords_in_the_title() -> None:
    assert cat("Ransomware gang hits hospital chain") == "SECURITY"
    assert cat("Researchers publish CVE-2024-3094 analysis") == "SECURITY"
    assert cat("OpenAI ships GPT-4 Turbo") == "AI"
    assert cat("What ChatGPT means for schools") == "AI"


def test_keywords_are_whole_words() -> None:
    assert cat("Bullmq: a queue for Node") == "TECHNOLOGY"  # "LLM" inside a word
    assert cat("Ripoff pricing for cloud storage") == "TECHNOLOGY"  # "IPO" inside "Ripoff"


def test_phrases_match_across_whitespace() -> None:
    assert cat("Inside artificial\nintelligence labs") == "AI"


def test_keywords_in_the_lede_only() -> None:
    lede = "The company said its earnings beat estimates."
    assert cat("Acme reports", lede) == "BUSINESS"
    late = "x " * 400 + "earnings"
    assert cat("Acme reports", late) == "TECHNOLOGY"


def test_first_matching_rule_wins() -> None:
    assert cat("Ransomware crew uses ChatGPT to write lures") == "SECURITY"


def test_feed_categories_limit_a_rule() -> None:
    assert cat("Acme files for an IPO", feed="technology") == "BUSINESS"
    assert cat("Acme files for an IPO", feed="world") == "WORLD"


def test_normalize_entry_applies_the_rules() -> None:
    # time-tech.xml tags its stories ("Uncategorized", "AI", "News Desk").
    entry = Entry(
        guid="g",
        title="Spain Orders Criminal Investigation Into X, Meta, and TikTok",
        summary_html="<p>The Spanish government has called for an investigation.</p>",
        tags=("Uncategorized", "AI", "News Desk"),
    )
    rules = (CategoryRule("ai", tags=("AI",)),)
    now = datetime(2026, 2, 17, tzinfo=UTC)
    story = normalize_entry(entry, category="world", now=now, category_rules=rules)
    assert story.category == "AI"
    assert normalize_entry(entry, category="world", now=now).category == "WORLD"


# --- configuration -------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rules_are_loaded_in_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[categories]]
category = "security"
tags = ["security"]
keywords = ["ransomware", "zero-day"]

[[categories]]
category = "AI"
keywords = ["LLM"]
feed_categories = ["technology"]
""",
    )
    config = load(path)
    assert config.categories == (
        CategoryRule("security", tags=("security",), keywords=("ransomware", "zero-day")),
        CategoryRule("AI", keywords=("LLM",), feed_categories=("technology",)),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[categories]]\ntags = ["x"]', "categories[0].category: missing"),
        (
            '[[categories]]\ncategory = " "\ntags = ["x"]',
            "categories[0].category: must not be empty",
        ),
        ('[[categories]]\ncategory = "ai"', "categories[0].tags: a rule needs tags or keywords"),
        ('[[categories]]\ncategory = "ai"\ntags = "x"', "categories[0].tags: expected an array"),
        (
            '[[categories]]\ncategory = "ai"\nkeywords = ["ok", ""]',
            "categories[0].keywords: expected an array of non-empty strings",
        ),
        (
            '[[categories]]\ncategory = "ai"\ntags = ["x"]\nkeyword = ["y"]',
            "categories[0].keyword: unknown key"
            " (allowed: category, feed_categories, keywords, tags)",
        ),
        ('categories = "ai"', "categories: expected an array of tables"),
    ],
)
def test_invalid_rules_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: {message}")
