"""Import of submission files (docs/formats.md): validated whole, then written in one transaction.

A file with one bad value is refused whole, with every problem named by row and column; nothing
is written. Importing the same row again (same supplier, site and period) replaces that line.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, OperationalError, transaction

from suppliers.models import Supplier
from suppliers.services.imports.checking import FileCheck
from suppliers.services.imports.reading import (
    COLUMNS,
    FIRST_SIGHT_COLUMNS,
    FORMULA_STARTS,
    GREEN_COLUMNS,
    MAX_NAME_LENGTH,
    REQUIRED_COLUMNS,
    ParsedLine,
    file_parse,
    submission_file_parse,
)
from suppliers.services.imports.writing import ImportResult, lines_write, suppliers_lock, write_refusal
from suppliers.services.spreadsheets import FileRefused, table_read
from suppliers.signals import approved_lines_changed_after_commit, claims_changed_after_commit

__all__ = [
    "COLUMNS", "FIRST_SIGHT_COLUMNS", "FORMULA_STARTS", "GREEN_COLUMNS", "MAX_NAME_LENGTH", "REQUIRED_COLUMNS",
    "ImportResult", "ParsedLine", "submission_file_parse", "submissions_import",
]  # fmt: skip


def submissions_import(
    *, content: bytes, filename: str, approve: bool = False, user: AbstractBaseUser | None = None,
    restrict_to_supplier: Supplier | None = None, as_draft: bool = False, dry_run: bool = False,
) -> ImportResult:  # fmt: skip
    """Validates the whole file, then writes it in one transaction. Raises FileRefused.

    Without `approve` the lines wait for review (submitted); with it they are approved.
    `as_draft` is a supplier's own upload: the lines land in a draft (a returned submission stays
    returned) for the supplier to submit, and a row for a period that is not open, or whose
    submission is already submitted or approved, is refused. `restrict_to_supplier` is that
    supplier's upload: it changes only the supplier's figures, so a row of another supplier, a new
    site, or a company or site name other than the one on record is refused (staff imports create
    and rename as they always did). `dry_run` runs every check, the
    database's included, and returns what the import would do, with the parsed lines, writing nothing.
    """
    if approve and as_draft:
        raise ValueError("A file is imported either approved or as a draft, not both.")
    table = table_read(content=content, filename=filename)
    lines, problems = file_parse(table)
    del table  # the rows as text are not needed once parsed: the write has that memory
    try:
        with transaction.atomic():
            suppliers_lock({line.supplier_code for line in lines if line.supplier_code})
            check = FileCheck(lines, restrict_to_supplier, as_draft=as_draft)
            suppliers, sites = check.run()
            if problems or check.problems:
                # One refusal with every problem: the file's own, then the database's, row by row.
                checked = sorted(check.problems, key=lambda p: (p.row or 0, p.column or ""))
                raise FileRefused(sorted([*problems, *checked], key=lambda p: p.row or 0))
            if dry_run:
                return ImportResult(
                    lines_created=len(lines) - len(check.replacing_rows),
                    lines_replaced=len(check.replacing_rows),
                    suppliers_created=len({line.supplier_code for line in lines} - suppliers.keys()),
                    sites_created=len({(line.supplier_code, line.site_code) for line in lines} - sites.keys()),
                    years={line.period.year for line in lines},
                    parsed=lines,
                    replacing_rows=check.replacing_rows,
                )
            result = lines_write(lines, suppliers, sites, approve=approve, as_draft=as_draft, user=user)
            result.parsed, result.replacing_rows = lines, check.replacing_rows
    except (IntegrityError, OperationalError) as error:
        raise FileRefused(write_refusal(error, lines)) from None
    claims_changed_after_commit()
    if approve:
        approved_lines_changed_after_commit(years=result.years, trigger="import")
    return result
