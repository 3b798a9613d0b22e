"""Component project activities (CPAs) of a programme of activities: the only writer of
``ComponentActivity.status``.

The coordinating/managing entity of a programme — its project participants — includes
components over time, each with its own data (title, location, description, expected annual
reductions) and inclusion date, and may exclude one, with a date and a public reason. Each act
appends one public event (``component_included``, ``component_excluded``). Monitoring,
verification and ERUs then follow the component (``determinations.verification``).

[our reading] decisions, with their sources (ji-rules §3 item 1 and §5 "Programmes of
activities"; the PoA is named in the PDD, JI guidelines (decision 9/CMP.1 annex) para 31; the
JISC's PoA procedures let the coordinating entity add components after the programme is
determined):

COMPONENT_OPEN: components are included, and excluded, while the programme has not ended
  (rejected, withdrawn or terminated: ``projects.workflow.ENDED_UNVERIFIABLE``) — from the draft
  on (the PoA-DD describes its first components) and after the determination is final (later
  components). They are public exactly when the programme is (ji-rules §6: the status and every
  date of each project are public once published): they follow the project's visibility.
COMPONENT_DATES: the inclusion date is not in the future, not before 1 January 2000 (the first
  day a crediting period may start, ``projects.workflow.CREDITING_FIRST_DAY``) and not after the
  programme's crediting period; an exclusion date is not in the future and not before the
  inclusion. A monitoring period of a component starts no earlier than its inclusion and, for an
  excluded component, ends before its exclusion (``determinations.verification``).
COMPONENT_FINAL_EXCLUSION: an exclusion is final (no re-inclusion): a component left out and
  brought back is a new component with its own number and inclusion date.
"""

from __future__ import annotations

import json
from datetime import date

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jitrack.db import JSONRow, JSONRows
from jitrack.errors import Conflict, Invalid, NotFound
from jitrack.guards import Guard
from jitrack.statuses import Machine
from jitrack.text import check_text

from .models import ComponentActivity, Project, User
from .timeline import day_text
from .workflow import CREDITING_FIRST_DAY, ENDED_UNVERIFIABLE, lock, record

C = ComponentActivity.Status

# COMPONENT_FINAL_EXCLUSION (module docstring).
TRANSITIONS: dict[str, set[str]] = {
    C.INCLUDED: {C.EXCLUDED},
    C.EXCLUDED: set(),
}
COMPONENT = Machine(ComponentActivity, TRANSITIONS)

# COMPONENT_OPEN: the programme's statuses in which components are included or excluded.
OPEN_STATUSES = frozenset(set(Project.Status.values) - set(ENDED_UNVERIFIABLE))

GUARDS: dict[str, Guard] = {
    # asked about the project
    "include": Guard(
        "projects.edit_project",
        OPEN_STATUSES,
        gettext_lazy(
            "Only the coordinating entity (the programme's participants) includes components."
        ),
        conflict=lambda project: _("The programme has ended: no component can be included."),
        code="programme_ended",
    ),
    # asked about the component, the permission about its project
    "exclude": Guard(
        "projects.edit_project",
        {C.INCLUDED},
        gettext_lazy(
            "Only the coordinating entity (the programme's participants) excludes components."
        ),
        conflict=lambda component: _("The component is already excluded."),
        code="already_excluded",
    ),
}

MAX_TONNES = 10**12
MAX_NUMBER = 32767


def _require_poa(project: Project) -> None:
    if not project.poa:
        raise Conflict(
            _("This project is not a programme of activities: it has no components."),
            code="not_poa",
        )


def _require_open(project: Project) -> None:
    if project.status not in OPEN_STATUSES:
        raise Conflict(
            _("The programme has ended: its components can no longer change."),
            code="programme_ended",
        )


def _day(value, field: str) -> date:
    if not isinstance(value, date):
        raise Invalid(_("Give a date."), code="required", field=field)
    if value > timezone.localdate():
        raise Invalid(_("The date may not be in the future."), code="future_date", field=field)
    return value


def _clean(data: dict, project: Project) -> dict:
    """COMPONENT_DATES and the component's own data, stripped; ``Invalid`` naming the field."""
    title = data.get("title")
    title = title.strip() if isinstance(title, str) else ""
    if not title:
        raise Invalid(_("Give the component's title."), code="required", field="title")
    if len(title) > 255:
        raise Invalid(_("A title has at most 255 characters."), field="title")
    check_text(title, "title")
    location = data.get("location") or ""
    location = location.strip() if isinstance(location, str) else None
    if location is None or len(location) > 200:
        raise Invalid(_("A location has at most 200 characters."), field="location")
    check_text(location, "location")
    description = data.get("description") or ""
    if not isinstance(description, str) or len(description) > 20000:
        raise Invalid(_("A description has at most 20,000 characters."), field="description")
    description = description.strip()
    check_text(description, "description", multiline=True)
    tonnes = data.get("expected_annual_reductions", 0)
    if tonnes is None:
        tonnes = 0
    if isinstance(tonnes, bool) or not isinstance(tonnes, int) or not 0 <= tonnes <= MAX_TONNES:
        raise Invalid(
            _("Give the expected annual reductions in whole, non-negative tonnes."),
            field="expected_annual_reductions",
        )
    included_on = _day(data.get("included_on"), "included_on")
    if included_on < CREDITING_FIRST_DAY:
        raise Invalid(_("A component is included on 1 January 2000 or later."), field="included_on")
    if project.crediting_end and included_on > project.crediting_end:
        raise Invalid(
            _("The inclusion date is after the programme's crediting period (%(date)s).")
            % {"date": day_text(project.crediting_end)},
            code="outside_crediting_period",
            field="included_on",
        )
    return {
        "title": title,
        "location": location,
        "description": description,
        "expected_annual_reductions": tonnes,
        "included_on": included_on,
    }


def include_component(actor: User | None, project: Project, **data) -> ComponentActivity:
    """The coordinating entity includes a component in its programme (COMPONENT_OPEN,
    COMPONENT_DATES); numbered after the programme's last component. One public event."""
    with transaction.atomic():
        project = lock(project)
        GUARDS["include"].check(actor, project)
        _require_poa(project)
        clean = _clean(data, project)
        number = (
            project.components.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        if number > MAX_NUMBER:
            raise Conflict(_("The programme has as many components as it can hold."), code="full")
        component = ComponentActivity.objects.create(
            project=project,
            number=number,
            status=COMPONENT.initial(C.INCLUDED),
            recorded_by=actor,
            **clean,
        )
        record(
            project,
            "component_included",
            actor=actor,
            data={
                "component": number,
                "reference": component_reference(project, number),
                "title": clean["title"],
                "included_on": clean["included_on"].isoformat(),
                "expected_annual_reductions": clean["expected_annual_reductions"],
            },
        )
    component.project = project
    return component


def exclude_component(
    actor: User | None, component: ComponentActivity, *, excluded_on, reason: str
) -> ComponentActivity:
    """The coordinating entity excludes a component from its programme, from ``excluded_on``,
    with a public reason (COMPONENT_DATES, COMPONENT_FINAL_EXCLUSION). One public event."""
    with transaction.atomic():
        project = lock(component.project_id)
        current = ComponentActivity.objects.select_for_update().get(pk=component.pk)
        GUARDS["exclude"].check(actor, current, project)
        _require_open(project)
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise Invalid(_("Say why the component is excluded."), code="required", field="reason")
        if len(reason) > 20000:
            raise Invalid(_("A reason has at most 20,000 characters."), field="reason")
        check_text(reason, "reason", multiline=True)
        excluded_on = _day(excluded_on, "excluded_on")
        if excluded_on < current.included_on:
            raise Invalid(
                _("The component was included on %(date)s; it cannot be excluded before.")
                % {"date": day_text(current.included_on)},
                field="excluded_on",
            )
        current.excluded_on = excluded_on
        current.reason = reason
        COMPONENT.move(
            current,
            C.EXCLUDED,
            log=lambda before, after: record(
                project,
                "component_excluded",
                actor=actor,
                reason=reason,
                from_status=before,
                to_status=after,
                data={
                    "component": current.number,
                    "reference": component_reference(project, current.number),
                    "excluded_on": excluded_on.isoformat(),
                },
            ),
        )
    current.project = project
    return current


def component_reference(project: Project, number: int) -> str:
    return f"{project.key}-CPA-{number:03d}"


# --- reads -------------------------------------------------------------------------------------


def components_of(project: Project) -> QuerySet[ComponentActivity]:
    """The programme's components in number order, each with its monitoring reports counted and
    the ERUs issued for it (annotations over the reverse relations: one query)."""
    return (
        ComponentActivity.objects.filter(project=project)
        .annotate(
            report_count=Count(
                "monitoring",
                filter=~Q(monitoring__status="withdrawn"),
                distinct=True,
            ),
            erus_issued=Sum("monitoring__verification__erus_issued", default=0),
        )
        .order_by("number")
    )


# The project page's component rows (``with_components``): key -> path on ComponentActivity.
ROW = {
    "id": "pk",
    "number": "number",
    "title": "title",
    "location": "location",
    "included_on": "included_on",
    "status": "status",
    "excluded_on": "excluded_on",
    "expected_annual_reductions": "expected_annual_reductions",
}


def with_components(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with its components as a JSON array (``component_json``), each
    with the monitoring reports not withdrawn and the ERUs issued for it: a subquery of the
    same query, since the project page's query budget has no room for another."""
    erus = (
        ComponentActivity.objects.filter(pk=OuterRef("pk"))
        .annotate(total=Sum("monitoring__verification__erus_issued", default=0))
        .values("total")
    )
    reports = (
        ComponentActivity.objects.filter(pk=OuterRef("pk"))
        .annotate(n=Count("monitoring", filter=~Q(monitoring__status="withdrawn")))
        .values("n")
    )
    rows = (
        ComponentActivity.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(
            rows=JSONRows(
                JSONRow(
                    **{key: F(path) for key, path in ROW.items()},
                    erus_issued=Subquery(erus[:1]),
                    report_count=Subquery(reports[:1]),
                )
            )
        )
        .values("rows")
    )
    return qs.annotate(component_json=Subquery(rows[:1]))


def _day_of(value) -> date | None:
    return None if value is None else date.fromisoformat(str(value)[:10])


def component_rows(project: Project) -> list[ComponentActivity]:
    """The programme's components in number order, with ``report_count`` and ``erus_issued``:
    read from the ``with_components`` annotation (no query), else from ``components_of``."""
    if not hasattr(project, "component_json"):
        rows = list(components_of(project))
    else:
        rows = []
        for row in json.loads(project.component_json) if project.component_json else []:
            row["included_on"] = _day_of(row["included_on"])
            row["excluded_on"] = _day_of(row["excluded_on"])
            extra = {k: int(row.pop(k) or 0) for k in ("erus_issued", "report_count")}
            component = ComponentActivity(project=project, **row)
            component.__dict__.update(extra)
            rows.append(component)
        rows.sort(key=lambda c: c.number)
    for component in rows:
        component.project = project  # its reference, without a query
    return rows


def component_of(project: Project, number) -> ComponentActivity:
    """Component ``number`` of ``project`` (which the caller may already see), or ``NotFound``."""
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number <= MAX_NUMBER:
        raise NotFound(_("No such component."))
    component = ComponentActivity.objects.filter(project=project, number=number).first()
    if component is None:
        raise NotFound(_("No such component."))
    component.project = project
    return component


def component_actions(project: Project, user) -> dict[str, bool]:
    """What ``user`` may do with the programme's components now: the acts' own guards."""
    return {"include": project.poa and GUARDS["include"].allows(user, project)}


def may_exclude(user, component: ComponentActivity) -> bool:
    return component.project.status in OPEN_STATUSES and GUARDS["exclude"].allows(
        user, component, component.project
    )
