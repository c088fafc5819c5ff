"""The time a piece of code costs, as distinct from the time it happened to wait.

A limit such as "imported in under five seconds" is about the code. On the shared CI machine a
wall-clock run can take six times as long as alone (5.98 s against 0.9 s once, three runs in a
row), because other work holds the CPU. What the code costs is the CPU time it used: this
process's, plus that of the database backend that ran its queries, read from /proc when the
server runs on this machine (as in CI and `make test`). Where the backend's process cannot be
read (a server elsewhere), the measure falls back to the wall clock, which can only be longer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

TICKS = os.sysconf("SC_CLK_TCK")


def _backend_cpu(pid: int) -> float | None:
    """The CPU seconds (user + system) the database backend `pid` has used, or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # Fields after the command name, which is in parentheses and may hold spaces.
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


def _backend_pid() -> int | None:
    """The PostgreSQL backend serving this connection, if its /proc entry can be read here."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if _backend_cpu(pid) is not None else None


@dataclass
class Work:
    wall: float = 0.0  # seconds on the wall clock
    cpu: float | None = None  # seconds of CPU, this process and its database backend

    @property
    def cost(self) -> float:
        """The CPU time where it could be measured, else the wall-clock time."""
        return self.wall if self.cpu is None else self.cpu

    def __str__(self) -> str:
        cpu = "" if self.cpu is None else f" ({self.cpu:.2f} s CPU)"
        return f"{self.wall:.2f} s{cpu}"


@contextmanager
def measured() -> Iterator[Work]:
    """Measure the block: `with measured() as work: ...`, then `work.cost`, `work.wall`."""
    work = Work()
    # SQLite runs in this process, so its time is the process's; PostgreSQL elsewhere cannot
    # be read, and then only the wall clock is had.
    pid = _backend_pid()
    counted = pid is not None or connection.vendor != "postgresql"
    backend_before = _backend_cpu(pid) if pid is not None else 0.0
    process_before = time.process_time()
    started = time.perf_counter()
    yield work
    work.wall = time.perf_counter() - started
    process = time.process_time() - process_before
    backend_after = _backend_cpu(pid) if pid is not None else 0.0
    if counted and backend_before is not None and backend_after is not None:
        work.cpu = process + backend_after - backend_before
