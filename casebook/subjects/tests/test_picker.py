"""Subject pickers (issue #13): the search endpoint behind them offers only what the user may
see, at most 20, and logs one read without the text searched; the widget renders no list of
subjects, only the chosen ones, looked up through the field's scoped queryset."""

import json
import re

import pytest
from django import forms

from casebook.accounts.models import Compartment
from casebook.audit.models import AuditEvent
from casebook.subjects.models import Subject
from casebook.subjects.selectors import visible_subjects
from casebook.subjects.tests.conftest import make_id
from casebook.subjects.widgets import SubjectPicker
from conftest import login

pytestmark = pytest.mark.django_db

PICK = "/subjects/pick/"


def client_of(user):
    from django.test import Client

    return login(Client(), user)


def picked(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-pick="(\d+)"', response.content.decode())]


def search_events():
    return AuditEvent.objects.filter(action__in=["read.search", "read.subject_list"])


class TestPickEndpoint:
    def test_offers_only_subjects_in_scope(self, people, make_person):
        mine = make_person("张三丰", id_number=make_id(seq="401"))
        other_station = make_person("张三丰", station="b", id_number=make_id(seq="402"))
        informants = Compartment.objects.get(code="informants")
        people["leader_a"].compartments.add(informants)
        people["leader_a"].__dict__.pop("compartment_codes", None)
        secret = make_person("张三丰", compartments=[informants], id_number=make_id(seq="403"))

        found = picked(client_of(people["officer_a"]).get(PICK, {"q": "张三"}))

        assert found == [mine.pk]
        assert other_station.pk not in found and secret.pk not in found

    def test_pinyin_initials_and_exact_id_number(self, people, make_person):
        target = make_person("张三丰", id_number=make_id(seq="411"))
        make_person("李四", id_number=make_id(seq="412"))
        officer = client_of(people["officer_a"])
        assert picked(officer.get(PICK, {"q": "zsf"})) == [target.pk]
        assert picked(officer.get(PICK, {"q": make_id(seq="411")})) == [target.pk]
        assert picked(officer.get(PICK, {"q": "王五"})) == []

    def test_kind_and_station_narrow_the_search(self, people, make_person, make_place, org):
        person = make_person("金色张三", id_number=make_id(seq="421"))
        place = make_place("金色年华KTV")
        bureau = client_of(people["bureau"])
        make_person("金色李四", station="b", actor=people["leader_b"], id_number=make_id(seq="422"))
        assert set(picked(bureau.get(PICK, {"q": "金色", "kind": "place"}))) == {place.pk}
        assert set(picked(bureau.get(PICK, {"q": "金色", "station": org["a"].pk}))) == {
            person.pk,
            place.pk,
        }
        assert len(picked(bureau.get(PICK, {"q": "金色"}))) == 3

    def test_caps_at_twenty_and_says_there_are_more(self, people, make_person):
        for n in range(23):
            make_person(f"赵六{n:02d}", id_number=make_id(seq=f"{500 + n}"))
        response = client_of(people["officer_a"]).get(PICK, {"q": "赵六"})
        assert len(picked(response)) == 20
        assert "narrow the search" in response.content.decode() or "缩小" in (
            response.content.decode()
        )

    def test_logs_one_read_without_the_text_searched(self, people, make_person):
        id_number = make_id(seq="431")
        target = make_person("钱七", id_number=id_number)
        officer = client_of(people["officer_a"])
        before = search_events().count()

        assert picked(officer.get(PICK, {"q": id_number})) == [target.pk]

        assert search_events().count() == before + 1
        event = search_events().latest("seq")
        assert event.action == "read.search"
        assert event.actor_id == people["officer_a"].pk
        assert event.details["ids"] == [str(target.pk)]
        assert event.details["search"]["kind"] == "id_number"
        assert id_number not in json.dumps(event.details, ensure_ascii=False)
        officer.get(PICK, {"q": "钱七"})
        assert "钱七" not in json.dumps(search_events().latest("seq").details, ensure_ascii=False)

    def test_empty_query_offers_only_own_subjects(self, people, make_person):
        own = [
            make_person(
                f"孙八{n}", officers=[people["officer_a"]], id_number=make_id(seq=f"{440 + n}")
            )
            for n in range(12)
        ]
        make_person("周九", officers=[people["officer_a2"]], id_number=make_id(seq="459"))
        found = picked(client_of(people["officer_a"]).get(PICK))
        assert len(found) == 10
        assert set(found) <= {s.pk for s in own}

    def test_login_and_a_case_role_required(self, people, make_person):
        from django.test import Client

        make_person("张三丰", id_number=make_id(seq="461"))
        anonymous = Client().get(PICK, {"q": "张三"})
        assert anonymous.status_code == 302 and "张三" not in anonymous.content.decode()
        admin = client_of(people["sysadmin"]).get(PICK, {"q": "张三"})
        assert admin.status_code == 403 and "张三丰" not in admin.content.decode()
        assert client_of(people["officer_a"]).post(PICK, {"q": "张三"}).status_code == 405


class PickerForm(forms.Form):
    subjects = forms.ModelMultipleChoiceField(queryset=None, widget=SubjectPicker())
    target = forms.ModelChoiceField(
        queryset=None, required=False, widget=SubjectPicker(multiple=False)
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = visible_subjects(user)
        self.fields["target"].queryset = visible_subjects(user)


class TestWidget:
    def test_renders_no_list_of_subjects(self, people, make_person, django_assert_max_num_queries):
        for n in range(5):
            make_person(f"吴{n}", id_number=make_id(seq=f"47{n}"))
        form = PickerForm(user=people["officer_a"])
        with django_assert_max_num_queries(0):
            html = str(form["subjects"]) + str(form["target"])
        assert "<option" not in html and "<select" not in html and "吴" not in html
        assert 'hx-get="/subjects/pick/?name=subjects"' in html
        assert 'hx-get="/subjects/pick/?name=target&amp;single=1"' in html

    def test_rerender_shows_chosen_in_scope_only(self, people, make_person):
        a = make_person("郑十", id_number=make_id(seq="481"))
        b = make_person("冯十一", id_number=make_id(seq="482"))
        foreign = make_person("陈十二", station="b", id_number=make_id(seq="483"))
        form = PickerForm(
            {"subjects": [str(b.pk), str(a.pk)], "target": str(foreign.pk)},
            user=people["officer_a"],
        )
        assert not form.is_valid()
        assert "target" in form.errors
        html = str(form["subjects"]) + str(form["target"])
        assert html.index("冯十一") < html.index("郑十")  # the order chosen
        assert f'<input type="hidden" name="subjects" value="{a.pk}">' in html
        assert "陈十二" not in html and f'value="{foreign.pk}"' not in html

    def test_out_of_scope_pk_refused_like_a_select(self, people, make_person):
        foreign = make_person("陈十二", station="b", id_number=make_id(seq="491"))
        form = PickerForm({"subjects": [str(foreign.pk)]}, user=people["officer_a"])
        assert not form.is_valid()
        assert form.errors["subjects"][0].startswith(("Select a valid choice", "选择一个有效的"))
        assert Subject.objects.filter(pk=foreign.pk).exists()
