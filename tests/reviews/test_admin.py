"""The reviews' admin: changelists and change pages load; meetings are saved through the workflow,
so an open review's due date follows them; appraisals and reviews are read-only."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reviews import workflow as rwf
from reviews.deadlines import add_months, meeting_end
from reviews.models import Appraisal, Expert, JiscMember, Meeting, Review, ReviewLog
from tests.factories import UserFactory
from tests.support import CRITERIA_FORM, REASONS

pytestmark = pytest.mark.django_db

MODELS = ["jiscmember", "expert", "meeting", "appraisal", "review", "reviewlog"]


@pytest.fixture
def admin_client(client, db):
    """The secretariat's superuser: the committee is the secretariat's to keep, by role
    (``reviews.manage``), not any superuser's."""
    client.force_login(
        UserFactory(username="admin", role="secretariat", is_staff=True, is_superuser=True)
    )
    return client


def test_a_superuser_outside_the_secretariat_cannot_keep_the_committee(client, committee):
    client.force_login(UserFactory(username="root", role="", is_staff=True, is_superuser=True))
    member = JiscMember.objects.first()
    assert client.get(reverse("admin:reviews_jiscmember_add")).status_code == 403
    page = client.get(reverse("admin:reviews_jiscmember_change", args=[member.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content


@pytest.fixture
def review(cycle, committee, secretariat):
    """An appraisal with one F-JI-DA filed, and a review started by three JISC members."""
    project = cycle.determination_published()
    proposal = rwf.propose_appraisers(project)
    appraisal = rwf.appoint_appraisers(secretariat, project, **proposal)
    member = proposal["members"][0]
    rwf.declare_no_conflict(member, appraisal)
    rwf.file_appraisal(member, appraisal, criteria=CRITERIA_FORM, opinion="meets")
    for user in committee.members[:3]:
        rwf.request_review(user, project, reasons=REASONS, summary="Additionality doubtful")
    review = Review.objects.get()
    return rwf.appoint_team(
        secretariat, review, members=committee.members[3:5], lead=committee.members[3]
    )


def meeting_form(number, starts_on, ends_on, place="Bonn", electronic=False) -> dict:
    return {
        "number": number,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "place": place,
        "electronic": "on" if electronic else "",
    }


def test_changelists_and_change_pages_render(admin_client, review):
    objects = {
        "jiscmember": JiscMember.objects.first(),
        "expert": Expert.objects.first(),
        "appraisal": Appraisal.objects.get(),
        "review": review,
        "reviewlog": ReviewLog.objects.first(),
    }
    for name in MODELS:
        page = admin_client.get(reverse(f"admin:reviews_{name}_changelist"))
        assert page.status_code == 200, name
        obj = objects.get(name)
        if obj is not None:
            page = admin_client.get(reverse(f"admin:reviews_{name}_change", args=[obj.pk]))
            assert page.status_code == 200, name
    page = admin_client.get(
        reverse("admin:reviews_appraisal_change", args=[objects["appraisal"].pk])
    )
    assert "Letters of approval checked." not in page.content.decode()  # criteria as marks
    assert "met" in page.content.decode()
    page = admin_client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert "Additionality doubtful" in page.content.decode()


def test_appraisals_reviews_and_the_log_are_read_only(admin_client, review):
    for name in ("appraisal", "review", "reviewlog"):
        assert admin_client.get(reverse(f"admin:reviews_{name}_add")).status_code == 403
    url = reverse("admin:reviews_review_change", args=[review.pk])
    admin_client.post(url, {"status": "decided", "decision": "confirmed"})
    review.refresh_from_db()
    assert (review.status, review.decision) == ("in_progress", "")
    delete = reverse("admin:reviews_review_delete", args=[review.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Review.objects.filter(pk=review.pk).exists()


def test_reference_data_is_editable(admin_client, committee):
    member = JiscMember.objects.get(user=committee.members[0])
    url = reverse("admin:reviews_jiscmember_change", args=[member.pk])
    data = {
        "user": member.user_id,
        "party": member.party_id,
        "seat": "alternate",
        "constituency": member.constituency,
        "term_start": member.term_start.isoformat(),
        "term_end": (member.term_start - dt.timedelta(days=1)).isoformat(),
    }
    page = admin_client.post(url, data)
    assert page.status_code == 200
    assert "A term ends on or after its first day." in page.content.decode()
    data["term_end"] = member.term_end.isoformat()
    assert admin_client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.seat == "alternate"


def test_saving_a_meeting_in_admin_recomputes_an_open_review(admin_client, review):
    requested = review.requested_at
    six_months = add_months(requested, 6)
    assert review.due_at == six_months
    day = requested.date()
    add = reverse("admin:reviews_meeting_add")

    # One meeting after the request: the six-month limit stands.
    first = day + dt.timedelta(days=30)
    response = admin_client.post(add, meeting_form(40, first, first + dt.timedelta(days=1)))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.due_at == six_months

    # The second meeting starting after the request ends before six months: it sets the limit.
    second = day + dt.timedelta(days=90)
    response = admin_client.post(
        add, meeting_form(41, second, second + dt.timedelta(days=2), place="", electronic=True)
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.due_at == meeting_end(second + dt.timedelta(days=2))
    assert Meeting.objects.get(number=41).where == "Electronic meeting"

    # Moved past six months: the six-month limit again.
    later = day + dt.timedelta(days=200)
    url = reverse("admin:reviews_meeting_change", args=[Meeting.objects.get(number=41).pk])
    response = admin_client.post(url, meeting_form(41, later, later, place="Bonn"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.due_at == six_months

    # Moved back, then deleted: the limit follows both.
    admin_client.post(url, meeting_form(41, second, second, place="Bonn"))
    review.refresh_from_db()
    assert review.due_at == meeting_end(second)
    delete = reverse("admin:reviews_meeting_delete", args=[Meeting.objects.get(number=41).pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    review.refresh_from_db()
    assert review.due_at == six_months


def test_meeting_form_refuses_what_save_meeting_refuses(admin_client, review):
    add = reverse("admin:reviews_meeting_add")
    today = dt.date.today()
    page = admin_client.post(add, meeting_form(40, today, today, place=""))
    assert "Give the place, or mark the meeting as electronic." in page.content.decode()
    page = admin_client.post(add, meeting_form(40, today, today - dt.timedelta(days=1)))
    assert "A meeting ends on or after its first day." in page.content.decode()
    assert not Meeting.objects.exists()


def test_a_staff_user_without_the_secretariat_role_cannot_edit_meetings(client, review):
    staff = UserFactory(username="jisc_staff", role="jisc", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="reviews"))
    client.force_login(staff)
    day = review.requested_at.date() + dt.timedelta(days=30)
    response = client.post(reverse("admin:reviews_meeting_add"), meeting_form(40, day, day))
    assert response.status_code == 403
    assert not Meeting.objects.exists()
    # A JISC member reads the confidential record while serving a term (ji-rules §6), and not
    # before or after it.
    assert client.get(reverse("admin:reviews_review_changelist")).status_code == 403
    today = dt.date.today()
    JiscMember.objects.create(
        user=staff,
        party=review.project.host_party,
        constituency=JiscMember.Constituency.ANNEX_I_EIT,
        term_start=today - dt.timedelta(days=365),
        term_end=today,
    )
    assert client.get(reverse("admin:reviews_review_changelist")).status_code == 200
