"""Warning rules, evaluated over every station by a background job. Each rule is a set-based
query (no per-subject loop over records), and each condition has a stable key so that it never
warns twice. A warning says why and points at its evidence; people decide what it means."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.audit.models import AuditEvent
from casebook.audit.services import record_event
from casebook.core.batches import in_batches
from casebook.core.choices import UnitKind
from casebook.core.models import Unit
from casebook.intel.models import InformationRecord, Rectification
from casebook.monitoring import alert_selectors as monitoring
from casebook.subjects.choices import Kind, RiskLevel, Status
from casebook.subjects.models import Association, DrugTest, Subject, Threat

from .models import RiskAssessment, Warning, WarningRule

SEVERITY = {"closed": 0, "contained": 1, "emerging": 2, "ongoing": 3}


#: The rules shipped with Casebook, as a new bureau receives them: code → (name, English name,
#: parameters). Each bureau then switches them and sets their parameters for its own stations.
SHIPPED = {
    "no_visit": ("超期未走访", "No visit within the cycle", {}),
    "new_risk_info": ("评估后出现新的风险信息", "New risk information since the assessment", {}),
    "high_risk_link": ("与高风险对象有关联", "Linked to a high-risk subject", {"min_level": 3}),
    "repeated_alerts": (
        "重点场所反复出现监控告警",
        "Repeated monitoring alerts at a place",
        {"count": 3, "days": 7},
    ),
    "rectification_overdue": ("整改逾期", "Rectification past its deadline", {}),
    "incident_escalates": ("突发事件态势升级", "Incident escalates", {}),
}


def _rules(code: str) -> list[WarningRule]:
    """Every bureau's enabled row of rule ``code``, each knowing its bureau's stations: a rule
    warns only about the subjects of its own bureau (configuration belongs to a bureau)."""
    rules = list(
        WarningRule.objects.filter(code=code, enabled=True, bureau__isnull=False).order_by("pk")
    )
    for rule in rules:
        rule.station_ids = set(
            Unit.objects.filter(parent=rule.bureau_id, kind=UnitKind.STATION).values_list(
                "pk", flat=True
            )
        )
    return rules


def _raise(
    rule,
    subject_id: int,
    station_id: int,
    key: str,
    reason: str,
    evidence: dict,
    existing: set[str],
    out: list,
) -> None:
    if station_id not in rule.station_ids:
        return  # another bureau's subject: its own rule row decides
    if key not in existing:
        existing.add(key)
        out.append(
            Warning(
                rule=rule,
                subject_id=subject_id,
                station_id=station_id,
                key=key,
                reason=reason[:300],
                evidence=evidence,
            )
        )


def no_visit(rule, today, existing, out) -> None:
    subjects = (
        Subject.objects.filter(status=Status.ACTIVE, kind__in=[Kind.PERSON, Kind.PLACE])
        .annotate(last_visit=Max("records__occurred_at", filter=Q(records__method="field_visit")))
        .values_list(
            "pk",
            "station_id",
            "created_at",
            "last_visit",
            "visit_cycle_days",
            "category__visit_cycle_days",
        )
    )
    for pk, station_id, created, last, own_cycle, category_cycle in in_batches(subjects, 5000):
        cycle = own_cycle or category_cycle
        since = timezone.localdate(last) if last else timezone.localdate(created)
        if (today - since).days <= cycle:
            continue
        key = f"no_visit:{pk}:{since.isoformat()}"  # once per lapse since the last visit
        reason = (
            (
                _("No field visit for %(days)s days (cycle: %(cycle)s days).")
                % {"days": (today - since).days, "cycle": cycle}
            )
            if last
            else (_("Never visited; the cycle is %(cycle)s days.") % {"cycle": cycle})
        )
        _raise(
            rule,
            pk,
            station_id,
            key,
            reason,
            {"last_visit": last.isoformat() if last else None, "cycle": cycle},
            existing,
            out,
        )


def new_risk_info(rule, today, existing, out) -> None:
    last = dict(
        RiskAssessment.objects.filter(status="approved")
        .values("subject_id")
        .annotate(at=Max("assessed_at"))
        .values_list("subject_id", "at")
    )
    horizon = today - timedelta(days=90)
    tests = DrugTest.objects.filter(
        result="positive", tested_on__gte=horizon, person__subject__status=Status.ACTIVE
    ).values_list("pk", "person_id", "person__subject__station_id", "tested_on")
    for pk, subject_id, station_id, when in tests:
        if subject_id in last and timezone.localdate(last[subject_id]) >= when:
            continue
        _raise(
            rule,
            subject_id,
            station_id,
            f"new_info:drug_test:{pk}",
            _("Positive drug test on %(date)s, after the last assessment.")
            % {"date": when.isoformat()},
            {"drug_test": pk},
            existing,
            out,
        )
    threats = Threat.objects.filter(
        said_on__gte=horizon, person__subject__status=Status.ACTIVE
    ).values_list("pk", "person_id", "person__subject__station_id", "said_on")
    for pk, subject_id, station_id, when in threats:
        if subject_id in last and timezone.localdate(last[subject_id]) >= when:
            continue
        _raise(
            rule,
            subject_id,
            station_id,
            f"new_info:threat:{pk}",
            _("New threat recorded on %(date)s, after the last assessment.")
            % {"date": when.isoformat()},
            {"threat": pk},
            existing,
            out,
        )


def high_risk_link(rule, today, existing, out) -> None:
    minimum = int(rule.params.get("min_level", RiskLevel.HIGH))
    links = Association.objects.filter(
        Q(source_subject__risk_level__gte=minimum) | Q(target_subject__risk_level__gte=minimum)
    ).values_list(
        "source_subject_id",
        "source_subject__station_id",
        "source_subject__risk_level",
        "source_subject__status",
        "target_subject_id",
        "target_subject__station_id",
        "target_subject__risk_level",
        "target_subject__status",
    )
    for a, a_station, a_level, a_status, b, b_station, b_level, b_status in links:
        for me, station, status, other, level in (
            (a, a_station, a_status, b, b_level),
            (b, b_station, b_status, a, a_level),
        ):
            if level >= minimum and status == Status.ACTIVE:
                _raise(
                    rule,
                    me,
                    station,
                    f"link:{me}:{other}",
                    _("Linked to a subject assessed %(level)s.")
                    % {"level": RiskLevel(level).label},
                    {"subject": other},
                    existing,
                    out,
                )


def repeated_alerts(rule, today, existing, out) -> None:
    """Real monitoring alerts at a key place (not dismissed: its camera's alerts and those of
    fences around it), plus alerts recorded by hand as video or geofence information (a record
    promoted from an alert counts once, as its alert)."""
    count, days = int(rule.params.get("count", 3)), int(rule.params.get("days", 7))
    since = timezone.now() - timedelta(days=days)
    counts: dict[int, int] = {}
    stations: dict[int, int] = {}
    for row in monitoring.place_alert_counts(since):
        counts[row["subject"]] = counts.get(row["subject"], 0) + row["n"]
        stations[row["subject"]] = row["station"]
    by_hand = (
        InformationRecord.objects.filter(
            channel__in=["video", "geofence"],
            occurred_at__gte=since,
            subjects__kind=Kind.PLACE,
            merged_into__isnull=True,
        )
        .exclude(pk__in=monitoring.promoted_record_ids())
        .values("subjects", "subjects__station_id")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in by_hand:
        counts[row["subjects"]] = counts.get(row["subjects"], 0) + row["n"]
        stations[row["subjects"]] = row["subjects__station_id"]
    week = today.isocalendar()
    for subject_id, n in sorted(counts.items()):
        if n < count:
            continue
        _raise(
            rule,
            subject_id,
            stations[subject_id],
            f"alerts:{subject_id}:{week.year}-{week.week}",
            _("%(n)s monitoring alerts in %(days)s days.") % {"n": n, "days": days},
            {"alerts": n, "days": days},
            existing,
            out,
        )


def rectification_overdue(rule, today, existing, out) -> None:
    orders = Rectification.objects.filter(status="open", deadline__lt=today).values_list(
        "pk", "subject_id", "subject__station_id", "deadline", "requirement"
    )
    for pk, subject_id, station_id, deadline, requirement in orders:
        _raise(
            rule,
            subject_id,
            station_id,
            f"rectify:{pk}",
            _("Rectification overdue since %(date)s: %(what)s")
            % {"date": deadline.isoformat(), "what": requirement},
            {"rectification": pk},
            existing,
            out,
        )


def incident_escalates(rule, today, existing, out) -> None:
    events = AuditEvent.objects.filter(
        action="subject.situation", occurred_at__gte=timezone.now() - timedelta(days=30)
    )
    subjects = {}
    for event in events.iterator():
        change = (event.details or {}).get("situation")
        if not change or SEVERITY.get(change.get("to"), 0) <= SEVERITY.get(change.get("from"), 0):
            continue
        if event.object_id not in subjects:
            subjects[event.object_id] = (
                Subject.objects.filter(pk=event.object_id)
                .values_list("station_id", flat=True)
                .first()
            )
        station_id = subjects[event.object_id]
        if station_id is None:
            continue
        _raise(
            rule,
            int(event.object_id),
            station_id,
            f"escalate:{event.seq}",
            _("The incident escalated from “%(from)s” to “%(to)s”.")
            % {"from": change["from"], "to": change["to"]},
            {"event": event.seq},
            existing,
            out,
        )


RULES = {
    "no_visit": no_visit,
    "new_risk_info": new_risk_info,
    "high_risk_link": high_risk_link,
    "repeated_alerts": repeated_alerts,
    "rectification_overdue": rectification_overdue,
    "incident_escalates": incident_escalates,
}


def register_rule(code: str, fn) -> None:
    """Add a warning rule of a higher app (from its ``AppConfig.ready()``): ``fn(rule, today,
    existing, out)`` like the rules above; a ``WarningRule`` row with ``code`` switches it on."""
    RULES.setdefault(code, fn)


def evaluate(today=None) -> dict[str, int]:
    """Run every enabled rule; create the new warnings in bulk; notify responsible officers."""
    today = today or timezone.localdate()
    existing = set(Warning.objects.values_list("key", flat=True))
    created: dict[str, int] = {}
    for code, fn in RULES.items():
        for rule in _rules(code):
            out: list[Warning] = []
            fn(rule, today, existing, out)
            with transaction.atomic():
                Warning.objects.bulk_create(out, batch_size=2000, ignore_conflicts=True)
                if out:
                    record_event(
                        actor=None,
                        actor_name="scheduler",
                        action="warning.raise",
                        object_type="analysis.warningrule",
                        object_id=rule.code,
                        object_repr=rule.name,
                        details={"count": len(out), "bureau": rule.bureau_id},
                    )
            created[code] = created.get(code, 0) + len(out)
    return created


def bureau_setup(bureau) -> None:
    """A new bureau's warning rules: the unowned ones of a fresh installation, then a row for
    every other rule there is (``RULES``), switched on with its shipped parameters — never
    another bureau's switches or parameters (only the name of a rule another module ships)."""
    WarningRule.objects.filter(bureau__isnull=True).update(bureau=bureau)
    own = set(WarningRule.objects.filter(bureau=bureau).values_list("code", flat=True))
    for code in RULES:
        if code in own:
            continue
        if code in SHIPPED:
            name, name_en, params = SHIPPED[code]
        else:
            name, name_en = WarningRule.objects.filter(code=code).values_list(
                "name", "name_en"
            ).order_by("pk").first() or (code, code)
            params = {}
        WarningRule.objects.create(
            bureau=bureau, code=code, name=name, name_en=name_en, params=params
        )
