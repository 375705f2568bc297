"""Assessment periods: calendar quarters, named ``2026Q4``."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_PATTERN = re.compile(r"^(20\d{2})Q([1-4])$")
#: the same, as the API documents it
PATTERN = r"^20\d{2}Q[1-4]$"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = _PATTERN.match((text or "").strip().upper())
        if not match:
            raise ValidationError({"period": [_("Give a quarter like 2026Q4.")]})
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> "Quarter":
        return cls.of(timezone.localdate())

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.q}"

    def __str__(self) -> str:
        return self.code

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    @property
    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    @property
    def start(self) -> datetime:
        """The first instant of the quarter (local time, aware)."""
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    @property
    def end(self) -> datetime:
        """The first instant after the quarter."""
        return self.next.start

    @property
    def label(self) -> str:
        return _("%(year)s, quarter %(q)s") % {"year": self.year, "q": self.q}

    def is_future(self) -> bool:
        return self.first_day > timezone.localdate()


def parse_period(text: str, *, allow_future: bool = False) -> Quarter:
    quarter = Quarter.parse(text)
    if not allow_future and quarter.is_future():
        raise ValidationError({"period": [_("The period %(p)s has not begun yet.") % {"p": text}]})
    return quarter
