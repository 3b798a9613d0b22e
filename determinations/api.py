"""REST API for the determination report (the AIE files it, the secretariat checks it), and for
the second half of the cycle: monitoring reports, changes during implementation, verifications
F-JI-VRep and ERU issuance. Each action makes one domain call (``determinations.workflow``,
``determinations.verification``, ``determinations.issuance``, ``reviews.workflow``); refusals are
``DomainError``s, turned into ``{"code", "detail"}`` by ``jitrack.api.exception_handler``."""

import re

from django.db.models import (
    Prefetch,
)
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from jitrack.api import ERRORS, JSON_OR_MULTIPART, MAX_ID, MULTIPART, responses, validated
from jitrack.errors import NotFound
from projects.detail import ProjectDetailSerializer, project_response
from projects.models import Document, Party, Project
from projects.selectors import get_project_for, visible_projects
from projects.serializers import CheckSerializer, ReasonSerializer
from projects.workflow import require

from . import issuance as iss
from . import verification as vwf
from . import workflow as dwf
from .models import (
    AauLedgerEntry,
    EruBlock,
    EruIssuance,
    ImplementationChange,
    MonitoringReport,
    Verification,
)
from .selectors import verification_for, visible_verifications
from .serializers import (
    AauBalanceSerializer,
    AauHoldingInputSerializer,
    ChangeInputSerializer,
    ChangeSerializer,
    DeterminationInputSerializer,
    DeterminationSerializer,
    EruBlockSerializer,
    EruIssuanceSerializer,
    IssuanceInputSerializer,
    MonitoringReportInputSerializer,
    MonitoringReportSerializer,
    PartyIssuanceSerializer,
    PublishInputSerializer,
    ReconciliationSerializer,
    TransferInputSerializer,
    VerificationInputSerializer,
    VerificationSerializer,
)


@extend_schema(
    request={
        "application/json": DeterminationInputSerializer,
        "multipart/form-data": DeterminationInputSerializer,
    },
    responses=responses(201, DeterminationSerializer),
    tags=["determinations"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def submit_determination(request, key):
    """The engaged AIE files F-JI-DRep (para 33-34). Multipart clients send ``findings`` as a
    JSON string and may attach ``supporting_files``. The determination fee falls due."""
    project = get_project_for(request.user, key)
    dwf.GUARDS["submit"].check_permission(request.user, project)
    args = validated(DeterminationInputSerializer, request).workflow_args()
    det = dwf.submit_determination(request.user, project, **args)
    return Response(
        DeterminationSerializer(det, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )


@extend_schema(
    request=CheckSerializer,
    responses=responses(200, ProjectDetailSerializer),
    tags=["determinations"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def check_determination(request, key):
    """Secretariat: publish the report (once its fee is paid or not due), or return it."""
    project = get_project_for(request.user, key)
    dwf.GUARDS["check"].check_permission(request.user, project)
    data = validated(CheckSerializer, request).validated_data
    dwf.check_determination(
        request.user,
        project,
        accept=data["accept"],
        available_on=data.get("available_on"),
        reason=data["reason"],
    )
    return project_response(request, project.pk)


# --- monitoring, changes, verification (paras 36-39) and ERU issuance ----------------------------
#
# Visibility (ji-rules §6): monitoring reports and changes are public once the project is; a
# verification is public once the secretariat has published it (it has an availability date),
# before that only for the project's participants, its AIE, the secretariat and the AIE that
# filed it. ERU issuances and the host Party's AAU ledger are public.


def _valid_pk(pk: int) -> bool:
    return 0 < pk < MAX_ID


def _monitoring_queryset():
    return MonitoringReport.objects.select_related("aie", "report", "component").order_by(
        "period_start", "number"
    )


def _report_for(request, pk: int) -> MonitoringReport:
    """The monitoring report if the user may know its project exists; else 404."""
    report = None
    if _valid_pk(pk):
        report = (
            _monitoring_queryset()
            .filter(pk=pk, project__in=visible_projects(request.user).values("pk"))
            .first()
        )
    if report is None:
        raise NotFound("No such monitoring report.")
    return report


def _verification_queryset():
    return Verification.objects.select_related(
        "monitoring_report", "aie", "report"
    ).prefetch_related("changes")


def _verification_for(request, key: str, number: int) -> Verification:
    """Verification ``number`` of the project if this user may see it; else 404."""
    project = get_project_for(request.user, key)
    ver = verification_for(request.user, project, number)
    if ver is None:
        raise NotFound(f"No verification {number} of project {project.key}.")
    return ver


def _verification_response(request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    ver = _verification_queryset().get(pk=pk)
    return Response(VerificationSerializer(ver, context={"request": request}).data, status=code)


PARTY_CODE = re.compile(r"[A-Za-z]{2}")


def _party_for(code: str) -> Party:
    """The Party by its ISO 3166-1 alpha-2 code (case-insensitive); else 404."""
    party = Party.objects.filter(code=code.upper()).first() if PARTY_CODE.fullmatch(code) else None
    if party is None:
        raise NotFound(f"No Party {code!r}.")
    return party


@extend_schema(
    methods=["GET"],
    responses={200: MonitoringReportSerializer(many=True), 404: ERRORS[404]},
    tags=["monitoring"],
)
@extend_schema(
    methods=["POST"],
    request={"multipart/form-data": MonitoringReportInputSerializer},
    responses=responses(201, MonitoringReportSerializer),
    tags=["monitoring"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticatedOrReadOnly])
@parser_classes(MULTIPART)
def monitoring_reports(request, key):
    """GET: the project's monitoring reports (public once the project is), in period order, with
    the reductions claimed per year and the report's download URL. POST: the participants submit
    a monitoring report (para 36) to an AIE accredited for verification; it is published at once.
    ``claimed`` is a JSON object {year: tonnes}; the period may not overlap a report verified or
    under verification (409 ``period_overlap``)."""
    project = get_project_for(request.user, key)
    if request.method == "GET":
        reports = _monitoring_queryset().filter(project=project)
        return Response(
            MonitoringReportSerializer(reports, many=True, context={"request": request}).data
        )
    vwf.GUARDS["submit_monitoring"].check_permission(request.user, project)
    args = validated(MonitoringReportInputSerializer, request).workflow_args()
    report = vwf.submit_monitoring_report(request.user, project, **args)
    report = _monitoring_queryset().get(pk=report.pk)
    return Response(
        MonitoringReportSerializer(report, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )


@extend_schema(
    request=ReasonSerializer,
    responses=responses(200, MonitoringReportSerializer),
    tags=["monitoring"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def withdraw_monitoring_report(request, pk):
    """The participants withdraw a monitoring report before its verification is final (or under
    review); it stays on the record marked withdrawn, with its verification, and the period is
    free again."""
    report = _report_for(request, pk)
    vwf.GUARDS["withdraw_monitoring"].check_permission(request.user, report, report.project)
    data = validated(ReasonSerializer, request).validated_data
    vwf.withdraw_monitoring_report(request.user, report, reason=data["reason"])
    report = _monitoring_queryset().get(pk=report.pk)
    return Response(MonitoringReportSerializer(report, context={"request": request}).data)


def _changes_context(request, project: Project) -> dict:
    user = request.user
    if user.has_perm("projects.view_history", project):
        return {"request": request}
    shown = set(visible_verifications(user, project, insider=False).values_list("pk", flat=True))
    return {
        "request": request,
        "shown_verifications": shown,
        # projects.rules document_is_public, for the files of this (loaded) project
        "may_see_file": lambda doc: (
            project.is_published and not doc.confidential and doc.published_at is not None
        ),
    }


@extend_schema(
    methods=["GET"],
    responses={200: ChangeSerializer(many=True), 404: ERRORS[404]},
    tags=["monitoring"],
)
@extend_schema(
    methods=["POST"],
    request={
        "application/json": ChangeInputSerializer,
        "multipart/form-data": ChangeInputSerializer,
    },
    responses=responses(201, ChangeSerializer),
    tags=["monitoring"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticatedOrReadOnly])
@parser_classes(JSON_OR_MULTIPART)
def changes(request, key):
    """GET: the changes recorded during implementation (JISC 23 Annex 2), public once the
    project is; the AIE's opinion once the verification that addressed the change is published.
    POST: the participants describe a change with its justification, optionally with PDFs
    (multipart ``files``, ``titles`` in the same order), after the determination is final."""
    project = get_project_for(request.user, key)
    if request.method == "GET":
        qs = project.changes.select_related("addressed_in").prefetch_related(
            Prefetch("files", queryset=Document.objects.order_by("pk"))
        )
        return Response(
            ChangeSerializer(qs, many=True, context=_changes_context(request, project)).data
        )
    require(
        request.user, "projects.edit_project", project, "Only the project participants do this."
    )
    args = validated(ChangeInputSerializer, request).workflow_args()
    change = vwf.record_change(request.user, project, **args)
    change = ImplementationChange.objects.prefetch_related("files").get(pk=change.pk)
    return Response(
        ChangeSerializer(change, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )


@extend_schema(
    request={
        "application/json": VerificationInputSerializer,
        "multipart/form-data": VerificationInputSerializer,
    },
    responses=responses(201, VerificationSerializer),
    tags=["verification"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def submit_verification(request, pk):
    """The AIE the report was submitted to files F-JI-VRep (paras 37-38): the verified
    reductions per year, its findings, its opinion on every change recorded since the last
    verification ({change id: text}) and whether the para 33 conditions still hold. The
    verification fee falls due. Multipart clients send ``verified`` and ``change_opinions`` as
    JSON strings and may attach ``supporting_files``."""
    report = _report_for(request, pk)
    vwf.GUARDS["verify"].check_permission(request.user, report)
    args = validated(VerificationInputSerializer, request).workflow_args()
    ver = vwf.submit_verification(request.user, report, **args)
    return _verification_response(request, ver.pk, status.HTTP_201_CREATED)


@extend_schema(
    request=PublishInputSerializer,
    responses=responses(200, VerificationSerializer),
    tags=["verification"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def publish_verification(request, key, number):
    """Secretariat: publish F-JI-VRep once its fee is paid or covered (409 ``fee_unpaid``); the
    15-day window of para 39 starts."""
    ver = _verification_for(request, key, number)
    vwf.GUARDS["publish"].check_permission(request.user, ver, ver.project)
    data = validated(PublishInputSerializer, request).validated_data
    vwf.publish_verification(request.user, ver, available_on=data.get("available_on"))
    return _verification_response(request, ver.pk)


@extend_schema(
    request=IssuanceInputSerializer,
    responses=responses(201, EruIssuanceSerializer),
    tags=["issuance"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def issue_erus(request, key, number):
    """The host Party's DFP issues ERUs for a final verification (13/CMP.1 annex para 29):
    blocks of AAU serials converted to ERUs, one AAU of the block's commitment period cancelled
    per ERU. 409 ``not_final``, ``conditions_do_not_hold``, ``host_not_eligible``,
    ``wrong_commitment_period`` (a block's period must contain verified years),
    ``exceeds_verified`` (in total or in a period), ``insufficient_aau`` (of that period) or
    ``serial_in_use``."""
    ver = _verification_for(request, key, number)
    iss.require_focal_point(request.user, ver.project.host_party)
    data = validated(IssuanceInputSerializer, request).validated_data
    issuance = iss.issue_erus(request.user, ver, blocks=[dict(b) for b in data["blocks"]])
    issuance = _issuance_queryset().get(pk=issuance.pk)
    return Response(EruIssuanceSerializer(issuance).data, status=status.HTTP_201_CREATED)


@extend_schema(
    request=TransferInputSerializer,
    responses=responses(200, EruBlockSerializer),
    tags=["issuance"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def transfer_block(request, pk):
    """The host's DFP forwards ERUs of a block to an account the participants name: the block
    is split, the part transferred keeps the start serial. Returns the block transferred.
    ``account_id``: one of the registry accounts the project's participants recorded (their
    page ``/registry-accounts/``); 400 ``unknown_account`` for any other. 409
    ``block_inactive``, ``exceeds_block`` or ``approval_missing`` (an account in the registry
    of a Party whose approval of the project is not on record, para 33 (a))."""
    block = None
    if _valid_pk(pk):
        block = (
            EruBlock.objects.filter(
                pk=pk,
                issuance__verification__project__in=visible_projects(request.user).values("pk"),
            )
            .select_related("originating_party")
            .first()
        )
    if block is None:
        raise NotFound("No such block of ERUs.")
    iss.require_focal_point(request.user, block.originating_party)
    data = validated(TransferInputSerializer, request).validated_data
    head = iss.transfer(
        request.user,
        block,
        quantity=data["quantity"],
        account=data["account"],
        account_party=data["account_party"],
        account_id=data["account_id"],
    )
    head = EruBlock.objects.select_related("originating_party", "account_party").get(pk=head.pk)
    return Response(EruBlockSerializer(head).data)


@extend_schema(
    request=AauHoldingInputSerializer,
    responses=responses(200, AauBalanceSerializer),
    tags=["issuance"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def record_aau_holding(request, code):
    """The Party's DFP states the AAUs of a commitment period its national registry holds now,
    as it stands (not an addition): the period's balance becomes that figure, less the AAUs
    converted to ERUs afterwards. Returns the period's balance."""
    party = _party_for(code)
    iss.require_focal_point(request.user, party)
    data = validated(AauHoldingInputSerializer, request).validated_data
    balance = iss.record_aau_holding(
        request.user,
        party,
        quantity=data["quantity"],
        commitment_period=int(data["commitment_period"]),
        note=data["note"],
    )
    return Response(
        {
            "party": party.code,
            "commitment_period": int(data["commitment_period"]),
            "quantity": data["quantity"],
            "aau_balance": balance,
        }
    )


def _issuance_queryset():
    return EruIssuance.objects.select_related("verification__project", "party").prefetch_related(
        Prefetch("blocks", queryset=EruBlock.objects.select_related("originating_party"))
    )


@extend_schema(
    responses={200: PartyIssuanceSerializer, 404: ERRORS[404]}, tags=["issuance"], auth=[]
)
@api_view(["GET"])
@permission_classes([AllowAny])
def party_issuance(request, code):
    """Public: the ERUs the host Party issued (every block, with its serials, holding account and
    whether it is still active or was split by a transfer), its AAU ledger and AAU balances per
    commitment period (and all together)."""
    party = _party_for(code)
    balances = iss.aau_balances(party)
    body = {
        "party": party.code,
        "name": party.name,
        "aau_balance": sum(balances.values()),
        "aau_balances": [{"commitment_period": p, "balance": b} for p, b in balances.items()],
        "issuances": _issuance_queryset().filter(party=party),
        "aau_ledger": AauLedgerEntry.objects.filter(party=party),
    }
    return Response(PartyIssuanceSerializer(body).data)


@extend_schema(
    responses={200: ReconciliationSerializer, 404: ERRORS[404]}, tags=["issuance"], auth=[]
)
@api_view(["GET"])
@permission_classes([AllowAny])
def reconciliation(request, key):
    """Public: per calendar year, the reductions expected in the PDD, claimed in monitoring
    reports, verified (final verifications) and issued as ERUs."""
    project = get_project_for(request.user, key)
    return Response(
        ReconciliationSerializer(
            {"project": project.key, "years": iss.reconciliation(project)}
        ).data
    )
