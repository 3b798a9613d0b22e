"""How a project's ERUs compare (PROJECT_COMPARISON, ``determinations.conversions``): the
project page's line and the monitoring page's percentage per year."""

from django import template

from determinations import conversions

register = template.Library()


@register.simple_tag
def project_comparison(project, verifications):
    """The comparison of the page's verifications with the PDD (one query; none when no
    verification is final)."""
    return conversions.compare_verifications(project, verifications or [])


@register.filter
def verified_percent(row):
    """A reconciliation row's verified reductions as a percentage of the PDD's expected ones."""
    return conversions.percent(row["verified"], row["expected"])
