"""Appraisals, review requests, reviews and meetings: the one writer of ``Appraisal.status``
and ``Review.status``.

A review is about a determination or a verification, whose own writers decide what its start
and its decision mean for them and for the project (``determinations.workflow.start_review`` /
``conclude_review``, and the same in ``determinations.verification``). Public facts (a review was requested, started, decided) are
project events; confidential work (appraisal forms, clarifications, the team's report before the
decision) is logged in ``ReviewLog`` only, and its e-mails carry a link, never content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from determinations import verification as verifications
from determinations import workflow as determinations
from determinations.models import Determination, Verification
from jitrack.errors import Conflict, Forbidden, Invalid, NotFound
from jitrack.files import as_django_file, clean_filename, read_pdf_upload
from jitrack.guards import Guard
from jitrack.statuses import Machine
from projects.models import Document, Project, User
from projects.timeline import day_text, gmt_text
from projects.workflow import lock, record, require, store_document

from . import deadlines
from .models import (
    CRITERIA,
    VERIFICATION_CRITERIA,
    Appraisal,
    Appraiser,
    Clarification,
    ClarificationFile,
    Expert,
    JiscMember,
    Meeting,
    Review,
    ReviewLog,
    ReviewRequest,
    ReviewTeamMember,
)
from .notify import mail_users

S = Project.Status
D = Determination.Status
R = Review.Status
A = Appraisal.Status

# An appraisal is open until its forms are all filed, or the determination leaves its window.
APPRAISAL_TRANSITIONS: dict[str, set[str]] = {
    A.OPEN: {A.COMPLETE, A.CLOSED},
    A.COMPLETE: set(),
    A.CLOSED: set(),
}
# A review runs from the request to the JISC's decision; a withdrawn project closes it.
TRANSITIONS: dict[str, set[str]] = {
    R.REQUESTED: {R.IN_PROGRESS, R.CLOSED},
    R.IN_PROGRESS: {R.REPORTED, R.CLOSED},
    R.REPORTED: {R.CORRECTIONS, R.DECIDED, R.CLOSED},
    R.CORRECTIONS: {R.DECIDED, R.CLOSED},
    R.DECIDED: set(),
    R.CLOSED: set(),
}
APPRAISAL = Machine(Appraisal, APPRAISAL_TRANSITIONS)
REVIEW = Machine(Review, TRANSITIONS)
CRITERIA_KEYS = [k for k, _ in CRITERIA]
# Appraisers are appointed, and appraise, while the determination is in its window.
APPRAISAL_WINDOW = (S.DETERMINATION_PUBLISHED, S.UNDER_REVIEW)
GUARDS: dict[str, Guard] = {
    "appoint_appraisers": Guard(
        "reviews.manage",
        APPRAISAL_WINDOW,
        gettext_lazy("Only the secretariat appoints appraisers."),
        conflict=lambda project: _(
            "Appraisers are appointed while the determination is in its 45-day window."
        ),
    ),
}
PARTY_QUORUM = 1  # para 35: one Party involved
MEMBER_QUORUM = 3  # para 35: three members of the JISC


# --- who is who ----------------------------------------------------------------------------------


def serving_members(day: date) -> Iterable[JiscMember]:
    return JiscMember.objects.filter(term_start__lte=day, term_end__gte=day).select_related(
        "user", "party"
    )


def is_serving_member(user: User, day: date | None = None) -> bool:
    day = day or timezone.localdate()
    return (
        user.is_authenticated
        and user.role == User.Role.JISC
        and JiscMember.objects.serving_on(day).filter(user=user).exists()
    )


def is_sitting_member(user: User, day: date | None = None) -> bool:
    """Counts towards the three members who start a review (``JiscMember.objects.sitting_on``)."""
    day = day or timezone.localdate()
    return (
        user.is_authenticated
        and user.role == User.Role.JISC
        and JiscMember.objects.sitting_on(day).filter(user=user).exists()
    )


def parties_involved_ids(project: Project) -> set[int]:
    return {project.host_party_id, *project.parties_involved.values_list("pk", flat=True)}


class Conflicts:
    """[our reading] ji-rules §3.6: nobody appraises or reviews a project of their own Party, of
    another Party involved, of a project participant or of the AIE they work for. Loads what it
    needs once, so checking many candidates costs a fixed number of queries."""

    def __init__(self, project: Project, parties: set[int] | None = None):
        # Parties involved and participants in one query (a small cross product).
        rows = Project.objects.filter(pk=project.pk).values_list("parties_involved", "participants")
        involved = {p for p, _ in rows if p is not None}
        self.parties = parties if parties is not None else {project.host_party_id, *involved}
        self.aie_id = project.aie_id
        self.participants = {o for _, o in rows if o is not None}
        self.member_parties: dict[int, set[int]] = {}
        for uid, pid in JiscMember.objects.values_list("user_id", "party_id"):
            self.member_parties.setdefault(uid, set()).add(pid)

    def reason(self, user: User) -> str:
        """The reason ``user`` may not act on the project, or "" when there is none."""
        own = {user.party_id} if user.party_id else set()
        own |= self.member_parties.get(user.pk, set())
        if own & self.parties:
            return _("is a national of a Party involved in the project")
        if user.organisation_id:
            if user.organisation_id == self.aie_id:
                return _("works for the project's AIE")
            if user.organisation_id in self.participants:
                return _("works for a project participant")
        return ""


def conflict_of_interest(user: User, project: Project, parties: set[int] | None = None) -> str:
    """The reason (``Conflicts``) one user may not appraise or review the project, or ""."""
    return Conflicts(project, parties).reason(user)


def _log(project: Project, kind: str, actor: User | None, **data) -> None:
    ReviewLog.objects.create(project=project, kind=kind, actor=actor, data=data)


def _user_name(user: User) -> str:
    return user.get_full_name() or user.username


# --- appraisal -----------------------------------------------------------------------------------


def _workload() -> dict[int, int]:
    """Open appraisal seats and open review-team seats per user."""
    load: dict[int, int] = {}
    for uid, n in (
        Appraiser.objects.filter(appraisal__status=Appraisal.Status.OPEN, filed_at__isnull=True)
        .values_list("user")
        .annotate(n=Count("pk"))
    ):
        load[uid] = load.get(uid, 0) + n
    for uid, n in (
        ReviewTeamMember.objects.filter(review__status__in=Review.OPEN)
        .values_list("user")
        .annotate(n=Count("pk"))
    ):
        load[uid] = load.get(uid, 0) + n
    return load


def propose_appraisers(project: Project) -> dict[str, list[User]]:
    """Two serving JISC members and two experts whose scopes cover the project's, none with a
    conflict of interest, least current workload first (then by name)."""
    conflicts = Conflicts(project)
    load = _workload()
    today = timezone.localdate()
    members = {m.user for m in serving_members(today) if m.user.is_active}
    members = [u for u in members if not conflicts.reason(u)]
    scopes = set(project.sectoral_scopes.values_list("pk", flat=True))
    experts = []
    for expert in (
        Expert.objects.filter(active=True, user__is_active=True)
        .select_related("user")
        .prefetch_related("scopes")
    ):
        covered = {s.pk for s in expert.scopes.all()}
        if scopes <= covered and not conflicts.reason(expert.user):
            experts.append(expert.user)

    return {"members": rank(members, load)[:2], "experts": rank(experts, load)[:2]}


def rank(users, load: dict[int, int]) -> list[User]:
    """Least current workload first, then by name: the order appointees are proposed in."""
    return sorted(users, key=lambda u: (load.get(u.pk, 0), u.last_name, u.username))


def _check_appointee(user: User, project: Project, parties: set[int], what: str) -> None:
    reason = conflict_of_interest(user, project, parties)
    if reason:
        raise Conflict(
            _("%(name)s cannot %(act)s: %(reason)s (conflict of interest).")
            % {"name": _user_name(user), "act": what, "reason": reason},
            code="conflict_of_interest",
        )


def appoint_appraisers(
    actor: User, project: Project, *, members: list[User], experts: list[User]
) -> Appraisal:
    """The secretariat appoints two JISC members and two experts to appraise the published
    determination."""
    if len(members) != 2 or len({u.pk for u in members}) != 2:
        raise Invalid(_("Appoint two different JISC members."), field="members")
    if len(experts) != 2 or len({u.pk for u in experts}) != 2:
        raise Invalid(_("Appoint two different experts."), field="experts")
    if {u.pk for u in members} & {u.pk for u in experts}:
        raise Invalid(_("Nobody can sit twice on one appraisal."), field="experts")
    with transaction.atomic():
        project = lock(project)
        GUARDS["appoint_appraisers"].check(actor, project)
        det = project.determinations.filter(status__in=[D.PUBLISHED, D.UNDER_REVIEW]).first()
        if det is None:
            raise Conflict(_("No published determination to appraise."), code="wrong_status")
        if Appraisal.objects.filter(determination=det).exists():
            raise Conflict(_("Appraisers are already appointed."), code="already_appointed")
        now = timezone.now()
        if project.review_window_closes_at is None or now > project.review_window_closes_at:
            raise Conflict(_("The 45-day window has closed."), code="window_closed")
        today = timezone.localdate()
        parties = parties_involved_ids(project)
        for user in members:
            if not is_serving_member(user, today):
                raise Invalid(
                    _("%(name)s is not a serving JISC member.") % {"name": _user_name(user)},
                    field="members",
                )
            _check_appointee(user, project, parties, _("appraise this project"))
        scopes = set(project.sectoral_scopes.values_list("pk", flat=True))
        for user in experts:
            expert = Expert.objects.filter(user=user, active=True).first()
            if expert is None:
                raise Invalid(
                    _("%(name)s is not on the roster.") % {"name": _user_name(user)},
                    field="experts",
                )
            if not scopes <= set(expert.scopes.values_list("pk", flat=True)):
                raise Invalid(
                    _("%(name)s does not cover every sectoral scope of the project.")
                    % {"name": _user_name(user)},
                    field="experts",
                )
            _check_appointee(user, project, parties, _("appraise this project"))
        appraisal = Appraisal.objects.create(
            determination=det,
            project=project,
            due_at=_appraisal_due(project, now),
            appointed_by=actor,
        )
        Appraiser.objects.bulk_create(
            [Appraiser(appraisal=appraisal, user=u, kind=Appraiser.Kind.MEMBER) for u in members]
            + [Appraiser(appraisal=appraisal, user=u, kind=Appraiser.Kind.EXPERT) for u in experts]
        )
        _log(project, "appraisers_appointed", actor, users=[u.pk for u in [*members, *experts]])
        mail_users(
            [u.pk for u in [*members, *experts]],
            f"[jitrack] {project.key}: you are appointed to appraise the determination",
            "Declare that you have no conflict of interest and file your appraisal by "
            f"{appraisal.due_at:%d %b %Y %H:%M} GMT.",
            f"/reviews/appraisals/{appraisal.pk}/",
        )
    return appraisal


def _appraisal_due(project: Project, now: datetime) -> datetime:
    """Due a set number of days before the window closes; appointed later than that, due when
    the window closes."""
    due = deadlines.appraisal_due(
        project.review_window_closes_at, settings.APPRAISAL_DAYS_BEFORE_WINDOW_CLOSES
    )
    return due if due > now else project.review_window_closes_at


def appraiser_seat(actor: User, appraisal: Appraisal) -> Appraiser:
    """The actor's seat on the appraisal, or Forbidden (the API asks before it reads a body)."""
    seat = appraisal.appraisers.filter(user=actor).first()
    if seat is None:
        raise Forbidden(_("Only the appointed appraisers file appraisals."))
    return seat


def declare_no_conflict(actor: User, appraisal: Appraisal) -> Appraiser:
    with transaction.atomic():
        lock(appraisal.project_id)
        seat = Appraiser.objects.select_for_update().get(pk=appraiser_seat(actor, appraisal).pk)
        if seat.no_conflict_declared_at:
            return seat
        seat.no_conflict_declared_at = timezone.now()
        seat.save(update_fields=["no_conflict_declared_at"])
        _log(appraisal.project, "no_conflict_declared", actor, seat=seat.pk)
    return seat


def _criteria(data: dict, *, need_met: bool) -> dict:
    out = {}
    for key in CRITERIA_KEYS:
        item = data.get(key) or {}
        comment = (item.get("comment") or "").strip()
        met = item.get("met")
        if need_met and not isinstance(met, bool):
            raise Invalid(
                _("State whether criterion %(key)s is met.") % {"key": key},
                code="required",
                field=key,
            )
        if need_met and not comment:
            raise Invalid(_("Comment on every para 33 criterion."), code="required", field=key)
        out[key] = {"met": met, "comment": comment} if need_met else {"comment": comment}
    return out


def file_appraisal(
    actor: User, appraisal: Appraisal, *, criteria: dict, opinion: str, comments: str = ""
) -> Appraiser:
    """An appointee files F-JI-DA (member) or F-JI-ExInpDA (expert). Confidential."""
    criteria = _criteria(criteria, need_met=True)
    if opinion not in Appraiser.Opinion.values:
        raise Invalid(
            _("The opinion is meets, does_not_meet or review_recommended."), field="opinion"
        )
    with transaction.atomic():
        project = lock(appraisal.project_id)
        appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
        seat = Appraiser.objects.select_for_update().get(pk=appraiser_seat(actor, appraisal).pk)
        if seat.filed_at:
            raise Conflict(
                _("Your %(form)s is already filed.") % {"form": seat.form_name},
                code="already_filed",
            )
        if not seat.no_conflict_declared_at:
            raise Conflict(
                _("Declare that you have no conflict of interest first."), code="no_declaration"
            )
        if project.status not in (S.DETERMINATION_PUBLISHED, S.UNDER_REVIEW):
            raise Conflict(_("The appraisal is closed."), code="wrong_status")
        seat.criteria = criteria
        seat.opinion = opinion
        seat.comments = (comments or "").strip()
        seat.filed_at = timezone.now()
        seat.save()
        _log(project, "appraisal_filed", actor, seat=seat.pk, form=seat.form_name)
        if not appraisal.appraisers.filter(filed_at__isnull=True).exists():
            # the last form filed completes it: the "appraisal_filed" entry above tells it
            APPRAISAL.move(appraisal, A.COMPLETE, log=None)
        if seat.kind == Appraiser.Kind.MEMBER:
            # Seed 003: F-JI-DA is forwarded to the other JISC members through the secretariat.
            others = JiscMember.objects.filter(
                term_start__lte=timezone.localdate(), term_end__gte=timezone.localdate()
            ).exclude(user=actor)
            mail_users(
                list(others.values_list("user_id", flat=True).distinct()),
                f"[jitrack] {project.key}: an appraisal (F-JI-DA) was filed",
                "A JISC member filed an appraisal of this determination. Read it in jitrack.",
                f"/reviews/appraisals/{appraisal.pk}/",
            )
    return seat


# --- review requests -----------------------------------------------------------------------------


def requester(actor: User, involved: set[int], serving: bool) -> tuple[str, int | None]:
    """Who asks (para 35): the focal point of a Party involved (``involved``: the Parties'
    ids) for its Party, or a sitting JISC member (``serving``: ``is_sitting_member``) for
    themselves. Pages ask the
    same with the facts they already loaded (``reviews.selectors.project_review_context``)."""
    if actor.is_authenticated and actor.role == User.Role.PARTY and actor.party_id:
        if actor.party_id in involved:
            return ReviewRequest.By.PARTY, actor.party_id
        raise Forbidden(_("Only the designated focal point of a Party involved can request."))
    if actor.is_authenticated and actor.role == User.Role.JISC:
        if serving:
            return ReviewRequest.By.JISC, None
        raise Forbidden(
            _(
                "Only a serving JISC member can request a review; an alternate only while acting "
                "for an absent member."
            )
        )
    raise Forbidden(_("A review is requested by a Party involved or by JISC members."))


def requester_for(actor: User, project: Project) -> tuple[str, int | None]:
    """``requester`` with the facts loaded for ``project``."""
    sitting = actor.is_authenticated and actor.role == User.Role.JISC and is_sitting_member(actor)
    return requester(actor, parties_involved_ids(project), sitting)


def _not_before_day_one(available_on: date | None, now: datetime) -> None:
    """ji-rules §7 "Review requests" and §4: on time from the availability date (day 1), not
    before it (the secretariat may make a report available the next day)."""
    if available_on is not None and now.date() < available_on:
        raise Conflict(
            _("The report is available from %(date)s; a review can be requested from that day.")
            % {"date": day_text(available_on)},
            code="not_yet_available",
        )


def _quorum(requests: list[ReviewRequest]) -> bool:
    """Para 35: one Party involved, or three distinct JISC members."""
    parties = {r.party_id for r in requests if r.by == ReviewRequest.By.PARTY}
    members = {r.requested_by_id for r in requests if r.by == ReviewRequest.By.JISC}
    return len(parties) >= PARTY_QUORUM or len(members) >= MEMBER_QUORUM


def _meetings() -> list[tuple[date, date]]:
    return list(Meeting.objects.values_list("starts_on", "ends_on"))


def _clean_request(
    reasons: dict, summary: str, *, criteria=CRITERIA, need_criterion: bool
) -> tuple[dict, str]:
    """The reasons against each of ``criteria`` (para 33 for a determination,
    ``VERIFICATION_CRITERIA`` for a verification) and the summary."""
    reasons = {k: (reasons.get(k) or "").strip() for k, _ in criteria}
    summary = (summary or "").strip()
    if not summary:
        raise Invalid(_("Summarise the reasons for the request."), code="required", field="summary")
    if need_criterion and not any(reasons.values()):
        raise Invalid(
            _("Give the reasons against at least one para 33 criterion."),
            code="required",
            field="reasons",
        )
    return reasons, summary


def _take_request(
    actor: User,
    project: Project,
    subject: dict,
    *,
    requester: tuple[str, int | None],
    kind: str,
    now: datetime,
    due_at: Callable[[], datetime],
    **fields,
) -> tuple[ReviewRequest, Review | None, list[ReviewRequest], int]:
    """Record one request on ``subject`` (``{"determination": det}`` or ``{"verification": v}``)
    of a locked project and, when it makes the quorum and no review runs yet, start the review,
    due at ``due_at()``. Returns the request, the review it started (else None), every request
    on the subject and the number of distinct JISC members who asked. ``requester`` is
    ``_requester``'s answer."""
    by, party_id = requester
    existing = list(ReviewRequest.objects.filter(**subject))
    if any(r.requested_by_id == actor.pk for r in existing):
        raise Conflict(_("You have already requested a review."), code="duplicate_request")
    if party_id and any(r.party_id == party_id for r in existing):
        raise Conflict(
            _("Your Party has already requested a review."), code="party_already_requested"
        )
    review = Review.objects.filter(**subject).first()
    try:
        with transaction.atomic():
            req = ReviewRequest.objects.create(
                kind=kind,
                project=project,
                review=review,
                by=by,
                requested_by=actor,
                party_id=party_id,
                received_at=now,
                **subject,
                **fields,
            )
    except IntegrityError:
        raise Conflict(
            _("You have already requested a review."), code="duplicate_request"
        ) from None
    requests = [*existing, req]
    members = len({r.requested_by_id for r in requests if r.by == ReviewRequest.By.JISC})
    verification = subject.get("verification")
    record(
        project,
        "review_request_received",
        actor=actor,
        # public with the requester's name, as on F-JI-DR / F-JI-VR (ji-rules §7)
        label=actor.party.name if party_id else None,
        data={
            "by": by,
            **({"verification": verification.number} if verification else {}),
            "party": actor.party.code if party_id else None,
            "jisc_member_requests": members,
        },
        at=now,
    )
    if review is not None or not _quorum(requests):
        return req, None, requests, members
    started = Review.objects.create(
        kind=kind, project=project, requested_at=now, due_at=due_at(), **subject
    )
    ReviewRequest.objects.filter(**subject).update(review=started)
    req.review = started
    return req, started, requests, members


def request_review(
    actor: User, project: Project, *, reasons: dict, summary: str, now: datetime | None = None
) -> ReviewRequest:
    """F-JI-DR. One Party's request, or the third distinct member's, starts the review at once
    (exactly once: the project row is locked); later requests join it."""
    reasons, summary = _clean_request(reasons, summary, need_criterion=True)
    with transaction.atomic():
        project = lock(project)
        now = now or timezone.now()
        requester = requester_for(actor, project)
        if project.status not in (S.DETERMINATION_PUBLISHED, S.UNDER_REVIEW):
            raise Conflict(
                _(
                    "A review can be requested only while the determination is in its 45-day window."
                ),
                code="not_in_window",
            )
        if project.review_window_closes_at is None or now > project.review_window_closes_at:
            raise Conflict(
                _("The 45-day window closed at %(when)s.")
                % {"when": gmt_text(project.review_window_closes_at)},
                code="window_closed",
            )
        _not_before_day_one(project.determination_available_on, now)
        det = determinations.reviewable(project)
        if det is None:
            raise Conflict(
                _(
                    "This project's determination was imported from earlier records without its "
                    "report; ask the secretariat to record the review request."
                ),
                code="no_determination",
            )
        subject = {"determination": det}
        req, review, requests, members = _take_request(
            actor,
            project,
            subject,
            requester=requester,
            kind=Review.Kind.DETERMINATION,
            now=now,
            due_at=lambda: deadlines.review_due("determination", now, _meetings()),
            reasons=reasons,
            summary=summary,
        )
        if review is not None:
            determinations.start_review(
                project,
                det,
                data={
                    "parties": sorted({r.party.code for r in requests if r.party_id}),
                    "jisc_member_requests": members,
                    "due_at": review.due_at.isoformat(),
                },
                at=now,
            )
    return req


def request_verification_review(
    actor: User, verification, *, reasons: dict, summary: str, now: datetime | None = None
) -> ReviewRequest:
    """F-JI-VR (para 39): the same rule as for determinations — one Party involved or three
    JISC members — inside the 15-day window; the review is due 30 days after the request."""
    reasons, summary = _clean_request(
        reasons, summary, criteria=VERIFICATION_CRITERIA, need_criterion=False
    )
    with transaction.atomic():
        project = lock(verification.project_id)
        ver = verifications.reviewable_verification(verification.pk)
        now = now or timezone.now()
        requester = requester_for(actor, project)
        if ver.status not in (Verification.Status.PUBLISHED, Verification.Status.UNDER_REVIEW):
            raise Conflict(
                _("A review can be requested only while the verification is in its 15-day window."),
                code="not_in_window",
            )
        if ver.review_window_closes_at is None or now > ver.review_window_closes_at:
            raise Conflict(
                _("The 15-day window closed at %(when)s.")
                % {"when": gmt_text(ver.review_window_closes_at)},
                code="window_closed",
            )
        _not_before_day_one(ver.available_on, now)
        subject = {"verification": ver}
        req, review, requests, members = _take_request(
            actor,
            project,
            subject,
            requester=requester,
            kind=Review.Kind.VERIFICATION,
            now=now,
            due_at=lambda: deadlines.review_due("verification", now),
            reasons=reasons,
            summary=summary,
        )
        if review is not None:
            verifications.start_review(
                project,
                ver,
                data={
                    "verification": ver.number,
                    "due_at": review.due_at.isoformat(),
                    "jisc_member_requests": members,
                },
                at=now,
            )
    return req


# --- the review ----------------------------------------------------------------------------------


def _lock_review(review: Review) -> tuple[Project, Review]:
    project = lock(review.project_id)
    return project, Review.objects.select_for_update().get(pk=review.pk)


def appoint_team(actor: User, review: Review, *, members: list[User], lead: User) -> Review:
    """The secretariat appoints two JISC members (alternates allowed), one of them lead."""
    if len(members) != 2 or len({u.pk for u in members}) != 2:
        raise Invalid(_("Appoint two different JISC members."), field="members")
    if lead.pk not in {u.pk for u in members}:
        raise Invalid(_("The lead is one of the two members."), field="lead")
    with transaction.atomic():
        project, review = _lock_review(review)
        require(actor, "reviews.manage", project, _("Only the secretariat appoints review teams."))
        if review.status != R.REQUESTED:
            raise Conflict(_("The review team is already appointed."), code="already_appointed")
        parties = parties_involved_ids(project)
        for user in members:
            if not is_serving_member(user):
                raise Invalid(
                    _("%(name)s is not a serving JISC member.") % {"name": _user_name(user)},
                    field="members",
                )
            _check_appointee(user, project, parties, _("review this project"))
        ReviewTeamMember.objects.bulk_create(
            [ReviewTeamMember(review=review, user=u, lead=u.pk == lead.pk) for u in members]
        )
        REVIEW.move(
            review,
            R.IN_PROGRESS,
            log=lambda *_: record(
                project, "review_team_appointed", actor=actor, data={"review": review.pk}
            ),
        )
        mail_users(
            [u.pk for u in members],
            f"[jitrack] {project.key}: you are appointed to the review team",
            f"The review is due by {review.due_at:%d %b %Y %H:%M} GMT.",
            f"/reviews/{review.pk}/",
        )
    return review


def team_seat(actor: User, review: Review) -> ReviewTeamMember:
    """The actor's seat on the review team, or Forbidden (the API asks before it reads a body)."""
    seat = review.team.filter(user=actor).first()
    if seat is None:
        raise Forbidden(_("Only the review team does this."))
    return seat


def send_clarification(
    actor: User, review: Review, *, addressed_to: str, questions: str, due_on: date
) -> Clarification:
    """F-JI-Clar: the team asks the participants and/or the AIE, with a due date."""
    questions = (questions or "").strip()
    if addressed_to not in Clarification.To.values:
        raise Invalid(_("Address it to participants, aie or both."), field="addressed_to")
    if not questions:
        raise Invalid(_("Write the questions."), code="required", field="questions")
    due_at = deadlines.clarification_due(due_on)
    with transaction.atomic():
        project, review = _lock_review(review)
        team_seat(actor, review)
        if review.status not in (R.IN_PROGRESS, R.REPORTED):
            raise Conflict(
                _("Clarifications are asked while the review runs."), code="wrong_status"
            )
        if due_at <= timezone.now():
            raise Invalid(_("The due date must be in the future."), field="due_on")
        number = (review.clarifications.count() or 0) + 1
        clar = Clarification.objects.create(
            review=review,
            number=number,
            addressed_to=addressed_to,
            questions=questions,
            due_at=due_at,
            sent_by=actor,
        )
        _log(project, "clarification_sent", actor, clarification=clar.pk)
        recipients = clarification_recipients(project, addressed_to)
        mail_users(
            recipients,
            f"[jitrack] {project.key}: request for clarification (F-JI-Clar {number})",
            f"The JISC review team asks for clarification; answer by {due_at:%d %b %Y %H:%M} GMT.",
            f"/reviews/clarifications/{clar.pk}/",
        )
    return clar


def clarification_recipients(project: Project, addressed_to: str) -> list[int]:
    q = Q(pk__in=[])
    if addressed_to in ("participants", "both"):
        q |= Q(role=User.Role.PARTICIPANT, organisation__projects=project)
    if addressed_to in ("aie", "both") and project.aie_id:
        q |= Q(role=User.Role.AIE, organisation=project.aie_id)
    return list(User.objects.filter(q, is_active=True).values_list("pk", flat=True).distinct())


def may_answer(user: User, clar: Clarification) -> bool:
    project = clar.review.project
    if not user.is_authenticated or not user.organisation_id:
        return False
    if clar.addressed_to in ("participants", "both") and user.role == User.Role.PARTICIPANT:
        if project.participants.filter(pk=user.organisation_id).exists():
            return True
    if clar.addressed_to in ("aie", "both") and user.role == User.Role.AIE:
        return user.organisation_id == project.aie_id
    return False


def answer_clarification(
    actor: User, clar: Clarification, *, answer: str, files: list[tuple[str, object]] = ()
) -> Clarification:
    answer = (answer or "").strip()
    if not answer:
        raise Invalid(_("Write the answer."), code="required", field="answer")
    contents = [
        (title, clean_filename(getattr(f, "name", None)), *read_pdf_upload(f, field="files"))
        for title, f in files
    ]
    with transaction.atomic():
        lock(clar.review.project_id)
        clar = Clarification.objects.select_for_update().select_related("review").get(pk=clar.pk)
        if not may_answer(actor, clar):
            raise Forbidden(_("This request for clarification is not addressed to you."))
        if clar.answered_at:
            raise Conflict(_("This request is already answered."), code="already_answered")
        if not clar.review.is_open:
            raise Conflict(_("The review is closed."), code="wrong_status")
        clar.answer = answer
        clar.answered_at = timezone.now()
        clar.answered_by = actor
        clar.save()
        for title, name, data, digest in contents:
            attachment = ClarificationFile(
                clarification=clar, title=(title or name)[:255], sha256=digest, size=len(data)
            )
            attachment.file.save(name, as_django_file(data, name), save=False)
            attachment.save()
        _log(clar.review.project, "clarification_answered", actor, clarification=clar.pk)
        mail_users(
            list(clar.review.team.values_list("user_id", flat=True)),
            f"[jitrack] {clar.review.project.key}: clarification {clar.number} answered",
            "The answer is in jitrack.",
            f"/reviews/{clar.review_id}/",
        )
    return clar


def file_report(actor: User, review: Review, *, recommendation: str, report: str) -> Review:
    """F-JI-RRep with the team's recommendation."""
    report = (report or "").strip()
    if recommendation not in Review.Decision.values:
        raise Invalid(
            _("Recommend confirmed, rejected or corrections_required."), field="recommendation"
        )
    if not report:
        raise Invalid(_("Write the report."), code="required", field="report")
    with transaction.atomic():
        project, review = _lock_review(review)
        team_seat(actor, review)
        if review.status != R.IN_PROGRESS:
            raise Conflict(
                _("The report is filed once, while the review runs."), code="wrong_status"
            )
        review.recommendation = recommendation
        review.report = report
        review.reported_at = timezone.now()
        review.reported_by = actor
        REVIEW.move(
            review,
            R.REPORTED,
            log=lambda *_: _log(project, "review_reported", actor, recommendation=recommendation),
        )
        mail_users(
            list(User.objects.filter(role=User.Role.SECRETARIAT).values_list("pk", flat=True)),
            f"[jitrack] {project.key}: the review team reported (F-JI-RRep)",
            "Put the decision on the agenda of the next JISC meeting or decide electronically.",
            f"/reviews/{review.pk}/",
        )
    return review


def decide(
    actor: User,
    review: Review,
    *,
    decision: str,
    reasons: str,
    meeting: Meeting | None = None,
    now: datetime | None = None,
) -> Review:
    """The secretariat records the JISC's decision, taken at ``meeting`` or electronically
    (no meeting). Confirmed: final. Rejected: rejected. Corrections required: the AIE submits a
    corrected report and the determination is final once the secretariat confirms it."""
    reasons = (reasons or "").strip()
    if decision not in Review.Decision.values:
        raise Invalid(
            _("The decision is confirmed, rejected or corrections_required."), field="decision"
        )
    if not reasons:
        raise Invalid(_("Give the reasons for the decision."), code="required", field="reasons")
    with transaction.atomic():
        project, review = _lock_review(review)
        require(actor, "reviews.manage", project, _("Only the secretariat records JISC decisions."))
        if review.status != R.REPORTED:
            raise Conflict(
                _("The JISC decides once the review team has reported."), code="wrong_status"
            )
        now = now or timezone.now()
        if meeting is not None and meeting.starts_on > now.date():
            raise Invalid(_("That meeting has not started yet."), field="meeting")
        if meeting is not None and meeting.ends_on < review.requested_at.date():
            raise Invalid(_("That meeting ended before the review was requested."), field="meeting")
        review.decision = decision
        review.decision_reasons = reasons
        review.decided_at = now
        review.decided_at_meeting = meeting
        data = {
            "decision": decision,
            "meeting": meeting.number if meeting else None,
            "review": review.pk,
        }
        if review.kind == Review.Kind.VERIFICATION:
            data["verification"] = review.verification.number
        if decision == Review.Decision.CORRECTIONS:
            REVIEW.move(
                review,
                R.CORRECTIONS,
                log=lambda *_: record(
                    project, "review_decided", actor=actor, reason=reasons, data=data, at=now
                ),
            )
            return review
        # The concluding move's own event ("review_decided") tells this one.
        REVIEW.move(review, R.DECIDED, log=None)
        _conclude(project, review, decision == Review.Decision.CONFIRMED, actor, reasons, data, now)
    return review


def _conclude(
    project: Project,
    review: Review,
    confirmed: bool,
    actor: User,
    reasons: str,
    data: dict,
    now: datetime,
) -> None:
    """Tell the reviewed determination or verification how the JISC decided; its writer decides
    what that means (ji-rules §7 "Review outcomes")."""
    if review.kind == Review.Kind.VERIFICATION:
        conclude = verifications.conclude_review
        subject = review.verification
    else:
        conclude = determinations.conclude_review
        subject = review.determination
    conclude(project, subject, confirmed=confirmed, actor=actor, reasons=reasons, data=data, at=now)


def corrections_author(actor: User, review: Review, project: Project) -> None:
    """Forbidden unless the actor is of the AIE whose reviewed report is to be corrected (the
    API asks before it reads a body)."""
    verifying = review.kind == Review.Kind.VERIFICATION
    aie_id = review.verification.aie_id if verifying else project.aie_id
    if not (
        actor.is_authenticated and actor.role == User.Role.AIE and actor.organisation_id == aie_id
    ):
        raise Forbidden(_("Only the AIE whose report was reviewed submits the corrected report."))


def submit_corrections(actor: User, review: Review, *, uploaded, note: str = "") -> Document:
    """The AIE submits the corrected determination report."""
    with transaction.atomic():
        project, review = _lock_review(review)
        corrections_author(actor, review, project)
        verifying = review.kind == Review.Kind.VERIFICATION
        if review.status != R.CORRECTIONS:
            raise Conflict(_("No corrections are required."), code="wrong_status")
        doc = store_document(
            project,
            kind=Document.Kind.VERIFICATION_REPORT
            if verifying
            else Document.Kind.DETERMINATION_REPORT,
            title="Corrected verification report (F-JI-VRep)"
            if verifying
            else "Corrected determination report (F-JI-DRep)",
            uploaded=uploaded,
            actor=actor,
        )
        review.corrections_submitted_at = timezone.now()
        review.save(update_fields=["corrections_submitted_at"])
        record(
            project,
            "corrections_submitted",
            actor=actor,
            reason=(note or "").strip(),
            public=False,
            data={"document": doc.pk},
        )
    return doc


def confirm_corrections(actor: User, review: Review) -> Review:
    with transaction.atomic():
        project, review = _lock_review(review)
        require(actor, "reviews.manage", project, _("Only the secretariat confirms corrections."))
        if review.status != R.CORRECTIONS or not review.corrections_submitted_at:
            raise Conflict(
                _("The AIE has not submitted the corrected report yet."), code="no_corrections"
            )
        now = timezone.now()
        corrected = (
            project.events.filter(kind="corrections_submitted")
            .order_by("-created_at", "-pk")
            .values_list("data", flat=True)
            .first()
        )
        project.documents.filter(
            pk=(corrected or {}).get("document"), published_at__isnull=True
        ).update(published_at=now)
        review.corrections_confirmed_at = now
        REVIEW.move(review, R.DECIDED, log=None)  # told by the concluding "review_decided"
        _conclude(
            project,
            review,
            True,
            actor,
            "The corrections were made.",
            {
                "decision": "corrections_confirmed",
                "review": review.pk,
                # The corrected report it publishes: its SHA-256 joins the hash chain (ledger).
                "document": (corrected or {}).get("document"),
            },
            now,
        )
    return review


def on_project_withdrawn(sender, project: Project, **kwargs) -> None:
    """``projects.signals.project_withdrawn``: the open appraisals and reviews of a withdrawn
    project close; the record stays, and the project's "withdrawn" event tells it."""
    for appraisal in Appraisal.objects.select_for_update().filter(project=project, status=A.OPEN):
        APPRAISAL.move(appraisal, A.CLOSED, log=None)
    for review in Review.objects.select_for_update().filter(
        project=project, status__in=Review.OPEN
    ):
        REVIEW.move(review, R.CLOSED, log=None)


def close_appraisal(appraisal_id: int) -> bool:
    """An open appraisal ends with the determination's window (final, rejected or withdrawn).
    The clock's act; idempotent."""
    with transaction.atomic():
        project_id = (
            Appraisal.objects.filter(pk=appraisal_id).values_list("project_id", flat=True).first()
        )
        if project_id is None:
            return False
        project = lock(project_id)  # the project row first, as every other writer does
        appraisal = Appraisal.objects.select_for_update().get(pk=appraisal_id)
        if appraisal.status != A.OPEN or project.status in APPRAISAL_WINDOW:
            return False
        APPRAISAL.move(
            appraisal,
            A.CLOSED,
            log=lambda *_: _log(project, "appraisal_closed", None, appraisal=appraisal.pk),
        )
    return True


# --- meetings ------------------------------------------------------------------------------------


def save_meeting(actor: User, meeting: Meeting | None = None, **fields) -> Meeting:
    """Add or move a JISC meeting; the due dates of open reviews are recomputed."""
    stored = meeting or Meeting()
    merged = {
        k: fields.get(k, getattr(stored, k))
        for k in ("number", "starts_on", "ends_on", "place", "electronic")
    }
    if merged["number"] is None:
        raise Invalid(_("Give the meeting's number."), code="required", field="number")
    if merged["starts_on"] is None or merged["ends_on"] is None:
        raise Invalid(
            _("Give the meeting's first and last day."), code="required", field="starts_on"
        )
    for key in ("starts_on", "ends_on"):
        if not 1990 <= merged[key].year <= 2999:
            raise Invalid(_("Give a date between 1990 and 2999."), field=key)
    if merged["ends_on"] < merged["starts_on"]:
        raise Invalid(_("A meeting ends on or after its first day."), field="ends_on")
    if not merged["electronic"] and not (merged["place"] or "").strip():
        raise Invalid(_("Give the place, or mark the meeting as electronic."), field="place")
    fields = merged
    with transaction.atomic():
        require(actor, "reviews.manage", None, _("Only the secretariat manages meetings."))
        meeting = stored
        if Meeting.objects.exclude(pk=meeting.pk).filter(number=fields.get("number")).exists():
            raise Conflict(
                _("JISC %(number)s already exists.") % {"number": fields.get("number")},
                code="duplicate",
                field="number",
            )
        for key, value in fields.items():
            setattr(meeting, key, value)
        meeting.save()
        recompute_review_deadlines()
    return meeting


@transaction.atomic
def recompute_review_deadlines() -> int:
    meetings = _meetings()
    changed = 0
    for review in Review.objects.select_for_update().filter(
        status__in=Review.AWAITING_DECISION, kind=Review.Kind.DETERMINATION
    ):
        due = deadlines.review_due(review.kind, review.requested_at, meetings)
        if due != review.due_at:
            review.due_at = due
            review.overdue_notified_at = None
            review.save(update_fields=["due_at", "overdue_notified_at"])
            changed += 1
    return changed


def get_review(pk: int) -> Review:
    try:
        return Review.objects.select_related("project", "determination").get(pk=pk)
    except Review.DoesNotExist:
        raise NotFound(_("No such review.")) from None
