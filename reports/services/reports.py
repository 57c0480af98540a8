"""Scheduled reports: made once per kind and period, sent once per recipient.

`report_issue` is what the monthly and annual jobs call. It is safe to run twice, or in two
workers at once: the Report row (unique per kind and period) is created by one of them and then
locked while its files are written, each file is unique per report, language and format, and each
recipient's email is claimed before it is sent (outbox.services).
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from outbox.models import EmailLog
from outbox.services import MAX_ATTEMPTS, Attachment, claim_finish, claim_take, email_send
from reports.calculation import METHOD_VERSION
from reports.calculation.factors import MissingFactor
from reports.documents.annual import annual_document
from reports.documents.document import Document
from reports.documents.monthly import monthly_document
from reports.models import Report, ReportDelivery, ReportFile, RollupRun
from reports.selectors.reporting import Recipient, report_get, report_recipients
from reports.selectors.runs import rollup_run_latest
from reports.services.rollups import rollup_run_create

logger = logging.getLogger(__name__)

Kind = Report.Kind
Format = ReportFile.Format
PERIOD_KEYS = {Kind.MONTHLY: re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])"), Kind.ANNUAL: re.compile(r"[0-9]{4}")}
LOG_KINDS = {Kind.MONTHLY: EmailLog.Kind.MONTHLY_REPORT, Kind.ANNUAL: EmailLog.Kind.ANNUAL_REPORT}


class ReportUnavailable(Exception):
    """No roll-up run of the year can be had (no factor for its data, and none stored before)."""


@dataclass(frozen=True)
class ReportIssued:
    """What one run of a report job did (`sent`, `failed`: the emails it tried now) and where the
    report's deliveries stand after it, over every run so far."""

    report: Report
    sent: int
    failed: int
    delivered: tuple[str, ...] = ()
    undelivered: tuple[str, ...] = ()
    # Deliveries another worker is sending at this moment (it reports on them itself).
    in_progress: int = 0
    # Failed deliveries that a later run will try again (fewer than MAX_ATTEMPTS so far).
    retryable: int = 0

    @property
    def outcome(self) -> str:
        """ "delivered" (no delivery failed), "partial", "failed" (no one has it) or "no recipients"
        (none configured: the report is in the admin only)."""
        if not self.undelivered:
            return "delivered" if self.delivered or self.in_progress else "no recipients"
        return "partial" if self.delivered or self.in_progress else "failed"

    def summary(self) -> dict:
        """The job's result, as the task results in the admin show it."""
        return {
            "report": self.report.pk,
            "outcome": self.outcome,
            "delivered": len(self.delivered),
            "undelivered": list(self.undelivered),
        }


def previous_month_key(today: date) -> str:
    """The month before `today`'s: the monthly report of 1 December is on November."""
    last_of_previous = today.replace(day=1) - timedelta(days=1)
    return f"{last_of_previous.year}-{last_of_previous.month:02d}"


def previous_year_key(today: date) -> str:
    return str(today.year - 1)


def report_year(*, kind: str, period_key: str) -> int:
    """The year whose roll-up a report is built from; refuses a period key that does not fit the kind."""
    pattern = PERIOD_KEYS.get(kind)
    if pattern is None or not pattern.fullmatch(period_key):
        raise ValueError(f"{period_key!r} is not a period of a {kind!r} report (use 2026-11 or 2024).")
    return int(period_key[:4])


def _run_for(*, year: int, trigger: str) -> RollupRun:
    """The stored run of `year` with today's inputs (computed now if the inputs changed since the
    newest run); the newest stored run if today's inputs cannot be computed."""
    try:
        return rollup_run_create(year=year, trigger=trigger)
    except MissingFactor:
        run = rollup_run_latest(year=year, baseline_year=settings.BASELINE_YEAR, method_version=METHOD_VERSION)
        if run is None:
            raise ReportUnavailable(f"No roll-up of {year} can be computed, and none is stored.") from None
        logger.warning("report on %s uses stored run %s: today's inputs miss a factor", year, run.pk)
        return run


def _earlier_runs_ensure(*, year: int, trigger: str) -> None:
    """Runs of the years from the baseline to `year` with today's inputs, for the annual report's
    trend (the nightly run has usually stored them already; then nothing is written)."""
    for earlier in range(settings.BASELINE_YEAR, year):
        try:
            rollup_run_create(year=earlier, trigger=trigger)
        except MissingFactor:
            logger.warning("the trend of the %s report shows the stored run of %s, if any", year, earlier)


def report_get_or_create(*, kind: str, period_key: str) -> Report:
    """The report of `kind` for `period_key`, created (with its run) if it does not exist yet."""
    report = report_get(kind=kind, period_key=period_key)
    if report is not None:
        return report
    year = report_year(kind=kind, period_key=period_key)
    trigger = f"{kind} report {period_key}"
    if kind == Kind.ANNUAL:
        _earlier_runs_ensure(year=year, trigger=trigger)
    run = _run_for(year=year, trigger=trigger)
    with transaction.atomic():
        candidate = Report(kind=kind, period_key=period_key, run=run)
        # The unique constraint is the database's to decide: two workers may get here at once.
        candidate.full_clean(validate_constraints=False, validate_unique=False)
        report, _created = Report.objects.get_or_create(kind=kind, period_key=period_key, defaults={"run": run})
    return report


def _document(report: Report, now: datetime) -> Document:
    builder = monthly_document if report.kind == Kind.MONTHLY else annual_document
    return builder(report, now)


@dataclass(frozen=True)
class RenderedReport:
    report: Report
    pdf: bytes
    xlsx: bytes


def report_render(*, kind: str, period_key: str, language: str) -> RenderedReport:
    """The report's PDF and XLSX in `language`, from a stored run, stored and sent nowhere.

    The run is the issued report's if it was issued, else the newest stored run of the year: nothing
    is computed, so the files carry the figures of `rollup --json` for that run.
    """
    year = report_year(kind=kind, period_key=period_key)
    report = report_get(kind=kind, period_key=period_key)
    if report is None:
        run = rollup_run_latest(year=year, baseline_year=settings.BASELINE_YEAR, method_version=METHOD_VERSION)
        if run is None:
            raise ReportUnavailable(
                f"No roll-up of {year} is stored: run `python manage.py rollup --year {year}` first."
            )
        report = Report(kind=kind, period_key=period_key, run=run)  # not saved: this report is not issued
    with translation.override(language):
        document = _document(report, timezone.now())
        pdf, xlsx = _files(document)
        return RenderedReport(report=report, pdf=pdf, xlsx=xlsx)


def report_files_ensure(*, report: Report, languages: list[str]) -> list[ReportFile]:
    """Writes the report's PDF and XLSX in each language that has none yet; returns every file.

    The report's row is locked meanwhile, so a second worker waits and then finds the files.
    """
    wanted = {(language, file_format) for language in languages for file_format in Format.values}
    if wanted <= set(report.files.values_list("language", "format")):
        return list(report.files.all())
    written: list[str] = []
    storage = ReportFile._meta.get_field("file").storage
    try:
        with transaction.atomic():
            Report.objects.select_for_update().get(pk=report.pk)
            missing = wanted - set(report.files.values_list("language", "format"))
            now = timezone.now()
            for language in sorted({language for language, _format in missing}):
                with translation.override(language):
                    document = _document(report, now)
                    contents = dict(zip((Format.PDF, Format.XLSX), _files(document), strict=True))
                for file_format, content in sorted(contents.items()):
                    if (language, file_format) not in missing:
                        continue
                    record = ReportFile(
                        report=report,
                        language=language,
                        format=file_format,
                        sha256=hashlib.sha256(content).hexdigest(),
                        size_bytes=len(content),
                    )
                    record.file.save(f"report.{file_format}", ContentFile(content), save=False)
                    written.append(record.file.name)
                    record.full_clean()
                    record.save()
    except BaseException:
        for name in written:  # the rows were rolled back: their files must not stay behind
            storage.delete(name)
        raise
    return list(report.files.all())


def _message(report: Report, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of the email that carries the report, in `language`."""
    with translation.override(language):
        context = {
            "report": report,
            "run": report.run,
            "link": settings.PORTAL_BASE_URL + reverse("admin:reports_report_change", args=[report.pk]),
            "language": language,
        }
        if report.kind == Kind.MONTHLY:
            subject = gettext("Monthly status report %(period)s: green electricity of the supply chain") % {
                "period": report.period_key
            }
        else:
            subject = gettext("Annual green-electricity report %(year)s") % {"year": report.period_key}
        context["subject"] = subject
        return (
            subject,
            render_to_string("emails/report.txt", context),
            render_to_string("emails/report.html", context),
        )


def report_deliver(*, report: Report, recipient: Recipient) -> ReportDelivery | None:
    """Emails the report's files to one recipient, unless that was done (or is being done) already."""
    claim = claim_take(
        ReportDelivery,
        key={"report": report, "recipient": recipient.email},
        defaults={"user": recipient.user, "language": recipient.language},
    )
    if claim is None:
        return None
    files = [f for f in report.files.all() if f.language == claim.language]
    attachments = []
    for record in files:
        with record.file.open("rb") as handle:
            attachments.append(Attachment(record.filename, handle.read(), record.content_type))
    subject, text, html = _message(report, claim.language)
    log = email_send(
        kind=LOG_KINDS[report.kind],
        recipient=claim.recipient,
        user=claim.user,
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        related=report,
    )
    return claim_finish(claim=claim, log=log)


def report_issue(*, kind: str, period_key: str) -> ReportIssued:
    """Makes the report (once) in every recipient's language and sends it to each recipient (once).

    With no recipient configured, the report is made in the site's language for the admin.
    """
    recipients = report_recipients()
    report = report_get_or_create(kind=kind, period_key=period_key)
    languages = sorted({recipient.language for recipient in recipients}) or [settings.LANGUAGE_CODE]
    report_files_ensure(report=report, languages=languages)
    sent = failed = 0
    for recipient in recipients:
        delivery = report_deliver(report=report, recipient=recipient)
        if delivery is None:
            continue
        if delivery.state == ReportDelivery.State.SENT:
            sent += 1
        else:
            failed += 1
    logger.info("%s: %d sent, %d failed, %d recipients", report, sent, failed, len(recipients))
    states = list(report.deliveries.values_list("recipient", "state", "attempts").order_by("recipient"))
    return ReportIssued(
        report=report,
        sent=sent,
        failed=failed,
        delivered=tuple(address for address, state, _attempts in states if state == ReportDelivery.State.SENT),
        undelivered=tuple(address for address, state, _attempts in states if state == ReportDelivery.State.FAILED),
        in_progress=sum(1 for _address, state, _attempts in states if state == ReportDelivery.State.SENDING),
        retryable=sum(
            1
            for _address, state, attempts in states
            if state == ReportDelivery.State.FAILED and attempts < MAX_ATTEMPTS
        ),
    )


def _files(document: Document) -> tuple[bytes, bytes]:
    """The document as PDF and as XLSX. ReportLab and openpyxl are loaded with the first report a
    process makes: 24 MB of every web worker and import that never makes one (bench/RESULTS.md)."""
    from reports.documents.pdf import pdf_bytes
    from reports.documents.xlsx import xlsx_bytes

    return pdf_bytes(document), xlsx_bytes(document)
