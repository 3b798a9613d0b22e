"""The determination cycle end to end in Debian's Chromium, driven by Playwright.

Participant creates a project and uploads the PDD, the AIE accepts and submits, the
secretariat publishes, a member of the public comments, the AIE answers and files F-JI-DRep,
the secretariat records the fee and publishes, the clock passes 45 days, and the public project
page shows ``final`` with the F-JI-DRep PDF downloadable. Screenshots go to
test-artifacts/e2e/.
"""

import datetime as dt
import hashlib
import shutil

import pytest
import time_machine
from django.utils import timezone

from projects.models import Project
from registry import clock
from tests.factories import pdf_bytes
from tests.support import ARTIFACTS, Actor

SHOTS = ARTIFACTS / "e2e"

pytestmark = pytest.mark.browser


class CycleActor(Actor):
    shots = SHOTS


@pytest.mark.django_db(transaction=True)
def test_determination_cycle_in_the_browser(
    browser, live_server, participant, aie_user, secretariat, party_user, ukraine, scopes, tmp_path
):
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    base = live_server.url
    pdd = tmp_path / "PDD-landfill.pdf"
    pdd.write_bytes(pdf_bytes("project design document"))
    start = timezone.now().replace(microsecond=0)

    with time_machine.travel(start, tick=True):
        # Participant: create the project, upload the PDD, engage the AIE.
        pp = CycleActor(browser, base, "participant")
        page = pp.go("/projects/new/")
        page.fill("input[name=title]", "Landfill gas capture at Lviv")
        page.select_option("select[name=host_party]", label="Ukraine")
        page.check("input[name=sectoral_scopes][value='13']")
        page.check("input[name=sectoral_scopes][value='1']")
        page.fill("textarea[name=expected]", "2013: 40000\n2014: 60000")
        pp.shot("01-new-project")
        pp.submit()
        project = Project.objects.get(title="Landfill gas capture at Lviv")
        assert project.expected_annual_reductions == 50000
        key = project.key
        page = pp.go(f"/projects/{key}/documents/")
        page.select_option("select[name=kind]", "pdd")
        page.fill("input[name=title]", "Project design document v1")
        page.set_input_files("input[name=file]", str(pdd))
        pp.submit()
        page = pp.go(f"/projects/{key}/engage/")
        page.select_option("select[name=aie]", label=aie_user.organisation.name)
        pp.submit()
        pp.close()

        # AIE: accept the engagement, submit the PDD for publication.
        aie = CycleActor(browser, base, "aie")
        page = aie.go("/dashboard/")
        aie.shot("02-aie-inbox")
        aie.go(f"/projects/{key}/")
        aie.submit("form[action*='/engagements/']")
        assert Project.objects.get(pk=project.pk).status == "engaged"
        page = aie.go(f"/projects/{key}/")
        with page.expect_navigation():
            page.click(f"a[href='/projects/{key}/submit-pdd/']")
        # It cannot be undone: the page says what follows before the AIE confirms.
        assert "for 30 days of comments (para 32)" in page.content()
        aie.shot("02b-aie-confirm-submit-pdd")
        assert Project.objects.get(pk=project.pk).status == "engaged"
        aie.confirm_act()
        assert Project.objects.get(pk=project.pk).status == "pdd_submitted"
        aie.close()

        # Secretariat: completeness check, publish today.
        sec = CycleActor(browser, base, "secretariat")
        page = sec.go(f"/projects/{key}/check-pdd/")
        page.check("input[name=decision][value=accept]")
        # The check page shows what is checked: the PDD in view, the data, a cited checklist.
        assert page.locator("iframe.pdf-frame").count() == 1
        assert page.locator(".checklist li").count() >= 9
        assert "(para 31)" in page.inner_text(".checklist")
        sec.shot("03-secretariat-check-pdd")
        sec.submit(confirm=False)
        assert sec.asks_to_confirm()
        sec.shot("03b-secretariat-confirm-publication")
        sec.confirm_act()
        sec.close()
        project.refresh_from_db()
        assert (project.status, project.reference) == ("open_for_comments", "0001")

        # The public: the PDD open for comments, and a comment.
        public = CycleActor(browser, base)
        page = public.go("/")
        assert "Landfill gas capture at Lviv" in page.content()
        public.shot("04-home-open-for-comments")
        page = public.go("/projects/0001/")
        page.fill("input[name=name]", "Olena Kovalenko")
        page.fill("input[name=affiliation]", "Lviv Ecoclub")
        page.check("input[name=category][value=stakeholder]")
        page.fill("input[name=email]", "olena@example.org")
        page.fill("textarea[name=text]", "How is methane leakage from the cells monitored?")
        public.submit("form[action$='/comments/']")
        public.shot("05-project-page-with-comment")
        public.close()

        # AIE answers the comment.
        aie = CycleActor(browser, base, "aie")
        page = aie.go("/projects/0001/")
        page.fill(
            "form.answer-form textarea[name=answer]", "Continuous flow and CH4 metering, see D.2."
        )
        aie.submit("form.answer-form")
        aie.close()
    assert project.comments.get().answer.startswith("Continuous flow")

    # The comment period closes by the clock alone.
    after_comments = project.comments_close_at + dt.timedelta(minutes=1)
    with time_machine.travel(after_comments, tick=True):
        clock.enforce_deadlines()
        assert Project.objects.get(pk=project.pk).status == "comments_closed"

        # Ukraine's focal point records its letter of approval from the project page (para 33 (a)).
        dfp = CycleActor(browser, base, "party")
        page = dfp.go("/projects/0001/")
        with page.expect_navigation():
            page.get_by_role("link", name="Record your letter of approval").click()
        page.fill("input[name=issued_on]", "2026-01-15")
        page.fill("input[name=reference]", "UA-LoA-2026-17")
        dfp.submit()
        dfp.close()
        assert project.approvals.get().confirmed_by == party_user

        aie = CycleActor(browser, base, "aie")
        page = aie.go("/projects/0001/determination/")
        for key_ in ("approval", "additionality", "baseline_monitoring", "environmental"):
            page.check(f"input[name={key_}_met][value=yes]")
            page.fill(f"textarea[name={key_}_reasons]", f"Finding {key_}: checked against para 33.")
        page.check("input[name=outcome][value=positive]")
        page.fill("textarea[name=due_account]", "The comment led to a clarified monitoring plan.")
        aie.shot("06-determination-form")
        aie.submit()
        aie.close()
        assert Project.objects.get(pk=project.pk).status == "determination_submitted"

        sec = CycleActor(browser, base, "secretariat")
        page = sec.go("/projects/0001/fee/payment/")
        page.fill("input[name=amount_usd]", "8500.00")  # the date received is today's, as shown
        page.fill("input[name=reference]", "UBS-2026-0042")
        sec.submit()
        page = sec.go("/projects/0001/determination/check/")
        page.check("input[name=decision][value=accept]")
        assert page.locator("iframe.pdf-frame").count() == 1
        assert "Determination fee (advance) paid or not due" in page.inner_text(".checklist")
        sec.shot("06b-secretariat-check-determination")
        sec.submit()
        sec.close()
    project.refresh_from_db()
    assert project.status == "determination_published"

    # 45 days later, with no review requested, the determination is final.
    with time_machine.travel(project.review_window_closes_at + dt.timedelta(minutes=1), tick=True):
        clock.enforce_deadlines()
        public = CycleActor(browser, base)
        page = public.go("/projects/0001/")
        content = page.content()
        assert "Determination final" in content
        public.shot("07-public-project-final")
        href = page.locator("a", has_text="F-JI-DRep").first.get_attribute("href")
        response = public.context.request.get(f"{base}{href}")
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        body = response.body()
        assert body[:5] == b"%PDF-"
        assert hashlib.sha256(body).hexdigest() == project.determinations.get().report.sha256
        public.close()
    project.refresh_from_db()
    assert project.status == "final"
    assert project.final_on == project.review_window_closes_at.date()
