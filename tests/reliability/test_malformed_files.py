"""The malformed-file corpus (tests/reliability/corpus/README.md), through every path that takes a
submission file: the service, the `import_submissions` command, the admin's import page and a
supplier's bulk upload. Each file is refused whole with exactly the problems the README lists
(row, column, reason), in the user's language, and nothing is written to any table."""

import functools
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from suppliers.models import Line, ReportingPeriod, Site, Submission, Supplier, User
from suppliers.periods import PeriodKind, period_make
from suppliers.services.imports import submissions_import
from suppliers.services.spreadsheets import FileRefused, Problem
from tests.reliability.corpus import make_corpus
from tests.reliability.snapshots import database_snapshot as _snapshot

CORPUS = Path(make_corpus.__file__).parent
CASES = {case.name: case for case in make_corpus.CASES}
ProblemTuple = tuple[int | None, str | None, str]


def _parse_cell(cell: str) -> list[ProblemTuple]:
    problems = []
    for item in cell.split("<br>"):
        row, column, message = item.strip().strip("`").split(" · ", 2)
        problems.append((None if row == "—" else int(row), None if column == "—" else column, message))
    return problems


def _readme_expectations() -> dict[str, tuple[list[ProblemTuple], list[ProblemTuple] | None]]:
    """file → (problems, problems of a supplier's own upload when they differ), from the README."""
    expected = {}
    for line in (CORPUS / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) == 5 and re.fullmatch(r"\d\d-.+\.(csv|xlsx)", cells[0]):
            supplier = None if cells[4] == "same" else _parse_cell(cells[4])
            expected[cells[0]] = (_parse_cell(cells[3]), supplier)
    return expected


EXPECTED = _readme_expectations()
SMALL = sorted(name for name in EXPECTED if name != "70-big-file-one-bad-row.csv")
CHINESE = sorted(name for name, case in CASES.items() if case.chinese)


@functools.cache
def _content(name: str) -> bytes:
    case = CASES[name]
    return case.content() if case.generated else (CORPUS / name).read_bytes()


# --- The world the files are checked against ---------------------------------------------------


@pytest.fixture
def world(db: None) -> dict[str, User]:
    """CN-A001 with site A1 (Jiangsu) and an approved 2023 line; CN-B001; 2023 and 2024 open."""
    alpha = Supplier.objects.create(code="CN-A001", name_en="Alpha Castings", uscc=make_corpus.USCC_A)
    Supplier.objects.create(code="CN-B001", name_zh="贝塔电池有限公司", uscc=make_corpus.USCC_B)
    site = Site.objects.create(supplier=alpha, code="A1", name="Plant A1", province="320000")
    periods = [
        period_make(year, kind, number)
        for year in (2023, 2024)
        for kind, numbers in (
            (PeriodKind.YEAR, [0]),
            (PeriodKind.QUARTER, range(1, 5)),
            (PeriodKind.MONTH, range(1, 13)),
        )
        for number in numbers
    ]
    ReportingPeriod.objects.bulk_create(
        ReportingPeriod(year=p.year, kind=p.kind, number=p.number, first_month=p.first_month, last_month=p.last_month)
        for p in periods
    )
    submission = Submission.objects.create(
        supplier=alpha, period=ReportingPeriod.objects.get(year=2023, kind=PeriodKind.YEAR), status="approved"
    )
    Line.objects.create(
        submission=submission, site=site, entered_unit="MWh", total_electricity_mwh=Decimal(1000),
        bmw_share_percent=Decimal(50),
    )  # fmt: skip
    alice = User.objects.create_user(email="alice@supplier-a.example", password="x" * 20, supplier=alpha)
    staff = User.objects.create_superuser("staff@carmaker.example", "a long staff password")
    return {"alice": alice, "staff": staff}


@pytest.fixture(autouse=True)
def uploads_dir(settings: object, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path / "uploads"


def _expected(name: str, *, supplier: bool = False) -> list[ProblemTuple]:
    problems, supplier_problems = EXPECTED[name]
    return supplier_problems if supplier and supplier_problems is not None else problems


def _chinese(name: str, problems: list[ProblemTuple]) -> list[ProblemTuple]:
    return [(row, column, CASES[name].chinese[message]) for row, column, message in problems]


def _as_tuples(problems: list[Problem]) -> list[ProblemTuple]:
    return [(p.row, p.column, p.message) for p in problems]


def _table(page: str, table_id: str) -> list[list[str]]:
    """The cells of the table's body, as text."""
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert body, f"no table #{table_id} on the page"
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body[1], re.S)
    ]


# --- The corpus itself -------------------------------------------------------------------------


def _unpacked(content: bytes) -> object:
    """A workbook's members (their compression may differ from one zlib to another), or the bytes."""
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}
    except zipfile.BadZipFile:
        return content


def test_the_readme_lists_every_file_of_the_corpus_and_the_corpus_breaks_every_rule() -> None:
    on_disk = {path.name for path in CORPUS.iterdir() if path.suffix in (".csv", ".xlsx")}
    generated = {name for name, case in CASES.items() if case.generated}
    assert set(EXPECTED) == on_disk | generated == set(CASES)
    assert not on_disk & generated
    assert len(EXPECTED) >= 40
    for name, (problems, supplier_problems) in EXPECTED.items():
        case = CASES[name]
        assert problems == case.problems, name
        assert supplier_problems == case.supplier_problems, name
        if not case.generated:
            assert _unpacked(_content(name)) == _unpacked(case.content()), f"{name} differs from make_corpus.py"
    assert {rule for case in CASES.values() for rule in case.rules} == set(make_corpus.RULES)


def test_the_generated_files_are_what_they_claim() -> None:
    import io
    import zipfile

    bomb = _content("65-zip-bomb.xlsx")
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert len(bomb) < 200_000 and unpacked > 50_000_000
    big = _content("70-big-file-one-bad-row.csv").decode().splitlines()
    assert len(big) == 1 + make_corpus.BIG_FILE_ROWS
    assert [i + 1 for i, line in enumerate(big) if ",101," in line] == [make_corpus.BIG_FILE_BAD_ROW]


# --- Through the service and the command ---------------------------------------------------------


@pytest.mark.parametrize("name", SMALL)
def test_the_service_refuses_the_file_whole_naming_each_problem(world: dict, name: str) -> None:
    before = _snapshot()
    with pytest.raises(FileRefused) as refused:
        submissions_import(content=_content(name), filename=name, user=world["staff"], approve=True)
    assert _as_tuples(refused.value.problems) == _expected(name)
    assert _snapshot() == before

    # A supplier's own import, as the upload's confirmation makes it (the page's preview is a dry run).
    alice = world["alice"]
    with pytest.raises(FileRefused) as refused:
        submissions_import(
            content=_content(name), filename=name, user=alice, restrict_to_supplier=alice.supplier, as_draft=True
        )
    assert _as_tuples(refused.value.problems) == _expected(name, supplier=True)
    assert _snapshot() == before


@pytest.mark.parametrize("name", SMALL)
def test_the_command_refuses_the_file_whole_with_each_problem_on_stderr(world: dict, name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(_content(name))
    before = _snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("import_submissions", str(path), "--approve")
    message = str(refused.value)
    expected = [str(Problem(*problem)) for problem in _expected(name)]
    assert message.splitlines() == [
        f"{name} was refused; nothing was imported. {len(expected)} problem(s):",
        *(f"  {line}" for line in expected),
    ]
    assert "Traceback" not in message
    assert _snapshot() == before


# --- Through the web ----------------------------------------------------------------------------


def _post_admin(client: Client, name: str) -> str:
    response = client.post(
        reverse("admin:suppliers_submission_import"),
        {"file": SimpleUploadedFile(name, _content(name)), "approve": "on"},
    )
    assert response.status_code == 200
    return response.content.decode()


def _post_upload(client: Client, name: str) -> str:
    response = client.post(reverse("upload"), {"file": SimpleUploadedFile(name, _content(name))})
    assert response.status_code == 200
    return response.content.decode()


def _admin_rows(problems: list[ProblemTuple]) -> list[list[str]]:
    return [["" if row is None else str(row), column or "", message] for row, column, message in problems]


def _upload_rows(problems: list[ProblemTuple]) -> list[list[str]]:
    return [["—" if row is None else str(row), column or "—", message] for row, column, message in problems]


@pytest.mark.parametrize("name", SMALL)
def test_the_admin_import_page_lists_each_problem_and_saves_nothing(world: dict, client: Client, name: str) -> None:
    client.force_login(world["staff"])
    before = _snapshot()
    page = _post_admin(client, name)
    assert "The file was refused; nothing was imported." in page
    assert _table(page, "import-problems") == _admin_rows(_expected(name))
    assert _snapshot() == before


@pytest.mark.parametrize("name", SMALL)
def test_the_bulk_upload_page_lists_each_problem_and_keeps_nothing(
    world: dict, client: Client, name: str, uploads_dir: Path
) -> None:
    client.force_login(world["alice"])
    before = _snapshot()
    page = _post_upload(client, name)
    assert "Nothing was saved" in page
    assert _table(page, "problems") == _upload_rows(_expected(name, supplier=True))
    assert _snapshot() == before
    assert not list(uploads_dir.glob("*/*"))  # no file waits for a confirmation


# --- In Chinese ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHINESE)
def test_the_problems_are_told_in_chinese_to_a_chinese_user(world: dict, client: Client, name: str) -> None:
    with translation.override("zh-hans"), pytest.raises(FileRefused) as refused:
        submissions_import(content=_content(name), filename=name)
    assert _as_tuples(refused.value.problems) == _chinese(name, _expected(name))

    client.cookies["django_language"] = "zh-hans"
    client.force_login(world["alice"])
    before = _snapshot()
    page = _post_upload(client, name)
    assert '<th scope="col">行</th><th scope="col">列</th><th scope="col">问题</th>' in page
    assert _table(page, "problems") == _upload_rows(_chinese(name, _expected(name, supplier=True)))
    assert _snapshot() == before

    client.force_login(world["staff"])
    before = _snapshot()
    page = _post_admin(client, name)
    assert "文件被拒绝，未导入任何数据。" in page
    assert _table(page, "import-problems") == _admin_rows(_chinese(name, _expected(name)))
    assert _snapshot() == before


# --- 50 000 rows, one bad ------------------------------------------------------------------------

BIG = "70-big-file-one-bad-row.csv"


def test_one_bad_row_in_fifty_thousand_refuses_the_file_in_the_service_the_admin_and_the_upload(
    world: dict, uploads_dir: Path
) -> None:
    expected = _expected(BIG)
    assert expected == [(make_corpus.BIG_FILE_BAD_ROW, "bmw_share_percent", "must be between 0 and 100")]
    # The 50 000 sites on record, as staff would have made them: a supplier's upload adds none.
    Site.objects.bulk_create(
        Site(
            supplier=world["alice"].supplier, code=f"N{number}", name=f"Hall {number}", province="320000", region="EAST"
        )
        for number in range(2, make_corpus.BIG_FILE_ROWS + 2)
    )
    staff, alice = Client(), Client()
    staff.force_login(world["staff"])
    alice.force_login(world["alice"])
    before = _snapshot()

    with pytest.raises(FileRefused) as refused:
        submissions_import(content=_content(BIG), filename=BIG, approve=True)
    assert _as_tuples(refused.value.problems) == expected

    assert _table(_post_admin(staff, BIG), "import-problems") == _admin_rows(expected)
    assert _table(_post_upload(alice, BIG), "problems") == _upload_rows(expected)
    assert not list(uploads_dir.glob("*/*"))
    assert _snapshot() == before


def test_the_fifty_thousand_rows_without_the_bad_one_pass_every_check(world: dict) -> None:
    """The control: with the bad share corrected the file passes every check, the database's
    included (a dry run; writing 50 000 lines is the benchmarks' business, not this suite's)."""
    good = _content(BIG).replace(b",101,", b",40,")
    before = _snapshot()
    result = submissions_import(content=good, filename=BIG, dry_run=True)
    assert (result.lines_created, result.sites_created) == (make_corpus.BIG_FILE_ROWS, make_corpus.BIG_FILE_ROWS)
    assert {line.quantities_mwh["total_electricity_mwh"] for line in result.parsed} == {Decimal(1250)}
    assert _snapshot() == before


def test_a_formula_with_its_result_saved_is_read_as_that_result(world: dict) -> None:
    """The control of 75-formula-without-result.xlsx: as Excel saves it, with the result, it is good."""
    saved = make_corpus.xlsx_patched(
        make_corpus.xlsx_rows(make_corpus.row(total_electricity=1000, gec="=100*2", certificate_ids="GEC-1")),
        [(b"<f>100*2</f><v />", b"<f>100*2</f><v>200</v>")],
    )
    submissions_import(content=saved, filename="saved-by-excel.xlsx")
    line = Line.objects.get(submission__period__year=2024)
    assert (line.total_electricity_mwh, line.gec_mwh) == (Decimal(1000), Decimal(200))
