"""Every write of the officer file, the pledge and training: permission first, validation,
the write and its audit event in one transaction (an audit failure writes nothing)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.accounts import authflow
from casebook.accounts.roles import Role
from casebook.audit.services import changes, record_event
from casebook.core.validators import (
    collect,
    validate_plain_name,
    validate_plausible_date,
    validate_text_length,
)

from . import files
from .access import (
    bureau_of,
    is_security_admin,
    may_add_certificate,
    may_keep_file,
    may_organise_at,
    may_organise_training,
    may_set_requirements,
)
from .choices import ConductKind, CourseCategory, Post, QuotaUnit
from .models import (
    Attendance,
    Certificate,
    ConductEntry,
    Course,
    OfficerProfile,
    PledgeSignature,
    PledgeVersion,
    SessionMaterial,
    StaffPolicy,
    TrainingRequirement,
    TrainingSession,
)


class AccountLocked(PermissionDenied):
    """Too many wrong passwords: the account is locked (the view ends the session)."""


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else value


def _refuse_keeper(actor, officer) -> None:
    if not may_keep_file(actor, officer):
        raise PermissionDenied(_("Only the officer's leaders keep this file."))


def _past_date(errors: dict, field: str, value, *, required: bool = True) -> None:
    if value is None:
        if required:
            errors.setdefault(field, []).append(_("Give the date."))
        return
    collect(errors, field, validate_plausible_date, value)


# --- the officer file ----------------------------------------------------------------------


@transaction.atomic
def profile_set(
    *, actor, officer, post: str, post_since: date | None = None, duties_note: str = ""
) -> OfficerProfile:
    """Set an officer's post (and what their duties add to the post's)."""
    _refuse_keeper(actor, officer)
    errors: dict[str, list] = {}
    if post not in Post.values:
        errors["post"] = [_("Choose the post.")]
    _past_date(errors, "post_since", post_since, required=False)
    duties_note = _text(duties_note)
    collect(errors, "duties_note", validate_text_length, duties_note, 2000)
    if errors:
        raise ValidationError(errors)
    profile = OfficerProfile.objects.select_for_update().filter(officer=officer).first()
    before = (
        {"post": profile.post, "post_since": profile.post_since, "duties_note": profile.duties_note}
        if profile
        else {"post": "", "post_since": None, "duties_note": ""}
    )
    if profile is None:
        profile = OfficerProfile(officer=officer)
    profile.post, profile.post_since, profile.duties_note = post, post_since, duties_note
    profile.updated_by = actor
    profile.save()
    after = {"post": post, "post_since": post_since, "duties_note": duties_note}
    details = changes(before, after)
    record_event(actor=actor, action="staff.profile", obj=officer, details=details)
    return profile


@transaction.atomic
def certificate_add(
    *,
    actor,
    officer,
    name: str,
    issued_on: date | None,
    expires_on: date | None = None,
    issuer: str = "",
    number: str = "",
    file_name: str = "",
    file_data: bytes | None = None,
) -> Certificate:
    """Record a qualification or certificate, with its scan (PDF or image, checked by content).
    A certificate issued in the future, or already expired, is refused: record the renewed one."""
    if not may_add_certificate(actor, officer):
        raise PermissionDenied(_("Only the officer and their leaders record certificates."))
    errors: dict[str, list] = {}
    name, issuer, number = _text(name), _text(issuer), _text(number)
    if not name:
        errors["name"] = [_("Name the qualification or certificate.")]
    collect(errors, "name", validate_plain_name, name)
    _past_date(errors, "issued_on", issued_on)
    today = timezone.localdate()
    if expires_on is not None:
        if expires_on < today:
            errors.setdefault("expires_on", []).append(
                _("This certificate has already expired: record the renewed one instead.")
            )
        elif issued_on is not None and expires_on <= issued_on:
            errors.setdefault("expires_on", []).append(_("The expiry must come after the issue."))
    stored = None
    if file_data is not None:
        try:
            data, kind = files.check(file_data, field="file")
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            data = kind = None
    if errors:
        raise ValidationError(errors)
    if file_data is not None:
        stored = files.store(actor=actor, name=file_name or "certificate", data=data, kind=kind)
    certificate = Certificate.objects.create(
        officer=officer,
        name=name[:100],
        issuer=issuer[:100],
        number=number[:50],
        issued_on=issued_on,
        expires_on=expires_on,
        file=stored,
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action="staff.certificate_add",
        obj=officer,
        details={"certificate": certificate.pk, "file": stored is not None},
    )
    return certificate


@transaction.atomic
def conduct_add(
    *, actor, officer, kind: str, decided_on: date | None, reason: str, decided_by: str
) -> ConductEntry:
    """Record a commendation, award or disciplinary measure in an officer's file."""
    _refuse_keeper(actor, officer)
    errors: dict[str, list] = {}
    reason, decided_by = _text(reason), _text(decided_by)
    if kind not in ConductKind.values:
        errors["kind"] = [_("Choose the kind.")]
    _past_date(errors, "decided_on", decided_on)
    if not reason:
        errors["reason"] = [_("Give the reason.")]
    collect(errors, "reason", validate_text_length, reason, 2000)
    if not decided_by:
        errors["decided_by"] = [_("Name who decided it.")]
    if errors:
        raise ValidationError(errors)
    entry = ConductEntry.objects.create(
        officer=officer,
        kind=kind,
        decided_on=decided_on,
        reason=reason,
        decided_by=decided_by[:100],
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action="staff.conduct_add",
        obj=officer,
        details={"entry": entry.pk, "kind": kind},
    )
    return entry


# --- the pledge ----------------------------------------------------------------------------


@transaction.atomic
def pledge_issue(*, actor, title: str, text: str) -> PledgeVersion:
    """A new version of the bureau's pledge: from now on, every officer must sign it."""
    if not is_security_admin(actor):
        raise PermissionDenied(_("Only the security administrator sets the pledge."))
    bureau = bureau_of(actor)
    if bureau is None:
        raise PermissionDenied(_("Only the security administrator sets the pledge."))
    title, text = _text(title), _text(text)
    errors: dict[str, list] = {}
    if not title:
        errors["title"] = [_("Give the pledge a title.")]
    if not text:
        errors["text"] = [_("Write the text of the pledge.")]
    collect(errors, "text", validate_text_length, text, 10000)
    if errors:
        raise ValidationError(errors)
    # lock the bureau's versions (PostgreSQL refuses FOR UPDATE with an aggregate); a first
    # version issued twice at once is refused by the unique (bureau, number) constraint
    numbers = list(
        PledgeVersion.objects.select_for_update()
        .filter(bureau=bureau)
        .values_list("number", flat=True)
    )
    latest = max(numbers, default=0)
    version = PledgeVersion.objects.create(
        bureau=bureau, number=(latest or 0) + 1, title=title[:100], text=text, issued_by=actor
    )
    record_event(
        actor=actor, action="staff.pledge_issue", obj=version, details={"number": version.number}
    )
    return version


def pledge_sign(*, actor, version: PledgeVersion, password: str, request=None) -> PledgeSignature:
    """Sign ``version`` after re-entering the password (re-authentication at the moment of
    signing). A wrong password is recorded and counts towards the account's lock, like a failed
    login; a version already signed, or one no longer in force, is refused with nothing written."""
    if request is not None and authflow.password_locked(request, actor):
        raise AccountLocked(_("The account is locked after too many wrong passwords."))
    if not actor.check_password(password or ""):
        record_event(
            actor=actor,
            action="staff.pledge_sign",
            obj=version,
            outcome="failure",
            details={"reason": "password"},
        )
        if request is not None and authflow.password_failed(request, actor):
            raise AccountLocked(_("The account is locked after too many wrong passwords."))
        raise ValidationError({"password": [_("The password is not correct.")]})
    authflow.password_succeeded(actor)
    return _sign(actor=actor, version=version)


@transaction.atomic
def _sign(*, actor, version: PledgeVersion) -> PledgeSignature:
    bureau = bureau_of(actor)
    current = (
        PledgeVersion.objects.filter(bureau=bureau).order_by("-number").first() if bureau else None
    )
    if current is None or current.pk != version.pk:
        raise ValidationError(_("This is not the version of the pledge in force."))
    if PledgeSignature.objects.filter(version=version, officer=actor).exists():
        raise ValidationError(_("You have already signed this version of the pledge."))
    try:
        with transaction.atomic():
            signature = PledgeSignature.objects.create(version=version, officer=actor)
    except IntegrityError:  # signed at the same moment in another tab
        raise ValidationError(_("You have already signed this version of the pledge.")) from None
    record_event(
        actor=actor,
        action="staff.pledge_sign",
        obj=version,
        details={"number": version.number, "signature": signature.pk},
    )
    return signature


@transaction.atomic
def policy_set(*, actor, training_lapse_blocks: bool) -> StaffPolicy:
    """The security administrator's switch: lapsed training or certificates block access."""
    if not is_security_admin(actor) or bureau_of(actor) is None:
        raise PermissionDenied(_("Only the security administrator sets this policy."))
    bureau = bureau_of(actor)
    policy, _created = StaffPolicy.objects.select_for_update().get_or_create(bureau=bureau)
    before = policy.training_lapse_blocks
    policy.training_lapse_blocks = bool(training_lapse_blocks)
    policy.updated_by = actor
    policy.save()
    record_event(
        actor=actor,
        action="staff.policy",
        obj=policy,
        details=changes(
            {"training_lapse_blocks": before},
            {"training_lapse_blocks": bool(training_lapse_blocks)},
        ),
    )
    return policy


# --- training ------------------------------------------------------------------------------


def _decimal(errors: dict, field: str, value, *, low: Decimal, high: Decimal):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors.setdefault(field, []).append(_("Give a number."))
        return None
    if not number.is_finite() or number < low or number > high:
        errors.setdefault(field, []).append(
            _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
        return None
    return number


@transaction.atomic
def course_create(*, actor, title: str, category: str, hours, description: str = "") -> Course:
    if not may_organise_training(actor) or bureau_of(actor) is None:
        raise PermissionDenied(_("Only leaders organise training."))
    bureau = bureau_of(actor)
    errors: dict[str, list] = {}
    title, description = _text(title), _text(description)
    if not title:
        errors["title"] = [_("Give the course a title.")]
    collect(errors, "title", validate_plain_name, title)
    if category not in CourseCategory.values:
        errors["category"] = [_("Choose the category.")]
    hours = _decimal(errors, "hours", hours, low=Decimal("0.5"), high=Decimal("200"))
    collect(errors, "description", validate_text_length, description, 2000)
    if title and Course.objects.filter(bureau=bureau, title=title).exists():
        errors.setdefault("title", []).append(_("A course of this title exists already."))
    if errors:
        raise ValidationError(errors)
    course = Course.objects.create(
        bureau=bureau,
        title=title[:100],
        category=category,
        hours=hours,
        description=description,
        created_by=actor,
    )
    record_event(
        actor=actor, action="staff.course_create", obj=course, details={"category": category}
    )
    return course


@transaction.atomic
def session_create(
    *,
    actor,
    course: Course,
    unit,
    held_on: date | None,
    place: str,
    trainer: str,
    pass_mark: int | None = None,
) -> TrainingSession:
    """A session of a course, for the actor's station (a bureau leader: any unit of the bureau).
    It may be planned ahead, at most a year."""
    if not may_organise_at(actor, unit) or course.bureau_id != getattr(
        bureau_of(actor), "pk", None
    ):
        raise PermissionDenied(_("Only the unit's leaders organise its training."))
    errors: dict[str, list] = {}
    place, trainer = _text(place), _text(trainer)
    if held_on is None:
        errors["held_on"] = [_("Give the date.")]
    else:
        collect(errors, "held_on", validate_plausible_date, held_on, allow_future=True)
        if (held_on - timezone.localdate()).days > 366:
            errors.setdefault("held_on", []).append(_("Plan sessions at most a year ahead."))
    if not place:
        errors["place"] = [_("Give the place.")]
    if not trainer:
        errors["trainer"] = [_("Name the trainer.")]
    collect(errors, "trainer", validate_plain_name, trainer)
    if pass_mark is not None and not 0 < int(pass_mark) <= 100:
        errors["pass_mark"] = [_("Give a pass mark from 1 to 100, or none.")]
    if not course.is_active:
        errors["course"] = [_("This course is no longer held.")]
    if errors:
        raise ValidationError(errors)
    session = TrainingSession.objects.create(
        course=course,
        unit=unit,
        held_on=held_on,
        place=place[:100],
        trainer=trainer[:50],
        pass_mark=pass_mark,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="staff.session_create",
        obj=session,
        details={"course": course.pk, "unit": unit.pk},
    )
    return session


def _refuse_organiser(actor, session: TrainingSession) -> None:
    if not may_organise_at(actor, session.unit):
        raise PermissionDenied(_("Only the unit's leaders organise its training."))


@transaction.atomic
def material_add(*, actor, session: TrainingSession, name: str, data: bytes) -> SessionMaterial:
    """Attach a handout (PDF, Office document or image, checked by content)."""
    _refuse_organiser(actor, session)
    data, kind = files.check(data, field="file", office=True)
    stored = files.store(actor=actor, name=name, data=data, kind=kind)
    material = SessionMaterial.objects.create(session=session, file=stored)
    record_event(
        actor=actor,
        action="staff.material_add",
        obj=session,
        details={"material": material.pk, "type": kind, "sha256": stored.sha256},
    )
    return material


@transaction.atomic
def attendance_record(
    *, actor, session: TrainingSession, officer, attended: bool = True, score: int | None = None
) -> Attendance:
    """Record (or correct) an officer's attendance and test score. Not before the session."""
    _refuse_organiser(actor, session)
    if not may_keep_file(actor, officer) and actor.pk != officer.pk:
        raise PermissionDenied(_("Only the officer's leaders record their training."))
    errors: dict[str, list] = {}
    if session.held_on > timezone.localdate():
        errors["session"] = [_("The session has not taken place yet.")]
    if score is not None:
        if session.pass_mark is None:
            errors["score"] = [_("This session had no test.")]
        elif not 0 <= int(score) <= 100:
            errors["score"] = [_("Give a score from 0 to 100.")]
        elif not attended:
            errors["score"] = [_("An officer who did not attend has no score.")]
    if errors:
        raise ValidationError(errors)
    attendance, created = Attendance.objects.select_for_update().get_or_create(
        session=session,
        officer=officer,
        defaults={"attended": attended, "score": score, "recorded_by": actor},
    )
    if not created:
        attendance.attended, attendance.score, attendance.recorded_by = attended, score, actor
        attendance.recorded_at = timezone.now()
        attendance.save()
    record_event(
        actor=actor,
        action="staff.attendance",
        obj=officer,
        details={"session": session.pk, "attended": attended, "scored": score is not None},
    )
    return attendance


@transaction.atomic
def requirement_set(*, actor, role: str, category: str, unit: str, quota) -> TrainingRequirement:
    """The yearly training a role must complete (the bureau leader sets it)."""
    if not may_set_requirements(actor) or bureau_of(actor) is None:
        raise PermissionDenied(_("Only the bureau leader sets training quotas."))
    errors: dict[str, list] = {}
    if role not in Role.values:
        errors["role"] = [_("Choose the role.")]
    if category and category not in CourseCategory.values:
        errors["category"] = [_("Choose the category.")]
    if unit not in QuotaUnit.values:
        errors["unit"] = [_("Choose hours or sessions.")]
    quota = _decimal(errors, "quota", quota, low=Decimal("0.5"), high=Decimal("500"))
    if errors:
        raise ValidationError(errors)
    requirement, _created = TrainingRequirement.objects.update_or_create(
        bureau=bureau_of(actor),
        role=role,
        category=category or "",
        defaults={"unit": unit, "quota": quota},
    )
    record_event(
        actor=actor,
        action="staff.requirement",
        obj=requirement,
        details={"role": role, "category": category, "unit": unit, "quota": str(quota)},
    )
    return requirement
