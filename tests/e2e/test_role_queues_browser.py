"""Every role's day (issue 15): each person starts at their dashboard and does their part of the
cycle from their work queue alone — no typed address — from a draft to ERUs issued.

The participants engage the AIE from their drafts; the host's focal point approves from its
approvals; the AIE answers the engagement and submits the PDD; the secretariat checks and
publishes it; after the comment period the AIE files F-JI-DRep; the participants find how to pay
their invoice; the secretariat records the fee and publishes the report; a JISC member finds the
review window; after finality the AIE verifies the monitoring report, the secretariat publishes
F-JI-VRep, and after 15 days the focal point issues the ERUs. Screenshots go to
test-artifacts/queues/.
"""

import datetime as dt
import shutil

import pytest
import time_machine
from django.utils import timezone

from determinations import verification as vwf
from determinations.models import MonitoringReport, Verification
from projects import workflow as wf
from projects.models import Project
from registry import clock
from tests.factories import pdf_upload, project_data
from tests.support import ARTIFACTS, Actor, seat

SHOTS = ARTIFACTS / "queues"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_pdfs")]


class QueueActor(Actor):
    shots = SHOTS

    def from_queue(self, queue: str, title: str, shot: str | None = None):
        """Open the dashboard, find ``title`` in the queue ``queue`` and press its action."""
        page = self.go("/dashboard/")
        item = page.locator(f"#queue-{queue} li.task", has_text=title)
        assert item.count() == 1, (queue, title, page.inner_text("main"))
        if shot:
            self.shot(shot)
        with page.expect_navigation():
            item.locator(".task-actions a.button").click()
        return page


@pytest.mark.django_db(transaction=True)
def test_each_role_does_its_part_from_its_queue(
    browser, live_server, cycle, participant, aie_user, secretariat, party_user, jisc_user, ukraine
):
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    base = live_server.url
    title = "Landfill gas capture at Lutsk"
    start = timezone.now().replace(microsecond=0)
    draft = wf.create_project(participant, **project_data(ukraine, title=title))
    draft.crediting_start, draft.crediting_end = dt.date(2009, 1, 1), dt.date(2012, 12, 31)
    draft.save(update_fields=["crediting_start", "crediting_end"])
    wf.add_document(participant, draft, kind="pdd", title="PDD", uploaded=pdf_upload())

    with time_machine.travel(start, tick=True):
        # Participants: the draft is in their queue; engage the AIE from its page.
        pp = QueueActor(browser, base, "participant")
        page = pp.from_queue("drafts", title, shot="01-participant-queue")
        with page.expect_navigation():
            page.get_by_role("link", name="Engage an AIE").click()
        page.select_option("select[name=aie]", label=aie_user.organisation.name)
        pp.submit()
        pp.close()

        # The host's focal point: the approval to give.
        dfp = QueueActor(browser, base, "party")
        page = dfp.from_queue("approvals", title, shot="02-focal-point-queue")
        with page.expect_navigation():
            page.get_by_role("link", name="Record your letter of approval").click()
        page.fill("input[name=issued_on]", start.date().isoformat())
        page.fill("input[name=reference]", "UA-LoA-7")
        dfp.submit()
        dfp.close()

        # The AIE: answer the engagement, then submit the PDD (confirmed: it cannot be undone).
        aie = QueueActor(browser, base, "aie")
        page = aie.from_queue("engagements", title, shot="03-aie-queue")
        page.check("input[name=decision][value=accept]")
        aie.submit()
        aie.from_queue("projects", title)
        aie.confirm_act()
        aie.close()
        assert Project.objects.get(pk=draft.pk).status == "pdd_submitted"

        # The secretariat: check and publish the PDD.
        sec = QueueActor(browser, base, "secretariat")
        page = sec.from_queue("pdds", title, shot="04-secretariat-queue")
        page.check("input[name=decision][value=accept]")
        sec.submit()
        sec.close()
    project = Project.objects.get(pk=draft.pk)
    assert project.status == "open_for_comments"

    with time_machine.travel(project.comments_close_at + dt.timedelta(minutes=1), tick=True):
        clock.enforce_deadlines()
        # The AIE: file F-JI-DRep once the comment period has closed.
        aie = QueueActor(browser, base, "aie")
        page = aie.from_queue("projects", title)
        for key in ("approval", "additionality", "baseline_monitoring", "environmental"):
            page.check(f"input[name={key}_met][value=yes]")
            page.fill(f"textarea[name={key}_reasons]", f"Finding {key}: checked against para 33.")
        page.check("input[name=outcome][value=positive]")
        page.fill("textarea[name=due_account]", "No comment was received.")
        aie.submit()
        aie.close()

        # The participants: what they owe and how to pay it.
        pp = QueueActor(browser, base, "participant")
        page = pp.from_queue("invoices", title, shot="05-participant-invoice-queue")
        assert "IBAN" in page.inner_text("main")
        pp.shot("05b-invoice-how-to-pay")
        pp.close()

        # The secretariat: record the fee where the report waits, then publish it.
        sec = QueueActor(browser, base, "secretariat")
        page = sec.go("/dashboard/")
        item = page.locator("#queue-reports li.task", has_text=title)
        item.locator("input[name=amount_usd]").fill("8500.00")
        item.locator("input[name=reference]").fill("UBS-7")
        sec.submit(f"#queue-reports li.task:has-text('{title}') form.pay")
        page = sec.from_queue("reports", title)
        page.check("input[name=decision][value=accept]")
        sec.submit()
        sec.close()
    project.refresh_from_db()
    assert project.status == "determination_published"

    with time_machine.travel(project.review_window_closes_at - dt.timedelta(days=1), tick=True):
        # A JISC member: the window in which a review may be requested, and its form.
        seat(jisc_user)
        member = QueueActor(browser, base, "jisc1")
        page = member.from_queue("determinations", title, shot="06-jisc-queue")
        assert page.locator("main form").count() == 1
        member.close()

    with time_machine.travel(project.review_window_closes_at + dt.timedelta(minutes=1), tick=True):
        clock.enforce_deadlines()
        report = vwf.submit_monitoring_report(
            participant,
            Project.objects.get(pk=project.pk),
            period_start=dt.date(2009, 1, 1),
            period_end=dt.date(2009, 12, 31),
            aie=aie_user.organisation,
            claimed={2009: 10000},
            report=pdf_upload(),
        )
        # The AIE: the monitoring report to verify.
        aie = QueueActor(browser, base, "aie")
        page = aie.from_queue("monitoring", title)
        page.fill("[name=verified]", "2009: 10000")
        page.fill("[name=findings]", "Meters calibrated; data checked against invoices.")
        page.check("input[name=conditions_hold][value=yes]")
        page.fill("[name=conditions_reasons]", "Nothing changed since the determination.")
        page.check("input[name=no_overlap_declared]")
        aie.submit()
        aie.close()
        assert MonitoringReport.objects.get(pk=report.pk).status == "verified"

        # The secretariat: publish F-JI-VRep (its fee is covered by the advance).
        sec = QueueActor(browser, base, "secretariat")
        sec.from_queue("verifications", title)
        if not sec.asks_to_confirm():
            sec.submit()
        else:
            sec.confirm_act()
        sec.close()
    ver = Verification.objects.get(project=project)
    assert ver.status == "published"

    with time_machine.travel(ver.review_window_closes_at + dt.timedelta(minutes=1), tick=True):
        clock.enforce_deadlines()
        # The focal point: state the AAUs it holds, then issue the ERUs from its queue.
        dfp = QueueActor(browser, base, "party")
        page = dfp.go("/dashboard/")
        with page.expect_navigation():
            page.get_by_role("link", name="Issuance and AAUs").click()
        page.fill("input[name=quantity]", "100000")
        dfp.submit()
        page = dfp.from_queue("erus", title, shot="07-focal-point-erus-queue")
        page.fill("[name=blocks]", "1-10000")
        dfp.submit()
        page = dfp.go("/dashboard/")
        assert page.locator("#queue-erus li.task").count() == 0
        dfp.shot("08-focal-point-done")
        dfp.close()
    assert Verification.objects.get(pk=ver.pk).erus_issued == 10000
