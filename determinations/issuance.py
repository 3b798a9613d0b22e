"""ERU issuance (13/CMP.1 annex para 29; ji-rules §3.13): after a verification is final, the host
Party converts AAUs held in its national registry into ERUs — each unit keeps its serial number
and gains the project identifier — and one AAU is cancelled for every ERU. ERUs go to the host's
registry first, then to the accounts the participants name.

Guards in code and in the database: never more ERUs than verified (a check constraint on
``Verification``), never a serial used twice (an exclusion constraint on PostgreSQL), an AAU
balance that never goes negative (checked under a lock on the Party's row).

TRANSFER_SPLIT: [our reading] a transfer of part of a block splits it in two; the head — the
part that keeps the original start serial — is the part transferred, the tail stays.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Sum

from jitrack.errors import Conflict, Forbidden, Invalid
from projects.models import Party, Project, User
from projects.workflow import record

from .models import AauLedgerEntry, EruBlock, EruIssuance, Verification

MAX_SERIAL = 10**15


def _dfp_of(actor: User, party: Party) -> None:
    if not actor.has_perm("determinations.issue_erus", party):
        raise Forbidden(f"Only the designated focal point of {party.name} does this.")


def issuable(ver: Verification) -> bool:
    """ERUs can be issued for a final verification up to its verified reductions."""
    return ver.status == Verification.Status.FINAL and ver.erus_issued < ver.verified_total


def aau_balance(party: Party) -> int:
    return AauLedgerEntry.objects.filter(party=party).aggregate(s=Sum("quantity"))["s"] or 0


def record_aau_holding(actor: User, party: Party, *, quantity: int, note: str = "") -> int:
    """The DFP records AAUs held in the national registry (available for conversion)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity < MAX_SERIAL:
        raise Invalid("Give a whole number of AAUs, more than zero.", field="quantity")
    with transaction.atomic():
        party = Party.objects.select_for_update().get(pk=party.pk)
        _dfp_of(actor, party)
        AauLedgerEntry.objects.create(
            party=party,
            kind=AauLedgerEntry.Kind.HOLDING,
            quantity=quantity,
            note=(note or "").strip()[:200],
            recorded_by=actor,
        )
        return aau_balance(party)


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
            "Each block has whole serial numbers: serial_start and serial_end.", field="blocks"
        ) from None
    if not 1 <= start <= end < MAX_SERIAL:
        raise Invalid(
            "A block runs from its start serial to an end serial not below it.", field="blocks"
        )
    if period not in (1, 2):
        raise Invalid("The commitment period is 1 or 2.", field="blocks")
    return start, end, period


def issue_erus(actor: User, verification: Verification, *, blocks: list[dict]) -> EruIssuance:
    """The host's DFP records ERU blocks converted from its AAUs for a final verification."""
    if not blocks:
        raise Invalid("Give at least one block of serial numbers.", code="required", field="blocks")
    ranges = [_check_block(b) for b in blocks]
    ordered = sorted(ranges)
    for (_s1, e1, _), (s2, _e2, _) in zip(ordered, ordered[1:], strict=False):
        if s2 <= e1:
            raise Invalid("The blocks overlap each other.", field="blocks")
    total = sum(e - s + 1 for s, e, _ in ranges)
    with transaction.atomic():
        ver = (
            Verification.objects.select_for_update()
            .select_related("project")
            .get(pk=verification.pk)
        )
        project: Project = ver.project
        host = Party.objects.select_for_update().get(pk=project.host_party_id)
        _dfp_of(actor, host)
        if ver.status != Verification.Status.FINAL:
            raise Conflict("ERUs are issued once the verification is final.", code="not_final")
        if ver.erus_issued + total > ver.verified_total:
            raise Conflict(
                f"{total:,} ERUs would exceed the verified reductions: "
                f"{ver.verified_total - ver.erus_issued:,} remain to be issued.",
                code="exceeds_verified",
            )
        balance = aau_balance(host)
        if total > balance:
            raise Conflict(
                f"{host.name} holds {balance:,} AAUs; {total:,} are needed.",
                code="insufficient_aau",
            )
        for start, end, _ in ranges:
            clash = EruBlock.objects.filter(
                originating_party=host, active=True, serial_start__lte=end, serial_end__gte=start
            ).first()
            if clash is not None:
                raise Conflict(
                    f"Serials {start}–{end} overlap block {clash.serial_start}–"
                    f"{clash.serial_end}, already issued.",
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
                            account=f"{host.code} national registry",
                        )
                        for start, end, period in ranges
                    ]
                )
                ver.erus_issued += total
                ver.save(update_fields=["erus_issued"])
        except IntegrityError:
            raise Conflict(
                "A serial is already in use, or more ERUs than verified.", code="serial_in_use"
            ) from None
        AauLedgerEntry.objects.create(
            party=host,
            kind=AauLedgerEntry.Kind.CONVERSION,
            quantity=-total,
            note=f"Converted to ERUs for project {project.reference}",
            issuance=issuance,
            recorded_by=actor,
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


def transfer(actor: User, block: EruBlock, *, quantity: int, account: str) -> EruBlock:
    """Forward ERUs to an account the participants name. TRANSFER_SPLIT (module docstring)."""
    account = (account or "").strip()
    if not account:
        raise Invalid("Name the account.", code="required", field="account")
    if len(account) > 120:
        raise Invalid("An account name has at most 120 characters.", field="account")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise Invalid("Give a whole number of ERUs, at least one.", field="quantity")
    with transaction.atomic():
        block = (
            EruBlock.objects.select_for_update()
            .select_related("issuance__verification__project", "originating_party")
            .get(pk=block.pk)
        )
        host = Party.objects.select_for_update().get(pk=block.originating_party_id)
        _dfp_of(actor, host)
        if not block.active:
            raise Conflict("This block was already split or transferred.", code="block_inactive")
        if quantity > block.quantity:
            raise Conflict(f"The block holds {block.quantity:,} ERUs.", code="exceeds_block")
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
            **common,
        )
        if quantity < block.quantity:
            EruBlock.objects.create(
                serial_start=block.serial_start + quantity,
                serial_end=block.serial_end,
                account=block.account,
                **common,
            )
        project = block.issuance.verification.project
        record(
            project,
            "erus_transferred",
            actor=actor,
            data={
                "serial_start": head.serial_start,
                "serial_end": head.serial_end,
                "account": account,
            },
        )
    return head


def reconciliation(project: Project) -> list[dict]:
    """Per calendar year: expected (PDD) vs claimed (monitoring) vs verified (final
    verifications) vs issued. ISSUED_BY_YEAR: [our reading] a verification's issued ERUs are
    counted against its verified years in calendar order, earliest first."""
    years: dict[int, dict[str, int]] = defaultdict(
        lambda: {"expected": 0, "claimed": 0, "verified": 0, "issued": 0}
    )
    for row in project.expected.all():
        years[row.year]["expected"] += row.tonnes
    for report in project.monitoring.exclude(status__in=["withdrawn", "rejected"]):
        for y, t in report.claimed.items():
            years[int(y)]["claimed"] += int(t)
    for ver in project.verifications.filter(status=Verification.Status.FINAL):
        left = ver.erus_issued
        for y, t in sorted((int(y), int(t)) for y, t in ver.verified.items()):
            years[y]["verified"] += t
            part = min(left, t)
            years[y]["issued"] += part
            left -= part
    return [{"year": y, **years[y]} for y in sorted(years)]
