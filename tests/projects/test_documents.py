"""Documents (ji-rules §7): each kind has the roles that may file it; nothing published is
deleted — a document published in error is superseded or withdrawn with a public reason and
stays on the record; a PP may mark a supporting document confidential (para 40)."""

import datetime as dt

import pytest

from determinations import verification as vwf
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import workflow as wf
from projects.models import Document, Event
from tests.factories import pdf_upload
from tests.support import html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]


@pytest.mark.parametrize(
    "kind",
    ["verification_report", "determination_report", "monitoring_report", "approval"],
)
def test_a_participant_cannot_upload_a_report_filed_by_another_act(cycle, pp_api, kind):
    project = cycle.draft()
    with pytest.raises(Invalid) as refused:
        wf.add_document(cycle.participant, project, kind=kind, title="X", uploaded=pdf_upload())
    assert (refused.value.code, refused.value.field) == ("kind_not_allowed", "kind")
    response = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": kind, "file": pdf_upload()},
        format="multipart",
    )
    assert response.status_code == 400
    assert not project.documents.exists()


def test_a_published_document_is_withdrawn_with_a_public_reason_and_stays_listed(
    client, cycle, secretariat
):
    project = cycle.open()
    pdd = project.documents.get(kind="pdd")
    wf.set_document_aside(secretariat, pdd, withdraw=True, reason="Published in error.")
    pdd.refresh_from_db()
    assert (pdd.status, pdd.status_reason) == ("withdrawn", "Published in error.")
    event = Event.objects.get(project=project, kind="document_withdrawn")
    assert event.public and event.data["document_id"] == pdd.pk
    page = html(client.get(f"/projects/{project.key}/"))
    assert pdd.title in page and "Published in error." in page
    assert client.get(f"/documents/{pdd.pk}/download/").status_code == 200
    with pytest.raises(Conflict) as again:
        wf.set_document_aside(secretariat, pdd, withdraw=True, reason="Again.")
    assert again.value.code == "already_set_aside"


def test_a_document_is_superseded_only_by_a_later_published_version(cycle, secretariat):
    project = cycle.open()
    first = project.documents.get(kind="pdd")
    second = wf.store_document(
        project, kind="pdd", title="PDD v2", uploaded=pdf_upload(), actor=cycle.participant
    )
    with pytest.raises(Invalid):  # not published yet
        wf.set_document_aside(
            secretariat, first, withdraw=False, reason="New version.", superseded_by=second
        )
    Document.objects.filter(pk=second.pk).update(published_at=second.uploaded_at)
    second.refresh_from_db()
    with pytest.raises(Invalid):  # not a later version of it
        wf.set_document_aside(
            secretariat, second, withdraw=False, reason="Old.", superseded_by=first
        )
    done = wf.set_document_aside(
        secretariat, first, withdraw=False, reason="Corrected tables.", superseded_by=second
    )
    assert (done.status, done.superseded_by) == ("superseded", second)


def test_only_the_secretariat_sets_a_published_document_aside(cycle, secretariat, sec_api):
    draft = cycle.engaged()
    unpublished = draft.documents.get(kind="pdd")
    for user in (cycle.participant, cycle.aie_user):
        with pytest.raises(Forbidden):
            wf.set_document_aside(user, unpublished, withdraw=True, reason="No.")
    project = cycle.open()
    pdd = project.documents.get(kind="pdd")
    response = sec_api.post(
        f"/api/documents/{pdd.pk}/set-aside/",
        {"action": "withdraw", "reason": "Wrong file."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["status_reason"]) == (
        "withdrawn",
        "Wrong file.",
    )


def test_a_participant_marks_a_monitoring_supporting_document_confidential(client, cycle):
    """para 40; the monitoring report itself is always public (para 36)."""
    final_project = cycle.final(crediting_start=dt.date(2009, 1, 1))
    report = vwf.submit_monitoring_report(
        cycle.participant,
        final_project,
        period_start=dt.date(2009, 1, 1),
        period_end=dt.date(2009, 12, 31),
        aie=cycle.aie_user.organisation,
        claimed={2009: 1000},
        report=pdf_upload(),
        supporting=[
            ("Meter readings (confidential)", pdf_upload("m.pdf"), True),
            ("Photos", pdf_upload("p.pdf"), False),
        ],
    )
    docs = {d.title: d for d in final_project.documents.filter(kind="monitoring_supporting")}
    assert docs["Meter readings (confidential)"].confidential
    assert not docs["Photos"].confidential
    public = client.get(f"/api/projects/{final_project.key}/").json()["documents"]
    titles = {d["title"] for d in public}
    assert "Photos" in titles and "Meter readings (confidential)" not in titles
    assert report.report.title in titles
