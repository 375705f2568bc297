"""Finding things (issue #18 item 4): the picker tells two subjects of the same name apart by
category, station and masked identifier, in its results and in the chosen chips, and never
shows the whole identifier; the informants page is in the menu of those who may open it."""

import re

import pytest
from django import forms
from django.test import Client

from casebook.subjects.selectors import visible_subjects
from casebook.subjects.tests.conftest import make_id
from casebook.subjects.widgets import SubjectPicker
from conftest import login

pytestmark = pytest.mark.django_db


def results(client, q):
    body = client.get("/subjects/pick/", {"q": q}).content.decode()
    return re.findall(r'data-pick="(\d+)".*?data-pick-identity>(.*?)</span></button>', body)


def test_namesakes_are_told_apart(people, make_person):
    first = make_person("李同名", id_number=make_id(seq="501"))
    second = make_person("李同名", id_number=make_id(region="330108", seq="502"))
    rows = dict(results(login(Client(), people["leader_a"]), "李同名"))
    assert set(rows) == {str(first.pk), str(second.pk)}
    one, two = rows[str(first.pk)], rows[str(second.pk)]
    assert one != two
    for subject in (first, second):
        text = rows[str(subject.pk)]
        assert subject.category.label in text and subject.station.name in text
        assert subject.identifiers.get(kind="id_number").masked in text
        assert subject.person.id_number not in text  # masked, never whole


def test_chips_show_the_identity_of_the_chosen(people, make_person):
    chosen = make_person("王芯片", id_number=make_id(seq="503"))

    class F(forms.Form):
        subjects = forms.ModelMultipleChoiceField(queryset=None, widget=SubjectPicker())

    form = F(data={"subjects": [str(chosen.pk)]})
    form.fields["subjects"].queryset = visible_subjects(people["officer_a"])
    html = str(form["subjects"])
    masked = chosen.identifiers.get(kind="id_number").masked
    assert masked in html and chosen.station.name in html
    assert make_id(seq="503") not in html


@pytest.mark.parametrize(
    ("who", "shown"),
    [("officer_a", True), ("leader_a", True), ("bureau", False), ("sysadmin", False)],
)
def test_informants_in_the_menu_of_those_who_may_open_it(people, who, shown):
    client = login(Client(), people[who])
    home = client.get("/").content.decode()
    assert ('href="/informants/"' in home) is shown
    status = client.get("/informants/").status_code
    assert (status == 200) is shown
