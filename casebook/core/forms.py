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
