"""Password checks beyond Django's (SECURITY.md S2): common Chinese passwords and their patterns.

Django's CommonPasswordValidator knows 20,000 passwords from English-speaking leaks. Chinese
users pick others: pinyin words and names (``woaini``, ``zhangwei``), love numbers (``5201314``),
keyboard walks (``1qaz2wsx``), ``qq`` + digits, a name + a birthday. ``common_passwords_cn.txt.gz``
lists about 2,600 such stems, lowercase, one a line. A password is refused when it, or what is left
of it once digits, spaces and punctuation are taken out, is on the list — so ``woaini131452`` and
``zhangwei19900101`` fail while a passphrase passes. There are no composition rules.
"""

import gzip
import unicodedata
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LIST_PATH = Path(__file__).with_name("common_passwords_cn.txt.gz")


@cache
def _common() -> frozenset[str]:
    with gzip.open(LIST_PATH, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _variants(password: str) -> set[str]:
    text = unicodedata.normalize("NFKC", password).lower().strip()
    letters = "".join(ch for ch in text if not (ch.isdigit() or ch.isspace() or _is_punct(ch)))
    no_digits = "".join(ch for ch in text if not ch.isdigit())
    return {text, no_digits, letters}


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


class ChineseCommonPasswordValidator:
    """Refuse common Chinese passwords and a common stem padded with digits or symbols."""

    def validate(self, password, user=None):
        if _variants(password) & _common():
            raise ValidationError(_("This password is too common."), code="password_too_common")

    def get_help_text(self):
        return _("Your password can't be a commonly used password.")
