"""Who may open what: a matrix over every supplier-facing URL (portal.urls but the admin and the API,
which tests/security/test_access_matrix.py and tests/api cover).

The URL names are read from `portal.urls.urlpatterns`, so a new page is tested the day it is
added. A URL with arguments (an object's id) must have a row in ACCESS saying how to build them
for the user's own object and for another supplier's; without one the test fails. Expectations:

- anonymous: redirected to the login page (public account pages: 200);
- a user of another supplier, on an object URL: 404, never a 403 that would confirm it exists;
- the object's own supplier's user: the page (200), or for a POST-only action its normal answer.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

import portal.urls
from suppliers.models import EvidenceFile, ReportingPeriod, Submission, User
from suppliers.services.uploads import pending_upload_store
from tests.factories import ReportingPeriodFactory, SubmissionFactory
from tests.files import pdf_file


@dataclass
class World:
    """Alice's objects (the user under test) and Bob's (another supplier's)."""

    alice: User
    bob: User
    open_period: ReportingPeriod  # open: every supplier may report for it
    bobs_closed_period: ReportingPeriod  # closed, with a submission of Bob's only
    alices_evidence: EvidenceFile
    bobs_evidence: EvidenceFile
    alices_upload_token: str
    bobs_upload_token: str


Build = Callable[[World], dict]


@dataclass(frozen=True)
class Access:
    """How to request a URL: `own` and `other` build {"kwargs": ..., "data": ...} for the
    user's own object and for another supplier's; `other=None` for a URL without an object."""

    method: str = "get"
    public: bool = False
    own: Build = lambda world: {}
    other: Build | None = None
    own_statuses: frozenset[int] = field(default_factory=lambda: frozenset({200}))


POSTED = frozenset({200, 302})  # a POST-only action re-renders its form or redirects
_bad_link = {"kwargs": {"uidb64": "MTIzNDU", "token": "c0ffee-0123456789abcdef0123456789abcdef"}}

ACCESS: dict[str, Access] = {
    # Accounts: public.
    "login": Access(public=True),
    "password_reset": Access(public=True),
    "password_reset_done": Access(public=True),
    "password_reset_complete": Access(public=True),
    # A stale or forged link shows "this link has been used already", not an error.
    "password_reset_confirm": Access(public=True, own=lambda w: _bad_link),
    "invitation_accept": Access(public=True, own=lambda w: _bad_link),
    # Logout is POST-only (a GET must not log anyone out): tested in test_accounts.py.
    "logout": Access(public=True, method="post", own_statuses=frozenset({302})),
    "set_language": Access(public=True, method="post", own_statuses=frozenset({302})),
    # The supplier's pages without an object.
    "dashboard": Access(),
    "period_history": Access(),
    "upload": Access(),
    "upload_template": Access(),
    "upload_confirm": Access(
        method="post",
        own=lambda w: {"data": {"token": w.alices_upload_token}},
        other=lambda w: {"data": {"token": w.bobs_upload_token}},
    ),
    # Pages and actions of one period, one submission or one file.
    "period_detail": Access(
        own=lambda w: {"kwargs": {"period_id": w.open_period.pk}},
        other=lambda w: {"kwargs": {"period_id": w.bobs_closed_period.pk}},
    ),
    "period_submit": Access(
        method="post",
        own=lambda w: {"kwargs": {"period_id": w.open_period.pk}},
        other=lambda w: {"kwargs": {"period_id": w.bobs_closed_period.pk}},
        own_statuses=POSTED,
    ),
    "period_message": Access(
        method="post",
        own=lambda w: {"kwargs": {"period_id": w.open_period.pk}, "data": {"body": "A question on A1."}},
        other=lambda w: {"kwargs": {"period_id": w.bobs_closed_period.pk}, "data": {"body": "A question on B1."}},
        own_statuses=POSTED,
    ),
    "evidence_upload": Access(
        method="post",
        own=lambda w: {"kwargs": {"period_id": w.open_period.pk}},
        other=lambda w: {"kwargs": {"period_id": w.bobs_closed_period.pk}},
        own_statuses=POSTED,
    ),
    "evidence_download": Access(
        own=lambda w: {"kwargs": {"evidence_id": w.alices_evidence.pk}},
        other=lambda w: {"kwargs": {"evidence_id": w.bobs_evidence.pk}},
    ),
    "evidence_delete": Access(
        method="post",
        own=lambda w: {"kwargs": {"evidence_id": w.alices_evidence.pk}},
        other=lambda w: {"kwargs": {"evidence_id": w.bobs_evidence.pk}},
        own_statuses=frozenset({302}),
    ),
}


def _patterns(patterns: list, prefix: str = "") -> list[tuple[str | None, str, list[str]]]:
    """(name, route, argument names) of every URL, included ones too."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((pattern.name, prefix + str(pattern.pattern), list(pattern.pattern.converters)))
    return found


URLS = [url for url in _patterns(portal.urls.urlpatterns) if not url[1].startswith(("admin/", "api/"))]


def _params(keep: Callable[[Access], bool]) -> list:
    """The URLs a test is about; a URL missing from ACCESS is always kept, so that it fails."""
    return [
        pytest.param(name, route, arguments, id=name or route)
        for name, route, arguments in URLS
        if name not in ACCESS or keep(ACCESS[name])
    ]


def _access(name: str | None, route: str, arguments: list[str]) -> Access:
    if name is None:
        pytest.fail(f"The URL {route!r} has no name: name it and add it to the access matrix (ACCESS).")
    if name in ACCESS:
        return ACCESS[name]
    if arguments:
        pytest.fail(
            f"The URL {name!r} ({route}) takes {', '.join(arguments)}: add it to the access matrix (ACCESS in "
            f"{__name__}) with how to build them for the user's own object and for another supplier's."
        )
    return Access()  # a page without an object: login required, 200 for a supplier's user


@pytest.fixture
def world(alice: User, bob: User, settings, tmp_path, private_storage: Path) -> World:
    settings.VAR_DIR = tmp_path  # pending bulk uploads
    open_period = ReportingPeriodFactory(year=2025, kind="year", number=0, is_open=True)
    bobs_closed_period = ReportingPeriodFactory(year=2019, kind="year", number=0, is_open=False)
    alices = SubmissionFactory(supplier=alice.supplier, period=open_period, status=Submission.Status.DRAFT)
    bobs = SubmissionFactory(supplier=bob.supplier, period=bobs_closed_period, status=Submission.Status.DRAFT)
    return World(
        alice=alice,
        bob=bob,
        open_period=open_period,
        bobs_closed_period=bobs_closed_period,
        alices_evidence=_evidence(alices, alice),
        bobs_evidence=_evidence(bobs, bob),
        alices_upload_token=pending_upload_store(user=alice, content=b"not a file", filename="a.csv"),
        bobs_upload_token=pending_upload_store(user=bob, content=b"not a file", filename="b.csv"),
    )


def _evidence(submission: Submission, user: User) -> EvidenceFile:
    content = pdf_file("a bill")
    evidence = EvidenceFile(
        submission=submission,
        original_name="bill.pdf",
        content_type="application/pdf",
        size_bytes=len(content),
        sha256="0" * 64,
        uploaded_by=user,
    )
    evidence.file.save("bill.pdf", ContentFile(content), save=True)
    return evidence


def _request(client: Client, name: str, access: Access, build: Build, world: World):
    spec = build(world)
    url = reverse(name, kwargs=spec.get("kwargs"))
    return getattr(client, access.method)(url, spec.get("data", {}))


@pytest.mark.parametrize(("name", "route", "arguments"), _params(lambda access: True))
def test_anonymous_visitor_is_sent_to_login_except_on_public_pages(
    world: World, client: Client, name: str | None, route: str, arguments: list[str]
) -> None:
    access = _access(name, route, arguments)
    response = _request(client, name, access, access.own, world)
    if access.public:
        assert response.status_code in access.own_statuses, response
    else:
        assert response.status_code == 302, response
        target = urlsplit(response.url)
        assert target.path == reverse("login")
        assert target.query.startswith("next=")


@pytest.mark.parametrize(("name", "route", "arguments"), _params(lambda access: access.other is not None))
def test_another_suppliers_object_is_404(
    world: World, client: Client, name: str | None, route: str, arguments: list[str]
) -> None:
    access = _access(name, route, arguments)
    client.force_login(world.alice)
    response = _request(client, name, access, access.other, world)
    assert response.status_code == 404, f"{name}: {response.status_code}"


@pytest.mark.parametrize(("name", "route", "arguments"), _params(lambda access: not access.public))
def test_own_supplier_user_gets_the_page(
    world: World, client: Client, name: str | None, route: str, arguments: list[str]
) -> None:
    access = _access(name, route, arguments)
    client.force_login(world.alice)
    response = _request(client, name, access, access.own, world)
    assert response.status_code in access.own_statuses, f"{name}: {response.status_code}"


def test_every_object_url_of_the_matrix_is_tried_with_another_suppliers_object() -> None:
    for name, _route, arguments in URLS:
        access = ACCESS.get(name)
        if access is not None and arguments and not access.public:
            assert access.other is not None, f"{name} takes {arguments}: give it an `other` in ACCESS"


def test_access_matrix_names_only_urls_that_exist() -> None:
    """A row left behind by a removed or renamed URL would hide that its successor is untested."""
    names = {name for name, _route, _arguments in URLS}
    assert set(ACCESS) <= names, f"stale rows in ACCESS: {sorted(set(ACCESS) - names)}"


def test_access_matrix_fails_for_an_object_url_it_does_not_know() -> None:
    with pytest.raises(pytest.fail.Exception, match="add it to the access matrix"):
        _access("invoice_detail", "invoices/<int:invoice_id>/", ["invoice_id"])
