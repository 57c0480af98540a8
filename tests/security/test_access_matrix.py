"""Who may open what, over EVERY URL of the site and the admin, for six roles.

The URL list is read from the URL configuration (`get_resolver().url_patterns`), the admin's
model URLs included, so a page or a registered ModelAdmin added tomorrow is in the matrix the day
it is added: a URL this file cannot fill (its arguments) or classify (who may open it) FAILS with a
message saying where to add it. Only `api/` is left out, and only because the API has its own
matrix (tests/api/).

Roles: anonymous, supplier A, supplier B, and the staff roles of suppliers/roles.py (viewer,
reviewer, administrator, auditor, each a staff user in that group only; the auditor is assigned
2024, the year of the world's run, submitted submission and sample, while supplier A's draft and its
evidence are of 2025). Expectations:

- anonymous: the login page (site) or the admin's login page (admin); public account pages open;
- supplier B on supplier A's objects: 404, never a 403 that would confirm they exist;
- suppliers never reach the admin (sent to the admin's login page, as anonymous is);
- staff in the admin: exactly what suppliers/roles.py grants and the ModelAdmin allows at all
  (ADMIN_MODELS below), 403 otherwise; so a viewer reads and changes nothing, a reviewer reviews
  but does not manage factors or users, the administrator manages what roles.py gives them, the
  auditor reads the runs, lines, evidence, factors, certificates and history of 2024 (another
  year's evidence is a 404), draws samples and records results, and changes nothing else.

And: no GET and no refused request changes anything in the database; every view that changes
state refuses a GET (405) or answers it with a form or confirmation page that changes nothing; and
a POST without a CSRF token is refused (403) and changes nothing.
"""

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_celery_results.models import GroupResult, TaskResult
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from assurance.models import AuditAssignment
from outbox.models import EmailLog
from reports.models import EmissionFactor, PublishedFigure, Reminder, Report, ReportFile, RollupRun
from suppliers.models import (
    CertificateClaim,
    CertificateRange,
    Commitment,
    EvidenceFile,
    ReportingPeriod,
    Submission,
    Supplier,
    User,
)
from suppliers.roles import ROLES as ROLE_DEFINITIONS
from suppliers.services.uploads import pending_upload_store
from tests.factories import LineFactory, ReportingPeriodFactory, SubmissionFactory, UserFactory
from tests.files import pdf_file

pytestmark = pytest.mark.django_db

# The API (everything under /api/) is covered by the API's own access matrix in tests/api/.
EXCLUDED_PREFIXES = ("api/",)

ANONYMOUS, SUPPLIER_A, SUPPLIER_B = "anonymous", "supplier A", "supplier B"
VIEWER, REVIEWER, ADMINISTRATOR, AUDITOR = "viewer", "reviewer", "administrator", "auditor"
STAFF = (VIEWER, REVIEWER, ADMINISTRATOR, AUDITOR)
AUDITED_YEAR = 2024
ROLES = (ANONYMOUS, SUPPLIER_A, SUPPLIER_B, *STAFF)


# --- The world every request is made in ------------------------------------------------------


@dataclass
class World:
    """Supplier A's objects (alice's), supplier B's (bob's), the staff, and one object of every
    model registered in the admin."""

    users: dict[str, User]
    alice: User
    bob: User
    open_period: ReportingPeriod
    bobs_closed_period: ReportingPeriod
    alices_closed_period: ReportingPeriod  # closed, with supplier A's submitted submission only
    alices_submission: Submission
    submitted: Submission  # supplier A's, waiting for review
    alices_evidence: EvidenceFile
    bobs_evidence: EvidenceFile
    alices_upload_token: str
    bobs_upload_token: str
    run: RollupRun
    report_file: ReportFile
    objects: dict[str, models.Model] = field(default_factory=dict)  # "app_label.model_name" → one object


def _evidence(submission: Submission, user: User) -> EvidenceFile:
    content = pdf_file("a bill")
    evidence = EvidenceFile(
        submission=submission, original_name="bill.pdf", content_type="application/pdf",
        size_bytes=len(content), sha256="0" * 64, uploaded_by=user,
    )  # fmt: skip
    evidence.file.save("bill.pdf", ContentFile(content), save=True)
    return evidence


def _staff(role: str) -> User:
    from assurance.models import AuditAssignment

    user = UserFactory(email=f"{role}@carmaker.example", is_staff=True, supplier=None)
    user.groups.add(Group.objects.get(name=role))
    if role == AUDITOR:
        AuditAssignment.objects.create(user=user, year=AUDITED_YEAR)
    return user


@pytest.fixture
def world(alice: User, bob: User, settings, tmp_path, private_storage: Path) -> World:
    from reports.services.rollups import rollup_run_create

    settings.VAR_DIR = tmp_path  # pending bulk uploads
    call_command("setup_roles", stdout=StringIO())
    staff = {role: _staff(role) for role in STAFF}
    open_period = ReportingPeriodFactory(year=2025, kind="year", number=0, is_open=True)
    bobs_closed_period = ReportingPeriodFactory(year=2019, kind="year", number=0, is_open=False)
    submitted_period = ReportingPeriodFactory(year=2024, kind="year", number=0, is_open=False)
    alices = SubmissionFactory(supplier=alice.supplier, period=open_period, status=Submission.Status.DRAFT)
    bobs = SubmissionFactory(supplier=bob.supplier, period=bobs_closed_period, status=Submission.Status.DRAFT)
    line = LineFactory(
        submission__supplier=alice.supplier, submission__period=submitted_period,
        submission__status=Submission.Status.SUBMITTED, site=alice.supplier.sites.get(),
    )  # fmt: skip
    claim = CertificateClaim.objects.create(line=line, instrument="gec", batch_id="GEC-2024-0001")
    certificate_range = CertificateRange.objects.create(
        line=line, instrument="gec", stem="GEC", width=4, first="0001", last="0100", count=100
    )
    run = rollup_run_create(year=2024)
    _sample_make(run)
    report = Report.objects.create(kind=Report.Kind.ANNUAL, period_key="2024", run=run)
    report_file = ReportFile(report=report, language="en", format="pdf", sha256="0" * 64, size_bytes=5)
    report_file.file.save("annual.pdf", ContentFile(b"%PDF-"), save=True)
    now = timezone.now()
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    attempt = {"user_agent": "test", "ip_address": "192.0.2.1", "username": "x@example.com", "http_accept": "*/*",
               "path_info": "/accounts/login/"}  # fmt: skip
    objects = [
        alice.supplier, alice.supplier.sites.get(), open_period, line.submission, line, claim, certificate_range, alice,
        AuditAssignment.objects.get(user=staff[AUDITOR]),
        EmissionFactor.objects.create(region="EAST", year=2024, tco2_per_mwh="0.5703", source="MEE 2024"),
        PublishedFigure.objects.create(year=2024, tco2e=1_000_000, source="Sustainability report 2024"),
        Commitment.objects.create(
            supplier=bob.supplier, committed_on="2022-03-01", target_year=2030, target_green_share_percent=80,
            source="Sustainability report 2022",
        ),
        run, report, report_file,
        Reminder.objects.create(kind=Reminder.Kind.DUE_SOON, period=open_period, supplier=alice.supplier,
                                recipient=alice.email, user=alice, claimed_at=now),
        EmailLog.objects.create(recipient=alice.email, user=alice, kind=EmailLog.Kind.REMINDER_DUE_SOON,
                                subject="Reminder", outcome=EmailLog.Outcome.SENT),
        Group.objects.get(name=VIEWER),
        TaskResult.objects.create(task_id="task-1", status="SUCCESS"),
        GroupResult.objects.create(group_id="group-1"),
        PeriodicTask.objects.create(name="a job", task="reports.ping", interval=interval),
        ClockedSchedule.objects.create(clocked_time=now),
        CrontabSchedule.objects.create(minute="30", hour="2"),
        SolarSchedule.objects.create(event="sunrise", latitude="31.23", longitude="121.47"),
        interval,
        AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1),
        AccessLog.objects.create(**attempt),
        AccessFailureLog.objects.create(**attempt),
        TOTPDevice.objects.create(user=staff[ADMINISTRATOR], name="phone"),
        StaticDevice.objects.create(user=staff[ADMINISTRATOR], name="backup codes"),
    ]  # fmt: skip
    if apps.is_installed("api"):
        objects.append(apps.get_model("api", "ApiToken").objects.create(
            user=alice, name="energy management", scope="supplier_write", prefix="abcd", digest="0" * 64,
            expires_at=now + timedelta(days=30),
        ))  # fmt: skip
    return World(
        users={ANONYMOUS: None, SUPPLIER_A: alice, SUPPLIER_B: bob, **staff},
        alice=alice,
        bob=bob,
        open_period=open_period,
        bobs_closed_period=bobs_closed_period,
        alices_closed_period=submitted_period,
        alices_submission=alices,
        submitted=line.submission,
        alices_evidence=_evidence(alices, alice),
        bobs_evidence=_evidence(bobs, bob),
        alices_upload_token=pending_upload_store(user=alice, content=b"not a file", filename="a.csv"),
        bobs_upload_token=pending_upload_store(user=bob, content=b"not a file", filename="b.csv"),
        run=run,
        report_file=report_file,
        objects={obj._meta.label_lower: obj for obj in objects},
    )


# --- What each role should get -----------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """An answer: one of `statuses`, and for a redirect, to a path starting with `to` (if given)."""

    statuses: frozenset[int]
    to: str | None = None
    describe: str = ""
    granted: bool = False  # the role gets what it asked for (an allowed POST is undone afterwards)

    def check(self, response) -> str | None:
        """None if the response is this answer, else what it was instead."""
        if response.status_code not in self.statuses:
            where = f" → {response['Location']}" if response.has_header("Location") else ""
            return f"{response.status_code}{where}, expected {self.describe or sorted(self.statuses)}"
        if self.to is not None and not urlsplit(response["Location"]).path.startswith(self.to):
            return f"redirected to {response['Location']}, expected {self.describe}"
        return None


def ok(*statuses: int) -> Expect:
    return Expect(
        frozenset(statuses or {200}), describe=f"the page ({'/'.join(map(str, statuses or [200]))})", granted=True
    )


def redirect_to(url_name: str) -> Expect:
    return Expect(frozenset({302}), reverse(url_name), describe=f"a redirect to {reverse(url_name)}", granted=True)


LOGIN = Expect(frozenset({302}), "/accounts/login/", describe="a redirect to the login page")
ADMIN_LOGIN = Expect(frozenset({302}), "/admin/login/", describe="a redirect to the admin's login page")
NOT_FOUND = Expect(frozenset({404}), describe="404")
FORBIDDEN = Expect(frozenset({403}), describe="403")
NOT_ALLOWED = Expect(frozenset({405}), describe="405 (method not allowed)")


Build = Callable[[World], dict]


def _nothing(world: World) -> dict:
    return {}


@dataclass(frozen=True)
class Rule:
    """How to request one URL and what each role gets.

    `args` builds the URL's arguments (a dict for named ones, a list for positional ones);
    `data` builds the POST body or GET query; `method` is how the page is used. `expect` maps every
    role to its answer. `changes_state` marks a view that writes (or logs in or out): it is also
    tried with a GET and with a POST without a CSRF token, as `writer`.
    """

    expect: dict[str, Expect]
    args: Build = _nothing
    data: Build = _nothing
    query: Build = _nothing  # the query string of a GET
    method: str = "get"
    changes_state: bool = False
    writer: str | None = ADMINISTRATOR  # a role that may change state through it (for the CSRF test)
    # For a form page (GET shows it, POST writes): which roles may write; the others' POST is refused.
    may_write: Callable[[str], bool] | None = None
    model: str | None = None  # "app_label.model_name" of a ModelAdmin's URL

    def allowed(self, role: str) -> bool:
        return self.expect[role].granted


def roles_get(**answers: Expect) -> dict[str, Expect]:
    """Every role's answer; keyword names: anonymous, a, b, viewer, reviewer, administrator, auditor."""
    names = {"anonymous": ANONYMOUS, "a": SUPPLIER_A, "b": SUPPLIER_B, "viewer": VIEWER, "reviewer": REVIEWER,
             "administrator": ADMINISTRATOR, "auditor": AUDITOR}  # fmt: skip
    missing = set(names) - set(answers)
    assert not missing, f"say what {sorted(missing)} get"
    return {names[key]: answer for key, answer in answers.items()}


# Answers on a supplier's page by a staff member: staff have no supplier of their own.
STAFF_NOT_FOUND = {"viewer": NOT_FOUND, "reviewer": NOT_FOUND, "administrator": NOT_FOUND, "auditor": NOT_FOUND}


PAGE = ok()


def supplier_page(own: Expect = PAGE, staff: dict | None = None, **kwargs: object) -> Rule:
    """A page of one of supplier A's objects: supplier B must get a 404 for it."""
    return Rule(expect=roles_get(anonymous=LOGIN, a=own, b=NOT_FOUND, **(staff or STAFF_NOT_FOUND)), **kwargs)


def suppliers_page(staff: dict | None = None, **kwargs: object) -> Rule:
    """A supplier's page without an object (each supplier sees its own data on it)."""
    return Rule(expect=roles_get(anonymous=LOGIN, a=ok(), b=ok(), **(staff or STAFF_NOT_FOUND)), **kwargs)


def public_page(signed_in: Expect | None = None, anonymous: Expect | None = None, **kwargs: object) -> Rule:
    """A page anyone may open (account pages); `signed_in` is what a logged-in user gets, if different."""
    signed_in = signed_in or ok()
    return Rule(
        expect=roles_get(anonymous=anonymous or signed_in, a=signed_in, b=signed_in, viewer=signed_in, reviewer=signed_in,
                         administrator=signed_in, auditor=signed_in), **kwargs,
    )  # fmt: skip


_bad_link = {"uidb64": "MTIzNDU", "token": "c0ffee-0123456789abcdef0123456789abcdef"}

SITE: dict[str, Rule] = {
    # Public account pages. Logged in, the login page sends a supplier to the dashboard, staff on to the admin.
    "set_language": public_page(
        ok(302),
        ok(302),
        method="post",
        data=lambda w: {"language": "en", "next": "/"},
        changes_state=True,
        writer=SUPPLIER_A,
    ),
    "login": Rule(
        expect=roles_get(
            anonymous=ok(),
            a=redirect_to("dashboard"),
            b=redirect_to("dashboard"),
            viewer=redirect_to("dashboard"),
            reviewer=redirect_to("dashboard"),
            administrator=redirect_to("dashboard"),
            auditor=redirect_to("dashboard"),
        ),
        changes_state=True,
        writer=ANONYMOUS,
        data=lambda w: {"username": w.alice.email, "password": "correct horse battery staple"},
    ),
    # Logout is POST-only: a GET must not log anyone out.
    "logout": public_page(
        redirect_to("login"), redirect_to("login"), method="post", changes_state=True, writer=SUPPLIER_A
    ),
    "password_reset": public_page(ok(), changes_state=True, writer=ANONYMOUS, data=lambda w: {"email": w.alice.email}),
    "password_reset_done": public_page(ok()),
    "password_reset_complete": public_page(ok()),
    # A stale or forged link shows "this link has been used already", not an error.
    "password_reset_confirm": public_page(
        ok(),
        args=lambda w: _bad_link,
        changes_state=True,
        writer=ANONYMOUS,
        data=lambda w: {"new_password1": "a new long password", "new_password2": "a new long password"},
    ),
    "invitation_accept": public_page(
        ok(),
        args=lambda w: _bad_link,
        changes_state=True,
        writer=ANONYMOUS,
        data=lambda w: {"new_password1": "a new long password", "new_password2": "a new long password"},
    ),
    # The supplier's pages. Staff are sent from the dashboard to the admin; the others are a supplier's own.
    "dashboard": suppliers_page(
        staff={role: redirect_to("admin:index") for role in ("viewer", "reviewer", "administrator", "auditor")}
    ),
    "period_history": suppliers_page(),
    "upload": suppliers_page(changes_state=True, writer=SUPPLIER_A),
    "upload_template": suppliers_page(),
    "upload_confirm": supplier_page(
        ok(200, 302),
        method="post",
        data=lambda w: {"token": w.alices_upload_token},
        changes_state=True,
        writer=SUPPLIER_A,
    ),
    "period_detail": supplier_page(args=lambda w: {"period_id": w.alices_closed_period.pk}),
    "period_submit": supplier_page(
        ok(200, 302),
        method="post",
        args=lambda w: {"period_id": w.alices_closed_period.pk},
        changes_state=True,
        writer=SUPPLIER_A,
    ),
    "period_message": supplier_page(
        ok(302),
        method="post",
        args=lambda w: {"period_id": w.alices_closed_period.pk},
        data=lambda w: {"body": "The March bill is attached."},
        changes_state=True,
        writer=SUPPLIER_A,
    ),
    "evidence_upload": supplier_page(
        ok(200, 302),
        method="post",
        args=lambda w: {"period_id": w.alices_closed_period.pk},
        changes_state=True,
        writer=SUPPLIER_A,
    ),
    # Staff read every supplier's evidence (the submission's page in the admin links to it); an
    # auditor only that of the years assigned, and this file is of 2025.
    "evidence_download": supplier_page(
        args=lambda w: {"evidence_id": w.alices_evidence.pk},
        staff={"viewer": ok(), "reviewer": ok(), "administrator": ok(), "auditor": NOT_FOUND},
    ),
    "evidence_delete": supplier_page(
        ok(302),
        method="post",
        args=lambda w: {"evidence_id": w.alices_evidence.pk},
        changes_state=True,
        writer=SUPPLIER_A,
    ),
}


# --- The admin ----------------------------------------------------------------------------------


def _permissions(role: str) -> set[str]:
    """The role's permissions as suppliers/roles.py writes them: "app.model.action" (none for non-staff)."""
    return set(ROLE_DEFINITIONS[role]["permissions"]) if role in STAFF else set()


def role_may(role: str, model: str, action: str) -> bool:
    """Whether roles.py gives `role` the `action` on `model` (view is implied by change, as in the admin)."""
    granted = _permissions(role)
    if action == "view":
        return f"{model}.view" in granted or f"{model}.change" in granted
    return f"{model}.{action}" in granted


VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
EVERYTHING = frozenset({VIEW, ADD, CHANGE, DELETE})
READ_ONLY = frozenset({VIEW})

# What each registered ModelAdmin lets anyone do at all (its has_*_permission overrides). A model
# registered in the admin and missing here fails the matrix: add it with what its admin allows.
ADMIN_MODELS: dict[str, frozenset[str]] = {
    "auth.group": EVERYTHING,
    "django_celery_results.taskresult": EVERYTHING,
    "django_celery_results.groupresult": EVERYTHING,
    "django_celery_beat.periodictask": EVERYTHING,
    "django_celery_beat.clockedschedule": EVERYTHING,
    "django_celery_beat.crontabschedule": EVERYTHING,
    "django_celery_beat.solarschedule": EVERYTHING,
    "django_celery_beat.intervalschedule": EVERYTHING,
    "axes.accessattempt": EVERYTHING,
    "axes.accesslog": EVERYTHING,
    "axes.accessfailurelog": EVERYTHING,
    "otp_totp.totpdevice": EVERYTHING,
    "otp_static.staticdevice": EVERYTHING,
    "suppliers.supplier": EVERYTHING,
    "suppliers.site": EVERYTHING,
    "suppliers.reportingperiod": EVERYTHING,
    "suppliers.submission": frozenset({VIEW, CHANGE}),  # decided by review, never added or deleted
    "suppliers.certificateclaim": frozenset({VIEW, CHANGE, DELETE}),
    "suppliers.commitment": EVERYTHING,
    "suppliers.user": EVERYTHING,
    "reports.emissionfactor": EVERYTHING,
    "reports.publishedfigure": EVERYTHING,
    "reports.rolluprun": READ_ONLY,  # records of computations
    "reports.report": READ_ONLY,  # written by the scheduled jobs
    "reports.reportfile": READ_ONLY,
    "reports.reminder": READ_ONLY,
    "outbox.emaillog": READ_ONLY,
    "suppliers.line": READ_ONLY,  # written through the period page, the import and the API
    "suppliers.certificaterange": READ_ONLY,  # the ledger of claimed serials, written with its line
    "assurance.auditassignment": EVERYTHING,
    "api.apitoken": frozenset({VIEW, CHANGE, DELETE}),  # made on /api/tokens/, revoked here
}


def admin_may(role: str, model: str, action: str) -> bool:
    return action in ADMIN_MODELS[model] and role_may(role, model, action)


def admin_area_page(staff: Callable[[str], Expect], **kwargs: object) -> Rule:
    """An admin page: anonymous and suppliers go to the admin's login page; `staff(role)` for staff."""
    return Rule(expect=roles_get(anonymous=ADMIN_LOGIN, a=ADMIN_LOGIN, b=ADMIN_LOGIN,
                                 **{role: staff(role) for role in STAFF}), **kwargs)  # fmt: skip


admin_page = admin_area_page


def permitted(model: str, action: str, yes: Expect | None = None) -> Callable[[str], Expect]:
    return lambda role: (yes or ok()) if admin_may(role, model, action) else FORBIDDEN


def _object(model: str) -> Build:
    def build(world: World) -> dict:
        if model not in world.objects:
            pytest.fail(f"The world has no {model}: add one to the `world` fixture of {__name__}.")
        return {"object_id": world.objects[model].pk}

    return build


def model_admin_rule(model: str, kind: str, model_admin: admin.ModelAdmin) -> Rule:
    """The rule of one of the URLs every ModelAdmin has."""
    obj = _object(model)

    def admin_page(staff: Callable[[str], Expect], **kwargs: object) -> Rule:
        return admin_area_page(staff, model=model, **kwargs)

    if kind == "changelist":
        # A POST runs an admin action (delete_selected needs the delete permission).
        return admin_page(permitted(model, VIEW), changes_state=True, writer=_writer(model, DELETE),
                          may_write=lambda role: admin_may(role, model, DELETE),
                          data=lambda w: {"action": "delete_selected", "post": "yes",
                                          "_selected_action": [obj(w)["object_id"]]})  # fmt: skip
    if kind == "add":
        return admin_page(permitted(model, ADD), changes_state=True, writer=_writer(model, ADD),
                          may_write=lambda role: admin_may(role, model, ADD))  # fmt: skip
    if kind == "change":
        return admin_page(permitted(model, VIEW), args=obj, changes_state=True, writer=_writer(model, CHANGE),
                          may_write=lambda role: admin_may(role, model, CHANGE))  # fmt: skip
    if kind == "history":
        return admin_page(permitted(model, VIEW), args=obj)
    if kind == "delete":
        return admin_page(
            permitted(model, DELETE), args=obj, changes_state=True, writer=_writer(model, DELETE),
            data=lambda w: {"post": "yes"}, may_write=lambda role: admin_may(role, model, DELETE),
        )  # fmt: skip
    if kind == "simple_history":  # one past version; a POST reverts the object to it

        def version(world: World) -> list:
            record = world.objects[model].history.order_by("history_id").first()
            return [world.objects[model].pk, record.history_id]

        return admin_page(permitted(model, VIEW), args=version, changes_state=True, writer=_writer(model, CHANGE),
                          data=lambda w: _revert_data(model_admin, w), may_write=lambda role: admin_may(role, model, CHANGE))  # fmt: skip
    if kind == "redirect":  # admin/<app>/<model>/<id>/ → its change page
        return admin_page(lambda role: ok(302), args=lambda w: {"object_id": obj(w)["object_id"]})
    raise AssertionError(kind)


def _revert_data(model_admin: admin.ModelAdmin, world: World) -> dict:
    """The admin form of the object as it stands, as a browser would post it back (a revert)."""
    from django.forms import CheckboxInput, MultiWidget
    from django.test import RequestFactory

    obj = world.objects[model_admin.model._meta.label_lower]
    request = RequestFactory().get("/")
    request.user = world.users[ADMINISTRATOR]
    form = model_admin.get_form(request, obj)(instance=obj)
    data = {}
    for name in form.fields:
        bound = form[name]
        widget, value = bound.field.widget, bound.value()
        if isinstance(widget, MultiWidget):
            data.update({f"{name}_{i}": part for i, part in enumerate(widget.decompress(value)) if part is not None})
        elif isinstance(widget, CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is not None and widget.format_value(value) is not None:  # an empty file field: nothing sent
            data[name] = widget.format_value(value)
    return data


def _writer(model: str, action: str) -> str | None:
    """A staff role that may do `action` on `model`, for the CSRF test (None: nobody may)."""
    return next((role for role in STAFF if admin_may(role, model, action)), None)


def granted(model: str, action: str, yes: Expect | None = None) -> Callable[[str], Expect]:
    """Like permitted, for a page that is not a ModelAdmin's: what roles.py gives the role."""
    return lambda role: (yes or ok()) if role_may(role, model, action) else FORBIDDEN


def _sample_make(run: RollupRun) -> None:
    """A sample of the world's run with one line (made directly: the world's data moves on after
    its run, which a real draw refuses)."""
    from assurance.models import AssuranceSample, SampledLine

    sample = AssuranceSample.objects.create(run=run, size=1, seed=1, population_tco2e=1, population_lines=1)
    SampledLine.objects.create(
        sample=sample, position=1, supplier_code="CN-A001", site_code="A1", period="2024",
        avoided_tco2e=1, tco2_per_mwh="0.5",
    )  # fmt: skip


def _sample(world: World) -> models.Model:
    from assurance.models import AssuranceSample

    return AssuranceSample.objects.get(run=world.run)


def _year(world: World) -> dict:
    return {"year": 2024}


# The admin's own pages and the staff pages added to it (portal/urls.py, ModelAdmin.get_urls).
ADMIN: dict[str, Rule] = {
    "admin:index": admin_page(lambda role: ok()),
    # Logged in, the admin's login page sends staff on to the admin; a supplier sees the form
    # ("you are not authorised"), never a page of the admin.
    "admin:login": Rule(
        expect=roles_get(
            anonymous=ok(),
            a=ok(),
            b=ok(),
            viewer=redirect_to("admin:index"),
            reviewer=redirect_to("admin:index"),
            administrator=redirect_to("admin:index"),
            auditor=redirect_to("admin:index"),
        )
    ),
    # Logging out of the admin when not logged in to it leads to the admin's index (and so to its login).
    "admin:logout": Rule(
        expect=roles_get(
            anonymous=redirect_to("admin:index"),
            a=redirect_to("admin:index"),
            b=redirect_to("admin:index"),
            viewer=redirect_to("login"),
            reviewer=redirect_to("login"),
            administrator=redirect_to("login"),
            auditor=redirect_to("login"),
        ),
        method="post",
        changes_state=True,
    ),
    "admin:password_change": admin_page(
        lambda role: ok(),
        changes_state=True,
        data=lambda w: {
            "old_password": "x",
            "new_password1": "a new long password",
            "new_password2": "a new long password",
        },
    ),
    "admin:password_change_done": admin_page(lambda role: ok()),
    "admin:autocomplete": admin_page(
        permitted("suppliers.supplier", VIEW),
        query=lambda w: {"app_label": "suppliers", "model_name": "user", "field_name": "supplier", "term": "CN"},
    ),
    "admin:jsi18n": admin_page(lambda role: ok()),
    # Objects have no page on the site: "view on site" is a 404 for staff.
    "admin:view_on_site": admin_page(
        lambda role: NOT_FOUND,
        args=lambda w: {
            "content_type_id": ContentType.objects.get_for_model(Supplier).pk,
            "object_id": w.alice.supplier_id,
        },
    ),
    "admin:app_list": admin_page(
        lambda role: (
            ok() if any(role_may(role, m, VIEW) for m in ADMIN_MODELS if m.startswith("suppliers.")) else NOT_FOUND
        ),
        args=lambda w: {"app_label": "suppliers"},
    ),
    # Any other path under /admin/ is a 404 for staff, and the login page for everyone else.
    "admin/(?P<url>.*)$": admin_page(lambda role: NOT_FOUND, args=lambda w: {"url": "no-such-page/"}),
    # The device pages of django-otp need its permissions, which no role has (superusers only).
    "admin:otp_totp_totpdevice_config": admin_page(
        permitted("otp_totp.totpdevice", CHANGE, ok()), args=lambda w: {"pk": w.objects["otp_totp.totpdevice"].pk}
    ),
    "admin:otp_totp_totpdevice_qrcode": admin_page(
        permitted("otp_totp.totpdevice", CHANGE, ok()), args=lambda w: {"pk": w.objects["otp_totp.totpdevice"].pk}
    ),
    # The staff pages of reports/urls.py.
    "reports_comparison": admin_page(permitted("reports.rolluprun", VIEW)),
    # Asks the worker for a fresh run (nothing new is stored if nothing changed): readers may, but
    # not an auditor, who changes nothing but their samples.
    "reports_comparison_refresh": admin_page(
        lambda role: FORBIDDEN if role == AUDITOR else permitted("reports.rolluprun", VIEW, ok(302))(role),
        method="post",
        data=_year,
        changes_state=True,
        writer=VIEWER,
    ),
    # Where a requested run stands (JSON): whoever may read runs.
    "reports_comparison_status": admin_page(permitted("reports.rolluprun", VIEW), query=_year),
    "reports_run_export": admin_page(
        permitted("reports.rolluprun", VIEW),
        args=lambda w: {"run_id": w.run.pk, "kind": "suppliers", "file_format": "csv"},
    ),
    "reports_run_suppliers": admin_page(permitted("reports.rolluprun", VIEW), args=lambda w: {"run_id": w.run.pk}),
    "reports_run_method": admin_page(permitted("reports.rolluprun", VIEW), args=lambda w: {"run_id": w.run.pk}),
    # The verifier's pages of assurance/urls.py.
    "assurance_run_samples": admin_page(
        granted("assurance.assurancesample", VIEW), args=lambda w: {"run_id": w.run.pk}
    ),
    # The world's data moved on since its run: the pack is refused, back to the samples with the reason.
    "assurance_run_pack": admin_page(
        permitted("reports.rolluprun", VIEW, ok(302)), args=lambda w: {"run_id": w.run.pk}
    ),
    "assurance_sample": admin_page(
        granted("assurance.assurancesample", VIEW), args=lambda w: {"sample_id": _sample(w).pk}
    ),
    "assurance_sampled_line_result": admin_page(
        granted("assurance.sampledline", CHANGE, ok(302)),
        method="post",
        args=lambda w: {"sampled_id": _sample(w).lines.first().pk},
        data=lambda w: {"result": "agreed", "comment": ""},
        changes_state=True,
        writer=next(role for role in STAFF if role_may(role, "assurance.sampledline", CHANGE)),
    ),
    # It names claimants of every year: not an auditor's page (their years' claims are in the ledger).
    "reports_double_claims": admin_page(
        lambda role: FORBIDDEN if role == AUDITOR else permitted("reports.rolluprun", VIEW)(role)
    ),
    "reports_double_claim_reject": admin_page(
        permitted("suppliers.submission", CHANGE, ok(302)),
        method="post",
        args=lambda w: {"submission_id": w.submitted.pk},
        data=lambda w: {"version": w.submitted.version, "review_comment": "Certificate claimed twice."},
        changes_state=True,
        writer=REVIEWER,
    ),
    "reports_file_download": admin_page(
        lambda role: ok() if "reports.report.view" in _permissions(role) else FORBIDDEN,
        args=lambda w: {"file_id": w.report_file.pk},
    ),
    # The custom pages of suppliers/admin.py.
    "admin:suppliers_submission_import": admin_page(
        permitted("suppliers.submission", CHANGE),
        changes_state=True,
        writer=REVIEWER,
        may_write=lambda role: role_may(role, "suppliers.submission", CHANGE),
    ),
    "admin:suppliers_submission_review": admin_page(
        permitted("suppliers.submission", CHANGE, ok(302)),
        method="post",
        args=lambda w: {"object_id": w.submitted.pk},
        data=lambda w: {"version": w.submitted.version, "decision": "approve"},
        changes_state=True,
        writer=REVIEWER,
    ),
    # A message to the supplier on a submission: staff who may change submissions write, others read.
    "admin:suppliers_submission_message": admin_page(
        permitted("suppliers.submission", CHANGE, ok(302)),
        method="post",
        args=lambda w: {"object_id": w.submitted.pk},
        data=lambda w: {"body": "Please attach the March bill."},
        changes_state=True,
        writer=REVIEWER,
    ),
    "admin:suppliers_user_invite": admin_page(
        permitted("suppliers.user", ADD),
        changes_state=True,
        writer=_writer("suppliers.user", ADD),
        may_write=lambda role: role_may(role, "suppliers.user", ADD),
        data=lambda w: {"email": "new@supplier-a.example", "supplier": w.alice.supplier_id, "language": "en"},
    ),
    "admin:auth_user_password_change": admin_page(
        permitted("suppliers.user", CHANGE),
        args=lambda w: {"id": w.alice.pk},
        changes_state=True,
        writer=_writer("suppliers.user", CHANGE),
        may_write=lambda role: role_may(role, "suppliers.user", CHANGE),
        data=lambda w: {"password1": "a new long password", "password2": "a new long password"},
    ),
}

MODEL_URL_KINDS = ("changelist", "add", "history", "delete", "change", "simple_history")


# --- Reading the URL configuration ------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    key: str  # "namespace:name", or the route of an unnamed URL
    route: str
    arguments: tuple[str, ...]
    name: str | None


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Url]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            regex = pattern.pattern.regex
            arguments = tuple(regex.groupindex) or tuple(f"#{i}" for i in range(regex.groups))
            key = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or route)
            yield Url(key, route, arguments, pattern.name)


def site_urls() -> list[Url]:
    return [url for url in _walk(get_resolver().url_patterns) if not url.route.startswith(EXCLUDED_PREFIXES)]


def _registered_models() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()}


def rule_for(url: Url) -> Rule:
    """The rule of a URL, or a failure saying where to add one."""
    if url.key in SITE:
        return SITE[url.key]
    if url.key in ADMIN:
        return ADMIN[url.key]
    registered = _registered_models()
    for label, model_admin in registered.items():
        app_label, model_name = label.split(".")
        stem = f"admin:{app_label}_{model_name}_"
        if url.key.startswith(stem) and url.key[len(stem) :] in MODEL_URL_KINDS:
            if label not in ADMIN_MODELS:
                pytest.fail(
                    f"{label} is registered in the admin but not in the access matrix: add it to ADMIN_MODELS in "
                    f"{__name__} with what its ModelAdmin allows, and an object of it to the `world` fixture."
                )
            return model_admin_rule(label, url.key[len(stem) :], model_admin)
        if url.name is None and url.route == f"admin/{app_label}/{model_name}/<path:object_id>/":
            return model_admin_rule(label, "redirect", model_admin)
    pytest.fail(
        f"The URL {url.key!r} ({url.route}, arguments: {', '.join(url.arguments) or 'none'}) is not in the access "
        f"matrix: add a rule for it to SITE or ADMIN in {__name__}, saying how to fill its arguments and what "
        "each role gets."
    )


def _reverse(url: Url, rule: Rule, world: World) -> str:
    args = rule.args(world)
    try:
        if isinstance(args, list):
            return reverse(url.key if url.name else url.route, args=args)
        if url.name is None:  # an unnamed pattern: fill it by resolving its route's own parts
            return "/" + _fill_route(url.route, args)
        return reverse(url.key, kwargs=args or None)
    except Exception as error:
        pytest.fail(f"{url.key}: cannot build the URL from {args!r} ({error}); fix its rule in {__name__}.")


def _fill_route(route: str, values: dict) -> str:
    """Fills <converter:name> and (?P<name>...) parts of an unnamed route."""
    filled = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    filled = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), filled)
    return filled.lstrip("^").rstrip("$")


# --- The database, to prove a request changed nothing ----------------------------------------------

# The session and the login attempts change with every login; the others must not change.
VOLATILE = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def database_state() -> dict[str, str]:
    """A digest of every row of every table (the many-to-many ones too), by model."""
    state = {}
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in VOLATILE or model._meta.proxy or model._meta.db_table not in tables:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        state[model._meta.label_lower] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return state


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in before if before[table] != after.get(table))


# --- The tests -------------------------------------------------------------------------------------


def _client(world: World, role: str, **options: object) -> Client:
    client = Client(**options)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _request(client: Client, method: str, url: str, data: dict):
    return getattr(client, method)(url, data)


def test_every_url_is_in_the_matrix() -> None:
    """Fails, naming it, for any URL without a rule (and so before the slow tests run)."""
    for url in site_urls():
        rule = rule_for(url)
        assert set(rule.expect) == set(ROLES), url.key


def test_the_matrix_names_only_urls_that_exist() -> None:
    """A rule left behind by a removed or renamed URL would hide that its successor is untested."""
    keys = {url.key for url in site_urls()}
    stale = sorted((set(SITE) | set(ADMIN)) - keys)
    assert stale == [], f"rules for URLs that no longer exist: {stale}"
    registered = set(_registered_models())
    assert set(ADMIN_MODELS) == registered, f"ADMIN_MODELS differs from the admin: {set(ADMIN_MODELS) ^ registered}"


def test_a_url_the_matrix_does_not_know_fails_with_a_message_saying_to_add_it() -> None:
    unknown = Url("invoice_detail", "invoices/<int:invoice_id>/", ("invoice_id",), "invoice_detail")
    with pytest.raises(pytest.fail.Exception, match="add a rule for it to SITE or ADMIN"):
        rule_for(unknown)
    with pytest.raises(pytest.fail.Exception, match="cannot build the URL"):
        _reverse(Url("period_detail", "periods/<int:period_id>/", ("period_id",), "period_detail"),
                 Rule(expect={}, args=lambda w: {"invoice_id": 1}), None)  # fmt: skip


def test_only_the_api_is_left_out() -> None:
    every = list(_walk(get_resolver().url_patterns))
    left_out = {url.route for url in every} - {url.route for url in site_urls()}
    assert all(route.startswith("api/") for route in left_out), left_out
    assert len(site_urls()) > 150  # the site and the whole admin, every registered model


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_may_on_every_url(world: World, role: str) -> None:
    """One request per URL for the role; an allowed POST is undone afterwards (a savepoint rolled
    back), while GETs and refused requests are kept, and must have changed nothing."""
    client = _client(world, role)
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    before = database_state()
    wrong = []
    for url in site_urls():
        rule = rule_for(url)
        address = _reverse(url, rule, world)
        data = rule.data(world) if rule.method == "post" else rule.query(world)
        if session is not None:  # a logout or a login in an earlier request must not change who asks
            client.cookies[settings.SESSION_COOKIE_NAME] = session.value
        if rule.method == "post" and rule.allowed(role):
            with transaction.atomic():
                response = _request(client, rule.method, address, data)
                transaction.set_rollback(True)
        else:
            response = _request(client, rule.method, address, data)
        problem = rule.expect[role].check(response)
        if problem:
            wrong.append(f"{rule.method.upper()} {address} ({url.key}): {problem}")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)
    assert changed_tables(before, database_state()) == [], "a GET or a refused request changed the database"


def _state_changing() -> list[Url]:
    return [url for url in site_urls() if rule_for(url).changes_state]


def test_a_view_that_changes_state_changes_nothing_on_a_get(world: World) -> None:
    """As the role that may write through it: a POST-only view answers 405; a form page shows the
    form or the confirmation page (or redirects); the database is as it was."""
    clients = {role: _client(world, role) for role in ROLES}
    before = database_state()
    wrong = []
    # A view nobody may write through is left to the matrix, whose GETs by every role change nothing.
    for url in [url for url in _state_changing() if rule_for(url).writer is not None]:
        rule = rule_for(url)
        response = clients[rule.writer].get(_reverse(url, rule, world))
        expected = (405,) if rule.method == "post" else (200, 302)
        if response.status_code not in expected:
            wrong.append(f"GET {url.key}: {response.status_code}, expected {expected}")
        if changed := changed_tables(before, database_state()):
            wrong.append(f"GET {url.key} changed {changed}")
            before = database_state()
    assert wrong == []
    assert len(_state_changing()) > 60  # the site's forms and actions and every ModelAdmin's


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(world: World) -> None:
    """As the role that may write through it, with the CSRF cookie a browser has but without the
    token, as a form on another site would post it."""
    clients = {}
    for role in ROLES:
        clients[role] = _client(world, role, enforce_csrf_checks=True)
        clients[role].get(reverse("password_reset"))  # the browser has a CSRF cookie
        assert settings.CSRF_COOKIE_NAME in clients[role].cookies
    before = database_state()
    wrong = []
    for url in _state_changing():
        rule = rule_for(url)
        response = clients[rule.writer or ADMINISTRATOR].post(_reverse(url, rule, world), rule.data(world))
        if response.status_code != 403 or b"CSRF" not in response.content:
            wrong.append(f"POST {url.key}: {response.status_code}, expected 403 (CSRF)")
    assert wrong == []
    assert changed_tables(before, database_state()) == []


def test_a_post_by_a_role_that_may_not_write_is_refused_and_changes_nothing(world: World) -> None:
    """The form pages (add, change, delete, revert, actions, invite, import, passwords): whoever may
    not write there gets 403 (staff) or the admin's login page (anyone else) for a POST with a valid
    CSRF token, and nothing changes. The writer's own POST of a revert is accepted (and undone),
    so that the refusal is not an invalid form's."""
    clients = {role: _client(world, role) for role in ROLES}
    before = database_state()  # after the logins, which set last_login
    wrong = []
    form_pages = [url for url in site_urls() if rule_for(url).may_write is not None]
    for url in form_pages:
        rule = rule_for(url)
        address = _reverse(url, rule, world)
        for role in [role for role in ROLES if not rule.may_write(role)]:
            response = clients[role].post(address, rule.data(world))
            if url.key.endswith("_changelist") and admin_may(role, rule.model, VIEW):
                # A reader posting an action it is not offered gets "no action selected".
                problem = None if response.status_code in (200, 302) else f"{response.status_code}"
            else:
                problem = (FORBIDDEN if role in STAFF else ADMIN_LOGIN).check(response)
            if problem:
                wrong.append(f"POST {url.key} as {role}: {problem}")
        if changed := changed_tables(before, database_state()):
            wrong.append(f"POST {url.key} by a role that may not write changed {changed}")
            before = database_state()
        if url.key.endswith("_simple_history") and rule.writer is not None:
            with transaction.atomic():
                response = clients[rule.writer].post(address, rule.data(world))
                if response.status_code != 302 or changed_tables(before, database_state()) == []:
                    wrong.append(f"POST {url.key} as {rule.writer}: the revert was not accepted; fix its data")
                transaction.set_rollback(True)
    assert wrong == []
    assert len(form_pages) > 100


# --- The roles, as the issue states them (a change to roles.py that breaks one fails here) -----------


def test_a_viewer_may_only_read() -> None:
    for model in ADMIN_MODELS:
        for action in (ADD, CHANGE, DELETE):
            assert not role_may(VIEWER, model, action), f"a viewer may {action} {model}"
    assert role_may(VIEWER, "suppliers.submission", VIEW) and role_may(VIEWER, "reports.rolluprun", VIEW)


def test_a_reviewer_reviews_but_manages_neither_factors_nor_figures_nor_users() -> None:
    assert role_may(REVIEWER, "suppliers.submission", CHANGE)
    for model in ("reports.emissionfactor", "reports.publishedfigure", "suppliers.user", "auth.group",
                  "suppliers.supplier", "django_celery_beat.periodictask"):  # fmt: skip
        for action in (ADD, CHANGE, DELETE):
            assert not role_may(REVIEWER, model, action), f"a reviewer may {action} {model}"


def test_the_administrator_manages_factors_figures_users_and_the_schedule() -> None:
    for model in ("reports.emissionfactor", "reports.publishedfigure", "suppliers.supplier", "suppliers.site"):
        for action in (VIEW, ADD, CHANGE, DELETE):
            assert role_may(ADMINISTRATOR, model, action), f"an administrator may not {action} {model}"
    assert role_may(ADMINISTRATOR, "suppliers.user", ADD) and role_may(ADMINISTRATOR, "suppliers.user", CHANGE)
    assert role_may(ADMINISTRATOR, "django_celery_beat.periodictask", CHANGE)
    assert role_may(ADMINISTRATOR, "suppliers.submission", CHANGE)


def test_an_auditor_reads_the_audited_records_and_changes_nothing_but_samples() -> None:
    """The auditor reads runs, lines, evidence, factors, the certificate ledger and (through their
    admin pages) their history; draws samples and records results; and writes nothing else."""
    for model in ("reports.rolluprun", "suppliers.submission", "suppliers.line", "suppliers.evidencefile",
                  "reports.emissionfactor", "suppliers.certificateclaim", "suppliers.certificaterange"):  # fmt: skip
        assert role_may(AUDITOR, model, VIEW), f"an auditor may not read {model}"
    writes = {spec for spec in _permissions(AUDITOR) if not spec.endswith(".view")}
    assert writes == {
        "assurance.assurancesample.add",
        "assurance.sampledline.change",
        "assurance.auditassignment.audit",
    }
    for model in ADMIN_MODELS:
        for action in (ADD, CHANGE, DELETE):
            assert not admin_may(AUDITOR, model, action), f"an auditor may {action} {model}"
    # Nor who audits what: administrators assign the years.
    assert not role_may(AUDITOR, "assurance.auditassignment", VIEW)
    assert all(role_may(ADMINISTRATOR, "assurance.auditassignment", a) for a in (VIEW, ADD, CHANGE, DELETE))
