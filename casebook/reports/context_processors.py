"""What every page needs of the reports module: the red banner of open urgent reports that
have reached the user, and whether the user may send one (the red button).

The banner is looked up only when a template shows it: fragments (the notification badge polled
every 30 seconds, htmx partials) render with the context processors too, and must not pay for a
banner they do not show."""

from django.utils.functional import SimpleLazyObject

from casebook.access import policy
from casebook.access.policy import Action

from .selectors import urgent_alerts


def urgent_banner(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.works_cases:
        return {}
    context = {"may_send_urgent": policy.can(user, Action.URGENT_SEND)}
    if not request.path.startswith("/reports/urgent/"):
        context["urgent_banner"] = SimpleLazyObject(lambda: list(urgent_alerts(user)[:3]))
    return context
