"""Named choices of the crypto app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProfileName(models.TextChoices):
    """The algorithm suites (see :mod:`casebook.crypto.profiles`)."""

    INTL = "intl", _("International (AES-256-GCM, SHA-256)")
    SM = "sm", _("National commercial cryptography (SM4-GCM, SM3)")
