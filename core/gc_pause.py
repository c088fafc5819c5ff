"""Cyclic garbage collection paused while an output is built or written.

A report is tens of thousands of small objects made at once (model rows, cells, openpyxl's
cells and styles). Each allocation burst sets off the cyclic collector, whose full passes
walk every live object of the process: at size L they were 70 % of the CPU time of building
every board's report. Those objects are freed by reference counting whatever the collector
does; the few cycles among them are collected by the next pass after the build. Every cold build
behind reports.freshness.cached runs paused (a report page's HTML cells took three times as long
with the collector on), and so do the report builder and the xlsx writers when called alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block (nested blocks and a collector already off are
    left as they are)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
