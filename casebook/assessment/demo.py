"""A quarter of work assessment in the demo bureau, through the services; idempotent (it adds
nothing once 城关派出所 has a spot check).

For the current quarter: the figures of every station are computed; 所长 刘洋 (010004) drew a
spot check of 城关派出所's information records (every officer covered) and checked it — one
discrepancy; the public sent a praise, a suggestion and a complaint (the complaint assigned to an
officer and answered); the station's assessments are drafted, two scored, one of them objected to
by the officer and one confirmed; a commendation was proposed and decided at the station.
Log in as 010004 and open 分析研判 → 工作考核."""

from django.db import transaction

from casebook.accounts.models import User
from casebook.core.models import Unit

from . import services
from .choices import CheckResult, SampleKind
from .models import SpotCheck
from .periods import Quarter


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


@transaction.atomic
def load(stdout=None) -> None:
    leader, station = _user("010004"), Unit.objects.filter(code="JZ01").first()
    if leader is None or station is None or SpotCheck.objects.filter(station=station).exists():
        return
    quarter = Quarter.current()
    services.recompute_figures([quarter])
    population = services.population(station, quarter, SampleKind.RECORDS)
    officers = {officer for _item, officer in population}
    check = None
    if population and leader.pk not in officers:
        size = min(len(population), max(len(officers), 6))
        check = services.spot_check_draw(
            actor=leader,
            station=station,
            period=quarter.code,
            kind=SampleKind.RECORDS,
            size=size,
            seed=20261202,
        )
        for n, item in enumerate(check.items.order_by("pk")[:4]):
            result, note = (
                (CheckResult.DISCREPANCY, "电话回访：被走访人称当日未见民警上门")
                if n == 0
                else (CheckResult.CONFIRMED, "与原始材料核对一致")
            )
            services.spot_item_check(actor=leader, item=item, result=result, note=note)
    opinions = [
        ("praise", "城关派出所民警上门走访耐心细致，帮我们解决了楼道堆物问题，特此表扬。"),
        ("suggestion", "建议在解放路夜市增加夜间巡逻频次。"),
        ("complaint", "到所里办事时接待民警态度生硬，解释不清楚。"),
    ]
    officer = services.station_officers(station).exclude(pk=leader.pk).first()
    for n, (kind, text) in enumerate(opinions):
        opinion = services.opinion_submit(
            ip=f"198.51.100.{n + 10}", station=station, kind=kind, text=text
        )
        if kind == "complaint" and officer is not None:
            services.opinion_triage(actor=leader, opinion=opinion, officer=officer)
            services.opinion_answer(
                actor=leader, opinion=opinion, answer="已与当事民警谈话，并电话回访投诉人致歉。"
            )
    drafts = services.assessment_draft(actor=leader, station=station, period=quarter.code)
    if len(drafts) >= 2:
        first, second = drafts[0], drafts[1]
        services.assessment_score(
            actor=leader,
            assessment=first,
            grade="excellent",
            reasons="信息核实率高，反馈均按期完成，群众表扬一次。",
        )
        services.assessment_mark_read(actor=first.officer, assessment=first)
        services.assessment_confirm(actor=leader, assessment=first)
        services.assessment_score(
            actor=leader,
            assessment=second,
            grade="basic",
            reasons="随机抽查发现一处与事实不符，有一次接待投诉。",
        )
        services.assessment_object(
            actor=second.officer,
            assessment=second,
            objection="抽查中被走访人当日外出，记录的是其家属的说法，已在记录中注明。",
        )
        services.measure_propose(
            actor=leader,
            officer=first.officer,
            kind="commendation",
            grounds=f"{quarter.code}考核优秀：信息核实率、反馈及时率均居全所前列。",
        )
    if stdout is not None:
        stdout.write(
            f"Assessment: {quarter.code}, spot check {'#' + str(check.pk) if check else 'none'}, "
            f"{len(drafts)} assessments drafted\n"
        )
