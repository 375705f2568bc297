"""core.actions.submit: the POST of a redirecting view — form valid, service run, messages."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import translation

from casebook.core.actions import submit


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=20)
    confirm = forms.BooleanField(required=False)


def _request(data):
    request = RequestFactory().post("/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_a_valid_form_runs_the_service_with_its_data_and_the_extra_arguments():
    calls = []

    def service(**kwargs):
        calls.append(kwargs)
        return "done"

    request = _request({"reason": "ok"})
    result = submit(request, ReasonForm(request.POST), service, actor="me", success="Saved.")
    assert result == "done"
    assert calls == [{"reason": "ok", "confirm": False, "actor": "me"}]
    assert _messages(request) == [("success", "Saved.")]


def test_fields_chooses_what_the_service_gets():
    calls = []
    request = _request({"reason": "ok", "confirm": "on"})
    assert submit(
        request, ReasonForm(request.POST), lambda **k: calls.append(k), fields=(), actor="me"
    )
    assert calls == [{"actor": "me"}]  # None from the service: True, so the caller sees success


def test_an_invalid_form_reports_each_error_and_never_calls_the_service():
    calls = []
    request = _request({"reason": ""})
    with translation.override("en"):
        result = submit(request, ReasonForm(request.POST), lambda **k: calls.append(k), success="x")
    assert result is None and calls == []
    assert _messages(request) == [("error", "Reason: This field is required.")]
    request = _request({"reason": "x" * 30})
    submit(request, ReasonForm(request.POST), lambda **k: None, invalid="Give a short reason.")
    assert _messages(request) == [("error", "Give a short reason.")]


def test_a_refusing_service_becomes_an_error_message_and_no_success():
    def refuse(**kwargs):
        raise ValidationError("Not now.")

    request = _request({"reason": "ok"})
    assert submit(request, ReasonForm(request.POST), refuse, success="Saved.") is None
    assert _messages(request) == [("error", "Not now.")]

    def deny(**kwargs):
        raise PermissionDenied

    request = _request({"reason": "ok"})
    assert submit(request, ReasonForm(request.POST), deny, success="Saved.") is None
    assert [level for level, _text in _messages(request)] == ["error"]
