"""The red banner of open urgent reports, on every page of those who must acknowledge them."""

from casebook.access import policy


def urgent_banner(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_role(*policy.CASE_WORKERS):
        return {}
    if request.path.startswith("/reports/urgent/"):
        return {}
    from .selectors import urgent_awaiting

    open_reports = list(urgent_awaiting(user)[:3])
    mine = [r for r in open_reports if policy.can_acknowledge_urgent(user, r)]
    return {"urgent_banner": mine}
