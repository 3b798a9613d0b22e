"""Every CSV the product writes (jitrack.streaming): a cell a spreadsheet would run as a formula
is neutralised, numbers stay numbers, and the importer reads the cell back. Pure functions."""

import csv
import io
from decimal import Decimal

import pytest

from jitrack.streaming import csv_lines, csv_text, csv_text_read, csv_value


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("-5 MW wind", "'-5 MW wind"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),  # a quote already there is text: the one added is taken off on import
        ("'s-Hertogenbosch Energie", "'s-Hertogenbosch Energie"),
        ("Wind farm = 5 MW", "Wind farm = 5 MW"),
        ("-25.50", "-25.50"),  # an amount written as text is a number, not a formula
        ("", ""),
    ],
)
def test_csv_text_quotes_a_would_be_formula_and_reads_back(text, cell):
    assert csv_text(text) == cell
    assert csv_text_read(cell) == text


def test_csv_text_read_leaves_other_cells_alone():
    for cell in ("'s-Hertogenbosch", "'", "''", "plain", "-5"):
        assert csv_text_read(cell) == cell


def test_numbers_stay_numbers_and_texts_are_neutralised():
    assert csv_value(-5) == "-5"
    assert csv_value(Decimal("-8500.00")) == "-8500.00"
    assert csv_value(-1.5) == "-1.5"
    assert csv_value(True) == "true"
    assert csv_value("=1+1") == "'=1+1"
    assert csv_value(["@SUM(1)", "B"]) == "'@SUM(1); B"
    assert csv_value({"-x": 1}) == "'-x:1"


def test_csv_lines_write_every_text_cell_neutralised():
    rows = [{"title": "=HYPERLINK(1)", "tonnes": -5, "amount": Decimal("-1.50"), "aie": "@x"}]
    text = "".join(csv_lines(["title", "tonnes", "amount", "aie"], rows))
    assert list(csv.reader(io.StringIO(text))) == [
        ["title", "tonnes", "amount", "aie"],
        ["'=HYPERLINK(1)", "-5", "-1.50", "'@x"],
    ]
