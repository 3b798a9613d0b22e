"""The one writer of ``Accreditation.status`` and of an accreditation's scopes (ji-rules §1, §7
"Accreditation at every act"). The secretariat records each change as an act that leaves a
public event on the AIE (``Event.organisation``): accreditation, suspension, restoration,
withdrawal, a change of sectoral scopes. Every act of an AIE checks its accreditation at the
time (``projects.workflow.accredited_for``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from jitrack.errors import Conflict, Forbidden, Invalid
from jitrack.statuses import Machine

from .models import Accreditation, Event, Organisation, SectoralScope, User
from .workflow import actor_label

A = Accreditation.Status

TRANSITIONS: dict[str, set[str]] = {
    A.APPLICANT: {A.ACCREDITED, A.WITHDRAWN},
    A.ACCREDITED: {A.SUSPENDED, A.WITHDRAWN},
    A.SUSPENDED: {A.ACCREDITED, A.WITHDRAWN},
    A.WITHDRAWN: set(),
}
ACCREDITATION = Machine(Accreditation, TRANSITIONS)
PERM = "projects.manage_accreditations"


def _require(actor: User | None) -> None:
    if actor is None or not actor.has_perm(PERM):
        raise Forbidden("Only the secretariat records accreditations.")


def _record(acc: Accreditation, kind: str, actor: User | None, reason: str, **data) -> Event:
    """A public event on the AIE, in the act's transaction."""
    return Event.objects.create(
        project=None,
        organisation=acc.aie,
        kind=kind,
        actor=actor,
        actor_label=actor_label(actor),
        reason=reason,
        data={
            "aie": acc.aie.name,
            "function": acc.function,
            "scopes": sorted(s.number for s in acc.scopes.all()),
            **data,
        },
        created_at=timezone.now(),
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            "Give the reason (the JISC decision or the secretariat's record).", field="reason"
        )
    return reason


def _scopes(scopes: Iterable[SectoralScope | int]) -> list[SectoralScope]:
    numbers = sorted({s.number if isinstance(s, SectoralScope) else int(s) for s in scopes})
    found = list(SectoralScope.objects.filter(number__in=numbers))
    if not numbers or len(found) != len(numbers):
        raise Invalid("Choose one or more of the 15 sectoral scopes.", field="scopes")
    return found


def accredit(
    actor: User,
    aie: Organisation,
    *,
    function: str,
    scopes: Iterable[SectoralScope | int],
    reference: str = "",
    reason: str = "",
) -> Accreditation:
    """The JISC accredited ``aie`` for ``function`` in ``scopes`` (a new accreditation, or an
    applicant's): recorded by the secretariat."""
    _require(actor)
    if aie.kind != Organisation.Kind.AIE:
        raise Invalid(f"{aie.name} is not an independent entity.", field="aie")
    if function not in Accreditation.Function.values:
        raise Invalid("The function is determination or verification.", field="function")
    reason = _reason(reason)
    chosen = _scopes(scopes)
    with transaction.atomic():
        acc = (
            Accreditation.objects.select_for_update()
            .filter(aie=aie, function=function)
            .select_related("aie")
            .first()
        )
        if acc is None:
            acc = Accreditation.objects.create(
                aie=aie,
                function=function,
                status=ACCREDITATION.initial(A.APPLICANT),
                reference=reference.strip(),
            )
        elif acc.status != A.APPLICANT:
            raise Conflict(
                f"{aie.name} already has an accreditation for {function} "
                f"({acc.get_status_display().lower()}).",
                code="already_accredited",
            )
        acc.scopes.set(chosen)
        if reference.strip():
            acc.reference = reference.strip()
        ACCREDITATION.move(
            acc, A.ACCREDITED, log=lambda *_: _record(acc, "accreditation_granted", actor, reason)
        )
    return acc


def _change(actor: User, acc: Accreditation, to: str, kind: str, reason: str) -> Accreditation:
    _require(actor)
    reason = _reason(reason)
    with transaction.atomic():
        acc = Accreditation.objects.select_for_update().select_related("aie").get(pk=acc.pk)
        ACCREDITATION.move(
            acc,
            to,
            log=lambda current, new: _record(acc, kind, actor, reason, previous=current),
            refusal=lambda current: (
                f"The accreditation is {A(current).label.lower()}: it cannot be {A(to).label.lower()}."
            ),
        )
    return acc


def suspend(actor: User, acc: Accreditation, *, reason: str) -> Accreditation:
    """A suspended AIE may not act until restored (ji-rules §7)."""
    return _change(actor, acc, A.SUSPENDED, "accreditation_suspended", reason)


def restore(actor: User, acc: Accreditation, *, reason: str) -> Accreditation:
    return _change(actor, acc, A.ACCREDITED, "accreditation_restored", reason)


def withdraw(actor: User, acc: Accreditation, *, reason: str) -> Accreditation:
    return _change(actor, acc, A.WITHDRAWN, "accreditation_withdrawn", reason)


def change_scopes(
    actor: User, acc: Accreditation, *, scopes: Iterable[SectoralScope | int], reason: str
) -> Accreditation:
    """The JISC extended or reduced the sectoral scopes of an accreditation."""
    _require(actor)
    reason = _reason(reason)
    chosen = _scopes(scopes)
    with transaction.atomic():
        acc = Accreditation.objects.select_for_update().select_related("aie").get(pk=acc.pk)
        if acc.status == A.WITHDRAWN:
            raise Conflict("The accreditation is withdrawn.", code="wrong_status")
        before = sorted(s.number for s in acc.scopes.all())
        acc.scopes.set(chosen)
        _record(acc, "accreditation_scopes_changed", actor, reason, previous_scopes=before)
    return acc
