"""Administration of the category taxonomy (configuration, the system administrator's duty).
A category must state its legal basis, citing a law or regulation; one in use cannot change its
kind; one without an impact statement cannot be active; every new or changed category waits
for a bureau leader's approval (``category_approval``)."""

from importlib import import_module

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casebook.access.policy import Action, check, require
from casebook.audit.services import changes, record_event

from .category_approval import propose, validate_activation, validate_legal_basis
from .models import Category, ChecklistItem

CATEGORY_FIELDS = (
    "code",
    "kind",
    "name",
    "name_en",
    "description",
    "legal_basis",
    "review_cycle_days",
    "visit_cycle_days",
    "retention_class",
    "impact_assessment",
    "is_active",
)


def _validate(category: Category) -> None:
    errors = {}
    if not (category.legal_basis or "").strip():
        errors["legal_basis"] = [_("A category must state its legal basis.")]
    if not 1 <= (category.review_cycle_days or 0) <= 3650:
        errors["review_cycle_days"] = [_("Between 1 and 3650 days.")]
    if not 1 <= (category.visit_cycle_days or 0) <= 3650:
        errors["visit_cycle_days"] = [_("Between 1 and 3650 days.")]
    if errors:
        raise ValidationError(errors)
    category.full_clean()


@transaction.atomic
def category_save(*, actor, category: Category, **fields) -> Category:
    """Create or change a category of the administrator's own bureau (a new one belongs to it;
    another bureau's is refused)."""
    require(actor, Action.CATEGORY_MANAGE)
    creating = category.pk is None
    if creating:
        category.bureau = actor.unit.bureau
    else:
        check(actor, Action.CATEGORY_MANAGE, category)
    before = (
        {}
        if creating
        else {f: getattr(Category.objects.get(pk=category.pk), f) for f in CATEGORY_FIELDS}
    )
    for key, value in fields.items():
        if key not in CATEGORY_FIELDS:
            raise ValueError(key)
        setattr(category, key, value.strip() if isinstance(value, str) else value)
    if not creating and before["kind"] != category.kind and category.subjects.exists():
        raise ValidationError({"kind": [_("The category is in use: its kind cannot change.")]})
    _validate(category)
    values = {f: getattr(category, f) for f in CATEGORY_FIELDS}
    validate_legal_basis(category.legal_basis)
    validate_activation(values)
    # signed off by a bureau leader before it takes effect (issue #14 item 9): a new category
    # is saved inactive, a changed one keeps its approved values until then
    if creating:
        category.is_active = False
        category.save()
    change = propose(actor=actor, category=category, creating=creating, values=values)
    diff = changes(before, values)
    record_event(
        actor=actor,
        action="category.create" if creating else "category.update",
        obj=category,
        details={**diff, "pending_change": change.pk},
    )
    return category


@transaction.atomic
def checklist_item_add(
    *, actor, category: Category, section: str, text: str, text_en: str
) -> ChecklistItem:
    check(actor, Action.CATEGORY_MANAGE, category)
    if category.kind != "place":
        raise ValidationError(_("Only place categories have inspection checklists."))
    if not section.strip() or not text.strip():
        raise ValidationError({"text": [_("Give the section and the inspection point.")]})
    order = (category.checklist.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    item = ChecklistItem.objects.create(
        category=category,
        section=section.strip(),
        text=text.strip(),
        text_en=text_en.strip() or text,
        order=order,
    )
    record_event(
        actor=actor, action="category.checklist", obj=category, details={"added": item.text}
    )
    return item


@transaction.atomic
def checklist_item_retire(*, actor, item: ChecklistItem) -> None:
    """Take a point out of future inspections; past inspections keep referring to it."""
    check(actor, Action.CATEGORY_MANAGE, item)
    item.is_active = False
    item.save(update_fields=["is_active"])
    record_event(
        actor=actor, action="category.checklist", obj=item.category, details={"retired": item.text}
    )


def bureau_setup(bureau) -> None:
    """A new bureau's categories: the unowned ones a fresh installation ships (with their
    checklists), else none — its system administrator configures its own."""
    Category.objects.filter(bureau__isnull=True).update(bureau=bureau)


def install_shipped(bureau) -> int:
    """Give ``bureau`` the categories Casebook ships (with their checklists) when it has none:
    the demo bureau's configuration when it was not the installation's first bureau. Returns
    how many categories were created."""
    if Category.objects.filter(bureau=bureau).exists():
        return 0
    shipped = import_module("casebook.subjects.migrations.0002_default_categories")
    for code, kind, name, name_en, basis, review, visit, retention, desc in shipped.CATEGORIES:
        category = Category.objects.create(
            bureau=bureau,
            code=code,
            kind=kind,
            name=name,
            name_en=name_en,
            legal_basis=basis,
            review_cycle_days=review,
            visit_cycle_days=visit,
            retention_class=retention,
            description=desc,
            impact_assessment=shipped.IMPACT.get(code, ""),
        )
        for order, (section, text, text_en) in enumerate(shipped.CHECKLISTS.get(code, []), 1):
            ChecklistItem.objects.create(
                category=category, section=section, text=text, text_en=text_en, order=order
            )
    return len(shipped.CATEGORIES)
