"""The permission matrix (issue 14): every URL of ``registry.site_urls`` × every role × GET and
POST, against the reviewed table of expectations in ``tests/permission_matrix.py``.

The data is the demo (``seed_demo``: a project at every stage of the cycle, a review in progress
and a decided one, an appraisal, ERUs issued), seeded once per module in a transaction that is
rolled back when the module ends; a few rows are added for the URLs the demo leaves without an
object (a comment attachment, a credit note, a reimbursement) and for the roles it has no user
for. Every request runs in a savepoint rolled back after it, so an allowed POST (a body the view
accepts, e.g. an act without fields) changes nothing for the requests after it.

Outcome classes (``permission_matrix.OUTCOMES``): ``ok`` (2xx, or a redirect elsewhere than the
login page; also 400/409/422, a refusal of the body or the stage: the role got past the
permission check; for a GET, the act's guard gives its reason instead of the form), ``login`` (redirect to a login page, or 401), ``denied`` (403), ``not_found``
(404: the role may not know the object exists), ``method`` (405). A 5xx is never expected.

To see what a URL answers (for a new entry), run this module with
``PERMISSION_MATRIX_OBSERVED=path.json``: each test writes its observed row there as well.
"""

from __future__ import annotations

import copy
import io
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from determinations.models import EruBlock, MonitoringReport, RegistryAccount
from fees import services as fee_services
from fees.models import Invoice, Reimbursement
from projects import changes as pchanges
from projects import workflow as wf
from projects.accounts import SECOND_FACTOR
from projects.models import (
    ComponentActivity,
    Document,
    Engagement,
    LetterOfApproval,
    Notification,
    Organisation,
    Party,
    Project,
    User,
)
from registry import site_urls
from registry.analytics import TABLES
from registry.feeds import NOTICE_KINDS
from registry.opendata import DATASETS
from registry.section_defs import SECTIONS
from reviews import workflow as rwf
from reviews.models import (
    Appraisal,
    Appraiser,
    Clarification,
    ClarificationFile,
    Expert,
    JiscMember,
    Meeting,
    MeetingItem,
    Review,
    ReviewRequest,
)

from . import permission_matrix as matrix
from .factories import UserFactory, pdf_upload
from .support import fast_write_pdf

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST")
LOGIN_PATHS = ("/login/", "/admin/login/")

# The demo's projects, by stage (registry/management/commands/seed_demo.py).
STAGES = {
    "final": "Reduction of N2O emissions at Rivne nitric acid plant",
    "decided": "Coke oven gas utilisation at Avdiivka coke plant",
    "rejected": "Small hydro cascade in the Carpathians",
    "under_review": "Methane capture at Dnipro wastewater treatment plant",
    "published": "Associated gas utilisation at Poltava oil field",
    "awaiting_fee": "Energy efficiency at Kryvyi Rih steel works",
    "closed": "District heating modernisation in Lviv",
    "open": "Landfill gas capture at Kyiv",
    "draft": "Wind farm at Zaporizhzhia",
    "engaged": "Coal mine methane utilisation at Pokrovsk",
    "withdrawn": "Biomass boiler at Zhytomyr hospital",
}


# --- walking the resolver ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the URL name (namespaced), or the route itself for an unnamed pattern
    route: str
    pattern: URLPattern = field(compare=False, repr=False)
    converters: tuple = field(default=(), compare=False, repr=False)

    @property
    def params(self) -> list[str]:
        return list(self.converters)


def walk(patterns, prefix="", namespace=None, converters=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            yield from walk(
                p.url_patterns,
                prefix + str(p.pattern),
                full,
                converters + tuple(p.pattern.converters),
            )
        else:
            route = prefix + str(p.pattern)
            key = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else route
            names = converters + tuple(p.pattern.converters)
            if p.pattern.regex.groupindex:  # a regex pattern names its groups
                names = converters + tuple(p.pattern.regex.groupindex)
            yield Route(key, route, p, tuple(dict.fromkeys(names)))


def routes() -> list[Route]:
    seen: dict[tuple[str, str], Route] = {}
    for r in walk(site_urls.urlpatterns):
        seen.setdefault((r.key, r.route), r)
    return list(seen.values())


ROUTES = routes()
# One name may serve two routes (``committee_expert``: new and edit): both are tested, the second
# under ``name#2``.
KEYED: dict[str, Route] = {}
for _r in ROUTES:
    _key = _r.key
    n = 2
    while _key in KEYED:
        _key, n = f"{_r.key}#{n}", n + 1
    KEYED[_key] = _r


# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User | None]
    clients: dict[str, Client]
    projects: dict[str, Project]
    objects: dict[str, object]
    media: Path


def _extra_users(projects) -> dict[str, User | None]:
    """The roles the demo has no user for; the others are the demo's."""
    today = projects["final"].created_at.date()
    ukraine = Party.objects.get(code="UA")
    other_pp = UserFactory(
        username="matrix-other-pp",
        role=User.Role.PARTICIPANT,
        organisation=Organisation.objects.create(name="Other Participant Ltd"),
    )
    # A serving member from the host Party: conflicted on every demo project (ji-rules §3 item 6).
    conflicted = UserFactory(username="matrix-jisc-ua", role=User.Role.JISC, party=ukraine)
    JiscMember.objects.create(
        user=conflicted,
        party=ukraine,
        constituency=JiscMember.Constituency.ANNEX_I_EIT,
        term_start=today.replace(year=today.year - 2),
        term_end=today.replace(year=today.year + 2),
    )
    former = UserFactory(
        username="matrix-jisc-former", role=User.Role.JISC, party=Party.objects.get(code="BG")
    )
    JiscMember.objects.create(
        user=former,
        party=former.party,
        constituency=JiscMember.Constituency.ANNEX_I_EIT,
        term_start=today.replace(year=today.year - 6),
        term_end=today.replace(year=today.year - 3),
    )
    root = UserFactory(username="matrix-root", role="", is_staff=True, is_superuser=True)
    by_name = {u.username: u for u in User.objects.filter(username__in=matrix.DEMO_USERS.values())}
    users: dict[str, User | None] = {"anonymous": None}
    for role in matrix.ROLES:
        if role in matrix.DEMO_USERS:
            users[role] = by_name[matrix.DEMO_USERS[role]]
    users |= {
        "other_participant": other_pp,
        "jisc_conflicted": conflicted,
        "jisc_former": former,
        "superuser": root,
    }
    return users


def _objects(p: dict[str, Project], users) -> dict[str, object]:
    """The object behind each kind of URL parameter."""
    secretariat = users["secretariat"]
    open_comment = p["open"].comments.order_by("pk").first()
    attached = wf.add_comment(
        p["open"],
        name="Matrix",
        affiliation="Test",
        category="stakeholder",
        email="matrix@example.org",
        text="With an attachment.",
        attachment=pdf_upload("comment.pdf"),
    )
    invoice = Invoice.objects.filter(project=p["awaiting_fee"]).get()
    note = fee_services.credit_invoice(secretariat, invoice, reason="Matrix test.")
    reimbursement = Reimbursement.objects.create(
        project=p["awaiting_fee"],
        invoice=invoice,
        amount_usd=100,
        reason=Reimbursement.Reason.OVERPAYMENT,
    )
    review = Review.objects.get(project=p["under_review"])
    clarification = Clarification.objects.filter(review=review).order_by("pk").first()
    appraisal = Appraisal.objects.get(project=p["published"])
    # The AIE answers the open clarification with a file (the demo's is unanswered).
    rwf.answer_clarification(
        users["aie"],
        clarification,
        answer="The measurement reports are attached.",
        files=[("Measurements", pdf_upload("measurements.pdf"))],
    )
    # The secretariat's authenticator (the admin's device pages).
    device = TOTPDevice.objects.create(user=secretariat, name="jitrack", confirmed=True)
    return {
        "approval": LetterOfApproval.objects.filter(project=p["engaged"]).first(),
        "engagement": Engagement.objects.filter(project=p["engaged"]).first(),
        "draft_document": Document.objects.filter(project=p["draft"]).order_by("pk").first(),
        "open_document": Document.objects.filter(project=p["open"]).order_by("pk").first(),
        "open_comment": open_comment,
        "attachment": attached,
        "monitoring_report": MonitoringReport.objects.filter(project=p["final"]).first(),
        # a component activity (projects.components) on the final project's record
        "component": ComponentActivity.objects.create(
            project=p["final"], number=1, title="Matrix component", included_on=date(2009, 1, 1)
        ),
        "eru_block": EruBlock.objects.order_by("pk").first(),
        # the demo participant's account (determinations.accounts)
        "registry_account": RegistryAccount.objects.create(
            organisation=users["participant"].organisation,
            registry_party=Party.objects.get(code="UA"),
            identifier="UA-100-9999999-0-1",
            holder="Matrix holder",
        ),
        "invoice": invoice,
        # the demo participant's organisation (fees: what it owes)
        "organisation": users["participant"].organisation,
        "credit_note": note,
        "reimbursement": reimbursement,
        "appraisal": appraisal,
        "appraisal_form": Appraiser.objects.filter(appraisal=appraisal, filed_at__isnull=False)
        .order_by("pk")
        .first(),
        "review": review,
        "review_request": ReviewRequest.objects.filter(project=p["under_review"]).first(),
        "clarification": clarification,
        "clarification_file": ClarificationFile.objects.order_by("pk").first(),
        "member": JiscMember.objects.get(user=users["jisc"]),
        "expert": Expert.objects.get(user=users["expert"]),
        "meeting": Meeting.objects.get(number=40),
        # an item of its draft minutes (reviews.minutes)
        "meeting_item": MeetingItem.objects.create(
            meeting=Meeting.objects.get(number=40),
            number="matrix",
            title="Matrix item",
            decision="Matrix decision.",
            paragraph=1,
        ),
        "content_type": ContentType.objects.get_for_model(Project),
        "totp_device": device,
        "notification": Notification.objects.filter(user=users["participant"]).first(),
        # a new Party waiting for its focal point's approval (projects.changes)
        "participation_change": pchanges.request_change(
            users["participant"],
            p["final"],
            kind="add_party",
            party=Party.objects.filter(kp_party=True)
            .exclude(pk=p["final"].host_party_id)
            .exclude(pk__in=p["final"].parties_involved.values("pk"))
            .order_by("code")
            .first(),
            reason="Matrix test.",
            consent_declared=True,
        ),
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, seeded once for the module and rolled back after it."""
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with (
                override_settings(DEBUG=True, MEDIA_ROOT=media, PAGE_CACHE_SECONDS=0),
                pytest.MonkeyPatch.context() as mp,
            ):
                mp.setattr("jitrack.pdf.write_pdf", fast_write_pdf)
                call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
                projects = {
                    stage: Project.objects.get(title=title) for stage, title in STAGES.items()
                }
                users = _extra_users(projects)
                objects = _objects(projects, users)
                clients = {}
                for role, user in users.items():
                    client = Client()
                    if user is not None:
                        client.force_login(user)
                        session = client.session
                        session[SECOND_FACTOR] = "force_login"  # a complete login (2FA)
                        session.save()
                        token, _ = Token.objects.get_or_create(user=user)
                        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
                    clients[role] = client
            yield World(users, clients, projects, objects, media)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- parameters ----------------------------------------------------------------------------------


def _admin_object(key: str, world: World):
    """The pk of a row of the model an admin URL is about (``admin:<app>_<model>_<view>``, or
    the route ``admin/<app>/<model>/...`` of an unnamed one)."""
    for model in admin.site._registry:
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        route = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if key.startswith(f"admin:{label}_") or key.startswith(route):
            row = model._default_manager.order_by("pk").first()
            return row.pk if row is not None else 999_999
    raise LookupError(key)


def kwargs_for(key: str, route: Route, world: World) -> dict:
    """The URL's parameters, filled from the world: ``permission_matrix.PARAMS`` names the
    object (or the project's stage) each URL is asked about."""
    name = key.split("#")[0]
    o, p = world.objects, world.projects
    spec = matrix.PARAMS.get(name, {})
    out = {}
    for param in route.params:
        source = spec.get(param)
        if param == "key":
            out[param] = p[source or "final"].key
        elif param == "number":
            out[param] = o[source].number if source else 1
        elif param == "code":
            out[param] = "UA"
        elif param in ("pk", "comment_id"):
            obj = o[source] if source else None
            if obj is None:
                raise LookupError(f"{name}: no object for {param!r} (PARAMS[{name!r}])")
            out[param] = obj.pk
        elif param == "slug":
            out[param] = next(iter(SECTIONS))
        elif param == "kind":
            out[param] = NOTICE_KINDS[0]
        elif param == "role":  # a help guide's (registry.help)
            out[param] = source or "aie"
        elif param == "name":
            out[param] = next(iter(TABLES if name.startswith("statistics") else DATASETS))
        elif param == "object_id":
            out[param] = (
                p["final"].pk if name == "admin:view_on_site" else _admin_object(key, world)
            )
        elif param == "content_type_id":
            out[param] = o["content_type"].pk
        elif param == "id":
            out[param] = world.users["participant"].pk
        elif param == "app_label":
            out[param] = "projects"
        elif param == "url":
            out[param] = "nothing-here/"
        elif param == "uidb64":
            out[param] = urlsafe_base64_encode(force_bytes(world.users["participant"].pk))
        elif param == "token":
            out[param] = default_token_generator.make_token(world.users["participant"])
        else:
            raise LookupError(f"{name}: no value for the parameter {param!r}")
    return out


def path_for(route: Route, kwargs: dict) -> str:
    path = route.route
    for param, value in kwargs.items():
        for form in (f"<{param}>", *(f"<{c}:{param}>" for c in ("str", "int", "slug", "path"))):
            path = path.replace(form, str(value))
    if route.pattern.pattern.regex.groupindex:  # the admin's regex routes
        if "app_label" in kwargs:
            path = f"admin/{kwargs['app_label']}/"
        elif "url" in kwargs:
            path = f"admin/{kwargs['url']}"
    return "/" + path


# --- outcomes ------------------------------------------------------------------------------------


def classify(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"error:{status}"
    if 300 <= status < 400:
        location = response.get("Location", "")
        return "login" if any(s in location for s in LOGIN_PATHS) else "ok"
    if status == 401:
        return "login"
    if status in (400, 409, 422):
        return "invalid"
    return {403: "denied", 404: "not_found", 405: "method"}.get(
        status, "ok" if 200 <= status < 300 else f"status:{status}"
    )


def request(client: Client, method: str, path: str):
    """One request in a savepoint rolled back after it: an allowed act changes nothing, and
    the client keeps its cookies (a logout or a language switch applies to this request only)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def matches(expected: str, observed: str, method: str) -> bool:
    if expected == "ok" and observed == "invalid":
        # Past the permission check; the body or the stage was refused. For a GET: the act's
        # guard refuses it at this stage, and the page says why instead of showing the form.
        return True
    return expected == observed


def observed_spec(row: dict[str, str]) -> str:
    """A table entry that says what was observed (the most common outcome first)."""
    counts: dict[str, int] = {}
    for outcome in row.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    default = max(counts, key=lambda k: (counts[k], k == "denied"))
    rest: dict[str, list[str]] = {}
    for role, outcome in row.items():
        if outcome != default:
            rest.setdefault(outcome, []).append(role)
    return "; ".join([default, *(f"{','.join(r)}={o}" for o, r in rest.items())])


# --- the tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(KEYED))
def test_every_role_gets_what_the_table_says(key, world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.MEDIA_ROOT = world.media
    route = KEYED[key]
    path = path_for(route, kwargs_for(key, route, world))
    observed = {
        method: {
            role: classify(request(world.clients[role], method, path)) for role in matrix.ROLES
        }
        for method in METHODS
    }
    if out := os.environ.get("PERMISSION_MATRIX_OBSERVED"):
        with open(out, "a") as f:
            f.write(json.dumps({"key": key, "path": path, "observed": observed}) + "\n")
    errors = [
        f"{method} {path} as {role}: {outcome}"
        for method, row in observed.items()
        for role, outcome in row.items()
        if outcome.startswith(("error", "status"))
    ]
    assert not errors, "server errors or unexpected statuses:\n" + "\n".join(errors)
    entry = matrix.EXPECTED.get(key)
    suggestion = "{" + ", ".join(f'"{m}": "{observed_spec(observed[m])}"' for m in METHODS) + "}"
    assert entry is not None, (
        f"{key} ({path}) has no entry in tests/permission_matrix.py EXPECTED: add one after "
        f"checking who may use it (ji-rules §1, the app's rules.py). Observed: "
        f'"{key}": {suggestion},'
    )
    wrong = []
    for method in METHODS:
        expected = matrix.expand(entry[method])
        for role in matrix.ROLES:
            if not matches(expected[role], observed[method][role], method):
                wrong.append(
                    f"{method} {path} as {role}: expected {expected[role]}, "
                    f"got {observed[method][role]}"
                )
    assert not wrong, "\n".join(wrong) + f"\nobserved: {suggestion}"


def test_every_entry_of_the_table_is_a_url():
    stale = sorted(set(matrix.EXPECTED) - set(KEYED))
    assert not stale, f"entries for URLs that no longer exist: {stale}"


def test_the_table_names_only_known_roles_and_outcomes():
    for key, entry in matrix.EXPECTED.items():
        assert set(entry) == set(METHODS), key
        for method in METHODS:
            matrix.expand(entry[method])  # raises on an unknown role or outcome
