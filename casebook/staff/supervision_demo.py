"""Demo summaries and supervision for the demo bureau, through the services; idempotent (it
adds nothing once the supervisor has an inspection). The officers of 城关派出所 have written
their summary of the last complete period (the station leader has read two), the supervisor
赵磊 has inspected 城关派出所 (two findings: one rectified with evidence, one open) and has
planned an inspection of 滨江派出所; one complaint about conduct is being investigated."""

from datetime import timedelta

from django.utils import timezone

from casebook.accounts.models import User
from casebook.core.models import Unit

from . import supervision_selectors as sel
from . import supervision_services as svc
from .supervision_models import Inspection, WorkSummary

SUMMARY = (
    "本期按计划完成辖区重点对象走访，信息均当日录入；两条群众反映的线索已电话核实。"
    "不足：一份结果反馈晚于期限，下期提前与研判员沟通。"
)


def load(stdout=None) -> None:
    supervisor = User.objects.filter(username="000002", is_active=True).first()
    station = Unit.objects.filter(code="JZ01").first()
    other = Unit.objects.filter(code="JZ02").first()
    if supervisor is None or station is None or other is None:
        return
    if Inspection.objects.filter(supervisor=supervisor).exists():
        return
    leader = User.objects.get(username="010004")
    officer = User.objects.get(username="010001")
    today = timezone.localdate()
    written = 0
    for username in ("010001", "010002", "010003"):
        user = User.objects.filter(username=username).first()
        period = sel.open_period(sel.cadence_for(user.unit), today)
        if WorkSummary.objects.filter(officer=user, period_start=period.start).exists():
            continue
        summary = svc.summary_submit(actor=user, period_start=period.start, text=SUMMARY)
        written += 1
        if username != "010003":
            svc.summary_comment(
                actor=leader,
                summary=summary,
                comment="走访扎实，注意反馈时限，下期重点跟进重点人员。",
            )
    inspection = svc.inspection_plan(
        actor=supervisor,
        station=station,
        planned_for=today,
        scope="跟踪记录档案规范性、信息核实时效",
    )
    svc.inspection_record(
        actor=supervisor,
        inspection=inspection,
        conducted_on=today,
        checked="抽查跟踪任务5件、信息记录20条、结果反馈3份",
        conclusion="总体规范；个别信息记录核实超过七日，一份反馈未附研判依据。",
        rating="adequate",
        findings=[
            {
                "text": "两条信息记录录入后超过七日未核实",
                "owner": officer,
                "deadline": today + timedelta(days=14),
            },
            {
                "text": "一份结果反馈未引用研判依据",
                "owner": leader,
                "deadline": today + timedelta(days=21),
            },
        ],
    )
    first = inspection.findings.order_by("pk").first().rectification
    svc.rectification_close(
        actor=officer, rectification=first, evidence="两条记录已电话回访核实并更新核实说明。"
    )
    svc.inspection_plan(
        actor=supervisor,
        station=other,
        planned_for=today + timedelta(days=7),
        scope="社区民警走访频次",
    )
    subject_of = User.objects.filter(username="020001").first()
    if subject_of is not None:
        complaint = svc.complaint_register(
            actor=supervisor,
            officer=subject_of,
            received_on=today - timedelta(days=2),
            source="public",
            complainant="群众（匿名）",
            account="反映该民警走访时未出示证件，态度生硬。",
        )
        svc.complaint_update(actor=supervisor, complaint=complaint, status="investigating")
    if stdout is not None:
        stdout.write(f"Demo supervision: {written} summaries, 2 inspections, 1 complaint\n")
