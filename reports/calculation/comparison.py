"""What the comparison page says of a run: plain functions on its stored figures (no queries)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from reports.documents.numbers import figure_text

# The run's columns compared between two runs of a year, with their labels.
HEADLINE = {
    "suppliers_reporting": _("Suppliers reporting"),
    "suppliers_with_baseline": _("Suppliers with a baseline"),
    "electricity_mwh": _("Electricity (MWh)"),
    "green_mwh": _("Green electricity (MWh)"),
    "location_based_tco2e": _("Location-based emissions (tCO2e)"),
    "market_based_tco2e": _("Market-based emissions (tCO2e)"),
    "avoided_tco2e": _("Avoided by green electricity (tCO2e)"),
    "baseline_avoided_tco2e": _("Avoided in the baseline year (tCO2e)"),
    "green_reduction_tco2e": _("Green-power reduction (tCO2e)"),
    "absolute_reduction_tco2e": _("Absolute reduction (tCO2e)"),
    "reported_tco2e": _("Published figure (tCO2e)"),
    "double_claimed_mwh": _("Double-claimed certificates (MWh)"),
    "ineligible_irec_mwh": _("Ineligible I-RECs (MWh)"),
}


def _shown(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return figure_text(value, 0)  # counts with thousands separators too
    return figure_text(value) if isinstance(value, Decimal) else value


@dataclass(frozen=True)
class Change:
    what: str
    before: object
    after: object


def _factor_key(factor: dict) -> tuple:
    # Runs of method version 2 resolve by province and kind; older ones by region only.
    return (factor.get("province", factor["region"]), factor["region"], factor["year"], factor.get("kind", "average"))


def runs_compare(before: object, after: object) -> list[Change]:
    """The figures, factor values and flag counts that differ between two runs of a year (each with
    its columns, `factors_used` and `flag_total`)."""
    changes = [
        Change(str(label), _shown(getattr(before, key)), _shown(getattr(after, key)))
        for key, label in HEADLINE.items()
        if getattr(before, key) != getattr(after, key)
    ]
    old_factors = {_factor_key(f): f for f in before.factors_used}
    new_factors = {_factor_key(f): f for f in after.factors_used}
    for key in sorted(set(old_factors) | set(new_factors), key=str):
        old, new = old_factors.get(key), new_factors.get(key)
        describe = lambda f: None if f is None else f"{f['tco2_per_mwh']} ({f['from_region']} {f['from_year']})"  # noqa: E731
        if describe(old) != describe(new):
            changes.append(Change(f"{_('Factor')} {key[0]} {key[2]} ({key[3]})", describe(old), describe(new)))
    if before.flag_total != after.flag_total:
        changes.append(Change(str(_("Data-quality flags")), before.flag_total, after.flag_total))
    return changes


@dataclass(frozen=True)
class BridgePart:
    key: str
    label: str
    short_label: str  # under the chart's bar
    tco2e: Decimal


def bridge_parts(run: object) -> list[BridgePart]:
    """The headline's three parts, which add up to it exactly (docs/method.md)."""
    return [
        BridgePart(
            "like_for_like",
            str(_("More green electricity at the same suppliers")),
            str(_("Like-for-like")),
            run.like_for_like_green_tco2e,
        ),
        BridgePart(
            "baseline_factor",
            str(_("Baseline valued at this year's factors")),
            str(_("Baseline factors")),
            run.baseline_factor_change_tco2e,
        ),
        BridgePart(
            "new_entrants",
            str(_("Suppliers without a baseline")),
            str(_("New entrants")),
            run.new_entrants_avoided_tco2e,
        ),
    ]


def variance_of(run: object) -> Decimal | None:
    """Computed minus published, in tonnes (None without a published figure)."""
    return None if run.reported_tco2e is None else run.green_reduction_tco2e - run.reported_tco2e


def published_within_range(run: object) -> bool | None:
    if run.reported_tco2e is None or run.range_low_tco2e is None:
        return None
    return run.range_low_tco2e <= run.reported_tco2e <= run.range_high_tco2e
