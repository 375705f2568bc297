"""The red banner of open urgent reports, on every page of those they have reached."""


def urgent_banner(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.works_cases:
        return {}
    if request.path.startswith("/reports/urgent/"):
        return {}
    from .selectors import urgent_alerts

    return {"urgent_banner": list(urgent_alerts(user)[:3])}
