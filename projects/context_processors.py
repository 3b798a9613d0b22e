from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Notification


def site(request):
    return {"SITE_URL": settings.SITE_URL, "DEBUG": settings.DEBUG}


def inbox(request):
    """``unread_notifications``: the user's unread count for the navigation, counted (one query)
    only when a page shows it, and only for a user who is logged in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at=None).count()
        )
    }
