"""Certificate serials in the submission file (method version 2): each broken rule refuses the whole
file, naming row, column and reason in the user's language; claimed ranges are stored as rows, and
exactly the certificates another line claims are excluded from the roll-up."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.selectors.claims import line_exclusions_get
from suppliers.models import CertificateRange, Line, Submission
from suppliers.services.imports import COLUMNS, submissions_import
from suppliers.services.spreadsheets import FileRefused
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db


def _row(**cells: str) -> dict[str, str]:
    row = {
        "supplier_code": "CN-0042",
        "supplier_name": "Wuxi Cell Works",
        "uscc": valid_uscc(4200),
        "site_code": "WX1",
        "site_name": "Xishan plant",
        "province": "Jiangsu",
        "period": "2025",
        "unit": "MWh",
        "total_electricity": "1000",
        "gec": "100",
        "bmw_share_percent": "50",
        "gec_serials": "GEC-0320-2025-000001~GEC-0320-2025-000100",
    }
    return row | cells


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([[row.get(column, "") for column in COLUMNS] for row in rows])
    return out.getvalue().encode()


def _refusal(rows: list[dict[str, str]]) -> list[tuple[int | None, str | None, str]]:
    counts = (Line.objects.count(), CertificateRange.objects.count())
    with pytest.raises(FileRefused) as raised:
        submissions_import(content=_csv(rows), filename="serials.csv", approve=True)
    assert (Line.objects.count(), CertificateRange.objects.count()) == counts  # nothing written
    return [(p.row, p.column, p.message) for p in raised.value.problems]


BAD = [
    (
        "count differs from the quantity",
        {"gec": "99"},
        "gec_serials",
        "the serials count 100 certificates, the quantity is 99",
        "编号共计 100 张证书，而电量为 99",
    ),
    (
        "a range that runs backwards",
        {"gec_serials": "GEC-0320-2025-000100~GEC-0320-2025-000001"},
        "gec_serials",
        "runs backwards",
        "区间起止顺序颠倒",
    ),
    (
        "ends that differ in more than their final digits",
        {"gec_serials": "GEC-0320-2025-000001~GEC-0330-2025-000100"},
        "gec_serials",
        "differ in more than their final digits",
        "除末尾数字外还有其他不同",
    ),
    (
        "serials for a quantity of 0",
        {"gec": "", "irec": "", "irec_serials": "IREC-1~IREC-5", "gec_serials": ""},
        "irec_serials",
        "serials are given for a quantity of 0",
        "电量为 0，却填写了证书编号",
    ),
    (
        "a non-whole number of MWh with serials",
        {"gec": "100.5"},
        "gec_serials",
        "is not a whole number of certificates",
        "不是整数张证书",
    ),
    (
        "a certificate twice on one line",
        {"gec_serials": "GEC-0320-2025-000001~GEC-0320-2025-000060;GEC-0320-2025-000051~GEC-0320-2025-000090"},
        "gec_serials",
        "are listed twice",
        "被重复列出",
    ),
    (
        "serials and batch IDs on one line",
        {"certificate_ids": "GEC-2025-JS-000001"},
        "certificate_ids",
        "not both",
        "不能同时填写",
    ),
    (
        "serials for one instrument but not the other",
        {"total_electricity": "1000", "irec": "50"},
        "irec_serials",
        "are required for this quantity too",
        "此类证书也须填写编号",
    ),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("cells", "column", "english", "chinese"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_each_serial_rule_refuses_the_file_naming_row_column_and_reason(
    cells: dict, column: str, english: str, chinese: str, language: str
) -> None:
    good = _row(site_code="WX2", site_name="Second plant", gec_serials="GEC-0320-2025-000201~GEC-0320-2025-000300")
    with translation.override(language):
        problems = _refusal([good, _row(**cells)])
    assert [(row, col) for row, col, _message in problems] == [(3, column)]
    assert (english if language == "en" else chinese) in problems[0][2]


def test_every_problem_of_the_file_is_named_at_once() -> None:
    problems = _refusal([_row(**cells) | {"site_code": f"S{i}"} for i, (_n, cells, *_rest) in enumerate(BAD)])
    assert [row for row, _column, _message in problems] == list(range(2, 2 + len(BAD)))


def test_full_width_serials_and_separators_typed_by_a_chinese_ime_are_read_as_meant() -> None:
    rows = [
        _row(
            gec="150",
            gec_serials="ＧＥＣ－０３２０－２０２５－０００００１～ＧＥＣ－０３２０－２０２５－０００１００；GEC-0320-2025-000201~GEC-0320-2025-000250",
        )
    ]
    submissions_import(content=_csv(rows), filename="serials.csv", approve=True)
    stored = sorted(CertificateRange.objects.values_list("stem", "first", "last", "count"))
    assert stored == [("GEC-0320-2025-", "000001", "000100", 100), ("GEC-0320-2025-", "000201", "000250", 50)]


def test_a_32_digit_range_is_stored_and_counted_exactly() -> None:
    first, last = "10000000000000000000000000000001", "10000000000000000000000000000100"
    submissions_import(content=_csv([_row(gec_serials=f"{first}~{last}")]), filename="s.csv", approve=True)
    claimed = CertificateRange.objects.get()
    assert (claimed.stem, claimed.width, claimed.first, claimed.last, claimed.count) == ("", 32, first, last, 100)


def test_importing_a_line_again_replaces_its_claimed_ranges() -> None:
    submissions_import(content=_csv([_row()]), filename="s.csv", approve=True)
    again = _row(gec_serials="GEC-0320-2025-000501~GEC-0320-2025-000600")
    submissions_import(content=_csv([again]), filename="s.csv", approve=True)
    assert list(CertificateRange.objects.values_list("first", "last")) == [("000501", "000600")]


# --- exclusions in the database ------------------------------------------------------------------


def _claim(site: str, ranges: list[tuple[int, int]], year: int = 2025) -> dict[str, str]:
    serials = ";".join(f"GEC-9-{a:06d}~GEC-9-{b:06d}" if a != b else f"GEC-9-{a:06d}" for a, b in ranges)
    count = sum(b - a + 1 for a, b in ranges)
    return _row(site_code=site, site_name=f"Plant {site}", gec=str(count), total_electricity="100000",
                gec_serials=serials, period=str(year))  # fmt: skip


def _disjoint(draw: st.DrawFn) -> list[tuple[int, int]]:
    cuts = sorted(set(draw(st.lists(st.integers(1, 400), min_size=2, max_size=6))))
    return [(cuts[i], cuts[i + 1] - 1) for i in range(0, len(cuts) - 1, 2) if cuts[i] <= cuts[i + 1] - 1]


@st.composite
def claims(draw: st.DrawFn) -> list[list[tuple[int, int]]]:
    lines = [_disjoint(draw) for _ in range(draw(st.integers(2, 4)))]
    return [ranges for ranges in lines if ranges]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims())
def test_the_excluded_certificates_of_a_line_are_exactly_those_another_line_claims(lines: list) -> None:
    Submission.objects.all().delete()
    rows = [_claim(f"S{i}", ranges) for i, ranges in enumerate(lines)]
    if not rows:
        return
    submissions_import(content=_csv(rows), filename="claims.csv", approve=True)
    exclusions = line_exclusions_get(years={2025})
    certificates = [{n for a, b in ranges for n in range(a, b + 1)} for ranges in lines]
    by_site = {line.site.code: line.pk for line in Line.objects.select_related("site")}
    for i, own in enumerate(certificates):
        others = set().union(*(c for j, c in enumerate(certificates) if j != i))
        shared = len(own & others)
        found = exclusions.get(by_site[f"S{i}"])
        assert (found.gec_mwh if found else Decimal(0)) == shared


def test_a_range_split_across_one_owners_lines_without_overlap_is_no_double_claim() -> None:
    rows = [
        _claim("FS1", [(1, 200)]) | {"period": "2025-Q1"},
        _claim("FS1", [(201, 450)]) | {"period": "2025-Q2"},
    ]
    submissions_import(content=_csv(rows), filename="split.csv", approve=True)
    assert line_exclusions_get(years={2025}) == {}
