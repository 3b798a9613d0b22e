"""Fee quotes from untrusted parameters (the public calculator page and ``/api/fees/quote/``).

Tonnes are whole, non-negative numbers up to 10^12; flags are true/false. Anything else is an
``Invalid`` naming the parameter, so the page shows it on the field and the API answers 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from jitrack.errors import Invalid

from . import calculator

KINDS = ("determination", "verification")
NAMES = {
    "expected_annual_reductions": "Expected annual reductions",
    "reductions": "Reductions",
    "already_this_year": "Tonnes already verified this year",
}
_WHOLE = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]{1,13}")  # ASCII; commas only as separators
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def tonnes(params: Mapping, name: str, *, required: bool) -> int | None:
    raw = params.get(name)
    label = NAMES.get(name, name)
    if raw is None or str(raw).strip() == "":
        if required:
            raise Invalid(f"{label}: give a number of tonnes.", code="required", field=name)
        return None
    text = str(raw).strip()
    if text.startswith("-"):
        raise Invalid(f"{label} cannot be negative.", field=name)
    if not _WHOLE.fullmatch(text):
        raise Invalid(f"{label} must be a whole number of tonnes (e.g. 25000).", field=name)
    value = int(text.replace(",", ""))
    if value > calculator.MAX_TONNES:
        raise Invalid(f"{label} cannot exceed 10^12 t.", field=name)
    return value


def flag(params: Mapping, name: str) -> bool:
    raw = params.get(name)
    text = "" if raw is None else str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Invalid(f"{name} is true or false.", field=name)


def quote(params: Mapping) -> calculator.FeeResult:
    kind = str(params.get("kind") or "").strip()
    if kind not in KINDS:
        raise Invalid("kind is determination or verification.", field="kind")
    schedule = str(params.get("schedule") or calculator.DEFAULT_SCHEDULE).strip()
    if schedule not in calculator.SCHEDULES:
        known = ", ".join(sorted(calculator.SCHEDULES))
        raise Invalid(f"Unknown fee schedule {schedule!r}; known: {known}.", field="schedule")
    poa = flag(params, "poa")
    small_scale = flag(params, "small_scale")
    if kind == "determination":
        expected = tonnes(params, "expected_annual_reductions", required=True)
        return calculator.determination_fee(
            expected, small_scale=small_scale, poa=poa, schedule=schedule
        )
    return calculator.quote_verification(
        tonnes(params, "reductions", required=True),
        already_this_year=tonnes(params, "already_this_year", required=False) or 0,
        poa=poa,
        small_scale=small_scale,
        expected_annual_reductions=tonnes(params, "expected_annual_reductions", required=False),
        schedule=schedule,
    )
