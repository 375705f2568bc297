from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import SourceFormat, SourceKind


class SourceForm(forms.Form):
    station = forms.ModelChoiceField(label=_("Station"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=SourceKind.choices)
    format = forms.ChoiceField(label=_("Format"), choices=SourceFormat.choices)
    allowed_networks = forms.CharField(
        label=_("Allowed addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
        help_text=_(
            "Addresses or networks (CIDR, e.g. 10.20.0.0/16) the system sends from, one a line. "
            "Required for Traccar; empty for a signed source means any address."
        ),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, stations, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        if source is not None:
            del self.fields["station"]
            del self.fields["format"]
            for name in ("name", "kind", "allowed_networks", "enabled"):
                self.fields[name].initial = getattr(source, name)


class RotateForm(forms.Form):
    overlap_hours = forms.IntegerField(
        label=_("Old secret valid for (hours)"),
        min_value=0,
        max_value=168,
        initial=24,
        help_text=_("Time to switch the sending system to the new secret (0 to 168 hours)."),
    )
