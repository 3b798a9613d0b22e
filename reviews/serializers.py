"""API shapes for appraisals, review requests, reviews, clarifications and meetings.

Confidential (ji-rules §6): the appraisal forms (F-JI-DA, F-JI-ExInpDA) and the review team's
working papers before the decision. The views in ``reviews.api`` decide who may see them and pass
that in the context; these serializers never look further than what they are given.

``ReviewSummarySerializer`` is the public face of a review (the project detail's ``review``):
status, dates, the Parties that requested it and how many JISC members did, and the decision with
its reasons once taken. No member names, no appraisal content, no report.
"""

from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jitrack.api import MAX_ID
from projects.models import User

from .models import (
    CRITERIA,
    VERIFICATION_CRITERIA,
    Appraisal,
    Appraiser,
    Clarification,
    ClarificationFile,
    Meeting,
    MeetingItem,
    Review,
    ReviewRequest,
    ReviewTeamMember,
)

CRITERIA_KEYS = [key for key, _ in CRITERIA]
MAX_TEXT = 20000
MAX_REPORT = 100000
# Meeting and clarification dates: anything else is a typo, and the far end of the calendar
# would overflow the deadline arithmetic (``reviews.deadlines.meeting_end``).
MIN_YEAR, MAX_YEAR = 2000, 2200


def inline_enum(values, base=serializers.CharField):
    """A string field whose enum stays inline in the schema: as a shared component it would
    collide with the other models' ``status`` / ``kind`` enums, or give the decision's choices a
    second name (see ``ProjectStatusField``). The ``allOf`` wrapper survives only beside another
    key, so give each such field ``read_only`` or a ``help_text``."""

    @extend_schema_field({"allOf": [{"type": "string", "enum": list(values)}]})
    class InlineEnumField(base):
        pass

    return InlineEnumField


AppraisalStatusField = inline_enum(Appraisal.Status.values)
SeatKindField = inline_enum(Appraiser.Kind.values)
ReviewStatusField = inline_enum(Review.Status.values)
ReviewKindField = inline_enum(Review.Kind.values)
RecommendationField = inline_enum(Review.Decision.values, serializers.ChoiceField)


def user_name(user: User) -> str:
    return user.get_full_name() or user.username


def check_year(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise serializers.ValidationError(f"Give a date between {MIN_YEAR} and {MAX_YEAR}.")
    return value


# --- input fields ------------------------------------------------------------------------------


class UserIdField(serializers.IntegerField):
    """A user by id; unknown ids are refused here (400 on the field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        pk = super().run_validation(data)
        if pk is None:
            return None
        user = User.objects.filter(pk=pk).first()
        if user is None:
            raise serializers.ValidationError(f"No user {pk}.")
        return user


class UserIdListField(serializers.ListField):
    """Users by id, in the order given (duplicates kept: the domain refuses them)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        ids = super().to_internal_value(data)
        found = User.objects.in_bulk(ids)
        missing = sorted({pk for pk in ids if pk not in found})
        if missing:
            raise serializers.ValidationError(f"No user(s) {', '.join(str(pk) for pk in missing)}.")
        return [found[pk] for pk in ids]


# --- people and meetings -------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return user_name(obj)


class ProposalSerializer(serializers.Serializer):
    """Two serving JISC members and two experts without a conflict of interest, least loaded
    first."""

    members = UserRefSerializer(many=True)
    experts = UserRefSerializer(many=True)


class MeetingItemSerializer(serializers.ModelSerializer):
    review = serializers.IntegerField(
        source="review_id", allow_null=True, help_text="The review decided, if any."
    )

    class Meta:
        model = MeetingItem
        fields = ["number", "title", "decision", "paragraph", "paragraph_end", "review"]


class MinutesSerializer(serializers.Serializer):
    report_symbol = serializers.CharField(
        help_text="The JISC document that records the meeting; each decision cites its paragraphs."
    )
    published_at = serializers.DateTimeField(source="minutes_published_at", allow_null=True)
    text = serializers.CharField(source="minutes", help_text="The overall minutes.")
    items = MeetingItemSerializer(many=True, help_text="The decision on each agenda item.")


class MeetingSerializer(serializers.ModelSerializer):
    where = serializers.CharField(read_only=True)
    minutes = serializers.SerializerMethodField(
        help_text="The minutes once published after the meeting (reviews.minutes); null before."
    )

    class Meta:
        model = Meeting
        fields = ["number", "starts_on", "ends_on", "place", "electronic", "where", "minutes"]

    @extend_schema_field(MinutesSerializer(allow_null=True))
    def get_minutes(self, meeting):
        if meeting.minutes_published_at is None and not self.context.get("draft"):
            return None
        return MinutesSerializer(meeting).data


class MinutesItemInputSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=12, help_text="The agenda item, e.g. “4 (b)”.")
    title = serializers.CharField(max_length=300)
    decision = serializers.CharField(max_length=MAX_TEXT)
    paragraph = serializers.IntegerField(
        min_value=1, max_value=9999, help_text="The paragraph of the JISC document."
    )
    paragraph_end = serializers.IntegerField(
        min_value=1, max_value=9999, required=False, allow_null=True, default=None
    )
    review = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of a review decided at this meeting.",
    )


class MinutesInputSerializer(serializers.Serializer):
    report_symbol = serializers.CharField(max_length=80, required=False, allow_blank=True)
    minutes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    items = MinutesItemInputSerializer(
        many=True,
        required=False,
        max_length=500,
        help_text="Every item of the draft: the list given replaces the items recorded.",
    )


class MeetingInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=32767, help_text="JISC 1, JISC 2, …")
    starts_on = serializers.DateField(validators=[check_year])
    ends_on = serializers.DateField(validators=[check_year])
    place = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    electronic = serializers.BooleanField(required=False, default=False)


# --- appraisals ----------------------------------------------------------------------------------


class CriterionSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    comment = serializers.CharField(max_length=MAX_TEXT)


class CriteriaSerializer(serializers.Serializer):
    """The four para 33 criteria, each met or not with a comment."""

    approval = CriterionSerializer()
    additionality = CriterionSerializer()
    baseline_monitoring = CriterionSerializer()
    environmental = CriterionSerializer()


class AppointAppraisersSerializer(serializers.Serializer):
    members = UserIdListField(help_text="Two serving JISC members (user ids).")
    experts = UserIdListField(help_text="Two experts on the roster (user ids).")


class FileAppraisalSerializer(serializers.Serializer):
    criteria = CriteriaSerializer()
    opinion = serializers.ChoiceField(choices=Appraiser.Opinion.choices)
    comments = serializers.CharField(
        max_length=MAX_TEXT, required=False, allow_blank=True, default=""
    )


class AppraisalFormSerializer(serializers.Serializer):
    """A filed F-JI-DA or F-JI-ExInpDA. Confidential."""

    criteria = CriteriaSerializer()
    opinion = serializers.ChoiceField(choices=Appraiser.Opinion.choices)
    comments = serializers.CharField()


class SeatSerializer(serializers.ModelSerializer):
    """One appointee. ``filed`` is the form itself, for those who may read it (else null)."""

    kind = SeatKindField(read_only=True)
    form_name = serializers.CharField(read_only=True)
    user = UserRefSerializer(read_only=True)
    filed = serializers.SerializerMethodField()

    class Meta:
        model = Appraiser
        fields = [
            "id",
            "kind",
            "form_name",
            "user",
            "no_conflict_declared_at",
            "filed_at",
            "filed",
        ]

    @extend_schema_field(AppraisalFormSerializer(allow_null=True))
    def get_filed(self, obj):
        readable = self.context.get("readable_seats", set())
        if obj.filed_at is None or obj.pk not in readable:
            return None
        return {"criteria": obj.criteria, "opinion": obj.opinion, "comments": obj.comments}


class AppraisalSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.key", read_only=True)
    status = AppraisalStatusField(read_only=True)
    seats = SeatSerializer(source="appraisers", many=True, read_only=True)

    class Meta:
        model = Appraisal
        fields = ["id", "project", "status", "due_at", "appointed_at", "seats"]


# --- review requests -----------------------------------------------------------------------------


class ReviewRequestInputSerializer(serializers.Serializer):
    criteria_keys = CRITERIA_KEYS

    reasons = serializers.DictField(
        child=serializers.CharField(max_length=MAX_TEXT, allow_blank=True),
        required=False,
        default=dict,
        help_text="Para 33 criterion (" + ", ".join(CRITERIA_KEYS) + ") -> reasons.",
    )
    summary = serializers.CharField(
        max_length=MAX_TEXT, required=False, allow_blank=True, default=""
    )

    def validate_reasons(self, value):
        unknown = sorted(set(value) - set(self.criteria_keys))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown criterion {unknown[0]!r}: use {', '.join(self.criteria_keys)}."
            )
        return value


VERIFICATION_KEYS = [k for k, _ in VERIFICATION_CRITERIA]


class VerificationReviewRequestInputSerializer(ReviewRequestInputSerializer):
    """F-JI-VR: the reasons concern the verification (para 39), not the para 33 criteria."""

    criteria_keys = VERIFICATION_KEYS

    reasons = serializers.DictField(
        child=serializers.CharField(max_length=MAX_TEXT, allow_blank=True),
        required=False,
        default=dict,
        help_text="Criterion (" + ", ".join(VERIFICATION_KEYS) + ") -> reasons.",
    )


class RequestForReviewSerializer(serializers.ModelSerializer):
    """F-JI-DR / F-JI-VR as published: by a Party involved (its code) or by a JISC member, named
    as on the form."""

    party = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    requester = serializers.SerializerMethodField()
    reasons = serializers.DictField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ReviewRequest
        fields = ["id", "by", "party", "requester", "received_at", "reasons", "summary"]

    def get_requester(self, obj) -> str:
        """The Party's name, or the JISC member's name."""
        return requester_name(obj)


def requester_name(req: ReviewRequest) -> str:
    """Who asked, as F-JI-DR and F-JI-VR name them: the Party, or the JISC member."""
    if req.by == ReviewRequest.By.PARTY:
        return req.party.name if req.party_id else "Party involved"
    user = req.requested_by
    return (user.get_full_name() or user.username) if user else ""


# --- the review ----------------------------------------------------------------------------------


def request_facts(review: Review) -> tuple[list[str], int]:
    """The Parties (codes, sorted) and the number of distinct JISC members that requested the
    review, from its (prefetched) requests."""
    requests = list(review.requests.all())
    parties = sorted(
        {r.party.code for r in requests if r.by == ReviewRequest.By.PARTY and r.party_id}
    )
    members = {r.requested_by_id for r in requests if r.by == ReviewRequest.By.JISC}
    return parties, len(members)


def summary_facts(
    *, status, requested_at, due_at, decision, decided_at, decision_reasons, parties, members
) -> dict:
    """The public summary: the decision, its date and reasons only once the JISC decided."""
    decided = bool(decision)
    return {
        "status": status,
        "requested_at": requested_at,
        "requested_by_parties": sorted(parties),
        "jisc_member_requests": members or 0,
        "due_at": due_at,
        "decision": decision if decided else None,
        "decided_at": decided_at if decided else None,
        "decision_reasons": decision_reasons if decided else None,
    }


def summary_data(review: Review) -> dict:
    parties, members = request_facts(review)
    return summary_facts(
        status=review.status,
        requested_at=review.requested_at,
        due_at=review.due_at,
        decision=review.decision,
        decided_at=review.decided_at,
        decision_reasons=review.decision_reasons,
        parties=parties,
        members=members,
    )


class ReviewSummarySerializer(serializers.Serializer):
    """The public facts of a review (JI guidelines, paras 35 and 39: the JISC's decision and its
    reasons are public). ``decision`` is null until the JISC decides
    (the team's recommendation is not a decision)."""

    status = ReviewStatusField(help_text="The review's status.")
    requested_at = serializers.DateTimeField()
    requested_by_parties = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the Parties involved that requested it."
    )
    jisc_member_requests = serializers.IntegerField(
        help_text="How many distinct JISC members requested it."
    )
    due_at = serializers.DateTimeField(help_text="The legal limit for the decision.")
    decision = serializers.ChoiceField(choices=Review.Decision.choices, allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reasons = serializers.CharField(allow_null=True)

    def to_representation(self, value):
        """``value``: a Review (with its requests prefetched) or its facts as
        ``reviews.api.review_facts`` reads them from an annotated project."""
        return super().to_representation(value if isinstance(value, dict) else summary_data(value))


class ClarificationFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClarificationFile
        fields = ["id", "title", "sha256", "size", "uploaded_at"]


class ClarificationSerializer(serializers.ModelSerializer):
    """F-JI-Clar with its answer."""

    files = ClarificationFileSerializer(many=True, read_only=True)

    class Meta:
        model = Clarification
        fields = [
            "id",
            "number",
            "addressed_to",
            "questions",
            "due_at",
            "sent_at",
            "answer",
            "answered_at",
            "files",
        ]


class TeamMemberSerializer(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)

    class Meta:
        model = ReviewTeamMember
        fields = ["user", "lead", "appointed_at"]


class TeamReportSerializer(serializers.Serializer):
    """F-JI-RRep with the team's recommendation. For the secretariat and JISC members."""

    recommendation = RecommendationField(
        choices=Review.Decision.choices, help_text="The team's recommendation (not a decision)."
    )
    report = serializers.CharField()
    reported_at = serializers.DateTimeField()


class ReviewSerializer(ReviewSummarySerializer):
    """A review as this viewer may see it. The public part is everyone's: the summary, the
    requests (F-JI-DR, never naming a member), the meeting that decided. ``team`` and ``report``
    are for the secretariat and JISC members (null for anyone else); ``clarifications`` lists all
    of them for the secretariat and JISC members, those addressed to the viewer for the
    project's participants and AIE, and is null for anyone else. The view puts ``staff`` and
    the viewer's clarifications (or None) in the context."""

    id = serializers.IntegerField()
    project = serializers.CharField()
    kind = ReviewKindField(help_text="A review of a determination (F-JI-DR) or verification.")
    requests = RequestForReviewSerializer(many=True)
    meeting = serializers.IntegerField(
        allow_null=True, help_text="The JISC meeting that decided (null: decided electronically)."
    )
    corrections_confirmed_at = serializers.DateTimeField(allow_null=True)
    team = TeamMemberSerializer(many=True, allow_null=True)
    report = TeamReportSerializer(allow_null=True)
    clarifications = ClarificationSerializer(many=True, allow_null=True)

    def to_representation(self, review):
        staff = self.context.get("staff", False)
        meeting = review.decided_at_meeting if review.decision else None
        data = {
            "id": review.pk,
            "project": review.project.key,
            "kind": review.kind,
            **summary_data(review),
            "requests": list(review.requests.all()),
            "meeting": meeting.number if meeting else None,
            "corrections_confirmed_at": review.corrections_confirmed_at,
            "team": list(review.team.all()) if staff else None,
            "report": review if staff and review.reported_at else None,
            "clarifications": self.context.get("clarifications"),
        }
        return serializers.Serializer.to_representation(self, data)


class TeamInputSerializer(serializers.Serializer):
    members = UserIdListField(help_text="Two serving JISC members or alternates (user ids).")
    lead = UserIdField(help_text="One of the two (user id).")


class ClarificationInputSerializer(serializers.Serializer):
    addressed_to = serializers.ChoiceField(choices=Clarification.To.choices)
    questions = serializers.CharField(max_length=MAX_TEXT)
    due_on = serializers.DateField(
        validators=[check_year], help_text="The answer is due at 17:00 GMT that day."
    )


class AnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=MAX_TEXT)
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        max_length=20,
        help_text="PDFs (multipart only).",
    )
    titles = serializers.ListField(
        child=serializers.CharField(max_length=255, allow_blank=True),
        required=False,
        default=list,
        max_length=20,
        help_text="Titles of the files, in the same order (default: the file name).",
    )

    def validate(self, attrs):
        if len(attrs["titles"]) > len(attrs["files"]):
            raise serializers.ValidationError({"titles": "There are more titles than files."})
        return attrs

    def workflow_files(self) -> list[tuple[str, object]]:
        files = self.validated_data["files"]
        titles = self.validated_data["titles"] + [""] * len(files)
        return [(titles[i] or f.name, f) for i, f in enumerate(files)]


class ReportInputSerializer(serializers.Serializer):
    recommendation = RecommendationField(
        choices=Review.Decision.choices, help_text="What the team recommends the JISC decides."
    )
    report = serializers.CharField(max_length=MAX_REPORT)


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Review.Decision.choices)
    reasons = serializers.CharField(max_length=MAX_TEXT)
    meeting = serializers.IntegerField(
        min_value=1,
        max_value=32767,
        allow_null=True,
        required=False,
        default=None,
        help_text="The number of the JISC meeting that decided; null when decided electronically.",
    )

    def validate_meeting(self, value):
        if value is None:
            return None
        meeting = Meeting.objects.filter(number=value).first()
        if meeting is None:
            raise serializers.ValidationError(f"No JISC meeting {value}.")
        return meeting


class CorrectionsInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="The corrected F-JI-DRep, a PDF.")
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
