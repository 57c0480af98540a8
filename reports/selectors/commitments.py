"""Where committed suppliers stand in a year: one read of the commitments and of two runs' supplier
rows (the year's and the baseline year's), handed to the pure progress function."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from reports.calculation import METHOD_VERSION
from reports.calculation.commitments import (
    CommitmentTerms,
    Progress,
    ProgressStatus,
    commitment_progress_compute,
    green_share_percent,
)
from reports.models import RollupRun, RollupSupplierResult
from suppliers.models import Commitment


@dataclass(frozen=True)
class CommitmentStanding:
    commitment: Commitment
    progress: Progress


@dataclass(frozen=True)
class CommitmentsSummary:
    year: int
    standings: list[CommitmentStanding]

    @property
    def counts(self) -> Counter:
        return Counter(standing.progress.status for standing in self.standings)

    @property
    def committed(self) -> int:
        return len(self.standings)

    @property
    def reporting(self) -> int:
        return sum(1 for s in self.standings if s.progress.status != ProgressStatus.NO_DATA)

    @property
    def behind(self) -> list[CommitmentStanding]:
        return [s for s in self.standings if s.progress.status == ProgressStatus.BEHIND]


def _shares(run_id: int | None, supplier_ids: list[int]) -> dict[int, object]:
    if run_id is None:
        return {}
    rows = RollupSupplierResult.objects.filter(run_id=run_id, supplier_id__in=supplier_ids).values_list(
        "supplier_id", "attributable_green_mwh", "attributable_electricity_mwh"
    )
    return {supplier_id: green_share_percent(green, electricity) for supplier_id, green, electricity in rows}


def commitments_summary_get(*, run: RollupRun, supplier_id: int | None = None) -> CommitmentsSummary:
    """Every commitment (or one supplier's) with its progress in the run's year: three queries."""
    commitments = Commitment.objects.select_related("supplier").order_by("supplier__code")
    if supplier_id is not None:
        commitments = commitments.filter(supplier_id=supplier_id)
    commitments = list(commitments)
    ids = [c.supplier_id for c in commitments]
    baseline_year = settings.BASELINE_YEAR
    baseline_run_id = (
        run.pk
        if run.year == baseline_year
        else RollupRun.objects.filter(
            year=baseline_year,
            baseline_year=baseline_year,
            method_version=METHOD_VERSION,
            status=RollupRun.Status.SUCCEEDED,
        )
        .order_by("-finished_at", "-id")  # as rollup_run_latest, without the run's whole result
        .values_list("pk", flat=True)
        .first()
    )
    current, baseline = _shares(run.pk, ids), _shares(baseline_run_id, ids)
    standings = [
        CommitmentStanding(
            commitment,
            commitment_progress_compute(
                baseline_share_percent=baseline.get(commitment.supplier_id),
                share_percent=current.get(commitment.supplier_id),
                commitment=CommitmentTerms(
                    commitment.committed_on, commitment.target_year, commitment.target_green_share_percent
                ),
                baseline_year=baseline_year,
                year=run.year,
            ),
        )
        for commitment in commitments
    ]
    return CommitmentsSummary(year=run.year, standings=standings)
