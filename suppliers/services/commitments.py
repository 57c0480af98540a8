"""Suppliers' commitments from a file: `supplier_code,committed_on,target_year,
target_green_share_percent,source`, CSV or XLSX, all or nothing (the submission file's rules)."""

import contextlib
import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suppliers.line_rules import number_parse, share_text
from suppliers.models import Commitment, Supplier
from suppliers.services.imports.reading import FORMULA_STARTS
from suppliers.services.spreadsheets import FileRefused, Problem, table_read

COLUMNS = ("supplier_code", "committed_on", "target_year", "target_green_share_percent", "source")
# 2022-03-01, 2022/3/1, 2022.3.1 and 2022年3月1日, as people and Excel write a date.
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
MAX_SOURCE_LENGTH = Commitment._meta.get_field("source").max_length


@dataclass(frozen=True)
class CommitmentRow:
    supplier_code: str
    committed_on: datetime.date
    target_year: int
    target_green_share_percent: Decimal
    source: str


def date_parse(text: str) -> datetime.date:
    """A date as people type it (2022-03-01, 2022/3/1, 2022年3月1日), full-width digits too."""
    match = _DATE.match(unicodedata.normalize("NFKC", text).strip())
    day = None
    if match:
        with contextlib.suppress(ValueError):  # 30 February: not a date, said below
            day = datetime.date(*(int(part) for part in match.groups()))
    if day is None:
        raise ValueError(_("“%(value)s” is not a date: write it as 2022-03-01 or 2022年3月1日") % {"value": text})
    if not datetime.date(2000, 1, 1) <= day <= timezone.localdate():
        raise ValueError(_("must be a day from 2000 to today"))
    return day


def target_year_parse(text: str) -> int:
    match = _YEAR.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        raise ValueError(_("“%(value)s” is not a year: write it as 2030 or 2030年") % {"value": text})
    year = int(match.group(1))
    if not 2019 <= year <= 2060:
        raise ValueError(_("must be between 2019 and 2060"))
    return year


def target_share_parse(text: str) -> Decimal:
    share = number_parse(share_text(text))
    if share > 100:
        raise ValueError(_("must be between 0 and 100"))
    if share != share.quantize(Decimal("0.0001")):
        raise ValueError(_("has more than 4 decimal places"))
    return share


def commitments_file_read(*, content: bytes, filename: str) -> list[CommitmentRow]:
    """The file's rows, or FileRefused naming every problem (row, column, reason) at once."""
    table = table_read(content=content, filename=filename)
    problems = list(table.problems)
    missing = [column for column in COLUMNS if column not in table.header]
    if missing:
        problems.append(
            Problem(table.header_row, None, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        )
        raise FileRefused(problems)
    known = set(Supplier.objects.values_list("code", flat=True))
    rows, seen = [], {}
    for number, cells in table.rows:
        values = dict(zip(table.header, cells, strict=False))
        parsed: dict[str, object] = {}
        for column, parse in (
            ("committed_on", date_parse),
            ("target_year", target_year_parse),
            ("target_green_share_percent", target_share_parse),
        ):
            text = values.get(column, "")
            if not text:
                problems.append(Problem(number, column, _("is required")))
                continue
            try:
                parsed[column] = parse(text)
            except ValueError as error:
                problems.append(Problem(number, column, str(error)))
        code = unicodedata.normalize("NFKC", values.get("supplier_code", "")).strip()
        if not code:
            problems.append(Problem(number, "supplier_code", _("is required")))
        elif code not in known:
            problems.append(
                Problem(number, "supplier_code", _("“%(code)s” is no supplier of the portal") % {"code": code})
            )
        elif code in seen:
            problems.append(
                Problem(
                    number,
                    "supplier_code",
                    _("is also on row %(row)d: one commitment a supplier") % {"row": seen[code]},
                )
            )
        else:
            seen[code] = number
        source = values.get("source", "").strip()
        if not source:
            problems.append(Problem(number, "source", _("is required")))
        elif len(source) > MAX_SOURCE_LENGTH:
            problems.append(
                Problem(number, "source", _("is longer than %(max)d characters") % {"max": MAX_SOURCE_LENGTH})
            )
        elif source.startswith(FORMULA_STARTS):
            problems.append(
                Problem(
                    number, "source", _("must not start with =, +, - or @: a spreadsheet would run it as a formula")
                )
            )
        year, committed = parsed.get("target_year"), parsed.get("committed_on")
        if isinstance(year, int) and isinstance(committed, datetime.date) and year < committed.year:
            problems.append(Problem(number, "target_year", _("is before the year the commitment was made")))
        if len(parsed) == 3 and code:
            rows.append(CommitmentRow(code, committed, year, parsed["target_green_share_percent"], source))
    if not table.rows:
        problems.append(Problem(None, None, _("The file has no commitments.")))
    if problems:
        raise FileRefused(sorted(problems, key=lambda problem: problem.row or 0))
    return rows


@transaction.atomic
def commitments_import(*, content: bytes, filename: str) -> tuple[int, int]:
    """Creates or replaces the commitment of every supplier in the file; (created, updated)."""
    rows = commitments_file_read(content=content, filename=filename)
    suppliers = Supplier.objects.in_bulk([row.supplier_code for row in rows], field_name="code")
    existing = {c.supplier_id: c for c in Commitment.objects.filter(supplier__in=suppliers.values())}
    created = updated = 0
    for row in rows:
        supplier = suppliers[row.supplier_code]
        commitment = existing.get(supplier.pk) or Commitment(supplier=supplier)
        updated += commitment.pk is not None
        created += commitment.pk is None
        commitment.committed_on = row.committed_on
        commitment.target_year = row.target_year
        commitment.target_green_share_percent = row.target_green_share_percent
        commitment.source = row.source
        commitment.full_clean()
        commitment.save()
    return created, updated
