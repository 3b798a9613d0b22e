"""F-JI-DRep and F-JI-VRep rendered to PDF (``jitrack.pdf``) from the stored structured data."""

from __future__ import annotations

from datetime import datetime

from jitrack import pdf


def drep_html(determination, *, generated_at: datetime | None = None, preview: bool = False) -> str:
    """F-JI-DRep; ``preview``: marked as not filed (``determinations.preview``)."""
    project = determination.project
    return pdf.render_html(
        "determinations/drep_pdf.html",
        {
            "d": determination,
            "project": project,
            "findings": determination.findings(),
            "comments": list(project.comments.all()),
            "scopes": list(project.sectoral_scopes.all()),
            "parties": list(project.parties_involved.all()),
            "participants": list(project.participants.all()),
            "approvals": list(project.approvals.select_related("party")),
            "preview": preview,
        },
        generated_at=generated_at,
    )


def render_drep(determination) -> bytes:
    return pdf.write_pdf(drep_html(determination))


def vrep_html(
    verification, *, changes=None, generated_at: datetime | None = None, preview: bool = False
) -> str:
    """F-JI-VRep from the structured verification, with its separate section on ``changes``
    (by default those it addressed; a verification being filed passes them, unsaved)."""
    project = verification.project
    if changes is None:
        changes = list(project.changes.filter(addressed_in=verification))
    report = verification.monitoring_report
    return pdf.render_html(
        "determinations/vrep_pdf.html",
        {
            "v": verification,
            "project": project,
            "report": report,
            "claimed": sorted(report.claimed.items()),
            "verified": sorted(verification.verified.items()),
            "changes": changes,
            "scopes": list(project.sectoral_scopes.all()),
            "preview": preview,
        },
        generated_at=generated_at,
    )


def render_vrep(verification) -> bytes:
    return pdf.write_pdf(vrep_html(verification))
