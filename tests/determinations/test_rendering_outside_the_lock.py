"""No row lock is held while a report renders (WeasyPrint takes a second or more): F-JI-DRep and
F-JI-VRep are made before the project's row is locked, and under the lock the act checks that
what the report shows still stands, else it renders again."""

import datetime as dt

import pytest
from django.db import connection

from determinations import workflow as dwf
from projects import workflow as wf
from projects.models import Comment, Document, Project
from tests.support import FINDINGS

pytestmark = pytest.mark.django_db(transaction=True)


def _row_locked(project_id: int) -> bool:
    """Whether another connection holds the project's row lock (PostgreSQL)."""
    import psycopg2  # noqa: PLC0415 -- optional dependency (PostgreSQL only)

    s = connection.settings_dict
    other = psycopg2.connect(
        dbname=s["NAME"],
        user=s["USER"],
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        password=s["PASSWORD"] or None,
    )
    try:
        with other.cursor() as cur:
            cur.execute(
                "SELECT 1 FROM projects_project WHERE id = %s FOR UPDATE NOWAIT", [project_id]
            )
        return False
    except psycopg2.errors.LockNotAvailable:
        return True
    finally:
        other.rollback()
        other.close()


def test_the_determination_report_renders_with_no_lock_held(cycle, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    project = cycle.comments_closed()
    seen = []

    def to_pdf(html: str) -> bytes:
        seen.append(_row_locked(project.pk))
        return b"%PDF-1.4\n" + html.encode()

    monkeypatch.setattr("jitrack.pdf.write_pdf", to_pdf)
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    assert seen == [False]


def test_a_change_while_the_report_renders_makes_it_again_from_the_new_state(cycle, monkeypatch):
    project = cycle.open()
    comment = wf.add_comment(
        project,
        name="Olena",
        affiliation="",
        category="stakeholder",
        email="o@example.org",
        text="What about leachate?",
    )
    wf.answer_comment(cycle.aie_user, comment, "First answer.")
    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
    project = Project.objects.get(pk=project.pk)
    calls = []

    def to_pdf(html: str) -> bytes:
        calls.append(html)
        if len(calls) == 1:  # the AIE revises its answer while the first PDF is being made
            Comment.objects.filter(pk=comment.pk).update(answer="Revised answer.")
        return b"%PDF-1.4\n" + html.encode()

    monkeypatch.setattr("jitrack.pdf.write_pdf", to_pdf)
    det = dwf.submit_determination(
        cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive"
    )
    assert len(calls) == 2
    assert "First answer." in calls[0] and "Revised answer." in calls[1]
    stored = Document.objects.get(pk=det.report_id).file.read()
    assert b"Revised answer." in stored and b"First answer." not in stored
    assert "Revised answer." in det.comments_summary
