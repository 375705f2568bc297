"""Forms of geofences, bindings and alert triage (one Form for every POST)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casebook.core.forms import IsoDateInput, IsoDateTimeInput
from casebook.intel.choices import InfoAssessment, SourceEvaluation

from .geo_models import BindingKind, FenceKind


def _subject_label(subject) -> str:
    return f"{subject.name}（{subject.get_kind_display()}）"


class FenceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=FenceKind.choices, initial=FenceKind.AREA)
    place = forms.ModelChoiceField(label=_("Key place"), queryset=None, required=False)
    geometry = forms.CharField(
        label=_("Area (GeoJSON)"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace small cb-geometry"}),
        help_text=_("Draw the area on the map; the drawing fills this field."),
        required=False,
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 城公(治)字〔2026〕12号")}),
    )
    valid_from = forms.DateTimeField(label=_("Valid from"), widget=IsoDateTimeInput())
    valid_until = forms.DateTimeField(label=_("Valid until"), widget=IsoDateTimeInput())
    subjects = forms.ModelMultipleChoiceField(
        label=_("Subjects it applies to"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_(
            "Their bound devices are matched. None chosen and no devices: every device bound at the station."
        ),
    )
    device_ids = forms.CharField(
        label=_("Devices it applies to"),
        required=False,
        max_length=4000,
        help_text=_("Device ids at the sending system, separated by commas."),
    )
    external_ref = forms.CharField(
        label=_("Id in the geofence system"),
        required=False,
        max_length=100,
        help_text=_(
            "Only for a fence kept in an external geofence system (Traccar's geofence id)."
        ),
    )

    def __init__(self, *args, places, subjects, require_geometry=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = _subject_label
        self.fields["subjects"].queryset = subjects
        self.fields["subjects"].label_from_instance = _subject_label
        self.fields["geometry"].required = require_geometry


class FenceImportForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON file"), required=False)
    text = forms.CharField(
        label=_("or paste GeoJSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace small"}),
    )
    name = forms.CharField(
        label=_("Name (for areas without a name property)"), max_length=80, required=False
    )
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)
    valid_from = forms.DateTimeField(label=_("Valid from"), widget=IsoDateTimeInput())
    valid_until = forms.DateTimeField(label=_("Valid until"), widget=IsoDateTimeInput())

    def geojson(self):
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return upload.read(2_000_001)
        return self.cleaned_data.get("text") or ""


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class BindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BindingKind.choices)
    device_id = forms.CharField(label=_("Camera or device id"), max_length=100)
    source = forms.ModelChoiceField(
        label=_("Sending system"),
        queryset=None,
        required=False,
        empty_label=_("any source of the station"),
    )
    subject = forms.ModelChoiceField(label=_("Place or subject"), queryset=None)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. (2026)浙0102刑初88号 禁止令")}),
    )
    starts_on = forms.DateField(label=_("From"), widget=IsoDateInput())
    ends_on = forms.DateField(label=_("Until"), widget=IsoDateInput())

    def __init__(self, *args, subjects, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects
        self.fields["subject"].label_from_instance = _subject_label
        self.fields["source"].queryset = sources


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it dismissed?"),
        max_length=300,
        required=False,  # the service refuses an empty reason with its own message
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 设备测试，误报")}),
    )


class PromoteForm(forms.Form):
    subject = forms.ModelChoiceField(label=_("Subject"), queryset=None)
    content = forms.CharField(
        label=_("What was observed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    source_evaluation = forms.ChoiceField(
        label=_("Source"), choices=SourceEvaluation.choices, initial=SourceEvaluation.RELIABLE
    )
    info_assessment = forms.ChoiceField(
        label=_("Information"), choices=InfoAssessment.choices, initial=InfoAssessment.DIRECT
    )
    task = forms.ModelChoiceField(label=_("Task (optional)"), queryset=None, required=False)

    def __init__(self, *args, subjects, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects
        self.fields["subject"].label_from_instance = _subject_label
        self.fields["task"].queryset = tasks


class UrgentForm(forms.Form):
    text = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
