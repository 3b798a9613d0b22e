"""Track 1 (para 23 of the JI guidelines, decision 9/CMP.1 annex): a host Party that meets all
six para 21 requirements verifies the reductions of its projects under its own national
procedure, and issues their ERUs (decision 13/CMP.1 annex para 29) from the same AAU ledger as
Track 2 (``determinations.issuance``). Its designated focal point records here, as the host made
them, the project with its determination (``record_project``) and each verification
(``record_verification``). No JISC step, no fees, no clock: each act writes its rows final and
one public event at the instant it is recorded.

[our reading] decisions, each a guard or a rule of the acts below:

* TRACK1_WHO (para 23): only the designated focal point of the host Party records, and only
  while the Party meets all six para 21 requirements (``Party.track1_eligible``); a Party that
  no longer meets them records no new Track 1 project nor verification (``track1_not_eligible``).
  Projects and verifications recorded earlier stay on the record, and their ERUs may still be
  issued on the conditions of ``issuance`` (para 21 (a), (b) and (d) at issuance).
* TRACK1_DETERMINATION (para 23): the host's approval and determination stand for the para 33
  findings: the determination is recorded positive, its four findings met, with the reason that
  the host determined them under its national procedure; the project is final on the day the
  host determined it (``determination_available_on`` = ``final_on`` = that day), which may not
  lie in the future. The determining entity is named as the host names it: an organisation of
  that name that is an AIE, or a new historical AIE record (as ``registry.importer`` adds
  them); a participant organisation of that name is refused (``entity_not_aie``).
* TRACK1_APPROVAL (para 33 (a)): the host's national approval is its written approval, recorded
  with the project as a confirmed letter of approval of the host (its reference the national
  approval's, its date the determination's); the other Parties involved record theirs as in
  Track 2 (before ERUs first go to an account of that Party).
* TRACK1_REFERENCE: the reference is the one the host assigned, its ISO code followed by digits
  (``projects.selectors.TRACK1_REFERENCE``), unique over all projects.
* TRACK1_VERIFICATION (para 23; 13/CMP.1 annex para 29): the period lies within the crediting
  period and starts no earlier than 1 January 2008, does not overlap another period of the
  project (JISC 13 Annex 13, ``verification.overlapping``), ended before the day it was
  verified, which may not lie in the future; reductions are given per calendar year of the
  period. The host's verification is recorded final (its monitoring report final, claimed =
  verified); without a separate monitoring report the verification report stands for it.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jitrack.errors import Conflict, DomainError, Forbidden, Invalid
from jitrack.text import check_text
from projects import workflow as wf
from projects.models import Document, LetterOfApproval, Organisation, Party, Project, User
from projects.selectors import TRACK1_REFERENCE
from projects.timeline import day_text

from . import verification as vwf
from . import workflow as dwf
from .models import Determination, Verification

S = Project.Status
ERU_START = date(2008, 1, 1)
MAX_TONNES = 10**12
MAX_YEARS = 200

# TRACK1_DETERMINATION: the reasons the record gives for each para 33 finding, in the official
# language (stored text).
NATIONAL_PROCEDURE = (
    "Determined by {party} under its national procedure (para 23 of the JI guidelines): the "
    "host Party meets all six para 21 requirements and approved the project (national approval "
    "{approval})."
)
VERIFIED_NATIONALLY = (
    "Verified by {party} under its national procedure (para 23 of the JI guidelines); entity: "
    "{entity}."
)


# --- who -------------------------------------------------------------------------------------


def _not_eligible(party: Party) -> Conflict:
    return Conflict(
        _(
            "%(party)s does not meet all six para 21 requirements: it cannot record a new "
            "Track 1 project or verification (para 23)."
        )
        % {"party": party.name},
        code="track1_not_eligible",
    )


def project_refusal(actor: User | None, party: Party | None) -> DomainError | None:
    """TRACK1_WHO: why ``actor`` may not record a Track 1 project of ``party``, or None (no
    query beyond the permission's)."""
    if party is None or not wf.is_focal_point(actor, party):
        return Forbidden(_("Only the designated focal point of the host Party records this."))
    if not party.track1_eligible:
        return _not_eligible(party)
    return None


def verification_refusal(actor: User | None, project: Project) -> DomainError | None:
    """TRACK1_WHO: why ``actor`` may not record a Track 1 verification of ``project`` now, or
    None. The project's host Party is read through ``project.host_party``."""
    host = project.host_party
    if not wf.is_focal_point(actor, host):
        return Forbidden(
            _("Only the designated focal point of %(party)s records this.") % {"party": host.name}
        )
    if project.track != Project.Track.ONE:
        return Conflict(
            _("Only a Track 1 project's verifications are recorded by its host Party."),
            code="not_track1",
        )
    if project.status != S.FINAL:
        return Conflict(
            _("Verifications are recorded while the project is final; it is %(status)s.")
            % {"status": project.get_status_display().lower()},
            code="wrong_status",
        )
    if not host.track1_eligible:
        return _not_eligible(host)
    return None


def may_record_verification(actor: User | None, project: Project) -> bool:
    """Pages ask this (the status first: it costs no query)."""
    if project.track != Project.Track.ONE or project.status != S.FINAL:
        return False
    return verification_refusal(actor, project) is None


# --- shared checks ---------------------------------------------------------------------------


def entity_named(name: str, field: str = "entity") -> Organisation:
    """TRACK1_DETERMINATION: the AIE of that name, or a new historical AIE record."""
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(_("Name the entity."), code="required", field=field)
    if len(name) > 200:
        raise Invalid(_("An entity's name has at most 200 characters."), field=field)
    check_text(name, field)
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        return Organisation.objects.create(name=name, kind=Organisation.Kind.AIE, historical=True)
    if org.kind != Organisation.Kind.AIE:
        raise Invalid(
            _("%(name)s is on record as a %(kind)s, not an entity.")
            % {"name": name, "kind": org.get_kind_display().lower()},
            code="entity_not_aie",
            field=field,
        )
    return org


def participants_named(names: list[str]) -> list[Organisation]:
    """TRACK1_DETERMINATION: the participants as the host names them — organisations of those
    names that are participants, or new historical participant records."""
    out: list[Organisation] = []
    for raw in names or []:
        name = " ".join((raw or "").split())
        if not name or any(o.name == name for o in out):
            continue
        if len(name) > 200:
            raise Invalid(
                _("An organisation's name has at most 200 characters."), field="participants"
            )
        check_text(name, "participants")
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            org = Organisation.objects.create(
                name=name, kind=Organisation.Kind.PARTICIPANT, historical=True
            )
        elif org.kind != Organisation.Kind.PARTICIPANT:
            raise Invalid(
                _("%(name)s is on record as a %(kind)s, not a project participant.")
                % {"name": name, "kind": org.get_kind_display().lower()},
                code="not_a_participant",
                field="participants",
            )
        out.append(org)
    if len(out) > 50:
        raise Invalid(_("Name at most 50 participants."), field="participants")
    return out


def _past_day(day: date | None, field: str, what: str) -> date:
    if not isinstance(day, date):
        raise Invalid(_("Give the date %(what)s.") % {"what": what}, code="required", field=field)
    if day > timezone.localdate():
        raise Invalid(_("The date cannot be in the future."), code="in_future", field=field)
    return day


def _published(project: Project, *, kind: str, title: str, uploaded, actor, field: str):
    try:
        doc = wf.store_document(project, kind=kind, title=title, uploaded=uploaded, actor=actor)
    except Invalid as err:
        if err.field in (None, "file"):
            err.field = field
        raise
    doc.published_at = timezone.now()
    doc.save(update_fields=["published_at"])
    return doc


# --- the project with its determination --------------------------------------------------------


def record_project(
    actor: User,
    *,
    reference: str,
    national_approval_reference: str,
    national_guidelines: str = "",
    determined_on: date,
    entity: str,
    report,
    pdd=None,
    **data,
) -> Project:
    """The host's focal point records a Track 1 project with its determination, in one act.
    ``data`` is the project's data as ``projects.workflow.create_project`` takes it, its
    ``host_party`` the focal point's Party; ``participant_names`` may stand for ``participants``
    (``participants_named``). Writes the project (final), its determination
    (final, positive), the published determination report (and PDD) and one public event
    ``track1_recorded``."""
    host = data.get("host_party")
    err = project_refusal(actor, host)
    if err is not None:
        raise err
    determined_on = _past_day(determined_on, "determined_on", _("of the determination"))
    with transaction.atomic():
        host = Party.objects.select_for_update().get(pk=host.pk)  # its para 21 flags, now
        err = project_refusal(actor, host)
        if err is not None:
            raise err
        reference = (reference or "").strip()
        if not TRACK1_REFERENCE.fullmatch(reference) or not reference.startswith(host.code):
            raise Invalid(
                _(
                    "A Track 1 reference is the one %(party)s assigned: its code %(code)s "
                    "followed by digits, e.g. %(code)s1000001."
                )
                % {"party": host.name, "code": host.code},
                code="invalid_reference",
                field="reference",
            )
        aie = entity_named(entity)
        if "participant_names" in data:
            data["participants"] = participants_named(data.pop("participant_names"))
        project = wf.create_track1_project(
            actor,
            reference=reference,
            national_approval_reference=national_approval_reference,
            national_guidelines=national_guidelines,
            aie=aie,
            determined_on=determined_on,
            **(data | {"host_party": host}),
        )
        documents = []
        report_doc = _published(
            project,
            kind=Document.Kind.DETERMINATION_REPORT,
            title=f"Determination by {host.name} ({project.reference})",
            uploaded=report,
            actor=actor,
            field="report",
        )
        documents.append(report_doc.pk)
        if pdd is not None:
            documents.append(
                _published(
                    project,
                    kind=Document.Kind.PDD,
                    title=f"Project design document ({project.reference})",
                    uploaded=pdd,
                    actor=actor,
                    field="pdd",
                ).pk
            )
        reasons = NATIONAL_PROCEDURE.format(
            party=host.name, approval=project.national_approval_reference
        )
        det = dwf.recorded_determination(
            project=project,
            aie=aie,
            number=1,
            outcome="positive",
            submitted_by=actor,
            available_on=determined_on,
            final_on=determined_on,
            report=report_doc,
            **{f"{key}_met": True for key, _label in Determination.FINDINGS},
            **{f"{key}_reasons": reasons for key, _label in Determination.FINDINGS},
        )
        det.save()
        # TRACK1_APPROVAL: the host's national approval is its written approval (para 33 (a)),
        # on record, confirmed by the focal point that records it, dated the day of the
        # determination (the record the host gives; no separate letter is asked for).
        LetterOfApproval.objects.create(
            project=project,
            party=host,
            issued_on=determined_on,
            reference=project.national_approval_reference[:120],
            recorded_by=actor,
            confirmed_by=actor,
            confirmed_at=timezone.now(),
        )
        wf.record(
            project,
            "track1_recorded",
            actor=actor,
            to_status=S.FINAL,
            data={
                "documents": documents,  # their SHA-256 joins the hash chain (ledger)
                "reference": project.reference,
                "national_approval_reference": project.national_approval_reference,
                "national_guidelines": project.national_guidelines,
                "determined_on": determined_on.isoformat(),
                "entity": aie.name,
                "determination": det.number,
                "outcome": det.outcome,
            },
        )
    return project


# --- a verification ------------------------------------------------------------------------------


def _per_year(data, start: date, end: date) -> dict[str, int]:
    """TRACK1_VERIFICATION: whole, non-negative tonnes per calendar year of the period."""
    field = "verified"
    if not isinstance(data, dict) or not data:
        raise Invalid(_("Give the reductions per calendar year."), code="required", field=field)
    if len(data) > MAX_YEARS:
        raise Invalid(_("Give at most 200 years."), field=field)
    out: dict[str, int] = {}
    for year, tonnes in data.items():
        text = str(year).strip()
        y = int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None
        if y is None or isinstance(year, bool):
            raise Invalid(_("%(year)r is not a calendar year.") % {"year": year}, field=field)
        if not start.year <= y <= end.year:
            raise Invalid(
                _("%(year)s is outside the period %(start)s–%(end)s.")
                % {"year": y, "start": day_text(start), "end": day_text(end)},
                code="year_outside_period",
                field=field,
            )
        if isinstance(tonnes, bool) or not isinstance(tonnes, int) or not 0 <= tonnes <= MAX_TONNES:
            raise Invalid(
                _("Give whole, non-negative tonnes for %(year)s.") % {"year": y}, field=field
            )
        if str(y) in out:
            raise Invalid(_("Give each year once."), field=field)
        out[str(y)] = tonnes
    if sum(out.values()) > MAX_TONNES:
        raise Invalid(_("The reductions add up to more than 10^12 t."), field=field)
    return dict(sorted(out.items()))


def _check_period(project: Project, start: date, end: date, verified_on: date) -> None:
    """TRACK1_VERIFICATION, on the locked project."""
    if start < ERU_START:
        raise Invalid(
            _("A monitoring period starts on 1 January 2008 or later."),
            code="before_2008",
            field="period_start",
        )
    if project.crediting_start and start < project.crediting_start:
        raise Invalid(
            _("The period starts before the crediting period (%(date)s).")
            % {"date": day_text(project.crediting_start)},
            code="outside_crediting_period",
            field="period_start",
        )
    if project.crediting_end and end > project.crediting_end:
        raise Invalid(
            _("The period ends after the crediting period (%(date)s).")
            % {"date": day_text(project.crediting_end)},
            code="outside_crediting_period",
            field="period_end",
        )
    if verified_on <= end:
        raise Invalid(
            _("The reductions are verified after the period has ended."),
            code="verified_before_end",
            field="verified_on",
        )
    clash = vwf.overlapping(project, start, end).first()
    if clash is not None:
        raise Conflict(
            _("The period overlaps monitoring period %(number)s (%(start)s–%(end)s).")
            % {
                "number": clash.number,
                "start": day_text(clash.period_start),
                "end": day_text(clash.period_end),
            },
            code="period_overlap",
            field="period_start",
        )


def record_verification(
    actor: User,
    project: Project,
    *,
    period_start: date,
    period_end: date,
    verified: dict,
    verified_on: date,
    entity: str,
    report,
    monitoring_report=None,
) -> Verification:
    """The host's focal point records a Track 1 verification of ``project``: the monitoring
    period, the reductions verified per calendar year, the day and the entity, the verification
    report (and the monitoring report). Writes a final monitoring report (claimed = verified), a
    final verification whose ERUs the focal point then issues (``issuance.issue_erus``), the
    published reports and one public event ``track1_verification``."""
    for field, value in (("period_start", period_start), ("period_end", period_end)):
        if not isinstance(value, date):
            raise Invalid(_("Give the monitoring period."), code="required", field=field)
    if period_end < period_start:
        raise Invalid(_("The period ends before it starts."), field="period_end")
    verified_on = _past_day(verified_on, "verified_on", _("of the verification"))
    verified = _per_year(verified, period_start, period_end)
    with transaction.atomic():
        project = wf.lock(project)
        host = Party.objects.select_for_update().get(pk=project.host_party_id)
        project.host_party = host
        err = verification_refusal(actor, project)
        if err is not None:
            raise err
        _check_period(project, period_start, period_end, verified_on)
        aie = entity_named(entity)
        number = (
            project.monitoring.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        ver_number = (
            project.verifications.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        period = f"{period_start:%d %b %Y}–{period_end:%d %b %Y}"
        report_doc = _published(
            project,
            kind=Document.Kind.VERIFICATION_REPORT,
            title=f"Verification by {host.name} ({ver_number}, {period})",
            uploaded=report,
            actor=actor,
            field="report",
        )
        documents = [report_doc.pk]
        monitoring_doc = report_doc
        if monitoring_report is not None:
            monitoring_doc = _published(
                project,
                kind=Document.Kind.MONITORING_REPORT,
                title=f"Monitoring report {number} ({period})",
                uploaded=monitoring_report,
                actor=actor,
                field="monitoring_report",
            )
            documents.append(monitoring_doc.pk)
        now = timezone.now()
        mr = vwf.create_monitoring_report(
            project=project,
            number=number,
            period_start=period_start,
            period_end=period_end,
            aie=aie,
            claimed=verified,
            report=monitoring_doc,
            submitted_by=actor,
            submitted_at=now,
        )
        ver = Verification.objects.create(
            project=project,
            number=ver_number,
            monitoring_report=mr,
            aie=aie,
            verified=verified,
            verified_total=sum(verified.values()),
            findings=VERIFIED_NATIONALLY.format(party=host.name, entity=aie.name),
            conditions_hold=True,
            conditions_reasons=VERIFIED_NATIONALLY.format(party=host.name, entity=aie.name),
            no_overlap_declared=True,
            report=report_doc,
            submitted_by=actor,
            submitted_at=now,
            available_on=verified_on,
            final_on=verified_on,
        )
        # The host's verification is final as recorded: the one event below tells these moves
        # of the monitoring report and the verification through their own tables.
        vwf.MONITORING.move(mr, vwf.M.VERIFIED, log=None)
        vwf.MONITORING.move(mr, vwf.M.FINAL, log=None)
        vwf.VERIFICATION.move(ver, vwf.V.PUBLISHED, log=None)
        vwf.VERIFICATION.move(ver, vwf.V.FINAL, log=None)
        wf.record(
            project,
            "track1_verification",
            actor=actor,
            data={
                "documents": documents,  # their SHA-256 joins the hash chain (ledger)
                "verification": ver.number,
                "monitoring_report": mr.number,
                "period_start": period_start.isoformat(),
                "period_end": period_end.isoformat(),
                "verified": verified,
                "verified_total": ver.verified_total,
                "verified_on": verified_on.isoformat(),
                "entity": aie.name,
            },
        )
    return ver
