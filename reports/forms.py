"""Forms of the staff pages in the reports app: each POST's input parsed before a service sees it."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_VERSION = 2**31 - 1  # Submission.version is a PositiveIntegerField


def reporting_years() -> range:
    """The years a roll-up may be asked for: from the baseline year to the current one."""
    return range(settings.BASELINE_YEAR, timezone.localdate().year + 1)


class RollupRefreshForm(forms.Form):
    year = forms.IntegerField(
        error_messages={"required": _("Say which year to roll up."), "invalid": _("The year must be a whole number.")}
    )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        years = reporting_years()
        if year not in years:
            raise forms.ValidationError(
                _("%(year)s is not a reporting year: choose one from %(first)d to %(last)d."),
                params={"year": year, "first": years[0], "last": years[-1]},
            )
        return year


class ExpectedVersionForm(forms.Form):
    """The version of the submission the page showed; absent: the current one."""

    version = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_VERSION,
        error_messages={"invalid": _("The version must be a whole number.")},
    )
