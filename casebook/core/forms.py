"""Form fields shared by every app. (A service's errors reach a form through
``core.actions.run_service``.)"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .api import MAX_ID


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
