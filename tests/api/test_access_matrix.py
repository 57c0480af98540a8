"""Who may call what, for every URL under /api/, generated from the API's URL patterns: a new
endpoint without a row here fails the completeness test.

People: anonymous; bob (another supplier: alice's period and file are a 404 to him); alice (the
owner); charlie (staff, with the viewer's permission on runs); an auditor assigned the run's year
(another year's runs are a 404 to them: tests/assurance/test_auditor.py). API calls carry each one's
own token.
"""

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from rest_framework.test import APIClient
from rest_framework.views import APIView

from api import urls as api_urls
from api.models import ApiToken
from api.services import api_token_create
from reports.models import RollupRun
from reports.services.rollups import rollup_run_create
from suppliers.models import EvidenceFile, ReportingPeriod, User
from suppliers.services.evidence import evidence_add
from tests.api.conftest import line, token_client
from tests.factories import EmissionFactorFactory, LineFactory, ReportingPeriodFactory, SubmissionFactory
from tests.files import pdf_file

pytestmark = pytest.mark.django_db

PDF = pdf_file()
PEOPLE = ("anonymous", "other", "own", "staff", "auditor")
LOGIN = "login"  # a redirect to the login page

# (URL name, method) → expected status for anonymous, other supplier, own supplier, staff, auditor.
EXPECTED: dict[tuple[str, str], tuple[int | str, ...]] = {
    ("api_schema", "GET"): (200, 200, 200, 200, 200),
    ("api_docs", "GET"): (200, 200, 200, 200, 200),
    ("api_sites", "GET"): (401, 200, 200, 403, 403),
    ("api_periods", "GET"): (401, 200, 200, 403, 403),
    ("api_period", "GET"): (401, 404, 200, 403, 403),
    ("api_period_lines", "PUT"): (401, 404, 200, 403, 403),
    ("api_period_submit", "POST"): (401, 404, 200, 403, 403),
    ("api_period_evidence", "POST"): (401, 404, 201, 403, 403),
    ("api_evidence", "DELETE"): (401, 404, 204, 403, 403),
    ("api_runs", "GET"): (401, 403, 403, 200, 200),
    ("api_run", "GET"): (401, 403, 403, 200, 200),
    ("api_run_suppliers", "GET"): (401, 403, 403, 200, 200),
    ("api_run_flags", "GET"): (401, 403, 403, 200, 200),
    ("api_unknown", "GET"): (404, 404, 404, 404, 404),
    ("api_unknown", "POST"): (404, 404, 404, 404, 404),
    # The portal's token page (a session, not a token): everyone manages only their own tokens.
    ("api_tokens", "GET"): (LOGIN, 200, 200, 200, 200),
    ("api_tokens", "POST"): (LOGIN, 200, 200, 200, 200),
    ("api_token_revoke", "POST"): (LOGIN, 404, 302, 404, 404),
}
# The methods of the function views of /api/ (a class view's are read from the class).
FUNCTION_VIEW_METHODS = {"api_tokens": ("GET", "POST"), "api_token_revoke": ("POST",)}
CATCH_ALL_METHODS = ("GET", "POST")  # api_unknown answers every method alike; two are tried


def _patterns(patterns: list, prefix: str = "") -> list[URLPattern]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append(pattern)
    return found


def _methods(pattern: URLPattern) -> tuple[str, ...]:
    if pattern.name == "api_unknown":
        return CATCH_ALL_METHODS
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None:
        return FUNCTION_VIEW_METHODS[pattern.name]
    assert issubclass(view_class, APIView), pattern
    return tuple(
        method.upper()
        for method in view_class.http_method_names
        if method not in ("options", "head") and hasattr(view_class, method)
    )


def test_every_api_url_and_method_has_a_row() -> None:
    generated = {(pattern.name, method) for pattern in _patterns(api_urls.urlpatterns) for method in _methods(pattern)}
    assert generated == set(EXPECTED)


@dataclass
class World:
    period: ReportingPeriod
    evidence: EvidenceFile
    run: RollupRun
    token: ApiToken
    people: dict[str, User | None]


def _auditor(*, year: int) -> User:
    from assurance.models import AuditAssignment

    call_command("setup_roles", stdout=io.StringIO())
    auditor = User.objects.create_user("verifier@audit-firm.example", "a long staff password", is_staff=True)
    auditor.groups.add(Group.objects.get(name="auditor"))
    AuditAssignment.objects.create(user=auditor, year=year)
    return User.objects.get(pk=auditor.pk)


@pytest.fixture
def world(alice: User, bob: User, staff_reader: User, private_storage: Path) -> World:
    # Closed, with alice's returned submission: alice may still correct it; bob cannot see it.
    period = ReportingPeriodFactory(year=2024, kind="year", number=0, is_open=False)
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status="returned")
    LineFactory(submission=submission, site=alice.supplier.sites.get(code="A1"))
    evidence = evidence_add(submission=submission, upload=SimpleUploadedFile("bill.pdf", PDF), user=alice)
    approved = SubmissionFactory(supplier=bob.supplier, period__year=2023, status="approved")
    LineFactory(submission=approved, site=bob.supplier.sites.get(code="B1"))
    EmissionFactorFactory(region="EAST", year=2023)
    run = rollup_run_create(year=2023)
    token, _raw = api_token_create(user=alice, name="alice's system", lifetime_days=30)
    people = {"anonymous": None, "other": bob, "own": alice, "staff": staff_reader, "auditor": _auditor(year=2023)}
    return World(period, evidence, run, token, people)


def _url(name: str, world: World) -> str:
    arguments = {
        "api_period": [world.period.pk], "api_period_lines": [world.period.pk],
        "api_period_submit": [world.period.pk], "api_period_evidence": [world.period.pk],
        "api_evidence": [world.evidence.pk], "api_run": [world.run.pk], "api_run_suppliers": [world.run.pk],
        "api_run_flags": [world.run.pk], "api_token_revoke": [world.token.pk],
    }  # fmt: skip
    if name == "api_unknown":
        return "/api/v1/no-such-thing/"
    return reverse(name, args=arguments.get(name, []))


def _call(name: str, method: str, who: str, world: World) -> int | str:
    user = world.people[who]
    url = _url(name, world)
    if name in FUNCTION_VIEW_METHODS:  # portal pages: the session of a logged-in person
        client = Client()
        if user is not None:
            client.force_login(user)
        data = {"name": "system", "lifetime_days": 90} if name == "api_tokens" else {}
        response = client.get(url) if method == "GET" else client.post(url, data)
        if response.status_code == 302 and response["Location"].startswith(reverse("login")):
            return LOGIN
        return response.status_code
    client: APIClient = token_client(user)
    if name == "api_period_lines":
        return client.put(url, {"version": 1, "lines": [line()]}).status_code
    if name == "api_period_submit":
        return client.post(url, {"version": 1, "declaration": True}).status_code
    if name == "api_period_evidence":
        upload = io.BytesIO(PDF + b"% a contract, not the world's bill\n")  # the same file twice is refused
        upload.name = "contract.pdf"
        return client.post(url, {"file": upload}, format="multipart").status_code
    return client.generic(method, url).status_code


@pytest.mark.parametrize(("name", "method"), sorted(EXPECTED))
@pytest.mark.parametrize("who", PEOPLE)
def test_access(name: str, method: str, who: str, world: World) -> None:
    expected = EXPECTED[(name, method)][PEOPLE.index(who)]
    assert _call(name, method, who, world) == expected


def test_lists_show_only_the_callers_own_sites_and_periods(world: World) -> None:
    bob = token_client(world.people["other"])
    assert [site["code"] for site in bob.get("/api/v1/sites/").json()] == ["B1"]
    assert world.period.pk not in [period["id"] for period in bob.get("/api/v1/periods/").json()]
    alice = token_client(world.people["own"])
    assert world.period.pk in [period["id"] for period in alice.get("/api/v1/periods/").json()]
