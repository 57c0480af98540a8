from django import forms
from django.utils.translation import gettext_lazy as _


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
