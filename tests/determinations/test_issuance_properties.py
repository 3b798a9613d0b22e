"""ERU issuance as properties (13/CMP.1 annex para 29, ji-rules §3.13):

- any sequence of transfers keeps the serials of the active blocks exactly the original range,
  each serial once, every active block non-empty (TRANSFER_SPLIT: the head keeps the start
  serial and goes to the named account, the tail stays);
- any sequence of AAU holding statements and issuances never issues more than verified and never
  takes the AAU balance below zero, refusing with the first rule broken; a statement sets the
  balance to the holding stated (AAU_STATEMENTS), a conversion takes from it.

Commitment periods (ISSUANCE_PERIODS) across a verification spanning 2012-2013 are in
``test_issuance_periods.py``.

Each example runs in a savepoint that is rolled back, over one final verification built per test.
"""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from determinations import issuance
from determinations import verification as vwf
from determinations.models import AauLedgerEntry, EruBlock, EruIssuance, Verification
from jitrack.errors import Conflict

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date
VERIFIED = 1000
FIRST, LAST = 5001, 5000 + VERIFIED
PROPS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)


class Rollback(Exception):
    pass


@pytest.fixture
def final_ver(final_project, submit_report, verify, cycle):
    """1,000 t verified in 2009 (fee 100.00, covered by the advance), final."""
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: VERIFIED})
    ver = vwf.publish_verification(cycle.secretariat, verify(report, {2009: VERIFIED}))
    assert vwf.deem_verification_final(
        ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1)
    )
    return Verification.objects.get(pk=ver.pk)


def _rolled_back(check):
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


# --- transfers -----------------------------------------------------------------------------------


def _assert_partition(party):
    active = list(
        EruBlock.objects.filter(originating_party=party, active=True).order_by("serial_start")
    )
    assert active, "no active block left"
    assert all(b.serial_end >= b.serial_start for b in active)
    assert active[0].serial_start == FIRST
    assert active[-1].serial_end == LAST
    for prev, nxt in zip(active, active[1:], strict=False):
        assert nxt.serial_start == prev.serial_end + 1, (prev, nxt)
    assert sum(b.quantity for b in active) == VERIFIED
    return active


@PROPS
@given(
    steps=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10**6),  # which block (active or not)
            st.integers(min_value=1, max_value=VERIFIED + 5),  # quantity
            st.sampled_from(["PP-A", "PP-B", "UA national registry"]),
            st.booleans(),  # pick an inactive block when there is one
        ),
        max_size=12,
    )
)
def test_transfers_keep_every_serial_exactly_once(final_ver, party_user, steps):
    host = final_ver.project.host_party

    def check():
        issuance.record_aau_holding(party_user, host, quantity=VERIFIED)
        issuance.issue_erus(
            party_user, final_ver, blocks=[{"serial_start": FIRST, "serial_end": LAST}]
        )
        _assert_partition(host)
        for pick, quantity, account, stale in steps:
            inactive = list(EruBlock.objects.filter(active=False).order_by("pk"))
            active = list(EruBlock.objects.filter(active=True).order_by("serial_start"))
            if stale and inactive:
                block = inactive[pick % len(inactive)]
                with pytest.raises(Conflict) as err:
                    issuance.transfer(party_user, block, quantity=quantity, account=account)
                assert err.value.code == "block_inactive"
                event("transfer: block_inactive")
            else:
                block = active[pick % len(active)]
                if quantity > block.quantity:
                    with pytest.raises(Conflict) as err:
                        issuance.transfer(party_user, block, quantity=quantity, account=account)
                    assert err.value.code == "exceeds_block"
                    event("transfer: exceeds_block")
                else:
                    head = issuance.transfer(party_user, block, quantity=quantity, account=account)
                    assert (head.serial_start, head.serial_end, head.account) == (
                        block.serial_start,
                        block.serial_start + quantity - 1,
                        account,
                    )
                    children = list(block.children.order_by("serial_start"))
                    assert children[0] == head
                    event("transfer: split" if quantity < block.quantity else "transfer: whole")
                    if quantity < block.quantity:
                        tail = children[1]
                        assert (tail.serial_end, tail.account) == (block.serial_end, block.account)
                    else:
                        assert len(children) == 1
                    assert EruBlock.objects.get(pk=block.pk).active is False
            _assert_partition(host)
        # Transfers never issue or convert anything.
        assert EruIssuance.objects.count() == 1
        assert Verification.objects.get(pk=final_ver.pk).erus_issued == VERIFIED
        assert issuance.aau_balance(host) == 0

    _rolled_back(check)


# --- issuances -----------------------------------------------------------------------------------


@PROPS
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("hold"), st.integers(min_value=0, max_value=1200)),
            st.tuples(st.just("issue"), st.just([(3001, 600)])),  # a large block above the grid
            st.tuples(
                st.just("issue"),
                st.lists(
                    st.tuples(
                        # start serials on a grid, so that blocks meet, overlap and repeat
                        st.integers(min_value=0, max_value=11).map(lambda n: 200 * n + 1),
                        st.integers(min_value=1, max_value=400),  # size
                    ),
                    min_size=1,
                    max_size=3,
                ),
            ),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_issuances_never_exceed_verified_nor_overdraw_aaus(final_ver, party_user, steps):
    host = final_ver.project.host_party

    def check():
        balance = issued = 0
        used: list[tuple[int, int]] = []
        for kind, arg in steps:
            if kind == "hold":
                # AAU_STATEMENTS: the holding as it stands, whatever was issued before.
                assert issuance.record_aau_holding(party_user, host, quantity=arg) == arg
                balance = arg
                assert issuance.aau_balance(host) == balance
                continue
            ranges = [(s, s + n - 1) for s, n in arg]
            total = sum(n for _, n in arg)
            ordered = sorted(ranges)
            if any(b[0] <= a[1] for a, b in zip(ordered, ordered[1:], strict=False)):
                expected = "invalid"
            elif issued + total > VERIFIED:
                expected = "exceeds_verified"
            elif total > balance:
                expected = "insufficient_aau"
            elif any(s <= ue and e >= us for s, e in ranges for us, ue in used):
                expected = "serial_in_use"
            else:
                expected = None
            event(f"issue: {expected or 'issued'}")
            blocks = [{"serial_start": s, "serial_end": e} for s, e in ranges]
            before = EruIssuance.objects.count()
            if expected is None:
                iss = issuance.issue_erus(party_user, final_ver, blocks=blocks)
                assert iss.quantity == total
                issued += total
                balance -= total
                used.extend(ranges)
            else:
                with pytest.raises(Exception) as err:  # noqa: PT011 - Invalid or Conflict
                    issuance.issue_erus(party_user, final_ver, blocks=blocks)
                assert err.value.code == expected
                assert EruIssuance.objects.count() == before
            ver = Verification.objects.get(pk=final_ver.pk)
            assert ver.erus_issued == issued <= ver.verified_total == VERIFIED
            assert issuance.aau_balance(host) == balance >= 0
            assert sum(i.quantity for i in EruIssuance.objects.all()) == issued
            conversions = AauLedgerEntry.objects.filter(party=host, kind="conversion")
            assert -sum(c.quantity for c in conversions) == issued
            assert sum(b.quantity for b in EruBlock.objects.filter(active=True)) == issued

    _rolled_back(check)
