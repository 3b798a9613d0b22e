"""The project page as of a past day shows the participants, the Parties involved and the end of
the crediting period as they stood then (``registry.asof``: the changes recorded after the day,
undone from the current sets)."""

import datetime as dt

import pytest
import time_machine

from projects import changes, components
from projects.models import User
from registry.asof import rebuild
from tests.factories import OrganisationFactory, PartyFactory
from tests.support import at, html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date


def on(y, m, d):
    return time_machine.travel(at(y, m, d, 10), tick=False)


@pytest.fixture
def changed(cycle, party_user):
    """Final on 1 Mar 2011 with Green Carbon Ltd; Old Partner Ltd added 1 Apr 2011 (D0);
    Blue Sky Energy added and Germany approved 1 Jun 2011 (D2); Old Partner Ltd removed and the
    crediting period extended to 2020 on 1 Jul 2011 (D3)."""
    germany = PartyFactory(code="DE", name="Germany", kp_party=True)
    german_dfp = User.objects.create(username="dfp-de", role=User.Role.PARTY, party=germany)
    old = OrganisationFactory(name="Old Partner Ltd")
    blue = OrganisationFactory(name="Blue Sky Energy")

    def ask(kind, **target):
        return changes.request_change(
            cycle.participant,
            project,
            kind=kind,
            reason="Ownership changed.",
            consent_declared=True,
            **target,
        )

    with on(2011, 3, 1):
        project = cycle.final(crediting_start=D(2009, 1, 1))
    with on(2011, 4, 1):
        ask("add_participant", organisation=old)
    with on(2011, 6, 1):
        ask("add_participant", organisation=blue)
        change = ask("add_party", party=germany)
    with on(2011, 6, 2):
        changes.approve_party(german_dfp, change, issued_on=D(2011, 6, 1))
    with on(2011, 7, 1):
        ask("remove_participant", organisation=old)
        changes.renew_crediting_period(
            party_user, project, new_end=D(2020, 12, 31), reason="Second commitment period."
        )
    return project


def facts(client, project, day):
    response = client.get(f"/projects/{project.key}/", {"as_of": day})
    assert response.status_code == 200
    snap = response.context["snap"]
    return (
        [name for _pk, name in snap.participants],
        [name for _pk, name in snap.parties],
        snap.crediting_end,
        html(response),
    )


def test_the_as_of_page_shows_the_participants_of_each_day(client, changed):
    names, parties, end, page = facts(client, changed, "2011-05-31")  # D1
    assert names == ["Green Carbon Ltd", "Old Partner Ltd"]
    assert parties == [] and end == D(2012, 12, 31)
    assert "Green Carbon Ltd; Old Partner Ltd" in page
    assert "Blue Sky Energy" not in page
    assert "1 Jan 2009 – 31 Dec 2012" in page

    names, parties, end, page = facts(client, changed, "2011-06-01")  # D2
    assert names == ["Blue Sky Energy", "Green Carbon Ltd", "Old Partner Ltd"]
    assert parties == []  # Germany's approval came the next day
    assert "Blue Sky Energy; Green Carbon Ltd; Old Partner Ltd" in page

    names, parties, end, page = facts(client, changed, "2011-06-02")
    assert parties == ["Germany"] and end == D(2012, 12, 31)

    names, parties, end, page = facts(client, changed, "2011-07-01")  # D3
    assert names == ["Blue Sky Energy", "Green Carbon Ltd"]
    assert parties == ["Germany"] and end == D(2020, 12, 31)
    assert (
        "Blue Sky Energy; Green Carbon Ltd" in page
        and "Old Partner Ltd" not in page.split("Timeline")[0]
    )
    assert "1 Jan 2009 – 31 Dec 2020" in page

    names, *_ = facts(client, changed, "2011-03-31")  # before any change
    assert names == ["Green Carbon Ltd"]


def test_the_as_of_page_stays_within_budget(client, changed, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        client.get(f"/projects/{changed.key}/", {"as_of": "2011-06-01"})


def test_rebuild_undoes_only_what_came_after_the_day(changed):
    events = list(changed.events.order_by("created_at", "pk"))
    current = [(org.pk, org.name) for org in changed.participants.all()]
    snap = rebuild(events, D(2011, 4, 1), participants=current, crediting_end=D(2020, 12, 31))
    assert [name for _pk, name in snap.participants] == ["Green Carbon Ltd", "Old Partner Ltd"]
    assert snap.crediting_end == D(2012, 12, 31)
    today = rebuild(events, D(2011, 12, 31), participants=current, crediting_end=D(2020, 12, 31))
    assert sorted(today.participants, key=lambda row: row[1]) == sorted(
        current, key=lambda row: row[1]
    )


def test_the_components_of_a_programme_as_they_stood(client, cycle):
    """A programme's components on the page as of a past day: those included by then, with an
    exclusion once it was recorded."""
    with on(2011, 3, 1):
        programme = cycle.final(poa=True, crediting_start=D(2009, 1, 1))
    data = {"location": "Vinnytsia", "expected_annual_reductions": 1000}
    with on(2011, 4, 1):
        first = components.include_component(
            cycle.participant, programme, title="Kalynivka", included_on=D(2011, 3, 15), **data
        )
    with on(2011, 5, 1):
        components.include_component(
            cycle.participant, programme, title="Tulchyn", included_on=D(2011, 4, 20), **data
        )
    with on(2011, 6, 1):
        components.exclude_component(
            cycle.participant, first, excluded_on=D(2011, 5, 31), reason="Closed."
        )
    url = f"/projects/{programme.key}/?as_of="
    march = html(client.get(url + "2011-03-31"))
    assert "CPA-001" not in march
    april = html(client.get(url + "2011-04-15"))
    assert "CPA-001" in april and "CPA-002" not in april and "Excluded from" not in april
    june = html(client.get(url + "2011-06-01"))
    assert "CPA-002" in june and "Excluded from 31 May 2011" in june
