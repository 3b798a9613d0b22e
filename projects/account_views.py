"""Account pages: log in (password, then a TOTP code for the roles that need one, enrolling the
device the first time), the lockout message, the account page with the API token, and
Django's password change and reset views with our forms and mail (``projects.accounts``)."""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as reset_lockout
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from jitrack import mail
from jitrack.i18n import API_PREFIX
from jitrack.web import GET_POST

from . import accounts
from .models import User

# The session key of a login whose password was right and whose code is still to come.
PENDING = "jitrack_login_pending"
PENDING_SECONDS = 300


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the 6 digits your app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def lockout_response(request, response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out login: the API's JSON 429, or the login page with the
    reason (``AXES_LOCKOUT_CALLABLE``)."""
    detail = accounts.lockout_detail()
    retry_after = str(accounts.cooloff_minutes() * 60)
    if request.path_info.startswith(API_PREFIX):
        answer = JsonResponse({"code": "locked_out", "detail": detail}, status=429)
    else:
        request.session.pop(PENDING, None)
        form = AuthenticationForm(request)
        answer = render(
            request, "registration/login.html", {"form": form, "locked_out": detail}, status=429
        )
    answer["Retry-After"] = retry_after
    return answer


class LoginView(auth_views.LoginView):
    """Django's login; for a user who needs a second factor the password only opens the code
    (or enrolment) step: they are not logged in yet."""

    def form_valid(self, form):
        user = form.get_user()
        if not accounts.needs_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "since": int(time.time()),
            "next": self.get_success_url(),
        }
        if accounts.confirmed_device(user) is None:
            return redirect("login_enrol")
        return redirect("login_code")


def _pending(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None, {}
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, pending


def _start_again(request) -> HttpResponse:
    request.session.pop(PENDING, None)
    messages.info(request, _("Log in again: the code must follow the password within minutes."))
    return redirect("login")


def _try_code(request, user, device, form) -> int | None:
    """None when the code is right; else the page's status, the reason on the form."""
    if not form.is_valid():
        return 400
    refusal = accounts.code_refusal(device)
    if refusal:
        form.add_error("code", refusal)
        return 429
    if device.verify_token(form.cleaned_data["code"].strip()):
        return None
    form.add_error("code", _("That code is not right. Enter the newest code your app shows."))
    accounts.count_failure(request, user.get_username())
    return 400


def _finish(request, user, pending, device) -> HttpResponse:
    request.session.pop(PENDING, None)
    auth_login(request, user, pending["backend"])
    request.session[accounts.SECOND_FACTOR] = device.persistent_id
    return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)


def _locked(request, user) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": user.get_username()})


@GET_POST
def login_code(request):
    user, pending = _pending(request)
    if user is None:
        return _start_again(request)
    device = accounts.confirmed_device(user)
    if device is None:
        return redirect("login_enrol")
    if _locked(request, user):
        return lockout_response(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = _try_code(request, user, device, form)
        if status is None:
            return _finish(request, user, pending, device)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
    return render(request, "registration/login_code.html", {"form": form}, status=status)


@GET_POST
def login_enrol(request):
    user, pending = _pending(request)
    if user is None:
        return _start_again(request)
    if accounts.confirmed_device(user) is not None:
        return redirect("login_code")
    if _locked(request, user):
        return lockout_response(request)
    device = accounts.enrolment_device(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = _try_code(request, user, device, form)
        if status is None:
            accounts.confirm_device(device)
            messages.success(request, _("Two-factor authentication is on for your account."))
            return _finish(request, user, pending, device)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
    context = {
        "form": form,
        "qr_svg": accounts.device_qr_svg(device),
        "secret": accounts.device_secret(device),
        "otpauth_uri": device.config_url,
    }
    return render(request, "registration/login_enrol.html", context, status=status)


# --- the account page and its API token ----------------------------------------------------------


@login_required
@require_safe
def account(request):
    return _account_page(request)


def _account_page(request, new_key: str | None = None):
    token = request.user.auth_token if hasattr(request.user, "auth_token") else None
    context = {
        "token": token,
        "token_expires": accounts.token_expires(token) if token else None,
        "new_key": new_key,
        "two_factor": accounts.needs_two_factor(request.user),
        "device": accounts.confirmed_device(request.user),
    }
    return render(request, "registration/account.html", context)


@login_required
@require_POST
def account_token_new(request):
    token = accounts.replace_token(request.user)
    messages.success(request, _("A new API token was issued; the old one no longer works."))
    return _account_page(request, new_key=token.key)


@login_required
@require_POST
def account_token_revoke(request):
    if accounts.revoke_token(request.user):
        messages.success(request, _("Your API token was revoked."))
    else:
        messages.info(request, _("You had no API token."))
    return redirect("account")


# --- passwords -----------------------------------------------------------------------------------


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form; the mail goes through the one queue (``jitrack.mail``), built from
    the user's id. Unknown addresses get the same answer, and no mail."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        mail.send_on_commit("projects.accounts.password_reset_messages", context["user"].pk)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password ends the account's lockout and revokes its API token."""

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.revoke_token(form.user)
        reset_lockout(username=form.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """A new password revokes the API token (it may be what leaked)."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.revoke_token(form.user)
        return response
