"""The OpenAPI schema, and garbage input that must never cause a server error."""

import pytest
import yaml
from django.core.management import call_command

from projects import workflow as wf
from projects.models import Party
from tests.support import client_for, openapi_schema

pytestmark = pytest.mark.django_db

ACTIONS = [
    "/api/projects/",
    "/api/projects/{key}/update/",
    "/api/projects/{key}/documents/",
    "/api/projects/{key}/approvals/",
    "/api/projects/{key}/engage/",
    "/api/projects/{key}/change-aie/",
    "/api/projects/{key}/submit-pdd/",
    "/api/projects/{key}/check-pdd/",
    "/api/projects/{key}/comments/",
    "/api/projects/{key}/withdraw/",
    "/api/projects/{key}/determination/",
    "/api/projects/{key}/determination/check/",
    "/api/projects/{key}/fee/payment/",
    "/api/engagements/{id}/accept/",
    "/api/engagements/{id}/decline/",
    "/api/comments/{id}/answer/",
    "/api/auth/token/",
]


def test_schema_is_valid_openapi_3(anon):
    schema = openapi_schema(anon)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    expected = {p.replace("{key}", "{key}").replace("{id}", "{id}") for p in ACTIONS}
    assert expected <= paths
    assert {"/api/projects/{key}/", "/api/parties/", "/api/aies/", "/api/scopes/"} <= paths
    for path in ACTIONS:
        operation = schema["paths"][path]["post"]
        assert "responses" in operation
    assert "requestBody" in schema["paths"]["/api/projects/{key}/determination/"]["post"]
    status = schema["components"]["schemas"]["Project"]["properties"]["status"]
    assert status["allOf"][0]["enum"] == [
        "draft",
        "engaged",
        "pdd_submitted",
        "open_for_comments",
        "comments_closed",
        "determination_submitted",
        "determination_published",
        "under_review",
        "final",
        "rejected",
        "withdrawn",
        "terminated",
    ]


def test_api_docs_page(anon):
    assert anon.get("/api/docs/").status_code == 200


def test_reference_lists(anon, aie_org, ukraine, scopes):
    parties = anon.get("/api/parties/").json()
    # Every Party that ships with the product (projects migration 0005), in code order.
    assert [p["code"] for p in parties] == list(
        Party.objects.order_by("code").values_list("code", flat=True)
    )
    assert [p for p in parties if p["code"] == "UA"] == [
        {
            "code": "UA",
            "name": "Ukraine",
            "kp_party": True,
            "assigned_amount_recorded": True,
            "national_system": False,
            "national_registry": True,
            "inventory_submitted": False,
            "supplementary_info": False,
            "track2_eligible": True,
            "track1_eligible": False,
            "annex_i": True,
            "eligibility_source": Party.objects.get(code="UA").eligibility_source,
        }
    ]
    assert parties[[p["code"] for p in parties].index("UA")]["eligibility_source"]
    scopes_ = anon.get("/api/scopes/").json()
    assert len(scopes_) == 15
    assert scopes_[0] == {
        "number": 1,
        "name": "Energy industries (renewable / non-renewable sources)",
    }
    aies = anon.get("/api/aies/").json()
    assert aies == [
        {
            "id": aie_org.pk,
            "name": "Bureau Veritas Certification",
            "country": None,
            "accreditations": [
                {
                    "function": function,
                    "status": "accredited",
                    "scopes": list(range(1, 16)),
                    "reference": "",
                }
                for function in ("determination", "verification")
            ],
        }
    ]


GARBAGE = [
    {},
    {"x": 1},
    [1, 2, 3],
    "text",
    None,
    {"title": 10**40, "host_party": ["UA"], "sectoral_scopes": "1", "expected_reductions": "x"},
    {"aie": {"id": 1}, "reason": ["a"], "accept": [True], "available_on": {"y": 1}},
    {"aie": 10**40, "party": None, "issued_on": 10**40, "reference": {"a": 1}},
    {"findings": {"approval": "yes"}, "outcome": 1, "supporting_files": "x"},
    {"findings": 10**40, "supporting_titles": {"a": 1}, "supporting_confidential": "x"},
    {"name": 1, "email": 2, "category": 3, "text": 4, "answer": None, "username": 1},
    {"accept": True, "available_on": "9999-12-31"},
    {"accept": True, "available_on": "0000-00-00"},
    {"accept": False, "reason": "\x00\x00"},
    {"kind": "pdd", "file": "%PDF-1.4", "title": "x" * 10000},
]


@pytest.mark.parametrize("template", ACTIONS)
def test_garbage_never_causes_a_server_error(
    anon, participant, aie_user, secretariat, cycle, template
):
    published = cycle.open()
    comment = wf.add_comment(
        published, name="A", affiliation="", category="party", email="a@example.org", text="x"
    )
    draft = cycle.draft()
    engagement = wf.engage_aie(participant, draft, aie_user.organisation)
    clients = [client_for(u) for u in (participant, aie_user, secretariat)]
    if "comments" in template or "token" in template:
        clients.append(anon)
    huge = "99999999999999999999"
    if "{key}" in template:
        urls = [template.replace("{key}", k) for k in ("0001", draft.key, "P" + huge)]
    elif "engagements" in template:
        urls = [template.replace("{id}", i) for i in (str(engagement.pk), huge)]
    elif "comments" in template:
        urls = [template.replace("{id}", i) for i in (str(comment.pk), huge)]
    else:
        urls = [template]
    for url in urls:
        for client in clients:
            for body in GARBAGE:
                r = client.post(url, body, format="json")
                assert r.status_code in (200, 201, 400, 401, 403, 404, 409, 415), (url, body)
                assert r.status_code < 300 or set(r.json()) >= {"code", "detail"}
                if isinstance(body, dict) and body:
                    # Form-encoded: every value arrives as a string.
                    r = client.post(url, {k: str(v) for k, v in body.items()})
                    assert r.status_code < 500, (url, body)


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=99999999999999999999",
        "page_size=-5",
        "page_size=abc",
        "page_size=100000",
        "ordering=-",
        "ordering=,,,",
        "status=",
        "aie=%00",
        "host_party=" + "x" * 5000,
        "q=%25%27%22",
        "q=" + "x" * 5000,
    ],
)
def test_garbage_list_queries_never_cause_a_server_error(anon, cycle, query):
    cycle.open()
    r = anon.get(f"/api/projects/?{query}")
    assert r.status_code in (200, 400, 404)


UNSAFE = {"post", "put", "patch", "delete"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def test_every_operation_documents_its_refusals_with_the_error_body(anon):
    schema = openapi_schema(anon)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail"}
    assert set(error["properties"]) == {"code", "detail", "field", "errors"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = (method.upper(), path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == ERROR_REF, where
            codes = set(responses)
            if method in UNSAFE:
                assert {"400", "409", "413", "415"} <= codes, where
            if "{" in path:
                assert "404" in codes, where
            if path != "/api/auth/token/" or method != "post":
                assert "401" in codes, where  # a bad token is refused on every endpoint


def test_throttled_operations_document_429(anon):
    paths = openapi_schema(anon)["paths"]
    assert "429" in paths["/api/auth/token/"]["post"]["responses"]
    assert "429" in paths["/api/projects/{key}/comments/"]["post"]["responses"]
    assert "429" not in paths["/api/parties/"]["get"]["responses"]


def test_comment_with_email_does_not_require_what_public_answers_omit(anon):
    component = openapi_schema(anon)["components"]["schemas"]["CommentWithEmail"]
    assert "email" in component["properties"]
    assert "email" not in component["required"]


@pytest.mark.parametrize(
    "path, rows",
    [
        ("/api/projects/{key}/comments/", "CommentWithEmail"),
        ("/api/projects/{key}/timeline/", "Event"),
    ],
)
def test_paged_lists_are_documented_as_pages(anon, path, rows):
    schema = openapi_schema(anon)
    operation = schema["paths"][path]["get"]
    assert {"page", "page_size"} <= {p["name"] for p in operation["parameters"]}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(page["required"]) == {"count", "next", "previous", "results"}
    assert page["properties"]["results"]["items"] == {"$ref": f"#/components/schemas/{rows}"}


def test_the_schema_is_written_without_a_warning(db, tmp_path):
    """Every answer has its serializer (no free-form object by default), every list view its
    model, every shared choice set its name: ``spectacular --fail-on-warn`` passes."""
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    change_aie = schema["paths"]["/api/projects/{key}/change-aie/"]["post"]["responses"]["200"]
    assert change_aie["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ProjectDetail"
    }
