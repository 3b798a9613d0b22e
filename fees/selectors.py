"""Reads of fees that the pages and the registry share: each project's fee state and the fee
schedules applied to it (public, ji-rules §6; amounts and payments are not)."""

from __future__ import annotations

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from projects.models import Project

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
