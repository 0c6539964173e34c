"""Run a measurement on one CPU core: this process and the children it starts."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


def cores() -> set[int]:
    """The CPUs this process may run on (all of them where affinity is not supported)."""
    if hasattr(os, "sched_getaffinity"):
        return set(os.sched_getaffinity(0))
    return set(range(os.cpu_count() or 1))


@contextlib.contextmanager
def one_core() -> Iterator[int]:
    """Pin this process (and the processes it starts meanwhile) to one CPU; yield it.

    The affinity is restored on exit. Where it cannot be set (not Linux), nothing is
    pinned and the figures say "one core" only if the machine has one.
    """
    allowed = cores()
    core = min(allowed)
    if not hasattr(os, "sched_setaffinity"):
        yield core
        return
    os.sched_setaffinity(0, {core})
    try:
        yield core
    finally:
        os.sched_setaffinity(0, allowed)
