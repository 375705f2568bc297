"""Forms of summaries and supervision (one for every POST)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.core.forms import IsoDateInput
from casebook.subjects.widgets import SubjectPicker

from .supervision_choices import (
    Cadence,
    ComplaintOutcome,
    ComplaintSource,
    ComplaintStatus,
    Rating,
)


class CadenceForm(forms.Form):
    cadence = forms.ChoiceField(label=_("Summary cadence"), choices=Cadence.choices)


class SummaryForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), widget=IsoDateInput())
    text = forms.CharField(
        label=_("Your summary"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What went well, what did not, and what you will improve."),
    )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Leader's comment"), widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(forms.Form):
    station = forms.ModelChoiceField(label=_("Station"), queryset=None)
    subject = forms.ModelChoiceField(
        label=_("Subject (to inspect one subject's tracking)"),
        queryset=None,
        required=False,
        widget=SubjectPicker(multiple=False),
    )
    planned_for = forms.DateField(label=_("Planned for"), widget=IsoDateInput())
    scope = forms.CharField(label=_("What will be checked"), max_length=300)

    def __init__(self, *args, stations, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["subject"].queryset = subjects


class FindingFields(forms.Form):
    """One finding: its text, who rectifies it and by when."""

    finding = forms.CharField(
        label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Responsible for the rectification"), queryset=None, required=False
    )
    deadline = forms.DateField(label=_("Rectify by"), widget=IsoDateInput(), required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def finding_data(self) -> list[dict]:
        data = self.cleaned_data
        if not (data.get("finding") or data.get("owner") or data.get("deadline")):
            return []
        return [
            {
                "text": data.get("finding"),
                "owner": data.get("owner"),
                "deadline": data.get("deadline"),
            }
        ]


class RecordForm(FindingFields):
    conducted_on = forms.DateField(label=_("Inspected on"), widget=IsoDateInput())
    checked = forms.CharField(label=_("What was checked"), widget=forms.Textarea(attrs={"rows": 3}))
    conclusion = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}))
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)

    field_order = [
        "conducted_on",
        "checked",
        "conclusion",
        "rating",
        "finding",
        "owner",
        "deadline",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conducted_on"].initial = timezone.localdate()


class CloseForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence of the rectification"), widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("Evidence file (PDF or image, optional)"), required=False)


class ComplaintForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Officer complained about"), queryset=None)
    received_on = forms.DateField(label=_("Received on"), widget=IsoDateInput())
    source = forms.ChoiceField(label=_("Source"), choices=ComplaintSource.choices)
    complainant = forms.CharField(label=_("Complainant (optional)"), max_length=200, required=False)
    account = forms.CharField(
        label=_("What the complaint says about the officer's conduct"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class ComplaintUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ComplaintStatus.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *ComplaintOutcome.choices], required=False
    )
    outcome_note = forms.CharField(
        label=_("What was found and done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ReportForm(forms.Form):
    station = forms.ModelChoiceField(label=_("Station"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=[(q, q) for q in range(1, 5)], coerce=int
    )
    fmt = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("xlsx", "Excel")])

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
