"""Component activities of a programme of activities (``projects.components``): who includes and
excludes them, when, with which data, and the one public event of each act."""

import datetime as dt

import pytest
import time_machine

from jitrack.errors import Conflict, Forbidden, Invalid, NotFound
from projects import components as cwf
from projects import workflow as wf
from projects.models import ComponentActivity, Event
from projects.timeline import event_detail

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = dt.datetime(2011, 3, 1, 12, tzinfo=dt.UTC)


def _data(**overrides):
    data = {
        "title": "Solar water heaters, Lviv",
        "location": "Lviv oblast",
        "description": "2,000 household solar water heaters.",
        "included_on": D(2010, 6, 1),
        "expected_annual_reductions": 12000,
    }
    data.update(overrides)
    return data


@pytest.fixture
def poa(cycle):
    return cycle.draft(poa=True)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_include_component_numbers_it_and_records_one_public_event(poa, participant):
    first = cwf.include_component(participant, poa, **_data())
    second = cwf.include_component(participant, poa, **_data(title="Biogas digesters, Poltava"))
    assert (first.number, second.number) == (1, 2)
    assert first.status == "included"
    assert first.reference == f"{poa.key}-CPA-001"
    assert first.recorded_by == participant
    stored = ComponentActivity.objects.get(pk=first.pk)
    assert (stored.title, stored.location, stored.included_on) == (
        "Solar water heaters, Lviv",
        "Lviv oblast",
        D(2010, 6, 1),
    )
    assert stored.expected_annual_reductions == 12000
    events = list(Event.objects.filter(project=poa, kind="component_included").order_by("pk"))
    assert len(events) == 2
    assert events[0].public is True
    assert events[0].data == {
        "component": 1,
        "reference": f"{poa.key}-CPA-001",
        "title": "Solar water heaters, Lviv",
        "included_on": "2010-06-01",
        "expected_annual_reductions": 12000,
    }


def test_include_component_after_the_determination_is_final(cycle):
    project = cycle.final(poa=True)
    component = cwf.include_component(cycle.participant, project, **_data())
    assert component.number == 1


def test_include_component_by_others_forbidden(
    poa, other_participant, aie_user, secretariat, party_user
):
    for actor in (other_participant, aie_user, secretariat, party_user, None):
        with pytest.raises(Forbidden) as err:
            cwf.include_component(actor, poa, **_data())
        assert err.value.detail == (
            "Only the coordinating entity (the programme's participants) includes components."
        )
    assert not ComponentActivity.objects.exists()
    assert not Event.objects.filter(kind="component_included").exists()


def test_include_component_in_a_project_that_is_not_a_poa_conflict(cycle):
    project = cycle.draft(poa=False)
    with pytest.raises(Conflict) as err:
        cwf.include_component(cycle.participant, project, **_data())
    assert err.value.code == "not_poa"
    assert not ComponentActivity.objects.exists()


def test_include_component_in_an_ended_programme_conflict(poa, participant):
    wf.withdraw(participant, poa, reason="Abandoned.")
    with pytest.raises(Conflict) as err:
        cwf.include_component(participant, poa, **_data())
    assert err.value.code == "programme_ended"
    assert err.value.detail == "The programme has ended: no component can be included."


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"title": "  "}, "title", "required"),
        ({"title": None}, "title", "required"),
        ({"title": "x" * 256}, "title", "invalid"),
        ({"title": "Bad\x0btitle"}, "title", "control_character"),
        ({"location": "x" * 201}, "location", "invalid"),
        ({"location": 5}, "location", "invalid"),
        ({"description": 7}, "description", "invalid"),
        ({"expected_annual_reductions": -1}, "expected_annual_reductions", "invalid"),
        ({"expected_annual_reductions": 1.5}, "expected_annual_reductions", "invalid"),
        ({"expected_annual_reductions": True}, "expected_annual_reductions", "invalid"),
        ({"expected_annual_reductions": 10**12 + 1}, "expected_annual_reductions", "invalid"),
        ({"included_on": None}, "included_on", "required"),
        ({"included_on": "2010-06-01"}, "included_on", "required"),
        ({"included_on": D(2011, 3, 2)}, "included_on", "future_date"),
        ({"included_on": D(1999, 12, 31)}, "included_on", "invalid"),
        ({"included_on": D(2013, 1, 1)}, "included_on", "outside_crediting_period"),
    ],
)
def test_include_component_bad_data_invalid(poa, participant, overrides, field, code):
    if overrides.get("included_on") == D(2013, 1, 1):
        # the crediting period ends on 31 December 2012; a later date is not in the future
        with time_machine.travel(dt.datetime(2014, 1, 1, tzinfo=dt.UTC), tick=False):
            with pytest.raises(Invalid) as err:
                cwf.include_component(participant, poa, **_data(**overrides))
    else:
        with pytest.raises(Invalid) as err:
            cwf.include_component(participant, poa, **_data(**overrides))
    assert (err.value.field, err.value.code) == (field, code)
    assert not ComponentActivity.objects.exists()


def test_include_component_today_allowed(poa, participant):
    component = cwf.include_component(participant, poa, **_data(included_on=D(2011, 3, 1)))
    assert component.included_on == D(2011, 3, 1)


def test_exclude_component_records_date_reason_and_one_public_event(poa, participant):
    component = cwf.include_component(participant, poa, **_data())
    cwf.exclude_component(
        participant, component, excluded_on=D(2011, 1, 1), reason="  Heaters removed.  "
    )
    stored = ComponentActivity.objects.get(pk=component.pk)
    assert (stored.status, stored.excluded_on, stored.reason) == (
        "excluded",
        D(2011, 1, 1),
        "Heaters removed.",
    )
    event = Event.objects.get(project=poa, kind="component_excluded")
    assert (event.public, event.reason, event.from_status, event.to_status) == (
        True,
        "Heaters removed.",
        "included",
        "excluded",
    )
    assert event.data == {
        "component": 1,
        "reference": f"{poa.key}-CPA-001",
        "excluded_on": "2011-01-01",
    }


def test_exclude_component_twice_conflict(poa, participant):
    component = cwf.include_component(participant, poa, **_data())
    cwf.exclude_component(participant, component, excluded_on=D(2011, 1, 1), reason="Gone.")
    with pytest.raises(Conflict) as err:
        cwf.exclude_component(participant, component, excluded_on=D(2011, 1, 2), reason="Again.")
    assert err.value.code == "already_excluded"
    assert Event.objects.filter(kind="component_excluded").count() == 1


def test_exclude_component_by_others_forbidden(poa, participant, other_participant, secretariat):
    component = cwf.include_component(participant, poa, **_data())
    for actor in (other_participant, secretariat, None):
        with pytest.raises(Forbidden):
            cwf.exclude_component(actor, component, excluded_on=D(2011, 1, 1), reason="No.")
    assert ComponentActivity.objects.get(pk=component.pk).status == "included"


def test_exclude_component_of_an_ended_programme_conflict(poa, participant):
    component = cwf.include_component(participant, poa, **_data())
    wf.withdraw(participant, poa, reason="Abandoned.")
    with pytest.raises(Conflict) as err:
        cwf.exclude_component(participant, component, excluded_on=D(2011, 1, 1), reason="x")
    assert err.value.code == "programme_ended"
    assert ComponentActivity.objects.get(pk=component.pk).status == "included"


@pytest.mark.parametrize(
    ("excluded_on", "reason", "field", "code"),
    [
        (D(2011, 1, 1), "  ", "reason", "required"),
        (D(2011, 1, 1), None, "reason", "required"),
        (D(2011, 1, 1), "x" * 20001, "reason", "invalid"),
        (None, "Gone.", "excluded_on", "required"),
        (D(2011, 3, 2), "Gone.", "excluded_on", "future_date"),
        (D(2010, 5, 31), "Gone.", "excluded_on", "invalid"),
    ],
)
def test_exclude_component_bad_data_invalid(poa, participant, excluded_on, reason, field, code):
    component = cwf.include_component(participant, poa, **_data())
    with pytest.raises(Invalid) as err:
        cwf.exclude_component(participant, component, excluded_on=excluded_on, reason=reason)
    assert (err.value.field, err.value.code) == (field, code)
    assert ComponentActivity.objects.get(pk=component.pk).status == "included"
    assert not Event.objects.filter(kind="component_excluded").exists()


def test_component_of_unknown_number_not_found(poa, participant):
    cwf.include_component(participant, poa, **_data())
    assert cwf.component_of(poa, 1).number == 1
    for number in (2, 0, -1, 40000, "1", True):
        with pytest.raises(NotFound):
            cwf.component_of(poa, number)


def test_component_actions_follow_the_guard(poa, participant, other_participant, cycle):
    assert cwf.component_actions(poa, participant) == {"include": True}
    assert cwf.component_actions(poa, other_participant) == {"include": False}
    plain = cycle.draft(poa=False)
    assert cwf.component_actions(plain, participant) == {"include": False}


def test_component_events_are_told_on_the_timeline(poa, participant):
    component = cwf.include_component(participant, poa, **_data())
    cwf.exclude_component(participant, component, excluded_on=D(2011, 1, 1), reason="Gone.")
    included, excluded = Event.objects.filter(kind__startswith="component_").order_by("pk")
    assert event_detail(included) == (
        f"{poa.key}-CPA-001 “Solar water heaters, Lviv”, included on 1 Jun 2010."
    )
    assert event_detail(excluded) == f"{poa.key}-CPA-001, excluded from 1 Jan 2011."
