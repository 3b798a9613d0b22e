"""The secretariat's page of a Party's assigned amounts and reported emissions
(``/parties/<code>/inventory/``) and the admin, both through ``determinations.inventory``."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from determinations.admin import AssignedAmountAdmin
from determinations.models import AssignedAmount, ReportedEmissions

pytestmark = pytest.mark.django_db

URL = "/parties/UA/inventory/"


def _aa(period=1, tonnes="5000000", source="FCCC/IRR/2007/UKR"):
    return {
        "form": "assigned_amount",
        "assigned_amount-commitment_period": str(period),
        "assigned_amount-tonnes": tonnes,
        "assigned_amount-source": source,
    }


def _em(year="2010", tonnes="990000", source="NIR 2012"):
    return {
        "form": "emissions",
        "emissions-year": year,
        "emissions-tonnes": tonnes,
        "emissions-source": source,
    }


def test_inventory_page_is_the_secretariats(client, ukraine, party_user, participant):
    assert client.get(URL).status_code == 302  # to the login page
    for user in (party_user, participant):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, _aa()).status_code == 403
    assert not AssignedAmount.objects.exists()


def test_inventory_page_records_and_corrects(client, ukraine, secretariat):
    client.force_login(secretariat)
    assert client.get("/parties/ZZ/inventory/").status_code == 404
    r = client.get(URL)
    assert r.status_code == 200
    assert "No assigned amount recorded yet." in r.content.decode()
    r = client.post(URL, _aa(), follow=True)
    assert r.redirect_chain == [(URL, 302)]
    assert "Assigned amount recorded for Ukraine." in r.content.decode()
    assert "5,000,000" in r.content.decode() and "FCCC/IRR/2007/UKR" in r.content.decode()
    client.post(URL, _aa(tonnes="5000005", source="FCCC/IRR/2008/UKR (corrected)"))
    row = AssignedAmount.objects.get()
    assert (row.commitment_period, row.tonnes, row.source) == (
        1,
        5000005,
        "FCCC/IRR/2008/UKR (corrected)",
    )
    r = client.post(URL, _em(), follow=True)
    assert "Emissions of 2010 recorded for Ukraine." in r.content.decode()
    assert ReportedEmissions.objects.get().tonnes == 990000


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_aa(source=""), "This field is required."),
        (_aa(tonnes="-1"), "greater than or equal to 0"),
        (_aa(tonnes="1.5"), "Enter a whole number."),
        (_aa(period=3), "Select a valid choice."),
        (_em(year="1900"), "greater than or equal to 1985"),
        (_em(source="   "), "This field is required."),
    ],
)
def test_inventory_page_refuses_bad_input(client, ukraine, secretariat, data, message):
    client.force_login(secretariat)
    r = client.post(URL, data)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not AssignedAmount.objects.exists() and not ReportedEmissions.objects.exists()


def test_inventory_page_same_figure_again_is_a_form_error(client, ukraine, secretariat):
    client.force_login(secretariat)
    client.post(URL, _em())
    r = client.post(URL, _em())
    assert r.status_code == 409
    assert "This figure is recorded already, from the same source" in r.content.decode()


def test_inventory_page_unknown_form_is_refused(client, ukraine, secretariat):
    client.force_login(secretariat)
    assert client.post(URL, {"form": "other"}).status_code == 400


def test_inventory_admin_records_through_the_writer(ukraine, secretariat):
    admin = AssignedAmountAdmin(AssignedAmount, site)
    request = RequestFactory().post("/")
    request.user = secretariat
    assert admin.has_add_permission(request) and not admin.has_delete_permission(request)
    form_class = admin.get_form(request)
    form = form_class(
        data={"party": ukraine.pk, "commitment_period": 1, "tonnes": 10, "source": " IRR "}
    )
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    admin.save_model(request, obj, form, change=False)
    row = AssignedAmount.objects.get()
    assert (obj.pk, row.tonnes, row.source, row.recorded_by) == (row.pk, 10, "IRR", secretariat)
    bad = form_class(data={"party": ukraine.pk, "commitment_period": 2, "tonnes": 1, "source": " "})
    assert not bad.is_valid()
    assert "source" in bad.errors
    # a correction changes the figure and its source, not what it is the figure of
    assert set(admin.get_readonly_fields(request, row)) >= {"party", "commitment_period"}


def test_inventory_admin_is_not_for_other_roles(ukraine, party_user):
    admin = AssignedAmountAdmin(AssignedAmount, site)
    request = RequestFactory().get("/")
    request.user = party_user
    assert not admin.has_view_permission(request)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
