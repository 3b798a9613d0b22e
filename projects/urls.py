from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.decorators.http import require_safe

from jitrack.pagecache import public_page as cached

from . import account_views as accounts
from . import change_views, component_views, inbox, views

# The home page, the dashboards, the project page and the public lists are composed by the
# registry (``registry.urls``); these are the project's own acts.
urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("login/code/", accounts.login_code, name="login_code"),
    path("login/enrol/", accounts.login_enrol, name="login_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The page only reads (its forms post to the token routes, which answer with it); the login
    # first, as on every page that needs one.
    path("account/", login_required(require_safe(accounts.account)), name="account"),
    path("account/token/new/", accounts.account_token_new, name="account_token_new"),
    path("account/token/revoke/", accounts.account_token_revoke, name="account_token_revoke"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", inbox.inbox_read, name="inbox_read"),
    path("inbox/<int:pk>/open/", inbox.inbox_open, name="inbox_open"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox_read_all"),
    path("inbox/preference/", inbox.inbox_preference, name="inbox_preference"),
    path("account/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<str:key>/edit/", views.project_edit, name="project_edit"),
    path("projects/<str:key>/documents/", views.document_upload, name="document_upload"),
    path("projects/<str:key>/approvals/", views.approval_record, name="approval_record"),
    path("approvals/<int:pk>/confirm/", views.approval_confirm, name="approval_confirm"),
    path("projects/<str:key>/engage/", views.engage, name="project_engage"),
    path("projects/<str:key>/change-aie/", views.change_aie, name="project_change_aie"),
    path("projects/<str:key>/withdraw/", views.withdraw, name="project_withdraw"),
    path("projects/<str:key>/terminate/", views.terminate, name="project_terminate"),
    path(
        "projects/<str:key>/components/new/",
        component_views.component_include,
        name="component_include",
    ),
    path(
        "projects/<str:key>/components/<int:number>/",
        cached(component_views.component_detail),
        name="component_detail",
    ),
    path(
        "projects/<str:key>/components/<int:number>/exclude/",
        component_views.component_exclude,
        name="component_exclude",
    ),
    # changes after the determination (projects.changes)
    path(
        "projects/<str:key>/participation/change/",
        change_views.change_request,
        name="participation_change",
    ),
    path(
        "participation-changes/<int:pk>/cancel/",
        change_views.change_cancel,
        name="participation_change_cancel",
    ),
    path(
        "participation-changes/<int:pk>/approve/",
        change_views.change_approve,
        name="participation_change_approve",
    ),
    path(
        "projects/<str:key>/crediting-period/",
        change_views.crediting_renew,
        name="crediting_period_renew",
    ),
    path("projects/<str:key>/submit-pdd/", views.submit_pdd, name="submit_pdd"),
    path("projects/<str:key>/check-pdd/", views.check_pdd, name="check_pdd"),
    path("projects/<str:key>/comments/", views.comment_add, name="comment_add"),
    path(
        "projects/<str:key>/comments/<int:comment_id>/answer/",
        views.comment_answer,
        name="comment_answer",
    ),
    path(
        "projects/<str:key>/comments/<int:comment_id>/remove/",
        views.comment_remove,
        name="comment_remove",
    ),
    path("engagements/<int:pk>/decide/", views.engagement_decide, name="engagement_decide"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("comments/<int:pk>/attachment/", views.comment_attachment, name="comment_attachment"),
    path("documents/<int:pk>/aside/", views.document_aside, name="document_aside"),
]
