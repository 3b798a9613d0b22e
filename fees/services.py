"""Fee records for projects; the arithmetic is in ``calculator``."""

from django.db import transaction
from django.utils import timezone

from projects.errors import Conflict, Invalid
from projects.models import Project, User
from projects.workflow import lock, record, require

from . import calculator
from .models import FeeAssessment


def determination_fee_record(project: Project) -> FeeAssessment | None:
    return project.fees.filter(kind=FeeAssessment.Kind.DETERMINATION).first()


def assess_determination_fee(project: Project) -> FeeAssessment:
    """Due on submission of the determination report (ji-rules §5). Called with the project
    locked; a resubmission keeps a paid assessment and reassesses an unpaid one."""
    result = calculator.determination_fee(
        project.expected_annual_reductions, small_scale=project.small_scale, poa=project.poa
    )
    existing = determination_fee_record(project)
    if existing is not None and existing.status == FeeAssessment.Status.PAID:
        return existing
    values = {
        "schedule": result.schedule,
        "inputs": {
            "expected_annual_reductions": project.expected_annual_reductions,
            "small_scale": project.small_scale,
            "poa": project.poa,
        },
        "lines": [line.as_dict() for line in result.lines],
        "amount_usd": result.amount_usd,
        "status": FeeAssessment.Status.DUE
        if result.amount_usd > 0
        else FeeAssessment.Status.NOT_DUE,
        "assessed_at": timezone.now(),
    }
    fee, _ = FeeAssessment.objects.update_or_create(
        project=project, kind=FeeAssessment.Kind.DETERMINATION, defaults=values
    )
    return fee


def record_payment(actor: User, project: Project, *, reference: str = "") -> FeeAssessment:
    """The secretariat records that the determination fee was received in full."""
    with transaction.atomic():
        project = lock(project)
        require(actor, "fees.record_payment", project, "Only the secretariat records payments.")
        fee = determination_fee_record(project)
        if fee is None:
            raise Conflict("No fee has been assessed for this project yet.", code="no_fee")
        fee = FeeAssessment.objects.select_for_update().get(pk=fee.pk)
        if fee.status == FeeAssessment.Status.NOT_DUE:
            raise Conflict("No determination fee is due for this project.", code="fee_not_due")
        if fee.status == FeeAssessment.Status.PAID:
            raise Conflict(
                "The determination fee is already recorded as paid.", code="already_paid"
            )
        if len(reference) > 120:
            raise Invalid("The bank reference has at most 120 characters.", field="reference")
        fee.status = FeeAssessment.Status.PAID
        fee.paid_at = timezone.now()
        fee.payment_reference = reference.strip()
        fee.recorded_by = actor
        fee.save()
        record(
            project, "fee_paid", actor=actor, public=False, data={"amount_usd": str(fee.amount_usd)}
        )
    return fee
