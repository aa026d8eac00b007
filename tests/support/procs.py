"""A process's family read from Linux's ``/proc``: the daemon, its forkserver and
the parser processes the forkserver forks (grandchildren of the daemon)."""

from __future__ import annotations

from pathlib import Path


def family(pid: int) -> list[int]:
    """The process and all its descendants, the process first.

    Children alone would miss the parser processes, which are children of the
    forkserver, itself a child of the daemon. A process that ends during the walk
    is skipped.
    """
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def parent(pid: int) -> int:
    """The parent's pid, or 0 when the process is gone."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0
