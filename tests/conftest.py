"""Fixtures for every app's tests: reference data, users and API clients per role, the cycle
walker, the JISC, and ``fast_pdfs``. Plain helpers and constants are in ``tests/support.py``."""

import pytest
from django.core.cache import cache
from django.test.client import ClientMixin
from django.utils import timezone, translation
from rest_framework.test import APIClient

from determinations import verification as vwf
from projects.accounts import SECOND_FACTOR
from projects.models import User

from .factories import (
    AIEFactory,
    OrganisationFactory,
    PartyFactory,
    UserFactory,
    make_scopes,
    pdf_upload,
)
from .support import CONDITIONS, Committee, Cycle, client_for, fast_write_pdf


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _official_language():
    """Each test starts in English: a page asked in Russian leaves its language active in the
    thread (LocaleMiddleware activates it, nothing resets it), and a workflow called directly
    afterwards would refuse in Russian."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _cache():
    """Each test starts with an empty cache: its database is new, so no page of another test's
    may be found (jitrack.pagecache)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` stands for a complete login, the second factor included
    (projects.accounts: a secretariat or JISC session without it is logged out). The login
    pages themselves are tested in tests/projects/test_accounts_two_factor.py."""
    force_login = ClientMixin.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        session = self.session
        session[SECOND_FACTOR] = "force_login"
        session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login_with_second_factor)


@pytest.fixture
def scopes(db):
    make_scopes()


# The Parties ship with the product (a data migration); each fixture brings its row to exactly
# the para 21 requirements the tests rely on, whatever the reference data says (PartyFactory).


@pytest.fixture
def ukraine(db):
    """A Track 2 host that cannot use Track 1: (a), (b), (d) only."""
    return PartyFactory(
        code="UA",
        name="Ukraine",
        kp_party=True,
        assigned_amount_recorded=True,
        national_system=False,
        national_registry=True,
        inventory_submitted=False,
        supplementary_info=False,
    )


@pytest.fixture
def japan(db):
    """Meets all six requirements (Track 1)."""
    return PartyFactory(
        code="JP",
        name="Japan",
        kp_party=True,
        assigned_amount_recorded=True,
        national_system=True,
        national_registry=True,
        inventory_submitted=True,
        supplementary_info=True,
    )


@pytest.fixture
def ineligible_party(db):
    """Cannot host Track 2: no national registry (para 21 (d))."""
    return PartyFactory(
        code="XX",
        name="Ineligibleland",
        kp_party=True,
        assigned_amount_recorded=True,
        national_registry=False,
    )


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


# --- API clients per role (token auth) ------------------------------------------------------


@pytest.fixture
def anon(db):
    return APIClient()


@pytest.fixture
def pp_api(participant):
    return client_for(participant)


@pytest.fixture
def other_pp_api(other_participant):
    return client_for(other_participant)


@pytest.fixture
def aie_api(aie_user):
    return client_for(aie_user)


@pytest.fixture
def other_aie_api(other_aie_user):
    return client_for(other_aie_user)


@pytest.fixture
def sec_api(secretariat):
    return client_for(secretariat)


@pytest.fixture
def party_api(party_user):
    return client_for(party_user)


@pytest.fixture
def jisc_api(jisc_user):
    return client_for(jisc_user)


# --- the cycle, monitoring and verification ------------------------------------------------------


@pytest.fixture
def cycle(participant, aie_user, secretariat, ukraine, scopes):
    return Cycle(participant, aie_user, secretariat, ukraine)


@pytest.fixture
def now():
    return timezone.now()


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


# --- the JISC ----------------------------------------------------------------------------------


@pytest.fixture
def committee(db, scopes, japan):
    """Five serving JISC members, one conflicted member from Japan and three experts
    (``tests.support.Committee``)."""
    return Committee()


# --- PDFs --------------------------------------------------------------------------------------


@pytest.fixture
def fast_pdfs(monkeypatch):
    """Reports and forms made without WeasyPrint (a second or more each): ``jitrack.pdf.write_pdf``
    gives a tiny valid PDF holding the page's text (``tests.support.tiny_pdf``). For the modules
    whose PDFs are not under test: ``pytestmark = pytest.mark.usefixtures("fast_pdfs")``."""
    monkeypatch.setattr("jitrack.pdf.write_pdf", fast_write_pdf)
