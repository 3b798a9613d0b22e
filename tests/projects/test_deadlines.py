import datetime as dt

import pytest

from projects import deadlines

UTC = dt.UTC


def test_period_end_matches_published_comment_example():
    # PDD available 29 July 2008 -> comments until 27 August 2008 17:00 GMT.
    assert deadlines.comments_close_at(dt.date(2008, 7, 29)) == dt.datetime(
        2008, 8, 27, 17, 0, tzinfo=UTC
    )


def test_period_end_matches_published_determination_example():
    # Determination available 16 April 2011 -> review requests until 30 May 2011 17:00 GMT.
    assert deadlines.review_window_closes_at(dt.date(2011, 4, 16)) == dt.datetime(
        2011, 5, 30, 17, 0, tzinfo=UTC
    )


def test_period_end_on_saturday_does_not_roll_forward():
    end = deadlines.comments_close_at(dt.date(2026, 11, 20))
    assert end == dt.datetime(2026, 12, 19, 17, 0, tzinfo=UTC)
    assert end.strftime("%A") == "Saturday"


def test_period_end_crosses_year_end():
    assert deadlines.comments_close_at(dt.date(2026, 12, 5)) == dt.datetime(
        2027, 1, 3, 17, 0, tzinfo=UTC
    )
    assert deadlines.review_window_closes_at(dt.date(2026, 11, 20)) == dt.datetime(
        2027, 1, 3, 17, 0, tzinfo=UTC
    )


def test_period_of_one_day_ends_on_the_availability_day():
    assert deadlines.period_end(dt.date(2026, 3, 1), 1) == dt.datetime(
        2026, 3, 1, 17, 0, tzinfo=UTC
    )


def test_period_of_zero_days_is_refused():
    with pytest.raises(ValueError):
        deadlines.period_end(dt.date(2026, 3, 1), 0)


def test_on_time_at_the_end_instant_and_late_one_second_after():
    end = dt.datetime(2008, 8, 27, 17, 0, tzinfo=UTC)
    assert deadlines.is_on_time(end, end)
    assert not deadlines.is_on_time(end + dt.timedelta(seconds=1), end)


def test_window_is_closed_before_availability_day():
    available = dt.date(2026, 5, 2)
    end = deadlines.comments_close_at(available)
    assert not deadlines.window_open(dt.datetime(2026, 5, 1, 23, 59, tzinfo=UTC), available, end)
    assert deadlines.window_open(dt.datetime(2026, 5, 2, 0, 0, tzinfo=UTC), available, end)


def test_availability_is_today_or_tomorrow():
    assert deadlines.allowed_availability_dates(dt.date(2026, 12, 31)) == (
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 1),
    )
