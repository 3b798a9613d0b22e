"""A page that only reads answers 405 to a POST, with an ``Allow`` header: every route of the
site is either a form (it takes POST) or refuses it. A new route must take a side here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# The routes that take a POST: forms (each acts on its POST), login, logout, set_language.
FORMS = {
    "set_language",
    "login",
    "login_code",
    "login_enrol",
    "logout",
    "account_token_new",
    "account_token_revoke",
    "password_change",
    "password_reset",
    "password_reset_confirm",
    "invoice_payment",
    "invoice_credit",
    "reimbursement_paid",
    "fee_payment",
    "review_request",
    "appraisal_appoint",
    "appraisal_declare",
    "appraisal_file",
    "clarification_detail",
    "committee_member_new",
    "committee_member_edit",
    "committee_expert",
    "meeting_new",
    "meeting_edit",
    "review_team",
    "review_clarify",
    "review_report",
    "review_decide",
    "review_corrections",
    "review_confirm",
    "verification_review",
    "project_new",
    "project_edit",
    "document_upload",
    "approval_record",
    "approval_confirm",
    "project_engage",
    "project_change_aie",
    "project_withdraw",
    "project_terminate",
    "component_include",
    "component_exclude",
    "participation_change",
    "participation_change_cancel",
    "participation_change_approve",
    "crediting_period_renew",
    "submit_pdd",
    "check_pdd",
    "comment_add",
    "comment_answer",
    "comment_remove",
    "engagement_decide",
    "document_aside",
    "determination_file",
    "determination_check",
    "monitoring_new",
    "change_new",
    "verification_file",
    "monitoring_withdraw",
    "monitoring_change_aie",
    "verification_publish",
    "eru_issue",
    "eru_transfer",
    "track1_project_new",
    "track1_verification_new",
    "registry_accounts",
    "registry_account_deactivate",
    "meeting_minutes",
    "meeting_item_new",
    "meeting_item_edit",
    "meeting_minutes_publish",
    "party_issuance",
    "party_inventory",
    "projects_import",
    "inbox_read",
    "inbox_read_all",
    "inbox_preference",
}
# Development pages: not found at all with DEBUG off, whatever the method (jitrack.devmail).
DEBUG_ONLY = {"dev_mail"}
# A value for each route parameter: a read-only page refuses a POST before it looks anything up.
VALUES = {
    "key": "0001",
    "pk": "1",
    "number": "1",
    "comment_id": "1",
    "code": "UA",
    "slug": "pdds",
    "name": "projects",
    "kind": "publication",
    "uidb64": "MQ",
    "token": "set-password",
    "role": "aie",
}
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def site_routes(patterns=None, prefix=""):
    """(route, name) of every page of the site: not the admin's, not the API's."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if route.startswith(("admin/", "api/")):
            continue
        if isinstance(p, URLResolver):
            yield from site_routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p.name


def read_only_pages() -> list[str]:
    return [
        "/" + PARAMETER.sub(lambda m: VALUES[m.group(1)], route)
        for route, name in site_routes()
        if name not in FORMS | DEBUG_ONLY
    ]


def test_every_form_is_a_route():
    assert FORMS <= {name for _, name in site_routes()}


@pytest.mark.parametrize("path", read_only_pages())
def test_read_only_page_refuses_post(client, secretariat, path):
    client.force_login(secretariat)
    r = client.post(path, {"x": "1"})
    assert r.status_code == 405, (path, r.status_code)
    allowed = {m.strip() for m in r["Allow"].split(",")}
    assert "GET" in allowed and "POST" not in allowed, r["Allow"]


@pytest.mark.parametrize("path", ["/", "/feeds/", "/projects/0001/"])
def test_read_only_page_refuses_post_anonymously(client, path):
    r = client.post(path, {"x": "1"})
    assert r.status_code == 405
    assert "GET" in r["Allow"]
