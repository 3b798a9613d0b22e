"""Every message a user can see in Russian too (issue 15): the catalogue holds every message the
code marks, each translated, and the staff pages rendered in Russian show no English sentence.

The first test runs Django's own ``makemessages`` over a copy of the project's layout (symlinks,
so that nothing is written into ``locale/``) and compares what it extracts with the catalogue: a
new marked message that nobody translated fails it. The second renders the pages each role works
on in Russian and looks for a run of four English words outside code, links and the data the
test itself typed (names, titles, reasons): a new message that nobody marked fails it."""

import datetime as dt
import html as htmllib
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import override_settings
from django.utils import translation

from determinations import workflow as dwf
from determinations.models import EruBlock
from fees.models import Invoice
from jitrack.errors import DomainError
from projects import workflow as wf
from reviews import workflow as rwf
from reviews.models import CRITERIA, Appraisal, Review
from tests.registry.test_i18n import read_po

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "ru" / "LC_MESSAGES" / "django.po"
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
# What makemessages walks (README: --ignore=.venv --ignore=tests), without the catalogue itself.
NOT_SOURCES = {".venv", "tests", "locale", "var", ".git", "node_modules"}


def _entries(path: Path) -> dict[tuple[str | None, str], dict]:
    """The messages of a .po file by (context, msgid), its header left out (``read_po``; no
    obsolete entries: makemessages runs with --no-obsolete)."""
    return {(e.get("msgctxt"), e["msgid"]): e for e in read_po(path) if e.get("msgid")}


def _extracted(tmp_path: Path) -> set[tuple[str | None, str]]:
    """The messages ``makemessages -l ru`` extracts from the project today."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for entry in BASE.iterdir():
        if entry.name not in NOT_SOURCES and not entry.name.startswith("."):
            (tree / entry.name).symlink_to(entry)
    locale = tree / "locale"
    locale.mkdir()
    cwd = os.getcwd()
    try:
        os.chdir(tree)
        with override_settings(LOCALE_PATHS=[locale]):
            call_command(
                "makemessages", locale=["ru"], symlinks=True, verbosity=0, no_obsolete=True
            )
    finally:
        os.chdir(cwd)
    return set(_entries(locale / "ru" / "LC_MESSAGES" / "django.po"))


def test_no_message_is_left_untranslated(tmp_path):
    catalogue = _entries(PO)
    extracted = _extracted(tmp_path)
    assert len(extracted) > 1000
    missing = sorted(msgid for _ctx, msgid in extracted - set(catalogue))
    untranslated = sorted(
        e["msgid"]
        for e in catalogue.values()
        if "fuzzy" in e["flags"]
        or not all(v.strip() for k, v in e.items() if k.startswith("msgstr"))
    )
    # The count the issue asks for: marked messages without a Russian translation.
    assert len(missing) + len(untranslated) == 0, {
        "not in the catalogue (run makemessages)": missing[:20],
        "without a translation": untranslated[:20],
    }


# --- the pages, in Russian -----------------------------------------------------------------

WORD = r"[A-Za-z][A-Za-z'’\-]*"
ENGLISH_RUN = re.compile(rf"\b{WORD}(?:[ \t]+{WORD}){{3,}}\b")
# Kept as written in Russian text too: codes of forms and documents, units, the product's name.
ALLOWED = [
    r"F-JI-\w+",
    r"JI-JISC-\d+ meeting report",
    r"jitrack",
    r"t CO2e",
    r"GMT",
    r"USD",
    r"PDF",
    r"SHA-256",
    # The JISC's document, cited by its title (fees.calculator.SCHEDULES).
    r"Provisions for the charging of fees",
]
DROP = re.compile(
    r"<(script|style|code|pre|svg|textarea|select)\b.*?</\1>|<!--.*?-->", re.S | re.IGNORECASE
)
URL = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+|/[\w\-/.?=&%]+")


def page_text(markup: str) -> str:
    """The text a reader sees: text nodes plus the visible attributes, without code."""
    markup = DROP.sub(" ", markup)
    attrs = " ".join(
        m.group(2) for m in re.finditer(r'\b(title|placeholder|aria-label|alt)="([^"]*)"', markup)
    )
    text = re.sub(r"<[^>]+>", "\n", markup) + "\n" + attrs
    return htmllib.unescape(text)


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value] if len(value) > 3 else []
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def data_strings() -> list[str]:
    """Every text the test's data holds (names, titles, reasons, comments...): shown as typed."""
    found = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
        ]
        if not fields or model._meta.app_label in {"sessions", "admin", "axes", "contenttypes"}:
            continue
        for row in model.objects.values_list(*fields)[:500]:
            found.update(_texts(list(row)))
    # The longest first, so that a name inside a longer text goes with it.
    return sorted(found, key=len, reverse=True)


def english_runs(markup: str, data: list[str]) -> list[str]:
    text = page_text(markup)
    for value in data:
        text = text.replace(value, " ")
        for line in value.splitlines():
            if len(line) > 3:
                text = text.replace(line, " ")
    text = URL.sub(" ", text)
    for pattern in ALLOWED:
        text = re.sub(pattern, " ", text)
    return [m.group(0) for m in ENGLISH_RUN.finditer(text)]


@pytest.fixture
def under_review(cycle, committee, japan, party_user, secretariat):
    """A published determination with its appraisers, a review requested by the host and a
    team appointed: the review panel, the appraisal and the review pages all have content."""
    project = cycle.determination_published(parties_involved=[japan])
    members, experts = committee.members, committee.experts
    rwf.appoint_appraisers(secretariat, project, members=members[:2], experts=experts[:2])
    reasons = {"additionality": "Additionality is not demonstrated."}
    rwf.request_review(party_user, project, reasons=reasons, summary="Baseline doubtful")
    review = Review.objects.get(project=project)
    rwf.appoint_team(secretariat, review, members=members[2:4], lead=members[2])
    return project, review


def russian(client, user, url, method="get", data=None, status=200):
    client.force_login(user)
    response = getattr(client, method)(url, data or {}, **RU)
    assert response.status_code == status, (url, response.status_code)
    markup = response.content.decode()
    assert '<html lang="ru">' in markup, url
    return markup


def test_staff_pages_speak_russian(
    client, cycle, under_review, committee, participant, aie_user, secretariat, party_user
):
    project, review = under_review
    checked = cycle.determination_submitted()
    appraisal = Appraisal.objects.get(project=project)
    member, expert = committee.members[0], committee.experts[0]
    pages = [
        (participant, "/dashboard/"),
        (aie_user, "/dashboard/"),
        (secretariat, "/dashboard/"),
        (party_user, "/dashboard/"),
        (member, "/dashboard/"),
        (expert, "/dashboard/"),
        (secretariat, f"/projects/{project.key}/"),
        (member, f"/projects/{project.key}/"),
        (secretariat, f"/reviews/{review.pk}/"),
        (secretariat, f"/projects/{checked.key}/determination/check/"),
        (participant, f"/projects/{project.key}/monitoring/"),
        (secretariat, "/reviews/meetings/"),
        (secretariat, f"/reviews/appraisals/{appraisal.pk}/"),
    ]
    data = data_strings()
    found = {}
    for user, url in pages:
        runs = english_runs(russian(client, user, url), data)
        if runs:
            found[f"{user.username} {url}"] = runs
    # A refused act: the host's focal point asks for the review a second time.
    refused = russian(
        client,
        party_user,
        f"/projects/{project.key}/review/request/",
        "post",
        {"summary": "Again", **{key: "Again." for key, _label in CRITERIA}},
        status=409,
    )
    assert "Вы уже просили о рассмотрении." in refused
    if runs := english_runs(refused, data):
        found["refused request"] = runs
    assert found == {}


def test_a_refusal_raised_in_the_api_stays_english(api_client_ru_refusal):
    """The same lazy or translated message raised under /api/ is English (the middleware)."""
    response = api_client_ru_refusal
    assert response.status_code == 409
    assert response["Content-Language"] == "en"
    assert response.json()["detail"] == "Appraisers are already appointed."


@pytest.fixture
def api_client_ru_refusal(cycle, committee, japan, sec_api, secretariat):
    project = cycle.determination_published(parties_involved=[japan])
    members, experts = committee.members, committee.experts
    rwf.appoint_appraisers(secretariat, project, members=members[:2], experts=experts[:2])
    body = {
        "members": [u.pk for u in members[:2]],
        "experts": [u.pk for u in experts[:2]],
    }
    return sec_api.post(f"/api/projects/{project.key}/appraisal/", body, format="json", **RU)


def test_a_workflow_refusal_follows_the_language(cycle, secretariat):
    """The same refusals of the determination workflow in Russian on a page, English elsewhere:
    the guard's (lazy, made at import) and the findings' check (made when raised)."""
    project = cycle.comments_closed()
    with translation.override("ru"), pytest.raises(DomainError) as refused:
        dwf.GUARDS["submit"].check(secretariat, project)
    assert refused.value.detail == "Доклад о детерминации представляет только привлечённый АНО."
    with pytest.raises(DomainError) as refused:
        dwf.GUARDS["submit"].check(secretariat, project)
    assert refused.value.detail == "Only the engaged AIE can file the determination."
    with translation.override("ru"), pytest.raises(DomainError) as refused:
        dwf.submit_determination(cycle.aie_user, project, findings={}, outcome="positive")
    assert refused.value.detail == "Укажите, выполнено ли требование approval."
    with pytest.raises(DomainError) as refused:
        dwf.submit_determination(cycle.aie_user, project, findings={}, outcome="positive")
    assert refused.value.detail == "State whether finding approval is met."


def test_forms_of_each_role_speak_russian(
    client, cycle, committee, participant, aie_user, secretariat, party_user
):
    draft = cycle.draft()
    submitted = cycle.submitted()
    closed = cycle.comments_closed()
    published = cycle.determination_published()
    final = cycle.final()
    member = committee.members[0]
    pages = [
        (participant, "/projects/new/"),
        (participant, f"/projects/{draft.key}/edit/"),
        (participant, f"/projects/{draft.key}/engage/"),
        (participant, f"/projects/{draft.key}/documents/"),
        (participant, f"/projects/{draft.key}/approvals/"),
        (participant, f"/projects/{final.key}/monitoring/new/"),
        (participant, f"/projects/{final.key}/changes/new/"),
        (participant, "/inbox/"),
        (aie_user, f"/projects/{closed.key}/determination/"),
        (secretariat, f"/projects/{submitted.key}/check-pdd/"),
        (secretariat, f"/projects/{published.key}/appraisal/appoint/"),
        (secretariat, "/reviews/committee/"),
        (secretariat, "/reviews/committee/members/new/"),
        (secretariat, "/reviews/committee/experts/new/"),
        (secretariat, "/reviews/meetings/new/"),
        (secretariat, "/projects/import/"),
        (party_user, "/parties/UA/issuance/"),
        (member, f"/projects/{published.key}/review/request/"),
    ]
    data = data_strings()
    found = {}
    for user, url in pages:
        if runs := english_runs(russian(client, user, url), data):
            found[f"{user.username} {url}"] = runs
    assert found == {}


def test_monitoring_verification_and_issuance_pages_speak_russian(
    client, history, submit_report, participant, aie_user, secretariat, party_user
):
    project = history
    report = submit_report(project, dt.date(2012, 1, 1), dt.date(2012, 12, 31), {2012: 20000})
    block = EruBlock.objects.filter(active=True).first()
    pages = [
        (participant, f"/projects/{project.key}/monitoring/"),
        (participant, f"/monitoring/{report.pk}/withdraw/"),
        (aie_user, f"/monitoring/{report.pk}/verify/"),
        (secretariat, f"/projects/{project.key}/"),
        (secretariat, f"/projects/{project.key}/monitoring/"),
        (party_user, "/parties/UA/issuance/"),
        (party_user, f"/projects/{project.key}/verifications/1/issue/"),
        (party_user, f"/eru-blocks/{block.pk}/transfer/"),
    ]
    data = data_strings()
    found = {}
    for user, url in pages:
        if runs := english_runs(russian(client, user, url), data):
            found[f"{user.username} {url}"] = runs
    assert found == {}


def test_review_work_pages_speak_russian(client, under_review, committee, participant):
    """The forms of the appraisers, the review team and the clarification's addressees."""
    project, review = under_review
    lead, member = committee.members[2], committee.members[0]
    clar = rwf.send_clarification(
        lead,
        review,
        addressed_to="participants",
        questions="How is leakage monitored?",
        due_on=dt.date.today() + dt.timedelta(days=10),
    )
    appraisal = Appraisal.objects.get(project=project)
    pages = [
        (member, f"/reviews/appraisals/{appraisal.pk}/"),
        (committee.experts[0], f"/reviews/appraisals/{appraisal.pk}/"),
        (lead, f"/reviews/{review.pk}/"),
        (participant, f"/reviews/clarifications/{clar.pk}/"),
        (participant, f"/projects/{project.key}/"),
    ]
    data = data_strings()
    found = {}
    for user, url in pages:
        if runs := english_runs(russian(client, user, url), data):
            found[f"{user.username} {url}"] = runs
    assert found == {}


def test_project_act_pages_speak_russian(
    client, cycle, japan, participant, aie_user, secretariat, party_user
):
    """The pages of the acts on a project, each role's, and the confirmations they ask."""
    draft = cycle.draft(parties_involved=[japan])
    waiting = wf.engage_aie(participant, cycle.draft(), aie_user.organisation)
    engaged = cycle.engaged()
    opened = cycle.open()
    comment = wf.add_comment(
        opened,
        name="Olena",
        affiliation="Ecoclub",
        category="stakeholder",
        email="olena@example.org",
        text="How is leakage monitored?",
    )
    closed = cycle.comments_closed()
    final = cycle.final()
    loa = wf.record_approval(
        participant, draft, party=party_user.party, issued_on=dt.date(2008, 1, 1)
    )
    pages = [
        (party_user, f"/approvals/{loa.pk}/confirm/"),
        (aie_user, f"/engagements/{waiting.pk}/decide/"),
        (aie_user, f"/projects/{engaged.key}/submit-pdd/"),
        (aie_user, f"/projects/{opened.key}/comments/{comment.pk}/answer/"),
        (secretariat, f"/projects/{opened.key}/comments/{comment.pk}/remove/"),
        (participant, f"/projects/{closed.key}/change-aie/"),
        (participant, f"/projects/{draft.key}/withdraw/"),
        (participant, f"/projects/{final.key}/terminate/"),
        (participant, f"/projects/{draft.key}/"),
        (aie_user, f"/projects/{opened.key}/"),
    ]
    data = data_strings()
    found = {}
    for user, url in pages:
        if runs := english_runs(russian(client, user, url), data):
            found[f"{user.username} {url}"] = runs
    assert found == {}


def test_a_guard_refusal_made_at_import_stays_english_in_the_api(cycle, pp_api):
    """A guard's refusal is a lazy message made at import: under /api/ it is English too."""
    project = cycle.comments_closed()
    response = pp_api.post(
        f"/api/projects/{project.key}/determination/", {}, format="multipart", **RU
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "detail": "Only the engaged AIE can file the determination.",
    }


def test_fee_pages_speak_russian(client, cycle, participant, secretariat, settings):
    """The paying pages, each role's: invoices, what is owed, payments, the revenue report."""
    submitted = cycle.determination_submitted()
    final = cycle.final()
    invoice = Invoice.objects.filter(project=submitted).first()
    pages = [
        (participant, "/fees/"),
        (participant, "/fees/owed/"),
        (participant, f"/projects/{submitted.key}/fee/"),
        (participant, f"/projects/{final.key}/fee/"),
        (participant, f"/fees/invoices/{invoice.number}/"),
        (secretariat, "/fees/"),
        (secretariat, f"/fees/owed/{participant.organisation_id}/"),
        (secretariat, f"/fees/invoices/{invoice.number}/"),
        (secretariat, f"/projects/{submitted.key}/fee/payment/"),
        (secretariat, "/fees/revenue/"),
        (participant, "/fees/calculator/"),
    ]
    # The issuer's name, address and bank details are configured, printed as given.
    configured = [settings.FEES_ISSUER_NAME, *settings.FEES_ISSUER_ADDRESS]
    configured += [line for line in settings.FEES_BANK_DETAILS]
    data = sorted({*data_strings(), *map(str, configured)}, key=len, reverse=True)
    found = {}
    for user, url in pages:
        if runs := english_runs(russian(client, user, url), data):
            found[f"{user.username} {url}"] = runs
    assert found == {}
