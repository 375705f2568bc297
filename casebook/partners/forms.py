from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import PartnerKind
from .models import PartnerUnit


class PartnerForm(forms.ModelForm):
    class Meta:
        model = PartnerUnit
        fields = ["name", "kind", "address", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    kind = forms.ChoiceField(label=_("kind"), choices=PartnerKind.choices)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    title = forms.CharField(label=_("Post"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)


class RetireForm(forms.Form):
    pass
