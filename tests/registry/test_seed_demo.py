"""``seed_demo``: DEBUG only, idempotent, every stage of the cycle reached by the workflow — a
review in progress and a decided review included — on the reference data that ships with the
product."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from determinations.models import AssignedAmount, Determination, EruBlock, ReportedEmissions
from fees.models import FeeAssessment
from projects.models import (
    Accreditation,
    Comment,
    Event,
    Notification,
    Organisation,
    OutboxMail,
    Party,
    Project,
    SectoralScope,
    User,
)
from registry.clock import enforce_deadlines
from reviews import workflow as rwf
from reviews.clock import sweep
from reviews.models import (
    Appraisal,
    Appraiser,
    Clarification,
    Expert,
    JiscMember,
    Meeting,
    Review,
    ReviewLog,
)
from tests.factories import SCOPE_NAMES

pytestmark = pytest.mark.django_db

EXPECTED_STATUSES = {
    "Wind farm at Zaporizhzhia": "draft",
    "Coal mine methane utilisation at Pokrovsk": "engaged",
    "Biomass boiler at Zhytomyr hospital": "withdrawn",
    "Landfill gas capture at Kyiv": "open_for_comments",
    "District heating modernisation in Lviv": "comments_closed",
    "Energy efficiency at Kryvyi Rih steel works": "determination_submitted",
    "Associated gas utilisation at Poltava oil field": "determination_published",
    "Reduction of N2O emissions at Rivne nitric acid plant": "final",
    "Small hydro cascade in the Carpathians": "rejected",
    "Coke oven gas utilisation at Avdiivka coke plant": "final",
    "Programme of biogas units on Vinnytsia farms": "final",
    "Associated petroleum gas utilisation at the Samotlor field": "final",
    "Modernisation of the district heating system in Kostroma": "final",
    "Methane capture at Dnipro wastewater treatment plant": "under_review",
}
RIVNE = "Reduction of N2O emissions at Rivne nitric acid plant"
DECIDED = "Coke oven gas utilisation at Avdiivka coke plant"
UNDER_REVIEW = "Methane capture at Dnipro wastewater treatment plant"


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def snapshot() -> dict:
    models = [
        SectoralScope,
        Party,
        Organisation,
        Accreditation,
        User,
        Project,
        Comment,
        Event,
        Notification,
        Determination,
        FeeAssessment,
        JiscMember,
        Expert,
        Meeting,
        Appraisal,
        Appraiser,
        Review,
        ReviewLog,
    ]
    return {
        "counts": {m.__name__: m.objects.count() for m in models},
        "projects": sorted(
            Project.objects.values_list(
                "title", "status", "reference", "due_at", "final_on", "updated_at"
            )
        ),
        "passwords": sorted(User.objects.values_list("username", "password")),
        "parties": sorted(Party.objects.values_list("code", "kp_party", "national_registry")),
        "jisc": sorted(JiscMember.objects.values_list("user__username", "term_start", "term_end")),
        "meetings": sorted(Meeting.objects.values_list("number", "starts_on", "ends_on")),
        "seats": sorted(Appraiser.objects.values_list("user__username", "filed_at")),
    }


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_uses_the_reference_data_that_ships_with_the_product(settings):
    settings.DEBUG = True
    parties_before = sorted(Party.objects.values_list())
    scopes_before = sorted(SectoralScope.objects.values_list())
    assert len(parties_before) >= 198  # projects migration 0005
    call_command("seed_demo")
    # Nothing added or changed: the demo's Parties and scopes, and the eligibility it relies
    # on, are those of the reference data; no eligibility event was needed.
    assert sorted(Party.objects.values_list()) == parties_before
    assert sorted(SectoralScope.objects.values_list()) == scopes_before
    assert list(SectoralScope.objects.values_list("name", flat=True)) == SCOPE_NAMES
    assert not Event.objects.filter(kind="eligibility_changed").exists()
    ukraine = Party.objects.get(code="UA")
    assert ukraine.track2_eligible and not ukraine.track1_eligible
    assert not Party.objects.get(code="BY").track2_eligible
    for code in ("JP", "NL", "CH", "DK", "DE"):
        assert Party.objects.get(code=code).track1_eligible
    # Track 2 in Ukraine; Track 1 in the Russian Federation, which meets all six (para 23).
    hosts = set(Project.objects.values_list("track", "host_party__code"))
    assert hosts == {("2", "UA"), ("1", "RU")}
    assert Party.objects.get(code="RU").track1_eligible


def test_seed_demo_records_the_eligibility_it_relies_on_through_the_act(settings):
    """A database whose Ukraine cannot host, whose Russian Federation cannot use Track 1 and
    whose Belarus could host: the seed records the demo's eligibility of its own copies as
    public events, once."""
    settings.DEBUG = True
    ua, by = Party.objects.get(code="UA"), Party.objects.get(code="BY")
    Party.objects.filter(pk=ua.pk).update(national_registry=False, national_system=True)
    Party.objects.filter(code="RU").update(inventory_submitted=False)
    Party.objects.filter(pk=by.pk).update(assigned_amount_recorded=True, national_registry=True)
    call_command("seed_demo")
    ua.refresh_from_db()
    by.refresh_from_db()
    assert ua.track2_eligible and ua.national_system  # only what the demo relies on changed
    assert not by.track2_eligible
    events = {e.party.code: e for e in Event.objects.filter(kind="eligibility_changed")}
    assert set(events) == {"UA", "BY", "RU"}
    assert events["RU"].data["changes"] == {"inventory_submitted": {"before": False, "after": True}}
    assert events["UA"].data["changes"] == {"national_registry": {"before": False, "after": True}}
    assert events["BY"].data["changes"] == {
        "assigned_amount_recorded": {"before": True, "after": False},
        "national_registry": {"before": True, "after": False},
    }
    assert all(e.public and e.actor_label == "Secretariat" for e in events.values())
    assert ua.eligibility_source == "jitrack demo data (seed_demo), not an official source"
    assert dict(Project.objects.values_list("title", "status")) == EXPECTED_STATUSES
    call_command("seed_demo")
    assert Event.objects.filter(kind="eligibility_changed").count() == 3


def test_seed_demo_creates_the_accreditations(seeded):
    bv = Accreditation.objects.get(
        aie__name="Bureau Veritas Certification Holding SAS", function="determination"
    )
    assert bv.scopes.count() == 15
    tuv = Accreditation.objects.get(
        aie__name="TÜV SÜD Industrie Service GmbH", function="verification"
    )
    assert sorted(tuv.scopes.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 10, 13]


def test_seed_demo_creates_one_user_per_role(seeded):
    users = {u.username: u for u in User.objects.select_related("party", "organisation")}
    expected = {"participant", "aie", "party", "secretariat", "admin", "expert1", "expert2"}
    expected |= {f"jisc{i}" for i in range(1, 5)}
    assert expected <= set(users)
    for user in users.values():
        assert user.check_password("demo")
        assert user.email.endswith("@example.org")
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["admin"].role == "secretariat"
    assert users["party"].role == "party" and users["party"].party.code == "UA"
    assert users["party-ru"].role == "party" and users["party-ru"].party.code == "RU"
    assert users["participant"].organisation.kind == "participant"
    assert users["aie"].organisation.kind == "aie"
    assert len({users[f"jisc{i}"].party_id for i in range(1, 5)}) == 4


def test_seed_demo_reaches_every_stage(seeded):
    assert dict(Project.objects.values_list("title", "status")) == EXPECTED_STATUSES
    kyiv = Project.objects.get(title="Landfill gas capture at Kyiv")
    assert kyiv.comments.count() == 2
    assert kyiv.comments.exclude(answer="").count() == 1
    awaiting = Project.objects.get(status="determination_submitted")
    assert awaiting.fees.get().status == "due"
    published = Project.objects.get(status="determination_published")
    assert published.due_at == published.review_window_closes_at
    final = Project.objects.get(title=RIVNE)
    assert final.events.filter(kind="determination_final", actor_label="jitrack clock").exists()
    assert final.determinations.get().status == "final"
    rejected = Project.objects.get(status="rejected")
    assert rejected.determinations.get().outcome == "negative"
    closed = Project.objects.get(status="comments_closed")
    assert closed.events.filter(kind="comments_closed", actor_label="jitrack clock").exists()


def test_seed_demo_creates_the_jisc_and_an_appraisal(seeded):

    today = timezone.localdate()
    involved = set(Project.objects.values_list("host_party__code", flat=True))
    involved |= set(Project.objects.values_list("parties_involved__code", flat=True))
    assert involved == {"UA", "RU", "JP", "DK", "CH", "NL"}
    serving = list(rwf.serving_members(today))
    assert {m.user.username for m in serving} == {f"jisc{i}" for i in range(1, 8)}
    assert all(m.party_id == m.user.party_id and m.user.role == "jisc" for m in serving)
    free = [m for m in serving if m.party.code not in involved]
    assert len(free) == 5 and len({m.party_id for m in free}) == 5
    assert [m.user.username for m in free if m.seat == "alternate"] == ["jisc7"]
    for username in ("jisc1", "jisc2", "jisc3", "jisc4"):
        assert rwf.is_serving_member(User.objects.get(username=username), today)

    scopes = set(Project.objects.values_list("sectoral_scopes__number", flat=True))
    for username in ("expert1", "expert2", "expert3", "expert4"):
        expert = Expert.objects.get(user__username=username)
        assert expert.active and expert.user.role == "expert"
        assert scopes <= set(expert.scopes.values_list("number", flat=True))
        assert expert.user.check_password("demo")

    past, upcoming = Meeting.objects.order_by("starts_on")
    assert past.ends_on < today < upcoming.starts_on
    assert (past.number, upcoming.number) == (40, 41)
    assert upcoming.where == "Electronic meeting" and past.where == "Bonn, Germany"

    published = Project.objects.get(status="determination_published")
    appraisal = Appraisal.objects.get()
    assert appraisal.project == published and appraisal.status == "open"
    seats = {s.user.username: s for s in appraisal.appraisers.select_related("user")}
    assert sorted(seats) == ["expert3", "expert4", "jisc2", "jisc5"]
    assert [u for u, s in seats.items() if s.filed_at] == ["jisc2"]
    assert seats["jisc2"].form_name == "F-JI-DA" and seats["jisc2"].opinion == "meets"
    for seat in seats.values():
        assert not rwf.conflict_of_interest(seat.user, published)
    # Confidential: in the review log, never in the project's public events.
    assert not published.events.filter(kind__icontains="apprais").exists()
    kinds = list(ReviewLog.objects.filter(project=published).values_list("kind", flat=True))
    assert kinds == ["appraisers_appointed", "no_conflict_declared", "appraisal_filed"]
    assert set(Review.objects.values_list("project__title", flat=True)) == {DECIDED, UNDER_REVIEW}


def test_seed_demo_has_a_review_in_progress_with_a_clarification_asked(seeded):
    today = timezone.localdate()
    project = Project.objects.get(title=UNDER_REVIEW)
    review = Review.objects.get(project=project)
    assert (project.status, review.status, review.decision) == ("under_review", "in_progress", "")
    assert review.kind == "determination" and review.determination.status != "final"
    assert review.requested_at.date() == today - dt.timedelta(days=45)
    assert review.due_at > timezone.now()
    team = {m.user.username: m.lead for m in review.team.select_related("user")}
    assert team == {"jisc2": True, "jisc5": False}
    for member in review.team.select_related("user"):
        assert not rwf.conflict_of_interest(member.user, project)
    (request,) = review.requests.all()
    assert (request.by, request.party.code) == ("party", "UA")
    (clar,) = Clarification.objects.filter(review=review)
    assert (clar.addressed_to, clar.answered_at) == ("aie", None)
    assert clar.due_at.date() == today + dt.timedelta(days=14)
    assert list(
        project.events.filter(created_at__gte=review.requested_at)
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    ) == ["review_request_received", "review_started", "review_team_appointed"]
    # The clarification is the team's working paper: in the review log, not public.
    assert ReviewLog.objects.filter(project=project, kind="clarification_sent").exists()
    assert not project.events.filter(kind__icontains="clarification").exists()


def test_seed_demo_has_a_review_the_jisc_decided_at_its_40th_meeting(seeded):
    today = timezone.localdate()
    project = Project.objects.get(title=DECIDED)
    review = Review.objects.get(project=project)
    assert (project.status, review.status, review.decision) == ("final", "decided", "confirmed")
    assert review.recommendation == "confirmed" and review.report
    assert review.decided_at_meeting == Meeting.objects.get(number=40)
    assert review.decided_at.date() == today - dt.timedelta(days=34)
    assert project.final_on == review.decided_at.date()
    assert project.determinations.get().status == "final"
    assert {m.user.username for m in review.team.select_related("user")} == {"jisc4", "jisc6"}
    (clar,) = Clarification.objects.filter(review=review)
    assert clar.answered_at is not None and clar.answer
    kinds = list(project.events.order_by("created_at", "pk").values_list("kind", flat=True))
    assert kinds[-4:] == [
        "review_request_received",
        "review_started",
        "review_team_appointed",
        "review_decided",
    ]
    decided = project.events.get(kind="review_decided")
    assert decided.public and decided.data["meeting"] == 40
    assert decided.created_at == review.decided_at


def test_seed_demo_twice_changes_nothing(seeded):
    before = snapshot()
    call_command("seed_demo")
    assert snapshot() == before


def test_seed_demo_leaves_nothing_for_the_clock(seeded):
    assert not any(enforce_deadlines().values())
    assert not any(sweep().values())


def test_the_demo_history_agrees_with_the_dates(seeded):
    """Each step ran on its day: the event log, the availability dates and the windows agree,
    and nothing is dated after now (the timeline and ``?as_of`` pages read the log)."""
    now = timezone.now()
    assert not Event.objects.filter(created_at__gt=now).exists()
    published = Project.objects.filter(reference__isnull=False, track="2").order_by("reference")
    assert published.count() == 9
    days = [p.pdd_available_on for p in published]
    assert days == sorted(days)  # references follow the order of publication
    for project in published:
        event = project.events.get(kind="pdd_published")
        assert event.created_at.date() == project.pdd_available_on
        closed = project.events.filter(kind="comments_closed").first()
        if closed:
            assert closed.created_at > project.comments_close_at
    final = Project.objects.get(title=RIVNE)
    assert final.events.get(kind="determination_final").created_at > final.review_window_closes_at
    assert final.verifications.get().erus_issued == 120_000
    # Each review step on its day, inside the windows and the members' terms.
    for review in Review.objects.select_related("project"):
        project = review.project
        assert project.determination_available_on <= review.requested_at.date()
        assert review.requested_at <= project.review_window_closes_at
        for member in review.team.select_related("user"):
            assert rwf.is_serving_member(member.user, review.requested_at.date())
        steps = list(
            project.events.order_by("created_at", "pk").values_list("created_at", flat=True)
        )
        assert steps == sorted(steps)


def test_seed_demo_gives_its_users_the_notifications_of_its_history(seeded):
    """The demo's inboxes hold what its history told each user (issue 15), each row written
    once: the builders ran, whether or not a worker drained the outbox."""
    kinds = {
        username: set(
            Notification.objects.filter(user__username=username).values_list("kind", flat=True)
        )
        for username in ("participant", "aie", "secretariat", "party", "jisc1")
    }
    assert {"engagement_accepted", "invoice_issued", "determination_final"} <= kinds["participant"]
    assert {"engagement_requested", "comment_received", "comments_closed"} <= kinds["aie"]
    assert {"pdd_submitted", "determination_submitted", "review_request_received"} <= kinds[
        "secretariat"
    ]
    assert {"determination_published", "determination_final"} <= kinds["party"]
    assert "appraisal" in kinds["jisc1"]
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    assert not OutboxMail.objects.filter(done_at=None).exclude(builder="").exists()
    rivne = Project.objects.get(title=RIVNE)
    final = rivne.events.get(kind="determination_final")
    told = Notification.objects.filter(user__username="participant", kind="determination_final")
    assert told.filter(url=f"/projects/{rivne.key}/", created_at=final.created_at).count() == 1


def test_seed_demo_shows_track1_inventories_components_and_changes(seeded):
    """Issue 16's demo: two Track 1 projects of the Russian Federation (one credited), the
    hosts' assigned amounts and emissions, a programme with three components, and a final
    project that gained a participant and a longer crediting period."""
    track1 = Project.objects.filter(track="1").order_by("reference")
    assert [p.reference for p in track1] == ["RU1000001", "RU1000002"]
    assert {p.status for p in track1} == {"final"}
    blocks = EruBlock.objects.filter(issuance__verification__project=track1[0], parent=None)
    assert {b.track for b in blocks} == {1}
    assert sum(b.serial_end - b.serial_start + 1 for b in blocks) == 1_285_000
    assert AssignedAmount.objects.filter(party__code__in=("UA", "RU")).count() == 2
    assert ReportedEmissions.objects.filter(party__code="RU").count() == 4
    poa = Project.objects.get(poa=True)
    assert poa.status == "final" and poa.components.count() == 3
    final = Project.objects.get(title__startswith="Reduction of N2O")
    assert final.participants.filter(name="Rivne Azot PJSC").exists()
    assert str(final.crediting_end) == "2020-12-31"
    assert {"participant_added", "crediting_period_renewed"} <= set(
        final.events.values_list("kind", flat=True)
    )
