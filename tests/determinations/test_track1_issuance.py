"""Track 1 ERUs (13/CMP.1 annex para 29): issued by the host from the same AAU ledger as Track 2,
in blocks that carry the project's track."""

import datetime as dt

import pytest

from determinations import issuance
from determinations.models import EruBlock, Verification
from jitrack.errors import Conflict

from . import test_track1 as t1
from .test_track1 import record, verify

host, dfp = t1.host, t1.dfp  # the fixtures

pytestmark = pytest.mark.django_db

D = dt.date


def test_track1_erus_are_issued_from_the_same_ledger_with_track_1(dfp, host):
    project = record(dfp, host)
    ver = verify(dfp, project, verified={"2009": 45000})
    issuance.record_aau_holding(dfp, host, quantity=100_000, commitment_period=1)
    iss = issuance.issue_erus(
        dfp, ver, blocks=[{"serial_start": 1, "serial_end": 45000, "commitment_period": 1}]
    )
    block = EruBlock.objects.get(issuance=iss)
    assert (block.track, block.project_identifier, block.quantity) == (1, "JI-UA1000001", 45000)
    assert issuance.aau_balance(host, 1) == 55_000
    assert Verification.objects.get(pk=ver.pk).erus_issued == 45000
    head = issuance.transfer(dfp, block, quantity=1000, account="UA-100-1")
    assert head.track == 1
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(dfp, ver, blocks=[{"serial_start": 50001, "serial_end": 50001}])
    assert err.value.code == "exceeds_verified"
