"""Scheduled reports: built once from a stored roll-up run, PDF and XLSX carrying that run's figures,
emailed over SMTP once per recipient in their language, downloadable by staff only."""

import hashlib
import io
import json
import re
import shutil
import subprocess
import threading
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook
from pypdf import PdfReader
from pytest_django.fixtures import Settings as SettingsWrapper

from outbox.models import EmailLog
from portal.celery import app
from reports.models import Report, ReportDelivery, ReportFile, RollupRun
from reports.schedule import SCHEDULE
from reports.selectors.reporting import REPORT_RECIPIENTS_GROUP, report_recipients
from reports.services.reports import previous_month_key, previous_year_key, report_issue, report_year
from reports.tasks import annual_report, monthly_report
from suppliers.models import Supplier, User
from tests.concurrency import at_once
from tests.conftest import SmtpServer, free_port, smtp_settings
from tests.factories import ReportingPeriodFactory, SubmissionFactory, UserFactory
from tests.reports.test_worked_example import EXAMPLES, _load_example

# Files go to a temporary private folder (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("private_storage")

EXPECTED = json.loads((EXAMPLES / "expected-rollup-2024.json").read_text())
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "reports"
BOARD = "board@carmaker.example"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def tonnes(value: float) -> str:
    """A figure as the English PDF prints it: grouped by thousands, three decimals."""
    return f"{value:,.3f}"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def attachments(message: object) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def sheet_rows(workbook: object, title: str) -> list[list]:
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def figures(workbook: object, title: str = "Summary") -> dict[str, object]:
    """A key-figures sheet as {label: value}."""
    return {row[0]: row[1] for row in sheet_rows(workbook, title)[1:]}


@pytest.fixture
def recipients(settings: SettingsWrapper, charlie: User) -> dict[str, User]:
    """Two staff in the group "report recipients" (English and Chinese) and a listed address that is nobody's."""
    group, _created = Group.objects.get_or_create(name=REPORT_RECIPIENTS_GROUP)
    charlie.language = "en"
    charlie.save()
    wang = UserFactory(email="wang@carmaker.example", is_staff=True, language="zh-hans")
    group.user_set.add(charlie, wang)
    settings.REPORT_RECIPIENTS = [BOARD]
    return {"en": charlie, "zh-hans": wang}


@pytest.fixture
def celery_worker_env(smtp_server: SmtpServer, private_storage: Path) -> dict[str, str]:
    """The worker sends to this test's SMTP server, writes where this test reads, knows the board's address."""
    return {
        "PORTAL_TEST_EMAIL_URL": smtp_server.url,
        "PORTAL_TEST_PRIVATE_DIR": str(private_storage),
        "REPORT_RECIPIENTS": BOARD,
    }


def open_periods(today: date) -> None:
    """2025 overdue by 20 days (one supplier of five submitted, one approved, one returned, one
    drafting, one not started) and 2026 open, due in 100 days."""
    late = ReportingPeriodFactory(year=2025, due_date=today - timedelta(days=20), is_open=True)
    ReportingPeriodFactory(year=2026, due_date=today + timedelta(days=100), is_open=True)
    states = {"CN-0001": "submitted", "CN-0002": "approved", "CN-0003": "returned", "CN-0004": "draft"}
    for code, status in states.items():
        SubmissionFactory(supplier=Supplier.objects.get(code=code), period=late, status=status)


def render_pages(content: bytes, name: str) -> list[Path]:
    """The PDF's pages as PNG under test-artifacts/reports/, to be looked at."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils); CI installs it")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(ARTIFACTS / name)], check=True, timeout=60)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


# --- Through the worker, received over SMTP --------------------------------------------------------


@pytest.mark.worker
def test_annual_report_through_the_worker_arrives_by_smtp_with_the_rollup_figures(
    celery_worker_process: subprocess.Popen, smtp_server: SmtpServer, recipients: dict[str, User]
) -> None:
    _load_example()
    report_id = annual_report.delay(year=2024).get(timeout=120)["report"]

    smtp_server.wait_for(3)
    report = Report.objects.select_related("run").get(pk=report_id)
    assert (report.kind, report.period_key, report.run.year) == ("annual", "2024", 2024)
    run = RollupRun.objects.get(pk=report.run_id)  # a stored run
    for key in ("green_reduction_tco2e", "absolute_reduction_tco2e", "variance_pct", "market_based_tco2e"):
        assert abs(run.result[key] - EXPECTED[key]) < 0.0005, key

    (english,) = smtp_server.to(recipients["en"].email)
    files = attachments(english)
    assert set(files) == {"annual-report-2024-en.pdf", "annual-report-2024-en.xlsx"}
    text = pdf_text(files["annual-report-2024-en.pdf"])
    assert "Annual green-electricity report 2024" in text
    result = run.result
    for value in (
        result["green_reduction_tco2e"],  # the computed green-power reduction
        result["reported"]["tco2e"],  # the published figure
        result["green_reduction_tco2e"] - result["reported"]["tco2e"],  # the difference
        result["absolute_reduction_tco2e"],
        *result["decomposition"].values(),
    ):
        assert tonnes(value) in text, tonnes(value)
    assert f"{result['variance_pct']:.3f} %" in text  # -48.008 %
    assert "GEC-2024-LN-000118" in text  # the double-claimed batch, among the flags
    assert "MEE/NBS regional grid factor for 2022" in text  # the appendix's factor sources

    workbook = load_workbook(io.BytesIO(files["annual-report-2024-en.xlsx"]))
    summary = figures(workbook)
    assert summary["Computed green-power reduction"] == pytest.approx(result["green_reduction_tco2e"], abs=5e-4)
    assert summary["Published figure"] == pytest.approx(10000)
    assert summary["Variance"] == pytest.approx(result["variance_pct"], abs=5e-4)
    assert summary["Absolute reduction (market-based Scope 2)"] == pytest.approx(EXPECTED["absolute_reduction_tco2e"])
    decomposition = dict(sheet_rows(workbook, "Decomposition")[1:])
    assert decomposition["Green share"] == pytest.approx(EXPECTED["decomposition"]["green_share"], abs=5e-4)
    by_supplier = {row[0]: row for row in sheet_rows(workbook, "Suppliers")[1:]}
    header = sheet_rows(workbook, "Suppliers")[0]
    green = header.index("Green-power reduction (tCO2e)")
    for expected in EXPECTED["suppliers"]:
        assert by_supplier[expected["supplier_code"]][green] == pytest.approx(expected["green_reduction_tco2e"])

    # The Chinese recipient reads it in Chinese; the listed address in the site's language (English).
    (chinese,) = smtp_server.to(recipients["zh-hans"].email)
    chinese_files = attachments(chinese)
    assert set(chinese_files) == {"annual-report-2024-zh-hans.pdf", "annual-report-2024-zh-hans.xlsx"}
    chinese_text = pdf_text(chinese_files["annual-report-2024-zh-hans.pdf"])
    assert "沈阳电芯制造有限公司" in chinese_text  # a supplier's Chinese name, in the CJK font
    assert tonnes(result["green_reduction_tco2e"]) in chinese_text
    with translation.override("zh-hans"):
        assert " ".join(chinese["Subject"].split()) == gettext("Annual green-electricity report %(year)s") % {
            "year": "2024"
        }
    assert 'lang="zh-hans"' in chinese.get_body(("html",)).get_content()
    (board,) = smtp_server.to(BOARD)
    assert set(attachments(board)) == {"annual-report-2024-en.pdf", "annual-report-2024-en.xlsx"}

    # Stored once per language and format, with the checksum of what was sent.
    stored = {(f.language, f.format): f for f in ReportFile.objects.filter(report=report)}
    assert set(stored) == {("en", "pdf"), ("en", "xlsx"), ("zh-hans", "pdf"), ("zh-hans", "xlsx")}
    pdf = stored[("en", "pdf")]
    assert pdf.sha256 == hashlib.sha256(files["annual-report-2024-en.pdf"]).hexdigest()
    with pdf.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == pdf.sha256
    logs = EmailLog.objects.filter(kind=EmailLog.Kind.ANNUAL_REPORT)
    assert sorted(logs.values_list("recipient", "outcome")) == sorted(
        [(BOARD, "sent"), (recipients["en"].email, "sent"), (recipients["zh-hans"].email, "sent")]
    )
    assert all(log.related == report for log in logs)

    # For a reader: the pages as pictures (test-artifacts/reports/), a title page and charts.
    pages = render_pages(files["annual-report-2024-en.pdf"], "annual-2024-en")
    assert len(pages) >= 3 and all(page.stat().st_size > 10_000 for page in pages)
    render_pages(chinese_files["annual-report-2024-zh-hans.pdf"], "annual-2024-zh-hans")


@pytest.mark.worker
def test_monthly_report_through_the_worker_shows_coverage_overdue_flags_and_the_year_so_far(
    celery_worker_process: subprocess.Popen, smtp_server: SmtpServer, recipients: dict[str, User]
) -> None:
    _load_example(with_2025=False)  # 2025 is the period still being reported
    today = timezone.localdate()
    open_periods(today)
    report_id = monthly_report.delay(period_key="2024-11").get(timeout=120)["report"]

    smtp_server.wait_for(3)
    report = Report.objects.get(pk=report_id)
    assert (report.kind, report.period_key, report.run.year) == ("monthly", "2024-11", 2024)
    (english,) = smtp_server.to(recipients["en"].email)
    files = attachments(english)
    assert set(files) == {"monthly-report-2024-11-en.pdf", "monthly-report-2024-11-en.xlsx"}
    text = pdf_text(files["monthly-report-2024-11-en.pdf"])
    assert "Monthly status report: November 2024" in text
    assert tonnes(report.run.result["green_reduction_tco2e"]) in text  # the year so far, from the run
    assert tonnes(EXPECTED["green_reduction_tco2e"]) in text

    workbook = load_workbook(io.BytesIO(files["monthly-report-2024-11-en.xlsx"]))
    summary = figures(workbook)
    assert summary["Open reporting periods"] == 2
    assert summary["Submissions awaiting review"] == 1
    assert summary["Overdue reports"] == 3
    assert summary["Data-quality flags in the roll-up of 2024"] == len(EXPECTED["flags"])
    coverage = {row[0]: row for row in sheet_rows(workbook, "Coverage")[1:]}
    # Period, due date, approved, awaiting review, returned, draft, not started, not submitted, overdue.
    assert coverage["2025"][2:] == [1, 1, 1, 1, 1, 3, "yes"]
    assert coverage["2026"][2:] == [0, 0, 0, 0, 5, 5, "no"]
    overdue = {row[0]: row for row in sheet_rows(workbook, "Overdue")[1:]}
    assert set(overdue) == {"CN-0003", "CN-0004", "CN-0005"}
    assert {row[4] for row in overdue.values()} == {20}  # days overdue
    assert [overdue[code][5] for code in ("CN-0003", "CN-0004", "CN-0005")] == ["Returned", "Draft", "Not started"]
    year_to_date = figures(workbook, "Year to date")
    assert year_to_date["Computed green-power reduction"] == pytest.approx(EXPECTED["green_reduction_tco2e"])
    for code in ("CN-0003", "CN-0004", "CN-0005"):
        assert code in text
    render_pages(files["monthly-report-2024-11-en.pdf"], "monthly-2024-11-en")


@pytest.mark.worker
def test_the_job_run_twice_and_at_once_by_the_worker_and_another_process_gives_one_report_and_one_email_each(
    celery_worker_process: subprocess.Popen, smtp_server: SmtpServer, recipients: dict[str, User]
) -> None:
    _load_example()
    errors: list[BaseException] = []

    def here() -> None:
        try:
            report_issue(kind="annual", period_key="2024")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    # The worker takes the first job while this process runs the same service: two processes at once.
    first = annual_report.delay(year=2024)
    thread = threading.Thread(target=here)
    thread.start()
    second = annual_report.delay(year=2024)
    thread.join(timeout=120)
    assert first.get(timeout=120)["report"] == second.get(timeout=120)["report"]
    assert errors == []
    annual_report.apply(kwargs={"year": 2024}).get()  # and once more, here

    smtp_server.wait_for(3)
    assert Report.objects.count() == 1
    assert ReportFile.objects.count() == 4  # PDF and XLSX, English and Chinese
    assert sorted(address for mail in smtp_server.messages() for address in mail.recipients) == sorted(
        [BOARD, recipients["en"].email, recipients["zh-hans"].email]
    )
    assert EmailLog.objects.count() == 3
    assert set(ReportDelivery.objects.values_list("state", flat=True)) == {"sent"}


# --- In this process ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_threads_issuing_the_same_report_at_once_leave_one_report_and_one_email_per_recipient(
    smtp_server: SmtpServer, recipients: dict[str, User]
) -> None:
    _load_example()
    assert at_once(lambda: report_issue(kind="monthly", period_key="2024-11"), 4) == []
    assert Report.objects.count() == 1
    assert ReportFile.objects.count() == 4
    assert len(smtp_server.messages()) == 3
    assert sorted(EmailLog.objects.values_list("recipient", flat=True)) == sorted(
        [BOARD, recipients["en"].email, recipients["zh-hans"].email]
    )


@pytest.mark.django_db(transaction=True)
def test_running_the_job_again_sends_nothing_and_keeps_the_files(
    smtp_server: SmtpServer, recipients: dict[str, User]
) -> None:
    _load_example()
    first = report_issue(kind="annual", period_key="2024")
    files = dict(ReportFile.objects.values_list("pk", "sha256"))
    # New data after the report was made: the report of 2024 stays the one that was sent.
    call_command("reported_figure", "2024", "12000", "--source", "restated", stdout=StringIO())
    second = report_issue(kind="annual", period_key="2024")
    assert (first.sent, second.sent, second.failed) == (3, 0, 0)
    assert second.report == first.report and second.report.run_id == first.report.run_id
    assert dict(ReportFile.objects.values_list("pk", "sha256")) == files
    assert len(smtp_server.messages()) == 3


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_refuses_is_logged_as_failed_and_a_later_run_delivers_once(
    settings: SettingsWrapper, smtp_server: SmtpServer, recipients: dict[str, User]
) -> None:
    _load_example()
    smtp_settings(settings, free_port())  # nothing listens there
    down = report_issue(kind="annual", period_key="2024")
    assert (down.sent, down.failed) == (0, 3)
    failures = EmailLog.objects.filter(outcome=EmailLog.Outcome.FAILED)
    assert failures.count() == 3
    assert all("ConnectionRefusedError" in log.error for log in failures)
    assert smtp_server.messages() == []

    smtp_settings(settings, smtp_server.port)
    up = report_issue(kind="annual", period_key="2024")
    assert (up.sent, up.failed) == (3, 0)
    assert len(smtp_server.messages()) == 3
    assert set(ReportDelivery.objects.values_list("state", "attempts")) == {("sent", 2)}
    assert EmailLog.objects.filter(outcome=EmailLog.Outcome.SENT).count() == 3
    assert report_issue(kind="annual", period_key="2024").sent == 0


@pytest.mark.django_db(transaction=True)
def test_the_task_asks_to_be_retried_when_a_delivery_failed(
    settings: SettingsWrapper, recipients: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    _load_example()
    smtp_settings(settings, free_port())
    retried: list[dict] = []

    def retry(**options: object) -> Exception:
        retried.append(options)
        return RuntimeError("retry")

    monkeypatch.setattr(monthly_report, "retry", retry)
    with pytest.raises(RuntimeError, match="retry"):
        monthly_report.run(period_key="2024-11")
    assert retried and retried[0]["kwargs"] == {"period_key": "2024-11"} and retried[0]["countdown"] >= 60


@pytest.mark.django_db(transaction=True)
def test_the_spreadsheet_holds_numbers_as_numbers_and_no_formula(
    smtp_server: SmtpServer, recipients: dict[str, User]
) -> None:
    _load_example()
    Supplier.objects.filter(code="CN-0001").update(name_en='=HYPERLINK("http://x.example","click")')
    Supplier.objects.filter(code="CN-0002").update(name_en="@SUM(A1:A9)")
    report = report_issue(kind="annual", period_key="2024").report
    record = ReportFile.objects.get(report=report, language="en", format="xlsx")
    with record.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(FORMULA_STARTS):  # shown as typed, never evaluated
                        assert cell.data_type == "s" and cell.quotePrefix, cell.value
    assert '=HYPERLINK("http://x.example","click")' in texts and "@SUM(A1:A9)" in texts
    summary = workbook["Summary"]
    assert summary["B2"].data_type == "n" and isinstance(summary["B2"].value, float | int)


# --- Who gets it, and who may download it ---------------------------------------------------------------


@pytest.mark.django_db
def test_recipients_are_the_groups_active_staff_and_the_listed_addresses_each_once(
    settings: SettingsWrapper, recipients: dict[str, User], alice: User
) -> None:
    group = Group.objects.get(name=REPORT_RECIPIENTS_GROUP)
    gone = UserFactory(email="gone@carmaker.example", is_staff=True, is_active=False)
    group.user_set.add(alice, gone)  # a supplier's user never gets the portfolio's figures
    settings.REPORT_RECIPIENTS = [BOARD, "Charlie@Carmaker.example"]
    found = {r.email: (r.user, r.language) for r in report_recipients()}
    assert found == {
        BOARD: (None, "en"),
        recipients["en"].email: (recipients["en"], "en"),
        recipients["zh-hans"].email: (recipients["zh-hans"], "zh-hans"),
    }


@pytest.mark.django_db(transaction=True)
def test_staff_download_a_report_file_and_no_one_else(
    client: Client, smtp_server: SmtpServer, recipients: dict[str, User], alice: User
) -> None:
    _load_example()
    report = report_issue(kind="annual", period_key="2024").report
    record = ReportFile.objects.get(report=report, language="en", format="pdf")
    url = reverse("reports_file_download", args=[record.pk])

    client.force_login(User.objects.create_superuser("admin@carmaker.example", "a long admin password"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="annual-report-2024-en.pdf"' in response["Content-Disposition"]
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == record.sha256
    listing = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert url in listing
    assert client.get(reverse("admin:reports_report_change", args=[report.pk])).status_code == 200
    assert client.get(reverse("admin:reports_reportfile_changelist")).status_code == 200

    call_command("setup_roles", stdout=StringIO())
    reader = UserFactory(email="reader@carmaker.example", is_staff=True)
    reader.groups.add(Group.objects.get(name=REPORT_RECIPIENTS_GROUP))
    client.force_login(reader)  # the role gives the download
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(email="staff-without-role@carmaker.example", is_staff=True))
    assert client.get(url).status_code == 403
    client.force_login(alice)  # a supplier's user: the admin's login page
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_the_email_log_lists_without_a_query_per_row(
    client: Client, django_assert_max_num_queries: object, alice: User
) -> None:
    period = ReportingPeriodFactory(year=2025, due_date=date(2026, 3, 31))
    for index in range(30):
        EmailLog.objects.create(
            recipient=f"u{index}@supplier.example",
            user=alice,
            kind=EmailLog.Kind.REMINDER_DUE_SOON,
            subject="Reminder",
            content_type_id=None if index % 2 else _content_type_id(period),
            object_id=None if index % 2 else period.pk,
            outcome=EmailLog.Outcome.SENT,
        )
    client.force_login(User.objects.create_superuser("admin@carmaker.example", "a long admin password"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:outbox_emaillog_changelist"))
    assert response.status_code == 200
    assert response.content.decode().count(str(period)) >= 15


def _content_type_id(instance: object) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(instance).pk


# --- The rules the database keeps ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_a_second_report_file_or_delivery_of_the_same_thing() -> None:
    _load_example()
    run = RollupRun.objects.create(
        year=2024, baseline_year=2019, method_version="1", input_fingerprint="x",
        started_at=timezone.now(), finished_at=timezone.now(),
    )  # fmt: skip
    report = Report.objects.create(kind="annual", period_key="2024", run=run)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(kind="annual", period_key="2024", run=run)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(kind="monthly", period_key="2024", run=run)  # a month needs its month
    ReportFile.objects.create(report=report, language="en", format="pdf", file="x.pdf", sha256="0", size_bytes=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportFile.objects.create(report=report, language="en", format="pdf", file="y.pdf", sha256="1", size_bytes=1)
    ReportDelivery.objects.create(report=report, recipient=BOARD, language="en", claimed_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportDelivery.objects.create(report=report, recipient=BOARD, language="zh-hans", claimed_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailLog.objects.create(recipient=BOARD, kind="annual_report", subject="x", outcome="failed", error="")


# --- When the jobs run --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "month", "year"),
    [
        (date(2026, 12, 1), "2026-11", "2025"),
        (date(2027, 1, 1), "2026-12", "2026"),
        (date(2027, 3, 15), "2027-02", "2026"),
    ],
)
def test_the_jobs_default_to_the_month_and_year_just_ended(today: date, month: str, year: str) -> None:
    assert previous_month_key(today) == month
    assert previous_year_key(today) == year


@pytest.mark.parametrize(
    ("kind", "key"), [("monthly", "2026-13"), ("monthly", "2026"), ("annual", "2026-11"), ("x", "2026")]
)
def test_a_period_key_that_does_not_fit_the_kind_is_refused(kind: str, key: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(key))):
        report_year(kind=kind, period_key=key)


@pytest.mark.django_db
def test_setup_schedule_installs_the_report_and_reminder_jobs_and_keeps_admin_edits() -> None:
    call_command("setup_schedule", stdout=StringIO())
    tasks = {task.name: task for task in PeriodicTask.objects.select_related("crontab")}
    monthly, annual, reminders = tasks["Monthly status report"], tasks["Annual report"], tasks["Reminders to suppliers"]
    assert (monthly.task, monthly.crontab.day_of_month, monthly.crontab.hour, monthly.crontab.minute) == (
        "reports.monthly_report", "1", "7", "0",
    )  # fmt: skip
    assert (annual.task, annual.crontab.month_of_year, annual.crontab.day_of_month, annual.crontab.hour) == (
        "reports.annual_report", "4", "15", "7",
    )  # fmt: skip
    assert (reminders.task, reminders.crontab.hour, reminders.crontab.day_of_month) == (
        "reports.send_reminders",
        "8",
        "*",
    )
    assert str(reminders.crontab.timezone) == django_settings.TIME_ZONE
    for job in SCHEDULE:
        assert job.task in app.tasks, job.task  # every scheduled name is a registered task
    PeriodicTask.objects.filter(name="Annual report").update(enabled=False)
    call_command("setup_schedule", stdout=StringIO())
    assert not PeriodicTask.objects.get(name="Annual report").enabled
    assert PeriodicTask.objects.filter(name__in=[job.name for job in SCHEDULE]).count() == len(SCHEDULE)
