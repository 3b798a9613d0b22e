"""Change of AIE for the verification of a monitoring report (ji-rules §7,
``verification.change_verification_aie``): the participants' page and API action."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jitrack.api import JSON_OR_MULTIPART, MAX_ID, responses, validated
from jitrack.errors import NotFound
from jitrack.web import GET_POST, bind, refuse
from projects.models import Organisation
from projects.selectors import visible_projects
from projects.serializers import OrganisationRefField
from projects.web import action_page

from . import verification as vwf
from .models import MonitoringReport
from .serializers import MonitoringReportSerializer

GUARD = vwf.CHANGE_VERIFICATION_AIE


class VerificationAIEForm(forms.Form):
    aie = forms.ModelChoiceField(
        Organisation.objects.filter(kind=Organisation.Kind.AIE),
        label=gettext_lazy("New AIE for the verification"),
    )
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Reason (public)"),
    )


class VerificationAIEInputSerializer(serializers.Serializer):
    aie = OrganisationRefField(
        kind=Organisation.Kind.AIE, help_text="The id or name of the AIE that is to verify it."
    )
    reason = serializers.CharField(max_length=5000, help_text="Why the AIE changes (public).")


def _report(user, pk: int) -> MonitoringReport | None:
    """The monitoring report if ``user`` may know its project exists."""
    if not 0 < pk < MAX_ID:
        return None
    return (
        MonitoringReport.objects.select_related("project", "aie", "report")
        .filter(pk=pk, project__in=visible_projects(user).values("pk"))
        .first()
    )


@login_required
@GET_POST
def change_aie(request, pk: int):
    report = _report(request.user, pk)
    if report is None:
        raise Http404("No such monitoring report.")
    project = report.project
    err = GUARD.refusal(request.user, report, project)
    if err is not None:
        return refuse(request, err.detail, err.status)
    return action_page(
        request,
        project,
        bind(request, VerificationAIEForm),
        lambda d: vwf.change_verification_aie(request.user, report, d["aie"], d["reason"]),
        title=_("Change the AIE verifying monitoring report %(number)s")
        % {"number": report.number},
        intro=_(
            "%(aie)s is to verify this report. Before it files its verification the report can "
            "go to another AIE accredited for verification in every sectoral scope of the "
            "project; once it has filed, only if its accreditation was suspended or withdrawn "
            "(the filed verification is then withdrawn and the report submitted again to the new "
            "AIE). Not after the verification is published."
        )
        % {"aie": report.aie.name},
        submit=_("Change the AIE"),
        done=lambda r: (
            _("Monitoring report %(number)s is now with %(aie)s.")
            % {"number": r.number, "aie": r.aie.name}
        ),
        then=lambda r: _redirect(project),
    )


def _redirect(project):
    return redirect(reverse("monitoring", args=[project.key]))


@extend_schema(
    request=VerificationAIEInputSerializer,
    responses=responses(200, MonitoringReportSerializer),
    tags=["monitoring"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def change_aie_api(request, pk):
    """The participants move a monitoring report waiting for its verification to another AIE
    accredited for verification in every scope of the project. Before a
    verification is filed, the same report moves; once one is filed (not published), only if the
    first AIE's accreditation was suspended or withdrawn (409 ``aie_still_accredited``): the filed
    verification is withdrawn, its fee voided, and the report submitted again to the new AIE
    under the next number, which is answered. After publication: 409 ``already_published``."""
    report = _report(request.user, pk)
    if report is None:
        raise NotFound("No such monitoring report.")
    GUARD.check_permission(request.user, report, report.project)
    data = validated(VerificationAIEInputSerializer, request).validated_data
    again = vwf.change_verification_aie(request.user, report, data["aie"], data["reason"])
    again = MonitoringReport.objects.select_related("aie", "report").get(pk=again.pk)
    return Response(MonitoringReportSerializer(again, context={"request": request}).data)
