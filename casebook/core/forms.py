"""Form helpers shared by every app."""

from django.core.exceptions import ValidationError


def apply_validation_error(form, exc: ValidationError, default_field: str | None = None) -> None:
    """Put a service's ValidationError onto the form, field by field where it names fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(default_field if default_field in form.fields else None, exc)


def run_and_report(request, action, success: str, target):
    """Run a service call from a POST view: its ValidationError or PermissionDenied becomes an
    error message (nothing was written), success a success message; then redirect."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You are not allowed to do this."))
    else:
        messages.success(request, success)
    return redirect(target)


def submit_form(request, form, action, success: str):
    """Run a service with a bound, valid form: ``action(cleaned_data)``. A ValidationError goes
    onto the form (the page shows it again; nothing was written); success becomes a message.
    Returns what the service returned, or None when the form must be shown again."""
    from django.contrib import messages

    if not form.is_bound or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None
    messages.success(request, success)
    return result
