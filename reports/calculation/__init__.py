"""The calculation engine of docs/method.md: plain functions on Decimal values.

Nothing here touches the database: selectors fetch aggregated inputs, these functions turn them
into figures, and the unit tests call them directly with hand-computed numbers.
"""

import decimal

METHOD_VERSION = "2"
# Enough digits that the divisions of the decomposition leave no trace at 3 decimals.
PRECISION = 60


def context() -> decimal.Context:
    return decimal.Context(prec=PRECISION, rounding=decimal.ROUND_HALF_EVEN)
