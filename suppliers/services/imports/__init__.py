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
    header_problems,
    row_keys,
    rows_parse,
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
    problems = header_problems(table)
    # The file is read twice: to check it, keeping only each row's key (and, for a dry run, the
    # lines it shows), then to write it a chunk of lines at a time (bench/RESULTS.md: memory).
    parsed = list(rows_parse(table, problems)) if dry_run else None
    keys = row_keys(parsed if parsed is not None else rows_parse(table, problems))
    try:
        with transaction.atomic():
            suppliers_lock({key.supplier_code for key in keys if key.supplier_code})
            check = FileCheck(keys, restrict_to_supplier, as_draft=as_draft)
            suppliers, sites = check.run()
            if problems or check.problems:
                # One refusal with every problem: the file's own, then the database's, row by row.
                checked = sorted(check.problems, key=lambda p: (p.row or 0, p.column or ""))
                raise FileRefused(sorted([*problems, *checked], key=lambda p: p.row or 0))
            if dry_run:
                return ImportResult(
                    lines_created=len(keys) - len(check.replacing_rows),
                    lines_replaced=len(check.replacing_rows),
                    suppliers_created=len({key.supplier_code for key in keys} - suppliers.keys()),
                    sites_created=len({(key.supplier_code, key.site_code) for key in keys} - sites.keys()),
                    years={key.period.year for key in keys},
                    parsed=parsed,
                    replacing_rows=check.replacing_rows,
                )
            lines = rows_parse(table, [])  # read again: the same rows, without a problem this time
            result = lines_write(keys, lines, suppliers, sites, approve=approve, as_draft=as_draft, user=user)
            result.replacing_rows = check.replacing_rows
    except (IntegrityError, OperationalError) as error:
        raise FileRefused(write_refusal(error, rows_parse(table, []))) from None
    claims_changed_after_commit()
    if approve:
        approved_lines_changed_after_commit(years=result.years, trigger="import")
    return result
