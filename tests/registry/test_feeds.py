"""Atom feeds of public notices: parsed with feedparser; only public events of published projects,
never an appraisal, a clarification, a fee or anything of an unpublished project."""

import datetime as dt

import feedparser
import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from determinations import track1
from projects import parties
from projects import workflow as wf
from projects.models import Event, Project, SectoralScope, User
from registry import feeds
from reviews import workflow as rwf
from reviews.models import Expert, JiscMember, Review
from tests.factories import PartyFactory, UserFactory, pdf_upload, project_data
from tests.support import Cycle

pytestmark = pytest.mark.django_db

START = dt.datetime(2010, 3, 1, 9, tzinfo=dt.UTC)
CRITERIA = {
    key: {"met": True, "comment": "SECRET-APPRAISAL criterion note"}
    for key in ("approval", "additionality", "baseline_monitoring", "environmental")
}
SECRETS = ("SECRET-APPRAISAL", "SECRET-CLARIFICATION", "Hidden draft", "Not yet public", "USD")


def committee() -> tuple[list[User], list[User]]:
    """Three serving JISC members and two experts, none from Ukraine or Japan."""
    members, experts = [], []
    for code, name in (("DE", "Germany"), ("FR", "France"), ("BR", "Brazil")):
        party = PartyFactory(code=code, name=name)
        user = UserFactory(username=f"jisc-{code}", role=User.Role.JISC, party=party)
        JiscMember.objects.create(
            user=user,
            party=party,
            constituency=JiscMember.Constituency.ANNEX_I_OTHER,
            term_start=dt.date(2009, 1, 1),
            term_end=dt.date(2012, 12, 31),
        )
        members.append(user)
    for code in ("DE", "FR"):
        user = UserFactory(username=f"expert-{code}", role=User.Role.EXPERT, party=None)
        Expert.objects.create(user=user).scopes.set(SectoralScope.objects.all())
        experts.append(user)
    return members, experts


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def kinds(feed) -> list[tuple[str, str]]:
    """(project reference, event kind) of each entry, in feed order."""
    return [(e.link.rsplit("/", 2)[-2], e.tags[0].term) for e in feed.entries]


@pytest.fixture
def notices(cycle, japan, participant, aie_user, secretariat):
    """0001 (Ukraine) final; 0002 (Japan) appraised, under review with a clarification; a
    draft; a submitted PDD; 0003 published with availability tomorrow (not public yet)."""
    dfp_japan = UserFactory(username="dfp-jp", role=User.Role.PARTY, party=japan)
    with time_machine.travel(START, tick=False) as traveller:
        members, experts = committee()
        cycle.final()
        traveller.shift(dt.timedelta(days=60))
        japanese = Cycle(participant, aie_user, secretariat, japan)
        b = japanese.determination_published(title="Wind farm at Hokkaido")
        appraisal = rwf.appoint_appraisers(secretariat, b, members=members[:2], experts=experts)
        rwf.declare_no_conflict(members[0], appraisal)
        rwf.file_appraisal(
            members[0],
            appraisal,
            criteria=CRITERIA,
            opinion="review_recommended",
            comments="SECRET-APPRAISAL opinion",
        )
        traveller.shift(dt.timedelta(days=2))
        rwf.request_review(
            dfp_japan, b, reasons={"additionality": "Tariffs."}, summary="Additionality."
        )
        review = Review.objects.get(project=b)
        rwf.appoint_team(secretariat, review, members=members[1:], lead=members[1])
        rwf.send_clarification(
            members[1],
            review,
            addressed_to="aie",
            questions="SECRET-CLARIFICATION question",
            due_on=dt.date(2010, 6, 30),
        )
    cycle.draft(title="Hidden draft")
    cycle.submitted(title="Hidden draft submitted")
    cycle.open(available_on=timezone.localdate() + dt.timedelta(days=1), title="Not yet public")
    return Project.objects.get(reference="0001"), b


def test_all_notices_are_the_public_events_of_published_projects_newest_first(notices, client):
    feed = parse(client, "/feeds/")
    assert feed.feed.title == "Joint Implementation: public notices"
    # Newest first: the clock closed 0002's comment period after its review had started.
    assert kinds(feed) == [
        ("0002", "comments_closed"),
        ("0002", "review_team_appointed"),
        ("0002", "review_started"),
        ("0002", "review_request_received"),
        ("0002", "determination_published"),
        ("0002", "determination_submitted"),
        ("0002", "pdd_published"),
        ("0001", "determination_final"),
        ("0001", "comments_closed"),
        ("0001", "determination_published"),
        ("0001", "determination_submitted"),
        ("0001", "pdd_published"),
    ]
    first = feed.entries[-1]
    assert first.title == "PDD published for comments — 0001 Landfill gas capture at Kyiv"
    assert first.link == "http://testserver/projects/0001/"
    assert first.summary == "Reference 0001; available from 1 Mar 2010."
    assert first.published == "2010-03-01T09:00:00+00:00"
    assert first.author == "Secretariat"
    assert len({e.id for e in feed.entries}) == len(feed.entries)


def test_feeds_never_show_private_events_or_confidential_text(notices, client):
    a, b = notices
    private = set(
        Event.objects.filter(project__in=[a, b], public=False).values_list("kind", flat=True)
    )
    # The fixture does make insider events: fees, invoices, payments, engagements, uploads.
    assert {"fee_assessed", "invoice_issued", "payment_recorded", "pdd_submitted"} <= private
    public_ids = set(
        Event.objects.filter(project__in=[a, b], public=True).values_list("pk", flat=True)
    )
    for url in (
        "/feeds/",
        "/feeds/parties/UA/",
        "/feeds/parties/JP/",
        "/projects/0001/feed/",
        "/projects/0002/feed/",
    ):
        response = client.get(url)
        text = response.content.decode()
        for secret in SECRETS:
            assert secret not in text, (url, secret)
        feed = feedparser.parse(response.content)
        ids = {int(e.id.rsplit("-", 1)[1]) for e in feed.entries}
        assert ids <= public_ids, url
        assert not {term for e in feed.entries for term in [e.tags[0].term]} & private


def test_project_feed_lists_only_that_project(notices, client):
    feed = parse(client, "/projects/0001/feed/")
    assert feed.feed.title == "JI 0001: Landfill gas capture at Kyiv"
    assert feed.feed.link == "http://testserver/projects/0001/"
    assert kinds(feed) == [
        ("0001", "determination_final"),
        ("0001", "comments_closed"),
        ("0001", "determination_published"),
        ("0001", "determination_submitted"),
        ("0001", "pdd_published"),
    ]
    assert feed.entries[0].title == "Determination final — 0001 Landfill gas capture at Kyiv"
    assert feed.entries[0].published == "2010-04-14T17:00:01+00:00"


def test_party_feed_lists_projects_that_party_hosts(notices, client):
    japan = parse(client, "/feeds/parties/JP/")
    assert japan.feed.title == "Joint Implementation: projects hosted by Japan"
    assert {ref for ref, _ in kinds(japan)} == {"0002"}
    assert len(japan.entries) == 7
    ukraine = parse(client, "/feeds/parties/ua/")  # any case
    assert {ref for ref, _ in kinds(ukraine)} == {"0001"}


def test_kind_feeds_filter_by_notice_kind(notices, client):
    expected = {
        "pdd_published": [("0002", "pdd_published"), ("0001", "pdd_published")],
        "determination_published": [
            ("0002", "determination_published"),
            ("0001", "determination_published"),
        ],
        "determination_final": [("0001", "determination_final")],
        "review_started": [("0002", "review_started")],
        "review_decided": [],
        "verification_final": [],
        "erus_issued": [],
        "track1_recorded": [],
        "track1_verification": [],
    }
    assert set(expected) == set(feeds.NOTICE_KINDS)
    for kind, entries in expected.items():
        feed = parse(client, f"/feeds/kinds/{kind}/")
        assert kinds(feed) == entries, kind
    started = parse(client, "/feeds/kinds/review_started/").entries[0]
    assert started.title.startswith("Review started; the determination is not final")


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/kinds/fee_assessed/",  # a real kind, but private: no feed
        "/feeds/kinds/nonsense/",
        "/feeds/parties/ZZ/",
        "/feeds/parties/Ukraine/",
        "/projects/9999/feed/",
        "/projects/0003/feed/",  # published with availability tomorrow: not public yet
        "/projects/{draft}/feed/",  # a draft's key
        "/projects/{submitted}/feed/",
        "/projects/not-a-key/feed/",
    ],
)
def test_unknown_feed_is_404(notices, client, url):
    draft = Project.objects.get(title="Hidden draft").key
    submitted = Project.objects.get(title="Hidden draft submitted").key
    assert client.get(url.format(draft=draft, submitted=submitted)).status_code == 404


def test_feed_has_a_fixed_number_of_items(notices, client, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_ITEMS", 3)
    assert kinds(parse(client, "/feeds/")) == [
        ("0002", "comments_closed"),
        ("0002", "review_team_appointed"),
        ("0002", "review_started"),
    ]


def test_withdrawal_reason_is_escaped_in_the_summary(cycle, client):
    project = cycle.open()
    wf.withdraw(cycle.participant, project, "<script>alert(1)</script> Funding lost.")
    feed = parse(client, "/projects/0001/feed/")
    assert feed.entries[0].tags[0].term == "withdrawn"
    assert "<script>" not in feed.entries[0].summary
    assert "Funding lost." in feed.entries[0].summary


@pytest.mark.parametrize("n", [1, 25])
def test_feed_query_count_is_constant(cycle, client, django_assert_max_num_queries, n):
    for i in range(n):
        cycle.open(title=f"Project {i}")
    for url in (
        "/feeds/",
        "/feeds/parties/UA/",
        "/feeds/kinds/pdd_published/",
        "/projects/0001/feed/",
    ):
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200


# --- notices of no project: a Party's eligibility (projects.parties) ---------------------------


def test_eligibility_changes_are_public_notices_linking_to_the_parties(
    cycle, japan, secretariat, client
):
    cycle.open()
    with time_machine.travel(dt.datetime(2030, 1, 2, 9, tzinfo=dt.UTC), tick=False):
        parties.change_eligibility(
            secretariat,
            cycle.host,
            changes={"national_system": True, "national_registry": False},
            reason="Enforcement branch: <b>final</b> decision.",
            source="Compliance Committee, enforcement branch (2030)",
        )
    event = Event.objects.get(kind="eligibility_changed")
    entry = parse(client, "/feeds/").entries[0]
    assert entry.title == "Para 21 eligibility of a Party changed — Ukraine"
    assert entry.link == "http://testserver/api/parties/"
    assert entry.id == f"{settings.SITE_URL}/api/parties/#event-{event.pk}"
    assert entry.tags[0].term == "eligibility_changed"
    assert entry.author == "Secretariat"
    assert entry.published == "2030-01-02T09:00:00+00:00"
    assert entry.summary == (
        "(c) national system in place: no → yes; (d) national registry in place: yes → no."
        "<p>Source: Compliance Committee, enforcement branch (2030)</p>"
        "<p>Enforcement branch: &lt;b&gt;final&lt;/b&gt; decision.</p>"
    )
    # The Party's own feed carries it with its projects' notices; another Party's does not.
    ukraine = parse(client, "/feeds/parties/UA/")
    assert [e.tags[0].term for e in ukraine.entries][0] == "eligibility_changed"
    assert "eligibility_changed" not in [
        e.tags[0].term for e in parse(client, "/feeds/parties/JP/").entries
    ]
    assert kinds(parse(client, "/projects/0001/feed/"))[0][1] != "eligibility_changed"


@pytest.mark.parametrize("n", [1, 10])
def test_feed_query_count_with_eligibility_and_accreditation_notices(
    cycle, secretariat, client, django_assert_max_num_queries, n
):
    cycle.open()
    for i in range(n):
        parties.change_eligibility(
            secretariat,
            cycle.host,
            changes={"national_system": i % 2 == 0},
            reason=f"Change {i}.",
            source="Compliance Committee",
        )
    for url in ("/feeds/", "/feeds/parties/UA/"):
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200


def test_track1_records_have_their_own_kind_feeds(client, db):
    """Para 23: what a host Party records under Track 1 is a public notice like the Track 2
    acts, with its own feed."""
    russia = PartyFactory(
        code="RU",
        name="Russian Federation",
        kp_party=True,
        assigned_amount_recorded=True,
        national_system=True,
        national_registry=True,
        inventory_submitted=True,
        supplementary_info=True,
    )
    dfp = UserFactory(username="ru_dfp", role=User.Role.PARTY, party=russia)
    project = track1.record_project(
        dfp,
        **project_data(russia),
        reference="RU1000001",
        national_approval_reference="Order 1",
        determined_on=dt.date(2009, 5, 4),
        entity="Bureau Veritas Certification Holding SAS",
        report=pdf_upload("determination.pdf"),
    )
    track1.record_verification(
        dfp,
        project,
        period_start=dt.date(2009, 1, 1),
        period_end=dt.date(2009, 12, 31),
        verified={"2009": 1000},
        verified_on=dt.date(2010, 3, 1),
        entity="Bureau Veritas Certification Holding SAS",
        report=pdf_upload("verification.pdf"),
    )
    recorded = parse(client, "/feeds/kinds/track1_recorded/")
    assert kinds(recorded) == [("RU1000001", "track1_recorded")]
    verified = parse(client, "/feeds/kinds/track1_verification/")
    assert kinds(verified) == [("RU1000001", "track1_verification")]
    assert "Track 1" in verified.entries[0].title
