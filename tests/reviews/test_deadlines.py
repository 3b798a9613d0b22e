"""REVIEW_LIMIT and the other pure date rules of appraisals and reviews (ji-rules §3.8, §3.12, §4;
the docstring of ``reviews.deadlines``). No database."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reviews import deadlines
from tests.support import at

UTC = dt.UTC
D = dt.date


# --- review_due: six calendar months --------------------------------------------------------------


def test_review_due_without_meetings_is_six_calendar_months_at_the_same_time():
    assert deadlines.review_due("determination", at(2026, 3, 15, 10, 30)) == at(2026, 9, 15, 10, 30)


def test_review_due_without_meetings_crosses_the_year_end():
    assert deadlines.review_due("determination", at(2026, 11, 22, 8, 5, 7)) == at(
        2027, 5, 22, 8, 5, 7
    )


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        (at(2026, 8, 31, 12, 0), at(2027, 2, 28, 12, 0)),  # no 31 February, not a leap year
        (at(2027, 8, 31, 12, 0), at(2028, 2, 29, 12, 0)),  # leap year: the 29th
        (at(2027, 8, 29, 12, 0), at(2028, 2, 29, 12, 0)),  # the 29th exists in 2028
        (at(2026, 8, 29, 12, 0), at(2027, 2, 28, 12, 0)),  # but not in 2027
        (at(2026, 3, 31, 23, 59), at(2026, 9, 30, 23, 59)),  # 30-day month
        (at(2026, 12, 31, 0, 0), at(2027, 6, 30, 0, 0)),
    ],
)
def test_review_due_without_meetings_clamps_to_the_last_day_of_the_month(requested, due):
    assert deadlines.review_due("determination", requested) == due
    assert deadlines.review_due("determination", requested, []) == due


# --- review_due: the second meeting that starts after the request ---------------------------------


REQUESTED = at(2026, 3, 1, 10, 0)
SIX_MONTHS = at(2026, 9, 1, 10, 0)


def test_review_due_ignores_meetings_before_the_request():
    meetings = [(D(2026, 1, 10), D(2026, 1, 12)), (D(2026, 2, 10), D(2026, 2, 12))]
    assert deadlines.review_due("determination", REQUESTED, meetings) == SIX_MONTHS


def test_review_due_ignores_a_meeting_running_over_the_request():
    # Started before the request's day and still running: it does not start after the request.
    meetings = [(D(2026, 2, 27), D(2026, 3, 3)), (D(2026, 4, 1), D(2026, 4, 2))]
    assert deadlines.review_due("determination", REQUESTED, meetings) == SIX_MONTHS


def test_review_due_ignores_a_meeting_starting_on_the_request_day():
    meetings = [(D(2026, 3, 1), D(2026, 3, 3)), (D(2026, 4, 1), D(2026, 4, 2))]
    assert deadlines.review_due("determination", REQUESTED, meetings) == SIX_MONTHS


def test_review_due_counts_the_meeting_starting_the_day_after_the_request():
    meetings = [(D(2026, 3, 2), D(2026, 3, 3)), (D(2026, 4, 1), D(2026, 4, 2))]
    assert deadlines.review_due("determination", REQUESTED, meetings) == at(2026, 4, 3, 0, 0)


def test_review_due_with_a_meeting_on_the_request_day_then_two_after_ends_at_the_third():
    meetings = [
        (D(2026, 3, 1), D(2026, 3, 3)),
        (D(2026, 4, 1), D(2026, 4, 2)),
        (D(2026, 5, 10), D(2026, 5, 12)),
    ]
    assert deadlines.review_due("determination", REQUESTED, meetings) == at(2026, 5, 13, 0, 0)


def test_review_due_compares_the_request_day_in_utc():
    # 2 March 01:00 in Kyiv (UTC+2) is 1 March 23:00 UTC: a meeting starting on 2 March starts
    # after the request's (UTC) day and counts.
    kyiv = ZoneInfo("Europe/Kyiv")
    requested = dt.datetime(2026, 3, 2, 1, 0, tzinfo=kyiv)
    meetings = [(D(2026, 3, 2), D(2026, 3, 4)), (D(2026, 4, 20), D(2026, 4, 21))]
    assert deadlines.review_due("determination", requested, meetings) == at(2026, 4, 22, 0, 0)


def test_review_due_with_one_meeting_after_is_six_months():
    meetings = [(D(2026, 3, 20), D(2026, 3, 22))]
    assert deadlines.review_due("determination", REQUESTED, meetings) == SIX_MONTHS


def test_review_due_with_two_meetings_after_is_the_end_of_the_second():
    meetings = [(D(2026, 3, 20), D(2026, 3, 22)), (D(2026, 5, 10), D(2026, 5, 12))]
    due = deadlines.review_due("determination", REQUESTED, meetings)
    assert due == at(2026, 5, 13, 0, 0)  # 24:00 GMT on 12 May
    assert due.utcoffset() == dt.timedelta(0)


def test_review_due_with_two_meetings_after_ending_later_is_six_months():
    meetings = [(D(2026, 4, 1), D(2026, 4, 2)), (D(2026, 9, 1), D(2026, 9, 3))]
    assert deadlines.review_due("determination", REQUESTED, meetings) == SIX_MONTHS


def test_review_due_second_meeting_ending_the_day_before_six_months_wins():
    # 24:00 GMT on 31 August is 1 September 00:00, ten hours before the six months.
    meetings = [(D(2026, 4, 1), D(2026, 4, 2)), (D(2026, 8, 30), D(2026, 8, 31))]
    assert deadlines.review_due("determination", REQUESTED, meetings) == at(2026, 9, 1, 0, 0)


def test_review_due_takes_meetings_in_any_order():
    meetings = [
        (D(2026, 12, 1), D(2026, 12, 3)),
        (D(2026, 5, 10), D(2026, 5, 12)),
        (D(2026, 1, 5), D(2026, 1, 6)),
        (D(2026, 3, 20), D(2026, 3, 22)),
    ]
    assert deadlines.review_due("determination", REQUESTED, meetings) == at(2026, 5, 13, 0, 0)
    assert deadlines.review_due("determination", REQUESTED, iter(meetings)) == at(2026, 5, 13, 0, 0)


def test_review_due_second_meeting_is_by_first_day_not_by_last_day():
    # A long meeting that starts first but ends last is still the first meeting after.
    meetings = [(D(2026, 3, 10), D(2026, 6, 30)), (D(2026, 4, 1), D(2026, 4, 2))]
    assert deadlines.review_due("determination", REQUESTED, meetings) == at(2026, 4, 3, 0, 0)


def test_review_due_of_a_verification_is_thirty_days():
    requested = at(2026, 12, 20, 14, 15)
    meetings = [(D(2026, 12, 21), D(2026, 12, 21)), (D(2026, 12, 22), D(2026, 12, 22))]
    assert deadlines.review_due("verification", requested) == at(2027, 1, 19, 14, 15)
    assert deadlines.review_due("verification", requested, meetings) == at(2027, 1, 19, 14, 15)


# --- appraisal_due, clarification_due, meeting_end ----------------------------------------------


def test_appraisal_due_is_days_before_the_window_closes():
    closes = at(2027, 1, 3, 17, 0)
    assert deadlines.appraisal_due(closes, 10) == at(2026, 12, 24, 17, 0)
    assert deadlines.appraisal_due(closes, 0) == closes


def test_clarification_due_is_17_gmt_on_the_day_set():
    assert deadlines.clarification_due(D(2026, 12, 3)) == at(2026, 12, 3, 17, 0)
    assert deadlines.clarification_due(D(2028, 2, 29)) == at(2028, 2, 29, 17, 0)


def test_meeting_end_is_midnight_after_the_last_day():
    assert deadlines.meeting_end(D(2026, 12, 31)) == at(2027, 1, 1, 0, 0)


# --- add_months -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (at(2026, 1, 31, 9, 0), 1, at(2026, 2, 28, 9, 0)),
        (at(2028, 1, 31, 9, 0), 1, at(2028, 2, 29, 9, 0)),
        (at(2026, 12, 15, 9, 0), 1, at(2027, 1, 15, 9, 0)),
        (at(2026, 11, 30, 9, 0), 3, at(2027, 2, 28, 9, 0)),
        (at(2026, 7, 31, 9, 0), 6, at(2027, 1, 31, 9, 0)),
        (at(2026, 5, 31, 9, 0), 6, at(2026, 11, 30, 9, 0)),
        (at(2026, 3, 31, 9, 0), -1, at(2026, 2, 28, 9, 0)),
        (at(2026, 1, 15, 9, 0), -1, at(2025, 12, 15, 9, 0)),
        (at(2028, 2, 29, 9, 0), 12, at(2029, 2, 28, 9, 0)),
        (at(2026, 6, 15, 9, 0), 0, at(2026, 6, 15, 9, 0)),
        (at(2026, 6, 15, 9, 0), 30, at(2028, 12, 15, 9, 0)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_day(start, months, expected):
    assert deadlines.add_months(start, months) == expected


def test_add_months_keeps_time_and_zone():
    kyiv = ZoneInfo("Europe/Kyiv")
    start = dt.datetime(2026, 8, 31, 23, 59, 59, 123456, tzinfo=kyiv)
    result = deadlines.add_months(start, 6)
    assert result == dt.datetime(2027, 2, 28, 23, 59, 59, 123456, tzinfo=kyiv)
    assert result.tzinfo is kyiv
