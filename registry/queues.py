"""Each role's work queue (issue 15): what waits for this user, with its deadline and the act
that clears it, composed from every stage.

A queue is a queryset defined once here (``QUEUES``): the dashboard lists its items and the
navigation shows how many there are, so the two always agree. ``counts`` answers every count of
a user in one query (the navigation runs on every page); ``work`` loads a role's items in a fixed
number of queries, several queues sharing one query where they read the same table, so each
dashboard stays within the page budget whatever the number of items.

Which rows wait for whom follows the acts' own rules (the statuses their guards accept); the
buttons lead to the act's page, whose guard decides again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from determinations.models import Determination, MonitoringReport, Verification
from fees.models import FeeAssessment, Invoice, Reimbursement
from fees.selectors import with_fee
from projects import workflow as wf
from projects.models import (
    Document,
    Engagement,
    LetterOfApproval,
    Notification,
    Project,
    ProjectChange,
    User,
)
from projects.selectors import mail_problems, open_clock_faults
from projects.templatetags.jitrack import usd
from projects.timeline import day_text
from reviews.models import (
    Appraisal,
    Appraiser,
    Clarification,
    JiscMember,
    Meeting,
    Review,
    ReviewRequest,
    ReviewTeamMember,
)

S = Project.Status
V = Verification.Status
R = Review.Status
TO = Clarification.To
# Reviews whose legal limit is this near are listed before they are overdue.
REVIEW_WARNING = dt.timedelta(days=7)
# Items shown per queue on the dashboard; the count says how many more there are.
SHOWN = 10
# Projects in the windows in which a review may be requested (paras 35, 38/39).
DETERMINATION_WINDOW = (S.DETERMINATION_PUBLISHED, S.UNDER_REVIEW)
VERIFICATION_WINDOW = (V.PUBLISHED, V.UNDER_REVIEW)


class SubqueryCount(Subquery):
    """``(SELECT count(*) FROM (<queryset>))``: a queryset's size as a column of another query."""

    template = "(SELECT count(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


# --- the queues: one queryset each, for the count and for the list --------------------------


def _org(user) -> int | None:
    return user.organisation_id


def _party(user) -> int | None:
    return user.party_id


def secretariat_unappraised(now) -> QuerySet[Project]:
    return Project.objects.filter(status__in=DETERMINATION_WINDOW).exclude(
        Exists(Appraisal.objects.filter(project=OuterRef("pk")))
    )


def verifications_to_publish() -> QuerySet[Verification]:
    return Verification.objects.filter(status=V.SUBMITTED)


def corrections_to_confirm() -> QuerySet[Review]:
    return Review.objects.filter(
        status=R.CORRECTIONS,
        corrections_submitted_at__isnull=False,
        corrections_confirmed_at__isnull=True,
    )


def reviews_to_steer(now) -> QuerySet[Review]:
    """Reviews waiting for their team or their decision, and those near or past the limit."""
    return Review.objects.filter(status__in=Review.AWAITING_DECISION).filter(
        Q(status__in=[R.REQUESTED, R.REPORTED]) | Q(due_at__lt=now + REVIEW_WARNING)
    )


def late_appraisals(now) -> QuerySet[Appraisal]:
    return Appraisal.objects.filter(
        status=Appraisal.Status.OPEN, due_at__lt=now, project__status__in=DETERMINATION_WINDOW
    )


def minutes_to_publish() -> QuerySet[Meeting]:
    """Meetings that have ended without their minutes published (``reviews.minutes``)."""
    return Meeting.objects.filter(
        ends_on__lt=timezone.localdate(), minutes_published_at__isnull=True
    )


def invoices_to_reconcile() -> QuerySet[Invoice]:
    return Invoice.objects.filter(status__in=Invoice.OPEN)


def reimbursements_due() -> QuerySet[Reimbursement]:
    return Reimbursement.objects.filter(status=Reimbursement.Status.DUE)


def engagements_to_answer(user) -> QuerySet[Engagement]:
    return Engagement.objects.filter(aie=_org(user), status=Engagement.Status.PENDING)


def aie_projects_to_act(user) -> QuerySet[Project]:
    """Engaged (submit the PDD), comments without an answer, comments closed or the report
    returned (file the determination)."""
    unanswered = Q(comments__answer="", comments__removed_at__isnull=True)
    return (
        Project.objects.filter(
            aie=_org(user), status__in=[S.ENGAGED, S.OPEN_FOR_COMMENTS, S.COMMENTS_CLOSED]
        )
        .annotate(unanswered=Count("comments", filter=unanswered))
        .filter(Q(status__in=[S.ENGAGED, S.COMMENTS_CLOSED]) | Q(unanswered__gt=0))
    )


def monitoring_to_verify(user) -> QuerySet[MonitoringReport]:
    return MonitoringReport.objects.filter(
        aie=_org(user), status=MonitoringReport.Status.SUBMITTED
    ).exclude(Exists(Verification.objects.filter(monitoring_report=OuterRef("pk"))))


def clarifications_for(user) -> QuerySet[Clarification]:
    org = _org(user)
    if user.role == User.Role.PARTICIPANT:
        to = Q(addressed_to__in=[TO.PARTICIPANTS, TO.BOTH], review__project__participants=org)
    else:
        to = Q(addressed_to__in=[TO.AIE, TO.BOTH], review__project__aie=org)
    ids = Clarification.objects.filter(
        to, answered_at__isnull=True, review__status__in=Review.OPEN
    ).values("pk")
    return Clarification.objects.filter(pk__in=ids)


def corrections_to_submit(user) -> QuerySet[Review]:
    return Review.objects.filter(
        status=R.CORRECTIONS, project__aie=_org(user), corrections_submitted_at__isnull=True
    )


def participant_drafts(user) -> QuerySet[Project]:
    return Project.objects.filter(participants=_org(user), status__in=wf.EDITABLE)


def participant_invoices(user) -> QuerySet[Invoice]:
    return Invoice.objects.filter(
        status__in=Invoice.OPEN,
        project__in=Project.objects.filter(participants=_org(user)).values("pk"),
    )


def _of_party(party: int | None, project: str = "") -> Q:
    """Rows of the projects ``party`` hosts or is involved in; ``project``: the path from the
    row to its project ("" when the rows are projects)."""
    involved = Project.parties_involved.through.objects.filter(party=party).values("project")
    if not project:
        return Q(host_party=party) | Q(pk__in=involved)
    return Q(**{f"{project}__host_party": party}) | Q(**{f"{project}__in": involved})


def approvals_to_give(user) -> QuerySet[Project]:
    party = _party(user)
    confirmed = LetterOfApproval.objects.filter(
        project=OuterRef("pk"), party=party, confirmed_at__isnull=False
    )
    return Project.objects.filter(_of_party(party), status__in=wf.APPROVAL_STATUSES).exclude(
        Exists(confirmed)
    )


def _published_projects():
    return Project.published_q(timezone.localdate())


def _sitting(user) -> Exists:
    """A JISC member counts towards a review request only while sitting (the act's own rule,
    ``JiscMember.objects.sitting_on``)."""
    return Exists(JiscMember.objects.sitting_on(timezone.localdate()).filter(user=user.pk))


def _not_yet_asked(rows: QuerySet, user, asked: QuerySet, project: str = "") -> QuerySet:
    """``rows`` in their review window that this user may still ask about (``asked``: the
    requests of a row): a focal point, those of its Party's projects its Party has not asked
    about; a JISC member, while sitting, those it has not asked about."""
    if user.role == User.Role.PARTY:
        party = _party(user)
        return rows.filter(_of_party(party, project)).exclude(Exists(asked.filter(party=party)))
    return rows.filter(_sitting(user)).exclude(Exists(asked.filter(requested_by=user.pk)))


def determinations_to_request(user, now) -> QuerySet[Project]:
    """Determinations in their 45-day window (para 35) on which this user (a focal point: its
    Party, involved) has not yet asked for a review."""
    projects = Project.objects.filter(
        _published_projects(),
        status__in=DETERMINATION_WINDOW,
        review_window_closes_at__gte=now,
    )
    asked = ReviewRequest.objects.filter(project=OuterRef("pk"), kind=Review.Kind.DETERMINATION)
    return _not_yet_asked(projects, user, asked)


def verifications_to_request(user, now) -> QuerySet[Verification]:
    """Published verifications in their 15-day window (paras 38, 39), not yet asked about."""
    verifications = Verification.objects.filter(
        status__in=VERIFICATION_WINDOW,
        available_on__isnull=False,
        review_window_closes_at__gte=now,
    )
    asked = ReviewRequest.objects.filter(verification=OuterRef("pk"), kind=Review.Kind.VERIFICATION)
    return _not_yet_asked(verifications, user, asked, project="project")


def party_changes_to_approve(user) -> QuerySet[ProjectChange]:
    """Requests to add the Party as a Party involved of a final project, waiting for its letter
    of approval (para 33 (a); ``projects.changes``, rule 4)."""
    return ProjectChange.objects.filter(
        party=_party(user), kind=ProjectChange.Kind.ADD_PARTY, status=ProjectChange.Status.PENDING
    )


def erus_to_issue(user) -> QuerySet[Verification]:
    """Final verifications of the Party's projects whose ERUs are not all issued (para 29 of
    the 13/CMP.1 annex; the issuing act checks the rest)."""
    return Verification.objects.filter(
        project__host_party=_party(user),
        status=V.FINAL,
        conditions_hold=True,
        erus_issued__lt=F("verified_total"),
    )


def appraisal_seats(user) -> QuerySet[Appraiser]:
    return Appraiser.objects.filter(
        user=user,
        filed_at__isnull=True,
        appraisal__status=Appraisal.Status.OPEN,
        appraisal__project__status__in=DETERMINATION_WINDOW,
    )


def team_seats(user) -> QuerySet[ReviewTeamMember]:
    return ReviewTeamMember.objects.filter(user=user, review__status__in=Review.OPEN)


# Each role's queues: key -> (user, now) -> the queryset of its items. The navigation counts
# them all; the dashboard lists them (``work``).
Queues = dict[str, Callable[[User, dt.datetime], QuerySet]]
QUEUES: dict[str, Queues] = {
    User.Role.SECRETARIAT: {
        "pdds": lambda user, now: Project.objects.filter(status=S.PDD_SUBMITTED),
        "reports": lambda user, now: Project.objects.filter(status=S.DETERMINATION_SUBMITTED),
        "unappraised": lambda user, now: secretariat_unappraised(now),
        "verifications": lambda user, now: verifications_to_publish(),
        "corrections": lambda user, now: corrections_to_confirm(),
        "reviews": lambda user, now: reviews_to_steer(now),
        "late_appraisals": lambda user, now: late_appraisals(now),
        "invoices": lambda user, now: invoices_to_reconcile(),
        "reimbursements": lambda user, now: reimbursements_due(),
        "minutes": lambda user, now: minutes_to_publish(),
        "clock_faults": lambda user, now: open_clock_faults(),
        "mail_problems": lambda user, now: mail_problems(now),
    },
    User.Role.AIE: {
        "engagements": lambda user, now: engagements_to_answer(user),
        "projects": lambda user, now: aie_projects_to_act(user),
        "monitoring": lambda user, now: monitoring_to_verify(user),
        "clarifications": lambda user, now: clarifications_for(user),
        "corrections": lambda user, now: corrections_to_submit(user),
    },
    User.Role.PARTICIPANT: {
        "drafts": lambda user, now: participant_drafts(user),
        "invoices": lambda user, now: participant_invoices(user),
        "clarifications": lambda user, now: clarifications_for(user),
    },
    User.Role.PARTY: {
        "approvals": lambda user, now: approvals_to_give(user),
        "joining": lambda user, now: party_changes_to_approve(user),
        "determinations": determinations_to_request,
        "verifications": verifications_to_request,
        "erus": lambda user, now: erus_to_issue(user),
    },
    User.Role.JISC: {
        "seats": lambda user, now: appraisal_seats(user),
        "team": lambda user, now: team_seats(user),
        "determinations": determinations_to_request,
        "verifications": verifications_to_request,
    },
    User.Role.EXPERT: {
        "seats": lambda user, now: appraisal_seats(user),
    },
}
# Queues that inform rather than wait for the user's act: listed, not counted in the navigation.
UNREAD = "unread"
NOT_COUNTED = {"clock_faults", "mail_problems", UNREAD}


def queues_of(user) -> Queues:
    """The queues of the user's role; none without the organisation or Party the role needs."""
    role = getattr(user, "role", "")
    if role in (User.Role.AIE, User.Role.PARTICIPANT) and not user.organisation_id:
        return {}
    if role == User.Role.PARTY and not user.party_id:
        return {}
    return QUEUES.get(role, {})


def counts(user, now: dt.datetime | None = None) -> dict[str, int]:
    """Every queue's size for ``user`` and the unread notifications of its inbox
    (``unread``), in one query: the navigation of every page shows them."""
    now = now or timezone.now()
    columns = {
        key: SubqueryCount(queue(user, now).values("pk")) for key, queue in queues_of(user).items()
    }
    columns[UNREAD] = SubqueryCount(
        Notification.objects.filter(user=user.pk, read_at=None).values("pk")
    )
    return dict(User.objects.filter(pk=user.pk).values(**columns).get())


def total(counted: dict[str, int]) -> int:
    """The number the navigation shows: the items that wait for the user's act."""
    return sum(n for key, n in counted.items() if key not in NOT_COUNTED)


# --- the dashboard's items -------------------------------------------------------------------


@dataclass
class Item:
    """One thing to do: what (``title``, linked), facts (``meta``), by when (``due``) and the
    button that does it."""

    title: str
    url: str
    ref: str = ""
    meta: list[str] = field(default_factory=list)
    due: dt.datetime | dt.date | None = None
    due_label: str = ""
    overdue: bool = False
    action: str = ""
    action_url: str = ""
    obj: object = None


@dataclass
class Queue:
    key: str
    title: str
    empty: str
    items: list[Item]
    count: int
    help: str = ""
    more_url: str = ""
    more_label: str = ""

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def _project_item(p: Project, **kwargs) -> Item:
    return Item(
        title=p.title, url=reverse("project_detail", args=[p.key]), ref=p.reference or "", **kwargs
    )


def _verification_item(v: Verification, **kwargs) -> Item:
    return Item(
        title=_("%(project)s: verification %(number)s")
        % {"project": v.project.title, "number": v.number},
        url=reverse("monitoring", args=[v.project.key]),
        ref=v.project.reference or "",
        **kwargs,
    )


def _invoice_item(i: Invoice, today: dt.date, **kwargs) -> Item:
    """An open invoice, due on its day (overdue after it)."""
    return Item(
        title=_("Invoice %(number)s: %(project)s")
        % {"number": i.number, "project": i.project.title},
        url=reverse("invoice_detail", args=[i.number]),
        ref=i.project.reference or "",
        due=i.due_on,
        overdue=i.due_on < today,
        **kwargs,
    )


def _capped(qs: QuerySet, group, order: list) -> QuerySet:
    """At most ``SHOWN`` rows of each ``group`` (an expression) in one query: several queues of
    the same table share it."""
    return qs.annotate(
        queue_group=group,
        queue_rank=Window(RowNumber(), partition_by=[F("queue_group")], order_by=order),
    ).filter(queue_rank__lte=SHOWN)


def _fee_meta(status: str | None, balance=None, amount=None) -> str:
    if status == FeeAssessment.Status.DUE and balance and amount and balance != amount:
        return _("fee: balance due %(balance)s of %(amount)s") % {
            "balance": usd(balance),
            "amount": usd(amount),
        }
    if status == FeeAssessment.Status.DUE and balance:
        return _("fee: balance due %(balance)s") % {"balance": usd(balance)}
    if status:
        return _("fee: %(status)s") % {"status": FeeAssessment.Status(status).label.lower()}
    return str(_("fee: not assessed"))


def _aie(name: str) -> str:
    return _("AIE %(aie)s") % {"aie": name}


def _secretariat(user, now, counted) -> list[Queue]:
    group = Case(
        When(status=S.PDD_SUBMITTED, then=Value("pdds")),
        When(status=S.DETERMINATION_SUBMITTED, then=Value("reports")),
        default=Value("unappraised"),
    )
    projects = with_fee(
        Project.objects.filter(
            Q(status__in=[S.PDD_SUBMITTED, S.DETERMINATION_SUBMITTED])
            | Q(pk__in=secretariat_unappraised(now).values("pk"))
        ).select_related("host_party", "aie")
    )
    found: dict[str, list[Item]] = {"pdds": [], "reports": [], "unappraised": []}
    for p in _capped(projects, group, [F("updated_at").asc(), F("pk").asc()]):
        aie = _aie(p.aie.name) if p.aie else ""
        if p.queue_group == "pdds":
            item = _project_item(
                p,
                meta=[p.host_party.name, aie],
                due=p.updated_at,
                due_label=_("submitted"),
                action=_("Check PDD"),
                action_url=reverse("check_pdd", args=[p.key]),
            )
        elif p.queue_group == "reports":
            item = _project_item(
                p,
                meta=[
                    aie,
                    _("determination %(fee)s")
                    % {"fee": _fee_meta(p.fee_status, p.fee_balance, p.fee_amount)},
                ],
                due=p.updated_at,
                due_label=_("submitted"),
                action=_("Check report"),
                action_url=reverse("determination_check", args=[p.key]),
                # the fee is recorded here when it is due (``fee_payment``)
                obj=p if p.fee_status == FeeAssessment.Status.DUE else None,
            )
        else:
            item = _project_item(
                p,
                meta=[p.host_party.name, str(p.get_status_display())],
                due=p.review_window_closes_at,
                due_label=_("review window closes"),
                action=_("Appoint appraisers"),
                action_url=reverse("appraisal_appoint", args=[p.key]),
            )
        found[p.queue_group].append(item)

    fee = FeeAssessment.objects.filter(
        project=OuterRef("project"), kind=FeeAssessment.Kind.VERIFICATION, number=OuterRef("number")
    )
    verifications = [
        _verification_item(
            v,
            meta=[_aie(v.aie.name), _("verification %(fee)s") % {"fee": _fee_meta(v.fee_status)}],
            due=v.submitted_at,
            due_label=_("submitted"),
            action=_("Publish the report"),
            action_url=reverse("verification_publish", args=[v.project.key, v.number]),
        )
        for v in verifications_to_publish()
        .annotate(fee_status=Subquery(fee.values("status")[:1]))
        .select_related("project", "aie")
        .order_by("submitted_at", "pk")[:SHOWN]
    ]

    review_group = Case(
        When(status=R.CORRECTIONS, then=Value("corrections")),
        default=Value("reviews"),
    )
    reviews = Review.objects.filter(
        Q(pk__in=corrections_to_confirm().values("pk"))
        | Q(pk__in=reviews_to_steer(now).values("pk"))
    ).select_related("project")
    for r in _capped(reviews, review_group, [F("due_at").asc(), F("pk").asc()]):
        url = reverse("review_detail", args=[r.pk])
        item = Item(
            title=r.project.title,
            url=url,
            ref=r.project.reference or "",
            meta=[str(r.get_kind_display()), str(r.get_status_display())],
            due=r.due_at,
            due_label=_("decision due by"),
            overdue=r.due_at < now,
        )
        if r.queue_group == "corrections":
            item.due, item.due_label, item.overdue = (
                r.corrections_submitted_at,
                _("submitted"),
                False,
            )
            item.action, item.action_url = _("Confirm the corrections"), url + "#confirm"
        elif r.status == R.REQUESTED:
            item.action, item.action_url = _("Appoint the team"), url + "#appoint-team"
        elif r.status == R.REPORTED:
            item.action, item.action_url = _("Record the decision"), url + "#decide"
        else:
            item.action, item.action_url = _("Open the review"), url
        found.setdefault(r.queue_group, []).append(item)

    late = [
        Item(
            title=a.project.title,
            url=reverse("appraisal_detail", args=[a.pk]),
            ref=a.project.reference or "",
            meta=[
                ngettext("%(n)s form not filed", "%(n)s forms not filed", a.unfiled)
                % {"n": a.unfiled}
            ],
            due=a.due_at,
            due_label=_("appraisal due"),
            overdue=True,
            action=_("Open the appraisal"),
            action_url=reverse("appraisal_detail", args=[a.pk]),
        )
        for a in late_appraisals(now)
        .annotate(unfiled=Count("appraisers", filter=Q(appraisers__filed_at__isnull=True)))
        .select_related("project")
        .order_by("due_at", "pk")[:SHOWN]
    ]

    today = timezone.localdate()
    invoices = [
        _invoice_item(
            i,
            today,
            meta=[
                _("balance due %(balance)s of %(amount)s")
                % {
                    "balance": usd(i.amount_usd - i.paid_usd - i.credited_usd),
                    "amount": usd(i.amount_usd),
                },
                i.addressee_name,
            ],
            due_label=_("payment due"),
            action=_("Record a payment"),
            action_url=reverse("invoice_detail", args=[i.number]),
        )
        for i in invoices_to_reconcile().select_related("project").order_by("due_on", "pk")[:SHOWN]
    ]
    if counted.get("reimbursements"):  # one line, no query: they are listed on the fees page
        n = counted["reimbursements"]
        invoices.append(
            Item(
                title=ngettext(
                    "%(n)s reimbursement due to participants",
                    "%(n)s reimbursements due to participants",
                    n,
                )
                % {"n": n},
                url=reverse("fees_home"),
                action=_("Record them paid"),
                action_url=reverse("fees_home"),
            )
        )
    minutes = []
    if counted.get("minutes"):  # rare: no query without one
        minutes = [
            Item(
                title=str(m),
                url=reverse("meeting_detail", args=[m.number]),
                due=m.ends_on,
                due_label=_("ended"),
                action=_("Record and publish the minutes"),
                action_url=reverse("meeting_minutes", args=[m.number]),
            )
            for m in minutes_to_publish().order_by("ends_on", "number")[:SHOWN]
        ]
    c = counted
    return [
        Queue(
            "pdds",
            _("PDDs to check"),
            _("No PDD is waiting for a check."),
            found["pdds"],
            c["pdds"],
            help=_(
                "Check the PDD for completeness and publish it for 30 days of comments (para 32)."
            ),
        ),
        Queue(
            "reports",
            _("Determination reports to check and publish"),
            _("No determination report is waiting for a check."),
            found["reports"],
            c["reports"],
            help=_(
                "The determination fee is due on submission; publish the report once it is paid (para 34)."
            ),
        ),
        Queue(
            "verifications",
            _("Verification reports to publish"),
            _("No verification report is waiting for publication."),
            verifications,
            c["verifications"],
            help=_(
                "The verification fee is due on submission; publication opens the 15-day review window (para 38)."
            ),
        ),
        Queue(
            "corrections",
            _("Corrections to confirm"),
            _("No corrected report is waiting for confirmation."),
            found.get("corrections", []),
            c["corrections"],
        ),
        Queue(
            "unappraised",
            _("Published determinations without appraisers"),
            _("Every published determination has its appraisers."),
            found["unappraised"],
            c["unappraised"],
        ),
        Queue(
            "reviews",
            _("Reviews to steer"),
            _("No review needs you now."),
            found.get("reviews", []),
            c["reviews"],
            help=_(
                "Reviews waiting for their team or the JISC's decision, and those within 7 days of their limit."
            ),
        ),
        Queue(
            "late_appraisals",
            _("Overdue appraisals"),
            _("No appraisal is overdue."),
            late,
            c["late_appraisals"],
        ),
        Queue(
            "invoices",
            _("Payments to reconcile"),
            _("No invoice is open."),
            invoices,
            c["invoices"] + c.get("reimbursements", 0),
        ),
        Queue(
            "minutes",
            _("JISC minutes to publish"),
            _("Every past meeting's minutes are published."),
            minutes,
            c["minutes"],
            help=_("Record each agenda item's decision and publish the minutes after the meeting."),
        ),
    ]


def _clarification_items(user) -> list[Item]:
    return [
        Item(
            title=_("%(project)s: clarification %(number)s")
            % {"project": c.review.project.title, "number": c.number},
            url=reverse("clarification_detail", args=[c.pk]),
            ref=c.review.project.reference or "",
            due=c.due_at,
            due_label=_("answer due"),
            overdue=c.due_at is not None and c.due_at < timezone.now(),
            action=_("Answer"),
            action_url=reverse("clarification_detail", args=[c.pk]) + "#answer",
        )
        for c in clarifications_for(user)
        .select_related("review__project")
        .order_by("due_at", "pk")[:SHOWN]
    ]


def _aie_queues(user, now, counted) -> list[Queue]:
    engagements = [
        _project_item(
            e.project,
            meta=[
                _("host %(party)s") % {"party": e.project.host_party.name},
                _("asked by %(who)s")
                % {
                    "who": e.requested_by.organisation.name
                    if e.requested_by and e.requested_by.organisation
                    else _("the participants")
                },
            ],
            due=e.requested_at,
            due_label=_("asked"),
            action=_("Answer"),
            action_url=reverse("engagement_decide", args=[e.pk]),
            obj=e,
        )
        for e in engagements_to_answer(user)
        .select_related("project__host_party", "requested_by__organisation")
        .order_by("requested_at", "pk")[:SHOWN]
    ]
    returned = Determination.objects.filter(
        project=OuterRef("pk"), status=Determination.Status.RETURNED
    )
    pdd = Document.objects.filter(project=OuterRef("pk"), kind=Document.Kind.PDD)
    projects = []
    for p in (
        aie_projects_to_act(user)
        .annotate(returned=Exists(returned), has_pdd=Exists(pdd))
        .select_related("host_party")
        .order_by(F("due_at").asc(nulls_last=True), "pk")[:SHOWN]
    ):
        meta = [str(p.get_status_display())]
        if p.unanswered:
            meta.append(
                ngettext(
                    "%(n)s comment without an answer",
                    "%(n)s comments without an answer",
                    p.unanswered,
                )
                % {"n": p.unanswered}
            )
        if p.status == S.ENGAGED and not p.has_pdd:
            # only the participants upload (``projects.workflow`` "upload")
            meta.append(str(_("waiting for the participants to upload the PDD")))
            action, url = _("Open the project"), reverse("project_detail", args=[p.key])
        elif p.status == S.ENGAGED:
            action, url = _("Submit the PDD"), reverse("submit_pdd", args=[p.key])
        elif p.unanswered:
            action, url = (
                _("Answer comments"),
                reverse("project_detail", args=[p.key]) + "#comments",
            )
        else:
            action, url = _("File the determination"), reverse("determination_file", args=[p.key])
            if p.returned:
                meta.append(str(_("the secretariat returned the report")))
        projects.append(
            _project_item(
                p,
                meta=meta,
                due=p.comments_close_at if p.status == S.OPEN_FOR_COMMENTS else None,
                due_label=_("comments close"),
                action=action,
                action_url=url,
            )
        )
    monitoring = [
        _project_item(
            m.project,
            meta=[
                _("monitoring report %(number)s, %(start)s – %(end)s")
                % {
                    "number": m.number,
                    "start": day_text(m.period_start),
                    "end": day_text(m.period_end),
                }
            ],
            due=m.submitted_at,
            due_label=_("submitted"),
            action=_("File the verification"),
            action_url=reverse("verification_file", args=[m.pk]),
        )
        for m in monitoring_to_verify(user)
        .select_related("project")
        .order_by("submitted_at", "pk")[:SHOWN]
    ]
    corrections = [
        Item(
            title=r.project.title,
            url=reverse("review_detail", args=[r.pk]),
            ref=r.project.reference or "",
            meta=[str(_("The JISC requires corrections to the determination report."))],
            due=r.decided_at,
            due_label=_("decided"),
            action=_("Submit the corrected report"),
            action_url=reverse("review_detail", args=[r.pk]) + "#corrections",
        )
        for r in corrections_to_submit(user)
        .select_related("project")
        .order_by("decided_at", "pk")[:SHOWN]
    ]
    c = counted
    return [
        Queue(
            "engagements",
            _("Engagements to answer"),
            _("No engagement is waiting for you."),
            engagements,
            c["engagements"],
        ),
        Queue(
            "projects",
            _("Projects waiting for you"),
            _("No project is waiting for you."),
            projects,
            c["projects"],
            help=_(
                "Submit engaged PDDs, answer every comment, and file the determination after the 30-day comment period (paras 32–33)."
            ),
        ),
        Queue(
            "monitoring",
            _("Monitoring reports to verify"),
            _("No monitoring report is waiting for verification."),
            monitoring,
            c["monitoring"],
            help=_("Determine the reductions and file F-JI-VRep (para 37)."),
        ),
        Queue(
            "review",
            _("JISC review: to answer"),
            _("No clarification or correction is asked of you."),
            [*corrections, *_clarification_items(user)],
            c["corrections"] + c["clarifications"],
        ),
    ]


def _participant_queues(user, now, counted) -> list[Queue]:
    drafts = [
        _project_item(
            p,
            meta=[str(p.get_status_display()), p.host_party.name],
            due=p.updated_at,
            due_label=_("last changed"),
            action=_("Continue"),
            action_url=reverse("project_detail", args=[p.key]),
        )
        for p in participant_drafts(user)
        .select_related("host_party")
        .order_by("-updated_at", "pk")[:SHOWN]
    ]
    today = timezone.localdate()
    invoices = [
        _invoice_item(
            i,
            today,
            meta=[
                _("balance due %(balance)s") % {"balance": usd(i.balance)},
                _("quote %(number)s with the payment") % {"number": i.number},
            ],
            due_label=_("pay by"),
            action=_("How to pay"),
            action_url=reverse("invoice_detail", args=[i.number]),
        )
        for i in participant_invoices(user)
        .annotate(balance=F("amount_usd") - F("paid_usd") - F("credited_usd"))
        .select_related("project")
        .order_by("due_on", "pk")[:SHOWN]
    ]
    c = counted
    return [
        Queue(
            "drafts",
            _("Drafts"),
            _("No draft: start with “New project”."),
            drafts,
            c["drafts"],
            help=_(
                "Complete the project, upload the PDD and the letters of approval, and engage an AIE."
            ),
        ),
        Queue(
            "invoices",
            _("Invoices to pay"),
            _("Nothing to pay."),
            invoices,
            c["invoices"],
            help=_(
                "Fees are due on submission of the report they are charged for; quote the invoice number."
            ),
            more_url=reverse("fees_owed"),
            more_label=_("What your organisation owes, and how to pay"),
        ),
        Queue(
            "review",
            _("JISC review: to answer"),
            _("No clarification is asked of you."),
            _clarification_items(user),
            c["clarifications"],
        ),
    ]


def _window_items(user, now) -> tuple[list[Item], list[Item]]:
    determinations = [
        _project_item(
            p,
            meta=[p.host_party.name, _aie(p.aie.name) if p.aie else ""],
            due=p.review_window_closes_at,
            due_label=_("review window closes"),
            action=_("Request a review"),
            action_url=reverse("review_request", args=[p.key]),
        )
        for p in determinations_to_request(user, now)
        .select_related("host_party", "aie")
        .order_by("review_window_closes_at", "pk")[:SHOWN]
    ]
    verifications = [
        _verification_item(
            v,
            meta=[_aie(v.aie.name)],
            due=v.review_window_closes_at,
            due_label=_("review window closes"),
            action=_("Request a review"),
            action_url=reverse("verification_review", args=[v.project.key, v.number]),
        )
        for v in verifications_to_request(user, now)
        .select_related("project", "aie")
        .order_by("review_window_closes_at", "pk")[:SHOWN]
    ]
    return determinations, verifications


def _window_queues(user, now, counted, determinations, verifications) -> list[Queue]:
    return [
        Queue(
            "determinations",
            _("Determinations open to a review request"),
            _("No determination is in its 45-day period."),
            determinations,
            counted["determinations"],
            help=_(
                "A Party involved, or three JISC members, may request a review until the window closes (para 35)."
            ),
        ),
        Queue(
            "verifications",
            _("Verifications open to a review request"),
            _("No verification is in its 15-day period."),
            verifications,
            counted["verifications"],
            help=_(
                "A Party involved, or three JISC members, may request a review within 15 days (para 39)."
            ),
        ),
    ]


def _party_queues(user, now, counted) -> list[Queue]:
    approvals = [
        _project_item(
            p,
            meta=[str(p.get_status_display()), p.host_party.name],
            due=p.updated_at,
            due_label=_("last changed"),
            action=_("Give or confirm the approval"),
            action_url=reverse("project_detail", args=[p.key]) + "#parties",
        )
        for p in approvals_to_give(user)
        .select_related("host_party")
        .order_by("created_at", "pk")[:SHOWN]
    ]
    joining = (
        [
            _project_item(
                change.project,
                meta=[change.project.host_party.name, change.reason[:120]],
                due=change.requested_at,
                due_label=_("requested"),
                action=_("Record your Party's approval"),
                action_url=reverse("participation_change_approve", args=[change.pk]),
            )
            for change in party_changes_to_approve(user)
            .select_related("project__host_party")
            .order_by("requested_at", "pk")[:SHOWN]
        ]
        if counted.get("joining")
        else []
    )
    determinations, verifications = _window_items(user, now)
    erus = [
        _verification_item(
            v,
            meta=[_("%(n)s ERUs still to issue") % {"n": f"{v.verified_total - v.erus_issued:,}"}],
            due=v.final_on,
            due_label=_("final on"),
            action=_("Issue ERUs"),
            action_url=reverse("eru_issue", args=[v.project.key, v.number]),
        )
        for v in erus_to_issue(user).select_related("project").order_by("final_on", "pk")[:SHOWN]
    ]
    c = counted
    return [
        Queue(
            "approvals",
            _("Approvals to give"),
            _("No project of your Party waits for its approval."),
            approvals,
            c["approvals"],
            help=_(
                "The determination states that the Parties involved have approved the project (para 33 (a))."
            ),
        ),
        Queue(
            "joining",
            _("Projects asking your Party to join"),
            _("No project asks your Party to join it as a Party involved."),
            joining,
            c["joining"],
            help=_(
                "The participants of a final project asked to add your Party; the addition "
                "applies when your Party's approval is recorded (para 33 (a))."
            ),
        ),
        *_window_queues(user, now, counted, determinations, verifications),
        Queue(
            "erus",
            _("ERUs to issue"),
            _("No final verification waits for its ERUs."),
            erus,
            c["erus"],
            help=_(
                "Issue the ERUs of a final verification by converting AAUs (decision 13/CMP.1, annex, para 29)."
            ),
        ),
    ]


def _seat_items(user, now) -> list[Item]:
    return [
        Item(
            title=s.appraisal.project.title,
            url=reverse("appraisal_detail", args=[s.appraisal_id]),
            ref=s.appraisal.project.reference or "",
            meta=[s.form_name]
            + (
                []
                if s.no_conflict_declared_at
                else [str(_("declare no conflict of interest first"))]
            ),
            due=s.appraisal.due_at,
            due_label=_("due"),
            overdue=s.appraisal.due_at < now,
            action=_("File %(form)s") % {"form": s.form_name},
            action_url=reverse("appraisal_detail", args=[s.appraisal_id]) + "#your-form",
        )
        for s in appraisal_seats(user)
        .select_related("appraisal__project")
        .order_by("appraisal__due_at", "pk")[:SHOWN]
    ]


def _jisc_queues(user, now, counted) -> list[Queue]:
    team = [
        Item(
            title=t.review.project.title,
            url=reverse("review_detail", args=[t.review_id]),
            ref=t.review.project.reference or "",
            meta=([str(_("lead"))] if t.lead else []) + [str(t.review.get_status_display())],
            due=t.review.due_at,
            due_label=_("decision due by"),
            overdue=t.review.status in Review.AWAITING_DECISION and t.review.due_at < now,
            action=_("Open the review"),
            action_url=reverse("review_detail", args=[t.review_id]),
        )
        for t in team_seats(user)
        .select_related("review__project")
        .order_by("review__due_at", "pk")[:SHOWN]
    ]
    determinations, verifications = _window_items(user, now)
    c = counted
    return [
        Queue(
            "seats",
            _("Appraisals to file"),
            _("No appraisal is waiting for you."),
            _seat_items(user, now),
            c["seats"],
        ),
        Queue(
            "team",
            _("Reviews on which you sit"),
            _("You do not sit on any open review."),
            team,
            c["team"],
        ),
        *_window_queues(user, now, counted, determinations, verifications),
    ]


def _expert_queues(user, now, counted) -> list[Queue]:
    return [
        Queue(
            "seats",
            _("Inputs to file"),
            _("No appraisal is waiting for your input."),
            _seat_items(user, now),
            counted["seats"],
        ),
    ]


BUILDERS = {
    User.Role.SECRETARIAT: _secretariat,
    User.Role.AIE: _aie_queues,
    User.Role.PARTICIPANT: _participant_queues,
    User.Role.PARTY: _party_queues,
    User.Role.JISC: _jisc_queues,
    User.Role.EXPERT: _expert_queues,
}


def work(user, counted: dict[str, int], now: dt.datetime | None = None) -> list[Queue]:
    """The user's queues with their first items, from the counts ``counts`` read."""
    if not queues_of(user):
        return []
    return BUILDERS[user.role](user, now or timezone.now(), counted)


def next_meeting(today: dt.date | None = None) -> Meeting | None:
    """The JISC's next (or current) meeting, whose agenda a member prepares."""
    today = today or timezone.localdate()
    return Meeting.objects.filter(ends_on__gte=today).order_by("starts_on", "number").first()
