"""Public comments (ji-rules §7): at most 20,000 characters, answers too; the secretariat may
remove an abusive comment, and the record keeps that a comment was removed, when and why."""

import datetime as dt
import pathlib

import pytest
from django.contrib.staticfiles import finders

from determinations import workflow as dwf
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import workflow as wf
from projects.models import Comment, Event, Project
from tests.support import FINDINGS, html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

ABUSE = "Abusive text " + "x" * 300


def _comment(project, text=ABUSE):
    return wf.add_comment(
        project,
        name="Troll",
        affiliation="",
        category="stakeholder",
        email="troll@example.org",
        text=text,
    )


def test_the_secretariat_removes_a_comment_and_the_record_says_when_and_why(
    client, cycle, secretariat
):
    project = cycle.open()
    comment = _comment(project)
    wf.remove_comment(secretariat, comment, "Abusive language.")
    comment.refresh_from_db()
    assert comment.removed_by == secretariat and comment.removed_reason == "Abusive language."
    event = Event.objects.get(project=project, kind="comment_removed")
    assert (event.public, event.reason, event.data) == (
        True,
        "Abusive language.",
        {"comment_id": comment.pk},
    )
    page = html(client.get(f"/projects/{project.key}/"))
    assert "Abusive text" not in page
    day = comment.removed_at.strftime("%-d %b %Y")
    assert f"Removed by the secretariat on {day}: Abusive language." in page
    body = client.get(f"/api/projects/{project.key}/").json()
    [shown] = body["comments"]
    assert (shown["text"], shown["name"], shown["removed_reason"]) == ("", "", "Abusive language.")


def test_only_the_secretariat_removes_with_a_reason_and_once(cycle, secretariat, participant):
    project = cycle.open()
    comment = _comment(project)
    for user in (participant, cycle.aie_user):
        with pytest.raises(Forbidden):
            wf.remove_comment(user, comment, "No.")
    with pytest.raises(Invalid):
        wf.remove_comment(secretariat, comment, "  ")
    assert Comment.objects.get(pk=comment.pk).removed_at is None
    wf.remove_comment(secretariat, comment, "Abusive.")
    with pytest.raises(Conflict) as twice:
        wf.remove_comment(secretariat, comment, "Again.")
    assert twice.value.code == "already_removed"
    assert Event.objects.filter(kind="comment_removed").count() == 1


def test_a_removed_comment_needs_no_answer_and_is_not_quoted(cycle, secretariat):
    project = cycle.open()
    kept = _comment(project, "Fair question about leakage.")
    removed = _comment(project)
    wf.remove_comment(secretariat, removed, "Abusive.")
    with pytest.raises(Conflict) as refused:
        wf.answer_comment(cycle.aie_user, removed, "No.")
    assert refused.value.code == "comment_removed"
    wf.answer_comment(cycle.aie_user, kept, "Leakage is counted in section D.")
    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
    det = dwf.submit_determination(
        cycle.aie_user,
        Project.objects.get(pk=project.pk),
        findings=dict(FINDINGS),
        outcome="positive",
    )
    assert "Fair question about leakage." in det.comments_summary
    assert "Abusive text" not in det.comments_summary


def test_comments_and_answers_have_at_most_20000_characters(client, cycle, anon):
    project = cycle.open()
    with pytest.raises(Invalid):
        _comment(project, "x" * 20001)
    response = anon.post(
        f"/api/projects/{project.key}/comments/",
        {"name": "A", "category": "stakeholder", "email": "a@example.org", "text": "y" * 200_000},
        format="json",
    )
    assert response.status_code == 400
    comment = _comment(project, "z" * 20000)
    with pytest.raises(Invalid) as long_answer:
        wf.answer_comment(cycle.aie_user, comment, "a" * 20001)
    assert long_answer.value.field == "answer"
    assert Comment.objects.filter(project=project).count() == 1


def test_the_page_never_grows_wider_than_a_long_word():
    css = pathlib.Path(finders.find("jitrack.css")).read_text()
    assert ".comment, .answer, .timeline" in css and "overflow-wrap: anywhere" in css
