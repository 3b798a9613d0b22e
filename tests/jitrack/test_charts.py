"""The value axis of every chart (``jitrack.charts.Scale``): counts get whole, distinct ticks —
the statistics page once read "0, 0, 1, 2, 2" for two reviews."""

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jitrack import charts


@given(st.integers(min_value=0, max_value=10**7))
def test_count_ticks_are_whole_distinct_and_cover_the_data(high):
    scale = charts.Scale.fit(0, high)
    ticks = scale.ticks
    assert all(t == t.to_integral_value() for t in ticks)
    assert len(set(ticks)) == len(ticks) >= 2
    assert ticks[0] == 0 and ticks[-1] >= high


def test_two_reviews_read_0_1_2():
    assert charts.Scale.fit(0, 2).ticks == [Decimal(0), Decimal(1), Decimal(2)]


def test_a_count_chart_prints_each_tick_once():
    svg = str(charts.bar_chart("Reviews", [charts.Group("Requested", [2])]))
    labels = re.findall(r'class="tick[^"]*"[^>]*>([^<]+)<', svg)
    assert labels and len(labels) == len(set(labels)), labels
