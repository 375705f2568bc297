"""Forms of tracking tasks."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.accounts.models import User
from casebook.accounts.roles import CASE_WORKERS
from casebook.core.forms import IdListField, IsoDateTimeInput
from casebook.subjects.widgets import SubjectPicker

from . import notify
from .choices import WORKING_STAGES, Origin, Priority, Stage
from .selectors import QUEUES
from .services import default_deadlines

DATETIME = IsoDateTimeInput()


def station_workers(station):
    return (
        User.objects.filter(
            is_active=True,
            roles__role__in=CASE_WORKERS,
            unit__in=[station, *station.children.all()],
        )
        .distinct()
        .order_by("username")
    )


class DeadlineFields:
    """One datetime field per working stage, named ``due_<stage>``."""

    def add_deadline_fields(self, initial: dict | None = None, stages=WORKING_STAGES):
        for stage in stages:
            self.fields[f"due_{stage}"] = forms.DateTimeField(
                label=Stage(stage).label,
                widget=DATETIME,
                initial=timezone.localtime(initial[stage]).replace(second=0, microsecond=0)
                if initial and stage in initial
                else None,
            )

    def deadlines(self) -> dict:
        return {
            name[4:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("due_") and value is not None
        }


class TaskForm(DeadlineFields, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    subjects = forms.ModelMultipleChoiceField(
        label=_("Subjects"), queryset=None, widget=SubjectPicker()
    )
    lead = forms.ModelChoiceField(label=_("Lead officer"), queryset=None)
    team = forms.ModelMultipleChoiceField(
        label=_("Team"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    origin = forms.ChoiceField(
        label=_("Origin"),
        initial=Origin.STATION,
        choices=[(Origin.SUPERIOR, Origin.SUPERIOR.label), (Origin.STATION, Origin.STATION.label)],
    )
    instructions = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, station, subjects_qs, **kwargs):
        super().__init__(*args, **kwargs)
        workers = station_workers(station)
        self.fields["subjects"].queryset = subjects_qs
        self.fields["subjects"].widget.params["station"] = station.pk
        self.fields["lead"].queryset = workers
        self.fields["team"].queryset = workers
        self.add_deadline_fields(default_deadlines(Priority.NORMAL, station=station))


class AdvanceForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReassignForm(forms.Form):
    lead = forms.ModelChoiceField(label=_("New lead officer"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = station_workers(station)


class DeadlinesForm(DeadlineFields, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        stages = (
            WORKING_STAGES[WORKING_STAGES.index(task.stage) :]
            if task.stage in WORKING_STAGES
            else []
        )
        self.add_deadline_fields({d.stage: d.due_at for d in task.deadlines.all()}, stages)
        for name in list(self.fields):
            if name.startswith("due_"):
                self.fields[name].required = False


class ShareForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Officer of the other unit"), queryset=None)
    request = forms.CharField(
        label=_("What is asked of them"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            User.objects.filter(is_active=True, roles__role__in=CASE_WORKERS)
            .exclude(unit__in=[task.station, *task.station.children.all()])
            .select_related("unit")
            .distinct()
            .order_by("unit__code", "username")
        )
        self.fields["assignee"].label_from_instance = lambda u: f"{u.unit.name} · {u}"


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "placeholder": _("Write @ and a police number or name to notify a colleague"),
            }
        ),
    )


class BulkForm(forms.Form):
    """The task list's bulk action: accept the selected tasks, or hand them over to a worker
    of the user's own station."""

    task = IdListField()
    action = forms.ChoiceField(
        choices=[("accept", _("Accept (lead officer)")), ("reassign", _("Hand over to…"))]
    )
    lead = forms.ModelChoiceField(label=_("New lead officer"), queryset=None, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    queue = forms.ChoiceField(choices=[(q, q) for q in QUEUES], required=False)

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = (
            station_workers(station) if station is not None else User.objects.none()
        )

    def clean(self):
        data = super().clean()
        if data.get("action") == "reassign" and not data.get("lead"):
            self.add_error(None, _("Choose the new lead officer and give a reason."))
        return data


class NotificationsReadForm(forms.Form):
    """Mark notifications read: the ones listed, or all of them when none is."""

    id = IdListField()
    next = forms.CharField(required=False, max_length=2000)


class NotificationPreferencesForm(forms.Form):
    """Per kind of notification, the channels that reach the user; and the daily digest. The
    urgent kind is not offered: urgent reports always arrive (notify.preferences_set refuses
    it too)."""

    digest = forms.BooleanField(
        label=_("Daily digest by e-mail instead of one e-mail per notification"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        channels = notify.channels_for(user)
        current = notify.preferences(user)
        self.kinds = []
        for kind in notify.choosable_kinds():
            pref = current[kind.code]
            self.fields[f"kind_{kind.code}"] = forms.MultipleChoiceField(
                label=kind.label,
                choices=channels,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                initial=[code for code, _label in channels if getattr(pref, code)],
            )
            self.kinds.append(kind.code)
        digest = getattr(user, "notification_digest", None)
        self.fields["digest"].initial = bool(digest and digest.enabled)

    def choices(self) -> dict[str, set[str]]:
        return {kind: set(self.cleaned_data.get(f"kind_{kind}") or ()) for kind in self.kinds}
