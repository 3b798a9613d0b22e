"""Human labels for event kinds and statuses, and the timeline query of a project page.

The timeline is a query over the append-only ``Event`` log (STYLE habit 2): the project's
participants, its AIE and the secretariat see every event; everyone else sees the public ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db.models import QuerySet
from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .models import Document, Event, Project

S = Project.Status


# What the project needs next, by status, as shown on dashboards.
NEXT_ACTIONS: dict[str, str | Promise] = {
    S.DRAFT: _("Project participants: upload the PDD and engage an AIE"),
    S.ENGAGED: _("AIE: submit the PDD for publication"),
    S.PDD_SUBMITTED: _("Secretariat: check the PDD and publish it"),
    S.OPEN_FOR_COMMENTS: _("Public: comment until the period closes; AIE: answer comments"),
    S.COMMENTS_CLOSED: _("AIE: answer every comment and file the determination"),
    S.DETERMINATION_SUBMITTED: _("Secretariat: check the report (fee due on submission)"),
    S.DETERMINATION_PUBLISHED: _("Parties involved or three JISC members may request a review"),
    S.UNDER_REVIEW: _("JISC: decide the review"),
    S.FINAL: _(
        "Project participants: monitor the reductions and submit a monitoring report to an AIE"
    ),
    S.REJECTED: _("None: the project is rejected"),
    S.WITHDRAWN: _("None: the project is withdrawn"),
}


# The outcome of a determination as the event data stores it.
OUTCOMES = {"positive": _("positive"), "negative": _("negative")}


def event_label(kind: str) -> str:
    if kind in Event.Kind.values:
        return str(Event.Kind(kind).label)
    return kind.replace("_", " ").capitalize()


def next_action(project: Project) -> str:
    if project.status == S.DRAFT and getattr(project, "pending_aie_name", None):
        return gettext("%(aie)s: accept or decline the engagement") % {
            "aie": project.pending_aie_name
        }
    return str(NEXT_ACTIONS.get(project.status, ""))


def day_text(value: date) -> str:
    """``29 Jul 2008`` (``29 июля 2008`` in Russian): a calendar date in the active language."""
    # Translators: a Django date format (j = day, M = short month, E = month in the genitive,
    # Y = year).
    return dateformat.format(value, pgettext("date format", "j M Y"))


def gmt_text(value: datetime) -> str:
    """``27 Aug 2008 17:00 GMT`` (``27 августа 2008 17:00 GMT`` in Russian): an instant in UTC."""
    return f"{dateformat.format(value.astimezone(UTC), pgettext('date format', 'j M Y H:i'))} GMT"


def _day(iso: str) -> str:
    try:
        return day_text(date.fromisoformat(iso[:10]))
    except (TypeError, ValueError):
        return iso


def _party_change_requested(data: dict) -> str:
    name = data.get("party_name") or data.get("organisation") or ""
    if data.get("cancelled"):
        return gettext("Addition of %(name)s cancelled.") % {"name": name}
    return gettext("%(name)s to be added as a Party involved, once its focal point approves.") % {
        "name": name
    }


def _party_added(data: dict) -> str:
    if data.get("issued_on"):
        return gettext("%(party)s; letter of approval issued %(day)s.") % {
            "party": data.get("party_name", ""),
            "day": _day(data["issued_on"]),
        }
    return f"{data.get('party_name', '')}."


def _verification_aie_changed(data: dict) -> str:
    text = gettext("Monitoring report %(number)s: from %(old)s to %(new)s.") % {
        "number": data.get("number", ""),
        "old": data.get("old_aie", ""),
        "new": data.get("aie", ""),
    }
    if data.get("new_number"):
        text += " " + gettext(
            "The filed verification was withdrawn; the report was submitted again as "
            "monitoring report %(number)s."
        ) % {"number": data["new_number"]}
    return text


# The changes after the determination (``projects.changes``) and the change of AIE for a
# verification (``determinations.verification.change_verification_aie``).
CHANGE_DETAILS = {
    "participant_added": lambda data: f"{data.get('organisation', '')}.",
    "participant_removed": lambda data: f"{data.get('organisation', '')}.",
    "party_added": _party_added,
    "party_removed": lambda data: f"{data.get('party_name', '')}.",
    "change_requested": _party_change_requested,
    "crediting_period_renewed": lambda data: (
        gettext("End of the crediting period: from %(old)s to %(new)s.")
        % {"old": _day(data.get("old_end") or "—"), "new": _day(data.get("new_end"))}
    ),
    "verification_aie_changed": _verification_aie_changed,
}


# The years of each commitment period (decision 13/CMP.1; the Doha Amendment), as the inventory
# events name them.
PERIOD_YEARS = {1: "2008–2012", 2: "2013–2020"}


def _inventory_detail(data: dict) -> str:
    def figure(value: dict) -> str:
        return gettext("%(tonnes)s t CO2e (%(source)s)") % {
            "tonnes": f"{int(value.get('tonnes', 0)):,}",
            "source": value.get("source", ""),
        }

    if data.get("figure") == "assigned_amount":
        text = gettext("Assigned amount %(period)s: %(figure)s") % {
            "period": PERIOD_YEARS.get(data.get("commitment_period"), ""),
            "figure": figure(data["after"]),
        }
    else:
        text = gettext("Emissions of %(year)s: %(figure)s") % {
            "year": data.get("year", ""),
            "figure": figure(data["after"]),
        }
    if data.get("before"):
        return gettext("%(text)s, was %(before)s.") % {
            "text": text,
            "before": figure(data["before"]),
        }
    return f"{text}."


def event_detail(event: Event) -> str:
    """A short public description of an event's data. Fee amounts never appear here: invoices
    and payments are for the paying participants and the secretariat only (ji-rules §6)."""
    data = event.data or {}
    if event.kind == "pdd_published" and data.get("reference"):
        return gettext("Reference %(reference)s; available from %(day)s.") % {
            "reference": data["reference"],
            "day": _day(data.get("available_on")),
        }
    if event.kind == "approval_recorded" and data.get("party"):
        return gettext("Party %(party)s, issued %(day)s.") % {
            "party": data["party"],
            "day": _day(data.get("issued_on")),
        }
    if event.kind == "aie_changed" and data.get("aie"):
        return gettext("From %(old)s to %(new)s.") % {
            "old": data.get("old_aie", ""),
            "new": data["aie"],
        }
    if event.kind in ("determination_submitted", "determination_published") and data.get("outcome"):
        outcome = data["outcome"]
        return gettext("Outcome: %(outcome)s.") % {"outcome": OUTCOMES.get(outcome, outcome)}
    if event.kind == "engagement_requested" and data.get("aie"):
        return f"{data['aie']}."
    if event.kind.startswith("accreditation_") and data.get("function"):
        return gettext("%(aie)s: %(function)s in sectoral scope(s) %(scopes)s.") % {
            "aie": data.get("aie", ""),
            "function": data["function"],
            "scopes": ", ".join(str(n) for n in data.get("scopes", [])),
        }
    # a Party's assigned amount or emissions (``determinations.inventory``)
    if event.kind == "inventory_recorded" and data.get("after"):
        return _inventory_detail(data)
    # Track 1 (para 23): as the host made them (``determinations.track1``)
    if event.kind == "track1_recorded" and data.get("determined_on"):
        return gettext(
            "Reference %(reference)s; national approval %(approval)s; determined by %(entity)s "
            "on %(day)s."
        ) % {
            "reference": data.get("reference", ""),
            "approval": data.get("national_approval_reference", ""),
            "entity": data.get("entity", ""),
            "day": _day(data.get("determined_on")),
        }
    if event.kind == "track1_verification" and data.get("verified_on"):
        return gettext(
            "%(tonnes)s t CO2e verified for %(start)s – %(end)s by %(entity)s on %(day)s."
        ) % {
            "tonnes": f"{int(data.get('verified_total', 0)):,}",
            "start": _day(data.get("period_start")),
            "end": _day(data.get("period_end")),
            "entity": data.get("entity", ""),
            "day": _day(data.get("verified_on")),
        }
    if event.kind in CHANGE_DETAILS:
        return CHANGE_DETAILS[event.kind](data)
    # a programme's components (``projects.components``)
    if event.kind == "component_included" and data.get("reference"):
        return gettext("%(reference)s “%(title)s”, included on %(day)s.") % {
            "reference": data["reference"],
            "title": data.get("title", ""),
            "day": _day(data.get("included_on")),
        }
    if event.kind == "component_excluded" and data.get("reference"):
        return gettext("%(reference)s, excluded from %(day)s.") % {
            "reference": data["reference"],
            "day": _day(data.get("excluded_on")),
        }
    if event.kind == "document_uploaded" and data.get("kind"):
        kind = data["kind"]
        name = Document.Kind(kind).label if kind in Document.Kind.values else kind
        return gettext("%(kind)s, version %(version)s.") % {
            "kind": name,
            "version": data.get("version", 1),
        }
    return ""


def project_events(project: Project, *, insider: bool) -> QuerySet[Event]:
    """The timeline: every event for the project's insiders (``projects.view_history``), the
    public ones for everyone else."""
    events = Event.objects.filter(project=project)
    if not insider:
        events = events.filter(public=True)
    return events.order_by("created_at", "pk")
