"""The project detail the API answers with: the register entry plus every stage's part."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from determinations.serializers import DeterminationSerializer, VerificationSummarySerializer
from projects.serializers import (
    CommentSerializer,
    CommentWithEmailSerializer,
    DocumentSerializer,
    EventSerializer,
    ProjectSerializer,
)
from reviews.serializers import ReviewSummarySerializer


class ProjectDetailSerializer(ProjectSerializer):
    """The register entry plus what this user may see of its documents, comments, timeline,
    determination and verifications, and the public facts of its latest review. The view puts
    the filtered rows in the context (``registry.api``)."""

    documents = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    comment_count = serializers.SerializerMethodField()
    comments_url = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    timeline_count = serializers.SerializerMethodField()
    timeline_url = serializers.SerializerMethodField()
    determination = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()
    verifications = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "small_scale_type",
            "small_scale_figure",
            "crediting_start",
            "crediting_end",
            "baseline_approach",
            "methodology",
            "monitoring_approach",
            "withdrawn_at",
            "documents",
            "comments",
            "comment_count",
            "comments_url",
            "timeline",
            "timeline_count",
            "timeline_url",
            "determination",
            "review",
            "verifications",
        ]

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, obj):
        return DocumentSerializer(self.context["documents"], many=True, context=self.context).data

    @extend_schema_field(CommentWithEmailSerializer(many=True))
    def get_comments(self, obj):
        """The first 100 comments, oldest first; all of them at ``comments_url``."""
        cls = CommentWithEmailSerializer if self.context["show_email"] else CommentSerializer
        return cls(self.context["comments"], many=True, context=self.context).data

    def get_comment_count(self, obj) -> int:
        return self.context["comment_count"]

    def get_comments_url(self, obj) -> str:
        return self._url("api-project-comments", obj)

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, obj):
        """The latest 100 events, oldest first; all of them at ``timeline_url``."""
        return EventSerializer(self.context["events"], many=True).data

    def get_timeline_count(self, obj) -> int:
        return self.context["event_count"]

    def get_timeline_url(self, obj) -> str:
        return self._url("api-project-timeline", obj)

    def _url(self, name: str, obj) -> str:
        path = reverse(name, args=[obj.key])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(DeterminationSerializer(allow_null=True))
    def get_determination(self, obj):
        det = self.context["determination"]
        if det is None:
            return None
        return DeterminationSerializer(det, context=self.context).data

    @extend_schema_field(ReviewSummarySerializer(allow_null=True))
    def get_review(self, obj):
        """The latest review's public facts (ji-rules §6); null before a review has started."""
        review = self.context.get("review")
        if review is None:
            return None
        return ReviewSummarySerializer(review).data

    @extend_schema_field(VerificationSummarySerializer(many=True))
    def get_verifications(self, obj):
        """F-JI-VRep in period order: published or later for everyone, also submitted ones for
        the project's participants and AIEs and the secretariat (``registry.api``)."""
        return VerificationSummarySerializer(self.context.get("verifications", []), many=True).data
