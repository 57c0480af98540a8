"""Suppliers' commitments (#15, item 3): the file, all or nothing; where each supplier stands on the
comparison page and on its dashboard."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import translation

from reports.selectors.commitments import commitments_summary_get
from reports.services.rollups import rollup_run_create
from suppliers.models import Commitment, User
from suppliers.services.commitments import commitments_import
from suppliers.services.spreadsheets import FileRefused
from tests.reports.test_rollup_runs import make_portfolio
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db

HEADER = "supplier_code,committed_on,target_year,target_green_share_percent,source\n"
# The worked example's shares of attributable electricity: 2019 CN-0001 0 %, CN-0002 0 %,
# CN-0003 16.67 %, CN-0005 0 % (CN-0004 has no 2019); 2024 CN-0001 74.22 %, CN-0002 42.11 %,
# CN-0003 26.47 %, CN-0004 10 %, CN-0005 20 %.
EXAMPLE_COMMITMENTS = (
    HEADER
    # 70 % by 2030: 74.22 % reached it.
    + "CN-0001,2021年6月30日,2030年,70％,Sustainability report 2021\n"
    # 100 % by 2029 from 0 %: the line is at 50 % in 2024; 42.11 % is behind.
    + "CN-0002,2022/3/1,２０２９,100,Press release\n"
    # 30 % by 2029 from 16.67 %: the line is at 23.33 % in 2024; 26.47 % is on track.
    + "CN-0003,2022-01-15,2029,30 %,Supplier letter\n"
    # No 2019 share: nothing to draw the line from.
    + "CN-0004,2023-05-01,2030,50,Supplier letter\n"
    # 100 % by 2025 from 0 %: the line is at 83.33 % in 2024; 20 % is behind.
    + "CN-0005,2020-09-01,2025,100,Supplier letter\n"
)


def _example_with_commitments() -> None:
    _load_example()
    commitments_import(content=EXAMPLE_COMMITMENTS.encode(), filename="commitments.csv")
    rollup_run_create(year=2019)


def test_the_file_is_read_as_suppliers_write_it() -> None:
    _load_example()
    assert commitments_import(content=EXAMPLE_COMMITMENTS.encode(), filename="c.csv") == (5, 0)
    first = Commitment.objects.get(supplier__code="CN-0001")
    assert (str(first.committed_on), first.target_year, first.target_green_share_percent) == ("2021-06-30", 2030, 70)
    assert Commitment.objects.get(supplier__code="CN-0002").target_year == 2029
    assert Commitment.objects.get(supplier__code="CN-0003").target_green_share_percent == Decimal(30)
    # The same file again replaces, it does not add.
    assert commitments_import(content=EXAMPLE_COMMITMENTS.encode(), filename="c.csv") == (0, 5)
    assert Commitment.objects.count() == 5


BAD = (
    HEADER
    + "CN-0001,2021-02-30,2030,70,ok\n"  # no 30 February
    + "CN-9999,2021-01-01,thirty,120,=HYPERLINK()\n"  # unknown supplier, a word, over 100, a formula
    + "CN-0001,2021-01-01,2030,,\n"  # twice, and two required cells empty
    + "CN-0002,2024-01-01,2023,50,ok\n"  # a target before the commitment
)
BAD_PROBLEMS = [
    (2, "committed_on"),
    (3, "target_year"),
    (3, "target_green_share_percent"),
    (3, "supplier_code"),
    (3, "source"),
    (4, "target_green_share_percent"),
    (4, "supplier_code"),
    (4, "source"),
    (5, "target_year"),
]


@pytest.mark.parametrize(("language", "words"), [("en", "is required"), ("zh-hans", "必填")])
def test_a_bad_file_is_refused_whole_with_every_problem_named(language: str, words: str) -> None:
    _load_example()
    with translation.override(language), pytest.raises(FileRefused) as refused:
        commitments_import(content=BAD.encode(), filename="bad.csv")
    assert sorted((p.row, p.column) for p in refused.value.problems) == sorted(BAD_PROBLEMS)
    assert any(words in p.message for p in refused.value.problems)
    assert Commitment.objects.count() == 0


def test_the_command_loads_a_file_and_exits_non_zero_listing_every_problem(tmp_path: Path) -> None:
    _load_example()
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(EXAMPLE_COMMITMENTS, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    out = StringIO()
    call_command("import_commitments", str(good), stdout=out)
    assert "5 new" in out.getvalue()
    with pytest.raises(CommandError) as error:
        call_command("import_commitments", str(bad))
    assert f"{len(BAD_PROBLEMS)} problem(s)" in str(error.value)


def test_an_xlsx_file_is_read_like_the_csv() -> None:
    from openpyxl import Workbook

    _load_example()
    book = Workbook()
    sheet = book.active
    for row in EXAMPLE_COMMITMENTS.strip().split("\n"):
        sheet.append(row.split(","))
    sheet["B2"].value = __import__("datetime").date(2021, 6, 30)  # a date cell, as Excel keeps it
    sheet["B2"].number_format = "yyyy-mm-dd"
    buffer = __import__("io").BytesIO()
    book.save(buffer)
    assert commitments_import(content=buffer.getvalue(), filename="c.xlsx") == (5, 0)
    assert str(Commitment.objects.get(supplier__code="CN-0001").committed_on) == "2021-06-30"


def test_each_supplier_stands_where_its_line_puts_it() -> None:
    _example_with_commitments()
    summary = commitments_summary_get(run=rollup_run_create(year=2024))
    status = {s.commitment.supplier.code: s.progress.status for s in summary.standings}
    assert status == {
        "CN-0001": "met", "CN-0002": "behind", "CN-0003": "on_track", "CN-0004": "no_baseline", "CN-0005": "behind",
    }  # fmt: skip
    expected = {s.commitment.supplier.code: s.progress.expected_share_percent for s in summary.standings}
    assert expected["CN-0002"] == 50 and expected["CN-0005"].quantize(Decimal("0.01")) == Decimal("83.33")
    assert (summary.committed, summary.reporting) == (5, 5)


def test_the_comparison_counts_the_commitments_and_names_who_is_behind(staff_client: Client) -> None:
    _example_with_commitments()
    rollup_run_create(year=2024)
    page = staff_client.get(reverse("reports_comparison"), {"year": 2024}).content.decode()
    section = page[page.index('id="commitments-section"') :]
    for cell, count in (("committed", 5), ("reporting", 5), ("met", 1), ("on-track", 1), ("behind", 2)):
        assert f'id="commitments-{cell}">' in section
        assert section.split(f'id="commitments-{cell}">')[1].split("</td>")[0].endswith(f">{count}</a>") or (
            section.split(f'id="commitments-{cell}">')[1].split("</td>")[0] == str(count)
        )
    behind = section[section.index('id="commitments-behind-list"') :].split("</table>")[0]
    assert "CN-0002" in behind and "CN-0005" in behind and "CN-0003" not in behind
    with translation.override("zh-hans"):
        staff_client.cookies["django_language"] = "zh-hans"
        chinese = staff_client.get(reverse("reports_comparison"), {"year": 2024}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "承诺" in chinese.content.decode()


def test_the_comparison_reads_commitments_in_the_same_number_of_queries_at_5_and_200_suppliers(
    staff_client: Client,
) -> None:
    from suppliers.models import Supplier

    def count() -> int:
        for supplier in Supplier.objects.filter(commitment__isnull=True):
            Commitment.objects.create(
                supplier=supplier,
                committed_on="2021-01-01",
                target_year=2030,
                target_green_share_percent=50,
                source="x",
            )
        rollup_run_create(year=2019)
        rollup_run_create(year=2024)
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("reports_comparison"), {"year": 2024}).status_code == 200
        return len(queries)

    make_portfolio(5)
    small = count()
    make_portfolio(195)
    assert count() == small


@override_settings(LANGUAGE_CODE="en")
def test_the_supplier_sees_its_own_commitment_and_where_it_stands(client: Client) -> None:
    _example_with_commitments()
    rollup_run_create(year=2024)
    from suppliers.models import Supplier

    user = User.objects.create_user(
        "cn2@supplier.example", "a long supplier password", supplier=Supplier.objects.get(code="CN-0002")
    )
    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    block = page[page.index('id="commitment"') :].split("</div>")[0]
    assert "100 % green electricity by 2029" in block
    assert "In 2024:" in block and "42.1 %" in block and "50.0 % expected" in block, block
    assert 'id="commitment-status">Behind' in block
