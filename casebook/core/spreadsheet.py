"""Cells for spreadsheets and CSV files that no spreadsheet program will run as a formula.

A text cell that begins with ``=``, ``+``, ``-`` or ``@`` (or with a tab, a carriage return or
a line feed, which spreadsheet programs skip before looking for one) is read by Excel, WPS and
LibreOffice as a formula: ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` typed into a record
would come alive in the officer's spreadsheet (CSV or formula injection, OWASP). Every CSV and
workbook writer passes its cells through :func:`safe_cell`, which prefixes such text with a
single quote, as OWASP recommends. Numbers written as numbers stay numbers: ``-5`` as an int is
a value, not a formula.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> object:
    """``value`` fit for a spreadsheet cell: numbers and empty values unchanged, any other
    value as text, with a leading ``'`` when the text would start a formula."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]


class SafeCsvWriter:
    """A ``csv.writer`` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> SafeCsvWriter:
    """The CSV writer every export uses (``options`` as for ``csv.writer``)."""
    return SafeCsvWriter(stream, **options)
