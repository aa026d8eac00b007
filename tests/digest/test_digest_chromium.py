"""The HTML digest in a real headless Chromium: no console errors, light and dark, screenshots.

Debian's ``chromium`` (installed by ``.ci/run``) loads the page from a file
with its console logged to stderr; any ``CONSOLE`` line (a script error, a
Content-Security-Policy violation such as a blocked script or remote image)
fails the test. Screenshots (desktop light, phone dark) go to
``test-artifacts/``. A control page with a script and a remote image proves
that such errors are seen.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from support.digestdata import WINDOW, make_archive, store, story

from aggregator.digest.select import build_digest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]
CONSOLE = re.compile(r":CONSOLE[:(].*")
LIGHT, DARK = (0xFD, 0xFD, 0xFB), (0x16, 0x17, 0x1A)


def screenshot(page: Path, png: Path, *, size: str, dark: bool, profile: Path) -> list[str]:
    """Render ``page`` to ``png``; returns the console lines Chromium logged."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does)")
    args = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}"]
    if dark:
        args.append("--blink-settings=preferredColorScheme=0")  # 0: dark, 1: light
    png.unlink(missing_ok=True)
    run = subprocess.run(
        [*args, f"--screenshot={png}", page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert png.is_file(), run.stderr[-2000:]
    return CONSOLE.findall(run.stderr)


def png_info(png: Path) -> tuple[int, int, tuple[int, int, int]]:
    """Width, height and the top-left pixel of an 8-bit RGB(A) PNG.

    The first pixel of the first row reads the same under every PNG filter
    (there is nothing to its left or above), so no unfiltering is needed.
    """
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompressobj().decompress(idat, 64)
    return width, height, (raw[1], raw[2], raw[3])


def test_the_html_digest_renders_without_console_errors_light_and_dark(tmp_path: Path) -> None:
    db = make_archive(tmp_path / "news.db")
    # Hostile text too: anything that slipped through as markup would be blocked by
    # the page's Content-Security-Policy, and the block would be logged.
    hostile = story(
        90,
        hour=12,
        title='<img src="https://example.com/x.png" onerror="alert(1)">',
        url="javascript:alert(1)",
        body="<script>alert(1)</script>\n\n<iframe src=https://example.com></iframe> " + "a" * 300,
    )
    store(db, {1: [hostile]}, seen=WINDOW.until + timedelta(hours=2))
    page = tmp_path / "digest.html"
    page.write_text(build_digest(db, WINDOW, fmt="html"), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)

    desktop = ARTIFACTS / "digest-desktop-light.png"
    console = screenshot(page, desktop, size="1280,1800", dark=False, profile=tmp_path / "p1")
    assert console == []
    assert png_info(desktop) == (1280, 1800, LIGHT)
    assert desktop.stat().st_size > 20_000  # a page of text, not a blank one

    phone = ARTIFACTS / "digest-phone-dark.png"
    console = screenshot(page, phone, size="390,1600", dark=True, profile=tmp_path / "p2")
    assert console == []
    assert png_info(phone) == (390, 1600, DARK)


def test_console_errors_are_seen(tmp_path: Path) -> None:
    """The control: a page that breaks its own policy is caught, so the test above can fail."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'\"></head><body><p>x</p>"
        '<script>console.error("boom")</script><img src="https://example.com/x.png">'
        "</body></html>",
        encoding="utf-8",
    )
    console = screenshot(
        page, tmp_path / "bad.png", size="800,600", dark=False, profile=tmp_path / "p"
    )
    assert len(console) >= 2, console
    assert any("script" in line for line in console)
    assert any("https://example.com/x.png" in line for line in console)
