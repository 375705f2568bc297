"""The one way a web view runs a service on POST and reports how it went.

A service refuses with ``ValidationError`` (bad input, a broken rule) or ``PermissionDenied``
(not this user); either way it wrote nothing, because it runs in one transaction. The view
then shows the officer why: on the form it re-renders (field by field where the error names
fields) or, when the view redirects, as a message on the next page. Success becomes a message.

    task = run_service(request, services.task_create, actor=request.user, form=form,
                       success=_("Task created."), **form.cleaned_data)
    if task is not None:
        return redirect(task)
    return render(...)  # the form, with the service's errors on it
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def _forms(form) -> list:
    if form is None:
        return []
    if isinstance(form, (list, tuple)):
        return [f for f in form if f is not None]
    return [form]


def report_error(request, exc: Exception, form=None, default_field: str | None = None) -> None:
    """Show a service's refusal: on ``form`` (a form or a list of forms: a field error goes to
    the first form holding that field, the rest to the first form's non-field errors; a plain
    error to ``default_field`` when given) or, without a form, as error messages."""
    forms = _forms(form)
    if isinstance(exc, PermissionDenied):
        text = str(exc) or _("You are not allowed to do this.")
        if forms:
            forms[0].add_error(None, text)
        else:
            messages.error(request, text)
        return
    if not forms:
        for text in exc.messages:
            messages.error(request, text)
        return
    first = forms[0]
    if not hasattr(exc, "error_dict"):
        target = default_field if default_field in first.fields else None
        first.add_error(target, exc)
        return
    for field, errors in exc.error_dict.items():
        owner = next((f for f in forms if field in f.fields), None)
        for error in errors:
            if owner is None:
                first.add_error(None, error)
            else:
                owner.add_error(field, error)


def run_service(
    request,
    fn: Callable[..., Any],
    /,
    *args,
    success: str | Callable[[Any], str] | None = None,
    form=None,
    default_field: str | None = None,
    passthrough: Iterable[type[Exception]] = (),
    **kwargs,
):
    """Call ``fn(*args, **kwargs)`` and report its outcome to the officer.

    On ``ValidationError`` or ``PermissionDenied`` the error goes onto ``form`` (see
    :func:`report_error`) or into ``messages.error``, and None is returned. On success
    ``success`` (a text, or a function of the result giving one) becomes a success message and
    the service's result is returned — True when the service returns nothing, so that the
    caller can always test the outcome with ``is not None``. Exceptions listed in
    ``passthrough`` (subclasses the caller treats specially) are raised to the caller as they
    are. ``request`` and ``fn`` are positional only, so a service may take a ``request``
    keyword of its own (an access request, say)."""
    passthrough = tuple(passthrough)
    try:
        result = fn(*args, **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        if passthrough and isinstance(exc, passthrough):
            raise
        report_error(request, exc, form=form, default_field=default_field)
        return None
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    return True if result is None else result


def report_invalid(request, form, text: str | None = None) -> None:
    """An invalid form of a view that redirects rather than re-rendering: ``text`` as the error
    message when given, else each error as "Label: error"."""
    if text is not None:
        messages.error(request, text)
        return
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            messages.error(request, f"{field.label or name}: {error}" if field else error)


def submit(
    request,
    form,
    fn: Callable[..., Any],
    /,
    *,
    success: str | Callable[[Any], str] | None = None,
    invalid: str | None = None,
    fields: Iterable[str] | None = None,
    **kwargs,
):
    """The POST of a view that redirects afterwards: validate ``form``, run the service with
    its cleaned data, report the outcome as messages.

    An invalid form is reported with :func:`report_invalid` (``invalid`` as the one message
    when given) and the service is not called; a valid one calls ``fn(**cleaned_data,
    **kwargs)`` through :func:`run_service` — ``fields`` names the cleaned fields to pass when
    not all of them are the service's (``()``: none, a confirmation box). Returns the service's
    result (True for none), or None when the form or the service refused::

        submit(request, ReasonForm(request.POST), services.legal_hold_release,
               actor=request.user, hold=hold, success=_("Legal hold released."))
        return redirect("retention:index")
    """
    if not form.is_valid():
        report_invalid(request, form, invalid)
        return None
    data = form.cleaned_data
    if fields is not None:
        data = {name: data[name] for name in fields}
    return run_service(request, fn, success=success, **data, **kwargs)
