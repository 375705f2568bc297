"""Forms of the information module."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casebook.core.choices import UnitKind
from casebook.core.forms import IdListField, IsoDateTimeInput
from casebook.core.models import Unit
from casebook.subjects.widgets import SubjectPicker

from .choices import (
    Channel,
    Handling,
    InfoAssessment,
    ItemResult,
    Method,
    SourceEvaluation,
    Verification,
)
from .models import Informant

DATETIME = IsoDateTimeInput()


class RecordForm(forms.Form):
    subjects = forms.ModelMultipleChoiceField(
        label=_("Subjects"), queryset=None, widget=SubjectPicker()
    )
    task = forms.ModelChoiceField(label=_("For the task"), queryset=None, required=False)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    informant = forms.ModelChoiceField(label=_("Informant (code)"), queryset=None, required=False)
    occurred_at = forms.DateTimeField(label=_("When it happened"), widget=DATETIME)
    address = forms.CharField(label=_("Place"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False
    )
    content = forms.CharField(
        label=_("What was observed (facts only)"), widget=forms.Textarea(attrs={"rows": 4})
    )
    source_evaluation = forms.ChoiceField(label=_("Source"), choices=SourceEvaluation.choices)
    info_assessment = forms.ChoiceField(
        label=_("Information credibility"), choices=InfoAssessment.choices
    )
    handling = forms.ChoiceField(label=_("Handling code"), choices=Handling.choices)
    handling_conditions = forms.CharField(
        label=_("Conditions of sharing"), max_length=300, required=False
    )
    tags = forms.CharField(
        label=_("Topics"), max_length=200, required=False, help_text=_("Separate with commas.")
    )

    def __init__(self, *args, subjects_qs, tasks_qs, station, own_tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = subjects_qs
        self.fields["subjects"].widget.params["station"] = station.pk
        self.fields["task"].queryset = tasks_qs  # what may be chosen
        if own_tasks is not None:  # what the list shows: never every task of the station
            self._show_tasks(own_tasks, tasks_qs)
        self.fields["informant"].queryset = Informant.objects.filter(
            station=station, is_active=True
        )
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def _show_tasks(self, own_tasks, tasks_qs) -> None:
        """The task list shows the officer's own open tasks (at most :data:`TASKS_SHOWN`, newest
        first) and the task already chosen; any open task of the station is still accepted."""
        field = self.fields["task"]
        shown = list(own_tasks[:TASKS_SHOWN])
        chosen = self.data.get(self.add_prefix("task")) if self.is_bound else None
        chosen = chosen or self.initial.get("task")
        if str(chosen or "").isdigit() and all(str(t.pk) != str(chosen) for t in shown):
            shown += list(tasks_qs.filter(pk=chosen))
        field.widget.choices = [("", field.empty_label), *((t.pk, str(t)) for t in shown)]


#: Open tasks listed in the record form's task field (the officer's own).
TASKS_SHOWN = 50


class VerifyForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Result"),
        choices=[(v, label) for v, label in Verification.choices if v != Verification.UNVERIFIED],
    )
    note = forms.CharField(
        label=_("How it was verified"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("How it was verified")}),
    )


class OrganiseForm(forms.Form):
    tags = forms.CharField(label=_("Topics"), max_length=200, required=False)
    corroborates = IdListField(label=_("Corroborated by"))

    def clean_tags(self):
        return split_tags(self.cleaned_data["tags"])


def split_tags(text: str) -> list[str]:
    """Topics typed with commas, Chinese or Latin."""
    return [t for t in (text or "").replace("，", ",").split(",") if t.strip()]


class NoteForm(forms.Form):
    """Closing a rectification order: how it was checked."""

    note = forms.CharField(label=_("How it was checked"), max_length=300)


class TipDismissForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why they are the same fact"), max_length=300)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Photo (JPEG, PNG) or PDF, at most 10 MB"))


class ExportForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose of the export"), max_length=300)


class VisitForm(forms.Form):
    task = forms.ModelChoiceField(
        label=_("For the task"),
        queryset=None,
        required=False,
        empty_label=_("Choose the task this visit serves"),
    )
    occurred_at = forms.DateTimeField(label=_("Time of the visit"), widget=DATETIME)
    present = forms.CharField(label=_("Who was present"), max_length=200, required=False)
    condition = forms.CharField(label=_("Condition"), max_length=300, required=False)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    rectify_days = forms.IntegerField(
        label=_("Days allowed to rectify a failed point"), min_value=1, max_value=180, initial=15
    )
    photo = forms.FileField(label=_("Photo (optional)"), required=False)

    def __init__(self, *args, subject, tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = []
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        # A visit serves the subject's open task: the only one is taken, several are asked for
        # (a task's visit belongs in its records and goes through 去伪存真 with them).
        tasks = list(tasks or ())
        if tasks:
            field = self.fields["task"]
            field.queryset = type(tasks[0]).objects.filter(pk__in=[t.pk for t in tasks])
            field.choices = [("", field.empty_label)] + [
                (t.pk, f"{t.reference} · {t.title} · {t.get_stage_display()}") for t in tasks
            ]
            field.required = True
            field.error_messages["required"] = _("Choose the task this visit serves.")
            if len(tasks) == 1:
                field.initial = tasks[0].pk
        else:
            del self.fields["task"]
        if subject.kind == "place":
            # an inspection of a place, not a visit to a person (走访 is for persons: 检查)
            self.fields["occurred_at"].label = pgettext_lazy("place", "Time of the inspection")
            del self.fields["present"], self.fields["condition"]
            for item in subject.category.checklist.filter(is_active=True):
                self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                    label=item.label,
                    choices=ItemResult.choices,
                    widget=forms.RadioSelect,
                    required=False,
                )
                self.fields[f"finding_{item.pk}"] = forms.CharField(
                    label=_("Finding"), max_length=300, required=False
                )
                self.items.append(item)
        else:
            del self.fields["rectify_days"]

    def checklist(self) -> dict:
        return {
            item.pk: (
                self.cleaned_data.get(f"item_{item.pk}") or None,
                self.cleaned_data.get(f"finding_{item.pk}", ""),
            )
            for item in self.items
        }

    def rows(self):
        for item in self.items:
            yield item, self[f"item_{item.pk}"], self[f"finding_{item.pk}"]


class InformantForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None)
    real_name = forms.CharField(label=_("Real name"), max_length=50)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    notes = forms.CharField(
        label=_("Handling notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


class PurposeForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), max_length=300)


class TipForm(forms.Form):
    what = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    where = forms.CharField(label=_("Where"), max_length=200, required=False)
    when = forms.CharField(label=_("When"), max_length=100, required=False)
    station = forms.ModelChoiceField(
        label=_("Police station (if you know it)"),
        required=False,
        queryset=Unit.objects.filter(kind=UnitKind.STATION, is_active=True).order_by("code"),
    )
    anonymous = forms.BooleanField(label=_("Stay anonymous"), required=False, initial=True)
    contact = forms.CharField(label=_("How to contact you"), max_length=200, required=False)
    website = forms.CharField(
        required=False,
        label="",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )  # honeypot: people leave it empty


class TipStatusForm(forms.Form):
    reference = forms.CharField(label=_("Reference code"), max_length=20)


class TipLinkForm(forms.Form):
    subjects = forms.ModelMultipleChoiceField(
        label=_("Subjects"), queryset=None, widget=SubjectPicker()
    )
    source_evaluation = forms.ChoiceField(
        label=_("Source"), choices=SourceEvaluation.choices, initial=SourceEvaluation.UNTESTED
    )
    info_assessment = forms.ChoiceField(
        label=_("Information credibility"),
        choices=InfoAssessment.choices,
        initial=InfoAssessment.INDIRECT,
    )

    def __init__(self, *args, subjects_qs, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = subjects_qs
        if station is not None:  # the tip names its station: the queryset holds only its subjects
            self.fields["subjects"].widget.params["station"] = station.pk
