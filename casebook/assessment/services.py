"""Every write of the assessment module: one transaction and one audit event each."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casebook.accounts.roles import CASE_WORKERS, Role
from casebook.audit.services import record_event
from casebook.core.choices import UnitKind
from casebook.core.models import Unit
from casebook.crypto.services import blind_index, data_key_create
from casebook.intel.choices import Method
from casebook.intel.models import InformationRecord
from casebook.tracking.models import Task

from . import figures, sampling
from .access import assessed_stations, is_bureau
from .choices import (
    BUREAU_ONLY,
    DISCIPLINE,
    AssessmentStatus,
    CheckResult,
    MeasureKind,
    MeasureStatus,
    OpinionKind,
    OpinionSource,
    OpinionStatus,
    SampleKind,
)
from .models import Assessment, FigureSnapshot, Measure, Opinion, SpotCheck, SpotCheckItem
from .periods import Quarter, parse_period

User = get_user_model()

#: The default grading scheme (考核等次); a deployment may set ASSESSMENT_GRADES to its own
#: list of (code, label) pairs, best first.
DEFAULT_GRADES = [
    ("excellent", gettext_lazy("Excellent")),
    ("competent", gettext_lazy("Competent")),
    ("basic", gettext_lazy("Basically competent")),
    ("incompetent", gettext_lazy("Not competent")),
]
OPINION_LIMIT = 5  # per address and hour
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def grades() -> list[tuple[str, str]]:
    return list(getattr(settings, "ASSESSMENT_GRADES", DEFAULT_GRADES))


def grade_label(code: str) -> str:
    return str(dict(grades()).get(code, code))


def _require_station(actor, station) -> None:
    if station.pk not in assessed_stations(actor):
        raise PermissionDenied(_("You do not assess the officers of this station."))


def station_officers(station):
    """The active case workers of the station (its own unit and its areas)."""
    return (
        User.objects.filter(is_active=True, roles__role__in=CASE_WORKERS)
        .filter(Q(unit=station) | Q(unit__parent=station, unit__kind=UnitKind.AREA))
        .distinct()
        .order_by("pk")
    )


# --- figures ---------------------------------------------------------------------------------


def recompute_figures(quarters=None, stations=None) -> int:
    """The background job: the current and the previous quarter of every station (a record
    verified late still changes last quarter's figures)."""
    today = Quarter.current()
    quarters = quarters or [today, today.previous]
    stations = stations or list(
        Unit.objects.filter(kind=UnitKind.STATION).values_list("pk", flat=True)
    )
    return sum(figures.recompute(q, stations) for q in quarters)


# --- spot checks -----------------------------------------------------------------------------


def population(station, quarter: Quarter, kind: str) -> list[list[int]]:
    if kind == SampleKind.TASKS:
        qs = Task.objects.filter(
            station=station, created_at__gte=quarter.start, created_at__lt=quarter.end
        ).values_list("pk", "lead_id")
    else:
        qs = InformationRecord.objects.filter(
            station=station,
            recorded_at__gte=quarter.start,
            recorded_at__lt=quarter.end,
            merged_into__isnull=True,
        )
        if kind == SampleKind.VISITS:
            qs = qs.filter(method=Method.FIELD_VISIT)
        else:
            qs = qs.exclude(method=Method.FIELD_VISIT)
        qs = qs.values_list("pk", "created_by_id")
    return [[pk, officer] for pk, officer in qs.order_by("pk")]


@transaction.atomic
def spot_check_draw(*, actor, station, period: str, kind: str, size: int, seed=None) -> SpotCheck:
    """Draw a stratified random sample; nothing is written unless it can be drawn."""
    _require_station(actor, station)
    quarter = parse_period(period)
    if kind not in SampleKind.values:
        raise ValidationError({"kind": [_("Unknown kind of item.")]})
    if size is None or size < 1:
        raise ValidationError({"size": [_("The sample holds at least one item.")]})
    items = population(station, quarter, kind)
    officers = {officer for _item, officer in items}
    if size > len(items):
        raise ValidationError(
            {
                "size": [
                    _("The sample (%(size)s) is larger than its population (%(n)s items).")
                    % {"size": size, "n": len(items)}
                ]
            }
        )
    if size < len(officers):
        raise ValidationError(
            {
                "size": [
                    _(
                        "The sample must cover every officer: at least %(n)s items for %(n)s "
                        "officers."
                    )
                    % {"n": len(officers)}
                ]
            }
        )
    seed = secrets.randbits(62) if seed is None else int(seed)
    check = SpotCheck.objects.create(
        station=station,
        period=quarter.code,
        kind=kind,
        size=size,
        seed=seed,
        population=items,
        drawn_by=actor,
    )
    SpotCheckItem.objects.bulk_create(
        SpotCheckItem(spot_check=check, object_id=item, officer_id=officer)
        for item, officer in sampling.draw(items, size, seed)
    )
    record_event(
        actor=actor,
        action="appraisal.spot_draw",
        obj=check,
        details={"kind": kind, "period": quarter.code, "size": size, "population": len(items)},
    )
    return check


def spot_check_redraw(check: SpotCheck) -> bool:
    """Does the stored seed and population give exactly the stored sample?"""
    drawn = sampling.draw(check.population, check.size, check.seed)
    stored = sorted(check.items.values_list("object_id", "officer_id"))
    return sorted(tuple(pair) for pair in drawn) == stored


@transaction.atomic
def spot_item_check(*, actor, item: SpotCheckItem, result: str, note: str = "") -> SpotCheckItem:
    item = SpotCheckItem.objects.select_for_update().select_related("spot_check").get(pk=item.pk)
    _require_station(actor, item.spot_check.station)
    note = (note or "").strip()
    if result not in CheckResult.values or result == CheckResult.PENDING:
        raise ValidationError({"result": [_("Choose confirmed, discrepancy or could not verify.")]})
    if result != CheckResult.CONFIRMED and not note:
        raise ValidationError({"note": [_("Say what was found, or why it could not be verified.")]})
    if item.officer_id == actor.pk:
        raise PermissionDenied(_("Nobody checks their own work."))
    previous = item.result
    item.result, item.note = result, note[:500]
    item.checked_by, item.checked_at = actor, timezone.now()
    item.save(update_fields=["result", "note", "checked_by", "checked_at"])
    record_event(
        actor=actor,
        action="appraisal.spot_check",
        obj=item.spot_check,
        details={"item": item.object_id, "result": result, "previous": previous},
    )
    return item


# --- opinions --------------------------------------------------------------------------------


class OpinionRefused(Exception):
    """An opinion not taken (flood or bot). The message is safe to show to the public."""


def _reference() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"YJ-{body[:4]}-{body[4:]}"


def opinion_submit(
    *,
    ip: str,
    station,
    kind: str,
    text: str,
    contact: str = "",
    honeypot: str = "",
    source: str = OpinionSource.PUBLIC,
    department: str = "",
    actor=None,
) -> Opinion:
    """Take an opinion. The text is kept as written (as text: it is escaped wherever shown)."""
    source_hash = blind_index(ip or "unknown", kind="opinion-ip")
    if honeypot:
        raise OpinionRefused(_("Your opinion could not be taken. Please call the station instead."))
    key = f"opinion-rate:{source_hash}"
    count = cache.get(key, 0)
    recent = Opinion.objects.filter(
        source_hash=source_hash, received_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if actor is None and (count >= OPINION_LIMIT or recent >= OPINION_LIMIT):
        raise OpinionRefused(
            _("Too many opinions from your connection in the last hour. Please try again later.")
        )
    errors = {}
    text = (text or "").strip()
    if len(text) < 5:
        errors["text"] = [_("Write at least 5 characters.")]
    elif len(text) > 5000:
        errors["text"] = [_("At most 5000 characters.")]
    if kind not in OpinionKind.values:
        errors["kind"] = [_("Choose praise, a suggestion or a complaint.")]
    if station is None or station.kind != UnitKind.STATION:
        errors["station"] = [_("Choose the station.")]
    if source == OpinionSource.DEPARTMENT and not department.strip():
        errors["department"] = [_("Name the department.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        opinion = Opinion(
            reference=_reference(),
            station=station,
            kind=kind,
            source=source,
            department=department.strip()[:100],
            text=text,
            contact=(contact or "").strip()[:200],
            source_hash=source_hash,
            data_key=data_key_create(label=f"opinion:{uuid.uuid4().hex}"),
        )
        while Opinion.objects.filter(reference=opinion.reference).exists():
            opinion.reference = _reference()
        opinion.save()
        record_event(
            actor=actor,
            actor_name="" if actor else "public",
            action="appraisal.opinion_receive",
            obj=opinion,
            details={"kind": kind, "source": source},
        )
    if actor is None:
        cache.set(key, count + 1, 3600)
    return opinion


def opinion_status(reference: str) -> str | None:
    found = Opinion.objects.filter(reference=(reference or "").strip().upper()).only("status")
    opinion = found.first()
    return opinion.status if opinion else None


@transaction.atomic
def opinion_triage(*, actor, opinion: Opinion, officer=None, unit=None) -> Opinion:
    opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
    _require_station(actor, opinion.station)
    if officer is None and unit is None:
        raise ValidationError({"officer": [_("Name the officer or the unit it concerns.")]})
    if officer is not None and not station_officers(opinion.station).filter(pk=officer.pk).exists():
        raise ValidationError({"officer": [_("This officer does not work at the station.")]})
    if unit is not None and unit.station != opinion.station:
        raise ValidationError({"unit": [_("This unit is not part of the station.")]})
    opinion.officer, opinion.unit, opinion.triaged_by = officer, unit, actor
    if opinion.status == OpinionStatus.RECEIVED:
        opinion.status = OpinionStatus.TRIAGED
    opinion.save(update_fields=["officer", "unit", "triaged_by", "status"])
    record_event(actor=actor, action="appraisal.opinion_triage", obj=opinion)
    return opinion


@transaction.atomic
def opinion_answer(*, actor, opinion: Opinion, answer: str) -> Opinion:
    opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
    _require_station(actor, opinion.station)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Write the answer.")]})
    opinion.answer, opinion.answered_by, opinion.answered_at = answer, actor, timezone.now()
    opinion.status = OpinionStatus.ANSWERED
    opinion.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    record_event(actor=actor, action="appraisal.opinion_answer", obj=opinion)
    return opinion


# --- quarterly assessment --------------------------------------------------------------------


def basis_for(station, officer, quarter: Quarter) -> dict:
    """What a draft rests on: the officer's figures, spot-check findings and opinions."""
    snaps = FigureSnapshot.objects.filter(
        station=station, officer=officer, period=quarter.code
    ).values_list("code", "numerator", "denominator")
    basis = {"figures": {code: [num, den] for code, num, den in snaps}}
    items = SpotCheckItem.objects.filter(
        spot_check__station=station, spot_check__period=quarter.code, officer=officer
    )
    basis["findings"] = items.filter(result=CheckResult.DISCREPANCY).count()
    opinions = (
        Opinion.objects.filter(
            officer=officer, received_at__gte=quarter.start, received_at__lt=quarter.end
        )
        .values("kind")
        .annotate(n=Count("pk"))
    )
    basis["opinions"] = {row["kind"]: row["n"] for row in opinions}
    return basis


@transaction.atomic
def assessment_draft(*, actor, station, period: str) -> list[Assessment]:
    """A draft for each officer of the station who has none for the quarter, from freshly
    computed figures."""
    _require_station(actor, station)
    quarter = parse_period(period)
    figures.recompute(quarter, [station.pk])
    made = []
    for officer in station_officers(station):
        if officer.has_role(Role.STATION_LEADER) and officer.pk == actor.pk:
            continue  # nobody drafts their own assessment
        if Assessment.objects.filter(officer=officer, period=quarter.code).exists():
            continue
        assessment = Assessment.objects.create(
            station=station,
            officer=officer,
            period=quarter.code,
            basis=basis_for(station, officer, quarter),
        )
        record_event(actor=actor, action="appraisal.draft", obj=assessment)
        made.append(assessment)
    return made


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("station").get(pk=assessment.pk)


@transaction.atomic
def assessment_score(*, actor, assessment: Assessment, grade: str, reasons: str) -> Assessment:
    a = _locked(assessment)
    _require_station(actor, a.station)
    if a.officer_id == actor.pk:
        raise PermissionDenied(_("Nobody scores their own assessment."))
    if a.status == AssessmentStatus.CONFIRMED:
        raise ValidationError({"grade": [_("The assessment is confirmed: it cannot change.")]})
    errors = {}
    if grade not in dict(grades()):
        errors["grade"] = [_("Choose a grade of the scheme.")]
    if not (reasons or "").strip():
        errors["reasons"] = [_("Give the reasons for the grade.")]
    if errors:
        raise ValidationError(errors)
    a.grade, a.reasons = grade, reasons.strip()
    a.scored_by, a.scored_at, a.status = actor, timezone.now(), AssessmentStatus.SCORED
    a.objection, a.objected_at = "", None
    a.save(
        update_fields=[
            "grade",
            "reasons",
            "scored_by",
            "scored_at",
            "status",
            "objection",
            "objected_at",
        ]
    )
    record_event(actor=actor, action="appraisal.score", obj=a, details={"grade": grade})
    return a


@transaction.atomic
def assessment_mark_read(*, actor, assessment: Assessment) -> Assessment:
    a = _locked(assessment)
    if a.officer_id == actor.pk and a.status != AssessmentStatus.DRAFT and a.read_at is None:
        a.read_at = timezone.now()
        a.save(update_fields=["read_at"])
        record_event(actor=actor, action="appraisal.read", obj=a)
    return a


@transaction.atomic
def assessment_object(*, actor, assessment: Assessment, objection: str) -> Assessment:
    a = _locked(assessment)
    if a.officer_id != actor.pk:
        raise PermissionDenied(_("Only the assessed officer states an objection."))
    if a.status != AssessmentStatus.SCORED:
        raise ValidationError(
            {
                "objection": [
                    _("An objection is stated once the grade is given, before it is confirmed.")
                ]
            }
        )
    objection = (objection or "").strip()
    if not objection:
        raise ValidationError({"objection": [_("Write your objection.")]})
    a.objection, a.objected_at, a.status = objection, timezone.now(), AssessmentStatus.OBJECTED
    a.read_at = a.read_at or a.objected_at
    a.save(update_fields=["objection", "objected_at", "status", "read_at"])
    record_event(actor=actor, action="appraisal.object", obj=a)
    return a


@transaction.atomic
def assessment_confirm(*, actor, assessment: Assessment, note: str = "") -> Assessment:
    a = _locked(assessment)
    _require_station(actor, a.station)
    if a.officer_id == actor.pk:
        raise PermissionDenied(_("Nobody confirms their own assessment."))
    if a.status not in (AssessmentStatus.SCORED, AssessmentStatus.OBJECTED):
        raise ValidationError({"note": [_("Only a scored assessment is confirmed.")]})
    note = (note or "").strip()
    if a.status == AssessmentStatus.OBJECTED and not note:
        raise ValidationError({"note": [_("Answer the officer's objection before confirming.")]})
    if a.status == AssessmentStatus.SCORED and a.read_at is None:
        raise ValidationError({"note": [_("The officer has not read the assessment yet.")]})
    a.confirm_note, a.confirmed_by, a.confirmed_at = note, actor, timezone.now()
    a.status = AssessmentStatus.CONFIRMED
    a.save(update_fields=["confirm_note", "confirmed_by", "confirmed_at", "status"])
    record_event(actor=actor, action="appraisal.confirm", obj=a, details={"grade": a.grade})
    return a


# --- rewards and discipline ------------------------------------------------------------------


@transaction.atomic
def measure_propose(*, actor, officer, kind: str, grounds: str) -> Measure:
    station = officer.unit.station if officer.unit_id else None
    if station is None:
        raise ValidationError({"officer": [_("The officer belongs to no station.")]})
    _require_station(actor, station)
    if officer.pk == actor.pk:
        raise PermissionDenied(_("Nobody proposes a measure about themselves."))
    errors = {}
    if kind not in MeasureKind.values:
        errors["kind"] = [_("Choose the measure.")]
    if len((grounds or "").strip()) < 4:
        errors["grounds"] = [
            _("Cite the grounds: the figures, findings, complaints or events it rests on.")
        ]
    if errors:
        raise ValidationError(errors)
    measure = Measure.objects.create(
        station=station, officer=officer, kind=kind, grounds=grounds.strip(), proposed_by=actor
    )
    record_event(actor=actor, action="appraisal.measure_propose", obj=measure)
    return measure


def _locked_measure(measure: Measure) -> Measure:
    return Measure.objects.select_for_update().select_related("station").get(pk=measure.pk)


@transaction.atomic
def measure_statement(*, actor, measure: Measure, statement: str) -> Measure:
    m = _locked_measure(measure)
    if m.officer_id != actor.pk:
        raise PermissionDenied(_("Only the officer concerned states their case."))
    if m.kind not in DISCIPLINE or m.status in (MeasureStatus.DECIDED, MeasureStatus.REJECTED):
        raise ValidationError({"statement": [_("There is no pending discipline to answer.")]})
    if not (statement or "").strip():
        raise ValidationError({"statement": [_("Write your statement.")]})
    m.statement, m.statement_at = statement.strip(), timezone.now()
    m.save(update_fields=["statement", "statement_at"])
    record_event(actor=actor, action="appraisal.measure_statement", obj=m)
    return m


def _check_can_decide(actor, m: Measure, decision: str) -> bool:
    """True when the actor decides at the bureau; raise when they may not decide at all."""
    _require_station(actor, m.station)
    if m.officer_id == actor.pk:
        raise PermissionDenied(_("Nobody decides a measure about themselves."))
    if m.status in (MeasureStatus.DECIDED, MeasureStatus.REJECTED):
        raise ValidationError({"decision": [_("This proposal is already decided.")]})
    if not (decision or "").strip():
        raise ValidationError({"decision": [_("Write the decision and its grounds.")]})
    if m.kind in DISCIPLINE and m.statement_at is None:
        raise ValidationError(
            {
                "decision": [
                    _(
                        "The officer must first be heard: their statement comes before a decision on discipline."
                    )
                ]
            }
        )
    return actor.has_role(Role.BUREAU_LEADER) and is_bureau(actor)


@transaction.atomic
def measure_forward(*, actor, measure: Measure, note: str = "") -> Measure:
    """The station leader approves and sends the proposal on to the bureau."""
    m = _locked_measure(measure)
    _require_station(actor, m.station)
    if not actor.has_role(Role.STATION_LEADER):
        raise PermissionDenied(_("The station leader forwards proposals to the bureau."))
    if m.status != MeasureStatus.PROPOSED:
        raise ValidationError({"decision": [_("Only a new proposal is forwarded.")]})
    m.station_by, m.station_at, m.status = actor, timezone.now(), MeasureStatus.STATION_APPROVED
    m.save(update_fields=["station_by", "station_at", "status"])
    record_event(actor=actor, action="appraisal.measure_forward", obj=m)
    return m


@transaction.atomic
def measure_decide(*, actor, measure: Measure, decision: str, approve: bool = True) -> Measure:
    """Decide (or reject) a proposal. The station leader decides at the station anything but
    removal from post; the bureau leader decides what the station forwarded, and removal."""
    m = _locked_measure(measure)
    at_bureau = _check_can_decide(actor, m, decision)
    if not at_bureau:
        if m.kind in BUREAU_ONLY and approve:
            raise PermissionDenied(_("Removal from post is decided by the bureau only."))
        if not actor.has_role(Role.STATION_LEADER) or m.status != MeasureStatus.PROPOSED:
            raise PermissionDenied(_("This proposal awaits the bureau's decision."))
    m.decision, m.decided_by, m.decided_at = decision.strip(), actor, timezone.now()
    m.status = MeasureStatus.DECIDED if approve else MeasureStatus.REJECTED
    m.save(update_fields=["decision", "decided_by", "decided_at", "status"])
    record_event(
        actor=actor,
        action="appraisal.measure_decide",
        obj=m,
        details={"approved": approve, "at": "bureau" if at_bureau else "station"},
    )
    return m
