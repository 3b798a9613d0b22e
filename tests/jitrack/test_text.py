"""What typed text may hold (jitrack.text): pure functions, no database."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from jitrack.errors import Invalid
from jitrack.text import check_text, control_character, nul_field, validate_single_line

# --- control characters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("Wind farm at Odesa", None),
        ("Ветропарк «Одесса» — фаза 2", None),
        ("a\x00b", "U+0000"),
        ("a\x07b", "U+0007"),
        ("a\tb", "U+0009"),
        ("a\nb", "U+000A"),
        ("a\rb", "U+000D"),
        ("a\x1bb", "U+001B"),
        ("a\x7fb", "U+007F"),
        ("a\x85b", "U+0085"),
        ("a\x9fb", "U+009F"),
        ("a\xa0b", None),  # a no-break space is visible text
    ],
)
def test_control_character_of_a_single_line(value, found):
    assert control_character(value) == found


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("one\ntwo\r\n\tthree", None),
        ("a\x0bb", "U+000B"),
        ("a\x0cb", "U+000C"),
        ("a\x00b", "U+0000"),
        ("a\x7fb", "U+007F"),
        ("a\x9bb", "U+009B"),
    ],
)
def test_control_character_of_several_lines(value, found):
    assert control_character(value, multiline=True) == found


def test_check_text_names_the_field_and_the_character():
    with pytest.raises(Invalid) as info:
        check_text("Wind\x1bpark", "title")
    err = info.value
    assert (err.status, err.code, err.field) == (400, "control_character", "title")
    assert err.detail == "Remove the invisible control character U+001B from this text."


def test_check_text_reads_a_single_line_as_stored_stripped():
    check_text("  Wind park\n", "title")
    check_text(None, "title")
    with pytest.raises(Invalid):
        check_text("Wind\npark", "title")
    check_text("Wind\npark", "monitoring_approach", multiline=True)


def test_validate_single_line_is_a_django_validator():
    validate_single_line("Green Carbon Ltd")
    with pytest.raises(ValidationError) as info:
        validate_single_line("Green\x85Carbon")
    assert info.value.code == "control_character"


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
