"""Generated PDFs (issue 13, target 9): how long F-JI-DRep takes to render, and that every
generated PDF is made once, stored, and served from storage.

On a fresh database (``bench/harness.py``) a realistic determination is built through the real
workflow functions (``tests.support.Cycle``): a published PDD with ``--comments`` public comments
(12 by default) answered by the AIE, the para 33 findings, a letter of approval, then the AIE
files F-JI-DRep. Measured:

1. F-JI-DRep rendered as the filing renders it (``determinations.pdf.drep_html`` then
   ``jitrack.pdf.write_pdf``, WeasyPrint): median of ``--renders`` renders (10), target < 1 s;
   the HTML step alone is reported beside it.
2. Every generated PDF downloaded twice through Django's test client, with WeasyPrint wrapped to
   count the PDFs it makes: the determination report F-JI-DRep and the verification report
   F-JI-VRep (filed once as documents), the review team's report F-JI-RRep and the review request
   F-JI-DR, the determination invoice and a credit note. Each must be made at most once for both
   downloads (0 for a filed report), and the second download must be the first's bytes; the time
   of each download is shown (the second is served from storage).

``--smoke`` renders once and makes the downloads' PDFs with the test suite's stand-in for
WeasyPrint (``tests.support.fast_write_pdf``); it judges only the storage checks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pdf.py
    .venv/bin/python bench/pdf.py --smoke            # SQLite in a temporary file
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Bench, arguments, ms  # noqa: E402

parser = arguments(__doc__.split("\n", 1)[0])
parser.add_argument("--renders", type=int, default=10)
parser.add_argument("--comments", type=int, default=12)
ARGS = parser.parse_args()
if ARGS.smoke:
    ARGS.renders = 1
BENCH = Bench("pdf", ARGS)
BENCH.start()

from django.test import Client  # noqa: E402

from determinations import pdf as dpdf  # noqa: E402
from determinations import verification as vwf  # noqa: E402
from determinations import workflow as dwf  # noqa: E402
from fees import services as fee_services  # noqa: E402
from jitrack import pdf  # noqa: E402
from projects import workflow as wf  # noqa: E402
from projects.accounts import SECOND_FACTOR  # noqa: E402
from projects.models import Project, User  # noqa: E402
from reviews import workflow as rwf  # noqa: E402
from reviews.models import Review  # noqa: E402
from tests.factories import (  # noqa: E402
    AIEFactory,
    OrganisationFactory,
    PartyFactory,
    UserFactory,
    make_scopes,
    pdf_upload,
)
from tests.support import (  # noqa: E402
    CONDITIONS,
    FINDINGS,
    REASONS,
    Committee,
    Cycle,
    determination_invoice,
    fast_write_pdf,
)

WEASYPRINT = pdf.write_pdf
COMMENT = (
    "The baseline assumes that the landfill would flare no gas at all, but the municipal plan of "
    "2007 foresees a flare from 2010; please explain why the baseline ignores it, and how the "
    "monitoring plan accounts for the methane content measured at the wells. "
)


# --- the record ----------------------------------------------------------------------------------


def people() -> Cycle:
    make_scopes()
    host = PartyFactory(
        code="UA",
        name="Ukraine",
        kp_party=True,
        assigned_amount_recorded=True,
        national_system=False,
        national_registry=True,
        inventory_submitted=False,
        supplementary_info=False,
    )
    participant = UserFactory(
        username="participant",
        role=User.Role.PARTICIPANT,
        organisation=OrganisationFactory(name="Green Carbon Ltd"),
    )
    aie = UserFactory(
        username="aie",
        role=User.Role.AIE,
        organisation=AIEFactory(name="Bureau Veritas Certification"),
    )
    secretariat = UserFactory(username="secretariat", role=User.Role.SECRETARIAT)
    return Cycle(participant, aie, secretariat, host)


def determination_filed(cycle: Cycle) -> Project:
    """A project through its comment period with ``--comments`` comments, each answered, and
    its positive determination filed by the AIE."""
    project = cycle.open(
        title="Landfill gas capture and power generation at the Kyiv municipal landfill"
    )
    for n in range(ARGS.comments):
        wf.add_comment(
            project,
            name=f"Commenter {n + 1}",
            affiliation="Kyiv Environmental Forum",
            category="stakeholder",
            email=f"c{n}@example.org",
            text=COMMENT * (1 + n % 3),
        )
    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
    for comment in project.comments.all():
        wf.answer_comment(cycle.aie_user, comment, "Taken into account in section B.2. " * 4)
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    return Project.objects.get(pk=project.pk)


# --- 1. rendering F-JI-DRep ----------------------------------------------------------------------


def render_times(project: Project) -> None:
    det = project.determinations.get()
    html_times, pdf_times, size = [], [], 0
    if not ARGS.smoke:
        WEASYPRINT(dpdf.drep_html(det))  # warm: WeasyPrint's import, Pango and the fonts
    for _ in range(ARGS.renders):
        started = time.perf_counter()
        html = dpdf.drep_html(det)
        html_done = time.perf_counter()
        content = WEASYPRINT(html)
        pdf_times.append(time.perf_counter() - started)
        html_times.append(html_done - started)
        size = len(content)
    median = statistics.median(pdf_times)
    BENCH.target(
        f"F-JI-DRep rendered, median of {ARGS.renders}",
        f"{median:.2f} s (max {max(pdf_times):.2f} s)",
        "< 1 s",
        median < 1,
    )
    BENCH.info(
        "F-JI-DRep: of which the HTML",
        f"{ms(statistics.median(html_times))}; the PDF {size / 1024:.0f} KiB, "
        f"{ARGS.comments} comments",
    )


# --- 2. stored once, served from storage ---------------------------------------------------------


class Counted:
    """``jitrack.pdf.write_pdf`` counting its calls (WeasyPrint, or the smoke's stand-in)."""

    def __init__(self, make):
        self.make = make
        self.calls = 0

    def __call__(self, html: str) -> bytes:
        self.calls += 1
        return self.make(html)


def twice(label: str, client: Client, url: str, counted: Counted, *, filed: bool) -> None:
    """Download ``url`` twice: at most one PDF made (none for a filed report), the same bytes."""
    before = counted.calls
    started = time.perf_counter()
    first = client.get(url)
    middle = time.perf_counter()
    second = client.get(url)
    ended = time.perf_counter()
    made = counted.calls - before
    body = lambda r: b"".join(r.streaming_content) if r.streaming else r.content  # noqa: E731
    a, b = body(first), body(second)
    ok = (
        first.status_code == second.status_code == 200
        and a.startswith(b"%PDF-")
        and a == b
        and made <= (0 if filed else 1)
    )
    BENCH.check(
        f"{label}: PDFs made for 2 downloads",
        f"{made} (then {ms(middle - started)}, {ms(ended - middle)})",
        "0 (filed)" if filed else "<= 1",
        ok,
    )


def downloads(cycle: Cycle, project: Project, counted: Counted) -> None:
    client = Client()
    client.force_login(cycle.secretariat)
    session = client.session  # the secretariat's second factor, as after a real login
    session[SECOND_FACTOR] = "bench"
    session.save()
    client.get("/health/")  # warm: the first request imports the views
    det = project.determinations.get()
    twice(
        "F-JI-DRep (filed document)",
        client,
        f"/documents/{det.report_id}/download/",
        counted,
        filed=True,
    )
    invoice = determination_invoice(project)
    twice(
        "determination invoice",
        client,
        f"/fees/invoices/{invoice.number}/pdf/",
        counted,
        filed=False,
    )
    fee_services.pay_balance(cycle.secretariat, project, reference="BANK-1")
    twice(
        "invoice, paid (a new stamp)",
        client,
        f"/fees/invoices/{invoice.number}/pdf/",
        counted,
        filed=False,
    )

    dwf.check_determination(cycle.secretariat, project, accept=True)
    project = Project.objects.get(pk=project.pk)
    committee = Committee()
    dfp = User.objects.get(username="dfp-ua")
    rwf.request_review(dfp, project, reasons=REASONS, summary="Additionality doubtful.")
    review = Review.objects.get(project=project)
    lead, other = committee.members[3], committee.members[4]
    review = rwf.appoint_team(cycle.secretariat, review, members=[lead, other], lead=lead)
    rwf.file_report(lead, review, recommendation="confirmed", report="The analysis holds.")
    twice(
        "F-JI-RRep (review report)",
        client,
        f"/reviews/{review.pk}/report/pdf/",
        counted,
        filed=False,
    )
    req = review.requests.get()
    twice(
        "F-JI-DR (review request)", client, f"/reviews/requests/{req.pk}/pdf/", counted, filed=False
    )

    # A second project, final, verified: its F-JI-VRep, and a credit note on its invoice.
    other_project = cycle.final(title="Coal mine methane utilisation at Donetsk")
    report = vwf.submit_monitoring_report(
        cycle.participant,
        other_project,
        period_start=dt.date(2009, 1, 1),
        period_end=dt.date(2009, 12, 31),
        aie=cycle.aie_user.organisation,
        claimed={2009: 20000},
        report=pdf_upload(),
    )
    ver = vwf.submit_verification(
        cycle.aie_user,
        report,
        verified={2009: 20000},
        findings="Meters calibrated; data checked against invoices.",
        change_opinions={},
        conditions_hold=True,
        conditions_reasons=CONDITIONS,
        no_overlap_declared=True,
    )
    twice(
        "F-JI-VRep (filed document)",
        client,
        f"/documents/{ver.report_id}/download/",
        counted,
        filed=True,
    )
    third = cycle.determination_submitted(title="Energy efficiency at the Lviv district heating")
    note = fee_services.credit_invoice(
        cycle.secretariat, determination_invoice(third), reason="Withdrawn."
    )
    twice("credit note", client, f"/fees/credit-notes/{note.number}/pdf/", counted, filed=False)


def main() -> None:
    try:
        BENCH.info("database", BENCH.vendor)
        # WeasyPrint wrapped to count the PDFs made from here on (the smoke: its stand-in)
        counted = Counted(fast_write_pdf if ARGS.smoke else WEASYPRINT)
        with mock.patch("jitrack.pdf.write_pdf", counted):
            cycle = people()
            project = determination_filed(cycle)
            render_times(project)
            downloads(cycle, project, counted)
    finally:
        BENCH.stop()
    BENCH.finish()


if __name__ == "__main__":
    main()
