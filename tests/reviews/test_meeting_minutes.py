"""The minutes of JISC meetings (reviews.minutes): decisions per agenda item and the overall
minutes, kept by the secretariat, published after the meeting and public from then on, citing
the JISC document and its paragraphs; a draft is for the secretariat and the JISC only."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from jitrack.errors import Conflict, Forbidden, Invalid
from reviews import minutes
from reviews import workflow as rwf
from reviews.deadlines import meeting_end
from reviews.models import Meeting, MeetingItem, Review
from tests.support import REASONS, assert_error, client_for, html, login, queries_for

pytestmark = pytest.mark.django_db

SYMBOL = "JI-JISC-40 meeting report"
DECISION = "The JISC confirmed the determination: additionality is shown."


@pytest.fixture
def meeting(db):
    today = timezone.localdate()
    return Meeting.objects.create(number=40, starts_on=today, ends_on=today, place="Bonn")


@pytest.fixture
def after(meeting):
    """An instant after the meeting: its last day has ended (24:00 GMT)."""
    return meeting_end(meeting.ends_on) + dt.timedelta(minutes=1)


@pytest.fixture
def decided(project, members, secretariat, meeting):
    """A review decided at the meeting."""
    for m in members[:3]:
        rwf.request_review(m, project, reasons=REASONS, summary="Additionality doubtful")
    review = Review.objects.get(project=project)
    rwf.appoint_team(secretariat, review, members=[members[3], members[4]], lead=members[3])
    rwf.file_report(members[3], review, recommendation="confirmed", report="TEAM-REPORT")
    return rwf.decide(secretariat, review, decision="confirmed", reasons="Shown.", meeting=meeting)


def draft(secretariat, meeting, **item):
    minutes.save_minutes(
        secretariat, meeting, report_symbol=SYMBOL, minutes="The Chair opened the meeting."
    )
    fields = {"number": "3", "title": "Review of 0001", "decision": DECISION, "paragraph": 12}
    return minutes.save_item(secretariat, meeting, **(fields | item))


# --- the domain -------------------------------------------------------------------------------


def test_record_items_and_publish_after_the_meeting(secretariat, meeting, decided, after):
    item = draft(secretariat, meeting, review=decided, paragraph_end=14)
    assert (item.number, item.paragraphs, item.review, item.recorded_by) == (
        "3",
        "12–14",
        decided,
        secretariat,
    )
    changed = minutes.save_item(
        secretariat, meeting, item, number="3", title="Review", decision="D", paragraph=12
    )
    assert (changed.pk, changed.paragraphs, changed.review) == (item.pk, "12", None)
    published = minutes.publish_minutes(secretariat, meeting, now=after)
    assert (published.minutes_published_at, published.minutes_published_by) == (
        after,
        secretariat,
    )
    again = minutes.publish_minutes(secretariat, meeting, now=after + dt.timedelta(days=1))
    assert again.minutes_published_at == after  # twice changes nothing


def test_publish_refused_before_the_end_of_the_meeting(secretariat, meeting, after):
    draft(secretariat, meeting)
    for now in (meeting_end(meeting.ends_on) - dt.timedelta(seconds=1), timezone.now()):
        with pytest.raises(Conflict) as err:
            minutes.publish_minutes(secretariat, meeting, now=now)
        assert err.value.code == "meeting_not_over"
        assert "published after the meeting" in err.value.detail
    assert Meeting.objects.get(pk=meeting.pk).minutes_published_at is None
    # from 24:00 GMT on its last day
    minutes.publish_minutes(secretariat, meeting, now=meeting_end(meeting.ends_on))


def test_publish_refused_when_incomplete(secretariat, meeting, after):
    with pytest.raises(Conflict) as err:
        minutes.publish_minutes(secretariat, meeting, now=after)
    assert (err.value.code, err.value.field) == ("minutes_incomplete", "report_symbol")
    minutes.save_minutes(secretariat, meeting, report_symbol=SYMBOL, minutes="")
    with pytest.raises(Conflict) as err:
        minutes.publish_minutes(secretariat, meeting, now=after)
    assert err.value.code == "minutes_incomplete" and "at least one" in err.value.detail
    assert Meeting.objects.get(pk=meeting.pk).minutes_published_at is None


def test_published_minutes_never_change(secretariat, meeting, after):
    item = draft(secretariat, meeting)
    minutes.publish_minutes(secretariat, meeting, now=after)
    for call in (
        lambda: minutes.save_minutes(secretariat, meeting, report_symbol="X", minutes="X"),
        lambda: minutes.save_item(
            secretariat, meeting, number="4", title="T", decision="D", paragraph=1
        ),
        lambda: minutes.save_item(
            secretariat, meeting, item, number="3", title="T", decision="D", paragraph=1
        ),
        lambda: minutes.remove_item(secretariat, item),
        lambda: minutes.save_draft(secretariat, meeting, items=[]),
    ):
        with pytest.raises(Conflict) as err:
            call()
        assert err.value.code == "minutes_published"
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.report_symbol, MeetingItem.objects.get().decision) == (SYMBOL, DECISION)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"number": " "}, "number"),
        ({"number": "1234567890123"}, "number"),
        ({"title": ""}, "title"),
        ({"decision": None}, "decision"),
        ({"paragraph": 0}, "paragraph"),
        ({"paragraph": "12"}, "paragraph"),
        ({"paragraph": True}, "paragraph"),
        ({"paragraph": 12, "paragraph_end": 11}, "paragraph_end"),
    ],
)
def test_item_invalid(secretariat, meeting, fields, field):
    with pytest.raises(Invalid) as err:
        draft(secretariat, meeting, **fields)
    assert err.value.field == field
    assert not MeetingItem.objects.exists()


def test_item_number_once_and_review_of_this_meeting(secretariat, meeting, decided):
    draft(secretariat, meeting)
    with pytest.raises(Conflict) as err:
        draft(secretariat, meeting)
    assert (err.value.code, err.value.field) == ("duplicate", "number")
    other = Meeting.objects.create(
        number=41, starts_on=meeting.starts_on, ends_on=meeting.ends_on, electronic=True
    )
    with pytest.raises(Invalid) as err:
        draft(secretariat, other, review=decided)
    assert err.value.code == "wrong_review"
    assert MeetingItem.objects.count() == 1


def test_only_the_secretariat_keeps_minutes(meeting, members, participant, party_user, after):
    for who in (members[0], participant, party_user):
        with pytest.raises(Forbidden):
            draft(who, meeting)
        with pytest.raises(Forbidden):
            minutes.publish_minutes(who, meeting, now=after)
    assert not MeetingItem.objects.exists()


# --- the pages ----------------------------------------------------------------------------------


def test_draft_is_for_the_secretariat_and_the_jisc(
    client, secretariat, meeting, members, participant, jisc_user
):
    draft(secretariat, meeting)
    path = f"/reviews/meetings/{meeting.number}/"
    for who in (secretariat, members[0]):
        page = html(login(client, who).get(path))
        assert DECISION in page and "Draft — not public" in page
    for who in (None, participant, jisc_user):  # jisc_user: no serving term
        page = html(login(client, who).get(path))
        assert DECISION not in page and "The Chair opened" not in page


def test_secretariat_records_and_publishes_in_the_browser(client, secretariat, meeting, decided):
    login(client, secretariat)
    base = f"/reviews/meetings/{meeting.number}/minutes/"
    assert f'href="{base}"' in html(client.get(f"/reviews/meetings/{meeting.number}/"))
    page = html(client.get(base))
    assert 'value="JI-JISC-40 meeting report"' in page  # the usual symbol, proposed
    r = client.post(base, {"report_symbol": SYMBOL, "minutes": "The Chair opened the meeting."})
    assert r.status_code == 302 and r["Location"] == base
    new = base + "items/new/"
    assert f'value="{decided.pk}"' in html(client.get(new))
    r = client.post(
        new,
        {
            "number": "3",
            "title": "Request for review of 0001",
            "decision": DECISION,
            "paragraph": "12",
            "paragraph_end": "14",
            "review": decided.pk,
        },
    )
    assert r.status_code == 302, html(r)
    item = MeetingItem.objects.get()
    r = client.post(new, {"number": "3", "title": "T", "decision": "D", "paragraph": "x"})
    assert r.status_code == 400
    r = client.post(new, {"number": "3", "title": "T", "decision": "D", "paragraph": "2"})
    assert r.status_code == 409 and "already recorded" in html(r)
    # edit, then remove and add again
    edit = f"{base}items/{item.pk}/"
    assert "Request for review of 0001" in html(client.get(edit))
    assert client.post(edit, {"remove": "1"}).status_code == 302
    assert not MeetingItem.objects.exists()
    client.post(
        new,
        {
            "number": "3",
            "title": "Request for review of 0001",
            "decision": DECISION,
            "paragraph": "12",
            "paragraph_end": "14",
            "review": decided.pk,
        },
    )
    # Before the end of the meeting: refused, with the reason.
    publish = base + "publish/"
    assert DECISION in html(client.get(publish))  # the preview
    r = client.post(publish)
    assert r.status_code == 409 and "published after the meeting" in html(r)
    assert Meeting.objects.get().minutes_published_at is None
    # The meeting is over (set up: it took place two days ago; the session stays valid).
    past = timezone.localdate() - dt.timedelta(days=2)
    Meeting.objects.filter(pk=meeting.pk).update(starts_on=past, ends_on=past)
    r = client.post(publish)
    assert r.status_code == 302 and r["Location"] == f"/reviews/meetings/{meeting.number}/"
    assert client.post(base, {"report_symbol": "X"}).status_code == 409
    # public, citing the JISC document and its paragraphs
    page = html(login(client, None).get(f"/reviews/meetings/{meeting.number}/"))
    assert DECISION in page and "The Chair opened the meeting." in page
    assert f"<cite>{SYMBOL}</cite>, paras 12–14" in page
    assert "Item 3: Request for review of 0001" in page
    assert "Draft — not public" not in page and "ji-rules" not in page


def test_minutes_pages_refused_to_others(client, meeting, members, participant, secretariat):
    item = draft(secretariat, meeting)
    base = f"/reviews/meetings/{meeting.number}/minutes/"
    for who in (members[0], participant):
        login(client, who)
        for path in (base, base + "items/new/", f"{base}items/{item.pk}/", base + "publish/"):
            assert client.get(path).status_code == 403
            assert client.post(path, {"remove": "1"}).status_code == 403
    login(client, None)
    assert client.get(base)["Location"].startswith("/login/")
    login(client, secretariat)
    assert client.get(f"{base}items/999999/").status_code == 404
    assert client.get("/reviews/meetings/999/minutes/").status_code == 404
    assert MeetingItem.objects.count() == 1


@pytest.mark.parametrize("rows", [1, 30])
def test_meeting_page_query_budget(client, secretariat, meeting, members, rows, after):
    minutes.save_minutes(secretariat, meeting, report_symbol=SYMBOL, minutes="M")
    MeetingItem.objects.bulk_create(
        MeetingItem(meeting=meeting, number=str(n), title=f"T{n}", decision="D", paragraph=n + 1)
        for n in range(rows)
    )
    path = f"/reviews/meetings/{meeting.number}/"
    for who in (secretariat, members[0]):
        assert queries_for(login(client, who), path) <= 10
        assert queries_for(client, path + "minutes/") <= 10 if who == secretariat else True
    assert queries_for(login(client, secretariat), path + "minutes/publish/") <= 10
    minutes.publish_minutes(secretariat, meeting, now=after)
    with time_machine.travel(after):
        assert queries_for(login(client, None), path) <= 10
        assert queries_for(client, "/api/meetings/") <= 10


# --- the API ------------------------------------------------------------------------------------


def test_api_minutes_draft_and_publish(secretariat, meeting, decided, anon, members):
    api = client_for(secretariat)
    url = f"/api/meetings/{meeting.number}/minutes/"
    body = {
        "report_symbol": SYMBOL,
        "minutes": "Opened.",
        "items": [
            {
                "number": "3",
                "title": "Review",
                "decision": DECISION,
                "paragraph": 12,
                "paragraph_end": 14,
                "review": decided.pk,
            },
            {"number": "4", "title": "Calendar", "decision": "JISC 41 in Bonn.", "paragraph": 15},
        ],
    }
    r = api.post(url, body, format="json")
    assert r.status_code == 200, r.content
    assert [(i["number"], i["paragraph"], i["review"]) for i in r.json()["minutes"]["items"]] == [
        ("3", 12, decided.pk),
        ("4", 15, None),
    ]
    # not public before publication
    listed = {m["number"]: m for m in anon.get("/api/meetings/").json()}
    assert listed[40]["minutes"] is None
    # refusals
    assert_error(client_for(members[0]).post(url, body, format="json"), 403, "forbidden")
    assert_error(anon.post(url, body, format="json"), 401)
    assert_error(api.post("/api/meetings/999/minutes/", body, format="json"), 404)
    twice = body | {"items": [body["items"][1], body["items"][1]]}
    assert_error(api.post(url, twice, format="json"), 400, "duplicate")
    wrong = body | {"items": [body["items"][0] | {"review": 999999}]}
    assert_error(api.post(url, wrong, format="json"), 400, "wrong_review")
    assert_error(api.post(url, {"items": [{"number": "1"}]}, format="json"), 400)
    assert MeetingItem.objects.count() == 2
    publish = url + "publish/"
    assert_error(api.post(publish), 409, "meeting_not_over")
    assert_error(client_for(members[0]).post(publish), 403)
    with time_machine.travel(meeting_end(meeting.ends_on) + dt.timedelta(hours=1)):
        r = api.post(publish)
        assert r.status_code == 200, r.content
        assert_error(api.post(url, body, format="json"), 409, "minutes_published")
        listed = {m["number"]: m for m in anon.get("/api/meetings/").json()}
    published = listed[40]["minutes"]
    assert (published["report_symbol"], published["text"]) == (SYMBOL, "Opened.")
    assert published["items"][0]["decision"] == DECISION and published["published_at"]
