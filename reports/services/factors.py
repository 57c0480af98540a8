"""Emission factors and published figures: the reference values the roll-up uses."""

import csv
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reports.models import EmissionFactor, PublishedFigure
from suppliers.provinces import Region
from suppliers.services.spreadsheets import FileRefused, Problem

FACTOR_COLUMNS = ("region", "year", "tco2_per_mwh", "source")


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
    if header != list(FACTOR_COLUMNS):
        raise FileRefused(
            [Problem(1, None, _("The header must be: %(columns)s") % {"columns": ",".join(FACTOR_COLUMNS)})]
        )
    problems, factors, seen = [], [], {}
    for number, cells in enumerate(rows[1:], start=2):
        values = dict(zip(FACTOR_COLUMNS, (c.strip() for c in cells), strict=False))
        region = values.get("region", "").upper()
        if region not in Region.values:
            problems.append(
                Problem(
                    number,
                    "region",
                    _("“%(value)s” is not one of %(regions)s")
                    % {"value": values.get("region", ""), "regions": ", ".join(Region.values)},
                )
            )
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
        factor = EmissionFactor(region=region, year=year, tco2_per_mwh=value, source=values.get("source", ""))
        if region in Region.values and year is not None and value is not None:
            try:
                factor.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    problems.extend(Problem(number, field, m) for m in messages)
            if (region, year) in seen:
                problems.append(
                    Problem(
                        number,
                        "year",
                        _("%(region)s %(year)s is already in row %(row)d")
                        % {"region": region, "year": year, "row": seen[(region, year)]},
                    )
                )
            seen[(region, year)] = number
        factors.append(factor)
    if problems:
        raise FileRefused(problems)
    return factors


def factors_import(*, content: bytes, replace: bool = False) -> int:
    """Loads a factor file (interfaces.md): each row replaces its (region, year); with `replace`
    the file becomes the whole table. All or nothing. Returns the number of rows loaded."""
    factors = _factor_rows(content)
    with transaction.atomic():
        if replace:
            keep = {(f.region, f.year) for f in factors}
            for stale in EmissionFactor.objects.all():
                if (stale.region, stale.year) not in keep:
                    stale.delete()  # one by one, so that history records each deletion
        for factor in factors:
            stored = EmissionFactor.objects.filter(region=factor.region, year=factor.year).first()
            if stored is None:
                factor.save()
            elif (stored.tco2_per_mwh, stored.source) != (factor.tco2_per_mwh, factor.source):
                stored.tco2_per_mwh, stored.source = factor.tco2_per_mwh, factor.source
                stored.save()
        transaction.on_commit(_rollups_after_factor_change)
    return len(factors)


def _rollups_after_factor_change() -> None:
    from reports.selectors import approved_years
    from reports.services.rollups import rollup_request

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
