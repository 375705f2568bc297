"""Accounts: officers and administrators, their roles, clearance and compartments."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from casebook.access.querysets import RestrictedManager, RestrictedQuerySet
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit
from casebook.core.validators import validate_plain_name

from .choices import GrantKind, GrantStatus
from .roles import ADMIN_ROLES, CASE_ROLES, MFA_BY_DEFAULT, Role

police_number_validator = RegexValidator(
    r"^[0-9A-Za-z]{4,12}$",
    _("A police number has 4 to 12 letters or digits."),
)


class UserManager(BaseUserManager.from_queryset(RestrictedQuerySet)):
    use_in_migrations = True

    def create_user(self, username, password=None, **extra):
        if not username:
            raise ValueError("username is required")
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def holding(self, role: str, unit):
        """The active members of ``unit`` who hold ``role`` (e.g. a station's leaders)."""
        return self.filter(is_active=True, unit=unit, roles__role=role).distinct()

    def create_superuser(self, username, password=None, **extra):
        raise NotImplementedError(
            "Casebook has no superuser: create a system administrator with "
            "`manage.py create_admin` (see docs/operations.md)."
        )


class Compartment(models.Model):
    """A need-to-know label (e.g. informant identities); a user must hold it to see what carries it."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("compartment")
        verbose_name_plural = _("compartments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractBaseUser):
    """An account. The police number (警号) is the login; there is no superuser."""

    username = models.CharField(
        _("police number"),
        max_length=12,
        unique=True,
        validators=[police_number_validator],
    )
    real_name = models.CharField(_("real name"), max_length=50, validators=[validate_plain_name])
    unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    title = models.CharField(_("post"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    clearance = models.IntegerField(
        _("clearance"),
        choices=Classification.choices,
        default=Classification.INTERNAL,
    )
    compartments = models.ManyToManyField(
        Compartment,
        verbose_name=_("compartments"),
        blank=True,
        related_name="holders",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo account"), default=False, editable=False)
    date_joined = models.DateTimeField(_("created at"), default=timezone.now)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    #: the end of a temporary password issued on an approved credential reset: short, and
    #: moved to the first login with it (a second login with it is refused); kept until the
    #: officer has enrolled a new second factor, which they must do before any session
    temporary_password_until = models.DateTimeField(
        _("temporary password valid until"), null=True, blank=True
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        editable=False,
        help_text=_("The password is a temporary one: it must be replaced at the next login."),
    )
    disabled_reason = models.CharField(_("reason for disabling"), max_length=200, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["real_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.real_name}（{self.username}）"

    # Django's auth machinery asks these; Casebook grants nothing through them.
    is_staff = False
    is_superuser = False

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False

    def get_full_name(self) -> str:
        return self.real_name

    def get_short_name(self) -> str:
        return self.real_name

    @cached_property
    def role_set(self) -> frozenset[str]:
        """The roles held now (read once per request: revocation applies on the next one).
        Lists of users ``prefetch_related("roles")`` so that showing them costs one query."""
        if "roles" in getattr(self, "_prefetched_objects_cache", {}):
            return frozenset(r.role for r in self.roles.all())
        return frozenset(self.roles.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return bool(self.role_set & ADMIN_ROLES)

    @property
    def works_cases(self) -> bool:
        return bool(self.role_set & CASE_ROLES)

    @cached_property
    def compartment_codes(self) -> frozenset[str]:
        return frozenset(self.compartments.values_list("code", flat=True))

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in sorted(self.role_set)]


class UserRole(models.Model):
    """One role held by one user, with who granted it and when."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user_id", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class GrantRequest(models.Model):
    """A change of an account's roles, clearance or compartments that needs a second person,
    or (``kind`` credential reset) a new temporary password and second factor for it.

    The system administrator asks; the security administrator of the same bureau approves or
    rejects (三员分立). The account changes only on approval, to exactly the requested state;
    a reset's temporary password is shown to the approver alone.
    """

    kind = models.CharField(
        _("kind"), max_length=20, choices=GrantKind.choices, default=GrantKind.ACCESS
    )

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="grant_requests", verbose_name=_("account")
    )
    bureau = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau")
    )
    roles = models.JSONField(_("roles"), default=list)
    clearance = models.IntegerField(_("clearance"), choices=Classification.choices)
    compartments = models.JSONField(_("compartments"), default=list)
    previous = models.JSONField(_("access before the request"), default=dict)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=200, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(status="pending"),
                name="grant_request_one_pending_per_user_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.user_id}"

    @property
    def is_pending(self) -> bool:
        return self.status == GrantStatus.PENDING

    def role_changes(self) -> tuple[list[str], list[str]]:
        """(granted, revoked) role labels compared with the access before the request."""
        before = set(self.previous.get("roles", []))
        after = set(self.roles)
        return (
            [str(Role(r).label) for r in sorted(after - before)],
            [str(Role(r).label) for r in sorted(before - after)],
        )

    def compartment_changes(self) -> tuple[list[str], list[str]]:
        before = set(self.previous.get("compartments", []))
        after = set(self.compartments)
        return sorted(after - before), sorted(before - after)

    @property
    def previous_clearance(self) -> int | None:
        return self.previous.get("clearance")

    def clearance_label(self) -> str:
        return str(Classification(self.clearance).label)

    def previous_clearance_label(self) -> str:
        value = self.previous_clearance
        return "" if value is None else str(Classification(value).label)


class RolePolicy(models.Model):
    """Per-role security policy of one bureau, set by that bureau's security administrator (a
    role without a row keeps its default)."""

    bureau = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    mfa_required = models.BooleanField(_("two-factor authentication required"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("role policy")
        verbose_name_plural = _("role policies")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "role"], name="role_policy_per_bureau")
        ]

    def __str__(self) -> str:
        return str(Role(self.role).label)

    @staticmethod
    def default_for(role: str) -> bool:
        return role in MFA_BY_DEFAULT

    @classmethod
    def of_bureau(cls, bureau) -> dict[str, bool]:
        """Every role's two-factor rule in ``bureau``: its security administrator's choice, else
        the role's default (no bureau: the defaults)."""
        chosen = (
            dict(cls.objects.filter(bureau=bureau).values_list("role", "mfa_required"))
            if bureau is not None
            else {}
        )
        return {role: chosen.get(role, cls.default_for(role)) for role in Role.values}

    @classmethod
    def of_unit(cls, unit_id) -> dict[str, bool]:
        """``of_bureau`` of the bureau above the unit ``unit_id`` (a bureau, station or area), in
        one query: the bureau is found in a subquery rather than by walking ``Unit.parent``, so
        the session policy, which asks on every request (the badge poll too), loads no units."""
        if unit_id is None:
            return cls.of_bureau(None)
        bureau = Unit.objects.filter(
            Q(pk=unit_id) | Q(children__pk=unit_id) | Q(children__children__pk=unit_id),
            kind=UnitKind.BUREAU,
        ).values("pk")[:1]
        chosen = dict(
            cls.objects.filter(bureau_id=Subquery(bureau)).values_list("role", "mfa_required")
        )
        return {role: chosen.get(role, cls.default_for(role)) for role in Role.values}


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored; the key is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=8)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
