"""What the reports module adds to the pages of lower modules: the "Archive" tab of a subject's
dossier (the tracking record with its export) and the latest urgent reports on the station
dashboard (registered from ``ReportsConfig.ready()``); and the sender of an urgent report raised
from a monitoring alert (monitoring sits below reports and calls it through its registry)."""

from django.utils.translation import gettext_lazy as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.analysis.dashboard import register_figure
from casebook.monitoring.alert_services import register_urgent_sender
from casebook.subjects.dossier import register_tab

from . import archive
from .forms import ExportForm
from .selectors import visible_urgent
from .services import urgent_report_create


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


def recent_urgent(user, station: str):
    """The latest urgent reports of the stations on the dashboard, open ones first."""
    qs = visible_urgent(user).select_related("author", "station", "acknowledged_by")
    if station:
        qs = qs.filter(station_id=station)
    return qs.order_by("-status", "-created_at")[:6]


def register() -> None:
    register_tab(
        "archive",
        _("Archive"),
        50,
        "reports/tab_archive.html",
        archive_tab,
        counted={"archive_items": "items"},
    )
    register_figure("recent_urgent", recent_urgent)
    register_urgent_sender(urgent_report_create)  # a monitoring alert raised as an urgent report
