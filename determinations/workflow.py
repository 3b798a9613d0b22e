"""Determination steps (paras 33-35): the one writer of ``Determination.status``, and what a
determination means for its project (final, rejected) when its window ends or its review is
decided.

The project's status moves through ``projects.workflow.transition``; reviews ask this module to
start and conclude a review (``start_review``, ``conclude_review``) and never move a status here.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fees import services as fee_services
from jitrack.errors import Conflict, Invalid
from jitrack.guards import Guard
from jitrack.i18n import in_official_language
from jitrack.pdf import filed_with_report
from jitrack.statuses import Machine
from projects import deadlines
from projects.models import Accreditation, Comment, Document, Event, Project, User
from projects.workflow import (
    check_availability_date,
    host_approval_on_record,
    host_check,
    lock,
    require_accredited,
    store_document,
    transition,
    transition_many,
)

from . import pdf
from .models import Determination
from .models import current_determination as current

S = Project.Status
D = Determination.Status

TRANSITIONS: dict[str, set[str]] = {
    D.SUBMITTED: {D.PUBLISHED, D.RETURNED, D.WITHDRAWN},
    D.RETURNED: set(),
    D.PUBLISHED: {D.UNDER_REVIEW, D.FINAL, D.REJECTED, D.WITHDRAWN},
    D.UNDER_REVIEW: {D.FINAL, D.REJECTED, D.WITHDRAWN},
    D.FINAL: set(),
    D.REJECTED: set(),
    D.WITHDRAWN: set(),
}
DETERMINATION = Machine(Determination, TRANSITIONS)

GUARDS: dict[str, Guard] = {
    "submit": Guard(
        "determinations.submit_determination",
        {S.COMMENTS_CLOSED},
        gettext_lazy("Only the engaged AIE can file the determination."),
        gettext_lazy("file the determination"),
    ),
    "check": Guard(
        "determinations.check_determination",
        {S.DETERMINATION_SUBMITTED},
        gettext_lazy("Only the secretariat checks determination reports."),
        gettext_lazy("check the determination"),
    ),
}


def _move(
    det: Determination,
    to: str,
    project: Project,
    project_to: str,
    *,
    actor: User | None,
    kind: str,
    data: dict,
    reason: str = "",
    public: bool = True,
    at: datetime | None = None,
) -> Event:
    """Move the determination and its (locked) project in one step: the project's event tells
    both."""
    DETERMINATION.move(det, to, log=None)
    return transition(
        project,
        project_to,
        actor=actor,
        kind=kind,
        reason=reason,
        data=data,
        public=public,
        at=at,
    )


# Who commented, singular and plural, for the summary of comments (para 34).
SENDERS = {
    "party": ("a Party", "Parties"),
    "stakeholder": ("a stakeholder", "stakeholders"),
    "observer": ("an accredited observer", "accredited observers"),
}


@in_official_language
def compile_comment_summary(comments: list[Comment]) -> str:
    """The summary of comments received and the AIE's answers (para 34)."""
    if not comments:
        return "No comments were received during the comment period."
    counts: dict[str, int] = {}
    for c in comments:
        counts[c.category] = counts.get(c.category, 0) + 1
    head = ", ".join(f"{n} from {SENDERS.get(k, (k, k))[n != 1]}" for k, n in counts.items())
    lines = [f"{len(comments)} comment(s) received ({head})."]
    for i, c in enumerate(comments, 1):
        who = c.name + (f", {c.affiliation}" if c.affiliation else "")
        lines.append(f"{i}. {who} ({c.get_category_display()}): {c.text}")
        lines.append(f"   How due account was taken: {c.answer}")
    return "\n".join(lines)


def _findings(findings: dict[str, tuple[bool, str]], outcome: str) -> None:
    for key, _label in Determination.FINDINGS:
        met, reasons = findings.get(key, (None, ""))
        if met is None:
            raise Invalid(
                _("State whether finding %(key)s is met.") % {"key": key},
                code="required",
                field=f"{key}_met",
            )
        if not (reasons or "").strip():
            raise Invalid(
                _("Give the reasons for every para 33 finding."),
                code="required",
                field=f"{key}_reasons",
            )
    if outcome not in Determination.Outcome.values:
        raise Invalid(_("The outcome is positive or negative."), code="invalid", field="outcome")
    all_met = all(findings[k][0] for k, _label in Determination.FINDINGS)
    if outcome == Determination.Outcome.POSITIVE and not all_met:
        raise Invalid(
            _("A positive determination needs every para 33 finding met."),
            code="inconsistent_outcome",
            field="outcome",
        )


def _draft(
    actor: User,
    project: Project,
    *,
    findings: dict[str, tuple[bool, str]],
    outcome: str,
    due_account: str,
    at: datetime,
) -> Determination:
    """The F-JI-DRep the AIE files now, unsaved: numbered after the last one, with the summary
    of the comments as they stand (para 34)."""
    # a comment the secretariat removed as abusive (ji-rules §7) needs no answer and is not quoted
    comments = list(project.comments.filter(removed_at__isnull=True))
    unanswered = [c for c in comments if not c.answer]
    if unanswered:
        raise Conflict(
            _("Answer every comment before filing: %(count)s without an answer.")
            % {"count": len(unanswered)},
            code="comments_unanswered",
        )
    number = (
        project.determinations.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    det = Determination(
        project=project,
        aie=project.aie,
        number=number,
        outcome=outcome,
        comments_summary=compile_comment_summary(comments),
        due_account=(due_account or "").strip(),
        submitted_by=actor,
        submitted_at=at,
    )
    for key, _label in Determination.FINDINGS:
        setattr(det, f"{key}_met", bool(findings[key][0]))
        setattr(det, f"{key}_reasons", findings[key][1].strip())
    return det


def submit_determination(
    actor: User,
    project: Project,
    *,
    findings: dict[str, tuple[bool, str]],
    outcome: str,
    due_account: str = "",
    supporting: list[tuple[str, object, bool]] | None = None,
) -> Determination:
    """The AIE files F-JI-DRep. ``findings`` maps each para 33 key to (met, reasons);
    ``supporting`` is a list of (title, uploaded PDF, confidential).

    The report is rendered to PDF before the project's row is locked (WeasyPrint takes a second
    or more: ``jitrack.pdf.filed_with_report``)."""
    _findings(findings, outcome)

    def prepare(at: datetime, locked: bool) -> tuple[tuple[Project, Determination], str]:
        if locked:
            current_project = lock(project)
        else:
            current_project = Project.objects.select_related("host_party", "aie").get(pk=project.pk)
        GUARDS["submit"].check(actor, current_project)  # unlocked: a refusal costs no PDF
        host_check(current_project)
        require_accredited(
            current_project.aie, Accreditation.Function.DETERMINATION, current_project
        )
        det = _draft(
            actor,
            current_project,
            findings=findings,
            outcome=outcome,
            due_account=due_account,
            at=at,
        )
        # ji-rules §7 "Approval by the Parties involved" (para 33 (a)): a positive determination
        # is filed only with the host Party's written approval on record.
        if outcome == Determination.Outcome.POSITIVE and not host_approval_on_record(
            current_project
        ):
            raise Conflict(
                _(
                    "A positive determination needs the written approval of %(party)s on record "
                    "(para 33 (a)): its focal point records or confirms the letter of approval."
                )
                % {"party": current_project.host_party.name},
                code="approval_missing",
            )
        return (current_project, det), pdf.drep_html(det, generated_at=at)

    def commit(draft: tuple[Project, Determination], content: bytes) -> Determination:
        locked_project, det = draft
        det.save()
        for title, uploaded, confidential in supporting or []:
            store_document(
                locked_project,
                kind=Document.Kind.DETERMINATION_SUPPORTING,
                title=title,
                uploaded=uploaded,
                actor=actor,
                confidential=confidential,
            )
        det.report = store_document(
            locked_project,
            kind=Document.Kind.DETERMINATION_REPORT,
            title=f"Determination report F-JI-DRep ({det.number})",
            uploaded=None,
            actor=actor,
            content=content,
            filename=f"F-JI-DRep-{locked_project.key}-{det.number}.pdf",
        )
        det.save(update_fields=["report"])
        transition(
            locked_project,
            S.DETERMINATION_SUBMITTED,
            actor=actor,
            kind="determination_submitted",
            data={
                "determination": det.number,
                "outcome": outcome,
                "report_sha256": det.report.sha256,
            },
        )
        fee_services.assess_determination_fee(locked_project, actor)
        return det

    return filed_with_report(prepare, commit)


def check_determination(
    actor: User,
    project: Project,
    *,
    accept: bool,
    available_on: date | None = None,
    reason: str = "",
) -> Determination:
    """Secretariat: publish the report (only when the fee is paid or not due) or return it."""
    with transaction.atomic():
        project = lock(project)
        GUARDS["check"].check(actor, project)
        det = Determination.objects.select_for_update().get(pk=current(project).pk)
        if not accept:
            if not reason.strip():
                raise Invalid(_("Give the reasons for returning the report."), field="reason")
            det.return_reason = reason.strip()
            _move(
                det,
                D.RETURNED,
                project,
                S.COMMENTS_CLOSED,
                actor=actor,
                kind="determination_returned",
                reason=reason.strip(),
                public=False,
                data={"determination": det.number},
            )
            return det
        # ji-rules §7 "Accreditation at every act": checked again when the secretariat publishes.
        require_accredited(det.aie, Accreditation.Function.DETERMINATION, project)
        # [our reading] ji-rules §5: published only when the advance is paid or not due.
        if not fee_services.determination_fee_settled(project):
            raise Conflict(
                _("The determination fee is not paid yet; the report can be published once it is."),
                code="fee_unpaid",
            )
        available_on = check_availability_date(available_on, timezone.localdate())
        closes_at = deadlines.review_window_closes_at(available_on)
        det.available_on = available_on
        det.review_window_closes_at = closes_at
        project.determination_available_on = available_on
        project.review_window_closes_at = closes_at
        now = timezone.now()
        published = list(
            project.documents.filter(
                kind__in=[
                    Document.Kind.DETERMINATION_REPORT,
                    Document.Kind.DETERMINATION_SUPPORTING,
                ],
                confidential=False,
                published_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        Document.objects.filter(pk__in=published).update(published_at=now)
        _move(
            det,
            D.PUBLISHED,
            project,
            S.DETERMINATION_PUBLISHED,
            actor=actor,
            kind="determination_published",
            data={
                # The documents it publishes: their SHA-256 joins the hash chain (ledger).
                "documents": published,
                "determination": det.number,
                "outcome": det.outcome,
                "available_on": available_on.isoformat(),
                "review_window_closes_at": closes_at.isoformat(),
            },
        )
    return det


def _end(
    project: Project,
    det: Determination | None,
    stands: bool,
    *,
    actor: User | None,
    kind: str,
    data: dict,
    reason: str = "",
    at: datetime,
    day: date | None = None,
) -> None:
    """ji-rules §7 "Review outcomes" and para 35: a determination that stands as filed makes a
    positive project final and leaves a negative one rejected; one that does not stand (the
    JISC rejected it) leaves the project rejected. Fees follow the project's end (§5)."""
    day = day or at.date()
    positive = det is None or det.outcome == Determination.Outcome.POSITIVE
    final = stands and positive
    project.final_on = day
    if det is None:
        # Imported from earlier records without the report's data: the project-level
        # determination becomes final; there is no outcome on record to reject it.
        transition(project, S.FINAL, actor=actor, kind=kind, reason=reason, data=data, at=at)
        return
    det.final_on = day
    _move(
        det,
        D.FINAL if final else D.REJECTED,
        project,
        S.FINAL if final else S.REJECTED,
        actor=actor,
        kind=kind,
        reason=reason,
        data=data,
        at=at,
    )


def deem_final(project_id: int, now: datetime) -> bool:
    """Para 35: final 45 days after publication unless a review was requested. Idempotent."""
    return deem_final_due([project_id], now) == 1


def deem_final_due(project_ids: list[int], now: datetime) -> int:
    """``deem_final`` for many projects in one step (the clock's batch): those of
    ``project_ids`` still published whose window closed before ``now`` are locked, and they and
    their determinations moved and logged together, as ``_end`` moves one. The number ended.

    An open review keeps the project in ``under_review``, which this never touches: the review's
    decision ends it (``conclude_review``)."""
    with transaction.atomic():
        projects = list(
            Project.objects.select_for_update()
            .filter(
                pk__in=project_ids,
                status=S.DETERMINATION_PUBLISHED,
                review_window_closes_at__lt=now,
            )
            .order_by("pk")
        )
        latest: dict[int, Determination] = {}  # as ``current``: the latest not returned
        for det in (
            Determination.objects.select_for_update()
            .filter(project__in=projects)
            .exclude(status=D.RETURNED)
            .order_by("project", "number")
        ):
            latest[det.project_id] = det
        ends: dict[tuple[str, str, str], tuple[list, list]] = {}
        for project in projects:
            det = latest.get(project.pk)
            # the window ended on its last day, not when the sweep noticed
            project.final_on = day = project.review_window_closes_at.date()
            positive = det is None or det.outcome == Determination.Outcome.POSITIVE
            end = (
                (S.FINAL, D.FINAL, "determination_final")
                if positive
                else (S.REJECTED, D.REJECTED, "determination_rejected")
            )
            rows, dets = ends.setdefault(end, ([], []))
            rows.append((project, {"determination": det and det.number, "final_on": str(day)}))
            if det is not None:  # imported without the report's data: the project alone ends
                det.final_on = day
                dets.append(det)
        for (project_to, det_to, kind), (rows, dets) in ends.items():
            DETERMINATION.move_many(dets, det_to, fields=("final_on",), log=None)
            transition_many(rows, project_to, kind=kind, at=now, fields=("final_on",))
    return len(projects)


def recorded_determination(**fields) -> Determination:
    """A determination the host Party made under its own national procedure (para 23, Track 1),
    unsaved, final as recorded: ``determinations.track1`` records it with its project and event."""
    return Determination(status=DETERMINATION.initial(D.FINAL), **fields)


def reviewable(project: Project) -> Determination | None:
    """The published determination a review can be about, on a locked project."""
    return project.determinations.filter(status__in=[D.PUBLISHED, D.UNDER_REVIEW]).first()


def start_review(project: Project, det: Determination, *, data: dict, at: datetime) -> Event:
    """A review was requested by the quorum (para 35; ``reviews.workflow``): the determination
    and its project are under review until the JISC decides."""
    det = Determination.objects.select_for_update().get(pk=det.pk)
    return _move(
        det,
        D.UNDER_REVIEW,
        project,
        S.UNDER_REVIEW,
        actor=None,
        kind="review_started",
        data=data,
        at=at,
    )


def conclude_review(
    project: Project,
    det: Determination,
    *,
    confirmed: bool,
    actor: User,
    reasons: str,
    data: dict,
    at: datetime,
) -> None:
    """The JISC decided the review (or the secretariat confirmed the corrected report): the
    determination decides what that means for the project (``_end``)."""
    det = Determination.objects.select_for_update().get(pk=det.pk)
    _end(
        project,
        det,
        confirmed,
        actor=actor,
        kind="review_decided",
        reason=reasons,
        data=data,
        at=at,
    )


def withdraw_open_determinations(sender, project: Project, **kwargs) -> None:
    """``projects.signals.project_withdrawn`` and ``determination_set_aside``: a determination
    not yet final is withdrawn with its project, or with the change of its AIE before it was
    published; the project's event ("withdrawn", "aie_changed") tells it."""
    for det in project.determinations.select_for_update().filter(
        status__in=[D.SUBMITTED, D.PUBLISHED, D.UNDER_REVIEW]
    ):
        DETERMINATION.move(det, D.WITHDRAWN, log=None)
