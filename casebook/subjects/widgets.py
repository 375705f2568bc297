"""The subject picker: a search-as-you-type widget for every form field that chooses subjects.

A station holds tens of thousands of subjects, so no page may list them: the field stays a
``ModelChoiceField`` or ``ModelMultipleChoiceField`` over the access-scoped queryset (its
validation still refuses a subject outside the user's scope with "Select a valid choice"), but
its widget never iterates that queryset. It renders a search box that asks
``subjects:pick`` (htmx) for at most a few matches, and one removable chip with a hidden input
per chosen subject; only those chosen are fetched, through the field's own scoped queryset, to
show their names again when the form comes back with an error. The behaviour is in
``static/js/picker.js`` (no inline script: CSP).
"""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .selectors import with_identity

#: More chosen values than this are not looked up again on re-render (no form needs as many).
MAX_CHOSEN = 50


class SubjectPicker(forms.Widget):
    """Search box + chips. ``multiple`` for a multiple-choice field; ``kind`` limits the search
    to persons, places or incidents; ``params`` narrow it further (``{"station": pk}``) so that
    what it offers is what the field's queryset accepts."""

    template_name = "subjects/widgets/picker.html"

    def __init__(self, attrs=None, *, multiple: bool = True, kind: str = "", params=None):
        super().__init__(attrs)
        self.allow_multiple_selected = multiple
        self.kind = kind
        self.params = dict(params or {})
        self.choices = ()  # the field sets its ModelChoiceIterator here; it is never iterated

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.params = dict(self.params)
        return obj

    def use_required_attribute(self, initial) -> bool:
        return False  # the search box itself is never required; the field's validation is

    def value_from_datadict(self, data, files, name):
        if self.allow_multiple_selected:
            getter = getattr(data, "getlist", None)
            return getter(name) if getter else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name) -> bool:
        # An empty multiple choice sends nothing at all (like SelectMultiple).
        return False if self.allow_multiple_selected else name not in data

    def format_value(self, value) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        return [str(v) for v in value if v not in (None, "")]

    def chosen(self, values: list[str]) -> list:
        """The chosen subjects, in the order chosen, looked up only among those the field's
        scoped queryset holds (a pk outside it is not shown)."""
        pks = [v for v in values if v.isdigit()][:MAX_CHOSEN]
        queryset = getattr(self.choices, "queryset", None)
        if not pks or queryset is None:
            return []
        found = {
            str(s.pk): s
            for s in with_identity(
                queryset.filter(pk__in=pks).select_related("category", "station")
            )
        }
        return [found[pk] for pk in dict.fromkeys(pks) if pk in found]

    def search_url(self, name: str) -> str:
        query = {"name": name, **self.params}
        if self.kind:
            query["kind"] = self.kind
        if not self.allow_multiple_selected:
            query["single"] = "1"
        return f"{reverse('subjects:pick')}?{urlencode(query)}"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["chosen"] = self.chosen(widget["value"])
        widget["multiple"] = self.allow_multiple_selected
        widget["search_url"] = self.search_url(name)
        widget["results_id"] = f"{widget['attrs'].get('id') or name}-results"
        widget["placeholder"] = _("Type a name, pinyin initials or an ID number")
        return context
