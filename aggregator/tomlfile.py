"""Read a TOML file, with the config's one-line errors (light: the search fast path uses it).

Imports only the stdlib and :mod:`aggregator.errors`, so ``aggregator search``
can read ``[archive] path`` without importing :mod:`aggregator.app.config`.
"""

from __future__ import annotations

from aggregator.errors import ConfigError

__all__ = ["read_toml"]


def read_toml(name: str) -> dict[str, object]:
    """Read and parse a TOML file.

    Args:
        name: the file's path.

    Returns:
        The document.

    Raises:
        ConfigError: the file is missing, unreadable or not TOML; the message names it.
    """
    import tomllib

    try:
        with open(name, encoding="utf-8") as file:
            return tomllib.loads(file.read())
    except FileNotFoundError as exc:
        raise ConfigError("no such file", path=name) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=name) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=name) from exc
