"""Forms of sharing with partner departments: the officer's share, the department's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casebook.partners.models import PartnerContact

from .services.partner_links import DEFAULT_DAYS, MAX_DAYS


class PartnerShareForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Department"), queryset=None)
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=None, required=False)
    summary = forms.CharField(
        label=_("What the department sees"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        help_text=_(
            "Only this text is shown to the department — never the task, the dossier or the "
            "records. Write only what they need."
        ),
    )
    request = forms.CharField(
        label=_("What you ask of them"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["partner"].queryset = partners
        self.fields["contact"].queryset = PartnerContact.objects.filter(
            partner__in=partners, is_active=True
        ).select_related("partner")
        self.fields["contact"].label_from_instance = lambda c: f"{c.partner.name} · {c.name}"


class PartnerAnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    answered_by = forms.CharField(label=_("Your name"), max_length=50, required=False)
    file = forms.FileField(label=_("Attachment (JPEG, PNG or PDF, at most 10 MB)"), required=False)
    done = forms.BooleanField(label=_("What was asked is done"), required=False)


class RevokeForm(forms.Form):
    pass
