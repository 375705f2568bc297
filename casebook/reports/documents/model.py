"""What an exported document holds, independent of its format (PDF, Word, Excel).

Services build a :class:`Document` from the database; the renderers in this package turn it
into bytes. Everything here is plain text already formatted and translated for the reader.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext


@dataclass
class Entry:
    """One item of a subject's chronological tracking-record archive."""

    when: str  # already formatted local time, e.g. "2026-11-29 10:30"
    kind: str  # translated label, e.g. "信息记录"
    title: str
    lines: list[str] = field(default_factory=list)  # body paragraphs, plain text
    meta: str = ""  # e.g. "张伟 · B2 · 可共享"


@dataclass
class Table:
    """A list: one sheet in Excel, a table in PDF and Word."""

    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Document:
    title: str  # e.g. "张三 跟踪记录档案"
    marking: str  # classification marking, on every page, top and bottom
    watermark: str  # names the exporting user and time
    reference: str  # export number, printed in the footer
    issuer: str  # e.g. "江州市公安局 城关派出所", printed in the header
    facts: list[tuple[str, str]] = field(default_factory=list)  # cover facts (label, value)
    entries: list[Entry] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]

# --- helpers shared by the renderers ---------------------------------------------------------

# C0 controls except tab and newline, DEL, C1 controls, lone surrogates and the two
# non-characters: none of them may appear in PDF text, WordprocessingML or SpreadsheetML.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(value: object) -> str:
    """``value`` as text fit for any of the three formats: ``\\r\\n`` and ``\\r`` become
    ``\\n``, control characters are dropped."""
    text = "" if value is None else str(value)
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def entry_heading(entry: Entry) -> str:
    """The heading line of an entry: ``when · kind · title`` (empty parts left out)."""
    return " · ".join(clean(p) for p in (entry.when, entry.kind, entry.title) if p)


def page_of(page: int | str, total: int | str) -> str:
    """The "page N of M" wording of the footers."""
    return gettext("Page %(page)s of %(total)s") % {"page": page, "total": total}


def reference_line(reference: str) -> str:
    """The export number as printed in the footers."""
    return gettext("Export reference: %(reference)s") % {"reference": clean(reference)}


def grid(table: Table) -> tuple[list[str], list[list[str]]]:
    """The cleaned column headings and rows of ``table``, every row as wide as the headings
    (short rows padded, extra cells dropped); without headings, as wide as the widest row."""
    count = len(table.columns) or max((len(row) for row in table.rows), default=0)
    columns = [clean(c) for c in table.columns] or [""] * count
    rows = [[clean(row[i]) if i < len(row) else "" for i in range(count)] for row in table.rows]
    return columns, rows


def column_weights(columns: list[str], rows: list[list[str]]) -> list[int]:
    """A relative width for each column: the length of its typical text (the 90th percentile
    of the first 200 rows, or the heading if longer), between 2 and 40 characters."""
    sample = rows[:200]
    weights = []
    for i, heading in enumerate(columns):
        lengths = sorted(max(map(len, row[i].split("\n"))) for row in sample) or [0]
        typical = lengths[max((len(lengths) * 9) // 10 - 1, 0)]
        weights.append(min(max(typical, len(heading), 2), 40))
    return weights


class Progress:
    """Reports ``progress(done, total)`` at most about ``steps`` times, plus once at the end;
    does nothing when ``callback`` is None."""

    def __init__(self, callback: ProgressCallback | None, total: int, steps: int = 100):
        self.callback = callback
        self.total = max(int(total), 1)
        self.done = 0
        self._every = max(1, -(-self.total // steps))  # ceiling division
        self._next = self._every
        self._last: int | None = None

    def advance(self, count: int = 1) -> None:
        if self.callback is None:
            return
        self.done = min(self.done + count, self.total)
        if self.done >= self._next:
            self._next = (self.done // self._every + 1) * self._every
            self._report()

    def finish(self) -> None:
        if self.callback is None:
            return
        self.done = self.total
        self._report()

    def _report(self) -> None:
        if self._last != self.done:
            self._last = self.done
            self.callback(self.done, self.total)
