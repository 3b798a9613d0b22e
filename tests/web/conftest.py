"""Helpers for the browser tests: counted page loads and many published projects."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import deadlines
from projects.models import Project, SectoralScope


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture
def publish_many(ukraine, scopes, pp_org, aie_org):
    """Write ``n`` public projects in ``status`` straight to the database (list fixtures only;
    status changes under test go through the workflow)."""

    def make(n: int, status: str, start: int = 1) -> list[Project]:
        today = timezone.localdate()
        projects = []
        for i in range(start, start + n):
            available = today - dt.timedelta(days=1)
            project = Project.objects.create(
                title=f"Published project {i:02d}",
                reference=f"{i:04d}",
                host_party=ukraine,
                aie=aie_org,
                status=status,
                pdd_available_on=available,
                comments_close_at=deadlines.comments_close_at(available),
                determination_available_on=available if status != "open_for_comments" else None,
                review_window_closes_at=deadlines.review_window_closes_at(available)
                if status != "open_for_comments"
                else None,
                final_on=today if status == "final" else None,
                expected_annual_reductions=50000,
            )
            project.participants.add(pp_org)
            project.sectoral_scopes.add(SectoralScope.objects.get(number=1))
            projects.append(project)
        return projects

    return make
