"""Reads of determinations, monitoring and verifications that pages, the API and the registry
share: the current determination, which verifications a user may see (ji-rules §6: public once
the secretariat has published them, para 38), and the project detail's verification rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jitrack.db import JSONRow, JSONRows
from projects.models import Project, User

from . import workflow
from .models import Determination, Verification


def verifying_aie(user) -> int | None:
    """The organisation of an AIE user (who sees the verifications it filed), else None."""
    if user.is_authenticated and user.role == User.Role.AIE and user.organisation_id:
        return user.organisation_id
    return None


def visible_verifications(user, project: Project, insider: bool | None = None):
    """The project's verifications this user may see (``insider``: the user may see the
    project's history — its participants, its AIE, the secretariat)."""
    if insider is None:
        insider = user.has_perm("projects.view_history", project)
    qs = Verification.objects.filter(project=project)
    if not insider:
        shown = Verification.PUBLIC
        if verifying_aie(user):
            shown |= Q(aie=verifying_aie(user))
        qs = qs.filter(shown)
    return qs


# The project detail's ``verifications``: key -> Verification lookup.
ROW = {
    "number": "number",
    "period_start": "monitoring_report__period_start",
    "period_end": "monitoring_report__period_end",
    "status": "status",
    "verified_reductions": "verified_total",
    "available_on": "available_on",
    "review_window_closes_at": "review_window_closes_at",
    "final_on": "final_on",
    "erus_issued": "erus_issued",
    "aie_id": "aie_id",
}


def with_verifications(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with its verifications as a JSON array (``verification_json``),
    a subquery of the same query: the project detail's query budget has no room for another."""
    rows = (
        Verification.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(rows=JSONRows(JSONRow(**{key: F(path) for key, path in ROW.items()})))
        .values("rows")
    )
    return qs.annotate(verification_json=Subquery(rows[:1]))


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _instant(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):  # SQLite stores UTC without offset
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


def verification_rows(user, project: Project, insider: bool) -> list[dict]:
    """The project detail's ``verifications`` this user may see, in period order. Reads the
    annotation of ``with_verifications`` (no query); a project loaded without it costs one."""
    if hasattr(project, "verification_json"):
        rows = json.loads(project.verification_json) if project.verification_json else []
    else:
        rows = [
            dict(zip(ROW, values, strict=True))
            for values in Verification.objects.filter(project=project)
            .order_by()
            .values_list(*ROW.values())
        ]
    out = []
    for row in rows:
        row = {
            **row,
            "period_start": _date(row["period_start"]),
            "period_end": _date(row["period_end"]),
            "available_on": _date(row["available_on"]),
            "final_on": _date(row["final_on"]),
            "review_window_closes_at": _instant(row["review_window_closes_at"]),
        }
        if verification_visible(
            user, insider, available_on=row["available_on"], aie_id=row["aie_id"]
        ):
            out.append(row)
    return sorted(out, key=lambda r: (r["period_start"], r["number"]))


def public_verifications(project: Project) -> list:
    """Verification reports made public (para 38), with the ERUs issued for each: one query,
    only once the determination is final (no verification exists before)."""
    if project.status != Project.Status.FINAL:
        return []
    verifications = list(
        Verification.objects.filter(Verification.PUBLIC, project=project)
        .select_related("monitoring_report__component", "report")
        .order_by("number")
    )
    for ver in verifications:
        ver.status_label = ver.get_status_display()
        ver.period = (ver.monitoring_report.period_start, ver.monitoring_report.period_end)
    return verifications


def available_actions(project: Project, user) -> dict[str, bool]:
    """What ``user`` may do next with the project's determination: the acts' own guards."""
    return {
        "file_determination": workflow.GUARDS["submit"].allows(user, project),
        "check_determination": workflow.GUARDS["check"].allows(user, project),
    }


def visible_determination(project: Project, *, insider: bool) -> Determination | None:
    """The project detail's ``determination``: the latest one not returned; for everyone but
    the project's insiders only once the secretariat has published it (para 34)."""
    if not project.aie_id:  # without an AIE there is no determination: no query
        return None
    determinations = (
        project.determinations.exclude(status=Determination.Status.RETURNED)
        .select_related("report")
        .order_by("-number")
    )
    if not insider:
        determinations = determinations.filter(available_on__isnull=False)
    return determinations.first()


MAX_NUMBER = 32767  # verification numbers are small integers


def verification_for(user, project: Project, number: int) -> Verification | None:
    """Verification ``number`` of ``project`` if ``user`` may see it (``visible_verifications``),
    with its monitoring report and AIE; else None."""
    if not 0 < number <= MAX_NUMBER:
        return None
    return (
        visible_verifications(user, project)
        .select_related("monitoring_report", "aie", "project")
        .filter(number=number)
        .first()
    )


def verification_visible(user, insider: bool, *, available_on, aie_id: int) -> bool:
    """ji-rules §6: a verification is public once the secretariat has published it (para 38);
    before that only the project's insiders and the AIE that filed it see it. The one rule
    ``visible_verifications`` puts in a query."""
    own = verifying_aie(user)
    return insider or available_on is not None or bool(own and aie_id == own)
