"""The registry of access rules: one rule per model, registered by the app that owns the model.

``access`` knows no app above it. Each app describes, in its own ``access.py``, how the rows of
its models are restricted for a user and an action, and registers that rule from its
``AppConfig.ready()``. Every read then goes through one door::

    Subject.objects.restrict(user, Action.SUBJECT_VIEW)
    get_for_user_or_404(user, Task, pk=pk)

A rule turns ``(user, action)`` into a filter made of plain conditions and ``EXISTS`` /
``NOT EXISTS`` semi-joins — never a join on a to-many relation, so never ``DISTINCT``: lists
paginate from an index (issue #13). A model without a rule refuses (fail closed).
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from casebook.accounts.roles import OVERSIGHT_ROLES, Role

from .policy import (
    NEED_TO_KNOW_FROM,
    AccessPaths,
    Action,
    Reach,
    install_instance_judge,
    reach,
    scope_allows,
    station_ids,
)


class NotRegistered(LookupError):
    """The model has no access rule: its rows are not shown to anyone through ``restrict``."""


class UnsupportedAction(ValueError):
    """The model's rule does not answer this action (a programming error: refuse, never guess)."""


def is_active_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


class Rule:
    """How the rows of one model are restricted. Subclasses implement :meth:`filter`.

    ``actions``: the actions this rule answers (``None``: any :class:`Action`);
    ``default_action``: the one ``restrict(user)`` uses when none is given.
    """

    default_action: Action = Action.SUBJECT_VIEW
    actions: frozenset | None = None
    model: type[Model] | None = None  # set by :func:`register`

    def bind(self, model: type[Model]) -> None:
        self.model = model

    def accepts(self, action) -> Action:
        action = Action(action)
        if self.actions is not None and action not in self.actions:
            name = self.model._meta.label if self.model else type(self).__name__
            raise UnsupportedAction(f"{name}: no access rule for {action}")
        return action

    def filter(self, user, action: Action) -> Q | None:
        """The condition on this model's rows for an active user, or None for no rows."""
        raise NotImplementedError

    def allows(self, user, action: Action, obj) -> bool:
        """May ``user`` do ``action`` to ``obj``? By default: is it among the restricted rows."""
        if not is_active_user(user) or obj.pk is None:
            return False
        return restrict(user, type(obj)._base_manager.filter(pk=obj.pk), action).exists()


def _m2m(model: type[Model], name: str):
    """(through model, own column, other column) of the many-to-many field ``name``."""
    field = model._meta.get_field(name)
    return field.remote_field.through, field.m2m_field_name(), field.m2m_reverse_field_name()


class ScopeRule(Rule):
    """Station scope, clearance, compartments and need-to-know, from :class:`AccessPaths`: the
    rule of objects that carry their own scope (subjects, periodic reports). Single objects are
    checked from their ``access_scope()`` without a query beyond its own."""

    def __init__(self, paths: AccessPaths, *, default_action: Action = Action.SUBJECT_VIEW):
        self.paths = paths
        self.default_action = default_action

    def filter(self, user, action):
        level = reach(user, action)
        if level is None:
            return None
        p = self.paths
        q = Q(**{f"{p.station}__in": station_ids(user, action)})
        if p.classification:
            q &= Q(**{f"{p.classification}__lte": user.clearance})
        if p.compartments:
            through, own, other = _m2m(self.model, p.compartments)
            lacking = through.objects.filter(**{own: OuterRef("pk")}).exclude(
                **{f"{other}__code__in": user.compartment_codes}
            )
            q &= ~Exists(lacking)
        if p.assignees:
            through, own, other = _m2m(self.model, p.assignees)
            assigned = Exists(through.objects.filter(**{own: OuterRef("pk"), other: user.pk}))
        else:
            assigned = Q(pk__in=[])
        if level == Reach.ASSIGNED:
            if p.area and Role.COMMUNITY_OFFICER in user.role_set:
                assigned = assigned | Q(**{p.area: user.unit_id})
            q &= assigned
        elif p.classification and not (user.role_set & OVERSIGHT_ROLES):
            q &= Q(**{f"{p.classification}__lt": NEED_TO_KNOW_FROM}) | assigned
        return q

    def allows(self, user, action, obj):
        return scope_allows(user, action, obj.access_scope())


class ParentRule(Rule):
    """Rows that belong to a parent (a subject's identifiers, a record's attachments): visible
    when the parent is, for the same action — an EXISTS on the parent's own rule."""

    def __init__(self, parent: type[Model], path: str):
        self.parent = parent
        self.path = path

    @property
    def default_action(self):  # type: ignore[override]
        return rule_for(self.parent).default_action

    def accepts(self, action):
        return rule_for(self.parent).accepts(action)

    def filter(self, user, action):
        parents = restrict(user, self.parent._base_manager.all(), action)
        return Exists(parents.filter(pk=OuterRef(self.path)))

    def allows(self, user, action, obj):
        parent = obj
        for part in self.path.split("__"):
            parent = getattr(parent, part)
        return parent is not None and can_object(user, action, parent)


class BureauRule(Rule):
    """Configuration that belongs to one bureau (categories, warning and deadline rules, role
    policies): the rows of the user's own bureau, for a user whose roles grant the action.
    Another bureau's rows look absent; rows no bureau owns are nobody's."""

    def __init__(self, actions, *, default_action: Action, path: str = "bureau"):
        self.actions = frozenset(Action(a) for a in actions)
        self.default_action = Action(default_action)
        self.path = path

    def filter(self, user, action):
        if reach(user, action) is None or user.unit_id is None:
            return None
        bureau = user.unit.bureau
        return None if bureau is None else Q(**{self.path: bureau.pk})


class OwnerRule(Rule):
    """Rows that belong to one user (a notification, an export): seen by that user only."""

    def __init__(self, field: str = "user"):
        self.field = field

    def accepts(self, action):
        return Action(action)

    def filter(self, user, action):
        return Q(**{self.field: user.pk})

    def allows(self, user, action, obj):
        return getattr(obj, f"{self.field}_id") == user.pk


_RULES: dict[type[Model], Rule] = {}


def register(model: type[Model], rule: Rule) -> Rule:
    """Register the access rule of ``model`` (from the owning app's ``AppConfig.ready()``)."""
    current = _RULES.get(model)
    if current is not None and current is not rule and type(current) is not type(rule):
        raise ValueError(f"{model._meta.label} already has an access rule")
    rule.bind(model)
    _RULES[model] = rule
    return rule


def rule_for(model: type[Model]) -> Rule:
    model = model._meta.concrete_model
    try:
        return _RULES[model]
    except KeyError:
        raise NotRegistered(f"{model._meta.label} has no access rule") from None


def registered_models() -> list[type[Model]]:
    return list(_RULES)


def restrict(user, qs: QuerySet, action=None) -> QuerySet:
    """``qs`` restricted to the rows ``user`` may reach for ``action`` (the rule's default)."""
    rule = rule_for(qs.model)
    action = rule.accepts(action if action is not None else rule.default_action)
    if not is_active_user(user):
        return qs.none()
    condition = rule.filter(user, action)
    return qs.none() if condition is None else qs.filter(condition)


def can_object(user, action, obj) -> bool:
    """May ``user`` do ``action`` to the model instance ``obj``, by its registered rule?"""
    rule = rule_for(type(obj))
    action = rule.accepts(action)
    return is_active_user(user) and rule.allows(user, action, obj)


def get_for_user_or_404(user, model_or_qs, action=None, **lookup):
    """The one way to fetch an object for a user: forbidden and missing both answer 404, so
    nobody learns that an object exists (SECURITY.md A1)."""
    is_qs = isinstance(model_or_qs, QuerySet)
    qs = model_or_qs if is_qs else model_or_qs._default_manager.all()
    try:
        return restrict(user, qs, action).get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:
        if isinstance(exc, UnsupportedAction):
            raise
        raise Http404 from exc


# --- models without a rule of their own ------------------------------------------------------


def scope_queryset(user, qs: QuerySet, action: Action = Action.SUBJECT_VIEW) -> QuerySet:
    """Restrict ``qs`` by its model's ``access_paths`` alone (a :class:`ScopeRule`), for a
    model that registers no rule of its own. Registered models use ``restrict``."""
    if not is_active_user(user):
        return qs.none()
    rule = ScopeRule(qs.model.access_paths)
    rule.bind(qs.model)
    condition = rule.filter(user, Action(action))
    return qs.none() if condition is None else qs.filter(condition)


def get_or_404(user, qs: QuerySet, action: Action = Action.SUBJECT_VIEW, **lookup):
    """Fetch one object of ``qs`` within :func:`scope_queryset`, 404 when absent or forbidden."""
    try:
        return scope_queryset(user, qs, action).get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


install_instance_judge(can_object)  # policy.can(user, action, obj) judges instances by their rule
