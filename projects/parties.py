"""The one writer of a Party's para 21 eligibility (ji-rules §2; §7: it decides whether a Party
may host Track 2 projects and whether ERUs may be issued). The reference data ships with the
product (``projects/migrations/0005_reference_parties_and_scopes.py``); every later change is
an act of the secretariat that leaves one public event on the Party (``Event.party``) with each
changed requirement before and after, and the source the change rests on.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jitrack.errors import Conflict, Forbidden, Invalid

from .models import Event, Party, User
from .workflow import actor_label

PERM = "projects.manage_parties"
# Para 21 (a)-(f), in the order of the paragraph.
FLAGS = (
    "kp_party",
    "assigned_amount_recorded",
    "national_system",
    "national_registry",
    "inventory_submitted",
    "supplementary_info",
)
SOURCE_MAX = Party._meta.get_field("eligibility_source").max_length


def flag_label(flag: str) -> str:
    """The requirement as the model names it, as in "(d) national registry in place"."""
    return str(Party._meta.get_field(flag).verbose_name)


def clean(changes: dict, reason: str, source: str) -> tuple[dict[str, bool], str, str]:
    """The act's input checks, shared with the forms that call it: known flags with yes/no
    values, a reason and a source. Raises ``Invalid`` naming the field."""
    if not isinstance(changes, dict) or not changes:
        raise Invalid("Say which para 21 requirements change.", field="changes")
    unknown = sorted(str(k) for k in changes if k not in FLAGS)
    if unknown:
        raise Invalid(
            f"Unknown eligibility requirement(s): {', '.join(unknown)}. "
            f"The para 21 requirements are {', '.join(FLAGS)}.",
            field="changes",
        )
    if not all(isinstance(v, bool) for v in changes.values()):
        raise Invalid("Each requirement is met (true) or not (false).", field="changes")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            "Give the reason (the Compliance Committee's decision or the secretariat's record).",
            field="reason",
        )
    source = (source or "").strip()
    if not source:
        raise Invalid(
            "Name the source of the change (e.g. the JI website's eligibility list, a decision).",
            field="source",
        )
    if len(source) > SOURCE_MAX:
        raise Invalid(f"The source is longer than {SOURCE_MAX} characters.", field="source")
    return {f: changes[f] for f in FLAGS if f in changes}, reason, source


def change_eligibility(
    actor: User | None, party: Party, *, changes: dict[str, bool], reason: str, source: str
) -> Party:
    """Record that ``party`` now meets (True) or no longer meets (False) the para 21
    requirements in ``changes``. Requirements already as given are left out of the event; when
    nothing changes at all the act is refused."""
    if actor is None or not actor.has_perm(PERM):
        raise Forbidden("Only the secretariat records the eligibility of Parties.")
    changes, reason, source = clean(changes, reason, source)
    with transaction.atomic():
        party = Party.objects.select_for_update().get(pk=party.pk)
        moved = {
            flag: {"before": getattr(party, flag), "after": value}
            for flag, value in changes.items()
            if getattr(party, flag) != value
        }
        if not moved:
            raise Conflict(
                f"{party.name} already has the eligibility given: nothing changes.",
                code="no_change",
            )
        for flag, change in moved.items():
            setattr(party, flag, change["after"])
        party.eligibility_source = source
        party.save(update_fields=[*moved, "eligibility_source"])
        Event.objects.create(
            project=None,
            party=party,
            kind="eligibility_changed",
            actor=actor,
            actor_label=actor_label(actor),
            reason=reason,
            data={
                "party": party.code,
                "changes": moved,
                "source": source,
                "track2_eligible": party.track2_eligible,
                "track1_eligible": party.track1_eligible,
            },
            public=True,
            created_at=timezone.now(),
        )
    return party
