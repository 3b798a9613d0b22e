"""Small-scale claims ([our reading] ji-rules §7 "Small-scale", 1/CMP.2 para 28): a project is
small-scale only as type I (up to 15 MW), II (up to 60 GWh a year) or III (up to 60,000 t CO2e a
year); the PDD states the type and the figure, and a claim outside its limit is refused."""

from decimal import Decimal

import pytest

from jitrack.errors import Invalid
from projects import workflow as wf
from projects.models import Project
from tests.factories import project_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "figure", "expected", "ok"),
    [
        ("I", "15", {2009: 90000}, True),
        ("I", "15.001", {2009: 1000}, False),
        ("II", "60", {2009: 90000}, True),
        ("II", "61", {2009: 1000}, False),
        ("III", "60000", {2009: 60000}, True),
        ("III", "59000", {2009: 59000, 2010: 61002}, False),  # average 60,001 t
        ("III", "60001", {2009: 1000}, False),
    ],
)
def test_a_small_scale_claim_stays_within_its_type(
    participant, ukraine, kind, figure, expected, ok
):
    data = project_data(
        ukraine,
        small_scale=True,
        small_scale_type=kind,
        small_scale_figure=Decimal(figure),
        expected=expected,
    )
    if ok:
        project = wf.create_project(participant, **data)
        assert (project.small_scale_type, project.small_scale_figure) == (kind, Decimal(figure))
    else:
        with pytest.raises(Invalid) as refused:
            wf.create_project(participant, **data)
        assert refused.value.code == "not_small_scale"
        assert not Project.objects.exists()


def test_a_small_scale_claim_states_its_type_and_figure(participant, ukraine):
    with pytest.raises(Invalid) as no_type:
        wf.create_project(
            participant, **project_data(ukraine, small_scale=True, small_scale_type="")
        )
    assert (no_type.value.code, no_type.value.field) == ("required", "small_scale_type")
    with pytest.raises(Invalid) as no_figure:
        wf.create_project(
            participant, **project_data(ukraine, small_scale=True, small_scale_type="II")
        )
    assert no_figure.value.field == "small_scale_figure"
    with pytest.raises(Invalid):  # a type without the claim
        wf.create_project(participant, **project_data(ukraine, small_scale_type="II"))


def test_the_api_takes_and_shows_the_claim(pp_api, ukraine, scopes):
    body = {
        "title": "Small hydro",
        "host_party": "UA",
        "sectoral_scopes": [1],
        "small_scale": True,
        "small_scale_type": "I",
        "small_scale_figure": "4.5",
        "expected_reductions": [{"year": 2009, "tonnes": 20000}],
    }
    response = pp_api.post("/api/projects/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["small_scale_type"], response.json()["small_scale_figure"]) == (
        "I",
        "4.500",
    )
    refused = pp_api.post("/api/projects/", {**body, "small_scale_figure": "16"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "not_small_scale"
