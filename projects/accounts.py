"""Accounts under attack (issue 14): who logs in with a second factor, API tokens that expire,
the throttles, the lockout's plumbing (django-axes) and the password-reset mail.

**Second factor.** Users of ``settings.TWO_FACTOR_ROLES`` (the secretariat and the JISC) and
superusers log in with their password and then a TOTP code (django-otp). The login pages
(``projects.account_views``) never log such a user in before the code is right; the session
then holds ``SECOND_FACTOR``. ``TwoFactorMiddleware`` logs out any session of such a user
without it (one opened before the rule, or by a path that skipped the code), so no page or API
call runs for them on a password alone. API tokens for them are issued only with a code.

**Tokens.** DRF's ``authtoken`` rows; a token is refused ``API_TOKEN_DAYS`` after its
``created`` (``token_expired``), and a new one is issued in its place on the next request.
"""

from __future__ import annotations

import base64
import datetime as dt

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import User

# The session key that says this session passed the second factor (the device's id).
SECOND_FACTOR = "jitrack_second_factor"

# --- the second factor ---------------------------------------------------------------------------


class UserBackend(ModelBackend):
    """Django's model backend, loading the user of a session with its organisation and Party:
    every page's header names them, so they come in the same query."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("organisation", "party").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def needs_two_factor(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in settings.TWO_FACTOR_ROLES)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user) -> TOTPDevice:
    """The user's device being enrolled (not yet confirmed): the same one until confirmed, so
    that reloading the page keeps the secret already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="jitrack", confirmed=False)


def confirm_device(device: TOTPDevice) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()


def device_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in (base32, in groups of four)."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def device_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URI as an SVG QR code (drawn here: no network, no image file)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def code_refusal(device: TOTPDevice) -> str | None:
    """Why no code may be tried now (django-otp's growing delay after wrong codes), or None."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = (data or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    return _("Too many wrong codes. Wait %(seconds)d seconds, then try the newest code.") % {
        "seconds": seconds
    }


def count_failure(request, username: str) -> None:
    """A wrong second-factor code counts as a failed login (django-axes' lockout)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


class TwoFactorMiddleware:
    """Logs out a session of a user who must use a second factor and did not. Costs nothing
    for anonymous requests (no session user) and nothing more than the page's own ``user``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if (
            session is not None
            and SECOND_FACTOR not in session
            and SESSION_KEY in session
            and needs_two_factor(request.user)
        ):
            logout(request)
        return self.get_response(request)


# --- addresses and the lockout -------------------------------------------------------------------


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with ``TRUSTED_PROXIES`` proxies in front the
    address the outermost of them saw (as DRF's throttles count, ``NUM_PROXIES``)."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR")


def cooloff_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_detail() -> str:
    minutes = cooloff_minutes()
    return _(
        "Too many failed logins for this account or from this address. "
        "Try again in %(minutes)d minutes, or reset your password."
    ) % {"minutes": minutes}


# --- API tokens ----------------------------------------------------------------------------------


def token_expires(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_DAYS)


def issue_token(user: User) -> Token:
    """The user's token; a new one when they have none or theirs has expired."""
    with transaction.atomic():
        Token.objects.filter(
            user=user, created__lte=timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS)
        ).delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


def replace_token(user: User) -> Token:
    """A new token for the user; the old one stops working."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def revoke_token(user: User) -> bool:
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token …``, refused once the token is ``API_TOKEN_DAYS`` old."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires(token) <= timezone.now():
            raise exceptions.AuthenticationFailed(
                "This token has expired; ask for a new one (POST /api/auth/token/).",
                code="token_expired",
            )
        return user, token


# --- throttles -----------------------------------------------------------------------------------


class WriteThrottle(SimpleRateThrottle):
    """Counts a client's POSTs by address (reads pass) at the rate named by ``scope`` in
    ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, read when the request comes."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CommentThrottle(WriteThrottle):
    scope = "comment"


class TokenThrottle(WriteThrottle):
    scope = "token"


# --- the password-reset mail ---------------------------------------------------------------------


def password_reset_messages(user_id: int) -> list[tuple[str, str, str, list[str]]]:
    """The reset link for one user (``jitrack.mail`` builder). The token is made here, when the
    mail is built, so the queue carries only the user's id."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return []
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = render_to_string("registration/password_reset_subject.txt", context)
    body = render_to_string("registration/password_reset_email.txt", context)
    return [(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])]
