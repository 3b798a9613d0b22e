"""REST API for appraisals, review requests, reviews and JISC meetings (ji-rules §3.6-3.8).

Each action validates its input with a serializer and makes one ``reviews.workflow`` call, which
checks the actor and the state; refusals are ``DomainError``s, turned into ``{"code", "detail"}``
by ``jitrack.api.exception_handler``.

Visibility (ji-rules §6): an appraisal exists only for the secretariat, JISC members and its
appointed experts (404 to anyone else); its forms are read by the secretariat and JISC members,
an expert reads their own. A review is public once the project is (its status, dates, requests
and decision); the team and its report are for the secretariat and JISC members; requests for
clarification also for the participants or AIE they are addressed to.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from determinations.selectors import verification_for
from jitrack.api import ERRORS, JSON_OR_MULTIPART, MAX_ID, MULTIPART, responses, validated
from jitrack.errors import Forbidden, NotFound
from projects.rules import is_participant_of, is_project_aie
from projects.selectors import get_project_for, visible_projects
from projects.serializers import DocumentSerializer

from . import minutes as mins
from . import workflow as rwf
from .models import (
    Appraisal,
    Appraiser,
    Clarification,
    Meeting,
    MeetingItem,
    Review,
    ReviewRequest,
    ReviewTeamMember,
)
from .serializers import (
    AnswerInputSerializer,
    AppointAppraisersSerializer,
    AppraisalSerializer,
    ClarificationInputSerializer,
    ClarificationSerializer,
    CorrectionsInputSerializer,
    DecisionInputSerializer,
    FileAppraisalSerializer,
    MeetingInputSerializer,
    MeetingSerializer,
    MinutesInputSerializer,
    ProposalSerializer,
    ReportInputSerializer,
    RequestForReviewSerializer,
    ReviewRequestInputSerializer,
    ReviewSerializer,
    TeamInputSerializer,
    VerificationReviewRequestInputSerializer,
)

READ_ERRORS = {k: ERRORS[k] for k in (401, 403, 404)}


def _staff(user, obj) -> bool:
    """Secretariat and serving JISC members without a conflict of interest on the paper's
    project: appraisal forms and review working papers (reviews.rules)."""
    return user.has_perm("reviews.view_confidential", obj)


def _require_manager(request, message: str) -> None:
    """Refuse other roles before looking at their input (the workflow checks it again)."""
    if not request.user.has_perm("reviews.manage"):
        raise Forbidden(message)


def _valid_pk(pk: int) -> bool:
    return 0 < pk < MAX_ID


# --- appraisals ----------------------------------------------------------------------------------


def _appraisal_queryset():
    return Appraisal.objects.select_related("project").prefetch_related(
        Prefetch("appraisers", queryset=Appraiser.objects.select_related("user"))
    )


def _may_see_appraisal(user, appraisal: Appraisal) -> bool:
    if not user.is_authenticated:
        return False
    return _staff(user, appraisal) or any(
        seat.user_id == user.pk for seat in appraisal.appraisers.all()
    )


def _appraisal_for(request, pk: int) -> Appraisal:
    appraisal = _appraisal_queryset().filter(pk=pk).first() if _valid_pk(pk) else None
    if appraisal is None or not _may_see_appraisal(request.user, appraisal):
        raise NotFound("No such appraisal.")
    return appraisal


def appraisal_body(request, pk: int) -> dict:
    """The appraisal with the forms this user may read: all for the secretariat and JISC
    members, their own for an appointed expert."""
    appraisal = _appraisal_for(request, pk)
    seats = appraisal.appraisers.all()
    if _staff(request.user, appraisal):
        readable = {seat.pk for seat in seats}
    else:
        readable = {seat.pk for seat in seats if seat.user_id == request.user.pk}
    return AppraisalSerializer(appraisal, context={"readable_seats": readable}).data


@extend_schema(responses={200: ProposalSerializer, **READ_ERRORS}, tags=["appraisals"])
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def appraisal_proposal(request, key):
    """Secretariat: two serving JISC members and two experts covering the project's scopes, none
    with a conflict of interest, least current workload first."""
    project = get_project_for(request.user, key)
    _require_manager(request, "Only the secretariat appoints appraisers.")
    return Response(ProposalSerializer(rwf.propose_appraisers(project)).data)


@extend_schema(
    methods=["GET"], responses={200: AppraisalSerializer, **READ_ERRORS}, tags=["appraisals"]
)
@extend_schema(
    methods=["POST"],
    request=AppointAppraisersSerializer,
    responses=responses(201, AppraisalSerializer),
    tags=["appraisals"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def project_appraisal(request, key):
    """GET: the project's latest appraisal, for the secretariat, JISC members and its experts.
    POST: the secretariat appoints two JISC members and two experts to appraise the published
    determination (JISC procedures for appraisals of determinations)."""
    project = get_project_for(request.user, key)
    if request.method == "GET":
        latest = project.appraisals.order_by("-appointed_at", "-pk").first()
        if latest is None:
            raise NotFound("No appraisal of this project.")
        return Response(appraisal_body(request, latest.pk))
    _require_manager(request, "Only the secretariat appoints appraisers.")
    data = validated(AppointAppraisersSerializer, request).validated_data
    appraisal = rwf.appoint_appraisers(
        request.user, project, members=data["members"], experts=data["experts"]
    )
    return Response(appraisal_body(request, appraisal.pk), status=status.HTTP_201_CREATED)


@extend_schema(responses={200: AppraisalSerializer, **READ_ERRORS}, tags=["appraisals"])
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def appraisal_detail(request, pk):
    """The appraisal with its seats and, for those who may read them, the filed forms."""
    return Response(appraisal_body(request, pk))


@extend_schema(request=None, responses=responses(200, AppraisalSerializer), tags=["appraisals"])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def declare_no_conflict(request, pk):
    """An appointee declares that they have no conflict of interest (before filing)."""
    appraisal = _appraisal_for(request, pk)
    rwf.declare_no_conflict(request.user, appraisal)
    return Response(appraisal_body(request, pk))


@extend_schema(
    request=FileAppraisalSerializer,
    responses=responses(200, AppraisalSerializer),
    tags=["appraisals"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def file_appraisal(request, pk):
    """An appointee files F-JI-DA (member) or F-JI-ExInpDA (expert). Confidential."""
    appraisal = _appraisal_for(request, pk)
    rwf.appraiser_seat(request.user, appraisal)  # who acts, before the body is read
    data = validated(FileAppraisalSerializer, request).validated_data
    rwf.file_appraisal(
        request.user,
        appraisal,
        criteria=data["criteria"],
        opinion=data["opinion"],
        comments=data["comments"],
    )
    return Response(appraisal_body(request, pk))


# --- review requests -----------------------------------------------------------------------------


@extend_schema(
    request=ReviewRequestInputSerializer,
    responses=responses(201, RequestForReviewSerializer),
    tags=["reviews"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def request_review(request, key):
    """F-JI-DR: the DFP of a Party involved or a serving JISC member requests a review within
    the 45-day window (para 35). One Party's request, or the third member's, starts it."""
    project = get_project_for(request.user, key)
    rwf.requester_for(request.user, project)  # who acts, before the body is read
    data = validated(ReviewRequestInputSerializer, request).validated_data
    req = rwf.request_review(
        request.user, project, reasons=data["reasons"], summary=data["summary"]
    )
    req = ReviewRequest.objects.select_related("party").get(pk=req.pk)
    return Response(RequestForReviewSerializer(req).data, status=status.HTTP_201_CREATED)


@extend_schema(
    request=VerificationReviewRequestInputSerializer,
    responses=responses(201, RequestForReviewSerializer),
    tags=["verification"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def request_verification_review(request, key, number):
    """F-JI-VR: the DFP of a Party involved or a serving JISC member requests a review of the
    published verification within its 15-day window (para 39; 409 ``window_closed`` after)."""
    project = get_project_for(request.user, key)
    ver = verification_for(request.user, project, number)
    if ver is None:
        raise NotFound(f"No verification {number} of project {project.key}.")
    rwf.requester_for(request.user, project)  # who acts, before the body is read
    data = validated(VerificationReviewRequestInputSerializer, request).validated_data
    req = rwf.request_verification_review(
        request.user, ver, reasons=data["reasons"], summary=data["summary"]
    )
    req = ReviewRequest.objects.select_related("party").get(pk=req.pk)
    return Response(RequestForReviewSerializer(req).data, status=status.HTTP_201_CREATED)


# --- the review ----------------------------------------------------------------------------------


def _review_queryset():
    return Review.objects.select_related("project", "determination", "decided_at_meeting")


def _review_for(request, pk: int) -> Review:
    """The review if the user may know the project exists; else 404."""
    if not _valid_pk(pk):
        raise NotFound("No such review.")
    review = (
        _review_queryset()
        .filter(pk=pk, project__in=visible_projects(request.user).values("pk"))
        .first()
    )
    if review is None:
        raise NotFound("No such review.")
    return review


def _clarifications_for(user, review: Review) -> list[Clarification] | None:
    """All requests for clarification for the secretariat and JISC members; those addressed to
    them for the project's participants and AIE; None (not shown) for anyone else."""
    qs = review.clarifications.prefetch_related("files")
    if _staff(user, review):
        return list(qs)
    project = review.project
    to = set()
    if is_participant_of(user, project):
        to |= {Clarification.To.PARTICIPANTS, Clarification.To.BOTH}
    if is_project_aie(user, project):
        to |= {Clarification.To.AIE, Clarification.To.BOTH}
    return list(qs.filter(addressed_to__in=to)) if to else None


def review_body(request, pk: int) -> dict:
    review = (
        _review_queryset()
        .prefetch_related(
            Prefetch("requests", queryset=ReviewRequest.objects.select_related("party")),
            Prefetch("team", queryset=ReviewTeamMember.objects.select_related("user")),
        )
        .get(pk=pk)
    )
    context = {
        "staff": _staff(request.user, review),
        "clarifications": _clarifications_for(request.user, review),
    }
    return ReviewSerializer(review, context=context).data


@extend_schema(
    responses={200: ReviewSerializer, 404: ERRORS[404]},
    tags=["reviews"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def project_review(request, key):
    """The project's latest review as you may see it: its public facts for everyone; the team,
    the report and every request for clarification for the secretariat and JISC members; the
    requests addressed to them for the project's participants and AIE. 404 before a review has
    started."""
    project = get_project_for(request.user, key)
    pk = project.reviews.order_by("-requested_at", "-pk").values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound("No review of this project has started.", code="no_review")
    return Response(review_body(request, pk))


@extend_schema(
    request=TeamInputSerializer, responses=responses(200, ReviewSerializer), tags=["reviews"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def appoint_team(request, pk):
    """Secretariat: two JISC members (alternates count), one of them lead."""
    review = _review_for(request, pk)
    _require_manager(request, "Only the secretariat appoints review teams.")
    data = validated(TeamInputSerializer, request).validated_data
    rwf.appoint_team(request.user, review, members=data["members"], lead=data["lead"])
    return Response(review_body(request, review.pk))


@extend_schema(
    request=ClarificationInputSerializer,
    responses=responses(201, ClarificationSerializer),
    tags=["reviews"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def send_clarification(request, pk):
    """The review team asks the participants and/or the AIE (F-JI-Clar), with a due date."""
    review = _review_for(request, pk)
    rwf.team_seat(request.user, review)  # who acts, before the body is read
    data = validated(ClarificationInputSerializer, request).validated_data
    clar = rwf.send_clarification(request.user, review, **data)
    return Response(ClarificationSerializer(clar).data, status=status.HTTP_201_CREATED)


@extend_schema(
    request={
        "application/json": AnswerInputSerializer,
        "multipart/form-data": AnswerInputSerializer,
    },
    responses=responses(200, ClarificationSerializer),
    tags=["reviews"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def answer_clarification(request, pk):
    """The participants or the AIE the request is addressed to answer it, optionally with
    PDFs (multipart ``files``, with ``titles`` in the same order)."""
    clar = None
    if _valid_pk(pk):
        clar = (
            Clarification.objects.select_related("review__project")
            .filter(pk=pk, review__project__in=visible_projects(request.user).values("pk"))
            .first()
        )
    if clar is None or not (_staff(request.user, clar) or rwf.may_answer(request.user, clar)):
        raise NotFound("No such request for clarification.")
    if not rwf.may_answer(request.user, clar):  # staff read it; who answers, before the body
        raise Forbidden("This request for clarification is not addressed to you.")
    serializer = validated(AnswerInputSerializer, request)
    clar = rwf.answer_clarification(
        request.user,
        clar,
        answer=serializer.validated_data["answer"],
        files=serializer.workflow_files(),
    )
    clar = Clarification.objects.prefetch_related("files").get(pk=clar.pk)
    return Response(ClarificationSerializer(clar).data)


@extend_schema(
    request=ReportInputSerializer, responses=responses(200, ReviewSerializer), tags=["reviews"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def file_report(request, pk):
    """The review team files F-JI-RRep with its recommendation (confidential until the
    decision; the recommendation is not a decision)."""
    review = _review_for(request, pk)
    rwf.team_seat(request.user, review)  # who acts, before the body is read
    data = validated(ReportInputSerializer, request).validated_data
    rwf.file_report(
        request.user, review, recommendation=data["recommendation"], report=data["report"]
    )
    return Response(review_body(request, review.pk))


@extend_schema(
    request=DecisionInputSerializer, responses=responses(200, ReviewSerializer), tags=["reviews"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def decide(request, pk):
    """Secretariat: record the JISC's decision with its reasons, taken at a meeting (its number)
    or electronically (null). Confirmed: final; rejected; or corrections required."""
    review = _review_for(request, pk)
    _require_manager(request, "Only the secretariat records JISC decisions.")
    data = validated(DecisionInputSerializer, request).validated_data
    rwf.decide(
        request.user,
        review,
        decision=data["decision"],
        reasons=data["reasons"],
        meeting=data["meeting"],
    )
    return Response(review_body(request, review.pk))


@extend_schema(
    request={"multipart/form-data": CorrectionsInputSerializer},
    responses=responses(201, DocumentSerializer),
    tags=["reviews"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(MULTIPART)
def submit_corrections(request, pk):
    """The project's AIE submits the corrected determination report (a PDF) when the JISC
    required corrections."""
    review = _review_for(request, pk)
    rwf.corrections_author(request.user, review, review.project)  # before the body is read
    data = validated(CorrectionsInputSerializer, request).validated_data
    doc = rwf.submit_corrections(request.user, review, uploaded=data["file"], note=data["note"])
    return Response(
        DocumentSerializer(doc, context={"request": request}).data, status=status.HTTP_201_CREATED
    )


@extend_schema(request=None, responses=responses(200, ReviewSerializer), tags=["reviews"])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def confirm_corrections(request, pk):
    """Secretariat: the corrections were made; the determination is final."""
    review = _review_for(request, pk)
    _require_manager(request, "Only the secretariat confirms corrections.")
    rwf.confirm_corrections(request.user, review)
    return Response(review_body(request, review.pk))


# --- meetings ------------------------------------------------------------------------------------


@extend_schema(
    methods=["GET"], responses={200: MeetingSerializer(many=True)}, tags=["meetings"], auth=[]
)
@extend_schema(
    methods=["POST"],
    request=MeetingInputSerializer,
    responses=responses(201, MeetingSerializer),
    tags=["meetings"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticatedOrReadOnly])
def meetings(request):
    """GET: the JISC meetings (public). POST: the secretariat schedules one; the due dates of
    open reviews are recomputed (the second meeting after a request may bring them forward)."""
    if request.method == "GET":
        meetings = Meeting.objects.prefetch_related(
            Prefetch("items", queryset=MeetingItem.objects.order_by("paragraph", "pk"))
        )
        return Response(MeetingSerializer(meetings, many=True).data)
    _require_manager(request, "Only the secretariat manages meetings.")
    data = validated(MeetingInputSerializer, request).validated_data
    meeting = rwf.save_meeting(request.user, **data)
    return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


@extend_schema(
    request=MeetingInputSerializer,
    responses=responses(200, MeetingSerializer),
    tags=["meetings"],
    operation_id="meetings_update",
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def update_meeting(request, number):
    """Secretariat: move or rename a meeting (fields left out keep their values)."""
    _require_manager(request, "Only the secretariat manages meetings.")
    meeting = Meeting.objects.filter(number=number).first() if 0 < number <= 32767 else None
    if meeting is None:
        raise NotFound(f"No JISC meeting {number}.")
    data = validated(MeetingInputSerializer, request, partial=True).validated_data
    fields = {
        name: data.get(name, getattr(meeting, name))
        for name in ("number", "starts_on", "ends_on", "place", "electronic")
    }
    meeting = rwf.save_meeting(request.user, meeting, **fields)
    return Response(MeetingSerializer(meeting).data)


def _meeting_for(number: int) -> Meeting:
    meeting = Meeting.objects.filter(number=number).first() if 0 < number <= 32767 else None
    if meeting is None:
        raise NotFound(f"No JISC meeting {number}.")
    return meeting


@extend_schema(
    request=MinutesInputSerializer,
    responses=responses(200, MeetingSerializer),
    tags=["meetings"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def meeting_minutes(request, number):
    """Secretariat: the draft minutes of a meeting (``reviews.minutes``): the JISC document that
    records it, the overall minutes, and every agenda item with its decision and paragraphs (the
    list given replaces the items recorded; fields left out keep their values). 409
    ``minutes_published`` once published. Returns the meeting with its draft minutes."""
    _require_manager(request, "Only the secretariat records the minutes of JISC meetings.")
    meeting = _meeting_for(number)
    data = validated(MinutesInputSerializer, request).validated_data
    meeting = mins.save_draft(
        request.user,
        meeting,
        report_symbol=data.get("report_symbol"),
        minutes=data.get("minutes"),
        items=[dict(i) for i in data["items"]] if "items" in data else None,
    )
    return Response(MeetingSerializer(meeting, context={"draft": True}).data)


@extend_schema(request=None, responses=responses(200, MeetingSerializer), tags=["meetings"])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def publish_meeting_minutes(request, number):
    """Secretariat: make the minutes public, after the meeting (MINUTES_GUARDS of
    ``reviews.minutes``): 409 ``meeting_not_over`` before the end of its last day (24:00 GMT),
    ``minutes_incomplete`` without the JISC document or any decision. Publishing twice changes
    nothing."""
    _require_manager(request, "Only the secretariat records the minutes of JISC meetings.")
    meeting = mins.publish_minutes(request.user, _meeting_for(number))
    return Response(MeetingSerializer(meeting).data)
