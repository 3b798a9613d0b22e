"""The API against its own schema: schemathesis sends generated requests (valid and invalid) to
every operation of ``/api/schema/`` on a live server, as an anonymous client, a project
participant and the secretariat, and checks every answer: never a server error, a status code
the schema lists for the operation, the content type and body it documents.

CI runs ``SCHEMATHESIS_MAX_EXAMPLES`` (default 1) examples per operation, role and kind (valid,
invalid, valid on the real objects); the nightly mode runs thousands:
``SCHEMATHESIS_MAX_EXAMPLES=30 ./scripts/test -m schemathesis_live -n 2``.
"""

import os
import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from projects import workflow as wf
from projects.models import Engagement

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "1"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ["anonymous", "participant", "secretariat"]

pytestmark = [pytest.mark.schemathesis_live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def record(cycle, participant):
    """A few projects at several stages, so some generated requests reach real objects: the
    values each path parameter may take besides generated ones."""
    draft = cycle.draft()
    engaged = cycle.engaged()
    published = cycle.open()
    comment = wf.add_comment(
        published, name="A", affiliation="", category="party", email="a@example.org", text="x"
    )
    engagement = Engagement.objects.filter(project=engaged).first()
    document = published.documents.first()
    return {
        "key": [draft.key, engaged.key, published.key],
        "id": [comment.pk, engagement.pk, document.pk],
        "number": [1],
        "code": ["UA"],
    }


def headers_for(role, participant, secretariat) -> dict:
    user = {"participant": participant, "secretariat": secretariat}.get(role)
    if user is None:
        return {}
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


def strategy_for(operation, record):
    """Valid requests, invalid ones, and valid ones on the real objects of ``record``."""
    names = [p.name for p in operation.path_parameters]
    kinds = [
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    ]
    if names and all(name in record for name in names):
        real = [{name: record[name][i % len(record[name])] for name in names} for i in range(3)]
        kinds.append(
            st.sampled_from(real).flatmap(
                lambda values: operation.as_strategy(
                    schemathesis.GenerationMode.POSITIVE, path_parameters=values
                )
            )
        )
    return st.one_of(kinds), len(kinds)


@pytest.mark.parametrize("role", ROLES)
def test_api_answers_as_its_schema_says(live_server, record, participant, secretariat, role):
    base_url = live_server.url
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/")
    headers = headers_for(role, participant, secretariat)
    session = requests.Session()
    failures: list[str] = []
    cases = 0
    started = time.monotonic()

    for result in schema.get_all_operations():
        operation = result.ok()
        strategy, kinds = strategy_for(operation, record)

        @settings(
            max_examples=MAX_EXAMPLES * kinds,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            # One answer per case is enough to judge; shrinking would resend it many times.
            report_multiple_bugs=False,
        )
        @given(case=strategy)
        def run(case):
            nonlocal cases
            cases += 1
            case.call_and_validate(
                base_url=base_url, session=session, headers=headers, checks=CHECKS
            )

        try:
            run()
        except Unsatisfiable:
            pass  # no request to make (no invalid one for an operation without parameters)
        except (Exception, BaseExceptionGroup) as exc:  # every failing operation
            failures.append(f"{operation.label}: {exc}")

    elapsed = time.monotonic() - started
    print(f"schemathesis ({role}): {cases} cases in {elapsed:.1f}s")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
