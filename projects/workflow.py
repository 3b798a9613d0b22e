"""The one writer of ``Project.status`` and ``Engagement.status`` (STYLE habit 1).

Each act opens a transaction, locks the project row, checks its guard (who may, in which
status), saves, appends an ``Event`` and queues notifications after commit. Views, API, admin and
the clock all call these functions. The later stages move the project through ``transition``;
they hear of its end through ``projects.signals`` (sent inside the transaction, so a receiver
that fails rolls the whole act back).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jitrack.errors import Conflict, Forbidden, Invalid, NotFound
from jitrack.files import as_django_file, clean_filename, read_pdf_upload
from jitrack.guards import Guard
from jitrack.i18n import official
from jitrack.statuses import Machine
from jitrack.text import check_text

from . import deadlines, signals
from .models import (
    Accreditation,
    Comment,
    Counter,
    Document,
    Engagement,
    Event,
    ExpectedReduction,
    LetterOfApproval,
    Organisation,
    Party,
    Project,
    SectoralScope,
    User,
    average_tonnes,
)
from .notify import notify, notify_many

S = Project.Status
E = Engagement.Status

# The project's allowed moves. The determination's stages (``determinations.workflow``) and the
# review's start (``reviews.workflow``, through ``determinations.workflow``) use the same table.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.ENGAGED, S.WITHDRAWN},
    S.ENGAGED: {S.PDD_SUBMITTED, S.WITHDRAWN},
    S.PDD_SUBMITTED: {S.OPEN_FOR_COMMENTS, S.ENGAGED, S.WITHDRAWN},
    S.OPEN_FOR_COMMENTS: {S.COMMENTS_CLOSED, S.WITHDRAWN},
    S.COMMENTS_CLOSED: {S.DETERMINATION_SUBMITTED, S.WITHDRAWN},
    S.DETERMINATION_SUBMITTED: {S.DETERMINATION_PUBLISHED, S.COMMENTS_CLOSED, S.WITHDRAWN},
    S.DETERMINATION_PUBLISHED: {S.FINAL, S.REJECTED, S.UNDER_REVIEW, S.WITHDRAWN},
    S.UNDER_REVIEW: {S.FINAL, S.REJECTED, S.DETERMINATION_SUBMITTED, S.WITHDRAWN},
    # ji-rules §7 "End of a project": after final, terminated by the PPs (or by the secretariat
    # at the end of the crediting period).
    S.FINAL: {S.TERMINATED},
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
    S.TERMINATED: set(),
}
# An engagement waits for the AIE's answer; an accepted one ends when the AIE is changed or the
# project withdrawn.
ENGAGEMENT_TRANSITIONS: dict[str, set[str]] = {
    E.PENDING: {E.ACCEPTED, E.DECLINED, E.ENDED},
    E.ACCEPTED: {E.ENDED},
    E.DECLINED: set(),
    E.ENDED: set(),
}
D = Document.Status
# A document published in error is superseded (by a newer version) or withdrawn, with a public
# reason; it stays on the record (ji-rules §7 "Documents").
DOCUMENT_TRANSITIONS: dict[str, set[str]] = {
    D.CURRENT: {D.SUPERSEDED, D.WITHDRAWN},
    D.SUPERSEDED: set(),
    D.WITHDRAWN: set(),
}
PROJECT = Machine(Project, TRANSITIONS)
ENGAGEMENT = Machine(Engagement, ENGAGEMENT_TRANSITIONS)
DOCUMENT = Machine(Document, DOCUMENT_TRANSITIONS)

TERMINAL = {S.FINAL, S.REJECTED, S.WITHDRAWN, S.TERMINATED}
# A project ends in these; fees follow the end (ji-rules §5: the advance above USD 30,000 is
# reimbursed when no verification report was ever submitted).
ENDED_UNVERIFIABLE = {S.WITHDRAWN, S.REJECTED, S.TERMINATED}
EDITABLE = {S.DRAFT, S.ENGAGED}
# Letters of approval are recorded until the determination is submitted.
APPROVAL_STATUSES = {S.DRAFT, S.ENGAGED, S.PDD_SUBMITTED, S.OPEN_FOR_COMMENTS, S.COMMENTS_CLOSED}
# Seed 003 "Change of AIE": after the PDD is published and its comment period has ended, and
# before the determination is submitted. A returned determination counts as not submitted.
AIE_CHANGE_STATUSES = {S.COMMENTS_CLOSED}
# [our reading] ji-rules §7 "Accreditation at every act": after a suspension or withdrawal of
# the AIE's accreditation the change is allowed at any stage before its determination is
# published (an unpublished determination of the old AIE is withdrawn with the change).
AIE_CHANGE_AFTER_SUSPENSION = {
    S.ENGAGED,
    S.PDD_SUBMITTED,
    S.OPEN_FOR_COMMENTS,
    S.COMMENTS_CLOSED,
    S.DETERMINATION_SUBMITTED,
}
SYSTEM_LABEL = "jitrack clock"

# Who may do each act on a project, and in which statuses. The acts check these; pages and the
# API ask the same ones (``projects.selectors.available_actions``).
GUARDS: dict[str, Guard] = {
    "edit": Guard(
        "projects.edit_project",
        EDITABLE,
        gettext_lazy("Only the project participants can edit it."),
        gettext_lazy("edit the project"),
    ),
    "upload": Guard(
        "projects.edit_project",
        EDITABLE,
        gettext_lazy("Only the project participants can upload."),
        gettext_lazy("upload documents"),
    ),
    "approve": Guard(
        "projects.edit_project",
        APPROVAL_STATUSES,
        gettext_lazy("Only the project participants can do this."),
        gettext_lazy("record a letter of approval"),
    ),
    "engage": Guard(
        "projects.engage_aie",
        {S.DRAFT},
        gettext_lazy("Only the project participants can engage."),
        gettext_lazy("engage an AIE"),
    ),
    "change_aie": Guard(
        "projects.change_aie",
        AIE_CHANGE_AFTER_SUSPENSION,
        gettext_lazy("Only the project participants can change AIE."),
        conflict=lambda project: _(
            "The AIE can be changed only after the comment period has ended and before the "
            "determination is submitted."
        ),
        code="window_closed",
    ),
    "withdraw": Guard(
        "projects.withdraw_project",
        set(TRANSITIONS) - TERMINAL,
        gettext_lazy("Only the project participants can withdraw."),
        conflict=lambda project: (
            _("The project is already %(status)s.")
            % {"status": project.get_status_display().lower()}
        ),
    ),
    "submit_pdd": Guard(
        "projects.submit_pdd",
        {S.ENGAGED},
        gettext_lazy("Only the engaged AIE can submit the PDD."),
        gettext_lazy("submit the PDD"),
    ),
    "check_pdd": Guard(
        "projects.check_pdd",
        {S.PDD_SUBMITTED},
        gettext_lazy("Only the secretariat checks submissions."),
        gettext_lazy("check the PDD"),
    ),
    "remove_comment": Guard(
        "projects.remove_comment",
        set(TRANSITIONS) - {S.DRAFT, S.ENGAGED, S.PDD_SUBMITTED},
        gettext_lazy("Only the secretariat removes comments."),
        gettext_lazy("remove a comment"),
    ),
    "set_document_aside": Guard(
        "projects.manage_documents",
        set(TRANSITIONS) - {S.DRAFT, S.ENGAGED},
        gettext_lazy("Only the secretariat supersedes or withdraws a published document."),
        gettext_lazy("set a document aside"),
    ),
    "terminate": Guard(
        "projects.terminate_project",
        {S.FINAL},
        gettext_lazy(
            "Only the project participants, or the secretariat at the end of the crediting period, "
            "terminate a project."
        ),
        gettext_lazy("terminate the project"),
    ),
    "answer": Guard(
        "projects.answer_comment",
        {S.OPEN_FOR_COMMENTS, S.COMMENTS_CLOSED},
        gettext_lazy("Only the project's AIE can answer."),
        gettext_lazy("answer comments"),
    ),
}
# Deciding an engagement is asked about the engagement (its AIE), in the engagement's status.
DECIDE = Guard(
    "projects.decide_engagement",
    {E.PENDING},
    gettext_lazy("This engagement is for another AIE."),
    conflict=lambda engagement: _("This engagement was already decided."),
    code="already_decided",
)


# --- helpers -------------------------------------------------------------------------------


def actor_label(actor: User | None) -> str:
    if actor is None:
        return SYSTEM_LABEL
    if actor.role == User.Role.SECRETARIAT:
        return "Secretariat"
    if actor.organisation_id:
        return actor.organisation.name
    if actor.role == User.Role.PARTY and actor.party_id:
        return f"{actor.party.name} (designated focal point)"
    return actor.get_full_name() or actor.username


def require(actor: User | None, perm: str, obj, message: str) -> None:
    if actor is None or not actor.has_perm(perm, obj):
        raise Forbidden(message)


def lock(project: Project | int) -> Project:
    pk = project.pk if isinstance(project, Project) else project
    try:
        return Project.objects.select_for_update().get(pk=pk)
    except Project.DoesNotExist:
        raise NotFound(_("No such project.")) from None


def record(
    project: Project,
    kind: str,
    *,
    actor: User | None,
    reason: str = "",
    data: dict | None = None,
    public: bool = True,
    from_status: str = "",
    to_status: str = "",
    label: str | None = None,
    at: datetime | None = None,
) -> Event:
    event = Event.objects.create(
        project=project,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_label=label or actor_label(actor),
        reason=reason,
        data=data or {},
        public=public,
        created_at=at or timezone.now(),
    )
    notify(event)
    return event


def record_many(
    rows: list[tuple[Project, dict]], kind: str, *, at: datetime, from_status: str = ""
) -> list[Event]:
    """``record`` of one system act (no actor) on many projects in one INSERT: ``rows`` are
    (project, data); ``from_status`` empty means no move, else the event records
    ``from_status`` → the project's (new) status."""
    if kind not in Event.Kind.values:  # what ``Event.save`` checks, which one INSERT skips
        raise ValueError(f"unknown event kind {kind!r}: add it to Event.Kind")
    events = Event.objects.bulk_create(
        Event(
            project=project,
            kind=kind,
            from_status=from_status,
            to_status=project.status if from_status else "",
            actor_label=actor_label(None),
            data=data,
            created_at=at,
        )
        for project, data in rows
    )
    notify_many(events)
    return events


def transition_many(
    rows: list[tuple[Project, dict]],
    to: str,
    *,
    kind: str,
    at: datetime,
    fields: tuple[str, ...] = (),
) -> list[Event]:
    """``transition`` of many locked projects at once by the clock (no actor): one UPDATE of
    their status, ``due_at`` and ``fields``, one INSERT of their events (``record_many``)."""
    projects = [project for project, _data in rows]
    for project in projects:
        project.due_at = next_due(project, to)
    events: list[Event] = []

    def log(moved: list[tuple[Project, str]]) -> None:
        by_from: dict[str, list[tuple[Project, dict]]] = {}
        for (project, current), (_project, data) in zip(moved, rows, strict=True):
            by_from.setdefault(current, []).append((project, data))
        for current, group in by_from.items():
            events.extend(record_many(group, kind, at=at, from_status=current))

    PROJECT.move_many(projects, to, fields=("due_at", *fields), log=log)
    if to in ENDED_UNVERIFIABLE:
        for project in projects:
            signals.project_ended.send(sender=Project, project=project, status=to)
    return events


def transition(
    project: Project,
    to: str,
    *,
    actor: User | None,
    kind: str,
    reason: str = "",
    data: dict | None = None,
    public: bool = True,
    at: datetime | None = None,
) -> Event:
    """Move a locked project to ``to`` through ``TRANSITIONS``; the one mover of
    ``Project.status``. A project that ends unverified tells the later stages
    (``signals.project_ended``) inside the same transaction."""
    events: list[Event] = []

    def log(current: str, new: str) -> None:
        events.append(
            record(
                project,
                kind,
                actor=actor,
                reason=reason,
                data=data,
                public=public,
                from_status=current,
                to_status=new,
                at=at,
            )
        )

    project.due_at = next_due(project, to)
    PROJECT.move(
        project,
        to,
        log=log,
        refusal=lambda current: (
            _("This is not possible while the project is “%(status)s”.")
            % {"status": S(current).label.lower()}
        ),
    )
    if to in ENDED_UNVERIFIABLE:
        signals.project_ended.send(sender=Project, project=project, status=to)
    return events[0]


def next_due(project: Project, status: str | None = None) -> datetime | None:
    """The instant the clock must next act on the project in ``status`` (its own by default):
    swept through the ``due_at`` index."""
    status = status or project.status
    if status == S.OPEN_FOR_COMMENTS:
        return project.comments_close_at
    if status == S.DETERMINATION_PUBLISHED:
        return project.review_window_closes_at
    return None


def accredited_for(aie: Organisation, function: str, scope_numbers: set[int]) -> str | None:
    """None when ``aie`` is accredited for ``function`` in every scope, else the reason why not
    (ji-rules §1)."""
    if aie.kind != Organisation.Kind.AIE:
        return _("%(aie)s is not an accredited independent entity.") % {"aie": aie.name}
    acc = (
        Accreditation.objects.filter(aie=aie, function=function).prefetch_related("scopes").first()
    )
    if acc is None or acc.status != Accreditation.Status.ACCREDITED:
        if acc is None:
            return _("%(aie)s is not accredited for %(function)s.") % {
                "aie": aie.name,
                "function": Accreditation.Function(function).label.lower(),
            }
        return _("%(aie)s is %(status)s for %(function)s.") % {
            "aie": aie.name,
            "status": acc.get_status_display().lower(),
            "function": Accreditation.Function(function).label.lower(),
        }
    missing = scope_numbers - {s.number for s in acc.scopes.all()}
    if missing:
        numbers = ", ".join(str(n) for n in sorted(missing))
        return _("%(aie)s is not accredited for %(function)s in sectoral scope(s) %(numbers)s.") % {
            "aie": aie.name,
            "function": Accreditation.Function(function).label.lower(),
            "numbers": numbers,
        }
    return None


def host_check(project: Project) -> None:
    missing = project.host_party.track2_missing()
    if missing:
        raise Conflict(
            _("%(party)s cannot host a Track 2 project: it does not meet para 21 %(missing)s.")
            % {"party": project.host_party.name, "missing": "; ".join(missing)},
            code="host_not_eligible",
        )


def require_accredited(aie: Organisation | None, function: str, project: Project) -> None:
    """ji-rules §1 and §7 "Accreditation at every act": the AIE's accreditation (accredited,
    the function, every scope of the project) is checked at each act it performs and again when
    the secretariat publishes what it filed; a suspension in between stops the publication."""
    why = (
        _("The project has no AIE.")
        if aie is None
        else accredited_for(aie, function, _scope_numbers(project))
    )
    if why:
        raise Conflict(why, code="not_accredited")


def aie_change_open(project: Project) -> bool:
    """Seed 003 "Change of AIE" (``AIE_CHANGE_STATUSES``), or at any stage before publication
    once the AIE is no longer accredited (``AIE_CHANGE_AFTER_SUSPENSION``)."""
    if project.status in AIE_CHANGE_STATUSES:
        return True
    if project.status not in AIE_CHANGE_AFTER_SUSPENSION or project.aie_id is None:
        return False
    return not is_accredited(project.aie_id, Accreditation.Function.DETERMINATION, project)


def is_accredited(aie_id: int, function: str, project: Project) -> bool:
    """``accredited_for`` as a yes or no, in one query (pages ask it)."""
    missing = SectoralScope.objects.filter(projects=project).exclude(accreditations=OuterRef("pk"))
    return (
        Accreditation.objects.filter(
            aie_id=aie_id, function=function, status=Accreditation.Status.ACCREDITED
        )
        .exclude(Exists(missing))
        .exists()
    )


def _scope_numbers(project: Project) -> set[int]:
    return set(project.sectoral_scopes.values_list("number", flat=True))


# --- project data ----------------------------------------------------------------------------


CREDITING_FIRST_DAY = date(2000, 1, 1)
CREDITING_LAST_DAY = date(2100, 12, 31)


def _validate_project_data(data: dict) -> None:
    title = (data.get("title") or "").strip()
    if not title:
        raise Invalid(_("Give the project a title."), code="required", field="title")
    check_text(data.get("title"), "title")
    check_text(data.get("methodology"), "methodology")
    check_text(data.get("monitoring_approach"), "monitoring_approach", multiline=True)
    if not data.get("host_party"):
        raise Invalid(_("Choose the host Party."), code="required", field="host_party")
    if not data.get("sectoral_scopes"):
        raise Invalid(
            _("Choose at least one sectoral scope."), code="required", field="sectoral_scopes"
        )
    start, end = data.get("crediting_start"), data.get("crediting_end")
    if start and end and end < start:
        raise Invalid(
            _("The crediting period must end after it starts."),
            code="invalid",
            field="crediting_end",
        )
    # Projects starting as of 2000 may be JI projects (decision 9/CMP.1, para 5); the end has
    # the bound of the years of expected reductions below.
    if start and start < CREDITING_FIRST_DAY:
        raise Invalid(
            _("The crediting period starts on or after 1 January 2000 (decision 9/CMP.1, para 5)."),
            code="invalid",
            field="crediting_start",
        )
    if end and end > CREDITING_LAST_DAY:
        raise Invalid(
            _("The crediting period ends by 31 December 2100."),
            code="invalid",
            field="crediting_end",
        )
    expected = data.get("expected") or {}
    if not expected:
        raise Invalid(
            _("Give the expected reductions for at least one year."),
            code="required",
            field="expected",
        )
    for year, tonnes in expected.items():
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise Invalid(
                _("%(year)r is not a year.") % {"year": year}, code="invalid", field="expected"
            )
        if not isinstance(tonnes, int) or tonnes < 0 or tonnes > 10**12:
            raise Invalid(
                _("Expected reductions for %(year)s must be whole tonnes (0 or more).")
                % {"year": year},
                code="invalid",
                field="expected",
            )
    if (
        data.get("baseline_approach") == Project.Approach.CDM_METHODOLOGY
        and not (data.get("methodology") or "").strip()
    ):
        raise Invalid(_("Name the approved CDM methodology."), code="required", field="methodology")
    _validate_small_scale(data)
    host = data["host_party"]
    if host in (data.get("parties_involved") or []):
        raise Invalid(
            _("The host Party is already involved; list only the other Parties."),
            code="invalid",
            field="parties_involved",
        )


# [our reading] ji-rules §7 "Small-scale" (1/CMP.2 para 28, the CDM small-scale definitions JI
# uses): a project is small-scale only as one of these types, within its limit.
SMALL_SCALE_LIMITS = {
    Project.SmallScaleType.RENEWABLE: (Decimal(15), "MW of output capacity"),
    Project.SmallScaleType.EFFICIENCY: (Decimal(60), "GWh a year of energy savings"),
    Project.SmallScaleType.OTHER: (Decimal(60000), "t CO2e a year of reductions"),
}


def _validate_small_scale(data: dict) -> None:
    """A small-scale claim states its type and figure, within the type's limit; a type III
    project's expected average reductions are within it too."""
    kind, figure = data.get("small_scale_type") or "", data.get("small_scale_figure")
    if not data.get("small_scale"):
        if kind or figure is not None:
            raise Invalid(
                _("A type and a figure are given only for a small-scale project."),
                field="small_scale_type",
            )
        return
    if kind not in SMALL_SCALE_LIMITS:
        raise Invalid(
            _(
                "A small-scale project states its type: I (renewable energy), II (energy "
                "efficiency) or III (other activities)."
            ),
            code="required",
            field="small_scale_type",
        )
    limit, unit = SMALL_SCALE_LIMITS[kind]
    if figure is None or Decimal(figure) <= 0:
        raise Invalid(
            _("Give the figure of the type (%(unit)s).") % {"unit": unit},
            code="required",
            field="small_scale_figure",
        )
    if Decimal(figure) > limit:
        raise Invalid(
            _(
                "A type %(kind)s small-scale project has at most %(limit)s %(unit)s; this one is "
                "not small-scale."
            )
            % {"kind": kind, "limit": f"{limit:,}", "unit": unit},
            code="not_small_scale",
            field="small_scale_figure",
        )
    expected = list((data.get("expected") or {}).values())
    if kind == Project.SmallScaleType.OTHER and expected:
        average = Decimal(sum(expected)) / len(expected)
        if average > limit:
            raise Invalid(
                _(
                    "The expected average reductions (%(average)s t a year) exceed the "
                    "%(limit)s t of a type III small-scale project."
                )
                % {"average": f"{average:,.0f}", "limit": f"{limit:,}"},
                code="not_small_scale",
                field="small_scale",
            )


def _apply_project_data(project: Project, data: dict) -> None:
    if "small_scale_type" in data:
        data = {**data, "small_scale_type": data["small_scale_type"] or ""}
    simple = (
        "title",
        "host_party",
        "small_scale",
        "small_scale_type",
        "small_scale_figure",
        "poa",
        "crediting_start",
        "crediting_end",
        "baseline_approach",
        "methodology",
        "monitoring_approach",
    )
    for name in simple:
        if name in data:
            value = data[name]
            setattr(project, name, value.strip() if isinstance(value, str) else value)
    expected = data.get("expected") or {}
    project.expected_annual_reductions = average_tonnes(list(expected.values()))
    project.save()
    if "parties_involved" in data:
        project.parties_involved.set(data["parties_involved"])
    if "sectoral_scopes" in data:
        project.sectoral_scopes.set(data["sectoral_scopes"])
    if "participants" in data:
        project.participants.set(data["participants"])
    if expected:
        project.expected.all().delete()
        ExpectedReduction.objects.bulk_create(
            ExpectedReduction(project=project, year=y, tonnes=t)
            for y, t in sorted(expected.items())
        )


def create_project(actor: User, **data) -> Project:
    """A PP organisation drafts a project. ``data``: title, host_party (Party),
    parties_involved, participants (Organisations; the actor's own is always included),
    sectoral_scopes, small_scale, poa, crediting_start, crediting_end, baseline_approach,
    methodology, monitoring_approach, expected ({year: tonnes})."""
    if actor is None or not actor.has_perm("projects.create_project"):
        raise Forbidden(_("Only project participants can create projects."))
    if actor.organisation_id is None:
        # The project belongs to the actor's organisation; without one it would have none.
        raise Forbidden(_("Your account is not linked to a project participant organisation."))
    _validate_project_data(data)
    participants = list(data.get("participants") or [])
    if actor.organisation not in participants:
        participants.insert(0, actor.organisation)
    bad = [o.name for o in participants if o.kind != Organisation.Kind.PARTICIPANT]
    if bad:
        raise Invalid(
            _("Not a project participant organisation: %(names)s.") % {"names": ", ".join(bad)},
            code="invalid",
            field="participants",
        )
    data["participants"] = participants
    with transaction.atomic():
        project = Project(created_by=actor, host_party=data["host_party"], title=data["title"])
        _apply_project_data(project, data)
        record(project, "project_created", actor=actor, public=False, to_status=S.DRAFT)
    return project


def imported_project(*, status: str, **fields) -> Project:
    """A project brought over from earlier records (``registry.importer``), unsaved, in the
    status its record derives; the importer writes the events of every step it derived."""
    project = Project(status=PROJECT.initial(status), **fields)
    project.due_at = next_due(project)
    return project


def create_track1_project(
    actor: User,
    *,
    reference: str,
    national_approval_reference: str,
    national_guidelines: str,
    aie: Organisation,
    determined_on: date,
    **data,
) -> Project:
    """A Track 1 project (para 23) as its host's focal point records it, saved in the status its
    record derives — final, determined on ``determined_on`` — with its data (``data`` as
    ``create_project`` takes it, participants not added) and ``reference`` as the host assigned
    it (``determinations.track1`` checks its form). Called inside that module's act, which checks
    who, writes the determination and the one event."""
    _validate_project_data(data)
    host: Party = data["host_party"]
    if Project.objects.filter(reference=reference).exists():
        raise Conflict(
            _("Reference %(reference)s is already on record.") % {"reference": reference},
            code="reference_taken",
            field="reference",
        )
    national_approval_reference = (national_approval_reference or "").strip()
    national_guidelines = (national_guidelines or "").strip()
    if not national_approval_reference:
        raise Invalid(
            _("Give the reference of the host Party's national approval."),
            code="required",
            field="national_approval_reference",
        )
    check_text(national_approval_reference, "national_approval_reference")
    check_text(national_guidelines, "national_guidelines")
    for name, value, limit in (
        ("national_approval_reference", national_approval_reference, 100),
        ("national_guidelines", national_guidelines, 300),
    ):
        if len(value) > limit:
            raise Invalid(
                _("At most %(limit)s characters.") % {"limit": limit}, code="too_long", field=name
            )
    bad = [
        o.name for o in data.get("participants") or [] if o.kind != Organisation.Kind.PARTICIPANT
    ]
    if bad:
        raise Invalid(
            _("Not a project participant organisation: %(names)s.") % {"names": ", ".join(bad)},
            code="invalid",
            field="participants",
        )
    project = Project(
        status=PROJECT.initial(S.FINAL),
        track=Project.Track.ONE,
        reference=reference,
        national_approval_reference=national_approval_reference,
        national_guidelines=national_guidelines,
        aie=aie,
        determination_available_on=determined_on,
        final_on=determined_on,
        created_by=actor,
        host_party=host,
        title=data["title"],
    )
    project.due_at = next_due(project)  # none: no clock runs on a Track 1 project
    try:
        with transaction.atomic():
            _apply_project_data(project, data)
    except IntegrityError:  # another act took the reference in between
        raise Conflict(
            _("Reference %(reference)s is already on record.") % {"reference": reference},
            code="reference_taken",
            field="reference",
        ) from None
    return project


def update_project(actor: User, project: Project, **data) -> Project:
    with transaction.atomic():
        project = lock(project)
        GUARDS["edit"].check(actor, project)
        merged = {
            "title": project.title,
            "host_party": project.host_party,
            "sectoral_scopes": list(project.sectoral_scopes.all()),
            "crediting_start": project.crediting_start,
            "crediting_end": project.crediting_end,
            "expected": {e.year: e.tonnes for e in project.expected.all()},
            "baseline_approach": project.baseline_approach,
            "methodology": project.methodology,
            "parties_involved": list(project.parties_involved.all()),
            "small_scale": project.small_scale,
            "small_scale_type": project.small_scale_type,
            "small_scale_figure": project.small_scale_figure,
        } | data
        _validate_project_data(merged)
        if "participants" in data and actor.organisation not in data["participants"]:
            data["participants"] = [actor.organisation, *data["participants"]]
        _apply_project_data(project, merged | data)
        record(project, "project_updated", actor=actor, public=False)
    return project


# --- documents -------------------------------------------------------------------------------


def store_document(
    project: Project,
    *,
    kind: str,
    title: str,
    uploaded,
    actor: User | None,
    confidential: bool = False,
    content: bytes | None = None,
    filename: str | None = None,
) -> Document:
    """Write a PDF document (new version per kind) on a locked project. Internal."""
    if kind not in Document.Kind.values:
        raise Invalid(
            _("Unknown document kind %(kind)r.") % {"kind": kind}, code="invalid", field="kind"
        )
    if confidential and kind in Document.NEVER_CONFIDENTIAL:
        raise Invalid(
            _(
                "A %(kind)s cannot be confidential: para 40 excludes information on "
                "additionality, the baseline methodology and environmental impacts, and the PDD "
                "and determination report are public."
            )
            % {"kind": Document.Kind(kind).label.lower()},
            code="cannot_be_confidential",
            field="confidential",
        )
    check_text(title, "title")
    if content is None:
        content, sha = read_pdf_upload(uploaded)
    else:
        sha = hashlib.sha256(content).hexdigest()
    name = clean_filename(filename or getattr(uploaded, "name", None))
    version = (project.documents.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0) + 1
    doc = Document(
        project=project,
        kind=kind,
        title=(title or "").strip() or official(Document.Kind(kind).label),
        filename=name,
        sha256=sha,
        size=len(content),
        version=version,
        confidential=confidential,
        uploaded_by=actor,
    )
    doc.file.save(name, as_django_file(content, name), save=False)
    doc.save()
    return doc


# ji-rules §7 "Documents": each kind has the roles that may file it and the stages where. The
# participants upload these while the project is a draft or engaged; determination and
# verification reports come with the AIE's acts, monitoring reports and change files with the
# participants' acts after final (``determinations``).
PARTICIPANT_KINDS = {
    Document.Kind.PDD,
    Document.Kind.ADDITIONALITY,
    Document.Kind.BASELINE,
    Document.Kind.EIA,
    Document.Kind.SUPPORTING,
}


def add_document(
    actor: User, project: Project, *, kind: str, title: str, uploaded, confidential: bool = False
) -> Document:
    """A PP uploads the PDD or a supporting document while the project can still change."""
    if kind not in PARTICIPANT_KINDS:
        label = Document.Kind(kind).label if kind in Document.Kind.values else kind
        raise Invalid(
            _(
                "Participants do not upload a %(kind)s here: it comes with its own act (a letter "
                "of approval with the approval, reports with the AIE's filing)."
            )
            % {"kind": str(label).lower()},
            code="kind_not_allowed",
            field="kind",
        )
    with transaction.atomic():
        project = lock(project)
        GUARDS["upload"].check(actor, project)
        doc = store_document(
            project,
            kind=kind,
            title=title,
            uploaded=uploaded,
            actor=actor,
            confidential=confidential,
        )
        record(
            project,
            "document_uploaded",
            actor=actor,
            public=False,
            data={"document_id": doc.pk, "kind": kind, "version": doc.version},
        )
    return doc


def set_document_aside(
    actor: User,
    document: Document,
    *,
    withdraw: bool,
    reason: str,
    superseded_by: Document | None = None,
) -> Document:
    """ji-rules §7 "Documents": nothing published is deleted. A document published in error is
    withdrawn, or superseded by a newer version of the same kind, with a public reason; it stays
    listed (and downloadable) with that reason. The secretariat's act."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the public reason."), code="required", field="reason")
    with transaction.atomic():
        project = lock(document.project_id)
        GUARDS["set_document_aside"].check(actor, project)
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.published_at is None:
            raise Conflict(
                _("Only a published document is superseded or withdrawn."), code="not_published"
            )
        if not withdraw:
            newer = superseded_by
            if (
                newer is None
                or newer.project_id != document.project_id
                or newer.kind != document.kind
                or newer.version <= document.version
                or newer.published_at is None
            ):
                raise Invalid(
                    _("Choose a published, later version of the same document."),
                    field="superseded_by",
                )
            document.superseded_by = newer
        document.status_reason = reason
        document.status_changed_at = timezone.now()
        to = D.WITHDRAWN if withdraw else D.SUPERSEDED
        DOCUMENT.move(
            document,
            to,
            log=lambda *_: record(
                project,
                "document_withdrawn" if withdraw else "document_superseded",
                actor=actor,
                reason=reason,
                data={
                    "document_id": document.pk,
                    "kind": document.kind,
                    "version": document.version,
                    "superseded_by": superseded_by.pk if superseded_by else None,
                },
            ),
            refusal=lambda current: f"The document is already {D(current).label.lower()}.",
            code="already_set_aside",
        )
    return document


def record_approval(
    actor: User,
    project: Project,
    *,
    party: Party,
    issued_on: date,
    reference: str = "",
    uploaded=None,
) -> LetterOfApproval:
    """Record a Party's letter of approval (para 33 (a)); the letter may be attached as a PDF.

    ji-rules §7 "Approval by the Parties involved": the Party's designated focal point records
    its own approval, which is on record at once (at any stage before the project ends); the
    participants may upload a letter they received, until the determination is filed, which the
    focal point then confirms (``confirm_approval``)."""
    with transaction.atomic():
        project = lock(project)
        own = is_focal_point(actor, party)
        if own:
            # at any stage until the project ends: a final project's ERUs still go to the
            # accounts of Parties that approve it later (ji-rules §7)
            if project.status in ENDED_UNVERIFIABLE:
                raise Conflict(
                    _("The project is %(status)s.")
                    % {"status": project.get_status_display().lower()},
                    code="wrong_status",
                )
        else:
            GUARDS["approve"].check(actor, project)
        involved = {project.host_party_id, *project.parties_involved.values_list("pk", flat=True)}
        if party.pk not in involved:
            raise Invalid(
                _("%(party)s is not a Party involved in this project.") % {"party": party.name},
                field="party",
            )
        if issued_on > timezone.localdate():
            raise Invalid(_("The letter cannot be dated in the future."), field="issued_on")
        if project.approvals.filter(party=party).exists():
            raise Conflict(
                _("The letter of approval of %(party)s is already recorded.")
                % {"party": party.name},
                code="duplicate",
            )
        document = None
        if uploaded is not None:
            document = store_document(
                project,
                kind=Document.Kind.APPROVAL,
                title=f"Letter of approval — {party.name}",
                uploaded=uploaded,
                actor=actor,
            )
            if project.pdd_available_on:
                document.published_at = timezone.now()
                document.save(update_fields=["published_at"])
        now = timezone.now()
        loa = LetterOfApproval.objects.create(
            project=project,
            party=party,
            issued_on=issued_on,
            reference=reference.strip(),
            document=document,
            recorded_by=actor,
            confirmed_by=actor if own else None,
            confirmed_at=now if own else None,
        )
        record(
            project,
            "approval_recorded",
            actor=actor,
            data={
                "party": party.code,
                "issued_on": issued_on.isoformat(),
                "confirmed": own,
                "document_id": document.pk if document else None,
            },
            public=project.pdd_available_on is not None,
        )
    return loa


def is_focal_point(actor: User | None, party: Party) -> bool:
    """The designated focal point of ``party`` (``projects.rules.is_focal_point_of``)."""
    return bool(actor is not None and actor.has_perm("projects.speak_for_party", party))


def confirm_approval(actor: User, loa: LetterOfApproval) -> LetterOfApproval:
    """The Party's focal point confirms a letter the participants uploaded: from then on it is
    on record (ji-rules §7 "Approval by the Parties involved")."""
    with transaction.atomic():
        project = lock(loa.project_id)
        loa = LetterOfApproval.objects.select_for_update().select_related("party").get(pk=loa.pk)
        if not is_focal_point(actor, loa.party):
            raise Forbidden(
                _("Only the designated focal point of %(party)s confirms it.")
                % {"party": loa.party.name}
            )
        if loa.confirmed_at is not None:
            raise Conflict(
                _("This letter of approval is already confirmed."), code="already_confirmed"
            )
        if project.status in ENDED_UNVERIFIABLE:  # a final project's ERUs still move
            raise Conflict(
                _("The project is %(status)s.") % {"status": project.get_status_display().lower()},
                code="wrong_status",
            )
        loa.confirmed_by = actor
        loa.confirmed_at = timezone.now()
        loa.save(update_fields=["confirmed_by", "confirmed_at"])
        record(
            project,
            "approval_confirmed",
            actor=actor,
            data={"party": loa.party.code},
            public=project.pdd_available_on is not None,
        )
    return loa


def approval_on_record(project: Project, party: Party) -> bool:
    """ji-rules §7 (para 33 (a)): ``party``'s written approval of the project, confirmed by its
    focal point."""
    return project.approvals.filter(party=party, confirmed_at__isnull=False).exists()


def host_approval_on_record(project: Project) -> bool:
    """The host Party's approval on record (a positive determination needs it)."""
    return approval_on_record(project, project.host_party)


# --- engagement and change of AIE -------------------------------------------------------------


def engage_aie(actor: User, project: Project, aie: Organisation) -> Engagement:
    with transaction.atomic():
        project = lock(project)
        GUARDS["engage"].check(actor, project)
        host_check(project)
        reason = accredited_for(aie, Accreditation.Function.DETERMINATION, _scope_numbers(project))
        if reason:
            raise Conflict(reason, code="not_accredited")
        if project.engagements.filter(status=Engagement.Status.PENDING).exists():
            raise Conflict(
                _("An engagement is already waiting for an AIE's answer."), code="already_pending"
            )
        engagement = Engagement.objects.create(project=project, aie=aie, requested_by=actor)
        record(
            project,
            "engagement_requested",
            actor=actor,
            public=False,
            data={"aie_id": aie.pk, "aie": aie.name},
        )
    return engagement


def decide_engagement(
    actor: User, engagement: Engagement, *, accept: bool, reason: str = ""
) -> Engagement:
    """The invited AIE accepts (only if accredited for determination in every scope) or declines."""
    with transaction.atomic():
        project = lock(engagement.project_id)
        engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
        DECIDE.check(actor, engagement)
        engagement.decided_by = actor
        engagement.decided_at = timezone.now()
        engagement.reason = reason.strip()
        if not accept:
            ENGAGEMENT.move(
                engagement,
                E.DECLINED,
                log=lambda *_: record(
                    project,
                    "engagement_declined",
                    actor=actor,
                    reason=engagement.reason,
                    public=False,
                    data={"aie_id": engagement.aie_id},
                ),
            )
            return engagement
        why = accredited_for(
            engagement.aie, Accreditation.Function.DETERMINATION, _scope_numbers(project)
        )
        if why:
            raise Conflict(why, code="not_accredited")
        host_check(project)
        if project.status != S.DRAFT:
            raise Conflict(_("The project is no longer waiting for an AIE."), code="wrong_status")
        # The project's event "engagement_accepted" tells this move too.
        ENGAGEMENT.move(engagement, E.ACCEPTED, log=None)
        project.aie = engagement.aie
        transition(
            project,
            S.ENGAGED,
            actor=actor,
            kind="engagement_accepted",
            public=False,
            data={"aie_id": engagement.aie_id},
        )
    return engagement


def _end_engagements(project: Project, *statuses: str) -> None:
    """End the project's engagements in ``statuses``; the act's own event tells it."""
    for engagement in project.engagements.select_for_update().filter(status__in=statuses):
        ENGAGEMENT.move(engagement, E.ENDED, log=None)


def change_aie(actor: User, project: Project, new_aie: Organisation, reason: str = "") -> Project:
    """PPs change AIE; the secretariat's record of it is this event (ji-rules §3.3)."""
    with transaction.atomic():
        project = lock(project)
        GUARDS["change_aie"].check(actor, project)
        if not aie_change_open(project):
            raise Conflict(
                _(
                    "The AIE can be changed only after the comment period has ended and before the "
                    "determination is submitted, or once its accreditation is suspended or "
                    "withdrawn."
                ),
                code="window_closed",
            )
        if new_aie.pk == project.aie_id:
            raise Invalid(_("That AIE is already engaged."), field="aie")
        why = accredited_for(new_aie, Accreditation.Function.DETERMINATION, _scope_numbers(project))
        if why:
            raise Conflict(why, code="not_accredited")
        old = project.aie
        _end_engagements(project, E.ACCEPTED)
        Engagement.objects.create(
            project=project,
            aie=new_aie,
            status=ENGAGEMENT.initial(E.ACCEPTED),
            requested_by=actor,
            decided_at=timezone.now(),
            reason=reason.strip(),
        )
        project.aie = new_aie
        data = {"old_aie_id": old.pk if old else None, "old_aie": str(old), "aie": new_aie.name}
        if project.status == S.DETERMINATION_SUBMITTED:
            # The old AIE's determination was never published: it is withdrawn with the change
            # and the new AIE files its own.
            signals.determination_set_aside.send(sender=Project, project=project, actor=actor)
            transition(
                project,
                S.COMMENTS_CLOSED,
                actor=actor,
                kind="aie_changed",
                reason=reason.strip(),
                data=data,
            )
            return project
        project.save(update_fields=["aie", "updated_at"])
        record(project, "aie_changed", actor=actor, reason=reason.strip(), data=data)
    return project


# --- PDD publication and comments -------------------------------------------------------------


def submit_pdd(actor: User, project: Project) -> Project:
    """The AIE makes the PDD public through the secretariat (para 32)."""
    with transaction.atomic():
        project = lock(project)
        GUARDS["submit_pdd"].check(actor, project)
        host_check(project)
        require_accredited(project.aie, Accreditation.Function.DETERMINATION, project)
        if not project.documents.filter(kind=Document.Kind.PDD).exists():
            raise Conflict(
                _("The project participants must upload the PDD (PDF) before it is submitted."),
                code="pdd_missing",
            )
        transition(project, S.PDD_SUBMITTED, actor=actor, kind="pdd_submitted", public=False)
    return project


# ji-rules §3 item 2: four digits in order of publication (0001, 0002…). JI never came near 9,999,
# but a registry holding every crediting activity (issue 13: 20,000) goes on with more digits
# (10000…999999) rather than stop; the URL key (``selectors.parse_key``) accepts four to six.
REFERENCE_LIMIT = 999_999


def _next_reference() -> str:
    counter, _ = Counter.objects.select_for_update().get_or_create(name="project_reference")
    highest = (
        # Track 2 references only: a Track 1 reference is the host's own (UA1000001).
        Project.objects.filter(reference__isnull=False, track=Project.Track.TWO)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    value = max(counter.value, int(highest or 0)) + 1
    if value > REFERENCE_LIMIT:
        raise Conflict(_("Reference numbers are exhausted."), code="references_exhausted")
    counter.value = value
    counter.save(update_fields=["value"])
    return f"{value:04d}"


def check_availability_date(available_on: date | None, today: date) -> date:
    allowed = deadlines.allowed_availability_dates(today)
    available_on = available_on or today
    if available_on not in allowed:
        raise Invalid(
            _("The availability date must be today or tomorrow."),
            code="invalid",
            field="available_on",
        )
    return available_on


def check_pdd(
    actor: User,
    project: Project,
    *,
    accept: bool,
    available_on: date | None = None,
    reason: str = "",
) -> Project:
    """Secretariat completeness check: publish with a reference number, or return with reasons."""
    with transaction.atomic():
        project = lock(project)
        GUARDS["check_pdd"].check(actor, project)
        if not accept:
            if not reason.strip():
                raise Invalid(_("Give the reasons for returning the PDD."), field="reason")
            transition(
                project, S.ENGAGED, actor=actor, kind="pdd_returned", reason=reason, public=False
            )
            return project
        available_on = check_availability_date(available_on, timezone.localdate())
        require_accredited(project.aie, Accreditation.Function.DETERMINATION, project)
        if not project.reference:
            project.reference = _next_reference()
        project.pdd_available_on = available_on
        project.comments_close_at = deadlines.comments_close_at(available_on)
        published_at = timezone.now()
        publishing = project.documents.filter(
            confidential=False, published_at__isnull=True
        ).exclude(
            kind__in=[Document.Kind.DETERMINATION_REPORT, Document.Kind.DETERMINATION_SUPPORTING]
        )
        published = list(publishing.values_list("pk", flat=True))
        Document.objects.filter(pk__in=published).update(published_at=published_at)
        transition(
            project,
            S.OPEN_FOR_COMMENTS,
            actor=actor,
            kind="pdd_published",
            data={
                # The documents it publishes: their SHA-256 joins the hash chain (ledger).
                "documents": published,
                "reference": project.reference,
                "available_on": available_on.isoformat(),
                "comments_close_at": project.comments_close_at.isoformat(),
            },
        )
    return project


def add_comment(
    project: Project,
    *,
    name: str,
    affiliation: str,
    category: str,
    email: str,
    text: str,
    attachment=None,
    now: datetime | None = None,
) -> Comment:
    """Anyone comments on a PDD open for comments (para 32); on time until the end instant.
    ji-rules §7 "Public comments" [our reading]: at most COMMENT_MAX characters, and a PDF may be
    attached (public with the comment)."""
    now = now or timezone.now()
    # The public comment form shows these in the visitor's language (the API stays English).
    for field, value, message in (
        ("name", name, _("Give your name.")),
        ("email", email, _("Give your e-mail.")),
        ("text", text, _("Give your comment.")),
    ):
        if not (value or "").strip():
            raise Invalid(message, code="required", field=field)
    check_text(name, "name")
    check_text(affiliation, "affiliation")
    if category not in Comment.Category.values:
        raise Invalid(_("Choose Party, stakeholder or observer."), code="invalid", field="category")
    if len(text) > COMMENT_MAX:
        raise Invalid(_("A comment has at most 20,000 characters."), field="text")
    try:
        validate_email(email.strip())
    except ValidationError:
        raise Invalid(_("Enter a valid e-mail address."), field="email") from None
    attached = {}
    if attachment:
        content, sha = read_pdf_upload(attachment, field="attachment")
        attached = {
            "attachment_name": clean_filename(getattr(attachment, "name", None), "comment.pdf"),
            "attachment_sha256": sha,
            "attachment_size": len(content),
        }
    with transaction.atomic():
        project = lock(project)
        if (
            project.status != S.OPEN_FOR_COMMENTS
            or project.pdd_available_on is None
            or not deadlines.window_open(now, project.pdd_available_on, project.comments_close_at)
        ):
            raise Conflict(_("The comment period for this PDD is closed."), code="window_closed")
        comment = Comment.objects.create(
            project=project,
            name=name.strip(),
            affiliation=affiliation.strip(),
            category=category,
            email=email.strip(),
            text=text.strip(),
            submitted_at=now,
            **attached,
        )
        if attached:
            comment.attachment.save(
                attached["attachment_name"], as_django_file(content, "comment.pdf"), save=True
            )
        record(
            project,
            "comment_received",
            actor=None,
            label=comment.name,
            data={"comment_id": comment.pk, "category": category},
        )
    return comment


# [our reading] ji-rules §7 "Public comments": at most 20,000 characters (answers too).
COMMENT_MAX = 20000


def answer_comment(actor: User, comment: Comment, answer: str) -> Comment:
    """The AIE answers a public comment; answers feed the determination's due-account summary."""
    if not (answer or "").strip():
        raise Invalid(_("Write the answer."), code="required", field="answer")
    if len(answer) > COMMENT_MAX:
        raise Invalid(_("An answer has at most 20,000 characters."), field="answer")
    with transaction.atomic():
        project = lock(comment.project_id)
        GUARDS["answer"].check(actor, project)
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if comment.removed_at is not None:
            raise Conflict(_("The secretariat removed this comment."), code="comment_removed")
        first = not comment.answer
        comment.answer = answer.strip()
        comment.answered_at = timezone.now()
        comment.answered_by = actor
        comment.save()
        record(
            project,
            "comment_answered" if first else "comment_answer_revised",
            actor=actor,
            # the text as answered, so the page can be shown as it stood on any day (asof.py)
            data={"comment_id": comment.pk, "answer": comment.answer},
        )
    return comment


def remove_comment(actor: User, comment: Comment, reason: str) -> Comment:
    """ji-rules §7 "Public comments": the secretariat hides an abusive comment. Its text is no
    longer shown; the record keeps that a comment was removed, when and why (a public event)."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            _("Give the reason for removing the comment."), code="required", field="reason"
        )
    with transaction.atomic():
        project = lock(comment.project_id)
        GUARDS["remove_comment"].check(actor, project)
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if comment.removed_at is not None:
            raise Conflict(_("This comment is already removed."), code="already_removed")
        comment.removed_at = timezone.now()
        comment.removed_by = actor
        comment.removed_reason = reason
        comment.save(update_fields=["removed_at", "removed_by", "removed_reason"])
        record(
            project,
            "comment_removed",
            actor=actor,
            reason=reason,
            data={"comment_id": comment.pk},
            public=project.pdd_available_on is not None,
        )
    return comment


# --- the clock ---------------------------------------------------------------------------------


def close_comments(project_id: int, now: datetime) -> bool:
    """The comment period ends at its end instant (system action). Idempotent."""
    return close_comments_due([project_id], now) == 1


def close_comments_due(project_ids: list[int], now: datetime) -> int:
    """``close_comments`` for many projects in one step (the clock's batch): those of
    ``project_ids`` still open whose period ended before ``now`` are locked, moved and logged
    together. The number closed."""
    with transaction.atomic():
        projects = list(
            Project.objects.select_for_update()
            .filter(pk__in=project_ids, status=S.OPEN_FOR_COMMENTS, comments_close_at__lt=now)
            .order_by("pk")
        )
        counts = dict(
            Comment._default_manager.filter(project__in=projects)
            .values("project")
            .annotate(n=Count("pk"))
            .values_list("project", "n")
        )
        transition_many(
            [(p, {"comments": counts.get(p.pk, 0)}) for p in projects],
            S.COMMENTS_CLOSED,
            kind="comments_closed",
            at=now,
        )
    return len(projects)


# --- withdrawal --------------------------------------------------------------------------------


def may_terminate_now(actor: User, project: Project) -> bool:
    """The participants any time after final; the secretariat once the crediting period ended."""
    return actor.has_perm("projects.edit_project", project) or bool(
        project.crediting_end and project.crediting_end < timezone.localdate()
    )


def terminate(actor: User, project: Project, reason: str = "") -> Project:
    """ji-rules §7 "End of a project": after final, the PPs terminate the project, or the
    secretariat records its termination once the crediting period has ended. Fees follow the end
    (``signals.project_ended``: the advance above USD 30,000 comes back if no verification
    report was ever submitted)."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for the termination."), code="required", field="reason")
    with transaction.atomic():
        project = lock(project)
        GUARDS["terminate"].check(actor, project)
        if not may_terminate_now(actor, project):
            raise Conflict(
                _("The secretariat records a termination once the crediting period has ended."),
                code="crediting_period_running",
            )
        project.terminated_at = timezone.now()
        transition(project, S.TERMINATED, actor=actor, kind="terminated", reason=reason)
    return project


def withdraw(actor: User, project: Project, reason: str = "") -> Project:
    """PPs withdraw before final; a published project stays on the record marked withdrawn.
    The later stages close what they hold open (``signals.project_withdrawn``)."""
    with transaction.atomic():
        project = lock(project)
        GUARDS["withdraw"].check(actor, project)
        project.withdrawn_at = timezone.now()
        _end_engagements(project, E.PENDING, E.ACCEPTED)
        signals.project_withdrawn.send(sender=Project, project=project, actor=actor)
        transition(
            project,
            S.WITHDRAWN,
            actor=actor,
            kind="withdrawn",
            reason=reason.strip(),
            public=project.reference is not None,
        )
    return project
