"""Determination pages: the AIE files F-JI-DRep, the secretariat checks it (fee pages: fees).
Monitoring, verification (F-JI-VRep) and ERU issuance pages."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fees import preview as fee_preview
from fees.models import FeeAssessment
from fees.selectors import with_fee
from jitrack.confirm import Consequences, act_confirmed
from jitrack.errors import DomainError
from jitrack.web import GET_POST, act, apply_error, bind, paginate, refuse
from projects import checks as project_checks
from projects.components import component_reference
from projects.forms import CheckForm
from projects.models import Accreditation, Party, Project
from projects.selectors import visible_projects
from projects.timeline import gmt_text
from projects.web import project_or_404, to_project
from projects.workflow import approval_on_record

from . import accounts, checks, issuance, preview
from . import verification as vwf
from . import workflow as dwf
from .account_forms import TransferForm
from .forms import (
    AauHoldingForm,
    ChangeForm,
    DeterminationForm,
    IssueForm,
    MonitoringReportForm,
    MonitoringWithdrawForm,
    PublishVerificationForm,
    VerificationForm,
)
from .models import (
    AauLedgerEntry,
    CommitmentPeriod,
    EruBlock,
    EruIssuance,
    MonitoringReport,
    Verification,
)
from .selectors import verification_for

PARTY_CODE = re.compile(r"[A-Za-z]{2}")


def _not_now(request, guard, obj, perm_obj=None):
    """The act's own guard, asked before its form is shown: why it cannot be done now, as a
    one-line page, instead of a form that would be refused once filled in; None when it can."""
    err = guard.refusal(request.user, obj, perm_obj)
    return None if err is None else refuse(request, err.detail, err.status)


@login_required
@GET_POST
def determination_file(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("determinations.submit_determination", project):
        return refuse(request, _("Only the engaged AIE can file the determination."))
    if (not_now := _not_now(request, dwf.GUARDS["submit"], project)) is not None:
        return not_now
    form = bind(request, DeterminationForm)
    if request.method == "POST" and PREVIEW in request.POST:
        return _previewed(
            request,
            form,
            lambda d: preview.drep(
                request.user,
                project,
                findings=form.findings(),
                outcome=d["outcome"],
                due_account=d["due_account"],
            ),
            template="determinations/file.html",
            context={"project": project, "comments": list(project.comments.all())},
        )
    return act(
        request,
        form,
        lambda d: dwf.submit_determination(
            request.user,
            project,
            findings=form.findings(),
            outcome=d["outcome"],
            due_account=d["due_account"],
            supporting=form.supporting(),
        ),
        template="determinations/file.html",
        context={
            "project": project,
            "comments": list(project.comments.all()),
        },
        done=lambda det: (
            _(
                "Determination report F-JI-DRep (%(number)s) submitted to the secretariat. The determination fee is due on submission."
            )
            % {"number": det.number}
        ),
        then=lambda det: to_project(project),
    )


@login_required
@require_safe
def invoice_preview(request, key):
    """The invoice of the determination fee (advance) that filing F-JI-DRep would issue, shown
    before anything is filed (``fees.preview``): for the paying participants and the secretariat
    only (invoices are confidential, ji-rules §6); nothing is written."""
    project = project_or_404(request, key)
    if not request.user.has_perm("fees.view_fees", project):
        return refuse(
            request, _("Invoices are for the project participants and the secretariat only.")
        )
    content = fee_preview.determination_invoice_pdf(project)
    if content is None:
        return refuse(
            request,
            _(
                "No determination fee (advance) falls due for this project: its expected "
                "average annual reductions are below 15,000 t CO2e, or it is small-scale."
            ),
            status=409,
        )
    return preview.inline_pdf(content, f"invoice-{project.key}-preview.pdf")


def _check_consequences(project: Project, data: dict):
    if data["decision"] != "accept":
        return None  # the AIE files it again: nothing to confirm
    return Consequences(
        title=_("Publish the determination of %(title)s?") % {"title": project.title},
        what=[
            _(
                "The determination report F-JI-DRep is made public (para 34) and the 45-day "
                "period starts: the determination is final after it unless a Party involved or "
                "three JISC members request a review (para 35)."
            ),
            _("Nothing published is ever deleted: this cannot be undone."),
        ],
        submit=_("Publish the determination"),
        cancel=reverse("determination_check", args=[project.key]),
    )


@login_required
@GET_POST
def determination_check(request, key):
    """The secretariat's check of F-JI-DRep (para 34): the report in view, the findings, the
    project's data, the letters of approval, the fee state and a checklist from the record."""
    project = project_or_404(
        request,
        key,
        checks.with_check_counts(with_fee(visible_projects(request.user))).select_related(
            "host_party", "aie"
        ),
    )
    if not request.user.has_perm("determinations.check_determination", project):
        return refuse(request, _("Only the secretariat checks determination reports."))
    if (not_now := _not_now(request, dwf.GUARDS["check"], project)) is not None:
        return not_now
    determination = (
        project.determinations.select_related("report", "aie").exclude(status="returned").first()
    )
    data = project_checks.load(project, Accreditation.Function.DETERMINATION)
    form = bind(request, CheckForm)
    return act_confirmed(
        request,
        form,
        lambda d: dwf.check_determination(
            request.user,
            project,
            accept=d["decision"] == "accept",
            available_on=d["available_on"],
            reason=d["reason"],
        ),
        # What the act would refuse (the guard, an unpaid fee) comes back on the form at once.
        consequences=lambda d: (
            None
            if dwf.GUARDS["check"].refusal(request.user, project)
            or project.fee_status not in FeeAssessment.SETTLED
            else _check_consequences(project, d)
        ),
        template="determinations/check.html",
        context={
            "project": project,
            "determination": determination,
            "data": data,
            "checklist": checks.determination_checklist(data, determination),
        },
        done=lambda det: (
            _("Determination published; the 45-day period has started.")
            if det.status == "published"
            else _("Determination report returned to the AIE.")
        ),
        then=lambda det: to_project(project),
    )


# --- monitoring, verification and ERU issuance (paras 36-39, 13/CMP.1 annex para 29) ----------

MAX_PK = 2**63 - 1
V = Verification.Status
M = MonitoringReport.Status
# A monitoring report can no longer be withdrawn once its verification is in one of these.
NOT_WITHDRAWABLE = (V.FINAL, V.REJECTED, V.UNDER_REVIEW)


def _to_monitoring(project: Project, anchor: str = "") -> HttpResponse:
    return redirect(reverse("monitoring", args=[project.key]) + anchor)


def _verification_of(report: MonitoringReport) -> Verification | None:
    try:
        return report.verification
    except Verification.DoesNotExist:
        return None


def _is_dfp(user, party_id) -> bool:
    return user.has_perm("determinations.issue_erus", Party(pk=party_id))


def _project_verification(request, key: str, number: int) -> tuple[Project, Verification]:
    """The project and its verification ``number`` when the user may see both; 404 otherwise."""
    project = project_or_404(
        request, key, visible_projects(request.user).select_related("host_party", "aie")
    )
    ver = verification_for(request.user, project, number)
    if ver is None:
        raise Http404(f"No verification {number} of project {project.key}.")
    return project, ver


def _of_component(project: Project, report: MonitoringReport) -> str:
    """The suffix naming the component of a report on a programme's component, for a page's
    title (``determinations.verification`` COMPONENT_MONITORING); empty otherwise."""
    if report.component_id is None:
        return ""
    reference = component_reference(project, report.component.number)
    return " " + _("(component %(reference)s)") % {"reference": reference}


def _report_or_404(request, pk: int) -> MonitoringReport:
    report = None
    if 0 < pk <= MAX_PK:
        report = (
            MonitoringReport.objects.select_related("project", "aie", "component")
            .filter(pk=pk, project__in=visible_projects(request.user).values("pk"))
            .first()
        )
    if report is None:
        raise Http404("No such monitoring report.")
    return report


# A filing form's second button: the form's PDF as it would be filed, nothing written.
PREVIEW = "preview"


def _previewed(request, form, make, *, template, context):
    """A POST with ``PREVIEW``: ``make(cleaned_data)`` (a PDF response from
    ``determinations.preview``), or the form again with why it cannot be filed."""
    status = 400
    if form.is_valid():
        try:
            return make(form.cleaned_data)
        except DomainError as err:
            status = apply_error(form, err)
    return render(request, template, {**context, "form": form}, status=status)


def _form_page(
    request,
    project,
    form,
    call,
    *,
    title,
    submit,
    done,
    intro="",
    then=None,
    consequences=None,
    preview_with=None,
    **extra,
):
    """The page of one act; with ``consequences`` (``jitrack.confirm``) a valid POST is first
    confirmed: for acts that cannot be undone; with ``preview_with`` (a PDF response from the
    form's data) the form offers a preview of what it files."""
    context = {"project": project, "title": title, "intro": intro, "submit": submit, **extra}
    if preview_with is not None:
        context["previewable"] = True
        if request.method == "POST" and PREVIEW in request.POST:
            return _previewed(
                request,
                form,
                preview_with,
                template="determinations/verification/form.html",
                context=context,
            )
    if consequences is not None:
        return act_confirmed(
            request,
            form,
            call,
            consequences=consequences,
            template="determinations/verification/form.html",
            context=context,
            done=done,
            then=then or (lambda _: _to_monitoring(project)),
        )
    return act(
        request,
        form,
        call,
        template="determinations/verification/form.html",
        context=context,
        done=done,
        then=then or (lambda _: _to_monitoring(project)),
    )


@login_required
@GET_POST
def monitoring_new(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.edit_project", project):
        return refuse(request, _("Only the project participants submit monitoring reports."))
    if (not_now := _not_now(request, vwf.GUARDS["submit_monitoring"], project)) is not None:
        return not_now
    # A programme with components names one (COMPONENT_MONITORING); ``?component=N`` from the
    # component's page chooses it.
    components = list(project.components.order_by("number")) if project.poa else []
    form = bind(
        request,
        MonitoringReportForm,
        components=components,
        initial={"component": request.GET.get("component", "")},
    )
    return _form_page(
        request,
        project,
        form,
        lambda d: vwf.submit_monitoring_report(
            request.user,
            project,
            period_start=d["period_start"],
            period_end=d["period_end"],
            aie=d["aie"],
            claimed=d["claimed"],
            report=d["report"],
            supporting=form.supporting(),
            component=d.get("component"),
        ),
        title=_("Submit a monitoring report"),
        intro=_(
            "Para 36: the report on reductions that already occurred in the monitoring period "
            "goes to the AIE you choose and is made public. A period may not overlap a period "
            "verified or under verification."
        ),
        submit=_("Submit the monitoring report"),
        done=lambda mr: (
            _("Monitoring report %(number)s submitted to %(name)s and made public.")
            % {"number": mr.number, "name": mr.aie.name}
        ),
    )


@login_required
@GET_POST
def change_new(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.edit_project", project):
        return refuse(request, _("Only the project participants record changes."))
    form = bind(request, ChangeForm)
    return _form_page(
        request,
        project,
        form,
        lambda d: vwf.record_change(
            request.user,
            project,
            description=d["description"],
            justification=d["justification"],
            files=form.supporting(),
        ),
        title=_("Record a change during implementation"),
        intro=_(
            "Describe each change to the determined design or monitoring plan with its "
            "justification. The AIE gives its opinion on it at the next verification."
        ),
        submit=_("Record the change"),
        done=_("Change recorded; the next verification will address it."),
        then=lambda _: _to_monitoring(project, "#changes"),
    )


@login_required
@GET_POST
def verification_file(request, pk: int):
    report = _report_or_404(request, pk)
    project = report.project
    user = request.user
    # The act's own guard: the AIE the report went to, while it waits for verification.
    if (not_now := _not_now(request, vwf.GUARDS["verify"], report)) is not None:
        return not_now
    changes = list(vwf.pending_changes(project))
    form = bind(request, VerificationForm, changes=changes)
    return _form_page(
        request,
        project,
        form,
        lambda d: vwf.submit_verification(
            user,
            report,
            verified=d["verified"],
            findings=d["findings"],
            change_opinions=form.opinions(),
            conditions_hold=d["conditions_hold"],
            conditions_reasons=d["conditions_reasons"],
            no_overlap_declared=d["no_overlap_declared"],
            supporting=form.supporting(),
        ),
        preview_with=lambda d: preview.vrep(
            user,
            report,
            verified=d["verified"],
            findings=d["findings"],
            change_opinions=form.opinions(),
            conditions_hold=d["conditions_hold"],
            conditions_reasons=d["conditions_reasons"],
        ),
        title=_("Verification report (F-JI-VRep) for monitoring report %(number)s")
        % {"number": report.number}
        + _of_component(project, report),
        intro=_(
            "Paras 37-38: determine the reductions achieved in the monitoring period. The "
            "report is rendered to PDF and published by the secretariat once the verification fee "
            "is paid or covered by the advance."
        ),
        submit=_("File the verification report"),
        done=lambda v: (
            _(
                "F-JI-VRep (%(number)s) filed: %(verified_total)s t CO2e verified. The verification fee is due."
            )
            % {"number": v.number, "verified_total": f"{v.verified_total:,}"}
        ),
        report=report,
    )


@login_required
@GET_POST
def verification_publish(request, key, number: int):
    project, ver = _project_verification(request, key, number)
    if not request.user.has_perm("determinations.check_determination", project):
        return refuse(request, _("Only the secretariat publishes verification reports."))
    if (not_now := _not_now(request, vwf.GUARDS["publish"], ver, project)) is not None:
        return not_now
    fee = (
        project.fees.filter(kind="verification", number=ver.number)
        .prefetch_related("invoices")
        .first()
    )
    # The verification's own data; the project's as submitted is on the determination's pages.
    data = project_checks.load(project, Accreditation.Function.VERIFICATION, full=False)
    ver.report = next((d for d in data.documents if d.pk == ver.report_id), None)
    return _form_page(
        request,
        project,
        bind(request, PublishVerificationForm),
        lambda d: vwf.publish_verification(
            request.user, ver, available_on=d.get("available_on") or None
        ),
        consequences=lambda d: (
            None
            if vwf.GUARDS["publish"].refusal(request.user, ver, project)
            or fee is None
            or fee.status not in FeeAssessment.SETTLED
            else Consequences(
                title=_("Publish F-JI-VRep (%(number)s) of %(title)s?")
                % {"number": ver.number, "title": project.title},
                what=[
                    _(
                        "The verification report is made public (para 38) and the 15-day "
                        "period starts: the verification is final after it unless a Party "
                        "involved or three JISC members request a review (para 39)."
                    ),
                    _("Once final, the host Party may issue the verified ERUs."),
                    _("Nothing published is ever deleted: this cannot be undone."),
                ],
                submit=_("Publish the verification report"),
                cancel=reverse("verification_publish", args=[project.key, ver.number]),
            )
        ),
        data=data,
        checklist=checks.verification_checklist(data, ver, fee),
        title=_("Publish F-JI-VRep (%(number)s)") % {"number": ver.number},
        intro=_(
            "Publication starts the 15-day period (para 39). The report is published only "
            "when its verification fee is paid or covered by credit."
        ),
        submit=_("Publish the verification report"),
        done=lambda v: (
            _(
                "F-JI-VRep (%(number)s) published; the 15-day period closes %(review_window_closes_at)s."
            )
            % {"number": v.number, "review_window_closes_at": gmt_text(v.review_window_closes_at)}
        ),
        verification=ver,
        fee=fee,
    )


def _issue_consequences(project, ver, data, remaining):
    """What issuing ``data["blocks"]`` does; None when the act will refuse it (not issuable,
    more than is left to issue), which it then says on the form."""
    if any(end < start for start, end in data["blocks"]):
        return None
    quantity = sum(end - start + 1 for start, end in data["blocks"])
    left = remaining.get(data["commitment_period"], 0)  # the act refuses another period
    if not issuance.issuable(ver) or not 0 < quantity <= left:
        return None
    return Consequences(
        title=_("Issue %(quantity)s ERUs for %(title)s?")
        % {"quantity": f"{quantity:,}", "title": project.title},
        what=[
            _(
                "%(quantity)s AAUs held in the national registry become ERUs: each unit keeps "
                "its serial number and gains the project identifier; one AAU is cancelled for "
                "every ERU (13/CMP.1 annex para 29)."
            )
            % {"quantity": f"{quantity:,}"},
            _("The ERUs go to the host Party's registry; the issuance is public and final."),
        ],
        submit=_("Issue the ERUs"),
        cancel=reverse("monitoring", args=[project.key]),
    )


@login_required
@GET_POST
def eru_issue(request, key, number: int):
    project, ver = _project_verification(request, key, number)
    if not _is_dfp(request.user, project.host_party_id):
        return refuse(request, _("Only the designated focal point of the host Party issues ERUs."))
    form = bind(request, IssueForm)
    remaining = issuance.remaining_by_period(ver)
    held = issuance.aau_balances(Party(pk=project.host_party_id))
    per_period = "; ".join(
        _("%(period_name)s: %(left)s still to issue, %(held)s AAUs held")
        % {"period_name": issuance.period_name(p), "left": f"{left:,}", "held": f"{held[p]:,}"}
        for p, left in remaining.items()
    )
    return _form_page(
        request,
        project,
        form,
        lambda d: issuance.issue_erus(request.user, ver, blocks=form.block_dicts()),
        consequences=lambda d: _issue_consequences(project, ver, d, remaining),
        title=_("Issue ERUs for F-JI-VRep (%(number)s)") % {"number": ver.number}
        + _of_component(project, ver.monitoring_report),
        intro=_(
            "13/CMP.1 annex para 29: AAUs held in the national registry are converted to "
            "ERUs; each unit keeps its serial number and one AAU is cancelled for every ERU. "
            "ERUs for reductions in a year are units of the commitment period that contains it, "
            "converted from AAUs of that period"
        )
        + (f" — {per_period}." if per_period else "."),
        submit=_("Issue the ERUs"),
        done=lambda iss: (
            _("%(quantity)s ERUs issued to the host Party's registry.")
            % {"quantity": f"{iss.quantity:,}"}
        ),
        verification=ver,
        remaining=sum(remaining.values()),
        balance=issuance.aau_balance(Party(pk=project.host_party_id)),
    )


def _transfer_consequences(project, block, data):
    """What the transfer does; None when the act will refuse it (the block is gone or too
    small), which it then says on the form."""
    quantity, account = data["quantity"], data["account_id"]
    if not block.active or quantity > block.quantity:
        return None
    if account.registry_party_id != block.originating_party_id and not approval_on_record(
        project, account.registry_party
    ):
        return None
    last = block.serial_start + quantity - 1
    return Consequences(
        title=_("Transfer %(quantity)s ERUs to %(account)s?")
        % {"quantity": f"{quantity:,}", "account": account.identifier},
        what=[
            _("ERUs %(first)s–%(last)s leave “%(from)s” for the account you chose.")
            % {"first": block.serial_start, "last": last, "from": block.account},
            _("A transfer is recorded on the public ledger and cannot be taken back here."),
        ],
        submit=_("Transfer"),
        cancel=reverse("monitoring", args=[project.key]),
    )


@login_required
@GET_POST
def eru_transfer(request, pk: int):
    block = None
    if 0 < pk <= MAX_PK:
        block = (
            EruBlock.objects.select_related("issuance__verification__project")
            .filter(
                pk=pk,
                issuance__verification__project__in=visible_projects(request.user).values("pk"),
            )
            .select_related("originating_party")
            .first()
        )
    if block is None:
        raise Http404("No such ERU block.")
    project = block.issuance.verification.project
    if not _is_dfp(request.user, block.originating_party_id):
        return refuse(
            request, _("Only the designated focal point of the host Party transfers ERUs.")
        )
    form = bind(request, TransferForm, accounts=accounts.accounts_for_project(project))
    intro = _(
        "The block holds %(quantity)s ERUs in “%(account)s”. A partial transfer splits it: the "
        "first serials go to the account you choose, one of those the project's participants "
        "recorded."
    ) % {"quantity": f"{block.quantity:,}", "account": block.account}
    if request.method == "GET" and not form.fields["account_id"].queryset.exists():
        intro += " " + _(
            "No participant of this project has recorded a registry account yet: they add one "
            "on their page “Registry accounts for ERUs”, linked from the project's monitoring page."
        )
    return _form_page(
        request,
        project,
        form,
        lambda d: issuance.transfer(
            request.user, block, quantity=d["quantity"], account_id=d["account_id"].pk
        ),
        consequences=lambda d: _transfer_consequences(project, block, d),
        title=_("Transfer ERUs %(serial_start)s–%(serial_end)s")
        % {"serial_start": block.serial_start, "serial_end": block.serial_end},
        intro=intro,
        submit=_("Transfer"),
        done=lambda head: (
            _("ERUs %(serial_start)s–%(serial_end)s transferred to %(account)s.")
            % {
                "serial_start": head.serial_start,
                "serial_end": head.serial_end,
                "account": head.account,
            }
        ),
        block=block,
    )


@login_required
@GET_POST
def monitoring_withdraw(request, pk: int):
    report = _report_or_404(request, pk)
    project = report.project
    if not request.user.has_perm("projects.withdraw_project", project):
        return refuse(request, _("Only the project participants withdraw a monitoring report."))
    return _form_page(
        request,
        project,
        bind(request, MonitoringWithdrawForm),
        lambda d: vwf.withdraw_monitoring_report(request.user, report, d["reason"]),
        title=_("Withdraw monitoring report %(number)s") % {"number": report.number},
        intro=_(
            "The report, and its verification if one was filed, stay on the public record "
            "marked withdrawn; the period is free again."
        ),
        submit=_("Withdraw the report"),
        done=_("Monitoring report %(number)s withdrawn.") % {"number": report.number},
        report=report,
    )


@GET_POST
def party_issuance(request, code):
    """Public: a host Party's AAU balances per commitment period, its ledger and its ERU
    issuances; its DFP states the AAUs its registry holds (AAU_STATEMENTS)."""
    party = Party.objects.filter(code=code.upper()).first() if PARTY_CODE.fullmatch(code) else None
    if party is None:
        raise Http404(f"No Party {code!r}.")
    dfp = _is_dfp(request.user, party.pk)
    if request.method == "POST" and not dfp:
        return refuse(
            request,
            _("Only the designated focal point of %(name)s records AAUs.") % {"name": party.name},
        )
    form = bind(request, AauHoldingForm) if dfp else None
    status = 200
    if form is not None and request.method == "POST":
        status = 400
        if form.is_valid():
            period = form.cleaned_data["commitment_period"]
            try:
                balance = issuance.record_aau_holding(
                    request.user,
                    party,
                    quantity=form.cleaned_data["quantity"],
                    commitment_period=period,
                    note=form.cleaned_data["note"],
                )
            except DomainError as err:
                status = apply_error(form, err)
            else:
                messages.success(
                    request,
                    _("Holding stated: %(name)s holds %(balance)s AAUs of the %(period_name)s.")
                    % {
                        "name": party.name,
                        "balance": f"{balance:,}",
                        "period_name": issuance.period_name(period),
                    },
                )
                return redirect("party_issuance", code=party.code)
    balances = issuance.aau_balances(party)
    ledger = paginate(
        request,
        AauLedgerEntry.objects.filter(party=party)
        .select_related("issuance__verification__project")
        .order_by("-recorded_at", "-pk"),
    )
    issuances = list(
        EruIssuance.objects.filter(party=party)
        .select_related("verification__project")
        .prefetch_related(
            Prefetch(
                "blocks", queryset=EruBlock.objects.filter(active=True).order_by("serial_start")
            )
        )
        .order_by("-recorded_at", "-pk")
    )
    return render(
        request,
        "determinations/verification/party.html",
        {
            "party": party,
            "balance": sum(balances.values()),
            "balances": [
                {"period": p, "name": CommitmentPeriod(p).label, "balance": b}
                for p, b in balances.items()
            ],
            "ledger": ledger,
            "issuances": issuances,
            "form": form,
            "dfp": dfp,
        },
        status=status,
    )
