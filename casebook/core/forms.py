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


class IsoDateInput(forms.DateInput):
    """A date typed or picked as yyyy-mm-dd in every browser and language.

    A native ``<input type="date">`` shows the date in the browser's own locale (mm/dd/yyyy in
    an English Chromium, yyyy/mm/dd in a Chinese one); this is a text input with a pattern that
    always shows ISO, and ``static/js/casebook.js`` adds a calendar button that opens the
    browser's picker and writes the chosen date back as yyyy-mm-dd."""

    input_type = "text"
    iso_kind = "date"
    iso_format = "%Y-%m-%d"
    pattern = r"\d{4}-\d{2}-\d{2}"
    placeholder = "yyyy-mm-dd"

    def __init__(self, attrs=None):
        defaults = {
            "pattern": self.pattern,
            "placeholder": self.placeholder,
            "inputmode": "numeric",
            "autocomplete": "off",
            "data-iso": self.iso_kind,
        }
        super().__init__({**defaults, **(attrs or {})}, format=self.iso_format)


class IsoDateTimeInput(IsoDateInput, forms.DateTimeInput):
    """Date and time as yyyy-mm-dd hh:mm (24 h), with the same picker."""

    iso_kind = "datetime"
    iso_format = "%Y-%m-%d %H:%M"
    pattern = r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"
    placeholder = "yyyy-mm-dd hh:mm"
    format_key = "DATETIME_INPUT_FORMATS"
