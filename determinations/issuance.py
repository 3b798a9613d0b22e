"""ERU issuance (13/CMP.1 annex para 29; ji-rules §3.13): after a verification is final, the host
Party converts AAUs held in its national registry into ERUs — each unit keeps its serial number
and gains the project identifier — and one AAU is cancelled for every ERU. ERUs go to the host's
registry first, then to the accounts the participants name.

The guards of ``issue_erus`` (ji-rules §7 "Verified reductions" and "Commitment periods", §8
item 2), each a refusal before anything is written:

* ``not_final``: only a final verification gives ERUs;
* ``conditions_do_not_hold``: a verification whose AIE stated that the para 33 conditions no
  longer hold (JISC 23 Annex 2) gives no ERUs;
* ``host_not_eligible``: the host must still meet para 21 (a), (b) and (d) at the time of
  issuance ([our reading] ji-rules §7; ``Party.track2_missing``);
* ``wrong_commitment_period`` and ``exceeds_verified``: ISSUANCE_PERIODS below; never more ERUs
  than verified (also a check constraint on ``Verification``);
* ``insufficient_aau``: the host holds enough AAUs *of each period* the blocks are of;
* ``serial_in_use``: never a serial used twice (also an exclusion constraint on PostgreSQL).

ISSUANCE_PERIODS: [our reading] ji-rules §7 "Commitment periods", §8 item 2 — ERUs for reductions
in year Y are units of the commitment period that contains Y (first: 2008–2012; second:
2013–2020). The ERUs of one period issued for a verification, over all its issuances, count
against the reductions it verified for the years of that period, earliest year first; so they
never exceed them, and a block of a period in none of whose years the verification verified
anything is refused. A verification spanning 2012–2013 is issued with first-period blocks up to
its 2012 reductions and second-period blocks up to its 2013 reductions, in one issuance or
several (the web form takes one period at a time). Reductions verified for a year outside both
periods give no ERUs. Hence, per project and year, ERUs issued never exceed the final verified
reductions of that year (``reconciliation`` counts them so).

AAU_STATEMENTS: [our reading] ji-rules §7 "Commitment periods" (13/CMP.1 annex para 29) — the AAU
ledger is kept per commitment period. The host's focal point *states* its holding of a period as
it stands in its national registry (``record_aau_holding``); the ledger keeps one entry per
statement whose quantity is the difference from the balance before, so the period's balance is
the last stated holding less the AAUs converted since. Every balance stays at or above zero
(statements are never negative; conversions are checked under a lock on the Party's row).

TRANSFER_SPLIT: [our reading] a transfer of part of a block splits it in two; the head — the
part that keeps the original start serial — is the part transferred, the tail stays.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.utils.translation import gettext as _

from jitrack.errors import Conflict, Forbidden, Invalid
from projects.models import Party, Project, User
from projects.workflow import approval_on_record, record

from .accounts import account_for_transfer
from .models import (
    COMMITMENT_PERIOD_YEARS,
    AauLedgerEntry,
    CommitmentPeriod,
    EruBlock,
    EruIssuance,
    MonitoringReport,
    Verification,
)

MAX_SERIAL = 10**15
PERIODS = tuple(CommitmentPeriod.values)


def require_focal_point(actor: User, party: Party) -> None:
    """The act is the designated focal point's of ``party`` (the API asks first, before it reads
    a body; the act again, under its lock)."""
    if not actor.has_perm("determinations.issue_erus", party):
        raise Forbidden(
            _("Only the designated focal point of %(party)s does this.") % {"party": party.name}
        )


# --- commitment periods ----------------------------------------------------------------------------


def period_of(year: int) -> int | None:
    """The commitment period that contains calendar year ``year``, or None."""
    for period, (first, last) in COMMITMENT_PERIOD_YEARS.items():
        if first <= year <= last:
            return int(period)
    return None


def period_name(period: int) -> str:
    first, last = COMMITMENT_PERIOD_YEARS[period]
    if period == 1:
        return _("first commitment period (%(first)s–%(last)s)") % {"first": first, "last": last}
    return _("second commitment period (%(first)s–%(last)s)") % {"first": first, "last": last}


def verified_by_period(ver: Verification) -> dict[int, dict[int, int]]:
    """ISSUANCE_PERIODS: the verification's verified tonnes per year, grouped by the commitment
    period of the year (years in neither period are left out: they give no ERUs)."""
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for year, tonnes in sorted((int(y), int(t)) for y, t in ver.verified.items()):
        period = period_of(year)
        if period is not None and tonnes:
            out[period][year] = tonnes
    return dict(out)


def _issued_by_period(verifications) -> dict[int, dict[int, int]]:
    """ERUs issued per verification (pk) and commitment period: the blocks as issued (a transfer
    splits a block into children; the originals count once)."""
    rows = (
        EruBlock.objects.filter(issuance__verification__in=verifications, parent__isnull=True)
        .values("issuance__verification", "commitment_period")
        .annotate(n=Sum(F("serial_end") - F("serial_start") + 1))
        .order_by()
    )
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for row in rows:
        out[row["issuance__verification"]][row["commitment_period"]] = int(row["n"])
    return out


def _issued_in_period(period: int):
    """A verification's ERUs issued in ``period``, as a subquery to annotate verifications."""
    return Subquery(
        EruBlock.objects.filter(
            issuance__verification=OuterRef("pk"), parent__isnull=True, commitment_period=period
        )
        .values("issuance__verification")
        .annotate(n=Sum(F("serial_end") - F("serial_start") + 1))
        .values("n")
        .order_by()[:1]
    )


def remaining_by_period(ver: Verification) -> dict[int, int]:
    """ISSUANCE_PERIODS: the ERUs still to issue for a verification, per commitment period."""
    issued = _issued_by_period([ver.pk]).get(ver.pk, {})
    return {
        period: max(0, sum(years.values()) - issued.get(period, 0))
        for period, years in sorted(verified_by_period(ver).items())
    }


def issuable(ver: Verification) -> bool:
    """ERUs can be issued for a final verification whose para 33 conditions still hold, up to
    its verified reductions (no query: ``issue_erus`` checks the periods and the host)."""
    return (
        ver.status == Verification.Status.FINAL
        and ver.conditions_hold
        and ver.erus_issued < ver.verified_total
    )


# --- AAUs ----------------------------------------------------------------------------------------


def aau_balance(party: Party, commitment_period: int | None = None) -> int:
    """AAU_STATEMENTS: the AAUs the Party holds for conversion in ``commitment_period`` (the
    last stated holding less the conversions since), or in all periods together when None."""
    entries = AauLedgerEntry.objects.filter(party=party)
    if commitment_period is not None:
        entries = entries.filter(commitment_period=commitment_period)
    return entries.aggregate(s=Sum("quantity"))["s"] or 0


def aau_balances(party: Party) -> dict[int, int]:
    """The Party's AAU balance in each commitment period (one query)."""
    rows = (
        AauLedgerEntry.objects.filter(party=party)
        .values("commitment_period")
        .annotate(s=Sum("quantity"))
        .order_by()
    )
    found = {row["commitment_period"]: row["s"] or 0 for row in rows}
    return {int(p): found.get(p, 0) for p in PERIODS}


def _check_period(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in PERIODS:
        raise Invalid(_("The commitment period is 1 (2008–2012) or 2 (2013–2020)."), field=field)
    return int(value)


def record_aau_holding(
    actor: User,
    party: Party,
    *,
    quantity: int,
    commitment_period: int = CommitmentPeriod.FIRST,
    note: str = "",
) -> int:
    """AAU_STATEMENTS: the DFP states the AAUs of ``commitment_period`` its national registry
    holds now (13/CMP.1 annex para 29) — the holding as it stands, not an addition. The ledger
    records the statement with the difference from the balance before; returns the period's
    balance, which is now the stated holding."""
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 0 <= quantity < MAX_SERIAL
    ):
        raise Invalid(_("Give the AAUs held as a whole number, zero or more."), field="quantity")
    commitment_period = _check_period(commitment_period, "commitment_period")
    with transaction.atomic():
        party = Party.objects.select_for_update().get(pk=party.pk)
        require_focal_point(actor, party)
        before = aau_balance(party, commitment_period)
        AauLedgerEntry.objects.create(
            party=party,
            commitment_period=commitment_period,
            kind=AauLedgerEntry.Kind.HOLDING,
            quantity=quantity - before,
            stated=quantity,
            note=(note or "").strip()[:200],
            recorded_by=actor,
        )
        return aau_balance(party, commitment_period)


def _check_block(block: dict) -> tuple[int, int, int]:
    def whole(value) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError
        if isinstance(value, str) and not value.strip().isascii():
            raise ValueError
        return int(value)  # "1.5" and 1.5 are refused, not truncated

    try:
        start, end = whole(block["serial_start"]), whole(block["serial_end"])
        period = whole(block.get("commitment_period", 1))
    except (KeyError, TypeError, ValueError):
        raise Invalid(
            _("Each block has whole serial numbers: serial_start and serial_end."), field="blocks"
        ) from None
    if not 1 <= start <= end < MAX_SERIAL:
        raise Invalid(
            _("A block runs from its start serial to an end serial not below it."), field="blocks"
        )
    if period not in (1, 2):
        raise Invalid(_("The commitment period is 1 or 2."), field="blocks")
    return start, end, period


def _check_issuable(ver: Verification, host: Party, requested: dict[int, int], total: int) -> None:
    """The guards of ``issue_erus`` after who and which blocks (module docstring), in order;
    called with the verification and the host's row locked."""
    if ver.status != Verification.Status.FINAL:
        raise Conflict(_("ERUs are issued once the verification is final."), code="not_final")
    # JISC 23 Annex 2 (ji-rules §7 "Verified reductions"): no verified reductions, no ERUs.
    if not ver.conditions_hold:
        raise Conflict(
            _(
                "The AIE stated in F-JI-VRep (%(number)s) that the para 33 conditions no longer "
                "hold: no ERUs can be issued for it."
            )
            % {"number": ver.number},
            code="conditions_do_not_hold",
        )
    # [our reading] ji-rules §7 "Commitment periods": para 21 (a), (b) and (d) at issuance.
    missing = host.track2_missing()
    if missing:
        raise Conflict(
            _(
                "%(party)s no longer meets para 21 (a), (b) and (d) — missing: %(missing)s. ERUs "
                "cannot be issued."
            )
            % {"party": host.name, "missing": "; ".join(missing)},
            code="host_not_eligible",
        )
    # ISSUANCE_PERIODS (module docstring).
    verified = verified_by_period(ver)
    for period in sorted(requested):
        if period not in verified:
            first, last = COMMITMENT_PERIOD_YEARS[period]
            raise Conflict(
                _(
                    "F-JI-VRep (%(number)s) verified no reductions in %(first)s–%(last)s: ERUs "
                    "for reductions in a year are units of the commitment period that contains "
                    "it, so none of its ERUs can be units of the %(period)s."
                )
                % {
                    "number": ver.number,
                    "first": first,
                    "last": last,
                    "period": period_name(period),
                },
                code="wrong_commitment_period",
                field="blocks",
            )
    if ver.erus_issued + total > ver.verified_total:
        raise Conflict(
            _("%(total)s ERUs would exceed the verified reductions: %(left)s remain to be issued.")
            % {"total": f"{total:,}", "left": f"{ver.verified_total - ver.erus_issued:,}"},
            code="exceeds_verified",
        )
    issued = _issued_by_period([ver.pk]).get(ver.pk, {})
    for period, quantity in sorted(requested.items()):
        years = verified[period]
        left = max(0, sum(years.values()) - issued.get(period, 0))
        if quantity > left:
            listed = ", ".join(f"{y}: {t:,} t" for y, t in years.items())
            raise Conflict(
                _(
                    "%(quantity)s ERUs of the %(period)s would exceed the reductions verified for "
                    "its years (%(years)s): %(left)s remain to be issued in that period."
                )
                % {
                    "quantity": f"{quantity:,}",
                    "period": period_name(period),
                    "years": listed,
                    "left": f"{left:,}",
                },
                code="exceeds_verified",
            )
    for period, quantity in sorted(requested.items()):
        balance = aau_balance(host, period)
        if quantity > balance:
            raise Conflict(
                _("%(party)s holds %(balance)s AAUs of the %(period)s; %(quantity)s are needed.")
                % {
                    "party": host.name,
                    "balance": f"{balance:,}",
                    "period": period_name(period),
                    "quantity": f"{quantity:,}",
                },
                code="insufficient_aau",
            )


def issue_erus(actor: User, verification: Verification, *, blocks: list[dict]) -> EruIssuance:
    """The host's DFP records ERU blocks converted from its AAUs for a final verification; each
    block names its commitment period (the first when it does not). Refused, with nothing
    written, when a guard of the module docstring fails."""
    if not blocks:
        raise Invalid(
            _("Give at least one block of serial numbers."), code="required", field="blocks"
        )
    ranges = [_check_block(b) for b in blocks]
    ordered = sorted(ranges)
    for (_s1, e1, _p1), (s2, _e2, _p2) in zip(ordered, ordered[1:], strict=False):
        if s2 <= e1:
            raise Invalid(_("The blocks overlap each other."), field="blocks")
    total = sum(e - s + 1 for s, e, _period in ranges)
    requested: dict[int, int] = defaultdict(int)
    for start, end, period in ranges:
        requested[period] += end - start + 1
    with transaction.atomic():
        ver = (
            Verification.objects.select_for_update()
            .select_related("project")
            .get(pk=verification.pk)
        )
        project: Project = ver.project
        host = Party.objects.select_for_update().get(pk=project.host_party_id)
        require_focal_point(actor, host)
        _check_issuable(ver, host, dict(requested), total)
        for start, end, _period in ranges:
            clash = EruBlock.objects.filter(
                originating_party=host, active=True, serial_start__lte=end, serial_end__gte=start
            ).first()
            if clash is not None:
                raise Conflict(
                    _("Serials %(start)s–%(end)s overlap block %(first)s–%(last)s, already issued.")
                    % {
                        "start": start,
                        "end": end,
                        "first": clash.serial_start,
                        "last": clash.serial_end,
                    },
                    code="serial_in_use",
                )
        issuance = EruIssuance.objects.create(
            verification=ver, party=host, quantity=total, recorded_by=actor
        )
        try:
            with transaction.atomic():
                EruBlock.objects.bulk_create(
                    [
                        EruBlock(
                            issuance=issuance,
                            originating_party=host,
                            serial_start=start,
                            serial_end=end,
                            commitment_period=period,
                            project_identifier=f"JI-{project.reference}",
                            track=int(project.track),  # para 23: Track 1 or Track 2
                            account=f"{host.code} national registry",
                        )
                        for start, end, period in ranges
                    ]
                )
                ver.erus_issued += total
                ver.save(update_fields=["erus_issued"])
        except IntegrityError:
            raise Conflict(
                _("A serial is already in use, or more ERUs than verified."), code="serial_in_use"
            ) from None
        # One AAU cancelled for every ERU, from the period the ERUs are units of.
        AauLedgerEntry.objects.bulk_create(
            [
                AauLedgerEntry(
                    party=host,
                    commitment_period=period,
                    kind=AauLedgerEntry.Kind.CONVERSION,
                    quantity=-quantity,
                    note=f"Converted to ERUs for project {project.reference}",
                    issuance=issuance,
                    recorded_by=actor,
                )
                for period, quantity in sorted(requested.items())
            ]
        )
        record(
            project,
            "erus_issued",
            actor=actor,
            data={
                "verification": ver.number,
                "quantity": total,
                "blocks": [[s, e] for s, e, _ in ranges],
            },
        )
    return issuance


def transfer(
    actor: User,
    block: EruBlock,
    *,
    quantity: int,
    account: str = "",
    account_party: Party | None = None,
    account_id: int | None = None,
) -> EruBlock:
    """Forward ERUs to an account the participants name, in the national registry of
    ``account_party`` (default: the host's). TRANSFER_SPLIT (module docstring).

    ``account_id``: one of the registry accounts the project's participants recorded
    (``determinations.accounts``); its identifier and registry stand for ``account`` and
    ``account_party``, which are then not given. An account typed as ``account`` is kept for
    the API's earlier clients and for records of accounts named outside jitrack.

    ji-rules §7 "Approval by the Parties involved" [our reading]: ERUs go to an account of a
    Party other than the host only once that Party's written approval of the project is on
    record (para 33 (a))."""
    if account_id is not None and (account or account_party is not None):
        raise Invalid(_("Choose a recorded account or type one, not both."), field="account_id")
    account = (account or "").strip() if account_id is None else "-"
    if not account:
        raise Invalid(_("Name the account."), code="required", field="account")
    if len(account) > 120:
        raise Invalid(_("An account name has at most 120 characters."), field="account")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise Invalid(_("Give a whole number of ERUs, at least one."), field="quantity")
    with transaction.atomic():
        block = (
            EruBlock.objects.select_for_update()
            .select_related("issuance__verification__project", "originating_party")
            .get(pk=block.pk)
        )
        host = Party.objects.select_for_update().get(pk=block.originating_party_id)
        require_focal_point(actor, host)
        if not block.active:
            raise Conflict(_("This block was already split or transferred."), code="block_inactive")
        if quantity > block.quantity:
            raise Conflict(
                _("The block holds %(quantity)s ERUs.") % {"quantity": f"{block.quantity:,}"},
                code="exceeds_block",
            )
        project = block.issuance.verification.project
        registry_account = None
        if account_id is not None:
            registry_account = account_for_transfer(project, account_id)
            account = registry_account.identifier
            account_party = registry_account.registry_party
        if account_party is not None and account_party.pk != host.pk:
            if not approval_on_record(project, account_party):
                raise Conflict(
                    _(
                        "ERUs go to an account in the registry of %(party)s only once %(party)s's "
                        "written approval of the project is on record (para 33 (a))."
                    )
                    % {"party": account_party.name},
                    code="approval_missing",
                )
            # [our reading] ``projects.changes`` rule 4: a Party removed from the project is no
            # longer a Party involved, whatever it approved before.
            if not project.parties_involved.filter(pk=account_party.pk).exists():
                raise Conflict(
                    _(
                        "ERUs go to an account in the registry of a Party involved in the "
                        "project only; %(party)s is not."
                    )
                    % {"party": account_party.name},
                    code="not_involved",
                )
        else:
            account_party = None
        block.active = False
        block.save(update_fields=["active"])
        common = {
            "issuance": block.issuance,
            "originating_party": block.originating_party,
            "unit_type": block.unit_type,
            "commitment_period": block.commitment_period,
            "project_identifier": block.project_identifier,
            "track": block.track,
            "parent": block,
        }
        head = EruBlock.objects.create(
            serial_start=block.serial_start,
            serial_end=block.serial_start + quantity - 1,
            account=account,
            account_party=account_party,
            registry_account=registry_account,
            **common,
        )
        if quantity < block.quantity:
            EruBlock.objects.create(
                serial_start=block.serial_start + quantity,
                serial_end=block.serial_end,
                account=block.account,
                account_party=block.account_party,
                registry_account_id=block.registry_account_id,
                **common,
            )
        record(
            project,
            "erus_transferred",
            actor=actor,
            data={
                "serial_start": head.serial_start,
                "serial_end": head.serial_end,
                "account": account,
                "account_party": (account_party or host).code,
            },
        )
    return head


def reconciliation(project: Project, reports: list[MonitoringReport] | None = None) -> list[dict]:
    """Per calendar year: expected (PDD) vs claimed (monitoring) vs verified (final
    verifications) vs issued. ISSUED_BY_YEAR: [our reading] a verification's ERUs of a commitment
    period are counted against its verified years in that period, in calendar order, earliest
    first (ISSUANCE_PERIODS); ERUs recorded before that rule that do not fit there are counted
    against its other years with room, earliest first."""
    years: dict[int, dict[str, int]] = defaultdict(
        lambda: {"expected": 0, "claimed": 0, "verified": 0, "issued": 0}
    )
    for row in project.expected.all():
        years[row.year]["expected"] += row.tonnes
    # ``reports``: the project's monitoring reports, when the page has them already
    if reports is None:
        reports = project.monitoring.all()
    for report in reports:
        if report.status in ("withdrawn", "rejected"):
            continue
        for y, t in report.claimed.items():
            years[int(y)]["claimed"] += int(t)
    finals = project.verifications.filter(status=Verification.Status.FINAL).annotate(
        **{f"issued_cp{p}": _issued_in_period(p) for p in PERIODS}
    )
    for ver in finals:
        for y, t in ver.verified.items():
            years[int(y)]["verified"] += int(t)
        issued = {p: getattr(ver, f"issued_cp{p}") or 0 for p in PERIODS}
        for y, n in issued_by_year(ver.verified, issued).items():
            years[y]["issued"] += n
    return [{"year": y, **years[y]} for y in sorted(years)]


def issued_by_year(verified: dict, issued: dict[int, int]) -> dict[int, int]:
    """ISSUED_BY_YEAR (``reconciliation``) for one verification: its ERUs issued per commitment
    period (``issued``) spread over the years it verified (``verified``, year -> tonnes, keys
    as stored: strings or integers). Pure; ``determinations.conversions`` counts ERUs by year
    the same way."""
    room = {y: t for y, t in sorted((int(y), int(t)) for y, t in verified.items())}
    out = dict.fromkeys(room, 0)
    leftover = 0
    for period in PERIODS:
        quantity = issued.get(period) or 0
        for y in room:
            if period_of(y) == period:
                part = min(quantity, room[y])
                out[y] += part
                room[y] -= part
                quantity -= part
        leftover += quantity
    for y in room:
        part = min(leftover, room[y])
        out[y] += part
        leftover -= part
    return out
