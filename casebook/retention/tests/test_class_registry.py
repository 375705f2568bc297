"""A retention class added on the retention side can be chosen for a category at once; a class
in use — by a category or by a category change awaiting approval — cannot be removed (issue
#14). ``subjects`` does not import ``retention``: the classes reach it through
``subjects.retention_classes``, filled in from retention's ``AppConfig.ready()``."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.retention import services
from casebook.retention.models import RetentionClass
from casebook.subjects.category_approval import category_change_decide
from casebook.subjects.category_services import category_save
from casebook.subjects.category_views import CategoryForm
from casebook.subjects.choices import ChangeStatus
from casebook.subjects.models import Category, CategoryChange
from casebook.subjects.retention_classes import retention_class_choices
from conftest import login

NEW = {
    "code": "juvenile_watch",
    "kind": "person",
    "name": "未成年帮教对象",
    "name_en": "Juvenile under guidance",
    "description": "",
    "legal_basis": "《中华人民共和国预防未成年人犯罪法》第四十一条",
    "review_cycle_days": 180,
    "visit_cycle_days": 30,
    "retention_class": "juvenile",
    "impact_assessment": "处理未成年人信息，限于帮教职责。",
    "is_active": True,
}


@pytest.fixture
def people(org, make_user):
    return {
        "secadmin": make_user(Role.SECURITY_ADMIN, org["bureau"], real_name="安全员"),
        "sysadmin": make_user(Role.SYSTEM_ADMIN, org["bureau"], real_name="系统管理员"),
        "bureau": make_user(Role.BUREAU_LEADER, org["bureau"], real_name="局领导"),
        "bureau2": make_user(Role.BUREAU_LEADER, org["bureau"], real_name="局领导二"),
    }


def _add_juvenile(people):
    return services.retention_class_create(
        actor=people["secadmin"], code="juvenile", name="未成年人", name_en="Juveniles", days=1095
    )


@pytest.mark.django_db
class TestRetentionClassRegistry:
    def test_a_new_class_can_be_chosen_for_a_category(self, people):
        assert "juvenile" not in dict(retention_class_choices(people["secadmin"].unit_id))
        with pytest.raises(ValidationError):  # not yet a class
            category_save(actor=people["sysadmin"], category=Category(), **NEW)
        assert not Category.objects.filter(code=NEW["code"]).exists()

        _add_juvenile(people)
        assert AuditEvent.objects.filter(action="retention.class_create", details__code="juvenile")
        form = CategoryForm(bureau_id=people["sysadmin"].unit_id)
        assert "juvenile" in dict(form.fields["retention_class"].choices)
        category = category_save(actor=people["sysadmin"], category=Category(), **NEW)
        change = CategoryChange.objects.get(category=category)
        category_change_decide(actor=people["bureau"], change=change, approve=True)
        category.refresh_from_db()
        assert category.retention_class == "juvenile"
        assert category.get_retention_class_display() == "未成年人"

    def test_only_subject_classes_and_known_codes_are_accepted(self, people):
        monitoring = RetentionClass.objects.filter(scope="monitoring").values_list(
            "code", flat=True
        )
        codes = dict(retention_class_choices(people["secadmin"].unit_id))
        assert codes and not set(monitoring) & set(codes)
        category = Category.objects.filter(kind="person").first()
        for bad in ["nonexistent", *monitoring]:
            category.retention_class = bad
            with pytest.raises(ValidationError) as exc:
                category.full_clean()
            assert "retention_class" in exc.value.message_dict

    def test_bad_input_and_wrong_role_write_nothing(self, people):
        with pytest.raises(PermissionDenied):
            services.retention_class_create(
                actor=people["sysadmin"], code="juvenile", name="x", name_en="x", days=400
            )
        for code, name, days in [("Bad Code", "x", 400), ("standard", "x", 400), ("ok", "", 400)]:
            with pytest.raises(ValidationError):
                services.retention_class_create(
                    actor=people["secadmin"], code=code, name=name, name_en="", days=days
                )
        with pytest.raises(ValidationError):
            services.retention_class_create(
                actor=people["secadmin"], code="short2", name="x", name_en="", days=10
            )
        assert not RetentionClass.objects.filter(code__in=["juvenile", "ok", "short2"]).exists()

    def test_a_class_in_use_cannot_be_removed(self, people):
        juvenile = _add_juvenile(people)
        category = category_save(actor=people["sysadmin"], category=Category(), **NEW)
        # awaiting approval already counts: the approval would otherwise name a missing class
        with pytest.raises(ValidationError, match="in use"), translation.override("en"):
            services.retention_class_delete(actor=people["secadmin"], retention_class=juvenile)
        change = CategoryChange.objects.get(category=category, status=ChangeStatus.PENDING)
        category_change_decide(actor=people["bureau"], change=change, approve=True)
        with pytest.raises(ValidationError, match="in use"), translation.override("en"):
            services.retention_class_delete(actor=people["secadmin"], retention_class=juvenile)
        assert RetentionClass.objects.filter(code="juvenile").exists()

        unused = services.retention_class_create(
            actor=people["secadmin"], code="spare", name="备用", name_en="Spare", days=400
        )
        services.retention_class_delete(actor=people["secadmin"], retention_class=unused)
        assert not RetentionClass.objects.filter(code="spare").exists()
        assert "spare" not in dict(retention_class_choices(people["secadmin"].unit_id))


@pytest.mark.django_db
def test_class_added_on_the_retention_page(people, crew):
    client = login(Client(), people["secadmin"])
    assert 'data-testid="class-add"' in client.get("/retention/").content.decode()
    data = {"code": "juvenile", "name": "未成年人", "name_en": "Juveniles", "days": "1095"}
    assert client.post("/retention/classes/new/", data).status_code == 302
    assert RetentionClass.objects.get(bureau=people["secadmin"].unit, code="juvenile").days == 1095
    assert "juvenile" in dict(
        CategoryForm(bureau_id=people["sysadmin"].unit_id).fields["retention_class"].choices
    )
    # bad input: nothing written; a leader may not add one
    client.post("/retention/classes/new/", {**data, "code": "other", "days": "5"})
    assert not RetentionClass.objects.filter(code="other").exists()
    leader = login(Client(), crew["leader"])
    assert 'data-testid="class-add"' not in leader.get("/retention/").content.decode()
    assert leader.post("/retention/classes/new/", {**data, "code": "x2"}).status_code == 403
    assert not RetentionClass.objects.filter(code="x2").exists()
