"""Which retention classes a category may name (``Category.retention_class``).

The classes and their periods belong to the retention app, which sits above subjects, and to
one bureau each: a category names a class by its code, resolved within the category's own
bureau. Retention registers, from its ``AppConfig.ready()``, a function giving a bureau's
subject classes as ``[(code, label), …]`` (:func:`register_retention_classes`), so that a
class added on the retention page can be chosen for the bureau's categories at once. Without a
registration (retention not installed) the three shipped classes apply."""

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import RetentionClass

#: ``source(bureau_id)``: the subject classes of that bureau (``None``: the unowned ones a fresh
#: installation ships, before its first bureau takes them)
Source = Callable[[int | None], list[tuple[str, str]]]
_source: list[Source] = []

CODE = re.compile(r"[a-z][a-z0-9_-]{1,15}")


def register_retention_classes(source: Source) -> None:
    _source[:] = [source]


def retention_class_choices(bureau_id: int | None) -> list[tuple[str, str]]:
    """The subject classes of the bureau ``bureau_id`` as ``[(code, label), …]``."""
    if _source:
        return list(_source[0](bureau_id))
    return [(c.value, str(c.label)) for c in RetentionClass]


def retention_class_label(code: str, bureau_id: int | None) -> str:
    return dict(retention_class_choices(bureau_id)).get(code, code)


def validate_retention_class(value: str) -> None:
    """A model-field validator: ``value`` has the form of a class code. Whether the category's
    bureau has such a subject class is checked by ``Category.clean`` (:func:`check_in_bureau`),
    which knows the bureau."""
    if not CODE.fullmatch(value or ""):
        raise ValidationError(
            _("“%(code)s” is not a retention class for subjects; choose one from the list."),
            code="unknown_retention_class",
            params={"code": value},
        )


def check_in_bureau(value: str, bureau_id: int | None) -> None:
    """``value`` must be one of the current subject classes of the bureau ``bureau_id``."""
    if value not in dict(retention_class_choices(bureau_id)):
        raise ValidationError(
            {
                "retention_class": ValidationError(
                    _(
                        "“%(code)s” is not a retention class for subjects; choose one from the list."
                    ),
                    code="unknown_retention_class",
                    params={"code": value},
                )
            }
        )
