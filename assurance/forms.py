import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from assurance.models import MAX_SAMPLE_SIZE, SampledLine


class SampleDrawForm(forms.Form):
    size = forms.IntegerField(label=_("Lines to draw"), min_value=1, max_value=MAX_SAMPLE_SIZE, initial=25)
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("The same run, size and seed always draw the same lines: note it in your working papers."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seed"].initial = secrets.randbelow(10**9)


class SampledLineResultForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"), choices=[(c.value, c.label) for c in SampledLine.Result if c != SampledLine.Result.PENDING]
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("result") == SampledLine.Result.EXCEPTION and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what the exception is."))
        if "\x00" in cleaned.get("comment", ""):
            self.add_error("comment", _("The comment holds a character that cannot be stored."))
        return cleaned
