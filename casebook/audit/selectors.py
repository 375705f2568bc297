"""Reads of the audit log for the audit administrator."""

from datetime import datetime, time

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .labels import ACTION_LABELS
from .models import AuditEvent, Outcome


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("actor, object, purpose")}),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All"))] + list(Outcome.choices)
    )
    actor = forms.CharField(label=_("Actor id"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    request_id = forms.CharField(label=_("Request id"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All"))] + sorted(
            ((code, f"{label}（{code}）") for code, label in ACTION_LABELS.items()),
            key=lambda item: item[0],
        )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def summary(self) -> dict:
        return {k: str(v) for k, v in self.cleaned_data.items() if v} if self.is_valid() else {}


def filtered_events(form: AuditFilterForm) -> QuerySet:
    events = AuditEvent.objects.order_by("-seq")
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["q"]:
        q = data["q"]
        events = events.filter(
            Q(actor_name__icontains=q)
            | Q(object_repr__icontains=q)
            | Q(purpose__icontains=q)
            | Q(ip__icontains=q)
        )
    for name in ("action", "outcome", "object_type", "object_id", "request_id"):
        if data[name]:
            events = events.filter(**{name: data[name]})
    if data["actor"]:
        events = (
            events.filter(actor_id=data["actor"])
            if data["actor"].isdigit()
            else events.filter(actor_name__icontains=data["actor"])
        )
    tz = timezone.get_current_timezone()
    if data["since"]:
        events = events.filter(occurred_at__gte=datetime.combine(data["since"], time.min, tz))
    if data["until"]:
        events = events.filter(occurred_at__lte=datetime.combine(data["until"], time.max, tz))
    return events
