"""Exact sums and comparisons of MWh quantities on SQLite as on PostgreSQL.

PostgreSQL holds a DecimalField as `numeric` and adds and compares it exactly. SQLite stores it
as a binary float (exact for the 15 significant digits a line's quantity has at most: 10^8 MWh
to the Wh), but adds in floating point: 0.1 + 0.2 > 0.3, so a 100 %-green line broke the
`green <= total` check and sums drifted in their last digits. Here every quantity is read in SQL
as a whole number of micro-units (Wh for MWh), which SQLite adds and compares as 64-bit
integers; PostgreSQL keeps its numeric arithmetic. Both give the same Decimal.
"""

from decimal import Decimal

from django.db.models import Aggregate, BigIntegerField, Expression, F, Func, Value
from django.db.models.expressions import Combinable

QUANTITY_PLACES = 6  # a quantity in MWh to the Wh: Line's fields hold 6 decimals


class Micro(Func):
    """A quantity with QUANTITY_PLACES decimals as the whole number of its smallest unit.

    On SQLite CAST(ROUND(x * 10^6) AS INTEGER) is exact: x holds at most 15 significant digits, so
    x * 10^6 is within half a unit of the integer it stands for. On PostgreSQL x * 10^6 is numeric.
    """

    output_field = BigIntegerField()

    def __init__(self, expression: Expression | Combinable | str, **extra: object) -> None:
        source = F(expression) if isinstance(expression, str) else expression
        super().__init__(source, Value(10**QUANTITY_PLACES), **extra)

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" * ", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(
            compiler, connection, template="CAST(ROUND(%(expressions)s) AS INTEGER)", arg_joiner=" * ", **extra_context
        )


def micro_sum(*fields: str) -> Expression:
    """Micro(a) + Micro(b) + … : a sum of quantities in micro-units, exact on both databases."""
    parts = [Micro(name) for name in fields]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


class ExactSum(Aggregate):
    """SUM of quantities (or of micro_sum), returned as an exact Decimal in MWh (0 when no row).

    The sum runs over integers on SQLite (64 bits: 9.2 × 10^12 MWh, an error past that, never a
    rounded figure) and over numeric on PostgreSQL.
    """

    function = "SUM"
    output_field = BigIntegerField()
    empty_result_set_value = 0

    def __init__(self, expression: Expression | Combinable | str, **extra: object) -> None:
        source = Micro(expression) if isinstance(expression, str) else expression
        super().__init__(source, **extra)

    def convert_value(self, value: object, expression: object, connection: object) -> Decimal:  # type: ignore[override]
        return Decimal(0) if value is None else Decimal(value).scaleb(-QUANTITY_PLACES)
