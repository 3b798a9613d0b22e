"""What typed text may hold (jitrack.text): pure functions, no database."""

import pytest
from django.utils.datastructures import MultiValueDict

from jitrack.text import nul_field

# --- NUL in parsed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "ok", "participants": ["A", "B"]}, None),
        ({"title": "a\x00"}, "title"),
        ({"participants": ["A", "B\x00"]}, "participants"),
        ({"expected_reductions": [{"year": 2009, "tonnes": "1\x00"}]}, "expected_reductions"),
        ({"findings": {"approval\x00": [True, "x"]}}, "findings"),
        ({"title\x00": "x"}, ""),
        (["a", "\x00"], ""),
        ("\x00", ""),
        (None, None),
        (12, None),
    ],
)
def test_nul_field_finds_the_top_level_name(data, field):
    assert nul_field(data) == field


def test_nul_field_reads_every_value_of_a_form_field():
    form = MultiValueDict({"participants": ["A", "B\x00"], "title": ["x"]})
    assert nul_field(form) == "participants"


def test_nul_field_walks_input_nested_deeper_than_the_recursion_limit():
    deep: list = ["\x00"]
    for _ in range(5000):
        deep = [deep]
    assert nul_field({"blocks": deep}) == "blocks"
