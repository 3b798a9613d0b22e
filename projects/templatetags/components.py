"""The programme's components for its project page (``templates/projects/components/_panel.html``):
read from the page's project row (``components.with_components``), asked only for a programme
of activities."""

from django import template

from projects import components as cwf

register = template.Library()


@register.simple_tag
def programme_components(project, user) -> dict:
    rows = cwf.component_rows(project)
    return {"rows": rows, "may_include": cwf.component_actions(project, user)["include"]}
