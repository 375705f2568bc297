"""The audit log: append-only, hash-chained events (SECURITY.md L1–L3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEvent(models.Model):
    """One event. Rows are only ever inserted; on PostgreSQL and SQLite a trigger refuses
    UPDATE and DELETE. ``hash`` chains each row to the one before (see ``chain.py``)."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("actor"), max_length=80, blank=True)
    actor_unit = models.CharField(_("actor's unit"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    ip = models.CharField(_("source address"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    recipients = models.CharField(_("recipients"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["seq"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class ChainHead(models.Model):
    """The last sequence number and hash. Locked FOR UPDATE on every append so that appends are
    serialised across processes; verification compares the chain's end with it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        ordering = ["id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"head #{self.seq}"
