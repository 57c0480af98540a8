"""What changed between two stored runs of the same year: plain functions on their results."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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
}


@dataclass(frozen=True)
class Change:
    what: str
    before: object
    after: object


def runs_compare(before: dict, after: dict) -> list[Change]:
    """The headline figures, factor values and flag counts that differ between two results."""
    changes = [
        Change(str(label), before.get(key), after.get(key))
        for key, label in HEADLINE.items()
        if before.get(key) != after.get(key)
    ]
    old_factors = {(f["region"], f["year"]): f for f in before.get("factors_used", [])}
    new_factors = {(f["region"], f["year"]): f for f in after.get("factors_used", [])}
    for key in sorted(set(old_factors) | set(new_factors)):
        old, new = old_factors.get(key), new_factors.get(key)
        describe = lambda f: None if f is None else f"{f['tco2_per_mwh']} ({f['from_region']} {f['from_year']})"  # noqa: E731
        if describe(old) != describe(new):
            changes.append(Change(f"{_('Factor')} {key[0]} {key[1]}", describe(old), describe(new)))
    # The selectors give the length of the flags as `flag_count`, without the flags themselves.
    count = lambda result: result["flag_count"] if "flag_count" in result else len(result.get("flags", []))  # noqa: E731
    if count(before) != count(after):
        changes.append(Change(str(_("Data-quality flags")), count(before), count(after)))
    return changes
