"""Acts that cannot be undone ask first (issue 15): the act's POST without ``confirmed=yes``
answers with a page that says what will happen, posts the same data again with Confirm, and
changes nothing; the API acts at once, as before."""

import pytest

from projects import workflow as wf
from projects.models import Event, Project
from tests.support import assert_error, html, html_text

pytestmark = pytest.mark.usefixtures("fast_pdfs")


def _events() -> int:
    return Event.objects.count()


def test_submitting_the_pdd_is_a_link_to_a_page_that_asks(client, cycle, aie_user):
    project = cycle.engaged()
    client.force_login(aie_user)
    page = html(client.get(f"/projects/{project.key}/"))
    assert f'<a class="button" href="/projects/{project.key}/submit-pdd/">' in page
    assert f'action="/projects/{project.key}/submit-pdd/"' not in page  # no one-click form

    before = _events()
    asked = client.get(f"/projects/{project.key}/submit-pdd/")
    assert asked.status_code == 200
    text = html_text(html(asked))
    assert "Submit the PDD of Landfill gas capture at Kyiv for publication?" in text
    assert "publishes it for 30 days of comments (para 32)" in text
    assert "This cannot be undone." in text
    assert f'href="/projects/{project.key}/"' in html(asked)  # Cancel
    # A POST without the confirmation (a one-click form elsewhere) asks too, and acts not.
    assert client.post(f"/projects/{project.key}/submit-pdd/").status_code == 200
    assert (_events(), Project.objects.get(pk=project.pk).status) == (before, "engaged")

    done = client.post(f"/projects/{project.key}/submit-pdd/", {"confirmed": "yes"})
    assert done.status_code == 302
    assert Project.objects.get(pk=project.pk).status == "pdd_submitted"


def test_publishing_the_pdd_replays_the_form_and_returning_it_asks_nothing(
    client, cycle, secretariat
):
    project = cycle.submitted()
    client.force_login(secretariat)
    url = f"/projects/{project.key}/check-pdd/"
    day = html(client.get(url)).split('name="available_on"')[1].split('value="')[2].split('"')[0]
    asked = client.post(url, {"decision": "accept", "available_on": day})
    page = html(asked)
    assert asked.status_code == 200
    assert "Publish the PDD of Landfill gas capture at Kyiv?" in html_text(page)
    for hidden in (
        '<input type="hidden" name="decision" value="accept">',
        f'<input type="hidden" name="available_on" value="{day}">',
        '<input type="hidden" name="confirmed" value="yes">',
    ):
        assert hidden in page
    assert Project.objects.get(pk=project.pk).reference is None

    other = cycle.submitted(title="Second")
    returned = client.post(
        f"/projects/{other.key}/check-pdd/", {"decision": "reject", "reason": "Annex missing."}
    )
    assert returned.status_code == 302  # the AIE submits it again: nothing to confirm
    assert Project.objects.get(pk=other.pk).status == "engaged"


def test_a_refused_act_is_refused_at_once_not_after_confirming(client, cycle, secretariat):
    project = cycle.open()  # already published: the check is refused
    client.force_login(secretariat)
    response = client.post(f"/projects/{project.key}/check-pdd/", {"decision": "accept"})
    assert response.status_code in (400, 403, 409)
    assert 'name="confirmed"' not in html(response)


def test_removing_a_comment_asks_first(client, cycle, secretariat):
    project = cycle.open()
    comment = wf.add_comment(
        project, name="Troll", affiliation="", category="stakeholder", email="t@x.org", text="Spam"
    )
    client.force_login(secretariat)
    url = f"/projects/{project.key}/comments/{comment.pk}/remove/"
    asked = client.post(url, {"reason": "Abusive."})
    assert asked.status_code == 200
    assert "The record keeps that a comment was removed, when and why." in html_text(html(asked))
    comment.refresh_from_db()
    assert comment.removed_at is None
    assert client.post(url, {"reason": "Abusive.", "confirmed": "yes"}).status_code == 302
    comment.refresh_from_db()
    assert comment.removed_reason == "Abusive."


def test_the_api_acts_at_once(cycle, aie_api):
    project = cycle.engaged()
    response = aie_api.post(f"/api/projects/{project.key}/submit-pdd/")
    assert response.status_code == 200, response.content
    assert Project.objects.get(pk=project.pk).status == "pdd_submitted"
    assert_error(aie_api.post(f"/api/projects/{project.key}/submit-pdd/"), 409)


# --- actions only where allowed: a form the act's guard refuses is not shown ------------------


@pytest.mark.parametrize(
    ("user", "tail", "reason"),
    [
        ("secretariat", "check-pdd/", "You cannot check the PDD while the project is"),
        ("aie_user", "submit-pdd/", "You cannot submit the PDD while the project is"),
        ("participant", "edit/", "You cannot edit the project while the project is"),
        ("aie_user", "determination/", ""),
    ],
)
def test_a_form_the_guard_refuses_now_gives_its_reason_instead(
    client, request, cycle, user, tail, reason
):
    project = cycle.open()
    client.force_login(request.getfixturevalue(user))
    before = _events()
    for response in (
        client.get(f"/projects/{project.key}/{tail}"),
        client.post(f"/projects/{project.key}/{tail}", {"confirmed": "yes"}),
    ):
        assert response.status_code == 409
        page = html(response)
        assert '<form method="post" class="panel form' not in page
        assert reason in html_text(page)
    assert _events() == before
