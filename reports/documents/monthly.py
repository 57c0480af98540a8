"""The monthly status report: where reporting stands (the open periods' coverage, what is overdue,
the open flags) and the figures of the year so far."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.translation import get_language, gettext

from reports.documents.content import (
    PDF_LIST_ROWS,
    about,
    flag_blocks,
    footer,
    local_date,
    local_datetime,
    year_figures,
)
from reports.documents.document import Chart, Column, Document, Heading, KeyFigure, KeyFigures, Series, Table, Text
from reports.models import Report
from reports.selectors.reporting import (
    open_periods_with_coverage,
    submissions_awaiting_review_count,
    suppliers_not_submitted,
)
from suppliers.models import Submission, Supplier


def monthly_document(report: Report, now: datetime) -> Document:
    """Where reporting stands: the open periods' coverage, what is overdue, open flags, and the
    figures of the year so far (the run the report was made from)."""
    run = report.run
    year, month = (int(part) for part in report.period_key.split("-"))
    today = timezone.localdate(now)
    month_label = date_format(date(year, month, 1), get_format("YEAR_MONTH_FORMAT"))
    periods = list(open_periods_with_coverage())
    expected = Supplier.objects.filter(status=Supplier.Status.ACTIVE).count()
    overdue_rows = []
    for period in periods:
        if period.due_date is not None and period.due_date < today:
            for supplier in suppliers_not_submitted(period):
                state = (
                    Submission.Status(supplier.submission_status).label
                    if supplier.submission_status
                    else gettext("Not started")
                )
                overdue_rows.append(
                    [
                        supplier.code,
                        supplier.name_in_language(),
                        period.code,
                        period.due_date,
                        (today - period.due_date).days,
                        str(state),
                    ]
                )
    coverage_rows = []
    for period in periods:
        not_started = max(expected - period.approved - period.submitted - period.returned - period.draft, 0)
        missing = expected - period.approved - period.submitted
        overdue = period.due_date is not None and period.due_date < today and missing > 0
        coverage_rows.append(
            [
                period.code,
                period.due_date,
                period.approved,
                period.submitted,
                period.returned,
                period.draft,
                not_started,
                missing,
                gettext("yes") if overdue else gettext("no"),
            ]
        )
    flag_total = len(run.result.get("flags", []))
    summary = KeyFigures(
        sheet=gettext("Summary"),
        figures=(
            KeyFigure(gettext("Open reporting periods"), len(periods), kind="integer"),
            KeyFigure(gettext("Active suppliers"), expected, kind="integer"),
            KeyFigure(
                gettext("Submissions awaiting review"),
                submissions_awaiting_review_count(),
                kind="integer",
                note=gettext("in every period, closed ones included"),
            ),
            KeyFigure(
                gettext("Overdue reports"),
                len(overdue_rows),
                kind="integer",
                note=gettext("a supplier and a period past its due date, nothing submitted"),
            ),
            KeyFigure(
                gettext("Data-quality flags in the roll-up of %(year)d") % {"year": run.year},
                flag_total,
                kind="integer",
            ),
            KeyFigure(
                gettext("Green-power reduction of %(year)d so far") % {"year": run.year},
                run.green_reduction_tco2e,
                "tCO2e",
                3,
            ),
        ),
    )
    coverage_chart = Chart(
        title=gettext("Suppliers by the state of their submission, per open period"),
        categories=tuple(row[0] for row in coverage_rows),
        series=(
            Series(gettext("Approved"), tuple(Decimal(row[2]) for row in coverage_rows)),
            Series(gettext("Awaiting review"), tuple(Decimal(row[3]) for row in coverage_rows)),
            Series(gettext("Returned or draft"), tuple(Decimal(row[4] + row[5]) for row in coverage_rows)),
            Series(gettext("Not started"), tuple(Decimal(row[6]) for row in coverage_rows)),
        ),
        value_axis=gettext("Suppliers"),
        category_axis=gettext("Reporting period"),
        horizontal=True,
        stacked=True,
    )
    blocks = [
        summary,
        Heading(gettext("Submissions for the open periods")),
        *([coverage_chart] if coverage_rows else []),
        Table(
            sheet=gettext("Coverage"),
            columns=(
                Column(gettext("Period"), width=1.1),
                Column(gettext("Due date"), "date", width=1.3),
                Column(gettext("Approved"), "integer"),
                Column(gettext("Awaiting review"), "integer"),
                Column(gettext("Returned"), "integer"),
                Column(gettext("Draft"), "integer"),
                Column(gettext("Not started"), "integer"),
                Column(gettext("Not submitted"), "integer"),
                Column(gettext("Overdue"), width=0.9),
            ),
            rows=coverage_rows,
            empty_note=gettext("No reporting period is open."),
        ),
        Text(
            gettext(
                "Counts of active suppliers. Not submitted = returned, draft and not started: the suppliers "
                "the reminders go to."
            ),
            True,
        ),
        Heading(gettext("Overdue reports")),
        Table(
            sheet=gettext("Overdue"),
            columns=(
                Column(gettext("Supplier code"), width=1.1),
                Column(gettext("Supplier"), width=3),
                Column(gettext("Period"), width=0.9),
                Column(gettext("Due date"), "date", width=1.1),
                Column(gettext("Days overdue"), "integer", width=0.9),
                Column(gettext("State"), width=1.1),
            ),
            rows=overdue_rows,
            pdf_rows=PDF_LIST_ROWS,
            more_note=gettext("%(count)s more overdue reports are listed in the XLSX."),
            empty_note=gettext("No report is overdue."),
        ),
        Heading(gettext("Open data-quality flags of %(year)d") % {"year": run.year}),
        *flag_blocks(
            run, factors_note=gettext("Factor fallbacks are counted, not listed: the annual report lists the factors.")
        ),
        Heading(gettext("The year %(year)d so far") % {"year": run.year}),
        Text(
            gettext(
                "From roll-up run #%(run)d (finished %(finished)s): the approved submissions of %(year)d, "
                "against the baseline year %(baseline)d."
            )
            % {
                "run": run.pk,
                "finished": local_datetime(run.finished_at),
                "year": run.year,
                "baseline": run.baseline_year,
            },
            True,
        ),
        year_figures(run, sheet=gettext("Year to date")),
    ]
    return Document(
        title=gettext("Monthly status report: %(month)s") % {"month": month_label},
        subtitle=gettext("Green electricity of the supply chain in China · status on %(date)s")
        % {"date": local_date(now)},
        language=get_language(),
        footer=footer(report, now),
        about=about(report, run, now),
        blocks=blocks,
    )
