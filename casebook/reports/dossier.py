"""What the reports module adds to a subject's dossier: the "Archive" tab, the tracking record
with its export (registered from ``ReportsConfig.ready()``)."""

from django.utils.translation import gettext_lazy as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.subjects.dossier import register_tab

from . import archive
from .forms import ExportForm


def archive_tab(request, subject) -> dict:
    user = request.user
    filters = archive.Filters.from_query(request.GET)
    items, withheld = archive.collect(user, subject, filters)
    return {
        "archive_items": items,
        "archive_withheld": withheld,
        "archive_filters": filters,
        "archive_kinds": archive.KINDS,
        "may_export": policy.can(user, Action.SUBJECT_EXPORT, subject),
        "export_form": ExportForm(),
    }


def register() -> None:
    register_tab(
        "archive",
        _("Archive"),
        50,
        "reports/tab_archive.html",
        archive_tab,
        counted={"archive_items": "items"},
    )
