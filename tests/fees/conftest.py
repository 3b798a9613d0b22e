"""Fee fixtures: an unpaid determination invoice, and the projects of another participant."""

from decimal import Decimal

import pytest

from tests.support import Cycle, determination_invoice


@pytest.fixture
def fee_due(cycle):
    """Project 0001 with its USD 8,500.00 determination invoice issued and unpaid."""
    project = cycle.determination_submitted()
    invoice = determination_invoice(project)
    assert (invoice.amount_usd, invoice.status) == (Decimal("8500.00"), "issued")
    return invoice


@pytest.fixture
def other_org_cycle(other_participant, aie_user, secretariat, ukraine, scopes):
    """Projects of another participant organisation."""
    return Cycle(other_participant, aie_user, secretariat, ukraine)
