"""Every write to accounts, roles, policies, second factors and API tokens, audited."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.access.policy import Action, require
from casebook.audit.services import changes, record_event

from .models import ApiToken, Compartment, RolePolicy, User, UserRole
from .roles import INCOMPATIBLE, Role

PROFILE_FIELDS = ("real_name", "unit_id", "title", "phone", "email", "clearance")


def _snapshot(user: User) -> dict:
    return {f: getattr(user, f) for f in PROFILE_FIELDS}


def _validate_roles(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    for pair in INCOMPATIBLE:
        if pair <= roles:
            labels = "、".join(str(Role(r).label) for r in sorted(pair))
            raise ValidationError(
                _("These roles separate duties and cannot be held together: %(roles)s")
                % {"roles": labels}
            )


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    real_name: str,
    unit,
    password: str,
    roles: set[str] = frozenset(),
    title: str = "",
    phone: str = "",
    email: str = "",
    clearance: int = 1,
    compartments=(),
    is_demo: bool = False,
) -> User:
    """Create an account. ``actor`` None is the installer (``create_admin``, demo data)."""
    if actor is not None:
        require(actor, Action.USER_MANAGE)
    roles = set(roles)
    _validate_roles(roles)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This police number is already registered.")})
    user = User(
        username=username,
        real_name=real_name,
        unit=unit,
        title=title,
        phone=phone,
        email=email,
        clearance=clearance,
        is_demo=is_demo,
    )
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    user.compartments.set(compartments)
    for role in sorted(roles):
        UserRole.objects.create(user=user, role=role, granted_by=actor)
    record_event(
        actor=actor,
        action="account.create",
        obj=user,
        actor_name="installer" if actor is None else "",
        details={"roles": sorted(roles), "unit": unit.code, "clearance": clearance},
    )
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **fields) -> User:
    require(actor, Action.USER_MANAGE)
    before = _snapshot(user)
    compartments = fields.pop("compartments", None)
    for name, value in fields.items():
        if name not in PROFILE_FIELDS and name != "unit":
            raise ValueError(name)
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    diff = changes(before, _snapshot(user))
    if compartments is not None:
        old = sorted(user.compartments.values_list("code", flat=True))
        user.compartments.set(compartments)
        new = sorted(c.code for c in compartments)
        if old != new:
            diff["compartments"] = {"from": old, "to": new}
    if diff:
        record_event(actor=actor, action="account.update", obj=user, details=diff)
    return user


@transaction.atomic
def user_set_roles(*, actor: User, user: User, roles: set[str]) -> None:
    """Grant and revoke roles. Nobody changes their own roles (no self-granted audit role)."""
    require(actor, Action.ROLE_GRANT)
    if actor.pk == user.pk:
        raise PermissionDenied(_("You cannot change your own roles."))
    roles = set(roles)
    _validate_roles(roles)
    old = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    for role in sorted(roles - old):
        UserRole.objects.create(user=user, role=role, granted_by=actor)
    if old != roles:
        record_event(
            actor=actor,
            action="account.roles",
            obj=user,
            details={"granted": sorted(roles - old), "revoked": sorted(old - roles)},
        )
    user.__dict__.pop("role_set", None)


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, reason: str = "") -> None:
    require(actor, Action.USER_MANAGE)
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
    """An administrator resets a password, or a user changes their own."""
    if actor.pk != user.pk:
        require(actor, Action.USER_MANAGE)
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    record_event(
        actor=actor,
        action="account.password",
        obj=user,
        details={"by": "self" if actor.pk == user.pk else "administrator"},
    )


def mfa_required(user: User) -> bool:
    """Does any of the user's roles require two factors (the security administrator's policy)?"""
    policies = dict(RolePolicy.objects.values_list("role", "mfa_required"))
    return any(policies.get(role, RolePolicy.default_for(role)) for role in user.role_set)


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
    record_event(actor=None, actor_name=user.real_name, action="mfa.enrol", obj=user)
    return True


@transaction.atomic
def mfa_reset(*, actor: User, user: User) -> None:
    """Remove a user's second factor so they enrol again (lost phone)."""
    if actor.pk != user.pk:
        require(actor, Action.USER_MANAGE)
    TOTPDevice.objects.filter(user=user).delete()
    record_event(actor=actor, action="mfa.reset", obj=user)


@transaction.atomic
def role_policy_set(*, actor: User, role: str, mfa_required: bool) -> RolePolicy:
    require(actor, Action.POLICY_MANAGE)
    policy, _created = RolePolicy.objects.get_or_create(
        role=role, defaults={"mfa_required": RolePolicy.default_for(role)}
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
