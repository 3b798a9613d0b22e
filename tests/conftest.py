"""Users per role and a helper that walks a project through the cycle."""

import datetime as dt

import pytest
from django.utils import timezone

from determinations import verification as vwf
from determinations import workflow as dwf
from fees import services as fee_services
from projects import workflow as wf
from projects.models import Project, User

from .factories import (
    AIEFactory,
    OrganisationFactory,
    PartyFactory,
    UserFactory,
    make_scopes,
    pdf_upload,
    project_data,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def scopes(db):
    make_scopes()


@pytest.fixture
def ukraine(db):
    return PartyFactory(code="UA", name="Ukraine")


@pytest.fixture
def japan(db):
    return PartyFactory(
        code="JP",
        name="Japan",
        national_system=True,
        inventory_submitted=True,
        supplementary_info=True,
    )


@pytest.fixture
def ineligible_party(db):
    return PartyFactory(code="XX", name="Ineligibleland", national_registry=False)


@pytest.fixture
def pp_org(db):
    return OrganisationFactory(name="Green Carbon Ltd")


@pytest.fixture
def aie_org(db):
    return AIEFactory(name="Bureau Veritas Certification")


@pytest.fixture
def other_aie_org(db):
    return AIEFactory(name="TÜV SÜD")


@pytest.fixture
def participant(pp_org):
    return UserFactory(username="participant", role=User.Role.PARTICIPANT, organisation=pp_org)


@pytest.fixture
def other_participant(db):
    return UserFactory(
        username="other_pp", role=User.Role.PARTICIPANT, organisation=OrganisationFactory()
    )


@pytest.fixture
def aie_user(aie_org):
    return UserFactory(username="aie", role=User.Role.AIE, organisation=aie_org)


@pytest.fixture
def other_aie_user(other_aie_org):
    return UserFactory(username="aie2", role=User.Role.AIE, organisation=other_aie_org)


@pytest.fixture
def secretariat(db):
    return UserFactory(username="secretariat", role=User.Role.SECRETARIAT)


@pytest.fixture
def party_user(ukraine):
    return UserFactory(username="party", role=User.Role.PARTY, party=ukraine)


@pytest.fixture
def jisc_user(japan):
    return UserFactory(username="jisc1", role=User.Role.JISC, party=japan)


FINDINGS = {
    "approval": (True, "Letters of approval from Ukraine and Japan were checked."),
    "additionality": (True, "Investment analysis shows the project is not the baseline."),
    "baseline_monitoring": (True, "Baseline and monitoring plan follow appendix B."),
    "environmental": (True, "EIA under Ukrainian law reviewed; no significant impacts."),
}


class Cycle:
    """Walks a project to a given stage through the real workflow functions."""

    def __init__(self, participant, aie_user, secretariat, host):
        self.participant = participant
        self.aie_user = aie_user
        self.secretariat = secretariat
        self.host = host

    def draft(self, **overrides) -> Project:
        return wf.create_project(self.participant, **project_data(self.host, **overrides))

    def engaged(self, **overrides) -> Project:
        project = self.draft(**overrides)
        wf.add_document(self.participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
        engagement = wf.engage_aie(self.participant, project, self.aie_user.organisation)
        wf.decide_engagement(self.aie_user, engagement, accept=True)
        return Project.objects.get(pk=project.pk)

    def submitted(self, **overrides) -> Project:
        project = self.engaged(**overrides)
        return wf.submit_pdd(self.aie_user, project)

    def open(self, available_on=None, **overrides) -> Project:
        project = self.submitted(**overrides)
        return wf.check_pdd(self.secretariat, project, accept=True, available_on=available_on)

    def comments_closed(self, **overrides) -> Project:
        project = self.open(**overrides)
        wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
        return Project.objects.get(pk=project.pk)

    def determination_submitted(self, outcome="positive", **overrides) -> Project:
        project = self.comments_closed(**overrides)
        for comment in project.comments.all():
            wf.answer_comment(self.aie_user, comment, "Taken into account.")
        dwf.submit_determination(self.aie_user, project, findings=dict(FINDINGS), outcome=outcome)
        return Project.objects.get(pk=project.pk)

    def determination_published(self, **overrides) -> Project:
        project = self.determination_submitted(**overrides)
        fee = fee_services.determination_fee_record(project)
        if fee.status == "due":
            fee_services.pay_balance(self.secretariat, project, reference="BANK-1")
        dwf.check_determination(self.secretariat, project, accept=True)
        return Project.objects.get(pk=project.pk)

    def final(self, **overrides) -> Project:
        project = self.determination_published(**overrides)
        dwf.deem_final(project.pk, project.review_window_closes_at + dt.timedelta(seconds=1))
        return Project.objects.get(pk=project.pk)


@pytest.fixture
def cycle(participant, aie_user, secretariat, ukraine, scopes):
    return Cycle(participant, aie_user, secretariat, ukraine)


@pytest.fixture
def now():
    return timezone.now()


CONDITIONS = "The para 33 conditions still hold: the changes do not affect additionality."


@pytest.fixture
def submit_report(cycle):
    """submit_report(project, start, end, claimed={year: t}) as the project's participant."""

    def submit(project, start, end, claimed, aie=None):
        return vwf.submit_monitoring_report(
            cycle.participant,
            project,
            period_start=start,
            period_end=end,
            aie=aie or cycle.aie_user.organisation,
            claimed=claimed,
            report=pdf_upload(),
        )

    return submit


@pytest.fixture
def verify(cycle):
    """verify(report, verified={year: t}) as the AIE the report went to."""

    def run(report, verified, change_opinions=None):
        return vwf.submit_verification(
            cycle.aie_user,
            report,
            verified=verified,
            findings="Meters calibrated; data checked against invoices.",
            change_opinions=change_opinions or {},
            conditions_hold=True,
            conditions_reasons=CONDITIONS,
            no_overlap_declared=True,
        )

    return run
