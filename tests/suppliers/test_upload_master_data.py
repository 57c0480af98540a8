"""A supplier's upload changes only its figures (issue #17, item 5): a company name other than the
one on record, a renamed site or a new site is refused row by row, saying how to ask staff; staff
imports (the service, the admin's import page, the command) still create and rename."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from suppliers.models import Line, Site, Supplier, User
from suppliers.services.imports import COLUMNS, submissions_import
from suppliers.services.spreadsheets import FileRefused
from tests.factories import ReportingPeriodFactory

NEW_SITE = (
    "site %s is not one of your sites on record: an upload cannot add a site. Ask staff to add it (its code, name "
    "and province), then upload again"
)
NEW_SITE_ZH = (
    "工厂 %s 不是贵公司已登记的工厂：上传文件不能新增工厂。请联系工作人员添加（提供工厂代码、名称和省份）后再上传"
)
RENAMED_SITE = (
    "differs from the name on record for site %s (%s): an upload cannot rename a site. Leave the cell empty or as "
    "on record; to rename the site, ask staff"
)
RENAMED_SITE_ZH = (
    "与工厂 %s 的登记名称（%s）不一致：上传文件不能修改工厂名称。请留空或按登记名称填写；如需更名，请联系工作人员"
)
OTHER_NAME = (
    "differs from your company's name on record (%s): an upload cannot change it. Leave the cell empty or as on "
    "record; to change the name, ask staff"
)
OTHER_NAME_ZH = (
    "与贵公司的备案名称（%s）不一致：上传文件不能修改公司名称。请留空或按备案名称填写；如需更名，请联系工作人员"
)


@pytest.fixture
def world(alice: User) -> User:
    """alice's CN-A001, named in both languages, with site A1 "Plant A1" in Jiangsu; 2024, its first
    quarter and February open."""
    Supplier.objects.filter(pk=alice.supplier_id).update(name_zh="阿尔法铸造有限公司", name_en="Alpha Castings")
    Site.objects.filter(supplier=alice.supplier, code="A1").update(name="Plant A1", province="320000")
    ReportingPeriodFactory(year=2024, kind="year", number=0, is_open=True)
    ReportingPeriodFactory(year=2024, kind="quarter", number=1, is_open=True)
    ReportingPeriodFactory(year=2024, kind="month", number=2, is_open=True)
    alice.refresh_from_db()
    return alice


@pytest.fixture
def staff(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return client


def _row(**cells: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(supplier_code="CN-A001", site_code="A1", period="2024", unit="MWh", total_electricity="1000")
    return row | {"bmw_share_percent": "50"} | cells


def _csv(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([[row[column] for column in COLUMNS] for row in rows])
    return out.getvalue().encode()


def _own_upload(user: User, *rows: dict[str, str]) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(FileRefused) as refused:
        submissions_import(
            content=_csv(*rows), filename="f.csv", user=user, restrict_to_supplier=user.supplier, as_draft=True
        )
    return [(p.row, p.column, p.message) for p in refused.value.problems]


def _master_data() -> list[tuple]:
    return [
        *Supplier.objects.order_by("code").values_list("code", "name_zh", "name_en"),
        *Site.objects.order_by("code").values_list("code", "name", "province"),
    ]


# --- refused on a supplier's upload ------------------------------------------------------------


def test_a_new_site_a_renamed_site_and_another_company_name_are_refused_row_by_row(world: User) -> None:
    before = _master_data()
    problems = _own_upload(
        world,
        _row(site_name="Plant A1 (new hall)"),
        _row(site_code="A9", site_name="Hall 9", province="Jiangsu"),
        _row(site_code="A1", period="2024-Q1", supplier_name="Alpha Castings Group") | {"total_electricity": "x"},
    )
    assert problems == [
        (2, "site_name", RENAMED_SITE % ("A1", "Plant A1")),
        (3, "site_code", NEW_SITE % "A9"),
        (4, "total_electricity", "“x” is not a number: write it in digits, such as 1250000, 1,250,000.5 or 1.25E+06"),
        (4, "period", "2024-Q1 overlaps 2024 of site A1 in row 2"),
        (4, "supplier_name", OTHER_NAME % "Alpha Castings"),
    ]
    assert _master_data() == before and not Line.objects.exists()


def test_the_refusals_are_told_in_chinese_to_a_chinese_user(world: User) -> None:
    rows = (
        _row(site_name="一号新车间"),
        _row(site_code="A9", site_name="九号车间", province="江苏", period="2024-Q1"),
        _row(site_code="A1", period="2024-02", supplier_name="阿尔法集团"),
    )
    with translation.override("zh-hans"):
        problems = _own_upload(world, *rows)
    assert problems[:2] == [
        (2, "site_name", RENAMED_SITE_ZH % ("A1", "Plant A1")),
        (3, "site_code", NEW_SITE_ZH % "A9"),
    ]
    assert (4, "supplier_name", OTHER_NAME_ZH % "阿尔法铸造有限公司") in problems


def test_the_upload_page_lists_the_refusals_and_keeps_nothing(world: User, client: Client, settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    client.force_login(world)
    response = client.post(
        reverse("upload"), {"file": SimpleUploadedFile("f.csv", _csv(_row(site_code="A9", site_name="Hall 9")))}
    )
    assert response.status_code == 200
    assert [(p.row, p.column, p.message) for p in response.context["problems"]] == [(2, "site_code", NEW_SITE % "A9")]
    assert not Site.objects.filter(code="A9").exists()


def test_another_suppliers_site_is_not_revealed_as_existing(world: User, bob: User) -> None:
    problems = _own_upload(world, _row(), _row(site_code="B1", period="2024-Q1"))
    assert problems == [(3, "site_code", NEW_SITE % "B1")]


# --- accepted on a supplier's upload -------------------------------------------------------------


@pytest.mark.parametrize(
    ("supplier_name", "site_name"),
    [
        ("", ""),
        ("阿尔法铸造有限公司", "Plant A1"),
        ("Alpha Castings", "Plant  A1 "),
        ("Ａｌｐｈａ Castings", "Ｐｌａｎｔ A1"),
    ],
)
def test_the_names_on_record_or_none_are_accepted(world: User, supplier_name: str, site_name: str) -> None:
    before = _master_data()
    submissions_import(
        content=_csv(_row(supplier_name=supplier_name, site_name=site_name)),
        filename="f.csv",
        user=world,
        restrict_to_supplier=world.supplier,
        as_draft=True,
    )
    assert Line.objects.get().site.code == "A1"
    assert _master_data() == before


# --- staff imports still create and rename ---------------------------------------------------------


def test_a_staff_import_renames_and_creates_as_before(world: User) -> None:
    rows = (
        _row(supplier_name="Alpha Castings Group", site_name="Plant A1 (new hall)"),
        _row(site_code="A9", site_name="Hall 9", province="Jiangsu"),
    )
    result = submissions_import(content=_csv(*rows), filename="f.csv")
    assert result.sites_created == 1
    assert Supplier.objects.get(code="CN-A001").name_en == "Alpha Castings Group"
    assert dict(Site.objects.filter(supplier__code="CN-A001").values_list("code", "name")) == {
        "A1": "Plant A1 (new hall)",
        "A9": "Hall 9",
    }


def test_the_admin_import_page_and_the_command_create_a_site(world: User, staff: Client, tmp_path: Path) -> None:
    response = staff.post(
        reverse("admin:suppliers_submission_import"),
        {"file": SimpleUploadedFile("f.csv", _csv(_row(site_code="A8", site_name="Hall 8", province="Jiangsu")))},
    )
    assert response.status_code == 302
    path = tmp_path / "f.csv"
    path.write_bytes(_csv(_row(site_code="A7", site_name="Hall 7", province="浙江省", period="2024")))
    call_command("import_submissions", str(path), stdout=io.StringIO())
    assert set(Site.objects.filter(supplier__code="CN-A001").values_list("code", flat=True)) == {"A1", "A7", "A8"}
