"""The admin's supplier and site forms apply the import's rule to names (#18, item 6): a name
that a spreadsheet would run as a formula is refused, in the reader's language, and nothing is
saved; the portal's own template would otherwise bounce it at the next upload."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.forms import modelform_factory
from django.test import Client
from django.urls import reverse
from django.utils import translation

from suppliers.admin import SupplierAdmin
from suppliers.forms.review import SupplierAdminForm
from suppliers.models import Site, Supplier, User
from tests.factories import SiteFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return client


def _site_post(site: Site, name: str) -> dict[str, str]:
    return {"supplier": str(site.supplier_id), "code": site.code, "name": name, "province": site.province}


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x.example")', "+1", "-2+3", "@SUM(A1)"])
def test_a_site_name_that_starts_a_formula_is_refused_on_the_site_page(staff: Client, name: str) -> None:
    site = SiteFactory(name="Plant 1")
    response = staff.post(reverse("admin:suppliers_site_change", args=[site.pk]), _site_post(site, name))
    assert response.status_code == 200
    assert "must not start with =, +, - or @" in response.content.decode()
    site.refresh_from_db()
    assert site.name == "Plant 1"


def test_the_refusal_is_in_chinese_for_a_chinese_reader(staff: Client) -> None:
    site = SiteFactory(name="Plant 1")
    response = staff.post(
        reverse("admin:suppliers_site_change", args=[site.pk]),
        _site_post(site, "=1+1"),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    with translation.override("zh-hans"):
        expected = str(translation.gettext("must not start with =, +, - or @: a spreadsheet would run it as a formula"))
    assert expected != "must not start with =, +, - or @: a spreadsheet would run it as a formula"
    assert expected in response.content.decode()


def test_an_ordinary_site_name_is_saved(staff: Client) -> None:
    site = SiteFactory(name="Plant 1")
    response = staff.post(reverse("admin:suppliers_site_change", args=[site.pk]), _site_post(site, "Plant 1 (A=B)"))
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "Plant 1 (A=B)"


def test_the_supplier_page_and_its_site_rows_use_the_same_rule() -> None:
    supplier = SupplierFactory()
    admin = SupplierAdmin(Supplier, admin_site)
    assert issubclass(admin.form, SupplierAdminForm)
    form_class = modelform_factory(
        Supplier, form=admin.form, fields=["code", "name_zh", "name_en", "uscc", "category", "status"]
    )
    data = {"code": supplier.code, "name_zh": "@供应商", "name_en": "-Supplier", "uscc": supplier.uscc,
            "category": supplier.category, "status": supplier.status}  # fmt: skip
    form = form_class(data, instance=supplier)
    assert not form.is_valid()
    assert set(form.errors) == {"name_zh", "name_en"}
    inline_form = next(i for i in admin.inlines if i.model is Site).form
    site_form = modelform_factory(Site, form=inline_form, fields=["supplier", "code", "name", "province"])(
        {"supplier": supplier.pk, "code": "P9", "name": "=cmd", "province": "320000"}
    )
    assert not site_form.is_valid() and set(site_form.errors) == {"name"}
