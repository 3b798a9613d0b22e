"""The checklists of the secretariat's determination and verification pages: the items of
``projects.checks`` plus what the determination report (paras 33-34) and the verification
report (paras 37-39) must hold before publication, each computed from the record with its
source. Nothing here queries: the views load the rows once."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fees.models import FeeAssessment, FeeKind, Invoice
from projects.checks import Item, ProjectData, accreditation_item, approval_items, item
from projects.models import Comment, Project
from projects.templatetags.jitrack import day

FEES = gettext_lazy("provisions for the charging of fees, version 3")


def fee_item(fee_status: str | None, balance, *, kind_label: str) -> Item:
    """[our reading] A report is published only when its fee is paid or not due (or covered
    by the advance): as the CDM treats a request as received once its fee is received."""
    label = _("%(fee)s paid or not due before publication") % {"fee": kind_label}
    if fee_status is None:
        return item(label, False, _("No fee assessed yet."), FEES)
    status = FeeAssessment.Status(fee_status)
    if fee_status in FeeAssessment.SETTLED:
        return item(label, True, str(status.label), FEES)
    return item(
        label,
        False,
        _("%(status)s: USD %(balance)s still to pay.")
        % {"status": status.label, "balance": f"{balance:,.2f}"},
        FEES,
    )


def with_check_counts(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The comments the determination must take account of (``comments_received``,
    ``comments_unanswered``) and the open invoice of the determination fee (``fee_invoice``),
    in the project's own query."""
    live = Comment.objects.filter(project=OuterRef("pk"), removed_at__isnull=True).order_by()

    def count(rows):
        counted = rows.values("project").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted), 0)

    invoice = Invoice.objects.filter(
        project=OuterRef("pk"), kind=FeeKind.DETERMINATION, status__in=Invoice.OPEN
    ).order_by("-issued_on", "-number")
    return projects.annotate(
        comments_received=count(live),
        comments_unanswered=count(live.filter(answer="")),
        fee_invoice=Subquery(invoice.values("number")[:1]),
    )


def determination_checklist(data: ProjectData, determination) -> list[Item]:
    """Before the secretariat publishes F-JI-DRep (paras 33-34); ``data.project`` comes
    through ``with_check_counts`` and ``fees.selectors.with_fee``."""
    project = data.project
    items = [
        item(
            _("Determination report F-JI-DRep on record"),
            determination is not None and determination.report_id is not None,
            _("F-JI-DRep (%(number)s) submitted %(day)s.")
            % {"number": determination.number, "day": day(determination.submitted_at)}
            if determination is not None
            else _("No determination report is waiting."),
            _("para 34"),
        ),
    ]
    if determination is None:
        return items
    positive = determination.outcome == "positive"
    unmet = [f["label"][:3] for f in determination.findings() if not f["met"]]
    items.append(
        item(
            _("Outcome follows the findings on each requirement of para 33"),
            not (positive and unmet),
            (
                _("Positive, but not met: %(items)s.") % {"items": ", ".join(unmet)}
                if positive and unmet
                else _("Positive: all four requirements met.")
                if positive
                else _("Negative: not met: %(items)s.") % {"items": ", ".join(unmet) or "—"}
            ),
            _("para 33"),
        )
    )
    received, unanswered = project.comments_received, project.comments_unanswered
    items.append(
        item(
            _("Comments summarised and due account taken of them"),
            not unanswered and (not received or bool(determination.due_account.strip())),
            _("%(n)d comment(s) received, %(open)d without an answer.")
            % {"n": received, "open": unanswered},
            _("para 34"),
        )
    )
    items.append(accreditation_item(data, _("determination")))
    items.extend(approval_items(data, needed=positive))
    items.append(
        fee_item(
            getattr(project, "fee_status", None),
            getattr(project, "fee_balance", 0),
            kind_label=_("Determination fee (advance)"),
        )
    )
    return items


def verification_checklist(data: ProjectData, verification, fee) -> list[Item]:
    """Before the secretariat publishes F-JI-VRep (paras 37-39)."""
    report = verification.monitoring_report
    claimed = {int(y): int(t) for y, t in report.claimed.items()}
    over = [str(y) for y, t in verification.verified.items() if int(t) > claimed.get(int(y), 0)]
    items = [
        item(
            _("Verification report F-JI-VRep on record"),
            verification.report_id is not None,
            _("F-JI-VRep (%(number)s) filed %(day)s.")
            % {"number": verification.number, "day": day(verification.submitted_at)},
            _("para 38"),
        ),
        item(
            _("Verified reductions within those claimed in the monitoring report"),
            not over,
            _("More verified than claimed in %(years)s.") % {"years": ", ".join(over)}
            if over
            else _("%(verified)s t CO2e verified of %(claimed)s claimed.")
            % {
                "verified": f"{verification.verified_total:,}",
                "claimed": f"{sum(claimed.values()):,}",
            },
            _("para 37"),
        ),
        item(
            _("Monitoring period within the crediting period"),
            bool(
                data.project.crediting_start
                and data.project.crediting_end
                and data.project.crediting_start <= report.period_start
                and report.period_end <= data.project.crediting_end
            ),
            f"{day(report.period_start)} – {day(report.period_end)}",
            _("para 36"),
        ),
        item(
            _("Positive only while the para 33 conditions still hold after the changes"),
            verification.conditions_hold or verification.verified_total == 0,
            _("The AIE states they still hold.")
            if verification.conditions_hold
            else _("The AIE states they no longer hold: %(reasons)s")
            % {"reasons": verification.conditions_reasons or "—"},
            _("JISC 23, annex 2"),
        ),
        accreditation_item(data, _("verification")),
    ]
    if fee is None:
        items.append(fee_item(None, 0, kind_label=_("Verification fee")))
    else:
        items.append(fee_item(fee.status, fee.balance_usd, kind_label=_("Verification fee")))
    return items
