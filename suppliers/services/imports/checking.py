"""Checking a parsed file against itself and the database: every problem collected, none written."""

import unicodedata
from collections import defaultdict

from django.utils.translation import gettext as _

from suppliers.line_rules import (
    certificate_instrument,
)
from suppliers.models import (
    Line,
    ReportingPeriod,
    Site,
    Submission,
    Supplier,
)
from suppliers.periods import Period
from suppliers.provinces import Province
from suppliers.services.imports.reading import HAS_CJK, ParsedLine, RowKey
from suppliers.services.spreadsheets import Problem


def same_name(typed: str, recorded: str) -> bool:
    """The same name, whatever the spaces or the width of its characters."""
    return bool(recorded) and " ".join(unicodedata.normalize("NFKC", typed).split()) == " ".join(
        unicodedata.normalize("NFKC", recorded).split()
    )


def line_instrument(batch_id: str, line: ParsedLine) -> str:
    return certificate_instrument(batch_id, line.quantities_mwh)


class FileCheck:
    """Cross-row and database checks, collecting problems rather than stopping at the first."""

    def __init__(self, lines: list[RowKey], restrict_to_supplier: Supplier | None, *, as_draft: bool) -> None:
        self.lines = lines
        self.restrict = restrict_to_supplier
        self.as_draft = as_draft
        self.problems: list[Problem] = []
        self.replacing_rows: set[int] = set()

    def add(self, row: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(row, column, message))

    def run(self) -> tuple[dict[str, Supplier], dict[tuple[str, str], Site]]:
        # A row whose supplier code did not parse says nothing the database could check.
        self.lines = [line for line in self.lines if line.supplier_code]
        if self.restrict is not None:
            # Another supplier's rows are refused and checked no further: the other checks would
            # tell a supplier about that supplier's sites and periods.
            for line in self.lines:
                if line.supplier_code != self.restrict.code:
                    self.add(
                        line.row,
                        "supplier_code",
                        _("you can only report for your own supplier code %(code)s") % {"code": self.restrict.code},
                    )
            self.lines = [line for line in self.lines if line.supplier_code == self.restrict.code]
        codes = {line.supplier_code for line in self.lines}
        suppliers = {s.code: s for s in Supplier.objects.select_for_update().filter(code__in=codes).order_by("pk")}
        sites = {
            (site.supplier.code, site.code): site
            for site in Site.objects.select_related("supplier").filter(supplier__code__in=codes)
        }
        self._suppliers(suppliers)
        with_site = [line for line in self.lines if line.site_code]
        self._sites(sites, with_site)
        self._periods(sites, [line for line in with_site if line.period is not None])
        if self.as_draft:
            self._draft_periods(suppliers)
        return suppliers, sites

    def _suppliers(self, suppliers: dict[str, Supplier]) -> None:
        first_uscc: dict[str, tuple[str, int]] = {}
        new_usccs: dict[str, tuple[str, int]] = {}  # USCC → (code, row) of the new supplier first giving it
        for line in self.lines:
            existing = suppliers.get(line.supplier_code)
            if existing is None and line.supplier_code not in first_uscc:
                for column in ("supplier_name", "uscc"):
                    if not getattr(line, column) and line.known(column):
                        self.add(
                            line.row,
                            column,
                            _("is required for a supplier seen for the first time (%(code)s)")
                            % {"code": line.supplier_code},
                        )
            if not line.uscc:
                continue
            if existing is not None and existing.uscc != line.uscc:
                self.add(
                    line.row, "uscc", _("differs from the USCC on record for %(code)s") % {"code": line.supplier_code}
                )
            seen = first_uscc.setdefault(line.supplier_code, (line.uscc, line.row))
            if seen[0] != line.uscc:
                self.add(
                    line.row,
                    "uscc",
                    _("differs from the USCC given for %(code)s in row %(row)d")
                    % {"code": line.supplier_code, "row": seen[1]},
                )
            if existing is None:
                owner = new_usccs.setdefault(line.uscc, (line.supplier_code, line.row))
                if owner[0] != line.supplier_code:
                    self.add(
                        line.row,
                        "uscc",
                        _("is already given for supplier %(code)s in row %(row)d")
                        % {"code": owner[0], "row": owner[1]},
                    )
        taken = dict(Supplier.objects.filter(uscc__in=new_usccs).values_list("uscc", "code"))
        for line in self.lines:
            if line.supplier_code not in suppliers and line.uscc in taken:
                self.add(line.row, "uscc", _("is already the USCC of supplier %(code)s") % {"code": taken[line.uscc]})
        if self.restrict is not None:
            self._master_data_of_supplier(suppliers)

    def _master_data_of_supplier(self, suppliers: dict[str, Supplier]) -> None:
        """A supplier's upload changes figures only: its company's name stays as staff recorded it."""
        for line in self.lines:
            supplier = suppliers.get(line.supplier_code)
            if supplier is None or not line.supplier_name:
                continue
            if same_name(line.supplier_name, supplier.name_zh) or same_name(line.supplier_name, supplier.name_en):
                continue
            in_script = supplier.name_zh if HAS_CJK.search(line.supplier_name) else supplier.name_en
            self.add(
                line.row,
                "supplier_name",
                _(
                    "differs from your company's name on record (%(name)s): an upload cannot change it. Leave "
                    "the cell empty or as on record; to change the name, ask staff"
                )
                % {"name": in_script or supplier.name_zh or supplier.name_en},
            )

    def _sites(self, sites: dict[tuple[str, str], Site], lines: list[RowKey]) -> None:
        first_province: dict[tuple[str, str], tuple[Province | None, int]] = {}
        for line in lines:
            key = (line.supplier_code, line.site_code)
            existing = sites.get(key)
            if self.restrict is not None and not self._site_of_supplier(line, existing):
                continue
            if existing is None and key not in first_province:
                for column in ("site_name", "province"):
                    if not getattr(line, column) and line.known(column):
                        self.add(
                            line.row,
                            column,
                            _("is required for a site seen for the first time (%(site)s)") % {"site": line.site_code},
                        )
            if line.province is None:
                continue
            if existing is not None and existing.province != line.province.code:
                self.add(
                    line.row,
                    "province",
                    _("site %(site)s is recorded in %(recorded)s; ask staff to change a site's province")
                    % {"site": line.site_code, "recorded": existing.get_province_display()},
                )
            seen = first_province.setdefault(key, (line.province, line.row))
            if seen[0] != line.province:
                self.add(
                    line.row,
                    "province",
                    _("differs from the province given for site %(site)s in row %(row)d")
                    % {"site": line.site_code, "row": seen[1]},
                )

    def _site_of_supplier(self, line: RowKey, site: Site | None) -> bool:
        """On a supplier's upload a site is one staff recorded, under its recorded name: False (and
        the row refused) for a new site, which is then checked no further."""
        if site is None:
            self.add(
                line.row,
                "site_code",
                _(
                    "site %(site)s is not one of your sites on record: an upload cannot add a site. Ask staff to "
                    "add it (its code, name and province), then upload again"
                )
                % {"site": line.site_code},
            )
            return False
        if line.site_name and not same_name(line.site_name, site.name):
            self.add(
                line.row,
                "site_name",
                _(
                    "differs from the name on record for site %(site)s (%(name)s): an upload cannot rename a "
                    "site. Leave the cell empty or as on record; to rename the site, ask staff"
                )
                % {"site": line.site_code, "name": site.name},
            )
        return True

    def _periods(self, sites: dict[tuple[str, str], Site], lines: list[RowKey]) -> None:
        by_site: dict[tuple[str, str], list[RowKey]] = defaultdict(list)
        for line in lines:
            by_site[(line.supplier_code, line.site_code)].append(line)
        for key, site_lines in by_site.items():
            seen: dict[Period, int] = {}
            for line in site_lines:
                if line.period in seen:
                    self.add(
                        line.row,
                        "period",
                        _("site %(site)s already has period %(period)s in row %(row)d")
                        % {"site": key[1], "period": line.period, "row": seen[line.period]},
                    )
                    continue
                for other, other_row in seen.items():
                    if other.overlaps(line.period):
                        self.add(
                            line.row,
                            "period",
                            _("%(period)s overlaps %(other)s of site %(site)s in row %(row)d")
                            % {"period": line.period, "other": other, "site": key[1], "row": other_row},
                        )
                seen[line.period] = line.row
        known = {site.pk: key for key, site in sites.items() if key in by_site}
        years = {line.period.year for line in lines}
        stored = Line.objects.filter(site_id__in=known, submission__period__year__in=years).values_list(
            "site_id", "submission__period__year", "submission__period__kind", "submission__period__number"
        )
        from suppliers.periods import period_make

        for site_id, year, kind, number in stored:
            existing = period_make(year, kind, number)
            for line in by_site[known[site_id]]:
                if line.period == existing:
                    self.replacing_rows.add(line.row)
                elif line.period.overlaps(existing):
                    self.add(
                        line.row,
                        "period",
                        _("%(period)s overlaps the stored period %(other)s of site %(site)s")
                        % {"period": line.period, "other": existing, "site": line.site_code},
                    )

    def _draft_periods(self, suppliers: dict[str, Supplier]) -> None:
        """A supplier's own upload may change only what the supplier can still change on the period
        page: a period open for reporting, or one whose submission is a draft or was returned."""
        lines = [line for line in self.lines if line.period is not None]
        years = {line.period.year for line in lines}
        open_periods = {reporting.period for reporting in ReportingPeriod.objects.filter(year__in=years, is_open=True)}
        submissions = {
            (submission.supplier_id, submission.period.period): submission
            for submission in Submission.objects.select_for_update(of=("self",))
            .select_related("period")
            .filter(supplier__in=[s.pk for s in suppliers.values()], period__year__in=years)
        }
        for line in lines:
            supplier = suppliers.get(line.supplier_code)
            submission = submissions.get((supplier.pk, line.period)) if supplier else None
            if submission is not None and submission.status in Submission.CLAIMING_STATUSES:
                self.add(
                    line.row,
                    "period",
                    _("period %(period)s is %(status)s and can no longer be changed; ask staff to return it")
                    % {"period": line.period, "status": submission.get_status_display().lower()},
                )
            elif submission is None and line.period not in open_periods:
                self.add(line.row, "period", _("period %(period)s is not open for reporting") % {"period": line.period})
