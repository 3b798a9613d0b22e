"""What text typed by people may hold.

A NUL is refused everywhere: PostgreSQL cannot store or compare it (a server error instead of a
refusal). Other control characters (Unicode category Cc: C0, DEL, C1) are invisible: in a name or
a title they make two names that look the same differ and break the one-line layouts of lists,
PDFs and CSV cells. A text of several lines may hold tabs and line breaks, nothing else of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from .errors import Invalid

NUL = "\x00"
NUL_MESSAGE = "Null characters are not allowed."  # DRF's and Django's own words for it
_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(value: str, *, multiline: bool = False) -> str | None:
    """The first control character ``value`` may not hold, written ``U+000B``; None if none."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def control_message(char: str) -> str:
    return _("Remove the invisible control character %(char)s from this text.") % {"char": char}


def _offending(value: str | None, multiline: bool) -> str | None:
    # A single line is stored stripped (forms, serializers and the domain all strip it), so a
    # line break at its end is not part of it.
    text = value or ""
    return control_character(text if multiline else text.strip(), multiline=multiline)


def check_text(value: str | None, field: str, *, multiline: bool = False) -> None:
    """``Invalid`` naming ``field`` when ``value`` holds a control character (for a domain
    function's input checks: the API answers 400 with the field, a page shows it on the form)."""
    if char := _offending(value, multiline):
        raise Invalid(control_message(char), code="control_character", field=field)


def validate_single_line(value: str) -> None:
    """The same rule as a Django validator, for forms and the admin."""
    if char := _offending(value, multiline=False):
        raise ValidationError(control_message(char), code="control_character")


def _holds_nul(value: object) -> bool:
    # Iterative: a parsed body nested as deeply as the JSON decoder allows stays a refusal.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def nul_field(data: object) -> str | None:
    """Where parsed input (JSON, form fields) holds a NUL: the top-level name whose value holds
    one; ``""`` when a name itself does or the input is not a mapping; None when none does."""
    if isinstance(data, MultiValueDict):
        items = data.lists()
    elif isinstance(data, Mapping):
        items = data.items()
    else:
        return "" if _holds_nul(data) else None
    for name, value in items:
        if _holds_nul(name):
            return ""
        if _holds_nul(value):
            return name
    return None
