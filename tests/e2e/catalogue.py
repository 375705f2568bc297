"""What the running server will say in Chinese: read the compiled catalogue it reads.

The tests assert the exact Chinese text when the zh_Hans catalogue translates a message, and the
English fallback (which is what Django then shows) when it does not yet. ``untranslated`` lists
the messages that fell back, so a test can report them.
"""

from __future__ import annotations

import gettext
import re
from functools import cache

from .server import REPO_ROOT

MO_FILE = REPO_ROOT / "casebook" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

untranslated: set[str] = set()


@cache
def _catalogue() -> gettext.NullTranslations:
    if MO_FILE.exists():
        with MO_FILE.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    return gettext.NullTranslations()


def is_translated(msgid: str) -> bool:
    return _catalogue().gettext(msgid) != msgid


def zh(msgid: str, **params) -> str:
    """The Chinese text of ``msgid`` (``%(name)s`` placeholders filled from ``params``)."""
    text = _catalogue().gettext(msgid)
    if text == msgid:
        untranslated.add(msgid)
    return text % params if params else text


def zhp(context: str, msgid: str) -> str:
    """The Chinese text of ``msgid`` in ``context`` (``pgettext``)."""
    text = _catalogue().pgettext(context, msgid)
    if text == msgid:
        untranslated.add(msgid)
    return text


def zh_pattern(msgid: str) -> re.Pattern[str]:
    """A regex for the Chinese text of ``msgid`` with every ``%(name)s`` matching anything."""
    text = zh(msgid)
    pieces = re.split(r"%\(\w+\)[sd]", text)
    return re.compile(".+?".join(re.escape(p) for p in pieces))


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text))
