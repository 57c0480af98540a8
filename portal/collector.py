"""Pausing Python's cyclic garbage collector around a computation that allocates millions of
objects and makes no reference cycles."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The collector off inside the block, back as it was after it (also on an exception).

    A roll-up at 2,000 suppliers makes about two million Decimals, tuples and dataclasses, and the
    collector, triggered by allocations, walks all of them again and again: 0.2 s of a 2.0 s run
    (bench/RESULTS.md). Nothing the block makes refers to itself, so reference counting frees it
    all; whatever cycles it does leave are collected at the next collection after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
