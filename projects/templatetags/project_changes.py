"""The "Changes after the determination" panel of a project page (``projects.changes``): the
changes of participants and Parties involved, the crediting period (its renewals are on the
timeline, ``projects.timeline.event_detail``) and the acts this user may do, each asked of its
act's guard. No query with ``changes.with_participation_changes`` (the project page), else one;
none before the determination is final (no change can exist then)."""

from __future__ import annotations

from django import template

from projects import changes
from projects.models import Project

register = template.Library()

AFTER_FINAL = {Project.Status.FINAL, Project.Status.TERMINATED}


@register.simple_tag
def participation_changes(project: Project, user) -> dict | None:
    """None before final; else the rows and what ``user`` may do."""
    if project.status not in AFTER_FINAL:
        return None
    rows = changes.change_rows(project)
    may_cancel = changes.GUARDS["request"].allows(user, project)
    for change in rows:
        change.may_cancel = may_cancel and change.status == change.Status.PENDING
        change.may_approve = changes.may_approve(user, change)
        change.kind_label = changes.REQUEST_LABELS.get(change.kind, change.kind)
    return {
        "rows": rows,
        "may_request": changes.GUARDS["request"].allows(user, project),
        "may_renew": changes.GUARDS["renew_crediting"].allows(user, project, project.host_party),
    }
