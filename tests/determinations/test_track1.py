"""Track 1 (para 23; 13/CMP.1 annex para 29): the host's focal point records a project with its
determination and its verifications (``determinations.track1``), and issues their ERUs from the
same AAU ledger as Track 2."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from determinations import track1
from determinations.models import (
    Determination,
    MonitoringReport,
    Verification,
)
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import workflow as wf
from projects.models import Document, Event, Organisation, Project, User
from projects.timeline import event_detail
from tests.factories import AIEFactory, PartyFactory, UserFactory, pdf_upload, project_data

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def host(db):
    """Ukraine meeting all six para 21 requirements (it may use Track 1)."""
    return PartyFactory(
        code="UA",
        name="Ukraine",
        kp_party=True,
        assigned_amount_recorded=True,
        national_system=True,
        national_registry=True,
        inventory_submitted=True,
        supplementary_info=True,
    )


@pytest.fixture
def dfp(host):
    return UserFactory(username="ua_dfp", role=User.Role.PARTY, party=host)


def record(dfp, host, **overrides):
    args = project_data(host) | {
        "reference": "UA1000001",
        "national_approval_reference": "Order 123 of the Ministry",
        "national_guidelines": "Resolution 206 of 22 February 2006",
        "determined_on": D(2009, 5, 4),
        "entity": "Bureau Veritas Certification Holding SAS",
        "report": pdf_upload("determination.pdf"),
    }
    args.update(overrides)
    return track1.record_project(dfp, **args)


def verify(dfp, project, **overrides):
    args = {
        "period_start": D(2009, 1, 1),
        "period_end": D(2009, 12, 31),
        "verified": {"2009": 45000},
        "verified_on": D(2010, 3, 1),
        "entity": "Bureau Veritas Certification Holding SAS",
        "report": pdf_upload("verification.pdf"),
    }
    args.update(overrides)
    return track1.record_verification(dfp, project, **args)


def test_record_project_writes_a_final_track1_project_with_its_determination(dfp, host):
    before = timezone.now()
    project = record(dfp, host, pdd=pdf_upload("pdd.pdf"))
    project = Project.objects.get(pk=project.pk)
    assert (project.track, project.status, project.reference) == ("1", "final", "UA1000001")
    assert project.determination_available_on == project.final_on == D(2009, 5, 4)
    assert project.due_at is None
    assert project.national_approval_reference == "Order 123 of the Ministry"
    assert project.national_guidelines == "Resolution 206 of 22 February 2006"
    assert project.expected_annual_reductions == 50000
    assert project.is_published
    entity = Organisation.objects.get(name="Bureau Veritas Certification Holding SAS")
    assert (entity.kind, entity.historical) == ("aie", True)
    assert project.aie == entity
    det = Determination.objects.get(project=project)
    assert (det.status, det.outcome, det.number) == ("final", "positive", 1)
    assert det.available_on == det.final_on == D(2009, 5, 4)
    assert all(f["met"] for f in det.findings())
    assert "national procedure (para 23" in det.approval_reasons
    assert det.report.kind == "determination_report" and det.report.published_at is not None
    kinds = sorted(project.documents.values_list("kind", "confidential"))
    assert kinds == [("determination_report", False), ("pdd", False)]
    assert not project.documents.filter(published_at__isnull=True).exists()
    events = list(Event.objects.filter(project=project))
    assert len(events) == 1
    event = events[0]
    assert (event.kind, event.from_status, event.to_status, event.public) == (
        "track1_recorded",
        "",
        "final",
        True,
    )
    assert event.created_at >= before  # recorded now, not back-dated
    assert event.data["determined_on"] == "2009-05-04"
    assert event.data["entity"] == "Bureau Veritas Certification Holding SAS"
    assert event.data["reference"] == "UA1000001"
    assert not project.fees.exists()


def test_record_project_uses_an_aie_on_record_and_refuses_a_participant_name(dfp, host):
    aie = AIEFactory(name="TÜV SÜD")
    project = record(dfp, host, entity="  TÜV   SÜD ")
    assert project.aie == aie
    Organisation.objects.create(name="Green Carbon Ltd", kind="participant")
    with pytest.raises(Invalid) as err:
        record(dfp, host, reference="UA1000002", entity="Green Carbon Ltd")
    assert err.value.code == "entity_not_aie"


@pytest.mark.parametrize(
    ("reference", "code", "exc"),
    [
        ("1000001", "invalid_reference", Invalid),
        ("RU1000001", "invalid_reference", Invalid),
        ("ua1000001", "invalid_reference", Invalid),
        ("UA", "invalid_reference", Invalid),
        ("UA0001", None, None),
    ],
)
def test_record_project_reference_is_the_host_code_and_digits(dfp, host, reference, code, exc):
    if exc is None:
        assert record(dfp, host, reference=reference).reference == reference
        return
    with pytest.raises(exc) as err:
        record(dfp, host, reference=reference)
    assert err.value.code == code
    assert not Project.objects.exists()


def test_record_project_reference_is_unique(dfp, host):
    record(dfp, host)
    with pytest.raises(Conflict) as err:
        record(dfp, host, title="Another")
    assert err.value.code == "reference_taken"
    assert Project.objects.count() == 1


def test_only_the_hosts_focal_point_of_an_eligible_party_records(dfp, host, japan):
    other = UserFactory(username="jp_dfp", role=User.Role.PARTY, party=japan)
    with pytest.raises(Forbidden):
        record(other, host)
    participant = UserFactory(username="pp", role=User.Role.PARTICIPANT)
    with pytest.raises(Forbidden):
        record(participant, host)
    host.supplementary_info = False
    host.save()
    with pytest.raises(Conflict) as err:
        record(dfp, host)
    assert err.value.code == "track1_not_eligible"
    assert (
        not Project.objects.exists() and not Organisation.objects.filter(historical=True).exists()
    )


def test_record_project_validates_the_project_data_and_the_documents(dfp, host):
    with pytest.raises(Invalid) as err:
        record(dfp, host, title=" ")
    assert err.value.field == "title"
    with pytest.raises(Invalid) as err:
        record(dfp, host, small_scale=True, small_scale_type="I", small_scale_figure=20)
    assert err.value.code == "not_small_scale"
    with pytest.raises(Invalid) as err:
        record(dfp, host, national_approval_reference=" ")
    assert err.value.field == "national_approval_reference"
    with pytest.raises(Invalid) as err:
        record(dfp, host, determined_on=timezone.localdate() + dt.timedelta(days=1))
    assert err.value.code == "in_future"
    with pytest.raises(Invalid) as err:
        record(dfp, host, report=None)
    assert (err.value.code, err.value.field) == ("file_missing", "report")
    with pytest.raises(Invalid) as err:
        record(dfp, host, pdd=SimpleUploadedFile("x.pdf", b"not a pdf"))
    assert err.value.field == "pdd"
    assert not Project.objects.exists()
    assert not Document.objects.exists()


def test_record_verification_writes_final_report_and_verification(dfp, host):
    project = record(dfp, host)
    before = timezone.now()
    ver = verify(dfp, project, monitoring_report=pdf_upload("mr.pdf"))
    ver = Verification.objects.select_related("monitoring_report").get(pk=ver.pk)
    assert (ver.status, ver.number, ver.verified, ver.verified_total) == (
        "final",
        1,
        {"2009": 45000},
        45000,
    )
    assert ver.available_on == ver.final_on == D(2010, 3, 1)
    assert ver.due_at is None and ver.conditions_hold
    assert "national procedure" in ver.findings
    mr = ver.monitoring_report
    assert (mr.status, mr.claimed, mr.number) == ("final", {"2009": 45000}, 1)
    assert mr.report.kind == "monitoring_report" and ver.report.kind == "verification_report"
    assert mr.report.published_at and ver.report.published_at
    events = list(Event.objects.filter(project=project, kind="track1_verification"))
    assert len(events) == 1 and events[0].public and events[0].created_at >= before
    assert events[0].data["verified_on"] == "2010-03-01"
    assert Event.objects.filter(project=project).count() == 2
    assert Project.objects.get(pk=project.pk).status == "final"
    # without a monitoring report of its own the verification report stands for it
    second = verify(
        dfp,
        project,
        period_start=D(2010, 1, 1),
        period_end=D(2010, 12, 31),
        verified={2010: 1},
        verified_on=D(2011, 2, 1),
    )
    assert second.monitoring_report.report_id == second.report_id


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"period_start": D(2007, 12, 31)}, "before_2008", "period_start"),
        (
            {"period_end": D(2013, 1, 1), "verified_on": D(2014, 1, 1)},
            "outside_crediting_period",
            "period_end",
        ),
        ({"verified": {"2010": 5}}, "year_outside_period", "verified"),
        ({"verified": {}}, "required", "verified"),
        ({"verified": {"2009": -1}}, "invalid", "verified"),
        ({"verified": {"2009": 1.5}}, "invalid", "verified"),
        ({"verified": {"20x9": 1}}, "invalid", "verified"),
        ({"verified_on": D(2009, 12, 31)}, "verified_before_end", "verified_on"),
        ({"period_end": D(2008, 12, 31)}, "invalid", "period_end"),
        ({"report": None}, "file_missing", "report"),
    ],
)
def test_record_verification_refuses_bad_periods_figures_and_files(
    dfp, host, overrides, code, field
):
    project = record(dfp, host)
    with pytest.raises(Invalid) as err:
        verify(dfp, project, **overrides)
    assert (err.value.code, err.value.field) == (code, field)
    assert not Verification.objects.exists() and not MonitoringReport.objects.exists()


def test_record_verification_refuses_an_overlapping_period(dfp, host):
    project = record(dfp, host)
    verify(dfp, project)
    with pytest.raises(Conflict) as err:
        verify(
            dfp,
            project,
            period_start=D(2009, 12, 31),
            period_end=D(2010, 6, 30),
            verified={"2010": 3},
            verified_on=D(2011, 1, 1),
        )
    assert err.value.code == "period_overlap"
    assert Verification.objects.count() == 1


def test_record_verification_guards(dfp, host, japan, participant):
    project = record(dfp, host)
    other = UserFactory(username="jp_dfp", role=User.Role.PARTY, party=japan)
    with pytest.raises(Forbidden):
        verify(other, project)
    # a Track 2 project's verifications go through the AIE and the secretariat
    track2 = wf.create_project(participant, **project_data(host))
    with pytest.raises(Conflict) as err:
        verify(dfp, track2)
    assert err.value.code == "not_track1"
    # the host no longer meets all six requirements: no new Track 1 verification
    host.inventory_submitted = False
    host.save()
    with pytest.raises(Conflict) as err:
        verify(dfp, project)
    assert err.value.code == "track1_not_eligible"
    assert not track1.may_record_verification(dfp, Project.objects.get(pk=project.pk))
    host.inventory_submitted = True
    host.save()
    assert track1.may_record_verification(dfp, Project.objects.get(pk=project.pk))
    # a terminated project records none
    Project.objects.filter(pk=project.pk).update(status="terminated")
    with pytest.raises(Conflict) as err:
        verify(dfp, Project.objects.get(pk=project.pk))
    assert err.value.code == "wrong_status"
    assert not Verification.objects.exists()


def test_record_project_names_its_participants(dfp, host):
    known = Organisation.objects.create(name="Green Carbon Ltd", kind="participant")
    project = record(
        dfp, host, participant_names=["Green Carbon Ltd", " Kyiv  Vodokanal ", "", "Kyiv Vodokanal"]
    )
    names = sorted(project.participants.values_list("name", "historical"))
    assert names == [("Green Carbon Ltd", False), ("Kyiv Vodokanal", True)]
    assert known in project.participants.all()
    AIEFactory(name="TÜV SÜD")
    with pytest.raises(Invalid) as err:
        record(dfp, host, reference="UA1000002", participant_names=["TÜV SÜD"])
    assert err.value.code == "not_a_participant"


def test_record_project_puts_the_hosts_national_approval_on_record(dfp, host):
    """TRACK1_APPROVAL: the host's national approval is its written approval (para 33 (a)),
    confirmed; the project page offers no letter to record for the host."""
    project = record(dfp, host)
    loa = project.approvals.get()
    assert loa.party == host and loa.confirmed_at is not None and loa.confirmed_by == dfp
    assert loa.reference == project.national_approval_reference
    assert loa.issued_on == project.final_on
    assert wf.host_approval_on_record(project)


def test_the_timeline_says_what_the_host_recorded(dfp, host):
    project = record(dfp, host)
    verify(dfp, project)
    recorded = event_detail(project.events.get(kind="track1_recorded"))
    assert recorded == (
        "Reference UA1000001; national approval Order 123 of the Ministry; determined by "
        "Bureau Veritas Certification Holding SAS on 4 May 2009."
    )
    verified = event_detail(project.events.get(kind="track1_verification"))
    assert "t CO2e verified for" in verified and "Bureau Veritas" in verified


def test_the_as_of_page_shows_a_track1_project_from_the_day_it_was_recorded(client, dfp, host):
    """Para 23: public from the moment the host's focal point records it; the page as it stood
    on a past day is rebuilt from the events like a Track 2 project's."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        project = record(dfp, host)
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        verify(dfp, project)
    url = f"/projects/{project.key}/?as_of="
    assert client.get(url + "2026-03-01").status_code == 404  # not yet recorded
    before = client.get(url + "2026-03-02")
    assert before.status_code == 200
    page = before.content.decode()
    assert "UA1000001" in page and "Track 1" in page and "Determination final" in page
    assert "Verification recorded by the host Party" not in page
    after = client.get(url + "2026-03-09").content.decode()
    assert "Verification recorded by the host Party (Track 1)" in after
    assert "45,000" in after
