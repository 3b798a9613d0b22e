"""The one writer of a Party's recorded assigned amount (Kyoto Protocol Article 3, paragraphs 7
and 8) and reported emissions, the figures ``determinations.conversions`` compares the ERUs issued
with. The secretariat records each from a public source (the Party's initial report review, its
inventory submission), which it names every time.

INVENTORY_CORRECTIONS — [our reading]: a Party has one assigned amount per commitment period
and one emission figure per year. Recording a figure that exists already is a correction: the
new value and its source replace the old ones (who recorded it and when too); recording the same
value from the same source again is refused (``no_change``). The pages show each figure with its
source and the day it was recorded. Every figure recorded or corrected appends one public event
of the Party (``inventory_recorded``) with the value and source before and after, so that a
correction never loses what was there.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jitrack.errors import Conflict, Forbidden, Invalid
from projects.models import Event, Party, User
from projects.workflow import actor_label

from .models import AssignedAmount, CommitmentPeriod, ReportedEmissions

PERM = "determinations.record_inventory"
# What the event calls each figure.
FIGURES = {AssignedAmount: "assigned_amount", ReportedEmissions: "emissions"}
MAX_TONNES = 10**12 - 1  # t CO2e: far above any Party's assigned amount (Russia's: 1.7 × 10¹⁰)
FIRST_YEAR, LAST_YEAR = 1985, 2035  # base years (1985-1990) to the last reporting years
SOURCE_MAX = AssignedAmount._meta.get_field("source").max_length


def require_secretariat(actor: User | None) -> None:
    if actor is None or not actor.has_perm(PERM):
        raise Forbidden(_("Only the secretariat records assigned amounts and emissions."))


def clean_tonnes(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TONNES:
        raise Invalid(
            _("Give the tonnes of CO2 equivalent as a whole number, zero or more."),
            field="tonnes",
        )
    return value


def clean_source(value) -> str:
    source = (value or "").strip() if isinstance(value, str) else ""
    if not source:
        raise Invalid(
            _(
                "Name the source of the figure (e.g. the report of the review of the initial report)."
            ),
            code="required",
            field="source",
        )
    if len(source) > SOURCE_MAX:
        raise Invalid(
            _("The source has at most %(max)s characters.") % {"max": SOURCE_MAX}, field="source"
        )
    return source


def _save(model, actor: User, party: Party, key: dict, tonnes: int, source: str):
    """INVENTORY_CORRECTIONS: create the figure, or replace it and its source."""
    with transaction.atomic():
        # One writer at a time per Party: a second correction waits for the first.
        party = Party.objects.select_for_update().get(pk=party.pk)
        row = model.objects.select_for_update().filter(party=party, **key).first()
        if row is not None and row.tonnes == tonnes and row.source == source:
            raise Conflict(
                _("This figure is recorded already, from the same source: nothing changes."),
                code="no_change",
            )
        before = None if row is None else {"tonnes": row.tonnes, "source": row.source}
        if row is None:
            row = model(party=party, **key)
        row.tonnes, row.source = tonnes, source
        row.recorded_by, row.recorded_at = actor, timezone.now()
        row.save()
        Event.objects.create(
            project=None,
            party=party,
            kind=Event.Kind.INVENTORY_RECORDED,
            actor=actor,
            actor_label=actor_label(actor),
            data={
                "party": party.code,
                "figure": FIGURES[model],
                **key,
                "before": before,
                "after": {"tonnes": tonnes, "source": source},
            },
            public=True,
            created_at=row.recorded_at,
        )
    return row


def record_assigned_amount(
    actor: User | None, party: Party, *, commitment_period: int, tonnes: int, source: str
) -> AssignedAmount:
    """The secretariat records (or corrects) ``party``'s assigned amount for a commitment period:
    t CO2e over the whole period (Article 3, paragraphs 7 and 8)."""
    require_secretariat(actor)
    if (
        isinstance(commitment_period, bool)
        or not isinstance(commitment_period, int)
        or commitment_period not in CommitmentPeriod.values
    ):
        raise Invalid(
            _("The commitment period is 1 (2008–2012) or 2 (2013–2020)."),
            field="commitment_period",
        )
    return _save(
        AssignedAmount,
        actor,
        party,
        {"commitment_period": commitment_period},
        clean_tonnes(tonnes),
        clean_source(source),
    )


def record_emissions(
    actor: User | None, party: Party, *, year: int, tonnes: int, source: str
) -> ReportedEmissions:
    """The secretariat records (or corrects) ``party``'s total emissions of a calendar year as
    reported in its inventory."""
    require_secretariat(actor)
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(
            _("The year is between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            field="year",
        )
    return _save(
        ReportedEmissions, actor, party, {"year": year}, clean_tonnes(tonnes), clean_source(source)
    )
