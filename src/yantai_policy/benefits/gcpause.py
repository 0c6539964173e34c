"""A pause of the cyclic garbage collector while a chunk of records is read or written.

A chunk makes tens of thousands of small objects that hold no cycles; the collector
would otherwise scan the whole heap again and again while they are made.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["gc_paused"]

_GC_LOCK = threading.Lock()
_GC_STATE = {"depth": 0, "was_enabled": False}


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a chunk is read or its rows are built.

    A chunk makes tens of thousands of small objects that hold no cycles; the collector
    would otherwise scan the whole heap again and again. Nested and concurrent pauses
    share one count, so the collector is switched back on only by the last to leave, and
    only if it was on when the first came in.
    """
    with _GC_LOCK:
        if _GC_STATE["depth"] == 0:
            _GC_STATE["was_enabled"] = gc.isenabled()
            gc.disable()
        _GC_STATE["depth"] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_STATE["depth"] -= 1
            if _GC_STATE["depth"] == 0 and _GC_STATE["was_enabled"]:
                gc.enable()
