"""Public pages, dashboards and their query budgets."""

import pytest

from projects import workflow as wf
from projects.models import Project
from tests.factories import pdf_upload
from tests.support import queries_for, seat

LIST_URLS = ["/", "/projects/", "/projects/open/", "/projects/determinations/", "/projects/final/"]


def test_home_shows_the_three_public_sections(client, publish_many):
    publish_many(1, "open_for_comments", start=1)
    publish_many(1, "determination_published", start=2)
    publish_many(1, "final", start=3)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "PDDs open for comment" in html
    assert 'href="/projects/0001/"' in html
    assert 'href="/projects/0002/"' in html
    assert 'href="/projects/0003/"' in html
    opened = Project.objects.get(reference="0001")
    closes = opened.comments_close_at.strftime("%-d %b %Y") + " 17:00 GMT"
    assert closes in html
    assert "data-countdown" in html


def test_home_hides_drafts_and_unpublished_projects(client, cycle):
    draft = cycle.draft(title="Secret draft")
    submitted = cycle.submitted(title="Submitted not published")
    html = client.get("/projects/").content.decode()
    assert "Secret draft" not in html
    assert "Submitted not published" not in html
    assert client.get(f"/projects/{draft.key}/").status_code == 404
    assert client.get(f"/projects/{submitted.key}/").status_code == 404


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_pages_query_count_is_constant(
    client, publish_many, url, django_assert_max_num_queries
):
    publish_many(1, "open_for_comments", start=1)
    publish_many(1, "determination_published", start=2)
    publish_many(1, "final", start=3)
    one = queries_for(client, url)
    publish_many(15, "open_for_comments", start=10)
    publish_many(15, "determination_published", start=30)
    publish_many(15, "final", start=50)
    many = queries_for(client, url)
    assert one == many
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_pages_query_count_logged_in(
    client, participant, publish_many, url, django_assert_max_num_queries
):
    client.force_login(participant)
    publish_many(1, "final", start=1)
    one = queries_for(client, url)
    publish_many(15, "final", start=10)
    assert queries_for(client, url) == one
    with django_assert_max_num_queries(10):
        client.get(url)


def test_open_list_is_paginated(client, publish_many):
    publish_many(25, "open_for_comments")
    first = client.get("/projects/open/").content.decode()
    second = client.get("/projects/open/?page=2").content.decode()
    assert first.count('class="ref">0') == 20
    assert second.count('class="ref">0') == 5
    assert "Page 2 of 2 (25 projects)" in second
    # A page that does not exist is bad input, said on the page (registry sections).
    bad = client.get("/projects/open/?page=zzz")
    assert bad.status_code == 400
    assert "The page number must be a whole number." in bad.content.decode()
    assert client.get("/projects/open/?page=3").status_code == 400


def test_project_list_searches_title_and_reference(client, publish_many):
    publish_many(3, "final")
    Project.objects.filter(reference="0002").update(title="Wind farm Donetsk")
    html = client.get("/projects/?q=wind").content.decode()
    assert "Wind farm Donetsk" in html
    assert "Published project 01" not in html
    html = client.get("/projects/?q=0003").content.decode()
    assert "Published project 03" in html
    assert "Published project 01" not in html


def test_project_list_filters_by_status(client, publish_many):
    publish_many(1, "open_for_comments", start=1)
    publish_many(1, "final", start=2)
    html = client.get("/projects/?status=final").content.decode()
    assert "Published project 02" in html
    assert "Published project 01" not in html
    bad = client.get("/projects/?status=nonsense")
    assert bad.status_code == 400
    assert "nonsense is not a status of this list." in bad.content.decode()
    assert "Published project 02" not in bad.content.decode()


def test_dashboard_requires_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/dashboard/"


def test_login_page_logs_in_and_shows_role(client, participant):
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "participant", "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    html = client.get("/dashboard/").content.decode()
    assert "Project participant · Green Carbon Ltd" in html
    response = client.post("/logout/")
    assert response.status_code == 302


def test_dashboard_participant_lists_own_projects_with_next_action(
    client, cycle, participant, other_participant
):
    cycle.draft(title="Our landfill")
    client.force_login(participant)
    html = client.get("/dashboard/").content.decode()
    assert "Our landfill" in html
    assert "New project" in html
    assert "Project participants: upload the PDD and engage an AIE" in html
    client.force_login(other_participant)
    assert "Our landfill" not in client.get("/dashboard/").content.decode()


def test_dashboard_aie_shows_inbox_and_tasks(client, cycle, participant, aie_user):
    draft = cycle.draft(title="Waiting engagement")
    wf.add_document(participant, draft, kind="pdd", title="PDD", uploaded=pdf_upload())
    engagement = wf.engage_aie(participant, draft, aie_user.organisation)
    engaged = cycle.engaged(title="Engaged project")
    client.force_login(aie_user)
    html = client.get("/dashboard/").content.decode()
    assert "Waiting engagement" in html
    assert f"/engagements/{engagement.pk}/decide/" in html
    assert f"/projects/{engaged.key}/submit-pdd/" in html
    assert "New project" not in html


def test_dashboard_secretariat_shows_checks_and_fee(client, cycle, secretariat):
    submitted = cycle.submitted(title="To check")
    report = cycle.determination_submitted(title="Report to check")
    client.force_login(secretariat)
    html = client.get("/dashboard/").content.decode()
    assert f"/projects/{submitted.key}/check-pdd/" in html
    assert f"/projects/{report.key}/determination/check/" in html
    assert f"/projects/{report.key}/fee/payment/" in html
    assert "USD 8,500.00" in html
    assert "Record payment" in html
    for queue in ("PDDs to check", "Verification reports to publish", "Payments to reconcile"):
        assert queue in html


@pytest.mark.parametrize("user_fixture", ["jisc_user", "party_user"])
def test_dashboard_jisc_and_party_see_determinations_in_window(
    client, cycle, request, user_fixture
):
    project = cycle.determination_published()
    user = request.getfixturevalue(user_fixture)
    if user_fixture == "jisc_user":
        seat(user)  # a sitting member (para 35)
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    assert f'href="/projects/{project.key}/"' in html
    assert "Determinations open to a review request" in html
    assert f'href="/projects/{project.key}/review/request/"' in html


@pytest.mark.parametrize("user_fixture", ["participant", "aie_user", "secretariat", "jisc_user"])
def test_dashboard_query_count_is_constant(
    client, cycle, publish_many, request, user_fixture, django_assert_max_num_queries
):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    cycle.engaged()
    publish_many(1, "determination_published", start=100)
    one = queries_for(client, "/dashboard/")
    for _ in range(3):
        cycle.engaged()
    cycle.submitted()
    publish_many(15, "determination_published", start=200)
    assert queries_for(client, "/dashboard/") == one
    with django_assert_max_num_queries(10):
        client.get("/dashboard/")
