"""The same import from the admin: refused whole with every problem listed, or saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from suppliers.models import Line, Submission, User
from tests.conftest import WORKED_EXAMPLE

pytestmark = pytest.mark.django_db
EXAMPLE_2019 = (WORKED_EXAMPLE / "submissions-2019.csv").read_bytes()


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return client


def test_a_bad_file_is_refused_in_the_admin_with_every_row_and_column(staff: Client) -> None:
    bad = EXAMPLE_2019.replace(b",60,", b",160,").replace(b"Jiangsu,2019-Q3", b"Atlantis,2019-Q3")
    response = staff.post(reverse("admin:suppliers_submission_import"), {"file": SimpleUploadedFile("bad.csv", bad)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "nothing was imported" in page
    assert "bmw_share_percent" in page and "province" in page
    assert "<td>2</td>" in page and "<td>5</td>" in page  # the two bad rows, numbered as in the file
    assert Line.objects.count() == 0


def test_a_good_file_is_imported_and_approved_from_the_admin(staff: Client) -> None:
    response = staff.post(
        reverse("admin:suppliers_submission_import"),
        {"file": SimpleUploadedFile("ok.csv", EXAMPLE_2019), "approve": "on"},
        follow=True,
    )
    assert "7 line(s) imported: 7 new, 0 replaced." in response.content.decode()
    assert Line.objects.count() == 7
    assert set(Submission.objects.values_list("status", flat=True)) == {Submission.Status.APPROVED}


def test_a_supplier_user_cannot_reach_the_admin_import(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("admin:suppliers_submission_import"), {"file": SimpleUploadedFile("x.csv", EXAMPLE_2019)}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Line.objects.count() == 0
