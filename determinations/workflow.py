"""Determination steps (paras 33-35): the only writer of ``Determination.status``.

The project's status moves through ``projects.workflow.transition``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fees import services as fee_services
from jitrack.errors import Conflict, Invalid
from jitrack.i18n import in_official_language
from projects import deadlines
from projects.models import Comment, Document, Project, User
from projects.workflow import (
    check_availability_date,
    host_check,
    lock,
    require,
    require_status,
    store_document,
    transition,
)

from .models import Determination

S = Project.Status
D = Determination.Status


def current(project: Project) -> Determination | None:
    return project.determinations.exclude(status__in=[D.RETURNED]).order_by("-number").first()


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
    ``supporting`` is a list of (title, uploaded PDF, confidential)."""
    keys = [k for k, _ in Determination.FINDINGS]
    for key in keys:
        met, reasons = findings.get(key, (None, ""))
        if met is None:
            raise Invalid(
                f"State whether finding {key} is met.", code="required", field=f"{key}_met"
            )
        if not (reasons or "").strip():
            raise Invalid(
                "Give the reasons for every para 33 finding.",
                code="required",
                field=f"{key}_reasons",
            )
    if outcome not in Determination.Outcome.values:
        raise Invalid("The outcome is positive or negative.", code="invalid", field="outcome")
    all_met = all(findings[k][0] for k in keys)
    if outcome == Determination.Outcome.POSITIVE and not all_met:
        raise Invalid(
            "A positive determination needs every para 33 finding met.",
            code="inconsistent_outcome",
            field="outcome",
        )
    with transaction.atomic():
        project = lock(project)
        require(
            actor,
            "determinations.submit_determination",
            project,
            "Only the engaged AIE can file the determination.",
        )
        require_status(project, S.COMMENTS_CLOSED, action=_("file the determination"))
        host_check(project)
        comments = list(project.comments.all())
        unanswered = [c for c in comments if not c.answer]
        if unanswered:
            raise Conflict(
                f"Answer every comment before filing: {len(unanswered)} without an answer.",
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
        )
        for key in keys:
            setattr(det, f"{key}_met", bool(findings[key][0]))
            setattr(det, f"{key}_reasons", findings[key][1].strip())
        det.save()
        for title, uploaded, confidential in supporting or []:
            store_document(
                project,
                kind=Document.Kind.DETERMINATION_SUPPORTING,
                title=title,
                uploaded=uploaded,
                actor=actor,
                confidential=confidential,
            )
        from .pdf import render_drep

        content = render_drep(det)
        det.report = store_document(
            project,
            kind=Document.Kind.DETERMINATION_REPORT,
            title=f"Determination report F-JI-DRep ({det.number})",
            uploaded=None,
            actor=actor,
            content=content,
            filename=f"F-JI-DRep-{project.key}-{det.number}.pdf",
        )
        det.save(update_fields=["report"])
        transition(
            project,
            S.DETERMINATION_SUBMITTED,
            actor=actor,
            kind="determination_submitted",
            data={
                "determination": det.number,
                "outcome": outcome,
                "report_sha256": det.report.sha256,
            },
        )
        fee_services.assess_determination_fee(project, actor)
    return det


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
        require(
            actor,
            "determinations.check_determination",
            project,
            "Only the secretariat checks determination reports.",
        )
        require_status(project, S.DETERMINATION_SUBMITTED, action=_("check the determination"))
        det = Determination.objects.select_for_update().get(pk=current(project).pk)
        if not accept:
            if not reason.strip():
                raise Invalid("Give the reasons for returning the report.", field="reason")
            det.status = D.RETURNED
            det.return_reason = reason.strip()
            det.save()
            transition(
                project,
                S.COMMENTS_CLOSED,
                actor=actor,
                kind="determination_returned",
                reason=reason.strip(),
                public=False,
                data={"determination": det.number},
            )
            return det
        # [our reading] ji-rules §5: published only when the advance is paid or not due.
        if not fee_services.determination_fee_settled(project):
            raise Conflict(
                "The determination fee is not paid yet; the report can be published once it is.",
                code="fee_unpaid",
            )
        available_on = check_availability_date(available_on, timezone.localdate())
        closes_at = deadlines.review_window_closes_at(available_on)
        det.status = D.PUBLISHED
        det.available_on = available_on
        det.review_window_closes_at = closes_at
        det.save()
        project.determination_available_on = available_on
        project.review_window_closes_at = closes_at
        now = timezone.now()
        project.documents.filter(
            kind__in=[Document.Kind.DETERMINATION_REPORT, Document.Kind.DETERMINATION_SUPPORTING],
            confidential=False,
            published_at__isnull=True,
        ).update(published_at=now)
        transition(
            project,
            S.DETERMINATION_PUBLISHED,
            actor=actor,
            kind="determination_published",
            data={
                "determination": det.number,
                "outcome": det.outcome,
                "available_on": available_on.isoformat(),
                "review_window_closes_at": closes_at.isoformat(),
            },
        )
    return det


def deem_final(project_id: int, now: datetime) -> bool:
    """Para 35: final 45 days after publication unless a review was requested. Idempotent.

    An open review keeps the project in ``under_review``, which this never touches: the review
    decision (issue 4) ends it."""
    with transaction.atomic():
        project = lock(project_id)
        if project.status != S.DETERMINATION_PUBLISHED or project.review_window_closes_at is None:
            return False
        if now <= project.review_window_closes_at:
            return False
        final_on = project.review_window_closes_at.date()
        project.final_on = final_on
        latest = current(project)
        if latest is None:
            # Imported from earlier records without the report's data: the project-level
            # determination becomes final; there is no outcome on record to reject it.
            positive = True
            number = None
        else:
            det = Determination.objects.select_for_update().get(pk=latest.pk)
            det.final_on = final_on
            positive = det.outcome == Determination.Outcome.POSITIVE
            det.status = D.FINAL if positive else D.REJECTED
            det.save()
            number = det.number
        transition(
            project,
            S.FINAL if positive else S.REJECTED,
            actor=None,
            kind="determination_final" if positive else "determination_rejected",
            data={"determination": number, "final_on": final_on.isoformat()},
            at=now,
        )
    return True


def on_project_withdrawn(project: Project) -> None:
    """Called inside ``projects.workflow.withdraw`` with the project locked."""
    project.determinations.exclude(status__in=[D.RETURNED, D.FINAL, D.REJECTED]).update(
        status=D.WITHDRAWN
    )
