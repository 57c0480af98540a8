"""suppliers/0005 forward: files uploaded before evidence was tied to lines stay attached to their
period, of type "other", and still download; the same bytes twice on one period keep the first."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from suppliers.models import EvidenceFile, User

BEFORE = [("suppliers", "0004_commitment")]
AFTER = [("suppliers", "0005_evidence_line_site_document_type")]


def _migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _latest_schema_afterwards() -> object:
    """The later migrations applied again after the test, which leaves the database at 0005: the
    tests after it (a live server's pages) need every table of the current models."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_files_are_attached_to_their_period_as_other_and_still_download(private_storage: object) -> None:
    old = _migrate(BEFORE)
    supplier = old.get_model("suppliers", "Supplier").objects.create(
        code="CN-A001", name_zh="甲", name_en="A", uscc="91310000MA1FL0000X", category="tier1"
    )
    period = old.get_model("suppliers", "ReportingPeriod").objects.create(
        year=2023, kind="year", number=0, first_month=1, last_month=12
    )
    submission = old.get_model("suppliers", "Submission").objects.create(supplier=supplier, period=period)
    user = old.get_model("suppliers", "User").objects.create(email="alice@supplier-a.example", supplier=supplier)
    OldEvidence = old.get_model("suppliers", "EvidenceFile")

    def stored(name: str, sha256: str) -> int:
        evidence = OldEvidence(
            submission=submission, original_name=name, content_type="application/pdf", size_bytes=9, sha256=sha256,
            uploaded_by=user,
        )  # fmt: skip
        evidence.file.save(f"evidence/{name}", ContentFile(b"%PDF-1.4\n"), save=True)
        return evidence.pk

    bill, repeat, contract = (
        stored("bill.pdf", "a" * 64),
        stored("bill-again.pdf", "a" * 64),
        stored("ppa.pdf", "b" * 64),
    )

    _migrate(AFTER)

    files = {e.pk: e for e in EvidenceFile.objects.all()}
    assert set(files) == {bill, contract}  # the repeat of the same bytes on the period is gone
    assert repeat not in files
    for evidence in files.values():
        assert (evidence.line_id, evidence.site_id, evidence.document_type) == (None, None, "other")
        assert evidence.attached_to == "period"
    client = Client()
    client.force_login(User.objects.get(email="alice@supplier-a.example"))
    response = client.get(reverse("evidence_download", args=[bill]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4\n"
