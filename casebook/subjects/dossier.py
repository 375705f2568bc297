"""What a subject's dossier shows of the modules above `subjects`, registered by them.

`subjects` sits below tracking, intel, analysis and reports and never imports them (the layers of
docs/architecture.md). A higher app registers a tab or an overview panel from its
``AppConfig.ready()``; the dossier view renders what is registered, in ``order``:

    register_tab("records", _("Information"), 30, "intel/subject_tab_records.html", records_tab,
                 related=("records",))
    register_overview_panel("tasks", 20, "tracking/subject_panel_tasks.html", tasks_panel,
                            related=("tasks",))

A context function takes ``(request, subject)`` and returns the template's variables; it reads
through its own module's scoped selectors, so the user's reach applies as everywhere else.
``related`` names the variables whose objects the read event of the dossier lists
(SECURITY.md L1/L2: a consultation records what was shown); ``counted`` maps a variable to the
detail key that records how many items it held.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

ContextFunction = Callable[..., dict]


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    template: str
    context: ContextFunction | None = None
    label: str = ""
    related: tuple[str, ...] = ()
    counted: dict[str, str] = field(default_factory=dict)


_TABS: dict[str, Section] = {}
_PANELS: dict[str, Section] = {}
_SUGGESTERS: list[Callable] = []


def _register(registry: dict, section: Section) -> None:
    if section.key in registry and registry[section.key] != section:
        raise ValueError(f"dossier section {section.key!r} is registered twice")
    registry[section.key] = section


def register_tab(
    key: str,
    label,
    order: int,
    template: str,
    context: ContextFunction | None = None,
    *,
    related: tuple[str, ...] = (),
    counted: dict[str, str] | None = None,
) -> None:
    """A tab of the dossier (``?tab=<key>``); ``label`` is a lazy translation."""
    _register(
        _TABS,
        Section(key, order, template, context, label, tuple(related), dict(counted or {})),
    )


def register_overview_panel(
    key: str,
    order: int,
    template: str,
    context: ContextFunction,
    *,
    related: tuple[str, ...] = (),
) -> None:
    """A card on the overview tab of the dossier."""
    _register(_PANELS, Section(key, order, template, context, related=tuple(related)))


def register_purpose_suggester(suggest: Callable) -> None:
    """``suggest(user, subject)`` returns a purpose to pre-fill in the consultation prompt, or
    an empty string (tracking suggests the user's open task on the subject)."""
    if suggest not in _SUGGESTERS:
        _SUGGESTERS.append(suggest)


def purpose_suggesters() -> list[Callable]:
    return list(_SUGGESTERS)


def tabs() -> list[Section]:
    return sorted(_TABS.values(), key=lambda s: (s.order, s.key))


def tab(key: str) -> Section | None:
    return _TABS.get(key)


def overview_panels() -> list[Section]:
    return sorted(_PANELS.values(), key=lambda s: (s.order, s.key))


def _register_own_tabs() -> None:
    """The tabs of `subjects` itself; the view fills their variables."""
    register_tab("overview", _("Overview"), 10, "subjects/tab_overview.html")
    register_tab("details", _("Details"), 20, "subjects/tab_details.html")
    register_tab("associations", _("Associations"), 40, "subjects/tab_associations.html")
    register_tab(
        "timeline", _("Timeline"), 60, "subjects/tab_timeline.html", counted={"events": "events"}
    )


_register_own_tabs()
