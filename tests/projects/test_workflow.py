"""Every transition and guard of the determination cycle, through the domain functions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from determinations import workflow as dwf
from determinations.models import Determination
from fees import services as fee_services
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import workflow as wf
from projects.models import Document, Engagement, Event, Project, User
from tests.factories import AIEFactory, UserFactory, pdf_upload, project_data
from tests.support import FINDINGS

pytestmark = pytest.mark.django_db


def statuses(project):
    return list(
        project.events.exclude(to_status="").order_by("pk").values_list("to_status", flat=True)
    )


def test_create_project_computes_average_and_includes_own_organisation(
    participant, ukraine, scopes
):
    project = wf.create_project(
        participant, **project_data(ukraine, expected={2009: 10000, 2010: 20001})
    )
    assert project.status == "draft"
    assert project.expected_annual_reductions == 15001  # 15000.5 rounded half up
    assert list(project.participants.all()) == [participant.organisation]
    assert project.events.get().kind == "project_created"


def test_create_project_refused_for_other_roles(aie_user, ukraine, scopes):
    with pytest.raises(Forbidden):
        wf.create_project(aie_user, **project_data(ukraine))
    assert Project.objects.count() == 0


@pytest.mark.parametrize(
    "override,field",
    [
        ({"title": " "}, "title"),
        ({"sectoral_scopes": []}, "sectoral_scopes"),
        ({"expected": {}}, "expected"),
        ({"expected": {2009: -1}}, "expected"),
        (
            {"crediting_start": dt.date(2012, 1, 1), "crediting_end": dt.date(2010, 1, 1)},
            "crediting_end",
        ),
        ({"baseline_approach": "cdm_methodology", "methodology": ""}, "methodology"),
    ],
)
def test_create_project_invalid_data_changes_nothing(participant, ukraine, scopes, override, field):
    with pytest.raises(Invalid) as err:
        wf.create_project(participant, **project_data(ukraine, **override))
    assert err.value.field == field
    assert Project.objects.count() == 0


def test_host_party_listed_as_other_party_is_refused(participant, ukraine, scopes):
    with pytest.raises(Invalid):
        wf.create_project(participant, **project_data(ukraine, parties_involved=[ukraine]))


def test_engage_refused_when_host_not_track2_eligible(
    participant, ineligible_party, aie_org, scopes
):
    project = wf.create_project(participant, **project_data(ineligible_party))
    with pytest.raises(Conflict) as err:
        wf.engage_aie(participant, project, aie_org)
    assert err.value.code == "host_not_eligible"
    assert "(d) national registry" in err.value.detail
    assert project.engagements.count() == 0


def test_engage_refused_for_aie_not_accredited_in_every_scope(participant, ukraine, scopes):
    partial = AIEFactory(accredited=[1, 2])
    project = wf.create_project(participant, **project_data(ukraine, scopes=(1, 13)))
    with pytest.raises(Conflict) as err:
        wf.engage_aie(participant, project, partial)
    assert err.value.code == "not_accredited"
    assert "13" in err.value.detail


def test_engagement_accept_and_decline(cycle, aie_user, participant, other_aie_org):
    project = cycle.draft()
    first = wf.engage_aie(participant, project, other_aie_org)
    with pytest.raises(Forbidden):
        wf.decide_engagement(aie_user, first, accept=True)  # another AIE's engagement
    with pytest.raises(Conflict):
        wf.engage_aie(participant, project, aie_user.organisation)  # one pending at a time
    second_user_org = other_aie_org
    other = UserFactory(role=User.Role.AIE, organisation=second_user_org)
    wf.decide_engagement(other, first, accept=False, reason="No capacity")
    assert Engagement.objects.get(pk=first.pk).status == "declined"
    engagement = wf.engage_aie(participant, project, aie_user.organisation)
    wf.decide_engagement(aie_user, engagement, accept=True)
    project.refresh_from_db()
    assert project.status == "engaged"
    assert project.aie == aie_user.organisation
    with pytest.raises(Conflict):
        wf.decide_engagement(aie_user, engagement, accept=True)


def test_submit_pdd_requires_uploaded_pdd(cycle, participant, aie_user):
    project = cycle.draft()
    engagement = wf.engage_aie(participant, project, aie_user.organisation)
    wf.decide_engagement(aie_user, engagement, accept=True)
    with pytest.raises(Conflict) as err:
        wf.submit_pdd(aie_user, project)
    assert err.value.code == "pdd_missing"


def test_only_engaged_aie_submits_pdd(cycle, other_aie_user, participant):
    project = cycle.engaged()
    for actor in (other_aie_user, participant):
        with pytest.raises(Forbidden):
            wf.submit_pdd(actor, project)
    assert Project.objects.get(pk=project.pk).status == "engaged"


def test_secretariat_publishes_with_sequential_references(cycle, secretariat):
    first = cycle.open()
    second = cycle.open()
    assert (first.reference, second.reference) == ("0001", "0002")
    today = timezone.localdate()
    assert first.pdd_available_on == today
    assert first.comments_close_at == dt.datetime.combine(
        today + dt.timedelta(days=29), dt.time(17), tzinfo=dt.UTC
    )
    assert first.due_at == first.comments_close_at
    assert first.documents.get(kind="pdd").published_at is not None


def test_publication_tomorrow_and_not_later(cycle, secretariat):
    project = cycle.submitted()
    with pytest.raises(Invalid):
        wf.check_pdd(
            secretariat,
            project,
            accept=True,
            available_on=timezone.localdate() + dt.timedelta(days=2),
        )
    project.refresh_from_db()
    assert project.status == "pdd_submitted"
    assert project.reference is None
    wf.check_pdd(
        secretariat, project, accept=True, available_on=timezone.localdate() + dt.timedelta(days=1)
    )
    project.refresh_from_db()
    assert project.status == "open_for_comments"
    assert not project.is_published  # visible to the public from tomorrow


def test_secretariat_returns_pdd_with_reasons(cycle, secretariat):
    project = cycle.submitted()
    with pytest.raises(Invalid):
        wf.check_pdd(secretariat, project, accept=False, reason="")
    wf.check_pdd(secretariat, project, accept=False, reason="Section B incomplete")
    project.refresh_from_db()
    assert project.status == "engaged"
    assert project.events.last().reason == "Section B incomplete"


def test_comment_accepted_until_end_instant_only(cycle):
    project = cycle.open()
    end = project.comments_close_at
    wf.add_comment(
        project,
        name="A",
        affiliation="",
        category="stakeholder",
        email="a@x.org",
        text="Hi",
        now=end,
    )
    with pytest.raises(Conflict) as err:
        wf.add_comment(
            project,
            name="B",
            affiliation="",
            category="party",
            email="b@x.org",
            text="Late",
            now=end + dt.timedelta(seconds=1),
        )
    assert err.value.code == "window_closed"
    assert project.comments.count() == 1


def test_comment_refused_before_publication(cycle):
    project = cycle.submitted()
    with pytest.raises(Conflict):
        wf.add_comment(
            project, name="A", affiliation="", category="observer", email="a@x.org", text="x"
        )


@pytest.mark.parametrize(
    "field,values",
    [
        ("email", {"email": "not-an-email"}),
        ("category", {"category": "journalist"}),
        ("text", {"text": "  "}),
        ("name", {"name": ""}),
    ],
)
def test_comment_invalid_fields(cycle, field, values):
    project = cycle.open()
    data = {"name": "A", "affiliation": "", "category": "party", "email": "a@x.org", "text": "x"}
    data.update(values)
    with pytest.raises(Invalid) as err:
        wf.add_comment(project, **data)
    assert err.value.field == field


def test_answer_comment_only_by_project_aie(cycle, aie_user, other_aie_user):
    project = cycle.open()
    comment = wf.add_comment(
        project, name="A", affiliation="NGO", category="stakeholder", email="a@x.org", text="Q?"
    )
    with pytest.raises(Forbidden):
        wf.answer_comment(other_aie_user, comment, "No")
    wf.answer_comment(aie_user, comment, "Considered in section B.")
    comment.refresh_from_db()
    assert comment.answer == "Considered in section B."


def test_confidential_refused_for_para40_documents(cycle, participant):
    project = cycle.draft()
    for kind in ("additionality", "baseline", "eia", "pdd"):
        with pytest.raises(Invalid) as err:
            wf.add_document(
                participant, project, kind=kind, title="x", uploaded=pdf_upload(), confidential=True
            )
        assert err.value.code == "cannot_be_confidential"
    doc = wf.add_document(
        participant,
        project,
        kind="supporting",
        title="IRR",
        uploaded=pdf_upload(),
        confidential=True,
    )
    assert doc.confidential
    assert project.documents.count() == 1


def test_upload_checks_pdf_by_content_and_size(cycle, participant, settings):
    project = cycle.draft()
    fake = SimpleUploadedFile("pdd.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    with pytest.raises(Invalid) as err:
        wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=fake)
    assert err.value.code == "not_a_pdf"
    settings.UPLOAD_MAX_BYTES = 50
    with pytest.raises(Invalid) as err:
        wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    assert err.value.code == "file_too_large"
    assert project.documents.count() == 0


def test_document_versions_increase_per_kind(cycle, participant):
    project = cycle.draft()
    a = wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    b = wf.add_document(
        participant, project, kind="pdd", title="PDD", uploaded=pdf_upload(text="2")
    )
    assert (a.version, b.version) == (1, 2)
    assert a.sha256 != b.sha256 and len(b.sha256) == 64


def test_record_approval_for_party_involved_only(cycle, participant, ukraine, japan):
    project = cycle.draft()
    loa = wf.record_approval(
        participant, project, party=ukraine, issued_on=dt.date(2008, 5, 1), uploaded=pdf_upload()
    )
    assert loa.document.kind == "approval"
    with pytest.raises(Invalid):
        wf.record_approval(participant, project, party=japan, issued_on=dt.date(2008, 5, 1))
    with pytest.raises(Conflict):
        wf.record_approval(participant, project, party=ukraine, issued_on=dt.date(2008, 5, 2))


def test_change_aie_only_between_comment_close_and_determination(
    cycle, participant, other_aie_org, aie_user
):
    project = cycle.open()
    with pytest.raises(Conflict) as err:
        wf.change_aie(participant, project, other_aie_org)
    assert err.value.code == "window_closed"
    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
    wf.change_aie(participant, project, other_aie_org, reason="Cost")
    project.refresh_from_db()
    assert project.aie == other_aie_org
    event = project.events.get(kind="aie_changed")
    assert event.data["old_aie"] == aie_user.organisation.name
    assert project.engagements.filter(status="accepted").get().aie == other_aie_org
    with pytest.raises(Forbidden):
        dwf.submit_determination(aie_user, project, findings=dict(FINDINGS), outcome="positive")


def test_determination_requires_answers_to_every_comment(cycle, aie_user):
    project = cycle.open()
    wf.add_comment(project, name="A", affiliation="", category="party", email="a@x.org", text="Q")
    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as err:
        dwf.submit_determination(aie_user, project, findings=dict(FINDINGS), outcome="positive")
    assert err.value.code == "comments_unanswered"
    assert not Determination.objects.exists()


def test_positive_outcome_needs_all_findings_met(cycle, aie_user):
    project = cycle.comments_closed()
    findings = dict(FINDINGS, additionality=(False, "Common practice"))
    with pytest.raises(Invalid) as err:
        dwf.submit_determination(aie_user, project, findings=findings, outcome="positive")
    assert err.value.code == "inconsistent_outcome"
    with pytest.raises(Invalid):
        dwf.submit_determination(
            aie_user, project, findings=dict(FINDINGS, approval=(True, " ")), outcome="positive"
        )


def test_submit_determination_renders_pdf_and_assesses_fee(cycle):
    project = cycle.determination_submitted()
    det = project.determinations.get()
    assert det.report.kind == "determination_report"
    assert det.report.file.read(5) == b"%PDF-"
    assert det.report.published_at is None
    fee = fee_services.determination_fee_record(project)
    # E = mean(40000, 50000, 60000) = 50000 -> 15000 x 0.10 + 35000 x 0.20
    assert (str(fee.amount_usd), fee.status) == ("8500.00", "due")
    assert project.status == "determination_submitted"


def test_publication_waits_for_fee(cycle, secretariat):
    project = cycle.determination_submitted()
    with pytest.raises(Conflict) as err:
        dwf.check_determination(secretariat, project, accept=True)
    assert err.value.code == "fee_unpaid"
    assert Project.objects.get(pk=project.pk).status == "determination_submitted"
    fee_services.pay_balance(secretariat, project, reference="UBS-123")
    with pytest.raises(Conflict):
        fee_services.pay_balance(secretariat, project, reference="again")
    dwf.check_determination(secretariat, project, accept=True)
    project.refresh_from_db()
    assert project.status == "determination_published"
    assert project.review_window_closes_at == dt.datetime.combine(
        project.determination_available_on + dt.timedelta(days=44), dt.time(17), tzinfo=dt.UTC
    )
    assert project.due_at == project.review_window_closes_at
    assert project.documents.get(kind="determination_report").published_at is not None


def test_small_project_publishes_without_fee(cycle, secretariat):
    project = cycle.determination_submitted(expected={2009: 10000})
    assert fee_services.determination_fee_record(project).status == "not_due"
    dwf.check_determination(secretariat, project, accept=True)
    assert Project.objects.get(pk=project.pk).status == "determination_published"


def test_secretariat_returns_determination_and_aie_resubmits(cycle, secretariat, aie_user):
    project = cycle.determination_submitted()
    dwf.check_determination(secretariat, project, accept=False, reason="Summary missing")
    project.refresh_from_db()
    assert project.status == "comments_closed"
    assert project.determinations.get().status == "returned"
    dwf.submit_determination(aie_user, project, findings=dict(FINDINGS), outcome="positive")
    assert list(project.determinations.values_list("number", "status")) == [
        (2, "submitted"),
        (1, "returned"),
    ]


def test_negative_determination_final_means_rejected(cycle):
    findings = dict(FINDINGS, additionality=(False, "Not additional"))
    project = cycle.comments_closed()
    dwf.submit_determination(cycle.aie_user, project, findings=findings, outcome="negative")
    fee_services.pay_balance(cycle.secretariat, project, reference="BANK-1")
    dwf.check_determination(cycle.secretariat, project, accept=True)
    project.refresh_from_db()
    assert dwf.deem_final(project.pk, project.review_window_closes_at + dt.timedelta(seconds=1))
    project.refresh_from_db()
    assert project.status == "rejected"
    assert project.determinations.get().status == "rejected"


def test_withdraw_before_final_and_not_after(cycle, participant):
    project = cycle.determination_published()
    wf.withdraw(participant, project, reason="Investor left")
    project.refresh_from_db()
    assert project.status == "withdrawn" and project.withdrawn_at is not None
    assert project.determinations.get().status == "withdrawn"
    assert project.due_at is None
    final = cycle.final()
    with pytest.raises(Conflict):
        wf.withdraw(participant, final)


def test_withdraw_only_by_own_participants(cycle, other_participant):
    project = cycle.open()
    with pytest.raises(Forbidden):
        wf.withdraw(other_participant, project)


def test_transition_table_refuses_skipping_steps(cycle, secretariat):
    project = cycle.engaged()
    with pytest.raises(Conflict) as err:
        wf.check_pdd(secretariat, project, accept=True)
    assert err.value.code == "wrong_status"


def test_every_status_change_writes_one_event(cycle):
    project = cycle.final()
    assert statuses(project) == [
        "draft",
        "engaged",
        "pdd_submitted",
        "open_for_comments",
        "comments_closed",
        "determination_submitted",
        "determination_published",
        "final",
    ]


def test_events_are_append_only(cycle):
    project = cycle.draft()
    event = Event.objects.get(project=project)
    event.reason = "tampered"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_notifications_go_to_who_acts_next(
    cycle, participant, aie_user, django_capture_on_commit_callbacks, mailoutbox
):
    project = cycle.draft()
    with django_capture_on_commit_callbacks(execute=True):
        wf.engage_aie(participant, project, aie_user.organisation)
    assert [m.to for m in mailoutbox] == [[aie_user.email]]
    assert f"/projects/{project.key}/" in mailoutbox[0].body


def test_document_kind_constant_matches_choices():
    assert Document.NEVER_CONFIDENTIAL <= set(Document.Kind.values)
