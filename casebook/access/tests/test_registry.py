"""The one queryset API: ``Model.objects.restrict(user, action)`` by rules each app registers,
``get_for_user_or_404``, EXISTS instead of DISTINCT, and ``access`` importing no app above it."""

import ast
import contextlib
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone
from stdnum.cn import ric

from casebook.access import policy, registry
from casebook.access.policy import Action
from casebook.access.querysets import RestrictedQuerySet
from casebook.access.registry import NotRegistered, UnsupportedAction, get_for_user_or_404
from casebook.accounts.models import Compartment
from casebook.accounts.roles import Role
from casebook.core.choices import Classification
from casebook.intel.models import Informant, InformationRecord, Tip
from casebook.intel.services import informant_register, record_create, tip_submit
from casebook.reports.models import FeedbackReport, PeriodicReport, UrgentReport
from casebook.subjects.models import Category, Identifier, PersonDetail, Subject
from casebook.subjects.services import subject_create
from casebook.tracking.models import Task, TaskDeadline
from casebook.tracking.services import task_create

ACCESS_DIR = Path(__file__).resolve().parent.parent

#: Models the apps must register (one rule each); the list grows with the apps.
EXPECTED = {
    "subjects.Subject",
    "subjects.Identifier",
    "subjects.PersonDetail",
    "subjects.Association",
    "tracking.Task",
    "tracking.TaskDeadline",
    "tracking.TaskComment",
    "intel.InformationRecord",
    "intel.Attachment",
    "intel.Informant",
    "intel.Tip",
    "analysis.RiskAssessment",
    "analysis.Warning",
    "reports.FeedbackReport",
    "reports.UrgentReport",
    "reports.Export",
    "reports.PeriodicReport",
}


def test_every_app_registers_its_models():
    labels = {m._meta.label for m in registry.registered_models()}
    assert labels >= EXPECTED


def make_id(seq: str) -> str:
    body = f"33010619850317{seq}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def cast(org, make_user):
    """Station A's leader, officer and analyst; an officer and a leader of station B."""
    return {
        "leader": make_user(Role.STATION_LEADER, org["a"]),
        "officer": make_user(Role.TRACKING_OFFICER, org["a"]),
        "analyst": make_user(Role.ANALYST, org["a"]),
        "other": make_user(Role.TRACKING_OFFICER, org["b"]),
        "other_leader": make_user(Role.STATION_LEADER, org["b"]),
        "bureau": make_user(Role.BUREAU_LEADER, org["bureau"]),
    }


def _person(org, cast, name, seq, **extra):
    return subject_create(
        actor=cast["leader"],
        kind="person",
        category=Category.objects.get(code="threat_of_violence"),
        name=name,
        station=org["a"],
        legal_basis_ref="江公(城)立字〔2026〕12号",
        approved_by=cast["leader"],
        approved_on=date(2026, 1, 1),
        officers=[cast["officer"]],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq)},
        **extra,
    )


@pytest.fixture
def person(org, cast):
    return _person(org, cast, "赵某某", "517")


@pytest.fixture
def world(org, cast, person, make_user):
    """Station A's data: a person with a task and a record; an informant and a tip addressed to
    station A."""
    task = task_create(
        actor=cast["leader"],
        title="核查近期动向",
        station=org["a"],
        lead=cast["officer"],
        subjects=[person],
    )
    record_create(
        actor=cast["officer"],
        subjects=[person],
        method="field_visit",
        channel="own",
        occurred_at=timezone.now(),
        content="走访见本人在家",
        source_evaluation="A",
        info_assessment="1",
        handling="P",
        task=task,
    )
    informants = Compartment.objects.get(code="informants")
    leader = make_user(Role.STATION_LEADER, org["a"], compartments=[informants])
    informant_register(actor=leader, handler=cast["officer"], real_name="耳目甲")
    tip_submit(ip="10.0.0.9", what="楼下有人聚集，疑似打架", station=org["a"])
    return {"task": task, "leader": leader}


#: Rows of a bureau's administration and configuration, not case data: seen inside the bureau
#: by those whose duty they are (and categories by its stations), never by another bureau.
ADMINISTRATION = {
    "core.Unit",
    "accounts.User",
    "accounts.GrantRequest",
    "accounts.RolePolicy",
    "subjects.Category",
    "subjects.ChecklistItem",
    "analysis.RiskFactor",
    "analysis.WarningRule",
    "tracking.DeadlineRule",
}

OUTSIDERS = [
    ("other bureau's station leader", Role.STATION_LEADER, "c"),
    ("other bureau's bureau leader", Role.BUREAU_LEADER, "other_bureau"),
    ("sibling station's officer", Role.TRACKING_OFFICER, "b"),
    ("sibling station's leader", Role.STATION_LEADER, "b"),
    ("system administrator", Role.SYSTEM_ADMIN, "bureau"),
    ("audit administrator", Role.AUDIT_ADMIN, "bureau"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "unit"), [o[1:] for o in OUTSIDERS], ids=[o[0] for o in OUTSIDERS]
)
def test_restrict_shows_an_outsider_nothing_on_every_registered_model(
    org, make_user, world, role, unit
):
    everything = Compartment.objects.all()
    outsider = make_user(role, org[unit], clearance=Classification.SECRET)
    outsider.compartments.set(everything)
    for model in registry.registered_models():
        if model._meta.label in ADMINISTRATION:
            continue  # a bureau's own users, units and configuration: tests/test_configuration_bureau.py
        qs = model._default_manager.all()
        assert list(qs.restrict(outsider)) == [], model._meta.label
        for action in (Action.SUBJECT_VIEW, Action.SUBJECT_EXPORT):
            with contextlib.suppress(UnsupportedAction):
                assert list(qs.restrict(outsider, action)) == [], (model._meta.label, action)


@pytest.mark.django_db
def test_the_rows_exist_and_the_station_sees_them(world, cast):
    """The outsider test above would prove nothing on empty tables."""
    leader = world["leader"]
    for model in (Subject, PersonDetail, Identifier, Task, TaskDeadline, InformationRecord):
        assert model.objects.restrict(leader).exists(), model._meta.label
    assert Informant.objects.restrict(leader).exists()
    assert Tip.objects.restrict(leader).exists()
    assert Informant.objects.restrict(leader, Action.INFORMANT_REVEAL).exists()
    assert not Informant.objects.restrict(cast["analyst"], Action.INFORMANT_REVEAL).exists()


@pytest.mark.django_db
def test_anonymous_and_disabled_users_get_nothing(world, cast):
    officer = cast["officer"]
    assert Subject.objects.restrict(officer).exists()
    assert not Subject.objects.restrict(AnonymousUser()).exists()
    assert not Task.objects.restrict(None).exists()
    officer.is_active = False
    assert not Subject.objects.restrict(officer).exists()
    assert not InformationRecord.objects.restrict(officer).exists()


@pytest.mark.django_db
def test_an_unregistered_model_refuses(cast):
    """Fail closed: a model without a rule cannot be restricted or checked, it raises."""
    officer = cast["officer"]
    with pytest.raises(NotRegistered):
        RestrictedQuerySet(model=Compartment).restrict(officer)
    with pytest.raises(NotRegistered):
        registry.restrict(officer, Compartment.objects.all(), Action.SUBJECT_VIEW)
    with pytest.raises(NotRegistered):
        get_for_user_or_404(officer, Compartment, pk=1)
    with pytest.raises(NotRegistered):
        policy.can(officer, Action.SUBJECT_VIEW, Compartment.objects.first())


@pytest.mark.django_db
def test_a_rule_refuses_an_action_it_does_not_answer(world, cast):
    with pytest.raises(UnsupportedAction):
        Task.objects.restrict(cast["officer"], Action.SUBJECT_EXPORT)
    with pytest.raises(UnsupportedAction):
        get_for_user_or_404(cast["officer"], Tip, Action.SUBJECT_VIEW, pk=1)


@pytest.mark.django_db
def test_get_for_user_or_404_answers_404_for_forbidden_and_missing_alike(world, cast, person):
    task = world["task"]
    record = InformationRecord.objects.filter(subjects=person).first()
    outsider = cast["other"]  # an officer of station B
    for model, obj in ((Subject, person), (Task, task), (InformationRecord, record)):
        missing = model.objects.order_by("-pk").first().pk + 1000
        for lookup in ({"pk": obj.pk}, {"pk": missing}, {"pk": "abc"}):
            with pytest.raises(Http404):
                get_for_user_or_404(outsider, model, **lookup)
        with pytest.raises(Http404):
            get_for_user_or_404(cast["officer"], model, pk=missing)
        assert get_for_user_or_404(cast["officer"], model, pk=obj.pk) == obj
        assert get_for_user_or_404(cast["officer"], model.objects.all(), pk=obj.pk) == obj


@pytest.mark.django_db
def test_restrict_agrees_with_can_on_subjects(org, make_user, cast, person):
    """The queryset side and the object side of the subject rule give the same answers, for
    classification, compartments, need-to-know and assignment."""
    informants = Compartment.objects.get(code="informants")
    cast["leader"].compartments.add(informants)
    cast["leader"] = type(cast["leader"]).objects.get(pk=cast["leader"].pk)
    secret = _person(
        org,
        cast,
        "钱某某",
        "518",
        classification=Classification.CONFIDENTIAL,
        compartments=[informants],
    )
    users = [
        *cast.values(),
        make_user(Role.STATION_LEADER, org["a"], compartments=[informants]),
        make_user(Role.TRACKING_OFFICER, org["a"], compartments=[informants]),
        make_user(Role.ANALYST, org["a"], clearance=Classification.INTERNAL),
        make_user(Role.SUPERVISOR, org["bureau"], compartments=[informants]),
    ]
    for user in users:
        for action in (Action.SUBJECT_VIEW, Action.SUBJECT_EDIT, Action.SUBJECT_EXPORT):
            for subject in (person, secret):
                listed = Subject.objects.restrict(user, action).filter(pk=subject.pk).exists()
                assert listed is policy.can(user, action, subject), (user, action, subject)
    # and the rule does hide: only the informant-cleared overseers see the secret person
    seeing = [u for u in users if Subject.objects.restrict(u).filter(pk=secret.pk).exists()]
    assert seeing == [users[0], users[6], users[9]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [Subject, Task, InformationRecord, FeedbackReport, UrgentReport, PeriodicReport]
)
def test_restrict_uses_exists_and_never_distinct(cast, model):
    """Bureau scale (issue #13): no join on a to-many relation, so no DISTINCT; the subject
    conditions are EXISTS / NOT EXISTS semi-joins."""
    officer = cast["officer"]  # not an oversight role: the need-to-know branch is in the SQL
    action = Action.STATION_DASHBOARD if model is PeriodicReport else None
    if model is PeriodicReport:
        officer = cast["leader"]
    sql = str(model.objects.restrict(officer, action).order_by("pk").query).upper()
    assert "DISTINCT" not in sql
    if model is not PeriodicReport:
        assert "EXISTS" in sql
    if model in (Task, InformationRecord):
        assert "NOT EXISTS" in sql
    # restrict() adds no join to the outer FROM: only the manager's own to-one joins (a model
    # that decrypts with its subject's data key selects it) may be there.
    own = str(model.objects.order_by("pk").query).upper().split(" ORDER BY ")[0]
    assert sql.split(" WHERE ")[0] == own.split(" WHERE ")[0], sql
    assert "INNER JOIN" not in own and all(
        '_ID" = ' in j for j in own.split(" LEFT OUTER JOIN ")[1:]
    ), own


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_access_imports_no_app_above_it():
    """``access`` sits just above core and accounts: it imports no casebook app above it, not
    even inside a function (the apps register into it)."""
    allowed = ("casebook.access", "casebook.core", "casebook.accounts")
    modules = [p for p in ACCESS_DIR.rglob("*.py") if "tests" not in p.parts]
    assert {p.name for p in modules} >= {"policy.py", "registry.py", "querysets.py"}
    for path in modules:
        for name in _imports(path):
            if name.startswith("casebook"):
                assert name.startswith(allowed), f"{path.name} imports {name}"
