"""API clients per role (token auth) and small helpers for the API tests."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon(db):
    return APIClient()


@pytest.fixture
def pp_api(participant):
    return client_for(participant)


@pytest.fixture
def other_pp_api(other_participant):
    return client_for(other_participant)


@pytest.fixture
def aie_api(aie_user):
    return client_for(aie_user)


@pytest.fixture
def other_aie_api(other_aie_user):
    return client_for(other_aie_user)


@pytest.fixture
def sec_api(secretariat):
    return client_for(secretariat)


def create_body(**overrides) -> dict:
    body = {
        "title": "Landfill gas capture at Kyiv",
        "host_party": "UA",
        "parties_involved": [],
        "sectoral_scopes": [1, 13],
        "small_scale": False,
        "poa": False,
        "crediting_start": "2008-01-01",
        "crediting_end": "2012-12-31",
        "monitoring_approach": "Metered gas flow and methane content.",
        "expected_reductions": [
            {"year": 2009, "tonnes": 50000},
            {"year": 2010, "tonnes": 60000},
        ],
    }
    body.update(overrides)
    return body


FINDINGS_BODY = {
    "approval": {"met": True, "reasons": "Letters of approval from Ukraine and Japan checked."},
    "additionality": {"met": True, "reasons": "Investment analysis shows additionality."},
    "baseline_monitoring": {"met": True, "reasons": "Baseline and monitoring follow appendix B."},
    "environmental": {"met": True, "reasons": "EIA reviewed; no significant impacts."},
}
