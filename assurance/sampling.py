"""Monetary-unit sampling of a run's lines: plain functions on Decimal values, no ORM.

Each line's chance is proportional to its attributable avoided emissions (a·G·EF): a line that
avoids nothing is never drawn, and the tonnes that make the figure are what the sample covers.
Lines are drawn one at a time without replacement (probability proportional to size), from a
random.Random seeded with the seed, so the same lines, in the same order and with the same seed,
always give the same sample, at any size up to the number of lines with avoided emissions.
"""

import random
from collections.abc import Sequence
from decimal import Decimal

_RESOLUTION = 2**64  # a draw is a whole number below this, scaled to the remaining tonnes


def mus_draw(values: Sequence[Decimal], *, size: int, seed: int) -> list[int]:
    """The indices of the lines drawn, in the order drawn: `size` of them, or every line with a
    positive value when there are fewer. Values must be non-negative."""
    if any(value < 0 for value in values):
        raise ValueError("a line's avoided emissions are never negative")
    rng = random.Random(seed)  # noqa: S311 - reproducible by design: the seed is published with the sample
    remaining = {index: value for index, value in enumerate(values) if value > 0}
    total = sum(remaining.values(), Decimal(0))
    drawn: list[int] = []
    while remaining and len(drawn) < size:
        target = total * rng.getrandbits(64) / _RESOLUTION
        running = Decimal(0)
        chosen = None
        for index, value in remaining.items():  # dicts keep the lines' order
            running += value
            if target < running:
                chosen = index
                break
        if chosen is None:  # target within rounding of the total: the last line
            chosen = next(reversed(remaining))
        drawn.append(chosen)
        total -= remaining.pop(chosen)
    return drawn
