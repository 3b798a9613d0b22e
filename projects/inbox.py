"""The inbox (issue 15): the notifications each user receives (``Notification``, written by the
outbox's builders in ``projects.notify`` and ``reviews.notify``), their unread count, marking
them read, and the user's e-mail preference; the page ``/inbox/`` and the API
``/api/notifications/``. A user sees and marks only their own: another's is answered 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jitrack.api import ERRORS
from jitrack.errors import NotFound
from jitrack.web import paginate, refuse

from .models import Notification, User

# --- the domain ------------------------------------------------------------------------------


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first (the ``notification_inbox`` index)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def latest_unread(user: User, limit: int = 5) -> list[Notification]:
    """The user's newest unread notifications (one query): for a dashboard's panel,
    ``templates/projects/_inbox_latest.html``."""
    return list(notifications_for(user).filter(read_at=None)[:limit])


def mark_read(user: User, pk: int) -> Notification:
    """Mark the user's notification ``pk`` read (again: no change). Another user's, or none:
    ``NotFound``. An UPDATE, not ``save()``: the inbox is on no public page (the model)."""
    notification = notifications_for(user).filter(pk=pk).first()
    if notification is None:
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=pk, read_at=None).update(read_at=notification.read_at)
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; how many were unread."""
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


def set_mail_preference(user: User, preference: str) -> None:
    if preference not in User.MailPreference.values:
        raise ValueError(preference)
    User.objects.filter(pk=user.pk).update(mail_preference=preference)
    user.mail_preference = preference


# --- the page --------------------------------------------------------------------------------


class PreferenceForm(forms.Form):
    mail_preference = forms.ChoiceField(
        label=gettext_lazy("E-mail me my notifications"),
        choices=User.MailPreference.choices,
        widget=forms.RadioSelect,
    )


def _back(request):
    """To the page of the inbox the form was posted from."""
    page = request.POST.get("page", "")
    url = reverse("inbox")
    return redirect(f"{url}?page={page}" if page.isdigit() and page != "1" else url)


@login_required
@require_safe
def inbox(request):
    page = paginate(request, notifications_for(request.user))
    form = PreferenceForm(initial={"mail_preference": request.user.mail_preference})
    return render(request, "projects/inbox.html", {"page": page, "form": form})


@login_required
@require_POST
def inbox_read(request, pk: int):
    try:
        mark_read(request.user, pk)
    except NotFound as err:
        return refuse(request, err.detail, status=err.status)
    return _back(request)


@login_required
@require_safe
def inbox_open(request, pk: int):
    """Follow a notification's link: it is read once opened. Only a path of this site is
    followed (the builders store paths); anything else leads back to the inbox."""
    try:
        notification = mark_read(request.user, pk)
    except NotFound as err:
        return refuse(request, err.detail, status=err.status)
    url = notification.url
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect(url)
    return redirect("inbox")


@login_required
@require_POST
def inbox_read_all(request):
    marked = mark_all_read(request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", marked
        )
        % {"count": marked},
    )
    return _back(request)


@login_required
@require_POST
def inbox_preference(request):
    form = PreferenceForm(request.POST)
    if not form.is_valid():
        page = paginate(request, notifications_for(request.user))
        return render(request, "projects/inbox.html", {"page": page, "form": form}, status=400)
    set_mail_preference(request.user, form.cleaned_data["mail_preference"])
    messages.success(request, _("Your e-mail preference is saved."))
    return redirect("inbox")


# --- the API ---------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(read_only=True, help_text="Whether the user marked it read.")

    class Meta:
        model = Notification
        fields = ["id", "created_at", "kind", "subject", "text", "detail", "url", "read"]
        read_only_fields = fields
        extra_kwargs = {
            "kind": {"help_text": "The event kind, or appraisal, clarification or review."},
            "subject": {"help_text": "What it is about: the project's reference and title."},
            "text": {"help_text": "What to do."},
            "detail": {"help_text": "A decision and its reasons, if any; else empty."},
            "url": {"help_text": "The site path of the object (append it to the site's URL)."},
        }


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread.")


class InboxPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class NotificationList(generics.ListAPIView):
    """The authenticated user's own notifications, newest first."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = InboxPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks for the model only
            return Notification.objects.none()
        return notifications_for(self.request.user)

    @extend_schema(tags=["notifications"], responses={200: NotificationSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(
    request=None,
    responses={200: NotificationSerializer, **{c: ERRORS[c] for c in (401, 403, 404)}},
    tags=["notifications"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def notification_read(request, pk):
    """Mark one of your notifications read (again: no change); another user's is 404."""
    return Response(NotificationSerializer(mark_read(request.user, pk)).data)


@extend_schema(
    request=None,
    responses={200: MarkedSerializer, **{c: ERRORS[c] for c in (401, 403)}},
    tags=["notifications"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def notifications_read_all(request):
    """Mark all your notifications read."""
    return Response({"marked": mark_all_read(request.user)})
