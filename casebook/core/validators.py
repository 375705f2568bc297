"""Validators of free text, names and dates shared by every app's services, forms and serializers.

- Names (of persons, aliases, units, users, informants) must not hide characters: bidirectional
  controls can make ``张三‮cod.exe`` display as something else, and zero-width characters make
  two names that look identical compare different (a duplicate check or a search misses them).
- Free text has a ceiling (MAX_TEXT_LENGTH) with a clear message, instead of whatever the
  database or the browser happens to accept.
- Dates of events and approvals lie between 1900 and today.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

#: Longest note, description or record text accepted.
MAX_TEXT_LENGTH = 5000
#: Earliest plausible date of an approval, an event or a record.
EARLIEST_DATE = date(1900, 1, 1)

#: Bidirectional controls (U+200E/F, U+202A–U+202E, U+2066–U+2069) and zero-width characters
#: (U+200B–U+200D, U+2060, U+FEFF).
HIDDEN_CHARACTERS = frozenset(
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u200b\u200c\u200d\u2060\ufeff"
)


def validate_plain_name(value: str) -> None:
    """Refuse a name that holds bidirectional controls or zero-width characters."""
    if value and any(ch in HIDDEN_CHARACTERS for ch in str(value)):
        raise ValidationError(
            _("The name contains invisible or text-direction characters; type it again."),
            code="hidden_characters",
        )


def validate_text_length(value: str, limit: int = MAX_TEXT_LENGTH) -> None:
    if value and len(str(value)) > limit:
        raise ValidationError(
            _("At most %(limit)s characters (this text has %(length)s).")
            % {"limit": limit, "length": len(str(value))},
            code="too_long",
        )


def validate_plausible_date(value, *, allow_future: bool = False) -> None:
    """Refuse dates before 1900 and, unless allowed, after today (local time)."""
    if value is None:
        return
    day = timezone.localtime(value).date() if hasattr(value, "hour") else value
    if day < EARLIEST_DATE:
        raise ValidationError(
            _("The date is before %(year)s.") % {"year": EARLIEST_DATE.year}, code="too_early"
        )
    if not allow_future and day > timezone.localdate():
        raise ValidationError(_("The date is in the future."), code="in_future")


def collect(errors: dict, field: str, check, *args, **kwargs) -> None:
    """Run a validator and add its message to ``errors[field]`` instead of raising."""
    try:
        check(*args, **kwargs)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
