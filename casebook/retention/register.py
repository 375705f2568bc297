"""The register of processing activities (PIPL Art. 55/56; SECURITY.md D8), generated from the
categories and the retention classes: one row per category (persons, places, incidents) and one
each for information records with their location trails and for monitoring events."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from casebook.reports.documents import Table
from casebook.subjects.choices import Kind
from casebook.subjects.models import Category

from .models import RetentionClass

DATA_KINDS = {
    Kind.PERSON: N_(
        "Name, aliases, sex, date of birth; resident ID number, phone numbers and addresses "
        "(encrypted); photo (encrypted); occupation and employer; data-subject category; "
        "supervision status; the category's records (offences, rehabilitation periods, drug "
        "tests, threats and measures); associations; risk assessments"
    ),
    Kind.PLACE: N_(
        "Name, address and position; licences and credit code; operator; opening hours; "
        "inspection results and rectification orders; risk assessments"
    ),
    Kind.INCIDENT: N_(
        "Type, place and position, start, cause, scale, estimated participants, departments, "
        "rescue and resettlement notes, situation log; participants (linked persons)"
    ),
}
RECIPIENTS = N_(
    "Officers of the owning station (responsible officers and their leader); bureau leaders "
    "and supervisors of the bureau; recipients of urgent and feedback reports; exports to "
    "named recipients with a stated purpose, logged"
)


@dataclass
class Activity:
    name: str
    kind: str
    purpose: str
    legal_basis: str
    data_kinds: str
    retention: str
    recipients: str
    impact: str
    active: bool


def _retention(classes: dict, code: str) -> str:
    found = classes.get(code)
    if found is None:
        return _("No period configured for “%(code)s”: nothing is destroyed") % {"code": code}
    return _("%(name)s: %(days)s days after closing") % {"name": found.label, "days": found.days}


def activities(bureau) -> list[Activity]:
    """The register of ``bureau`` (its own categories)."""
    classes = {c.code: c for c in RetentionClass.objects.filter(bureau=bureau)}
    rows = [
        Activity(
            name=c.label,
            kind=Kind(c.kind).label,
            purpose=c.description or "—",
            legal_basis=c.legal_basis,
            data_kinds=_(DATA_KINDS[c.kind]),
            retention=_retention(classes, c.retention_class),
            recipients=_(RECIPIENTS),
            impact=c.impact_assessment or _("Missing: the category cannot be activated"),
            active=c.is_active,
        )
        for c in Category.objects.filter(bureau=bureau).order_by("kind", "code", "pk")
    ]
    monitoring = [c for c in classes.values() if c.scope == "monitoring"]
    period = (
        "; ".join(
            _("%(name)s: %(days)s days") % {"name": c.label, "days": c.days} for c in monitoring
        )
        or "—"
    )
    rows.append(
        Activity(
            name=_("Information records and location trails"),
            kind=_("Information"),
            purpose=_("Facts observed about tracked subjects, graded; positions form the trail"),
            legal_basis=_("The legal basis of the subjects the record concerns"),
            data_kinds=_(
                "Observed facts (encrypted), place and position, channel, grade, attachments (encrypted)"
            ),
            retention=_("With the subject; records from video and geofence channels: %(period)s")
            % {"period": period},
            recipients=_(RECIPIENTS),
            impact=_("Covered by the impact statements of the subjects' categories"),
            active=True,
        )
    )
    rows.append(
        Activity(
            name=_("Monitoring events (video analytics, electronic geofences)"),
            kind=_("Information"),
            purpose=_("Alerts from technical monitoring matched to tracked subjects"),
            legal_basis=_("The legal basis of the subjects matched"),
            data_kinds=_("Time, position, camera or fence, matched subject"),
            retention=period,
            recipients=_(RECIPIENTS),
            impact=_("Shortest retention; destroyed through the approved procedure"),
            active=True,
        )
    )
    return rows


COLUMNS = (
    N_("Processing activity"),
    N_("Kind"),
    N_("Purpose"),
    N_("Legal basis"),
    N_("Personal data"),
    N_("Retention"),
    N_("Recipients"),
    N_("Impact statement"),
    N_("Active"),
)


def as_table(bureau):
    return Table(
        _("Register of processing activities"),
        [_(c) for c in COLUMNS],
        [
            [
                a.name,
                a.kind,
                a.purpose,
                a.legal_basis,
                a.data_kinds,
                a.retention,
                a.recipients,
                a.impact,
                _("Yes") if a.active else _("No"),
            ]
            for a in activities(bureau)
        ],
    )
