"""Pages and API of the changes after the determination (``projects.change_views``,
``projects.change_api``, the project page's panel) and of the change of AIE for verification
(``determinations.aie_change_views``)."""

import datetime as dt

import pytest

from determinations.models import MonitoringReport
from projects import changes
from projects.models import Event, Project, ProjectChange, User
from tests.factories import AIEFactory, OrganisationFactory, PartyFactory, pdf_upload
from tests.support import assert_error, client_for, html, login, queries_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]


@pytest.fixture
def project(cycle):
    return cycle.final(crediting_start=dt.date(2009, 1, 1))


@pytest.fixture
def germany(db):
    return PartyFactory(code="DE", name="Germany", kp_party=True)


@pytest.fixture
def german_dfp(germany):
    return User.objects.create(username="dfp-de", role=User.Role.PARTY, party=germany)


def add(cycle, project, name):
    return changes.request_change(
        cycle.participant,
        project,
        kind="add_participant",
        organisation=OrganisationFactory(name=name),
        reason=f"{name} joins.",
        consent_declared=True,
    )


# --- pages ---------------------------------------------------------------------------------------


def test_participants_add_a_participant_through_the_page(client, cycle, project):
    newcomer = OrganisationFactory(name="Blue Sky Energy")
    login(client, cycle.participant)
    url = f"/projects/{project.key}/participation/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "add_participant",
            "organisation": newcomer.pk,
            "reason": "Investor joins.",
            "consent_declared": "on",
            "consent": pdf_upload("consent.pdf"),
        },
    )
    assert response.status_code == 302, html(response)[:2000]
    assert project.participants.filter(pk=newcomer.pk).exists()
    page = html(client.get(f"/projects/{project.key}/"))
    assert "Changes after the determination" in page
    assert "Blue Sky Energy" in page and "consent (PDF)" in page


def test_the_form_refuses_without_consent_and_names_the_field(client, cycle, project):
    newcomer = OrganisationFactory(name="Blue Sky Energy")
    login(client, cycle.participant)
    response = client.post(
        f"/projects/{project.key}/participation/change/",
        {"kind": "add_participant", "organisation": newcomer.pk, "reason": "Joins."},
    )
    assert response.status_code == 400
    assert "consent_declared" in response.context["form"].errors
    assert not ProjectChange.objects.exists()


def test_the_new_party_approves_and_the_host_renews_through_the_pages(
    client, cycle, project, germany, german_dfp, party_user
):
    change = changes.request_change(
        cycle.participant,
        project,
        kind="add_party",
        party=germany,
        reason="A German buyer.",
        consent_declared=True,
    )
    login(client, german_dfp)
    page = html(client.get(f"/projects/{project.key}/"))
    assert f"/participation-changes/{change.pk}/approve/" in page
    assert "Renew or extend the crediting period" not in page
    response = client.post(
        f"/participation-changes/{change.pk}/approve/",
        {"issued_on": "2011-01-05", "reference": "DE-1", "confirm": "on"},
    )
    assert response.status_code == 302
    assert project.parties_involved.filter(pk=germany.pk).exists()
    login(client, party_user)
    assert "Renew or extend the crediting period" in html(client.get(f"/projects/{project.key}/"))
    response = client.post(
        f"/projects/{project.key}/crediting-period/",
        {"new_end": "2020-12-31", "reason": "Second commitment period."},
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).crediting_end == dt.date(2020, 12, 31)
    page = html(client.get(f"/projects/{project.key}/"))
    assert "1 Jan 2009 – 31 Dec 2020" in page
    assert "End of the crediting period: from 31 Dec 2012 to 31 Dec 2020." in page


def test_pages_refuse_who_may_not_act(client, cycle, project, germany, party_user):
    change = changes.request_change(
        cycle.participant,
        project,
        kind="add_party",
        party=germany,
        reason="A German buyer.",
        consent_declared=True,
    )
    login(client, party_user)  # Ukraine's focal point: not Germany's, not a participant
    assert client.get(f"/projects/{project.key}/participation/change/").status_code == 403
    assert client.get(f"/participation-changes/{change.pk}/approve/").status_code == 403
    assert client.get(f"/participation-changes/{change.pk}/cancel/").status_code == 403
    login(client, cycle.participant)
    assert client.get(f"/projects/{project.key}/crediting-period/").status_code == 403
    assert client.get("/participation-changes/999999/cancel/").status_code == 404
    published = cycle.determination_published(title="Not final")
    assert client.get(f"/projects/{published.key}/participation/change/").status_code == 409


def test_the_participants_cancel_through_the_page(client, cycle, project, germany):
    change = changes.request_change(
        cycle.participant,
        project,
        kind="add_party",
        party=germany,
        reason="A German buyer.",
        consent_declared=True,
    )
    login(client, cycle.participant)
    assert f"/participation-changes/{change.pk}/cancel/" in html(
        client.get(f"/projects/{project.key}/")
    )
    response = client.post(f"/participation-changes/{change.pk}/cancel/", {"reason": "No."})
    assert response.status_code == 302
    assert ProjectChange.objects.get(pk=change.pk).status == "cancelled"


@pytest.mark.parametrize("role", [None, "participant", "party_user"])
def test_project_page_within_budget_with_one_and_many_changes(
    client, cycle, request, role, django_assert_max_num_queries
):
    small = cycle.final(title="One change")
    big = cycle.final(title="Many changes")
    add(cycle, small, "Only Ltd")
    for n in range(12):
        add(cycle, big, f"Joiner {n} Ltd")
    login(client, request.getfixturevalue(role) if role else None)
    one = queries_for(client, f"/projects/{small.key}/")
    many = queries_for(client, f"/projects/{big.key}/")
    assert one == many
    with django_assert_max_num_queries(10):
        response = client.get(f"/projects/{big.key}/")
    assert "Joiner 11 Ltd" in html(response)


# --- API -----------------------------------------------------------------------------------------


def test_api_request_list_cancel_and_approve(pp_api, anon, cycle, project, germany, german_dfp):
    newcomer = OrganisationFactory(name="Blue Sky Energy")
    url = f"/api/projects/{project.key}/participation-changes/"
    response = pp_api.post(
        url,
        {
            "kind": "add_participant",
            "organisation": "Blue Sky Energy",
            "reason": "Joins.",
            "consent_declared": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["organisation"]) == (
        "add_participant",
        "applied",
        "Blue Sky Energy",
    )
    assert newcomer.projects.filter(pk=project.pk).exists()
    pending = pp_api.post(
        url,
        {"kind": "add_party", "party": "de", "reason": "Buyer.", "consent_declared": True},
        format="json",
    ).json()
    assert (pending["status"], pending["party"], pending["party_name"]) == (
        "pending",
        "DE",
        "Germany",
    )
    listed = anon.get(url).json()
    assert [row["kind"] for row in listed] == ["add_participant", "add_party"]
    approve = f"/api/participation-changes/{pending['id']}/approve/"
    assert_error(pp_api.post(approve, {"issued_on": "2011-01-05"}, format="json"), 403)
    response = client_for(german_dfp).post(approve, {"issued_on": "2011-01-05"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "applied"
    assert_error(
        pp_api.post(f"/api/participation-changes/{pending['id']}/cancel/", {}, format="json"),
        409,
        "not_pending",
    )


def test_api_refusal_codes(pp_api, party_api, cycle, project, pp_org, ukraine):
    url = f"/api/projects/{project.key}/participation-changes/"

    def post(api, **body):
        return api.post(url, {"reason": "Why.", "consent_declared": True, **body}, format="json")

    assert_error(
        post(pp_api, kind="remove_participant", organisation=pp_org.pk), 409, "last_participant"
    )
    assert_error(post(pp_api, kind="add_party", party="UA"), 400, "host_party")
    assert_error(
        post(pp_api, kind="add_participant", organisation=pp_org.pk, consent_declared=False),
        400,
        "consent_required",
    )
    assert_error(post(party_api, kind="add_party", party="DE"), 403)
    crediting = f"/api/projects/{project.key}/crediting-period/"
    assert_error(pp_api.post(crediting, {"new_end": "2020-12-31", "reason": "x"}), 403)
    assert_error(
        party_api.post(crediting, {"new_end": "2010-12-31", "reason": "x"}, format="json"),
        400,
        "not_later",
    )
    response = party_api.post(crediting, {"new_end": "2020-12-31", "reason": "x"}, format="json")
    assert response.status_code == 200 and response.json()["crediting_end"] == "2020-12-31"
    assert_error(pp_api.post("/api/participation-changes/999999/cancel/", {}), 404)


# --- change of AIE for verification --------------------------------------------------------------


def test_change_of_aie_for_verification_page_and_api(
    client, pp_api, aie_api, cycle, project, submit_report
):
    report = submit_report(project, dt.date(2009, 1, 1), dt.date(2009, 12, 31), {2009: 1000})
    other = AIEFactory(name="TÜV SÜD")
    login(client, cycle.participant)
    url = f"/monitoring/{report.pk}/change-aie/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"aie": other.pk, "reason": "Office closed."})
    assert response.status_code == 302 and response["Location"].endswith("/monitoring/")
    assert MonitoringReport.objects.get(pk=report.pk).aie_id == other.pk
    api_url = f"/api/monitoring-reports/{report.pk}/change-aie/"
    assert_error(aie_api.post(api_url, {"aie": other.pk, "reason": "x"}, format="json"), 403)
    assert_error(
        pp_api.post(api_url, {"aie": "TÜV SÜD", "reason": "x"}, format="json"), 400, "same_aie"
    )
    response = pp_api.post(
        api_url, {"aie": "Bureau Veritas Certification", "reason": "Back."}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["aie"] == "Bureau Veritas Certification"
    assert Event.objects.filter(project=project, kind="verification_aie_changed").count() == 2
    assert_error(pp_api.post("/api/monitoring-reports/999999/change-aie/", {}), 404)


def test_the_monitoring_page_offers_the_change_of_aie_to_the_participants(
    client, cycle, project, submit_report
):
    report = submit_report(project, dt.date(2009, 1, 1), dt.date(2009, 12, 31), {2009: 1000})
    link = f"/monitoring/{report.pk}/change-aie/"
    login(client, cycle.participant)
    assert link in html(client.get(f"/projects/{project.key}/monitoring/"))
    login(client, cycle.aie_user)
    assert link not in html(client.get(f"/projects/{project.key}/monitoring/"))
