"""Canonical URLs and content fingerprints (no I/O).

Two stories are the same story when their canonical URLs are equal, or when
their normalized title and body hash alike (:func:`content_hash` as text,
:func:`fingerprint` as a 64-bit integer for the archive). All functions are
pure, deterministic and total: they never raise on odd input.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import unicodedata
from urllib.parse import quote, unquote_plus, urlsplit

__all__ = [
    "DEFAULT_TRACKING_PARAMS",
    "canonical_url",
    "content_hash",
    "fingerprint",
    "fold",
    "guid_key",
    "original_link",
    "url_key",
]

#: Query parameters that only track where a click came from (compared in lower
#: case). Any parameter whose name starts with ``utm_`` is dropped as well.
DEFAULT_TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Google Analytics / Urchin (every other utm_* is matched by prefix)
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_name",
        "utm_id",
        "_ga",
        "_gl",
        # ad-click ids
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "li_fat_id",
        # e-mail and marketing automation
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "vero_id",
        "oly_anon_id",
        "oly_enc_id",
        # publishers' own feed and share markers (seen in real feeds)
        "ref",
        "ref_src",
        "cmp",
        "cmpid",
        "ncid",
        "ocid",
        "sr_share",
        "spm",
        "rss",
        "xtor",
        "at_medium",
        "at_campaign",
        "wt_mc",
        "wt.mc_id",
        "maca",
        "wprss",
        "partner",
        "emc",
        "smid",
        "smtyp",
        "ns_campaign",
        "ns_mchannel",
        "ns_source",
        "ns_linkname",
        "ns_fee",
        "pk_campaign",
        "pk_kwd",
        "pk_source",
        "pk_medium",
        "mtm_campaign",
        "mtm_source",
        "mtm_medium",
        "fb_action_ids",
        "fb_action_types",
        "fb_ref",
        "fb_source",
        # seen in the corpus's real feeds: Reuters, Al Jazeera, CSMonitor, Daily Mail, BBC (ATI)
        "feedtype",
        "feedname",
        "traffic_source",
        "icid",
        "ito",
        "at_mid",
        "at_link_id",
        "at_link_type",
        "at_link_origin",
        "at_link_title",
        "at_ptr_name",
        "at_ptr_type",
        "at_format",
        "at_objective",
        "at_bbc_team",
        "at_brand",
        "at_product",
        "at_nation",
        "at_audience_id",
        "at_creation",
        "at_campaign_type",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        # Yahoo consent redirects, Adobe, social schedulers
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "s_cid",
        "soc_src",
        "soc_trk",
        "mbid",
        "__twitter_impression",
    }
)

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# quote() keeps letters, digits and "_.-~"; these are the reserved characters
# (and "%", so existing escapes survive) that must keep their meaning.
_PATH_SAFE = "/%:@!$&'()*+,;="
_QUERY_SAFE = "/%:@!$'()*+,;=?"
_PCT_RE = re.compile(r"%([0-9A-Fa-f]{2})")
_HOST_PREFIXES = ("www.", "m.", "amp.")
_DEFAULT_PORTS = frozenset({"80", "443"})
# AMP markers in the query: None drops the parameter whatever its value.
_AMP_PARAMS = {
    "amp": None,
    "_amp": None,
    "amp_js_v": None,
    "amp_gsa": None,
    "usqp": None,
    "outputtype": "amp",
    "output": "amp",
}
# AMP viewers and caches that wrap the publisher's URL in their own path:
# https://www.google.com/amp/s/example.com/story, https://example-com.cdn.ampproject.org/c/s/example.com/story
_AMP_VIEWER_RE = re.compile(
    r"^(?:https?:)?//(?:www\.)?google\.[a-z.]+/amp/(?:s/)?(?P<rest>[^/?#]+\.[^/?#]+.*)$",
    re.IGNORECASE | re.DOTALL,
)
_AMP_CACHE_RE = re.compile(
    r"^(?:https?:)?//[^/?#]+\.cdn\.ampproject\.org/[cvir]/(?:s/)?(?P<rest>[^/?#]+\.[^/?#]+.*)$",
    re.IGNORECASE | re.DOTALL,
)
# Google News redirects (2019-2023 form): the article token is base64url of a
# protobuf whose first field (bytes 08 13) is followed by the URL (tag 22, length).
# Newer tokens ("AU_yqL...") are opaque and stay as they are.
_GOOGLE_NEWS_RE = re.compile(
    r"^(?:https?:)?//news\.google\.com/(?:__i/)?(?:rss/)?(?:rd/)?articles/(?P<token>[A-Za-z0-9_-]+)",
    re.IGNORECASE,
)
_PROXY_PATH_RE = re.compile(r"/~r/|/~/|/click\.phdo\b", re.IGNORECASE)
_PROXY_HOSTS = ("feedproxy.google.com", "feeds.feedburner.com", "feedsportal.com")
# Everything that is neither a word character nor whitespace, plus "_".
_PUNCT_RE = re.compile(r"[^\w\s]|_")
# The same for ASCII text, as a str.translate table.
_ASCII_PUNCT = {
    c: " " for c in range(128) if not (chr(c).isalnum() or chr(c).isspace()) or chr(c) == "_"
}
_HASH_VERSION = "1"


def canonical_url(url: str, *, tracking_params: frozenset[str] | None = None) -> str:
    """Reduce a story URL to a canonical form, so that variants compare equal.

    http and https, ``www.``/``m.``/``amp.`` hosts, default ports, fragments,
    tracking parameters, parameter order, AMP variants (``/amp`` paths,
    ``.amp.html``, ``?amp=1``, ``?outputType=amp``, Google's AMP viewer and the
    AMP cache), Google News redirects that carry the article's URL, trailing
    slashes and percent-encoding differences all map to one ``https://`` URL. The result
    identifies a story; it is not meant to be fetched. The function is
    idempotent and never raises: anything that is not an absolute http(s) URL
    comes back stripped but otherwise unchanged.

    Args:
        url: the URL as the feed gave it.
        tracking_params: extra query parameter names to drop (case-insensitive),
            in addition to :data:`DEFAULT_TRACKING_PARAMS` and any ``utm_*``.

    Returns:
        The canonical URL, or ``""`` for an empty or blank ``url``.
    """
    text = url.strip()
    if not text:
        return ""
    try:
        return _canonical(text, _tracking_set(tracking_params))
    except ValueError:  # urlsplit on bad IPv6 brackets, quote() on lone surrogates
        return text


def original_link(link: str, *, guid: str = "", original: str = "") -> str:
    """Choose the URL that identifies an entry's article, not a feed proxy's redirect.

    ``original`` (``feedburner:origLink``, ``pheedo:origLink`` ...) wins when it
    is an absolute http(s) URL. Otherwise, when ``link`` goes through a feed
    proxy (FeedBurner ``/~r/`` links, FeedBlitz, Pheedo, Feedsportal) and the
    guid is an absolute http(s) URL, the guid is the publisher's permalink.

    Args:
        link: the entry's link as the feed gave it.
        guid: the entry's id.
        original: an original-link field of the entry, or ``""``.

    Returns:
        The chosen URL, stripped (``""`` when there is none).
    """
    original = original.strip()
    if _is_http(original):
        return original
    link = link.strip()
    guid = guid.strip()
    if link and _is_proxy(link) and _is_http(guid) and not _is_proxy(guid):
        return guid
    return link or original


def fold(text: str) -> str:
    """Normalize text for comparison: NFKC, case-folded, punctuation to spaces, one space apart.

    The normalization behind :func:`content_hash`, :func:`fingerprint` and the
    shingles of :mod:`aggregator.dedupe.neardup`.

    Args:
        text: any text.

    Returns:
        The folded text (words separated by single spaces).
    """
    return _fold(text)


def content_hash(title: str, body: str) -> str:
    """Fingerprint a story's normalized title and body, as text.

    Both texts are NFKC-normalized, case-folded, stripped of punctuation and
    whitespace-collapsed, then serialized as sorted-key JSON (empty fields
    dropped) and hashed with SHA-256. The ``"1:"`` prefix versions the
    algorithm so that it can change later without mixing old and new hashes.

    Args:
        title: the story's title (plain text).
        body: the story's body (plain text).

    Returns:
        ``"1:"`` followed by 64 hex digits, or ``""`` when both texts are empty
        once normalized.
    """
    digest = _digest(title, body)
    return f"{_HASH_VERSION}:{digest.hex()}" if digest else ""


def fingerprint(title: str, body: str) -> int:
    """Fingerprint a story's normalized title and body, as an SQLite-sized integer.

    The same canonical serialization and SHA-256 as :func:`content_hash`, so
    the two agree on which stories are equal. The top byte holds the version
    (1) and the 56 bits below it the start of the digest, so the value is
    positive, fits a signed 64-bit ``INTEGER`` column, and is never 0 for
    real content.

    Args:
        title: the story's title (plain text).
        body: the story's body (plain text).

    Returns:
        The fingerprint, or ``0`` when both texts are empty once normalized.
    """
    digest = _digest(title, body)
    if not digest:
        return 0
    return (int(_HASH_VERSION) << 56) | int.from_bytes(digest[:7], "big")


def url_key(canonical: str) -> int:
    """A canonical URL as an SQLite-sized integer, for the archive's URL index.

    An 8-byte key instead of the text keeps the index and the row small (the
    archive stores the URL as the feed gave it; its canonical form is derived).
    The top byte holds the version (1), the 56 bits below the start of SHA-256.

    Args:
        canonical: a URL already passed through :func:`canonical_url`.

    Returns:
        The key, or ``0`` for an empty URL.
    """
    if not canonical:
        return 0
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).digest()
    return (int(_HASH_VERSION) << 56) | int.from_bytes(digest[:7], "big")


def guid_key(guid: str) -> int:
    """An entry's guid as an SQLite-sized integer, for the archive's index of sightings.

    The archive keeps each source's guid as the feed gave it (exports show
    it) and indexes this key instead, with the feed: ``(feed, guid)`` is
    found by the key and the guid compared, so the index holds 8 bytes per
    sighting instead of the guid (55 on average on the benchmark corpus).
    It is the first 8 bytes of SHA-256 as a signed big-endian integer,
    which PostgreSQL computes the same way (``schema.pg`` fills existing
    rows with it); two guids of one feed with the same key (a chance of
    about 1 in 10^9 for a feed of 100,000 entries) would keep only the
    first one's sighting.

    Args:
        guid: the entry's guid (its link when the feed gives none).

    Returns:
        The key, or ``0`` for an empty guid.
    """
    if not guid:
        return 0
    digest = hashlib.sha256(guid.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _digest(title: str, body: str) -> bytes:
    """SHA-256 of the canonical serialization, or ``b""`` when there is nothing to hash."""
    # "or": a None that slipped past the types hashes as empty; the archive's
    # NOT NULL constraint is what reports it (tests/store/test_archive.py relies on that).
    fields = {"body": _fold(body or ""), "title": _fold(title or "")}
    payload = {key: value for key, value in fields.items() if value}
    if not payload:
        return b""
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).digest()


#: The last text :func:`_fold` folded and its result: a parser process folds each
#: body twice in a row, for its near-duplicate signature and for its fingerprint.
#: One tuple, read and replaced whole, so that threads never see a mixed pair.
_last_fold = ("", "")


def _fold(text: str) -> str:
    global _last_fold
    last = _last_fold
    if text is last[0]:  # the same object: strings do not change
        return last[1]
    folded = unicodedata.normalize("NFKC", text).casefold()
    if folded.isascii():  # the common case, ten times faster than the regex, same result
        folded = " ".join(folded.translate(_ASCII_PUNCT).split())
    else:
        folded = " ".join(_PUNCT_RE.sub(" ", folded).split())
    _last_fold = (text, folded)
    return folded


def _is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://")) and len(url) > 8


def _is_proxy(url: str) -> bool:
    try:
        host = urlsplit(url).netloc.lower() if "://" in url else ""
    except ValueError:  # bad IPv6 brackets
        host = ""
    return bool(_PROXY_PATH_RE.search(url)) or host.endswith(_PROXY_HOSTS)


@functools.lru_cache(maxsize=32)
def _tracking_set(extra: frozenset[str] | None) -> frozenset[str]:
    if not extra:
        return DEFAULT_TRACKING_PARAMS
    return DEFAULT_TRACKING_PARAMS | {name.strip().lower() for name in extra}


def _unwrap(text: str) -> str:
    """The publisher's URL inside an AMP viewer, AMP cache or Google News redirect URL."""
    while True:
        match = _AMP_VIEWER_RE.match(text) or _AMP_CACHE_RE.match(text)
        if match:
            text = "https://" + match.group("rest")
            continue
        match = _GOOGLE_NEWS_RE.match(text)
        target = _google_news_target(match.group("token")) if match else ""
        if not target:
            return text
        text = target


def _google_news_target(token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:  # binascii.Error
        return ""
    if not raw.startswith(b"\x08\x13\x22"):
        return ""
    length, shift, pos = 0, 0, 3
    while pos < len(raw) and shift < 21:
        byte = raw[pos]
        length |= (byte & 0x7F) << shift
        pos += 1
        shift += 7
        if not byte & 0x80:
            break
    target = raw[pos : pos + length]
    if len(target) != length or not target.isascii():
        return ""
    url = target.decode("ascii")
    return url if url.lower().startswith(("http://", "https://")) else ""


def _canonical(text: str, tracking: frozenset[str]) -> str:
    text = _unwrap(text)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", ""):
        return text
    if not parts.netloc or (not scheme and not text.startswith("//")):
        return text
    netloc = _netloc(parts.netloc)
    if netloc is None:
        return text
    path = _amp_path(_percent(parts.path, _PATH_SAFE))
    query = _query(parts.query, tracking)
    return f"https://{netloc}{path}?{query}" if query else f"https://{netloc}{path}"


def _netloc(netloc: str) -> str | None:
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0:
            return None
        host, port = hostport[: close + 1], hostport[close + 1 :]
        if port and not port.startswith(":"):
            return None
        port = port[1:]
    else:
        host, _, port = hostport.partition(":")
    host = host.lower().rstrip(".")
    if port:
        if not port.isascii() or not port.isdigit():
            return None
        port = str(int(port))
        if port in _DEFAULT_PORTS:
            port = ""
    stripped = True
    while stripped:
        stripped = False
        for prefix in _HOST_PREFIXES:
            # Keep "www.com": only drop a label when a registrable name remains.
            if host.startswith(prefix) and "." in host[len(prefix) :]:
                host = host[len(prefix) :]
                stripped = True
    if not host or any(c in host for c in "/?#@ "):
        return None
    return f"{userinfo}{at}{host}:{port}" if port else f"{userinfo}{at}{host}"


def _percent(text: str, safe: str) -> str:
    """Percent-encode what must be, decode unreserved escapes, upper-case the rest."""
    quoted = quote(text, safe=safe)  # upper-case hex, never escapes unreserved characters
    return _PCT_RE.sub(_percent_repl, quoted) if "%" in text else quoted


def _percent_repl(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _amp_path(path: str) -> str:
    """Drop trailing slashes and AMP markers until nothing changes (idempotence)."""
    while True:
        before = path
        path = path.rstrip("/")
        lower = path.lower()
        if lower.endswith("/amp"):
            path = path[:-4]
        elif lower.startswith("/amp/"):
            path = path[4:]
        elif lower.endswith(".amp.html"):
            path = path[:-9] + ".html"
        elif lower.endswith(".amp"):
            path = path[:-4] + ".html"
        if path == before:
            return path


def _query(query: str, tracking: frozenset[str]) -> str:
    if not query:
        return ""
    kept: dict[str, tuple[str, str]] = {}
    for piece in query.split("&"):
        if not piece:
            continue
        raw_name, eq, raw_value = piece.partition("=")
        name = unquote_plus(raw_name).strip().lower()
        if name in tracking or name.startswith("utm_"):
            continue
        if name in _AMP_PARAMS:
            wanted = _AMP_PARAMS[name]
            if wanted is None or unquote_plus(raw_value).strip().lower() == wanted:
                continue
        normalized = _percent(piece, _QUERY_SAFE)
        kept[normalized] = (normalized.partition("=")[0], normalized)
    return "&".join(item for _, item in sorted(kept.values()))
