"""Python's cycle collector paused while WeasyPrint lays out and writes a document.

A leaflet's layout makes a great many objects (boxes, their styles, lines of text)
that all live until its PDF is written, and then die together when the document is
dropped, nearly all by reference counting. The cycle collector runs every 700 new
objects regardless: while a layout grows, each run walks the young boxes, finds them
alive and moves them to an older generation, and now and then a run walks the whole
heap. On an A4 leaflet that was a tenth of the render's CPU time (12 of 140 ms,
measured), spent finding no garbage. Paused for the render and run once on the
youngest objects afterwards, when the document is gone, it frees the few cycles the
render left, for a fraction of that; the peak memory of a build does not change.

The pause is counted: renders in several threads at once keep it until the last one
ends, and a collector that was already switched off stays off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pause:
    """How many renders hold the pause, and whether the collector ran before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.was_enabled = False


_PAUSE = _Pause()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle collection while the block runs; young objects collected after it.

    Let the document die inside the block (lay it out and write it in a function
    called there), so that the collection afterwards does not walk it."""
    with _PAUSE.lock:
        if _PAUSE.holders == 0:
            _PAUSE.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSE.holders += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.holders -= 1
            resume = _PAUSE.holders == 0 and _PAUSE.was_enabled
            if resume:
                gc.enable()
        if resume:
            gc.collect(0)  # the render's own cycles, while they are the youngest objects
