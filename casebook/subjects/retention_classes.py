"""Which retention classes a category may name (``Category.retention_class``).

The classes and their periods belong to the retention app, which sits above subjects: it
registers, from its ``AppConfig.ready()``, a function returning the subject classes as
``[(code, label), …]`` (:func:`register_retention_classes`), so that a class added on the
retention page can be chosen for a category at once. Without a registration (retention not
installed) the three shipped classes apply."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import RetentionClass

_source: list[Callable[[], list[tuple[str, str]]]] = []


def register_retention_classes(source: Callable[[], list[tuple[str, str]]]) -> None:
    _source[:] = [source]


def retention_class_choices() -> list[tuple[str, str]]:
    if _source:
        return list(_source[0]())
    return [(c.value, str(c.label)) for c in RetentionClass]


def retention_class_label(code: str) -> str:
    return dict(retention_class_choices()).get(code, code)


def validate_retention_class(value: str) -> None:
    """A model-field validator: ``value`` must be one of the current subject classes."""
    if value not in dict(retention_class_choices()):
        raise ValidationError(
            _("“%(code)s” is not a retention class for subjects; choose one from the list."),
            code="unknown_retention_class",
            params={"code": value},
        )
