"""Display helpers: every instant is shown in UTC as "GMT" (ji-rules §4)."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from projects.timeline import event_label, next_action

register = template.Library()


@register.filter
def gmt(value) -> str:
    """``27 Aug 2008 17:00 GMT``."""
    if not isinstance(value, datetime):
        return ""
    return value.astimezone(UTC).strftime("%-d %b %Y %H:%M GMT")


@register.filter
def day(value) -> str:
    """``29 Jul 2008``."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    if not isinstance(value, date):
        return ""
    return value.strftime("%-d %b %Y")


@register.filter
def iso(value) -> str:
    if not isinstance(value, datetime):
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def countdown(value, now=None) -> str:
    """What is left until ``value``, at day/hour/minute precision: ``12 days 4 h left``."""
    if not isinstance(value, datetime):
        return ""
    seconds = int((value - (now or timezone.now())).total_seconds())
    if seconds <= 0:
        return "closed"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h left"
    if hours:
        return f"{hours} h {minutes} min left"
    return f"{minutes} min left"


@register.filter
def usd(value) -> str:
    if value is None or value == "":
        return ""
    return f"USD {Decimal(str(value)):,.2f}"


@register.filter
def label(kind: str) -> str:
    return event_label(kind)


@register.filter
def next_step(project) -> str:
    return next_action(project)


@register.filter
def money(value) -> str:
    """``8,500.00`` (no currency): for columns headed USD."""
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)):,.2f}"


@register.filter
def age(invoice, today=None) -> int:
    """Days since an invoice was issued."""
    return invoice.age_days(today)


@register.filter
def fee_label(status: str) -> str:
    """A fee assessment's status for display, from its raw value (annotated on projects)."""
    from fees.models import FeeAssessment  # projects does not import fees at module level

    try:
        return FeeAssessment.Status(status).label
    except ValueError:
        return ""
