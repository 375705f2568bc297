"""Reads of the officer file, the pledge and training, for the views, the API, the home panel
and the gates. Every list is scoped through ``access`` (``restrict`` / the officer filter)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from casebook.access.registry import restrict
from casebook.accounts.models import User, UserRole
from casebook.accounts.roles import CASE_ROLES
from casebook.core.choices import UnitKind
from casebook.core.models import Unit

from .access import station_of, visible_officers
from .choices import QuotaUnit
from .models import (
    Attendance,
    Certificate,
    ConductEntry,
    Course,
    OfficerProfile,
    PledgeSignature,
    PledgeVersion,
    StaffPolicy,
    TrainingRequirement,
    TrainingSession,
)

#: Training counts over the last twelve months; an officer new in post (``post_since``, else the
#: account's creation) is not flagged in their first 90 days.
WINDOW = timedelta(days=365)
GRACE = timedelta(days=90)


def bureau_subquery(unit_id):
    """The bureau above the unit ``unit_id`` (bureau, station or area), as a subquery: no unit
    is loaded (the gates ask on every request)."""
    return Unit.objects.filter(
        Q(pk=unit_id) | Q(children__pk=unit_id) | Q(children__children__pk=unit_id),
        kind=UnitKind.BUREAU,
    ).values("pk")[:1]


# --- officers and their files ------------------------------------------------------------------


def officers_for(viewer):
    return visible_officers(viewer).select_related("unit").order_by("username")


def get_officer_or_404(viewer, pk) -> User:
    """An officer whose file ``viewer`` may read; 404 for anyone else (and for no one)."""
    text = str(pk)
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise Http404
    try:
        return officers_for(viewer).get(pk=int(text))
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def profile_of(officer) -> OfficerProfile | None:
    return OfficerProfile.objects.filter(officer=officer).first()


def certificates_of(viewer, officer):
    return restrict(viewer, Certificate.objects.filter(officer=officer), "view").select_related(
        "file"
    )


def conduct_of(viewer, officer):
    return restrict(viewer, ConductEntry.objects.filter(officer=officer), "view")


def attendance_of(viewer, officer):
    return (
        restrict(viewer, Attendance.objects.filter(officer=officer), "view")
        .select_related("session__course")
        .order_by("-session__held_on", "-pk")
    )


def signatures_of(viewer, officer):
    return restrict(viewer, PledgeSignature.objects.filter(officer=officer), "view").select_related(
        "version"
    )


# --- the pledge -------------------------------------------------------------------------------


def current_pledge_for_unit(unit_id) -> PledgeVersion | None:
    return (
        PledgeVersion.objects.filter(bureau_id=Subquery(bureau_subquery(unit_id)))
        .order_by("-number")
        .first()
    )


def current_pledge(user) -> PledgeVersion | None:
    return current_pledge_for_unit(user.unit_id)


def pledge_state(user) -> tuple[PledgeVersion | None, bool]:
    """(the version in force for ``user``'s bureau, whether ``user`` signed it) in one query."""
    row = (
        PledgeVersion.objects.filter(bureau_id=Subquery(bureau_subquery(user.unit_id)))
        .order_by("-number")
        .annotate(
            signed=Exists(
                PledgeSignature.objects.filter(version=OuterRef("pk"), officer_id=user.pk)
            )
        )
        .first()
    )
    return row, bool(row is not None and row.signed)


def pledge_versions(user):
    return restrict(user, PledgeVersion.objects.all(), "view").order_by("-number")


def station_officers(station):
    """The active case workers of a station (its members and those of its areas)."""
    return (
        User.objects.filter(Q(unit=station) | Q(unit__parent=station), is_active=True)
        .filter(Exists(UserRole.objects.filter(user=OuterRef("pk"), role__in=CASE_ROLES)))
        .order_by("username")
    )


def unsigned_officers(leader):
    """The officers of ``leader``'s station who have not signed the pledge in force."""
    station = station_of(leader)
    version = current_pledge(leader)
    if station is None or version is None:
        return User.objects.none()
    signed = PledgeSignature.objects.filter(version=version, officer=OuterRef("pk"))
    return station_officers(station).exclude(Exists(signed))


def station_panel(leader, today: date | None = None) -> dict:
    """The station leader's home panel: the pledge in force, who of the station has not signed
    it, whose training or certificates lapsed. Two queries when no quota is set and no
    certificate lapsed (it is on every home page of a leader), a fixed number otherwise."""
    station = station_of(leader)
    if station is None:
        return {"number": None, "unsigned": [], "lapsed": []}
    today = today or timezone.localdate()
    bureau = bureau_subquery(leader.unit_id)
    latest = PledgeVersion.objects.filter(bureau_id=Subquery(bureau)).order_by("-number")
    valid_twin = Certificate.objects.filter(
        officer=OuterRef("officer"), name=OuterRef("name")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    lapsed_certificate = Certificate.objects.filter(
        officer=OuterRef("pk"), expires_on__lt=today
    ).exclude(Exists(valid_twin))
    officers = list(
        station_officers(station).annotate(
            pledge_number=Subquery(latest.values("number")[:1]),
            pledge_signed=Exists(
                PledgeSignature.objects.filter(
                    officer=OuterRef("pk"), version=Subquery(latest.values("pk")[:1])
                )
            ),
            lapsed_certificate=Exists(lapsed_certificate),
        )
    )
    number = officers[0].pledge_number if officers else None
    unsigned = [o for o in officers if number is not None and not o.pledge_signed]
    has_quotas = TrainingRequirement.objects.filter(bureau_id=Subquery(bureau)).exists()
    candidates = officers if has_quotas else [o for o in officers if o.lapsed_certificate]
    lapsed = []
    if candidates:
        prefetch_related_objects(candidates, "roles")
        statuses = training_statuses(candidates, today)
        lapsed = [(o, statuses[o.pk]) for o in candidates if statuses[o.pk].lapsed]
    return {"number": number, "unsigned": unsigned, "lapsed": lapsed}


# --- training ---------------------------------------------------------------------------------


@dataclass
class RequirementStatus:
    requirement: TrainingRequirement
    done: Decimal
    met: bool


@dataclass
class TrainingStatus:
    """An officer's training against their roles' quotas over the last twelve months, and their
    certificates that lapsed without renewal."""

    requirements: list[RequirementStatus] = field(default_factory=list)
    lapsed_certificates: list[Certificate] = field(default_factory=list)
    in_grace: bool = False

    @property
    def lapsed_training(self) -> list[RequirementStatus]:
        return [] if self.in_grace else [r for r in self.requirements if not r.met]

    @property
    def lapsed(self) -> bool:
        return bool(self.lapsed_training or self.lapsed_certificates)


def _lapsed(certificates, today: date) -> list[Certificate]:
    """Certificates that expired with no valid certificate of the same name since."""
    valid = {c.name for c in certificates if not c.is_expired(today)}
    lapsed = {}
    for c in certificates:
        if c.is_expired(today) and c.name not in valid:
            lapsed.setdefault(c.name, c)
    return list(lapsed.values())


def lapsed_certificates(officer, today: date) -> list[Certificate]:
    return _lapsed(list(Certificate.objects.filter(officer=officer)), today)


def requirements_for(officer):
    roles = officer.role_set
    return TrainingRequirement.objects.filter(
        bureau_id=Subquery(bureau_subquery(officer.unit_id)), role__in=roles
    )


def training_statuses(officers, today: date | None = None) -> dict[int, TrainingStatus]:
    """Each officer's :class:`TrainingStatus` (officers of one bureau), in a fixed number of
    queries however many officers there are (the station leader's home page asks for all)."""
    officers = list(officers)
    if not officers:
        return {}
    today = today or timezone.localdate()
    ids = [o.pk for o in officers]
    by_officer: dict[int, list] = {pk: [] for pk in ids}
    for a in Attendance.objects.filter(
        officer_id__in=ids, session__held_on__gt=today - WINDOW, session__held_on__lte=today
    ).select_related("session__course"):
        if a.completed:
            by_officer[a.officer_id].append(a)
    certificates: dict[int, list] = {pk: [] for pk in ids}
    for c in Certificate.objects.filter(officer_id__in=ids):
        certificates[c.officer_id].append(c)
    since = dict(
        OfficerProfile.objects.filter(officer_id__in=ids, post_since__isnull=False).values_list(
            "officer_id", "post_since"
        )
    )
    requirements = list(
        TrainingRequirement.objects.filter(bureau_id=Subquery(bureau_subquery(officers[0].unit_id)))
    )
    result = {}
    for officer in officers:
        start = since.get(officer.pk) or timezone.localdate(officer.date_joined)
        status = TrainingStatus(
            lapsed_certificates=_lapsed(certificates[officer.pk], today),
            in_grace=start > today - GRACE,
        )
        roles = officer.role_set
        completed = by_officer[officer.pk]
        for requirement in requirements:
            if requirement.role not in roles:
                continue
            counted = [
                a
                for a in completed
                if not requirement.category or a.session.course.category == requirement.category
            ]
            if requirement.unit == QuotaUnit.HOURS:
                done = sum((a.session.course.hours for a in counted), Decimal(0))
            else:
                done = Decimal(len(counted))
            status.requirements.append(
                RequirementStatus(requirement, done, done >= requirement.quota)
            )
        result[officer.pk] = status
    return result


def training_status(officer, today: date | None = None) -> TrainingStatus:
    return training_statuses([officer], today)[officer.pk]


def lapse_blocks(user) -> bool:
    """Has the security administrator of ``user``'s bureau made lapsed training block access?"""
    return StaffPolicy.objects.filter(
        bureau_id=Subquery(bureau_subquery(user.unit_id)), training_lapse_blocks=True
    ).exists()


@dataclass(frozen=True)
class GateState:
    pledge_number: int | None  # the version in force, None: no pledge asked for
    pledge_signed: bool
    lapse_blocks: bool


def gate_state(user) -> GateState:
    """What the gates need, in one query: the pledge in force for ``user``'s bureau, whether
    ``user`` signed it, and whether lapsed training blocks access there."""
    latest = PledgeVersion.objects.filter(bureau=OuterRef("pk")).order_by("-number")
    row = (
        Unit.objects.filter(pk=Subquery(bureau_subquery(user.unit_id)))
        .annotate(
            pledge_number=Subquery(latest.values("number")[:1]),
            pledge_signed=Exists(
                PledgeSignature.objects.filter(
                    officer_id=user.pk,
                    version=Subquery(
                        PledgeVersion.objects.filter(bureau=OuterRef(OuterRef("pk")))
                        .order_by("-number")
                        .values("pk")[:1]
                    ),
                )
            ),
            blocks=Exists(
                StaffPolicy.objects.filter(bureau=OuterRef("pk"), training_lapse_blocks=True)
            ),
        )
        .values("pledge_number", "pledge_signed", "blocks")
        .first()
    )
    if row is None:
        return GateState(None, False, False)
    return GateState(row["pledge_number"], row["pledge_signed"], row["blocks"])


def policy_of(bureau) -> StaffPolicy | None:
    return StaffPolicy.objects.filter(bureau=bureau).first()


def lapsed_officers(leader, today: date | None = None) -> list[tuple[User, TrainingStatus]]:
    """The officers of ``leader``'s station whose training or certificates lapsed."""
    return station_panel(leader, today)["lapsed"]


def courses_for(user):
    return restrict(user, Course.objects.all(), "view")


def sessions_for(user):
    return restrict(user, TrainingSession.objects.all(), "view").select_related("course", "unit")


def requirements_of_bureau(user):
    return restrict(user, TrainingRequirement.objects.all(), "view")
