"""ERU issuance (13/CMP.1 annex para 29, ji-rules §3.13): AAU holdings, conversion of serially
numbered blocks for a final verification, transfers (TRANSFER_SPLIT) and the reconciliation per
calendar year (ISSUED_BY_YEAR)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from determinations import issuance
from determinations import verification as vwf
from determinations.models import AauLedgerEntry, EruBlock, EruIssuance, Verification
from fees import services as fee_services
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import changes
from projects import workflow as wf
from projects.models import Event, User
from tests.factories import UserFactory
from tests.support import Cycle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date


@pytest.fixture
def make_final(cycle, submit_report, verify):
    """make_final(project, start, end, verified) -> a final verification (fee paid if due)."""

    def run(project, start, end, verified, claimed=None):
        report = submit_report(project, start, end, claimed or verified)
        ver = verify(report, verified)
        fee = project.fees.get(kind="verification", number=ver.number)
        if fee.status == "due":
            invoice = fee.invoices.get()
            fee_services.record_payment(
                cycle.secretariat, invoice, amount=invoice.balance_usd, reference=f"V{ver.pk}"
            )
        ver = vwf.publish_verification(cycle.secretariat, ver)
        assert vwf.deem_verification_final(
            ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1)
        )
        return Verification.objects.get(pk=ver.pk)

    return run


@pytest.fixture
def ver(final_project, make_final):
    """Final: 50,000 t verified in 2009 (fee 8,500.00, covered by the advance)."""
    return make_final(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 50000})


@pytest.fixture
def japan_dfp(japan):
    return UserFactory(username="jp_dfp", role=User.Role.PARTY, party=japan)


def _blocks(*pairs, period=None):
    out = []
    for start, end in pairs:
        block = {"serial_start": start, "serial_end": end}
        if period is not None:
            block["commitment_period"] = period
        out.append(block)
    return out


# --- AAU holdings ------------------------------------------------------------------------------


def test_record_aau_holding_only_dfp_of_the_party(
    ukraine, party_user, japan_dfp, participant, secretariat
):
    for actor in (japan_dfp, participant, secretariat):
        with pytest.raises(Forbidden) as err:
            issuance.record_aau_holding(actor, ukraine, quantity=10)
        assert err.value.detail == "Only the designated focal point of Ukraine does this."
    assert issuance.aau_balance(ukraine) == 0
    assert issuance.record_aau_holding(party_user, ukraine, quantity=10, note=" Q1 ") == 10
    entry = AauLedgerEntry.objects.filter(party=ukraine).first()
    assert (
        entry.kind,
        entry.commitment_period,
        entry.quantity,
        entry.stated,
        entry.note,
        entry.recorded_by,
    ) == ("holding", 1, 10, 10, "Q1", party_user)


def test_record_aau_holding_is_a_statement_not_an_addition(ukraine, party_user):
    """Issue 12 (AAU_STATEMENTS): the focal point states the holding as it stands in its
    registry; the balance becomes that figure (it was 10 + 5 = 15)."""
    assert issuance.record_aau_holding(party_user, ukraine, quantity=10) == 10
    assert issuance.record_aau_holding(party_user, ukraine, quantity=5) == 5
    assert issuance.aau_balance(ukraine) == 5
    assert issuance.record_aau_holding(party_user, ukraine, quantity=5) == 5
    assert issuance.record_aau_holding(party_user, ukraine, quantity=0) == 0  # holds none
    # One entry per statement: the difference from the balance before, and what was stated.
    assert list(
        AauLedgerEntry.objects.order_by("pk").values_list("kind", "quantity", "stated")
    ) == [("holding", 10, 10), ("holding", -5, 5), ("holding", 0, 5), ("holding", -5, 0)]
    assert issuance.aau_balance(ukraine) == 0


def test_aau_holdings_are_per_commitment_period(ukraine, party_user):
    assert issuance.record_aau_holding(party_user, ukraine, quantity=700) == 700
    assert (
        issuance.record_aau_holding(party_user, ukraine, quantity=300, commitment_period=2) == 300
    )
    assert issuance.aau_balances(ukraine) == {1: 700, 2: 300}
    assert (issuance.aau_balance(ukraine, 1), issuance.aau_balance(ukraine, 2)) == (700, 300)
    assert issuance.aau_balance(ukraine) == 1000  # all periods together
    # A statement of one period leaves the other alone.
    assert issuance.record_aau_holding(party_user, ukraine, quantity=50, commitment_period=2) == 50
    assert issuance.aau_balances(ukraine) == {1: 700, 2: 50}


def test_the_balance_is_the_last_statement_less_conversions_since(ver, party_user, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=1000)
    issuance.issue_erus(party_user, ver, blocks=_blocks((1, 300)))
    assert issuance.aau_balance(ukraine, 1) == 700
    # The registry now holds 900 (the 300 were cancelled there too, and 200 came in).
    assert issuance.record_aau_holding(party_user, ukraine, quantity=900) == 900
    issuance.issue_erus(party_user, ver, blocks=_blocks((1001, 1100)))
    assert issuance.aau_balance(ukraine, 1) == 800
    assert list(
        AauLedgerEntry.objects.order_by("pk").values_list("kind", "quantity", "stated")
    ) == [
        ("holding", 1000, 1000),
        ("conversion", -300, None),
        ("holding", 200, 900),
        ("conversion", -100, None),
    ]


@pytest.mark.parametrize("quantity", [-5, 1.5, "10", True, None, 10**15])
def test_record_aau_holding_whole_non_negative_invalid(ukraine, party_user, quantity):
    with pytest.raises(Invalid) as err:
        issuance.record_aau_holding(party_user, ukraine, quantity=quantity)
    assert err.value.field == "quantity"
    assert not AauLedgerEntry.objects.exists()


@pytest.mark.parametrize("period", [0, 3, "1", 1.0, True, None])
def test_record_aau_holding_commitment_period_invalid(ukraine, party_user, period):
    with pytest.raises(Invalid) as err:
        issuance.record_aau_holding(party_user, ukraine, quantity=5, commitment_period=period)
    assert err.value.field == "commitment_period"
    assert err.value.detail == "The commitment period is 1 (2008–2012) or 2 (2013–2020)."
    assert not AauLedgerEntry.objects.exists()


# --- who issues, for what ------------------------------------------------------------------------


def test_issue_erus_only_the_host_dfp(ver, japan_dfp, participant, secretariat, aie_user):
    for actor in (japan_dfp, participant, secretariat, aie_user):
        with pytest.raises(Forbidden) as err:
            issuance.issue_erus(actor, ver, blocks=_blocks((1, 10)))
        assert err.value.detail == "Only the designated focal point of Ukraine does this."
    assert not EruIssuance.objects.exists()


def test_issue_erus_only_final_verifications(
    final_project, cycle, submit_report, verify, party_user
):
    issuance.record_aau_holding(party_user, final_project.host_party, quantity=1000)
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    ver = verify(report, {2009: 100})
    for step in ("submitted", "published"):
        if step == "published":
            ver = vwf.publish_verification(cycle.secretariat, ver)
        with pytest.raises(Conflict) as err:
            issuance.issue_erus(party_user, ver, blocks=_blocks((1, 10)))
        assert err.value.code == "not_final"
        assert err.value.detail == "ERUs are issued once the verification is final."
    vwf.withdraw_monitoring_report(cycle.participant, report)
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=_blocks((1, 10)))
    assert err.value.code == "not_final"
    assert not EruIssuance.objects.exists()
    assert issuance.aau_balance(final_project.host_party) == 1000


def test_issue_erus_records_blocks_ledger_and_event(ver, party_user, final_project, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=100000)
    iss = issuance.issue_erus(party_user, ver, blocks=_blocks((5001, 6000), (1001, 2000), period=1))
    assert (iss.quantity, iss.party, iss.verification, iss.recorded_by) == (
        2000,
        ukraine,
        ver,
        party_user,
    )
    blocks = list(iss.blocks.order_by("serial_start"))
    assert [(b.serial_start, b.serial_end, b.quantity) for b in blocks] == [
        (1001, 2000, 1000),
        (5001, 6000, 1000),
    ]
    for b in blocks:
        assert (b.originating_party, b.unit_type, b.commitment_period, b.track) == (
            ukraine,
            "ERU",
            1,
            2,
        )
        assert b.project_identifier == f"JI-{final_project.reference}" == "JI-0001"
        assert (b.account, b.active, b.parent) == ("UA national registry", True, None)
    ver.refresh_from_db()
    assert (ver.erus_issued, ver.verified_total) == (2000, 50000)
    conversion = AauLedgerEntry.objects.get(kind="conversion")
    assert (conversion.quantity, conversion.issuance, conversion.note) == (
        -2000,
        iss,
        "Converted to ERUs for project 0001",
    )
    assert issuance.aau_balance(ukraine) == 98000
    event = Event.objects.get(project=final_project, kind="erus_issued")
    assert event.data == {
        "verification": 1,
        "quantity": 2000,
        "blocks": [[5001, 6000], [1001, 2000]],
    }


def test_issue_erus_2009_reductions_are_never_second_period_units(ver, party_user, ukraine):
    """Issue 12 (ISSUANCE_PERIODS): it used to issue CP2 units for 2009 reductions."""
    issuance.record_aau_holding(party_user, ukraine, quantity=100, commitment_period=2)
    issuance.record_aau_holding(party_user, ukraine, quantity=100, commitment_period=1)
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=_blocks((1, 10), period=2))
    assert (err.value.code, err.value.field) == ("wrong_commitment_period", "blocks")
    assert err.value.detail == (
        "F-JI-VRep (1) verified no reductions in 2013–2020: ERUs for reductions in a year are "
        "units of the commitment period that contains it, so none of its ERUs can be units of "
        "the second commitment period (2013–2020)."
    )
    with pytest.raises(Conflict) as err:  # a mixed request is refused as a whole
        issuance.issue_erus(
            party_user, ver, blocks=_blocks((1, 10), period=1) + _blocks((20, 29), period=2)
        )
    assert err.value.code == "wrong_commitment_period"
    assert not EruIssuance.objects.exists()
    assert issuance.aau_balances(ukraine) == {1: 100, 2: 100}
    iss = issuance.issue_erus(party_user, ver, blocks=_blocks((1, 10), period=1))
    assert iss.blocks.get().commitment_period == 1
    assert issuance.aau_balances(ukraine) == {1: 90, 2: 100}


# --- never more than verified, never more than held ----------------------------------------------


def test_issue_erus_exceeds_verified(ver, party_user, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=10**6)
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=_blocks((1, 50001)))
    assert err.value.code == "exceeds_verified"
    assert err.value.detail == (
        "50,001 ERUs would exceed the verified reductions: 50,000 remain to be issued."
    )
    issuance.issue_erus(party_user, ver, blocks=_blocks((1, 30000)))
    # Across two issuances: 30,000 + 20,001 > 50,000.
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=_blocks((100001, 110000), (200001, 210001)))
    assert err.value.code == "exceeds_verified"
    assert err.value.detail == (
        "20,001 ERUs would exceed the verified reductions: 20,000 remain to be issued."
    )
    issuance.issue_erus(party_user, ver, blocks=_blocks((100001, 120000)))
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=_blocks((500000, 500000)))
    assert err.value.code == "exceeds_verified"
    assert err.value.detail.endswith(": 0 remain to be issued.")
    ver.refresh_from_db()
    assert ver.erus_issued == ver.verified_total == 50000
    assert EruIssuance.objects.count() == 2
    assert issuance.aau_balance(ukraine) == 10**6 - 50000


def test_issue_erus_insufficient_aau(ver, party_user, ukraine):
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=_blocks((1, 10)))
    assert err.value.code == "insufficient_aau"
    assert err.value.detail == (
        "Ukraine holds 0 AAUs of the first commitment period (2008–2012); 10 are needed."
    )
    issuance.record_aau_holding(party_user, ukraine, quantity=100)
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=_blocks((1, 60), (101, 141)))
    assert err.value.detail == (
        "Ukraine holds 100 AAUs of the first commitment period (2008–2012); 101 are needed."
    )
    issuance.issue_erus(party_user, ver, blocks=_blocks((1, 60), (101, 140)))
    assert issuance.aau_balance(ukraine) == 0
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=_blocks((1000, 1000)))
    assert err.value.code == "insufficient_aau"
    assert issuance.aau_balance(ukraine) == 0
    ver.refresh_from_db()
    assert ver.erus_issued == 100
    assert list(AauLedgerEntry.objects.values_list("kind", "commitment_period", "quantity")) == [
        ("holding", 1, 100),
        ("conversion", 1, -100),
    ]


def test_aau_balance_shared_by_the_host_projects(cycle, make_final, party_user, ukraine):
    p1 = cycle.final(crediting_start=D(2009, 1, 1))
    p2 = cycle.final(crediting_start=D(2009, 1, 1), title="Second landfill")
    v1 = make_final(p1, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    v2 = make_final(p2, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    issuance.record_aau_holding(party_user, ukraine, quantity=150)
    issuance.issue_erus(party_user, v1, blocks=_blocks((1, 100)))
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, v2, blocks=_blocks((101, 200)))
    assert (err.value.code, err.value.detail) == (
        "insufficient_aau",
        "Ukraine holds 50 AAUs of the first commitment period (2008–2012); 100 are needed.",
    )
    issuance.issue_erus(party_user, v2, blocks=_blocks((101, 150)))
    assert issuance.aau_balance(ukraine) == 0


def test_erus_within_verified_check_constraint(ver):
    with pytest.raises(IntegrityError), transaction.atomic():
        Verification.objects.filter(pk=ver.pk).update(erus_issued=50001)
    Verification.objects.filter(pk=ver.pk).update(erus_issued=50000)
    assert Verification.objects.get(pk=ver.pk).erus_issued == 50000


def test_aau_entry_check_constraints(ukraine):
    """A statement holds a non-negative ``stated`` (its quantity, the difference, may be of any
    sign); a conversion is negative and states nothing; the period is 1 or 2."""
    bad = [
        {"kind": "holding", "quantity": 5, "stated": None},
        {"kind": "holding", "quantity": -5, "stated": -1},
        {"kind": "conversion", "quantity": 1, "stated": None},
        {"kind": "conversion", "quantity": 0, "stated": None},
        {"kind": "conversion", "quantity": -1, "stated": 0},
        {"kind": "holding", "quantity": 5, "stated": 5, "commitment_period": 3},
        {"kind": "holding", "quantity": 5, "stated": 5, "commitment_period": 0},
    ]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            AauLedgerEntry.objects.create(party=ukraine, **{"commitment_period": 1, **fields})
    for fields in (
        {"kind": "holding", "quantity": -5, "stated": 0},
        {"kind": "holding", "quantity": 0, "stated": 0},
        {"kind": "conversion", "quantity": -1, "stated": None, "commitment_period": 2},
    ):
        AauLedgerEntry.objects.create(party=ukraine, **{"commitment_period": 1, **fields})


def test_eru_block_commitment_period_check_constraint(ver, party_user, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=100)
    block = issuance.issue_erus(party_user, ver, blocks=_blocks((1, 10))).blocks.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        EruBlock.objects.filter(pk=block.pk).update(commitment_period=3)


# --- serials -------------------------------------------------------------------------------------


def test_issue_erus_serial_in_use(ver, party_user, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=100000)
    issuance.issue_erus(party_user, ver, blocks=_blocks((1001, 2000)))
    for start, end in ((500, 1001), (2000, 2500), (1500, 1600), (1, 5000)):
        with pytest.raises(Conflict) as err:
            issuance.issue_erus(party_user, ver, blocks=_blocks((9001, 9010), (start, end)))
        assert err.value.code == "serial_in_use"
        assert err.value.detail == (
            f"Serials {start}–{end} overlap block 1001–2000, already issued."
        )
    # Adjacent serials are free; nothing of a refused call was kept.
    issuance.issue_erus(party_user, ver, blocks=_blocks((1, 1000), (2001, 3000)))
    assert EruIssuance.objects.count() == 2
    assert issuance.aau_balance(ukraine) == 100000 - 3000
    ver.refresh_from_db()
    assert ver.erus_issued == 3000


def test_issue_erus_split_block_serials_still_in_use(ver, party_user, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=100000)
    iss = issuance.issue_erus(party_user, ver, blocks=_blocks((1, 1000)))
    issuance.transfer(party_user, iss.blocks.get(), quantity=400, account="PP account")
    for start, end in ((1, 1), (400, 401), (1000, 1000)):
        with pytest.raises(Conflict) as err:
            issuance.issue_erus(party_user, ver, blocks=_blocks((start, end)))
        assert err.value.code == "serial_in_use"


def test_issue_erus_same_serials_other_originating_party(
    ver, party_user, ukraine, japan, japan_dfp, participant, aie_user, secretariat, make_final
):
    issuance.record_aau_holding(party_user, ukraine, quantity=1000)
    issuance.issue_erus(party_user, ver, blocks=_blocks((1, 100)))
    japanese = Cycle(participant, aie_user, secretariat, japan).final(
        crediting_start=D(2009, 1, 1), title="Japanese-hosted project"
    )
    jver = make_final(japanese, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    issuance.record_aau_holding(japan_dfp, japan, quantity=1000)
    jiss = issuance.issue_erus(japan_dfp, jver, blocks=_blocks((1, 100)))
    block = jiss.blocks.get()
    assert (block.originating_party, block.account) == (japan, "JP national registry")
    assert issuance.aau_balance(ukraine) == issuance.aau_balance(japan) == 900


def test_issue_erus_blocks_overlapping_each_other_invalid(ver, party_user, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=100000)
    for pairs in (
        ((1, 100), (100, 200)),
        ((1, 100), (200, 300), (50, 60)),
        ((10, 10), (10, 10)),
    ):
        with pytest.raises(Invalid) as err:
            issuance.issue_erus(party_user, ver, blocks=_blocks(*pairs))
        assert (err.value.field, err.value.detail) == ("blocks", "The blocks overlap each other.")
    assert not EruIssuance.objects.exists()


@pytest.mark.parametrize(
    "block",
    [
        {"serial_start": 10},
        {"serial_end": 10},
        {"serial_start": 10, "serial_end": 9},
        {"serial_start": 0, "serial_end": 9},
        {"serial_start": -5, "serial_end": 9},
        {"serial_start": 1, "serial_end": 10**15},
        {"serial_start": "a", "serial_end": 9},
        {"serial_start": None, "serial_end": 9},
        {"serial_start": 1, "serial_end": 9, "commitment_period": 3},
        {"serial_start": 1, "serial_end": 9, "commitment_period": 0},
    ],
)
def test_issue_erus_malformed_block_invalid(ver, party_user, ukraine, block):
    issuance.record_aau_holding(party_user, ukraine, quantity=100)
    with pytest.raises(Invalid) as err:
        issuance.issue_erus(party_user, ver, blocks=[block])
    assert err.value.field == "blocks"
    assert not EruIssuance.objects.exists()


def test_issue_erus_no_blocks_required(ver, party_user):
    for blocks in ([], None):
        with pytest.raises(Invalid) as err:
            issuance.issue_erus(party_user, ver, blocks=blocks)
        assert (err.value.code, err.value.field) == ("required", "blocks")


def test_issue_erus_fractional_serials_invalid(ver, party_user, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=100)
    with pytest.raises(Invalid):
        issuance.issue_erus(party_user, ver, blocks=[{"serial_start": 1.5, "serial_end": 10.7}])


# --- transfers (TRANSFER_SPLIT) ------------------------------------------------------------------


@pytest.fixture
def block(ver, party_user, ukraine):
    issuance.record_aau_holding(party_user, ukraine, quantity=100000)
    return issuance.issue_erus(party_user, ver, blocks=_blocks((1001, 2000))).blocks.get()


def test_transfer_splits_block_head_to_named_account(block, party_user, final_project):
    head = issuance.transfer(party_user, block, quantity=300, account="  PP account 7  ")
    block.refresh_from_db()
    assert block.active is False
    assert (head.serial_start, head.serial_end, head.account, head.active) == (
        1001,
        1300,
        "PP account 7",
        True,
    )
    tail = EruBlock.objects.get(parent=block, active=True, serial_start=1301)
    assert (tail.serial_end, tail.account) == (2000, "UA national registry")
    for child in (head, tail):
        assert child.parent == block
        assert (child.issuance, child.originating_party, child.project_identifier) == (
            block.issuance,
            block.originating_party,
            "JI-0001",
        )
        assert (child.unit_type, child.commitment_period, child.track) == ("ERU", 1, 2)
    assert EruBlock.objects.filter(active=True).count() == 2
    event = Event.objects.get(project=final_project, kind="erus_transferred")
    assert event.data == {
        "serial_start": 1001,
        "serial_end": 1300,
        "account": "PP account 7",
        "account_party": "UA",
    }
    # The tail splits again; its head keeps the tail's start serial.
    head2 = issuance.transfer(party_user, tail, quantity=1, account="PP account 8")
    assert (head2.serial_start, head2.serial_end) == (1301, 1301)
    active = EruBlock.objects.filter(active=True).order_by("serial_start")
    assert [(b.serial_start, b.serial_end, b.account) for b in active] == [
        (1001, 1300, "PP account 7"),
        (1301, 1301, "PP account 8"),
        (1302, 2000, "UA national registry"),
    ]


def test_transfer_to_another_partys_registry_needs_its_approval(
    block, party_user, japan, japan_dfp, final_project
):
    """ji-rules §7 "Approval by the Parties involved": ERUs go to an account of a Party other
    than the host only once that Party's approval is on record (para 33 (a))."""
    final_project.parties_involved.add(japan)  # set up: Japan is a Party involved

    def to_japan():
        return issuance.transfer(
            party_user, block, quantity=10, account="JP-1", account_party=japan
        )

    with pytest.raises(Conflict) as refused:
        to_japan()
    assert refused.value.code == "approval_missing" and "Japan" in refused.value.detail
    block.refresh_from_db()
    assert block.active is True and EruBlock.objects.count() == 1
    assert not Event.objects.filter(kind="erus_transferred").exists()
    # Japan's focal point records its approval of the final project, on record at once
    wf.record_approval(japan_dfp, final_project, party=japan, issued_on=D(2009, 1, 5))
    head = to_japan()
    assert (head.account, head.account_party) == ("JP-1", japan)
    tail = EruBlock.objects.get(parent=block, active=True, serial_start=1011)
    assert tail.account_party is None  # still in the host's registry
    assert Event.objects.get(kind="erus_transferred").data["account_party"] == "JP"


def test_transfer_whole_block(block, party_user):
    head = issuance.transfer(party_user, block, quantity=1000, account="PP account 7")
    assert (head.serial_start, head.serial_end, head.account) == (1001, 2000, "PP account 7")
    block.refresh_from_db()
    assert block.active is False
    assert list(block.children.all()) == [head]
    assert list(EruBlock.objects.filter(active=True)) == [head]


def test_transfer_more_than_block_conflict(block, party_user):
    with pytest.raises(Conflict) as err:
        issuance.transfer(party_user, block, quantity=1001, account="PP account 7")
    assert (err.value.code, err.value.detail) == ("exceeds_block", "The block holds 1,000 ERUs.")
    block.refresh_from_db()
    assert block.active is True
    assert EruBlock.objects.count() == 1


def test_transfer_inactive_block_conflict(block, party_user):
    issuance.transfer(party_user, block, quantity=10, account="PP account 7")
    with pytest.raises(Conflict) as err:
        issuance.transfer(party_user, block, quantity=10, account="PP account 8")
    assert err.value.code == "block_inactive"
    assert err.value.detail == "This block was already split or transferred."
    assert EruBlock.objects.count() == 3


@pytest.mark.parametrize(
    ("quantity", "account", "field"),
    [
        (0, "PP", "quantity"),
        (-1, "PP", "quantity"),
        (1.0, "PP", "quantity"),
        (True, "PP", "quantity"),
        ("5", "PP", "quantity"),
        (5, "  ", "account"),
        (5, None, "account"),
    ],
)
def test_transfer_invalid_input(block, party_user, quantity, account, field):
    with pytest.raises(Invalid) as err:
        issuance.transfer(party_user, block, quantity=quantity, account=account)
    assert err.value.field == field
    assert EruBlock.objects.count() == 1


def test_transfer_only_the_dfp_of_the_originating_party(block, japan_dfp, participant):
    for actor in (japan_dfp, participant):
        with pytest.raises(Forbidden):
            issuance.transfer(actor, block, quantity=1, account="PP")
    assert EruBlock.objects.get(pk=block.pk).active is True


# --- reconciliation (ISSUED_BY_YEAR) -------------------------------------------------------------


def test_reconciliation_per_year(final_project, cycle, submit_report, make_final, party_user):
    project = final_project
    withdrawn = submit_report(project, D(2011, 1, 1), D(2011, 3, 31), {2011: 999})
    vwf.withdraw_monitoring_report(cycle.participant, withdrawn)
    ver = make_final(
        project,
        D(2009, 7, 1),
        D(2010, 6, 30),
        {2009: 24000, 2010: 25000},
        claimed={2009: 25000, 2010: 25000},
    )
    submit_report(project, D(2010, 7, 1), D(2011, 6, 30), {2010: 7000, 2011: 8000})
    assert [r["issued"] for r in issuance.reconciliation(project)] == [0, 0, 0, 0]
    issuance.record_aau_holding(party_user, project.host_party, quantity=100000)
    issuance.issue_erus(party_user, ver, blocks=_blocks((1, 30000)))
    assert issuance.reconciliation(project) == [
        {"year": 2008, "expected": 40000, "claimed": 0, "verified": 0, "issued": 0},
        {"year": 2009, "expected": 50000, "claimed": 25000, "verified": 24000, "issued": 24000},
        {"year": 2010, "expected": 60000, "claimed": 32000, "verified": 25000, "issued": 6000},
        {"year": 2011, "expected": 0, "claimed": 8000, "verified": 0, "issued": 0},
    ]
    issuance.issue_erus(party_user, ver, blocks=_blocks((30001, 49000)))
    rows = {r["year"]: r for r in issuance.reconciliation(project)}
    assert (rows[2009]["issued"], rows[2010]["issued"]) == (24000, 25000)


def test_reconciliation_counts_only_final_verifications(final_project, submit_report, verify):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    verify(report, {2009: 9000})
    rows = {r["year"]: r for r in issuance.reconciliation(final_project)}
    assert rows[2009] == {
        "year": 2009,
        "expected": 50000,
        "claimed": 10000,
        "verified": 0,
        "issued": 0,
    }


def test_no_transfer_to_a_party_removed_from_the_project(
    block, party_user, japan, japan_dfp, final_project, cycle
):
    """``projects.changes`` rule 4: a Party removed from the project is no longer a Party
    involved; its earlier approval does not let ERUs go to its registry."""
    final_project.parties_involved.add(japan)
    wf.record_approval(japan_dfp, final_project, party=japan, issued_on=D(2009, 1, 5))
    changes.request_change(
        cycle.participant,
        final_project,
        kind="remove_party",
        party=japan,
        reason="The Japanese buyer withdrew.",
        consent_declared=True,
    )
    with pytest.raises(Conflict) as refused:
        issuance.transfer(party_user, block, quantity=10, account="JP-1", account_party=japan)
    assert refused.value.code == "not_involved"
    block.refresh_from_db()
    assert block.active is True
