"""Display helpers for fees: an invoice's age, a fee assessment's status and the exact expected
average (EXACT_AVERAGE)."""

from decimal import Decimal, InvalidOperation

from django import template

from fees.models import FeeAssessment

register = template.Library()


@register.filter
def age(invoice, today=None) -> int:
    """Days since an invoice was issued."""
    return invoice.age_days(today)


@register.filter
def fee_label(status: str) -> str:
    """A fee assessment's status for display, from its raw value (annotated on projects)."""
    try:
        return FeeAssessment.Status(status).label
    except ValueError:
        return ""


@register.filter
def tonnes_exact(value) -> str:
    """The exact expected average E (a decimal string) for display: thousands separated, up to
    three decimals, an ellipsis where it goes on ("15,000.333…")."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    whole, _, decimals = f"{number:f}".partition(".")
    text = f"{int(whole):,}"
    if decimals.rstrip("0"):
        decimals = decimals.rstrip("0")
        text += "." + decimals[:3] + ("…" if len(decimals) > 3 else "")
    return text
