"""Reads of fees that the pages and the registry share: each project's fee state and the fee
schedules applied to it (public, ji-rules §6; amounts and payments are not); what an
organisation owes and where to pay it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, F, Min, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.models import Organisation, Project

from .calculator import DEFAULT_SCHEDULE, SCHEDULES
from .models import ZERO, FeeAssessment, Invoice

MONEY = DecimalField(max_digits=14, decimal_places=2)


def with_fee(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotates the determination fee: ``fee_status``, ``fee_amount`` (its total) and
    ``fee_balance`` — what is still due on it (its open invoices' amount − paid − credited),
    which is what a page shows as due."""
    fee = FeeAssessment.objects.filter(
        project=OuterRef("pk"), kind=FeeAssessment.Kind.DETERMINATION
    )
    verification_fee = FeeAssessment.objects.filter(
        project=OuterRef("pk"), kind=FeeAssessment.Kind.VERIFICATION
    ).order_by("-number")
    open_balance = (
        Invoice.objects.filter(
            project=OuterRef("pk"),
            kind=FeeAssessment.Kind.DETERMINATION,
            status__in=Invoice.OPEN,
        )
        .order_by()
        .values("project")
        .annotate(s=Sum(F("amount_usd") - F("paid_usd") - F("credited_usd"), output_field=MONEY))
        .values("s")
    )
    return projects.annotate(
        fee_status=Subquery(fee.values("status")[:1]),
        fee_amount=Subquery(fee.values("amount_usd")[:1]),
        fee_balance=Coalesce(Subquery(open_balance[:1], output_field=MONEY), Value(ZERO, MONEY)),
        # the schedules applied are public (ji-rules §6); amounts and payments are not
        fee_schedule=Subquery(fee.values("schedule")[:1]),
        verification_fee_schedule=Subquery(verification_fee.values("schedule")[:1]),
    )


def fee_schedules(project: Project) -> list:
    """The fee schedules applied to the project (public, ji-rules §6), or the one in force
    that will apply to its determination fee when none is assessed yet."""
    kinds_by_version: dict[str, list[str]] = {}
    for kind, version in (
        ("determination", project.fee_schedule),
        ("verification", project.verification_fee_schedule),
    ):
        if version in SCHEDULES:
            kinds_by_version.setdefault(version, []).append(kind)
    if not kinds_by_version:
        return [(SCHEDULES[DEFAULT_SCHEDULE], [])]
    return [(SCHEDULES[version], kinds) for version, kinds in kinds_by_version.items()]


def available_actions(project: Project, user) -> dict[str, bool]:
    """The fee links of a project page; ``project`` comes through ``with_fee``. Invoices and
    payments are for the paying participants and the secretariat only (ji-rules §6)."""
    return {
        "view_fees": project.fee_status is not None and user.has_perm("fees.view_fees", project),
        "record_payment": project.fee_status == FeeAssessment.Status.DUE
        and user.has_perm("fees.record_payment", project),
    }


# --- paying -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """Who issues the invoices and where they are paid (``settings.FEES_*``, from the
    environment): the ``issuer`` of the invoice pages, the PDFs and the "what we owe" page."""

    name: str
    address: tuple[str, ...]
    bank_details: tuple[str, ...]


def issuer() -> Issuer:
    return Issuer(
        name=settings.FEES_ISSUER_NAME,
        address=tuple(settings.FEES_ISSUER_ADDRESS),
        bank_details=tuple(settings.FEES_BANK_DETAILS),
    )


def open_invoices(organisation: Organisation | int) -> QuerySet[Invoice]:
    """The open invoices (issued or partly paid: a balance is due) of the projects that
    ``organisation`` (a row or its pk) takes part in, the soonest due first, with their
    projects (one query)."""
    org = getattr(organisation, "pk", organisation)
    return (
        Invoice.objects.filter(project__participants=org, status__in=Invoice.OPEN)
        .select_related("project")
        .order_by("due_on", "number")
    )


@dataclass(frozen=True)
class Owed:
    """What a participant organisation owes (``owed``): for ``fees/owed.html`` and the
    dashboard's ``fees/_owed_panel.html``."""

    organisation: Organisation
    invoices: list[Invoice]  # each with ``is_overdue`` (as of ``today``)
    total_usd: Decimal
    overdue_count: int
    today: dt.date


def owed(organisation: Organisation, today: dt.date | None = None) -> Owed:
    """Every open invoice of ``organisation``'s projects with the total balance due: one
    query however many."""
    today = today or timezone.localdate()
    invoices = list(open_invoices(organisation))
    for invoice in invoices:
        invoice.is_overdue = invoice.overdue(today)
    return Owed(
        organisation=organisation,
        invoices=invoices,
        total_usd=sum((invoice.balance_usd for invoice in invoices), ZERO),
        overdue_count=sum(1 for invoice in invoices if invoice.is_overdue),
        today=today,
    )


def organisations_owing() -> QuerySet[Organisation]:
    """Participant organisations with an open invoice, by name, each with ``open_count``,
    ``balance_usd`` (the total due) and ``next_due_on`` (the soonest due date)."""
    return (
        Organisation.objects.filter(
            kind=Organisation.Kind.PARTICIPANT, projects__invoices__status__in=Invoice.OPEN
        )
        .annotate(
            open_count=Count("projects__invoices"),
            balance_usd=Sum(
                F("projects__invoices__amount_usd")
                - F("projects__invoices__paid_usd")
                - F("projects__invoices__credited_usd"),
                output_field=MONEY,
            ),
            next_due_on=Min("projects__invoices__due_on"),
        )
        .order_by("name", "pk")
    )
