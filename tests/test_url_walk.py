"""The permission walk: every URL pattern of the project (pages and API routes), called as
anonymous, as an officer of another station, as users without the right, and as administrators
of another bureau (SECURITY.md A1, A3; issue #12 items 4 and 6).

The table ``ROUTES`` names every URL pattern with what it is (public, a case-data page, an admin
page, the audit pages, the user's own pages, an API route) and, for each parameter, the object of
*station B* (or bureau T) it is called with. A pattern that the resolver knows but the table does
not makes ``test_every_url_is_in_the_walk`` fail, naming it: a new view states here who may
reach it before it ships.

What is asserted, for every route:

- anonymous: a page redirects to the login (with ``next``), an API route answers 401/403, and
  nothing of the objects shows; the public allow-list is reachable without a login;
- an officer of station A, on station B's objects: 403/404 and none of their identifying text;
  on lists and dashboards, none of B's objects;
- users without the right: the audit and system administrators on case data, the officer on the
  admin and audit pages: refused or empty, never the data;
- the system and security administrators of another bureau: this bureau's users, units and
  access requests answer 404, and none of their names shows;
- a route that answers GET with 405 is also POSTed with an empty body by each of them: never a
  2xx, and nothing is written (no audited write, no row added anywhere).
"""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.accounts.models import Compartment, GrantRequest
from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create, user_change_access
from casebook.analysis.models import RiskFactor
from casebook.audit.models import AuditEvent
from casebook.core.choices import Classification
from casebook.monitoring.alerts import collapse
from casebook.monitoring.tests import geo_helpers
from casebook.subjects.models import Category
from casebook.subjects.tests.conftest import make_id
from conftest import login

# --- what each route is ----------------------------------------------------------------------

PUBLIC = "public"  # reachable without a login
SELF = "self"  # any logged-in user, about themselves (home, profile, notifications)
CASE = "case"  # case data: scoped by station, role and clearance
ADMIN = "admin"  # system/security administration
AUDIT = "audit"  # the audit administrator's pages
API = "api"  # /api/: DRF, 401/403 for anonymous instead of a redirect
BUREAU = "bureau"  # a register shared by the stations of one bureau (partner departments):
# seen by every station of the bureau, by nobody of another bureau


@dataclass(frozen=True)
class Route:
    kind: str
    #: URL keyword → "@world-key" (an object of station B / bureau T) or a literal value
    params: dict = field(default_factory=dict)
    #: the object belongs to the whole system (not to a bureau): another bureau's
    #: administrator may reach it, so only the case-data checks apply
    global_object: bool = False
    #: a query string to call it with (a search for station B's subject by name)
    query: str = ""


def r(kind, global_object=False, /, query="", **params):
    return Route(kind, params, global_object, query)


ROUTES: dict[str, Route] = {
    # the home page and the organisation (accounts, at the root)
    "accounts:home": r(SELF),
    "accounts:units": r(ADMIN),
    "accounts:unit_create": r(ADMIN),
    "accounts:unit_edit": r(ADMIN, pk="@unit_b"),
    # accounts
    "accounts:login": r(PUBLIC),
    "accounts:verify": r(PUBLIC),
    "accounts:enrol": r(PUBLIC),
    "accounts:password_set": r(PUBLIC),
    "accounts:logout": r(PUBLIC),
    "accounts:reauth": r(SELF),
    "accounts:profile": r(SELF),
    "accounts:mfa_setup": r(SELF),
    "accounts:mfa_remove": r(SELF),
    "accounts:token_revoke": r(SELF, pk="@token_b"),
    "accounts:users": r(ADMIN),
    "accounts:user_create": r(ADMIN),
    "accounts:user_detail": r(ADMIN, pk="@officer_b"),
    "accounts:user_toggle_active": r(ADMIN, pk="@officer_b"),
    "accounts:user_credential_reset": r(ADMIN, pk="@officer_b"),
    "accounts:user_temporary_password": r(ADMIN, pk="@officer_b"),
    "accounts:grants": r(ADMIN),
    "accounts:grant_approve": r(ADMIN, pk="@grant_b"),
    "accounts:grant_reject": r(ADMIN, pk="@grant_b"),
    "accounts:grant_withdraw": r(ADMIN, pk="@grant_b"),
    "accounts:security": r(ADMIN),
    # audit
    "audit:log": r(AUDIT),
    "audit:export": r(AUDIT),
    "audit:verify": r(AUDIT),
    "audit:checkpoint": r(AUDIT),
    "audit:checkpoints": r(AUDIT),
    # subjects
    "subjects:list": r(CASE, query="q=王五六"),
    "subjects:pick": r(CASE, query="q=王五六"),
    "subjects:map": r(CASE),
    "subjects:categories": r(ADMIN),
    "subjects:category_create": r(ADMIN),
    "subjects:category_edit": r(ADMIN, pk="@place_category"),
    "subjects:checklist_add": r(ADMIN, pk="@place_category"),
    "subjects:checklist_retire": r(ADMIN, pk="@place_category", item_pk="@checklist_item"),
    "subjects:create": r(CASE, kind="person"),
    "subjects:detail": r(CASE, pk="@person_b"),
    "subjects:edit": r(CASE, pk="@person_b"),
    "subjects:consult": r(CASE, pk="@person_b"),
    "subjects:status": r(CASE, pk="@person_b"),
    "subjects:review": r(CASE, pk="@person_b"),
    "subjects:link_add": r(CASE, pk="@person_b"),
    "subjects:link_delete": r(CASE, pk="@person_b", link_pk="@link_b"),
    "subjects:record_add": r(CASE, pk="@person_b", record="offence"),
    "subjects:situation_add": r(CASE, pk="@person_b"),
    "subjects:photo": r(CASE, pk="@person_b"),
    "subjects:photo_upload": r(CASE, pk="@person_b"),
    "subjects:graph": r(CASE, pk="@person_b"),
    "subjects:import": r(CASE),
    "subjects:import_template": r(CASE),
    "subjects:import_detail": r(CASE, pk="@import_b"),
    "subjects:import_start": r(CASE, pk="@import_b"),
    "subjects:import_progress": r(CASE, pk="@import_b"),
    # partner departments (the bureau's register)
    "partners:list": r(BUREAU),
    "partners:create": r(BUREAU),
    "partners:detail": r(BUREAU, pk="@partner_t"),
    "partners:edit": r(BUREAU, pk="@partner_t"),
    "partners:contact_add": r(BUREAU, pk="@partner_t"),
    "partners:contact_retire": r(BUREAU, pk="@partner_t", contact_pk="@contact_t"),
    # tracking
    "tracking:list": r(CASE),
    "tracking:board": r(CASE),
    "tracking:create": r(CASE),
    "tracking:bulk": r(CASE),
    "tracking:detail": r(CASE, pk="@task_b"),
    "tracking:accept": r(CASE, pk="@task_b"),
    "tracking:advance": r(CASE, pk="@task_b"),
    "tracking:return": r(CASE, pk="@task_b"),
    "tracking:reassign": r(CASE, pk="@task_b"),
    "tracking:deadlines": r(CASE, pk="@task_b"),
    "tracking:share": r(CASE, pk="@task_b"),
    "tracking:comment": r(CASE, pk="@task_b"),
    "tracking:notifications": r(SELF),
    "tracking:notifications_read": r(SELF),
    "tracking:notifications_count": r(SELF),
    "tracking:notification_open": r(SELF, pk="@notification_b"),
    "tracking:notification_group": r(SELF, kind="task", task="@task_b"),
    "tracking:notification_group_untasked": r(SELF, kind="other"),
    "tracking:notification_settings": r(SELF),
    # intel
    "intel:list": r(CASE),
    "intel:export": r(CASE),
    "intel:create": r(CASE),
    "intel:detail": r(CASE, pk="@record_b"),
    "intel:verify": r(CASE, pk="@record_b"),
    "intel:organise": r(CASE, pk="@record_b"),
    "intel:merge": r(CASE, pk="@record_b"),
    "intel:attach": r(CASE, pk="@record_b"),
    "intel:attachment": r(CASE, pk="@attachment_b"),
    "intel:attachment_thumb": r(CASE, pk="@attachment_b"),
    "intel:visit": r(CASE, subject_pk="@person_b"),
    "intel:rectification_close": r(CASE, pk="@rectification_b"),
    "intel:informants": r(CASE),
    "intel:informant_reveal": r(CASE, pk="@informant_b"),
    "intel:tips": r(CASE),
    "intel:tip_detail": r(CASE, pk="@tip_b"),
    "intel:tip": r(PUBLIC),
    "intel:tip_status": r(PUBLIC),
    "intel:partner_share_task": r(CASE, pk="@task_b"),
    "intel:partner_share_incident": r(CASE, pk="@person_b"),
    "intel:partner_revoke": r(CASE, pk="@partner_link_b"),
    "intel:partner_public": r(PUBLIC, token="not-a-valid-token"),
    # analysis
    "analysis:dashboard": r(CASE),
    "analysis:bureau": r(CASE),
    "analysis:warnings": r(CASE),
    "analysis:warning_handle": r(CASE, pk="@warning_b"),
    "analysis:places": r(CASE),
    "analysis:rules": r(ADMIN),
    "analysis:factor_add": r(ADMIN, category_pk="@person_category"),
    "analysis:factor_retire": r(ADMIN, pk="@factor"),
    "analysis:trail": r(CASE, subject_pk="@person_b"),
    "analysis:assess": r(CASE, subject_pk="@person_b"),
    "analysis:assessment": r(CASE, pk="@assessment_b"),
    "analysis:decide": r(CASE, pk="@assessment_b"),
    "analysis:measure_task": r(CASE, pk="@measure_b"),
    # reports
    "reports:inbox": r(CASE),
    "reports:feedback_new": r(CASE, task_pk="@task_b"),
    "reports:feedback": r(CASE, pk="@feedback_b"),
    "reports:feedback_ack": r(CASE, pk="@feedback_b"),
    "reports:feedback_task": r(CASE, pk="@feedback_b"),
    "reports:urgent_new": r(CASE),
    "reports:urgent": r(CASE, pk="@urgent_b"),
    "reports:urgent_ack": r(CASE, pk="@urgent_b"),
    "reports:duty": r(CASE),
    "reports:duty_remove": r(CASE, pk="@shift_b"),
    "reports:print": r(CASE, pk="@person_b"),
    "reports:exports": r(CASE),
    "reports:export_new": r(CASE),
    "reports:export": r(CASE, pk="@export_b"),
    "reports:export_download": r(CASE, pk="@export_b"),
    "reports:periodic": r(CASE),
    "reports:periodic_download": r(CASE, pk="@periodic_b"),
    # retention: proposals, certificates and holds of station B; classes belong to the system
    "subjects:category_changes": r(ADMIN),
    "subjects:category_change_decide": r(ADMIN, pk="@category_change"),
    "retention:index": r(ADMIN),
    "retention:proposal": r(ADMIN, pk="@proposal_b"),
    "retention:approve": r(ADMIN, pk="@proposal_b"),
    "retention:withdraw": r(ADMIN, pk="@proposal_b"),
    "retention:certificate": r(ADMIN, pk="@certificate_b"),
    "retention:renew": r(CASE, pk="@person_b"),
    "retention:close": r(CASE, pk="@person_b"),
    "retention:hold_place": r(ADMIN),
    "retention:hold_release": r(ADMIN, pk="@hold_b"),
    "retention:class_add": r(ADMIN, True),  # adds to the caller's own bureau (no object)
    "retention:class_update": r(ADMIN, pk="@retention_class_t"),
    "retention:register": r(ADMIN),
    "retention:register_xlsx": r(ADMIN),
    "retention:audit_review": r(AUDIT),
    "retention:audit_review_pdf": r(AUDIT),
    "retention:transmission": r(ADMIN),
    # work assessment (issue #17): station B's spot check, assessment, opinion and measure
    "assessment:index": r(CASE),
    "assessment:figure_rows": r(CASE, code="accuracy"),
    "assessment:spotchecks": r(CASE),
    "assessment:spotcheck": r(CASE, pk="@spotcheck_b"),
    "assessment:spot_item": r(CASE, pk="@spot_item_b"),
    "assessment:assessments": r(CASE),
    "assessment:assessment": r(CASE, pk="@appraisal_b"),
    "assessment:assessment_act": r(CASE, pk="@appraisal_b", step="score"),
    "assessment:export": r(CASE),
    "assessment:opinions": r(CASE),
    "assessment:opinion": r(CASE, pk="@opinion_b"),
    "assessment:measures": r(CASE),
    "assessment:measure": r(CASE, pk="@appraisal_measure_b"),
    "assessment:opinion_submit": r(PUBLIC),
    "assessment:appraisal-figure-list": r(API),
    "assessment:appraisal-figure-detail": r(API, pk="@figure_b"),
    "assessment:appraisal-spotcheck-list": r(API),
    "assessment:appraisal-spotcheck-detail": r(API, pk="@spotcheck_b"),
    "assessment:appraisal-spotcheck-check": r(API, pk="@spotcheck_b"),
    "assessment:appraisal-assessment-list": r(API),
    "assessment:appraisal-assessment-detail": r(API, pk="@appraisal_b"),
    "assessment:appraisal-assessment-objection": r(API, pk="@appraisal_b"),
    "assessment:appraisal-opinion-list": r(API),
    "assessment:appraisal-opinion-detail": r(API, pk="@opinion_b"),
    # the officer file, the pledge and training (issue #16 part A): station B's officer and
    # certificate; bureau T's training session and its material (read by the bureau's people)
    "staff:my_file": r(SELF),
    "staff:officers": r(CASE),
    "staff:officer": r(CASE, pk="@officer_b"),
    "staff:profile_edit": r(CASE, pk="@officer_b"),
    "staff:certificate_new": r(CASE, pk="@officer_b"),
    "staff:conduct_new": r(CASE, pk="@officer_b"),
    "staff:certificate_file": r(CASE, pk="@staff_certificate_b"),
    "staff:pledge": r(SELF),
    "staff:pledge_admin": r(ADMIN),
    "staff:training": r(BUREAU),
    "staff:session": r(BUREAU, pk="@session_t"),
    "staff:material_file": r(BUREAU, pk="@material_t"),
    "api-staff-me": r(API),
    "api-staff-training": r(API),
    "api-staff-pledge": r(API),
    "api-staff-pledge-sign": r(API),
    # self-summaries and supervision (issue #16 part B): station B's summary, inspection,
    # rectification and complaint
    "staff:summaries": r(CASE),
    "staff:summary_new": r(CASE),
    "staff:summary": r(CASE, pk="@summary_b"),
    "staff:supervision": r(CASE),
    "staff:supervision_report": r(CASE),
    "staff:supervised_audit": r(CASE),
    "staff:inspection_new": r(CASE),
    "staff:inspection": r(CASE, pk="@inspection_b"),
    "staff:rectification": r(CASE, pk="@staff_rectification_b"),
    "staff:rectification_evidence": r(CASE, pk="@staff_rectification_b"),
    "staff:complaint_new": r(CASE),
    "staff:complaint": r(CASE, pk="@complaint_b"),
    "staff-summary-list": r(API),
    "staff-summary-detail": r(API, pk="@summary_b"),
    "staff-summary-comment": r(API, pk="@summary_b"),
    "staff-inspection-list": r(API),
    "staff-inspection-detail": r(API, pk="@inspection_b"),
    "staff-inspection-record": r(API, pk="@inspection_b"),
    "staff-inspection-findings": r(API, pk="@inspection_b"),
    "staff-rectification-list": r(API),
    "staff-rectification-detail": r(API, pk="@staff_rectification_b"),
    "staff-rectification-close": r(API, pk="@staff_rectification_b"),
    "staff-complaint-list": r(API),
    "staff-complaint-detail": r(API, pk="@complaint_b"),
    "staff-complaint-follow": r(API, pk="@complaint_b"),
    # technical monitoring (issue #15): station B's geofence, binding and alert
    "monitoring:alerts": r(CASE),
    "monitoring:alert": r(CASE, pk="@alert_b"),
    "monitoring:alert_ack": r(CASE, pk="@alert_b"),
    "monitoring:alert_dismiss": r(CASE, pk="@alert_b"),
    "monitoring:alert_promote": r(CASE, pk="@alert_b"),
    "monitoring:alert_urgent": r(CASE, pk="@alert_b"),
    "monitoring:map": r(CASE),
    "monitoring:live": r(CASE),
    "monitoring:fences": r(CASE),
    "monitoring:fence_new": r(CASE),
    "monitoring:fence_import": r(CASE),
    "monitoring:fence": r(CASE, pk="@fence_b"),
    "monitoring:fence_withdraw": r(CASE, pk="@fence_b"),
    "monitoring:bindings": r(CASE),
    # the sending systems: kept by the bureau's system administrator
    "monitoring:sources": r(ADMIN),
    "monitoring:source_create": r(ADMIN),
    "monitoring:source": r(ADMIN, pk="@monitoring_source_b"),
    "monitoring:source_edit": r(ADMIN, pk="@monitoring_source_b"),
    "monitoring:source_rotate": r(ADMIN, pk="@monitoring_source_b"),
    # machines post here with a signature or token, not a login (a session is no credential):
    # public like /tip/; every refusal (unsigned, form upload, ...) is in monitoring's test_ingest
    "monitoring-ingest": r(PUBLIC, code="walk-b-video"),
    "monitoring:binding_revoke": r(CASE, pk="@binding_b"),
    # project level
    "set_language": r(PUBLIC),
    "javascript-catalog": r(SELF),
    "healthz": r(PUBLIC),
    "schema": r(API),
    "api-docs": r(SELF),
    # API v1
    "api-me": r(API),
    "api-units": r(API),
    "subject-list": r(API),
    "subject-detail": r(API, pk="@person_b"),
    "subject-consult": r(API, pk="@person_b"),
    "task-list": r(API),
    "task-detail": r(API, pk="@task_b"),
    "task-accept": r(API, pk="@task_b"),
    "task-transition": r(API, pk="@task_b"),
    "record-list": r(API),
    "record-detail": r(API, pk="@record_b"),
    "record-verify": r(API, pk="@record_b"),
    "tip-list": r(API),
    "tip-detail": r(API, pk="@tip_b"),
    "tip-dismiss": r(API, pk="@tip_b"),
    "tip-link": r(API, pk="@tip_b"),
    "urgent-report-list": r(API),
    "urgent-report-detail": r(API, pk="@urgent_b"),
    "urgent-report-acknowledge": r(API, pk="@urgent_b"),
}

#: addresses that are not views of ours and are not walked (none are mounted today; the
#: Django admin and served media would go here)
SKIPPED: set[str] = set()


def url_patterns():
    """(name, keyword parameters) of every URL pattern, through every include."""

    def walk(patterns, namespace, inherited):
        for pattern in patterns:
            own = _params(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, ns, inherited | own)
            else:
                name = pattern.name or str(pattern.pattern)
                yield (f"{namespace}:{name}" if namespace else name), inherited | own

    return list(walk(get_resolver().url_patterns, None, frozenset()))


def _params(pattern) -> frozenset:
    converters = getattr(pattern, "converters", None)
    if converters is not None and hasattr(pattern, "_route"):
        return frozenset(converters)
    return frozenset(pattern.regex.groupindex)


# --- the data of station B (and bureau T) that nobody outside may reach -------------------------

#: text that identifies station B's case data: never in an answer to someone outside
CASE_MARKERS = (
    "乙所重点人王五六",
    "乙所关系人赵七",
    "乙所场所蓝月亮",
    "乙所危化品围栏",
    "乙所核查任务",
    "乙所秘密记录内容",
    "乙所线人钱某某",
    "乙所群众举报可疑",
    "乙所紧急情况内容",
    "乙所反馈摘要内容",
    "乙所工作措施",
    "乙所登记导入",
    "乙所共享摘要",
    "乙所工作总结正文",
    "乙所督察发现问题",
    "乙所投诉反映内容",
    "乙所民警资格证书",
    "乙所民警嘉奖事由",
    "乙所民警岗位职责",
)
#: text that identifies bureau T's accounts: never shown to another bureau's administrator
ADMIN_MARKERS = (
    "乙所民警甲乙",
    "乙所所长丙丁",
    "测试市公安局",
    "本局协作交警中队",
    "本局专用场所类别",
    "本局专用风险",
    "本局专用培训课程",
)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def world(org, make_user):
    """Station B's subjects, task, records, informant, tip, urgent report, feedback, assessment,
    duty shift, export and periodic report, and bureau T's users, unit and access request —
    each made through the services."""
    from casebook.analysis import rules
    from casebook.analysis.services import Rating, assessment_create
    from casebook.intel import services as intel
    from casebook.reports import periodic
    from casebook.reports import services as reports
    from casebook.subjects import services as subjects
    from casebook.tracking import services as tracking
    from casebook.tracking.choices import Stage

    informants = Compartment.objects.get(code="informants")
    leader_b = make_user(
        Role.STATION_LEADER, org["b"], real_name="乙所所长丙丁", compartments=[informants]
    )
    officer_b = make_user(Role.TRACKING_OFFICER, org["b"], real_name="乙所民警甲乙")
    sysadmin = make_user(Role.SYSTEM_ADMIN, org["bureau"], real_name="本局系统管理员")
    category = Category.objects.get(code="drug_involved")
    place_category = Category.objects.get(code="entertainment_venue")

    def person(name, seq):
        return subjects.subject_create(
            actor=leader_b,
            kind="person",
            category=category,
            name=name,
            station=org["b"],
            legal_basis_ref="城公(治)字〔2026〕9号",
            approved_by=leader_b,
            approved_on=date(2026, 1, 5),
            officers=[officer_b],
            detail={"data_subject_category": "suspect", "id_number": make_id(seq=seq)},
        )

    person_b = person("乙所重点人王五六", "731")
    other_b = person("乙所关系人赵七", "732")
    place_b = subjects.subject_create(
        actor=leader_b,
        kind="place",
        category=place_category,
        name="乙所场所蓝月亮KTV",
        station=org["b"],
        legal_basis_ref="《娱乐场所管理条例》",
        approved_by=leader_b,
        approved_on=date(2026, 1, 5),
        detail={"address": "江州市城关区乙路9号", "licence_numbers": "娱经许字999999号"},
    )
    link_b = subjects.association_create(
        actor=leader_b,
        source=person_b,
        target=other_b,
        type="associate",
        source_text="走访得知",
        confidence="medium",
    )
    task_b = tracking.task_create(
        actor=leader_b,
        title="乙所核查任务王五六",
        station=org["b"],
        lead=officer_b,
        subjects=[person_b],
    )
    task_b = tracking.task_accept(actor=officer_b, task=task_b)  # on to collecting at once
    record_b = intel.record_create(
        actor=officer_b,
        subjects=[person_b],
        method="field_visit",
        channel="own",
        occurred_at=timezone.now(),
        content="乙所秘密记录内容：本人在家",
        source_evaluation="A",
        info_assessment="1",
        task=task_b,
    )
    intel.record_verify(actor=officer_b, record=record_b, status="verified", note="当面核实")
    task_b = tracking.task_advance(actor=officer_b, task=task_b, to_stage=Stage.ORGANISING)
    task_b = tracking.task_advance(actor=officer_b, task=task_b, to_stage=Stage.ANALYSING)
    factor = category.risk_factors.filter(is_active=True).first()
    assessment_b = assessment_create(
        actor=officer_b,
        subject=person_b,
        task=task_b,
        ratings=[Rating(factor, [record_b])],
        measures=["乙所工作措施：每周走访"],
    )
    feedback_b = reports.feedback_submit(
        actor=officer_b,
        task=task_b,
        summary="乙所反馈摘要内容",
        findings="情绪平稳",
        recommendations="继续关注",
    )
    attachment_b = intel.attachment_add(
        actor=officer_b, record=record_b, name="photo.png", data=_png()
    )
    items = list(place_category.checklist.filter(is_active=True))
    checklist = {item.pk: ("pass", "") for item in items}
    checklist[items[0].pk] = ("fail", "消防通道堵塞")
    intel.field_visit(
        actor=officer_b,
        subject=place_b,
        occurred_at=timezone.now(),
        findings="例行检查",
        checklist=checklist,
    )
    from casebook.intel.models import Rectification
    from casebook.reports.models import PeriodicReport
    from casebook.tracking.models import Notification

    informant_b = intel.informant_register(
        actor=leader_b, handler=officer_b, real_name="乙所线人钱某某"
    )
    tip_b = intel.tip_submit(ip="192.0.2.77", what="乙所群众举报可疑物品交易", station=org["b"])
    urgent_b = reports.urgent_report_create(
        actor=officer_b, text="乙所紧急情况内容", subject=person_b
    )
    now = timezone.now()
    shift_b = reports.duty_shift_add(
        actor=leader_b,
        unit=org["b"],
        user=leader_b,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=8),
    )
    export_b = reports.export_request(
        actor=leader_b, fmt="pdf", purpose="案件核查", subject=person_b
    )
    periodic.generate_due(timezone.localdate() + timedelta(days=8))
    rules.evaluate(timezone.localdate() + timedelta(days=80))
    _token, _key = api_token_create(actor=officer_b, name="乙所接口")
    grant_b = user_change_access(actor=sysadmin, user=officer_b, clearance=Classification.SECRET)
    from casebook.analysis.models import Warning
    from casebook.retention import services as retention
    from casebook.retention.models import DestructionProposal, RetentionClass
    from casebook.retention.services.destruction import _certificate

    hold_b = retention.legal_hold_place(
        actor=leader_b, subject=person_b, kind="open_case", reference="乙所案号001"
    )
    proposal_b = DestructionProposal.objects.create(
        reference="DP-TB-walk", station=org["b"], retention_class="standard", items=[]
    )
    certificate_b = _certificate(
        DestructionProposal.objects.create(
            reference="DP-TB-walk2", station=org["b"], retention_class="standard", items=[]
        ),
        [],
    )

    from casebook.intel.services import partner_links
    from casebook.partners import services as partners
    from casebook.subjects.services import imports
    from casebook.subjects.tests.test_imports import person_row, workbook

    partner_t = partners.partner_create(
        actor=leader_b, name="本局协作交警中队", kind="traffic_police"
    )
    contact_t = partners.contact_add(actor=leader_b, partner=partner_t, name="乙所联络人")
    partner_link_b, _partner_token = partner_links.link_for_task(
        actor=officer_b, task=task_b, partner=partner_t, summary="乙所共享摘要", request="请回复"
    )
    import_b = imports.import_check(
        actor=leader_b,
        station=org["b"],
        data=workbook(org["b"], {"person": [person_row(1, leader_b)]}),
        file_name="乙所登记导入.xlsx",
    )

    from casebook.subjects.category_services import category_save

    category_save(
        actor=sysadmin,
        category=Category.objects.get(pk=place_category.pk),
        **{
            f: getattr(place_category, f)
            for f in ("name", "name_en", "description", "legal_basis", "retention_class")
        },
        kind=place_category.kind,
        review_cycle_days=place_category.review_cycle_days,
        visit_cycle_days=place_category.visit_cycle_days,
        impact_assessment="经营单位信息，限于治安管理职责。",
        is_active=True,
    )
    from casebook.assessment import services as appraisal
    from casebook.assessment.models import FigureSnapshot
    from casebook.assessment.periods import Quarter
    from casebook.subjects.models import CategoryChange

    spotcheck_b = appraisal.spot_check_draw(
        actor=leader_b, station=org["b"], period=Quarter.current().code, kind="visits", size=1
    )
    appraisal_b = appraisal.assessment_draft(
        actor=leader_b, station=org["b"], period=Quarter.current().code
    )[0]
    opinion_b = appraisal.opinion_submit(
        ip="192.0.2.78", station=org["b"], kind="complaint", text="乙所群众意见：接待态度差"
    )
    appraisal_measure_b = appraisal.measure_propose(
        actor=leader_b, officer=officer_b, kind="criticism", grounds="乙所反馈超期三次"
    )
    appraisal.recompute_figures(stations=[org["b"].pk])

    from casebook.staff import supervision_selectors as staff_sel
    from casebook.staff import supervision_services as staff

    supervisor_t = make_user(Role.SUPERVISOR, org["bureau"], real_name="本局督察员")
    summary_b = staff.summary_submit(
        actor=officer_b,
        period_start=staff_sel.open_period(staff_sel.cadence_for(officer_b.unit)).start,
        text="乙所工作总结正文",
    )
    inspection_b = staff.inspection_plan(
        actor=supervisor_t, station=org["b"], planned_for=timezone.localdate(), scope="乙所档案"
    )
    staff.inspection_record(
        actor=supervisor_t,
        inspection=inspection_b,
        conducted_on=timezone.localdate(),
        checked="乙所档案",
        conclusion="乙所结论",
        rating="adequate",
        findings=[
            {
                "text": "乙所督察发现问题",
                "owner": officer_b,
                "deadline": timezone.localdate() + timedelta(days=10),
            }
        ],
    )
    complaint_b = staff.complaint_register(
        actor=supervisor_t,
        officer=officer_b,
        received_on=timezone.localdate(),
        source="public",
        account="乙所投诉反映内容",
    )

    # the officer file and training (issue #16 part A): officer B's post, certificate (with
    # its scan) and commendation; a course of bureau T held at station B, with a handout
    from casebook.staff import services as staff_file

    staff_file.profile_set(
        actor=leader_b, officer=officer_b, post="community_officer", duties_note="乙所民警岗位职责"
    )
    staff_certificate_b = staff_file.certificate_add(
        actor=officer_b,
        officer=officer_b,
        name="乙所民警资格证书",
        issued_on=timezone.localdate() - timedelta(days=30),
        file_name="cert.png",
        file_data=_png(),
    )
    staff_file.conduct_add(
        actor=leader_b,
        officer=officer_b,
        kind="commendation",
        decided_on=timezone.localdate() - timedelta(days=3),
        reason="乙所民警嘉奖事由",
        decided_by="乙所党委",
    )
    course_t = staff_file.course_create(
        actor=leader_b, title="本局专用培训课程", category="law", hours="4"
    )
    session_t = staff_file.session_create(
        actor=leader_b,
        course=course_t,
        unit=org["b"],
        held_on=timezone.localdate() - timedelta(days=2),
        place="乙所会议室",
        trainer="李教官",
    )
    staff_file.attendance_record(actor=leader_b, session=session_t, officer=officer_b)
    material_t = staff_file.material_add(
        actor=leader_b, session=session_t, name="handout.png", data=_png()
    )

    # technical monitoring (issue #15): station B's camera at its place, a fence around it, an alert
    monitoring_b = geo_helpers.make_source(org["b"], leader_b, kind="video")
    monitoring_b.code = "walk-b-video"  # the ingestion address names the source by its code
    monitoring_b.save(update_fields=["code"])
    fence_b = geo_helpers.make_fence(org["b"], leader_b, name="乙所危化品围栏", place=place_b)
    binding_b = geo_helpers.bind(
        org["b"], leader_b, place_b, device_id="CAM-B1", source=monitoring_b, kind="camera"
    )
    alert_b = collapse(monitoring_b, [geo_helpers.video(monitoring_b, 1, device="CAM-B1")])[0]

    objects = {
        "summary_b": summary_b,
        "inspection_b": inspection_b,
        "staff_rectification_b": inspection_b.findings.get().rectification,
        "complaint_b": complaint_b,
        "staff_certificate_b": staff_certificate_b,
        "session_t": session_t,
        "material_t": material_t,
        "figure_b": FigureSnapshot.objects.filter(station=org["b"]).first(),
        "spotcheck_b": spotcheck_b,
        "spot_item_b": spotcheck_b.items.first(),
        "appraisal_b": appraisal_b,
        "opinion_b": opinion_b,
        "appraisal_measure_b": appraisal_measure_b,
        "category_change": CategoryChange.objects.get(status="pending"),
        "partner_t": partner_t,
        "contact_t": contact_t,
        "partner_link_b": partner_link_b,
        "import_b": import_b,
        "proposal_b": proposal_b,
        "retention_class_t": RetentionClass.objects.get(bureau=org["bureau"], code="standard"),
        "certificate_b": certificate_b,
        "hold_b": hold_b,
        "unit_b": org["b"],
        "officer_b": officer_b,
        "leader_b": leader_b,
        "token_b": _token,
        "grant_b": grant_b,
        "person_b": person_b,
        "place_b": place_b,
        "fence_b": fence_b,
        "binding_b": binding_b,
        "alert_b": alert_b,
        "monitoring_source_b": monitoring_b,
        "link_b": link_b,
        "task_b": task_b,
        "record_b": record_b,
        "attachment_b": attachment_b,
        "rectification_b": Rectification.objects.get(subject=place_b),
        "informant_b": informant_b,
        "tip_b": tip_b,
        "urgent_b": urgent_b,
        "feedback_b": feedback_b,
        "assessment_b": assessment_b,
        "measure_b": assessment_b.measures.get(),
        "shift_b": shift_b,
        "export_b": export_b,
        "periodic_b": PeriodicReport.objects.filter(station=org["b"]).first(),
        "warning_b": Warning.objects.filter(subject__station=org["b"]).first(),
        "notification_b": Notification.objects.filter(user=officer_b).first(),
        "person_category": category,
        "place_category": place_category,
        "checklist_item": items[-1],
        "factor": factor,
    }
    # bureau T's configuration carries names no other bureau's administrator may see
    Category.objects.filter(pk=place_category.pk).update(name="本局专用场所类别")
    RiskFactor.objects.filter(pk=factor.pk).update(name="本局专用风险")
    missing = [key for key, value in objects.items() if value is None]
    assert not missing, f"the walk's world lacks {missing}"
    assert isinstance(grant_b, GrantRequest) and grant_b.is_pending
    return objects


def url_for(name: str, route: Route, world: dict) -> str:
    kwargs = {
        key: (world[value[1:]].pk if str(value).startswith("@") else value)
        for key, value in route.params.items()
    }
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{route.query}" if route.query else url


def walked(world):
    """(name, route, url) for every pattern, in resolver order."""
    return [
        (name, ROUTES[name], url_for(name, ROUTES[name], world))
        for name, _params in url_patterns()
        if name in ROUTES and name not in SKIPPED
    ]


# --- what "nothing leaked, nothing written" means ------------------------------------------------

#: audited actions that a read appends (read logging, the audit admin's own viewing)
READ_ACTIONS = ("audit.view", "feedback.read")


def written() -> tuple:
    """A fingerprint of everything a write would change: every audited successful write and
    the row count of every model of ours outside the audit log."""
    writes = (
        AuditEvent.objects.filter(outcome="success")
        .exclude(action__startswith="read.")
        .exclude(action__in=READ_ACTIONS)
        .count()
    )
    counts = tuple(
        model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("audit", "sessions", "axes", "django_tasks_db")
        and model.__module__.startswith("casebook.")
    )
    return writes, counts


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def leaked(response, markers) -> list[str]:
    text = body(response)
    return [marker for marker in markers if marker in text]


def is_login_redirect(response, url) -> bool:
    return response.status_code == 302 and response.url.startswith("/accounts/login/?next=")


def has_object(route: Route) -> bool:
    return any(str(v).startswith("@") for v in route.params.values())


# --- the tests ---------------------------------------------------------------------------------


def test_every_url_is_in_the_walk():
    """A URL pattern the table does not know fails here, by name; so does a stale entry."""
    names = {name for name, _ in url_patterns()}
    for name in sorted(names - set(ROUTES) - SKIPPED):
        pytest.fail(f"new URL not covered by the permission walk: {name}")
    stale = sorted(set(ROUTES) - names)
    assert not stale, f"the permission walk lists URLs that no longer exist: {stale}"
    for name, params in url_patterns():
        if name in ROUTES:
            assert set(ROUTES[name].params) == set(params), f"{name}: parameters {params}"


@pytest.mark.django_db
def test_anonymous(world):
    """Pages send to the login, the API answers 401/403, nothing shows, nothing is written; the
    public pages answer without a login."""
    client = Client()
    problems = []
    for name, route, url in walked(world):
        response = client.get(url)
        if route.kind == PUBLIC:
            if (
                is_login_redirect(response, url)
                or response.status_code >= 500
                and name != "healthz"
            ):
                problems.append(f"{name}: public but answered {response.status_code}")
            continue
        if route.kind == API:
            if response.status_code not in (401, 403):
                problems.append(f"{name}: API answered {response.status_code} to anonymous")
        elif not is_login_redirect(response, url):
            problems.append(f"{name}: answered {response.status_code}, not the login")
        if leaked(response, CASE_MARKERS + ADMIN_MARKERS):
            problems.append(f"{name}: shows {leaked(response, CASE_MARKERS + ADMIN_MARKERS)}")
        before = written()
        posted = client.post(url, {})
        if 200 <= posted.status_code < 300 or written() != before:
            problems.append(f"{name}: anonymous POST answered {posted.status_code} or wrote")
        elif route.kind != API and not is_login_redirect(posted, url):
            problems.append(f"{name}: anonymous POST answered {posted.status_code}")
    assert not problems, "\n".join(problems)


def _walk_as(client, world, kinds, markers, *, object_statuses=(403, 404), post_self=False):
    """Call every route of ``kinds``: object routes must be refused with ``object_statuses``,
    other routes may answer but show none of ``markers``; a GET answered 405 is POSTed empty
    and must write nothing."""
    problems = []
    for name, route, url in walked(world):
        if route.kind not in kinds:
            continue
        response = client.get(url)
        status = response.status_code
        if status >= 500:
            problems.append(f"{name}: server error {status}")
        if has_object(route) and status not in (*object_statuses, 405):
            problems.append(f"{name}: answered {status} for another's object")
        if found := leaked(response, markers):
            problems.append(f"{name}: shows {found}")
        if status == 405 and (route.kind != SELF or has_object(route) or post_self):
            before = written()
            posted = client.post(url, {})
            refused = posted.status_code in object_statuses
            if (has_object(route) and not refused) or not 300 <= posted.status_code < 500:
                problems.append(f"{name}: POST answered {posted.status_code}")
            if written() != before:
                problems.append(f"{name}: POST by an outsider wrote something")
            if found := leaked(posted, markers):
                problems.append(f"{name}: POST shows {found}")
    return problems


def _client(user, token=False) -> Client:
    if token:
        TOTPDevice.objects.get_or_create(user=user, name="app", defaults={"confirmed": True})
        _t, key = api_token_create(actor=user, name="walk")
        return Client(HTTP_AUTHORIZATION=f"Token {key}")
    return login(Client(), user)


@pytest.mark.django_db
def test_officer_of_another_station(world, make_user, org):
    """Station A's officer (and leader) get 403/404 for each of station B's objects, on every
    page and API route, and see none of them in lists; the admin and audit pages refuse them."""
    problems = []
    officer = make_user(Role.TRACKING_OFFICER, org["a"])
    leader = make_user(Role.STATION_LEADER, org["a"])
    for user in (officer, leader):
        problems += _walk_as(_client(user), world, {CASE, API, SELF, ADMIN, AUDIT}, CASE_MARKERS)
    # the officer has no right to any admin or audit page at all
    client = _client(officer)
    for name, route, url in walked(world):
        if route.kind in (ADMIN, AUDIT):
            status = client.get(url).status_code
            if status not in (403, 404, 405):
                problems.append(f"{name}: an officer got {status} on an admin page")
    # the API with a token as well as with the session
    problems += _walk_as(_client(officer, token=True), world, {API}, CASE_MARKERS)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_users_without_the_right_see_no_case_data(world, make_user, org):
    """The audit and system administrators of this very bureau hold no case data (A3): every
    case page and API route refuses them or shows nothing of station B."""
    problems = []
    for role in (Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        user = make_user(role, org["bureau"])
        problems += [
            f"{role}: {p}" for p in _walk_as(_client(user), world, {CASE, API}, CASE_MARKERS)
        ]
    assert not problems, "\n".join(problems)


#: whose duty each bureau object's admin route is (SECURITY.md A3)
DUTY = {
    "accounts:unit_edit": Role.SYSTEM_ADMIN,
    "accounts:user_detail": Role.SYSTEM_ADMIN,
    "accounts:user_toggle_active": Role.SYSTEM_ADMIN,
    "accounts:user_credential_reset": Role.SYSTEM_ADMIN,
    "accounts:user_temporary_password": Role.SYSTEM_ADMIN,
    "accounts:grant_approve": Role.SECURITY_ADMIN,
    "accounts:grant_reject": Role.SECURITY_ADMIN,
    "accounts:grant_withdraw": Role.SYSTEM_ADMIN,
    # configuration belongs to the bureau (categories, checklists, risk factors)
    "subjects:category_edit": Role.SYSTEM_ADMIN,
    "subjects:checklist_add": Role.SYSTEM_ADMIN,
    "subjects:checklist_retire": Role.SYSTEM_ADMIN,
    "analysis:factor_add": Role.SYSTEM_ADMIN,
    "analysis:factor_retire": Role.SYSTEM_ADMIN,
    "retention:class_update": Role.SECURITY_ADMIN,
}


@pytest.mark.django_db
def test_administrators_of_another_bureau(world, make_user, org):
    """The system and security administrators of bureau O: this bureau's users, units and access
    requests answer 404 and none of their names shows anywhere; no case data either."""
    problems = []
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        user = make_user(role, org["other_bureau"])
        client = _client(user)
        problems += [
            f"{role}: {p}"
            for p in _walk_as(
                client, world, {CASE, API, SELF, AUDIT, BUREAU}, CASE_MARKERS + ADMIN_MARKERS
            )
        ]
        for name, route, url in walked(world):
            if route.kind != ADMIN:
                continue
            # this bureau's own objects: 404 for the administrator whose duty they are,
            # 403 (the role) or 404 for the other one; never the page
            expected = (404,) if DUTY.get(name) == role else (403, 404)
            response = client.get(url)
            status = response.status_code
            if has_object(route) and not route.global_object and status not in (*expected, 405):
                problems.append(f"{role}: {name} answered {status}, not {expected}")
            if status >= 500:
                problems.append(f"{role}: {name}: server error")
            if found := leaked(response, CASE_MARKERS + ADMIN_MARKERS):
                problems.append(f"{role}: {name} shows {found}")
            if status == 405 and not route.global_object:
                before = written()
                posted = client.post(url, {})
                if posted.status_code not in expected:
                    problems.append(f"{role}: {name} POST answered {posted.status_code}")
                if written() != before:
                    problems.append(f"{role}: {name} POST wrote something")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_another_bureau_sees_nothing_of_the_bureau_register(world, make_user, org):
    """The partner register is shared by the stations of one bureau: an officer and a leader of
    another bureau's station get 404 for its departments and see none of them in the list."""
    problems = []
    for role in (Role.TRACKING_OFFICER, Role.STATION_LEADER):
        user = make_user(role, org["c"])
        problems += [
            f"{role}: {p}"
            for p in _walk_as(_client(user), world, {BUREAU}, CASE_MARKERS + ADMIN_MARKERS)
        ]
    assert not problems, "\n".join(problems)
