"""The admin in Chinese (#17, item 11): every app, model, field, column, filter and action label of
every admin page, the lockout (axes), second-factor (django-otp), task result and schedule apps
included, reads in Simplified Chinese for a staff member who reads Chinese."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, label_for_field
from django.test import RequestFactory
from django.utils import translation

from suppliers.models import User

CJK = re.compile(r"[\u4e00-\u9fff]")
# Labels that are the same in both languages: codes, units and names of standards or products.
SAME_IN_BOTH = {
    "ID",
    "API",
    "URL",
    "USCC",
    "GEC",
    "I-REC",
    "JSON",
    "PDF",
    "XLSX",
    "SHA-256",
    "TOTP",
    "tCO2/MWh",
    "tCO2e",
}


def _untranslated(label: object) -> bool:
    text = str(label).strip()
    return bool(text) and not CJK.search(text) and text not in SAME_IN_BOTH


def _labels(model: type, model_admin: admin.ModelAdmin, request: object) -> dict[str, object]:
    meta = model._meta
    labels: dict[str, object] = {
        "app": meta.app_config.verbose_name,
        "model": meta.verbose_name,
        "model (plural)": meta.verbose_name_plural,
    }
    for field in meta.get_fields():
        if (field.concrete or field.many_to_many) and not field.auto_created:
            labels[f"field {field.name}"] = field.verbose_name
    for name in model_admin.get_list_display(request):
        if name == "action_checkbox":
            continue
        labels[f"column {name}"] = label_for_field(name, model, model_admin)
    for entry in model_admin.get_list_filter(request):
        if isinstance(entry, str | tuple):
            path = entry if isinstance(entry, str) else entry[0]
            labels[f"filter {path}"] = get_fields_from_path(model, path)[-1].verbose_name
        else:
            labels[f"filter {entry.__name__}"] = entry.title
    for name, (_function, _name, description) in model_admin.get_actions(request).items():
        labels[f"action {name}"] = description
    for title, _options in model_admin.get_fieldsets(request) or ():
        if title:
            labels[f"fieldset {title}"] = title
    return labels


@pytest.mark.django_db
def test_every_admin_label_reads_in_chinese() -> None:
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("root@carmaker.example", "a long admin password")
    untranslated = []
    with translation.override("zh-hans"):
        for model, model_admin in admin.site._registry.items():
            for where, label in _labels(model, model_admin, request).items():
                if _untranslated(
                    label % {"verbose_name_plural": model._meta.verbose_name_plural} if "%(" in str(label) else label
                ):
                    untranslated.append(f"{model._meta.label} {where}: {label}")
    assert untranslated == [], "\n".join(untranslated)


@pytest.mark.django_db
def test_the_admin_index_and_the_otp_pages_read_in_chinese(client: object, settings: object) -> None:
    settings.STAFF_OTP_REQUIRED = False
    client.force_login(User.objects.create_superuser("root@carmaker.example", "a long admin password"))
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    captions = re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", index)
    assert len(captions) >= 10
    assert [caption for caption in captions if _untranslated(caption)] == []
    for page in (
        "/admin/otp_totp/totpdevice/add/",
        "/admin/otp_static/staticdevice/add/",
        "/admin/axes/accessattempt/",
    ):
        text = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", text) + re.findall(r"<label[^>]*>([^<:]+)[:：]?</label>", text)
        assert [heading for heading in headings if _untranslated(heading)] == [], page
