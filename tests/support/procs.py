"""A process's family read from Linux's ``/proc``: the daemon, the parser processes
it spawns and multiprocessing's resource tracker."""

from __future__ import annotations

from pathlib import Path


def family(pid: int) -> list[int]:
    """The process and all its descendants, the process first.

    Grandchildren are included too (a process the parsers start, were any).
    A process that ends during the walk is skipped.
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


#: glibc reserves each malloc arena but the main one as a heap of this size, aligned to it.
ARENA_HEAP = 64 << 20


def malloc_arenas(pid: int) -> int:
    """The malloc arenas of a process besides glibc's main one (read from ``/proc/PID/maps``).

    glibc maps each such arena as a heap of :data:`ARENA_HEAP` bytes aligned to its
    size, its used part readable and writable: an anonymous mapping starting on
    that alignment. ``-1`` when the process is gone.
    """
    try:
        lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    except OSError:
        return -1
    count = 0
    for line in lines:
        fields = line.split()
        if len(fields) == 5 and fields[1].startswith("rw"):  # anonymous: no path
            if int(fields[0].split("-")[0], 16) % ARENA_HEAP == 0:
                count += 1
    return count
