"""Secretariat pages for the JISC membership and the roster of experts."""

import datetime as dt

import pytest

from projects.models import SectoralScope, User
from reviews.models import Expert, JiscMember
from tests.factories import UserFactory
from tests.support import html, login, queries_for, viewer

pytestmark = pytest.mark.django_db

URLS = [
    "/reviews/committee/",
    "/reviews/committee/members/new/",
    "/reviews/committee/experts/new/",
]


@pytest.mark.parametrize("who", ["participant", "aie_user", "party_user", "jisc_user"])
@pytest.mark.parametrize("url", URLS)
def test_others_are_refused(request, client, committee, who, url):
    login(client, viewer(request, who))
    assert client.get(url).status_code == 403
    # The list only reads: a POST is refused as such, before anyone is asked who they are.
    assert client.post(url, {}).status_code == (405 if url == URLS[0] else 403)


def test_anonymous_is_sent_to_login(client, committee):
    response = client.get("/reviews/committee/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_secretariat_lists_members_and_experts(client, committee, secretariat):
    login(client, secretariat)
    page = html(client.get("/reviews/committee/"))
    assert "Germany" in page and "Alternate" in page and "serving today" in page
    assert "e1" in page and "Active" in page


def member_data(user, party, **overrides):
    data = {
        "user": user.pk,
        "party": party.pk,
        "seat": "member",
        "constituency": JiscMember.Constituency.NON_ANNEX_I,
        "term_start": "2030-01-01",
        "term_end": "2031-12-31",
    }
    data.update(overrides)
    return data


def test_secretariat_adds_and_ends_a_term(client, committee, secretariat, jisc_user, japan):
    login(client, secretariat)
    response = client.post("/reviews/committee/members/new/", member_data(jisc_user, japan))
    assert response.status_code == 302
    member = JiscMember.objects.get(user=jisc_user)
    url = f"/reviews/committee/members/{member.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, member_data(jisc_user, japan, term_end="2030-06-30"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.term_end == dt.date(2030, 6, 30)


def test_member_must_have_the_jisc_role(client, committee, secretariat, participant, japan):
    login(client, secretariat)
    response = client.post("/reviews/committee/members/new/", member_data(participant, japan))
    assert response.status_code == 400
    assert not JiscMember.objects.filter(user=participant).exists()


def test_term_ending_before_it_starts_is_refused(client, committee, secretariat, jisc_user, japan):
    login(client, secretariat)
    data = member_data(jisc_user, japan, term_end="2029-12-31")
    response = client.post("/reviews/committee/members/new/", data)
    assert response.status_code == 400
    assert "The term cannot end before it starts." in html(response)
    assert not JiscMember.objects.filter(user=jisc_user).exists()
    member = JiscMember.objects.get(user=committee.members[0])
    before = member.term_end
    data = member_data(committee.members[0], member.party, term_end="2000-01-01")
    data["term_start"] = member.term_start.isoformat()
    response = client.post(f"/reviews/committee/members/{member.pk}/", data)
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.term_end == before


def test_secretariat_adds_and_edits_an_expert(client, committee, secretariat):
    login(client, secretariat)
    newcomer = UserFactory(username="e9", role=User.Role.EXPERT)
    scope = SectoralScope.objects.first()
    assert 'type="checkbox"' in html(client.get("/reviews/committee/experts/new/"))
    response = client.post(
        "/reviews/committee/experts/new/",
        {"user": newcomer.pk, "scopes": [scope.pk], "active": "on"},
    )
    assert response.status_code == 302
    expert = Expert.objects.get(user=newcomer)
    assert list(expert.scopes.all()) == [scope]
    response = client.post(
        f"/reviews/committee/experts/{expert.pk}/", {"user": newcomer.pk, "scopes": [scope.pk]}
    )
    assert response.status_code == 302
    expert.refresh_from_db()
    assert not expert.active


def test_expert_must_have_the_expert_role(client, committee, secretariat, jisc_user):
    login(client, secretariat)
    response = client.post("/reviews/committee/experts/new/", {"user": jisc_user.pk})
    assert response.status_code == 400
    assert not Expert.objects.filter(user=jisc_user).exists()


@pytest.mark.parametrize("rows", [1, 8])
def test_committee_page_query_budget(client, secretariat, scopes, japan, rows):
    for i in range(rows):
        user = UserFactory(username=f"j{i}", role=User.Role.JISC, party=japan)
        JiscMember.objects.create(
            user=user,
            party=japan,
            constituency=JiscMember.Constituency.SIDS,
            term_start=dt.date(2024, 1, 1),
            term_end=dt.date(2026, 12, 31),
        )
        expert = Expert.objects.create(user=UserFactory(username=f"x{i}", role=User.Role.EXPERT))
        expert.scopes.set(SectoralScope.objects.all()[:3])
    login(client, secretariat)
    assert queries_for(client, "/reviews/committee/") <= 10
