"""Display helpers for fees: an invoice's age and a fee assessment's status."""

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
