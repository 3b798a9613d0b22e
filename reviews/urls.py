from django.urls import path

from . import committee, minutes_views, views

urlpatterns = [
    path("projects/<str:key>/review/request/", views.review_request, name="review_request"),
    path(
        "projects/<str:key>/appraisal/appoint/", views.appraisal_appoint, name="appraisal_appoint"
    ),
    path("reviews/appraisals/<int:pk>/", views.appraisal_detail, name="appraisal_detail"),
    path("reviews/appraisals/<int:pk>/declare/", views.appraisal_declare, name="appraisal_declare"),
    path("reviews/appraisals/<int:pk>/file/", views.appraisal_file, name="appraisal_file"),
    path("reviews/appraisals/forms/<int:pk>/pdf/", views.appraisal_pdf, name="appraisal_pdf"),
    path("reviews/requests/<int:pk>/pdf/", views.request_pdf, name="request_pdf"),
    path(
        "reviews/clarifications/<int:pk>/", views.clarification_detail, name="clarification_detail"
    ),
    path("reviews/clarifications/<int:pk>/pdf/", views.clarification_pdf, name="clarification_pdf"),
    path(
        "reviews/clarifications/files/<int:pk>/",
        views.clarification_file,
        name="clarification_file",
    ),
    path("reviews/committee/", committee.committee, name="committee"),
    path("reviews/committee/members/new/", committee.member_new, name="committee_member_new"),
    path(
        "reviews/committee/members/<int:pk>/", committee.member_edit, name="committee_member_edit"
    ),
    path("reviews/committee/experts/new/", committee.expert, name="committee_expert"),
    path("reviews/committee/experts/<int:pk>/", committee.expert, name="committee_expert"),
    path("reviews/meetings/", views.meeting_list, name="meeting_list"),
    path("reviews/meetings/new/", views.meeting_new, name="meeting_new"),
    path("reviews/meetings/<int:number>/", views.meeting_detail, name="meeting_detail"),
    path("reviews/meetings/<int:number>/edit/", views.meeting_edit, name="meeting_edit"),
    path(
        "reviews/meetings/<int:number>/agenda.pdf",
        views.meeting_agenda_pdf,
        name="meeting_agenda_pdf",
    ),
    # the minutes: decisions per agenda item, published after the meeting (reviews.minutes)
    path(
        "reviews/meetings/<int:number>/minutes/",
        minutes_views.meeting_minutes,
        name="meeting_minutes",
    ),
    path(
        "reviews/meetings/<int:number>/minutes/items/new/",
        minutes_views.meeting_item_new,
        name="meeting_item_new",
    ),
    path(
        "reviews/meetings/<int:number>/minutes/items/<int:pk>/",
        minutes_views.meeting_item_edit,
        name="meeting_item_edit",
    ),
    path(
        "reviews/meetings/<int:number>/minutes/publish/",
        minutes_views.meeting_minutes_publish,
        name="meeting_minutes_publish",
    ),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/team/", views.review_team, name="review_team"),
    path("reviews/<int:pk>/clarify/", views.review_clarify, name="review_clarify"),
    path("reviews/<int:pk>/report/", views.review_report, name="review_report"),
    path("reviews/<int:pk>/report/pdf/", views.review_report_pdf, name="review_report_pdf"),
    path("reviews/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("reviews/<int:pk>/corrections/", views.review_corrections, name="review_corrections"),
    path("reviews/<int:pk>/confirm/", views.review_confirm, name="review_confirm"),
    path(
        "projects/<str:key>/verifications/<int:number>/review/",
        views.verification_review,
        name="verification_review",
    ),
]
