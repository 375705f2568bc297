"""One helper runs a service from a web view and reports its refusal (core.actions.run_service)."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import translation

from casebook.core.actions import report_error, run_service


class NameForm(forms.Form):
    name = forms.CharField()
    note = forms.CharField(required=False)


class OtherForm(forms.Form):
    phone = forms.CharField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def _raises(exc):
    def service(**kwargs):
        raise exc

    return service


def test_success_returns_result_and_reports_message():
    request = _request()
    result = run_service(request, lambda *, x: x * 2, x=21, success="Done.")
    assert result == 42
    assert _messages(request) == [("success", "Done.")]


def test_success_message_may_depend_on_result_and_none_result_is_true():
    request = _request()
    assert run_service(request, lambda: None, success=lambda r: f"got {r}") is True
    assert _messages(request) == [("success", "got None")]


def test_validation_error_without_form_becomes_error_messages():
    request = _request()
    exc = ValidationError({"name": ["Too long."], "note": ["Bad note."]})
    assert run_service(request, _raises(exc), success="Done.") is None
    assert sorted(_messages(request)) == [("error", "Bad note."), ("error", "Too long.")]


def test_validation_error_goes_onto_form_fields():
    request = _request()
    form = NameForm({"name": "x"})
    assert form.is_valid()
    exc = ValidationError({"name": ["Already taken."], "elsewhere": ["Refused."]})
    assert run_service(request, _raises(exc), form=form, success="Done.") is None
    assert form.errors["name"] == ["Already taken."]
    assert form.non_field_errors() == ["Refused."]
    assert _messages(request) == []  # no success message, nothing else


def test_field_errors_go_to_the_form_holding_the_field():
    request = _request()
    first, second = NameForm({"name": "x"}), OtherForm({})
    first.is_valid(), second.is_valid()
    exc = ValidationError({"phone": ["Not a phone number."], "name": ["Taken."]})
    run_service(request, _raises(exc), form=[first, second])
    assert second.errors["phone"] == ["Not a phone number."]
    assert first.errors["name"] == ["Taken."]


def test_plain_validation_error_to_default_field():
    request = _request()
    form = NameForm({"name": "x"})
    form.is_valid()
    run_service(request, _raises(ValidationError("No.")), form=form, default_field="note")
    assert form.errors["note"] == ["No."]


@translation.override("en")
def test_permission_denied_reports_its_message_or_a_generic_one():
    request = _request()
    assert run_service(request, _raises(PermissionDenied("Only leaders may."))) is None
    assert run_service(request, _raises(PermissionDenied())) is None
    assert _messages(request) == [
        ("error", "Only leaders may."),
        ("error", "You are not allowed to do this."),
    ]


@translation.override("en")
def test_permission_denied_onto_form():
    request = _request()
    form = NameForm({"name": "x"})
    form.is_valid()
    run_service(request, _raises(PermissionDenied()), form=form)
    assert form.non_field_errors() == ["You are not allowed to do this."]


def test_passthrough_exceptions_reach_the_caller():
    class Special(ValidationError):
        pass

    request = _request()
    try:
        run_service(request, _raises(Special("x")), passthrough=(Special,))
    except Special:
        pass
    else:
        raise AssertionError("Special was swallowed")
    assert _messages(request) == []


def test_other_exceptions_are_not_swallowed():
    request = _request()
    try:
        run_service(request, _raises(KeyError("boom")))
    except KeyError:
        pass
    else:
        raise AssertionError("KeyError was swallowed")


def test_report_error_without_form():
    request = _request()
    report_error(request, ValidationError(["One.", "Two."]))
    assert _messages(request) == [("error", "One."), ("error", "Two.")]


def test_a_service_may_take_a_request_keyword_of_its_own():
    request = _request()
    assert run_service(request, lambda *, request: request, request="an access request") == (
        "an access request"
    )
