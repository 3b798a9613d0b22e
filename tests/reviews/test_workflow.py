"""Every transition and guard of ``reviews.workflow``: appraisals (seed 003, ji-rules §3.6),
review requests and the 45-day window (para 35, §3.7), the review itself (§3.8), meetings and the
confidentiality of appraisal and review work (§6).

The cycle's projects here involve Japan besides the host Ukraine (``project_data`` involves no
other Party by default), so the Japanese member ``mjp`` has a conflict of interest.
"""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from determinations import workflow as dwf
from determinations.models import Determination
from fees import services as fee_services
from fees.models import Reimbursement
from jitrack.errors import Conflict, Forbidden, Invalid, NotFound
from projects import workflow as wf
from projects.models import Document, Event, SectoralScope, User
from registry.clock import enforce_deadlines
from reviews import deadlines
from reviews import workflow as rwf
from reviews.models import (
    Appraisal,
    Appraiser,
    Clarification,
    Expert,
    JiscMember,
    Meeting,
    Review,
    ReviewLog,
    ReviewRequest,
    ReviewTeamMember,
)
from tests.factories import UserFactory, pdf_bytes, pdf_upload
from tests.support import CRITERIA_FORM, REASONS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

UTC = dt.UTC
SUMMARY = "Additionality doubtful"


# --- helpers --------------------------------------------------------------------------------------


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def refused(exc_type, code, fn, *args, **kwargs):
    with pytest.raises(exc_type) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, info.value.detail
    return info.value


def ask(user, project, now=None, **overrides):
    kwargs = {"reasons": REASONS, "summary": SUMMARY, **overrides}
    return rwf.request_review(user, project, now=now, **kwargs)


def file_form(user, appraisal, opinion="meets", **kwargs):
    rwf.declare_no_conflict(user, appraisal)
    return rwf.file_appraisal(user, appraisal, criteria=CRITERIA_FORM, opinion=opinion, **kwargs)


def dfp(party, username):
    return UserFactory(username=username, role=User.Role.PARTY, party=party)


def member(username, party, *, start=None, end=None, **user_fields):
    today = timezone.localdate()
    user = UserFactory(username=username, role=User.Role.JISC, party=party, **user_fields)
    JiscMember.objects.create(
        user=user,
        party=party,
        constituency=JiscMember.Constituency.ANNEX_I_OTHER,
        term_start=start or today - dt.timedelta(days=30),
        term_end=end or today + dt.timedelta(days=30),
    )
    return user


def event_kinds(project):
    return list(Event.objects.filter(project=project).values_list("kind", flat=True))


@pytest.fixture
def review(project, party_user):
    ask(party_user, project)
    return Review.objects.get(project=project)


@pytest.fixture
def team(review, members, secretariat):
    m3, m4 = members[2], members[3]
    rwf.appoint_team(secretariat, review, members=[m3, m4], lead=m3)
    return m3, m4


@pytest.fixture
def reported(review, team):
    rwf.file_report(team[0], review, recommendation="confirmed", report="The team's findings.")
    return fresh(review)


def clarify(review, user, addressed_to="aie", days=7, questions="Explain the tariff."):
    return rwf.send_clarification(
        user,
        review,
        addressed_to=addressed_to,
        questions=questions,
        due_on=timezone.localdate() + dt.timedelta(days=days),
    )


# --- appraisal: appointment -----------------------------------------------------------------------


def test_appoint_appraisers_creates_four_seats_due_before_the_window_closes(
    project, members, experts, secretariat, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        appraisal = rwf.appoint_appraisers(
            secretariat, project, members=members[:2], experts=experts[:2]
        )
    assert appraisal.status == Appraisal.Status.OPEN
    assert appraisal.determination == project.determinations.get()
    assert appraisal.appointed_by == secretariat
    assert appraisal.due_at == project.review_window_closes_at - dt.timedelta(
        days=settings.APPRAISAL_DAYS_BEFORE_WINDOW_CLOSES
    )
    seats = {(s.user.username, s.kind, s.form_name) for s in appraisal.appraisers.all()}
    assert seats == {
        ("m1", "member", "F-JI-DA"),
        ("m2", "member", "F-JI-DA"),
        ("e1", "expert", "F-JI-ExInpDA"),
        ("e2", "expert", "F-JI-ExInpDA"),
    }
    log = ReviewLog.objects.get(project=project)
    assert log.kind == "appraisers_appointed" and log.actor == secretariat
    assert sorted(log.data["users"]) == sorted(u.pk for u in [*members[:2], *experts[:2]])
    assert sorted(m.to[0] for m in mailoutbox) == [
        "e1@example.org",
        "e2@example.org",
        "m1@example.org",
        "m2@example.org",
    ]
    assert all(f"/reviews/appraisals/{appraisal.pk}/" in m.body for m in mailoutbox)
    assert "appraisers_appointed" not in event_kinds(project)


@pytest.mark.parametrize("actor", ["participant", "aie_user", "party_user", "jisc"])
def test_appoint_appraisers_only_by_the_secretariat(project, members, experts, request, actor):
    user = members[4] if actor == "jisc" else request.getfixturevalue(actor)
    refused(
        Forbidden,
        "forbidden",
        rwf.appoint_appraisers,
        user,
        project,
        members=members[:2],
        experts=experts[:2],
    )
    assert not Appraisal.objects.exists()


def test_appoint_appraisers_refused_before_the_determination_is_published(
    cycle, committee, japan, secretariat
):
    project = cycle.determination_submitted(parties_involved=[japan])
    refused(
        Conflict,
        "wrong_status",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=committee.members[:2],
        experts=committee.experts[:2],
    )


def test_appoint_appraisers_refused_after_the_determination_is_final(
    cycle, committee, japan, secretariat
):
    project = cycle.final(parties_involved=[japan])
    assert project.status == "final"
    refused(
        Conflict,
        "wrong_status",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=committee.members[:2],
        experts=committee.experts[:2],
    )


def test_appoint_appraisers_allowed_while_under_review(
    project, review, members, experts, secretariat
):
    assert fresh(project).status == "under_review"
    appraisal = rwf.appoint_appraisers(
        secretariat, project, members=members[:2], experts=experts[:2]
    )
    assert appraisal.determination.status == "under_review"


def test_appoint_appraisers_refused_once_the_window_has_closed_in_time(
    project, members, experts, secretariat
):
    with time_machine.travel(project.review_window_closes_at + dt.timedelta(seconds=1), tick=False):
        assert fresh(project).status == "determination_published"  # the sweep has not run yet
        with pytest.raises(Conflict):
            rwf.appoint_appraisers(secretariat, project, members=members[:2], experts=experts[:2])


@pytest.mark.parametrize(
    ("pick_members", "pick_experts", "field"),
    [
        ([0], [0, 1], "members"),
        ([0, 1, 2], [0, 1], "members"),
        ([0, 0], [0, 1], "members"),
        ([], [0, 1], "members"),
        ([0, 1], [0], "experts"),
        ([0, 1], [0, 1, 2], "experts"),
        ([0, 1], [1, 1], "experts"),
    ],
)
def test_appoint_appraisers_needs_exactly_two_members_and_two_experts(
    project, members, experts, secretariat, pick_members, pick_experts, field
):
    error = refused(
        Invalid,
        "invalid",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=[members[i] for i in pick_members],
        experts=[experts[i] for i in pick_experts],
    )
    assert error.field == field
    assert not Appraisal.objects.exists()


def test_appoint_appraisers_nobody_sits_twice(project, members, experts, secretariat):
    Expert.objects.create(user=members[1]).scopes.set(SectoralScope.objects.all())
    error = refused(
        Invalid,
        "invalid",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=members[:2],
        experts=[members[1], experts[0]],
    )
    assert error.field == "experts"


def test_appoint_appraisers_refuses_a_member_not_serving(
    project, members, experts, secretariat, jisc_user
):
    today = timezone.localdate()
    former = member(
        "former",
        members[0].party,
        start=today - dt.timedelta(days=800),
        end=today - dt.timedelta(days=1),
    )
    future = member("future", members[1].party, start=today + dt.timedelta(days=1))
    for user in (former, future, experts[2], jisc_user):  # jisc_user: no term at all
        error = refused(
            Invalid,
            "invalid",
            rwf.appoint_appraisers,
            secretariat,
            project,
            members=[members[0], user],
            experts=experts[:2],
        )
        assert error.field == "members"
        assert "not a serving JISC member" in error.detail
    assert not Appraisal.objects.exists()


def test_appoint_appraisers_accepts_an_alternate_and_a_member_on_the_last_day_of_term(
    project, members, experts, secretariat
):
    last_day = member("lastday", members[0].party, end=timezone.localdate())
    appraisal = rwf.appoint_appraisers(
        secretariat, project, members=[members[4], last_day], experts=experts[:2]
    )
    assert appraisal.appraisers.filter(kind="member").count() == 2


def test_appoint_appraisers_refuses_an_expert_whose_scopes_do_not_cover_the_project(
    cycle, committee, japan, secretariat
):
    project = cycle.determination_published(parties_involved=[japan], scopes=(1, 4))
    narrow = committee.experts[2]
    narrow.expert_profile.scopes.set(SectoralScope.objects.filter(number__in=[1, 2, 3]))
    error = refused(
        Invalid,
        "invalid",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=committee.members[:2],
        experts=[committee.experts[0], narrow],
    )
    assert error.field == "experts"
    assert "sectoral scope" in error.detail


def test_appoint_appraisers_refuses_an_expert_not_on_the_active_roster(
    project, members, experts, secretariat
):
    Expert.objects.filter(user=experts[1]).update(active=False)
    outsider = UserFactory(username="outsider", role=User.Role.EXPERT)
    for user in (experts[1], outsider):
        error = refused(
            Invalid,
            "invalid",
            rwf.appoint_appraisers,
            secretariat,
            project,
            members=members[:2],
            experts=[experts[0], user],
        )
        assert error.field == "experts"
        assert "not on the roster" in error.detail


def test_appoint_appraisers_refuses_the_japanese_member_conflict_of_interest(
    project, committee, secretariat
):
    error = refused(
        Conflict,
        "conflict_of_interest",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=[committee.members[0], committee.conflicted],
        experts=committee.experts[:2],
    )
    assert "national of a Party involved" in error.detail
    assert not Appraisal.objects.exists()


def test_appoint_appraisers_refuses_a_member_of_the_host_party_by_term_only(
    project, members, experts, secretariat, ukraine
):
    # The user's own party is blank; the JISC term is for Ukraine, the host.
    ua_member = member("ua_member", ukraine)
    ua_member.party = None
    ua_member.save()
    refused(
        Conflict,
        "conflict_of_interest",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=[members[0], ua_member],
        experts=experts[:2],
    )


def test_appoint_appraisers_refuses_a_member_who_works_for_the_aie(
    project, members, experts, secretariat, aie_org
):
    members[1].organisation = aie_org
    members[1].save()
    error = refused(
        Conflict,
        "conflict_of_interest",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=members[:2],
        experts=experts[:2],
    )
    assert "AIE" in error.detail


def test_appoint_appraisers_refuses_an_expert_who_works_for_a_participant(
    project, members, experts, secretariat, pp_org
):
    experts[1].organisation = pp_org
    experts[1].save()
    error = refused(
        Conflict,
        "conflict_of_interest",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=members[:2],
        experts=experts[:2],
    )
    assert "participant" in error.detail


def test_appoint_appraisers_refuses_an_expert_national_of_the_host(
    project, members, experts, secretariat, ukraine
):
    experts[0].party = ukraine
    experts[0].save()
    refused(
        Conflict,
        "conflict_of_interest",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=members[:2],
        experts=experts[:2],
    )


def test_appoint_appraisers_twice_is_already_appointed(
    project, appraisal, members, experts, secretariat
):
    refused(
        Conflict,
        "already_appointed",
        rwf.appoint_appraisers,
        secretariat,
        project,
        members=members[2:4],
        experts=experts[1:3],
    )
    assert Appraisal.objects.count() == 1


# --- appraisal: proposal --------------------------------------------------------------------------


def test_propose_appraisers_excludes_conflicts_and_takes_least_workload_first(
    cycle, project, committee, secretariat, aie_org, japan
):
    m1, m2, m3, m4, m5 = committee.members
    e1, e2, e3 = committee.experts
    proposal = rwf.propose_appraisers(project)
    # Without workload: by last name (M1 < M2; e1 < e2); mjp (Japan) is never proposed.
    assert proposal == {"members": [m1, m2], "experts": [e1, e2]}
    # Another project's open appraisal loads m1, m2, e1, e2 with one seat each.
    other = cycle.determination_published(parties_involved=[japan])
    rwf.appoint_appraisers(secretariat, other, members=[m1, m2], experts=[e1, e2])
    proposal = rwf.propose_appraisers(project)
    assert proposal == {"members": [m3, m4], "experts": [e3, e1]}
    # m3 now works for the AIE of the project: excluded.
    m3.organisation = aie_org
    m3.save()
    assert rwf.propose_appraisers(project)["members"] == [m4, m5]
    assert committee.conflicted not in rwf.propose_appraisers(project)["members"]


def test_propose_appraisers_counts_open_review_team_seats_and_ignores_filed_seats(
    cycle, project, committee, secretariat, japan, party_user
):
    m1, m2, m3, m4, m5 = committee.members
    e1, e2, e3 = committee.experts
    other = cycle.determination_published(parties_involved=[japan])
    busy = rwf.appoint_appraisers(secretariat, other, members=[m1, m2], experts=[e1, e2])
    for user in (m1, e1):  # filed seats are no longer workload
        file_form(user, busy)
    ask(party_user, other)
    rwf.appoint_team(secretariat, Review.objects.get(project=other), members=[m1, m3], lead=m3)
    # load: m1 1 (team), m2 1 (seat), m3 1 (team), m4 0, m5 0; e1 0, e2 1, e3 0.
    proposal = rwf.propose_appraisers(project)
    assert proposal == {"members": [m4, m5], "experts": [e1, e3]}


def test_propose_appraisers_skips_experts_not_covering_and_members_not_serving(project, committee):
    m1, m2, m3, m4, m5 = committee.members
    JiscMember.objects.filter(user=m1).update(term_end=timezone.localdate() - dt.timedelta(days=1))
    committee.experts[0].expert_profile.scopes.set(SectoralScope.objects.filter(number=2))
    Expert.objects.filter(user=committee.experts[1]).update(active=False)
    proposal = rwf.propose_appraisers(project)
    assert proposal == {"members": [m2, m3], "experts": [committee.experts[2]]}


# --- appraisal: declaration and filing ------------------------------------------------------------


def test_file_appraisal_needs_the_declaration_first(appraisal, members):
    refused(
        Conflict,
        "no_declaration",
        rwf.file_appraisal,
        members[0],
        appraisal,
        criteria=CRITERIA_FORM,
        opinion="meets",
    )
    assert Appraiser.objects.get(appraisal=appraisal, user=members[0]).filed_at is None


def test_declare_no_conflict_is_recorded_once(appraisal, members):
    first = rwf.declare_no_conflict(members[0], appraisal)
    again = rwf.declare_no_conflict(members[0], appraisal)
    assert first.no_conflict_declared_at is not None
    assert again.no_conflict_declared_at == first.no_conflict_declared_at
    assert ReviewLog.objects.filter(kind="no_conflict_declared").count() == 1


def test_file_appraisal_stores_the_form(appraisal, members):
    seat = file_form(members[0], appraisal, opinion="review_recommended", comments="  Doubts.  ")
    seat.refresh_from_db()
    assert seat.opinion == "review_recommended"
    assert seat.comments == "Doubts."
    assert seat.criteria == CRITERIA_FORM
    assert seat.filed_at is not None
    assert fresh(appraisal).status == Appraisal.Status.OPEN


def test_file_appraisal_twice_is_already_filed(appraisal, members):
    file_form(members[0], appraisal)
    refused(
        Conflict,
        "already_filed",
        rwf.file_appraisal,
        members[0],
        appraisal,
        criteria=CRITERIA_FORM,
        opinion="does_not_meet",
    )
    assert Appraiser.objects.get(appraisal=appraisal, user=members[0]).opinion == "meets"


def test_file_appraisal_only_by_appointees(appraisal, members, experts, secretariat, committee):
    for user in (members[2], experts[2], secretariat, committee.conflicted):
        refused(Forbidden, "forbidden", rwf.declare_no_conflict, user, appraisal)
        refused(
            Forbidden,
            "forbidden",
            rwf.file_appraisal,
            user,
            appraisal,
            criteria=CRITERIA_FORM,
            opinion="meets",
        )


def test_file_appraisal_validates_criteria_and_opinion(appraisal, members):
    rwf.declare_no_conflict(members[0], appraisal)
    no_comment = {**CRITERIA_FORM, "environmental": {"met": True, "comment": "  "}}
    error = refused(
        Invalid,
        "required",
        rwf.file_appraisal,
        members[0],
        appraisal,
        criteria=no_comment,
        opinion="meets",
    )
    assert error.field == "environmental"
    no_met = {**CRITERIA_FORM, "approval": {"comment": "Checked."}}
    error = refused(
        Invalid,
        "required",
        rwf.file_appraisal,
        members[0],
        appraisal,
        criteria=no_met,
        opinion="meets",
    )
    assert error.field == "approval"
    error = refused(
        Invalid,
        "invalid",
        rwf.file_appraisal,
        members[0],
        appraisal,
        criteria=CRITERIA_FORM,
        opinion="excellent",
    )
    assert error.field == "opinion"


def test_appraisal_is_complete_when_all_four_have_filed(appraisal, members, experts):
    for user in (members[0], experts[0], experts[1]):
        file_form(user, appraisal)
        assert fresh(appraisal).status == Appraisal.Status.OPEN
    file_form(members[1], appraisal, opinion="does_not_meet")
    assert fresh(appraisal).status == Appraisal.Status.COMPLETE
    assert appraisal.appraisers.filter(filed_at__isnull=True).count() == 0


def test_file_appraisal_mails_the_other_serving_members_a_link(
    appraisal, members, experts, committee, django_capture_on_commit_callbacks, mailoutbox
):
    rwf.declare_no_conflict(members[0], appraisal)
    rwf.declare_no_conflict(experts[0], appraisal)
    with django_capture_on_commit_callbacks(execute=True):
        rwf.file_appraisal(
            experts[0], appraisal, criteria=CRITERIA_FORM, opinion="meets", comments="XP-SECRET"
        )
    assert mailoutbox == []  # F-JI-ExInpDA goes to nobody
    with django_capture_on_commit_callbacks(execute=True):
        rwf.file_appraisal(
            members[0], appraisal, criteria=CRITERIA_FORM, opinion="meets", comments="DA-SECRET"
        )
    # Seed 003: forwarded to the other JISC members (not the filer, not the experts).
    recipients = {m.to[0] for m in mailoutbox}
    assert {f"{u.username}@example.org" for u in members[1:]} <= recipients
    assert "m1@example.org" not in recipients
    assert not {f"{u.username}@example.org" for u in experts} & recipients
    for message in mailoutbox:
        assert f"/reviews/appraisals/{appraisal.pk}/" in message.body
        assert "DA-SECRET" not in message.body and "Letters of approval" not in message.body


def test_file_appraisal_refused_once_the_project_has_left_its_window(
    project, appraisal, members, participant
):
    rwf.declare_no_conflict(members[0], appraisal)
    wf.withdraw(participant, project, reason="Abandoned.")
    assert fresh(appraisal).status == Appraisal.Status.CLOSED
    refused(
        Conflict,
        "wrong_status",
        rwf.file_appraisal,
        members[0],
        appraisal,
        criteria=CRITERIA_FORM,
        opinion="meets",
    )


# --- review requests ------------------------------------------------------------------------------


def test_request_by_the_host_party_starts_the_review_at_once(project, party_user, ukraine):
    now = timezone.now()
    req = ask(party_user, project, now=now)
    review = Review.objects.get()
    assert req.review == review
    assert (req.by, req.party, req.requested_by, req.received_at) == (
        "party",
        ukraine,
        party_user,
        now,
    )
    assert req.summary == SUMMARY
    assert req.reasons == {
        "approval": "",
        "additionality": REASONS["additionality"],
        "baseline_monitoring": "",
        "environmental": "",
    }
    assert review.kind == "determination"
    assert review.status == Review.Status.REQUESTED
    assert review.requested_at == now
    assert review.determination == project.determinations.get()
    assert review.due_at == deadlines.review_due("determination", now)
    project = fresh(project)
    assert project.status == "under_review"
    assert project.due_at is None
    assert project.determinations.get().status == "under_review"
    received = Event.objects.get(project=project, kind="review_request_received")
    started = Event.objects.get(project=project, kind="review_started")
    assert received.public and started.public
    assert received.actor_label == "Ukraine"
    assert received.data == {"by": "party", "party": "UA", "jisc_member_requests": 0}
    assert (started.from_status, started.to_status) == ("determination_published", "under_review")
    assert started.data == {
        "parties": ["UA"],
        "jisc_member_requests": 0,
        "due_at": review.due_at.isoformat(),
    }
    assert started.created_at == now


def test_request_by_another_party_involved_starts_the_review(project, japan):
    ask(dfp(japan, "jp_dfp"), project)
    assert fresh(project).status == "under_review"
    assert Review.objects.get().requests.get().party == japan


def test_request_by_a_party_not_involved_is_forbidden(project, members):
    germany = members[0].party
    refused(Forbidden, "forbidden", ask, dfp(germany, "de_dfp"), project)
    assert not ReviewRequest.objects.exists()
    assert fresh(project).status == "determination_published"


@pytest.mark.parametrize(
    "who", ["jisc_user", "former", "participant", "aie_user", "secretariat", "expert", "party_none"]
)
def test_request_by_anyone_else_is_forbidden(project, committee, request, who):
    if who == "former":
        today = timezone.localdate()
        user = member(
            "former",
            committee.members[0].party,
            start=today - dt.timedelta(days=900),
            end=today - dt.timedelta(days=1),
        )
    elif who == "expert":
        user = committee.experts[0]
    elif who == "party_none":
        user = UserFactory(username="nopartydfp", role=User.Role.PARTY)
    else:
        user = request.getfixturevalue(who)  # jisc_user: a JISC account without a serving term
    refused(Forbidden, "forbidden", ask, user, project)
    assert not ReviewRequest.objects.exists()
    assert not Event.objects.filter(kind="review_request_received").exists()


def test_requests_by_one_and_two_members_do_not_start_the_review_the_third_does(project, members):
    t0 = timezone.now()
    for i, user in enumerate(members[:2]):
        req = ask(user, project, now=t0 + dt.timedelta(minutes=i))
        assert req.review is None and req.by == "jisc" and req.party is None
        assert not Review.objects.exists()
        assert fresh(project).status == "determination_published"
    third = ask(members[2], project, now=t0 + dt.timedelta(minutes=2))
    review = Review.objects.get()
    assert third.review == review
    assert review.requested_at == t0 + dt.timedelta(minutes=2)
    assert set(review.requests.values_list("requested_by__username", flat=True)) == {
        "m1",
        "m2",
        "m3",
    }
    assert fresh(project).status == "under_review"
    received = Event.objects.filter(project=project, kind="review_request_received")
    assert [e.data["jisc_member_requests"] for e in received] == [1, 2, 3]
    # public with the requester's name, as on F-JI-DR (ji-rules §7 "Review requests")
    assert [e.actor_label for e in received] == ["M1", "M2", "M3"]
    assert (
        Event.objects.get(project=project, kind="review_started").data["jisc_member_requests"] == 3
    )


def test_later_requests_join_the_same_review(project, members, party_user, japan):
    t0 = timezone.now()
    for i, user in enumerate(members[:3]):
        ask(user, project, now=t0 + dt.timedelta(minutes=i))
    review = Review.objects.get()
    ask(members[3], project, now=t0 + dt.timedelta(minutes=5))
    ask(party_user, project, now=t0 + dt.timedelta(minutes=6))
    ask(dfp(japan, "jp_dfp"), project, now=t0 + dt.timedelta(minutes=7))
    assert Review.objects.count() == 1
    review.refresh_from_db()
    assert review.requested_at == t0 + dt.timedelta(minutes=2)
    assert review.requests.count() == 6
    assert not ReviewRequest.objects.filter(review__isnull=True).exists()
    assert event_kinds(project).count("review_started") == 1
    assert event_kinds(project).count("review_request_received") == 6


def test_a_party_after_two_members_starts_the_review_with_their_requests(
    project, members, party_user
):
    t0 = timezone.now()
    ask(members[0], project, now=t0)
    ask(members[1], project, now=t0 + dt.timedelta(minutes=1))
    ask(party_user, project, now=t0 + dt.timedelta(minutes=2))
    review = Review.objects.get()
    assert review.requested_at == t0 + dt.timedelta(minutes=2)
    assert review.requests.count() == 3
    assert Event.objects.get(kind="review_started").data["jisc_member_requests"] == 2


def test_the_same_member_twice_is_a_duplicate_request(project, members):
    ask(members[0], project)
    refused(Conflict, "duplicate_request", ask, members[0], project)
    ask(members[1], project)
    refused(Conflict, "duplicate_request", ask, members[0], project)
    assert not Review.objects.exists()  # two distinct members, not three
    ask(members[2], project)
    refused(Conflict, "duplicate_request", ask, members[0], project)
    assert ReviewRequest.objects.count() == 3


def test_the_same_dfp_twice_is_a_duplicate_request(project, party_user):
    ask(party_user, project)
    refused(Conflict, "duplicate_request", ask, party_user, project)
    assert ReviewRequest.objects.count() == 1


def test_two_dfps_of_the_same_party_party_already_requested(project, party_user, ukraine):
    ask(party_user, project)
    refused(Conflict, "party_already_requested", ask, dfp(ukraine, "party2"), project)
    assert ReviewRequest.objects.count() == 1


def test_request_exactly_when_the_window_closes_is_on_time(project, members):
    closes = project.review_window_closes_at
    with time_machine.travel(closes, tick=False):
        req = ask(members[0], project)
    assert req.received_at == closes


def test_request_after_the_window_closes_is_refused(project, members, party_user):
    closes = project.review_window_closes_at
    with time_machine.travel(closes + dt.timedelta(seconds=1), tick=False):
        error = refused(Conflict, "window_closed", ask, party_user, project)
        refused(Conflict, "window_closed", ask, members[0], project)
    assert closes.strftime("%-d %b %Y %H:%M") in error.detail
    refused(
        Conflict,
        "window_closed",
        ask,
        members[1],
        project,
        now=closes + dt.timedelta(microseconds=1),
    )
    assert not ReviewRequest.objects.exists()
    assert fresh(project).status == "determination_published"


def test_a_later_request_after_the_window_closes_is_refused_while_under_review(
    project, review, members
):
    closes = project.review_window_closes_at
    ask(members[0], project, now=closes)
    refused(
        Conflict, "window_closed", ask, members[1], project, now=closes + dt.timedelta(seconds=1)
    )
    assert review.requests.count() == 2


@pytest.mark.parametrize("stage", ["comments_closed", "determination_submitted", "final"])
def test_request_on_a_project_not_in_its_window_is_refused(cycle, committee, japan, stage):
    project = getattr(cycle, stage)(parties_involved=[japan])
    refused(Conflict, "not_in_window", ask, committee.members[0], project)
    assert not ReviewRequest.objects.exists()


def test_request_on_a_withdrawn_project_is_refused(project, review, members, participant):
    wf.withdraw(participant, project, reason="Abandoned.")
    assert fresh(review).status == Review.Status.CLOSED
    refused(Conflict, "not_in_window", ask, members[0], project)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"summary": "   "}, "summary"),
        ({"reasons": {}}, "reasons"),
        ({"reasons": {"additionality": "  ", "approval": ""}}, "reasons"),
        ({"reasons": {"unknown_criterion": "Because."}}, "reasons"),
    ],
)
def test_request_without_summary_or_reasons_is_invalid(project, party_user, overrides, field):
    error = refused(Invalid, "required", ask, party_user, project, **overrides)
    assert error.field == field
    assert not ReviewRequest.objects.exists()


def test_deem_final_after_the_window_does_nothing_while_under_review(project, review):
    after = project.review_window_closes_at + dt.timedelta(seconds=1)
    assert dwf.deem_final(project.pk, after) is False
    done = enforce_deadlines(now=after + dt.timedelta(days=30))
    assert done["comments_closed"] == done["determinations_final"] == 0
    project = fresh(project)
    assert project.status == "under_review"
    assert project.final_on is None
    assert project.determinations.get().status == "under_review"
    assert fresh(review).status == Review.Status.REQUESTED
    assert "determination_final" not in event_kinds(project)


def test_deem_final_after_the_window_without_a_quorum_makes_it_final(project, members):
    ask(members[0], project)
    ask(members[1], project)
    assert dwf.deem_final(project.pk, project.review_window_closes_at + dt.timedelta(seconds=1))
    assert fresh(project).status == "final"


# --- review team ----------------------------------------------------------------------------------


def test_appoint_team_puts_the_review_in_progress(
    review, members, secretariat, django_capture_on_commit_callbacks, mailoutbox
):
    m4, m5 = members[3], members[4]  # m5 is an alternate
    with django_capture_on_commit_callbacks(execute=True):
        rwf.appoint_team(secretariat, review, members=[m4, m5], lead=m5)
    review.refresh_from_db()
    assert review.status == Review.Status.IN_PROGRESS
    assert {(t.user, t.lead) for t in review.team.all()} == {(m4, False), (m5, True)}
    event = Event.objects.get(kind="review_team_appointed")
    assert event.data == {"review": review.pk}
    assert sorted(m.to[0] for m in mailoutbox) == ["m4@example.org", "m5@example.org"]
    assert all(f"/reviews/{review.pk}/" in m.body for m in mailoutbox)


def test_appoint_team_only_by_the_secretariat(review, members):
    refused(
        Forbidden,
        "forbidden",
        rwf.appoint_team,
        members[0],
        review,
        members=members[:2],
        lead=members[0],
    )
    assert fresh(review).status == Review.Status.REQUESTED


@pytest.mark.parametrize(("pick", "lead"), [([0], 0), ([0, 0], 0), ([0, 1, 2], 0), ([0, 1], 2)])
def test_appoint_team_needs_two_distinct_members_lead_among_them(
    review, members, secretariat, pick, lead
):
    error = refused(
        Invalid,
        "invalid",
        rwf.appoint_team,
        secretariat,
        review,
        members=[members[i] for i in pick],
        lead=members[lead],
    )
    assert error.field == ("lead" if len(set(pick)) == 2 else "members")
    assert not ReviewTeamMember.objects.exists()


def test_appoint_team_refuses_a_member_not_serving(review, members, experts, secretariat):
    today = timezone.localdate()
    former = member(
        "former",
        members[0].party,
        start=today - dt.timedelta(days=900),
        end=today - dt.timedelta(days=1),
    )
    for user in (former, experts[0]):
        error = refused(
            Invalid,
            "invalid",
            rwf.appoint_team,
            secretariat,
            review,
            members=[members[0], user],
            lead=members[0],
        )
        assert error.field == "members"
    assert not ReviewTeamMember.objects.exists()


def test_appoint_team_refuses_conflicts_of_interest(review, committee, secretariat, pp_org):
    m1, m2 = committee.members[:2]
    refused(
        Conflict,
        "conflict_of_interest",
        rwf.appoint_team,
        secretariat,
        review,
        members=[m1, committee.conflicted],
        lead=m1,
    )
    m2.organisation = pp_org
    m2.save()
    refused(
        Conflict,
        "conflict_of_interest",
        rwf.appoint_team,
        secretariat,
        review,
        members=[m1, m2],
        lead=m2,
    )
    assert not ReviewTeamMember.objects.exists()
    assert fresh(review).status == Review.Status.REQUESTED


def test_appoint_team_twice_is_already_appointed(review, team, members, secretariat):
    refused(
        Conflict,
        "already_appointed",
        rwf.appoint_team,
        secretariat,
        review,
        members=members[:2],
        lead=members[0],
    )
    assert review.team.count() == 2


# --- clarifications -------------------------------------------------------------------------------


def test_send_clarification_by_the_team(
    review, team, django_capture_on_commit_callbacks, mailoutbox
):
    due_on = timezone.localdate() + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        clar = rwf.send_clarification(
            team[1], review, addressed_to="aie", questions="  Explain the tariff.  ", due_on=due_on
        )
    assert (clar.number, clar.addressed_to, clar.questions, clar.sent_by) == (
        1,
        "aie",
        "Explain the tariff.",
        team[1],
    )
    assert clar.due_at == dt.datetime.combine(due_on, dt.time(17, 0), tzinfo=UTC)
    assert [m.to[0] for m in mailoutbox] == ["aie@example.org"]
    assert f"/reviews/clarifications/{clar.pk}/" in mailoutbox[0].body
    assert "tariff" not in mailoutbox[0].body and "tariff" not in mailoutbox[0].subject
    second = clarify(review, team[0], addressed_to="both")
    assert second.number == 2
    log = ReviewLog.objects.filter(kind="clarification_sent")
    assert [e.data["clarification"] for e in log] == [clar.pk, second.pk]


@pytest.mark.parametrize(
    ("addressed_to", "recipients"),
    [
        ("aie", ["aie@example.org"]),
        ("participants", ["participant@example.org"]),
        ("both", ["aie@example.org", "participant@example.org"]),
    ],
)
def test_send_clarification_mails_its_addressees(
    review,
    team,
    other_participant,
    other_aie_user,
    addressed_to,
    recipients,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    with django_capture_on_commit_callbacks(execute=True):
        clarify(review, team[0], addressed_to=addressed_to)
    assert sorted(m.to[0] for m in mailoutbox) == recipients


def test_send_clarification_only_by_the_team(review, team, members, secretariat, participant):
    for user in (members[0], secretariat, participant):
        refused(Forbidden, "forbidden", clarify, review, user)
    assert not Clarification.objects.exists()


def test_send_clarification_before_the_team_is_appointed_is_forbidden(review, members):
    refused(Forbidden, "forbidden", clarify, review, members[0])


@pytest.mark.parametrize("days", [0, -1])
def test_send_clarification_due_date_must_be_in_the_future(review, team, days):
    # Today at 17:00 GMT is past at 17:00 itself; earlier today it is still ahead.
    today = timezone.localdate()
    with time_machine.travel(dt.datetime.combine(today, dt.time(17, 0), tzinfo=UTC), tick=False):
        error = refused(Invalid, "invalid", clarify, review, team[0], days=days)
    assert error.field == "due_on"
    with time_machine.travel(
        dt.datetime.combine(today, dt.time(16, 59, 59), tzinfo=UTC), tick=False
    ):
        clar = clarify(review, team[0], days=0)
    assert clar.due_at == dt.datetime.combine(today, dt.time(17, 0), tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"addressed_to": "public"}, "invalid", "addressed_to"),
        ({"addressed_to": ""}, "invalid", "addressed_to"),
        ({"questions": "  "}, "required", "questions"),
    ],
)
def test_send_clarification_validates_its_fields(review, team, fields, code, field):
    due_on = timezone.localdate() + dt.timedelta(days=3)
    kwargs = {"addressed_to": "aie", "questions": "Why?", "due_on": due_on} | fields
    error = refused(Invalid, code, rwf.send_clarification, team[0], review, **kwargs)
    assert error.field == field
    assert not Clarification.objects.exists()


def test_send_clarification_refused_after_the_decision(reported, team, secretariat):
    rwf.decide(secretariat, reported, decision="confirmed", reasons="Fine.")
    refused(Conflict, "wrong_status", clarify, reported, team[0])


def test_send_clarification_allowed_after_the_report(reported, team):
    assert clarify(reported, team[0]).number == 1


def test_answer_clarification_by_the_aie_with_a_pdf(
    review, team, aie_user, django_capture_on_commit_callbacks, mailoutbox
):
    clar = clarify(review, team[0], addressed_to="aie")
    with django_capture_on_commit_callbacks(execute=True):
        rwf.answer_clarification(
            aie_user, clar, answer="  See annex.  ", files=[("Annex 1", pdf_upload("annex.pdf"))]
        )
    clar.refresh_from_db()
    assert clar.answer == "See annex." and clar.answered_by == aie_user
    assert clar.answered_at is not None
    attachment = clar.files.get()
    assert attachment.title == "Annex 1"
    assert attachment.size == len(pdf_bytes())
    assert attachment.file.read() == pdf_bytes()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f"{u.username}@example.org" for u in team)
    assert all("See annex" not in m.body for m in mailoutbox)
    assert ReviewLog.objects.filter(kind="clarification_answered").count() == 1


def test_answer_clarification_only_by_its_addressees(
    review, team, participant, aie_user, other_participant, other_aie_user, secretariat
):
    to_aie = clarify(review, team[0], addressed_to="aie")
    to_pps = clarify(review, team[0], addressed_to="participants")
    to_both = clarify(review, team[0], addressed_to="both")
    for user in (participant, other_aie_user, other_participant, secretariat, team[0]):
        refused(Forbidden, "forbidden", rwf.answer_clarification, user, to_aie, answer="A")
    for user in (aie_user, other_aie_user, other_participant, secretariat, team[0]):
        refused(Forbidden, "forbidden", rwf.answer_clarification, user, to_pps, answer="A")
    for user in (other_aie_user, other_participant, secretariat):
        refused(Forbidden, "forbidden", rwf.answer_clarification, user, to_both, answer="A")
    rwf.answer_clarification(participant, to_pps, answer="From the participants.")
    rwf.answer_clarification(participant, to_both, answer="From the participants.")
    assert fresh(to_pps).answered_by == participant
    assert fresh(to_both).answered_by == participant
    assert fresh(to_aie).answered_at is None


def test_answer_clarification_to_both_by_the_aie(review, team, aie_user):
    clar = clarify(review, team[0], addressed_to="both")
    rwf.answer_clarification(aie_user, clar, answer="From the AIE.")
    assert fresh(clar).answered_by == aie_user


def test_answer_clarification_once(review, team, aie_user, participant):
    clar = clarify(review, team[0], addressed_to="both")
    rwf.answer_clarification(aie_user, clar, answer="First.")
    refused(Conflict, "already_answered", rwf.answer_clarification, aie_user, clar, answer="Again.")
    refused(
        Conflict, "already_answered", rwf.answer_clarification, participant, clar, answer="Again."
    )
    assert fresh(clar).answer == "First."


def test_answer_clarification_refuses_a_non_pdf_file_and_an_empty_answer(review, team, aie_user):
    clar = clarify(review, team[0], addressed_to="aie")
    docx = SimpleUploadedFile("annex.pdf", b"PK\x03\x04 not a pdf", content_type="application/pdf")
    error = refused(
        Invalid,
        "not_a_pdf",
        rwf.answer_clarification,
        aie_user,
        clar,
        answer="A",
        files=[("", docx)],
    )
    assert error.field == "files"
    refused(Invalid, "required", rwf.answer_clarification, aie_user, clar, answer="  ")
    clar.refresh_from_db()
    assert clar.answered_at is None and not clar.files.exists()


def test_answer_clarification_refused_once_the_review_is_closed(
    project, review, team, aie_user, participant
):
    clar = clarify(review, team[0], addressed_to="aie")
    wf.withdraw(participant, project, reason="Abandoned.")
    refused(Conflict, "wrong_status", rwf.answer_clarification, aie_user, clar, answer="Late.")


# --- report and decision --------------------------------------------------------------------------


def test_file_report_by_the_team_once(
    review, team, secretariat, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        rwf.file_report(team[1], review, recommendation="rejected", report="  Not additional.  ")
    review.refresh_from_db()
    assert review.status == Review.Status.REPORTED
    assert (review.recommendation, review.report, review.reported_by) == (
        "rejected",
        "Not additional.",
        team[1],
    )
    assert review.reported_at is not None
    assert [m.to[0] for m in mailoutbox] == ["secretariat@example.org"]
    assert "Not additional" not in mailoutbox[0].body
    refused(
        Conflict,
        "wrong_status",
        rwf.file_report,
        team[0],
        review,
        recommendation="confirmed",
        report="Changed our mind.",
    )
    assert fresh(review).report == "Not additional."
    assert ReviewLog.objects.get(kind="review_reported").data == {"recommendation": "rejected"}


def test_file_report_only_by_the_team(review, team, members, secretariat, aie_user):
    for user in (members[0], secretariat, aie_user):
        refused(
            Forbidden,
            "forbidden",
            rwf.file_report,
            user,
            review,
            recommendation="confirmed",
            report="R",
        )
    assert fresh(review).status == Review.Status.IN_PROGRESS


def test_file_report_validates_recommendation_and_report(review, team):
    error = refused(
        Invalid, "invalid", rwf.file_report, team[0], review, recommendation="maybe", report="R"
    )
    assert error.field == "recommendation"
    error = refused(
        Invalid,
        "required",
        rwf.file_report,
        team[0],
        review,
        recommendation="confirmed",
        report=" ",
    )
    assert error.field == "report"


def test_decide_only_after_the_report(review, team, secretariat):
    refused(
        Conflict, "wrong_status", rwf.decide, secretariat, review, decision="confirmed", reasons="R"
    )
    assert fresh(review).decision == ""


def test_decide_only_by_the_secretariat(reported, team):
    refused(
        Forbidden, "forbidden", rwf.decide, team[0], reported, decision="confirmed", reasons="R"
    )


def test_decide_validates_decision_reasons_and_meeting(reported, secretariat):
    error = refused(
        Invalid, "invalid", rwf.decide, secretariat, reported, decision="maybe", reasons="R"
    )
    assert error.field == "decision"
    error = refused(
        Invalid, "required", rwf.decide, secretariat, reported, decision="confirmed", reasons=" "
    )
    assert error.field == "reasons"
    today = timezone.localdate()
    later = Meeting.objects.create(
        number=90, starts_on=today + dt.timedelta(days=1), ends_on=today + dt.timedelta(days=2)
    )
    error = refused(
        Invalid,
        "invalid",
        rwf.decide,
        secretariat,
        reported,
        decision="confirmed",
        reasons="R",
        meeting=later,
    )
    assert error.field == "meeting"
    assert fresh(reported).status == Review.Status.REPORTED


def test_decide_confirmed_makes_the_project_and_determination_final(project, reported, secretariat):
    today = timezone.localdate()
    meeting = Meeting.objects.create(number=44, starts_on=today, ends_on=today, place="Bonn")
    now = timezone.now()
    rwf.decide(
        secretariat,
        reported,
        decision="confirmed",
        reasons="Additionality shown.",
        meeting=meeting,
        now=now,
    )
    review = fresh(reported)
    assert (review.status, review.decision, review.decision_reasons) == (
        "decided",
        "confirmed",
        "Additionality shown.",
    )
    assert review.decided_at == now and review.decided_at_meeting == meeting
    project = fresh(project)
    assert project.status == "final"
    assert project.final_on == now.date()
    det = project.determinations.get()
    assert det.status == Determination.Status.FINAL and det.final_on == now.date()
    event = Event.objects.get(project=project, kind="review_decided")
    assert event.public
    assert (event.from_status, event.to_status, event.reason) == (
        "under_review",
        "final",
        "Additionality shown.",
    )
    assert event.data == {"decision": "confirmed", "meeting": 44, "review": review.pk}
    assert not Reimbursement.objects.exists()
    refused(
        Conflict, "wrong_status", rwf.decide, secretariat, review, decision="rejected", reasons="R"
    )


def test_decide_communicates_the_decision_and_reasons_to_the_participants(
    reported, secretariat, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        rwf.decide(secretariat, reported, decision="confirmed", reasons="Additionality shown.")
    to_participants = [m for m in mailoutbox if m.to == ["participant@example.org"]]
    assert len(to_participants) == 1
    assert "Additionality shown." in to_participants[0].body


@pytest.fixture
def big_project(cycle, committee, japan):
    """Expected 2,000,000 t a year: the advance is capped at USD 350,000 and is paid."""
    return cycle.determination_published(parties_involved=[japan], expected={2010: 2_000_000})


def test_decide_rejected_rejects_the_project_and_reimburses_the_advance(
    big_project, members, party_user, secretariat
):
    ask(party_user, big_project)
    review = Review.objects.get()
    rwf.appoint_team(secretariat, review, members=members[:2], lead=members[0])
    rwf.file_report(members[0], review, recommendation="rejected", report="Not additional.")
    rwf.decide(secretariat, review, decision="rejected", reasons="Not additional.")
    project = fresh(big_project)
    assert project.status == "rejected"
    assert project.determinations.get().status == Determination.Status.REJECTED
    assert fresh(review).status == Review.Status.DECIDED
    event = Event.objects.get(project=project, kind="review_decided")
    assert (event.from_status, event.to_status) == ("under_review", "rejected")
    assert event.data["meeting"] is None  # decided electronically
    refund = Reimbursement.objects.get(project=project)
    assert (refund.reason, str(refund.amount_usd)) == ("advance", "320000.00")


def test_a_negative_determination_confirmed_on_review_leaves_the_project_rejected(
    cycle, committee, japan, members, party_user, secretariat
):
    """ji-rules §7 "Review outcomes": confirmed means the determination stands as filed; a
    negative one confirmed leaves the project rejected (the determination decides, not the
    review), with the advance above USD 30,000 reimbursed."""
    project = cycle.determination_published(
        outcome="negative", parties_involved=[japan], expected={2010: 2_000_000}
    )
    ask(party_user, project)
    review = Review.objects.get()
    rwf.appoint_team(secretariat, review, members=members[:2], lead=members[0])
    rwf.file_report(members[0], review, recommendation="confirmed", report="Rightly negative.")
    rwf.decide(secretariat, review, decision="confirmed", reasons="The determination stands.")
    project = fresh(project)
    assert project.status == "rejected"
    assert project.determinations.get().status == Determination.Status.REJECTED
    event = Event.objects.get(project=project, kind="review_decided")
    assert (event.from_status, event.to_status) == ("under_review", "rejected")
    refund = Reimbursement.objects.get(project=project)
    assert (refund.reason, str(refund.amount_usd)) == ("advance", "320000.00")


def test_decide_corrections_required_keeps_the_project_under_review(project, reported, secretariat):
    rwf.decide(secretariat, reported, decision="corrections_required", reasons="Fix table 3.")
    review = fresh(reported)
    assert review.status == Review.Status.CORRECTIONS
    assert review.decision == "corrections_required"
    project = fresh(project)
    assert project.status == "under_review"
    assert project.determinations.get().status == "under_review"
    event = Event.objects.get(project=project, kind="review_decided")
    assert event.public and event.reason == "Fix table 3."
    assert (event.from_status, event.to_status) == ("", "")
    refused(
        Conflict, "wrong_status", rwf.decide, secretariat, review, decision="confirmed", reasons="R"
    )


def test_corrections_submitted_by_the_aie_then_confirmed_make_it_final(
    project, reported, secretariat, aie_user, participant, other_aie_user
):
    refused(
        Conflict,
        "wrong_status",
        rwf.submit_corrections,
        aie_user,
        reported,
        uploaded=pdf_upload("corrected.pdf"),
    )
    rwf.decide(secretariat, reported, decision="corrections_required", reasons="Fix table 3.")
    refused(Conflict, "no_corrections", rwf.confirm_corrections, secretariat, reported)
    for user in (participant, other_aie_user, secretariat):
        refused(
            Forbidden,
            "forbidden",
            rwf.submit_corrections,
            user,
            reported,
            uploaded=pdf_upload("corrected.pdf"),
        )
    not_pdf = SimpleUploadedFile("corrected.pdf", b"GIF89a", content_type="application/pdf")
    refused(Invalid, "not_a_pdf", rwf.submit_corrections, aie_user, reported, uploaded=not_pdf)
    doc = rwf.submit_corrections(
        aie_user, reported, uploaded=pdf_upload("corrected.pdf", "corrected"), note="Table 3."
    )
    assert doc.kind == Document.Kind.DETERMINATION_REPORT and doc.version == 2
    assert doc.published_at is None
    assert fresh(reported).corrections_submitted_at is not None
    submitted = Event.objects.get(project=project, kind="corrections_submitted")
    assert not submitted.public
    assert fresh(project).status == "under_review"
    refused(Forbidden, "forbidden", rwf.confirm_corrections, aie_user, reported)
    rwf.confirm_corrections(secretariat, reported)
    review = fresh(reported)
    assert review.status == Review.Status.DECIDED
    assert review.corrections_confirmed_at is not None
    project = fresh(project)
    assert project.status == "final"
    assert project.determinations.get().status == "final"
    assert fresh(doc).published_at == review.corrections_confirmed_at
    final = Event.objects.filter(project=project, kind="review_decided").last()
    assert final.to_status == "final"
    assert final.data == {
        "decision": "corrections_confirmed",
        "review": review.pk,
        "document": doc.pk,  # the corrected report it publishes (hash-chained)
    }
    refused(Conflict, "no_corrections", rwf.confirm_corrections, secretariat, review)


# --- meetings -------------------------------------------------------------------------------------


def test_save_meeting_recomputes_the_due_date_of_open_reviews(project, party_user, secretariat):
    now = timezone.now()
    ask(party_user, project, now=now)
    review = Review.objects.get()
    today = now.date()
    six_months = deadlines.add_months(now, 6)
    assert review.due_at == six_months
    rwf.save_meeting(
        secretariat,
        number=39,
        starts_on=today - dt.timedelta(days=20),
        ends_on=today - dt.timedelta(days=19),
        place="Bonn",
    )
    rwf.save_meeting(
        secretariat,
        number=40,
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=11),
        electronic=True,
    )
    assert fresh(review).due_at == six_months
    Review.objects.filter(pk=review.pk).update(overdue_notified_at=now)
    second = rwf.save_meeting(
        secretariat,
        number=41,
        starts_on=today + dt.timedelta(days=40),
        ends_on=today + dt.timedelta(days=42),
        place="Bonn",
    )
    review.refresh_from_db()
    assert review.due_at == dt.datetime.combine(
        today + dt.timedelta(days=43), dt.time(0, 0), tzinfo=UTC
    )
    assert review.overdue_notified_at is None
    # Moved beyond six months: the six months apply again.
    rwf.save_meeting(
        secretariat,
        second,
        number=41,
        starts_on=today + dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=301),
        place="Bonn",
    )
    assert fresh(review).due_at == six_months


def test_save_meeting_leaves_decided_reviews_alone(project, reported, secretariat):
    rwf.decide(secretariat, reported, decision="confirmed", reasons="Fine.")
    due = fresh(reported).due_at
    today = timezone.localdate()
    for number, offset in ((50, 5), (51, 9)):
        rwf.save_meeting(
            secretariat,
            number=number,
            starts_on=today + dt.timedelta(days=offset),
            ends_on=today + dt.timedelta(days=offset),
            electronic=True,
        )
    assert fresh(reported).due_at == due


def test_save_meeting_guards(secretariat, members):
    today = timezone.localdate()
    fields = {"number": 40, "starts_on": today, "ends_on": today, "place": "Bonn"}
    refused(Forbidden, "forbidden", rwf.save_meeting, members[0], **fields)
    error = refused(
        Invalid,
        "invalid",
        rwf.save_meeting,
        secretariat,
        **(fields | {"ends_on": today - dt.timedelta(days=1)}),
    )
    assert error.field == "ends_on"
    error = refused(Invalid, "invalid", rwf.save_meeting, secretariat, **(fields | {"place": " "}))
    assert error.field == "place"
    rwf.save_meeting(secretariat, **fields)
    error = refused(Conflict, "duplicate", rwf.save_meeting, secretariat, **fields)
    assert error.field == "number"
    assert Meeting.objects.count() == 1


def test_save_meeting_moves_a_meeting_given_only_its_new_dates(secretariat):
    today = timezone.localdate()
    meeting = rwf.save_meeting(secretariat, number=40, starts_on=today, ends_on=today, place="Bonn")
    moved = rwf.save_meeting(
        secretariat,
        meeting,
        starts_on=today + dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=8),
    )
    assert (moved.starts_on, moved.place) == (today + dt.timedelta(days=7), "Bonn")


def test_save_meeting_refuses_a_first_day_after_the_stored_last_day(secretariat):
    today = timezone.localdate()
    meeting = rwf.save_meeting(secretariat, number=40, starts_on=today, ends_on=today, place="Bonn")
    with pytest.raises(Invalid):
        rwf.save_meeting(secretariat, meeting, starts_on=today + dt.timedelta(days=3), place="Bonn")


# --- withdrawal -----------------------------------------------------------------------------------


def test_withdrawal_closes_the_open_appraisal_and_review(
    project, appraisal, review, team, participant, secretariat
):
    clar = clarify(review, team[0])
    wf.withdraw(participant, project, reason="Abandoned.")
    assert fresh(project).status == "withdrawn"
    assert fresh(appraisal).status == Appraisal.Status.CLOSED
    assert fresh(review).status == Review.Status.CLOSED
    refused(Conflict, "wrong_status", clarify, review, team[0])
    refused(
        Conflict,
        "wrong_status",
        rwf.file_report,
        team[0],
        review,
        recommendation="confirmed",
        report="R",
    )
    assert fresh(clar).answered_at is None


# --- public events and the confidential log -------------------------------------------------------


SECRET_CRITERIA = {
    key: {"met": True, "comment": f"SECRET-CRITERION-{key}"}
    for key in ("approval", "additionality", "baseline_monitoring", "environmental")
}


def test_events_are_public_facts_and_the_review_log_holds_the_confidential_work(
    project, committee, secretariat, aie_user, participant, party_user
):
    m1, m2, m3, m4, m5 = committee.members
    e1, e2, _ = committee.experts
    appraisal = rwf.appoint_appraisers(secretariat, project, members=[m1, m2], experts=[e1, e2])
    for user in (m1, m2, e1, e2):
        rwf.declare_no_conflict(user, appraisal)
        rwf.file_appraisal(
            user,
            appraisal,
            criteria=SECRET_CRITERIA,
            opinion="review_recommended",
            comments=f"SECRET-APPRAISAL-{user.username}",
        )
    for user in (m1, m2, m3):
        ask(user, project, summary=f"Request by {user.username}")
    review = Review.objects.get()
    rwf.appoint_team(secretariat, review, members=[m4, m5], lead=m4)
    to_aie = clarify(review, m4, addressed_to="aie", questions="SECRET-QUESTION-AIE")
    to_pps = clarify(review, m5, addressed_to="participants", questions="SECRET-QUESTION-PP")
    rwf.answer_clarification(
        aie_user, to_aie, answer="SECRET-ANSWER-AIE", files=[("SECRET-FILE", pdf_upload())]
    )
    rwf.answer_clarification(participant, to_pps, answer="SECRET-ANSWER-PP")
    rwf.file_report(m4, review, recommendation="confirmed", report="SECRET-REPORT")
    rwf.decide(secretariat, review, decision="confirmed", reasons="Additionality shown.")

    events = list(Event.objects.filter(project=project))
    public = [e.kind for e in events if e.public]
    for kind in ("review_request_received", "review_started", "review_decided"):
        assert kind in public
    assert public.count("review_request_received") == 3
    assert public.count("review_started") == 1
    for event in events:
        text = f"{event.kind} {event.reason} {event.data} {event.actor_label}"
        assert "SECRET" not in text, text
        assert "Letters of approval" not in text
        assert "appraisal" not in event.kind and "clarification" not in event.kind
    log = list(ReviewLog.objects.filter(project=project).values_list("kind", flat=True))
    assert log == [
        "appraisers_appointed",
        *["no_conflict_declared", "appraisal_filed"] * 4,
        "clarification_sent",
        "clarification_sent",
        "clarification_answered",
        "clarification_answered",
        "review_reported",
    ]
    for entry in ReviewLog.objects.filter(project=project):
        assert "SECRET" not in str(entry.data)
    assert fresh(project).status == "final"


def test_review_log_is_append_only(appraisal):
    entry = ReviewLog.objects.first()
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_get_review_finds_a_review_or_raises_not_found(review):
    assert rwf.get_review(review.pk) == review
    with pytest.raises(NotFound):
        rwf.get_review(review.pk + 1000)


# --- who counts, and from when (ji-rules §7 "Review requests") ---------------------------------


def test_an_alternate_counts_only_while_acting_for_an_absent_member(project, members):
    """[our reading] Only sitting members count towards the three; m5 is an alternate."""
    ask(members[0], project)
    ask(members[1], project)
    refused(Forbidden, "forbidden", ask, members[4], project)
    assert not Review.objects.exists()
    today = timezone.localdate()
    alternate = JiscMember.objects.get(user=members[4])
    alternate.acting_for = JiscMember.objects.get(user=members[3])
    alternate.acting_from, alternate.acting_until = today, today
    alternate.save()
    req = ask(members[4], project)
    assert req.review is not None and fresh(project).status == "under_review"


def test_a_review_cannot_be_requested_before_the_report_is_available(cycle, committee, party_user):
    """Day 1 is the availability date (ji-rules §4); the secretariat may set the next day."""
    project = cycle.determination_submitted()
    fee_services.pay_balance(cycle.secretariat, project, reference="BANK-1")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    dwf.check_determination(cycle.secretariat, project, accept=True, available_on=tomorrow)
    error = refused(Conflict, "not_yet_available", ask, party_user, fresh(project))
    assert tomorrow.strftime("%-d %b %Y") in error.detail
    assert not ReviewRequest.objects.exists()
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(0, 0, 1), dt.UTC)):
        assert ask(party_user, fresh(project)).review is not None


def test_the_reviews_list_shows_confirmed_corrections_as_final(
    client, project, reported, secretariat, aie_user
):
    """A review decided "corrections required" whose corrected report the secretariat
    confirmed ended with the determination final: the public list says so."""
    rwf.decide(secretariat, reported, decision="corrections_required", reasons="Fix table 3.")
    rwf.submit_corrections(aie_user, reported, uploaded=pdf_upload("corrected.pdf"))
    rwf.confirm_corrections(secretariat, fresh(reported))
    page = client.get("/registry/reviews/").content.decode()
    table = page[page.index("<table") :]
    assert "Corrections confirmed: final" in table
    assert "Corrections required" not in table
