from django import forms
from django.utils.translation import gettext_lazy as _

from casebook.core.forms import IsoDateInput

from .choices import HoldKind


class ClassForm(forms.Form):
    """A new retention class for closed subjects (the service checks the code and period)."""

    code = forms.SlugField(label=_("code"), max_length=16)
    name = forms.CharField(label=_("name"), max_length=60)
    name_en = forms.CharField(label=_("name in English"), max_length=60, required=False)
    days = forms.IntegerField(label=_("Kept for (days)"), min_value=30, max_value=36500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RenewForm(forms.Form):
    reason = forms.CharField(label=_("Reason for renewing"), max_length=300)
    review_due = forms.DateField(label=_("New review date"), required=False, widget=IsoDateInput())
    legal_basis_ref = forms.CharField(
        label=_("New legal basis reference"), max_length=200, required=False
    )


class ApproveForm(forms.Form):
    confirm = forms.BooleanField(label=_("I approve the destruction of these items"))


class HoldForm(forms.Form):
    subject = forms.ModelChoiceField(label=_("Subject"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=HoldKind.choices)
    reference = forms.CharField(label=_("Reference"), max_length=200)

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects


class PeriodForm(forms.Form):
    days = forms.IntegerField(label=_("Kept for (days)"), min_value=30, max_value=36500)
