"""core.forms.IdListField: whole positive ids or an error, never a silent drop."""

import pytest
from django import forms

from casebook.core.api import MAX_ID
from casebook.core.forms import IdListField


class IdsForm(forms.Form):
    ids = IdListField(max_items=3)


def _clean(values):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.setlist("ids", values)
    form = IdsForm(data)
    return form.is_valid(), form.cleaned_data.get("ids")


def test_ids_are_whole_numbers_without_repeats():
    assert _clean(["3", "1", "3"]) == (True, [3, 1])
    assert _clean([]) == (True, [])


@pytest.mark.parametrize(
    "values", [["1", "x"], ["-1"], ["0"], ["1.5"], [str(MAX_ID + 1)], ["1", "2", "3", "4"]]
)
def test_anything_else_is_an_error(values):
    assert _clean(values) == (False, None)
