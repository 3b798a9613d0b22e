"""Fee pages: the public calculator, the secretariat's and participants' fee pages, a project's
fee account, invoices with their payments and credit notes, and the PDFs.

Invoices are visible to the project's participants and the secretariat only (ji-rules §6); to
anyone else an invoice does not exist (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jitrack.errors import DomainError
from jitrack.web import GET_POST, act, apply_error, bind, paginate, refuse
from projects.models import Organisation, Project, User
from projects.web import project_or_404, to_project

from . import calculator, pdf, quote, selectors, services
from .forms import (
    BalancePaymentForm,
    CalculatorForm,
    CreditNoteForm,
    PaymentForm,
    ReimbursementPaidForm,
)
from .models import CreditNote, FeeAssessment, FeeKind, Invoice, Payment, Reimbursement


def _is_secretariat(user: User) -> bool:
    return user.role == User.Role.SECRETARIAT


# --- public calculator -------------------------------------------------------------------------


@require_GET
def calculator_page(request):
    """Anyone can work out a fee: the same parser and calculator as ``/api/fees/quote/``."""
    result = None
    status = 200
    form = CalculatorForm(request.GET or None)
    if request.GET:
        if form.is_valid():
            try:
                result = quote.quote(form.cleaned_data)
            except DomainError as err:
                status = apply_error(form, err)
        else:
            status = 400
    return render(
        request,
        "fees/calculator.html",
        {"form": form, "result": result, "schedules": calculator.SCHEDULES.values()},
        status=status,
    )


# --- the fees pages ------------------------------------------------------------------------------


def _not_for_fee_pages(request):
    return refuse(
        request, gettext("Fee pages are for the project participants and the secretariat.")
    )


@login_required
@require_GET
def fees_home(request):
    """Secretariat: unpaid invoices with their age, reimbursements due, recent payments.
    Participants: their projects' invoices, payments and credit balances."""
    user = request.user
    if not user.has_perm("fees.view_fee_pages"):
        return _not_for_fee_pages(request)
    today = timezone.localdate()
    if _is_secretariat(user):
        unpaid = paginate(
            request,
            services.open_invoices()
            .select_related("project", "project__host_party")
            .order_by("issued_on", "number"),
        )
        context = {
            "secretariat": True,
            "unpaid": unpaid,
            "outstanding": services.open_invoices().aggregate(
                s=Sum("amount_usd") - Sum("paid_usd") - Sum("credited_usd")
            )["s"],
            "refunds": services.reimbursements_due()
            .select_related("project", "invoice")
            .order_by("found_at")[:50],
            "payments": Payment.objects.select_related("invoice", "invoice__project").order_by(
                "-recorded_at"
            )[:10],
        }
    else:
        mine = (
            Invoice.objects.filter(project__participants=user.organisation_id)
            if user.organisation_id
            else Invoice.objects.none()
        )
        context = {
            "secretariat": False,
            "invoices": paginate(
                request, mine.select_related("project").order_by("-issued_on", "-number")
            ),
            "payments": Payment.objects.filter(invoice__in=mine)
            .select_related("invoice", "invoice__project")
            .order_by("-received_on", "-pk")[:20],
            "credits": _credit_balances(user),
        }
    return render(request, "fees/home.html", {**context, "today": today})


def _credit_balances(user: User) -> list[dict]:
    """Advance credit left per project of the user's organisation: three grouped queries."""
    org = user.organisation_id
    if not org:
        return []
    paid = dict(
        Payment.objects.filter(
            invoice__project__participants=org, invoice__kind=FeeKind.DETERMINATION
        )
        .values_list("invoice__project")
        .annotate(s=Sum("applied_usd"))
    )
    used = dict(
        FeeAssessment.objects.filter(project__participants=org, kind=FeeKind.VERIFICATION)
        .values_list("project")
        .annotate(s=Sum("credit_usd"))
    )
    refunded = dict(
        Reimbursement.objects.filter(project__participants=org, reason=Reimbursement.Reason.ADVANCE)
        .values_list("project")
        .annotate(s=Sum("amount_usd"))
    )
    projects = (
        Project.objects.filter(pk__in=paid).only("pk", "reference", "title").order_by("reference")
    )
    rows = []
    for project in projects:
        state = services.AdvanceCredit(
            paid_usd=paid[project.pk],
            used_usd=used.get(project.pk) or services.ZERO,
            reimbursed_usd=refunded.get(project.pk) or services.ZERO,
            first_year=None,
        )
        rows.append({"project": project, "credit": state})
    return rows


@login_required
@require_GET
def project_fees(request, key):
    """A project's fee account: assessments, invoices, payments, credit notes, reimbursements
    and the advance credit left."""
    project = project_or_404(request, key)
    if not request.user.has_perm("fees.view_fees", project):
        raise Http404("No fee record.")
    assessments = list(project.fees.all())
    invoices = list(
        project.invoices.prefetch_related("payments", "credit_notes").order_by("issued_on", "pk")
    )
    refunds = list(project.reimbursements.select_related("invoice"))
    payments = []
    for invoice in invoices:
        for payment in invoice.payments.all():
            payment.invoice = invoice  # reuse the loaded row; no query per payment
            payments.append(payment)
    credit = services.advance_credit_from(assessments, payments, refunds)
    for assessment in assessments:
        assessment.balance_due = assessment.balance_in(invoices)  # from the rows loaded
        assessment.settled_so_far = assessment.due_usd - assessment.balance_due
    return render(
        request,
        "fees/project.html",
        {
            "project": project,
            "assessments": assessments,
            "invoices": invoices,
            "payments": payments,
            "refunds": refunds,
            "credit": credit,
            "may_record": request.user.has_perm("fees.record_payment", project),
            "today": timezone.localdate(),
        },
    )


@login_required
@GET_POST
def project_fee_payment(request, key):
    """Secretariat: a payment of the determination fee (the project page's and the dashboard's
    "Record payment"): the amount received, the date and the bank reference, all stated."""
    project = project_or_404(request, key)
    if not request.user.has_perm("fees.view_fees", project):
        raise Http404("No fee record.")
    if not request.user.has_perm("fees.record_payment", project):
        return refuse(request, _("Only the secretariat records payments."))
    fee = services.determination_fee_record(project)
    invoice = fee.invoices.filter(status__in=Invoice.OPEN).order_by("-pk").first() if fee else None
    return act(
        request,
        bind(request, BalancePaymentForm),
        lambda d: services.record_fee_payment(
            request.user,
            project,
            amount=d["amount_usd"],
            received_on=d["received_on"],
            reference=d["reference"],
        ),
        template="fees/pay_balance.html",
        context={"project": project, "fee": fee, "invoice": invoice},
        done=lambda p: (
            _(
                "Payment of USD %(amount_usd)s recorded on %(number)s; balance due USD %(balance_usd)s."
            )
            % {
                "amount_usd": f"{p.amount_usd:,.2f}",
                "number": p.invoice.number,
                "balance_usd": f"{p.invoice.balance_usd:,.2f}",
            }
            + (
                _(" USD %(excess_usd)s above the balance is due back.")
                % {"excess_usd": f"{p.excess_usd:,.2f}"}
                if p.excess_usd
                else ""
            )
        ),
        then=lambda p: to_project(project),
    )


# --- what an organisation owes --------------------------------------------------------------------


@login_required
@require_GET
def owed_mine(request):
    """``/fees/owed/``: what the participant's own organisation owes; for the secretariat,
    every organisation with an open invoice, each linked to its page."""
    user = request.user
    if not user.has_perm("fees.view_fee_pages"):
        return _not_for_fee_pages(request)
    if user.has_perm("fees.view_all_owed"):
        return render(
            request,
            "fees/owed_list.html",
            {"organisations": paginate(request, selectors.organisations_owing())},
        )
    organisation = user.organisation
    if organisation is None or not user.has_perm("fees.view_owed", organisation):
        return refuse(
            request,
            gettext(
                "Your account belongs to no organisation, so no invoice is addressed to you. "
                "Ask the secretariat to attach it to your organisation."
            ),
        )
    return _owed_page(request, organisation)


@login_required
@require_GET
def owed_organisation(request, pk):
    """``/fees/owed/<pk>/``: what a participant organisation owes, for its own staff and the
    secretariat; to other participants it does not exist (404), like its invoices."""
    user = request.user
    if not user.has_perm("fees.view_fee_pages"):
        return _not_for_fee_pages(request)
    organisation = Organisation.objects.filter(pk=pk, kind=Organisation.Kind.PARTICIPANT).first()
    if organisation is None or not user.has_perm("fees.view_owed", organisation):
        raise Http404("No such organisation.")
    return _owed_page(request, organisation)


def _owed_page(request, organisation: Organisation):
    return render(
        request,
        "fees/owed.html",
        {
            "owed": selectors.owed(organisation),
            "issuer": selectors.issuer(),
            "may_list_all": request.user.has_perm("fees.view_all_owed"),
        },
    )


# --- invoices ------------------------------------------------------------------------------------


def _invoice_or_404(request, number: str) -> Invoice:
    invoice = (
        Invoice.objects.select_related("project", "project__host_party", "assessment")
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.select_related("recorded_by")),
            "credit_notes",
            "reimbursements",
        )
        .filter(number=number)
        .first()
    )
    if invoice is None or not request.user.has_perm("fees.view_fees", invoice.project):
        raise Http404("No such invoice.")
    return invoice


def _invoice_page(request, invoice: Invoice, *, payment_form=None, credit_form=None, status=200):
    may_record = request.user.has_perm("fees.record_payment", invoice.project)
    return render(
        request,
        "fees/invoice.html",
        {
            "invoice": invoice,
            "project": invoice.project,
            "may_record": may_record,
            "payment_form": payment_form
            or PaymentForm(initial={"amount_usd": invoice.balance_usd}),
            "credit_form": credit_form or CreditNoteForm(),
            "issuer": selectors.issuer(),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_GET
def invoice_detail(request, number):
    return _invoice_page(request, _invoice_or_404(request, number))


def _invoice_action(request, number, form_class, call, done, form_name):
    invoice = _invoice_or_404(request, number)
    if not request.user.has_perm("fees.record_payment", invoice.project):
        return refuse(request, _("Only the secretariat records payments and credit notes."))
    if request.method != "POST":
        return redirect("invoice_detail", number=number)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            result = call(invoice, form.cleaned_data)
        except DomainError as err:
            status = apply_error(form, err)
        else:
            messages.success(request, done(result))
            return redirect("invoice_detail", number=number)
    return _invoice_page(request, invoice, **{form_name: form}, status=status)


@login_required
@GET_POST
def invoice_payment(request, number):
    return _invoice_action(
        request,
        number,
        PaymentForm,
        lambda inv, d: services.record_payment(
            request.user,
            inv,
            amount=d["amount_usd"],
            received_on=d["received_on"],
            reference=d["reference"],
        ),
        lambda p: (
            _("Payment of USD %(amount_usd)s recorded.") % {"amount_usd": f"{p.amount_usd:,.2f}"}
            + (
                _(" USD %(excess_usd)s above the balance is due back.")
                % {"excess_usd": f"{p.excess_usd:,.2f}"}
                if p.excess_usd
                else ""
            )
        ),
        "payment_form",
    )


@login_required
@GET_POST
def invoice_credit(request, number):
    return _invoice_action(
        request,
        number,
        CreditNoteForm,
        lambda inv, d: services.credit_invoice(request.user, inv, reason=d["reason"]),
        lambda note: (
            _("Credit note %(number)s issued for USD %(amount_usd)s.")
            % {"number": note.number, "amount_usd": f"{note.amount_usd:,.2f}"}
        ),
        "credit_form",
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def invoice_pdf(request, number):
    invoice = _invoice_or_404(request, number)
    return _pdf_response(pdf.render_invoice(invoice), f"{invoice.number}.pdf")


@login_required
@require_GET
def credit_note_pdf(request, number):
    note = CreditNote.objects.select_related("invoice", "invoice__project").filter(number=number)
    note = note.first()
    if note is None or not request.user.has_perm("fees.view_fees", note.invoice.project):
        raise Http404("No such credit note.")
    return _pdf_response(pdf.render_credit_note(note), f"{note.number}.pdf")


# --- reimbursements ------------------------------------------------------------------------------


@login_required
@GET_POST
def reimbursement_paid(request, pk):
    refund = Reimbursement.objects.select_related("project", "invoice").filter(pk=pk).first()
    if refund is None or not request.user.has_perm("fees.view_fees", refund.project):
        raise Http404("No such reimbursement.")
    if not request.user.has_perm("fees.record_payment", refund.project):
        return refuse(request, _("Only the secretariat records reimbursements."))
    return act(
        request,
        bind(request, ReimbursementPaidForm),
        lambda d: services.record_reimbursement_paid(
            request.user, refund, paid_on=d["paid_on"], reference=d["reference"]
        ),
        template="fees/reimbursement.html",
        context={"refund": refund, "project": refund.project},
        done=lambda r: (
            _("Reimbursement of USD %(amount_usd)s recorded as paid.")
            % {"amount_usd": f"{r.amount_usd:,.2f}"}
        ),
        then=lambda r: redirect("fees_home"),
    )
