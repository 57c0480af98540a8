"""The one way a figure is written for a reader: the page, the PDF, the XLSX's widths, the email.

A figure is rounded half-even to the decimals shown, as the roll-up JSON rounds it
(reports.calculation.rollup), from its exact Decimal, then grouped in the active language's
format. Django's own number_format cuts a Decimal's extra digits instead (28,992.8775 would read
28,992.877 beside the JSON's 28,992.878), so nothing writes a figure through it directly.
"""

from decimal import ROUND_HALF_EVEN, Decimal

from django.utils.formats import number_format


def figure_rounded(value: Decimal | int | str, decimals: int = 3) -> Decimal:
    """`value` half-even to `decimals` places. A float is refused: figures are Decimal from the form
    to every output, and one that reached a page through float has lost what it was."""
    if isinstance(value, float):
        raise TypeError(f"a figure is a Decimal, not the float {value!r}")
    exact = value if isinstance(value, Decimal) else Decimal(value)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def figure_text(value: Decimal | int | str | None, decimals: int = 3, *, grouping: bool = True) -> str:
    """`value` rounded half-even to `decimals` places, in the active language's number format;
    an em dash for no value."""
    if value is None or value == "":
        return "—"
    rounded = figure_rounded(value, decimals)
    if rounded.is_zero():
        rounded = abs(rounded)  # -0.000 reads as zero
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=grouping)
