"""The components of a programme of activities on PostgreSQL: the exclusion constraint keeps the
monitoring periods of one component apart and lets two components overlap, and the writers run
at once (two inclusions, two reports of one component) end as if one ran after the other.

On SQLite the constraint does not exist and the code's checks alone apply
(``test_monitoring_components``)."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from determinations import verification as vwf
from determinations.models import MonitoringReport
from jitrack.errors import Conflict
from projects import components as cwf
from projects.models import ComponentActivity
from tests.factories import pdf_upload
from tests.support import run_at_once

pytestmark = [
    pytest.mark.usefixtures("fast_pdfs"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="exclusion constraints and concurrent row locks need PostgreSQL; "
        "run with DATABASE_URL=postgres://... (CI runs this on PostgreSQL)",
    ),
]

D = dt.date


def _programme(cycle, components=2):
    project = cycle.final(poa=True, crediting_start=D(2009, 1, 1))
    for n in range(components):
        cwf.include_component(
            cycle.participant, project, title=f"Component {n + 1}", included_on=D(2009, 1, 1)
        )
    return project


def _raw(project, number, component, start, end, report):
    return MonitoringReport.objects.create(
        project=project,
        component=component,
        number=number,
        period_start=start,
        period_end=end,
        aie=project.aie,
        claimed={"2009": 1},
        report=report,
    )


@pytest.mark.django_db
def test_database_keeps_one_components_periods_apart_and_lets_two_overlap(cycle):
    project = _programme(cycle)
    one, two = project.components.order_by("number")
    first = vwf.submit_monitoring_report(
        cycle.participant,
        project,
        period_start=D(2009, 1, 1),
        period_end=D(2009, 12, 31),
        aie=cycle.aie_user.organisation,
        claimed={2009: 5},
        report=pdf_upload("mr.pdf"),
        component=1,
    )
    with pytest.raises(IntegrityError) as err, transaction.atomic():
        _raw(project, 8, one, D(2009, 6, 1), D(2009, 6, 30), first.report)
    assert "monitoring_periods_do_not_overlap" in str(err.value)
    other = _raw(project, 9, two, D(2009, 6, 1), D(2009, 6, 30), first.report)
    assert other.component_id == two.pk


@pytest.mark.django_db(transaction=True)
def test_two_inclusions_at_once_get_two_numbers(cycle):
    project = _programme(cycle, components=0)

    def include(title):
        return lambda: cwf.include_component(
            cycle.participant, project, title=title, included_on=D(2009, 1, 1)
        )

    results, errors = run_at_once(include("North"), include("South"))
    assert errors == [None, None]
    assert sorted(c.number for c in results) == [1, 2]
    assert ComponentActivity.objects.filter(project=project).count() == 2
    assert project.events.filter(kind="component_included").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_reports_of_one_component_at_once_exactly_one_succeeds(cycle):
    project = _programme(cycle)

    def submit(component, start, end):
        return lambda: vwf.submit_monitoring_report(
            cycle.participant,
            project,
            period_start=start,
            period_end=end,
            aie=cycle.aie_user.organisation,
            claimed={2009: 100},
            report=pdf_upload("mr.pdf"),
            component=component,
        )

    results, errors = run_at_once(
        submit(1, D(2009, 1, 1), D(2009, 12, 31)), submit(1, D(2009, 7, 1), D(2009, 9, 30))
    )
    assert all(e is None or isinstance(e, Conflict) for e in errors), errors
    assert [e.code for e in errors if e is not None] == ["period_overlap"]
    # the other component's report of the same months is taken
    submit(2, D(2009, 1, 1), D(2009, 12, 31))()
    assert sorted(
        MonitoringReport.objects.filter(project=project).values_list("component__number", flat=True)
    ) == [1, 2]
