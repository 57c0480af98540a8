"""What reports' pages keep in the cache between requests though it changes without a new run, and
what starts a new generation of each (portal.generations). A stored run never changes: what is
drawn of one alone is keyed by the run's id and finish time, not by a generation.

- COVERAGE: the attributable electricity with evidence (the comparison page): approved lines
  (suppliers.signals.approved_lines_changed) and evidence files saved or deleted;
- RUNS_AND_COMMITMENTS: the commitments' standing (the comparison page) and a supplier's figures
  and commitment (its dashboard): runs and commitments saved or deleted;
- DOUBLE_CLAIMS: the certificates claimed twice (their page): suppliers.signals.claims_changed.
"""

from django.db.models.signals import post_delete, post_save

from portal.generations import generation_ended_by

COVERAGE = "coverage"
RUNS_AND_COMMITMENTS = "runs-and-commitments"
DOUBLE_CLAIMS = "double-claims"
WEEK = 7 * 24 * 3600


def generations_connect() -> None:
    """Connects each change to the generation it ends (reports.apps)."""
    from reports.models import RollupRun
    from suppliers.models import Commitment, EvidenceFile
    from suppliers.signals import approved_lines_changed, claims_changed

    bump = generation_ended_by
    bump(COVERAGE, approved_lines_changed)
    bump(DOUBLE_CLAIMS, claims_changed)
    for signal in (post_save, post_delete):
        bump(COVERAGE, signal, EvidenceFile)
        bump(RUNS_AND_COMMITMENTS, signal, Commitment)
        bump(RUNS_AND_COMMITMENTS, signal, RollupRun)
