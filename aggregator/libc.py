"""Functions of the C library the interpreter links that Python does not expose.

The daemon limits glibc's malloc arenas (``mallopt``) and both the daemon and
the parser processes give the C heap's free pages back (``malloc_trim``).
Those are glibc's; elsewhere :func:`libc_function` finds nothing and the
callers leave memory as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

__all__ = ["libc_function"]


def libc_function(name: str) -> Callable[..., int] | None:
    """The C library's function ``name``, or ``None`` where it has none (not glibc)."""
    import ctypes

    try:
        return cast("Callable[..., int]", getattr(ctypes.CDLL(None), name))
    except (OSError, AttributeError):
        return None
