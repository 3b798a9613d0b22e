"""The reviews' part of the REST API, included under /api/ by ``registry.api_urls``."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "projects/<str:key>/appraisal/proposal/",
        api.appraisal_proposal,
        name="api-project-appraisal-proposal",
    ),
    path("projects/<str:key>/appraisal/", api.project_appraisal, name="api-project-appraisal"),
    path(
        "projects/<str:key>/review-requests/",
        api.request_review,
        name="api-project-review-requests",
    ),
    path("projects/<str:key>/review/", api.project_review, name="api-project-review"),
    path("appraisals/<int:pk>/", api.appraisal_detail, name="api-appraisal-detail"),
    path("appraisals/<int:pk>/declare/", api.declare_no_conflict, name="api-appraisal-declare"),
    path("appraisals/<int:pk>/file/", api.file_appraisal, name="api-appraisal-file"),
    path("reviews/<int:pk>/team/", api.appoint_team, name="api-review-team"),
    path(
        "reviews/<int:pk>/clarifications/",
        api.send_clarification,
        name="api-review-clarifications",
    ),
    path("reviews/<int:pk>/report/", api.file_report, name="api-review-report"),
    path("reviews/<int:pk>/decision/", api.decide, name="api-review-decision"),
    path("reviews/<int:pk>/corrections/", api.submit_corrections, name="api-review-corrections"),
    path(
        "reviews/<int:pk>/corrections/confirm/",
        api.confirm_corrections,
        name="api-review-corrections-confirm",
    ),
    path(
        "clarifications/<int:pk>/answer/",
        api.answer_clarification,
        name="api-clarification-answer",
    ),
    path("meetings/", api.meetings, name="api-meetings"),
    path("meetings/<int:number>/", api.update_meeting, name="api-meeting-update"),
    path("meetings/<int:number>/minutes/", api.meeting_minutes, name="api-meeting-minutes"),
    path(
        "meetings/<int:number>/minutes/publish/",
        api.publish_meeting_minutes,
        name="api-meeting-minutes-publish",
    ),
]
