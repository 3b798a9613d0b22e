"""The project register: fields, formats, visibility, filters, ordering, pagination, queries."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from projects import workflow as wf
from projects.models import Project, User
from tests.factories import AIEFactory, PartyFactory, UserFactory, pdf_upload
from tests.support import client_for

pytestmark = pytest.mark.django_db

LIST_FIELDS = {
    "reference",
    "key",
    "url",
    "track",
    "national_approval_reference",
    "national_guidelines",
    "title",
    "host_party",
    "parties_involved",
    "participants",
    "aie",
    "sectoral_scopes",
    "small_scale",
    "poa",
    "expected_annual_reductions",
    "expected_reductions",
    "status",
    "pdd_available_on",
    "comments_close_at",
    "determination_available_on",
    "review_window_closes_at",
    "final_on",
    "withdrawn",
}
DETAIL_FIELDS = LIST_FIELDS | {
    "small_scale_type",
    "small_scale_figure",
    "crediting_start",
    "crediting_end",
    "baseline_approach",
    "methodology",
    "monitoring_approach",
    "withdrawn_at",
    "documents",
    "comments",
    "comment_count",
    "comments_url",
    "timeline",
    "timeline_count",
    "timeline_url",
    "determination",
    "review",
    "verifications",
}


def test_list_row_has_exact_fields_and_formats(anon, cycle, japan):
    project = cycle.open(
        available_on=dt.date.today(), parties_involved=[japan], expected={2009: 1000, 2010: 2001}
    )
    r = anon.get("/api/projects/")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert set(row) == LIST_FIELDS
    closes = project.comments_close_at
    assert row == {
        "reference": "0001",
        "key": "0001",
        "url": "http://testserver/api/projects/0001/",
        "track": "2",
        "national_approval_reference": None,
        "national_guidelines": None,
        "title": "Landfill gas capture at Kyiv",
        "host_party": "UA",
        "parties_involved": ["JP"],
        "participants": ["Green Carbon Ltd"],
        "aie": "Bureau Veritas Certification",
        "sectoral_scopes": [1],
        "small_scale": False,
        "poa": False,
        "expected_annual_reductions": 1501,
        "expected_reductions": [{"year": 2009, "tonnes": 1000}, {"year": 2010, "tonnes": 2001}],
        "status": "open_for_comments",
        "pdd_available_on": dt.date.today().isoformat(),
        "comments_close_at": closes.strftime("%Y-%m-%dT17:00:00Z"),
        "determination_available_on": None,
        "review_window_closes_at": None,
        "final_on": None,
        "withdrawn": False,
    }


def test_detail_has_exact_fields(anon, cycle):
    cycle.open()
    body = anon.get("/api/projects/0001/").json()
    assert set(body) == DETAIL_FIELDS
    assert body["crediting_start"] == "2008-01-01"
    assert body["baseline_approach"] == "ji_specific"
    assert body["determination"] is None
    assert body["timeline_count"] == len(body["timeline"]) and body["comment_count"] == 0
    assert body["timeline_url"] == "http://testserver/api/projects/0001/timeline/"
    assert body["comments_url"] == "http://testserver/api/projects/0001/comments/"
    assert [d["kind"] for d in body["documents"]] == ["pdd"]
    assert set(body["documents"][0]) == {
        "id",
        "kind",
        "title",
        "version",
        "filename",
        "sha256",
        "size",
        "confidential",
        "published_at",
        "uploaded_at",
        "status",
        "status_reason",
        "superseded_by",
        "download_url",
    }
    assert body["timeline"] == [
        {
            "kind": "pdd_published",
            "at": body["timeline"][0]["at"],
            "actor": "Secretariat",
            "from_status": "pdd_submitted",
            "to_status": "open_for_comments",
            "reason": "",
        }
    ]
    assert body["timeline"][0]["at"].endswith("Z")


def test_unpublished_projects_are_hidden_from_the_public(anon, other_pp_api, cycle):
    draft = cycle.draft()
    assert anon.get("/api/projects/").json()["count"] == 0
    assert anon.get(f"/api/projects/{draft.key}/").status_code == 404
    assert other_pp_api.get(f"/api/projects/{draft.key}/").status_code == 404
    assert other_pp_api.get("/api/projects/").json()["count"] == 0


def test_participants_see_their_own_drafts(pp_api, cycle):
    draft = cycle.draft()
    body = pp_api.get("/api/projects/").json()
    assert [p["key"] for p in body["results"]] == [f"P{draft.pk}"]
    assert body["results"][0]["reference"] is None
    detail = pp_api.get(f"/api/projects/P{draft.pk}/").json()
    assert detail["status"] == "draft"
    assert [e["kind"] for e in detail["timeline"]] == ["project_created"]


def test_invited_aie_sees_the_project_but_not_its_documents(cycle, aie_user, participant):
    project = cycle.draft()
    wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    wf.engage_aie(participant, project, aie_user.organisation)
    body = client_for(aie_user).get(f"/api/projects/{project.key}/").json()
    assert body["status"] == "draft"
    assert body["documents"] == []


@pytest.mark.parametrize(
    "key", ["abc", "00001", "P", "Pabc", "0002", "P999999", "P99999999999999999999999", "%20"]
)
def test_detail_unknown_key_is_404(anon, cycle, key):
    cycle.open()
    r = anon.get(f"/api/projects/{key}/")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_public_timeline_hides_internal_events(anon, pp_api, cycle):
    cycle.open()
    public = [e["kind"] for e in anon.get("/api/projects/0001/").json()["timeline"]]
    own = [e["kind"] for e in pp_api.get("/api/projects/0001/").json()["timeline"]]
    assert public == ["pdd_published"]
    assert own == [
        "project_created",
        "approval_recorded",
        "document_uploaded",
        "engagement_requested",
        "engagement_accepted",
        "pdd_submitted",
        "pdd_published",
    ]


def test_comment_email_only_for_the_aie_and_secretariat(anon, pp_api, aie_api, sec_api, cycle):
    project = cycle.open()
    wf.add_comment(
        project,
        name="Ann",
        affiliation="",
        category="party",
        email="ann@example.org",
        text="Please explain the baseline.",
    )
    for client, shows in ((anon, False), (pp_api, False), (aie_api, True), (sec_api, True)):
        comment = client.get("/api/projects/0001/").json()["comments"][0]
        assert ("email" in comment) is shows
        assert comment["text"] == "Please explain the baseline."


# --- confidential documents ------------------------------------------------------------------


def test_confidential_documents_never_public(anon, pp_api, other_pp_api, cycle, participant):
    project = cycle.draft()
    wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    secret = wf.add_document(
        participant,
        project,
        kind="supporting",
        title="Financial model",
        uploaded=pdf_upload("model.pdf", "secret numbers"),
        confidential=True,
    )
    engagement = wf.engage_aie(participant, project, cycle.aie_user.organisation)
    wf.decide_engagement(cycle.aie_user, engagement, accept=True)
    wf.submit_pdd(cycle.aie_user, project)
    wf.check_pdd(cycle.secretariat, project, accept=True)

    for client in (anon, other_pp_api):
        docs = client.get("/api/projects/0001/").json()["documents"]
        assert [d["title"] for d in docs] == ["PDD"]
        assert client.get(f"/api/documents/{secret.pk}/download/").status_code == 404
        listing = client.get("/api/projects/").content.decode()
        assert "Financial model" not in listing and secret.sha256 not in listing

    own = pp_api.get("/api/projects/0001/").json()["documents"]
    assert sorted(d["title"] for d in own) == ["Financial model", "PDD"]
    r = pp_api.get(f"/api/documents/{secret.pk}/download/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"


def test_document_download_of_unpublished_pdd_is_404_for_the_public(anon, cycle, participant):
    project = cycle.draft()
    doc = wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    assert anon.get(f"/api/documents/{doc.pk}/download/").status_code == 404
    assert anon.get("/api/documents/999999/download/").json()["code"] == "not_found"


# --- filters, ordering, pagination ------------------------------------------------------------


@pytest.fixture
def three(cycle, other_aie_org, japan):
    """0001 Kyiv (UA, AIE 1, open), 0002 Osaka wind (JP host, AIE 2), 0003 (UA, withdrawn)."""
    a = cycle.open(title="Kyiv landfill gas")
    cycle.aie_user.organisation  # noqa: B018
    b = cycle.draft(title="Osaka wind farm", host_party=japan)
    wf.add_document(cycle.participant, b, kind="pdd", title="PDD", uploaded=pdf_upload())
    engagement = wf.engage_aie(cycle.participant, b, other_aie_org)
    staff = UserFactory(role=User.Role.AIE, organisation=other_aie_org)
    wf.decide_engagement(staff, engagement, accept=True)
    wf.submit_pdd(staff, b)
    wf.check_pdd(cycle.secretariat, b, accept=True)
    c = cycle.open(title="Donbas coal mine methane")
    wf.withdraw(cycle.participant, c, reason="Financing fell through.")
    return [Project.objects.get(pk=p.pk) for p in (a, b, c)]


def keys(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["key"] for row in response.json()["results"]]


def test_filter_by_status(anon, three):
    assert keys(anon.get("/api/projects/?status=withdrawn")) == ["0003"]
    assert keys(anon.get("/api/projects/?status=withdrawn"))[0] == "0003"
    row = anon.get("/api/projects/?status=withdrawn").json()["results"][0]
    assert row["withdrawn"] is True


def test_filter_by_unknown_status_is_400(anon, three):
    r = anon.get("/api/projects/?status=nonsense")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert r.json()["field"] == "status"


def test_filter_by_host_party_code(anon, three):
    assert keys(anon.get("/api/projects/?host_party=JP")) == ["0002"]
    assert keys(anon.get("/api/projects/?host_party=jp")) == ["0002"]
    assert keys(anon.get("/api/projects/?host_party=ZZ")) == []


def test_filter_by_aie_name_or_id(anon, three, other_aie_org):
    assert keys(anon.get("/api/projects/", {"aie": other_aie_org.name})) == ["0002"]
    assert keys(anon.get(f"/api/projects/?aie={other_aie_org.pk}")) == ["0002"]
    assert keys(anon.get("/api/projects/?aie=99999999999999999999999")) == []


def test_filter_q_matches_title_or_reference(anon, three):
    assert keys(anon.get("/api/projects/?q=WIND")) == ["0002"]
    assert keys(anon.get("/api/projects/?q=0003")) == ["0003"]


def test_ordering(anon, three):
    assert keys(anon.get("/api/projects/?ordering=reference")) == ["0001", "0002", "0003"]
    assert keys(anon.get("/api/projects/?ordering=-reference")) == ["0003", "0002", "0001"]
    assert keys(anon.get("/api/projects/?ordering=title")) == ["0003", "0001", "0002"]
    assert keys(anon.get("/api/projects/?ordering=status,reference")) == ["0001", "0002", "0003"]
    # The default: newest first; an unknown field is ignored.
    assert keys(anon.get("/api/projects/")) == ["0003", "0002", "0001"]
    assert keys(anon.get("/api/projects/?ordering=secret_field")) == ["0003", "0002", "0001"]


def test_pagination(anon, three):
    first = anon.get("/api/projects/?ordering=reference&page_size=2").json()
    assert first["count"] == 3
    assert [p["key"] for p in first["results"]] == ["0001", "0002"]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/projects/?ordering=reference&page=2&page_size=2"
    second = anon.get(first["next"]).json()
    assert [p["key"] for p in second["results"]] == ["0003"]
    assert second["next"] is None
    r = anon.get("/api/projects/?page=9")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert anon.get("/api/projects/?page=abc").status_code == 404


def test_default_page_size_is_25(anon, cycle):
    for _ in range(26):
        cycle.open()
    body = anon.get("/api/projects/").json()
    assert body["count"] == 26
    assert len(body["results"]) == 25


# --- query budget ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 20])
def test_list_query_count_does_not_grow(anon, pp_api, cycle, n, django_assert_max_num_queries):
    for i in range(n):
        project = cycle.open(title=f"Project {i}")
        wf.add_comment(
            project, name="A", affiliation="", category="party", email="a@example.org", text="x"
        )
    for client in (anon, pp_api):
        with django_assert_max_num_queries(8):
            r = client.get("/api/projects/")
        assert r.json()["count"] == n


def test_detail_query_count(anon, pp_api, aie_api, sec_api, cycle, django_assert_max_num_queries):
    project = cycle.open()
    for i in range(5):
        wf.add_comment(
            project, name=f"A{i}", affiliation="", category="party", email="a@example.org", text="x"
        )
    project = cycle.final()
    for client in (anon, pp_api, aie_api, sec_api):
        for key in ("0001", "0002"):
            with django_assert_max_num_queries(10):
                r = client.get(f"/api/projects/{key}/")
            assert r.status_code == 200


def test_detail_query_count_with_session_auth(cycle, participant, django_assert_max_num_queries):
    """Sessions are read through the cache, so the browser's session costs only the user query."""
    cycle.final()
    client = APIClient()
    client.force_login(participant)
    with django_assert_max_num_queries(10):
        r = client.get("/api/projects/0001/")
    assert r.json()["determination"]["outcome"] == "positive"


def test_reference_lists_query_count(anon, aie_org, other_aie_org, django_assert_max_num_queries):
    PartyFactory(code="DE", name="Germany")
    AIEFactory(name="SGS")
    for path, limit in (("/api/parties/", 1), ("/api/scopes/", 1), ("/api/aies/", 3)):
        with django_assert_max_num_queries(limit):
            assert anon.get(path).status_code == 200
