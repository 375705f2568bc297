"""Forms of the register import (upload, and the officer's choice of how to import)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SubjectImport


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx, at most 10 MB)"))


class ImportStartForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Import"), choices=SubjectImport.Mode.choices, widget=forms.RadioSelect
    )
