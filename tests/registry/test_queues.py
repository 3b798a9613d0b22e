"""Each role's work queue on its dashboard and its count in the navigation (issue 15): every
item links to the act that clears it, the counts agree with the lists, and the pages stay within
the query budget with one item or many."""

import datetime as dt
import re
from datetime import date as D

import pytest

from determinations import verification as vwf
from fees import services as fee_services
from fees.models import Invoice
from projects import changes
from projects import workflow as wf
from registry import queues
from reviews.models import Meeting
from tests.factories import PartyFactory, UserFactory, pdf_upload
from tests.support import queries_for, seat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]


def page(client, url="/dashboard/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, key: str) -> str:
    found = re.search(
        rf'<(section) class="panel queue" id="queue-{key}".*?</section>|<li id="queue-{key}">.*?</li>',
        html,
        re.S,
    )
    assert found, key
    return found.group(0)


def nav_count(html: str) -> int:
    found = re.search(r'href="/dashboard/">[^<]*(?:<span class="count"[^>]*>(\d+)</span>)?', html)
    assert found
    return int(found.group(1) or 0)


def settle_invoices(cycle, project) -> None:
    for invoice in Invoice.objects.filter(project=project, status__in=Invoice.OPEN):
        balance = invoice.amount_usd - invoice.paid_usd - invoice.credited_usd
        fee_services.record_payment(cycle.secretariat, invoice, amount=str(balance), reference="B")


def submitted_verification(cycle, submit_report, verify, project):
    report = submit_report(project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    return verify(report, {2009: 10000})


def published_verification(cycle, submit_report, verify, project):
    ver = submitted_verification(cycle, submit_report, verify, project)
    settle_invoices(cycle, project)
    return vwf.publish_verification(cycle.secretariat, ver)


def final_verification(cycle, submit_report, verify, project):
    ver = published_verification(cycle, submit_report, verify, project)
    vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1))
    ver.refresh_from_db()
    return ver


# --- the secretariat ---------------------------------------------------------------------------


def test_secretariat_queues_list_every_kind_of_work(
    client, cycle, secretariat, submit_report, verify
):
    pdd = cycle.submitted(title="PDD waiting")
    report = cycle.determination_submitted(title="Report waiting")
    published = cycle.determination_published(title="Without appraisers")
    final = cycle.final(title="Verified", crediting_start=D(2009, 1, 1))
    ver = submitted_verification(cycle, submit_report, verify, final)
    client.force_login(secretariat)
    html = page(client)
    assert f"/projects/{pdd.key}/check-pdd/" in section(html, "pdds")
    reports = section(html, "reports")
    assert f"/projects/{report.key}/determination/check/" in reports
    assert f"/projects/{report.key}/fee/payment/" in reports  # the fee is recorded in place
    assert f"/projects/{published.key}/appraisal/appoint/" in section(html, "unappraised")
    verifications = section(html, "verifications")
    assert f"/projects/{final.key}/verifications/{ver.number}/publish/" in verifications
    invoices = section(html, "invoices")
    invoice = Invoice.objects.get(project=report, kind="determination")
    assert f"/fees/invoices/{invoice.number}/" in invoices
    assert "balance due USD 8,500.00" in invoices
    counted = queues.counts(secretariat)
    # what the navigation shows is what the queues hold
    assert nav_count(html) == queues.total(counted) > 0
    assert counted["pdds"] == counted["reports"] == counted["verifications"] == 1


def test_a_queue_shows_its_first_items_and_counts_the_rest(client, cycle, secretariat, monkeypatch):
    for i in range(3):
        cycle.submitted(title=f"PDD {i}")
    monkeypatch.setattr(queues, "SHOWN", 2)
    client.force_login(secretariat)
    pdds = section(page(client), "pdds")
    assert pdds.count("/check-pdd/") == 2
    assert "and 1 more" in pdds
    assert '<span class="count"' in pdds and ">3</span>" in pdds


def test_minutes_of_a_past_meeting_wait_for_publication(client, secretariat):
    today = dt.date.today()
    Meeting.objects.create(
        number=41, starts_on=today - dt.timedelta(days=3), ends_on=today - dt.timedelta(days=2)
    )
    Meeting.objects.create(number=42, starts_on=today, ends_on=today + dt.timedelta(days=1))
    client.force_login(secretariat)
    minutes = section(page(client), "minutes")
    assert "/reviews/meetings/41/minutes/" in minutes
    assert "/reviews/meetings/42/" not in minutes  # not over yet


def test_nothing_to_do_says_so_and_shows_no_count(client, secretariat):
    client.force_login(secretariat)
    html = page(client)
    assert "Nothing waits for you right now." in html
    assert nav_count(html) == 0
    assert "No PDD is waiting for a check." in section(html, "pdds")


def test_the_count_is_on_every_page_of_a_logged_in_user(client, cycle, secretariat):
    cycle.submitted()
    client.force_login(secretariat)
    assert nav_count(page(client, "/projects/")) == 1
    client.logout()
    assert '<span class="count"' not in page(client, "/projects/")


# --- the AIE -----------------------------------------------------------------------------------


def test_aie_queues(client, cycle, participant, aie_user, submit_report):
    draft = cycle.draft(title="Asks the AIE")
    wf.add_document(participant, draft, kind="pdd", title="PDD", uploaded=pdf_upload())
    engagement = wf.engage_aie(participant, draft, aie_user.organisation)
    engaged = cycle.engaged(title="To submit")
    closed = cycle.comments_closed(title="To determine")
    final = cycle.final(title="Monitored", crediting_start=D(2009, 1, 1))
    report = submit_report(final, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    client.force_login(aie_user)
    html = page(client)
    assert f"/engagements/{engagement.pk}/decide/" in section(html, "engagements")
    projects = section(html, "projects")
    assert f"/projects/{engaged.key}/submit-pdd/" in projects
    assert f"/projects/{closed.key}/determination/" in projects
    assert f"/monitoring/{report.pk}/verify/" in section(html, "monitoring")
    assert nav_count(html) == 4


def test_aie_queue_asks_for_answers_to_comments(client, cycle, aie_user):
    project = cycle.open(title="Commented")
    wf.add_comment(
        project,
        name="Olena",
        affiliation="",
        category="stakeholder",
        email="o@example.org",
        text="Why?",
    )
    client.force_login(aie_user)
    projects = section(page(client), "projects")
    assert f"/projects/{project.key}/#comments" in projects
    assert "1 comment without an answer" in projects


# --- the participants --------------------------------------------------------------------------


def test_participant_queues_show_drafts_invoices_and_the_next_step(client, cycle, participant):
    draft = cycle.draft(title="Still a draft")
    owed = cycle.determination_submitted(title="Fee owed")
    final = cycle.final(title="Now final")
    client.force_login(participant)
    html = page(client)
    assert f'href="/projects/{draft.key}/"' in section(html, "drafts")
    invoices = section(html, "invoices")
    invoice = Invoice.objects.get(project=owed, kind="determination")
    assert f"/fees/invoices/{invoice.number}/" in invoices
    assert f"quote {invoice.number} with the payment" in invoices
    assert 'href="/registry-accounts/"' in html
    assert "balance due USD 8,500.00" in invoices
    assert 'href="/fees/owed/"' in invoices
    assert final.title in html
    assert "submit a monitoring report to an AIE" in html  # the next step after final
    assert nav_count(html) == 2  # the draft and the invoice


# --- the focal point ---------------------------------------------------------------------------


def test_focal_point_queues(client, cycle, party_user, submit_report, verify):
    unapproved = cycle.draft(title="Needs approval")
    window = cycle.determination_published(title="In its window")
    verified = cycle.final(title="Verified", crediting_start=D(2009, 1, 1))
    ver = published_verification(cycle, submit_report, verify, verified)
    issuable = cycle.final(title="Issuable", crediting_start=D(2009, 1, 1))
    final_ver = final_verification(cycle, submit_report, verify, issuable)
    client.force_login(party_user)
    html = page(client)
    assert f'href="/projects/{unapproved.key}/#parties"' in section(html, "approvals")
    assert f"/projects/{window.key}/review/request/" in section(html, "determinations")
    assert f"/projects/{verified.key}/verifications/{ver.number}/review/" in section(
        html, "verifications"
    )
    erus = section(html, "erus")
    assert f"/projects/{issuable.key}/verifications/{final_ver.number}/issue/" in erus
    assert "10,000 ERUs still to issue" in erus
    assert "/parties/UA/issuance/" in html
    assert "Projects your Party hosts" in html
    assert nav_count(html) == 4


def test_focal_point_is_asked_to_approve_its_party_joining_a_final_project(
    client, cycle, participant
):
    """A request to add a Party involved waits for that Party's approval (para 33 (a)): its
    focal point finds it in its queue, with the act that clears it, and the count says so."""
    poland = PartyFactory(code="PL", name="Poland")
    focal_point = UserFactory(username="dfp_pl", role="party", party=poland)
    final = cycle.final(title="Gains a Party")
    change = changes.request_change(
        participant,
        final,
        kind="add_party",
        party=poland,
        reason="A Polish buyer joins the project.",
        consent_declared=True,
    )
    client.force_login(focal_point)
    html = page(client)
    joining = section(html, "joining")
    assert f"/participation-changes/{change.pk}/approve/" in joining
    assert "Gains a Party" in joining
    assert nav_count(html) == 1
    one = queries_for(client, "/dashboard/")
    for n in range(3):
        changes.request_change(
            participant,
            cycle.final(title=f"Also gains a Party {n}"),
            kind="add_party",
            party=poland,
            reason="Another buyer.",
            consent_declared=True,
        )
    assert queries_for(client, "/dashboard/") == one <= 10
    assert nav_count(page(client)) == 4


# --- the JISC ----------------------------------------------------------------------------------


def test_jisc_member_sees_the_windows_open_to_a_request(
    client, cycle, jisc_user, submit_report, verify
):
    window = cycle.determination_published(title="In its window")
    verified = cycle.final(title="Verified", crediting_start=D(2009, 1, 1))
    ver = published_verification(cycle, submit_report, verify, verified)
    client.force_login(jisc_user)
    assert "No determination is in its 45-day period." in section(page(client), "determinations")
    seat(jisc_user)  # only a sitting member asks (para 35)
    html = page(client)
    assert f"/projects/{window.key}/review/request/" in section(html, "determinations")
    assert f"/projects/{verified.key}/verifications/{ver.number}/review/" in section(
        html, "verifications"
    )
    assert "No appraisal is waiting for you." in section(html, "seats")


# --- query budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user_fixture", ["participant", "aie_user", "secretariat", "jisc_user", "party_user"]
)
def test_every_dashboard_keeps_its_query_budget_with_one_item_or_many(
    client, cycle, request, user_fixture, submit_report, verify
):
    user = request.getfixturevalue(user_fixture)
    if user_fixture == "jisc_user":
        seat(user)

    def work():
        cycle.draft()
        cycle.submitted()
        cycle.determination_submitted()
        cycle.determination_published()
        final = cycle.final(crediting_start=D(2009, 1, 1))
        submitted_verification(cycle, submit_report, verify, final)

    work()
    client.force_login(user)
    one = queries_for(client, "/dashboard/")
    work()
    work()
    assert queries_for(client, "/dashboard/") == one <= 10


def test_aie_is_told_the_participants_must_upload_the_pdd(client, cycle, participant, aie_user):
    draft = cycle.draft(title="No PDD yet")
    engagement = wf.engage_aie(participant, draft, aie_user.organisation)
    wf.decide_engagement(aie_user, engagement, accept=True)
    client.force_login(aie_user)
    projects = section(page(client), "projects")
    assert "waiting for the participants to upload the PDD" in projects
    assert f"/projects/{draft.key}/submit-pdd/" not in projects
