"""Named choices of the accounts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GrantStatus(models.TextChoices):
    """Where a request to change an account's access stands."""

    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class GrantKind(models.TextChoices):
    """What a request asks the security administrator to approve."""

    ACCESS = "access", _("Change of access")
    CREDENTIAL_RESET = "credential_reset", _("Reset of password and second factor")
