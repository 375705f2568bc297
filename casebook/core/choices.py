"""Named choices shared by every domain app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("Bureau")
    STATION = "station", _("Police station")
    AREA = "area", _("Community area")


class Classification(models.IntegerChoices):
    """Protective marking of an object and clearance of a user (higher sees lower)."""

    PUBLIC = 0, _("Unclassified")
    INTERNAL = 1, _("Internal")
    CONFIDENTIAL = 2, _("Confidential")  # 秘密
    SECRET = 3, _("Secret")  # 机密


class ExportFormat(models.TextChoices):
    """Document formats of exports (the reports module builds them; others offer them)."""

    PDF = "pdf", _("PDF")
    DOCX = "docx", _("Word")
    XLSX = "xlsx", _("Excel")
