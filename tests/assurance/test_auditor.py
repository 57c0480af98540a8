"""The auditor (#16, item 1): reads the runs, lines, evidence, factors, certificates and history of
the years an administrator assigns, draws samples of those years' runs and records results; reads
nothing of another year and changes nothing else."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assurance.models import AssuranceSample, AuditAssignment, SampledLine
from reports.models import EmissionFactor, RollupRun
from reports.services.rollups import rollup_run_create
from suppliers.models import CertificateRange, EvidenceFile, Line, Submission, User
from suppliers.roles import audit_years
from tests.api.conftest import token_client
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db

AUDITED, OTHER = 2025, 2024


def _staff(email: str, role: str) -> User:
    user = User.objects.create_user(email, "a long staff password", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)  # a fresh instance: permissions are cached per instance


@pytest.fixture
def runs(private_storage: object) -> dict[int, RollupRun]:
    call_command("setup_roles", stdout=StringIO())
    _load_example()
    return {year: rollup_run_create(year=year) for year in (OTHER, AUDITED)}


@pytest.fixture
def auditor(runs: dict[int, RollupRun]) -> User:
    user = _staff("verifier@audit-firm.example", "auditor")
    administrator = _staff("admin@carmaker.example", "administrator")
    AuditAssignment.objects.create(user=user, year=AUDITED, assigned_by=administrator)
    return user


@pytest.fixture
def auditor_client(client: Client, auditor: User) -> Client:
    client.force_login(auditor)
    return client


def _evidence(line: Line) -> EvidenceFile:
    evidence = EvidenceFile(
        submission=line.submission, line=line, site=line.site, original_name=f"bill-{line.pk}.pdf",
        content_type="application/pdf", size_bytes=9, sha256=f"{line.pk:064d}",
    )  # fmt: skip
    evidence.file.save("x", ContentFile(b"%PDF-1.4\n"), save=True)
    return evidence


def _line(year: int) -> Line:
    return Line.objects.filter(submission__period__year=year).order_by("pk").first()


def test_setup_roles_makes_the_auditor_group_and_only_auditors_are_limited(runs: dict, auditor: User) -> None:
    assert Group.objects.filter(name="auditor").exists()
    assert audit_years(auditor) == {AUDITED}
    viewer = _staff("viewer@carmaker.example", "viewer")
    assert audit_years(viewer) is None
    assert audit_years(User.objects.create_superuser("root@carmaker.example", "a long staff password")) is None
    # An auditor without an assignment reads no year at all.
    assert audit_years(_staff("new@audit-firm.example", "auditor")) == set()


def test_the_auditor_lists_and_opens_only_the_runs_of_the_years_assigned(
    auditor_client: Client, runs: dict[int, RollupRun]
) -> None:
    listing = auditor_client.get(reverse("admin:reports_rolluprun_changelist")).content.decode()
    assert reverse("admin:reports_rolluprun_change", args=[runs[AUDITED].pk]) in listing
    assert reverse("admin:reports_rolluprun_change", args=[runs[OTHER].pk]) not in listing
    assert auditor_client.get(reverse("admin:reports_rolluprun_change", args=[runs[AUDITED].pk])).status_code == 200
    # Another year's run is as if it did not exist (the admin sends you back to its index).
    other = auditor_client.get(reverse("admin:reports_rolluprun_change", args=[runs[OTHER].pk]))
    assert other.status_code == 302 and other["Location"] == reverse("admin:index")
    for name in ("reports_run_suppliers", "reports_run_method", "assurance_run_samples", "assurance_run_pack"):
        assert auditor_client.get(reverse(name, args=[runs[AUDITED].pk])).status_code in (200, 302), name
        assert auditor_client.get(reverse(name, args=[runs[OTHER].pk])).status_code == 404, name
    export = reverse("reports_run_export", args=[runs[OTHER].pk, "suppliers", "csv"])
    assert auditor_client.get(export).status_code == 404
    assert auditor_client.get(reverse("reports_comparison_status"), {"year": OTHER}).status_code == 404


def test_the_comparison_and_the_index_show_the_auditor_only_the_years_assigned(
    auditor_client: Client, runs: dict[int, RollupRun]
) -> None:
    page = auditor_client.get(reverse("reports_comparison"), {"year": OTHER}).content.decode()
    assert reverse("reports_run_suppliers", args=[runs[AUDITED].pk]) in page  # the year asked for is not theirs
    assert reverse("reports_run_suppliers", args=[runs[OTHER].pk]) not in page
    assert 'id="refresh"' not in page  # asking for a run is not the auditor's to do
    index = auditor_client.get(reverse("admin:index")).content.decode()
    assert 'id="audit-module"' in index
    assert reverse("assurance_run_samples", args=[runs[AUDITED].pk]) in index
    assert reverse("reports_double_claims") not in index


def test_the_auditor_reads_lines_certificates_evidence_and_history_of_the_years_assigned_only(
    auditor_client: Client, runs: dict
) -> None:
    audited, other = _line(AUDITED), _line(OTHER)
    for line, status in ((audited, 200), (other, 404)):
        evidence = _evidence(line)
        assert auditor_client.get(reverse("evidence_download", args=[evidence.pk])).status_code == status
        record = line.history.order_by("history_id").first()
        assert auditor_client.get(reverse("admin:suppliers_line_history", args=[line.pk])).status_code == status
        history_form = reverse("admin:suppliers_line_simple_history", args=[line.pk, record.history_id])
        assert auditor_client.get(history_form).status_code == status
        submission_history = reverse("admin:suppliers_submission_history", args=[line.submission_id])
        assert auditor_client.get(submission_history).status_code == status
    lines = auditor_client.get(reverse("admin:suppliers_line_changelist")).content.decode()
    assert reverse("admin:suppliers_line_change", args=[audited.pk]) in lines
    assert reverse("admin:suppliers_line_change", args=[other.pk]) not in lines
    queue = auditor_client.get(reverse("admin:suppliers_submission_changelist"), {"status__exact": "all"})
    queue = queue.content.decode()
    assert reverse("admin:suppliers_submission_change", args=[audited.submission_id]) in queue
    assert reverse("admin:suppliers_submission_change", args=[other.submission_id]) not in queue
    for line in (audited, other):
        CertificateRange.objects.create(
            line=line, instrument="gec", stem="GEC", width=3, first="001", last="010", count=10
        )
    ledger = auditor_client.get(reverse("admin:suppliers_certificaterange_changelist")).content.decode()
    assert ledger.count("GEC001~GEC010") == 1
    # Factors are the published table the pack carries whole: every year of it.
    factor = EmissionFactor.objects.exclude(year=AUDITED).first()
    factors = auditor_client.get(reverse("admin:reports_emissionfactor_changelist")).content.decode()
    assert reverse("admin:reports_emissionfactor_change", args=[factor.pk]) in factors


def test_the_auditor_draws_a_sample_and_records_a_result_of_an_assigned_year_only(
    auditor_client: Client, auditor: User, runs: dict[int, RollupRun]
) -> None:
    response = auditor_client.post(reverse("assurance_run_samples", args=[runs[AUDITED].pk]), {"size": 2, "seed": 5})
    sample = AssuranceSample.objects.get()
    assert response.status_code == 302 and sample.drawn_by == auditor
    sampled = sample.lines.order_by("position").first()
    auditor_client.post(reverse("assurance_sampled_line_result", args=[sampled.pk]), {"result": "agreed"})
    sampled.refresh_from_db()
    assert (sampled.result, sampled.checked_by) == ("agreed", auditor)
    refused = auditor_client.post(reverse("assurance_run_samples", args=[runs[OTHER].pk]), {"size": 2, "seed": 5})
    assert refused.status_code == 404 and AssuranceSample.objects.count() == 1
    # A sample of another year, drawn by someone else, is out of reach too.
    other = AssuranceSample.objects.create(run=runs[OTHER], size=1, seed=1, population_tco2e=1, population_lines=1)
    other_line = SampledLine.objects.create(
        sample=other, position=1, supplier_code="X", site_code="Y", period="2024", avoided_tco2e=1, tco2_per_mwh=1
    )
    assert auditor_client.get(reverse("assurance_sample", args=[other.pk])).status_code == 404
    url = reverse("assurance_sampled_line_result", args=[other_line.pk])
    assert auditor_client.post(url, {"result": "agreed"}).status_code == 404
    other_line.refresh_from_db()
    assert other_line.result == "pending"


def test_the_auditor_changes_no_data(auditor_client: Client, runs: dict) -> None:
    line = _line(AUDITED)
    before = (Submission.objects.get(pk=line.submission_id).status, Line.objects.get(pk=line.pk).total_electricity_mwh)
    review = auditor_client.post(
        reverse("admin:suppliers_submission_review", args=[line.submission_id]),
        {"version": line.submission.version, "decision": "return", "review_comment": "no"},
    )
    assert review.status_code == 403
    change = auditor_client.post(reverse("admin:suppliers_line_change", args=[line.pk]), {"total_electricity_mwh": 1})
    assert change.status_code == 403
    factor = EmissionFactor.objects.first()
    assert (
        auditor_client.post(
            reverse("admin:reports_emissionfactor_delete", args=[factor.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert auditor_client.post(reverse("reports_comparison_refresh"), {"year": AUDITED}).status_code == 403
    assert auditor_client.get(reverse("reports_double_claims")).status_code == 403
    after = (Submission.objects.get(pk=line.submission_id).status, Line.objects.get(pk=line.pk).total_electricity_mwh)
    assert after == before and EmissionFactor.objects.filter(pk=factor.pk).exists()


def test_the_auditors_staff_token_reads_only_the_runs_of_the_years_assigned(auditor: User, runs: dict) -> None:
    api = token_client(auditor)
    assert [run["year"] for run in api.get("/api/v1/runs/").json()["results"]] == [AUDITED]
    assert api.get(f"/api/v1/runs/{runs[AUDITED].pk}/").status_code == 200
    for path in ("", "suppliers/", "flags/"):
        assert api.get(f"/api/v1/runs/{runs[OTHER].pk}/{path}").status_code == 404


def test_an_administrator_assigns_years_to_auditors_only(client: Client, auditor: User) -> None:
    administrator = User.objects.get(email="admin@carmaker.example")
    client.force_login(administrator)
    add = reverse("admin:assurance_auditassignment_add")
    response = client.post(add, {"user": auditor.pk, "year": OTHER})
    assert response.status_code == 302
    assignment = AuditAssignment.objects.get(user=auditor, year=OTHER)
    assert assignment.assigned_by == administrator and assignment.assigned_at is not None
    assert audit_years(User.objects.get(pk=auditor.pk)) == {AUDITED, OTHER}
    # Someone who is not an auditor is not offered, and a year twice is refused.
    viewer = _staff("viewer@carmaker.example", "viewer")
    refused = client.post(add, {"user": viewer.pk, "year": OTHER})
    assert refused.status_code == 200 and not AuditAssignment.objects.filter(user=viewer).exists()
    again = client.post(add, {"user": auditor.pk, "year": OTHER})
    assert again.status_code == 200 and AuditAssignment.objects.filter(user=auditor).count() == 2
