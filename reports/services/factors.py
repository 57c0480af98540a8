"""Emission factors and published figures: the reference values the roll-up uses."""

import csv
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reports.models import EmissionFactor, PublishedFigure
from reports.selectors.inputs import approved_years
from reports.services.rollup_requests import rollup_request
from suppliers.provinces import PROVINCES_BY_CODE, Region
from suppliers.services.spreadsheets import FileRefused, Problem

FACTOR_COLUMNS = ("region", "year", "tco2_per_mwh", "source")
OPTIONAL_COLUMNS = ("kind",)


def _place(text: str) -> tuple[str | None, str | None]:
    """A factor's place as stored, or the problem: NATIONAL, a regional grid, or a province's code."""
    place = text.strip().upper()
    if place in Region.values:
        return place, None
    if place.isdigit() and len(place) == 6:
        if place in PROVINCES_BY_CODE:
            return place, None
        return None, _(
            "“%(value)s” is not the GB/T 2260 code of a province in the seven grids (Hong Kong, Macao and "
            "Taiwan are outside them)"
        ) % {"value": text}
    return None, _("“%(value)s” is not NATIONAL, one of %(regions)s, or a six-digit province code") % {
        "value": text,
        "regions": ", ".join(r for r in Region.values if r != Region.NATIONAL),
    }


def _header_problems(header: list[str]) -> list[Problem]:
    required_missing = [c for c in FACTOR_COLUMNS if c not in header]
    unknown = [c for c in header if c not in FACTOR_COLUMNS + OPTIONAL_COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if not (required_missing or unknown or repeated):
        return []
    return [
        Problem(
            1,
            None,
            _("The header must have the columns %(columns)s, and optionally %(optional)s, each once")
            % {"columns": ",".join(FACTOR_COLUMNS), "optional": ",".join(OPTIONAL_COLUMNS)},
        )
    ]


def _factor_rows(content: bytes) -> list[EmissionFactor]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused([Problem(None, None, _("The factor file must be UTF-8."))]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise FileRefused([Problem(None, None, _("The file is empty."))])
    header = [cell.strip().lower() for cell in rows[0]]
    if problems := _header_problems(header):
        raise FileRefused(problems)
    problems, factors, seen = [], [], {}
    for number, cells in enumerate(rows[1:], start=2):
        values = dict(zip(header, (c.strip() for c in cells), strict=False))
        region, place_problem = _place(values.get("region", ""))
        if place_problem:
            problems.append(Problem(number, "region", place_problem))
        kind = values.get("kind", "").lower() or EmissionFactor.Kind.AVERAGE
        if kind not in EmissionFactor.Kind.values:
            problems.append(
                Problem(
                    number,
                    "kind",
                    _("“%(value)s” is not a kind of factor: average or residual") % {"value": values.get("kind", "")},
                )
            )
            kind = None
        try:
            year = int(values.get("year", ""))
        except ValueError:
            problems.append(Problem(number, "year", _("“%(value)s” is not a year") % {"value": values.get("year", "")}))
            year = None
        try:
            value = Decimal(values.get("tco2_per_mwh", ""))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                Problem(
                    number, "tco2_per_mwh", _("“%(value)s” is not a number") % {"value": values.get("tco2_per_mwh", "")}
                )
            )
            value = None
        factor = EmissionFactor(
            region=region or "", year=year, kind=kind or "", tco2_per_mwh=value, source=values.get("source", "")
        )
        if region and kind and year is not None and value is not None:
            try:
                factor.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    problems.extend(Problem(number, field, m) for m in messages)
            key = (region, year, kind)
            if key in seen:
                problems.append(
                    Problem(
                        number,
                        "year",
                        _("%(region)s %(year)s (%(kind)s) is already in row %(row)d")
                        % {"region": region, "year": year, "kind": kind, "row": seen[key]},
                    )
                )
            seen[key] = number
        factors.append(factor)
    if problems:
        raise FileRefused(problems)
    return factors


def factors_import(*, content: bytes, replace: bool = False) -> int:
    """Loads a factor file (docs/formats.md): each row replaces its (place, year, kind); with
    `replace` the file becomes the whole table. All or nothing. Returns the number of rows loaded."""
    factors = _factor_rows(content)
    with transaction.atomic():
        stored = {(f.region, f.year, f.kind): f for f in EmissionFactor.objects.all()}
        if replace:
            keep = {(f.region, f.year, f.kind) for f in factors}
            for key, stale in stored.items():
                if key not in keep:
                    stale.delete()  # one by one, so that history records each deletion
        for factor in factors:
            existing = stored.get((factor.region, factor.year, factor.kind))
            if existing is None:
                factor.save()
            elif (existing.tco2_per_mwh, existing.source) != (factor.tco2_per_mwh, factor.source):
                existing.tco2_per_mwh, existing.source = factor.tco2_per_mwh, factor.source
                existing.save()
        transaction.on_commit(_rollups_after_factor_change)
    return len(factors)


def _rollups_after_factor_change() -> None:
    for year in approved_years():
        rollup_request(year=year, trigger="factors changed")


def published_figure_set(*, year: int, tco2e: Decimal, source: str) -> PublishedFigure:
    with transaction.atomic():
        figure = PublishedFigure.objects.filter(year=year).first() or PublishedFigure(year=year)
        figure.tco2e, figure.source = tco2e, source
        figure.full_clean()
        figure.save()
    return figure


def factor_save(*, factor: EmissionFactor) -> EmissionFactor:
    """Saves one factor (the admin's edit) and queues a roll-up of every year after commit:
    past runs are never changed, the new values give new runs beside them."""
    with transaction.atomic():
        factor.full_clean()
        factor.save()
        transaction.on_commit(_rollups_after_factor_change)
    return factor
