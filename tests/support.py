"""Plain helpers and constants the test modules share; no fixtures (those are in
``tests/conftest.py`` and the apps' ``tests/<app>/conftest.py``).

A test module imports from here and from ``tests.factories``, never from another test module or
a conftest.
"""

import base64
import csv
import datetime as dt
import html as htmllib
import io
import os
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import yaml
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags
from django_otp import oath
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from determinations import workflow as dwf
from fees import services as fee_services
from fees.models import FeeKind, Invoice
from projects import workflow as wf
from projects.models import Party, Project, SectoralScope, User
from registry.importer import COLUMNS
from reviews.models import Expert, JiscMember

from .factories import UserFactory, pdf_upload, project_data

# --- time ------------------------------------------------------------------------------------


def at(*args) -> dt.datetime:
    """``at(2026, 3, 2, 12)``: that instant in UTC."""
    return dt.datetime(*args, tzinfo=dt.UTC)


# --- clients and responses -------------------------------------------------------------------


def client_for(user) -> APIClient:
    """An API client authenticated as ``user`` by token."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def totp_code(device, at_time: dt.datetime | None = None) -> str:
    """The code ``device``'s authenticator app shows now (or at ``at_time``)."""
    now = (at_time or timezone.now()).timestamp()
    t = int((now - device.t0) // device.step)
    return f"{oath.hotp(device.bin_key, t + device.drift, digits=device.digits):0{device.digits}d}"


def login(client, user):
    """Log ``client`` in as ``user`` (anonymous for None), whoever it was before; returns it."""
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def viewer(request, name: str | None):
    """The user fixture called ``name`` (None: anonymous), for tests parametrized by role."""
    return request.getfixturevalue(name) if name else None


def html(response) -> str:
    return response.content.decode()


def queries_for(client, url) -> int:
    """How many queries a GET of ``url`` takes (it must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def openapi_schema(client) -> dict:
    """The API's OpenAPI schema, checked by drf-spectacular's validator."""
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    return schema


def assert_error(response, status: int, code: str | None = None, field: str | None = None):
    """An API refusal: ``status`` with a ``{"code", "detail"}`` body (both non-empty strings),
    the given ``code`` and ``field`` when they are given. Returns the body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["detail"], str) and body["detail"], body
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


# --- races (PostgreSQL) ----------------------------------------------------------------------


def run_at_once(*calls):
    """Run each zero-argument callable in its own thread (its own database connection, closed
    after), released together by a barrier. Returns (results, errors), each in the order of
    ``calls`` (None where there was none)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


# --- PDFs --------------------------------------------------------------------------------------


NOT_TEXT = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)


def html_text(markup: str) -> str:
    """The text of an HTML page: styles, scripts and tags dropped, entities decoded, whitespace
    collapsed."""
    return " ".join(htmllib.unescape(strip_tags(NOT_TEXT.sub(" ", markup))).split())


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF (blank A4) with ``text`` attached as an uncompressed UTF-8 file, so
    that the text stands in its bytes: the ``fast_pdfs`` stand-in for WeasyPrint."""
    data = text.encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R/Names<</EmbeddedFiles<</Names[(text.txt)4 0 R]>>>>>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>",
        b"<</Type/Filespec/F(text.txt)/UF(text.txt)/EF<</F 5 0 R>>>>",
        b"<</Type/EmbeddedFile/Subtype/text#2Fplain/Length %d>>stream\n%b\nendstream"
        % (len(data), data),
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def fast_write_pdf(markup: str) -> bytes:
    """``jitrack.pdf.write_pdf`` without WeasyPrint: a tiny PDF holding the page's text."""
    return tiny_pdf(html_text(markup))


# --- data: the determination cycle -------------------------------------------------------------

FINDINGS = {
    "approval": (True, "Letters of approval from Ukraine and Japan were checked."),
    "additionality": (True, "Investment analysis shows the project is not the baseline."),
    "baseline_monitoring": (True, "Baseline and monitoring plan follow appendix B."),
    "environmental": (True, "EIA under Ukrainian law reviewed; no significant impacts."),
}

# The para 33 findings as the API takes them, and as the determination form posts them.
FINDINGS_BODY = {
    "approval": {"met": True, "reasons": "Letters of approval from Ukraine and Japan checked."},
    "additionality": {"met": True, "reasons": "Investment analysis shows additionality."},
    "baseline_monitoring": {"met": True, "reasons": "Baseline and monitoring follow appendix B."},
    "environmental": {"met": True, "reasons": "EIA reviewed; no significant impacts."},
}
FINDINGS_POST = {
    "approval_met": "yes",
    "approval_reasons": "Letters of approval from Ukraine checked.",
    "additionality_met": "yes",
    "additionality_reasons": "Investment analysis.",
    "baseline_monitoring_met": "yes",
    "baseline_monitoring_reasons": "Appendix B followed.",
    "environmental_met": "yes",
    "environmental_reasons": "EIA reviewed.",
    "outcome": "positive",
    "due_account": "All comments were answered.",
}

CONDITIONS = "The para 33 conditions still hold: the changes do not affect additionality."


def create_body(**overrides) -> dict:
    """A project as ``POST /api/projects/`` takes it."""
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


def payment_body(**overrides) -> dict:
    """A payment as ``POST /api/projects/<key>/fee/payment/`` takes it: the amount received,
    the date and the bank reference, all required (the default fee of ``Cycle`` is USD 8,500)."""
    body = {
        "amount_usd": "8500.00",
        "received_on": timezone.localdate().isoformat(),
        "reference": "BANK-77",
    }
    body.update(overrides)
    return body


class Cycle:
    """Walks a project to a given stage through the real workflow functions."""

    def __init__(self, participant, aie_user, secretariat, host):
        self.participant = participant
        self.aie_user = aie_user
        self.secretariat = secretariat
        self.host = host

    def draft(self, **overrides) -> Project:
        return wf.create_project(self.participant, **project_data(self.host, **overrides))

    def engaged(self, **overrides) -> Project:
        project = self.draft(**overrides)
        # The host's focal point approves early, as hosts do (para 33 (a): a positive
        # determination needs it); before publication its event is not public.
        self.host_approval(project)
        wf.add_document(self.participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
        engagement = wf.engage_aie(self.participant, project, self.aie_user.organisation)
        wf.decide_engagement(self.aie_user, engagement, accept=True)
        return Project.objects.get(pk=project.pk)

    def submitted(self, **overrides) -> Project:
        project = self.engaged(**overrides)
        return wf.submit_pdd(self.aie_user, project)

    def open(self, available_on=None, **overrides) -> Project:
        project = self.submitted(**overrides)
        return wf.check_pdd(self.secretariat, project, accept=True, available_on=available_on)

    def comments_closed(self, **overrides) -> Project:
        project = self.open(**overrides)
        wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
        return Project.objects.get(pk=project.pk)

    def host_approval(self, project: Project) -> None:
        """The host's focal point records its written approval (para 33 (a)): a positive
        determination needs it on record (ji-rules §7)."""
        if project.approvals.filter(party=project.host_party, confirmed_at__isnull=False).exists():
            return
        dfp, _ = User.objects.get_or_create(
            username=f"dfp-{project.host_party.code.lower()}",
            defaults={"role": User.Role.PARTY, "party": project.host_party},
        )
        wf.record_approval(
            dfp, project, party=project.host_party, issued_on=dt.date(2008, 6, 1), reference="LoA"
        )

    def determination_submitted(self, outcome="positive", **overrides) -> Project:
        project = self.comments_closed(**overrides)
        for comment in project.comments.all():
            wf.answer_comment(self.aie_user, comment, "Taken into account.")
        if outcome == "positive":
            self.host_approval(project)  # already there for projects drafted here
        dwf.submit_determination(self.aie_user, project, findings=dict(FINDINGS), outcome=outcome)
        return Project.objects.get(pk=project.pk)

    def determination_published(self, **overrides) -> Project:
        project = self.determination_submitted(**overrides)
        fee = fee_services.determination_fee_record(project)
        if fee.status == "due":
            fee_services.pay_balance(self.secretariat, project, reference="BANK-1")
        dwf.check_determination(self.secretariat, project, accept=True)
        return Project.objects.get(pk=project.pk)

    def final(self, **overrides) -> Project:
        project = self.determination_published(**overrides)
        dwf.deem_final(project.pk, project.review_window_closes_at + dt.timedelta(seconds=1))
        return Project.objects.get(pk=project.pk)


# --- data: fees ------------------------------------------------------------------------------------


def determination_invoice(project) -> Invoice:
    return Invoice.objects.get(project=project, kind=FeeKind.DETERMINATION)


def add_verification_invoices(project, actor, count: int, first_year: int = 2009) -> None:
    """``count`` verification fees (20,000 t in a calendar year each: USD 2,500.00 less any
    advance credit), each invoiced, through the real service as the verification workflow would
    call it."""
    with transaction.atomic():
        locked = wf.lock(project)
        for n in range(1, count + 1):
            fee_services.assess_verification_fee(
                locked, number=n, actor=actor, reductions_by_year={first_year + n - 1: 20000}
            )


# --- data: reviews -------------------------------------------------------------------------------

CRITERIA_FORM = {
    "approval": {"met": True, "comment": "Letters of approval checked."},
    "additionality": {"met": True, "comment": "Investment analysis is sound."},
    "baseline_monitoring": {"met": True, "comment": "Appendix B followed."},
    "environmental": {"met": True, "comment": "EIA reviewed."},
}
REASONS = {"additionality": "The investment analysis ignores the 2009 tariff increase."}


def _party(code: str, name: str) -> Party:
    party, _ = Party.objects.get_or_create(code=code, defaults={"name": name})
    return party


class Committee:
    """The JISC for review tests: five serving members (one an alternate) from Parties not
    involved in the cycle's projects, one member from Japan (``conflicted`` on projects made with
    ``parties_involved=[japan]``; cycle projects have no other Party involved by default), and
    three experts."""

    def __init__(self):
        today = timezone.localdate()
        start, end = today - dt.timedelta(days=400), today + dt.timedelta(days=400)
        seats = [
            ("m1", "DE", "Germany", "member"),
            ("m2", "FR", "France", "member"),
            ("m3", "BR", "Brazil", "member"),
            ("m4", "KE", "Kenya", "member"),
            ("m5", "CA", "Canada", "alternate"),
        ]
        self.members: list[User] = []
        for username, code, name, seat in seats:
            party = _party(code, name)
            user = UserFactory(
                username=username, role=User.Role.JISC, party=party, last_name=username.upper()
            )
            JiscMember.objects.create(
                user=user,
                party=party,
                seat=seat,
                constituency=JiscMember.Constituency.ANNEX_I_OTHER,
                term_start=start,
                term_end=end,
            )
            self.members.append(user)
        japan = _party("JP", "Japan")
        self.conflicted = UserFactory(username="mjp", role=User.Role.JISC, party=japan)
        JiscMember.objects.create(
            user=self.conflicted,
            party=japan,
            constituency=JiscMember.Constituency.ANNEX_I_OTHER,
            term_start=start,
            term_end=end,
        )
        self.experts: list[User] = []
        for username, code in (("e1", "DE"), ("e2", "FR"), ("e3", "BR")):
            user = UserFactory(
                username=username,
                role=User.Role.EXPERT,
                party=_party(code, code),
                last_name=username,
            )
            expert = Expert.objects.create(user=user)
            expert.scopes.set(SectoralScope.objects.all())
            self.experts.append(user)


# --- data: the registry's CSV import -------------------------------------------------------------

ROW = {
    "reference": "0001",
    "title": "Landfill gas capture at Kyiv",
    "host_party": "UA",
    "parties_involved": "JP",
    "participants": "Green Carbon Ltd;Kyiv Utilities",
    "aie": "Bureau Veritas Certification",
    "sectoral_scopes": "1;13",
    "small_scale": "false",
    "poa": "false",
    "expected_annual_reductions": "50000",
    "pdd_available_on": "2008-07-29",
    "determination_available_on": "",
    "review_requested_on": "",
    "final_on": "",
    "withdrawn_on": "",
}


def row(**cells) -> dict:
    """An import row: ``ROW`` with ``cells`` changed."""
    return {**ROW, **cells}


def csv_text(*rows: dict, columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# --- browser tests (Playwright) -------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


class Actor:
    """One person in their own browser context, logged in as ``username`` when given; a module
    sets ``shots``, the folder its screenshots go to."""

    shots: Path  # set by each module's subclass

    def __init__(self, browser, base, username=None):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        if username:
            self.page.goto(f"{base}/login/")
            self.page.fill("input[name=username]", username)
            self.page.fill("input[name=password]", "demo")
            self.page.click("form button[type=submit], form input[type=submit]")
            if "/login/enrol/" in self.page.url or "/login/code/" in self.page.url:
                self.second_factor(username)
            assert "/login/" not in self.page.url, f"login failed for {username}"

    def second_factor(self, username):
        """The secretariat's and the JISC's code: the device's key read off the enrolment page,
        or from the database once enrolled (projects.accounts)."""
        if "/login/enrol/" in self.page.url:
            secret = self.page.inner_text("#otp-secret").replace(" ", "")
            code = oath.totp(base64.b32decode(secret + "=" * (-len(secret) % 8)))
        else:
            device = TOTPDevice.objects.get(user__username=username, confirmed=True)
            # A code is good once: a second login within the same 30 s step takes the next
            # step's code, which the device's tolerance of one step accepts.
            step = int((time.time() - device.t0) // device.step)
            step = max(step, device.last_t + 1)
            code = oath.hotp(device.bin_key, step + device.drift)
        self.page.fill("input[name=code]", f"{code:06d}")
        self.page.click("main form button[type=submit]")

    def go(self, path):
        response = self.page.goto(f"{self.base}{path}")
        assert response.status == 200, (path, response.status)
        return self.page

    def submit(self, form_selector="main form", confirm=True):
        """Submit the form; an act that cannot be undone answers with its confirmation page
        (``templates/confirm.html``), whose Confirm button is then pressed (unless ``confirm``
        is False: the test looks at the page first, then calls ``confirm_act``)."""
        with self.page.expect_navigation():
            self.page.locator(f"{form_selector} button[type=submit]").last.click()
        assert self.page.locator(".errorlist, .message-error").count() == 0, self.page.content()
        if confirm and self.asks_to_confirm():
            self.confirm_act()

    def asks_to_confirm(self) -> bool:
        return self.page.locator("form.confirm-form").count() > 0

    def confirm_act(self):
        with self.page.expect_navigation():
            self.page.locator("form.confirm-form button[type=submit]").click()
        assert self.page.locator(".errorlist, .message-error").count() == 0, self.page.content()

    def shot(self, name):
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


# --- faults -------------------------------------------------------------------------------------


def poison(table: str, row_id: int) -> None:
    """The database refuses to update row ``row_id`` of ``table`` (until the test ends)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "CREATE FUNCTION poisoned() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'row % is poisoned', OLD.id; END $$"
            )
            cur.execute(
                f"CREATE TRIGGER poisoned BEFORE UPDATE ON {table} FOR EACH ROW "
                f"WHEN (OLD.id = {int(row_id)}) EXECUTE FUNCTION poisoned()"
            )
        else:
            cur.execute(
                f"CREATE TRIGGER poisoned BEFORE UPDATE ON {table} WHEN OLD.id = {int(row_id)} "
                "BEGIN SELECT RAISE(ABORT, 'row is poisoned'); END"
            )


def cure(table: str) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"DROP TRIGGER poisoned ON {table}")
            cur.execute("DROP FUNCTION poisoned()")
        else:
            cur.execute("DROP TRIGGER poisoned")


# --- live services (a real worker on the test database, Redis) ------------------------------------


def live_unavailable(reason: str):
    """Skip a live test on a developer machine without the service; in CI (``CI=true``) a
    missing service is a failure."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: the live test must run)")
    pytest.skip(reason)


def redis_url(db: int | None = None) -> str:
    """``CELERY_BROKER_URL`` (Redis), or with database number ``db`` instead of its own; the
    live test is skipped (failed in CI) when Redis does not answer."""
    url = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
    if not url.startswith(("redis://", "rediss://")):
        live_unavailable(f"the live test needs Redis, CELERY_BROKER_URL is {url!r}")
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2):
            pass
    except OSError as exc:
        live_unavailable(f"Redis at {url} does not answer: {exc}")
    if db is not None:
        url = urlunsplit(parts._replace(path=f"/{db}"))
    return url


def live_database_url() -> str:
    """The URL of the PostgreSQL test database the running test uses, for other processes."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        live_unavailable(
            f"the live test needs PostgreSQL, the test database is {connection.vendor}"
        )
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def seat(user) -> None:
    """Make a JISC user a sitting member (``JiscMember.objects.sitting_on``), as para 35 asks of
    a member who requests a review."""
    today = dt.date.today()
    JiscMember.objects.create(
        user=user,
        party=user.party,
        seat=JiscMember.Seat.MEMBER,
        constituency=JiscMember.Constituency.ANNEX_I_OTHER,
        term_start=today - dt.timedelta(days=100),
        term_end=today + dt.timedelta(days=100),
    )
