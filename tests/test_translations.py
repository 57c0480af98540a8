"""The Simplified Chinese catalogue is complete and correct, and the pages suppliers see speak it.

A string added to the code without a translation fails `test_every_string_in_the_code_is_in_the_catalogue`:
run `manage.py makemessages -l zh_Hans --ignore=.venv --ignore=test-artifacts --ignore=var --ignore=tests`,
translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po and `manage.py compilemessages --ignore=.venv`.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from reports.calculation import METHOD_VERSION
from reports.models import RollupRun, RollupSupplierResult
from suppliers.models import ReportingPeriod, User
from suppliers.services.accounts import supplier_user_invite
from tests.factories import ReportingPeriodFactory, SubmissionFactory, SupplierFactory

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
# The same folders the README's makemessages command leaves out.
MAKEMESSAGES_IGNORE = [".venv", "test-artifacts", "var", "tests"]


# --- a small reader of .po files ------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] | None = None
    flags: frozenset[str] = frozenset()
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translations(self) -> list[str]:
        return list(self.msgstr_plural.values()) if self.msgid_plural is not None else [self.msgstr]

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(quoted: str) -> str:
    # A PO string is a C string; Python's literal syntax reads the escapes gettext writes.
    return ast.literal_eval(quoted)


def po_entries(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header (as a dict) and the entries of a .po or .pot file; obsolete (#~) entries are left out."""
    header: dict[str, str] = {}
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    plurals: dict[int, str] = {}
    flags: set[str] = set()
    current: tuple[str, int | None] | None = None
    start = 0

    def finish() -> None:
        nonlocal fields, plurals, flags, current, start
        if fields.get("msgid") == "" and "msgctxt" not in fields:
            for header_line in fields.get("msgstr", "").splitlines():
                name, _, value = header_line.partition(":")
                header[name.strip()] = value.strip()
        elif "msgid" in fields:
            entries.append(
                Entry(
                    msgid=fields["msgid"],
                    msgctxt=fields.get("msgctxt"),
                    msgid_plural=fields.get("msgid_plural"),
                    msgstr=fields.get("msgstr", ""),
                    msgstr_plural=dict(plurals) if "msgid_plural" in fields else None,
                    flags=frozenset(flags),
                    line=start,
                )
            )
        fields, plurals, flags, current, start = {}, {}, set(), None, 0

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if not line:
            finish()
            continue
        match = _KEYWORD.match(line)
        starts_entry = line.startswith("#") or (match is not None and match.group(1) in ("msgctxt", "msgid"))
        if starts_entry and "msgid" in fields:
            finish()  # entries not separated by a blank line
        start = start or number
        if line.startswith("#"):
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif match:
            keyword, index, quoted = match.groups()
            if index is not None:
                plurals[int(index)] = _unquote(quoted)
                current = ("msgstr", int(index))
            else:
                fields[keyword] = _unquote(quoted)
                current = (keyword, None)
        elif line.startswith('"') and current is not None:
            keyword, index = current
            if index is not None:
                plurals[index] += _unquote(line)
            else:
                fields[keyword] += _unquote(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return header, entries


@pytest.fixture(scope="module")
def catalogue() -> tuple[dict[str, str], list[Entry]]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l zh_Hans"
    return po_entries(PO_PATH)


# --- the catalogue itself -------------------------------------------------------------------------


def test_catalogue_header_declares_simplified_chinese_with_one_plural_form(catalogue) -> None:
    header, _ = catalogue
    assert header["Language"] == "zh_Hans"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"


def test_catalogue_has_no_duplicate_entries(catalogue) -> None:
    _, entries = catalogue
    keys = [entry.key for entry in entries]
    assert len(keys) == len(set(keys))
    assert len(entries) > 300, "the catalogue was read only in part"


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue) -> None:
    _, entries = catalogue
    untranslated = [str(e) for e in entries if not all(text.strip() for text in e.translations)]
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_exactly_the_one_chinese_form(catalogue) -> None:
    _, entries = catalogue
    plural = [e for e in entries if e.msgid_plural is not None]
    assert plural, "the catalogue has plural entries (the upload and import error counts)"
    assert [str(e) for e in plural if set(e.msgstr_plural) != {0}] == []


# %(name)s, %(n)d, %s, %% … and {name} / {0}: what the code fills in must survive translation.
_PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z_0-9.]*\}(?!\})")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_CODE_SPAN = re.compile(r"`[^`]+`")
# Units and codes stay as they are in Chinese text.
_UNIT = re.compile(r"万kWh|kWh|MWh|GWh|tCO2e|tCO2/MWh|I-REC|GEC|GB/T 2260|GB 32100-2015|UTF-8|GB18030/GBK")


def _placeholders(text: str, *, python_format: bool) -> list[str]:
    found = sorted(_BRACE_PLACEHOLDER.findall(text))
    if python_format:
        found += sorted(_PERCENT_PLACEHOLDER.findall(text))
    return found


def _positional(text: str) -> list[str]:
    # %s and %d have no name, so their order is their meaning.
    return [p for p in _PERCENT_PLACEHOLDER.findall(text) if not p.startswith("%(") and p != "%%"]


def test_every_translation_keeps_the_placeholders_of_its_source(catalogue) -> None:
    _, entries = catalogue
    wrong = []
    for entry in entries:
        python_format = "python-format" in entry.flags
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        # A plural's single Chinese form serves both English forms: it needs the placeholders of either.
        expected = max((_placeholders(s, python_format=python_format) for s in sources), key=len)
        for text in entry.translations:
            if _placeholders(text, python_format=python_format) != expected:
                wrong.append(f"{entry}: {text!r}")
            elif python_format and _positional(text) != _positional(entry.msgid):
                wrong.append(f"{entry} (order of %s/%d): {text!r}")
    assert wrong == []


def test_every_translation_keeps_markup_code_and_units(catalogue) -> None:
    _, entries = catalogue
    wrong = []
    for entry in entries:
        for pattern in (_TAG, _CODE_SPAN, _UNIT):
            expected = sorted(set(pattern.findall(entry.msgid)))
            for text in entry.translations:
                if sorted(set(pattern.findall(text))) != expected:
                    wrong.append(f"{entry}: {text!r}")
    assert wrong == []


def test_grid_regions_have_their_chinese_names(catalogue) -> None:
    _, entries = catalogue
    regions = {e.msgid: e.msgstr for e in entries if e.msgctxt == "grid region"}
    assert regions == {
        "National": "全国电网",
        "North China": "华北区域电网",
        "Northeast China": "东北区域电网",
        "East China": "华东区域电网",
        "Central China": "华中区域电网",
        "Northwest China": "西北区域电网",
        "South China": "南方区域电网",
        "Southwest China": "西南区域电网",
    }


def test_catalogue_passes_msgfmt_check_with_nothing_fuzzy_or_untranslated(tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages?\.\n", result.stderr), result.stderr


def test_compiled_catalogue_matches_the_po_file(catalogue) -> None:
    """The .mo Django reads is the .po compiled (`compilemessages --ignore=.venv` after editing)."""
    _, entries = catalogue
    assert MO_PATH.exists(), "run manage.py compilemessages --ignore=.venv"
    with MO_PATH.open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    stale = []
    for entry in entries:
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural is not None:
            found = compiled.ngettext(msgid, entry.msgid_plural, 1)
        else:
            found = compiled.gettext(msgid)
        if found != entry.translations[0]:
            stale.append(str(entry))
    assert stale == [], "the .mo is older than the .po: run compilemessages"


def test_django_serves_every_translation_in_chinese(catalogue) -> None:
    _, entries = catalogue
    wrong = []
    with translation.override("zh-hans"):
        for entry in entries:
            if entry.msgid_plural is not None:
                for n in (1, 2, 5):
                    if entry.msgctxt:
                        found = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    else:
                        found = translation.ngettext(entry.msgid, entry.msgid_plural, n)
                    if found != entry.msgstr_plural[0]:
                        wrong.append(f"{entry} (n={n}): {found!r}")
            else:
                if entry.msgctxt:
                    found = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    found = translation.gettext(entry.msgid)
                if found != entry.msgstr:
                    wrong.append(f"{entry}: {found!r}")
    assert wrong == []


# --- the catalogue against the code ------------------------------------------------------------


def _copy_sources(destination: Path) -> None:
    """The files makemessages reads (.py, .html, .txt), without the folders the project ignores."""
    skipped = {*MAKEMESSAGES_IGNORE, "locale", "node_modules", "staticfiles", "__pycache__"}
    for folder, subfolders, files in os.walk(BASE_DIR):
        subfolders[:] = [name for name in subfolders if name not in skipped and not name.startswith(".")]
        target = destination / Path(folder).relative_to(BASE_DIR)
        for name in files:
            if name.endswith((".py", ".html", ".txt")):
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(folder) / name, target / name)


def test_every_string_in_the_code_is_in_the_catalogue(catalogue, tmp_path: Path) -> None:
    """makemessages on a copy of the sources: every msgid it finds has a translation in the .po."""
    copy = tmp_path / "project"
    _copy_sources(copy)
    (copy / "locale").mkdir()
    ignore = [f"--ignore={folder}" for folder in MAKEMESSAGES_IGNORE]
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--keep-pot", "--no-location", *ignore],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.base"},
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    _, template = po_entries(copy / "locale" / "django.pot")
    assert len(template) > 300, "makemessages found fewer strings than the catalogue holds"

    _, entries = catalogue
    translated = {e.key: e for e in entries if all(text.strip() for text in e.translations)}
    missing = [str(e) for e in template if e.key not in translated]
    plural_changed = [
        str(e) for e in template if e.key in translated and e.msgid_plural != translated[e.key].msgid_plural
    ]
    assert missing == [], "strings without a translation (run makemessages, translate them):\n" + "\n".join(missing)
    assert plural_changed == []


# --- pages and emails in Chinese ---------------------------------------------------------------

# English phrases a supplier must not meet on a Chinese page (besides every multi-word msgid).
KNOWN_ENGLISH = [
    "Log in",
    "Log out",
    "Reporting periods",
    "Forgotten your password?",
    "Password",
    "Dashboard",
    "To report",
    "Due",
    "Status",
    "Period",
    "Save draft",
    "Submit for review",
    "Green electricity",
]


class _VisibleText(HTMLParser):
    """The text a reader sees, with the attributes shown as text (button values, placeholders)."""

    SHOWN_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label"}
    BUTTON_INPUTS = {"submit", "button", "reset"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        attributes = dict(attrs)
        self.parts.extend(value for name, value in attrs if name in self.SHOWN_ATTRIBUTES and value)
        if tag == "input" and attributes.get("type") in self.BUTTON_INPUTS and attributes.get("value"):
            self.parts.append(attributes["value"])  # a <button>'s value is sent, not shown

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _english_left(text: str, entries: list[Entry]) -> list[str]:
    """English UI phrases in `text`: the known ones and every msgid of two words or more whose
    translation does not itself contain it."""
    phrases = set(KNOWN_ENGLISH)
    for entry in entries:
        for source in filter(None, [entry.msgid, entry.msgid_plural]):
            plain = re.sub(r"\s+", " ", _TAG.sub("", _PERCENT_PLACEHOLDER.sub(" ", source))).strip()
            for piece in re.split(r"[.:;?!“”\"()]", plain):
                piece = piece.strip()
                if len(piece.split()) >= 2 and not any(piece in t for t in entry.translations):
                    phrases.add(piece)
    return sorted(p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text))


@pytest.fixture
def chinese_client(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.fixture
def alice_chinese(alice: User, chinese_client: Client) -> Client:
    alice.supplier.name_zh = "常州绿能电池有限公司"
    alice.supplier.save()
    chinese_client.force_login(alice)
    return chinese_client


def test_login_page_is_in_chinese(catalogue, chinese_client: Client, db: None) -> None:
    response = chinese_client.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    text = visible_text(page)
    for chinese in ("绿电填报", "登录", "忘记密码？", "电子邮箱", "密码"):
        assert chinese in text
    assert _english_left(text, catalogue[1]) == []


def test_login_page_follows_the_browsers_language(client: Client, db: None) -> None:
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5").content.decode()
    assert "忘记密码？" in page
    assert "Forgotten your password?" not in page


def test_supplier_dashboard_is_in_chinese(catalogue, alice: User, alice_chinese: Client) -> None:
    returned = ReportingPeriodFactory(year=2025, kind="quarter", number=1, due_date=date(2025, 4, 30))
    SubmissionFactory(supplier=alice.supplier, period=returned, status="returned", review_comment="请补充电费账单")
    ReportingPeriodFactory(year=2025, kind="quarter", number=2, due_date=date(2025, 7, 31))
    submitted = ReportingPeriodFactory(year=2024, kind="year", number=0, due_date=date(2025, 3, 31))
    SubmissionFactory(supplier=alice.supplier, period=submitted, status="submitted")
    finished = timezone.now() - timedelta(minutes=5)
    run = RollupRun.objects.create(
        year=2024,
        baseline_year=settings.BASELINE_YEAR,
        method_version=METHOD_VERSION,
        input_fingerprint="2024",
        started_at=finished,
        finished_at=finished,
    )
    RollupSupplierResult.objects.create(
        run=run,
        supplier=alice.supplier,
        has_baseline=True,
        attributable_electricity_mwh=Decimal("12000"),
        attributable_green_mwh=Decimal("3000"),
        location_based_tco2e=Decimal(0),
        market_based_tco2e=Decimal(0),
        avoided_tco2e=Decimal("1700"),
        baseline_avoided_tco2e=Decimal(0),
        green_reduction_tco2e=Decimal(0),
    )

    response = alice_chinese.get(reverse("dashboard"))
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    for chinese in (
        "工作台",
        "退出登录",
        "待填报",
        "报告期",
        "截止日期",
        "状态",
        "已退回",
        "审核意见：",
        "未开始",
        "填报",
        "已提交及以往报告期",
        "已提交",
        "历年数据",
        "归属用电量（MWh）",
        "避免的排放量（tCO2e）",
        "工厂",
        "区域电网",
        "华东区域电网",  # the site is in Jiangsu
        "2025年4月30日",
        "12,000",
    ):
        assert chinese in text, chinese
    assert _english_left(text, catalogue[1]) == []


def test_period_page_is_in_chinese(catalogue, alice: User, alice_chinese: Client) -> None:
    period: ReportingPeriod = ReportingPeriodFactory(year=2025, kind="quarter", number=3, due_date=date(2025, 10, 31))

    response = alice_chinese.get(reverse("period_detail", args=[period.pk]))
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    for chinese in (
        "2025-Q3 用电数据",
        "截止日期",
        "未开始",
        "工厂",
        "单位",
        "总用电量",
        "厂内可再生能源",
        "绿电交易",
        "绿证（GEC）",
        "国际绿证（I-REC）",
        "宝马份额（%）",
        "证书批次编号",
        "万kWh（10,000 kWh）",
        "本人声明",
        "保存草稿",
        "提交审核",
        "证明文件",
    ):
        assert chinese in text, chinese
    assert _english_left(text, catalogue[1]) == []


@pytest.mark.parametrize("invited_by_staff", [True, False], ids=["by-staff", "by-command"])
def test_invitation_email_is_in_chinese(
    catalogue, charlie: User, django_capture_on_commit_callbacks, tasks_run_here: None, invited_by_staff: bool
) -> None:
    supplier = SupplierFactory(code="CN-C001", name_zh="常州电池有限公司")
    # Sent while the inviting staff member reads the admin in English: the recipient's language wins.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        supplier_user_invite(
            supplier=supplier,
            email="li@supplier-c.example",
            language="zh-hans",
            invited_by=charlie if invited_by_staff else None,
        )
    (message,) = mail.outbox
    html, _ = message.alternatives[0]
    assert message.subject == "绿电填报平台邀请函"
    for text in (message.body, visible_text(html)):
        assert "绿电填报平台" in text
        assert ("邀请您" if invited_by_staff else "诚邀您") in text
        assert "li@supplier-c.example" in text
        assert "“忘记密码？”" in text
        assert re.search(r"有效期至 \d{4}年\d{1,2}月\d{1,2}日", text), text
        assert _english_left(text, catalogue[1]) == []
    assert "设置您的密码" in html
