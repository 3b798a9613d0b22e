"""F-JI-DRep rendered to PDF with WeasyPrint from the stored structured data."""

from django.template.loader import render_to_string
from django.utils import timezone

from jitrack.i18n import in_official_language


@in_official_language
def render_drep(determination) -> bytes:
    from weasyprint import HTML

    project = determination.project
    html = render_to_string(
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
            "generated_at": timezone.now(),
        },
    )
    return HTML(string=html).write_pdf()


@in_official_language
def render_vrep(verification) -> bytes:
    """F-JI-VRep from the structured verification, with its separate section on changes."""
    from weasyprint import HTML

    project = verification.project
    report = verification.monitoring_report
    html = render_to_string(
        "determinations/vrep_pdf.html",
        {
            "v": verification,
            "project": project,
            "report": report,
            "claimed": sorted(report.claimed.items()),
            "verified": sorted(verification.verified.items()),
            "changes": list(project.changes.filter(addressed_in=verification)),
            "scopes": list(project.sectoral_scopes.all()),
            "generated_at": timezone.now(),
        },
    )
    return HTML(string=html).write_pdf()
