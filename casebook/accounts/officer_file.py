"""What an officer's file page shows of the modules above `accounts`, registered by them.

The officer file (regulation article 五(一)) is one page composed of sections. `accounts` sits
below every app that contributes a section (staff, assessment, ...) and never imports them
(docs/architecture.md); each contributing app registers its sections from its
``AppConfig.ready()``:

    register_section("certificates", _("Qualifications and certificates"),
                     certificates_section, "staff/file_certificates.html", order=30)

``fetch(viewer, officer)`` returns the section template's variables, or ``None`` when the section
has nothing to show to this viewer about this officer (the section is then left out). The page
that renders the file (in staff) has already checked that ``viewer`` may open ``officer``'s file;
a fetch function reads through its own module's scoped selectors all the same. The template is
rendered with the page's context plus the returned variables, and with ``officer``, ``viewer``
and ``section`` set.
"""

from collections.abc import Callable
from dataclasses import dataclass

Fetch = Callable[..., dict | None]


@dataclass(frozen=True)
class Section:
    key: str
    title: object  # a (lazy) translated string
    fetch: Fetch
    template: str
    order: int = 100


_SECTIONS: dict[str, Section] = {}


def register_section(key: str, title, fetch: Fetch, template: str, order: int = 100) -> None:
    """Add a section to the officer's file page; registering the same key twice with a different
    section is an error (two apps claiming one key), with the same section a no-op."""
    section = Section(key, title, fetch, template, order)
    if key in _SECTIONS and _SECTIONS[key] != section:
        raise ValueError(f"officer file section {key!r} is registered twice")
    _SECTIONS[key] = section


def sections() -> list[Section]:
    """The registered sections, in display order."""
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def section(key: str) -> Section | None:
    return _SECTIONS.get(key)


def render_sections(viewer, officer) -> list[tuple[Section, dict]]:
    """Each section with the variables its fetch returned, sections with nothing left out."""
    shown = []
    for item in sections():
        context = item.fetch(viewer, officer)
        if context is None:
            continue
        shown.append((item, context))
    return shown
