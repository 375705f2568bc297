"""Forms of the analysis pages. The pages lay their fields out by hand (a factor's checkbox,
cited records and note side by side); these forms give each POST its types, lengths and
choices, and the errors the page shows again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casebook.subjects.choices import RiskLevel

from .models import FactorKind, RiskFactor


class AssessmentForm(forms.Form):
    """The assessment form: for each factor of the category a checkbox ``factor_<pk>``, the
    cited records ``records_<pk>`` (of those listed on the page) and a note ``note_<pk>``;
    then the level, the reason for another level, the judgement and the measures."""

    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "")] + [(v, label) for v, label in RiskLevel.choices if v != RiskLevel.NONE],
    )
    override_reason = forms.CharField(
        label=_("Reason, if you choose another level"), max_length=300, required=False
    )
    summary = forms.CharField(label=_("Judgement"), max_length=5000, required=False)
    measures = forms.CharField(
        label=_("Recommended measures, one per line"), max_length=5000, required=False
    )

    def __init__(self, *args, factors: list[RiskFactor], records, **kwargs):
        super().__init__(*args, **kwargs)
        self.factors = factors
        self.records = {r.pk: r for r in records}
        choices = [(pk, f"#{pk}") for pk in self.records]
        for factor in factors:
            self.fields[f"factor_{factor.pk}"] = forms.BooleanField(
                label=factor.label, required=False
            )
            self.fields[f"records_{factor.pk}"] = forms.TypedMultipleChoiceField(
                label=factor.label, required=False, coerce=int, choices=choices
            )
            self.fields[f"note_{factor.pk}"] = forms.CharField(
                label=factor.label, max_length=300, required=False
            )

    def clean_measures(self):
        return [line for line in self.cleaned_data["measures"].splitlines() if line.strip()]

    def ratings(self, rating_class) -> list:
        """``rating_class(factor, cited records, note)`` for each ticked factor."""
        data = self.cleaned_data
        return [
            rating_class(
                factor,
                [self.records[pk] for pk in data.get(f"records_{factor.pk}", [])],
                data.get(f"note_{factor.pk}", ""),
            )
            for factor in self.factors
            if data.get(f"factor_{factor.pk}")
        ]


class TaskRefForm(forms.Form):
    """The task an assessment is made for (``?task=`` or the form's hidden field)."""

    task = forms.IntegerField(min_value=1, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Return"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class WarningHandleForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("acknowledge", _("Acknowledge")),
            ("dismiss", _("Dismiss")),
            ("task", _("Make it a task")),
        ]
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    next = forms.CharField(required=False, max_length=2000)


class DeadlineGridForm(forms.Form):
    """The default hours of each working stage, per priority: ``h_<priority>_<stage>``."""

    def __init__(self, *args, priorities, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = [(p, s) for p in priorities for s in stages]
        for priority, stage in self.cells:
            self.fields[f"h_{priority}_{stage}"] = forms.IntegerField(
                min_value=1, max_value=2160, required=False
            )

    def hours(self) -> list[tuple[str, str, int]]:
        """(priority, stage, hours) of the cells given."""
        return [
            (p, s, self.cleaned_data[f"h_{p}_{s}"])
            for p, s in self.cells
            if self.cleaned_data.get(f"h_{p}_{s}") is not None
        ]


class RuleForm(forms.Form):
    """A warning rule switched on or off, with its whole-number parameters ``param_<key>``."""

    code = forms.CharField(max_length=40)
    enabled = forms.BooleanField(required=False)

    def __init__(self, *args, params=(), **kwargs):
        super().__init__(*args, **kwargs)
        for key in params:
            self.fields[f"param_{key}"] = forms.IntegerField(
                label=key, min_value=1, max_value=365, required=False
            )

    def params(self) -> dict[str, int]:
        return {
            name.removeprefix("param_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("param_") and value is not None
        }


class FactorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FactorKind.choices)
    name = forms.CharField(label=_("Name"), max_length=60)
    name_en = forms.CharField(label=_("Name in English"), max_length=60, required=False)
    description = forms.CharField(label=_("What to look for"), max_length=300, required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=10)
