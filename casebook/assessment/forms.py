from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casebook.core.choices import UnitKind
from casebook.core.models import Unit

from .choices import CheckResult, MeasureKind, OpinionKind, SampleKind


class OpinionForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("Police station"),
        queryset=Unit.objects.filter(kind=UnitKind.STATION, is_active=True).order_by("code"),
    )
    kind = forms.ChoiceField(label=_("Your opinion is"), choices=OpinionKind.choices)
    text = forms.CharField(
        label=_("Your opinion"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    contact = forms.CharField(
        label=_("How to contact you (optional)"), max_length=200, required=False
    )
    website = forms.CharField(
        required=False,
        label="",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )  # honeypot


class SpotCheckForm(forms.Form):
    period = forms.CharField(label=_("Quarter"), max_length=6, help_text=_("e.g. 2026Q4"))
    kind = forms.ChoiceField(label=_("What is sampled"), choices=SampleKind.choices)
    size = forms.IntegerField(label=_("Sample size"), min_value=1, max_value=500)


class CheckItemForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result of the check"),
        choices=[c for c in CheckResult.choices if c[0] != CheckResult.PENDING],
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ScoreForm(forms.Form):
    grade = forms.ChoiceField(label=pgettext_lazy("appraisal", "Grade"))
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = list(grades)


class ObjectionForm(forms.Form):
    objection = forms.CharField(label=_("Your objection"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("Answer to the objection"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class MeasureForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=None)
    kind = forms.ChoiceField(label=_("Measure"), choices=MeasureKind.choices)
    grounds = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))
