"""Certificate serials of a line (method version 2): single serials and ranges FIRST~LAST.

A line names the certificates behind its GEC and I-REC quantities as a list of items separated by ";"
(or the full-width "；", or newlines). An item is one serial or a range FIRST~LAST whose two ends share
everything but their final run of digits, of the same length in both: the text before that run is the
stem, the run's length the width. One certificate is 1 MWh, so a range holds LAST − FIRST + 1 MWh.

Serials are compared as written (after NFKC, which reads what a Chinese IME types as meant): the width
is part of a serial's identity, so GEC-1-0100 and GEC-1-100 are two certificates. Arithmetic is exact
(Python int) at any length, and nothing here ever expands a range into its certificates: duplicates
and overlaps are found by sorting ranges by (stem, width, first).

Pure: no ORM. Every message is translated, quotes the offending item and stays short enough for a table
cell (long items and long numbers are abbreviated).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_SERIAL_LENGTH = 100
MAX_ITEMS = 10_000

# A serial's final run is of ASCII digits (after NFKC, full-width digits are ASCII ones).
_DIGITS = frozenset("0123456789")
# Longest text quoted whole in a message; longer text keeps its start and end around "…".
_SHOWN_LENGTH = 60
# Counts below this are written out with thousands separators; larger ones in scientific notation.
_NUMBER_WHOLE_BELOW = 10**24


@dataclass(frozen=True, order=True)
class SerialRange:
    """Certificates STEM + first … STEM + last, each final run zero-padded to `width` digits.

    A single serial is a range with first == last. Ordered by (stem, width, first, last).
    """

    stem: str
    width: int
    first: int
    last: int

    def __post_init__(self) -> None:
        if self.width < 1:
            raise ValueError("a serial's final run of digits has at least one digit")
        if not 0 <= self.first <= self.last:
            raise ValueError("a range runs from first to last, both at least 0")
        # 10**width > 2**width > last whenever width >= last.bit_length(): no need to compute a huge power.
        if self.width < self.last.bit_length() and self.last >= 10**self.width:
            raise ValueError("last does not fit in width digits")
        if self.stem[-1:] in _DIGITS:
            raise ValueError("a stem does not end in a digit")
        if (
            self.stem != self.stem.strip()
            or any(c in ";~" or c.isspace() for c in self.stem)
            or not unicodedata.is_normalized("NFKC", self.stem)
        ):
            raise ValueError("a stem is NFKC text without spaces, ';' or '~'")

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def first_text(self) -> str:
        return str(self.first).zfill(self.width)

    @property
    def last_text(self) -> str:
        return str(self.last).zfill(self.width)

    @property
    def key(self) -> tuple[str, int]:
        """Two ranges can share certificates only when they have the same key."""
        return (self.stem, self.width)

    def text(self) -> str:
        """The canonical form: "STEMfirst" for a single serial, "STEMfirst~STEMlast" for a range."""
        if self.first == self.last:
            return self.stem + self.first_text
        return f"{self.stem}{self.first_text}~{self.stem}{self.last_text}"


class SerialsInvalid(ValueError):
    """Raised with every problem found, each a translated message naming the offending item."""

    problems: list[str]

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


# --- formatting for messages -------------------------------------------------------------------------


def _shown(text: str, length: int = _SHOWN_LENGTH) -> str:
    """`text` as quoted in a message: whole if short, else its start and end around "…"."""
    if len(text) <= length:
        return text
    half = (length - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


def _shown_range(serial_range: SerialRange) -> str:
    """A range's canonical text for a message, each end abbreviated on its own when long."""
    first = serial_range.stem + serial_range.first_text
    if serial_range.count == 1:
        return _shown(first)
    return (
        f"{_shown(first, _SHOWN_LENGTH // 2)}~{_shown(serial_range.stem + serial_range.last_text, _SHOWN_LENGTH // 2)}"
    )


def _number(n: int) -> str:
    """A count for a message: 12,345 — or 1.234568E+99 when it is too long to read whole."""
    if abs(n) < _NUMBER_WHOLE_BELOW:
        return f"{n:,}"
    return format(Decimal(n), ".6E")


def _quantity(quantity: Decimal) -> str:
    """A quantity in MWh for a message, with thousands separators; scientific notation when huge or tiny."""
    if quantity.is_finite():
        exponent = quantity.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -12 and quantity.adjusted() < 24:
            return format(quantity, ",f")
        return format(quantity, ".6E")
    return str(quantity)


# --- parsing -----------------------------------------------------------------------------------------


def _items(text: str) -> list[str]:
    """The non-empty items of `text`, normalised and stripped, in the order written."""
    normal = unicodedata.normalize("NFKC", text)
    items = (item.strip() for line in normal.splitlines() for item in line.split(";"))
    return [item for item in items if item]


_SPACE = re.compile(r"\s")


def _serial(serial: str, problems: list[str]) -> tuple[str, int, int] | None:
    """(stem, width, number) of one serial, or None after adding its problem to `problems`."""
    if len(serial) > MAX_SERIAL_LENGTH:
        problems.append(
            _("“%(value)s” is longer than %(limit)s characters") % {"value": _shown(serial), "limit": MAX_SERIAL_LENGTH}
        )
        return None
    if _SPACE.search(serial):
        problems.append(_("“%(value)s” contains a space") % {"value": _shown(serial)})
        return None
    start = len(serial)
    while start and serial[start - 1] in _DIGITS:
        start -= 1
    if start == len(serial):
        problems.append(_("“%(value)s” does not end in a number") % {"value": _shown(serial)})
        return None
    return serial[:start], len(serial) - start, int(serial[start:])


def _item(item: str, problems: list[str]) -> SerialRange | None:
    """The range an item names, or None after adding its problems to `problems`."""
    ends = item.split("~")
    if len(ends) > 2:
        problems.append(_("“%(value)s” has more than one “~”") % {"value": _shown(item)})
        return None
    ends = [end.strip() for end in ends]
    if not all(ends):
        problems.append(_("“%(value)s”: a range needs a serial on both sides of “~”") % {"value": _shown(item)})
        return None
    first_end = _serial(ends[0], problems)
    last_end = _serial(ends[1], problems) if len(ends) == 2 else first_end
    if first_end is None or last_end is None:
        return None
    (stem, width, first), (last_stem, last_width, last) = first_end, last_end
    if (stem, width) != (last_stem, last_width):
        problems.append(_("“%(value)s”: the two ends differ in more than their final digits") % {"value": _shown(item)})
        return None
    if last < first:
        problems.append(_("“%(value)s” runs backwards") % {"value": _shown(item)})
        return None
    return SerialRange(stem=stem, width=width, first=first, last=last)


def _listed_twice(ranges: list[SerialRange]) -> list[str]:
    """A problem for each certificate, or run of certificates, that `ranges` list more than once.

    Sorted by (stem, width, first), a range overlaps an earlier one exactly when it starts at or
    before the furthest end reached so far within its key: O(n log n), never expanding a range.
    """
    problems: list[str] = []
    reach: SerialRange | None = None  # the range reaching furthest so far within the current key
    for current in sorted(ranges):
        if reach is None or reach.key != current.key:
            reach = current
            continue
        if current.first <= reach.last:
            shared = SerialRange(current.stem, current.width, current.first, min(current.last, reach.last))
            if shared.count == 1:
                problems.append(_("certificate %(serial)s is listed twice") % {"serial": _shown_range(shared)})
            else:
                problems.append(
                    _("certificates %(serials)s (%(count)s) are listed twice")
                    % {"serials": _shown_range(shared), "count": _number(shared.count)}
                )
        if current.last > reach.last:
            reach = current
    # A certificate listed three times would otherwise be reported once for each later listing.
    return list(dict.fromkeys(problems))


def serials_parse(text: str) -> list[SerialRange]:
    """Every item of `text`, in the order written; raises SerialsInvalid listing every bad item
    (malformed, backwards, ends that differ in more than their final digits) and every certificate
    listed twice. An empty or blank text gives []."""
    items = _items(text)
    if len(items) > MAX_ITEMS:
        raise SerialsInvalid(
            [
                _("%(count)s items on one line: at most %(limit)s are allowed")
                % {"count": _number(len(items)), "limit": _number(MAX_ITEMS)}
            ]
        )
    problems: list[str] = []
    ranges = [serial_range for item in items if (serial_range := _item(item, problems)) is not None]
    problems += _listed_twice(ranges)
    if problems:
        raise SerialsInvalid(problems)
    return ranges


# --- checks and counts -------------------------------------------------------------------------------


def serials_check(ranges: list[SerialRange], quantity_mwh: Decimal) -> list[str]:
    """The problems of `ranges` against the line's quantity of that instrument: serials for a
    quantity of 0, a quantity that is not a whole number of MWh, a count that differs from it.
    [] when they agree (also for no ranges at all)."""
    if not ranges:
        return []
    if quantity_mwh.is_finite() and quantity_mwh == 0:
        return [_("serials are given for a quantity of 0")]
    if not quantity_mwh.is_finite() or quantity_mwh != quantity_mwh.to_integral_value():
        return [_("%(quantity)s MWh is not a whole number of certificates") % {"quantity": _quantity(quantity_mwh)}]
    count = sum(serial_range.count for serial_range in ranges)
    if count != quantity_mwh:
        return [
            _("the serials count %(count)s certificates, the quantity is %(quantity)s MWh")
            % {"count": _number(count), "quantity": _quantity(quantity_mwh)}
        ]
    return []


def serials_text(ranges: list[SerialRange]) -> str:
    """The canonical text, items joined by ";" — serials_parse(serials_text(r)) == r."""
    return ";".join(serial_range.text() for serial_range in ranges)


def overlap_count(a: SerialRange, b: SerialRange) -> int:
    """How many certificates a and b share (0 for different keys)."""
    if a.key != b.key:
        return 0
    return max(0, min(a.last, b.last) - max(a.first, b.first) + 1)


def _merged(ranges: Iterable[SerialRange]) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """The certificates of `ranges` as disjoint, sorted (first, last) runs for each key."""
    runs: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for serial_range in sorted(ranges):
        key_runs = runs[serial_range.key]
        if key_runs and serial_range.first <= key_runs[-1][1] + 1:
            key_runs[-1] = (key_runs[-1][0], max(key_runs[-1][1], serial_range.last))
        else:
            key_runs.append((serial_range.first, serial_range.last))
    return runs


def excluded_count(own: list[SerialRange], others: list[SerialRange]) -> int:
    """How many of the certificates of `own` (a line's ranges, which do not overlap each other)
    are also in any of `others` (other lines' ranges, which may overlap each other): each such
    certificate counted once."""
    theirs = _merged(others)
    total = 0
    for key, own_runs in _merged(own).items():
        other_runs = theirs.get(key, [])
        # Both lists are sorted and disjoint: one sweep, O(len(own_runs) + len(other_runs)).
        i = j = 0
        while i < len(own_runs) and j < len(other_runs):
            (own_first, own_last), (other_first, other_last) = own_runs[i], other_runs[j]
            total += max(0, min(own_last, other_last) - max(own_first, other_first) + 1)
            if own_last < other_last:
                i += 1
            else:
                j += 1
    return total
