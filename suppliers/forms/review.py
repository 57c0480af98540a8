from django import forms
from django.contrib.admin.helpers import ActionForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suppliers.services.imports import FORMULA_STARTS


class SubmissionFileForm(forms.Form):
    # An empty file is refused by the import, with the same message as on every other path.
    file = forms.FileField(label=_("Submission file (CSV or XLSX)"), allow_empty_file=True)
    approve = forms.BooleanField(label=_("Approve the imported lines (data already checked by staff)"), required=False)


class ReturnForm(forms.Form):
    review_comment = forms.CharField(
        label=_("What must the supplier correct?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Say what the supplier must correct.")},
    )


class SubmissionActionForm(ActionForm):
    """The review queue's action bar, carrying when the list was shown: a bulk approval leaves out a
    submission sent again after that moment, whose new figures the reviewer has not seen."""

    # Not required here, so that the action itself says what is missing (suppliers/admin.py).
    listed_at = forms.DateTimeField(widget=forms.HiddenInput, initial=timezone.now, required=False)


def _not_a_formula(value: str) -> str:
    """The import's rule for names (suppliers/services/imports/reading.py), so that a name staff
    type in the admin goes into the exports and the portal's own template as the import allows."""
    if value.startswith(FORMULA_STARTS):
        raise forms.ValidationError(_("must not start with =, +, - or @: a spreadsheet would run it as a formula"))
    return value


class SupplierAdminForm(forms.ModelForm):
    """The admin's supplier page: names under the import's rules."""

    def clean_name_zh(self) -> str:
        return _not_a_formula(self.cleaned_data["name_zh"])

    def clean_name_en(self) -> str:
        return _not_a_formula(self.cleaned_data["name_en"])


class SiteAdminForm(forms.ModelForm):
    """The admin's site page and the supplier page's site rows: names under the import's rules."""

    def clean_name(self) -> str:
        return _not_a_formula(self.cleaned_data["name"])
