"""Every email the portal sends, as a real SMTP server receives it: From is DEFAULT_FROM_EMAIL,
the Message-ID is on the portal's domain, the Date is in Asia/Shanghai (+0800), automated mail says
`Auto-Submitted: auto-generated`, and a Chinese subject has no stray space (#18, item 14)."""

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from reports.services.reminders import reminders_send
from suppliers.models import User
from tests.conftest import SmtpServer
from tests.factories import ReportingPeriodFactory, SupplierFactory, UserFactory

CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# A space beside a Chinese character or full-width punctuation, or at either end.
STRAY_SPACE = re.compile(rf"^\s|\s$|(?<=[{CJK}])\s|\s(?=[{CJK}])")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_run_here")
def test_every_kind_of_email_carries_the_portals_headers_and_a_clean_chinese_subject(
    smtp_server: SmtpServer, settings: SettingsWrapper
) -> None:
    settings.DEFAULT_FROM_EMAIL = "绿电平台 <no-reply@portal.carmaker.example>"
    settings.PORTAL_BASE_URL = "https://portal.carmaker.example"
    supplier = SupplierFactory(code="CN-C001", name_zh="常州电池有限公司")
    li = UserFactory(email="li@supplier-c.example", supplier=supplier, language="zh-hans", full_name="李伟")
    call_command("add_supplier_user", "CN-C001", "wang@supplier-c.example")  # an invitation, in Chinese
    Client().post(reverse("password_reset"), {"email": li.email})  # a reset link
    period = ReportingPeriodFactory(year=2026, due_date=date(2027, 3, 31), is_open=True)
    reminders_send(today=period.due_date - timedelta(days=7))  # due soon, to li and wang
    reminders_send(today=period.due_date + timedelta(days=1))  # overdue

    received = smtp_server.messages()
    assert len(received) == 6
    ids = set()
    for mail in received:
        message = mail.message
        assert message["From"] == settings.DEFAULT_FROM_EMAIL
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Message-ID"].endswith("@portal.carmaker.example>")
        ids.add(message["Message-ID"])
        assert message["Date"].datetime.utcoffset() == timedelta(hours=8), message["Date"]
        subject = str(message["Subject"])
        assert re.search(f"[{CJK}]", subject), subject  # each was written in Chinese
        assert not STRAY_SPACE.search(subject), repr(subject)
    assert len(ids) == 6
    assert {User.objects.get(email=mail.recipients[0]).language for mail in received} == {"zh-hans"}
