"""The minutes of a JISC meeting: the decision on each agenda item and the overall minutes, kept
by the secretariat (ji-rules §1: it records JISC decisions) and published after the meeting.

MINUTES_GUARDS, each a refusal with nothing written:

* ``forbidden``: only the secretariat records and publishes minutes (``reviews.manage``);
* ``minutes_published``: published minutes are on the public record and never change (ji-rules
  §8 item 4: nothing published disappears);
* ``meeting_not_over``: minutes are published after the meeting, from its end (24:00 GMT on its
  last day, ``deadlines.meeting_end``), never before;
* ``minutes_incomplete``: published minutes name the JISC document that records them and carry
  at least one decision, each citing its paragraphs of that document.

Until published, the minutes are for the secretariat and the JISC (``visible``), like the agenda
that carries the teams' recommendations (ji-rules §6). Publishing twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jitrack.errors import Conflict, Forbidden, Invalid
from projects.models import User

from .deadlines import meeting_end
from .models import Meeting, MeetingItem, Review

MAX_TEXT = 20_000
MAX_PARAGRAPH = 9999


def may_manage(user) -> bool:
    return user.has_perm("reviews.manage", None)


def visible(user, meeting: Meeting) -> bool:
    """Published minutes are public; a draft is for the secretariat and serving JISC members."""
    return meeting.minutes_published_at is not None or user.has_perm(
        "reviews.view_confidential", meeting
    )


def decided_reviews(meeting: Meeting):
    """The reviews decided at the meeting: what an item may name."""
    return (
        Review.objects.filter(decided_at_meeting=meeting)
        .select_related("project")
        .order_by("decided_at", "pk")
    )


def _require(actor: User) -> None:
    if not may_manage(actor):
        raise Forbidden(_("Only the secretariat records the minutes of JISC meetings."))


def _locked(meeting: Meeting) -> Meeting:
    """The meeting's row, locked; refused once its minutes are published."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.minutes_published_at is not None:
        raise Conflict(
            _("The minutes of %(meeting)s are published: they are on the record as they are.")
            % {"meeting": meeting},
            code="minutes_published",
        )
    return meeting


def _text(value, field: str, *, required: bool, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise Invalid(_("This field is required."), code="required", field=field)
    if len(text) > limit:
        raise Invalid(_("At most %(limit)s characters.") % {"limit": f"{limit:,}"}, field=field)
    return text


def save_minutes(actor: User, meeting: Meeting, *, report_symbol: str, minutes: str) -> Meeting:
    """The overall minutes and the JISC document that records the meeting."""
    _require(actor)
    report_symbol = _text(report_symbol, "report_symbol", required=False, limit=80)
    minutes = _text(minutes, "minutes", required=False, limit=MAX_TEXT)
    with transaction.atomic():
        meeting = _locked(meeting)
        meeting.report_symbol = report_symbol
        meeting.minutes = minutes
        meeting.save(update_fields=["report_symbol", "minutes"])
    return meeting


def _paragraph(value, field: str, *, required: bool) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PARAGRAPH:
        raise Invalid(
            _("Give the paragraph as a whole number from 1 to %(max)s.") % {"max": MAX_PARAGRAPH},
            field=field,
        )
    return value


def _clean_item(number, title, decision, paragraph, paragraph_end) -> tuple:
    number = _text(number, "number", required=True, limit=12)
    title = _text(title, "title", required=True, limit=300)
    decision = _text(decision, "decision", required=True, limit=MAX_TEXT)
    paragraph = _paragraph(paragraph, "paragraph", required=True)
    paragraph_end = _paragraph(paragraph_end, "paragraph_end", required=False)
    if paragraph_end is not None and paragraph_end < paragraph:
        raise Invalid(_("The last paragraph is not before the first."), field="paragraph_end")
    return number, title, decision, paragraph, paragraph_end


def save_item(
    actor: User,
    meeting: Meeting,
    item: MeetingItem | None = None,
    *,
    number: str,
    title: str,
    decision: str,
    paragraph: int,
    paragraph_end: int | None = None,
    review: Review | None = None,
) -> MeetingItem:
    """Add an agenda item with its decision, or change one (``item``), before publication."""
    _require(actor)
    number, title, decision, paragraph, paragraph_end = _clean_item(
        number, title, decision, paragraph, paragraph_end
    )
    with transaction.atomic():
        meeting = _locked(meeting)
        if item is not None and item.meeting_id != meeting.pk:
            raise Invalid(_("No such item of this meeting."))
        if review is not None and not decided_reviews(meeting).filter(pk=review.pk).exists():
            raise Invalid(
                _("Name a review decided at this meeting."), field="review", code="wrong_review"
            )
        if (
            MeetingItem.objects.filter(meeting=meeting, number=number)
            .exclude(pk=item.pk if item else None)
            .exists()
        ):
            raise Conflict(
                _("Item %(number)s is already recorded.") % {"number": number},
                code="duplicate",
                field="number",
            )
        item = item or MeetingItem(meeting=meeting, recorded_by=actor)
        item.number, item.title, item.decision = number, title, decision
        item.paragraph, item.paragraph_end, item.review = paragraph, paragraph_end, review
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            raise Conflict(
                _("Item %(number)s is already recorded.") % {"number": number},
                code="duplicate",
                field="number",
            ) from None
    return item


def save_draft(
    actor: User,
    meeting: Meeting,
    *,
    report_symbol: str | None = None,
    minutes: str | None = None,
    items: list[dict] | None = None,
) -> Meeting:
    """The API's whole draft at once: what is given replaces what was recorded (``items``: every
    item, each a dict of ``save_item``'s fields with ``review`` a review's id or None)."""
    _require(actor)
    if report_symbol is not None:
        report_symbol = _text(report_symbol, "report_symbol", required=False, limit=80)
    if minutes is not None:
        minutes = _text(minutes, "minutes", required=False, limit=MAX_TEXT)
    cleaned = []
    for given in items or []:
        fields = _clean_item(
            given.get("number"),
            given.get("title"),
            given.get("decision"),
            given.get("paragraph"),
            given.get("paragraph_end"),
        )
        cleaned.append((fields, given.get("review")))
    numbers = [fields[0] for fields, _review in cleaned]
    if len(set(numbers)) != len(numbers):
        raise Invalid(_("Each agenda item is given once."), code="duplicate", field="items")
    with transaction.atomic():
        meeting = _locked(meeting)
        if report_symbol is not None:
            meeting.report_symbol = report_symbol
        if minutes is not None:
            meeting.minutes = minutes
        meeting.save(update_fields=["report_symbol", "minutes"])
        if items is not None:
            decided = {r.pk: r for r in decided_reviews(meeting)}
            rows = []
            for (number, title, decision, paragraph, paragraph_end), review in cleaned:
                if review is not None and review not in decided:
                    raise Invalid(
                        _("Name a review decided at this meeting."),
                        field="items",
                        code="wrong_review",
                    )
                rows.append(
                    MeetingItem(
                        meeting=meeting,
                        number=number,
                        title=title,
                        decision=decision,
                        paragraph=paragraph,
                        paragraph_end=paragraph_end,
                        review=decided.get(review),
                        recorded_by=actor,
                    )
                )
            MeetingItem.objects.filter(meeting=meeting).delete()
            MeetingItem.objects.bulk_create(rows)
    return meeting


def remove_item(actor: User, item: MeetingItem) -> None:
    """Take an item out of draft minutes."""
    _require(actor)
    with transaction.atomic():
        _locked(item.meeting)
        MeetingItem.objects.filter(pk=item.pk).delete()


def publish_minutes(actor: User, meeting: Meeting, *, now: datetime | None = None) -> Meeting:
    """MINUTES_GUARDS (module docstring): make the minutes public, after the meeting."""
    _require(actor)
    now = now or timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.minutes_published_at is not None:
            return meeting  # published already: nothing to do
        ends = meeting_end(meeting.ends_on)
        if now < ends:
            raise Conflict(
                _(
                    "The minutes of %(meeting)s are published after the meeting, which ends on "
                    "%(last)s at 24:00 GMT."
                )
                % {"meeting": meeting, "last": meeting.ends_on.strftime("%-d %b %Y")},
                code="meeting_not_over",
            )
        if not meeting.report_symbol:
            raise Conflict(
                _("Name the JISC document that records the meeting before publishing."),
                code="minutes_incomplete",
                field="report_symbol",
            )
        if not meeting.items.exists():
            raise Conflict(
                _("Record the decision on at least one agenda item before publishing."),
                code="minutes_incomplete",
            )
        meeting.minutes_published_at = now
        meeting.minutes_published_by = actor
        meeting.save(update_fields=["minutes_published_at", "minutes_published_by"])
    return meeting
