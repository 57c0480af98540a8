"""Writes of assurance: drawing a sample of a run and recording what each sampled line showed."""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assurance.models import AssuranceSample, AuditAssignment, SampledLine
from assurance.sampling import mus_draw
from assurance.selectors import LineValue, run_change, run_line_values
from reports.models import RollupRun


class RunOutdated(Exception):
    """The approved data or factors changed since the run: its figure is no longer the data's."""


def run_check_current(run: RollupRun) -> None:
    """Raises RunOutdated, naming the change, when the database no longer holds what `run` read."""
    change = run_change(run)
    if change is not None:
        raise RunOutdated(
            _("The data changed since roll-up run #%(id)d: %(change)s. Run the roll-up of %(year)d again first.")
            % {"id": run.pk, "change": change, "year": run.year}
        )


def sample_lines(run: RollupRun, *, size: int, seed: int) -> tuple[list[LineValue], list[LineValue]]:
    """The run's lines (the population) and those a sample of `size` with `seed` draws, in the
    order drawn. Raises RunOutdated when the data changed since the run."""
    run_check_current(run)
    population = run_line_values(run)
    drawn = mus_draw([value.avoided_tco2e for value in population], size=size, seed=seed)
    return population, [population[index] for index in drawn]


def sample_draw(*, run: RollupRun, size: int, seed: int, user: AbstractBaseUser | None) -> AssuranceSample:
    """Draws and stores a sample of `run`, with who drew it and when."""
    with transaction.atomic():
        population, drawn = sample_lines(run, size=size, seed=seed)
        sample = AssuranceSample(
            run=run,
            size=size,
            seed=seed,
            drawn_by=user,
            population_tco2e=sum((v.avoided_tco2e for v in population), Decimal(0)).quantize(Decimal("0.000001")),
            population_lines=sum(1 for v in population if v.avoided_tco2e > 0),
        )
        sample.full_clean()
        sample.save()
        SampledLine.objects.bulk_create(
            [
                SampledLine(
                    sample=sample,
                    position=position,
                    line_id=value.line_id,
                    supplier_code=value.supplier_code,
                    site_code=value.site_code,
                    period=value.period,
                    avoided_tco2e=value.avoided_tco2e.quantize(Decimal("0.000001")),
                    tco2_per_mwh=value.tco2_per_mwh,
                )
                for position, value in enumerate(drawn, start=1)
            ]
        )
    return sample


def sampled_line_record(*, sampled: SampledLine, result: str, comment: str, user: AbstractBaseUser) -> SampledLine:
    """The verifier's finding on one sampled line: agreed, or an exception with its comment."""
    with transaction.atomic():
        sampled = SampledLine.objects.select_for_update().get(pk=sampled.pk)
        sampled.result, sampled.comment = result, comment.strip()
        sampled.checked_by, sampled.checked_at = user, timezone.now()
        sampled.full_clean()
        sampled.save()
    return sampled


def audit_assignment_save(*, assignment: AuditAssignment, assigned_by: AbstractBaseUser) -> AuditAssignment:
    """Stores a year an auditor reads, with who assigned it (the last to change it) and when."""
    with transaction.atomic():
        assignment.assigned_by = assigned_by
        assignment.full_clean()
        assignment.save()
    return assignment
