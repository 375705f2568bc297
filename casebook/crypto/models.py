"""Data keys of the envelope encryption (ARCHITECTURE.md invariant 4; SECURITY.md D2, D6)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ProfileName


class DataKey(models.Model):
    """A data key, stored only wrapped (AEAD-encrypted) under a master key from the keyring.

    One key per subject (``label`` "subject:123") or per system purpose (``system_purpose``
    "audit", "blind-index", "integrity"; label "system:<purpose>"). Destroying a key empties
    ``wrapped``: whatever it encrypted becomes unrecoverable (crypto-shredding).
    """

    label = models.CharField(
        _("label"),
        max_length=100,
        db_index=True,
        help_text=_("What the key protects, e.g. subject:123. Bound into the wrapping."),
    )
    system_purpose = models.CharField(
        _("system purpose"),
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        default=None,
        help_text=_("Set only for the one key of a system purpose (audit, blind-index…)."),
    )
    profile = models.CharField(_("profile"), max_length=8, choices=ProfileName.choices)
    wrapped = models.BinaryField(_("wrapped key"), editable=False)
    master_kid = models.CharField(_("master key id"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    rotated_at = models.DateTimeField(_("last rewrapped at"), null=True, blank=True)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)
    destroyed_reason = models.CharField(_("reason for destruction"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        ordering = ["pk"]
        default_permissions = ()

    def __str__(self) -> str:
        state = _("destroyed") if self.destroyed_at else self.master_kid
        return f"{self.label} ({self.profile}, {state})"

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None


class IntegrityTag(models.Model):
    """The keyed MAC (HMAC under the system key "integrity") of one important row's key fields
    (SECURITY.md D3). Which models and fields are covered is registered from above
    (``casebook.retention.integrity``); a row whose fields no longer match its tag was changed
    behind the application's back."""

    model = models.CharField(_("model"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    tag = models.CharField(_("tag"), max_length=128)
    sealed_at = models.DateTimeField(_("sealed at"), default=timezone.now)

    class Meta:
        verbose_name = _("integrity tag")
        verbose_name_plural = _("integrity tags")
        ordering = ["model", "object_id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="crypto_integrity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.model}#{self.object_id}"
