"""The verifier's pages: draw a sample of a run, open a sampled line's evidence, record a result;
exceptions show on the comparison page."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from assurance.models import AssuranceSample, SampledLine
from reports.services.rollups import rollup_run_create
from suppliers.models import Line, User
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return client


def test_drawing_a_sample_stores_it_with_who_and_when_and_shows_its_lines(staff: Client) -> None:
    _load_example()
    run = rollup_run_create(year=2025)
    response = staff.post(reverse("assurance_run_samples", args=[run.pk]), {"size": 3, "seed": 42})
    sample = AssuranceSample.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assurance_sample", args=[sample.pk])
    assert (sample.size, sample.seed, sample.drawn_by.email) == (3, 42, "staff@carmaker.example")
    assert sample.lines.count() == 3
    page = staff.get(reverse("assurance_sample", args=[sample.pk])).content.decode()
    for line in sample.lines.all():
        assert f'id="line-{line.pk}"' in page
    # The same size and seed draw the same lines again.
    staff.post(reverse("assurance_run_samples", args=[run.pk]), {"size": 3, "seed": 42})
    again = AssuranceSample.objects.exclude(pk=sample.pk).get()
    assert list(again.lines.values_list("line_id", flat=True)) == list(sample.lines.values_list("line_id", flat=True))


def test_an_exception_needs_a_comment_and_then_shows_on_the_comparison_page(staff: Client) -> None:
    _load_example()
    run = rollup_run_create(year=2025)
    staff.post(reverse("assurance_run_samples", args=[run.pk]), {"size": 2, "seed": 7})
    sampled = SampledLine.objects.order_by("position").first()
    url = reverse("assurance_sampled_line_result", args=[sampled.pk])
    staff.post(url, {"result": "exception", "comment": ""})
    sampled.refresh_from_db()
    assert sampled.result == "pending"  # refused: an exception says what it is
    staff.post(url, {"result": "exception", "comment": "The bill shows 11,800 MWh, not 12,500."})
    sampled.refresh_from_db()
    assert (sampled.result, sampled.checked_by.email) == ("exception", "staff@carmaker.example")
    page = staff.get(reverse("reports_comparison"), {"year": 2025}).content.decode()
    assert "The bill shows 11,800 MWh, not 12,500." in page[page.index('id="exceptions"') :]


def test_a_sampled_lines_evidence_is_linked_for_download(staff: Client, private_storage) -> None:
    from django.core.files.base import ContentFile

    from suppliers.models import EvidenceFile

    _load_example()
    run = rollup_run_create(year=2025)
    line = Line.objects.get(submission__period__year=2025, site__code="SY2")
    evidence = EvidenceFile(
        submission=line.submission, original_name="gec-transfer.pdf", content_type="application/pdf",
        size_bytes=9, sha256="0" * 64,
    )  # fmt: skip
    evidence.file.save("x", ContentFile(b"%PDF-1.4\n"), save=True)
    staff.post(reverse("assurance_run_samples", args=[run.pk]), {"size": 8, "seed": 3})
    sample = AssuranceSample.objects.get()
    assert sample.lines.filter(line=line).exists()
    page = staff.get(reverse("assurance_sample", args=[sample.pk])).content.decode()
    assert reverse("evidence_download", args=[evidence.pk]) in page


def test_the_pack_downloads_as_a_zip(staff: Client) -> None:
    _load_example()
    run = rollup_run_create(year=2025)
    response = staff.get(reverse("assurance_run_pack", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "manifest.json" in archive.namelist()


def test_a_bad_sample_size_is_a_400_with_the_form_not_a_500(staff: Client) -> None:
    _load_example()
    run = rollup_run_create(year=2025)
    for size in ("0", "1001", "abc", ""):
        response = staff.post(reverse("assurance_run_samples", args=[run.pk]), {"size": size, "seed": 1})
        assert response.status_code == 400
    assert not AssuranceSample.objects.exists()
