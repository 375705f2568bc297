"""The register of partner departments (regulation 一(三)4 协作配合, 二(三)2, 四(五)): the other
departments of a bureau's area — traffic police, fire service, street offices, hospitals,
emergency management — with their contacts. Tasks and incidents are shared with them
(``tracking.TaskShare``, ``intel.PartnerLink``); feedback reports name them.

A contact's phone number is personal data: encrypted under the department's own data key.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.querysets import RestrictedManager
from casebook.crypto.fields import EncryptedTextField

from .choices import PartnerKind


class PartnerUnit(models.Model):
    """A department a bureau's stations cooperate with."""

    bureau = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="partners", verbose_name=_("bureau")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", verbose_name=_("data key")
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("partner department")
        verbose_name_plural = _("partner departments")
        ordering = ["bureau_id", "kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "name"], name="partner_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_data_key(self):
        return self.data_key


class PartnerContact(models.Model):
    """A person to reach at a partner department."""

    partner = models.ForeignKey(
        PartnerUnit,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("partner department"),
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("post"), max_length=60, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("partner contact")
        verbose_name_plural = _("partner contacts")
        ordering = ["partner_id", "-is_active", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.partner}）"

    def get_data_key(self):
        return self.partner.data_key
