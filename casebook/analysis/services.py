"""Risk assessments: computed, explained, confirmed or overridden by a person, approved by the
station leader when high or critical; the only way a subject's risk level changes."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.audit.services import record_event
from casebook.intel.choices import SourceEvaluation
from casebook.intel.selectors import visible_records
from casebook.subjects.choices import RiskLevel
from casebook.subjects.models import Subject
from casebook.tracking.choices import Origin, Priority
from casebook.tracking.notify import notify
from casebook.tracking.services import task_create

from .models import (
    AssessmentStatus,
    FactorKind,
    Measure,
    RatedFactor,
    RiskAssessment,
    RiskFactor,
    WarningStatus,
)

#: Score (risk weights minus protective weights) → suggested level.
THRESHOLDS = [(11, RiskLevel.CRITICAL), (7, RiskLevel.HIGH), (3, RiskLevel.MEDIUM)]
#: Review interval and visit cadence (days) that a level sets; never longer than the category's.
REVIEW_DAYS = {
    RiskLevel.LOW: 365,
    RiskLevel.MEDIUM: 180,
    RiskLevel.HIGH: 90,
    RiskLevel.CRITICAL: 30,
}
VISIT_DAYS = {RiskLevel.LOW: None, RiskLevel.MEDIUM: 30, RiskLevel.HIGH: 14, RiskLevel.CRITICAL: 7}
NEEDS_APPROVAL = (RiskLevel.HIGH, RiskLevel.CRITICAL)


def suggest(score: int) -> int:
    for minimum, level in THRESHOLDS:
        if score >= minimum:
            return level
    return RiskLevel.LOW


@dataclass
class Rating:
    factor: RiskFactor
    records: list
    note: str = ""


def explain(level: int, ratings: list[Rating]) -> tuple[int, str]:
    """The score and its explanation, e.g. ``高风险：威胁具体明确 +5 [#12 B2]，…；保护因素 −2 …``."""
    risk = [r for r in ratings if r.factor.kind == FactorKind.RISK]
    protective = [r for r in ratings if r.factor.kind == FactorKind.PROTECTIVE]
    score = sum(r.factor.weight for r in risk) - sum(r.factor.weight for r in protective)

    def cite(rating: Rating) -> str:
        return ", ".join(f"#{rec.pk} {rec.grade}" for rec in rating.records)

    parts = [f"{r.factor.label} +{r.factor.weight} [{cite(r)}]" for r in risk]
    text = f"{RiskLevel(level).label}（{score}）：" + ("，".join(parts) or _("no risk factor"))
    if protective:
        text += _("; protective: ") + "，".join(
            f"{r.factor.label} −{r.factor.weight} [{cite(r)}]" for r in protective
        )
    return score, text


@transaction.atomic
def assessment_create(
    *,
    actor,
    subject: Subject,
    ratings: list[Rating],
    level: int | None = None,
    override_reason: str = "",
    summary: str = "",
    measures=(),
    task=None,
) -> RiskAssessment:
    """Assess a subject. Each rated factor must cite the information records it rests on."""
    if not policy.can(actor, Action.SUBJECT_VIEW, subject) or not policy.works_at_station(
        actor, subject.station
    ):
        raise PermissionDenied(_("Only officers of the owning station assess its subjects."))
    errors: dict[str, list] = {}
    if not ratings:
        errors["factors"] = [_("Rate at least one factor.")]
    visible = visible_records(actor).filter(subjects=subject, merged_into__isnull=True)
    seen = set()
    for rating in ratings:
        f = rating.factor
        if f.category_id != subject.category_id or not f.is_active:
            errors.setdefault("factors", []).append(
                _("“%(factor)s” is not a factor of this category.") % {"factor": f.label}
            )
        if f.pk in seen:
            errors.setdefault("factors", []).append(_("A factor is rated twice."))
        seen.add(f.pk)
        if not rating.records:
            errors.setdefault("factors", []).append(
                _("“%(factor)s” must cite the information records it rests on.")
                % {"factor": f.label}
            )
        elif visible.filter(pk__in=[r.pk for r in rating.records]).count() != len(
            {r.pk for r in rating.records}
        ):
            errors.setdefault("factors", []).append(
                _(
                    "“%(factor)s” cites a record that is not about this subject or not visible "
                    "to you."
                )
                % {"factor": f.label}
            )
    if task is not None and not task.subjects.filter(pk=subject.pk).exists():
        errors["task"] = [_("The task does not concern this subject.")]
    if errors:
        raise ValidationError(errors)
    score, _text = explain(RiskLevel.LOW, ratings)
    suggested = suggest(score)
    final = suggested if level in (None, "") else int(level)
    if final not in RiskLevel.values or final == RiskLevel.NONE:
        raise ValidationError({"level": [_("Choose a risk level.")]})
    if final != suggested and not (override_reason or "").strip():
        raise ValidationError(
            {
                "override_reason": [
                    _(
                        "You chose %(level)s instead of the suggested %(suggested)s: give the reason."
                    )
                    % {"level": RiskLevel(final).label, "suggested": RiskLevel(suggested).label}
                ]
            }
        )
    _score, explanation = explain(suggested, ratings)
    cited = {rec.pk: rec for rating in ratings for rec in rating.records}
    only_untested = bool(cited) and all(
        rec.source_evaluation != SourceEvaluation.RELIABLE for rec in cited.values()
    )
    status = AssessmentStatus.PENDING if final in NEEDS_APPROVAL else AssessmentStatus.APPROVED
    assessment = RiskAssessment.objects.create(
        subject=subject,
        task=task,
        assessor=actor,
        score=score,
        suggested_level=suggested,
        explanation=explanation,
        level=final,
        override_reason=override_reason.strip() if final != suggested else "",
        only_untested=only_untested,
        status=status,
        summary=summary.strip(),
    )
    for rating in ratings:
        row = RatedFactor.objects.create(
            assessment=assessment,
            factor=rating.factor,
            note=rating.note.strip(),
            weight=rating.factor.weight
            if rating.factor.kind == FactorKind.RISK
            else -rating.factor.weight,
        )
        row.records.set(rating.records)
    for text in measures:
        if text.strip():
            Measure.objects.create(assessment=assessment, text=text.strip()[:200])
    record_event(
        actor=actor,
        action="assessment.create",
        obj=subject,
        details={
            "assessment": assessment.pk,
            "score": score,
            "suggested": suggested,
            "level": final,
            "override": final != suggested,
            "status": status,
        },
    )
    if status == AssessmentStatus.APPROVED:
        _apply(actor, assessment)
    else:
        leaders = User.objects.holding(Role.STATION_LEADER, subject.station)
        notify(
            leaders,
            _("Approval needed: %(subject)s assessed %(level)s")
            % {"subject": subject.name, "level": RiskLevel(final).label},
            url=assessment.get_absolute_url(),
        )
    return assessment


def _apply(actor, assessment: RiskAssessment) -> None:
    """Put the assessment in force: the subject's level, review date and visit cadence."""
    subject = Subject.objects.select_for_update().get(pk=assessment.subject_id)
    level = assessment.level
    review = min(REVIEW_DAYS[level], subject.category.review_cycle_days)
    visit = VISIT_DAYS[level]
    old = subject.risk_level
    subject.risk_level = level
    subject.review_due = timezone.localdate() + timedelta(days=review)
    subject.visit_cycle_days = min(visit, subject.category.visit_cycle_days) if visit else None
    subject.save(update_fields=["risk_level", "review_due", "visit_cycle_days", "updated_at"])
    record_event(
        actor=actor,
        action="subject.risk",
        obj=subject,
        details={
            "from": old,
            "to": level,
            "assessment": assessment.pk,
            "review_due": str(subject.review_due),
            "visit_cycle_days": subject.visit_cycle,
        },
    )


@transaction.atomic
def assessment_decide(
    *, actor, assessment: RiskAssessment, approve: bool, note: str = ""
) -> RiskAssessment:
    """The station leader approves (the level takes effect) or returns a high/critical level."""
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not policy.can(actor, Action.SUBJECT_APPROVE, assessment.subject):
        raise PermissionDenied(_("Only the station leader approves high and critical levels."))
    if assessment.status != AssessmentStatus.PENDING:
        raise ValidationError(_("This assessment is not awaiting approval."))
    if not approve and not (note or "").strip():
        raise ValidationError({"note": [_("Say why the assessment is returned.")]})
    assessment.status = AssessmentStatus.APPROVED if approve else AssessmentStatus.REJECTED
    assessment.approved_by, assessment.approved_at = actor, timezone.now()
    assessment.approval_note = note.strip()
    assessment.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    record_event(
        actor=actor,
        action="assessment.approve" if approve else "assessment.reject",
        obj=assessment.subject,
        details={"assessment": assessment.pk, "note": note},
    )
    if approve:
        _apply(actor, assessment)
    return assessment


@transaction.atomic
def measure_to_task(*, actor, measure: Measure):
    """One click: a recommended measure becomes a task for the subject's responsible officer."""

    if measure.task_id:
        raise ValidationError(_("This measure is already a task."))
    subject = measure.assessment.subject
    lead = next(
        (o for o in subject.officers.all() if policy.is_case_worker_of(o, subject.station)),
        measure.assessment.assessor,
    )
    priority = Priority.HIGH if measure.assessment.level in NEEDS_APPROVAL else Priority.NORMAL
    task = task_create(
        actor=actor,
        title=measure.text[:120],
        station=subject.station,
        lead=lead,
        subjects=[subject],
        origin=Origin.STATION,
        priority=priority,
        instructions=_("Recommended by the risk assessment of %(date)s.")
        % {"date": timezone.localtime(measure.assessment.assessed_at).strftime("%Y-%m-%d")},
    )
    measure.task = task
    measure.save(update_fields=["task"])
    return task


# --- warnings ---------------------------------------------------------------------------------


def _warning_scope(actor, warning) -> None:
    if not policy.can(actor, Action.SUBJECT_VIEW, warning.subject) or not policy.works_at_station(
        actor, warning.subject.station
    ):
        raise PermissionDenied(_("Only officers of the station handle its warnings."))


@transaction.atomic
def warning_handle(*, actor, warning, decision: str, note: str = ""):
    """Acknowledge, dismiss (with a reason) or turn a warning into a task (leaders)."""

    _warning_scope(actor, warning)
    if warning.status != WarningStatus.OPEN:
        raise ValidationError(_("This warning has already been handled."))
    if decision == "dismiss" and not (note or "").strip():
        raise ValidationError({"note": [_("Give a reason for dismissing the warning.")]})
    if decision == "task":
        subject = warning.subject
        lead = next(
            (o for o in subject.officers.all() if policy.is_case_worker_of(o, subject.station)),
            actor,
        )
        warning.task = task_create(
            actor=actor,
            title=str(warning.rule.label)[:120],
            station=subject.station,
            lead=lead,
            subjects=[subject],
            origin=Origin.WARNING,
            priority=Priority.HIGH,
            instructions=warning.reason,
        )
        warning.status = WarningStatus.TASKED
    elif decision == "dismiss":
        warning.status = WarningStatus.DISMISSED
    elif decision == "acknowledge":
        warning.status = WarningStatus.ACKNOWLEDGED
    else:
        raise ValidationError(_("Choose what to do with the warning."))
    warning.handled_by, warning.handled_at, warning.note = actor, timezone.now(), note.strip()
    warning.save(update_fields=["status", "handled_by", "handled_at", "note", "task"])
    record_event(
        actor=actor,
        action=f"warning.{decision}",
        obj=warning.subject,
        details={"warning": warning.pk, "rule": warning.rule.code, "note": note},
    )
    return warning


# --- configuration (the system administrator) -----------------------------------------------


@transaction.atomic
def rule_configure(*, actor, rule, enabled: bool, params: dict):
    policy.check(actor, Action.CATEGORY_MANAGE, rule)  # a rule of the actor's own bureau
    clean = {}
    for key, value in params.items():
        if key not in rule.params:
            continue
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError({key: [_("Give a whole number.")]}) from exc
        if not 1 <= number <= 365:
            raise ValidationError({key: [_("Between 1 and 365.")]})
        clean[key] = number
    before = {"enabled": rule.enabled, **rule.params}
    rule.enabled = enabled
    rule.params = {**rule.params, **clean}
    rule.save(update_fields=["enabled", "params"])
    record_event(
        actor=actor,
        action="warning_rule.configure",
        object_type="analysis.warningrule",
        object_id=f"{rule.bureau_id}/{rule.code}",
        object_repr=rule.name,
        details={"from": before, "to": {"enabled": enabled, **rule.params}},
    )
    return rule


@transaction.atomic
def factor_add(
    *, actor, category, kind: str, name: str, name_en: str, description: str, weight: int
) -> RiskFactor:
    policy.check(actor, Action.CATEGORY_MANAGE, category)  # a category of the actor's bureau
    errors = {}
    if kind not in FactorKind.values:
        errors["kind"] = [_("Choose risk or protective.")]
    if not (name or "").strip():
        errors["name"] = [_("Give the factor a name.")]
    if not 1 <= int(weight or 0) <= 10:
        errors["weight"] = [_("The weight is between 1 and 10.")]
    if errors:
        raise ValidationError(errors)
    order = (
        category.risk_factors.order_by("-order").values_list("order", flat=True).first() or 0
    ) + 1
    factor = RiskFactor.objects.create(
        category=category,
        kind=kind,
        name=name.strip(),
        name_en=(name_en or name).strip(),
        description=(description or "").strip()[:300],
        weight=int(weight),
        order=order,
    )
    record_event(
        actor=actor,
        action="category.factor",
        obj=category,
        details={"added": factor.name, "kind": kind, "weight": factor.weight},
    )
    return factor


@transaction.atomic
def factor_retire(*, actor, factor: RiskFactor) -> None:
    """Out of future assessments; past assessments keep citing it."""
    policy.check(actor, Action.CATEGORY_MANAGE, factor)
    factor.is_active = False
    factor.save(update_fields=["is_active"])
    record_event(
        actor=actor, action="category.factor", obj=factor.category, details={"retired": factor.name}
    )
