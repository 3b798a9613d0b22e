"""A Party's para 21 eligibility changes only by an act of the secretariat with a public event
(ji-rules §2, §7): ``projects.parties.change_eligibility``, which the admin's Party page calls."""

import pytest
from django.contrib import admin
from django.urls import reverse

from jitrack.errors import Conflict, Forbidden, Invalid
from projects import parties
from projects import workflow as wf
from projects.models import Event, Party, User
from tests.factories import UserFactory, pdf_upload, project_data

pytestmark = pytest.mark.django_db

SOURCE = "Compliance Committee, enforcement branch, final decision (2012)"
REASON = "The enforcement branch found that the national registry is not in place."


def flags(party: Party) -> dict[str, bool]:
    party.refresh_from_db()
    return {f: getattr(party, f) for f in parties.FLAGS}


def test_a_change_is_recorded_with_a_public_event_on_the_party(secretariat, ukraine):
    changed = parties.change_eligibility(
        secretariat,
        ukraine,
        changes={"national_system": True, "inventory_submitted": True},
        reason="Reinstated by the enforcement branch.",
        source=SOURCE,
    )
    assert (changed.national_system, changed.inventory_submitted) == (True, True)
    ukraine.refresh_from_db()
    assert ukraine.eligibility_source == SOURCE
    assert (ukraine.national_system, ukraine.supplementary_info) == (True, False)
    event = Event.objects.get(kind="eligibility_changed")
    assert (event.project, event.organisation, event.party, event.public) == (
        None,
        None,
        ukraine,
        True,
    )
    assert event.data == {
        "party": "UA",
        "changes": {
            "national_system": {"before": False, "after": True},
            "inventory_submitted": {"before": False, "after": True},
        },
        "source": SOURCE,
        "track2_eligible": True,
        "track1_eligible": False,
    }
    assert event.reason == "Reinstated by the enforcement branch."
    assert (event.actor, event.actor_label) == (secretariat, "Secretariat")


def test_only_the_requirements_that_change_are_recorded(secretariat, ukraine):
    parties.change_eligibility(
        secretariat,
        ukraine,
        changes={"kp_party": True, "national_registry": False},
        reason=REASON,
        source=SOURCE,
    )
    event = Event.objects.get(party=ukraine)
    assert event.data["changes"] == {"national_registry": {"before": True, "after": False}}
    assert event.data["track2_eligible"] is False
    assert not Party.objects.get(pk=ukraine.pk).track2_eligible


def test_a_host_that_loses_its_registry_cannot_take_a_track2_step(
    secretariat, ukraine, participant, aie_user, scopes
):
    project = wf.create_project(participant, **project_data(ukraine))
    wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    parties.change_eligibility(
        secretariat, ukraine, changes={"national_registry": False}, reason=REASON, source=SOURCE
    )
    with pytest.raises(Conflict) as refused:
        wf.engage_aie(participant, project, aie_user.organisation)
    assert refused.value.code == "host_not_eligible"
    assert "(d) national registry in place" in refused.value.detail


@pytest.mark.parametrize("who", [None, "participant", "aie_user", "party_user", "jisc_user"])
def test_only_the_secretariat_changes_eligibility(request, who, ukraine):
    actor = request.getfixturevalue(who) if who else None
    with pytest.raises(Forbidden):
        parties.change_eligibility(
            actor, ukraine, changes={"national_system": True}, reason=REASON, source=SOURCE
        )
    assert not Event.objects.filter(kind="eligibility_changed").exists()
    assert flags(ukraine)["national_system"] is False


def test_a_superuser_may_change_eligibility(ukraine):
    admin = UserFactory(username="root", is_superuser=True, role="")
    parties.change_eligibility(
        admin, ukraine, changes={"national_system": True}, reason=REASON, source=SOURCE
    )
    assert flags(ukraine)["national_system"] is True


@pytest.mark.parametrize(
    ("changes", "reason", "source", "field", "detail"),
    [
        ({"national_system": True}, "", SOURCE, "reason", "Give the reason"),
        ({"national_system": True}, "   ", SOURCE, "reason", "Give the reason"),
        ({"national_system": True}, REASON, "", "source", "Name the source"),
        ({"national_system": True}, REASON, "x" * 301, "source", "longer than 300"),
        ({}, REASON, SOURCE, "changes", "Say which"),
        ({"track2_eligible": True}, REASON, SOURCE, "changes", "Unknown eligibility"),
        ({"annex_i": True, "national_system": True}, REASON, SOURCE, "changes", "annex_i"),
        ({"national_system": "yes"}, REASON, SOURCE, "changes", "met (true) or not"),
        ({"national_system": 1}, REASON, SOURCE, "changes", "met (true) or not"),
    ],
)
def test_refusals_write_nothing(secretariat, ukraine, changes, reason, source, field, detail):
    before = flags(ukraine)
    with pytest.raises(Invalid) as refused:
        parties.change_eligibility(
            secretariat, ukraine, changes=changes, reason=reason, source=source
        )
    assert refused.value.field == field
    assert detail in refused.value.detail
    assert flags(ukraine) == before
    assert not Event.objects.filter(kind="eligibility_changed").exists()


def test_nothing_to_change_is_refused(secretariat, ukraine):
    with pytest.raises(Conflict) as refused:
        parties.change_eligibility(
            secretariat, ukraine, changes={"kp_party": True}, reason=REASON, source=SOURCE
        )
    assert refused.value.code == "no_change"
    assert not Event.objects.exists()


def test_the_act_reads_the_locked_row_not_the_callers_copy(secretariat, ukraine):
    stale = Party.objects.get(pk=ukraine.pk)
    parties.change_eligibility(
        secretariat, ukraine, changes={"national_system": True}, reason=REASON, source=SOURCE
    )
    with pytest.raises(Conflict):  # the stale copy still says False: the act reads the row
        parties.change_eligibility(
            secretariat, stale, changes={"national_system": True}, reason=REASON, source=SOURCE
        )
    assert Event.objects.filter(kind="eligibility_changed").count() == 1


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="admin", role=User.Role.SECRETARIAT, is_staff=True, is_superuser=True
    )


def change_url(party: Party) -> str:
    return reverse("admin:projects_party_change", args=[party.pk])


def form_data(party: Party, **overrides) -> dict:
    """The Party page's form as it comes, with ``overrides`` (True/False ticks a box)."""
    data = {"code": party.code, "name": party.name, "reason": "", "source": ""}
    if party.annex_i:
        data["annex_i"] = "on"
    boxes = {f"set_{f}": getattr(party, f) for f in parties.FLAGS}
    for key, value in {**boxes, **overrides}.items():
        if value is True:
            data[key] = "on"
        elif value is not False:
            data[key] = value
    return data


def test_the_admin_list_shows_the_requirements_read_only(client, admin_user, ukraine):
    client.force_login(admin_user)
    page = client.get(reverse("admin:projects_party_changelist"), {"q": "Ukraine"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ukraine" in html
    assert 'name="form-0-kp_party"' not in html
    assert 'name="_save"' not in html  # no list editing
    # A list save can no longer change a requirement.
    client.post(
        reverse("admin:projects_party_changelist"),
        {
            "form-TOTAL-FORMS": "1",
            "form-INITIAL-FORMS": "1",
            "form-0-id": str(ukraine.pk),
            "form-0-national_registry": "",
            "_save": "Save",
        },
    )
    assert flags(ukraine)["national_registry"] is True


def test_the_admin_form_changes_eligibility_through_the_act(client, admin_user, ukraine):
    client.force_login(admin_user)
    page = client.get(change_url(ukraine))
    html = page.content.decode()
    assert 'name="set_national_registry"' in html and 'name="reason"' in html
    assert 'name="national_registry"' not in html
    response = client.post(
        change_url(ukraine),
        form_data(ukraine, set_national_system=True, reason="Reinstated.", source=SOURCE),
    )
    assert response.status_code == 302
    assert flags(ukraine)["national_system"] is True
    event = Event.objects.get(kind="eligibility_changed", party=ukraine)
    assert event.data["changes"] == {"national_system": {"before": False, "after": True}}
    assert (event.reason, event.data["source"], event.actor) == ("Reinstated.", SOURCE, admin_user)
    assert Party.objects.get(pk=ukraine.pk).eligibility_source == SOURCE


def test_the_admin_form_needs_a_reason_and_a_source_for_a_change(client, admin_user, ukraine):
    client.force_login(admin_user)
    response = client.post(change_url(ukraine), form_data(ukraine, set_national_registry=False))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Give the reason" in errors["reason"][0]
    response = client.post(
        change_url(ukraine), form_data(ukraine, set_national_registry=False, reason="Found.")
    )
    assert "Name the source" in response.context["adminform"].form.errors["source"][0]
    assert flags(ukraine)["national_registry"] is True
    assert not Event.objects.exists()


def test_the_admin_form_without_a_change_of_eligibility_records_no_event(
    client, admin_user, ukraine
):
    client.force_login(admin_user)
    response = client.post(change_url(ukraine), form_data(ukraine, name="Ukraina"))
    assert response.status_code == 302
    assert Party.objects.get(pk=ukraine.pk).name == "Ukraina"
    assert not Event.objects.filter(kind="eligibility_changed").exists()


def test_a_new_party_gets_its_eligibility_through_the_act(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:projects_party_add"),
        {
            "code": "QZ",
            "name": "Newland",
            "set_kp_party": "on",
            "set_assigned_amount_recorded": "on",
            "set_national_registry": "on",
            "reason": "Ratified the Kyoto Protocol; initial review completed.",
            "source": SOURCE,
        },
    )
    assert response.status_code == 302
    party = Party.objects.get(code="QZ")
    assert party.track2_eligible and not party.track1_eligible
    event = Event.objects.get(party=party)
    assert set(event.data["changes"]) == {
        "kp_party",
        "assigned_amount_recorded",
        "national_registry",
    }


def test_staff_outside_the_secretariat_cannot_change_eligibility_in_the_admin(rf, ukraine):
    """The admin's form refuses the change before the act would (the page itself is not
    rendered here: the admin's navigation asks rules predicates without an object)."""
    clerk = UserFactory(username="clerk", role=User.Role.PARTICIPANT, is_staff=True)
    request = rf.post(change_url(ukraine))
    request.user = clerk
    model_admin = admin.site._registry[Party]
    form_class = model_admin.get_form(request, ukraine, change=True)
    form = form_class(
        form_data(ukraine, set_national_registry=False, reason="No.", source=SOURCE),
        instance=ukraine,
    )
    assert not form.is_valid()
    assert form.non_field_errors() == ["Only the secretariat records the eligibility of Parties."]
    # Without a change of eligibility the same clerk's form is valid (name, code, Annex I).
    form = form_class(form_data(ukraine, name="Ukraina"), instance=ukraine)
    assert form.is_valid(), form.errors
    assert flags(ukraine)["national_registry"] is True
