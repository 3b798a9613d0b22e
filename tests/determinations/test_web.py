"""Browser pages for monitoring, verification (F-JI-VRep) and ERU issuance: happy paths,
refusals that change nothing, and query budgets."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from determinations import accounts, issuance
from determinations import verification as vwf
from determinations.models import (
    AauLedgerEntry,
    EruBlock,
    EruIssuance,
    ImplementationChange,
    MonitoringReport,
    Verification,
)
from fees import services as fee_services
from reviews.models import ReviewRequest
from tests.factories import UserFactory, pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date
BUDGET = 10


def as_user(client, user):
    client.force_login(user)
    return client


def url(project, tail=""):
    return f"/projects/{project.key}/{tail}"


def counted(client, path) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries), response


@pytest.fixture
def report(final_project, submit_report):
    """Monitoring report 1: 2009, 10,000 t claimed (its fee is covered by the advance)."""
    return submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})


@pytest.fixture
def filed(report, verify):
    return verify(report, {2009: 10000})


@pytest.fixture
def published(filed, cycle):
    return vwf.publish_verification(cycle.secretariat, filed)


@pytest.fixture
def final_ver(published):
    vwf.deem_verification_final(
        published.pk, published.review_window_closes_at + dt.timedelta(seconds=1)
    )
    return Verification.objects.get(pk=published.pk)


@pytest.fixture
def issued(final_ver, party_user, final_project):
    issuance.record_aau_holding(party_user, final_project.host_party, quantity=50000)
    return issuance.issue_erus(
        party_user, final_ver, blocks=[{"serial_start": 1001, "serial_end": 5000}]
    )


# --- the monitoring page ---------------------------------------------------------------------------


def test_monitoring_page_public_lists_reports_and_reconciliation(client, report, final_project):
    response = client.get(url(final_project, "monitoring/"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 Jan 2009 – 31 Dec 2009" in text
    assert report.aie.name in text
    assert f"/documents/{report.report_id}/download/" in text
    rows = response.context["reconciliation"]
    assert rows[1] == {
        "year": 2009,
        "expected": 50000,
        "claimed": 10000,
        "verified": 0,
        "issued": 0,
    }
    assert "Submit a monitoring report" not in text
    assert "/withdraw/" not in text


def test_monitoring_page_hides_unpublished_verification_from_public(client, filed, final_project):
    response = client.get(url(final_project, "monitoring/"))
    assert response.context["verifications"] == []
    assert "F-JI-VRep (1)" not in response.content.decode()


def test_monitoring_page_participant_actions(client, report, participant, final_project):
    text = as_user(client, participant).get(url(final_project, "monitoring/")).content.decode()
    assert "Submit a monitoring report" in text
    assert "Record a change" in text
    assert f"/monitoring/{report.pk}/withdraw/" in text
    assert "File the verification" not in text


def test_monitoring_page_aie_sees_file_button(client, report, aie_user, final_project):
    text = as_user(client, aie_user).get(url(final_project, "monitoring/")).content.decode()
    assert f"/monitoring/{report.pk}/verify/" in text
    assert "File the verification (F-JI-VRep)" in text


def test_monitoring_page_secretariat_sees_publish_and_fee(
    client, filed, secretariat, final_project
):
    text = as_user(client, secretariat).get(url(final_project, "monitoring/")).content.decode()
    assert f"/projects/{final_project.key}/verifications/1/publish/" in text
    assert f"/projects/{final_project.key}/fee/" in text


def test_monitoring_page_window_and_review_button(client, published, party_user, final_project):
    response = as_user(client, party_user).get(url(final_project, "monitoring/"))
    text = response.content.decode()
    assert "Request a review (F-JI-VR)" in text
    assert "closes " in text and "left" in text
    assert f"/documents/{published.report_id}/download/" in text


def test_monitoring_page_unknown_project_404(client, db):
    assert client.get("/projects/nope/monitoring/").status_code == 404


# --- monitoring report form ------------------------------------------------------------------------


def _report_post(aie, start="2009-01-01", end="2009-12-31", claimed="2009: 25,000"):
    return {
        "period_start": start,
        "period_end": end,
        "aie": aie.pk,
        "claimed": claimed,
        "report": pdf_upload("mr.pdf"),
        "doc1_title": "Meter log",
        "doc1_file": pdf_upload("log.pdf"),
    }


def test_monitoring_new_submits_report(client, participant, aie_org, final_project):
    response = as_user(client, participant).post(
        url(final_project, "monitoring/new/"), _report_post(aie_org)
    )
    assert response.status_code == 302
    assert response["Location"] == url(final_project, "monitoring/")
    mr = MonitoringReport.objects.get(project=final_project)
    assert (mr.number, mr.claimed, mr.aie) == (1, {"2009": 25000}, aie_org)


def test_monitoring_new_form_lists_only_verification_aies(client, participant, final_project):
    response = as_user(client, participant).get(url(final_project, "monitoring/new/"))
    assert response.status_code == 200
    assert list(response.context["form"].fields["aie"].queryset) == [final_project.aie]


def test_monitoring_new_overlap_names_the_report(client, participant, report, final_project):
    response = as_user(client, participant).post(
        url(final_project, "monitoring/new/"),
        _report_post(report.aie, start="2009-06-01", end="2010-05-31", claimed="2010: 5"),
    )
    assert response.status_code == 409
    assert "overlaps monitoring report 1 (1 Jan 2009–31 Dec 2009)" in response.content.decode()
    assert MonitoringReport.objects.count() == 1


@pytest.mark.parametrize(
    "claimed, start, message",
    [
        ("2009 25000", "2009-01-01", "is not a line like"),
        ("2009: 1\n2009: 2", "2009-01-01", "2009 is given twice"),
        ("2011: 5", "2009-01-01", "outside the monitoring period"),
        ("2009: 5", "2007-12-31", "1 January 2008 or later"),
    ],
)
def test_monitoring_new_bad_input_on_form(
    client, participant, aie_org, final_project, claimed, start, message
):
    response = as_user(client, participant).post(
        url(final_project, "monitoring/new/"),
        _report_post(aie_org, start=start, claimed=claimed),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MonitoringReport.objects.exists()


def test_monitoring_new_refused_to_others(client, other_participant, aie_user, final_project):
    for user in (other_participant, aie_user):
        response = as_user(client, user).post(url(final_project, "monitoring/new/"), {})
        assert response.status_code == 403
    client.logout()
    assert client.get(url(final_project, "monitoring/new/")).status_code == 302


# --- changes ---------------------------------------------------------------------------------------


def test_change_new_records_change(client, participant, final_project):
    response = as_user(client, participant).post(
        url(final_project, "changes/new/"),
        {"description": "Second boiler added.", "justification": "Higher demand."},
    )
    assert response.status_code == 302
    change = ImplementationChange.objects.get()
    assert (change.description, change.addressed_in) == ("Second boiler added.", None)


def test_change_new_requires_justification(client, participant, final_project):
    response = as_user(client, participant).post(
        url(final_project, "changes/new/"), {"description": "x", "justification": "  "}
    )
    assert response.status_code == 400
    assert not ImplementationChange.objects.exists()


# --- verification ----------------------------------------------------------------------------------


def _verify_post(**over):
    data = {
        "verified": "2009: 9500",
        "findings": "Meters calibrated.",
        "conditions_hold": "yes",
        "conditions_reasons": "Nothing changed that matters.",
        "no_overlap_declared": "on",
    }
    return {**data, **over}


def test_verification_file_with_change_opinion(client, report, aie_user, participant, cycle):
    change = vwf.record_change(
        participant, report.project, description="New meter.", justification="Old one broke."
    )
    page = as_user(client, aie_user).get(f"/monitoring/{report.pk}/verify/")
    assert "New meter." in page.content.decode()
    response = client.post(
        f"/monitoring/{report.pk}/verify/",
        _verify_post(**{f"change_{change.pk}": "Acceptable: same accuracy class."}),
    )
    assert response.status_code == 302
    ver = Verification.objects.get()
    assert (ver.verified, ver.verified_total, ver.status) == ({"2009": 9500}, 9500, "submitted")
    change.refresh_from_db()
    assert (change.addressed_in, change.aie_opinion) == (ver, "Acceptable: same accuracy class.")


def test_verification_file_needs_opinion_on_every_change(client, report, aie_user, participant):
    vwf.record_change(participant, report.project, description="A", justification="B")
    response = as_user(client, aie_user).post(f"/monitoring/{report.pk}/verify/", _verify_post())
    assert response.status_code == 400
    assert not Verification.objects.exists()


def test_verification_file_needs_declaration(client, report, aie_user):
    data = _verify_post()
    del data["no_overlap_declared"]
    response = as_user(client, aie_user).post(f"/monitoring/{report.pk}/verify/", data)
    assert response.status_code == 400
    assert "Declare that the period does not overlap" in response.content.decode()
    assert not Verification.objects.exists()
    report.refresh_from_db()
    assert report.status == "submitted"


def test_verification_file_twice_is_409(client, filed, aie_user):
    response = as_user(client, aie_user).post(
        f"/monitoring/{filed.monitoring_report_id}/verify/", _verify_post()
    )
    assert response.status_code == 409
    assert "not waiting for verification" in response.content.decode()
    assert Verification.objects.count() == 1


def test_verification_file_refusals(client, report, other_aie_user, participant):
    assert (
        as_user(client, other_aie_user).get(f"/monitoring/{report.pk}/verify/").status_code == 403
    )
    assert as_user(client, participant).get(f"/monitoring/{report.pk}/verify/").status_code == 403
    assert client.get("/monitoring/999999/verify/").status_code == 404
    assert client.get(f"/monitoring/{2**70}/verify/").status_code == 404


# --- publication -----------------------------------------------------------------------------------


def test_publish_refused_until_fee_settled(client, final_project, submit_report, verify, cycle):
    report = submit_report(final_project, D(2009, 7, 1), D(2010, 6, 30), {2009: 25000, 2010: 25000})
    ver = verify(report, {2009: 24000, 2010: 25000})
    client = as_user(client, cycle.secretariat)
    page = client.get(url(final_project, "verifications/1/publish/"))
    assert "Due" in page.content.decode()
    response = client.post(url(final_project, "verifications/1/publish/"), {})
    assert response.status_code == 409
    assert "The verification fee is not paid or covered yet" in response.content.decode()
    assert Verification.objects.get(pk=ver.pk).status == "submitted"
    fee = final_project.fees.get(kind="verification")
    fee_services.record_payment(
        cycle.secretariat, fee.invoices.get(), amount="3500.00", reference="V1"
    )
    response = client.post(url(final_project, "verifications/1/publish/"), {})
    assert response.status_code == 200  # publication cannot be undone: it asks first
    assert Verification.objects.get(pk=ver.pk).status == "submitted"
    response = client.post(url(final_project, "verifications/1/publish/"), {"confirmed": "yes"})
    assert response.status_code == 302
    ver.refresh_from_db()
    assert ver.status == "published" and ver.review_window_closes_at is not None


def test_publish_refusals(client, filed, participant, final_project, secretariat):
    path = url(final_project, "verifications/1/publish/")
    assert as_user(client, participant).post(path, {}).status_code == 403
    assert (
        as_user(client, secretariat).get(url(final_project, "verifications/9/publish/")).status_code
        == 404
    )
    assert client.get(url(final_project, "verifications/99999999/publish/")).status_code == 404
    assert Verification.objects.get().status == "submitted"


def test_publish_twice_is_409(client, published, secretariat, final_project):
    response = as_user(client, secretariat).post(url(final_project, "verifications/1/publish/"), {})
    assert response.status_code == 409


# --- review request (F-JI-VR) ----------------------------------------------------------------------


def test_review_request_by_host_dfp(client, published, party_user, final_project):
    response = as_user(client, party_user).post(
        url(final_project, "verifications/1/review/"),
        {"summary": "Data incomplete.", "baseline_monitoring": "March 2009 missing."},
    )
    assert response.status_code == 302
    req = ReviewRequest.objects.get()
    assert (req.verification, req.by) == (published, "party")
    assert Verification.objects.get().status == "under_review"


def test_review_request_refusals(client, published, participant, final_project):
    path = url(final_project, "verifications/1/review/")
    assert as_user(client, participant).post(path, {"summary": "x"}).status_code == 403
    outsider = UserFactory(username="dfp2", role="party", party=None)
    assert as_user(client, outsider).get(path).status_code == 403
    assert not ReviewRequest.objects.exists()


def test_review_request_needs_summary(client, published, party_user, final_project):
    response = as_user(client, party_user).post(url(final_project, "verifications/1/review/"), {})
    assert response.status_code == 400
    assert not ReviewRequest.objects.exists()


def test_review_request_after_window_is_409(client, final_ver, party_user, final_project):
    response = as_user(client, party_user).post(
        url(final_project, "verifications/1/review/"), {"summary": "Too late?"}
    )
    assert response.status_code == 409
    assert "15-day window" in response.content.decode()


def test_review_request_unpublished_is_404_for_party(client, filed, party_user, final_project):
    response = as_user(client, party_user).get(url(final_project, "verifications/1/review/"))
    assert response.status_code == 404


# --- issuance and transfer -------------------------------------------------------------------------


def test_issue_erus(client, final_ver, party_user, final_project):
    issuance.record_aau_holding(party_user, final_project.host_party, quantity=20000)
    client = as_user(client, party_user)
    assert "Issue ERUs" in client.get(url(final_project, "monitoring/")).content.decode()
    issue = {"blocks": "1001-5000\n6001 - 7000", "commitment_period": "1"}
    response = client.post(url(final_project, "verifications/1/issue/"), issue)
    assert response.status_code == 200  # an issuance cannot be undone: it asks first
    assert "Issue 5,000 ERUs for" in response.content.decode()
    assert not EruIssuance.objects.exists()
    response = client.post(
        url(final_project, "verifications/1/issue/"), {**issue, "confirmed": "yes"}
    )
    assert response.status_code == 302
    iss = EruIssuance.objects.get()
    assert iss.quantity == 5000
    assert sorted(EruBlock.objects.values_list("serial_start", "serial_end")) == [
        (1001, 5000),
        (6001, 7000),
    ]
    assert issuance.aau_balance(final_project.host_party) == 15000


def test_issue_more_than_verified_is_409(client, final_ver, party_user, final_project):
    issuance.record_aau_holding(party_user, final_project.host_party, quantity=50000)
    response = as_user(client, party_user).post(
        url(final_project, "verifications/1/issue/"),
        {"blocks": "1-10001", "commitment_period": "1"},
    )
    assert response.status_code == 409
    assert "would exceed the verified reductions" in response.content.decode()
    assert not EruIssuance.objects.exists()


def test_issue_bad_blocks_400(client, final_ver, party_user, final_project):
    response = as_user(client, party_user).post(
        url(final_project, "verifications/1/issue/"), {"blocks": "10-5", "commitment_period": "1"}
    )
    assert response.status_code == 400
    response = client.post(
        url(final_project, "verifications/1/issue/"), {"blocks": "abc", "commitment_period": "1"}
    )
    assert response.status_code == 400
    assert not EruIssuance.objects.exists()


def test_issue_refused_to_others(client, final_ver, jisc_user, participant, final_project):
    for user in (jisc_user, participant):
        response = as_user(client, user).post(
            url(final_project, "verifications/1/issue/"), {"blocks": "1-5"}
        )
        assert response.status_code == 403
    assert not EruIssuance.objects.exists()


def test_issue_before_final_is_409(client, published, party_user, final_project):
    issuance.record_aau_holding(party_user, final_project.host_party, quantity=50000)
    response = as_user(client, party_user).post(
        url(final_project, "verifications/1/issue/"), {"blocks": "1-5", "commitment_period": "1"}
    )
    assert response.status_code == 409
    assert "once the verification is final" in response.content.decode()


def test_transfer_splits_block(client, issued, party_user, participant, final_project):
    # The participants name the account (determinations.accounts); the focal point chooses it.
    account = accounts.add_registry_account(
        participant,
        registry_party=final_project.host_party,
        identifier="UA-100-1000001-0-1",
        holder="Green Carbon Ltd",
    )
    block = EruBlock.objects.get()
    client = as_user(client, party_user)
    assert (
        f"/eru-blocks/{block.pk}/transfer/"
        in client.get(url(final_project, "monitoring/")).content.decode()
    )
    transfer = {"quantity": "1000", "account_id": account.pk}
    response = client.post(f"/eru-blocks/{block.pk}/transfer/", transfer)
    assert response.status_code == 200  # a transfer cannot be undone: it asks first
    assert "Transfer 1,000 ERUs to UA-100-1000001-0-1?" in response.content.decode()
    assert EruBlock.objects.count() == 1
    response = client.post(f"/eru-blocks/{block.pk}/transfer/", {**transfer, "confirmed": "yes"})
    assert response.status_code == 302
    active = EruBlock.objects.filter(active=True).order_by("serial_start")
    assert [(b.serial_start, b.serial_end, b.account) for b in active] == [
        (1001, 2000, "UA-100-1000001-0-1"),
        (2001, 5000, "UA national registry"),
    ]


def test_transfer_refusals(client, issued, participant, party_user, japan):
    block = EruBlock.objects.get()
    ua = accounts.add_registry_account(
        participant, registry_party=block.originating_party, identifier="UA-100-1-0-1", holder="G"
    )
    jp = accounts.add_registry_account(
        participant, registry_party=japan, identifier="JP-100-1-0-1", holder="G"
    )
    path = f"/eru-blocks/{block.pk}/transfer/"
    assert (
        as_user(client, participant).post(path, {"quantity": "1", "account_id": ua.pk}).status_code
        == 403
    )
    client = as_user(client, party_user)
    response = client.post(path, {"quantity": "5000", "account_id": ua.pk})
    assert response.status_code == 409
    assert "The block holds 4,000 ERUs." in response.content.decode()
    assert client.post(path, {"quantity": "-1", "account_id": ua.pk}).status_code == 400
    assert client.get("/eru-blocks/999999/transfer/").status_code == 404
    # To a registry of a Party involved that has not approved the project (para 33 (a)).
    block.issuance.verification.project.parties_involved.add(japan)
    assert f'value="{jp.pk}"' in client.get(path).content.decode()
    response = client.post(path, {"quantity": "1", "account_id": jp.pk})
    assert response.status_code == 409
    assert "written approval of the project is on record" in response.content.decode()
    assert EruBlock.objects.filter(active=True).count() == 1
    assert EruBlock.objects.get().active


# --- withdrawal ------------------------------------------------------------------------------------


def test_withdraw_report(client, filed, participant):
    path = f"/monitoring/{filed.monitoring_report_id}/withdraw/"
    response = as_user(client, participant).post(path, {"reason": "Data error", "confirm": "on"})
    assert response.status_code == 302
    assert MonitoringReport.objects.get().status == "withdrawn"
    assert Verification.objects.get().status == "withdrawn"


def test_withdraw_refusals(client, final_ver, participant, other_participant):
    path = f"/monitoring/{final_ver.monitoring_report_id}/withdraw/"
    assert as_user(client, other_participant).post(path, {"confirm": "on"}).status_code == 403
    response = as_user(client, participant).post(path, {"confirm": "on"})
    assert response.status_code == 409
    assert "can no longer be withdrawn" in response.content.decode()
    assert client.post("/monitoring/424242/withdraw/", {"confirm": "on"}).status_code == 404
    assert MonitoringReport.objects.get().status == "final"


# --- the Party's issuance page ---------------------------------------------------------------------


def test_party_page_public(client, issued, final_project):
    response = client.get("/parties/ua/issuance/")
    assert response.status_code == 200
    assert response.context["balance"] == 46000
    text = response.content.decode()
    assert "1001–5000" in text and "AAUs converted to ERUs" in text
    assert "Record the AAUs" not in text


def test_party_page_dfp_records_holding(client, party_user, ukraine):
    client = as_user(client, party_user)
    response = client.post(
        "/parties/UA/issuance/", {"commitment_period": "1", "quantity": "1200", "note": "2008"}
    )
    assert response.status_code == 302
    assert issuance.aau_balance(ukraine) == 1200
    # The holding as it stands, not an addition: stating 1,000 makes the balance 1,000.
    client.post("/parties/UA/issuance/", {"commitment_period": "1", "quantity": "1000"})
    assert issuance.aau_balances(ukraine) == {1: 1000, 2: 0}
    for bad in (
        {"commitment_period": "1", "quantity": "-1"},
        {"commitment_period": "3", "quantity": "5"},
        {"quantity": "5"},
    ):
        response = client.post("/parties/UA/issuance/", bad)
        assert response.status_code == 400
        assert "errorlist" in response.content.decode()
    assert AauLedgerEntry.objects.count() == 2


def test_party_page_refusals(client, participant, japan, ukraine):
    assert (
        as_user(client, participant).post("/parties/UA/issuance/", {"quantity": "5"}).status_code
        == 403
    )
    assert client.get("/parties/ZZ/issuance/").status_code == 404
    assert client.get("/parties/toolong/issuance/").status_code == 404
    assert not AauLedgerEntry.objects.exists()


# --- query budgets ---------------------------------------------------------------------------------


def _many(project, submit_report, verify, party_user, cycle, n=3):
    """n verified, published, final and issued reports, plus a change each."""
    issuance.record_aau_holding(party_user, project.host_party, quantity=10**6)
    for i in range(n):
        year = 2010 + i
        vwf.record_change(cycle.participant, project, description=f"C{i}", justification="J")
        report = submit_report(project, D(year, 1, 1), D(year, 12, 31), {year: 1000})
        change = project.changes.get(description=f"C{i}")
        ver = vwf.submit_verification(
            cycle.aie_user,
            report,
            verified={year: 1000},
            findings="ok",
            change_opinions={str(change.pk): "fine"},
            conditions_hold=True,
            conditions_reasons="hold",
            no_overlap_declared=True,
        )
        fee = project.fees.get(kind="verification", number=ver.number)
        if not fee.settled:
            fee_services.record_payment(
                cycle.secretariat, fee.invoices.get(), amount=str(fee.due_usd), reference=f"V{i}"
            )
        ver = vwf.publish_verification(cycle.secretariat, ver)
        vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1))
        ver.refresh_from_db()
        start = 100000 * (i + 1)
        issuance.issue_erus(
            party_user, ver, blocks=[{"serial_start": start, "serial_end": start + 499}]
        )


@pytest.mark.parametrize(
    "role", ["anonymous", "participant", "aie_user", "secretariat", "party_user"]
)
def test_monitoring_page_query_budget(
    client, request, role, issued, final_project, submit_report, verify, party_user, cycle
):
    if role != "anonymous":
        as_user(client, request.getfixturevalue(role))
    one, _ = counted(client, url(final_project, "monitoring/"))
    _many(final_project, submit_report, verify, party_user, cycle)
    many, response = counted(client, url(final_project, "monitoring/"))
    assert len(response.context["verifications"]) == 4
    assert (one, many) == (one, one) and one <= BUDGET, (one, many)


@pytest.mark.parametrize("role", ["anonymous", "party_user"])
def test_party_page_query_budget(
    client, request, role, issued, final_project, submit_report, verify, party_user, cycle
):
    if role != "anonymous":
        as_user(client, request.getfixturevalue(role))
    one, _ = counted(client, "/parties/UA/issuance/")
    _many(final_project, submit_report, verify, party_user, cycle)
    many, response = counted(client, "/parties/UA/issuance/")
    assert len(response.context["issuances"]) == 4
    assert (one, many) == (one, one) and one <= BUDGET, (one, many)
