"""Review fixtures: a published determination with Japan involved (so the Japanese member
``mjp`` of ``committee``, ``tests.support.Committee``, has a conflict of interest), the JISC's
members and experts, and the project's appraisal by two members and two experts."""

import pytest

from reviews import workflow as rwf


@pytest.fixture
def project(cycle, committee, japan):
    return cycle.determination_published(parties_involved=[japan])


@pytest.fixture
def members(committee):
    return committee.members


@pytest.fixture
def experts(committee):
    return committee.experts


@pytest.fixture
def appraisal(project, members, experts, secretariat):
    return rwf.appoint_appraisers(secretariat, project, members=members[:2], experts=experts[:2])
