"""A project with a long history (issue 13, target 2): its page, its as-of view and its API detail
show a bounded part of the timeline and of the comments, with the rest a page away, in the same
number of queries as a short history."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from projects.models import Comment, Event, Project

EVENTS = 130  # more than two pages of 50 and more than the API's 100
COMMENTS = 120


@pytest.fixture
def long_project(publish_many):
    project = publish_many(1, "open_for_comments")[0]
    start = timezone.now() - dt.timedelta(days=400)
    Event.objects.create(
        project=project,
        kind="pdd_published",
        to_status="open_for_comments",
        actor_label="Secretariat",
        data={"reference": project.reference, "available_on": str(project.pdd_available_on)},
        created_at=start - dt.timedelta(days=1),
    )
    Event.objects.bulk_create(
        Event(
            project=project,
            kind="comment_received",
            actor_label=f"Commenter {i:03d}",
            created_at=start + dt.timedelta(hours=i),
        )
        for i in range(EVENTS)
    )
    Comment.objects.bulk_create(
        Comment(
            project=project,
            name=f"Commenter {i:03d}",
            category="stakeholder",
            email="c@example.org",
            text=f"Comment {i:03d}.",
            submitted_at=start + dt.timedelta(hours=i),
        )
        for i in range(COMMENTS)
    )
    return Project.objects.get(pk=project.pk)


def actors(html: str) -> list[str]:
    timeline = html[html.index('id="h-timeline"') :]
    return re.findall(r"— (Commenter \d{3})</span>", timeline)


def test_the_page_shows_the_latest_fifty_events_and_the_first_fifty_comments(client, long_project):
    html = client.get(f"/projects/{long_project.reference}/").content.decode()
    shown = actors(html)
    assert shown == [f"Commenter {i:03d}" for i in range(EVENTS - 50, EVENTS)]
    assert f"Events {EVENTS - 49 + 1}–{EVENTS + 1} of {EVENTS + 1}" in html
    assert 'events=2#h-timeline" rel="prev">← Earlier events' in html  # a link away, to the left
    assert "Later events" not in html  # these are the newest
    assert html.count('class="comment"') == 50
    assert "Comment 000." in html and "Comment 050." not in html
    assert f"Comments ({COMMENTS})" in html and "comments=2#h-comments" in html


def test_earlier_pages_and_numbers_out_of_range(client, long_project):
    url = f"/projects/{long_project.reference}/"
    older = client.get(url, {"events": 3}).content.decode()  # the oldest (and the publication)
    assert 'events=2#h-timeline" rel="next">Later events' in older and "Earlier events" not in older
    assert actors(older) == [f"Commenter {i:03d}" for i in range(EVENTS + 1 - 100 - 1)]
    for bad in ("0", "-3", "x", "99999"):
        assert client.get(url, {"events": bad, "comments": bad}).status_code == 200
    second = client.get(url, {"comments": 3}).content.decode()
    assert "Comment 100." in second and "Comment 099." not in second


def test_the_as_of_view_is_paged_the_same_way(client, long_project):
    today = timezone.now().date().isoformat()
    html = client.get(f"/projects/{long_project.reference}/", {"as_of": today}).content.decode()
    assert len(actors(html)) == 50
    assert html.count('class="comment"') == 50


@pytest.mark.parametrize("n", [0, EVENTS])
def test_the_page_costs_the_same_queries_short_or_long(
    client, publish_many, long_project, django_assert_max_num_queries, n
):
    project = long_project if n else publish_many(1, "open_for_comments", start=2)[0]
    for url in (f"/projects/{project.reference}/", f"/api/projects/{project.reference}/"):
        with django_assert_max_num_queries(10):
            assert client.get(url, HTTP_COOKIE="messages=no-cache").status_code == 200


def test_the_api_detail_embeds_a_bounded_part_and_links_the_rest(client, long_project):
    body = client.get(f"/api/projects/{long_project.reference}/").json()
    assert len(body["timeline"]) == 100 and body["timeline_count"] == EVENTS + 1
    assert body["timeline"][-1]["actor"] == f"Commenter {EVENTS - 1:03d}"  # the latest, in order
    assert len(body["comments"]) == 100 and body["comment_count"] == COMMENTS
    assert body["comments"][0]["text"] == "Comment 000."
    pages = client.get(body["timeline_url"], {"page": 2}).json()
    assert pages["count"] == EVENTS + 1 and len(pages["results"]) == EVENTS + 1 - 100
    comments = client.get(body["comments_url"], {"page_size": 50, "page": 3}).json()
    assert [c["text"] for c in comments["results"]][0] == "Comment 100."
    assert "email" not in comments["results"][0]
    assert client.get(body["timeline_url"], {"page": 99}).status_code == 404
