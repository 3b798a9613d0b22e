"""Public text cites the JI guidelines (decision 9/CMP.1 annex) and the JISC's documents by
paragraph, never our internal notes (issue 15): no page or file an anonymous visitor can fetch —
in English or in Russian — and no generated report (F-JI-DRep, F-JI-VRep, F-JI-RRep) says
"ji-rules".

The data is the demo (``seed_demo``: a project at every stage, a review in progress and a decided
one, ERUs issued), seeded once for the module and rolled back after it. Every path is asserted
to answer 200 to the anonymous visitor, so a page that stopped being public (or broke) cannot
pass by saying nothing.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from determinations import pdf as dpdf
from determinations.models import Determination, Verification
from projects.selectors import public_documents, public_projects
from registry.analytics import TABLES
from registry.feeds import NOTICE_KINDS
from registry.opendata import DATASETS
from registry.section_defs import SECTIONS
from reviews import pdf as rpdf
from reviews.models import Meeting, Review, ReviewRequest

from ..support import fast_write_pdf

pytestmark = pytest.mark.django_db

INTERNAL = re.compile(r"ji-rules", re.IGNORECASE)
LANGUAGES = {"en": {}, "ru": {"HTTP_ACCEPT_LANGUAGE": "ru"}}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, seeded once for the module (reports as fast PDFs that hold their text) and
    rolled back after it."""
    media = tmp_path_factory.mktemp("citations-media")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with (
                override_settings(DEBUG=True, MEDIA_ROOT=media, PAGE_CACHE_SECONDS=0),
                pytest.MonkeyPatch.context() as mp,
            ):
                mp.setattr("jitrack.pdf.write_pdf", fast_write_pdf)
                call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
            yield media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def fetch(demo, settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.MEDIA_ROOT = demo

    def get(path: str, language: str) -> str:
        response = Client().get(path, **LANGUAGES[language])
        assert response.status_code == 200, f"{path} ({language}): {response.status_code}"
        if response.streaming:
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        return body.decode("utf-8", errors="replace")

    return get


def offenders(pages: dict[str, str]) -> list[str]:
    """Each hit with the text around it."""
    out = []
    for where, text in pages.items():
        for m in INTERNAL.finditer(text):
            out.append(f"{where}: …{text[max(0, m.start() - 80) : m.end() + 40]!r}…")
    return out


def paths_pages() -> list[str]:
    return [
        reverse("home"),
        reverse("project_list"),
        reverse("registry"),
        *(reverse("registry_section", args=[slug]) for slug in SECTIONS),
        reverse("record"),
        reverse("record_json"),
        reverse("meeting_list"),
        *(reverse("meeting_detail", args=[m.number]) for m in Meeting.objects.order_by("number")),
    ]


def paths_projects() -> list[str]:
    out = []
    for project in public_projects().order_by("pk"):
        out += [
            reverse("project_detail", args=[project.key]),
            reverse("feed_project", args=[project.key]),
            reverse("project_calendar", args=[project.key]),
        ]
        if project.monitoring.exists():
            out.append(reverse("monitoring", args=[project.key]))
        out += [reverse("document_download", args=[d.pk]) for d in public_documents(project)]
    for review in Review.objects.order_by("pk"):
        out.append(reverse("review_detail", args=[review.pk]))
        if review.decided_at is not None:
            out.append(reverse("review_report_pdf", args=[review.pk]))
    out += [reverse("request_pdf", args=[r.pk]) for r in ReviewRequest.objects.order_by("pk")]
    return out


def paths_feeds() -> list[str]:
    return [
        reverse("feed_all"),
        reverse("feed_record"),
        reverse("feed_party", args=["UA"]),
        *(reverse("feed_kind", args=[kind]) for kind in NOTICE_KINDS),
        reverse("calendar"),
    ]


def paths_data() -> list[str]:
    return [
        reverse("opendata"),
        reverse("opendata_dictionary"),
        *(reverse(f"opendata_{fmt}", args=[name]) for name in DATASETS for fmt in ("csv", "json")),
        reverse("statistics"),
        *(reverse("statistics_csv", args=[name]) for name in TABLES),
        reverse("conversions"),
        reverse("conversions_party", args=["UA"]),
        reverse("conversions_csv", args=["UA"]),
    ]


def paths_fees() -> list[str]:
    calculator = reverse("fees_calculator")
    return [
        calculator,
        f"{calculator}?{urlencode({'kind': 'determination', 'expected_annual_reductions': 50000})}",
        f"{calculator}?{urlencode({'kind': 'verification', 'reductions': 40000})}",
    ]


def paths_api() -> list[str]:
    key = public_projects().order_by("pk").first().key
    return [
        reverse("schema"),
        reverse("api-docs"),
        "/api/projects/",
        f"/api/projects/{key}/",
        "/api/parties/UA/conversions/",
    ]


KINDS = {
    "pages": paths_pages,
    "projects": paths_projects,
    "feeds": paths_feeds,
    "data": paths_data,
    "fees": paths_fees,
    "api": paths_api,
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_public_text_never_cites_our_internal_notes(kind, language, fetch):
    paths = KINDS[kind]()
    assert paths
    pages = {f"{path} ({language})": fetch(path, language) for path in paths}
    hits = offenders(pages)
    assert not hits, f"{len(hits)} internal citations:\n" + "\n".join(hits)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_generated_reports_never_cite_our_internal_notes(demo, settings):
    """The reports as WeasyPrint writes them: the determination and verification reports, and
    the review team's report both before the decision (confidential) and after it."""
    settings.MEDIA_ROOT = demo
    determination = Determination.objects.order_by("pk").first()
    verification = Verification.objects.filter(available_on__isnull=False).order_by("pk").first()
    decided = Review.objects.filter(decided_at__isnull=False).order_by("pk").first()
    open_review = Review.objects.filter(decided_at__isnull=True).order_by("pk").first()
    texts = {
        "F-JI-DRep": pdf_text(dpdf.render_drep(determination)),
        "F-JI-VRep": pdf_text(dpdf.render_vrep(verification)),
        "F-JI-RRep (decided)": pdf_text(rpdf.render_review_report(decided)),
        "F-JI-RRep (before the decision)": pdf_text(rpdf.render_review_report(open_review)),
    }
    assert "F-JI-DRep" in texts["F-JI-DRep"] and "F-JI-VRep" in texts["F-JI-VRep"]
    assert "CONFIDENTIAL" in texts["F-JI-RRep (before the decision)"]
    hits = offenders(texts)
    assert not hits, f"{len(hits)} internal citations:\n" + "\n".join(hits)
