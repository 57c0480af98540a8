"""What the suppliers app tells the rest of the portal, without importing it.

The reports app listens (reports.apps): a change to the approved lines of a year asks for a roll-up
of that year, and a change to the claimed certificates draws its double-claims page anew. So
suppliers imports nothing of reports, and reports depends on suppliers, one way.
"""

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# Sent once the change is committed, with `years` (the years whose approved lines changed) and
# `trigger` (what changed them, as the run records it: "approved CN-0001 2024", "import").
approved_lines_changed = Signal()


def approved_lines_changed_after_commit(*, years: Iterable[int], trigger: str) -> None:
    """Sends approved_lines_changed after the current transaction commits (at once outside one)."""
    changed = frozenset(years)
    transaction.on_commit(lambda: approved_lines_changed.send(sender=None, years=changed, trigger=trigger))


# Sent once the change is committed: the certificates that submitted or approved lines claim, or
# those lines' submissions, may have changed (a submission submitted, approved or returned; a file
# imported).
claims_changed = Signal()


def claims_changed_after_commit() -> None:
    """Sends claims_changed after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: claims_changed.send(sender=None))
