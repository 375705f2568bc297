"""Every write to accounts, roles, policies, second factors, API tokens and the organisation's
units, audited."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.access.policy import Action, can_decide_grant, require
from casebook.access.registry import restrict
from casebook.audit.services import changes, record_event
from casebook.core.bureaus import set_up_bureau
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import ALLOWED_PARENT, Unit

from .choices import GrantKind, GrantStatus
from .models import ApiToken, Compartment, GrantRequest, RolePolicy, User, UserRole
from .roles import ADMIN_ROLES, APPROVAL_ROLES, CASE_ROLES, Role, separation_conflict
from .selectors import mfa_required
from .signals import credential_reset_done

PROFILE_FIELDS = ("real_name", "unit_id", "title", "phone", "email")
#: Up to this clearance a new account needs no approval (the model's default).
BASELINE_CLEARANCE = Classification.INTERNAL
#: How long a temporary password may be used for the first login.
TEMPORARY_PASSWORD_VALID = timedelta(days=3)
#: How long the temporary password of an approved credential reset may be used (once).
CREDENTIAL_RESET_VALID = timedelta(hours=8)
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _snapshot(user: User) -> dict:
    return {f: getattr(user, f) for f in PROFILE_FIELDS}


def _access(user: User) -> dict:
    """The access an account holds now: roles, clearance, compartment codes."""
    return {
        "roles": sorted(UserRole.objects.filter(user=user).values_list("role", flat=True)),
        "clearance": user.clearance,
        "compartments": sorted(user.compartments.values_list("code", flat=True)),
    }


def _validate_roles(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    conflict = separation_conflict(roles)
    if conflict is not None:
        labels = "、".join(str(Role(r).label) for r in sorted(conflict))
        if conflict & ADMIN_ROLES and conflict & CASE_ROLES:
            raise ValidationError(
                _(
                    "An administrator role cannot be held together with a role that works "
                    "with case data: %(roles)s"
                )
                % {"roles": labels}
            )
        raise ValidationError(
            _("These roles separate duties and cannot be held together: %(roles)s")
            % {"roles": labels}
        )


def administers_unit(actor: User, action, unit) -> bool:
    """Is ``unit`` one of the administrator's own bureau (the bureau, its stations, their
    areas), by the unit rule of ``accounts.access``?"""
    return unit is not None and restrict(actor, Unit.objects.filter(pk=unit.pk), action).exists()


def _require_in_bureau(actor: User, user: User) -> None:
    """The administrator acts only on accounts of their own bureau (others look absent)."""
    if not User.objects.filter(pk=user.pk).restrict(actor, Action.USER_MANAGE).exists():
        raise PermissionDenied(_("This account is not in your bureau."))


def _require_unit_in_bureau(actor: User, unit, field: str = "unit") -> None:
    if not administers_unit(actor, Action.USER_MANAGE, unit):
        raise ValidationError({field: _("Choose a unit of your own bureau.")})


def _needs_approval(before: dict, after: dict) -> bool:
    """Does changing access from ``before`` to ``after`` need the security administrator?
    Any administrator role granted or revoked, any change to an administrator's account, any
    raise of clearance and any compartment granted."""
    old_roles, new_roles = set(before["roles"]), set(after["roles"])
    return bool(
        (old_roles ^ new_roles) & APPROVAL_ROLES
        or old_roles & APPROVAL_ROLES
        or after["clearance"] > before["clearance"]
        or set(after["compartments"]) - set(before["compartments"])
    )


def _apply_access(*, actor: User | None, user: User, access: dict) -> dict:
    """Set roles, clearance and compartments to ``access``; returns the audited difference."""
    before = _access(user)
    roles = set(access["roles"])
    old = set(before["roles"])
    UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    for role in sorted(roles - old):
        UserRole.objects.create(user=user, role=role, granted_by=actor)
    diff = {}
    if roles != old:
        diff["roles"] = {"granted": sorted(roles - old), "revoked": sorted(old - roles)}
    if access["clearance"] != before["clearance"]:
        user.clearance = access["clearance"]
        user.save(update_fields=["clearance"])
        diff["clearance"] = {"from": before["clearance"], "to": access["clearance"]}
    if sorted(access["compartments"]) != before["compartments"]:
        user.compartments.set(Compartment.objects.filter(code__in=access["compartments"]))
        diff["compartments"] = {
            "from": before["compartments"],
            "to": sorted(access["compartments"]),
        }
    user.__dict__.pop("role_set", None)
    user.__dict__.pop("compartment_codes", None)
    return diff


def _open_request(*, actor: User, user: User, access: dict, before: dict, reason: str):
    request = GrantRequest.objects.create(
        user=user,
        bureau=user.unit.bureau,
        roles=sorted(access["roles"]),
        clearance=access["clearance"],
        compartments=sorted(access["compartments"]),
        previous=before,
        reason=reason.strip()[:200],
        requested_by=actor,
    )
    record_event(
        actor=actor,
        action="account.grant_request",
        obj=user,
        details={
            "request": request.pk,
            "roles": {"from": before["roles"], "to": request.roles},
            "clearance": {"from": before["clearance"], "to": request.clearance},
            "compartments": {"from": before["compartments"], "to": request.compartments},
        },
    )
    return request


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    real_name: str,
    unit,
    password: str | None = None,
    roles: set[str] = frozenset(),
    title: str = "",
    phone: str = "",
    email: str = "",
    clearance: int = BASELINE_CLEARANCE,
    compartments=(),
    is_demo: bool = False,
    reason: str = "",
) -> User:
    """Create an account.

    ``actor`` None is the installer (``create_admin``, demo data): the account gets exactly what
    is asked, with ``password``. A system administrator creates an account of their own bureau
    with no usable password (issue a temporary one with :func:`user_issue_temporary_password`)
    and with case roles only and at most the baseline clearance: administrator roles, a higher
    clearance and compartments become an access request for the security administrator.
    """
    roles = set(roles)
    _validate_roles(roles)
    if actor is not None:
        require(actor, Action.USER_MANAGE)
        _require_unit_in_bureau(actor, unit)
        if password is not None:
            raise ValueError("an administrator never chooses another person's password")
    elif password is None:
        raise ValueError("the installer gives the password")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This police number is already registered.")})
    wanted = {
        "roles": sorted(roles),
        "clearance": int(clearance),
        "compartments": sorted(c.code for c in compartments),
    }
    granted = wanted
    if actor is not None:
        granted = {
            "roles": sorted(roles - APPROVAL_ROLES),
            "clearance": min(int(clearance), BASELINE_CLEARANCE),
            "compartments": [],
        }
    user = User(
        username=username,
        real_name=real_name,
        unit=unit,
        title=title,
        phone=phone,
        email=email,
        clearance=granted["clearance"],
        is_demo=is_demo,
    )
    user.full_clean(exclude=["password"])
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
    user.save()
    user.compartments.set(Compartment.objects.filter(code__in=granted["compartments"]))
    for role in granted["roles"]:
        UserRole.objects.create(user=user, role=role, granted_by=actor)
    record_event(
        actor=actor,
        action="account.create",
        obj=user,
        actor_name="installer" if actor is None else "",
        details={"roles": granted["roles"], "unit": unit.code, "clearance": granted["clearance"]},
    )
    if granted != wanted:
        _open_request(actor=actor, user=user, access=wanted, before=granted, reason=reason)
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **fields) -> User:
    """Change an account's profile (name, unit, post, contacts) — not its access."""
    require(actor, Action.USER_MANAGE)
    _require_in_bureau(actor, user)
    # From the database: a form may have set other fields (clearance) on the caller's instance.
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _snapshot(user)
    for name, value in fields.items():
        if name not in PROFILE_FIELDS and name != "unit":
            raise ValueError(name)
        setattr(user, name, value)
    _require_unit_in_bureau(actor, user.unit)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["real_name", "unit", "title", "phone", "email"])
    diff = changes(before, _snapshot(user), sensitive=frozenset({"phone", "email"}))
    if diff:
        record_event(actor=actor, action="account.update", obj=user, details=diff)
    return user


@transaction.atomic
def user_change_access(
    *,
    actor: User,
    user: User,
    roles: set[str] | None = None,
    clearance: int | None = None,
    compartments=None,
    reason: str = "",
) -> GrantRequest | None:
    """Change an account's roles, clearance or compartments (None keeps that part).

    Nobody changes their own access. Granting or revoking an administrator role, changing an
    administrator's account, raising a clearance or granting a compartment opens an access
    request that the security administrator decides (returned; nothing changes before the
    approval). Anything else (case roles, lowering a clearance, removing a compartment) takes
    effect at once. Returns None when the change took effect (or there was none).
    """
    require(actor, Action.ROLE_GRANT)
    _require_in_bureau(actor, user)
    for cached in ("role_set", "compartment_codes"):
        user.__dict__.pop(cached, None)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _access(user)
    after = {
        "roles": sorted(set(before["roles"] if roles is None else roles)),
        "clearance": before["clearance"] if clearance is None else int(clearance),
        "compartments": sorted(
            before["compartments"] if compartments is None else {c.code for c in compartments}
        ),
    }
    if after == before:
        return None  # saving one's own page unchanged is no change of access
    if actor.pk == user.pk:
        raise PermissionDenied(_("You cannot change your own roles, clearance or compartments."))
    _validate_roles(set(after["roles"]))
    if GrantRequest.objects.filter(
        user=user, kind=GrantKind.ACCESS, status=GrantStatus.PENDING
    ).exists():
        raise ValidationError(
            _(
                "A change of this account's access is awaiting the security administrator's "
                "decision: withdraw it or wait for the decision first."
            )
        )
    if _needs_approval(before, after):
        return _open_request(actor=actor, user=user, access=after, before=before, reason=reason)
    diff = _apply_access(actor=actor, user=user, access=after)
    record_event(actor=actor, action="account.roles", obj=user, details=diff)
    return None


def user_set_roles(*, actor: User, user: User, roles: set[str]) -> GrantRequest | None:
    """Grant and revoke roles (see :func:`user_change_access`)."""
    return user_change_access(actor=actor, user=user, roles=roles)


def _pending_for_decision(actor: User, request: GrantRequest) -> GrantRequest:
    require(actor, Action.GRANT_APPROVE)
    request = GrantRequest.objects.select_for_update().select_related("user").get(pk=request.pk)
    if not can_decide_grant(actor, request):
        raise PermissionDenied(
            _("A second person decides: you cannot decide a request you made or one about you.")
        )
    if not request.is_pending:
        raise ValidationError(_("This request has already been decided or withdrawn."))
    return request


@transaction.atomic
def grant_request_approve(*, actor: User, request: GrantRequest, note: str = "") -> GrantRequest:
    """The security administrator approves: the account gets exactly the requested access."""
    request = _pending_for_decision(actor, request)
    if request.kind != GrantKind.ACCESS:
        raise ValidationError(_("This request is a credential reset: approve it as such."))
    user = User.objects.select_for_update().get(pk=request.user_id)
    access = {
        "roles": request.roles,
        "clearance": request.clearance,
        "compartments": request.compartments,
    }
    _validate_roles(set(access["roles"]))
    diff = _apply_access(actor=actor, user=user, access=access)
    request.status = GrantStatus.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()[:200]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record_event(
        actor=actor,
        action="account.grant_approve",
        obj=user,
        details={"request": request.pk, "requested_by": request.requested_by_id, **diff},
    )
    return request


@transaction.atomic
def grant_request_reject(*, actor: User, request: GrantRequest, note: str) -> GrantRequest:
    """The security administrator rejects, saying why; the account keeps its access."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the request is rejected.")})
    request = _pending_for_decision(actor, request)
    request.status = GrantStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()[:200]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record_event(
        actor=actor,
        action="account.grant_reject",
        obj=request.user,
        details={"request": request.pk, "note": request.decision_note},
    )
    return request


@transaction.atomic
def grant_request_withdraw(*, actor: User, request: GrantRequest) -> GrantRequest:
    """The system administrator of the bureau withdraws a pending request."""
    require(actor, Action.ROLE_GRANT)
    request = GrantRequest.objects.select_for_update().select_related("user").get(pk=request.pk)
    if not GrantRequest.objects.filter(pk=request.pk).restrict(actor, Action.ROLE_GRANT).exists():
        raise PermissionDenied
    if not request.is_pending:
        raise ValidationError(_("This request has already been decided or withdrawn."))
    request.status = GrantStatus.WITHDRAWN
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        actor=actor,
        action="account.grant_withdraw",
        obj=request.user,
        details={"request": request.pk},
    )
    return request


def _check_credential_reset(actor: User, user: User) -> None:
    """An administrator resets another person's password or second factor: in their bureau,
    never an administrator's (who could then act as that administrator)."""
    require(actor, Action.USER_MANAGE)
    _require_in_bureau(actor, user)
    if user.is_admin:
        raise PermissionDenied(
            _(
                "An administrator's password or second factor is reset on the server "
                "(manage.py reset_credentials), not by another administrator."
            )
        )


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, reason: str = "") -> None:
    require(actor, Action.USER_MANAGE)
    _require_in_bureau(actor, user)
    if actor.pk == user.pk:
        raise PermissionDenied(_("You cannot disable your own account."))
    if not active and not reason.strip():
        raise ValidationError({"reason": _("Give a reason for disabling the account.")})
    user.is_active = active
    user.disabled_reason = "" if active else reason.strip()
    user.save(update_fields=["is_active", "disabled_reason"])
    details = {"reason": reason.strip()} if reason else {}
    if not active:
        # re-enabling an account must not bring its old API tokens back to life
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            details["tokens_revoked"] = revoked
    record_event(
        actor=actor,
        action="account.enable" if active else "account.disable",
        obj=user,
        details=details,
    )


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> None:
    """A user sets their own password (which ends a temporary one). An administrator never
    chooses another person's password: see :func:`user_issue_temporary_password`."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("Only the officer chooses their own password."))
    validate_password(password, user)
    if user.must_change_password and user.check_password(password):
        raise ValidationError(_("Choose a new password, not the temporary one."))
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record_event(actor=actor, action="account.password", obj=user, details={"by": "self"})


def _temporary_password() -> str:
    raw = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _i in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@transaction.atomic
def user_issue_temporary_password(*, actor: User | None, user: User) -> str:
    """A one-time password for the first login (or after a forgotten one), returned once and
    never stored in clear: the officer must replace it at the next login, within
    ``TEMPORARY_PASSWORD_VALID``. ``actor`` None is the operator on the server."""
    if actor is not None:
        if actor.pk == user.pk:
            raise PermissionDenied(_("Change your own password on your profile page."))
        _check_credential_reset(actor, user)
        if user.last_login is not None:
            # an account in use is reset only on approval (credential_reset_request): the
            # requester never sees the password that would let them log in as the officer
            raise PermissionDenied(
                _("Ask for a credential reset: the security administrator approves it.")
            )
    password = _temporary_password()
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record_event(
        actor=actor,
        action="account.password",
        obj=user,
        actor_name="manage.py" if actor is None else "",
        details={"by": "administrator" if actor is not None else "operator", "temporary": True},
    )
    return password


# --- credential reset: asked by the system administrator, approved by the security one ----


@transaction.atomic
def credential_reset_request(*, actor: User, user: User, reason: str) -> GrantRequest:
    """The system administrator asks for a new temporary password and second factor for an
    officer of their bureau (forgotten password, lost phone). Nothing changes until a security
    administrator of the bureau approves; the requester never sees the password."""
    if actor.pk == user.pk:
        raise PermissionDenied(_("Change your own password on your profile page."))
    _check_credential_reset(actor, user)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the credentials are reset.")})
    if GrantRequest.objects.filter(
        user=user, kind=GrantKind.CREDENTIAL_RESET, status=GrantStatus.PENDING
    ).exists():
        raise ValidationError(
            _("A credential reset of this account is already awaiting a decision.")
        )
    current = _access(user)
    request = GrantRequest.objects.create(
        kind=GrantKind.CREDENTIAL_RESET,
        user=user,
        bureau=user.unit.bureau,
        roles=current["roles"],
        clearance=current["clearance"],
        compartments=current["compartments"],
        previous=current,
        reason=reason.strip()[:200],
        requested_by=actor,
    )
    record_event(
        actor=actor,
        action="account.credential_reset_request",
        obj=user,
        details={"request": request.pk, "reason": request.reason},
    )
    return request


@transaction.atomic
def credential_reset_approve(*, actor: User, request: GrantRequest, note: str = "") -> str:
    """A security administrator of the bureau (neither the requester nor the officer) approves:
    the officer gets a temporary password — returned here, to be shown to the approver alone —
    valid for ``CREDENTIAL_RESET_VALID`` and for one login, after which they choose their own
    password and enrol a new second factor. Their second factor and API tokens are removed.
    The officer and the requester are told (``credential_reset_done``), never the password."""
    request = _pending_for_decision(actor, request)
    if request.kind != GrantKind.CREDENTIAL_RESET:
        raise ValidationError(_("This request is not a credential reset."))
    user = User.objects.select_for_update().get(pk=request.user_id)
    if user.is_admin:
        raise PermissionDenied(
            _(
                "An administrator's password or second factor is reset on the server "
                "(manage.py reset_credentials), not by another administrator."
            )
        )
    now = timezone.now()
    password = _temporary_password()
    user.set_password(password)
    user.password_changed_at = now
    user.must_change_password = True
    user.temporary_password_until = now + CREDENTIAL_RESET_VALID
    user.save(
        update_fields=[
            "password",
            "password_changed_at",
            "must_change_password",
            "temporary_password_until",
        ]
    )
    devices = TOTPDevice.objects.filter(user=user).delete()[0]
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    request.status = GrantStatus.APPROVED
    request.decided_by = actor
    request.decided_at = now
    request.decision_note = (note or "").strip()[:200]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record_event(
        actor=actor,
        action="account.credential_reset",
        obj=user,
        details={
            "request": request.pk,
            "requested_by": request.requested_by_id,
            "valid_until": user.temporary_password_until.isoformat(),
            "second_factor_removed": bool(devices),
            "tokens_revoked": tokens,
        },
    )
    transaction.on_commit(lambda: credential_reset_done.send(sender=GrantRequest, request=request))
    return password


def temporary_password_used(user: User) -> None:
    """The first login with a reset's temporary password: it is not accepted a second time
    (the officer now chooses their own password in this session)."""
    if user.temporary_password_until is not None and user.must_change_password:
        User.objects.filter(pk=user.pk).update(temporary_password_until=timezone.now())


def temporary_password_expired(user: User) -> bool:
    if user.must_change_password and user.temporary_password_until is not None:
        return timezone.now() > user.temporary_password_until
    return bool(
        user.must_change_password
        and user.password_changed_at is not None
        and timezone.now() - user.password_changed_at > TEMPORARY_PASSWORD_VALID
    )


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def mfa_begin_enrolment(*, user: User) -> TOTPDevice:
    """A fresh unconfirmed TOTP device (replacing any earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def mfa_confirm_enrolment(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token((token or "").strip()):
        record_event(
            actor=None, actor_name=user.real_name, action="mfa.enrol", obj=user, outcome="failure"
        )
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if user.temporary_password_until is not None:  # a credential reset is complete
        User.objects.filter(pk=user.pk).update(temporary_password_until=None)
        user.temporary_password_until = None
    record_event(actor=None, actor_name=user.real_name, action="mfa.enrol", obj=user)
    return True


def must_enrol(user: User) -> bool:
    """Must the user enrol a second factor before any session: where their roles require one,
    and after a credential reset until they have enrolled a new one."""
    return mfa_required(user) or user.temporary_password_until is not None


@transaction.atomic
def mfa_reset(*, actor: User | None, user: User) -> None:
    """Remove a user's second factor so they enrol again (lost phone). Only the user enrols a
    new one, at their next login. ``actor`` None is the operator on the server; a user removes
    their own (profile page, step-up). Another person's is reset only through an approved
    credential reset (:func:`credential_reset_request`)."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(
            _("Ask for a credential reset: the security administrator approves it.")
        )
    TOTPDevice.objects.filter(user=user).delete()
    record_event(
        actor=actor, action="mfa.reset", obj=user, actor_name="manage.py" if actor is None else ""
    )


@transaction.atomic
def role_policy_set(*, actor: User, role: str, mfa_required: bool) -> RolePolicy:
    require(actor, Action.POLICY_MANAGE)
    bureau = actor.unit.bureau
    if bureau is None or role not in Role.values:
        raise ValidationError(_("Unknown role."))
    policy, _created = RolePolicy.objects.get_or_create(
        bureau=bureau, role=role, defaults={"mfa_required": RolePolicy.default_for(role)}
    )
    if policy.mfa_required != mfa_required:
        record_event(
            actor=actor,
            action="policy.mfa",
            object_type="accounts.rolepolicy",
            object_id=role,
            object_repr=str(Role(role).label),
            details={"mfa_required": {"from": policy.mfa_required, "to": mfa_required}},
        )
        policy.mfa_required = mfa_required
        policy.save(update_fields=["mfa_required", "updated_at"])
    return policy


@transaction.atomic
def compartment_create(*, actor: User, code: str, name: str, description: str = "") -> Compartment:
    require(actor, Action.POLICY_MANAGE)
    compartment = Compartment(code=code, name=name, description=description)
    compartment.full_clean()
    compartment.save()
    record_event(actor=actor, action="compartment.create", obj=compartment)
    return compartment


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str, days: int = 90) -> tuple[ApiToken, str]:
    """Create a token for the actor; returns it with the key, which is never stored."""
    if not 1 <= days <= 365:
        raise ValidationError({"days": _("A token lives between 1 and 365 days.")})
    key = "cb_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip()[:64] or _("API token"),
        prefix=key[3:11],
        digest=_digest(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    record_event(actor=actor, action="api_token.create", obj=token, details={"days": days})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        require(actor, Action.USER_MANAGE)
        _require_in_bureau(actor, token.user)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(actor=actor, action="api_token.revoke", obj=token)


def api_token_lookup(key: str) -> ApiToken | None:
    """The live token for a key, or None.

    A token is no stronger than its owner's login: it stops working when the owner is disabled,
    and while the owner's roles require two factors and the owner has no confirmed second factor.
    """
    token = (
        ApiToken.objects.select_related("user", "user__unit").filter(digest=_digest(key)).first()
    )
    if token is None or not token.is_valid or not token.user.is_active:
        return None
    if mfa_required(token.user) and confirmed_device(token.user) is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def demo_accounts_disable(*, actor: User | None, users) -> int:
    """Disable accounts that carry demo credentials (``account_check --disable-demo``).

    ``actor`` None is the installer at the server's console: it is the way out when a production
    process refuses to start because of them (casebook.accounts.demo). Their API tokens die too."""
    if actor is not None:
        require(actor, Action.USER_MANAGE)
    reason = _("Demo credentials: never used in production.")
    disabled = 0
    for user in User.objects.filter(pk__in=[u.pk for u in users], is_active=True).order_by("pk"):
        if actor is not None:
            _require_in_bureau(actor, user)
        user.is_active = False
        user.disabled_reason = reason
        user.save(update_fields=["is_active", "disabled_reason"])
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        details = {"reason": "demo credentials", "is_demo": user.is_demo}
        if revoked:
            details["tokens_revoked"] = revoked
        record_event(
            actor=actor,
            actor_name="installer" if actor is None else "",
            action="account.disable",
            obj=user,
            details=details,
        )
        disabled += 1
    return disabled


# --- The organisation: bureau -> station -> community area ---

UNIT_FIELDS = ("kind", "name", "code", "parent_id", "address", "phone", "time_zone", "is_active")


def _validate_unit(unit: Unit) -> None:
    wanted = ALLOWED_PARENT.get(unit.kind)
    parent_kind = unit.parent.kind if unit.parent_id else None
    if parent_kind != wanted:
        if wanted is None:
            raise ValidationError({"parent": _("A bureau has no parent unit.")})
        raise ValidationError(
            {
                "parent": _("This kind of unit must sit under: %(kind)s.")
                % {"kind": UnitKind(wanted).label}
            }
        )
    unit.full_clean()


@transaction.atomic
def unit_create(
    *,
    actor,
    kind: str,
    name: str,
    code: str,
    parent: Unit | None = None,
    address: str = "",
    phone: str = "",
    time_zone: str = "",
) -> Unit:
    if actor is not None:
        require(actor, Action.UNIT_MANAGE)
        # An administrator works inside their own bureau; a new bureau is the installer's.
        if not administers_unit(actor, Action.UNIT_MANAGE, parent):
            raise ValidationError({"parent": _("Choose a parent unit of your own bureau.")})
    unit = Unit(
        kind=kind,
        name=name,
        code=code,
        parent=parent,
        address=address,
        phone=phone,
        time_zone=time_zone,
    )
    _validate_unit(unit)
    unit.save()
    if kind == UnitKind.BUREAU:
        set_up_bureau(unit)  # its own configuration (core.bureaus)
    record_event(
        actor=actor,
        action="unit.create",
        obj=unit,
        actor_name="installer" if actor is None else "",
        details={"kind": kind, "code": code},
    )
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    require(actor, Action.UNIT_MANAGE)
    if not administers_unit(actor, Action.UNIT_MANAGE, unit):
        raise PermissionDenied(_("This unit is not in your bureau."))
    before = {f: getattr(unit, f) for f in UNIT_FIELDS}
    for name, value in fields.items():
        if name not in UNIT_FIELDS and name != "parent":
            raise ValueError(name)
        setattr(unit, name, value)
    # The unit stays inside the bureau: no new bureau, no move to another one.
    if unit.parent_id is None:
        inside = unit.pk == getattr(actor.unit.bureau, "pk", None)
    else:
        inside = unit.parent_id != unit.pk and administers_unit(
            actor, Action.UNIT_MANAGE, unit.parent
        )
    if not inside:
        raise ValidationError({"parent": _("Choose a parent unit of your own bureau.")})
    _validate_unit(unit)
    if not unit.is_active and unit.members.filter(is_active=True).exists():
        raise ValidationError({"is_active": _("Move or disable this unit's active users first.")})
    unit.save()
    diff = changes(before, {f: getattr(unit, f) for f in UNIT_FIELDS})
    if diff:
        record_event(actor=actor, action="unit.update", obj=unit, details=diff)
    return unit


def bureau_setup(bureau: Unit) -> None:
    """A new bureau's role policies: the unowned ones of a fresh installation, else none (every
    role keeps its default until the bureau's security administrator decides)."""
    RolePolicy.objects.filter(bureau__isnull=True).update(bureau=bureau)
