"""The numbers of the dashboards. Every count is computed from the same scoped querysets as the
list it links to, so a number always equals the length of its list."""

from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from casebook.monitoring import alert_selectors as monitoring
from casebook.subjects.choices import Kind, RiskLevel, Status
from casebook.subjects.selectors import ListFilters, subject_list
from casebook.tracking import selectors as task_selectors

from .models import RiskAssessment, WarningStatus
from .selectors import visible_warnings

#: name -> fetch(user, station_id or "") for figures of modules above analysis (reports: the
#: latest urgent reports); registered from their AppConfig.ready(), shown as template variables.
_FIGURES: dict = {}


def register_figure(name: str, fetch) -> None:
    if _FIGURES.get(name, fetch) is not fetch:
        raise ValueError(f"dashboard figure {name!r} is registered twice")
    _FIGURES[name] = fetch


def subjects_url(**params) -> str:
    return f"{reverse('subjects:list')}?{urlencode({k: v for k, v in params.items() if v != ''})}"


def station_numbers(user, station_id: int | str = "") -> dict:
    station = str(station_id or "")

    # the figures of the kind, risk and overdue tiles in one aggregate over the scoped subjects
    # (each is the count of the list it links to: the same filters, as conditions of the count)
    scoped = subject_list(user, ListFilters(station=station))[0].order_by()
    active = Q(status=Status.ACTIVE)
    wanted = {
        f"kind_{value}": Count("pk", filter=active & Q(kind=value)) for value, _ in Kind.choices
    }
    wanted |= {
        f"risk_{value}": Count("pk", filter=active & Q(risk_level=value))
        for value, _ in RiskLevel.choices
    }
    wanted["overdue"] = Count(
        "pk", filter=Q(review_due__lt=timezone.localdate()) & ~Q(status=Status.CLOSED)
    )
    figures = scoped.aggregate(**wanted)
    kinds = [
        {
            "label": label,
            "n": figures[f"kind_{value}"],
            "url": subjects_url(kind=value, status=Status.ACTIVE, station=station),
        }
        for value, label in Kind.choices
    ]
    base = subject_list(user, ListFilters(station=station, status=Status.ACTIVE))[0]
    by_category = (
        base.order_by()
        .values("category__code", "category__name", "category__name_en")
        .annotate(n=Count("pk"))
        .order_by("category__code")
    )
    categories = [
        {
            "code": row["category__code"],
            "label": row["category__name"],
            "n": row["n"],
            "url": subjects_url(
                category=row["category__code"], status=Status.ACTIVE, station=station
            ),
        }
        for row in by_category
    ]
    risks = [
        {
            "level": value,
            "label": label,
            "n": figures[f"risk_{value}"],
            "url": subjects_url(risk=value, status=Status.ACTIVE, station=station),
        }
        for value, label in RiskLevel.choices
    ]
    warnings = visible_warnings(user).filter(status=WarningStatus.OPEN)
    tasks = task_selectors.queue(user, "overdue")
    if station:
        warnings = warnings.filter(station_id=station)
        tasks = tasks.filter(station_id=station)
    since = timezone.now() - timedelta(days=365)
    trend_subjects = dict(
        base.model.objects.filter(
            pk__in=subject_list(user, ListFilters(station=station))[0].values("pk"),
            created_at__gte=since,
        )
        .annotate(m=TruncMonth("created_at"))
        .values("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    )
    trend_assessments = dict(
        RiskAssessment.objects.filter(
            subject__in=subject_list(user, ListFilters(station=station))[0].values("pk"),
            assessed_at__gte=since,
        )
        .annotate(m=TruncMonth("assessed_at"))
        .values("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    )
    months = sorted(set(trend_subjects) | set(trend_assessments))
    return {
        "kinds": kinds,
        "categories": categories,
        "risks": risks,
        "overdue_reviews": {
            "n": figures["overdue"],
            "url": subjects_url(overdue="on", station=station),
        },
        "overdue_tasks": {
            "n": tasks.count(),
            "url": f"{reverse('tracking:list')}?queue=overdue"
            + (f"&station={station}" if station else ""),
        },
        "open_warnings": {
            "n": warnings.count(),
            "url": f"{reverse('analysis:warnings')}?status=open"
            + (f"&station={station}" if station else ""),
        },
        "monitoring_alerts": monitoring.dashboard_figure(user, station),  # real alerts
        **{name: fetch(user, station) for name, fetch in _FIGURES.items()},
        "recent_warnings": warnings.filter(
            rule__code__in=["new_risk_info", "high_risk_link", "incident_escalates"]
        ).select_related("subject", "rule")[:8],
        "trend": {
            "months": [m.strftime("%Y-%m") for m in months],
            "subjects": [trend_subjects.get(m, 0) for m in months],
            "assessments": [trend_assessments.get(m, 0) for m in months],
        },
    }


def bureau_rows(user, stations) -> list[dict]:
    """Stations side by side; each number links to the station-filtered list."""
    rows = []
    for station in stations:
        numbers = station_numbers(user, station.pk)
        active = sum(k["n"] for k in numbers["kinds"])
        high = sum(r["n"] for r in numbers["risks"] if r["level"] >= RiskLevel.HIGH)
        rows.append(
            {
                "station": station,
                "active": {
                    "n": active,
                    "url": subjects_url(status=Status.ACTIVE, station=station.pk),
                },
                "high": {
                    "n": high,
                    "url": subjects_url(risk="high+", status=Status.ACTIVE, station=station.pk),
                },
                "overdue_reviews": numbers["overdue_reviews"],
                "overdue_tasks": numbers["overdue_tasks"],
                "open_warnings": numbers["open_warnings"],
                "dashboard": f"{reverse('analysis:dashboard')}?station={station.pk}",
            }
        )
    return rows
