"""Roll-up runs: computed from the database, stored whole, never overwritten."""

import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.collector import gc_paused
from portal.copying import insert_values
from reports.calculation import METHOD_VERSION
from reports.calculation.factors import MissingFactor
from reports.calculation.fingerprint import inputs_fingerprint
from reports.calculation.result import headline_figures, rollup_result_json
from reports.calculation.rollup import rollup_compute, sensitivity_compute
from reports.calculation.values import RollupOutcome, SiteResult, SupplierResult
from reports.models import (
    RollupFlag,
    RollupRequest,
    RollupRun,
    RollupSensitivity,
    RollupSiteResult,
    RollupSupplierResult,
)
from reports.selectors.inputs import rollup_inputs_get
from reports.selectors.runs import rollup_run_latest
from suppliers.models import Site, Supplier

logger = logging.getLogger(__name__)
# A request marked pending for longer than this lost its message (a broker restart): send anew.


def rollup_run_create(
    *, year: int, baseline_year: int | None = None, trigger: str = "", task_id: str = ""
) -> RollupRun:
    """Computes the roll-up of `year` and stores it, unless the newest stored run of that year
    was computed from the same inputs: then that run is returned and nothing is written.

    The run, its supplier rows and its flags are written in one transaction, so a run is either
    complete or absent.
    """
    baseline_year = settings.BASELINE_YEAR if baseline_year is None else baseline_year
    with gc_paused():
        return _rollup_run_create(year=year, baseline_year=baseline_year, trigger=trigger, task_id=task_id)


def _rollup_run_create(*, year: int, baseline_year: int, trigger: str, task_id: str) -> RollupRun:
    started = timezone.now()
    inputs = rollup_inputs_get(year=year, baseline_year=baseline_year)
    fingerprint = inputs_fingerprint(inputs)
    latest = rollup_run_latest(year=year, baseline_year=baseline_year, method_version=METHOD_VERSION)
    if latest is not None and latest.input_fingerprint == fingerprint:
        return latest
    try:
        outcome = rollup_compute(inputs)
        # The same engine on the altered inputs: how far the headline moves with other choices.
        sensitivity = sensitivity_compute(inputs, outcome)
    except MissingFactor as error:
        _record_failure(year, baseline_year, fingerprint, started, trigger, task_id, str(error))
        raise
    result = rollup_result_json(outcome, sensitivity)
    with transaction.atomic():
        # Serialise writers of the same year, then look again: a concurrent run may have won.
        request, _created = RollupRequest.objects.get_or_create(year=year)
        RollupRequest.objects.select_for_update().get(pk=request.pk)
        latest = rollup_run_latest(year=year, baseline_year=baseline_year, method_version=METHOD_VERSION)
        if latest is not None and latest.input_fingerprint == fingerprint:
            return latest
        run = RollupRun(
            year=year,
            baseline_year=baseline_year,
            method_version=METHOD_VERSION,
            irec_last_year=inputs.irec_last_year,
            input_fingerprint=fingerprint,
            line_count=sum(sy.line_count for sy in inputs.site_years),
            factors_used=result["factors_used"],
            result=result,
            started_at=started,
            finished_at=timezone.now(),
            trigger=trigger[:100],
            task_id=task_id,
            **run_figures(outcome, sensitivity),
        )
        run.full_clean()
        run.save()
        RollupSensitivity.objects.bulk_create(
            [
                RollupSensitivity(
                    run=run,
                    variant=variant,
                    green_reduction_tco2e=_stored(variant_outcome.total("green_reduction")),
                    absolute_reduction_tco2e=_stored(variant_outcome.total("absolute_reduction", baseline_only=True)),
                )
                for variant, variant_outcome in sensitivity.items()
            ]
        )
        supplier_ids = dict(
            Supplier.objects.filter(code__in=[s.supplier_code for s in outcome.suppliers]).values_list("code", "pk")
        )
        insert_values(
            RollupSupplierResult, [_supplier_row(run, supplier_ids[s.supplier_code], s) for s in outcome.suppliers]
        )
        site_ids = {
            (code, site): pk
            for code, site, pk in Site.objects.filter(supplier__code__in=supplier_ids).values_list(
                "supplier__code", "code", "pk"
            )
        }
        insert_values(
            RollupSiteResult, [_site_row(run, site_ids[(s.supplier_code, s.site_code)], s) for s in outcome.sites]
        )
        insert_values(
            RollupFlag,
            [
                {
                    "run_id": run.pk,
                    "code": f.code,
                    "supplier_id": supplier_ids.get(f.supplier_code),
                    "site_id": site_ids.get((f.supplier_code, f.site_code)),
                    "year": f.year,
                    "detail": f.detail,
                }
                for f in outcome.flags
            ],
        )
    logger.info("roll-up %s stored as run %s (%s)", year, run.pk, trigger or "manual")
    return run


def run_figures(outcome: RollupOutcome, sensitivity: dict[str, RollupOutcome]) -> dict[str, object]:
    """The run's columns: the same figures as its JSON (headline_figures), exact, to 6 decimals."""
    figures = {k: v if isinstance(v, int) else _stored(v) for k, v in headline_figures(outcome).items()}
    decomposition = outcome.decomposition
    reported = outcome.inputs.reported
    headlines = [outcome.total("green_reduction")] + [o.total("green_reduction") for o in sensitivity.values()]
    return {
        **figures,
        "activity_tco2e": _stored(decomposition.activity),
        "green_share_tco2e": _stored(decomposition.green_share),
        "grid_factor_tco2e": _stored(decomposition.grid_factor),
        "reported_tco2e": None if reported is None else _stored(reported.tco2e),
        "variance_pct": _stored(outcome.variance_pct),
        "range_low_tco2e": _stored(min(headlines)),
        "range_high_tco2e": _stored(max(headlines)),
    }


def _record_failure(
    year: int, baseline_year: int, fingerprint: str, started: datetime, trigger: str, task_id: str, error: str
) -> None:
    """A roll-up that cannot be computed from its data is recorded, so staff see why."""
    RollupRun.objects.create(
        year=year,
        baseline_year=baseline_year,
        status=RollupRun.Status.FAILED,
        error=error,
        method_version=METHOD_VERSION,
        input_fingerprint=fingerprint,
        started_at=started,
        finished_at=timezone.now(),
        trigger=trigger[:100],
        task_id=task_id,
    )
    logger.error("roll-up %s failed: %s", year, error)


def _supplier_row(run: RollupRun, supplier_id: int, s: SupplierResult) -> dict[str, object]:
    """A RollupSupplierResult's values (insert_values)."""
    decomposition = s.decomposition
    return {
        "run_id": run.pk,
        "supplier_id": supplier_id,
        "has_baseline": s.baseline is not None,
        "attributable_electricity_mwh": _stored(s.current.attributable_electricity_mwh),
        "attributable_green_mwh": _stored(s.current.attributable_green_mwh),
        "location_based_tco2e": _stored(s.current.location_based),
        "market_based_tco2e": _stored(s.current.market_based),
        "avoided_tco2e": _stored(s.current.avoided),
        "baseline_avoided_tco2e": _stored(s.baseline_avoided),
        "green_reduction_tco2e": _stored(s.green_reduction),
        "absolute_reduction_tco2e": _stored(s.absolute_reduction),
        "like_for_like_green_tco2e": _stored(s.like_for_like_green),
        "activity_tco2e": _stored(decomposition and decomposition.activity),
        "green_share_tco2e": _stored(decomposition and decomposition.green_share),
        "grid_factor_tco2e": _stored(decomposition and decomposition.grid_factor),
    }


def _site_row(run: RollupRun, site_id: int, s: SiteResult) -> dict[str, object]:
    """A RollupSiteResult's values (insert_values)."""
    current = s.current
    return {
        "run_id": run.pk,
        "site_id": site_id,
        "region": s.region,
        "electricity_mwh": _stored(current.electricity_mwh),
        "green_mwh": _stored(current.green_mwh),
        "attributable_electricity_mwh": _stored(current.attributable_electricity_mwh),
        "attributable_green_mwh": _stored(current.attributable_green_mwh),
        "location_based_tco2e": _stored(current.location_based),
        "market_based_tco2e": _stored(current.market_based),
        "avoided_tco2e": _stored(current.avoided),
        "baseline_avoided_tco2e": _stored(s.baseline.avoided if s.baseline else Decimal(0)),
        "green_reduction_tco2e": _stored(s.green_reduction),
    }


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.000001"))


def rollup_request_started(*, year: int) -> None:
    """Called as a queued roll-up starts: triggers from now on need a run of their own."""
    RollupRequest.objects.filter(year=year).update(pending_since=None, started_at=timezone.now())


def rollup_request_finished(*, year: int, run: RollupRun | None) -> None:
    """Called as a roll-up ends, with the run it stored or returned (None when it raised)."""
    RollupRequest.objects.filter(year=year).update(finished_at=timezone.now(), run=run)
