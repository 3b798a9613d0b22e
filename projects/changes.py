"""Changes after the determination (issue 16): the project participants and the Parties involved
of a final project, and its crediting period. The one writer of ``ProjectChange.status``.

The rules, each a decision of this project where the texts are silent (the one named place of
these [our reading] decisions):

1. **When.** Only while the determination is final (project status ``final``): JISC 23 Annex 2
   (ji-rules §3 item 9) is about the project after its determination is final; a project that
   ended (terminated, ji-rules §7 "End of a project"; withdrawn; rejected) changes no more.
2. **Who asks.** The project participants (staff of a participant organisation), with the reason
   and a declaration that all project participants consent (JISC 23 Annex 2: the participants
   describe every change with its justification); the signed consent letter is optional (a PDF,
   public with the change). **The consent of a participant being removed is not needed**: a
   participant that ceased to exist or no longer answers would otherwise hold the others to the
   project for ever; its removal is public with the reason, so it can object openly.
3. **Participants.** Adding or removing a participant applies at once (event
   ``participant_added`` / ``participant_removed``, public). Only an organisation registered as a
   project participant may be added. At least one participant stays: the last one is never
   removed (a project without participants has nobody to monitor it or to pay its fees).
4. **Parties.** Adding a Party involved waits for that Party: para 33 (a) and ji-rules §7
   "Approval by the Parties involved" — its designated focal point records its own letter of
   approval (``approve_party``), never the participants for it; the change is pending (event
   ``change_requested``) until then, and applies with the letter (``party_added``). Only a Party
   to the Kyoto Protocol can be a Party involved. Removing a Party involved applies at once
   (``party_removed``); the host Party is never removed or added: the project is its project.
   A removed Party is no longer a Party involved: ERUs no longer go to its registry, whatever it
   approved before (``determinations.issuance.transfer``).
5. **Cancel.** The participants cancel a pending change (no Party has approved it yet).
6. **One at a time.** A participant or a Party has at most one pending change per project.
7. **Crediting period.** The host Party's focal point renews or extends the crediting period of
   a final project (the host approved the project and its crediting period, para 33 (a)): a new
   end after the current one, with a reason and optionally the host's letter (PDF, public);
   event ``crediting_period_renewed`` with the old and the new end. Monitoring beyond the end stays
   refused (ji-rules §7, ``determinations.verification.submit_monitoring_report``).

The events carry the organisation's or the Party's id and name, so that the project as it stood
on a past day is rebuilt from them (``registry.asof``).
"""

from __future__ import annotations

import json
from datetime import date

from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jitrack.db import JSONRow, JSONRows
from jitrack.errors import Conflict, Invalid
from jitrack.guards import Guard
from jitrack.statuses import Machine
from jitrack.text import check_text

from .models import Document, LetterOfApproval, Organisation, Party, Project, ProjectChange, User
from .timeline import day_text
from .workflow import is_focal_point, lock, record, store_document

C = ProjectChange.Status
K = ProjectChange.Kind
S = Project.Status

TRANSITIONS: dict[str, set[str]] = {
    C.PENDING: {C.APPLIED, C.CANCELLED},
    C.APPLIED: set(),
    C.CANCELLED: set(),
}
CHANGE = Machine(ProjectChange, TRANSITIONS)

PARTICIPANT_KINDS = {K.ADD_PARTICIPANT, K.REMOVE_PARTICIPANT}
PARTY_KINDS = {K.ADD_PARTY, K.REMOVE_PARTY}
# The event that tells each kind once it applies.
APPLIED_EVENT = {
    K.ADD_PARTICIPANT: "participant_added",
    K.REMOVE_PARTICIPANT: "participant_removed",
    K.ADD_PARTY: "party_added",
    K.REMOVE_PARTY: "party_removed",
}
REASON_MAX = 5000
# What each kind asks for, as the request form and the project page's panel say it.
REQUEST_LABELS = {
    K.ADD_PARTICIPANT: gettext_lazy("Add a participant"),
    K.REMOVE_PARTICIPANT: gettext_lazy("Remove a participant"),
    K.ADD_PARTY: gettext_lazy("Add a Party involved"),
    K.REMOVE_PARTY: gettext_lazy("Remove a Party involved"),
}


# Who may do each act, and in which states (rules 1, 2, 4, 5 and 7 of the module docstring).
GUARDS: dict[str, Guard] = {
    # asked about the project
    "request": Guard(
        "projects.edit_project",
        {S.FINAL},
        gettext_lazy("Only the project participants request a change of participants or Parties."),
        conflict=lambda project: _(
            "Participants and Parties involved change only while the determination is final."
        ),
    ),
    # asked about the change, the permission about its project
    "cancel": Guard(
        "projects.edit_project",
        {C.PENDING},
        gettext_lazy("Only the project participants cancel a change they requested."),
        conflict=lambda change: _("This change is no longer pending."),
        code="not_pending",
    ),
    # asked about the change, the permission about the Party it adds
    "approve_party": Guard(
        "projects.speak_for_party",
        {C.PENDING},
        gettext_lazy("Only the designated focal point of the Party being added approves."),
        conflict=lambda change: _("This change is no longer pending."),
        code="not_pending",
    ),
    # asked about the project, the permission about its host Party
    "renew_crediting": Guard(
        "projects.speak_for_party",
        {S.FINAL},
        gettext_lazy("Only the host Party's designated focal point renews the crediting period."),
        conflict=lambda project: _(
            "The crediting period is renewed only while the determination is final."
        ),
    ),
}


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for the change."), code="required", field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(
            _("Keep the reason within %(max)s characters.") % {"max": REASON_MAX},
            code="too_long",
            field="reason",
        )
    check_text(reason, "reason", multiline=True)
    return reason


def _public_letter(project: Project, uploaded, *, title: str, actor: User) -> Document | None:
    """A letter filed with a change, public at once (the project is public once final)."""
    if uploaded is None:
        return None
    document = store_document(
        project,
        kind=Document.Kind.CHANGE_SUPPORTING,
        title=title,
        uploaded=uploaded,
        actor=actor,
    )
    document.published_at = timezone.now()
    document.save(update_fields=["published_at"])
    return document


def _target(change: ProjectChange) -> dict:
    """What the events carry about the organisation or the Party (``registry.asof``)."""
    if change.kind in PARTICIPANT_KINDS:
        org = change.organisation
        return {"organisation_id": org.pk, "organisation": org.name}
    party = change.party
    return {"party_id": party.pk, "party": party.code, "party_name": party.name}


def _check_target(project: Project, kind: str, organisation, party) -> None:
    """Rules 3, 4 and 6 of the module docstring, on the locked project."""
    if kind in PARTICIPANT_KINDS:
        if organisation is None:
            raise Invalid(_("Choose the organisation."), code="required", field="organisation")
        participants = set(project.participants.values_list("pk", flat=True))
        if kind == K.ADD_PARTICIPANT:
            if organisation.kind != Organisation.Kind.PARTICIPANT:
                raise Invalid(
                    _("%(name)s is not registered as a project participant organisation.")
                    % {"name": organisation.name},
                    code="not_a_participant_organisation",
                    field="organisation",
                )
            if organisation.pk in participants:
                raise Conflict(
                    _("%(name)s is already a project participant.") % {"name": organisation.name},
                    code="already_participant",
                    field="organisation",
                )
        else:
            if organisation.pk not in participants:
                raise Invalid(
                    _("%(name)s is not a participant of this project.")
                    % {"name": organisation.name},
                    code="not_participant",
                    field="organisation",
                )
            if len(participants) <= 1:
                raise Conflict(
                    _("The last project participant cannot be removed."),
                    code="last_participant",
                    field="organisation",
                )
        pending = {"organisation": organisation}
    else:
        if party is None:
            raise Invalid(_("Choose the Party."), code="required", field="party")
        if party.pk == project.host_party_id:
            raise Invalid(
                _("The host Party is not added or removed: the project is its project."),
                code="host_party",
                field="party",
            )
        involved = set(project.parties_involved.values_list("pk", flat=True))
        if kind == K.ADD_PARTY:
            if not party.kp_party:
                raise Invalid(
                    _("%(party)s is not a Party to the Kyoto Protocol.") % {"party": party.name},
                    code="not_kp_party",
                    field="party",
                )
            if party.pk in involved:
                raise Conflict(
                    _("%(party)s is already a Party involved.") % {"party": party.name},
                    code="already_involved",
                    field="party",
                )
        elif party.pk not in involved:
            raise Invalid(
                _("%(party)s is not a Party involved in this project.") % {"party": party.name},
                code="not_involved",
                field="party",
            )
        pending = {"party": party}
    if project.party_changes.filter(status=C.PENDING, **pending).exists():
        raise Conflict(
            _("A change of the same participant or Party is already waiting."),
            code="change_pending",
        )


def _apply(change: ProjectChange, project: Project, *, actor: User, data: dict | None = None):
    """Move a pending change to applied, change the project's sets and append the one event
    that tells both. ``m2m_changed`` keeps ``participants_text`` in step (``projects.search``)."""
    change.decided_at = timezone.now()
    if change.kind == K.ADD_PARTICIPANT:
        project.participants.add(change.organisation)
    elif change.kind == K.REMOVE_PARTICIPANT:
        project.participants.remove(change.organisation)
    elif change.kind == K.ADD_PARTY:
        project.parties_involved.add(change.party)
    else:
        project.parties_involved.remove(change.party)
    events = []
    CHANGE.move(
        change,
        C.APPLIED,
        log=lambda *_: events.append(
            record(
                project,
                APPLIED_EVENT[change.kind],
                actor=actor,
                reason=change.reason,
                data={
                    "change_id": change.pk,
                    **_target(change),
                    "consent_document_id": change.consent_id,
                    **(data or {}),
                },
            )
        ),
        code="not_pending",
    )
    return events[0]


def request_change(
    actor: User,
    project: Project,
    *,
    kind: str,
    reason: str,
    consent_declared: bool,
    organisation: Organisation | None = None,
    party: Party | None = None,
    consent=None,
) -> ProjectChange:
    """The participants add or remove a participant or a Party involved of a final project
    (module docstring, rules 1-4 and 6). Returns the change: applied, or pending (a new Party)."""
    if kind not in K.values:
        raise Invalid(_("Choose what changes."), code="invalid", field="kind")
    reason = _reason(reason)
    if not consent_declared:
        raise Invalid(
            _("Declare that all project participants consent to the change."),
            code="consent_required",
            field="consent_declared",
        )
    if kind in PARTICIPANT_KINDS:
        party = None
    else:
        organisation = None
    with transaction.atomic():
        project = lock(project)
        GUARDS["request"].check(actor, project)
        _check_target(project, kind, organisation, party)
        document = _public_letter(
            project, consent, title="Consent of the project participants", actor=actor
        )
        change = ProjectChange.objects.create(
            project=project,
            kind=kind,
            organisation=organisation,
            party=party,
            reason=reason,
            consent=document,
            status=CHANGE.initial(C.PENDING),
            requested_by=actor,
        )
        if kind == K.ADD_PARTY:
            record(
                project,
                "change_requested",
                actor=actor,
                reason=reason,
                data={
                    "change_id": change.pk,
                    "change": kind,
                    **_target(change),
                    "consent_document_id": change.consent_id,
                },
            )
        else:
            _apply(change, project, actor=actor)
    return change


def cancel_change(actor: User, change: ProjectChange, reason: str = "") -> ProjectChange:
    """The participants cancel a change still waiting for the new Party (rule 5)."""
    with transaction.atomic():
        project = lock(change.project_id)
        change = ProjectChange.objects.select_for_update().get(pk=change.pk)
        GUARDS["cancel"].check(actor, change, project)
        change.decided_at = timezone.now()
        CHANGE.move(
            change,
            C.CANCELLED,
            log=lambda *_: record(
                project,
                "change_requested",
                actor=actor,
                reason=(reason or "").strip(),
                data={
                    "change_id": change.pk,
                    "change": change.kind,
                    "cancelled": True,
                    **_target(change),
                },
            ),
            code="not_pending",
        )
    return change


def approve_party(
    actor: User,
    change: ProjectChange,
    *,
    issued_on: date,
    reference: str = "",
    uploaded=None,
) -> ProjectChange:
    """The new Party's designated focal point records its letter of approval (para 33 (a)); the
    pending addition applies with it (rule 4)."""
    reference = (reference or "").strip()
    check_text(reference, "reference")
    with transaction.atomic():
        project = lock(change.project_id)
        change = (
            ProjectChange.objects.select_for_update(of=("self",))
            .select_related("party", "organisation")
            .get(pk=change.pk)
        )
        if change.kind != K.ADD_PARTY:
            raise Conflict(
                _("Only the addition of a Party waits for approval."), code="not_pending"
            )
        GUARDS["approve_party"].check(actor, change, change.party)
        if project.status != S.FINAL:
            raise Conflict(
                _(
                    "Participants and Parties involved change only while the determination is final."
                ),
                code="wrong_status",
            )
        if issued_on > timezone.localdate():
            raise Invalid(_("The letter cannot be dated in the future."), field="issued_on")
        document = None
        if uploaded is not None:
            document = store_document(
                project,
                kind=Document.Kind.APPROVAL,
                title=f"Letter of approval — {change.party.name}",
                uploaded=uploaded,
                actor=actor,
            )
            document.published_at = timezone.now()
            document.save(update_fields=["published_at"])
        now = timezone.now()
        # A letter recorded before (the Party approved once, was removed and comes back) stays.
        loa = LetterOfApproval.objects.filter(project=project, party=change.party).first()
        if loa is None:
            LetterOfApproval.objects.create(
                project=project,
                party=change.party,
                issued_on=issued_on,
                reference=reference,
                document=document,
                recorded_by=actor,
                confirmed_by=actor,
                confirmed_at=now,
            )
        _apply(
            change,
            project,
            actor=actor,
            data={
                "issued_on": issued_on.isoformat(),
                "reference": reference,
                "approval_document_id": document.pk if document else None,
            },
        )
    return change


def renew_crediting_period(
    actor: User, project: Project, *, new_end: date, reason: str, letter=None
) -> Project:
    """The host Party's focal point renews or extends the crediting period (rule 7)."""
    reason = _reason(reason)
    with transaction.atomic():
        project = lock(project)
        GUARDS["renew_crediting"].check(actor, project, project.host_party)
        old_end = project.crediting_end
        if old_end is not None and new_end <= old_end:
            raise Invalid(
                _("The new end must be after the current end (%(day)s).")
                % {"day": day_text(old_end)},
                code="not_later",
                field="new_end",
            )
        if project.crediting_start and new_end <= project.crediting_start:
            raise Invalid(
                _("The new end must be after the start of the crediting period."),
                code="not_later",
                field="new_end",
            )
        document = _public_letter(
            project, letter, title="Letter of the host Party on the crediting period", actor=actor
        )
        project.crediting_end = new_end
        project.save(update_fields=["crediting_end", "updated_at"])
        record(
            project,
            "crediting_period_renewed",
            actor=actor,
            reason=reason,
            data={
                "old_end": old_end.isoformat() if old_end else None,
                "new_end": new_end.isoformat(),
                "document_id": document.pk if document else None,
            },
        )
    return project


def may_approve(user, change: ProjectChange) -> bool:
    """Whether ``user`` is the focal point of the Party a pending addition waits for (pages)."""
    return (
        change.kind == K.ADD_PARTY
        and change.status == C.PENDING
        # the Party by its id: no query for a row read from ``with_participation_changes``
        and is_focal_point(user, Party(pk=change.party_id))
    )


# --- reads -------------------------------------------------------------------------------------

# The project page's change rows (``with_participation_changes``): key -> path on ProjectChange.
ROW = {
    "id": "pk",
    "kind": "kind",
    "status": "status",
    "organisation_id": "organisation_id",
    "organisation_name": "organisation__name",
    "party_id": "party_id",
    "party_name": "party__name",
    "reason": "reason",
    "consent_id": "consent_id",
    "requested_at": "requested_at",
    "decided_at": "decided_at",
}


def with_participation_changes(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with its changes of participants and Parties as a JSON array
    (``party_change_json``): a subquery of the same query, since the project page's query
    budget has no room for another."""
    rows = (
        ProjectChange.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(rows=JSONRows(JSONRow(**{key: F(path) for key, path in ROW.items()})))
        .values("rows")
    )
    return qs.annotate(party_change_json=Subquery(rows[:1]))


def _day(value) -> date | None:
    return None if not value else date.fromisoformat(str(value)[:10])


def change_rows(project: Project) -> list[ProjectChange]:
    """The project's changes, newest first, with ``organisation_name`` and ``party_name``: read
    from the ``with_participation_changes`` annotation (no query), else from the table."""
    if not hasattr(project, "party_change_json"):
        rows = list(project.party_changes.select_related("organisation", "party"))
        for change in rows:
            change.organisation_name = change.organisation.name if change.organisation else ""
            change.party_name = change.party.name if change.party else ""
            change.requested_on = change.requested_at.date()
            change.decided_on = change.decided_at.date() if change.decided_at else None
    else:
        rows = []
        for row in json.loads(project.party_change_json) if project.party_change_json else []:
            names = {k: row.pop(k) or "" for k in ("organisation_name", "party_name")}
            days = {
                "requested_on": _day(row.pop("requested_at")),
                "decided_on": _day(row.pop("decided_at")),
            }
            change = ProjectChange(project=project, **row)
            change.__dict__.update(names, **days)
            rows.append(change)
    rows.sort(key=lambda c: (c.requested_on, c.pk), reverse=True)
    return rows
