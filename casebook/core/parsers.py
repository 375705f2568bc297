"""Request parsers of the API: bad JSON is a 400, never a 500.

Kept apart from ``api.py``: DRF imports the parser classes while ``rest_framework.views`` loads,
so this module must not import DRF's views.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

#: Deepest nesting of arrays and objects a JSON body may have; no integration needs more.
JSON_MAX_DEPTH = 64


def _too_deep() -> str:
    return _("The JSON document is nested too deeply (at most %(depth)s levels).") % {
        "depth": JSON_MAX_DEPTH
    }


def _check_json(data) -> None:
    """Refuse nesting deeper than JSON_MAX_DEPTH and NUL characters (PostgreSQL refuses them)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError(_("The request contains a NUL character."))
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > JSON_MAX_DEPTH:
            raise exceptions.ParseError(_too_deep())
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        else:
            stack.extend((item, depth + 1) for item in value)


class SafeJSONParser(parsers.JSONParser):
    """DRF's JSON parser with a depth limit and no NUL characters: bad JSON is a 400, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_too_deep()) from None
        _check_json(data)
        return data
