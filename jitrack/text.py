"""What text typed by people may hold.

A NUL is refused everywhere: PostgreSQL cannot store or compare it (a server error instead of a
refusal).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.datastructures import MultiValueDict

NUL = "\x00"
NUL_MESSAGE = "Null characters are not allowed."  # DRF's and Django's own words for it


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
