"""Form helpers shared by every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .api import MAX_ID


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


class IdListField(forms.Field):
    """Several object ids sent under one name (checkboxes, hidden inputs): whole positive
    numbers, else an error — never a silent drop. The view still looks each id up in the
    user's scope; an unknown one simply matches nothing."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Enter a whole number.")}

    def __init__(self, *, max_items: int = 1000, **kwargs):
        kwargs.setdefault("required", False)
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, "", [], ()):
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        if len(values) > self.max_items:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        ids = []
        for item in values:
            text = str(item).strip()
            if not text.isdigit() or not 0 < int(text) <= MAX_ID:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        return list(dict.fromkeys(ids))
