"""A project with a final determination, ready for monitoring and verification."""

import datetime as dt

import pytest


@pytest.fixture
def final_project(cycle):
    return cycle.final(crediting_start=dt.date(2009, 1, 1))
