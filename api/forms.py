from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

# How long a new token lives; "never" is allowed, for a script that runs unattended.
LIFETIMES = [("", "Never expires"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days")]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "Agency script, CI…", "autocomplete": "off"}),
    )
    lifetime = forms.ChoiceField(choices=LIFETIMES, required=False)

    @property
    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("lifetime")
        return timezone.now() + timedelta(days=int(days)) if days else None
