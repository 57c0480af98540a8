from django import forms
from django.utils.translation import gettext_lazy as _

from suppliers.conversation import MESSAGE_MAX_LENGTH


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={
            "required": _("Write a message first."),
            "max_length": _("A message has at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
