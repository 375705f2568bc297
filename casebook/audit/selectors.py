"""Reads of the audit log for the audit administrator."""

from datetime import datetime, time

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.accounts.models import User
from casebook.core.forms import IsoDateInput

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
    actor = forms.CharField(
        label=_("Actor"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("police number or name")}),
    )
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    request_id = forms.CharField(label=_("Request id"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())

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
        events = events.filter(_actor_filter(data["actor"].strip()))
    tz = timezone.get_current_timezone()
    if data["since"]:
        events = events.filter(occurred_at__gte=datetime.combine(data["since"], time.min, tz))
    if data["until"]:
        events = events.filter(occurred_at__lte=datetime.combine(data["until"], time.max, tz))
    return events


def _actor_filter(value: str) -> Q:
    """The actor filter: a police number (警号, the login) names one officer; ``#12`` an
    internal user id (as older exports show it); anything else part of a name."""
    if value.startswith("#") and value[1:].isdigit():
        return Q(actor_id=int(value[1:]))
    pks = list(User.objects.filter(username=value).values_list("pk", flat=True))
    if pks:
        return Q(actor_id__in=pks)
    return Q(actor_name__icontains=value)


def with_police_numbers(events) -> None:
    """Set ``actor_number`` (警号) on each event of a page, in one query: the log shows an
    actor as name and police number, never the internal id."""
    ids = {e.actor_id for e in events if e.actor_id}
    numbers = dict(User.objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}
    for e in events:
        e.actor_number = numbers.get(e.actor_id, "")
