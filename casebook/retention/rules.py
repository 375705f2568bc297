"""The warning rule "review overdue", registered with ``analysis.rules.register_rule``."""

from django.utils.translation import gettext as _

from casebook.analysis.rules import _raise
from casebook.subjects.choices import Status
from casebook.subjects.models import Subject


def review_overdue(rule, today, existing, out) -> None:
    overdue = Subject.objects.filter(
        status__in=[Status.ACTIVE, Status.SUSPENDED, Status.RESTRICTED], review_due__lt=today
    ).values_list("pk", "station_id", "review_due")
    for pk, station_id, due in overdue.iterator():
        _raise(
            rule,
            pk,
            station_id,
            f"review_overdue:{pk}:{due.isoformat()}",  # once per review date
            _("The review of the basis was due on %(date)s.") % {"date": due.isoformat()},
            {"review_due": due.isoformat()},
            existing,
            out,
        )
