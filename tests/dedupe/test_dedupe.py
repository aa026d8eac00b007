"""Tests for aggregator.dedupe.urls: canonical URLs and content fingerprints."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.dedupe import urls as dedupe
from aggregator.dedupe.urls import (
    DEFAULT_TRACKING_PARAMS,
    canonical_url,
    content_hash,
    fingerprint,
    fold,
    original_link,
)

# --- canonical_url ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme, host, default port, fragment, trailing slash
        ("HTTP://WWW.Example.COM:80/a/b/#comments", "https://example.com/a/b"),
        ("https://example.com:443/", "https://example.com"),
        ("https://example.com", "https://example.com"),
        ("http://example.com:8080/x", "https://example.com:8080/x"),
        ("https://Example.com./x//", "https://example.com/x"),
        ("//example.com/protocol-relative/", "https://example.com/protocol-relative"),
        # host prefixes
        ("https://m.example.com/story", "https://example.com/story"),
        ("https://amp.www.example.com/story", "https://example.com/story"),
        ("https://www.com/", "https://www.com"),
        ("https://mobile.example.com/", "https://mobile.example.com"),
        # tracking parameters (real feed links), case-insensitive, any utm_*
        (
            "http://www.engadget.com/2013/11/29/kitkat/?utm_medium=feed&utm_source=Feed_Classic"
            "&utm_campaign=Engadget&ncid=rss_semi",
            "https://engadget.com/2013/11/29/kitkat",
        ),
        (
            "http://www.heise.de/developer/meldung/WildFly-10-3088438.html?wt_mc=rss.developer.beitrag.atom",
            "https://heise.de/developer/meldung/WildFly-10-3088438.html",
        ),
        (
            "https://www.bbc.com/news/articles/cp81l0e1eg5o?at_medium=RSS&at_campaign=rss",
            "https://bbc.com/news/articles/cp81l0e1eg5o",
        ),
        (
            "https://www.dw.com/en/a-75995188?maca=en-rss-en-all-1573-rdf",
            "https://dw.com/en/a-75995188",
        ),
        (
            "https://x.com/user/status/1908204710143942907?ref=ed_direct",
            "https://x.com/user/status/1908204710143942907",
        ),
        (
            "https://example.com/a?UTM_Source=x&FBCLID=1&utm_whatever=2&keep=1",
            "https://example.com/a?keep=1",
        ),
        ("https://example.com/a?gclid=1&mc_cid=2&mc_eid=3&_hsenc=4&CMP=5", "https://example.com/a"),
        # remaining parameters are sorted; meaningful ones stay
        (
            "http://tech.slashdot.org/article.pl?sid=09/01/22/2338214&from=rss",
            "https://tech.slashdot.org/article.pl?from=rss&sid=09/01/22/2338214",
        ),
        ("https://example.com/search?q=b&q=a&page=2", "https://example.com/search?page=2&q=a&q=b"),
        ("https://example.com/a?&x=1&&", "https://example.com/a?x=1"),
        # AMP variants
        ("https://www.example.com/news/story/amp/", "https://example.com/news/story"),
        ("https://amp.example.com/news/story.amp.html", "https://example.com/news/story.html"),
        ("https://example.com/news/story.amp", "https://example.com/news/story.html"),
        ("https://example.com/news/story?amp=1&id=3", "https://example.com/news/story?id=3"),
        ("https://example.com/news/story?outputType=amp", "https://example.com/news/story"),
        (
            "https://example.com/news/story?outputType=print",
            "https://example.com/news/story?outputType=print",
        ),
        # percent-encoding
        (
            "https://example.com/%7euser/caf%c3%a9?q=%7e%2f",
            "https://example.com/~user/caf%C3%A9?q=~%2F",
        ),
        ("https://example.com/café au lait", "https://example.com/caf%C3%A9%20au%20lait"),
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
        # IDN host kept as given, lower-cased
        ("https://Bücher.Example/Straße", "https://bücher.example/Stra%C3%9Fe"),
        # IPv6 and user info
        ("http://[2001:DB8::1]:80/x", "https://[2001:db8::1]/x"),
        ("https://user:pw@Example.com/", "https://user:pw@example.com"),
        # tracking parameters seen in the corpus (Reuters, Al Jazeera, CSMonitor, BBC's ATI)
        (
            "http://www.reuters.com/article/us-usa-trump-idUSKBN14Q1B9?feedType=RSS&feedName=worldNews",
            "https://reuters.com/article/us-usa-trump-idUSKBN14Q1B9",
        ),
        (
            "https://www.aljazeera.com/news/2026/2/18/x?traffic_source=rss",
            "https://aljazeera.com/news/2026/2/18/x",
        ),
        (
            "https://www.csmonitor.com/USA/2026/0217/x?icid=rss",
            "https://csmonitor.com/USA/2026/0217/x",
        ),
        (
            "https://www.bbc.co.uk/iplayer/episode/b01p6y1c?at_mid=ovYA&at_campaign=F&at_medium=x"
            "&at_link_title=P&at_bbc_team=editorial",
            "https://bbc.co.uk/iplayer/episode/b01p6y1c",
        ),
        (
            "https://news.yahoo.com/x?guccounter=1&guce_referrer=aHR0&guce_referrer_sig=AQ",
            "https://news.yahoo.com/x",
        ),
        # AMP paths, parameters, viewers and caches
        ("https://example.com/amp/2020/01/story.html", "https://example.com/2020/01/story.html"),
        (
            "https://example.com/news/story?_amp=true&usqp=mq331AQFKAGwASA%3D",
            "https://example.com/news/story",
        ),
        ("https://example.com/news/story?output=amp", "https://example.com/news/story"),
        (
            "https://www.google.com/amp/s/www.example.com/news/story/amp/",
            "https://example.com/news/story",
        ),
        (
            "https://www.google.co.uk/amp/example.com/news/story.amp.html",
            "https://example.com/news/story.html",
        ),
        (
            "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story?amp=1",
            "https://example.com/news/story",
        ),
        ("https://example-com.cdn.ampproject.org/v/example.com/story", "https://example.com/story"),
        # Google News redirects that carry the article's URL (2019-2023 form)
        (
            "https://news.google.com/__i/rss/rd/articles/CBMiVWh0dHBzOi8vZGVhZGxpbmUuY29tLzIwMjIvMDcv"
            "Y292aWQtbWFzay1tYW5kYXRlLWJldmVybHktaGlsbHMtbG9zLWFuZ2VsZXMtMTIzNTA3OTU0OC_SAQA?oc=5",
            "https://deadline.com/2022/07/covid-mask-mandate-beverly-hills-los-angeles-1235079548",
        ),
        (
            "https://news.google.com/rss/articles/CBMiWWh0dHBzOi8vd3d3LmNubi5jb20vMjAyMi8wNy8yNy9wb2xp"
            "dGljcy9zY2h1bWVyLW1hbmNoaW4tZGVhbC1idWlsZC1iYWNrLWJldHRlci9pbmRleC5odG1s0gFdaHR0cHM6Ly9h"
            "bXAuY25uLmNvbS9jbm4vMjAyMi8wNy8yNy9wb2xpdGljcy9zY2h1bWVyLW1hbmNoaW4tZGVhbC1idWlsZC1iYWNr"
            "LWJldHRlci9pbmRleC5odG1s?oc=5",
            "https://cnn.com/2022/07/27/politics/schumer-manchin-deal-build-back-better/index.html",
        ),
        # ... while newer, opaque tokens stay as they are
        (
            "https://news.google.com/rss/articles/CBMie0FVX3lxTE9zN2lIVmZmR0pnVG5kTVpkVUVaRjVY?oc=5",
            "https://news.google.com/rss/articles/CBMie0FVX3lxTE9zN2lIVmZmR0pnVG5kTVpkVUVaRjVY?oc=5",
        ),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/story",
        "https://example.com/story/",
        "https://www.example.com/story?utm_source=rss",
        "https://m.example.com/story#top",
        "https://amp.example.com/story/amp",
        "HTTPS://EXAMPLE.COM:443/story",
    ],
)
def test_variants_of_one_story_are_equal(url: str) -> None:
    assert canonical_url(url) == "https://example.com/story"


@pytest.mark.parametrize(
    "url",
    [
        "mailto:someone@example.com",
        "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
        "tag:example.com,2024:1",
        "example.com/no-scheme",
        "/relative/path",
        "http:///no-host",
        "https://[::1/broken-ipv6",
        "https://example.com:port/",
        "https://exa mple.com/",
        "not a url at all",
    ],
)
def test_anything_else_comes_back_stripped(url: str) -> None:
    assert canonical_url(f"  {url}\n") == url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/story#comments", "https://example.com/story"),
        ("https://example.com/story#top", "https://example.com/story"),
        ("https://example.com/story/", "https://example.com/story"),
        ("https://example.com/story//", "https://example.com/story"),
        ("http://example.com/story", "https://example.com/story"),
        ("HTTPS://EXAMPLE.COM/story", "https://example.com/story"),
        ("https://example.com:443/story", "https://example.com/story"),
        ("http://example.com:80/story", "https://example.com/story"),
        ("https://www.example.com/story", "https://example.com/story"),
        ("https://m.example.com/story", "https://example.com/story"),
        ("https://amp.example.com/story", "https://example.com/story"),
        ("https://example.com/story/amp", "https://example.com/story"),
        ("https://example.com/amp/story", "https://example.com/story"),
        ("https://example.com/story?amp", "https://example.com/story"),
        ("https://example.com/story?utm_campaign=x&utm_anything=y", "https://example.com/story"),
        ("https://example.com/story?fbclid=1", "https://example.com/story"),
        ("https://example.com/story?gclid=1", "https://example.com/story"),
        ("https://example.com/story?mc_cid=1&mc_eid=2", "https://example.com/story"),
        ("https://example.com/story?ref=rss", "https://example.com/story"),
        ("https://example.com/story?cmpid=rss", "https://example.com/story"),
    ],
)
def test_each_rule_of_the_issue(url: str, expected: str) -> None:
    """One line per canonical-URL rule (scheme and host case, ports, www/m/amp, AMP, fragments,
    trailing slashes, tracking parameters, http = https)."""
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("link", "guid", "original", "expected"),
    [
        # feedburner:origLink / pheedo:origLink win
        (
            "http://rss.cnn.com/~r/rss/x/~3/3KR/index.html",
            "",
            "http://www.cnn.com/a/index.html",
            "http://www.cnn.com/a/index.html",
        ),
        # a FeedBurner proxy link with a permalink guid: the guid is the article
        (
            "http://feeds.reuters.com/~r/Reuters/worldNews/~3/xRO/us-x",
            "http://www.reuters.com/article/us-x-idUSKBN14R0D4?feedType=RSS",
            "",
            "http://www.reuters.com/article/us-x-idUSKBN14R0D4?feedType=RSS",
        ),
        (
            "http://feeds.washingtonpost.com/click.phdo?i=cc0c",
            "http://www.washingtonpost.com/a_story.html",
            "",
            "http://www.washingtonpost.com/a_story.html",
        ),
        (
            "https://example.feedsportal.com/c/1/f/2/s/3/index.rss",
            "https://example.com/a",
            "",
            "https://example.com/a",
        ),
        # no usable guid: the proxy link stays
        (
            "http://feedproxy.google.com/~r/pcmag/~3/0O/0,2817,2525649,00.asp",
            "tag:x,2020:1",
            "",
            "http://feedproxy.google.com/~r/pcmag/~3/0O/0,2817,2525649,00.asp",
        ),
        # an ordinary link is never replaced by the guid
        ("https://example.com/a", "https://example.com/?p=123", "", "https://example.com/a"),
        # an original link that is not a URL is ignored
        (" https://example.com/a ", "", "not a url", "https://example.com/a"),
        ("", "", "", ""),
    ],
)
def test_original_link(link: str, guid: str, original: str, expected: str) -> None:
    assert original_link(link, guid=guid, original=original) == expected


def test_tracking_params_of_the_config_apply_to_real_links() -> None:
    url = "https://www.medscape.com/viewarticle/caution-2025a1000uja?src=rss"
    assert canonical_url(url).endswith("?src=rss")
    assert canonical_url(url, tracking_params=frozenset({"src"})) == (
        "https://medscape.com/viewarticle/caution-2025a1000uja"
    )


@given(st.text())
def test_property_fold_fast_path_agrees_with_the_regex(text: str) -> None:
    import unicodedata

    expected = " ".join(
        dedupe._PUNCT_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split()
    )
    assert fold(text) == expected


def test_empty_url() -> None:
    assert canonical_url("") == ""
    assert canonical_url(" \t\n") == ""


def test_extra_tracking_params_add_to_the_defaults() -> None:
    url = "https://example.com/a?src=rss&utm_source=x&id=1"
    assert canonical_url(url) == "https://example.com/a?id=1&src=rss"
    assert canonical_url(url, tracking_params=frozenset({"SRC"})) == "https://example.com/a?id=1"
    assert canonical_url(url, tracking_params=frozenset()) == "https://example.com/a?id=1&src=rss"


def test_default_tracking_params() -> None:
    assert {"utm_source", "fbclid", "gclid", "ref", "cmp", "xtor", "at_medium"} <= (
        DEFAULT_TRACKING_PARAMS
    )
    assert "src" not in DEFAULT_TRACKING_PARAMS
    assert all(name == name.lower() for name in DEFAULT_TRACKING_PARAMS)


hosts = st.builds(
    lambda prefix, labels, tld: prefix + ".".join(labels) + "." + tld,
    st.sampled_from(["", "www.", "WWW.", "m.", "amp.", "www.m.", "m.www."]),
    st.lists(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=3
    ),
    st.sampled_from(["com", "org", "de", "CO.UK", "xn--p1ai", "рф"]),
)
segments = st.one_of(
    st.text(alphabet="abcXYZ019-._~!$&'()*+,;=:@% \u00e9\u4e16", max_size=8),
    st.sampled_from(["amp", "AMP", "story.amp", "x.amp.html", "%7e", "%2f", "%2F", "%41", "%zz"]),
)
paths = st.builds(
    lambda parts, slash: "/" + "/".join(parts) + slash,
    st.lists(segments, max_size=4),
    st.sampled_from(["", "/", "//"]),
)
param_names = st.one_of(
    st.sampled_from(["utm_source", "UTM_Medium", "fbclid", "amp", "outputType", "id", "q", "Page"]),
    st.text(alphabet="abcXY_%2e+", min_size=0, max_size=5),
)
param_values = st.one_of(
    st.sampled_from(["1", "amp", "AMP", "rss", "%7e", "a+b", "%C3%A9", ""]),
    st.text(alphabet="abc019=/?:@%+ \u00e9", max_size=6),
)
queries = st.lists(
    st.tuples(param_names, st.sampled_from(["=", ""]), param_values).map("".join), max_size=4
).map("&".join)
urls = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}{host}{port}{path}{'?' + query if query else ''}{fragment}"
    ),
    st.sampled_from(["http://", "https://", "HTTP://", "HtTpS://", "//"]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080", ":0443", ":"]),
    paths,
    queries,
    st.sampled_from(["", "#", "#frag", "#!/route?x=1"]),
)


@settings(max_examples=500)
@given(urls)
def test_property_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@settings(max_examples=300)
@given(urls)
def test_property_canonical_url_drops_tracking_and_fragments(url: str) -> None:
    result = canonical_url(url)
    assert "#" not in result
    assert not re.search(r"[?&](?:utm_[^=&]*|fbclid)(?:[=&]|$)", result, re.IGNORECASE)
    if result.startswith("https://"):
        assert canonical_url(result.replace("https://", "http://www.", 1)) == result


@given(st.text())
def test_property_canonical_url_never_raises(text: str) -> None:
    result = canonical_url(text)
    assert canonical_url(result) == result


# --- content_hash ---------------------------------------------------------------


def test_content_hash_is_versioned_sha256() -> None:
    value = content_hash("Title", "Body")
    assert re.fullmatch(r"1:[0-9a-f]{64}", value)


def test_content_hash_ignores_case_whitespace_and_punctuation() -> None:
    base = content_hash("Angie's List sets IPO terms", "It aims to raise $131.4 million.")
    assert (
        content_hash("ANGIE’S LIST — sets IPO terms!", "It  aims to raise\n\n131 4 million") == base
    )
    assert content_hash("angies list sets ipo terms", "it aims to raise 1314 million") != base


def test_content_hash_tells_title_and_body_apart() -> None:
    assert content_hash("a", "b") != content_hash("b", "a")
    assert content_hash("a b", "") != content_hash("a", "b")
    assert content_hash("Title", "Body") != content_hash("Title", "Other body")


def test_content_hash_of_nothing_is_empty() -> None:
    assert content_hash("", "") == ""
    assert content_hash("  ", "\n\n") == ""
    assert content_hash("...", "!!!") == ""
    assert content_hash("Title only", "") != ""
    assert content_hash("", "Body only") != ""


def test_content_hash_is_stable() -> None:
    # Stored in the archive: changing the serialization must change the "1:" version.
    assert content_hash("Hello, World!", "Body  text.") == (
        "1:29900b0be7d20a3e50d3b24efc245b97a23a5ea07feba1b85aa81d0af4e96e2a"
    )


@given(st.text(), st.text())
def test_property_content_hash_never_raises(title: str, body: str) -> None:
    value = content_hash(title, body)
    assert value == "" or re.fullmatch(r"1:[0-9a-f]{64}", value)
    assert content_hash(f" {title}\n", f"\t{body}  ") == value


def test_fingerprint_is_a_versioned_64_bit_integer() -> None:
    value = fingerprint("Hello, World!", "Body  text.")
    assert value == (1 << 56) | int("29900b0be7d20a", 16)
    assert 0 < value < 2**63
    assert fingerprint("hello world", "BODY TEXT") == value
    assert fingerprint("Hello", "Other") != value
    assert fingerprint("", "") == 0
    assert fingerprint("--", " ") == 0


@given(st.text(), st.text())
def test_property_fingerprint_agrees_with_content_hash(title: str, body: str) -> None:
    value = fingerprint(title, body)
    text = content_hash(title, body)
    assert (value == 0) == (text == "")
    if value:
        assert value >> 56 == 1
        assert value & (2**56 - 1) == int(text[2:16], 16)


def test_all_is_sorted() -> None:
    assert dedupe.__all__ == sorted(dedupe.__all__)
