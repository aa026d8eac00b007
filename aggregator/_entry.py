"""The console script ``aggregator`` (and ``python -m aggregator``): a tiny dispatcher.

A plain ``aggregator search ...`` runs without click (see
:mod:`aggregator.cli.search`, which starts fast); everything else,
``aggregator search --help`` and any usage error included, goes to the click
CLI in :mod:`aggregator.cli.main`. Keep this module's imports to the standard
library and :mod:`aggregator.cli.search`.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main"]


def main() -> None:
    """Console-script entry point: dispatch, then exit with the command's code."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    from aggregator.cli.search import main as search_main
    from aggregator.cli.search import parse

    invocation = parse(sys.argv[1:])
    if invocation is not None:
        sys.exit(search_main(invocation))
    from aggregator.cli.main import main as cli_main

    cli_main()
