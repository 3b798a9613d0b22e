"""Display helpers: every instant is shown in UTC as "GMT" (ji-rules §4), with the month names
and the words of countdowns in the language of the request (issue 6)."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import number_format
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext, pgettext

from projects.timeline import day_text, event_label, next_action

register = template.Library()


@register.filter
def gmt(value) -> str:
    """``27 Aug 2008 17:00 GMT`` (``27 августа 2008 17:00 GMT`` in Russian)."""
    if not isinstance(value, datetime):
        return ""
    # Translators: a Django date format (j = day, M = short month, E = month in the genitive,
    # Y = year, H:i = hours:minutes); "GMT" is appended.
    shown = dateformat.format(value.astimezone(UTC), pgettext("date format", "j M Y H:i"))
    return f"{shown} GMT"


@register.filter
def day(value) -> str:
    """``29 Jul 2008``."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    if not isinstance(value, date):
        return ""
    return day_text(value)


@register.filter
def iso(value) -> str:
    if not isinstance(value, datetime):
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _days_left(days: int) -> str:
    """The format for a countdown of ``days`` days, with ``%(days)s`` and ``%(hours)s`` left in."""
    return ngettext("%(days)s day %(hours)s h left", "%(days)s days %(hours)s h left", days)


@register.filter
def countdown(value, now=None) -> str:
    """What is left until ``value``, at day/hour/minute precision: ``12 days 4 h left``."""
    if not isinstance(value, datetime):
        return ""
    seconds = int((value - (now or timezone.now())).total_seconds())
    if seconds <= 0:
        return gettext("closed")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _days_left(days) % {"days": days, "hours": hours}
    if hours:
        return gettext("%(hours)s h %(minutes)s min left") % {"hours": hours, "minutes": minutes}
    return gettext("%(minutes)s min left") % {"minutes": minutes}


# A number in each CLDR plural category the browser's Intl.PluralRules may answer; enough for
# the languages of LANGUAGES (English: one, other; Russian: one, few, many).
PLURAL_SAMPLES = {"one": 1, "few": 3, "many": 5, "other": 10}


@register.simple_tag
def countdown_words():
    """The countdown script's words in the active language, as ``data-*`` attributes of its
    ``<script>`` tag (static/countdown.js fills in the numbers every second)."""
    words = {
        "closed": gettext("closed"),
        **{f"days-{name}": _days_left(n) for name, n in PLURAL_SAMPLES.items()},
        "hours": gettext("%(hours)s h %(minutes)s min left"),
        "minutes": gettext("%(minutes)s min %(seconds)s s left"),
        "local": gettext("Your local time: %(time)s"),
    }
    return format_html_join(" ", 'data-{}="{}"', words.items())


def _amount(value) -> str:
    """``8,500.00`` in English, ``8 500,00`` in Russian: the separators of the language."""
    return number_format(Decimal(str(value)), 2, use_l10n=True, force_grouping=True)


@register.filter
def usd(value) -> str:
    if value is None or value == "":
        return ""
    return f"USD {_amount(value)}"


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
    return _amount(value)
