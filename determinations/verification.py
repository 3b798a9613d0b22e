"""Monitoring reports, changes during implementation and verifications (paras 36-39): the only
writer of ``MonitoringReport.status`` and ``Verification.status``. The determination's part is in
``determinations.workflow``; ERU issuance in ``determinations.issuance``.

MONITORING_START: [our reading] ji-rules §3.10 with decision 9/CMP.1 para 5 — the first
monitoring period may not start before the crediting period, nor before 1 January 2008 (ERUs
are issued for reductions from 2008 on).

COMPONENT_MONITORING: [our reading] ji-rules §3 item 1 and §5 "Programmes of activities": a
programme of activities with components is monitored, verified and credited per component
(CPA): each of its monitoring reports names one component, its period starts no earlier than
the component's inclusion and, for an excluded component, ends before the exclusion
(``projects.components`` COMPONENT_DATES); periods of one component never overlap (JISC 13
Annex 13), those of two components may. A project that is not a programme names none. The
verification and the ERUs follow the report's component.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fees import services as fee_services
from jitrack.errors import Conflict, Invalid
from jitrack.guards import Guard
from jitrack.pdf import filed_with_report
from jitrack.statuses import Machine
from projects import deadlines
from projects.clock import act_on_rows
from projects.models import (
    ClockFault,
    ComponentActivity,
    Document,
    Event,
    Organisation,
    Project,
    User,
)
from projects.timeline import day_text
from projects.workflow import (
    accredited_for,
    check_availability_date,
    lock,
    record,
    record_many,
    require,
    require_accredited,
    store_document,
)

from . import pdf
from .models import ImplementationChange, MonitoringReport, Verification

V = Verification.Status
M = MonitoringReport.Status

# A monitoring report's period is taken while it is submitted, verified or final (JISC 13 Annex
# 13); it is free again once the report is withdrawn or its verification rejected. It is final
# when its verification is (ji-rules §7 "Rules at the edges").
MONITORING_TRANSITIONS: dict[str, set[str]] = {
    M.SUBMITTED: {M.VERIFIED, M.WITHDRAWN},
    M.VERIFIED: {M.WITHDRAWN, M.REJECTED, M.FINAL},
    M.FINAL: set(),
    M.WITHDRAWN: set(),
    M.REJECTED: set(),
}
# Published for its 15-day window (para 39), final unless a review is requested; a review ends
# it final or rejected. Withdrawn before final (withdrawal procedures v02).
TRANSITIONS: dict[str, set[str]] = {
    V.SUBMITTED: {V.PUBLISHED, V.WITHDRAWN},
    V.PUBLISHED: {V.UNDER_REVIEW, V.FINAL, V.WITHDRAWN},
    V.UNDER_REVIEW: {V.FINAL, V.REJECTED},
    V.FINAL: set(),
    V.REJECTED: set(),
    V.WITHDRAWN: set(),
}
MONITORING = Machine(MonitoringReport, MONITORING_TRANSITIONS)
VERIFICATION = Machine(Verification, TRANSITIONS)

# Who may do each act, and in which status of its object: the acts check these, the monitoring
# page asks them (``registry.views.monitoring``).
GUARDS: dict[str, Guard] = {
    # asked about the project
    "submit_monitoring": Guard(
        "projects.edit_project",
        {Project.Status.FINAL},
        gettext_lazy("Only the project participants submit monitoring reports."),
        conflict=lambda project: _("Monitoring reports follow a final determination."),
    ),
    # asked about the monitoring report
    "verify": Guard(
        "determinations.verify_report",
        {M.SUBMITTED},
        gettext_lazy("Only the AIE the report was submitted to verifies it."),
        conflict=lambda report: _("This monitoring report is not waiting for verification."),
    ),
    # asked about the monitoring report, the permission about its project
    "withdraw_monitoring": Guard(
        "projects.withdraw_project",
        {M.SUBMITTED, M.VERIFIED},
        gettext_lazy("Only the project participants withdraw a monitoring report."),
        conflict=lambda report: (
            _("The report is already withdrawn.")
            if report.status == M.WITHDRAWN
            else _("The verification is rejected; it can no longer be withdrawn.")
        ),
    ),
    # asked about the verification, the permission about its project
    "publish": Guard(
        "determinations.check_determination",
        {V.SUBMITTED},
        gettext_lazy("Only the secretariat publishes verification reports."),
        conflict=lambda ver: _("This verification is not waiting for publication."),
    ),
}
# A verification in one of these can no longer be withdrawn with its monitoring report.
NOT_WITHDRAWABLE = (V.FINAL, V.REJECTED, V.UNDER_REVIEW)


def withdrawable(report: MonitoringReport, ver: Verification | None) -> bool:
    return ver is None or ver.status not in NOT_WITHDRAWABLE


ERU_START = date(2008, 1, 1)
MAX_TONNES = 10**12


def _scopes(project: Project) -> set[int]:
    return set(project.sectoral_scopes.values_list("number", flat=True))


def _per_year(data: dict, start: date, end: date, field: str) -> dict[str, int]:
    """Whole, non-negative tonnes per calendar year of the period (at least one year)."""
    out: dict[str, int] = {}
    for year, tonnes in (data or {}).items():
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise Invalid(
                _("%(year)r is not a calendar year.") % {"year": year}, field=field
            ) from None
        if not start.year <= y <= end.year:
            raise Invalid(
                _("%(year)s is outside the monitoring period %(start)s–%(end)s.")
                % {"year": y, "start": day_text(start), "end": day_text(end)},
                field=field,
            )
        if isinstance(tonnes, bool) or not isinstance(tonnes, int) or not 0 <= tonnes <= MAX_TONNES:
            raise Invalid(
                _("Give whole, non-negative tonnes for %(year)s.") % {"year": y}, field=field
            )
        out[str(y)] = tonnes
    if not out:
        raise Invalid(_("Give the reductions per calendar year."), code="required", field=field)
    if sum(out.values()) > MAX_TONNES:
        raise Invalid(_("The reductions add up to more than 10^12 t."), field=field)
    return dict(sorted(out.items()))


def overlapping(
    project: Project,
    start: date,
    end: date,
    exclude_pk=None,
    *,
    component: ComponentActivity | None = None,
):
    """Reports of the project (of ``component`` of a programme; else those without one) whose
    period overlaps [start, end] and that are verified or under verification (JISC 13 Annex 13,
    COMPONENT_MONITORING): what the PostgreSQL exclusion constraint keeps apart."""
    return (
        MonitoringReport.objects.filter(
            project=project,
            component=component,
            status__in=MonitoringReport.BLOCKING,
            period_start__lte=end,
            period_end__gte=start,
        )
        .exclude(pk=exclude_pk)
        .order_by("period_start")
    )


def create_monitoring_report(**fields) -> MonitoringReport:
    """Write a monitoring report row (JISC 13 Annex 13: its period overlaps no other of the
    project or component; the PostgreSQL exclusion constraint catches a race the callers'
    ``overlapping`` check could not). Callers hold the project's lock."""
    try:
        with transaction.atomic():
            return MonitoringReport.objects.create(**fields)
    except IntegrityError:
        raise Conflict(
            _("The period overlaps a report verified or under verification."),
            code="period_overlap",
            field="period_start",
        ) from None


def submit_monitoring_report(
    actor: User,
    project: Project,
    *,
    period_start: date,
    period_end: date,
    aie: Organisation,
    claimed: dict,
    report,
    supporting: list[tuple[str, object]] = (),
    component: ComponentActivity | int | None = None,
) -> MonitoringReport:
    """Para 36: PPs submit a monitoring report to an AIE accredited for verification in every
    scope of the project; it is published. ``component``: the programme's component (its
    number, or the row) the report is on (COMPONENT_MONITORING)."""
    if period_end < period_start:
        raise Invalid(_("The period ends before it starts."), field="period_end")
    if period_end >= timezone.localdate():
        # Para 36: a report on reductions that already occurred.
        raise Invalid(_("The monitoring period must have ended before today."), field="period_end")
    claimed = _per_year(claimed, period_start, period_end, "claimed")
    with transaction.atomic():
        project = lock(project)
        GUARDS["submit_monitoring"].check(actor, project)
        # MONITORING_START (module docstring).
        if period_start < ERU_START:
            raise Invalid(
                _("A monitoring period starts on 1 January 2008 or later."), field="period_start"
            )
        if project.crediting_start and period_start < project.crediting_start:
            raise Invalid(
                _("The period starts before the crediting period (%(date)s).")
                % {"date": day_text(project.crediting_start)},
                field="period_start",
            )
        # ji-rules §7: monitoring periods lie within the crediting period.
        if project.crediting_end and period_end > project.crediting_end:
            raise Invalid(
                _("The period ends after the crediting period (%(date)s).")
                % {"date": day_text(project.crediting_end)},
                code="outside_crediting_period",
                field="period_end",
            )
        cpa = _report_component(project, component, period_start, period_end)
        if aie.kind != Organisation.Kind.AIE:
            raise Invalid(_("Choose an AIE."), field="aie")
        missing = accredited_for(aie, "verification", _scopes(project))
        if missing:
            raise Conflict(missing, code="not_accredited", field="aie")
        clash = overlapping(project, period_start, period_end, component=cpa).first()
        if clash is not None:
            raise Conflict(
                _(
                    "The period overlaps monitoring report %(number)s (%(start)s–%(end)s), "
                    "which is %(status)s."
                )
                % {
                    "number": clash.number,
                    "start": day_text(clash.period_start),
                    "end": day_text(clash.period_end),
                    "status": clash.get_status_display().lower(),
                },
                code="period_overlap",
                field="period_start",
            )
        number = (
            project.monitoring.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        of = f"{cpa.reference}, " if cpa is not None else ""
        doc = store_document(
            project,
            kind=Document.Kind.MONITORING_REPORT,
            title=(
                f"Monitoring report {number} ({of}{period_start:%d %b %Y}–{period_end:%d %b %Y})"
            ),
            uploaded=report,
            actor=actor,
        )
        now = timezone.now()
        Document.objects.filter(pk=doc.pk).update(published_at=now)
        published = [doc.pk]
        # (title, PDF) or (title, PDF, confidential): para 40 lets the PPs mark a supporting
        # document confidential; the monitoring report itself is public (para 36).
        for title, uploaded, *confidential in supporting or []:
            extra = store_document(
                project,
                kind=Document.Kind.MONITORING_SUPPORTING,
                title=title,
                uploaded=uploaded,
                actor=actor,
                confidential=bool(confidential and confidential[0]),
            )
            Document.objects.filter(pk=extra.pk).update(published_at=now)
            published.append(extra.pk)
        mr = create_monitoring_report(
            project=project,
            component=cpa,
            number=number,
            period_start=period_start,
            period_end=period_end,
            aie=aie,
            claimed=claimed,
            report=doc,
            submitted_by=actor,
        )
        record(
            project,
            "monitoring_report_submitted",
            actor=actor,
            data={
                "documents": published,  # their SHA-256 joins the hash chain (ledger)
                "number": number,
                "period_start": period_start.isoformat(),
                "period_end": period_end.isoformat(),
                "claimed": claimed,
                "aie": aie.name,
                **({"component": cpa.number} if cpa is not None else {}),
            },
        )
    return mr


def _report_component(
    project: Project, component: ComponentActivity | int | None, start: date, end: date
) -> ComponentActivity | None:
    """COMPONENT_MONITORING (module docstring): the component of the locked ``project`` the
    report is on, checked against the period; None for a project without components."""
    if component is None or component == "":
        if project.poa and project.components.exists():
            raise Invalid(
                _("Choose the component activity the report is on."),
                code="required",
                field="component",
            )
        return None
    if not project.poa:
        raise Invalid(
            _("This project is not a programme of activities: it has no components."),
            code="not_poa",
            field="component",
        )
    if isinstance(component, ComponentActivity):
        number = component.number if component.project_id == project.pk else None
    elif isinstance(component, int) and not isinstance(component, bool):
        number = component
    else:
        number = None
    cpa = (
        project.components.filter(number=number).first()
        if number is not None and 0 < number <= 32767
        else None
    )
    if cpa is None:
        raise Invalid(
            _("The programme has no such component."), code="unknown_component", field="component"
        )
    cpa.project = project
    if start < cpa.included_on:
        raise Invalid(
            _("The period starts before the component was included (%(date)s).")
            % {"date": day_text(cpa.included_on)},
            code="before_inclusion",
            field="period_start",
        )
    if cpa.excluded_on is not None and end >= cpa.excluded_on:
        raise Invalid(
            _("The component was excluded on %(date)s; the period must end before.")
            % {"date": day_text(cpa.excluded_on)},
            code="after_exclusion",
            field="period_end",
        )
    return cpa


def record_change(
    actor: User,
    project: Project,
    *,
    description: str,
    justification: str,
    files: list[tuple[str, object]] = (),
) -> ImplementationChange:
    """JISC 23 Annex 2: a change to the determined project, with its justification."""
    description, justification = (description or "").strip(), (justification or "").strip()
    if not description:
        raise Invalid(_("Describe the change."), code="required", field="description")
    if not justification:
        raise Invalid(_("Justify the change."), code="required", field="justification")
    with transaction.atomic():
        project = lock(project)
        require(
            actor, "projects.edit_project", project, _("Only the project participants do this.")
        )
        if project.status != Project.Status.FINAL:
            raise Conflict(
                _("Changes are recorded after the determination is final."), code="wrong_status"
            )
        change = ImplementationChange.objects.create(
            project=project,
            description=description,
            justification=justification,
            recorded_by=actor,
        )
        for title, uploaded in files or []:
            change.files.add(
                store_document(
                    project,
                    kind=Document.Kind.CHANGE_SUPPORTING,
                    title=title,
                    uploaded=uploaded,
                    actor=actor,
                )
            )
        record(project, "change_recorded", actor=actor, data={"change": change.pk})
    return change


def pending_changes(project: Project):
    """Changes not yet addressed by a verification that still stands (a withdrawn or rejected
    verification's opinions do not count)."""
    return project.changes.filter(
        Q(addressed_in__isnull=True) | Q(addressed_in__status__in=[V.WITHDRAWN, V.REJECTED])
    )


def submit_verification(
    actor: User,
    report: MonitoringReport,
    *,
    verified: dict,
    findings: str,
    change_opinions: dict | None = None,
    conditions_hold: bool,
    conditions_reasons: str,
    no_overlap_declared: bool,
    supporting: list[tuple[str, object, bool]] = (),
) -> Verification:
    """Paras 37-38: the AIE files F-JI-VRep; the verification fee falls due, the advance
    credited against the first calendar year."""
    findings = (findings or "").strip()
    conditions_reasons = (conditions_reasons or "").strip()
    if not findings:
        raise Invalid(_("Give the verification findings."), code="required", field="findings")
    if not conditions_reasons:
        raise Invalid(
            _("Say why the para 33 conditions still hold (or not)."),
            code="required",
            field="conditions_reasons",
        )
    if not no_overlap_declared:
        raise Invalid(
            _("Declare that the period does not overlap a verified period."),
            code="required",
            field="no_overlap_declared",
        )
    draft = dict(
        verified=verified,
        findings=findings,
        change_opinions=change_opinions,
        conditions_hold=conditions_hold,
        conditions_reasons=conditions_reasons,
    )

    # The report is rendered to PDF before the project's row is locked (WeasyPrint takes a
    # second or more: ``jitrack.pdf.filed_with_report``).
    def prepare(at: datetime, locked: bool):
        if locked:
            project = lock(report.project_id)
            current = MonitoringReport.objects.select_for_update().get(pk=report.pk)
        else:
            current = MonitoringReport.objects.select_related("project__host_party", "aie").get(
                pk=report.pk
            )
            project = current.project
        GUARDS["verify"].check(actor, current)  # unlocked: a refusal costs no PDF
        ver, changes = _verification_draft(actor, project, current, at=at, **draft)
        html = pdf.vrep_html(ver, changes=changes, generated_at=at)
        return (project, current, ver, changes), html

    def commit(prepared, content: bytes) -> Verification:
        project, current, ver, changes = prepared
        ver.save()
        for change in changes:
            change.addressed_in = ver
            change.save(update_fields=["addressed_in", "aie_opinion"])
        for title, uploaded, confidential in supporting or []:
            ver.supporting.add(
                store_document(
                    project,
                    kind=Document.Kind.VERIFICATION_SUPPORTING,
                    title=title,
                    uploaded=uploaded,
                    actor=actor,
                    confidential=confidential,
                )
            )
        ver.report = store_document(
            project,
            kind=Document.Kind.VERIFICATION_REPORT,
            title=f"Verification report F-JI-VRep ({ver.number})",
            uploaded=None,
            actor=actor,
            content=content,
            filename=f"F-JI-VRep-{project.key}-{ver.number}.pdf",
        )
        ver.save(update_fields=["report"])
        # the event "verification_submitted" below tells this move
        MONITORING.move(current, M.VERIFIED, log=None)
        fee_services.assess_verification_fee(
            project,
            number=ver.number,
            actor=actor,
            reductions_by_year={int(y): t for y, t in ver.verified.items()},
        )
        record(
            project,
            "verification_submitted",
            actor=actor,
            public=False,
            data={"verification": ver.number, "verified_total": ver.verified_total},
        )
        return ver

    return filed_with_report(prepare, commit)


def _verification_draft(
    actor: User,
    project: Project,
    report: MonitoringReport,
    *,
    verified: dict,
    findings: str,
    change_opinions: dict | None,
    conditions_hold: bool,
    conditions_reasons: str,
    at: datetime,
) -> tuple[Verification, list[ImplementationChange]]:
    """The F-JI-VRep the AIE files now, unsaved, and the changes it gives its opinion on (with
    the opinions set, unsaved): numbered after the last verification of the project."""
    if hasattr_verification(report):
        raise Conflict(
            _("This monitoring report is not waiting for verification."), code="wrong_status"
        )
    missing = accredited_for(report.aie, "verification", _scopes(project))
    if missing:
        raise Conflict(missing, code="not_accredited")
    per_year = _per_year(verified, report.period_start, report.period_end, "verified")
    # [our reading] ji-rules §7 "Verified reductions": never more than the report claims for
    # that year (more needs a revised monitoring report).
    over = [y for y, t in per_year.items() if t > int(report.claimed.get(y, 0))]
    if over:
        raise Invalid(
            _(
                "The verified reductions exceed those claimed in the monitoring report for "
                "%(years)s; more needs a revised monitoring report."
            )
            % {"years": ", ".join(over)},
            code="above_claimed",
            field="verified",
        )
    # JISC 23 Annex 2 (ji-rules §7): a verification whose AIE states that the para 33
    # conditions no longer hold after a change cannot be positive.
    if not conditions_hold and any(per_year.values()):
        raise Invalid(
            _("The para 33 conditions no longer hold: no reductions can be verified."),
            code="conditions_do_not_hold",
            field="verified",
        )
    opinions = {str(k): (v or "").strip() for k, v in (change_opinions or {}).items()}
    changes = list(pending_changes(project))
    unanswered = [c.pk for c in changes if not opinions.get(str(c.pk))]
    if unanswered:
        raise Invalid(
            _(
                "Give your opinion on every change recorded since the last verification "
                "(missing: %(changes)s)."
            )
            % {"changes": ", ".join(map(str, unanswered))},
            code="changes_unaddressed",
            field="change_opinions",
        )
    for change in changes:
        change.aie_opinion = opinions[str(change.pk)]
    number = (
        project.verifications.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    ver = Verification(
        project=project,
        number=number,
        monitoring_report=report,
        aie=report.aie,
        verified=per_year,
        verified_total=sum(per_year.values()),
        findings=findings,
        conditions_hold=bool(conditions_hold),
        conditions_reasons=conditions_reasons,
        no_overlap_declared=True,
        submitted_by=actor,
        submitted_at=at,
    )
    return ver, changes


def hasattr_verification(report: MonitoringReport) -> bool:
    return Verification.objects.filter(monitoring_report=report).exists()


def publish_verification(
    actor: User, verification: Verification, *, available_on: date | None = None
) -> Verification:
    """The secretariat publishes F-JI-VRep once its fee is paid or covered by credit
    ([our reading] ji-rules §5); the 15-day window (para 39) starts."""
    with transaction.atomic():
        project = lock(verification.project_id)
        ver = Verification.objects.select_for_update().get(pk=verification.pk)
        GUARDS["publish"].check(actor, ver, project)
        # ji-rules §7 "Accreditation at every act": checked again when the secretariat publishes.
        require_accredited(ver.aie, "verification", project)
        if not fee_services.verification_fee_settled(project, ver.number):
            raise Conflict(
                _(
                    "The verification fee is not paid or covered yet; the report can be published "
                    "once it is."
                ),
                code="fee_unpaid",
            )
        available_on = check_availability_date(available_on, timezone.localdate())
        ver.available_on = available_on
        ver.review_window_closes_at = deadlines.period_end(
            available_on, deadlines.VERIFICATION_FINALITY_DAYS
        )
        ver.due_at = ver.review_window_closes_at
        now = timezone.now()
        published = list(
            Document.objects.filter(
                Q(pk=ver.report_id) | Q(pk__in=ver.supporting.values("pk")),
                confidential=False,
                published_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        Document.objects.filter(pk__in=published).update(published_at=now)
        VERIFICATION.move(
            ver,
            V.PUBLISHED,
            log=lambda *_: record(
                project,
                "verification_published",
                actor=actor,
                data={
                    "documents": published,  # their SHA-256 joins the hash chain (ledger)
                    "verification": ver.number,
                    "available_on": available_on.isoformat(),
                    "review_window_closes_at": ver.review_window_closes_at.isoformat(),
                    "verified_total": ver.verified_total,
                },
            ),
        )
    return ver


def _monitoring_final(ver: Verification) -> None:
    """The verified monitoring report is final with its verification (the caller's event tells
    both moves)."""
    report = MonitoringReport.objects.select_for_update().get(pk=ver.monitoring_report_id)
    MONITORING.move(report, M.FINAL, log=None)


def deem_verification_final(verification_id: int, now: datetime) -> bool:
    """Para 39: final 15 days after publication unless a review was requested. Idempotent."""
    return deem_verifications_final([verification_id], now) == 1


def deem_verifications_final(verification_ids: list[int], now: datetime) -> int:
    """``deem_verification_final`` for many verifications in one step (the clock's batch):
    those of ``verification_ids`` still published whose window closed before ``now`` become
    final with their monitoring reports, logged together. The number made final."""
    with transaction.atomic():
        projects = {  # the project rows first, as every other writer locks them
            project.pk: project
            for project in Project.objects.select_for_update()
            .filter(
                pk__in=Verification.objects.filter(pk__in=verification_ids)
                .order_by()
                .values("project_id")
            )
            .order_by("pk")
        }
        vers = list(
            Verification.objects.select_for_update()
            .filter(pk__in=verification_ids, status=V.PUBLISHED, review_window_closes_at__lt=now)
            .order_by("pk")  # not the model's ordering, which joins the monitoring report
        )
        reports = list(
            MonitoringReport.objects.select_for_update()
            .filter(pk__in=[ver.monitoring_report_id for ver in vers])
            .order_by("pk")
        )
        MONITORING.move_many(reports, M.FINAL, log=None)  # told by "verification_final"
        for ver in vers:
            ver.final_on = ver.review_window_closes_at.date()
            ver.due_at = None
        VERIFICATION.move_many(
            vers,
            V.FINAL,
            fields=("final_on", "due_at"),
            log=lambda moved: record_many(
                [
                    (
                        projects[ver.project_id],
                        {"verification": ver.number, "final_on": ver.final_on.isoformat()},
                    )
                    for ver, _left in moved
                ],
                "verification_final",
                at=now,
            ),
        )
    return len(vers)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """The clock for verifications: due rows found through the indexed ``due_at`` (only a
    published verification has one), acted on in batches with their projects locked
    (``projects.clock.act_on_rows``)."""
    now = now or timezone.now()
    due = (
        Verification.objects.filter(due_at__lte=now, status=V.PUBLISHED)
        .order_by("due_at", "pk")  # not the model's ordering, which joins the monitoring report
        .values_list("pk", "project_id")
    )
    final = act_on_rows(
        ClockFault.Stage.VERIFICATIONS_FINAL,
        due,
        lambda pks: deem_verifications_final(pks, now),
        now,
    )
    return {"verifications_final": final}


def withdraw_monitoring_report(actor: User, report: MonitoringReport, reason: str = "") -> None:
    """Withdrawal before final (withdrawal procedures v02): the report and its verification stay
    on the record marked withdrawn, and the period is free again."""
    with transaction.atomic():
        project = lock(report.project_id)
        report = MonitoringReport.objects.select_for_update().get(pk=report.pk)
        ver = Verification.objects.select_for_update().filter(monitoring_report=report).first()
        GUARDS["withdraw_monitoring"].check(actor, report, project)
        if not withdrawable(report, ver):
            raise Conflict(
                _("The verification is %(status)s; it can no longer be withdrawn.")
                % {"status": ver.get_status_display().lower()},
                code="wrong_status",
            )
        report.withdrawn_at = timezone.now()
        # the event "monitoring_report_withdrawn" tells both moves
        MONITORING.move(report, M.WITHDRAWN, log=None)
        if ver is not None:
            ver.due_at = None
            VERIFICATION.move(ver, V.WITHDRAWN, log=None)
            fee_services.void_verification_fee(project, ver.number, reason="withdrawn")
        record(
            project,
            "monitoring_report_withdrawn",
            actor=actor,
            reason=(reason or "").strip(),
            data={"number": report.number},
        )


# --- reviews of a verification (para 39; ``reviews.workflow`` asks, this module decides) ------


def reviewable_verification(verification_id: int) -> Verification:
    """The verification a review request is about, locked (its project row is locked first)."""
    return Verification.objects.select_for_update().get(pk=verification_id)


def start_review(project: Project, ver: Verification, *, data: dict, at: datetime) -> Event:
    """The quorum requested a review (F-JI-VR): the verification is not final until the JISC
    decides; its 15-day clock stops."""
    ver.due_at = None
    events: list[Event] = []
    VERIFICATION.move(
        ver,
        V.UNDER_REVIEW,
        log=lambda *_: events.append(
            record(project, "verification_review_started", actor=None, data=data, at=at)
        ),
    )
    return events[0]


def conclude_review(
    project: Project,
    ver: Verification,
    *,
    confirmed: bool,
    actor: User,
    reasons: str,
    data: dict,
    at: datetime,
) -> None:
    """The JISC decided the review of a verification (or the secretariat confirmed its corrected
    report): confirmed, it is final; rejected, its monitoring period is free again for a new
    report and its fee is voided."""
    ver = Verification.objects.select_for_update().get(pk=ver.pk)
    ver.final_on = at.date() if confirmed else None
    ver.due_at = None
    VERIFICATION.move(
        ver,
        V.FINAL if confirmed else V.REJECTED,
        log=lambda *_: record(
            project, "review_decided", actor=actor, reason=reasons, data=data, at=at
        ),
    )
    if confirmed:
        _monitoring_final(ver)  # told by "review_decided"
    else:
        report = MonitoringReport.objects.select_for_update().get(pk=ver.monitoring_report_id)
        MONITORING.move(report, M.REJECTED, log=None)  # told by "review_decided"
        fee_services.void_verification_fee(project, ver.number, reason="rejected")


# --- change of AIE for verification (ji-rules §7) --------------------------------------------

# [our reading] ji-rules §7 "Accreditation at every act", with seed 003 "Change of AIE": the
# participants move a monitoring report waiting for its verification to another AIE accredited
# for verification in every scope of the project. While no verification is filed, at any time.
# Once one is filed and not yet published, only when the first AIE is no longer accredited for
# verification (suspended, withdrawn or without a scope: the rule of the determination's change
# after a suspension, ``projects.workflow.AIE_CHANGE_AFTER_SUSPENSION``): the filed verification
# is withdrawn and its fee voided. A verification is filed for one report
# (``Verification.monitoring_report`` is one-to-one), so the report goes back to submitted as a
# new report: the old one is withdrawn with its verification (both stay on the record) and the
# same period, claimed figures and PDF are submitted to the new AIE under the next number.
# After publication: refused.
CHANGE_VERIFICATION_AIE = Guard(
    "projects.edit_project",
    {M.SUBMITTED, M.VERIFIED},
    gettext_lazy("Only the project participants change the AIE of a monitoring report."),
    conflict=lambda report: _("The AIE changes only while the report waits for its verification."),
)


def verification_aie_change_open(report: MonitoringReport, ver: Verification | None) -> bool:
    """Whether the report's AIE may change now (pages ask; the act decides)."""
    if report.status == M.SUBMITTED:
        return True
    return (
        report.status == M.VERIFIED
        and ver is not None
        and ver.status == V.SUBMITTED
        and accredited_for(report.aie, "verification", _scopes(report.project)) is not None
    )


def change_verification_aie(
    actor: User, report: MonitoringReport, new_aie: Organisation, reason: str = ""
) -> MonitoringReport:
    """The participants give the report's verification to ``new_aie`` (CHANGE_VERIFICATION_AIE
    above). Returns the report the new AIE verifies: the same one, or its resubmission."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for the change."), code="required", field="reason")
    with transaction.atomic():
        project = lock(report.project_id)
        report = (
            MonitoringReport.objects.select_for_update(of=("self",))
            .select_related("aie")
            .get(pk=report.pk)
        )
        ver = Verification.objects.select_for_update().filter(monitoring_report=report).first()
        CHANGE_VERIFICATION_AIE.check(actor, report, project)
        if project.status != Project.Status.FINAL:  # terminated: no more verification
            raise Conflict(
                _("The project is %(status)s.") % {"status": project.get_status_display().lower()},
                code="wrong_status",
            )
        if new_aie.kind != Organisation.Kind.AIE:
            raise Invalid(_("Choose an AIE."), field="aie")
        if new_aie.pk == report.aie_id:
            raise Invalid(
                _("%(aie)s already verifies this report.") % {"aie": new_aie.name},
                code="same_aie",
                field="aie",
            )
        scopes = _scopes(project)
        missing = accredited_for(new_aie, "verification", scopes)
        if missing:
            raise Conflict(missing, code="not_accredited", field="aie")
        data = {
            "number": report.number,
            "old_aie_id": report.aie_id,
            "old_aie": report.aie.name,
            "aie_id": new_aie.pk,
            "aie": new_aie.name,
        }
        if ver is None:
            report.aie = new_aie
            report.save(update_fields=["aie"])
            record(project, "verification_aie_changed", actor=actor, reason=reason, data=data)
            return report
        if ver.status != V.SUBMITTED:
            raise Conflict(
                _("The verification is published; its AIE no longer changes."),
                code="already_published",
            )
        if accredited_for(report.aie, "verification", scopes) is None:
            raise Conflict(
                _(
                    "%(aie)s has filed its verification and is still accredited: the AIE changes "
                    "after a verification is filed only when the AIE's accreditation is "
                    "suspended or withdrawn."
                )
                % {"aie": report.aie.name},
                code="aie_still_accredited",
            )
        # the event "verification_aie_changed" tells the three moves
        ver.due_at = None
        VERIFICATION.move(ver, V.WITHDRAWN, log=None)
        fee_services.void_verification_fee(project, ver.number, reason="withdrawn")
        report.withdrawn_at = timezone.now()
        MONITORING.move(report, M.WITHDRAWN, log=None)
        number = (
            project.monitoring.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        again = MonitoringReport.objects.create(
            project=project,
            component_id=report.component_id,
            number=number,
            period_start=report.period_start,
            period_end=report.period_end,
            aie=new_aie,
            claimed=report.claimed,
            report_id=report.report_id,
            status=MONITORING.initial(M.SUBMITTED),
            submitted_by=actor,
        )
        record(
            project,
            "verification_aie_changed",
            actor=actor,
            reason=reason,
            data={**data, "withdrawn_verification": ver.number, "new_number": number},
        )
    return again
