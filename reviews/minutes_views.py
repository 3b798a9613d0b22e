"""Pages where the secretariat records a JISC meeting's minutes and publishes them
(``reviews.minutes``); the meeting page shows them (``views.meeting_detail``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jitrack.errors import DomainError
from jitrack.web import GET_POST, act, bind, refuse

from . import minutes
from .deadlines import meeting_end
from .minutes_forms import MeetingItemForm, MinutesForm
from .models import Meeting, MeetingItem

REFUSED = gettext_lazy("Only the secretariat records the minutes of JISC meetings.")


def _meeting_or_404(number: int) -> Meeting:
    meeting = Meeting.objects.filter(number=number).first() if 0 < number <= 32767 else None
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def _items(meeting: Meeting) -> list[MeetingItem]:
    return list(meeting.items.select_related("review__project").order_by("paragraph", "pk"))


def _to_minutes(meeting: Meeting):
    return redirect("meeting_minutes", number=meeting.number)


@login_required
@GET_POST
def meeting_minutes(request, number: int):
    """The draft minutes: the JISC document and the overall minutes (the form), the items with
    their decisions, and the way to publish them once the meeting is over."""
    meeting = _meeting_or_404(number)
    if not minutes.may_manage(request.user):
        return refuse(request, str(REFUSED))
    initial = None
    if request.method == "GET":
        initial = {
            "report_symbol": meeting.report_symbol or f"JI-JISC-{meeting.number} meeting report",
            "minutes": meeting.minutes,
        }
    form = bind(request, MinutesForm, initial=initial)
    return act(
        request,
        form,
        lambda d: minutes.save_minutes(
            request.user, meeting, report_symbol=d["report_symbol"], minutes=d["minutes"]
        ),
        template="reviews/meeting_minutes.html",
        context={
            "meeting": meeting,
            "items": _items(meeting),
            "over": timezone.now() >= meeting_end(meeting.ends_on),
            "published": meeting.minutes_published_at is not None,
            "editable": meeting.minutes_published_at is None,
        },
        done=_("Minutes saved; they stay private until published."),
        then=lambda m: _to_minutes(m),
    )


def _item_page(request, meeting: Meeting, item: MeetingItem | None):
    if not minutes.may_manage(request.user):
        return refuse(request, str(REFUSED))
    initial = None
    if item is not None and request.method == "GET":
        initial = {
            f: getattr(item, f)
            for f in ("number", "title", "decision", "paragraph", "paragraph_end", "review")
        }
    form = bind(request, MeetingItemForm, initial=initial, reviews=minutes.decided_reviews(meeting))
    if request.method == "POST" and item is not None and request.POST.get("remove"):
        try:
            minutes.remove_item(request.user, item)
        except DomainError as err:
            return refuse(request, err.detail, status=err.status)
        messages.success(request, _("Item %(number)s removed.") % {"number": item.number})
        return _to_minutes(meeting)
    return act(
        request,
        form,
        lambda d: minutes.save_item(
            request.user,
            meeting,
            item,
            number=d["number"],
            title=d["title"],
            decision=d["decision"],
            paragraph=d["paragraph"],
            paragraph_end=d["paragraph_end"],
            review=d["review"],
        ),
        template="reviews/meeting_item_form.html",
        context={"meeting": meeting, "item": item},
        done=lambda i: _("Item %(number)s recorded.") % {"number": i.number},
        then=lambda i: _to_minutes(meeting),
    )


@login_required
@GET_POST
def meeting_item_new(request, number: int):
    return _item_page(request, _meeting_or_404(number), None)


@login_required
@GET_POST
def meeting_item_edit(request, number: int, pk: int):
    meeting = _meeting_or_404(number)
    item = meeting.items.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if item is None:
        raise Http404("No such item.")
    return _item_page(request, meeting, item)


@login_required
@GET_POST
def meeting_minutes_publish(request, number: int):
    """A confirmation with the minutes as the public will read them; POST publishes."""
    meeting = _meeting_or_404(number)
    if not minutes.may_manage(request.user):
        return refuse(request, str(REFUSED))
    status = 200
    error = None
    if request.method == "POST":
        try:
            minutes.publish_minutes(request.user, meeting)
        except DomainError as err:
            status, error = err.status, err.detail
        else:
            messages.success(
                request, _("The minutes of %(meeting)s are public.") % {"meeting": meeting}
            )
            return redirect("meeting_detail", number=meeting.number)
    over = timezone.now() >= meeting_end(meeting.ends_on)
    if not over and error is None:
        # The act's own guard, said before the button instead of after it.
        error = _(
            "The minutes of %(meeting)s are published after the meeting, which ends on "
            "%(last)s at 24:00 GMT."
        ) % {"meeting": meeting, "last": meeting.ends_on.strftime("%-d %b %Y")}
    return render(
        request,
        "reviews/meeting_minutes_publish.html",
        {"meeting": meeting, "items": _items(meeting), "error": error, "over": over},
        status=status,
    )
