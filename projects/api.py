"""REST API for projects: the register, and one POST per action of the cycle.

Each action validates its input with a serializer, makes one ``projects.workflow`` call and
returns the updated project (or the object it created). Refusals are ``DomainError``s, turned
into ``{"code", "detail"}`` by ``jitrack.api.exception_handler``.
"""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.decorators import (
    api_view,
    parser_classes,
    permission_classes,
    renderer_classes,
    throttle_classes,
)
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from jitrack.api import (
    ERRORS,
    JSON_OR_MULTIPART,
    MULTIPART,
    PAGE_PARAMETERS,
    PDF_RENDERERS,
    page_of,
    responses,
    validated,
)
from jitrack.errors import Forbidden, Invalid, NotFound, TooMany

from . import accounts, detail
from . import workflow as wf
from .detail import ProjectDetailSerializer, project_response
from .models import (
    Comment,
    Document,
    Engagement,
    LetterOfApproval,
    Organisation,
    Party,
    Project,
    SectoralScope,
    User,
)
from .selectors import get_project_for, visible_projects
from .serializers import (
    AIESerializer,
    AnswerSerializer,
    ApprovalInputSerializer,
    ApprovalSerializer,
    ChangeAIESerializer,
    CheckSerializer,
    CommentInputSerializer,
    CommentSerializer,
    CommentWithEmailSerializer,
    DocumentAsideSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    EngagementSerializer,
    EngageSerializer,
    EventSerializer,
    PartySerializer,
    ProjectWriteSerializer,
    ReasonSerializer,
    RemovalSerializer,
    ScopeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from .timeline import project_events

# --- authentication ------------------------------------------------------------------------------


class TokenView(APIView):
    """POST: exchange a username and password (and, for the roles that need a second factor, the
    code of their authenticator app as ``otp``) for an API token, sent as ``Authorization: Token
    …``; it expires ``API_TOKEN_DAYS`` after it was issued. DELETE: revoke your token."""

    permission_classes = [AllowAny]
    throttle_classes = [accounts.TokenThrottle]

    def get_authenticators(self):
        # A password exchange needs no other credentials: a stale token must not refuse it.
        method = getattr(self.request, "method", None)  # None: drawing the schema
        return [] if method == "POST" else super().get_authenticators()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **ERRORS},
        tags=["auth"],
        auth=[],
    )
    def post(self, request):
        data = validated(TokenRequestSerializer, request).validated_data
        # The Django request: django-axes counts failures and marks a lockout on it.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if getattr(request._request, "axes_locked_out", False):
            raise TooMany(
                accounts.lockout_detail(),
                code="locked_out",
                retry_after=accounts.cooloff_minutes() * 60,
            )
        if user is None or not user.is_active:
            raise Invalid(
                "Unable to log in with that username and password.", code="invalid_credentials"
            )
        if accounts.needs_two_factor(user):
            self._second_factor(request, user, data.get("otp"))
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token = accounts.issue_token(user)
        body = {"token": token.key, "expires": accounts.token_expires(token)}
        return Response(TokenSerializer(body).data)

    @staticmethod
    def _second_factor(request, user, code):
        device = accounts.confirmed_device(user)
        if device is None:
            raise Forbidden(
                "Your account needs two-factor authentication: log in on the web once to set "
                "up your authenticator app, then ask for a token with its code (otp).",
                code="otp_enrolment_required",
            )
        if not code:
            raise Invalid(
                "Your account needs the code of your authenticator app (otp).",
                code="otp_required",
                field="otp",
            )
        refusal = accounts.code_refusal(device)
        if refusal:
            raise TooMany(refusal, code="otp_throttled")
        if not device.verify_token(code):
            accounts.count_failure(request._request, user.get_username())
            raise Invalid("That code is not right.", code="invalid_otp", field="otp")

    @extend_schema(
        request=None,
        responses={204: None, 401: ERRORS[401], 404: ERRORS[404]},
        tags=["auth"],
    )
    def delete(self, request):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not accounts.revoke_token(request.user):
            raise NotFound("You have no API token.")
        return Response(status=status.HTTP_204_NO_CONTENT)


obtain_token = TokenView.as_view()


# --- reference data ------------------------------------------------------------------------------


class ReferenceList(generics.ListAPIView):
    pagination_class = None
    filter_backends: list = []
    permission_classes = [AllowAny]


@extend_schema(tags=["reference data"])
class PartyList(ReferenceList):
    """Parties with their para 21 eligibility."""

    serializer_class = PartySerializer
    queryset = Party.objects.order_by("code")


@extend_schema(tags=["reference data"])
class ScopeList(ReferenceList):
    """The 15 JI sectoral scopes."""

    serializer_class = ScopeSerializer
    queryset = SectoralScope.objects.all()


@extend_schema(tags=["reference data"])
class AIEList(ReferenceList):
    """Accredited independent entities with their accreditations (function, status, scopes)."""

    serializer_class = AIESerializer
    queryset = (
        Organisation.objects.filter(kind=Organisation.Kind.AIE)
        .select_related("country")
        .prefetch_related(Prefetch("accreditations__scopes"))
    )


# --- the register's edit, for clients that only POST ----------------------------------------------


@extend_schema(
    request=ProjectWriteSerializer,
    responses=responses(200, ProjectDetailSerializer),
    tags=["projects"],
    operation_id="projects_update_partial_post",
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def update_project(request, key):
    """Same as ``PATCH /api/projects/{key}/``, for clients that only POST."""
    return detail.update_project(request, key)


# --- documents and approvals ---------------------------------------------------------------------


@extend_schema(
    request={"multipart/form-data": DocumentUploadSerializer},
    responses=responses(201, DocumentSerializer),
    tags=["projects"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(MULTIPART)
def upload_document(request, key):
    """Upload the PDD or a supporting PDF while the project is a draft or engaged."""
    project = get_project_for(request.user, key)
    wf.GUARDS["upload"].check_permission(request.user, project)
    data = validated(DocumentUploadSerializer, request).validated_data
    doc = wf.add_document(
        request.user,
        project,
        kind=data["kind"],
        title=data["title"],
        uploaded=data["file"],
        confidential=data["confidential"],
    )
    return Response(
        DocumentSerializer(doc, context={"request": request}).data, status=status.HTTP_201_CREATED
    )


@extend_schema(
    responses={
        (200, "application/pdf"): OpenApiTypes.BINARY,
        404: ERRORS[404],
    },
    tags=["projects"],
)
@api_view(["GET"])
@renderer_classes(PDF_RENDERERS)
@permission_classes([AllowAny])
def download_document(request, pk):
    """The PDF, if you may see it (public once published unless confidential)."""
    doc = Document.objects.select_related("project").filter(pk=pk).first()
    if doc is None or not request.user.has_perm("projects.view_document", doc):
        raise NotFound("No such document.")
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise NotFound("The file is missing from storage.", code="file_missing") from None
    return FileResponse(
        handle, as_attachment=True, filename=doc.filename, content_type="application/pdf"
    )


@extend_schema(
    request={
        "application/json": ApprovalInputSerializer,
        "multipart/form-data": ApprovalInputSerializer,
    },
    responses=responses(201, ApprovalSerializer),
    tags=["projects"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def record_approval(request, key):
    """Record a Party's letter of approval (para 33 (a)), optionally with the letter as a PDF."""
    project = get_project_for(request.user, key)
    data = validated(ApprovalInputSerializer, request).validated_data
    loa = wf.record_approval(
        request.user,
        project,
        party=data["party"],
        issued_on=data["issued_on"],
        reference=data["reference"],
        uploaded=data.get("file"),
    )
    return Response(
        ApprovalSerializer(loa, context={"request": request}).data, status=status.HTTP_201_CREATED
    )


@extend_schema(request=None, responses=responses(200, ApprovalSerializer), tags=["projects"])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def confirm_approval(request, pk):
    """The Party's focal point confirms a letter of approval the participants uploaded: from then
    on it is on record (JI guidelines, para 33 (a))."""
    loa = (
        LetterOfApproval.objects.filter(
            pk=pk, project__in=visible_projects(request.user).values("pk")
        )
        .select_related("party", "project")
        .first()
    )
    if loa is None:
        raise NotFound("No such letter of approval.")
    loa = wf.confirm_approval(request.user, loa)
    return Response(ApprovalSerializer(loa, context={"request": request}).data)


# --- engagement and change of AIE ----------------------------------------------------------------


def engagements_for(user) -> QuerySet[Engagement]:
    qs = Engagement.objects.select_related("project", "aie").order_by("-requested_at", "-pk")
    if not user.is_authenticated:
        return qs.none()
    if user.role == User.Role.SECRETARIAT:
        return qs
    if user.role == User.Role.AIE and user.organisation_id:
        return qs.filter(aie=user.organisation_id)
    if user.role == User.Role.PARTICIPANT and user.organisation_id:
        return qs.filter(
            project__in=Project.objects.filter(participants=user.organisation_id).values("pk")
        )
    return qs.none()


@extend_schema(
    request=EngageSerializer, responses=responses(201, EngagementSerializer), tags=["engagements"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def engage(request, key):
    """Ask an AIE to take the determination (participants, draft projects)."""
    project = get_project_for(request.user, key)
    wf.GUARDS["engage"].check_permission(request.user, project)
    data = validated(EngageSerializer, request).validated_data
    engagement = wf.engage_aie(request.user, project, data["aie"])
    engagement = engagements_for(request.user).get(pk=engagement.pk)
    return Response(EngagementSerializer(engagement).data, status=status.HTTP_201_CREATED)


class EngagementList(generics.ListAPIView):
    """An AIE's inbox of engagements, or the engagements of a participant's projects."""

    serializer_class = EngagementSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status"]

    def get_queryset(self):
        return engagements_for(self.request.user)

    @extend_schema(tags=["engagements"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _decide(request, pk: int, accept: bool):
    engagement = engagements_for(request.user).filter(pk=pk).first()
    if engagement is None:
        raise NotFound("No such engagement.")
    data = validated(ReasonSerializer, request).validated_data
    wf.decide_engagement(request.user, engagement, accept=accept, reason=data["reason"])
    return Response(EngagementSerializer(engagements_for(request.user).get(pk=pk)).data)


@extend_schema(
    request=ReasonSerializer, responses=responses(200, EngagementSerializer), tags=["engagements"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def accept_engagement(request, pk):
    """The invited AIE accepts (only if accredited for determination in every scope)."""
    return _decide(request, pk, accept=True)


@extend_schema(
    request=ReasonSerializer, responses=responses(200, EngagementSerializer), tags=["engagements"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def decline_engagement(request, pk):
    """The invited AIE declines, with its reason."""
    return _decide(request, pk, accept=False)


@extend_schema(
    request=ChangeAIESerializer,
    responses=responses(200, ProjectDetailSerializer),
    tags=["projects"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def change_aie(request, key):
    """Change AIE after the comment period and before the determination (participants)."""
    project = get_project_for(request.user, key)
    wf.GUARDS["change_aie"].check_permission(request.user, project)
    data = validated(ChangeAIESerializer, request).validated_data
    wf.change_aie(request.user, project, data["aie"], reason=data["reason"])
    return project_response(request, project.pk)


# --- PDD publication and comments ----------------------------------------------------------------


@extend_schema(request=None, responses=responses(200, ProjectDetailSerializer), tags=["projects"])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def submit_pdd(request, key):
    """The engaged AIE submits the PDD to the secretariat for publication (para 32)."""
    project = get_project_for(request.user, key)
    wf.submit_pdd(request.user, project)
    return project_response(request, project.pk)


@extend_schema(
    request=CheckSerializer, responses=responses(200, ProjectDetailSerializer), tags=["projects"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def check_pdd(request, key):
    """Secretariat: publish the PDD with a reference number, or return it with reasons."""
    project = get_project_for(request.user, key)
    data = validated(CheckSerializer, request).validated_data
    wf.check_pdd(
        request.user,
        project,
        accept=data["accept"],
        available_on=data.get("available_on"),
        reason=data["reason"],
    )
    return project_response(request, project.pk)


class LongListPagination(PageNumberPagination):
    """The pages of a project's comments and timeline (``comments_url``, ``timeline_url`` of
    the project detail, which embeds only the first comments and the latest events)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 100


def _page_of(request, rows: QuerySet, serializer) -> Response:
    paginator = LongListPagination()
    page = paginator.paginate_queryset(rows, request)
    return paginator.get_paginated_response(
        serializer(page, many=True, context={"request": request}).data
    )


@extend_schema(
    methods=["GET"],
    parameters=PAGE_PARAMETERS,
    responses={200: page_of(CommentWithEmailSerializer), 404: ERRORS[404]},
    tags=["comments"],
)
@extend_schema(
    methods=["POST"],
    request={
        "application/json": CommentInputSerializer,
        "multipart/form-data": CommentInputSerializer,
    },
    responses=responses(201, CommentSerializer),
    tags=["comments"],
    auth=[],
)
@api_view(["GET", "POST"])
@permission_classes([AllowAny])
@parser_classes(JSON_OR_MULTIPART)
@throttle_classes([accounts.CommentThrottle])
def add_comment(request, key):
    """GET: the comments on the project's PDD, oldest first, a page at a time (the e-mail
    addresses for the project's AIE and the secretariat only). POST: anyone comments on a PDD
    during its 30-day comment period (para 32)."""
    project = get_project_for(request.user, key)
    if request.method == "GET":
        rows = project.comments.all() if project.pdd_available_on else Comment.objects.none()
        email = request.user.has_perm("projects.view_comment_email", project)
        return _page_of(request, rows, CommentWithEmailSerializer if email else CommentSerializer)
    data = validated(CommentInputSerializer, request).validated_data
    comment = wf.add_comment(project, **data)
    return Response(
        CommentSerializer(comment, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )


@extend_schema(
    parameters=PAGE_PARAMETERS,
    responses={200: page_of(EventSerializer), 404: ERRORS[404]},
    tags=["projects"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def timeline(request, key):
    """The project's timeline, oldest first, a page at a time: every event for its
    participants, its AIE and the secretariat, the public ones for everyone else."""
    project = get_project_for(request.user, key)
    insider = request.user.has_perm("projects.view_history", project)
    return _page_of(request, project_events(project, insider=insider), EventSerializer)


def _visible_comment(request, pk) -> Comment:
    """A comment on a project this user may see, or 404."""
    comment = (
        Comment.objects.filter(pk=pk, project__in=visible_projects(request.user).values("pk"))
        .select_related("project")
        .first()
    )
    if comment is None:
        raise NotFound("No such comment.")
    return comment


@extend_schema(
    request=AnswerSerializer,
    responses=responses(200, CommentWithEmailSerializer),
    tags=["comments"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def answer_comment(request, pk):
    """The project's AIE answers a comment (or revises its answer)."""
    comment = _visible_comment(request, pk)
    wf.GUARDS["answer"].check_permission(request.user, comment.project)
    data = validated(AnswerSerializer, request).validated_data
    comment = wf.answer_comment(request.user, comment, data["answer"])
    show_email = request.user.has_perm("projects.view_comment_email", comment.project)
    cls = CommentWithEmailSerializer if show_email else CommentSerializer
    return Response(cls(comment, context={"request": request}).data)


@extend_schema(
    request=RemovalSerializer,
    responses=responses(200, CommentSerializer),
    tags=["comments"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def remove_comment(request, pk):
    """The secretariat removes an abusive comment; the record keeps when and why."""
    comment = _visible_comment(request, pk)
    wf.GUARDS["remove_comment"].check_permission(request.user, comment.project)
    data = validated(RemovalSerializer, request).validated_data
    comment = wf.remove_comment(request.user, comment, data["reason"])
    return Response(CommentSerializer(comment, context={"request": request}).data)


@extend_schema(
    request=DocumentAsideSerializer,
    responses=responses(200, DocumentSerializer),
    tags=["projects"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def set_document_aside(request, pk):
    """The secretariat withdraws a published document, or marks it superseded by a later
    version; it stays on the record with the public reason."""
    doc = Document.objects.select_related("project").filter(pk=pk).first()
    if doc is None or not request.user.has_perm("projects.view_document", doc):
        raise NotFound("No such document.")
    wf.GUARDS["set_document_aside"].check_permission(request.user, doc.project)
    data = validated(DocumentAsideSerializer, request).validated_data
    newer = None
    if data.get("superseded_by"):
        newer = Document.objects.filter(pk=data["superseded_by"]).first()
    doc = wf.set_document_aside(
        request.user,
        doc,
        withdraw=data["action"] == "withdraw",
        reason=data["reason"],
        superseded_by=newer,
    )
    return Response(DocumentSerializer(doc, context={"request": request}).data)


# --- withdrawal ----------------------------------------------------------------------------------


@extend_schema(
    request=ReasonSerializer, responses=responses(200, ProjectDetailSerializer), tags=["projects"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def withdraw(request, key):
    """Withdraw the project before it is final (participants); it stays on the record."""
    project = get_project_for(request.user, key)
    wf.GUARDS["withdraw"].check_permission(request.user, project)
    data = validated(ReasonSerializer, request).validated_data
    wf.withdraw(request.user, project, reason=data["reason"])
    return project_response(request, project.pk)


@extend_schema(
    request=ReasonSerializer, responses=responses(200, ProjectDetailSerializer), tags=["projects"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def terminate(request, key):
    """Terminate a final project (participants; the secretariat once the crediting period has
    ended); the advance above USD 30,000 comes back if it was never verified (JISC Provisions
    for the charging of fees, version 3)."""
    project = get_project_for(request.user, key)
    wf.GUARDS["terminate"].check_permission(request.user, project)
    data = validated(ReasonSerializer, request).validated_data
    wf.terminate(request.user, project, reason=data["reason"])
    return project_response(request, project.pk)
