"""REST API for fees (ji-rules §5): the public quote, a project's fee account, invoices with
payments and credit notes, and reimbursements. Invoices are visible to the project's
participants and the secretariat only; to anyone else they do not exist (404)."""

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.decorators import api_view, permission_classes, renderer_classes
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from jitrack.api import ERRORS, PDF_RENDERERS, responses, validated
from jitrack.errors import Forbidden, Invalid, NotFound
from projects.selectors import get_project_for

from . import pdf, quote, report, services
from .models import FeeAssessment, Invoice, Payment, Reimbursement
from .serializers import (
    BalancePaymentSerializer,
    CreditNoteInputSerializer,
    CreditNoteSerializer,
    FeeAccountSerializer,
    FeeSerializer,
    InvoiceDetailSerializer,
    InvoiceSerializer,
    PaymentInputSerializer,
    PaymentSerializer,
    QuoteSerializer,
    ReimbursementPaidSerializer,
    ReimbursementSerializer,
)

TONNES = "Whole, non-negative tonnes CO2e (at most 10^12)."


@extend_schema(
    parameters=[
        OpenApiParameter("kind", str, enum=["determination", "verification"], required=True),
        OpenApiParameter("expected_annual_reductions", int, description=TONNES),
        OpenApiParameter("reductions", int, description=TONNES + " Verification."),
        OpenApiParameter("already_this_year", int, description=TONNES + " Verification."),
        OpenApiParameter("small_scale", bool),
        OpenApiParameter("poa", bool),
        OpenApiParameter("schedule", str, enum=["v3", "v2"], description="Default v3."),
    ],
    responses={200: QuoteSerializer, 400: ERRORS[400]},
    tags=["fees"],
    auth=[],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def fee_quote(request):
    """Public: the determination fee from expected annual reductions, or a calendar year's
    verification fee given what that year already had verified. Each tier line and the total."""
    return Response(quote.quote(request.query_params).as_dict())


def _fee_viewer(request, project):
    if not request.user.has_perm("fees.view_fees", project):
        raise Forbidden("Fees are visible to the paying participants and the secretariat only.")


@extend_schema(
    responses={200: FeeSerializer, **{k: ERRORS[k] for k in (401, 403, 404)}}, tags=["fees"]
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def determination_fee(request, key):
    """The determination fee (advance) of a project: for its participants and the secretariat."""
    project = get_project_for(request.user, key)
    _fee_viewer(request, project)
    fee = services.determination_fee_record(project)
    if fee is None:
        raise NotFound("No fee has been assessed for this project yet.", code="no_fee")
    return Response(FeeSerializer(fee).data)


@extend_schema(
    request=BalancePaymentSerializer, responses=responses(200, FeeSerializer), tags=["fees"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def record_payment(request, key):
    """Secretariat: a payment received for the project's determination fee, against its open
    invoice. The amount received, the date and the bank reference are all required (400
    otherwise); a part payment leaves the invoice partly paid, anything above its balance becomes
    a reimbursement due. For verification fees, post to the invoice's payments."""
    project = get_project_for(request.user, key)
    if not request.user.has_perm("fees.record_payment", project):
        raise Forbidden("Only the secretariat records payments.")
    data = validated(BalancePaymentSerializer, request).validated_data
    services.record_fee_payment(
        request.user,
        project,
        amount=data["amount_usd"],
        received_on=data["received_on"],
        reference=data["reference"],
    )
    return Response(FeeSerializer(services.determination_fee_record(project)).data)


@extend_schema(
    responses={200: FeeAccountSerializer, **{k: ERRORS[k] for k in (401, 403, 404)}},
    tags=["fees"],
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def fee_account(request, key):
    """A project's fee account: assessments, invoices with payments and credit notes,
    reimbursements and the advance credit left."""
    project = get_project_for(request.user, key)
    _fee_viewer(request, project)
    assessments = list(project.fees.prefetch_related("invoices"))
    invoices = list(
        project.invoices.select_related("project").prefetch_related(
            Prefetch("payments", queryset=Payment.objects.select_related("invoice")),
            "credit_notes",
        )
    )
    refunds = list(project.reimbursements.select_related("project", "invoice"))
    payments = [p for inv in invoices for p in inv.payments.all()]
    body = {
        "assessments": assessments,
        "invoices": invoices,
        "reimbursements": refunds,
        "advance_credit": services.advance_credit_from(assessments, payments, refunds),
    }
    return Response(FeeAccountSerializer(body).data)


def _fee_pages_user(request):
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    if not request.user.has_perm("fees.view_fee_pages"):
        raise Forbidden("Invoices are for the project participants and the secretariat.")


class InvoiceList(generics.ListAPIView):
    """Invoices: all of them for the secretariat, their projects' for participants. Filter with
    ``status`` (issued, partly_paid, paid, cancelled, credited), ``kind`` and ``project``."""

    serializer_class = InvoiceSerializer
    permission_classes = [IsAuthenticated]
    ordering_fields = ["number", "issued_on", "due_on", "amount_usd", "status"]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(Invoice.Status.values)),
            OpenApiParameter("kind", str, enum=["determination", "verification"]),
            OpenApiParameter("project", str, description="Project reference."),
        ],
        tags=["fees"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks for the model only
            return Invoice.objects.none()
        _fee_pages_user(self.request)
        qs = services.invoices_for(self.request.user).order_by("-issued_on", "-number")
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in Invoice.Status.values:
                raise Invalid("Unknown invoice status.", field="status")
            qs = qs.filter(status=params["status"])
        if params.get("kind"):
            if params["kind"] not in FeeAssessment.Kind.values:
                raise Invalid("kind is determination or verification.", field="kind")
            qs = qs.filter(kind=params["kind"])
        if params.get("project"):
            if "\x00" in params["project"]:
                raise Invalid("Unknown project reference.", field="project")
            qs = qs.filter(project__reference=params["project"])
        return qs


def _invoice_for(request, number: str) -> Invoice:
    _fee_pages_user(request)
    invoice = (
        services.invoices_for(request.user)
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.select_related("invoice")),
            "credit_notes",
        )
        .filter(number=number)
        .first()
    )
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


@extend_schema(responses=responses(200, InvoiceDetailSerializer), tags=["fees"])
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def invoice_detail(request, number):
    return Response(InvoiceDetailSerializer(_invoice_for(request, number)).data)


@extend_schema(
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF"),
        **{k: ERRORS[k] for k in (401, 403, 404)},
    },
    tags=["fees"],
)
@api_view(["GET"])
@renderer_classes(PDF_RENDERERS)
@permission_classes([IsAuthenticated])
def invoice_pdf(request, number):
    invoice = _invoice_for(request, number)
    response = HttpResponse(pdf.render_invoice(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


@extend_schema(
    request=PaymentInputSerializer, responses=responses(201, PaymentSerializer), tags=["fees"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def invoice_payment(request, number):
    """Secretariat: money received against an invoice. Part payments leave it partly paid;
    anything above the balance is accepted and becomes a reimbursement due."""
    invoice = _invoice_for(request, number)
    if not request.user.has_perm("fees.record_payment", invoice.project):  # before the body
        raise Forbidden("Only the secretariat records payments.")
    data = validated(PaymentInputSerializer, request).validated_data
    payment = services.record_payment(
        request.user,
        invoice,
        amount=data["amount_usd"],
        received_on=data.get("received_on"),
        reference=data["reference"],
    )
    return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


@extend_schema(
    request=CreditNoteInputSerializer,
    responses=responses(201, CreditNoteSerializer),
    tags=["fees"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def invoice_credit_note(request, number):
    """Secretariat: cancel an open invoice's unpaid balance with a credit note."""
    invoice = _invoice_for(request, number)
    if not request.user.has_perm("fees.record_payment", invoice.project):  # before the body
        raise Forbidden("Only the secretariat issues credit notes.")
    data = validated(CreditNoteInputSerializer, request).validated_data
    note = services.credit_invoice(request.user, invoice, reason=data["reason"])
    return Response(CreditNoteSerializer(note).data, status=status.HTTP_201_CREATED)


def _secretariat(request):
    if not request.user.has_perm("fees.view_fee_pages") or not request.user.has_perm(
        "fees.record_payment", None
    ):
        raise Forbidden("Only the secretariat sees reimbursements across projects.")


class ReimbursementList(generics.ListAPIView):
    """Secretariat: reimbursements, due first. Filter with ``status`` (due, paid)."""

    serializer_class = ReimbursementSerializer
    permission_classes = [IsAuthenticated]
    ordering_fields = ["found_at", "amount_usd", "status", "paid_on"]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["due", "paid"])], tags=["fees"]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks for the model only
            return Reimbursement.objects.none()
        _secretariat(self.request)
        qs = Reimbursement.objects.select_related("project", "invoice").order_by(
            "status", "pk"
        )  # "due" before "paid"
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in Reimbursement.Status.values:
                raise Invalid("status is due or paid.", field="status")
            qs = qs.filter(status=wanted)
        return qs


@extend_schema(
    request=ReimbursementPaidSerializer,
    responses=responses(200, ReimbursementSerializer),
    tags=["fees"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def reimbursement_paid(request, pk):
    """Secretariat: the reimbursement was paid back."""
    _secretariat(request)
    refund = Reimbursement.objects.select_related("project", "invoice").filter(pk=pk).first()
    if refund is None:
        raise NotFound("No such reimbursement.")
    data = validated(ReimbursementPaidSerializer, request).validated_data
    refund = services.record_reimbursement_paid(
        request.user, refund, paid_on=data.get("paid_on"), reference=data["reference"]
    )
    return Response(ReimbursementSerializer(refund).data)


@extend_schema(
    parameters=[
        OpenApiParameter("year_from", int, description="First calendar year."),
        OpenApiParameter("year_to", int, description="Last calendar year."),
    ],
    responses={
        200: OpenApiResponse(OpenApiTypes.OBJECT, description="Revenue by year, kind, Party"),
        **{k: ERRORS[k] for k in (400, 401, 403)},
    },
    tags=["fees"],
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def fee_revenue(request):
    """Secretariat and JISC: the annual fee revenue report (3/CMP.2 para 17) — payments received
    less reimbursements paid, by calendar year, fee kind and host Party, with totals."""
    if not request.user.has_perm("fees.view_revenue"):
        raise Forbidden("The fee revenue report is for the secretariat and the JISC.")
    form = report.RevenueFilter(request.query_params)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise Invalid(" ".join(errors), field=None if field == "__all__" else field)
    data = form.cleaned_data
    return Response(report.revenue_report(data["year_from"], data["year_to"]).as_dict())
