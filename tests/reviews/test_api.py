"""The REST API for appraisals, review requests, reviews and meetings (ji-rules §3.6-3.8, §6):
the project detail's public ``review``, each action's happy path and refusals, confidentiality,
the query budget and the schema.

The projects here involve Japan besides the host Ukraine, so the Japanese member ``mjp`` has a
conflict of interest (see ``tests.support.Committee``).
"""

import datetime as dt
import re

import pytest
import time_machine
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from determinations import workflow as dwf
from jitrack.errors import Invalid
from projects.models import Document, Project, User
from reviews import deadlines
from reviews import workflow as rwf
from reviews.models import Appraisal, Clarification, ClarificationFile, Meeting, Review
from reviews.selectors import review_facts, with_latest_review
from tests.factories import OrganisationFactory, UserFactory, pdf_upload
from tests.support import CRITERIA_FORM, REASONS, assert_error, client_for, openapi_schema

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

SUMMARY = "Additionality doubtful"
# Confidential texts (ji-rules §6) that must never reach participants, the AIE, a DFP or the
# public: appraisal comments and opinion, the team's report.
SECRET_FORM = {
    key: {"met": key != "additionality", "comment": f"SECRET-APPRAISAL-{key}"}
    for key in CRITERIA_FORM
}
SECRET_COMMENTS = "SECRET-APPRAISAL-COMMENTS"
SECRET_REPORT = "SECRET-TEAM-REPORT"
SECRET_OPINION = "review_recommended"

REVIEW_KEYS = {
    "status",
    "requested_at",
    "requested_by_parties",
    "jisc_member_requests",
    "due_at",
    "decision",
    "decided_at",
    "decision_reasons",
}


# --- helpers -------------------------------------------------------------------------------------


def iso(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def same_instant(value: str, instant: dt.datetime) -> bool:
    """The API gives instants to the second."""
    return iso(value) == instant.replace(microsecond=0)


def ask(user, project, **overrides):
    kwargs = {"reasons": REASONS, "summary": SUMMARY, **overrides}
    return rwf.request_review(user, project, **kwargs)


def detail(client, project) -> dict:
    r = client.get(f"/api/projects/{project.reference}/")
    assert r.status_code == 200, r.content
    return r.json()


def review_of(client, project):
    return client.get(f"/api/projects/{project.reference}/review/")


@pytest.fixture
def review(project, members):
    for m in members[:3]:
        ask(m, project)
    return Review.objects.get(project=project)


@pytest.fixture
def team(review, members, secretariat):
    m4, m5 = members[3], members[4]
    rwf.appoint_team(secretariat, review, members=[m4, m5], lead=m4)
    return m4, m5


@pytest.fixture
def reported(review, team):
    rwf.file_report(team[0], review, recommendation="confirmed", report=SECRET_REPORT)
    return Review.objects.get(pk=review.pk)


def clarify(review, user, addressed_to="aie", questions="Explain the tariff.", days=7):
    return rwf.send_clarification(
        user,
        review,
        addressed_to=addressed_to,
        questions=questions,
        due_on=timezone.localdate() + dt.timedelta(days=days),
    )


# --- the project detail's public ``review`` ------------------------------------------------------


def test_project_detail_review_is_null_before_the_quorum(anon, pp_api, project, members):
    assert detail(anon, project)["review"] is None
    ask(members[0], project)
    ask(members[1], project)
    for client in (anon, pp_api):
        assert detail(client, project)["review"] is None


def test_project_detail_review_is_null_before_publication(anon, pp_api, cycle):
    project = cycle.open()
    assert detail(pp_api, project)["review"] is None
    assert detail(anon, project)["review"] is None


def test_project_detail_review_after_the_third_member(anon, project, members):
    for m in members[:3]:
        assert (
            client_for(m)
            .post(
                f"/api/projects/{project.reference}/review-requests/",
                {"reasons": REASONS, "summary": SUMMARY},
                format="json",
            )
            .status_code
            == 201
        )
    review = Review.objects.get()
    body = detail(anon, project)
    assert body["status"] == "under_review"
    assert set(body["review"]) == REVIEW_KEYS
    assert body["review"] == {
        "status": "requested",
        "requested_at": body["review"]["requested_at"],
        "requested_by_parties": [],
        "jisc_member_requests": 3,
        "due_at": body["review"]["due_at"],
        "decision": None,
        "decided_at": None,
        "decision_reasons": None,
    }
    assert same_instant(body["review"]["requested_at"], review.requested_at)
    assert same_instant(body["review"]["due_at"], review.due_at)
    assert review.due_at == deadlines.add_months(review.requested_at, 6)


def test_project_detail_review_lists_the_parties_sorted_and_counts_members(
    anon, project, members, party_user, japan
):
    ask(party_user, project)
    body = detail(anon, project)["review"]
    assert body["requested_by_parties"] == ["UA"]
    assert body["jisc_member_requests"] == 0
    ask(UserFactory(username="dfp_jp", role=User.Role.PARTY, party=japan), project)
    ask(members[0], project)
    ask(members[1], project)
    body = detail(anon, project)["review"]
    assert body["requested_by_parties"] == ["JP", "UA"]
    assert body["jisc_member_requests"] == 2
    assert body["status"] == "requested"


def test_project_detail_review_shows_no_decision_while_only_recommended(anon, reported):
    body = detail(anon, reported.project)["review"]
    assert body["status"] == "reported"
    assert body["decision"] is None
    assert body["decided_at"] is None
    assert body["decision_reasons"] is None


def test_project_detail_review_after_the_decision(anon, pp_api, reported, secretariat):
    rwf.decide(secretariat, reported, decision="confirmed", reasons="Additionality shown.")
    review = Review.objects.get()
    for client in (anon, pp_api):
        body = detail(client, reported.project)
        assert body["status"] == "final"
        assert body["review"] == {
            "status": "decided",
            "requested_at": body["review"]["requested_at"],
            "requested_by_parties": [],
            "jisc_member_requests": 3,
            "due_at": body["review"]["due_at"],
            "decision": "confirmed",
            "decided_at": body["review"]["decided_at"],
            "decision_reasons": "Additionality shown.",
        }
        assert same_instant(body["review"]["decided_at"], review.decided_at)


def test_project_detail_review_corrections_required(anon, reported, secretariat):
    rwf.decide(secretariat, reported, decision="corrections_required", reasons="Fix table 3.")
    body = detail(anon, reported.project)["review"]
    assert body["status"] == "corrections_required"
    assert body["decision"] == "corrections_required"
    assert body["decision_reasons"] == "Fix table 3."
    assert body["decided_at"] is not None


def test_project_detail_review_is_the_determination_review(anon, review, project):
    Review.objects.create(
        kind=Review.Kind.VERIFICATION,
        project=project,
        requested_at=review.requested_at + dt.timedelta(days=1),
        due_at=review.requested_at + dt.timedelta(days=31),
    )
    body = detail(anon, project)["review"]
    assert same_instant(body["requested_at"], review.requested_at)


def test_review_facts_without_the_annotations_match(project, members, party_user, japan):
    ask(party_user, project)
    ask(UserFactory(username="dfp_jp", role=User.Role.PARTY, party=japan), project)
    ask(members[0], project)
    plain = Project.objects.get(pk=project.pk)
    annotated = with_latest_review(Project.objects.filter(pk=project.pk)).get()
    assert review_facts(plain) == review_facts(annotated)
    assert review_facts(annotated)["requested_by_parties"] == ["JP", "UA"]
    assert review_facts(annotated)["jisc_member_requests"] == 1


def test_project_response_after_an_action_carries_the_review(pp_api, review, project):
    """Actions answer with the project detail: withdrawing closes the open review."""
    r = pp_api.post(f"/api/projects/{project.reference}/withdraw/", {"reason": "Stopped."})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "withdrawn"
    assert r.json()["review"]["status"] == "closed"
    assert r.json()["review"]["decision"] is None


def test_project_detail_query_budget_with_a_review(
    anon, pp_api, aie_api, sec_api, party_api, reported, members, django_assert_max_num_queries
):
    ask(members[3], reported.project)
    clarify(reported, members[3])
    for client in (anon, pp_api, aie_api, sec_api, party_api, client_for(members[0])):
        with django_assert_max_num_queries(10):
            r = client.get(f"/api/projects/{reported.project.reference}/")
        assert r.status_code == 200
        assert r.json()["review"]["jisc_member_requests"] == 4


def test_project_detail_query_budget_without_a_review(
    anon, sec_api, project, members, django_assert_max_num_queries
):
    ask(members[0], project)
    for client in (anon, sec_api):
        with django_assert_max_num_queries(10):
            assert client.get(f"/api/projects/{project.reference}/").json()["review"] is None


# --- appraisal: proposal and appointment ---------------------------------------------------------


def test_proposal_for_the_secretariat(sec_api, project, committee):
    r = sec_api.get(f"/api/projects/{project.reference}/appraisal/proposal/")
    assert r.status_code == 200, r.content
    m1, m2 = committee.members[:2]
    e1, e2 = committee.experts[:2]
    assert r.json() == {
        "members": [{"id": m1.pk, "name": "M1"}, {"id": m2.pk, "name": "M2"}],
        "experts": [{"id": e1.pk, "name": "e1"}, {"id": e2.pk, "name": "e2"}],
    }
    assert committee.conflicted.pk not in {m["id"] for m in r.json()["members"]}


def test_proposal_refused_to_other_roles(anon, pp_api, aie_api, party_api, project, members):
    url = f"/api/projects/{project.reference}/appraisal/proposal/"
    for client in (pp_api, aie_api, party_api, client_for(members[0])):
        assert_error(client.get(url), 403, "forbidden")
    assert_error(anon.get(url), 401, "not_authenticated")


def test_appoint_appraisers(sec_api, project, members, experts):
    r = sec_api.post(
        f"/api/projects/{project.reference}/appraisal/",
        {"members": [m.pk for m in members[:2]], "experts": [e.pk for e in experts[:2]]},
        format="json",
    )
    assert r.status_code == 201, r.content
    appraisal = Appraisal.objects.get()
    body = r.json()
    assert body["id"] == appraisal.pk
    assert body["project"] == project.reference
    assert body["status"] == "open"
    assert iso(body["due_at"]) == project.review_window_closes_at - dt.timedelta(days=10)
    assert [(s["kind"], s["form_name"], s["user"]["id"]) for s in body["seats"]] == [
        ("expert", "F-JI-ExInpDA", experts[0].pk),
        ("expert", "F-JI-ExInpDA", experts[1].pk),
        ("member", "F-JI-DA", members[0].pk),
        ("member", "F-JI-DA", members[1].pk),
    ]
    assert all(s["filed"] is None and s["filed_at"] is None for s in body["seats"])
    assert set(body["seats"][0]) == {
        "id",
        "kind",
        "form_name",
        "user",
        "no_conflict_declared_at",
        "filed_at",
        "filed",
    }


def test_appoint_appraisers_refused_to_other_roles(
    anon, pp_api, aie_api, party_api, project, members, experts
):
    url = f"/api/projects/{project.reference}/appraisal/"
    body = {"members": [m.pk for m in members[:2]], "experts": [e.pk for e in experts[:2]]}
    for client in (pp_api, aie_api, party_api, client_for(members[0]), client_for(experts[0])):
        assert_error(client.post(url, body, format="json"), 403, "forbidden")
    assert_error(anon.post(url, body, format="json"), 401, "not_authenticated")
    assert Appraisal.objects.count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"members": [10**6, 10**6 + 1], "experts": "E"}, "members"),
        ({"members": "M", "experts": [10**6, 10**6 + 1]}, "experts"),
        ({"members": "M"}, "experts"),
        ({"members": ["x", "y"], "experts": "E"}, "members"),
        ({"members": [-1, 0], "experts": "E"}, "members"),
        ({"members": [10**30, 1], "experts": "E"}, "members"),
        ({"members": ["M", "M"], "experts": "E"}, "members"),
        ({"members": ["M"], "experts": "E"}, "members"),
        ({"members": "M", "experts": ["E", "E"]}, "experts"),
        ({"members": "M", "experts": "M"}, "experts"),
        ({"members": "E", "experts": "E"}, "experts"),
        ({"members": "M", "experts": "MM"}, "experts"),
    ],
)
def test_appoint_appraisers_bad_input_is_400(sec_api, project, members, experts, body, field):
    """Unknown ids, wrong types, not two different people, a member as an expert, an expert as
    a member (not serving), a JISC member not on the roster."""
    ids = {
        "M": [m.pk for m in members[:2]],
        "E": [e.pk for e in experts[:2]],
        "MM": [m.pk for m in members[2:4]],
    }

    def resolve(value):
        if isinstance(value, str) and value in ids:
            return ids[value]
        if isinstance(value, list):
            return [ids[v][0] if isinstance(v, str) and v in ids else v for v in value]
        return value

    payload = {k: resolve(v) for k, v in body.items()}
    r = sec_api.post(f"/api/projects/{project.reference}/appraisal/", payload, format="json")
    assert_error(r, 400, "invalid", field)
    assert Appraisal.objects.count() == 0


def test_appoint_appraisers_conflict_of_interest_is_409(sec_api, project, committee):
    r = sec_api.post(
        f"/api/projects/{project.reference}/appraisal/",
        {
            "members": [committee.conflicted.pk, committee.members[0].pk],
            "experts": [e.pk for e in committee.experts[:2]],
        },
        format="json",
    )
    assert_error(r, 409, "conflict_of_interest")
    assert Appraisal.objects.count() == 0


def test_appoint_appraisers_twice_or_out_of_window_is_409(
    sec_api, cycle, project, appraisal, members, experts
):
    body = {"members": [m.pk for m in members[2:4]], "experts": [experts[2].pk, experts[0].pk]}
    r = sec_api.post(f"/api/projects/{project.reference}/appraisal/", body, format="json")
    assert_error(r, 409, "already_appointed")
    other = cycle.comments_closed(title="Another project")
    r = sec_api.post(f"/api/projects/{other.reference}/appraisal/", body, format="json")
    assert_error(r, 409, "wrong_status")


def test_appoint_appraisers_unknown_project_is_404(sec_api):
    assert_error(sec_api.post("/api/projects/0099/appraisal/", {}, format="json"), 404, "not_found")


# --- appraisal: reading, declaring, filing -------------------------------------------------------


def test_appraisal_visibility(
    anon, sec_api, pp_api, aie_api, party_api, appraisal, members, experts, committee, project
):
    url = f"/api/appraisals/{appraisal.pk}/"
    for user in (members[0], members[3], experts[0]):
        assert client_for(user).get(url).status_code == 200
    assert sec_api.get(url).status_code == 200
    assert sec_api.get(f"/api/projects/{project.reference}/appraisal/").json()["id"] == appraisal.pk
    for client in (pp_api, aie_api, party_api, client_for(experts[2])):
        assert_error(client.get(url), 404, "not_found")
        assert_error(client.get(f"/api/projects/{project.reference}/appraisal/"), 404, "not_found")
    assert_error(anon.get(url), 401, "not_authenticated")
    for missing in (appraisal.pk + 1, 10**30):
        assert_error(sec_api.get(f"/api/appraisals/{missing}/"), 404, "not_found")


def test_declare_and_file_an_appraisal(appraisal, members, experts, sec_api):
    m1 = client_for(members[0])
    url = f"/api/appraisals/{appraisal.pk}/"
    r = m1.post(f"{url}file/", {"criteria": CRITERIA_FORM, "opinion": "meets"}, format="json")
    assert_error(r, 409, "no_declaration")
    r = m1.post(f"{url}declare/")
    assert r.status_code == 200, r.content
    seat = next(s for s in r.json()["seats"] if s["user"]["id"] == members[0].pk)
    assert seat["no_conflict_declared_at"] is not None
    r = m1.post(
        f"{url}file/",
        {"criteria": SECRET_FORM, "opinion": SECRET_OPINION, "comments": SECRET_COMMENTS},
        format="json",
    )
    assert r.status_code == 200, r.content
    seat = next(s for s in r.json()["seats"] if s["user"]["id"] == members[0].pk)
    assert seat["filed"] == {
        "criteria": SECRET_FORM,
        "opinion": SECRET_OPINION,
        "comments": SECRET_COMMENTS,
    }
    assert seat["filed_at"] is not None
    r = m1.post(f"{url}file/", {"criteria": CRITERIA_FORM, "opinion": "meets"}, format="json")
    assert_error(r, 409, "already_filed")
    # The secretariat and every JISC member read the filed form; an appointed expert only theirs.
    for client in (sec_api, client_for(members[3])):
        seats = client.get(url).json()["seats"]
        assert [s["filed"] is not None for s in seats] == [False, False, True, False]
    e1 = client_for(experts[0])
    e1.post(f"{url}declare/")
    e1.post(
        f"{url}file/",
        {"criteria": CRITERIA_FORM, "opinion": "meets", "comments": "Expert view."},
        format="json",
    )
    seats = e1.get(url).json()["seats"]
    assert [s["filed"] is not None for s in seats] == [True, False, False, False]
    assert SECRET_COMMENTS not in e1.get(url).content.decode()


def test_declare_and_file_refused_to_non_appointees(sec_api, appraisal, members, pp_api, anon):
    url = f"/api/appraisals/{appraisal.pk}/"
    for client in (client_for(members[3]), sec_api):
        assert_error(client.post(f"{url}declare/"), 403, "forbidden")
        r = client.post(
            f"{url}file/", {"criteria": CRITERIA_FORM, "opinion": "meets"}, format="json"
        )
        assert_error(r, 403, "forbidden")
    assert_error(pp_api.post(f"{url}declare/"), 404, "not_found")
    assert_error(anon.post(f"{url}declare/"), 401, "not_authenticated")
    assert_error(sec_api.post("/api/appraisals/999999/declare/"), 404, "not_found")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"opinion": "meets"}, "criteria"),
        ({"criteria": "yes", "opinion": "meets"}, "criteria"),
        ({"criteria": {"approval": "yes"}, "opinion": "meets"}, "criteria"),
        (
            {
                "criteria": {**CRITERIA_FORM, "additionality": {"met": None, "comment": "x"}},
                "opinion": "meets",
            },
            "criteria",
        ),
        (
            {
                "criteria": {**CRITERIA_FORM, "environmental": {"met": True, "comment": "  "}},
                "opinion": "meets",
            },
            "criteria",
        ),
        ({"criteria": CRITERIA_FORM, "opinion": "maybe"}, "opinion"),
        ({"criteria": CRITERIA_FORM}, "opinion"),
        ({"criteria": CRITERIA_FORM, "opinion": "meets", "comments": ["x"]}, "comments"),
    ],
)
def test_file_appraisal_bad_input_is_400(appraisal, members, body, field):
    m1 = client_for(members[0])
    m1.post(f"/api/appraisals/{appraisal.pk}/declare/")
    r = m1.post(f"/api/appraisals/{appraisal.pk}/file/", body, format="json")
    assert_error(r, 400, "invalid", field)


def test_file_appraisal_after_the_project_left_its_window_is_409(project, appraisal, members):
    m1 = client_for(members[0])
    m1.post(f"/api/appraisals/{appraisal.pk}/declare/")
    dwf.deem_final(project.pk, project.review_window_closes_at + dt.timedelta(seconds=1))
    r = m1.post(
        f"/api/appraisals/{appraisal.pk}/file/",
        {"criteria": CRITERIA_FORM, "opinion": "meets"},
        format="json",
    )
    assert_error(r, 409, "wrong_status")


# --- review requests -----------------------------------------------------------------------------


def test_request_by_a_member(project, members):
    r = client_for(members[0]).post(
        f"/api/projects/{project.reference}/review-requests/",
        {"reasons": REASONS, "summary": SUMMARY},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body == {
        "id": body["id"],
        "by": "jisc",
        "party": None,
        # named, as on the F-JI-DR (ji-rules §7 "Review requests")
        "requester": "M1",
        "received_at": body["received_at"],
        "reasons": {
            "approval": "",
            "additionality": REASONS["additionality"],
            "baseline_monitoring": "",
            "environmental": "",
        },
        "summary": SUMMARY,
    }


def test_request_by_the_host_dfp_starts_the_review(party_api, anon, project):
    r = party_api.post(
        f"/api/projects/{project.reference}/review-requests/",
        {"reasons": REASONS, "summary": SUMMARY},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["by"] == "party" and r.json()["party"] == "UA"
    assert Project.objects.get(pk=project.pk).status == "under_review"
    assert detail(anon, project)["review"]["requested_by_parties"] == ["UA"]


def test_request_refusals(
    party_api, pp_api, aie_api, anon, sec_api, project, members, experts, ukraine
):
    url = f"/api/projects/{project.reference}/review-requests/"
    body = {"reasons": REASONS, "summary": SUMMARY}
    assert party_api.post(url, body, format="json").status_code == 201
    assert_error(party_api.post(url, body, format="json"), 409, "duplicate_request")
    other_dfp = client_for(UserFactory(username="dfp2", role=User.Role.PARTY, party=ukraine))
    assert_error(other_dfp.post(url, body, format="json"), 409, "party_already_requested")
    for client in (pp_api, aie_api, sec_api, client_for(experts[0])):
        assert_error(client.post(url, body, format="json"), 403, "forbidden")
    assert_error(anon.post(url, body, format="json"), 401, "not_authenticated")


def test_request_after_the_window_closed_is_409(project, members):
    url = f"/api/projects/{project.reference}/review-requests/"
    body = {"reasons": REASONS, "summary": SUMMARY}
    m1 = client_for(members[0])
    with time_machine.travel(project.review_window_closes_at, tick=False):
        assert m1.post(url, body, format="json").status_code == 201
    later = project.review_window_closes_at + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        r = client_for(members[1]).post(url, body, format="json")
    assert_error(r, 409, "window_closed")


def test_request_when_not_in_window_is_409(cycle, committee, japan):
    final = cycle.final(parties_involved=[japan])
    draft_like = cycle.comments_closed(title="Second")
    for project in (final, draft_like):
        r = client_for(committee.members[0]).post(
            f"/api/projects/{project.reference}/review-requests/",
            {"reasons": REASONS, "summary": SUMMARY},
            format="json",
        )
        assert_error(r, 409, "not_in_window")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reasons": REASONS}, "summary"),
        ({"reasons": REASONS, "summary": "   "}, "summary"),
        ({"summary": SUMMARY}, "reasons"),
        ({"reasons": {"additionality": "  "}, "summary": SUMMARY}, "reasons"),
        ({"reasons": {"nonsense": "x"}, "summary": SUMMARY}, "reasons"),
        ({"reasons": "because", "summary": SUMMARY}, "reasons"),
        ({"reasons": {"additionality": ["x"]}, "summary": SUMMARY}, "reasons"),
        ({"reasons": REASONS, "summary": {"a": 1}}, "summary"),
        ({"reasons": REASONS, "summary": "x" * 20001}, "summary"),
    ],
)
def test_request_bad_input_is_400(project, members, body, field):
    r = client_for(members[0]).post(
        f"/api/projects/{project.reference}/review-requests/", body, format="json"
    )
    assert_error(r, 400, r.json()["code"], field)
    assert r.json()["code"] in ("invalid", "required")
    assert project.review_requests.count() == 0


# --- GET /review/ ----------------------------------------------------------------------------------


def test_review_endpoint_404_before_the_quorum(anon, sec_api, project, members):
    ask(members[0], project)
    assert_error(review_of(anon, project), 404, "no_review")
    assert_error(review_of(sec_api, project), 404, "no_review")
    assert_error(anon.get("/api/projects/0099/review/"), 404, "not_found")


def test_review_endpoint_public_part(anon, party_api, project, members, party_user):
    ask(party_user, project)
    ask(members[0], project)
    review = Review.objects.get()
    for client in (anon, party_api, client_for(UserFactory(username="e9", role=User.Role.EXPERT))):
        r = review_of(client, project)
        assert r.status_code == 200, r.content
        body = r.json()
        assert set(body) == REVIEW_KEYS | {
            "id",
            "project",
            "kind",
            "requests",
            "meeting",
            "corrections_confirmed_at",
            "team",
            "report",
            "clarifications",
        }
        assert body["id"] == review.pk and body["project"] == project.reference
        assert body["kind"] == "determination"
        assert body["status"] == "requested"
        assert body["requested_by_parties"] == ["UA"]
        assert body["jisc_member_requests"] == 1
        assert [(q["by"], q["party"]) for q in body["requests"]] == [
            ("party", "UA"),
            ("jisc", None),
        ]
        assert body["team"] is None and body["report"] is None and body["clarifications"] is None


def test_review_endpoint_for_staff_participants_and_aie(
    anon, sec_api, pp_api, aie_api, party_api, reported, team, participant, aie_user, members
):
    to_aie = clarify(reported, team[0], "aie", "Q-AIE")
    to_pp = clarify(reported, team[0], "participants", "Q-PP")
    to_both = clarify(reported, team[1], "both", "Q-BOTH")
    rwf.answer_clarification(aie_user, to_aie, answer="A-AIE")
    for client in (sec_api, client_for(members[0]), client_for(team[0])):
        body = review_of(client, reported.project).json()
        assert [c["id"] for c in body["clarifications"]] == [to_aie.pk, to_pp.pk, to_both.pk]
        assert [(t["user"]["id"], t["lead"]) for t in body["team"]] == [
            (team[0].pk, True),
            (team[1].pk, False),
        ]
        assert body["report"]["recommendation"] == "confirmed"
        assert body["report"]["report"] == SECRET_REPORT
    body = review_of(pp_api, reported.project).json()
    assert [c["questions"] for c in body["clarifications"]] == ["Q-PP", "Q-BOTH"]
    assert body["team"] is None and body["report"] is None
    body = review_of(aie_api, reported.project).json()
    assert [(c["questions"], c["answer"]) for c in body["clarifications"]] == [
        ("Q-AIE", "A-AIE"),
        ("Q-BOTH", ""),
    ]
    assert body["team"] is None and body["report"] is None
    for client in (anon, party_api):
        body = review_of(client, reported.project).json()
        assert body["clarifications"] is None and body["team"] is None
        assert body["report"] is None


# --- the review team -----------------------------------------------------------------------------


def test_appoint_team(sec_api, review, members):
    m4, m5 = members[3], members[4]
    r = sec_api.post(
        f"/api/reviews/{review.pk}/team/", {"members": [m4.pk, m5.pk], "lead": m5.pk}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_progress"
    assert [(t["user"]["id"], t["lead"]) for t in r.json()["team"]] == [
        (m5.pk, True),
        (m4.pk, False),
    ]
    r = sec_api.post(
        f"/api/reviews/{review.pk}/team/", {"members": [m4.pk, m5.pk], "lead": m5.pk}, format="json"
    )
    assert_error(r, 409, "already_appointed")


def test_appoint_team_refusals(sec_api, pp_api, anon, review, committee):
    m1, m2 = committee.members[:2]
    url = f"/api/reviews/{review.pk}/team/"
    body = {"members": [m1.pk, m2.pk], "lead": m1.pk}
    for client in (pp_api, client_for(m1)):
        assert_error(client.post(url, body, format="json"), 403, "forbidden")
    assert_error(anon.post(url, body, format="json"), 401, "not_authenticated")
    conflicted = {"members": [committee.conflicted.pk, m2.pk], "lead": m2.pk}
    assert_error(sec_api.post(url, conflicted, format="json"), 409, "conflict_of_interest")
    for bad, field in (
        ({"members": [m1.pk, m2.pk], "lead": committee.members[3].pk}, "lead"),
        ({"members": [m1.pk, m2.pk], "lead": 10**7}, "lead"),
        ({"members": [m1.pk, 10**7], "lead": m1.pk}, "members"),
        ({"members": [m1.pk, m1.pk], "lead": m1.pk}, "members"),
        ({"members": [m1.pk, committee.experts[0].pk], "lead": m1.pk}, "members"),
        ({"members": m1.pk, "lead": m1.pk}, "members"),
        ({"members": [m1.pk, m2.pk]}, "lead"),
    ):
        assert_error(sec_api.post(url, bad, format="json"), 400, "invalid", field)
    for missing in (review.pk + 1, 10**30):
        assert_error(
            sec_api.post(f"/api/reviews/{missing}/team/", body, format="json"), 404, "not_found"
        )
    assert Review.objects.get().status == "requested"


# --- clarifications ------------------------------------------------------------------------------


def test_send_clarification(review, team):
    due_on = timezone.localdate() + dt.timedelta(days=5)
    r = client_for(team[0]).post(
        f"/api/reviews/{review.pk}/clarifications/",
        {"addressed_to": "both", "questions": "Explain the tariff.", "due_on": due_on.isoformat()},
        format="json",
    )
    assert r.status_code == 201, r.content
    clar = Clarification.objects.get()
    assert r.json() == {
        "id": clar.pk,
        "number": 1,
        "addressed_to": "both",
        "questions": "Explain the tariff.",
        "due_at": r.json()["due_at"],
        "sent_at": r.json()["sent_at"],
        "answer": "",
        "answered_at": None,
        "files": [],
    }
    assert iso(r.json()["due_at"]) == dt.datetime.combine(due_on, dt.time(17), tzinfo=dt.UTC)


def test_send_clarification_refusals(sec_api, pp_api, review, members, secretariat):
    url = f"/api/reviews/{review.pk}/clarifications/"
    due_on = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    body = {"addressed_to": "aie", "questions": "Q", "due_on": due_on}
    # Before the team is appointed nobody is on it.
    assert_error(client_for(members[3]).post(url, body, format="json"), 403, "forbidden")
    rwf.appoint_team(secretariat, review, members=members[3:5], lead=members[3])
    for client in (sec_api, pp_api, client_for(members[0])):
        assert_error(client.post(url, body, format="json"), 403, "forbidden")
    lead = client_for(members[3])
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    for bad, field in (
        ({**body, "addressed_to": "everyone"}, "addressed_to"),
        ({**body, "questions": " "}, "questions"),
        ({**body, "due_on": "tomorrow"}, "due_on"),
        ({**body, "due_on": yesterday}, "due_on"),
        ({**body, "due_on": "9999-12-31"}, "due_on"),
        ({"addressed_to": "aie", "questions": "Q"}, "due_on"),
    ):
        assert_error(lead.post(url, bad, format="json"), 400, "invalid", field)
    assert Clarification.objects.count() == 0


def test_send_clarification_after_the_decision_is_409(reported, team, secretariat):
    rwf.decide(secretariat, reported, decision="confirmed", reasons="Fine.")
    due_on = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    r = client_for(team[0]).post(
        f"/api/reviews/{reported.pk}/clarifications/",
        {"addressed_to": "aie", "questions": "Q", "due_on": due_on},
        format="json",
    )
    assert_error(r, 409, "wrong_status")


def test_answer_clarification_json_and_multipart(pp_api, aie_api, review, team):
    to_pp = clarify(review, team[0], "participants")
    r = pp_api.post(
        f"/api/clarifications/{to_pp.pk}/answer/", {"answer": "Tariff 2009."}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["answer"] == "Tariff 2009." and r.json()["answered_at"] is not None
    assert_error(
        pp_api.post(f"/api/clarifications/{to_pp.pk}/answer/", {"answer": "Again"}, format="json"),
        409,
        "already_answered",
    )
    to_aie = clarify(review, team[0], "aie")
    r = aie_api.post(
        f"/api/clarifications/{to_aie.pk}/answer/",
        {
            "answer": "See the annexes.",
            "files": [pdf_upload("annex-a.pdf"), pdf_upload("annex-b.pdf", "b")],
            "titles": ["Annex A"],
        },
        format="multipart",
    )
    assert r.status_code == 200, r.content
    assert [f["title"] for f in r.json()["files"]] == ["Annex A", "annex-b.pdf"]
    assert ClarificationFile.objects.filter(clarification=to_aie).count() == 2


def test_answer_clarification_refusals(anon, pp_api, aie_api, party_api, sec_api, review, team):
    to_aie = clarify(review, team[0], "aie")
    url = f"/api/clarifications/{to_aie.pk}/answer/"
    body = {"answer": "Here."}
    # Not addressed to them: it does not exist for them.
    other_aie = UserFactory(
        username="aie_x", role=User.Role.AIE, organisation=OrganisationFactory(kind="aie")
    )
    for client in (pp_api, party_api, client_for(other_aie)):
        assert_error(client.post(url, body, format="json"), 404, "not_found")
    assert_error(anon.post(url, body, format="json"), 401, "not_authenticated")
    # The secretariat and JISC see it but do not answer it.
    for client in (sec_api, client_for(team[0])):
        assert_error(client.post(url, body, format="json"), 403, "forbidden")
    for bad, field in (
        ({"answer": " "}, "answer"),
        ({}, "answer"),
        ({"answer": "x", "files": "x"}, "files"),
        ({"answer": "x", "titles": ["a", "b"]}, "titles"),
    ):
        assert_error(aie_api.post(url, bad, format="json"), 400, "invalid", field)
    r = aie_api.post(
        url,
        {"answer": "x", "files": [SimpleUploadedFile("x.txt", b"hello")]},
        format="multipart",
    )
    assert_error(r, 400, "not_a_pdf", "files")
    assert_error(
        aie_api.post("/api/clarifications/999999/answer/", body, format="json"), 404, "not_found"
    )
    assert Clarification.objects.get().answered_at is None


# --- the report and the decision -----------------------------------------------------------------


def test_file_report(review, team, anon):
    lead = client_for(team[0])
    r = lead.post(
        f"/api/reviews/{review.pk}/report/",
        {"recommendation": "rejected", "report": SECRET_REPORT},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "reported"
    assert r.json()["report"]["recommendation"] == "rejected"
    assert r.json()["decision"] is None
    r = lead.post(
        f"/api/reviews/{review.pk}/report/",
        {"recommendation": "rejected", "report": "Again"},
        format="json",
    )
    assert_error(r, 409, "wrong_status")
    assert SECRET_REPORT not in review_of(anon, review.project).content.decode()


def test_file_report_refusals(sec_api, pp_api, review, team, members):
    url = f"/api/reviews/{review.pk}/report/"
    body = {"recommendation": "confirmed", "report": "R"}
    for client in (sec_api, pp_api, client_for(members[0])):
        assert_error(client.post(url, body, format="json"), 403, "forbidden")
    lead = client_for(team[0])
    for bad, field in (
        ({"recommendation": "maybe", "report": "R"}, "recommendation"),
        ({"recommendation": "confirmed", "report": " "}, "report"),
        ({"report": "R"}, "recommendation"),
    ):
        assert_error(lead.post(url, bad, format="json"), 400, "invalid", field)


def test_decide_at_a_meeting(sec_api, anon, reported):
    today = timezone.localdate()
    Meeting.objects.create(number=40, starts_on=today, ends_on=today, place="Bonn")
    r = sec_api.post(
        f"/api/reviews/{reported.pk}/decision/",
        {"decision": "confirmed", "reasons": "Additionality shown.", "meeting": 40},
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["decision"], body["meeting"]) == ("decided", "confirmed", 40)
    assert Project.objects.get(pk=reported.project_id).status == "final"
    public = review_of(anon, reported.project).json()
    assert public["meeting"] == 40 and public["decision_reasons"] == "Additionality shown."
    r = sec_api.post(
        f"/api/reviews/{reported.pk}/decision/",
        {"decision": "rejected", "reasons": "Again."},
        format="json",
    )
    assert_error(r, 409, "wrong_status")


def test_decide_refusals(sec_api, pp_api, aie_api, review, team, members, secretariat):
    url = f"/api/reviews/{review.pk}/decision/"
    body = {"decision": "confirmed", "reasons": "Fine.", "meeting": None}
    assert_error(sec_api.post(url, body, format="json"), 409, "wrong_status")
    rwf.file_report(team[0], review, recommendation="confirmed", report="R")
    for client in (pp_api, aie_api, client_for(team[0]), client_for(members[0])):
        assert_error(client.post(url, body, format="json"), 403, "forbidden")
    today = timezone.localdate()
    Meeting.objects.create(
        number=41, starts_on=today + dt.timedelta(days=3), ends_on=today + dt.timedelta(days=4)
    )
    for bad, field in (
        ({**body, "decision": "maybe"}, "decision"),
        ({**body, "reasons": ""}, "reasons"),
        ({**body, "meeting": 99}, "meeting"),
        ({**body, "meeting": 41}, "meeting"),
        ({**body, "meeting": "JISC 40"}, "meeting"),
        ({**body, "meeting": 10**20}, "meeting"),
    ):
        assert_error(sec_api.post(url, bad, format="json"), 400, "invalid", field)
    assert Review.objects.get().status == "reported"


def test_decide_at_a_meeting_before_the_request_is_refused(sec_api, reported):
    Meeting.objects.create(
        number=1, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 1, 2), place="Bonn"
    )
    r = sec_api.post(
        f"/api/reviews/{reported.pk}/decision/",
        {"decision": "confirmed", "reasons": "Fine.", "meeting": 1},
        format="json",
    )
    assert_error(r, 400, "invalid", "meeting")


def test_corrections_submitted_then_confirmed(
    sec_api, aie_api, pp_api, anon, reported, secretariat
):
    rwf.decide(secretariat, reported, decision="corrections_required", reasons="Fix table 3.")
    url = f"/api/reviews/{reported.pk}/corrections/"
    assert_error(sec_api.post(f"{url}confirm/"), 409, "no_corrections")
    assert_error(
        pp_api.post(url, {"file": pdf_upload("fixed.pdf")}, format="multipart"), 403, "forbidden"
    )
    assert_error(aie_api.post(url, {}, format="multipart"), 400, "invalid", "file")
    r = aie_api.post(url, {"file": pdf_upload("fixed.pdf"), "note": "Table 3."}, format="multipart")
    assert r.status_code == 201, r.content
    doc = Document.objects.get(pk=r.json()["id"])
    assert doc.kind == "determination_report" and doc.published_at is None
    assert_error(aie_api.post(f"{url}confirm/"), 403, "forbidden")
    r = sec_api.post(f"{url}confirm/")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "decided"
    assert r.json()["corrections_confirmed_at"] is not None
    assert Project.objects.get(pk=reported.project_id).status == "final"
    body = detail(anon, reported.project)["review"]
    assert (body["status"], body["decision"]) == ("decided", "corrections_required")


def test_corrections_refused_when_none_are_required(aie_api, reported):
    r = aie_api.post(
        f"/api/reviews/{reported.pk}/corrections/",
        {"file": pdf_upload("fixed.pdf")},
        format="multipart",
    )
    assert_error(r, 409, "wrong_status")


# --- meetings ------------------------------------------------------------------------------------


def test_meetings_list_is_public(anon):
    Meeting.objects.create(
        number=2, starts_on=dt.date(2026, 5, 4), ends_on=dt.date(2026, 5, 5), electronic=True
    )
    Meeting.objects.create(
        number=1, starts_on=dt.date(2026, 2, 1), ends_on=dt.date(2026, 2, 2), place="Bonn"
    )
    r = anon.get("/api/meetings/")
    assert r.status_code == 200
    assert r.json() == [
        {
            "number": 1,
            "starts_on": "2026-02-01",
            "ends_on": "2026-02-02",
            "place": "Bonn",
            "electronic": False,
            "where": "Bonn",
            "minutes": None,  # until published after the meeting (reviews.minutes)
        },
        {
            "number": 2,
            "starts_on": "2026-05-04",
            "ends_on": "2026-05-05",
            "place": "",
            "electronic": True,
            "where": "Electronic meeting",
            "minutes": None,
        },
    ]


def test_save_meetings_recomputes_the_review_due_date(sec_api, anon, review):
    today = timezone.localdate()
    first = {
        "number": 50,
        "starts_on": (today + dt.timedelta(days=10)).isoformat(),
        "ends_on": (today + dt.timedelta(days=11)).isoformat(),
        "place": "Bonn",
    }
    r = sec_api.post("/api/meetings/", first, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["where"] == "Bonn"
    second = {
        "number": 51,
        "starts_on": (today + dt.timedelta(days=40)).isoformat(),
        "ends_on": (today + dt.timedelta(days=41)).isoformat(),
        "electronic": True,
    }
    assert sec_api.post("/api/meetings/", second, format="json").status_code == 201
    due = iso(detail(anon, review.project)["review"]["due_at"])
    assert due == deadlines.meeting_end(today + dt.timedelta(days=41))
    # Moving the second meeting (only its dates) moves the due date.
    r = sec_api.post(
        "/api/meetings/51/",
        {"ends_on": (today + dt.timedelta(days=45)).isoformat()},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["electronic"] is True and r.json()["number"] == 51
    due = iso(detail(anon, review.project)["review"]["due_at"])
    assert due == deadlines.meeting_end(today + dt.timedelta(days=45))


def test_meeting_refusals(sec_api, pp_api, anon, members):
    body = {"number": 3, "starts_on": "2026-03-01", "ends_on": "2026-03-02", "place": "Bonn"}
    for client in (pp_api, client_for(members[0])):
        assert_error(client.post("/api/meetings/", body, format="json"), 403, "forbidden")
        assert_error(client.post("/api/meetings/3/", body, format="json"), 403, "forbidden")
    assert_error(anon.post("/api/meetings/", body, format="json"), 401, "not_authenticated")
    assert sec_api.post("/api/meetings/", body, format="json").status_code == 201
    assert_error(sec_api.post("/api/meetings/", body, format="json"), 409, "duplicate")
    for bad, field in (
        ({**body, "number": 4, "ends_on": "2026-02-28"}, "ends_on"),
        ({**body, "number": 4, "place": ""}, "place"),
        ({**body, "number": 0}, "number"),
        ({**body, "number": 4, "starts_on": "0001-01-01"}, "starts_on"),
        ({**body, "number": 4, "ends_on": "9999-12-31"}, "ends_on"),
        ({"number": 4}, "starts_on"),
    ):
        assert_error(sec_api.post("/api/meetings/", bad, format="json"), 400, "invalid", field)
    assert_error(
        sec_api.post("/api/meetings/3/", {"ends_on": "2026-02-01"}, format="json"),
        400,
        "invalid",
        "ends_on",
    )
    assert_error(sec_api.post("/api/meetings/99/", body, format="json"), 404, "not_found")
    assert list(Meeting.objects.values_list("number", flat=True)) == [3]


def test_save_meeting_at_the_end_of_the_calendar_does_not_crash(review, secretariat):
    today = timezone.localdate()
    rwf.save_meeting(
        secretariat,
        number=60,
        starts_on=today + dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=6),
        place="Bonn",
    )
    with pytest.raises(Invalid) as err:
        rwf.save_meeting(
            secretariat,
            number=61,
            starts_on=today + dt.timedelta(days=10),
            ends_on=dt.date(9999, 12, 31),
            place="Bonn",
        )
    assert err.value.field == "ends_on"


# --- confidentiality -----------------------------------------------------------------------------


def test_appraisals_and_working_papers_never_reach_outsiders(
    anon, pp_api, aie_api, party_api, project, appraisal, members, experts, secretariat, party_user
):
    """As the project's participant, its AIE, a DFP, an expert not appointed and the public,
    the project and its review never show appraisal comments or opinion, or the team's report
    (before the decision and, here, after it)."""
    for user in (members[0], experts[0]):
        client = client_for(user)
        client.post(f"/api/appraisals/{appraisal.pk}/declare/")
        r = client.post(
            f"/api/appraisals/{appraisal.pk}/file/",
            {"criteria": SECRET_FORM, "opinion": SECRET_OPINION, "comments": SECRET_COMMENTS},
            format="json",
        )
        assert r.status_code == 200, r.content
    ask(party_user, project)
    review = Review.objects.get()
    rwf.appoint_team(secretariat, review, members=members[2:4], lead=members[2])
    clarify(review, members[2], "aie", "Q-AIE")
    rwf.file_report(members[2], review, recommendation="rejected", report=SECRET_REPORT)
    outsiders = [anon, pp_api, aie_api, party_api, client_for(experts[2])]
    secrets = [SECRET_COMMENTS, SECRET_REPORT, SECRET_OPINION, "SECRET-APPRAISAL"]

    def check():
        for client in outsiders:
            for url in (
                f"/api/projects/{project.reference}/",
                f"/api/projects/{project.reference}/review/",
            ):
                r = client.get(url)
                assert r.status_code == 200, (url, r.content)
                text = r.content.decode()
                for secret in secrets:
                    assert secret not in text, (url, secret)
            for url in (
                f"/api/appraisals/{appraisal.pk}/",
                f"/api/projects/{project.reference}/appraisal/",
            ):
                assert client.get(url).status_code in (401, 404)

    check()
    # Staff do see them (the texts are really there to leak).
    text = client_for(secretariat).get(f"/api/appraisals/{appraisal.pk}/").content.decode()
    assert SECRET_COMMENTS in text
    text = client_for(members[4]).get(f"/api/projects/{project.reference}/review/").content
    assert SECRET_REPORT in text.decode()
    rwf.decide(secretariat, review, decision="rejected", reasons="Public reasons.")
    check()
    assert detail(anon, project)["review"]["decision_reasons"] == "Public reasons."


# --- schema and garbage --------------------------------------------------------------------------

ACTIONS = [
    "/api/projects/{key}/appraisal/",
    "/api/appraisals/{id}/declare/",
    "/api/appraisals/{id}/file/",
    "/api/projects/{key}/review-requests/",
    "/api/reviews/{id}/team/",
    "/api/reviews/{id}/clarifications/",
    "/api/clarifications/{id}/answer/",
    "/api/reviews/{id}/report/",
    "/api/reviews/{id}/decision/",
    "/api/reviews/{id}/corrections/",
    "/api/reviews/{id}/corrections/confirm/",
    "/api/meetings/",
    "/api/meetings/{number}/",
    "/api/meetings/{number}/minutes/",
    "/api/meetings/{number}/minutes/publish/",
]
READS = [
    "/api/projects/{key}/appraisal/proposal/",
    "/api/projects/{key}/appraisal/",
    "/api/appraisals/{id}/",
    "/api/projects/{key}/review/",
    "/api/meetings/",
]


def test_schema_lists_the_review_paths(anon):
    schema = openapi_schema(anon)
    for path in ACTIONS:
        operation = schema["paths"][path]["post"]
        assert {"400", "401", "403", "404", "409"} <= set(operation["responses"]), path
    for path in READS:
        assert "get" in schema["paths"][path], path
    assert "requestBody" in schema["paths"]["/api/projects/{key}/review-requests/"]["post"]
    review = schema["components"]["schemas"]["ProjectDetail"]["properties"]["review"]
    assert review["allOf"] == [{"$ref": "#/components/schemas/ReviewSummary"}]
    assert review["nullable"] is True
    summary = schema["components"]["schemas"]["ReviewSummary"]["properties"]
    assert set(summary) == REVIEW_KEYS


OUR_COMPONENTS = {
    "Appraisal",
    "AppraisalForm",
    "Seat",
    "Proposal",
    "UserRef",
    "RequestForReview",
    "ReviewSummary",
    "Review",
    "TeamMember",
    "TeamReport",
    "Clarification",
    "ClarificationFile",
    "Meeting",
    "AppointAppraisersRequest",
    "FileAppraisalRequest",
    "CriteriaRequest",
    "CriterionRequest",
    "ReviewRequestInputRequest",
    "TeamInputRequest",
    "ClarificationInputRequest",
    "AnswerInputRequest",
    "ReportInputRequest",
    "DecisionInputRequest",
    "CorrectionsInputRequest",
    "MeetingInputRequest",
    "MeetingItem",
    "Minutes",
    "MinutesInputRequest",
    "MinutesItemInputRequest",
}


def test_schema_generation_adds_no_warnings():
    """The fees' known warnings aside: none from the reviews' views, no enum named by a hash
    in our components, no choice set under two names, no operationId collision."""

    GENERATOR_STATS.reset()
    GENERATOR_STATS.enable_trace_lineno()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert not [m for m in messages if "reviews/" in m or "Review" in m]
    assert not [m for m in messages if "multiple names for the same choice set" in m]
    assert not [m for m in messages if "operationId" in m]
    components = schema["components"]["schemas"]
    assert OUR_COMPONENTS <= set(components)
    text = yaml.safe_dump({n: components[n] for n in OUR_COMPONENTS})
    assert not re.findall(r"[A-Z][a-z]+[0-9a-f]{3}Enum", text)


GARBAGE = [
    {},
    [1, 2],
    "text",
    None,
    {"members": {"a": 1}, "experts": None, "lead": [1], "criteria": [], "opinion": 5},
    {"members": [10**40], "experts": ["1"], "lead": 10**40, "criteria": {"approval": 5}},
    {"reasons": [1], "summary": None, "addressed_to": 1, "questions": {}, "due_on": 10**40},
    {"reasons": {"approval": {"x": 1}}, "due_on": "0000-00-00", "answer": None, "files": 3},
    {"recommendation": [], "report": None, "decision": {}, "reasons": 1, "meeting": "x"},
    {"meeting": -5, "number": 10**40, "starts_on": "9999-99-99", "ends_on": None, "place": []},
    {"file": "%PDF-1.4", "note": {"a": 1}, "titles": "x", "electronic": "maybe"},
]


@pytest.mark.parametrize("template", ACTIONS)
def test_garbage_never_causes_a_server_error(
    template,
    anon,
    project,
    appraisal,
    members,
    experts,
    secretariat,
    participant,
    aie_user,
    party_user,
):
    for m in members[:3]:
        ask(m, project)
    review = Review.objects.get()
    rwf.appoint_team(secretariat, review, members=members[3:5], lead=members[3])
    clar = clarify(review, members[3], "both")
    Meeting.objects.create(number=7, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 2))
    users = [secretariat, participant, aie_user, party_user, members[0], members[3], experts[0]]
    clients = [client_for(u) for u in users] + [anon]
    huge = "99999999999999999999"
    ids = {
        "{key}": [project.reference, "P" + huge, "0099"],
        "{id}": [
            str(
                appraisal.pk
                if "appraisal" in template
                else review.pk
                if "reviews" in template
                else clar.pk
            ),
            huge,
        ],
        "{number}": ["7", huge],
    }
    urls = [template]
    for marker, values in ids.items():
        if marker in template:
            urls = [template.replace(marker, v) for v in values]
    for url in urls:
        for client in clients:
            for body in GARBAGE:
                r = client.post(url, body, format="json")
                assert r.status_code in (200, 201, 400, 401, 403, 404, 409, 415), (url, body, r)
                assert r.status_code < 300 or set(r.json()) >= {"code", "detail"}
                if isinstance(body, dict) and body:
                    r = client.post(url, {k: str(v) for k, v in body.items()})
                    assert r.status_code < 500, (url, body)
