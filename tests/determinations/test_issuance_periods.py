"""ERU issuance guards of issue 12 (13/CMP.1 annex para 29; ji-rules §7 "Commitment periods",
"Verified reductions"; §8 item 2), in ``determinations.issuance``:

- ISSUANCE_PERIODS: ERUs for reductions in year Y are units of the commitment period containing
  Y (2008–2012, 2013–2020); a verification spanning 2012–2013 is issued with blocks of both
  periods in the right quantities; per year, ERUs issued never exceed the verified reductions;
- AAU_STATEMENTS: the AAU ledger per commitment period, issuance only from AAUs of the period;
- no ERUs for a verification whose AIE stated the para 33 conditions no longer hold;
- none when the host no longer meets para 21 (a), (b) and (d);
- and the public edges: the API (400/409 with ``{code, detail}``) and the pages.

Each test walks a project through the real workflow (``fast_pdfs``).
"""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from determinations import issuance
from determinations import verification as vwf
from determinations.models import AauLedgerEntry, EruBlock, EruIssuance, Verification
from fees import services as fee_services
from fees.models import Invoice
from jitrack.errors import Conflict, Invalid
from projects.models import Party
from tests.support import assert_error, client_for, login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date
SPAN = {2012: 3000, 2013: 5000}  # a monitoring period 1 Jul 2012 – 30 Jun 2013


@pytest.fixture
def long_project(cycle):
    """Final, crediting 2009–2021: room for periods in both commitment periods and after."""
    return cycle.final(crediting_start=D(2009, 1, 1), crediting_end=D(2021, 12, 31))


@pytest.fixture
def make_final(cycle, submit_report, verify):
    """make_final(project, start, end, verified) -> a final verification (fee paid if due)."""

    def run(project, start, end, verified):
        ver = verify(submit_report(project, start, end, verified), verified)
        fee = project.fees.get(kind="verification", number=ver.number)
        for invoice in fee.invoices.filter(status__in=Invoice.OPEN):
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
def span(long_project, make_final):
    """Final: 3,000 t verified for 2012 and 5,000 t for 2013."""
    return make_final(long_project, D(2012, 7, 1), D(2013, 6, 30), SPAN)


def blocks(*specs):
    """blocks((period, start, end), ...) as ``issue_erus`` takes them."""
    return [{"serial_start": s, "serial_end": e, "commitment_period": p} for p, s, e in specs]


def hold(party_user, host, first=0, second=0):
    issuance.record_aau_holding(party_user, host, quantity=first, commitment_period=1)
    issuance.record_aau_holding(party_user, host, quantity=second, commitment_period=2)


def issued_by_year(project) -> dict[int, int]:
    return {r["year"]: r["issued"] for r in issuance.reconciliation(project) if r["issued"]}


def nothing_issued(ver) -> None:
    assert not EruIssuance.objects.exists()
    assert not EruBlock.objects.exists()
    assert not AauLedgerEntry.objects.filter(kind="conversion").exists()
    assert Verification.objects.get(pk=ver.pk).erus_issued == 0


# --- ISSUANCE_PERIODS ------------------------------------------------------------------------------


def test_a_span_over_two_periods_needs_blocks_of_both(span, party_user, ukraine):
    hold(party_user, ukraine, first=10000, second=10000)
    assert issuance.remaining_by_period(span) == {1: 3000, 2: 5000}
    # All 8,000 as first-period units: 2013's reductions are never first-period units.
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, span, blocks=blocks((1, 1, 8000)))
    assert err.value.code == "exceeds_verified"
    assert err.value.detail == (
        "8,000 ERUs of the first commitment period (2008–2012) would exceed the reductions "
        "verified for its years (2012: 3,000 t): 3,000 remain to be issued in that period."
    )
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, span, blocks=blocks((2, 1, 5001)))
    assert err.value.code == "exceeds_verified"
    nothing_issued(span)
    # The right quantities of each period, in one issuance.
    iss = issuance.issue_erus(party_user, span, blocks=blocks((1, 1, 3000), (2, 10001, 15000)))
    assert sorted(iss.blocks.values_list("commitment_period", "serial_start", "serial_end")) == [
        (1, 1, 3000),
        (2, 10001, 15000),
    ]
    assert Verification.objects.get(pk=span.pk).erus_issued == 8000
    assert issuance.aau_balances(ukraine) == {1: 7000, 2: 5000}
    assert list(
        AauLedgerEntry.objects.filter(kind="conversion").values_list(
            "commitment_period", "quantity"
        )
    ) == [(1, -3000), (2, -5000)]
    assert issued_by_year(span.project) == {2012: 3000, 2013: 5000}
    assert issuance.remaining_by_period(span) == {1: 0, 2: 0}


def test_a_span_issued_one_period_at_a_time(span, party_user, ukraine):
    hold(party_user, ukraine, first=10000, second=10000)
    issuance.issue_erus(party_user, span, blocks=blocks((2, 1, 2000)))
    # Second-period units count against 2013, never 2012.
    assert issued_by_year(span.project) == {2013: 2000}
    issuance.issue_erus(party_user, span, blocks=blocks((1, 5001, 8000)))
    assert issued_by_year(span.project) == {2012: 3000, 2013: 2000}
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, span, blocks=blocks((1, 9001, 9001)))
    assert (
        err.value.code,
        err.value.detail.endswith(": 0 remain to be issued in that period."),
    ) == (
        "exceeds_verified",
        True,
    )
    issuance.issue_erus(party_user, span, blocks=blocks((2, 2001, 5000)))
    assert issued_by_year(span.project) == {2012: 3000, 2013: 5000}
    assert Verification.objects.get(pk=span.pk).erus_issued == 8000


def test_2013_reductions_are_never_first_period_units(
    long_project, make_final, party_user, ukraine
):
    ver = make_final(long_project, D(2013, 1, 1), D(2013, 12, 31), {2013: 4000})
    hold(party_user, ukraine, first=10000, second=10000)
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=blocks((1, 1, 10)))
    assert (err.value.code, err.value.field) == ("wrong_commitment_period", "blocks")
    assert err.value.detail == (
        "F-JI-VRep (1) verified no reductions in 2008–2012: ERUs for reductions in a year are "
        "units of the commitment period that contains it, so none of its ERUs can be units of "
        "the first commitment period (2008–2012)."
    )
    nothing_issued(ver)
    assert issuance.aau_balances(ukraine) == {1: 10000, 2: 10000}
    issuance.issue_erus(party_user, ver, blocks=blocks((2, 1, 4000)))
    assert issued_by_year(long_project) == {2013: 4000}


def test_reductions_after_2020_give_no_erus(long_project, make_final, party_user, ukraine):
    ver = make_final(long_project, D(2020, 7, 1), D(2021, 6, 30), {2020: 1000, 2021: 2000})
    hold(party_user, ukraine, second=10000)
    assert issuance.remaining_by_period(ver) == {2: 1000}
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=blocks((2, 1, 1001)))
    assert err.value.code == "exceeds_verified"
    issuance.issue_erus(party_user, ver, blocks=blocks((2, 1, 1000)))
    assert issued_by_year(long_project) == {2020: 1000}
    assert Verification.objects.get(pk=ver.pk).erus_issued == 1000


# --- AAUs of the period --------------------------------------------------------------------------


def test_issuance_takes_aaus_of_the_period_only(span, party_user, ukraine):
    hold(party_user, ukraine, first=100000)  # none of the second period
    assert issuance.aau_balance(ukraine) == 100000
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, span, blocks=blocks((2, 1, 10)))
    assert (err.value.code, err.value.detail) == (
        "insufficient_aau",
        "Ukraine holds 0 AAUs of the second commitment period (2013–2020); 10 are needed.",
    )
    issuance.record_aau_holding(party_user, ukraine, quantity=6, commitment_period=2)
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, span, blocks=blocks((1, 100, 199), (2, 1, 10)))
    assert err.value.detail == (
        "Ukraine holds 6 AAUs of the second commitment period (2013–2020); 10 are needed."
    )
    nothing_issued(span)
    issuance.issue_erus(party_user, span, blocks=blocks((1, 100, 199), (2, 1, 6)))
    assert issuance.aau_balances(ukraine) == {1: 99900, 2: 0}


# --- conditions and host eligibility --------------------------------------------------------------


def test_no_erus_when_the_para_33_conditions_no_longer_hold(span, party_user, ukraine):
    """JISC 23 Annex 2: such a verification gives no ERUs (a record filed before the
    verification workflow refused it still exists, so issuance checks it too)."""
    Verification.objects.filter(pk=span.pk).update(conditions_hold=False)
    hold(party_user, ukraine, first=10000, second=10000)
    span.refresh_from_db()
    assert issuance.issuable(span) is False
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, span, blocks=blocks((1, 1, 10)))
    assert (err.value.code, err.value.detail) == (
        "conditions_do_not_hold",
        "The AIE stated in F-JI-VRep (1) that the para 33 conditions no longer hold: no ERUs "
        "can be issued for it.",
    )
    nothing_issued(span)
    assert issuance.aau_balances(ukraine) == {1: 10000, 2: 10000}


@pytest.mark.parametrize(
    "requirement", ["kp_party", "assigned_amount_recorded", "national_registry"]
)
def test_no_erus_when_the_host_no_longer_meets_para_21(span, party_user, ukraine, requirement):
    hold(party_user, ukraine, first=10000, second=10000)
    Party.objects.filter(pk=ukraine.pk).update(**{requirement: False})
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, span, blocks=blocks((1, 1, 10)))
    assert err.value.code == "host_not_eligible"
    missing = Party.objects.get(pk=ukraine.pk).track2_missing()
    assert err.value.detail == (
        f"Ukraine no longer meets para 21 (a), (b) and (d) — missing: {missing[0]}. "
        "ERUs cannot be issued."
    )
    nothing_issued(span)
    Party.objects.filter(pk=ukraine.pk).update(**{requirement: True})
    issuance.issue_erus(party_user, span, blocks=blocks((1, 1, 10)))


def test_para_21_c_e_f_are_not_needed_for_issuance(span, party_user, ukraine):
    Party.objects.filter(pk=ukraine.pk).update(
        national_system=False, inventory_submitted=False, supplementary_info=False
    )
    hold(party_user, ukraine, first=10)
    assert issuance.issue_erus(party_user, span, blocks=blocks((1, 1, 10))).quantity == 10


# --- §8 item 2 whatever the sequence -------------------------------------------------------------

PROPS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)


class Rollback(Exception):
    pass


def expected_refusal(ranges, remaining, balances, used) -> str | None:
    """The model of ``issue_erus``: the first rule a request breaks, in the module's order."""
    ordered = sorted((s, e) for _, s, e in ranges)
    if any(b[0] <= a[1] for a, b in zip(ordered, ordered[1:], strict=False)):
        return "invalid"
    wanted: dict[int, int] = {}
    for p, s, e in ranges:
        wanted[p] = wanted.get(p, 0) + e - s + 1
    if any(p not in remaining for p in wanted):
        return "wrong_commitment_period"
    if sum(wanted.values()) > sum(remaining.values()):
        return "exceeds_verified"
    if any(n > remaining[p] for p, n in wanted.items()):
        return "exceeds_verified"
    if any(n > balances[p] for p, n in wanted.items()):
        return "insufficient_aau"
    if any(s <= ue and e >= us for _, s, e in ranges for us, ue in used):
        return "serial_in_use"
    return None


def assert_invariants(ver, host) -> None:
    """ji-rules §8 item 2 after every step."""
    ver = Verification.objects.get(pk=ver.pk)
    verified = {int(y): int(t) for y, t in ver.verified.items()}
    for row in issuance.reconciliation(ver.project):
        assert row["issued"] <= row["verified"], row  # per year
    roots = list(EruBlock.objects.filter(parent__isnull=True))
    assert sum(b.quantity for b in roots) == ver.erus_issued <= ver.verified_total
    for b in roots:  # every ERU's period contains a year of its reductions
        assert any(issuance.period_of(y) == b.commitment_period for y in verified), b
    active = sorted(EruBlock.objects.filter(active=True).values_list("serial_start", "serial_end"))
    for (_, e1), (s2, _) in zip(active, active[1:], strict=False):
        assert s2 > e1  # no serial twice
    for period, balance in issuance.aau_balances(host).items():
        assert balance >= 0, (period, balance)


@PROPS
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("state"), st.sampled_from([1, 2]), st.integers(0, 6000)),
            st.tuples(
                st.just("issue"),
                st.lists(
                    st.tuples(
                        st.sampled_from([1, 2]),
                        st.integers(0, 15).map(lambda n: 1000 * n + 1),  # starts on a grid
                        st.integers(1, 3500),
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
@example(steps=[("state", 1, 6000), ("state", 2, 6000), ("issue", [(1, 1, 3000), (2, 5001, 3500)])])
@example(
    steps=[("state", 2, 6000), ("issue", [(1, 1, 10)]), ("issue", [(2, 1, 3500), (2, 4001, 1500)])]
)
def test_issuance_keeps_the_record_invariant_whatever_the_sequence(span, party_user, steps):
    host = span.project.host_party

    def check():
        remaining = {1: SPAN[2012], 2: SPAN[2013]}
        balances = {1: 0, 2: 0}
        used: list[tuple[int, int]] = []
        for step in steps:
            if step[0] == "state":
                _, period, quantity = step
                got = issuance.record_aau_holding(
                    party_user, host, quantity=quantity, commitment_period=period
                )
                assert got == quantity
                balances[period] = quantity
            else:
                ranges = [(p, s, s + n - 1) for p, s, n in step[1]]
                expected = expected_refusal(ranges, remaining, balances, used)
                event(f"issue: {expected or 'issued'}")
                request = [
                    {"serial_start": s, "serial_end": e, "commitment_period": p}
                    for p, s, e in ranges
                ]
                if expected is None:
                    issuance.issue_erus(party_user, span, blocks=request)
                    for p, s, e in ranges:
                        remaining[p] -= e - s + 1
                        balances[p] -= e - s + 1
                        used.append((s, e))
                else:
                    before = EruIssuance.objects.count()
                    with pytest.raises((Conflict, Invalid)) as err:
                        issuance.issue_erus(party_user, span, blocks=request)
                    assert err.value.code == expected, (err.value.code, err.value.detail)
                    assert EruIssuance.objects.count() == before
            assert issuance.aau_balances(host) == balances
            assert issuance.remaining_by_period(Verification.objects.get(pk=span.pk)) == remaining
            assert_invariants(span, host)

    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


# --- the API ----------------------------------------------------------------------------------------


def test_api_aau_holding_is_a_statement_per_period(ukraine, party_user):
    api = client_for(party_user)
    url = "/api/parties/UA/aau-holdings/"
    r = api.post(url, {"quantity": 1000, "note": "Registry, 1 March"}, format="json")
    assert r.json() == {
        "party": "UA",
        "commitment_period": 1,
        "quantity": 1000,
        "aau_balance": 1000,
    }
    r = api.post(url, {"quantity": 1}, format="json")
    assert r.json()["aau_balance"] == 1  # stated, not added (it was 1,001)
    r = api.post(url, {"quantity": 400, "commitment_period": 2}, format="json")
    assert r.json() == {"party": "UA", "commitment_period": 2, "quantity": 400, "aau_balance": 400}
    r = api.post(url, {"quantity": 0, "commitment_period": "2"}, format="json")
    assert (r.status_code, r.json()["aau_balance"]) == (200, 0)
    for period in (0, 3, "x", None, True, 1.5):
        body = {"quantity": 5, "commitment_period": period}
        assert_error(api.post(url, body, format="json"), 400, field="commitment_period")
    for quantity in (-1, 2.5, 10**15):
        assert_error(api.post(url, {"quantity": quantity}, format="json"), 400, field="quantity")
    assert issuance.aau_balances(ukraine) == {1: 1, 2: 0}


def test_api_party_issuance_shows_balances_per_period(span, party_user, ukraine, anon):
    hold(party_user, ukraine, first=5000, second=7000)
    issuance.issue_erus(party_user, span, blocks=blocks((1, 1, 1000), (2, 2001, 3000)))
    page = anon.get("/api/parties/UA/issuance/").json()
    assert page["aau_balances"] == [
        {"commitment_period": 1, "balance": 4000},
        {"commitment_period": 2, "balance": 6000},
    ]
    assert page["aau_balance"] == 10000
    assert [
        (e["kind"], e["commitment_period"], e["quantity"], e["stated"]) for e in page["aau_ledger"]
    ] == [
        ("holding", 1, 5000, 5000),
        ("holding", 2, 7000, 7000),
        ("conversion", 1, -1000, None),
        ("conversion", 2, -1000, None),
    ]


def test_api_issuance_refusals_are_409_with_code_and_detail(
    long_project, make_final, party_user, ukraine
):
    ver = make_final(long_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 4000})
    hold(party_user, ukraine, first=10000, second=10000)
    api = client_for(party_user)
    url = "/api/projects/0001/verifications/1/issuance/"
    body = {"blocks": blocks((2, 1, 10))}
    assert_error(api.post(url, body, format="json"), 409, "wrong_commitment_period", "blocks")
    Party.objects.filter(pk=ukraine.pk).update(national_registry=False)
    assert_error(
        api.post(url, {"blocks": blocks((1, 1, 10))}, format="json"), 409, "host_not_eligible"
    )
    Party.objects.filter(pk=ukraine.pk).update(national_registry=True)
    Verification.objects.filter(pk=ver.pk).update(conditions_hold=False)
    r = api.post(url, {"blocks": blocks((1, 1, 10))}, format="json")
    assert_error(r, 409, "conditions_do_not_hold")
    nothing_issued(ver)


# --- the pages --------------------------------------------------------------------------------------


def test_party_page_states_the_holding_per_period(client, party_user, ukraine):
    client = login(client, party_user)
    html = client.get("/parties/UA/issuance/").content.decode()
    assert 'name="commitment_period"' in html and "State the holding" in html
    r = client.post("/parties/UA/issuance/", {"commitment_period": "2", "quantity": "1200"})
    assert r.status_code == 302
    r = client.post("/parties/UA/issuance/", {"commitment_period": "2", "quantity": "200"})
    assert r.status_code == 302
    assert issuance.aau_balances(ukraine) == {1: 0, 2: 200}
    page = client.get("/parties/UA/issuance/")
    assert "Holding stated: Ukraine holds 200 AAUs of the second commitment period" in (
        page.content.decode()
    )
    balances = page.content.decode().split('data-testid="aau-balances"')[1].split("</dl>")[0]
    assert "Second commitment period (2013–2020, Doha Amendment)" in balances
    assert "<strong>200</strong>" in balances
    r = client.post("/parties/UA/issuance/", {"commitment_period": "3", "quantity": "5"})
    assert r.status_code == 400
    r = client.post("/parties/UA/issuance/", {"quantity": "5"})
    assert r.status_code == 400
    assert AauLedgerEntry.objects.count() == 2


def test_issue_page_refuses_units_of_the_wrong_period(
    client, long_project, make_final, party_user, ukraine
):
    make_final(long_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 4000})
    hold(party_user, ukraine, first=10000, second=10000)
    client = login(client, party_user)
    url = "/projects/0001/verifications/1/issue/"
    html = client.get(url).content.decode()
    assert "first commitment period (2008–2012): 4,000 still to issue, 10,000 AAUs held" in html
    r = client.post(url, {"blocks": "1-10", "commitment_period": "2"})
    assert r.status_code == 409
    assert "none of its ERUs can be units of the second commitment period" in r.content.decode()
    assert not EruIssuance.objects.exists()
    r = client.post(url, {"blocks": "1-10", "commitment_period": "1", "confirmed": "yes"})
    assert r.status_code == 302
