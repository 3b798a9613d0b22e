"""Pure date rules of the statutory clock (ji-rules §4). No database, no ``now()``.

A period of N days that starts on availability date D ends at 17:00 GMT on D + (N - 1): the day
a document becomes available is day 1. Calendar days, no roll-forward for weekends or holidays.
Published examples: PDD available 2008-07-29 -> comments until 2008-08-27 17:00 GMT;
determination available 2011-04-16 -> review requests until 2011-05-30 17:00 GMT.
"""

from datetime import UTC, date, datetime, time, timedelta

COMMENT_PERIOD_DAYS = 30  # para 32
DETERMINATION_FINALITY_DAYS = 45  # para 35
VERIFICATION_FINALITY_DAYS = 15  # para 39
PERIOD_END_TIME = time(17, 0)


def period_end(available_on: date, days: int) -> datetime:
    """The instant (UTC) a period of ``days`` days starting on ``available_on`` ends."""
    if days < 1:
        raise ValueError("a period lasts at least one day")
    return datetime.combine(available_on + timedelta(days=days - 1), PERIOD_END_TIME, tzinfo=UTC)


def last_day(available_on: date, days: int) -> date:
    return available_on + timedelta(days=days - 1)


def comments_close_at(pdd_available_on: date) -> datetime:
    return period_end(pdd_available_on, COMMENT_PERIOD_DAYS)


def review_window_closes_at(determination_available_on: date) -> datetime:
    return period_end(determination_available_on, DETERMINATION_FINALITY_DAYS)


def is_on_time(received_at: datetime, closes_at: datetime) -> bool:
    """A request or comment is on time if received at or before the end instant."""
    return received_at <= closes_at


def window_open(now: datetime, available_on: date, closes_at: datetime) -> bool:
    opens_at = datetime.combine(available_on, time(0, 0), tzinfo=UTC)
    return opens_at <= now <= closes_at


def allowed_availability_dates(today: date) -> tuple[date, date]:
    """The secretariat publishes with availability today or the next day (ji-rules §4)."""
    return today, today + timedelta(days=1)
