"""A project with a final determination, ready for monitoring and verification."""

import datetime as dt

import pytest

from determinations import verification as vwf
from tests.factories import pdf_upload

CONDITIONS = "The para 33 conditions still hold: the changes do not affect additionality."


@pytest.fixture
def final_project(cycle):
    return cycle.final(crediting_start=dt.date(2009, 1, 1))


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
