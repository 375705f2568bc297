"""Forms of the reports module. They only shape input; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casebook.core.api import MAX_ID
from casebook.core.forms import IsoDateTimeInput
from casebook.partners.models import PartnerUnit
from casebook.tracking.choices import Priority

from .choices import DutyPost, ExportFormat


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.real_name}（{obj.title or obj.unit.name}）"


class FeedbackForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The result of the tracking in a few sentences."),
    )
    findings = forms.CharField(
        label=_("Findings"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the collected and verified information shows."),
    )
    assessments = forms.ModelMultipleChoiceField(
        label=_("Assessments reported"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recommendations = forms.CharField(
        label=_("Recommendations"), widget=forms.Textarea(attrs={"rows": 3})
    )
    recipients = UserChoiceField(
        label=_("Also to"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The station's leaders always receive the report."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Copy to departments"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Departments of the bureau's register (Partner departments)."),
    )

    def __init__(self, *args, task, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = PartnerUnit.objects.filter(
            bureau_id=task.station.parent_id, is_active=True
        )
        self.fields["assessments"].queryset = task.assessments.select_related("subject")
        self.fields["assessments"].label_from_instance = lambda a: (
            f"{a.subject.name}：{a.get_level_display()}（{a.score}）"
        )
        self.fields["recipients"].queryset = recipients


class InstructionForm(forms.Form):
    instruction = forms.CharField(
        label=_("Instruction (批示)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class InstructionTaskForm(forms.Form):
    title = forms.CharField(label=_("Task title"), max_length=120)
    lead = forms.ModelChoiceField(label=_("Lead officer"), queryset=None)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = officers
        self.fields["lead"].label_from_instance = lambda u: f"{u.real_name}（{u.username}）"


class UrgentForm(forms.Form):
    text = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4, "autofocus": True}),
        max_length=2000,
    )
    place = forms.CharField(label=_("Where"), max_length=200, required=False)


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Instruction (optional)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 立即出警，保持联系")}),
    )


class DutyShiftForm(forms.Form):
    user = forms.ModelChoiceField(label=_("On duty"), queryset=None)
    post = forms.ChoiceField(label=_("Post"), choices=DutyPost.choices)
    starts_at = forms.DateTimeField(label=_("From"), widget=IsoDateTimeInput())
    ends_at = forms.DateTimeField(label=_("Until"), widget=IsoDateTimeInput())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members
        self.fields["user"].label_from_instance = lambda u: f"{u.real_name}（{u.username}）"


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        help_text=_("Why the document must leave the system; it is recorded."),
    )
    for_recipient = forms.BooleanField(
        label=_("Encrypt for the recipient"),
        required=False,
        help_text=_(
            "The file is handed out encrypted with a one-time password, shown to you once; "
            "send the password by another channel than the file."
        ),
    )


class TransportCopyForm(forms.Form):
    """The confirmation that makes a new encrypted copy (and a new password) of an export."""

    confirm = forms.BooleanField(required=True)


class PurposeForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), max_length=300)


class ExportTargetForm(forms.Form):
    """What a print or an export is of: a subject's archive or one information record (the
    page's hidden fields). The view still looks the object up in the user's scope."""

    subject = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    record = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    def target(self) -> tuple[str, int] | None:
        """("subject", pk) or ("record", pk), or None when the form names neither."""
        if not self.is_valid():
            return None
        for name in ("subject", "record"):
            if self.cleaned_data[name]:
                return name, self.cleaned_data[name]
        return None


class RosterUnitForm(forms.Form):
    """Which of the units the user keeps the roster of a new shift is for."""

    unit = forms.TypedChoiceField(coerce=int, choices=())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
