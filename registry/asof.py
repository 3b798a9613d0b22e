"""A project's public page as it stood at the end of a given day (``?as_of=YYYY-MM-DD``).

Reviews and audits ask what was public when. The answer is rebuilt from the append-only event
log (STYLE habit 2), not from the project's current columns: the status is the last
``to_status`` recorded up to the end of the day; the reference, availability dates and windows
come from the ``pdd_published`` and ``determination_published`` events (a Track 1 project's from
its ``track1_recorded`` event: public from the moment it was recorded); the AIE from
``aie_changed``; the verifications, their windows and the ERUs issued from the verification and
issuance events; comment answers from the answer events (which carry the answer's text).
The participants, the other Parties involved and the end of the crediting period are the current
ones with the changes recorded after the day undone, newest first (``projects.changes``: each
event carries the organisation's or the Party's id and name, a renewal the old and the new end).
Documents and comments carry their own publication and receipt instants.

"The end of day D" is 24:00 GMT on D, i.e. everything recorded before 00:00 GMT on D + 1
(ji-rules §4: all instants are UTC). The page is always the public view, whoever asks: what
insiders saw is not what was published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from determinations.models import Verification
from jitrack.errors import Invalid
from jitrack.web import part_of_page
from projects.models import Comment, Document, Event, Project
from projects.selectors import public_documents
from projects.timeline import event_detail, event_label
from reviews.models import Review

S = Project.Status
# A long history (thousands of events, hundreds of comments) is shown a page at a time, on the
# live page (``views.project_detail``) as here.
EVENTS_PER_PAGE = 50
COMMENTS_PER_PAGE = 50


def parse_day(value: str, *, today: date) -> date:
    """``YYYY-MM-DD`` no later than today."""
    try:
        day = date.fromisoformat(value.strip())
    except (TypeError, ValueError):
        raise Invalid(
            _("Give the date as YYYY-MM-DD, for example 2011-05-30."),
            code="bad_as_of",
            field="as_of",
        ) from None
    if len(value.strip()) != 10:
        raise Invalid(_("Give the date as YYYY-MM-DD."), code="bad_as_of", field="as_of")
    if day > today:
        raise Invalid(
            _("The page can be shown as it stood on a past day or today, not later."),
            code="as_of_in_future",
            field="as_of",
        )
    return day


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (GMT): events strictly before it count."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _instant(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@dataclass
class VerificationState:
    number: int
    available_on: date | None = None
    review_window_closes_at: datetime | None = None
    verified_total: int = 0
    # The status it had then: a fact of the past, rebuilt from events, never written to a row.
    phase: str = "published"
    final_on: date | None = None
    erus_issued: int = 0
    review_due_at: datetime | None = None

    @property
    def status(self) -> str:
        return self.phase

    @property
    def status_label(self) -> str:
        return Verification.Status(self.phase).label


@dataclass
class ComponentState:
    """A component of a programme as the events left it by the end of the day."""

    number: int
    reference: str
    title: str
    included_on: date | None
    excluded_on: date | None = None


@dataclass
class Snapshot:
    """The public facts of a project at ``until`` (exclusive)."""

    day: date
    until: datetime
    published: bool = False
    # The status it had then (``phase``): rebuilt from events, never written to a row.
    phase: str = ""
    reference: str = ""
    aie: str = ""
    pdd_available_on: date | None = None
    comments_close_at: datetime | None = None
    determination_available_on: date | None = None
    review_window_closes_at: datetime | None = None
    outcome: str = ""
    final_on: date | None = None
    withdrawn_on: date | None = None
    review_requests: int = 0
    review_parties: list[str] = field(default_factory=list)
    review_started_at: datetime | None = None
    review_due_at: datetime | None = None
    review_decision: str = ""
    review_decided_at: datetime | None = None
    verifications: list[VerificationState] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # (id, name), ordered by name: as they stood at the end of the day
    participants: list[tuple[int, str]] = field(default_factory=list)
    parties: list[tuple[int, str]] = field(default_factory=list)
    crediting_end: date | None = None
    answers: dict[int, tuple[str, datetime]] = field(default_factory=dict)
    # Track 1 (para 23): recorded by the host's focal point, public from that moment
    track1_recorded_at: datetime | None = None
    # a programme's components as they stood: reference -> ComponentState, in number order
    components: list[ComponentState] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.phase

    @property
    def status_label(self) -> str:
        return S(self.phase).label if self.phase in S.values else ""

    @property
    def review_decision_label(self) -> str:
        decision = self.review_decision
        return Review.Decision(decision).label if decision in Review.Decision.values else decision

    @property
    def deadline(self) -> tuple[str, datetime] | None:
        """The window still open at the end of the day, if any."""
        if self.status == S.OPEN_FOR_COMMENTS and self.comments_close_at:
            if self.comments_close_at >= self.until - timedelta(microseconds=1):
                return _("Comment period closes"), self.comments_close_at
        if self.status == S.DETERMINATION_PUBLISHED and self.review_window_closes_at:
            if self.review_window_closes_at >= self.until - timedelta(microseconds=1):
                return _("Review window closes"), self.review_window_closes_at
        return None

    @property
    def erus_issued(self) -> int:
        return sum(v.erus_issued for v in self.verifications)


def rebuild(
    events: list[Event],
    day: date,
    *,
    current_aie: str = "",
    participants: list[tuple[int, str]] = (),
    parties: list[tuple[int, str]] = (),
    crediting_end: date | None = None,
) -> Snapshot:
    """The snapshot at the end of ``day`` from the project's events (all of them, in order;
    private ones count for the status, only public ones are listed) and the project's current
    participants, other Parties involved and crediting period end. Pure: no queries."""
    until = end_of(day)
    snap = Snapshot(day=day, until=until, aie=current_aie)
    snap.participants, snap.parties, snap.crediting_end = _undo_changes(
        events, until, participants, parties, crediting_end
    )
    verifications: dict[int, VerificationState] = {}
    components: dict[int, ComponentState] = {}
    later_aie_change: Event | None = None
    for event in events:
        if event.created_at >= until:
            if event.kind == "aie_changed" and later_aie_change is None:
                later_aie_change = event
            continue
        data = event.data or {}
        if event.to_status:
            snap.phase = event.to_status
        if event.public:
            snap.events.append(event)
        number = data.get("verification")
        kind = event.kind
        if kind == "pdd_published":
            snap.reference = data.get("reference") or snap.reference
            snap.pdd_available_on = _date(data.get("available_on"))
            snap.comments_close_at = _instant(data.get("comments_close_at"))
        elif kind == "aie_changed":
            snap.aie = data.get("aie") or snap.aie
        elif kind == "component_included" and data.get("component") is not None:
            components[data["component"]] = ComponentState(
                number=data["component"],
                reference=data.get("reference", ""),
                title=data.get("title", ""),
                included_on=_date(data.get("included_on")),
            )
        elif kind == "component_excluded" and data.get("component") in components:
            components[data["component"]].excluded_on = _date(data.get("excluded_on"))
        elif kind == "track1_recorded":
            snap.track1_recorded_at = event.created_at
            snap.reference = data.get("reference") or snap.reference
            snap.outcome = data.get("outcome", "positive")
            snap.determination_available_on = _date(data.get("determined_on"))
            snap.final_on = snap.determination_available_on
        elif kind == "determination_published":
            snap.outcome = data.get("outcome", "")
            snap.determination_available_on = _date(data.get("available_on"))
            snap.review_window_closes_at = _instant(data.get("review_window_closes_at"))
        elif kind in ("determination_final", "determination_rejected"):
            snap.final_on = _date(data.get("final_on")) or event.created_at.date()
        elif kind == "withdrawn":
            snap.withdrawn_on = event.created_at.astimezone(UTC).date()
        elif kind == "review_request_received" and number is None:
            snap.review_requests += 1
            if data.get("party"):
                snap.review_parties.append(event.actor_label)
        elif kind == "review_started":
            snap.review_started_at = event.created_at
            snap.review_due_at = _instant(data.get("due_at"))
        elif kind == "review_decided" and number is None:
            snap.review_decision = data.get("decision", "")
            snap.review_decided_at = event.created_at
            if snap.status in (S.FINAL, S.REJECTED):
                snap.final_on = event.created_at.astimezone(UTC).date()
        elif kind in ("comment_answered", "comment_answer_revised") and "answer" in data:
            snap.answers[data.get("comment_id")] = (data["answer"], event.created_at)
        elif number is not None:
            _verification_event(verifications, number, event, data)
    snap.published = bool(
        snap.pdd_available_on and snap.pdd_available_on <= day and snap.status != S.DRAFT
    ) or (snap.track1_recorded_at is not None)
    snap.components = [components[n] for n in sorted(components)]
    if later_aie_change is not None:
        snap.aie = (later_aie_change.data or {}).get("old_aie") or snap.aie
    snap.verifications = sorted(
        (v for v in verifications.values() if v.available_on and v.available_on <= day),
        key=lambda v: v.number,
    )
    return snap


def _undo_changes(
    events: list[Event],
    until: datetime,
    participants: list[tuple[int, str]],
    parties: list[tuple[int, str]],
    crediting_end: date | None,
) -> tuple[list[tuple[int, str]], list[tuple[int, str]], date | None]:
    """The current sets with every change recorded at or after ``until`` undone, newest first."""
    orgs = dict(participants)
    involved = dict(parties)
    for event in reversed(events):
        if event.created_at < until:
            break
        data = event.data or {}
        kind = event.kind
        if kind == "participant_added":
            orgs.pop(data.get("organisation_id"), None)
        elif kind == "participant_removed" and data.get("organisation_id"):
            orgs[data["organisation_id"]] = data.get("organisation", "")
        elif kind == "party_added":
            involved.pop(data.get("party_id"), None)
        elif kind == "party_removed" and data.get("party_id"):
            involved[data["party_id"]] = data.get("party_name", "")
        elif kind == "crediting_period_renewed":
            crediting_end = _date(data.get("old_end"))
    by_name = sorted(orgs.items(), key=lambda row: row[1])
    return by_name, sorted(involved.items(), key=lambda row: row[1]), crediting_end


def _verification_event(
    states: dict[int, VerificationState], number: int, event: Event, data: dict
) -> None:
    kind = event.kind
    if kind == "track1_verification":  # para 23: recorded final, as the host made it
        verified_on = _date(data.get("verified_on"))
        states[number] = VerificationState(
            number=number,
            available_on=verified_on,
            verified_total=int(data.get("verified_total") or 0),
            phase="final",
            final_on=verified_on,
        )
        return
    if kind == "verification_published":
        states[number] = VerificationState(
            number=number,
            available_on=_date(data.get("available_on")),
            review_window_closes_at=_instant(data.get("review_window_closes_at")),
            verified_total=int(data.get("verified_total") or 0),
        )
        return
    state = states.get(number)
    if state is None:  # events of a verification never published: nothing public
        return
    if kind == "verification_review_started":
        state.phase = "under_review"
        state.review_due_at = _instant(data.get("due_at"))
    elif kind == "verification_final":
        state.phase = "final"
        state.final_on = _date(data.get("final_on")) or event.created_at.date()
    elif kind == "review_decided":
        decision = data.get("decision")
        if decision == "confirmed":
            state.phase, state.final_on = "final", event.created_at.astimezone(UTC).date()
        elif decision == "rejected":
            state.phase = "rejected"
    elif kind == "erus_issued":
        state.erus_issued += int(data.get("quantity") or 0)


def public_documents_at(project: Project, until: datetime) -> QuerySet[Document]:
    return public_documents(project, until=until).order_by("kind", "-version", "pk")


def comments_at(project: Project, snap: Snapshot) -> list[Comment]:
    """Comments received by the end of the day, each with the answer it had then."""
    comments = list(project.comments.filter(submitted_at__lt=snap.until).order_by("submitted_at"))
    for comment in comments:
        if comment.pk in snap.answers:
            comment.answer, comment.answered_at = snap.answers[comment.pk]
        elif not (comment.answered_at and comment.answered_at < snap.until):
            # answered later, or answered before answer texts were logged and revised since
            comment.answer, comment.answered_at = "", None
    return comments


def project_as_of(request: HttpRequest, project: Project, raw: str) -> HttpResponse:
    """The public project page at the end of the day ``raw`` names. Five queries."""
    try:
        day = parse_day(raw, today=timezone.now().astimezone(UTC).date())
    except Invalid as err:
        return render(
            request,
            "projects/as_of.html",
            {"project": project, "error": err.detail, "as_of": raw},
            status=400,
        )
    events = list(Event.objects.filter(project=project).order_by("created_at", "pk"))
    snap = rebuild(
        events,
        day,
        current_aie=project.aie.name if project.aie_id else "",
        participants=[(org.pk, org.name) for org in project.participants.all()],
        parties=[
            (party.pk, party.name)
            for party in project.parties_involved.all()
            if party.pk != project.host_party_id
        ],
        crediting_end=project.crediting_end,
    )
    context: dict = {"project": project, "snap": snap, "as_of": day.isoformat()}
    if not snap.published:
        return render(request, "projects/as_of.html", context, status=404)
    # The same pages as the live page: the newest events, the first comments.
    timeline = part_of_page(
        request, snap.events, param="events", per_page=EVENTS_PER_PAGE, newest_first=True
    )
    for event in timeline["items"]:
        event.label = event_label(event.kind)
        event.detail = event_detail(event)
    comment_pages = part_of_page(
        request, comments_at(project, snap), param="comments", per_page=COMMENTS_PER_PAGE
    )
    context.update(
        documents=list(public_documents_at(project, snap.until)),
        timeline=timeline,
        events=timeline["items"],
        comment_pages=comment_pages,
        comments=comment_pages["items"],
        comment_count=comment_pages["page"].paginator.count,
    )
    return render(request, "projects/as_of.html", context)
