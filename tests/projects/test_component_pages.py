"""The pages and API of the components of a programme of activities: the list on the project
page, the page of a component with its reports, verifications and ERUs, the forms to include and
exclude, the monitoring report form's component, and their query budgets."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from determinations import issuance
from determinations import verification as vwf
from determinations.models import MonitoringReport
from fees import services as fee_services
from projects import components as cwf
from projects.models import ComponentActivity, Event
from tests.factories import pdf_upload
from tests.support import assert_error, queries_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date
BUDGET = 10


def _include(cycle, project, n: int):
    for i in range(n):
        cwf.include_component(
            cycle.participant,
            project,
            title=f"Heaters {i + 1}",
            location=f"Town {i + 1}",
            included_on=D(2009, 1, 1),
            expected_annual_reductions=1000 * (i + 1),
        )


def _credit(cycle, project, number: int, start: D, end: D, tonnes: int, serial: int, dfp):
    """A report on component ``number``, verified, published, final, with its ERUs issued."""
    report = vwf.submit_monitoring_report(
        cycle.participant,
        project,
        period_start=start,
        period_end=end,
        aie=cycle.aie_user.organisation,
        claimed={start.year: tonnes},
        report=pdf_upload("mr.pdf"),
        component=number,
    )
    ver = vwf.submit_verification(
        cycle.aie_user,
        report,
        verified={start.year: tonnes},
        findings="Checked.",
        conditions_hold=True,
        conditions_reasons="They hold.",
        no_overlap_declared=True,
    )
    fee = project.fees.get(kind="verification", number=ver.number)
    if not fee.settled:
        fee_services.record_payment(
            cycle.secretariat, fee.invoices.get(), amount=str(fee.due_usd), reference=f"V{ver.pk}"
        )
    ver = vwf.publish_verification(cycle.secretariat, ver)
    vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1))
    ver.refresh_from_db()
    issuance.issue_erus(
        dfp, ver, blocks=[{"serial_start": serial, "serial_end": serial + tonnes - 1}]
    )
    return ver


@pytest.fixture
def poa(cycle):
    return cycle.final(poa=True, crediting_start=D(2009, 1, 1))


@pytest.fixture
def aaus(party_user, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=100000)


# --- the project page ----------------------------------------------------------------------------


def test_project_page_lists_components_with_their_erus(client, cycle, poa, party_user, aaus):
    _include(cycle, poa, 2)
    _credit(cycle, poa, 2, D(2009, 1, 1), D(2009, 12, 31), 300, 1, party_user)
    html = client.get(f"/projects/{poa.key}/").content.decode()
    assert "Component activities (2)" in html
    assert f'href="/projects/{poa.key}/components/2/"' in html
    assert f"{poa.key}-CPA-002" in html and "Town 2" in html
    verifications = html.split('id="verifications"')[1]
    assert f'href="/projects/{poa.key}/components/2/">{poa.key}-CPA-002</a>' in verifications
    assert "Include a component" not in html
    client.force_login(cycle.participant)
    html = client.get(f"/projects/{poa.key}/").content.decode()
    assert f'href="/projects/{poa.key}/components/new/"' in html


def test_project_page_of_a_project_that_is_not_a_poa_has_no_component_panel(client, cycle):
    project = cycle.final()
    html = client.get(f"/projects/{project.key}/").content.decode()
    assert 'id="components"' not in html


@pytest.mark.parametrize("viewer", [None, "participant", "secretariat", "party_user"])
def test_project_page_query_budget_with_components(
    client, request, cycle, poa, party_user, aaus, viewer
):
    if viewer:
        client.force_login(request.getfixturevalue(viewer))
    _include(cycle, poa, 1)
    _credit(cycle, poa, 1, D(2009, 1, 1), D(2009, 12, 31), 100, 5000, party_user)
    one = queries_for(client, f"/projects/{poa.key}/")
    _include(cycle, poa, 6)
    _credit(cycle, poa, 3, D(2009, 1, 1), D(2009, 12, 31), 300, 1, party_user)
    _credit(cycle, poa, 4, D(2009, 1, 1), D(2009, 12, 31), 200, 1000, party_user)
    many = queries_for(client, f"/projects/{poa.key}/")
    assert one == many and many <= BUDGET, (one, many)


# --- the component page --------------------------------------------------------------------------


def test_component_page_shows_data_reports_verifications_and_erus(
    client, cycle, poa, party_user, aaus
):
    _include(cycle, poa, 2)
    _credit(cycle, poa, 1, D(2009, 1, 1), D(2009, 12, 31), 300, 501, party_user)
    _credit(cycle, poa, 2, D(2009, 1, 1), D(2009, 12, 31), 700, 1001, party_user)
    response = client.get(f"/projects/{poa.key}/components/1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Component {poa.key}-CPA-001: Heaters 1" in html
    assert "Town 1" in html
    assert "F-JI-VRep (1)" in html and "F-JI-VRep (2)" not in html
    assert "501–800" in html
    assert [r["report"].number for r in response.context["rows"]] == [1]
    assert response.context["totals"] == {"claimed": 300, "verified": 300, "issued": 300}


def test_component_page_hides_an_unpublished_verification_from_the_public(
    client, cycle, poa, verify
):
    _include(cycle, poa, 1)
    report = vwf.submit_monitoring_report(
        cycle.participant,
        poa,
        period_start=D(2009, 1, 1),
        period_end=D(2009, 12, 31),
        aie=cycle.aie_user.organisation,
        claimed={2009: 50},
        report=pdf_upload("mr.pdf"),
        component=1,
    )
    verify(report, {"2009": 50})
    path = f"/projects/{poa.key}/components/1/"
    assert client.get(path).context["rows"][0]["verification"] is None
    for insider in (cycle.participant, cycle.aie_user, cycle.secretariat):
        client.force_login(insider)
        assert client.get(path).context["rows"][0]["verification"].number == 1


def test_component_page_unknown_or_hidden_not_found(client, cycle, poa, other_participant):
    _include(cycle, poa, 1)
    assert client.get(f"/projects/{poa.key}/components/2/").status_code == 404
    assert client.get(f"/projects/{poa.key}/components/0/").status_code == 404
    assert client.get(f"/projects/{poa.key}/components/99999999999/").status_code == 404
    draft = cycle.draft(poa=True)
    _include(cycle, draft, 1)
    client.force_login(other_participant)
    assert client.get(f"/projects/{draft.key}/components/1/").status_code == 404
    client.force_login(cycle.participant)
    assert client.get(f"/projects/{draft.key}/components/1/").status_code == 200


@pytest.mark.parametrize("viewer", [None, "participant", "aie_user", "secretariat"])
def test_component_page_query_budget(client, request, cycle, poa, party_user, aaus, viewer):
    if viewer:
        client.force_login(request.getfixturevalue(viewer))
    _include(cycle, poa, 1)
    path = f"/projects/{poa.key}/components/1/"
    _credit(cycle, poa, 1, D(2009, 1, 1), D(2009, 6, 30), 100, 1, party_user)
    one = queries_for(client, path)
    _credit(cycle, poa, 1, D(2009, 7, 1), D(2009, 12, 31), 100, 200, party_user)
    _credit(cycle, poa, 1, D(2010, 1, 1), D(2010, 12, 31), 100, 400, party_user)
    many = queries_for(client, path)
    assert one == many and many <= BUDGET, (one, many)


# --- include and exclude in the browser -----------------------------------------------------------


def _include_post(**overrides):
    data = {
        "title": "Heaters, Lviv",
        "location": "Lviv",
        "description": "Solar water heaters.",
        "included_on": "2009-03-01",
        "expected_annual_reductions": "1200",
    }
    data.update(overrides)
    return data


def test_include_page_includes_and_goes_to_the_component(client, cycle, poa):
    client.force_login(cycle.participant)
    response = client.post(f"/projects/{poa.key}/components/new/", _include_post())
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{poa.key}/components/1/"
    component = ComponentActivity.objects.get(project=poa)
    assert (component.title, component.included_on, component.expected_annual_reductions) == (
        "Heaters, Lviv",
        D(2009, 3, 1),
        1200,
    )
    assert Event.objects.filter(project=poa, kind="component_included").count() == 1


def test_include_page_future_date_shown_on_the_form(client, cycle, poa):
    client.force_login(cycle.participant)
    response = client.post(
        f"/projects/{poa.key}/components/new/", _include_post(included_on="2999-01-01")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["included_on"] == ["The date may not be in the future."]
    assert not ComponentActivity.objects.exists()


def test_include_page_refusals(client, cycle, poa, other_participant, secretariat):
    path = f"/projects/{poa.key}/components/new/"
    assert client.get(path).status_code == 302  # to the login
    for user in (other_participant, secretariat):
        client.force_login(user)
        assert client.get(path).status_code == 403
        assert client.post(path, _include_post()).status_code == 403
    plain = cycle.final()
    client.force_login(cycle.participant)
    response = client.get(f"/projects/{plain.key}/components/new/")
    assert response.status_code == 409
    assert "not a programme of activities" in response.content.decode()
    assert not ComponentActivity.objects.exists()


def test_exclude_page_asks_to_confirm_then_excludes(client, cycle, poa):
    _include(cycle, poa, 1)
    client.force_login(cycle.participant)
    path = f"/projects/{poa.key}/components/1/exclude/"
    data = {"excluded_on": "2010-01-01", "reason": "Heaters removed."}
    asked = client.post(path, data)
    assert asked.status_code == 200
    assert "cannot be included again" in asked.content.decode()
    assert ComponentActivity.objects.get(project=poa).status == "included"
    done = client.post(path, {**data, "confirmed": "yes"})
    assert done.status_code == 302
    component = ComponentActivity.objects.get(project=poa)
    assert (component.status, component.excluded_on) == ("excluded", D(2010, 1, 1))
    html = client.get(f"/projects/{poa.key}/components/1/").content.decode()
    assert "Heaters removed." in html
    assert client.get(path).status_code == 409


def test_exclude_page_refused_to_others(client, cycle, poa, other_participant):
    _include(cycle, poa, 1)
    client.force_login(other_participant)
    path = f"/projects/{poa.key}/components/1/exclude/"
    assert client.get(path).status_code == 403
    assert client.post(path, {"excluded_on": "2010-01-01", "reason": "x"}).status_code == 403
    assert client.get(f"/projects/{poa.key}/components/2/exclude/").status_code == 404


# --- the monitoring report form names the component -------------------------------------------


def _report_post(aie, **overrides):
    data = {
        "period_start": "2009-03-01",
        "period_end": "2009-12-31",
        "aie": aie.pk,
        "claimed": "2009: 500",
        "report": pdf_upload("mr.pdf"),
    }
    data.update(overrides)
    return data


def test_monitoring_form_of_a_programme_names_the_component(client, cycle, poa, aie_org):
    _include(cycle, poa, 2)
    client.force_login(cycle.participant)
    path = f"/projects/{poa.key}/monitoring/new/"
    form = client.get(path + "?component=2").context["form"]
    assert form["component"].value() == "2"
    missing = client.post(path, _report_post(aie_org))
    assert missing.status_code == 400
    assert "component" in missing.context["form"].errors
    early = client.post(path, _report_post(aie_org, component="1", period_start="2008-12-31"))
    assert early.status_code == 400
    assert not MonitoringReport.objects.exists()
    done = client.post(path, _report_post(aie_org, component="2"))
    assert done.status_code == 302
    assert MonitoringReport.objects.get().component.number == 2
    monitoring = client.get(f"/projects/{poa.key}/monitoring/").content.decode()
    assert f'href="/projects/{poa.key}/components/2/"' in monitoring
    assert "Reductions per component" in monitoring


def test_monitoring_form_of_a_plain_project_has_no_component(client, cycle):
    final_project = cycle.final(crediting_start=D(2009, 1, 1))
    client.force_login(cycle.participant)
    form = client.get(f"/projects/{final_project.key}/monitoring/new/").context["form"]
    assert "component" not in form.fields


def test_monitoring_page_query_budget_with_components(client, cycle, poa, party_user, aaus):
    _include(cycle, poa, 3)
    _credit(cycle, poa, 1, D(2009, 1, 1), D(2009, 12, 31), 100, 1, party_user)
    path = f"/projects/{poa.key}/monitoring/"
    one = queries_for(client, path)
    _credit(cycle, poa, 2, D(2009, 1, 1), D(2009, 12, 31), 100, 200, party_user)
    _credit(cycle, poa, 3, D(2009, 1, 1), D(2009, 12, 31), 100, 400, party_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert [row["issued"] for row in response.context["per_component"]] == [100, 100, 100]
    assert one == len(ctx.captured_queries) <= BUDGET


# --- the API -------------------------------------------------------------------------------------


def _body(**overrides):
    body = {
        "title": "Heaters, Lviv",
        "location": "Lviv",
        "included_on": "2009-03-01",
        "expected_annual_reductions": 1200,
    }
    body.update(overrides)
    return body


def test_api_include_list_get_and_exclude(pp_api, anon, cycle, poa):
    base = f"/api/projects/{poa.key}/components/"
    created = pp_api.post(base, _body(), format="json")
    assert created.status_code == 201, created.content
    assert created.json() == {
        "number": 1,
        "reference": f"{poa.key}-CPA-001",
        "title": "Heaters, Lviv",
        "location": "Lviv",
        "description": "",
        "included_on": "2009-03-01",
        "expected_annual_reductions": 1200,
        "status": "included",
        "excluded_on": None,
        "reason": "",
        "monitoring_reports": 0,
        "erus_issued": 0,
        "url": f"http://testserver/projects/{poa.key}/components/1/",
    }
    listed = anon.get(base).json()
    assert listed["count"] == 1 and listed["results"][0]["number"] == 1
    assert anon.get(f"{base}1/").json()["title"] == "Heaters, Lviv"
    excluded = pp_api.post(
        f"{base}1/exclude/", {"excluded_on": "2010-01-01", "reason": "Removed."}, format="json"
    )
    assert excluded.status_code == 200
    assert (excluded.json()["status"], excluded.json()["reason"]) == ("excluded", "Removed.")
    again = pp_api.post(
        f"{base}1/exclude/", {"excluded_on": "2010-01-01", "reason": "Again."}, format="json"
    )
    assert_error(again, 409, "already_excluded")


def test_api_refusals(pp_api, other_pp_api, sec_api, anon, cycle, poa):
    base = f"/api/projects/{poa.key}/components/"
    assert_error(anon.post(base, _body(), format="json"), 401)
    for api in (other_pp_api, sec_api):
        assert_error(api.post(base, {}, format="json"), 403, "forbidden")
    assert_error(pp_api.post(base, _body(title=""), format="json"), 400, field="title")
    assert_error(
        pp_api.post(base, _body(included_on="2999-01-01"), format="json"),
        400,
        "future_date",
        "included_on",
    )
    plain = cycle.final()
    assert_error(
        pp_api.post(f"/api/projects/{plain.key}/components/", _body(), format="json"),
        409,
        "not_poa",
    )
    assert_error(anon.get(f"{base}1/"), 404)
    assert_error(anon.get(f"{base}0/"), 404)
    pp_api.post(base, _body(), format="json")
    assert_error(
        other_pp_api.post(f"{base}1/exclude/", {"excluded_on": "2010-01-01", "reason": "x"}),
        403,
    )
    assert_error(
        pp_api.post(f"{base}1/exclude/", {"excluded_on": "2009-01-01", "reason": "x"}),
        400,
        field="excluded_on",
    )
    assert not Event.objects.filter(kind="component_excluded").exists()


@pytest.mark.parametrize("n", [1, 12])
def test_api_list_query_budget(anon, cycle, poa, n, django_assert_max_num_queries):
    _include(cycle, poa, n)
    with django_assert_max_num_queries(BUDGET):
        body = anon.get(f"/api/projects/{poa.key}/components/").json()
    assert body["count"] == n
