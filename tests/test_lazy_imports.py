"""Importing the library stays cheap: no click or rich; search needs no HTTP or feed stack."""

from __future__ import annotations

import subprocess
import sys


def imported_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_import_aggregator_imports_no_cli_libraries() -> None:
    mods = imported_after("import aggregator")
    assert not {"click", "rich"} & mods


def test_search_path_imports_no_http_or_feed_stack() -> None:
    mods = imported_after("import aggregator.cli, aggregator.search")
    assert not {"httpx", "feedparser", "apscheduler", "sqlite_utils", "rich"} & mods
