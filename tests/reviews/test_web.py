"""Browser pages for appraisals, review requests, reviews and JISC meetings: what each role sees
and may do, the confidentiality of appraisal forms and working papers (ji-rules §6), refusals
with their HTTP status, and the query budget of every page."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import workflow as wf
from projects.models import Document, Project, User
from reviews import workflow as rwf
from reviews.models import Appraisal, Appraiser, Clarification, Meeting, Review, ReviewRequest
from tests.factories import PartyFactory, UserFactory, pdf_upload
from tests.support import CRITERIA_FORM, REASONS, html, login, queries_for, viewer

pytestmark = pytest.mark.django_db

SECRET_APPRAISAL = "Appraiser-only remark: additionality rests on one bank letter."
SECRET_REPORT = "Team working paper: the tariff analysis holds up."
SECRET_QUESTION = "Explain the 2009 tariff assumption in the investment analysis."
PUBLIC_REASONS = "The JISC found the additionality demonstrated."
OUTSIDERS = [None, "participant", "aie_user", "party_user"]


# --- helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def project(cycle, japan):
    """A published determination of a Ukrainian project with Japan involved (so ``mjp`` has a
    conflict of interest)."""
    return cycle.determination_published(parties_involved=[japan])


def start_review(project, committee, n: int = 3) -> Review | None:
    """``n`` members request a review (those who already did are skipped)."""
    done = set(ReviewRequest.objects.filter(project=project).values_list("requested_by", flat=True))
    for member in [m for m in committee.members if m.pk not in done][: n - len(done)]:
        rwf.request_review(member, project, reasons=REASONS, summary="Additionality doubtful.")
    return Review.objects.filter(project=project).first()


def appoint(project, secretariat) -> Appraisal:
    return rwf.appoint_appraisers(secretariat, project, **rwf.propose_appraisers(project))


def with_team(review, committee, secretariat) -> Review:
    m4, m5 = committee.members[3:5]
    return rwf.appoint_team(secretariat, review, members=[m4, m5], lead=m4)


def reported(project, committee, secretariat) -> Review:
    review = with_team(start_review(project, committee), committee, secretariat)
    return rwf.file_report(
        committee.members[3], review, recommendation="confirmed", report=SECRET_REPORT
    )


def file_form(**overrides) -> dict:
    data = {"opinion": "meets", "comments": SECRET_APPRAISAL}
    for key, item in CRITERIA_FORM.items():
        data[f"{key}_met"] = "yes"
        data[key] = item["comment"]
    data.update(overrides)
    return data


# --- the project page ------------------------------------------------------------------------------


def test_project_page_offers_the_review_request_to_dfp_and_serving_members(
    client, project, committee, participant, party_user, jisc_user
):
    url = f"/projects/{project.key}/"
    button = f'href="/projects/{project.key}/review/request/"'
    for user in (party_user, committee.members[0], committee.conflicted):
        login(client, user)
        assert button in html(client.get(url)), user
    for user in (None, participant, jisc_user):  # jisc_user holds no JISC term
        login(client, user)
        assert button not in html(client.get(url)), user


def test_project_page_hides_the_request_button_once_requested(
    client, project, committee, party_user
):
    rwf.request_review(party_user, project, reasons=REASONS, summary="Doubtful.")
    login(client, party_user)
    assert "/review/request/" not in html(client.get(f"/projects/{project.key}/"))


def test_project_page_secretariat_appoints_appraisers_once(client, project, committee, secretariat):
    login(client, secretariat)
    url = f"/projects/{project.key}/"
    assert f'href="/projects/{project.key}/appraisal/appoint/"' in html(client.get(url))
    appraisal = appoint(project, secretariat)
    page = html(client.get(url))
    assert "/appraisal/appoint/" not in page
    assert f'href="/reviews/appraisals/{appraisal.pk}/"' in page


def test_project_page_shows_a_party_request_and_the_running_review(
    client, project, committee, party_user
):
    rwf.request_review(party_user, project, reasons=REASONS, summary="Doubtful.")
    review = Review.objects.get()
    page = html(client.get(f"/projects/{project.key}/"))
    assert "Review requested by <strong>Ukraine</strong>." in page
    assert "Requested; team to be appointed" in page
    assert review.due_at.strftime("%-d %b %Y %H:%M GMT") in page
    assert f'href="/reviews/{review.pk}/"' in page
    request_obj = ReviewRequest.objects.get()
    assert f'href="/reviews/requests/{request_obj.pk}/pdf/"' in page


def test_project_page_counts_member_requests_before_the_quorum(client, project, committee):
    assert start_review(project, committee, n=2) is None
    page = html(client.get(f"/projects/{project.key}/"))
    # named, as on their F-JI-DR (ji-rules §7 "Review requests")
    assert "Review requested by JISC members <strong>M1</strong>, <strong>M2</strong>." in page
    assert "2 of 3 members so far" in page


@pytest.mark.parametrize("name", [None, "participant", "aie_user", "party_user", "secretariat"])
def test_project_page_shows_the_decision_with_its_reasons(
    client, request, project, committee, secretariat, name
):
    review = reported(project, committee, secretariat)
    meeting = Meeting.objects.create(
        number=41, starts_on=dt.date.today(), ends_on=dt.date.today(), place="Bonn"
    )
    rwf.decide(secretariat, review, decision="confirmed", reasons=PUBLIC_REASONS, meeting=meeting)
    login(client, viewer(request, name))
    page = html(client.get(f"/projects/{project.key}/"))
    assert "<strong>Determination confirmed</strong>" in page
    assert PUBLIC_REASONS in page
    assert "JISC 41" in page
    assert "Determination final" in page


@pytest.mark.parametrize(
    "name", [None, "participant", "aie_user", "party_user", "secretariat", "jisc_member"]
)
def test_project_page_query_budget_with_reviews(
    client, request, cycle, japan, committee, secretariat, party_user, name
):
    user = committee.members[4] if name == "jisc_member" else viewer(request, name)
    login(client, user)
    one = cycle.determination_published(title="One request", parties_involved=[japan])
    rwf.request_review(committee.members[0], one, reasons=REASONS, summary="Doubtful.")
    several = cycle.determination_published(title="Several", parties_involved=[japan])
    review = start_review(several, committee, n=4)
    rwf.request_review(party_user, several, reasons=REASONS, summary="Doubtful.")
    appoint(several, secretariat)
    with_team(review, committee, secretariat)
    few = queries_for(client, f"/projects/{one.key}/")
    many = queries_for(client, f"/projects/{several.key}/")
    assert few == many
    assert many <= 10


# --- F-JI-DR ---------------------------------------------------------------------------------------


def test_request_form_shows_the_window_and_starts_the_review(client, project, party_user):
    login(client, party_user)
    url = f"/projects/{project.key}/review/request/"
    page = html(client.get(url))
    assert project.review_window_closes_at.strftime("%-d %b %Y %H:%M GMT") in page
    assert "(b) Reductions additional to any that would otherwise occur" in page
    response = client.post(url, {"additionality": REASONS["additionality"], "summary": "Doubt."})
    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.pk}/"
    req = ReviewRequest.objects.get()
    assert req.party.code == "UA"
    assert req.reasons["additionality"] == REASONS["additionality"]
    assert req.reasons["approval"] == ""
    page = html(client.get(response["Location"]))
    assert "The review has started." in page


def test_request_form_member_request_below_quorum_goes_back_to_the_project(
    client, project, committee
):
    login(client, committee.members[0])
    response = client.post(
        f"/projects/{project.key}/review/request/", {"approval": "No letter.", "summary": "S."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.key}/"
    assert ReviewRequest.objects.count() == 1
    assert not Review.objects.exists()


def test_request_form_needs_one_criterion_and_a_summary(client, project, party_user):
    login(client, party_user)
    url = f"/projects/{project.key}/review/request/"
    response = client.post(url, {"summary": "Doubt."})
    assert response.status_code == 400
    assert "Give the reasons against at least one para 33 criterion." in html(response)
    response = client.post(url, {"approval": "No letter."})
    assert response.status_code == 400
    assert "This field is required." in html(response)
    assert not ReviewRequest.objects.exists()


def test_request_form_refuses_a_second_request_with_409(client, project, party_user):
    login(client, party_user)
    url = f"/projects/{project.key}/review/request/"
    client.post(url, {"approval": "No letter.", "summary": "S."})
    response = client.post(url, {"approval": "Again.", "summary": "S."})
    assert response.status_code == 409
    assert "You have already requested a review." in html(response)
    assert ReviewRequest.objects.count() == 1


def test_request_form_refuses_after_the_window_with_409(client, project, party_user):
    closes = project.review_window_closes_at
    with time_machine.travel(closes + dt.timedelta(minutes=1), tick=False):
        login(client, party_user)
        url = f"/projects/{project.key}/review/request/"
        page = html(client.get(url))
        assert "Send the request" not in page
        response = client.post(url, {"approval": "Late.", "summary": "S."})
    assert response.status_code == 409
    assert "The 45-day window closed at " + closes.strftime("%-d %b %Y %H:%M GMT") in html(response)
    assert not ReviewRequest.objects.exists()


def test_request_form_refuses_other_roles_with_403(
    client, project, participant, aie_user, jisc_user, secretariat
):
    other_dfp = UserFactory(role=User.Role.PARTY, party=PartyFactory(code="NZ", name="Zealand"))
    url = f"/projects/{project.key}/review/request/"
    for user in (participant, aie_user, jisc_user, secretariat, other_dfp):
        login(client, user)
        assert client.get(url).status_code == 403, user
        assert client.post(url, {"approval": "x", "summary": "y"}).status_code == 403, user
    login(client, None)
    assert client.get(url).status_code == 302
    assert not ReviewRequest.objects.exists()


# --- appointing appraisers -------------------------------------------------------------------------


def test_appoint_page_preselects_the_proposal_and_shows_conflicts(
    client, project, committee, secretariat
):
    login(client, secretariat)
    url = f"/projects/{project.key}/appraisal/appoint/"
    page = html(client.get(url))
    proposal = rwf.propose_appraisers(project)
    for user in [*proposal["members"], *proposal["experts"]]:
        assert f'value="{user.pk}"' in page
    assert page.count("checked") == 4
    assert "conflict of interest: is a national of a Party involved in the project" in page
    assert f'value="{committee.conflicted.pk}" id' in page
    assert "disabled" in page
    assert "0 open seats" in page
    response = client.post(
        url,
        {
            "members": [u.pk for u in proposal["members"]],
            "experts": [u.pk for u in proposal["experts"]],
        },
    )
    appraisal = Appraisal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/appraisals/{appraisal.pk}/"
    assert appraisal.appraisers.count() == 4


def test_appoint_page_shows_each_candidates_workload(
    client, cycle, japan, project, committee, secretariat
):
    other = cycle.determination_published(title="Busy", parties_involved=[japan])
    appoint(other, secretariat)  # m1, m2, e1, e2 now have an open seat each
    login(client, secretariat)
    page = html(client.get(f"/projects/{project.key}/appraisal/appoint/"))
    assert "1 open seat<" in page
    assert page.count("1 open seat<") == 4


def test_appoint_refuses_a_conflicted_member_with_409(client, project, committee, secretariat):
    login(client, secretariat)
    m1 = committee.members[0]
    e1, e2 = committee.experts[:2]
    response = client.post(
        f"/projects/{project.key}/appraisal/appoint/",
        {"members": [m1.pk, committee.conflicted.pk], "experts": [e1.pk, e2.pk]},
    )
    assert response.status_code == 409
    assert "(conflict of interest)" in html(response)
    assert not Appraisal.objects.exists()


def test_appoint_needs_two_members_and_two_experts(client, project, committee, secretariat):
    login(client, secretariat)
    url = f"/projects/{project.key}/appraisal/appoint/"
    e1, e2 = committee.experts[:2]
    response = client.post(url, {"members": [committee.members[0].pk], "experts": [e1.pk, e2.pk]})
    assert response.status_code == 400
    assert "Appoint two different JISC members." in html(response)
    response = client.post(url, {"members": ["x", "99999999"], "experts": [e1.pk]})
    assert response.status_code == 400
    assert not Appraisal.objects.exists()


def test_appoint_twice_is_409_and_others_get_403(client, project, committee, secretariat):
    appoint(project, secretariat)
    url = f"/projects/{project.key}/appraisal/appoint/"
    login(client, secretariat)
    page = html(client.get(url))
    assert "Appraisers are already appointed" in page
    m1, m2 = committee.members[2:4]
    e1, e2 = committee.experts[1:3]
    response = client.post(url, {"members": [m1.pk, m2.pk], "experts": [e1.pk, e2.pk]})
    assert response.status_code == 409
    assert Appraisal.objects.count() == 1
    login(client, committee.members[0])
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_appoint_page_query_budget(client, project, committee, secretariat):
    login(client, secretariat)
    assert queries_for(client, f"/projects/{project.key}/appraisal/appoint/") <= 10


# --- the appraisal page ----------------------------------------------------------------------------


def test_appraisal_page_is_404_for_everyone_but_staff_and_appointees(
    client, request, project, committee, secretariat
):
    appraisal = appoint(project, secretariat)
    url = f"/reviews/appraisals/{appraisal.pk}/"
    seats = {s.user_id for s in appraisal.appraisers.all()}
    outsider_expert = next(e for e in committee.experts if e.pk not in seats)
    for user in (secretariat, committee.members[4], *appraisal.appraisers.values_list("user")):
        user = user if isinstance(user, User) else User.objects.get(pk=user[0])
        login(client, user)
        assert client.get(url).status_code == 200, user
    for name in ("participant", "aie_user", "party_user"):
        login(client, viewer(request, name))
        assert client.get(url).status_code == 404, name
    login(client, outsider_expert)
    assert client.get(url).status_code == 404
    login(client, None)
    assert client.get(url)["Location"].startswith("/login/")
    login(client, secretariat)
    assert client.get("/reviews/appraisals/999999/").status_code == 404


def test_appraiser_declares_then_files_and_members_read_it(client, project, committee, secretariat):
    appraisal = appoint(project, secretariat)
    seat = appraisal.appraisers.filter(kind="member").first()
    login(client, seat.user)
    url = f"/reviews/appraisals/{appraisal.pk}/"
    page = html(client.get(url))
    assert "I declare that I have no conflict of interest" in page
    assert 'name="approval_met"' not in page
    response = client.post(f"{url}file/", file_form())
    assert response.status_code == 409
    assert "Declare that you have no conflict of interest first." in html(response)
    response = client.post(f"{url}declare/")
    assert response.status_code == 302
    page = html(client.get(url))
    assert 'name="approval_met"' in page
    response = client.post(f"{url}file/", file_form())
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.opinion == "meets"
    assert seat.criteria["approval"] == {"met": True, "comment": "Letters of approval checked."}
    for reader in (secretariat, committee.members[4]):
        login(client, reader)
        page = html(client.get(url))
        assert SECRET_APPRAISAL in page
        assert "Meets the JI criteria" in page
        assert f'href="/reviews/appraisals/forms/{seat.pk}/pdf/"' in page


def test_experts_read_only_their_own_form(client, project, committee, secretariat):
    appraisal = appoint(project, secretariat)
    member = appraisal.appraisers.filter(kind="member").first()
    expert, other_expert = appraisal.appraisers.filter(kind="expert")
    rwf.declare_no_conflict(member.user, appraisal)
    rwf.file_appraisal(
        member.user, appraisal, criteria=CRITERIA_FORM, opinion="meets", comments=SECRET_APPRAISAL
    )
    rwf.declare_no_conflict(expert.user, appraisal)
    rwf.file_appraisal(
        expert.user, appraisal, criteria=CRITERIA_FORM, opinion="meets", comments="Expert view."
    )
    login(client, expert.user)
    page = html(client.get(f"/reviews/appraisals/{appraisal.pk}/"))
    assert "Expert view." in page
    assert SECRET_APPRAISAL not in page
    login(client, other_expert.user)
    page = html(client.get(f"/reviews/appraisals/{appraisal.pk}/"))
    assert "Expert view." not in page
    assert SECRET_APPRAISAL not in page
    assert "You see your own form only" in page
    assert client.get(f"/reviews/appraisals/forms/{member.pk}/pdf/").status_code == 404


def test_appraisal_form_errors_come_back_with_400(client, project, committee, secretariat):
    appraisal = appoint(project, secretariat)
    seat = appraisal.appraisers.filter(kind="expert").first()
    rwf.declare_no_conflict(seat.user, appraisal)
    login(client, seat.user)
    url = f"/reviews/appraisals/{appraisal.pk}/file/"
    response = client.post(url, file_form(additionality="", opinion="maybe"))
    assert response.status_code == 400
    page = html(response)
    assert "This field is required." in page
    assert "Select a valid choice." in page
    seat.refresh_from_db()
    assert seat.filed_at is None
    assert client.post(url, file_form()).status_code == 302
    response = client.post(url, file_form())
    assert response.status_code == 409
    assert "Your F-JI-ExInpDA is already filed." in html(response)
    assert "You filed it on" in html(response)


def test_appraisal_actions_refuse_other_viewers_with_403(client, project, committee, secretariat):
    appraisal = appoint(project, secretariat)
    url = f"/reviews/appraisals/{appraisal.pk}/"
    for user in (secretariat, committee.members[4]):
        login(client, user)
        assert client.post(f"{url}declare/").status_code == 403
        assert client.post(f"{url}file/", file_form()).status_code == 403
    assert not Appraiser.objects.filter(no_conflict_declared_at__isnull=False).exists()


@pytest.mark.parametrize("name", ["secretariat", "member", "expert"])
def test_appraisal_page_query_budget(client, project, committee, secretariat, name):
    appraisal = appoint(project, secretariat)
    seats = list(appraisal.appraisers.all())
    user = {
        "secretariat": secretariat,
        "member": committee.members[4],
        "expert": seats[-1].user,
    }[name]
    login(client, user)
    url = f"/reviews/appraisals/{appraisal.pk}/"
    rwf.declare_no_conflict(seats[0].user, appraisal)
    rwf.file_appraisal(seats[0].user, appraisal, criteria=CRITERIA_FORM, opinion="meets")
    one = queries_for(client, url)
    for seat in seats[1:]:
        rwf.declare_no_conflict(seat.user, appraisal)
        rwf.file_appraisal(seat.user, appraisal, criteria=CRITERIA_FORM, opinion="meets")
    assert queries_for(client, url) == one
    assert one <= 10


# --- the review page -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OUTSIDERS)
def test_review_page_public_part(client, request, project, committee, secretariat, name):
    review = reported(project, committee, secretariat)
    login(client, viewer(request, name))
    page = html(client.get(f"/reviews/{review.pk}/"))
    assert "Team reported; awaiting the JISC decision" in page
    assert review.due_at.strftime("%-d %b %Y %H:%M GMT") in page
    assert "<strong>3 JISC members</strong>" in page
    assert REASONS["additionality"] not in page
    assert "Review team" not in page
    assert SECRET_REPORT not in page
    assert "Record the decision" not in page


def test_review_page_staff_part(client, project, committee, secretariat):
    review = reported(project, committee, secretariat)
    for user in (secretariat, committee.members[0]):
        login(client, user)
        page = html(client.get(f"/reviews/{review.pk}/"))
        assert REASONS["additionality"] in page
        assert "Additionality doubtful." in page
        assert "M4" in page or committee.members[3].username in page
        assert SECRET_REPORT in page
        assert "Confidential until the decision" in page
    login(client, secretariat)
    assert f'action="/reviews/{review.pk}/decide/"' in html(client.get(f"/reviews/{review.pk}/"))


def test_review_page_is_404_for_unknown_ids(client, db):
    assert client.get("/reviews/4242/").status_code == 404
    assert client.get("/reviews/99999999999999999999999/").status_code == 404


def test_secretariat_appoints_the_team(client, project, committee, secretariat):
    review = start_review(project, committee)
    m4, m5 = committee.members[3:5]
    login(client, secretariat)
    url = f"/reviews/{review.pk}/team/"
    response = client.post(url, {"members": [m4.pk, committee.conflicted.pk], "lead": m4.pk})
    assert response.status_code == 409
    assert "(conflict of interest)" in html(response)
    response = client.post(url, {"members": [m4.pk], "lead": m4.pk})
    assert response.status_code == 400
    assert "Appoint two different JISC members." in html(response)
    response = client.post(url, {"members": ["abc", m4.pk], "lead": "zzz"})
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.status == "requested"
    response = client.post(url, {"members": [m4.pk, m5.pk], "lead": m5.pk})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "in_progress"
    assert review.team.get(lead=True).user == m5
    response = client.post(url, {"members": [m4.pk, m5.pk], "lead": m5.pk})
    assert response.status_code == 409
    assert "The review team is already appointed." in html(response)


def test_review_actions_refuse_wrong_roles_with_403(
    client, project, committee, secretariat, participant, aie_user
):
    review = with_team(start_review(project, committee), committee, secretariat)
    base = f"/reviews/{review.pk}/"
    m1 = committee.members[0]  # a JISC member not on the team
    cases = [
        (m1, "team/", {}),
        (m1, "decide/", {"decision": "confirmed", "reasons": "x", "meeting": "electronic"}),
        (m1, "confirm/", {}),
        (m1, "clarify/", {"addressed_to": "aie", "questions": "q", "due_on": "2099-01-01"}),
        (m1, "report/", {"recommendation": "confirmed", "report": "r"}),
        (secretariat, "report/", {"recommendation": "confirmed", "report": "r"}),
        (participant, "corrections/", {}),
        (aie_user, "decide/", {"decision": "confirmed", "reasons": "x", "meeting": "electronic"}),
    ]
    for user, action, data in cases:
        login(client, user)
        assert client.post(base + action, data).status_code == 403, (user, action)
    review.refresh_from_db()
    assert review.status == "in_progress"
    assert not review.clarifications.exists()


def test_decide_before_the_report_is_409_on_the_form(client, project, committee, secretariat):
    review = with_team(start_review(project, committee), committee, secretariat)
    login(client, secretariat)
    response = client.post(
        f"/reviews/{review.pk}/decide/",
        {"decision": "confirmed", "reasons": "Fine.", "meeting": "electronic"},
    )
    assert response.status_code == 409
    assert "The JISC decides once the review team has reported." in html(response)
    review.refresh_from_db()
    assert review.decision == ""


def test_team_asks_and_the_aie_answers_a_clarification(
    client, project, committee, secretariat, participant, aie_user
):
    review = with_team(start_review(project, committee), committee, secretariat)
    lead = committee.members[3]
    login(client, lead)
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    response = client.post(
        f"/reviews/{review.pk}/clarify/",
        {"addressed_to": "aie", "questions": SECRET_QUESTION, "due_on": "not a date"},
    )
    assert response.status_code == 400
    response = client.post(
        f"/reviews/{review.pk}/clarify/",
        {"addressed_to": "aie", "questions": SECRET_QUESTION, "due_on": "2001-01-01"},
    )
    assert response.status_code == 400
    assert "The due date must be in the future." in html(response)
    response = client.post(
        f"/reviews/{review.pk}/clarify/",
        {"addressed_to": "aie", "questions": SECRET_QUESTION, "due_on": due},
    )
    assert response.status_code == 302
    clar = Clarification.objects.get()
    # The AIE sees it on the review page with a link to answer; the participants do not.
    login(client, aie_user)
    page = html(client.get(f"/reviews/{review.pk}/"))
    assert SECRET_QUESTION in page
    assert f'href="/reviews/clarifications/{clar.pk}/#answer"' in page
    login(client, participant)
    assert SECRET_QUESTION not in html(client.get(f"/reviews/{review.pk}/"))
    assert client.get(f"/reviews/clarifications/{clar.pk}/").status_code == 404
    # The AIE answers with a PDF; a non-PDF is refused and nothing is stored.
    login(client, aie_user)
    url = f"/reviews/clarifications/{clar.pk}/"
    assert "Send the answer" in html(client.get(url))
    response = client.post(
        url,
        {"answer": "See annex.", "files": [SimpleUploadedFile("x.pdf", b"not a pdf")]},
    )
    assert response.status_code == 400
    assert "The file is not a PDF." in html(response)
    clar.refresh_from_db()
    assert clar.answered_at is None
    response = client.post(
        url, {"answer": "See annex 3.", "files": [pdf_upload("annex3.pdf"), pdf_upload("b.pdf")]}
    )
    assert response.status_code == 302
    clar.refresh_from_db()
    assert clar.answer == "See annex 3."
    assert clar.files.count() == 2
    response = client.post(url, {"answer": "Again."})
    assert response.status_code == 409
    assert "This request is already answered." in html(response)
    # The team reads the answer and downloads the file.
    login(client, lead)
    page = html(client.get(f"/reviews/{review.pk}/"))
    assert "See annex 3." in page
    attachment = clar.files.first()
    response = client.get(f"/reviews/clarifications/files/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    login(client, participant)
    assert client.get(f"/reviews/clarifications/files/{attachment.pk}/").status_code == 404


def test_clarification_page_visibility(
    client, request, project, committee, secretariat, participant, aie_user
):
    review = with_team(start_review(project, committee), committee, secretariat)
    clar = rwf.send_clarification(
        committee.members[3],
        review,
        addressed_to="participants",
        questions=SECRET_QUESTION,
        due_on=dt.date.today() + dt.timedelta(days=5),
    )
    url = f"/reviews/clarifications/{clar.pk}/"
    for user in (participant, secretariat, committee.members[0], committee.members[3]):
        login(client, user)
        assert SECRET_QUESTION in html(client.get(url)), user
    for user in (aie_user, viewer(request, "party_user"), committee.experts[0]):
        login(client, user)
        assert client.get(url).status_code == 404, user
    login(client, secretariat)
    assert client.post(url, {"answer": "Not mine."}).status_code == 403
    login(client, None)
    assert client.get(url)["Location"].startswith("/login/")


def test_overdue_clarification_is_flagged(client, project, committee, secretariat):
    review = with_team(start_review(project, committee), committee, secretariat)
    clar = rwf.send_clarification(
        committee.members[3],
        review,
        addressed_to="aie",
        questions="Q?",
        due_on=dt.date.today() + dt.timedelta(days=1),
    )
    with time_machine.travel(clar.due_at + dt.timedelta(hours=1)):
        login(client, secretariat)
        page = html(client.get(f"/reviews/{review.pk}/"))
    assert "overdue</span>" in page


def test_team_files_the_report_and_the_secretariat_decides(client, project, committee, secretariat):
    review = with_team(start_review(project, committee), committee, secretariat)
    login(client, committee.members[4])
    response = client.post(
        f"/reviews/{review.pk}/report/", {"recommendation": "bogus", "report": ""}
    )
    assert response.status_code == 400
    response = client.post(
        f"/reviews/{review.pk}/report/", {"recommendation": "confirmed", "report": SECRET_REPORT}
    )
    assert response.status_code == 302
    meeting = Meeting.objects.create(
        number=50,
        starts_on=dt.date.today() + dt.timedelta(days=30),
        ends_on=dt.date.today() + dt.timedelta(days=31),
        place="Bonn",
    )
    login(client, secretariat)
    page = html(client.get(f"/reviews/{review.pk}/"))
    assert "An electronic decision (no meeting)" in page
    assert "JISC 50" not in page  # not started: not offered
    data = {"decision": "confirmed", "reasons": PUBLIC_REASONS, "meeting": str(meeting.number)}
    response = client.post(f"/reviews/{review.pk}/decide/", data)
    assert response.status_code == 400  # not a choice: the meeting has not started
    data = {**data, "meeting": "electronic"}
    response = client.post(f"/reviews/{review.pk}/decide/", data)
    assert response.status_code == 200  # the decision is final: it asks first
    assert "Record the decision of the JISC on" in html(response)
    review.refresh_from_db()
    assert review.decision == ""
    response = client.post(f"/reviews/{review.pk}/decide/", {**data, "confirmed": "yes"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.decision == "confirmed"
    assert review.decided_at_meeting is None
    assert Project.objects.get(pk=project.pk).status == "final"
    login(client, None)
    page = html(client.get(f"/reviews/{review.pk}/"))
    assert PUBLIC_REASONS in page
    assert "taken electronically" in page
    assert SECRET_REPORT in page  # public with the decision
    assert f'href="/reviews/{review.pk}/report/pdf/"' in page


def test_corrections_are_uploaded_by_the_aie_and_confirmed(
    client, project, committee, secretariat, aie_user, participant
):
    review = reported(project, committee, secretariat)
    rwf.decide(secretariat, review, decision="corrections_required", reasons="Fix table 3.")
    login(client, secretariat)
    assert f'action="/reviews/{review.pk}/confirm/"' not in html(
        client.get(f"/reviews/{review.pk}/")
    )
    response = client.post(f"/reviews/{review.pk}/confirm/")
    assert response.status_code == 409
    assert "The AIE has not submitted the corrected report yet." in html(response)
    login(client, participant)
    assert "Submit the corrected report" not in html(client.get(f"/reviews/{review.pk}/"))
    login(client, aie_user)
    assert "Submit the corrected report" in html(client.get(f"/reviews/{review.pk}/"))
    url = f"/reviews/{review.pk}/corrections/"
    response = client.post(url, {"file": SimpleUploadedFile("r.pdf", b"plain text")})
    assert response.status_code == 400
    assert "The file is not a PDF." in html(response)
    response = client.post(url, {})
    assert response.status_code == 400
    response = client.post(url, {"file": pdf_upload("corrected.pdf"), "note": "Table 3."})
    assert response.status_code == 302
    login(client, secretariat)
    corrected = (
        Document.objects.filter(project=project, kind="determination_report")
        .order_by("-version", "-pk")
        .first()
    )
    page = html(client.get(f"/reviews/{review.pk}/"))
    assert f'<iframe class="pdf-frame" src="/documents/{corrected.pk}/download/"' in page
    response = client.post(f"/reviews/{review.pk}/confirm/")
    assert response.status_code == 200  # it cannot be undone: it asks first
    assert 'name="confirmed" value="yes"' in html(response)
    assert Project.objects.get(pk=project.pk).status != "final"
    response = client.post(f"/reviews/{review.pk}/confirm/", {"confirmed": "yes"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "final"
    corrected = Document.objects.filter(project=project, kind="determination_report").last()
    assert corrected.published_at is not None


@pytest.mark.parametrize("name", OUTSIDERS)
def test_outsiders_never_see_appraisals_or_the_report_before_the_decision(
    client, request, project, committee, secretariat, name
):
    appraisal = appoint(project, secretariat)
    for seat in appraisal.appraisers.all():
        rwf.declare_no_conflict(seat.user, appraisal)
        rwf.file_appraisal(
            seat.user,
            appraisal,
            criteria=CRITERIA_FORM,
            opinion="does_not_meet",
            comments=SECRET_APPRAISAL,
        )
    review = reported(project, committee, secretariat)
    login(client, viewer(request, name))
    for url in (f"/projects/{project.key}/", f"/reviews/{review.pk}/"):
        page = html(client.get(url))
        assert SECRET_APPRAISAL not in page
        assert "Does not meet the JI criteria" not in page
        assert CRITERIA_FORM["additionality"]["comment"] not in page
        assert SECRET_REPORT not in page
        assert "/reviews/appraisals/" not in page
    assert client.get(f"/reviews/{review.pk}/report/pdf/").status_code in (302, 404)


@pytest.mark.parametrize(
    "name", [None, "participant", "aie_user", "secretariat", "team_member", "jisc_member"]
)
def test_review_page_query_budget(client, request, project, committee, secretariat, name):
    user = {
        "team_member": committee.members[3],
        "jisc_member": committee.members[0],
    }.get(name) or viewer(request, name)
    review = with_team(start_review(project, committee), committee, secretariat)
    due = dt.date.today() + dt.timedelta(days=7)
    ask = committee.members[3]
    rwf.send_clarification(ask, review, addressed_to="both", questions="Q1", due_on=due)
    login(client, user)
    url = f"/reviews/{review.pk}/"
    one = queries_for(client, url)
    rwf.request_review(committee.members[3], project, reasons=REASONS, summary="Me too.")
    for n in range(4):
        clar = rwf.send_clarification(ask, review, addressed_to="both", questions="Q", due_on=due)
        rwf.answer_clarification(
            request.getfixturevalue("aie_user"),
            clar,
            answer="A",
            files=[("f", pdf_upload(f"f{n}.pdf"))],
        )
    rwf.file_report(ask, review, recommendation="confirmed", report="R")
    Meeting.objects.create(number=3, starts_on=dt.date.today(), ends_on=dt.date.today(), place="X")
    many = queries_for(client, url)
    assert many <= 10
    assert many - one <= (1 if name == "secretariat" else 0)  # + the meetings for the decision


# --- meetings --------------------------------------------------------------------------------------


def test_meetings_are_public_and_the_secretariat_adds_them(
    client, project, committee, secretariat, participant
):
    review = start_review(project, committee)
    six_months = review.due_at
    assert client.get("/reviews/meetings/").status_code == 200
    login(client, participant)
    assert client.get("/reviews/meetings/new/").status_code == 403
    assert client.post("/reviews/meetings/new/", {"number": 1}).status_code == 403
    login(client, secretariat)
    today = dt.date.today()
    first = {
        "number": 61,
        "starts_on": (today + dt.timedelta(days=10)).isoformat(),
        "ends_on": (today + dt.timedelta(days=11)).isoformat(),
        "place": "Bonn",
    }
    response = client.post("/reviews/meetings/new/", first)
    assert response.status_code == 302
    assert response["Location"] == "/reviews/meetings/61/"
    second = {
        "number": 62,
        "starts_on": (today + dt.timedelta(days=40)).isoformat(),
        "ends_on": (today + dt.timedelta(days=41)).isoformat(),
        "electronic": "on",
    }
    assert client.post("/reviews/meetings/new/", second).status_code == 302
    review.refresh_from_db()
    assert review.due_at < six_months
    assert review.due_at.date() == today + dt.timedelta(days=42)
    login(client, None)
    page = html(client.get("/reviews/meetings/"))
    assert "JISC 61" in page and "JISC 62" in page
    assert "Bonn" in page and "Electronic" in page
    assert "/reviews/meetings/new/" not in page


def test_meeting_form_refusals(client, db, secretariat):
    Meeting.objects.create(number=7, starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 1, 2))
    login(client, secretariat)
    data = {"number": 7, "starts_on": "2031-01-01", "ends_on": "2031-01-02", "place": "Bonn"}
    response = client.post("/reviews/meetings/new/", data)
    assert response.status_code == 409
    assert "JISC 7 already exists." in html(response)
    response = client.post("/reviews/meetings/new/", {**data, "number": 8, "place": ""})
    assert response.status_code == 400
    assert "Give the place, or mark the meeting as electronic." in html(response)
    response = client.post("/reviews/meetings/new/", {**data, "number": 8, "ends_on": "2030-12-31"})
    assert response.status_code == 400
    assert "A meeting ends on or after its first day." in html(response)
    response = client.post("/reviews/meetings/new/", {**data, "number": "x", "starts_on": "?"})
    assert response.status_code == 400
    assert Meeting.objects.count() == 1
    response = client.post("/reviews/meetings/7/edit/", {**data, "place": "Tokyo"})
    assert response.status_code == 302
    assert Meeting.objects.get(number=7).place == "Tokyo"
    assert client.get("/reviews/meetings/70000/").status_code == 404
    assert client.get("/reviews/meetings/99999999999999999999999/edit/").status_code == 404


def test_meeting_agenda_lists_reviews_and_for_staff_appraisals(
    client, cycle, japan, project, committee, secretariat, participant
):
    review = reported(project, committee, secretariat)
    other = cycle.determination_published(title="Appraised project", parties_involved=[japan])
    appoint(other, secretariat)
    today = dt.date.today()
    meeting = Meeting.objects.create(
        number=80, starts_on=today + dt.timedelta(days=3), ends_on=today + dt.timedelta(days=4)
    )
    url = f"/reviews/meetings/{meeting.number}/"
    page = html(client.get(url))
    assert "Reviews awaiting the decision" in page
    assert f'href="/reviews/{review.pk}/"' in page
    assert "team recommends" not in page
    assert "Appraised project" not in page
    assert "/agenda.pdf" not in page
    login(client, committee.members[0])
    page = html(client.get(url))
    assert "team recommends: <strong>Determination confirmed</strong>" in page
    assert "Appraised project" in page
    assert "0 of 4 filed" in page
    assert f'href="/reviews/meetings/{meeting.number}/agenda.pdf"' in page
    login(client, participant)
    assert client.get(f"{url}agenda.pdf").status_code == 404


@pytest.mark.parametrize("name", [None, "secretariat"])
def test_meeting_pages_query_budget(client, request, cycle, japan, committee, secretariat, name):
    login(client, viewer(request, name))
    today = dt.date.today()
    Meeting.objects.create(number=1, starts_on=today, ends_on=today, place="Bonn")
    project = cycle.determination_published(parties_involved=[japan])
    start_review(project, committee)
    appoint(project, secretariat)
    one = [queries_for(client, u) for u in ("/reviews/meetings/", "/reviews/meetings/1/")]
    for n in range(2, 30):
        day = today + dt.timedelta(days=n)
        Meeting.objects.create(number=n, starts_on=day, ends_on=day, electronic=True)
    for title in ("B", "C"):
        p = cycle.determination_published(title=title, parties_involved=[japan])
        reported(p, committee, secretariat) if title == "B" else start_review(p, committee)
        appoint(p, secretariat)
    many = [queries_for(client, u) for u in ("/reviews/meetings/", "/reviews/meetings/1/")]
    assert one == many
    assert max(many) <= 10


# --- PDFs ------------------------------------------------------------------------------------------


def test_pdfs_follow_the_confidentiality_rules(
    client, project, committee, secretariat, party_user, participant
):
    rwf.request_review(party_user, project, reasons=REASONS, summary="Doubtful.")
    req = ReviewRequest.objects.get()
    appraisal = appoint(project, secretariat)
    seat = appraisal.appraisers.first()
    rwf.declare_no_conflict(seat.user, appraisal)
    rwf.file_appraisal(seat.user, appraisal, criteria=CRITERIA_FORM, opinion="meets")
    review = with_team(Review.objects.get(), committee, secretariat)
    rwf.file_report(committee.members[3], review, recommendation="confirmed", report="R")
    response = client.get(f"/reviews/requests/{req.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    login(client, participant)
    assert client.get(f"/reviews/appraisals/forms/{seat.pk}/pdf/").status_code == 404
    assert client.get(f"/reviews/{review.pk}/report/pdf/").status_code == 404
    login(client, committee.members[0])
    assert client.get(f"/reviews/appraisals/forms/{seat.pk}/pdf/").status_code == 200
    assert client.get(f"/reviews/{review.pk}/report/pdf/").status_code == 200
    rwf.decide(secretariat, review, decision="confirmed", reasons="Fine.")
    login(client, None)
    assert client.get(f"/reviews/{review.pk}/report/pdf/").status_code == 200


def test_agenda_pdf_is_for_staff(client, db, secretariat, participant):
    Meeting.objects.create(number=5, starts_on=dt.date.today(), ends_on=dt.date.today())
    login(client, participant)
    assert client.get("/reviews/meetings/5/agenda.pdf").status_code == 404
    login(client, secretariat)
    response = client.get("/reviews/meetings/5/agenda.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


# --- dashboards ------------------------------------------------------------------------------------


def test_jisc_dashboard_lists_appraisals_team_seats_and_requestable_determinations(
    client, cycle, japan, project, committee, secretariat
):
    appraisal = appoint(project, secretariat)
    member = appraisal.appraisers.filter(kind="member").first().user
    login(client, member)
    page = html(client.get("/dashboard/"))
    assert "Appraisals to file" in page
    assert f'href="/reviews/appraisals/{appraisal.pk}/#your-form"' in page
    assert appraisal.due_at.strftime("%-d %b %Y %H:%M GMT") in page
    assert f'href="/projects/{project.key}/review/request/"' in page
    rwf.request_review(member, project, reasons=REASONS, summary="Doubtful.")
    # asked: no longer waiting for this member
    assert f'href="/projects/{project.key}/review/request/"' not in html(client.get("/dashboard/"))
    review = with_team(start_review(project, committee), committee, secretariat)
    login(client, committee.members[3])
    page = html(client.get("/dashboard/"))
    assert "Reviews on which you sit" in page
    assert f'href="/reviews/{review.pk}/"' in page
    with time_machine.travel(appraisal.due_at + dt.timedelta(hours=1)):
        login(client, member)
        page = html(client.get("/dashboard/"))
    assert "overdue</span>" in page


def test_expert_dashboard_lists_appraisals_to_file(client, project, committee, secretariat):
    appraisal = appoint(project, secretariat)
    expert = appraisal.appraisers.filter(kind="expert").first().user
    login(client, expert)
    page = html(client.get("/dashboard/"))
    assert f'href="/reviews/appraisals/{appraisal.pk}/#your-form"' in page
    assert "F-JI-ExInpDA" in page
    assert "/review/request/" not in page


def test_party_dashboard_offers_requests_for_its_projects(client, project, party_user):
    login(client, party_user)
    page = html(client.get("/dashboard/"))
    assert f'href="/projects/{project.key}/review/request/"' in page
    rwf.request_review(party_user, project, reasons=REASONS, summary="Doubtful.")
    # asked: no longer waiting for the Party
    assert f'href="/projects/{project.key}/review/request/"' not in html(client.get("/dashboard/"))


def test_secretariat_dashboard_lists_review_work(
    client, cycle, japan, project, committee, secretariat
):
    login(client, secretariat)
    page = html(client.get("/dashboard/"))
    assert f'href="/projects/{project.key}/appraisal/appoint/"' in page
    appraisal = appoint(project, secretariat)
    waiting = start_review(project, committee)
    page = html(client.get("/dashboard/"))
    assert f'href="/projects/{project.key}/appraisal/appoint/"' not in page
    assert f'href="/reviews/{waiting.pk}/#appoint-team"' in page
    other = cycle.determination_published(title="Second", parties_involved=[japan])
    decided = reported(other, committee, secretariat)
    page = html(client.get("/dashboard/"))
    assert f'href="/reviews/{decided.pk}/#decide"' in page
    with time_machine.travel(waiting.due_at + dt.timedelta(hours=1)):
        login(client, secretariat)
        page = html(client.get("/dashboard/"))
    assert "Reviews to steer" in page
    assert "overdue</span>" in page
    assert page.count(f'href="/reviews/{waiting.pk}/"') >= 1
    assert f'href="/reviews/appraisals/{appraisal.pk}/"' in page


def test_aie_and_participant_dashboards_list_clarifications(
    client, project, committee, secretariat, aie_user, participant
):
    review = with_team(start_review(project, committee), committee, secretariat)
    clar = rwf.send_clarification(
        committee.members[3],
        review,
        addressed_to="aie",
        questions="Q?",
        due_on=dt.date.today() + dt.timedelta(days=3),
    )
    login(client, aie_user)
    assert f'href="/reviews/clarifications/{clar.pk}/#answer"' in html(client.get("/dashboard/"))
    login(client, participant)
    assert "/reviews/clarifications/" not in html(client.get("/dashboard/"))


@pytest.mark.parametrize(
    "name", ["secretariat", "jisc_member", "expert", "aie_user", "participant", "party_user"]
)
def test_dashboard_query_budget_with_reviews(
    client, request, cycle, japan, committee, secretariat, name
):
    aie = request.getfixturevalue("aie_user")
    user = {"jisc_member": committee.members[0], "expert": committee.experts[0]}.get(
        name
    ) or viewer(request, name)

    def busy(title):
        project = cycle.determination_published(title=title, parties_involved=[japan])
        appoint(project, secretariat)
        review = with_team(start_review(project, committee), committee, secretariat)
        rwf.send_clarification(
            committee.members[3],
            review,
            addressed_to="both",
            questions="Q",
            due_on=dt.date.today() + dt.timedelta(days=3),
        )
        rwf.file_report(committee.members[3], review, recommendation="confirmed", report="R")
        return review

    login(client, user)
    busy("First")
    cycle.determination_published(title="Unappraised 1", parties_involved=[japan])
    one = queries_for(client, "/dashboard/")
    for i in range(3):
        review = busy(f"More {i}")
        if i == 0:
            rwf.decide(secretariat, review, decision="corrections_required", reasons="Fix.")
        cycle.determination_published(title=f"Unappraised {i + 2}", parties_involved=[japan])
    assert aie.organisation_id
    many = queries_for(client, "/dashboard/")
    assert one == many
    assert many <= 10


def test_a_review_awaiting_corrections_is_no_longer_overdue(
    client, project, committee, secretariat
):
    review = reported(project, committee, secretariat)
    rwf.decide(secretariat, review, decision="corrections_required", reasons="Fix table 3.")
    with time_machine.travel(review.due_at + dt.timedelta(days=1)):
        login(client, secretariat)
        page = html(client.get(f"/reviews/{review.pk}/"))
        project_page = html(client.get(f"/projects/{project.key}/"))
    assert "Corrections required" in page
    assert "overdue</span>" not in page
    assert "overdue</span>" not in project_page


def test_a_withdrawn_projects_review_is_closed_without_actions(
    client, project, committee, secretariat, participant
):
    review = start_review(project, committee)
    wf.withdraw(participant, project, "Changed plans.")
    login(client, secretariat)
    page = html(client.get(f"/reviews/{review.pk}/"))
    assert "Closed: the project was withdrawn" in page
    assert "Appoint the team" not in page
    m4, m5 = committee.members[3:5]
    response = client.post(
        f"/reviews/{review.pk}/team/", {"members": [m4.pk, m5.pk], "lead": m4.pk}
    )
    assert response.status_code == 409
