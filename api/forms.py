from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("Which system uses it, e.g. “energy management”."),
    )  # fmt: skip
    lifetime_days = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, initial=90,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("one year"))],
    )  # fmt: skip
